// Roles (`roles:`, meta dependencies, import_role) and dynamic includes (include_tasks, include_role), over
// the files in __fixtures__/roles/; handler matching and the variable layers a role task sees.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { parseCli } from '../../src/cli-options.js'
import { PlaybookError } from '../../src/errors.js'
import { matchHandlers } from '../../src/executor/handlers.js'
import { VariableManager, type PlayContext } from '../../src/executor/variables.js'
import { mergeRoleVars } from '../../src/playbook/roles.js'
import { loadInventory } from '../../src/inventory/inventory.js'
import { MODULE_CATALOG } from '../../src/modules/registry.js'
import { loadInclude, loadPlaybook, parsePlaybookText } from '../../src/playbook/playbook-loader.js'
import type { Play, RoleRef, Task } from '../../src/playbook/types.js'
import { Templar } from '../../src/template/index.js'

const FIXTURES = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../__fixtures__/roles'
)
const ROLES = path.join(FIXTURES, 'roles')

function play(name: string): Play {
  return loadPlaybook(name, MODULE_CATALOG, FIXTURES).plays[0]!
}

function inline(text: string): Play {
  return parsePlaybookText(text, 'p.yml', FIXTURES, MODULE_CATALOG).plays[0]!
}

/** The tasks the user wrote (not the implicit flush_handlers the loader adds after each section). */
function written(tasks: Task[]): Task[] {
  return tasks.filter((t) => !t.implicit)
}

function named(tasks: Task[], name: string): Task {
  const task = tasks.find((t) => t.name === name)
  if (!task) throw new Error(`no task '${name}' in ${tasks.map((t) => t.name).join(', ')}`)
  return task
}

function sorted(list: readonly string[]): string[] {
  return [...list].sort()
}

/** The roles of the tasks named `name`, in order (one per use of the role that brought the task in). */
function rolesOf(tasks: Task[], name: string): RoleRef[] {
  return tasks.filter((t) => t.name === name).map((t) => t.role!)
}

/**
 * The dedupKey a `roles:` or dependency use should get, spelled out independently of the loader: the JSON of
 * the role's path, params, vars and keywords (keys already in sorted order here), joined by NUL.
 */
function expectedKey(
  dir: string,
  params: Record<string, unknown>,
  vars: Record<string, unknown>,
  keywords: Record<string, unknown>
): string {
  return [dir, params, vars, keywords].map((part) => JSON.stringify(part)).join('\0')
}

/** The PlaybookError `load` throws (fails the test when it throws nothing or something else). */
function loadError(load: () => unknown): PlaybookError {
  try {
    load()
  } catch (error) {
    expect(error).toBeInstanceOf(PlaybookError)
    return error as PlaybookError
  }
  throw new Error('loading did not fail')
}

/** The include task of `include.yml` (or another play) at index `n` among its include tasks. */
function includeTask(p: Play, n: number): Task {
  const task = p.tasks.filter((t) => t.include)[n]
  if (!task) throw new Error(`no include task #${n}`)
  return task
}

