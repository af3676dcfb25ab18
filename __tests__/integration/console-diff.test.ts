// What the console prints with --check --diff, compared line for line with ansible-playbook's default
// callback on the same playbook (local connection, a directory of its own): the task banners, the
// unified diffs (headers, hunks, JSON of file states, `prepared` text), the status lines and the recap.
// No diff is printed for a no_log task, nor for a loop item of a task whose `diff` is false.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ansibleEnvironment, findAnsiblePlaybook } from '../helpers/ansible.js'
import { runCaptured } from '../helpers/engine.js'
import { DEFAULTS } from '../../src/defaults.js'

const ansiblePlaybook = findAnsiblePlaybook()
const required = process.env['APB_REQUIRE_ANSIBLE'] === '1'

const PLAYBOOK = `
- hosts: localhost
  gather_facts: false
  vars:
    base: "{{ playbook_dir }}/target"
  tasks:
    - name: files to edit, for real
      shell: |
        mkdir -p {{ base }}
        printf 'one\\ntwo\\nthree\\nfour\\nfive\\nsix\\nseven\\neight\\nnine\\nten\\n' > {{ base }}/lines
        printf 'x = 1\\ny = 2\\n' > {{ base }}/conf
        printf 'no newline' > {{ base }}/nonl
      check_mode: false
      changed_when: false

    - name: two hunks
      lineinfile:
        path: "{{ base }}/lines"
        regexp: "^{{ item }}$"
        line: "{{ item | upper }}"
      loop: [two, nine]

    - name: a replace
      replace:
        path: "{{ base }}/conf"
        regexp: '= (\\d)'
        replace: '= \\1\\1'

    - name: a file without its final newline
      lineinfile:
        path: "{{ base }}/nonl"
        line: added

    - name: a directory
      file:
        path: "{{ base }}/dir"
        state: directory
        mode: "0750"

    - name: a block
      blockinfile:
        path: "{{ base }}/conf"
        block: |
          z = 3

    - name: a secret
      copy:
        content: "secret\\n"
        dest: "{{ base }}/secret"
      no_log: true

    - name: a loop without diff
      lineinfile:
        path: "{{ base }}/lines"
        line: "{{ item }}"
      loop: [eleven]
      diff: false

    - name: unchanged
      file:
        path: "{{ base }}/lines"
`

let dir: string

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'apb-console-diff-'))
  writeFileSync(path.join(dir, 'site.yml'), PLAYBOOK)
})

afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe.skipIf(!ansiblePlaybook && !required)('console output with --check --diff', () => {
  it('is what ansible-playbook prints, diff for diff', async () => {
    if (!ansiblePlaybook)
      throw new Error('APB_REQUIRE_ANSIBLE=1 but ansible-playbook is not on PATH')
    const theirs = spawnSync(
      ansiblePlaybook,
      ['-i', 'localhost,', '-c', 'local', 'site.yml', '--check', '--diff'],
      {
        cwd: dir,
        encoding: 'utf8',
        env: { ...ansibleEnvironment(dir), ANSIBLE_STDOUT_CALLBACK: 'default' }
      }
    )
    expect(theirs.status, theirs.stderr).toBe(0)
    const ours = await runCaptured({
      playbook: path.join(dir, 'site.yml'),
      inventories: [],
      extraVars: [],
      forks: 5,
      connection: { hostKeyChecking: 'strict', connectTimeoutMs: 30_000 },
      verbosity: 0,
      color: false,
      commandTimeoutMs: DEFAULTS.commandTimeoutSeconds * 1000,
      cwd: dir,
      check: true,
      diff: true
    })
    expect(ours.exitCode).toBe(0)
    // The diffs were really printed (the comparison below cannot pass on two empty outputs).
    expect(theirs.stdout).toContain('@@ -1,5 +1,5 @@')
    expect(theirs.stdout).toContain('\\ No newline at end of file')
    expect(theirs.stdout).not.toContain('+secret')
    expect(ours.output).toBe(theirs.stdout)
  })
})
