// Shell metacharacters in every value that reaches a target, run for real through the engine against the
// local connection: nothing is ever executed that the user did not write as a command, and the values
// arrive byte for byte. Also runs the nasty-corpus keyword playbooks through the engine.
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunSettings } from '../../src/engine.js'
import { AsyncPlaybookError } from '../../src/errors.js'
import { PLAY_KEYWORDS, TASK_KEYWORDS } from '../../src/playbook/keywords.js'
import { resultOf, runCaptured } from '../helpers/engine.js'

const MARKER = `/tmp/apb-pwned-${randomBytes(6).toString('hex')}`
const BASE = path.join(tmpdir(), `apb-meta-${randomBytes(4).toString('hex')}`)

/** Every way a shell could be talked into running `touch MARKER`. */
const PAYLOADS = [
  `$(touch ${MARKER})`,
  `\`touch ${MARKER}\``,
  `x; touch ${MARKER}`,
  `x | touch ${MARKER}`,
  `x && touch ${MARKER} &`,
  `x\ntouch ${MARKER}\n`,
  `'; touch ${MARKER}; '`,
  `"; touch ${MARKER}; "`,
  `\\"; touch ${MARKER}; \\"`,
  `$'\\x41'; touch ${MARKER} #`,
  `\${PATH:+$(touch ${MARKER})}`,
  `~$(touch ${MARKER})`,
  `> ${MARKER}`,
  // Not Jinja2: variables are templated when used (as in Ansible), so `{{ }}` would not arrive literally.
  `* ? [a] \\ \t end`
]

function settings(playbook: string, extra: Record<string, unknown> = {}): RunSettings {
  return {
    playbook,
    inventories: [],
    extraVars: [JSON.stringify({ payloads: PAYLOADS, base: BASE, ...extra })],
    forks: 5,
    connection: { hostKeyChecking: 'strict', connectTimeoutMs: 30_000 },
    verbosity: 0,
    color: false,
    commandTimeoutMs: 30_000,
    cwd: BASE
  }
}

type LoopResult = { item: string } & Record<string, unknown>
const loopResults = (out: Awaited<ReturnType<typeof runCaptured>>, task: string): LoopResult[] =>
  resultOf(out, task, 'localhost')['results'] as LoopResult[]

beforeAll(() => {
  // chdir, creates and copy dest use a directory named after each payload (a `/` in it nests further).
  for (const payload of PAYLOADS) mkdirSync(path.join(BASE, payload), { recursive: true })
})
afterAll(() => {
  rmSync(BASE, { recursive: true, force: true })
  rmSync(MARKER, { force: true })
})