describe('roles:', () => {
  it('runs role tasks after pre_tasks and their flush, in the same section as tasks', () => {
    const tasks = play('site.yml').tasks
    expect(tasks.map((t) => (t.implicit ? '(flush)' : t.name))).toEqual([
      'pre task',
      '(flush)',
      'common task',
      // web's dependency on common is loaded again (the runner skips it on hosts where common already ran).
      'common task',
      'web first',
      'web second',
      'play task',
      '(flush)',
      'post task',
      '(flush)'
    ])
  })

  it('gives each role task its role: basename, absolute path, defaults, vars over entry vars, params, dedupKey', () => {
    const tasks = written(play('site.yml').tasks)
    const common = named(tasks, 'common task').role
    expect(common).toEqual({
      name: 'common',
      path: path.join(ROLES, 'common'),
      defaults: { common_default: 1 },
      vars: {},
      params: {},
      dedupKey: expectedKey(path.join(ROLES, 'common'), {}, {}, {})
    })
    const web = named(tasks, 'web first').role
    expect(web).toEqual({
      name: 'web',
      path: path.join(ROLES, 'web'),
      // Its dependency's (common's) defaults under its own.
      defaults: { common_default: 1, web_port: 80, web_user: 'default-user' },
      // The entry's `vars:`, with vars/main.yml merged over them.
      vars: { web_user: 'from-vars-main', entry_only: 1, web_vars_only: true },
      params: { http_port: 8080 },
      // The entry's params, vars (as written, not merged with vars/main.yml) and keywords.
      dedupKey: expectedKey(
        path.join(ROLES, 'web'),
        { http_port: 8080 },
        { entry_only: 1, web_user: 'from-entry' },
        { become: true, tags: ['webtag'], when: 'deploy_web' }
      )
    })
    // Every task of one use shares that use's RoleRef.
    expect(named(tasks, 'web second').role).toBe(web)
    expect(path.isAbsolute(web!.path)).toBe(true)
    // Role vars and params are not task vars; tasks outside the role have no role.
    expect(named(tasks, 'web first').vars).toEqual({})
    expect(named(tasks, 'play task').role).toBeUndefined()
    expect(named(tasks, 'pre task').role).toBeUndefined()
  })

  it("hands the entry's when, tags and become down to every role task", () => {
    const tasks = written(play('site.yml').tasks)
    const first = named(tasks, 'web first')
    const second = named(tasks, 'web second')
    // The entry's `when` comes first, then the task's own.
    expect(first.when).toEqual(['deploy_web', 'web_own'])
    expect(second.when).toEqual(['deploy_web'])
    expect(sorted(first.tags)).toEqual(['own', 'webtag'])
    expect(second.tags).toEqual(['webtag'])
    expect(first.become).toEqual({ become: true })
    expect(second.become).toEqual({ become: true })
    // Nothing leaks onto the other role or the play's tasks.
    for (const other of ['common task', 'play task']) {
      expect(named(tasks, other).when).toEqual([])
      expect(named(tasks, other).tags).toEqual([])
      expect(named(tasks, other).become).toBeUndefined()
    }
  })

  it('locates role tasks in their own files', () => {
    const tasks = written(play('site.yml').tasks)
    expect(named(tasks, 'web second').location).toEqual({
      file: path.join('roles', 'web', 'tasks', 'main.yml'),
      line: 5
    })
    // Their directory is the absolute directory of that file.
    expect(named(tasks, 'web second').dir).toBe(path.join(ROLES, 'web', 'tasks'))
    expect(named(tasks, 'play task').dir).toBe(FIXTURES)
  })

  it('accepts `name:` in place of `role:`, the other keys being params', () => {
    const p = inline('- hosts: all\n  roles:\n    - name: common\n      flavour: b\n')
    const [task] = written(p.tasks)
    expect(task!.name).toBe('common task')
    expect(task!.role?.params).toEqual({ flavour: 'b' })
  })

  it('adds a `roles:` entry given as a path under the name as written, as Ansible shows it', () => {
    const p = inline('- hosts: all\n  roles:\n    - roles/common\n')
    const [task] = written(p.tasks)
    expect(task!.role?.name).toBe('roles/common')
    expect(task!.role?.path).toBe(path.join(ROLES, 'common'))
  })

  it('lists every use of the public roles (roles: and their dependencies) on the play', () => {
    const p = play('site.yml')
    const roles = p.roles ?? []
    // common twice: listed under roles:, then as web's dependency (listed before web, which loads it first).
    expect(roles.map((r) => r.name)).toEqual(['common', 'common', 'web'])
    // The very RoleRefs the tasks carry, in load order.
    const tasks = written(p.tasks)
    const ofTasks = [...rolesOf(tasks, 'common task'), named(tasks, 'web first').role!]
    expect(ofTasks).toHaveLength(3)
    ofTasks.forEach((ref, i) => expect(roles[i]).toBe(ref))
    expect(mergeRoleVars(roles, 'defaults')).toEqual({
      common_default: 1,
      web_port: 80,
      web_user: 'default-user'
    })
    // A play without roles has none.
    expect(inline('- hosts: all\n  tasks: []\n').roles ?? []).toEqual([])
  })
})

