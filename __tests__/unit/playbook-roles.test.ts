// Roles (`roles:`, meta dependencies, import_role) and dynamic includes (include_tasks, include_role), over
// the files in __fixtures__/roles/; handler matching and the variable layers a role task sees.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { PlaybookError } from '../../src/errors.js'
import { matchHandlers } from '../../src/executor/playbook-runner.js'
import { mergeRoleVars, VariableManager, type PlayContext } from '../../src/executor/variables.js'
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
      'web first',
      'web second',
      'play task',
      '(flush)',
      'post task',
      '(flush)'
    ])
  })

  it('gives each role task its role: basename, absolute path, defaults, vars over entry vars, params', () => {
    const tasks = written(play('site.yml').tasks)
    const common = named(tasks, 'common task').role
    expect(common).toEqual({
      name: 'common',
      path: path.join(ROLES, 'common'),
      defaults: { common_default: 1 },
      vars: {},
      params: {}
    })
    const web = named(tasks, 'web first').role
    expect(web).toEqual({
      name: 'web',
      path: path.join(ROLES, 'web'),
      defaults: { web_port: 80, web_user: 'default-user' },
      // The entry's `vars:`, with vars/main.yml merged over them.
      vars: { web_user: 'from-vars-main', entry_only: 1, web_vars_only: true },
      params: { port: 8080 }
    })
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
  })

  it('accepts `name:` in place of `role:`, the other keys being params', () => {
    const p = inline('- hosts: all\n  roles:\n    - name: common\n      flavour: b\n')
    const [task] = written(p.tasks)
    expect(task!.name).toBe('common task')
    expect(task!.role?.params).toEqual({ flavour: 'b' })
  })

  it('adds a `roles:` entry given as a path under its basename', () => {
    const p = inline('- hosts: all\n  roles:\n    - roles/common\n')
    const [task] = written(p.tasks)
    expect(task!.role?.name).toBe('common')
    expect(task!.role?.path).toBe(path.join(ROLES, 'common'))
  })

  it('lists the public roles (roles: and their dependencies) on the play', () => {
    const roles = play('site.yml').roles ?? []
    expect(roles.map((r) => r.name)).toEqual(['common', 'web'])
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

  it('loads a dependency already listed under roles: only once', () => {
    const tasks = written(play('site.yml').tasks)
    expect(tasks.filter((t) => t.name === 'common task')).toHaveLength(1)
  })

  it('loads a role again only with other params or vars, or with allow_duplicates', () => {
    const tasks = written(play('dedup.yml').tasks)
    const common = tasks.filter((t) => t.role?.name === 'common').map((t) => t.role!)
    expect(common.map((r) => [r.params, r.vars])).toEqual([
      [{}, {}],
      [{ flavour: 'a' }, {}],
      [{ flavour: 'b' }, {}],
      [{}, { v: 1 }]
    ])
    expect(tasks.filter((t) => t.name === 'dup task')).toHaveLength(2)
  })

  it('loads the handlers of a role used twice only once', () => {
    const handlers = play('dedup.yml').handlers
    expect(handlers.map((h) => h.name)).toEqual(['common handler'])
  })
})

describe('role handlers', () => {
  it("puts role handlers before the play's own, each carrying its role", () => {
    const handlers = play('site.yml').handlers
    expect(handlers.map((h) => [h.name, h.role?.name])).toEqual([
      ['common handler', 'common'],
      ['restart web', 'web'],
      ['restart web', undefined],
      ['log restart', undefined]
    ])
    expect(handlers[1]!.location.file).toBe(path.join('roles', 'web', 'handlers', 'main.yml'))
  })
})

describe('matchHandlers', () => {
  const handlers = play('site.yml').handlers
  const [commonHandler, roleRestart, playRestart, logRestart] = handlers

  it('picks the last handler of that name, plus every handler listening to it', () => {
    expect(matchHandlers(handlers, 'restart web')).toEqual([playRestart, logRestart])
  })

  it('finds a role handler by `role : name` and by its plain name', () => {
    expect(matchHandlers(handlers, 'web : restart web')).toEqual([roleRestart])
    expect(matchHandlers(handlers, 'common handler')).toEqual([commonHandler])
    expect(matchHandlers(handlers, 'common : common handler')).toEqual([commonHandler])
  })

  it('does not take `role : name` for a play handler, and finds nothing for an unknown name', () => {
    expect(matchHandlers(handlers, 'web : log restart')).toEqual([])
    expect(matchHandlers(handlers, 'nope')).toEqual([])
  })

  it('among play handlers with the same name, keeps only the last', () => {
    const p = inline(
      '- hosts: all\n  tasks: []\n  handlers:\n' +
        '    - name: h\n      debug: msg=one\n' +
        '    - name: h\n      debug: msg=two\n'
    )
    const matched = matchHandlers(p.handlers, 'h')
    expect(matched).toHaveLength(1)
    expect(matched[0]).toBe(p.handlers[1])
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
    expect(web.defaults).toEqual({ web_port: 81 })
    expect(web.vars).toEqual({ web_alt: true })
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
    expect(written(p.tasks).map((t) => t.name)).toEqual(['common task', 'common task'])
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

  it('refuses include_tasks and include_role under handlers, at the entry', () => {
    for (const include of ['include_tasks: x.yml', 'include_role: { name: common }']) {
      const error = loadError(() =>
        inline(
          `- hosts: all\n  tasks: []\n  handlers:\n    - name: fine\n      debug: msg=x\n    - ${include}\n`
        )
      )
      expect(error.location).toEqual({ file: 'p.yml', line: 6 })
    }
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
    expect(loaded.role?.defaults).toEqual({ web_port: 80, web_user: 'default-user' })
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

  it('names the role, the directories searched, and the line of a missing role', () => {
    vi.stubEnv('ANSIBLE_ROLES_PATH', '/nonexistent-a:/nonexistent-b')
    const error = loadError(() =>
      inline('# header\n- hosts: all\n  roles:\n    - common\n    - nope\n')
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
