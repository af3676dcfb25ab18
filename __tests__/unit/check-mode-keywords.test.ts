// The check_mode and diff keywords as ansible-playbook 2.14 loads them: on plays, blocks, roles (entries
// and imports) and tasks, each task inheriting the innermost value written around it; and how a task
// reads them on a host (templated, a boolean, --check / --diff when none is written).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MODULE_CATALOG } from '../../src/modules/registry.js'
import { parsePlaybookText } from '../../src/playbook/playbook-loader.js'
import type { Task } from '../../src/playbook/types.js'
import { taskRunFlags, type TaskHostBase } from '../../src/executor/task-runner.js'
import { Templar } from '../../src/template/index.js'
import { ModuleArgumentError } from '../../src/modules/module.js'

let dir: string
/** A roles path that holds nothing: no role of the machine's default roles path is found. */
const noRolesPath = () => ({ rolesPath: [path.join(dir, 'no-such-roles-path')] })

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'apb-check-mode-'))
})

afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

function tasksOf(text: string): Task[] {
  const plays = parsePlaybookText(text, 'site.yml', dir, MODULE_CATALOG, noRolesPath()).plays
  return plays.flatMap((play) => [...play.tasks, ...play.handlers]).filter((t) => !t.implicit)
}

function byName(tasks: Task[]): Record<string, { check: unknown; diff: unknown }> {
  return Object.fromEntries(tasks.map((t) => [t.name, { check: t.checkMode, diff: t.diff }]))
}

describe('check_mode and diff keywords', () => {
  it('are inherited from plays, blocks and roles, the innermost winning', () => {
    mkdirSync(path.join(dir, 'roles/web/tasks'), { recursive: true })
    writeFileSync(
      path.join(dir, 'roles/web/tasks/main.yml'),
      '- name: in role\n  debug: msg=r\n- name: in role, own\n  debug: msg=r\n  check_mode: true\n'
    )
    const tasks = tasksOf(`
- hosts: all
  check_mode: false
  diff: true
  roles:
    - role: web
      check_mode: "{{ role_check }}"
  tasks:
    - name: plain
      debug: msg=x
    - block:
        - name: in block
          debug: msg=x
        - name: in block, own
          debug: msg=x
          diff: false
          check_mode: false
      check_mode: true
  handlers:
    - name: handler
      debug: msg=h
`)
    expect(byName(tasks)).toEqual({
      plain: { check: false, diff: true },
      'in block': { check: true, diff: true },
      'in block, own': { check: false, diff: false },
      'in role': { check: '{{ role_check }}', diff: true },
      'in role, own': { check: true, diff: true },
      handler: { check: false, diff: true }
    })
  })

  it('leave a task without them to the command line', () => {
    const [task] = tasksOf('- hosts: all\n  tasks:\n    - name: t\n      debug: msg=x\n')
    expect(task).not.toHaveProperty('checkMode')
    expect(task).not.toHaveProperty('diff')
  })
})

describe('how a task reads check_mode and diff on a host', () => {
  const templar = new Templar()
  const context = (task: Partial<Task>, runFlags?: { check: boolean; diff: boolean }) =>
    ({
      task: { name: 't', module: 'debug', args: {}, when: [], ...task } as unknown as Task,
      templar,
      ...(runFlags ? { runFlags } : {})
    }) as unknown as TaskHostBase

  it('takes --check / --diff when the task says nothing', () => {
    expect(taskRunFlags(context({}), {})).toEqual({ check: false, diff: false })
    expect(taskRunFlags(context({}, { check: true, diff: true }), {})).toEqual({
      check: true,
      diff: true
    })
  })

  it('lets the keyword win either way, templated with the host variables', () => {
    const both = { check: true, diff: true }
    expect(taskRunFlags(context({ checkMode: false, diff: 'no' }, both), {})).toEqual({
      check: false,
      diff: false
    })
    expect(
      taskRunFlags(context({ checkMode: '{{ dry }}', diff: '{{ dry }}' }), { dry: 'yes' })
    ).toEqual({ check: true, diff: true })
  })

  it('refuses a value that is not a boolean, naming the field', () => {
    expect(() => taskRunFlags(context({ checkMode: 'maybe' }), {})).toThrow(ModuleArgumentError)
    expect(() => taskRunFlags(context({ checkMode: 'maybe' }), {})).toThrow(
      /the field 'check_mode' has an invalid value \(maybe\), and could not be converted to bool/
    )
  })
})