describe('role dependencies and deduplication', () => {
  it("runs meta dependencies before the role's own tasks", () => {
    const p = inline('- hosts: all\n  roles:\n    - web\n')
    expect(written(p.tasks).map((t) => [t.name, t.role?.name])).toEqual([
      ['common task', 'common'],
      ['web first', 'web'],
      ['web second', 'web']
    ])
    expect((p.roles ?? []).map((r) => r.name)).toEqual(['common', 'web'])
  })

  it("hands the dependent role's when and tags down to its dependencies", () => {
    const p = inline('- hosts: all\n  roles:\n    - { role: web, when: w, tags: t }\n')
    const [common] = written(p.tasks)
    expect(common!.role?.name).toBe('common')
    expect(common!.when).toEqual(['w'])
    expect(common!.tags).toEqual(['t'])
    // The dependency keeps its own (empty) params and vars.
    expect(common!.role?.params).toEqual({})
  })

  it('loads a dependency already listed under roles: again, as a separate use with the same dedupKey', () => {
    const tasks = written(play('site.yml').tasks)
    const [listed, dependency] = rolesOf(tasks, 'common task')
    expect(rolesOf(tasks, 'common task')).toHaveLength(2)
    expect(dependency).not.toBe(listed)
    // The dependency's own entry (`- common`) has no params, vars or keywords, like the listed one: the
    // keywords it inherits from web do not count, so the runner runs it once per host.
    expect(listed!.dedupKey).toBeDefined()
    expect(dependency!.dedupKey).toBe(listed!.dedupKey)
    expect(tasks.filter((t) => t.name === 'common task').map((t) => t.when)).toEqual([
      [],
      ['deploy_web']
    ])
    // web itself has another key.
    expect(named(tasks, 'web first').role!.dedupKey).not.toBe(listed!.dedupKey)
  })

  it('loads a repeated role each time, with the same dedupKey only for the same params and vars', () => {
    const tasks = written(play('dedup.yml').tasks)
    const common = tasks.filter((t) => t.role?.name === 'common').map((t) => t.role!)
    expect(common.map((r) => [r.params, r.vars])).toEqual([
      [{}, {}],
      [{}, {}],
      [{ flavour: 'a' }, {}],
      [{ flavour: 'a' }, {}],
      [{ flavour: 'b' }, {}],
      [{}, { v: 1 }]
    ])
    // Each use is its own RoleRef.
    expect(new Set(common).size).toBe(6)
    const keys = common.map((r) => r.dedupKey)
    for (const key of keys) expect(typeof key).toBe('string')
    // Same params and vars: same key; other params (a, b) or other vars: other keys.
    expect(keys[1]).toBe(keys[0])
    expect(keys[3]).toBe(keys[2])
    expect(new Set([keys[0], keys[2], keys[4], keys[5]]).size).toBe(4)
    expect(keys[5]).toBe(expectedKey(path.join(ROLES, 'common'), {}, { v: 1 }, {}))
  })

  it('gives a use with other when or tags another dedupKey', () => {
    const p = inline(
      '- hosts: all\n  roles:\n    - common\n    - { role: common, when: a }\n' +
        '    - { role: common, when: b }\n    - { role: common, tags: x }\n    - { role: common, when: a }\n'
    )
    const keys = rolesOf(written(p.tasks), 'common task').map((r) => r.dedupKey)
    expect(keys).toHaveLength(5)
    for (const key of keys) expect(typeof key).toBe('string')
    expect(new Set(keys.slice(0, 4)).size).toBe(4)
    // The same `when` again: the same key.
    expect(keys[4]).toBe(keys[1])
  })

  it('gives a role with allow_duplicates no dedupKey, so each use runs', () => {
    const tasks = written(play('dedup.yml').tasks)
    const dup = rolesOf(tasks, 'dup task')
    expect(dup).toHaveLength(2)
    expect(dup[1]).not.toBe(dup[0])
    expect(dup.map((r) => r.dedupKey)).toEqual([undefined, undefined])
    expect(dup.map((r) => 'dedupKey' in r)).toEqual([false, false])
  })

  it('adds the handlers of a role once per distinct use: uses that run once per host share them', () => {
    const p = play('dedup.yml')
    const handlers = p.handlers
    const uses = written(p.tasks)
      .filter((t) => t.role?.name === 'common')
      .map((t) => t.role!)
    expect(uses).toHaveLength(6)
    // common is used six times with four dedup keys (dup has no handlers): the first use of each key
    // brings the handlers.
    expect(handlers.map((h) => h.name)).toEqual(Array(4).fill('common handler'))
    expect(handlers.map((h) => h.role)).toEqual([uses[0], uses[2], uses[4], uses[5]])
    expect(new Set(handlers.map((h) => h.role!.dedupKey)).size).toBe(4)
  })

  it("puts a role's dependencies' defaults under its own, their vars under the entry's and vars/main.yml", () => {
    const p = inline(
      '- hosts: all\n  roles:\n    - role: layered\n' +
        '      vars: { entry_var: from-entry, shared_var: from-entry }\n'
    )
    const tasks = written(p.tasks)
    expect(tasks.map((t) => [t.name, t.role?.name])).toEqual([
      ['base task', 'base'],
      ['layered task', 'layered']
    ])
    const layered = named(tasks, 'layered task').role!
    expect(layered.defaults).toEqual({ shared_default: 'from-layered', base_default: 1 })
    expect(layered.vars).toEqual({
      base_var: 1,
      // The entry's vars over the dependency's.
      entry_var: 'from-entry',
      // vars/main.yml over both.
      shared_var: 'from-layered'
    })
    // The dependency keeps only its own.
    const base = named(tasks, 'base task').role!
    expect(base.defaults).toEqual({ shared_default: 'from-base', base_default: 1 })
    expect(base.vars).toEqual({ shared_var: 'from-base', entry_var: 'from-base', base_var: 1 })
  })
})

describe('role handlers', () => {
  it("puts role handlers before the play's own, each carrying its role", () => {
    const p = play('site.yml')
    const handlers = p.handlers
    expect(handlers.map((h) => [h.name, h.role?.name])).toEqual([
      // common's, once: web's dependency on common is the same use as the listed common.
      ['common handler', 'common'],
      ['restart web', 'web'],
      ['restart web', undefined],
      ['log restart', undefined]
    ])
    expect(handlers[1]!.location.file).toBe(path.join('roles', 'web', 'handlers', 'main.yml'))
    const listedCommon = written(p.tasks).find((t) => t.role?.name === 'common')!.role
    expect(handlers[0]!.role).toBe(listedCommon)
  })

  it("gives each handler its use's keywords (the first use's for a shared one)", () => {
    const handlers = play('site.yml').handlers
    const [listedCommon, webRestart, playRestart] = handlers
    expect(webRestart!.when).toEqual(['deploy_web'])
    expect(webRestart!.tags).toEqual(['webtag'])
    expect(webRestart!.become).toEqual({ become: true })
    // common's handler comes from the listed use, without web's keywords.
    for (const handler of [listedCommon!, playRestart!]) {
      expect(handler.when).toEqual([])
      expect(handler.tags).toEqual([])
      expect(handler.become).toBeUndefined()
    }
  })

  it("gives an imported role's handlers the block's and import's keywords, but not the block frames", () => {
    const p = inline(
      '- hosts: all\n  tasks:\n    - block:\n        - import_role: { name: common }\n' +
        '          when: inner\n          tags: t\n' +
        '      when: outer\n      vars: { bv: 1 }\n      become: true\n'
    )
    const [task] = written(p.tasks)
    expect(task!.blocks).toHaveLength(1)
    const [handler, ...rest] = p.handlers
    expect(rest).toEqual([])
    expect(handler!.name).toBe('common handler')
    expect(handler!.role).toBe(task!.role)
    expect(handler!.when).toEqual(['outer', 'inner'])
    expect(handler!.tags).toEqual(['t'])
    expect(handler!.vars).toEqual({ bv: 1 })
    expect(handler!.become).toEqual({ become: true })
    expect(handler!.blocks).toBeUndefined()
  })
})

