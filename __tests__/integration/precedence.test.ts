// Integration: variable precedence through the real engine over OpenSSH, every adjacent pair of
//   role defaults < inventory group vars < inventory host vars < play vars < vars_files < role vars
//   < block vars < task vars < set_fact / registered < extra vars
// Variable `pN` is set by layer N-1 and layer N (`p1`: defaults vs group, …, `p9`: set_fact vs extra).
// The same playbook runs twice: with every layer setting its variables (the higher layer must win), and
// with each higher layer left out (the lower layer must then be seen: it is really active, so the first
// run cannot pass vacuously).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunOutcome } from '../../src/engine.js'
import { resultOf, runCaptured, sshdInventory, sshdSettings } from '../helpers/engine.js'
import { startSshd, type SshdFixture } from '../helpers/sshd.js'

let sshd: SshdFixture
let root: string

beforeAll(async () => {
  sshd = await startSshd({ name: 'precedence' })
  root = await mkdtemp(join(tmpdir(), 'apb-precedence-'))
})
afterAll(async () => {
  await sshd?.stop()
  if (root) await rm(root, { recursive: true, force: true })
})

/** The layers, lowest first; the value each one gives is its name. */
const LAYERS = [
  'defaults',
  'group',
  'host',
  'play',
  'vars_files',
  'role_vars',
  'block',
  'task',
  'set_fact',
  'extra'
] as const
type Layer = (typeof LAYERS)[number]
const PAIRS = LAYERS.slice(1).map((_, i) => `p${i + 1}`)

/** The variables layer `layer` sets: its pair's lower side always, its higher side only in a full run. */
function varsOf(layer: Layer, full: boolean): Record<string, string> {
  const i = LAYERS.indexOf(layer)
  const vars: Record<string, string> = {}
  if (full && i > 0) vars[`p${i}`] = layer
  if (i < LAYERS.length - 1) vars[`p${i + 1}`] = layer
  return vars
}

function yamlMap(vars: Record<string, string>, indent: string): string {
  const entries = Object.entries(vars)
  if (entries.length === 0) return ' {}\n'
  return '\n' + entries.map(([k, v]) => `${indent}${k}: ${v}\n`).join('')
}

function iniVars(vars: Record<string, string>): string {
  return Object.entries(vars)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')
}

/** `msg:` of a debug task showing the variables (registered ones as they are: a dict). */
function showing(names: string[], indent: string): string {
  return names.map((n) => `${indent}${n}: "{{ ${n} | default('unset') }}"\n`).join('')
}

/**
 * Writes the playbook tree and inventory for one run and runs it. Besides `pN`, `r8` pits task vars
 * against a registered value, and `r9` a registered value against extra vars.
 */
async function run(full: boolean): Promise<RunOutcome> {
  const dir = join(root, full ? 'full' : 'lower')
  const files: Record<string, string> = {
    'site.yml': `- hosts: web
  gather_facts: false
  vars:${yamlMap(varsOf('play', full), '    ')}  vars_files:
    - vars.yml
  roles:
    - prec
  tasks:
    - name: the play sees
      debug:
        msg:
${showing(['p1', 'p2', 'p3', 'p4', 'p5', 'p9'], '          ')}`,
    'vars.yml': `---${yamlMap(varsOf('vars_files', full), '')}`,
    'roles/prec/defaults/main.yml': `---${yamlMap(varsOf('defaults', full), '')}`,
    'roles/prec/vars/main.yml': `---${yamlMap(varsOf('role_vars', full), '')}`,
    'roles/prec/tasks/main.yml': `- name: set facts
  set_fact:${yamlMap(varsOf('set_fact', full), '    ')}${
    full
      ? `- name: register r8
  debug:
    msg: registered
  register: r8
`
      : ''
  }- name: register r9
  debug:
    msg: registered
  register: r9
- name: guarded
  vars:${yamlMap(varsOf('block', full), '    ')}  block:
    - name: the role sees
      vars:${yamlMap({ ...varsOf('task', full), r8: 'task' }, '        ')}      debug:
        msg:
${showing([...PAIRS, 'r8', 'r9'], '          ')}`
  }
  for (const [file, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, file)), { recursive: true })
    await writeFile(join(dir, file), content)
  }
  const inventory = sshdInventory(sshd, {
    hosts: ['web1', 'web2'],
    extra: `[web:vars]\n${iniVars(varsOf('group', full)).replace(/ /g, '\n')}`
  }).replace(/^(web\d .*)$/gm, `$1 ${iniVars(varsOf('host', full))}`)
  const extra = varsOf('extra', full)
  if (full) extra['r9'] = 'extra'
  const out = await runCaptured(
    sshdSettings(sshd, join(dir, 'site.yml'), inventory, {
      cwd: dir,
      extraVars: Object.keys(extra).length > 0 ? [JSON.stringify(extra)] : []
    })
  )
  expect(out.exitCode, out.output).toBe(0)
  return out
}

function shown(out: RunOutcome, task: string, host: string): Record<string, unknown> {
  return resultOf(out, task, host)['msg'] as Record<string, unknown>
}

describe('variable precedence over OpenSSH', () => {
  let full: RunOutcome
  let lower: RunOutcome
  beforeAll(async () => {
    full = await run(true)
    lower = await run(false)
  }, 180_000)

  it.each(PAIRS.map((p, i) => [p, LAYERS[i]!, LAYERS[i + 1]!] as const))(
    '%s: %s < %s, seen inside the role',
    (variable, low, high) => {
      for (const host of ['web1', 'web2']) {
        expect(shown(full, 'prec : the role sees', host)[variable]).toBe(high)
        expect(shown(lower, 'prec : the role sees', host)[variable]).toBe(low)
      }
    }
  )

  it('registered values beat task vars and lose to extra vars', () => {
    for (const host of ['web1', 'web2']) {
      expect(shown(full, 'prec : the role sees', host)['r8']).toMatchObject({ msg: 'registered' })
      expect(shown(lower, 'prec : the role sees', host)['r8']).toBe('task')
      expect(shown(full, 'prec : the role sees', host)['r9']).toBe('extra')
      expect(shown(lower, 'prec : the role sees', host)['r9']).toMatchObject({ msg: 'registered' })
    }
  })

  it("a play task sees the defaults and vars of the play's roles, at their precedence", () => {
    for (const host of ['web1', 'web2']) {
      expect(shown(full, 'the play sees', host)).toEqual({
        p1: 'group',
        p2: 'host',
        p3: 'play',
        p4: 'vars_files',
        p5: 'role_vars',
        p9: 'extra'
      })
      expect(shown(lower, 'the play sees', host)).toEqual({
        p1: 'defaults',
        p2: 'group',
        p3: 'host',
        p4: 'play',
        p5: 'vars_files',
        p9: 'set_fact'
      })
    }
  })
})
