// The bare `include`'s variables at Ansible 2.14's precedence: its `key=value` words and `args:` are
// variables of the included tasks as an enclosing block's are (under the included tasks' own vars and
// set_fact), its `vars:` are include params (above those and set_fact), static or dynamic. The expected
// messages are what ansible-playbook 2.14 printed for these playbooks.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseCli } from '../../src/cli-options.js'
import { executeRun } from '../../src/engine.js'

let dir: string

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'apb-legacy-vars-'))
  writeFileSync(path.join(dir, 'hosts'), 'localhost ansible_connection=local\n')
})

afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

/** The debug messages of a run of site.yml, in order. */
async function messages(site: string, tree: Record<string, string>): Promise<string[]> {
  writeFileSync(path.join(dir, 'site.yml'), site)
  for (const [name, text] of Object.entries(tree)) writeFileSync(path.join(dir, name), text)
  const settings = parseCli(
    ['-i', path.join(dir, 'hosts'), 'site.yml'],
    { HOME: dir, ANSIBLE_DEPRECATION_WARNINGS: 'false' },
    false,
    dir
  ).settings!
  let out = ''
  const { exitCode } = await executeRun(settings, (text) => {
    out += text
  })
  expect(exitCode).toBe(0)
  return [...out.matchAll(/"msg": "(.*)"/g)].map((m) => m[1]!)
}

describe("the bare include's variables", () => {
  it('vars: are include params, above set_fact; words are not (static and dynamic)', async () => {
    const site =
      '- hosts: localhost\n  gather_facts: false\n  vars:\n    x: play\n  tasks:\n    - include: inc2.yml x=kv\n    - include: inc2.yml\n      vars:\n        x: vars\n    - include: "{{ \'inc2.yml\' }}"\n      vars:\n        x: dynvars\n    - include: "{{ \'inc2.yml\' }} x=dynkv"\n    - import_tasks: inc2.yml\n      vars:\n        x: import\n    - include_tasks: inc2.yml\n      vars:\n        x: inctasks\n    - debug: msg="after {{ x }}"\n'
    const included =
      '- set_fact:\n    x: fact\n- debug: msg="x={{ x }}"\n- debug: msg="x={{ x }}"\n  vars:\n    x: taskvar\n'
    expect(await messages(site, { 'inc2.yml': included })).toEqual([
      'x=fact',
      'x=fact',
      'x=vars',
      'x=vars',
      'x=dynvars',
      'x=dynvars',
      'x=fact',
      'x=fact',
      'x=fact',
      'x=fact',
      'x=inctasks',
      'x=inctasks',
      'after fact'
    ])
  })

  it("words and args: sit under the included tasks' own task and block vars; vars: above them", async () => {
    const site =
      '- hosts: localhost\n  gather_facts: false\n  vars:\n    x: play\n  tasks:\n    - include: inc3.yml x=kv\n    - include: inc3.yml\n      args:\n        x: args\n    - include: "{{ \'inc3.yml\' }} x=dynkv"\n    - include: inc3.yml x=kv\n      vars:\n        x: vars\n    - include: inc3.yml\n      vars:\n        x: vars\n    - include: "{{ \'inc3.yml\' }}"\n      vars:\n        x: dvars\n'
    const included =
      '- debug: msg="x={{ x }}"\n- debug: msg="x={{ x }}"\n  vars:\n    x: taskvar\n- block:\n    - debug: msg="x={{ x }}"\n  vars:\n    x: blockvar\n'
    expect(await messages(site, { 'inc3.yml': included })).toEqual([
      'x=kv',
      'x=taskvar',
      'x=blockvar',
      'x=args',
      'x=taskvar',
      'x=blockvar',
      'x=dynkv',
      'x=taskvar',
      'x=blockvar',
      'x=vars',
      'x=vars',
      'x=vars',
      'x=vars',
      'x=vars',
      'x=vars',
      'x=dvars',
      'x=dvars',
      'x=dvars'
    ])
  })
})