describe('handler order across roles: and import_role', () => {
  it("puts an imported role's handlers after the play's own, so a shared name finds the imported one", () => {
    const p = inline(
      '- hosts: all\n  roles: [common]\n  handlers:\n    - name: restart web\n      debug: msg=play\n' +
        '  tasks:\n    - import_role: { name: web }\n'
    )
    expect(p.handlers.map((h) => [h.name, h.role?.name])).toEqual([
      ['common handler', 'common'],
      ['restart web', undefined],
      // web's dependency on common is the same use as the listed common: its handler is not added again.
      ['restart web', 'web']
    ])
    const [picked] = matchHandlers(p.handlers, 'restart web')
    expect(picked!.role?.name).toBe('web')
  })
})

describe('matchHandlers', () => {
  const handlers = play('site.yml').handlers
  // common's handler (shared by the listed common and web's dependency), web's, then the play's two.
  const [commonHandler, roleRestart, playRestart, logRestart] = handlers

  it('picks the last handler of that name, plus every handler listening to it', () => {
    expect(handlers).toHaveLength(4)
    const matched = matchHandlers(handlers, 'restart web')
    expect(matched).toEqual([playRestart, logRestart])
    expect(matched[0]).toBe(playRestart)
    expect(matched[1]).toBe(logRestart)
  })

  it('finds a role handler by `role : name` and by its plain name, the last copy of a repeated role', () => {
    const web = matchHandlers(handlers, 'web : restart web')
    expect(web).toHaveLength(1)
    expect(web[0]).toBe(roleRestart)
    for (const name of ['common handler', 'common : common handler']) {
      const matched = matchHandlers(handlers, name)
      expect(matched).toHaveLength(1)
      expect(matched[0]).toBe(commonHandler)
    }
    // A role used with other parameters or vars has its own copy: the last one answers.
    const copies = play('dedup.yml').handlers
    const [last] = matchHandlers(copies, 'common : common handler')
    expect(last).toBe(copies.at(-1))
    expect(last!.role!.vars).toEqual({ v: 1 })
  })

  it('does not take `role : name` for a play handler, and finds nothing for an unknown name', () => {
    expect(matchHandlers(handlers, 'web : log restart')).toEqual([])
    expect(matchHandlers(handlers, 'nope')).toEqual([])
  })

  it('among play handlers with the same name, picks the first, as Ansible 2.14 does', () => {
    const p = inline(
      '- hosts: all\n  tasks: []\n  handlers:\n' +
        '    - name: h\n      debug: msg=one\n' +
        '    - name: h\n      debug: msg=two\n'
    )
    const matched = matchHandlers(p.handlers, 'h')
    expect(matched).toHaveLength(1)
    expect(matched[0]).toBe(p.handlers[0])
  })

  it('picks the first of the last block of handlers that has the name', () => {
    const p = inline(
      '- hosts: all\n  tasks: []\n  handlers:\n' +
        '    - name: h\n      debug: msg=bare\n' +
        '    - block:\n' +
        '        - name: h\n          debug: msg=in-block-1\n' +
        '        - name: h\n          debug: msg=in-block-2\n' +
        '    - name: other\n      debug: msg=other\n'
    )
    const matched = matchHandlers(p.handlers, 'h')
    expect(matched).toHaveLength(1)
    expect(matched[0]!.args).toEqual({ msg: 'in-block-1' })
    // A later run of bare handlers is a block of its own: a name there wins over the block's.
    const later = inline(
      '- hosts: all\n  tasks: []\n  handlers:\n' +
        '    - block:\n        - name: h\n          debug: msg=in-block\n' +
        '    - name: h\n      debug: msg=after\n'
    )
    expect(matchHandlers(later.handlers, 'h')[0]!.args).toEqual({ msg: 'after' })
  })
})

