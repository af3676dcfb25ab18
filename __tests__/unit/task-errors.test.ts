// Where a task's templating error says the task is written, in the shape of Ansible's error excerpt.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { positionDetails } from '../../src/executor/task-errors.js'
import type { Task } from '../../src/playbook/types.js'

const dir = mkdtempSync(path.join(tmpdir(), 'apb-task-errors-'))
const file = path.join(dir, 'site.yml')
writeFileSync(
  file,
  [
    '- hosts: all',
    '  tasks:',
    '    - name: first',
    '      debug: msg=x',
    '    - shell: echo {{ nope }}',
    '',
    '    - name: third',
    ''
  ].join('\n')
)

function at(line: number, label = 'site.yml', taskDir: string | null = dir): Task {
  return {
    name: 't',
    named: true,
    module: 'debug',
    args: {},
    location: { file: label, line },
    ...(taskDir ? { dir: taskDir } : {}),
    when: [],
    loopControl: { loopVar: 'item' },
    until: [],
    failedWhen: [],
    changedWhen: [],
    vars: {},
    tags: []
  }
}

describe('positionDetails', () => {
  it('names the file, line and column of the task and shows it under the line before it', () => {
    expect(positionDetails(at(3))).toBe(
      `\n\nThe error appears to be in '${file}': line 3, column 7, but may\n` +
        'be elsewhere in the file depending on the exact syntax problem.\n\n' +
        'The offending line appears to be:\n\n  tasks:\n    - name: first\n      ^ here\n'
    )
  })

  it('points at the `=` of a k=v line before the task, as Ansible does', () => {
    expect(positionDetails(at(5))).toBe(
      `\n\nThe error appears to be in '${file}': line 4, column 17, but may\n` +
        'be elsewhere in the file depending on the exact syntax problem.\n\n' +
        'The offending line appears to be:\n\n      debug: msg=x\n                ^ here\n\n' +
        "There appears to be both 'k=v' shorthand syntax and YAML in this task. Only one syntax may be used.\n"
    )
  })

  it('says nothing for an inline playbook or a file that cannot be read', () => {
    expect(positionDetails(at(3, '<inline playbook>'))).toBe('')
    expect(positionDetails(at(3, 'gone.yml'))).toBe('')
    expect(positionDetails(at(3, 'site.yml', null))).toBe('')
  })
})
