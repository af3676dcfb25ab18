// Loading `notify` where Ansible 2.14 takes it (a block, import_tasks, import_role, include_tasks' apply) and
// handlers the way it loads them (blocks, import_tasks and include_tasks under `handlers:`, meta handlers);
// and which errors in what a dynamic include loads fail the host rather than stopping the run.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PlaybookError } from '../../src/errors.js'
import { MODULE_CATALOG } from '../../src/modules/registry.js'
import { loadInclude, parsePlaybookText } from '../../src/playbook/playbook-loader.js'
import type { Play, Task } from '../../src/playbook/types.js'

let dir: string

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'apb-notify-'))
  const files: Record<string, string> = {
    'tasks.yml':
      '- name: imported one\n  command: "true"\n- name: own\n  command: "true"\n  notify: mine\n',
    'handlers.yml':
      '- name: imported handler\n  command: "true"\n- block:\n    - name: imported block handler\n      command: "true"\n',
    'missing-module.yml': '- name: bad\n  no_such_module: x\n',
    'bad-yaml.yml': '- name: [unclosed\n',
    'bad-keyword.yml': '- name: bad\n  command: "true"\n  no_such_keyword: 1\n',
    'mapping.yml': 'name: not a list\n',
    'roles/noisy/tasks/main.yml': '- name: role task\n  command: "true"\n',
    'roles/noisy/handlers/main.yml': '- name: role handler\n  command: "true"\n',
    'roles/broken/tasks/main.yml': '- name: bad\n  no_such_module: x\n'
  }
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true })
    writeFileSync(path.join(dir, name), text)
  }
  mkdirSync(path.join(dir, 'a-directory.yml'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function play(text: string): Play {
  return parsePlaybookText(text, 'pb.yml', dir, MODULE_CATALOG).plays[0]!
}

function task(p: Play, name: string): Task {
  const found = p.tasks.find((t) => t.name === name)
  if (!found) throw new Error(`no task '${name}'`)
  return found
}

function handler(p: Play, name: string): Task {
  const found = p.handlers.find((t) => t.name === name)
  if (!found) throw new Error(`no handler '${name}'`)
  return found
}

describe('notify on what holds tasks', () => {
  it("gives a block's notify to its tasks that have none (a task's own replaces it)", () => {
    const p = play(`- hosts: all
  tasks:
    - block:
        - name: inherits
          command: "true"
        - name: own
          command: "true"
          notify: [mine]
        - block:
            - name: nested
              command: "true"
          notify: inner
      notify: outer
`)
    expect(task(p, 'inherits').notify).toEqual(['outer'])
    expect(task(p, 'own').notify).toEqual(['mine'])
    expect(task(p, 'nested').notify).toEqual(['inner'])
  })

  it("gives import_tasks' and import_role's notify to the tasks they bring in", () => {
    const p = play(`- hosts: all
  tasks:
    - import_tasks: tasks.yml
      notify: from import
    - import_role: { name: noisy }
      notify: from role
`)
    expect(task(p, 'imported one').notify).toEqual(['from import'])
    expect(task(p, 'own').notify).toEqual(['mine'])
    expect(task(p, 'role task').notify).toEqual(['from role'])
    // As in Ansible, the imported role's handlers take the import's keywords too.
    expect(handler(p, 'role handler').notify).toEqual(['from role'])
  })

  it("gives include_tasks' apply notify to the included tasks, and refuses notify on the include", () => {
    const p = play(`- hosts: all
  tasks:
    - include_tasks:
        file: tasks.yml
        apply:
          notify: applied
`)
    const include = p.tasks.find((t) => t.include)!
    const loaded = loadInclude(include.include!, include.args, include.location)
    expect(loaded.tasks.map((t) => [t.name, t.notify])).toEqual([
      ['imported one', ['applied']],
      ['own', ['mine']]
    ])
    expect(() =>
      play(`- hosts: all\n  tasks:\n    - include_tasks: tasks.yml\n      notify: h\n`)
    ).toThrow(/'notify' is not a valid keyword for include_tasks .*apply/)
  })

  it('takes notify on a roles: entry as a role parameter, as Ansible does', () => {
    const p = play(`- hosts: all
  roles:
    - role: noisy
      notify: h
`)
    const roleTask = p.tasks.find((t) => t.name === 'role task')!
    expect(roleTask.notify).toBeUndefined()
    expect(roleTask.role!.params).toEqual({ notify: 'h' })
  })
})

describe('handlers as Ansible 2.14 loads them', () => {
  const p = () =>
    play(`- hosts: all
  handlers:
    - name: bare one
      command: "true"
    - name: grouped
      block:
        - name: in block
          command: "true"
        - name: also in block
          debug: msg=x
      when: go
      notify: next
      become: true
    - name: bare two
      command: "true"
    - import_tasks: handlers.yml
      when: imported
    - name: more handlers
      include_tasks: tasks.yml
      listen: topic
    - name: stop
      meta: end_host
    - name: quiet
      meta: noop
  tasks: []
`)

  it("makes a block's tasks handlers with its keywords, and no block frames", () => {
    const inBlock = handler(p(), 'in block')
    expect(inBlock.when).toEqual(['go'])
    expect(inBlock.notify).toEqual(['next'])
    expect(inBlock.become).toEqual({ become: true })
    expect(inBlock.blocks).toBeUndefined()
  })

  it('groups handlers in blocks: bare runs, each block, imports joining the block they stand in', () => {
    const handlers = p().handlers
    expect(handlers.map((h) => h.name)).toEqual([
      'bare one',
      'in block',
      'also in block',
      'bare two',
      'imported handler',
      'imported block handler',
      'more handlers',
      'stop',
      'quiet'
    ])
    const block = (name: string) => handlers.find((h) => h.name === name)!.handlerBlock
    expect(block('in block')).toBe(block('also in block'))
    expect(block('bare one')).not.toBe(block('in block'))
    expect(block('bare two')).not.toBe(block('bare one'))
    expect(block('bare two')).not.toBe(block('in block'))
    for (const name of ['imported handler', 'imported block handler', 'more handlers', 'stop'])
      expect(block(name)).toBe(block('bare two'))
    expect(handlers.find((h) => h.name === 'imported handler')!.when).toEqual(['imported'])
  })

  it('takes meta handlers and include_tasks handlers with listen', () => {
    const handlers = p().handlers
    expect(handlers.find((h) => h.name === 'stop')).toMatchObject({
      module: 'meta',
      args: { _raw_params: 'end_host' }
    })
    const include = handlers.find((h) => h.name === 'more handlers')!
    expect(include.listen).toEqual(['topic'])
    const loaded = loadInclude(include.include!, include.args, include.location)
    expect(loaded.tasks.map((t) => t.name)).toEqual(['imported one', 'own'])
  })
})

/** The PlaybookError `load` throws (fails the test when it throws nothing or something else). */
function thrown(load: () => unknown): PlaybookError {
  try {
    load()
  } catch (error) {
    expect(error).toBeInstanceOf(PlaybookError)
    return error as PlaybookError
  }
  throw new Error('loading did not fail')
}

describe('what a dynamic include loads: a failure of the host, or an error that stops the run', () => {
  const include = (spec: string) => {
    const p = play(`- hosts: all\n  tasks:\n    - ${spec}\n`)
    const found = p.tasks.find((t) => t.include)!
    return () => loadInclude(found.include!, found.args, found.location)
  }

  it.each([
    ['include_tasks: missing.yml', /could not be found/],
    ['include_tasks: mapping.yml', /must be a list of tasks/],
    ['include_role: { name: nosuchrole }', /the role 'nosuchrole' was not found/]
  ])('%s fails the host (a PlaybookError that fails the host)', (spec, message) => {
    expect(include(spec)).toThrow(message)
    expect(thrown(include(spec))).toMatchObject({ failsHost: true })
  })

  it.each([
    ['include_tasks: missing-module.yml', /couldn't resolve module\/action 'no_such_module'/],
    ['include_tasks: bad-yaml.yml', /bad-yaml\.yml/],
    ['include_tasks: bad-keyword.yml', /no_such_keyword/],
    ['include_tasks: a-directory.yml', /it is a directory/],
    ['include_role: { name: broken }', /no_such_module/],
    ['include_role: { name: noisy, tasks_from: nope }', /no tasks file 'nope'/]
  ])('%s stops the run (a PlaybookError that does not fail the host only)', (spec, message) => {
    const error = thrown(include(spec))
    expect(error.failsHost).toBe(false)
    expect(error.message).toMatch(message)
  })

  it('an import of a missing file is a load error like any other (the whole playbook)', () => {
    expect(() => play(`- hosts: all\n  tasks:\n    - import_tasks: missing.yml\n`)).toThrow(
      PlaybookError
    )
  })
})