describe('import_role', () => {
  it('inlines the role (its dependencies first) where it stands, with the *_from files', () => {
    const p = play('import.yml')
    const tasks = written(p.tasks)
    expect(tasks.map((t) => [t.name, t.role?.name])).toEqual([
      ['before', undefined],
      ['common task', 'common'],
      ['web other', 'web'],
      ['after', undefined]
    ])
    const web = named(tasks, 'web other').role!
    // defaults_from's file over the dependency's (common's) defaults.
    expect(web.defaults).toEqual({ common_default: 1, web_port: 81 })
    expect(web.vars).toEqual({ web_alt: true })
    // An imported use is not deduplicated.
    expect(web.dedupKey).toBeUndefined()
    expect(named(tasks, 'web other').location.file).toBe(
      path.join('roles', 'web', 'tasks', 'other.yml')
    )
    // handlers_from: the alternative file instead of handlers/main.yml.
    expect(p.handlers.map((h) => [h.name, h.role?.name])).toEqual([
      ['common handler', 'common'],
      ['alt handler', 'web']
    ])
    // An imported role is public.
    expect((p.roles ?? []).map((r) => r.name)).toEqual(['common', 'web'])
  })

  it("hands the entry's keywords down to every task like a block, and to nothing else", () => {
    const tasks = written(play('import.yml').tasks)
    for (const name of ['common task', 'web other']) {
      expect(named(tasks, name).when).toEqual(['imported_when'])
      expect(named(tasks, name).tags).toEqual(['imp'])
      expect(named(tasks, name).blocks).toBeUndefined()
    }
    expect(named(tasks, 'after').when).toEqual([])
    expect(named(tasks, 'after').tags).toEqual([])
  })

  it("inherits the enclosing block's keywords", () => {
    const p = inline(
      '- hosts: all\n  tasks:\n    - block:\n        - import_role: { name: common }\n      when: outer\n'
    )
    const [task] = written(p.tasks)
    expect(task!.when).toEqual(['outer'])
    expect(task!.blocks).toHaveLength(1)
  })

  it('imports a role again each time (no deduplication)', () => {
    const p = inline(
      '- hosts: all\n  tasks:\n    - import_role: { name: common }\n    - import_role: { name: common }\n'
    )
    const tasks = written(p.tasks)
    expect(tasks.map((t) => t.name)).toEqual(['common task', 'common task'])
    expect(tasks[1]!.role).not.toBe(tasks[0]!.role)
    expect(tasks.map((t) => t.role?.dedupKey)).toEqual([undefined, undefined])
    // The same role under roles: does get a key.
    const listed = inline('- hosts: all\n  roles:\n    - common\n')
    expect(written(listed.tasks)[0]!.role?.dedupKey).toBe(
      expectedKey(path.join(ROLES, 'common'), {}, {}, {})
    )
  })

  it('refuses an unknown argument, suggesting the right one', () => {
    const error = loadError(() =>
      inline(
        '- hosts: all\n  tasks:\n    - import_role:\n        name: web\n        task_from: other\n'
      )
    )
    expect(error.message).toContain("'task_from' is not a valid argument of import_role")
    expect(error.message).toContain("did you mean 'tasks_from'?")
    expect(error.location).toEqual({ file: 'p.yml', line: 3 })
  })

  it.each([
    ['import_role', 'tasks_from', '[{}]', 'a list'],
    ['import_role', 'vars_from', '{a: 1}', 'a mapping'],
    ['include_role', 'tasks_from', '5', 'the number 5'],
    ['include_role', 'defaults_from', '~', 'nothing'],
    ['include_role', 'handlers_from', 'true', 'the boolean true']
  ])('%s refuses a %s that is not text (%s), as Ansible does', (keyword, key, value, found) => {
    const error = loadError(() =>
      inline(
        `- hosts: all\n  tasks:\n    - ${keyword}:\n        name: web\n        ${key}: ${value}\n`
      )
    )
    expect(error.message).toContain(`Expected a string for ${key} but got ${found}`)
    expect(error.message).not.toContain('[object')
    expect(error.location).toEqual({ file: 'p.yml', line: 3 })
  })

  it('refuses a templated role name', () => {
    const error = loadError(() =>
      inline('- hosts: all\n  tasks:\n    - import_role:\n        name: "{{ which }}"\n')
    )
    expect(error.message).toContain('include_role')
    expect(error.location).toEqual({ file: 'p.yml', line: 3 })
  })

  it('names the file and line when tasks_from does not exist', () => {
    const error = loadError(() =>
      inline(
        '# header\n- hosts: all\n  tasks:\n    - name: ok\n      debug: msg=ok\n' +
          '    - import_role:\n        name: web\n        tasks_from: nope\n'
      )
    )
    expect(error.message).toContain("'nope'")
    expect(error.message).toContain(path.join(ROLES, 'web', 'tasks'))
    expect(error.location).toEqual({ file: 'p.yml', line: 6 })
  })
})

describe('include_tasks and include_role at load time', () => {
  it('loads each include as one task carrying `include`, with its own vars', () => {
    const p = play('include.yml')
    const tasks = written(p.tasks)
    expect(tasks.map((t) => [t.name, t.module, t.include?.kind])).toEqual([
      ['include_tasks', 'include_tasks', 'tasks'],
      ['include_role : web', 'include_role', 'role'],
      ['named include', 'include_role', 'role'],
      ['include_role : incl', 'include_role', 'role']
    ])
    const [tasksInclude, roleInclude] = tasks
    expect(tasksInclude!.include!.vars).toEqual({ inc_var: 1 })
    expect(tasksInclude!.include!.dir).toBe(FIXTURES)
    expect(roleInclude!.include!.vars).toEqual({})
    // The include task itself has its own and its block's keywords.
    expect(tasksInclude!.when).toEqual(['block_when', 'include_when'])
    expect(sorted(tasksInclude!.tags)).toEqual(['blocktag', 'inc'])
    // A dynamically included role is not public: the play lists no role.
    expect(p.roles ?? []).toEqual([])
  })

  it('refuses include_role and import_role under handlers, at the entry, as Ansible does', () => {
    for (const include of ['include_role: { name: common }', 'import_role: { name: common }']) {
      const error = loadError(() =>
        inline(
          `- hosts: all\n  tasks: []\n  handlers:\n    - name: fine\n      debug: msg=x\n    - ${include}\n`
        )
      )
      expect(error.location).toEqual({ file: 'p.yml', line: 6 })
      expect(error.message).toMatch(/Using '(include|import)_role' as a handler is not supported/)
    }
  })

  it('takes include_tasks under handlers as a handler whose file brings in handlers', () => {
    const p = inline(
      `- hosts: all\n  tasks: []\n  handlers:\n    - name: more\n      include_tasks: tasks/inc.yml\n      listen: topic\n`
    )
    const [handler] = p.handlers
    expect(handler).toMatchObject({ name: 'more', module: 'include_tasks', listen: ['topic'] })
    const loaded = loadInclude(handler!.include!, handler!.args, handler!.location)
    // Loaded as handlers: tasks of a block in the file carry no block frames (no rescue/always there).
    expect(loaded.tasks.length).toBeGreaterThan(0)
    expect(loaded.tasks.every((t) => t.blocks === undefined)).toBe(true)
  })
})