describe('shell metacharacters in values that reach the target', () => {
  it('run nothing and arrive literally: command, chdir, creates, environment, copy, debug, set_fact, register', async () => {
    const playbook = `- hosts: localhost
  gather_facts: false
  tasks:
    - name: argv
      command:
        argv: [printf, '%s', '{{ item }}']
      loop: '{{ payloads }}'
      register: argv_out
    - name: command string with quote filter
      command: printf %s {{ item | quote }}
      loop: '{{ payloads }}'
    - name: shell with quote filter
      shell: printf '%s' {{ item | quote }}
      loop: '{{ payloads }}'
      register: shell_out
    - name: chdir
      command: pwd
      args:
        chdir: '{{ base }}/{{ item }}'
      loop: '{{ payloads }}'
      register: chdir_out
    - name: creates missing
      command: echo ran
      args:
        creates: '{{ base }}/{{ item }}/absent'
      loop: '{{ payloads }}'
      register: creates_missing
    - name: creates present
      command: echo ran
      args:
        creates: '{{ base }}/{{ item }}'
      loop: '{{ payloads }}'
      register: creates_present
    - name: environment
      command: printenv APB_VALUE
      environment:
        APB_VALUE: '{{ item }}'
      loop: '{{ payloads }}'
      register: env_out
    - name: copy
      copy:
        content: '{{ item }}'
        dest: '{{ base }}/{{ item }}/copied'
      loop: '{{ payloads }}'
    - name: debug
      debug:
        msg: '{{ item }}'
      loop: '{{ payloads }}'
      register: debug_out
    - name: set_fact
      set_fact:
        facts_out: '{{ payloads }}'
    - name: fact reused
      command:
        argv: [printf, '%s', '{{ item }}']
      loop: '{{ facts_out }}'
      register: fact_out
    - name: registered stdout reused in a command
      command: printf %s {{ item.stdout | quote }}
      loop: '{{ argv_out.results }}'
      register: reused_out
    - name: registered stdout reused unquoted
      command: echo {{ item.stdout }}
      loop: '{{ argv_out.results }}'
      ignore_errors: true
    - name: registered stdout in an environment value
      shell: printf '%s' "$APB_VALUE"
      environment:
        APB_VALUE: '{{ item.stdout }}'
      loop: '{{ argv_out.results }}'
      register: reused_env
`
    const out = await runCaptured(settings(playbook))
    expect(out.exitCode, out.output.slice(-3000)).toBe(0)
    expect(existsSync(MARKER), `${MARKER} was created: a value was run as shell text`).toBe(false)

    const byItem = (task: string, field: string): string[] =>
      loopResults(out, task).map((r) => String(r[field]))
    // stdout loses trailing newlines, as in Ansible.
    const expected = PAYLOADS.map((p) => p.replace(/\n+$/, ''))
    expect(byItem('argv', 'stdout')).toEqual(expected)
    expect(byItem('shell with quote filter', 'stdout')).toEqual(expected)
    expect(byItem('chdir', 'stdout')).toEqual(
      PAYLOADS.map((p) => realpathSync(path.join(BASE, p)).replace(/\n+$/, ''))
    )
    expect(byItem('creates missing', 'stdout')).toEqual(PAYLOADS.map(() => 'ran'))
    expect(loopResults(out, 'creates present').map((r) => r['changed'])).toEqual(
      PAYLOADS.map(() => false)
    )
    expect(byItem('creates present', 'stdout')).toEqual(
      PAYLOADS.map((p) => `skipped, since ${path.join(BASE, p)} exists`.replace(/\n+$/, ''))
    )
    expect(byItem('environment', 'stdout')).toEqual(expected)
    for (const payload of PAYLOADS) {
      expect(readFileSync(path.join(BASE, payload, 'copied'), 'utf8')).toBe(payload)
    }
    expect(byItem('debug', 'msg')).toEqual(PAYLOADS)
    expect(byItem('fact reused', 'stdout')).toEqual(expected)
    expect(byItem('registered stdout reused in a command', 'stdout')).toEqual(expected)
    expect(byItem('registered stdout in an environment value', 'stdout')).toEqual(expected)
  })

  it('run nothing from inventory variables, extra vars and host names', async () => {
    const payload = `$(touch ${MARKER})`
    const out = await runCaptured({
      ...settings(`- hosts: all
  gather_facts: false
  tasks:
    - command:
        argv: [printf, '%s|%s|%s', '{{ inv_value }}', '{{ inventory_hostname }}', '{{ ev }}']
      register: r
`),
      inventories: [
        `[local]\n'h;touch ${MARKER}' ansible_connection=local inv_value='${payload}'\n`
      ],
      extraVars: [`ev='\`touch ${MARKER}\`'`]
    })
    expect(out.exitCode, out.output).toBe(0)
    expect(existsSync(MARKER)).toBe(false)
    expect(resultOf(out, 'command', `h;touch ${MARKER}`)['stdout']).toBe(
      `${payload}|h;touch ${MARKER}|\`touch ${MARKER}\``
    )
  })
})

describe('wrong-typed keywords through the engine', () => {
  const WRONG = ['[1, [2], {a: 3}]', '{a: 1, b: [2]}', '42', 'null']
  const cases: Array<[string, string, string]> = []
  for (const keyword of PLAY_KEYWORDS) for (const v of WRONG) cases.push(['play', keyword, v])
  for (const keyword of TASK_KEYWORDS) for (const v of WRONG) cases.push(['task', keyword, v])

  /**
   * KNOWN BUGS, reported (executor/task-runner and playbook-loader, not fixed here): a list or mapping given
   * for these keywords is shown as `[object Object]` ("'retries' must be an integer, got '[object Object]'",
   * "TASK [[object Object]]"). The run itself is fine. Remove entries as they are fixed.
   */
  const SHOWS_OBJECT_OBJECT: string[] = []

  // A wrong type the loader lets through must end as a failed task or play with a message, not a crash of
  // the run (a TypeError escaping executeRun) and not a hang.
  it('end in a typed error, a failed task, or a normal run; never a crash', async () => {
    const crashes: string[] = []
    const objectObject: string[] = []
    for (const [level, keyword, value] of cases) {
      const text =
        level === 'play'
          ? `- ${keyword === 'hosts' ? 'name: x' : 'hosts: localhost'}\n  gather_facts: false\n  ${keyword}: ${value}\n  tasks:\n    - debug: msg=hi\n`
          : `- hosts: localhost\n  gather_facts: false\n  tasks:\n    - debug: msg=hi\n      ${keyword}: ${value}\n`
      const started = Date.now()
      try {
        const out = await runCaptured(settings(text))
        const internal =
          /TypeError|ReferenceError|RangeError|Cannot read properties|is not a function/.exec(
            out.output
          )
        if (internal) crashes.push(`${level} ${keyword}: ${value} → output shows ${internal[0]}`)
        if (out.output.includes('[object Object]'))
          objectObject.push(`${level} ${keyword}: ${value}`)
      } catch (error) {
        if (!(error instanceof AsyncPlaybookError))
          crashes.push(`${level} ${keyword}: ${value} → ${String(error)}`)
      }
      expect(Date.now() - started, `${level} ${keyword}: ${value}`).toBeLessThan(10_000)
    }
    expect(crashes).toEqual([])
    expect(objectObject).toEqual(SHOWS_OBJECT_OBJECT)
  })
})