describe('loadInclude', () => {
  const p = play('include.yml')

  it("loads include_tasks' file with the block's keywords but not the include's own", () => {
    const task = includeTask(p, 0)
    const loaded = loadInclude(task.include!, task.args, task.location)
    expect(loaded.file).toBe(path.join(FIXTURES, 'tasks', 'inc.yml'))
    expect(loaded.handlers).toEqual([])
    expect(loaded.role).toBeUndefined()
    const [one, nested, top] = loaded.tasks
    expect(one!.name).toBe('included one')
    expect(one!.when).toEqual(['block_when', 'own_when'])
    expect(one!.tags).toEqual(['blocktag'])
    expect(one!.vars).toEqual({})
    expect(one!.location).toEqual({ file: path.join('tasks', 'inc.yml'), line: 1 })
    expect(one!.blocks).toHaveLength(1)
    // Includes nested in the included file stay includes, to be loaded in turn.
    expect(nested!.include?.kind).toBe('tasks')
    expect(top!.include?.kind).toBe('tasks')
  })

  it('resolves a nested include relative to the including file, else to the playbook directory', () => {
    const first = includeTask(p, 0)
    const [, nested, top] = loadInclude(first.include!, first.args, first.location).tasks
    const deeper = loadInclude(nested!.include!, nested!.args, nested!.location)
    expect(deeper.file).toBe(path.join(FIXTURES, 'tasks', 'nested', 'deeper.yml'))
    expect(deeper.tasks.map((t) => t.name)).toEqual(['deeper'])
    // top.yml is not under tasks/: found next to the playbook.
    const fallback = loadInclude(top!.include!, top!.args, top!.location)
    expect(fallback.file).toBe(path.join(FIXTURES, 'top.yml'))
    expect(fallback.tasks.map((t) => t.name)).toEqual(['top-level task'])
  })

  it('takes the file name from the rendered arguments (`file:` or the free-form one)', () => {
    const task = includeTask(p, 0)
    const loaded = loadInclude(task.include!, { file: 'top.yml' }, task.location)
    expect(loaded.file).toBe(path.join(FIXTURES, 'top.yml'))
  })

  it('throws a PlaybookError at the include for a missing file', () => {
    const task = includeTask(p, 0)
    const error = loadError(() =>
      loadInclude(task.include!, { _raw_params: 'tasks/nope.yml' }, task.location)
    )
    expect(error.message).toContain('tasks/nope.yml')
    expect(error.location).toEqual(task.location)
  })

  it('loads include_role: its dependencies and tasks, its handlers with their role, and the role', () => {
    const task = includeTask(p, 1)
    const loaded = loadInclude(task.include!, task.args, task.location)
    expect(loaded.file).toBe(path.join(ROLES, 'web', 'tasks', 'main.yml'))
    expect(loaded.tasks.map((t) => [t.name, t.role?.name])).toEqual([
      ['common task', 'common'],
      ['web first', 'web'],
      ['web second', 'web']
    ])
    expect(loaded.handlers.map((h) => [h.name, h.role?.name])).toEqual([
      ['common handler', 'common'],
      ['restart web', 'web']
    ])
  })

  it('returns the role the include names as `role`, not its first dependency', () => {
    const task = includeTask(p, 1)
    const loaded = loadInclude(task.include!, task.args, task.location)
    expect(loaded.role?.name).toBe('web')
    expect(loaded.role?.path).toBe(path.join(ROLES, 'web'))
    // Its own defaults over its dependency's.
    expect(loaded.role?.defaults).toEqual({
      common_default: 1,
      web_port: 80,
      web_user: 'default-user'
    })
    // An included use is not deduplicated.
    expect(loaded.role?.dedupKey).toBeUndefined()
    expect(named(loaded.tasks, 'web first').role).toBe(loaded.role)
  })

  it("gives include_role's tasks the block's and apply's keywords, not the include's own", () => {
    const task = includeTask(p, 1)
    const loaded = loadInclude(task.include!, task.args, task.location)
    const first = named(loaded.tasks, 'web first')
    expect(first.when).toEqual(['block_when', 'apply_when', 'web_own'])
    expect(sorted(first.tags)).toEqual(['applied', 'blocktag', 'own'])
    // Without apply, only the role's own keywords.
    const plain = includeTask(p, 2)
    const common = loadInclude(plain.include!, plain.args, plain.location)
    expect(common.tasks.map((t) => [t.name, t.when, t.tags])).toEqual([['common task', [], []]])
    expect(common.role?.name).toBe('common')
  })

  it("resolves include_tasks inside a role relative to the role's tasks/, its tasks keeping the role", () => {
    const task = includeTask(p, 3)
    const role = loadInclude(task.include!, task.args, task.location)
    expect(role.role?.name).toBe('incl')
    const [inner] = role.tasks
    expect(inner!.include?.kind).toBe('tasks')
    const sub = loadInclude(inner!.include!, inner!.args, inner!.location)
    expect(sub.file).toBe(path.join(ROLES, 'incl', 'tasks', 'sub.yml'))
    expect(sub.tasks.map((t) => [t.name, t.role?.name])).toEqual([['incl sub task', 'incl']])
  })

  it('refuses a missing role at run time as a PlaybookError', () => {
    const task = includeTask(p, 2)
    const error = loadError(() => loadInclude(task.include!, { name: 'nope' }, task.location))
    expect(error.message).toContain("the role 'nope' was not found in")
    expect(error.location).toEqual(task.location)
  })
})

describe('role errors', () => {
  afterEach(() => {
    vi.unstubAllEnvs()
  })

  it("looks in the run's roles path (its settings), never in the process environment", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'apb-roles-path-'))
    try {
      mkdirSync(path.join(dir, 'elsewhere', 'tasks'), { recursive: true })
      writeFileSync(path.join(dir, 'elsewhere', 'tasks', 'main.yml'), '- debug: msg=found\n')
      const text = '- hosts: all\n  roles:\n    - elsewhere\n'
      // The environment is read once, into the settings (ansible-env.ts): the loader does not see it.
      vi.stubEnv('ANSIBLE_ROLES_PATH', dir)
      expect(
        loadError(() => parsePlaybookText(text, 'p.yml', FIXTURES, MODULE_CATALOG)).message
      ).toContain("the role 'elsewhere' was not found in")
      const settings = parseCli(
        ['p.yml'],
        { HOME: dir, ANSIBLE_ROLES_PATH: dir },
        false,
        dir
      ).settings!
      expect(settings.rolesPath).toEqual([dir])
      const loaded = parsePlaybookText(text, 'p.yml', FIXTURES, MODULE_CATALOG, {
        rolesPath: settings.rolesPath!
      }).plays[0]!
      expect(written(loaded.tasks).map((t) => t.role?.path)).toEqual([path.join(dir, 'elsewhere')])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('names the role, the directories searched, and the line of a missing role', () => {
    const error = loadError(() =>
      parsePlaybookText(
        '# header\n- hosts: all\n  roles:\n    - common\n    - nope\n',
        'p.yml',
        FIXTURES,
        MODULE_CATALOG,
        { rolesPath: ['/nonexistent-a', '/nonexistent-b'] }
      )
    )
    expect(error.message).toContain("the role 'nope' was not found in")
    expect(error.message).toContain(
      [path.join(FIXTURES, 'roles'), '/nonexistent-a', '/nonexistent-b', FIXTURES].join(':')
    )
    // The entry's line, or (a plain string having no position of its own) the `roles:` line.
    expect(error.location?.file).toBe('p.yml')
    expect([3, 5]).toContain(error.location?.line)
  })

  it('refuses `roles:` that is not a list, at the play', () => {
    const error = loadError(() => inline('# header\n\n- hosts: all\n  roles: web\n'))
    expect(error.message).toContain("'roles' must be a list")
    // The play's line or the `roles:` line, not the comment at the top of the file.
    expect(error.location?.file).toBe('p.yml')
    expect([3, 4]).toContain(error.location?.line)
  })

  it('refuses a roles entry without a role name, at the entry', () => {
    const error = loadError(() =>
      inline('- hosts: all\n  roles:\n    - common\n    - vars: { a: 1 }\n      tags: x\n')
    )
    expect(error.message).toContain('a role must be given as a name')
    expect(error.location).toEqual({ file: 'p.yml', line: 4 })
    const number = loadError(() => inline('- hosts: all\n  roles:\n    - 42\n'))
    expect(number.message).toContain('a role must be given as a name')
    expect(number.location?.file).toBe('p.yml')
  })

  it('refuses an Ansible keyword such as `port` on a role entry, at the entry', () => {
    const error = loadError(() =>
      inline('- hosts: all\n  roles:\n    - common\n    - role: web\n      port: 8080\n')
    )
    expect(error.message).toContain("'port' on a role is an Ansible keyword, not a role parameter")
    expect(error.location).toEqual({ file: 'p.yml', line: 4 })
    // Under the entry's vars: it is a variable, and loads.
    const p = inline('- hosts: all\n  roles:\n    - role: web\n      vars: { port: 8080 }\n')
    expect(named(written(p.tasks), 'web first').role?.vars['port']).toBe(8080)
  })

  it('refuses a role that depends on itself as a recursion, at the dependency', () => {
    const error = loadError(() => inline('- hosts: all\n  roles:\n    - selfdep\n'))
    expect(error.message).toContain('recursion')
    expect(error.message).toContain('selfdep')
    expect(error.location).toEqual({
      file: path.join('roles', 'selfdep', 'meta', 'main.yml'),
      line: 3
    })
  })

  it('refuses a role whose tasks import the role itself as a recursion, at the import', () => {
    for (const text of [
      '- hosts: all\n  roles:\n    - selfimport\n',
      '- hosts: all\n  tasks:\n    - import_role: { name: selfimport }\n'
    ]) {
      const error = loadError(() => inline(text))
      expect(error.message).toContain('recursion')
      expect(error.message).toContain('selfimport')
      expect(error.location).toEqual({
        file: path.join('roles', 'selfimport', 'tasks', 'main.yml'),
        line: 4
      })
    }
  })

  it('finds a dependency next to the role that declares it, before the playbook directory', () => {
    // No configured roles path may hold a `b` of its own.
    const roles = { rolesPath: ['/nonexistent-a'] }
    const p = loadPlaybook(path.join('near', 'play', 'site.yml'), MODULE_CATALOG, FIXTURES, roles)
      .plays[0]!
    const tasks = written(p.tasks)
    // near/play/b (next to the playbook) is not taken: near/shared/b, next to a, is.
    expect(tasks.map((t) => [t.name, t.role?.path])).toEqual([
      ['b next to a', path.join(FIXTURES, 'near', 'shared', 'b')],
      ['a task', path.join(FIXTURES, 'near', 'shared', 'a')]
    ])
    // Without the parent role, `b` resolves as before: to the playbook's directory.
    const direct = loadPlaybook(
      '- hosts: all\n  roles:\n    - b\n',
      MODULE_CATALOG,
      path.join(FIXTURES, 'near', 'play'),
      roles
    ).plays[0]!
    expect(written(direct.tasks).map((t) => t.role?.path)).toEqual([
      path.join(FIXTURES, 'near', 'play', 'b')
    ])
  })
})

describe('variables of a role task', () => {
  const ROLE: RoleRef = {
    name: 'web',
    path: '/roles/web',
    defaults: { inv: 'default', only_default: 'default', mine: 'own default' },
    vars: { vf: 'role vars', rv: 'role vars', reg: 'role vars' },
    params: { reg: 'param', p: 'param', pv: 'param' }
  }
  const PLAY: PlayContext = {
    playVars: { vf: 'play' },
    varsFilesVars: { vf: 'vars_files' },
    roleDefaults: { mine: 'other role default', other_default: 'other' },
    playHosts: ['h'],
    playBatch: ['h'],
    playbookDir: '/pb'
  }

  function manager(extraVars: Record<string, unknown> = {}): VariableManager {
    const inventory = loadInventory(['[g]\nh inv=inventory\n'])
    const vars = new VariableManager(inventory, new Templar(), extraVars)
    vars.hostMemory('h').registered['reg'] = 'registered'
    vars.hostMemory('h').registered['pv'] = 'registered'
    return vars
  }

  it("puts role defaults lowest, below inventory, the task's role's own over other roles'", () => {
    const scope = manager().scope('h', PLAY, { vars: {}, role: ROLE })
    expect(scope['inv']).toBe('inventory')
    expect(scope['only_default']).toBe('default')
    expect(scope['mine']).toBe('own default')
    expect(scope['other_default']).toBe('other')
  })

  it('puts role vars above vars_files and below task vars', () => {
    const vars = manager()
    expect(vars.scope('h', PLAY, { vars: {}, role: ROLE })['vf']).toBe('role vars')
    expect(vars.scope('h', PLAY, { vars: { vf: 'task' }, role: ROLE })['vf']).toBe('task')
    // Without the role, vars_files win.
    expect(vars.scope('h', PLAY, { vars: {} })['vf']).toBe('vars_files')
  })

  it('puts role params above registered values, include params above them, extra vars above all', () => {
    const vars = manager()
    const params = { vars: { pv: 'include vars', p: 'include vars' }, loop: { p: 'loop' } }
    expect(vars.scope('h', PLAY, { vars: {}, role: ROLE })['reg']).toBe('param')
    const scope = vars.scope('h', PLAY, { vars: {}, role: ROLE, params })
    expect(scope['pv']).toBe('include vars')
    expect(scope['p']).toBe('loop')
    // Include params alone sit above registered values too.
    expect(vars.scope('h', PLAY, { vars: {}, params })['pv']).toBe('include vars')
    const extra = manager({ p: 'extra', pv: 'extra', vf: 'extra', inv: 'extra' })
    const top = extra.scope('h', PLAY, { vars: { vf: 'task' }, role: ROLE, params })
    expect([top['p'], top['pv'], top['vf'], top['inv']]).toEqual([
      'extra',
      'extra',
      'extra',
      'extra'
    ])
  })

  it('defines role_name and role_path for role tasks only', () => {
    const vars = manager()
    const scope = vars.scope('h', PLAY, { vars: {}, role: ROLE })
    expect(scope['role_name']).toBe('web')
    expect(scope['role_path']).toBe('/roles/web')
    const plain = vars.scope('h', PLAY, { vars: {} })
    expect('role_name' in plain).toBe(false)
    expect('role_path' in plain).toBe(false)
  })

  it('sees the defaults and vars of every public role of a loaded play', () => {
    const roles = play('site.yml').roles ?? []
    const context: PlayContext = {
      playVars: {},
      roleDefaults: mergeRoleVars(roles, 'defaults'),
      roleExports: mergeRoleVars(roles, 'vars'),
      playHosts: ['h'],
      playBatch: ['h'],
      playbookDir: FIXTURES
    }
    const scope = manager().scope('h', context, { vars: {} })
    expect(scope['web_port']).toBe(80)
    expect(scope['common_default']).toBe(1)
    expect(scope['web_user']).toBe('from-vars-main')
    expect(scope['entry_only']).toBe(1)
  })
})

describe('reading files once per run', () => {
  it('parses an included file once, however many hosts and items load it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'apb-include-cache-'))
    try {
      writeFileSync(path.join(dir, 'inc.yml'), '- name: first version\n  debug: msg=1\n')
      const play = parsePlaybookText(
        '- hosts: all\n  tasks:\n    - include_tasks: inc.yml\n',
        path.join(dir, 'site.yml'),
        dir,
        MODULE_CATALOG
      ).plays[0]!
      const include = written(play.tasks)[0]!
      const load = (): string[] =>
        loadInclude(include.include!, { _raw_params: 'inc.yml' }, include.location).tasks.map(
          (t) => t.name
        )
      expect(load()).toEqual(['first version'])
      // The next host (or loop item) gets the file as it was parsed, not a fresh read.
      writeFileSync(path.join(dir, 'inc.yml'), '- name: second version\n  debug: msg=2\n')
      expect(load()).toEqual(['first version'])
      // Each load still gets tasks of its own (their blocks must not share failure state).
      const again = (): Task[] =>
        loadInclude(include.include!, { _raw_params: 'inc.yml' }, include.location).tasks
      expect(again()[0]).not.toBe(again()[0])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
