// Loading as ansible-playbook 2.14 loads: empty playbooks and host lists refused with Ansible's words, `vars:`
// as a list of mappings, YAML complex keys, `!unsafe`, the play keywords `user`, `order`, `no_log` and
// `strategy`, play tags and no_log reaching dynamic includes, and roles (parameters seen by dependencies,
// role names with a path, `defaults/main/` directories, import_role's allow_duplicates).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { PlaybookError } from '../../src/errors.js'
import { loadInventory } from '../../src/inventory/inventory.js'
import { MODULE_CATALOG } from '../../src/modules/registry.js'
import { loadInclude, parsePlaybookText } from '../../src/playbook/playbook-loader.js'
import type { Play, Task } from '../../src/playbook/types.js'
import { parseYaml } from '../../src/playbook/yaml-loader.js'
import { Templar } from '../../src/template/index.js'

let dir: string
/** A roles path that holds nothing: no role of the machine's default roles path is found. */
const noRolesPath = () => ({ rolesPath: [path.join(dir, 'no-such-roles-path')] })

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'apb-semantics-'))
  // No configured roles path may hold a role of the names used here.
})

afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

/** Writes files under the test directory (paths relative to it). */
function files(tree: Record<string, string>): void {
  for (const [name, text] of Object.entries(tree)) {
    const file = path.join(dir, name)
    mkdirSync(path.dirname(file), { recursive: true })
    writeFileSync(file, text)
  }
}

function load(text: string): Play[] {
  return parsePlaybookText(text, 'site.yml', dir, MODULE_CATALOG, noRolesPath()).plays
}

function onlyPlay(text: string): Play {
  const plays = load(text)
  expect(plays).toHaveLength(1)
  return plays[0]!
}

function written(play: Play): Task[] {
  return play.tasks.filter((t) => !t.implicit)
}

function named(tasks: Task[], name: string): Task {
  const task = tasks.find((t) => t.name === name)
  if (!task) throw new Error(`no task '${name}' in ${tasks.map((t) => t.name).join(', ')}`)
  return task
}

function loadError(text: string): PlaybookError {
  try {
    load(text)
  } catch (error) {
    expect(error).toBeInstanceOf(PlaybookError)
    return error as PlaybookError
  }
  throw new Error('expected a PlaybookError')
}

describe('empty playbooks and host lists (refused as ansible-playbook refuses them)', () => {
  it('refuses a playbook with no document, or with an empty list of plays', () => {
    for (const text of ['', '# only a comment\n', '---\n']) {
      expect(loadError(text).message).toContain('Empty playbook, nothing to do: site.yml')
    }
    expect(loadError('[]\n').message).toContain(
      'A playbook must contain at least one play: site.yml'
    )
  })

  it('refuses an imported playbook that is empty', () => {
    files({ 'empty.yml': '# nothing\n' })
    expect(loadError('- import_playbook: empty.yml\n').message).toContain(
      'Empty playbook, nothing to do: empty.yml'
    )
  })

  it('refuses a present but empty hosts, and a play without hosts', () => {
    for (const hosts of ['[]', "''", 'null', 'false', '0']) {
      const error = loadError(`- name: p\n  hosts: ${hosts}\n  tasks: []\n`)
      expect(error.message, hosts).toContain(
        'Hosts list cannot be empty. Please check your playbook'
      )
      expect(error.location).toEqual({ file: 'site.yml', line: 1 })
    }
    expect(loadError('- name: p\n  tasks: []\n').message).toContain(
      "the field 'hosts' is required but was not set"
    )
  })

  it('refuses host lists holding nothing or numbers, and hosts that are neither text nor a list', () => {
    expect(loadError('- hosts: [web, null]\n').message).toContain(
      "Hosts list cannot contain values of 'None'"
    )
    expect(loadError('- hosts: [web, 42]\n').message).toContain(
      "Hosts list contains an invalid host value: '42'"
    )
    expect(loadError('- hosts: 42\n').message).toContain('Hosts list must be a sequence or string')
    expect(loadError('- hosts: {a: 1}\n').message).toContain(
      'Hosts list must be a sequence or string'
    )
    // A templated pattern is checked when the play runs.
    expect(onlyPlay('- hosts: "{{ target }}"\n').hosts).toBe('{{ target }}')
  })
})

describe('vars given as a list of mappings', () => {
  it('merges a list of mappings, in order, on a play, a block, a task, a role and an import', () => {
    files({ 'roles/r/tasks/main.yml': '- name: role task\n  debug: msg=r\n' })
    const p = onlyPlay(`- hosts: all
  vars:
    - {a: 1, b: 1}
    - {b: 2}
  roles:
    - role: r
      vars: [{rv: 1}, {rv: 2}]
  tasks:
    - name: in a block
      block:
        - name: task
          debug: msg=x
          vars: [{t: 1}, {t: 2, u: 3}]
      vars: [{bv: 1}]
    - import_role:
        name: r
      vars: [{iv: 1}, {iv: 2}]
`)
    expect(p.vars).toEqual({ a: 1, b: 2 })
    const tasks = written(p)
    expect(named(tasks, 'task').vars).toEqual({ bv: 1, t: 2, u: 3 })
    const [listed, imported] = tasks.filter((t) => t.name === 'role task')
    expect(listed!.role!.vars).toEqual({ rv: 2 })
    expect(imported!.role!.vars).toEqual({ iv: 2 })
    // An empty list is no vars at all.
    expect(onlyPlay('- hosts: all\n  vars: []\n').vars).toEqual({})
  })

  it("refuses anything else with Ansible's message, and names that are not variable names", () => {
    expect(loadError('- hosts: all\n  vars: [{a: 1}, 3]\n').message).toContain(
      'Vars in a Play must be specified as a dictionary, or a list of dictionaries'
    )
    expect(loadError('- hosts: all\n  vars: 3\n').message).toContain(
      'Vars in a Play must be specified as a dictionary, or a list of dictionaries'
    )
    expect(
      loadError('- hosts: all\n  tasks:\n    - debug: msg=x\n      vars: [a]\n').message
    ).toContain('Vars in a Task must be specified as a dictionary, or a list of dictionaries')
    for (const name of ['a-b', 'class', 'None', '1x', 'é']) {
      expect(loadError(`- hosts: all\n  vars: {"${name}": 1}\n`).message, name).toContain(
        `Invalid variable name in vars specified for Play: '${name}' is not a valid variable name`
      )
    }
    expect(
      loadError('- hosts: all\n  tasks:\n    - debug: msg=x\n      vars: [{"a b": 1}]\n').message
    ).toContain("Invalid variable name in vars specified for Task: 'a b'")
    // __proto__ is a name like any other.
    expect(Object.keys(onlyPlay('- hosts: all\n  vars: {__proto__: 1}\n').vars)).toEqual([
      '__proto__'
    ])
  })
})

describe('YAML complex keys', () => {
  it('refuses a list or mapping used as a key, where it is written, as PyYAML does', () => {
    const sequenceKey = loadError('- ? - name: x\n  : 1\n  hosts: all\n')
    expect(sequenceKey.message).toContain('found unacceptable key (unhashable type: a list)')
    expect(sequenceKey.location).toEqual({ file: 'site.yml', line: 1, column: 5 })
    expect(sequenceKey.message).not.toContain('[object Object]')
    const mappingKey = loadError('- hosts: all\n  vars:\n    ? {a: 1}\n    : 2\n')
    expect(mappingKey.message).toContain('found unacceptable key (unhashable type: a mapping)')
    expect(mappingKey.location).toEqual({ file: 'site.yml', line: 3, column: 7 })
    // A flow mapping's key without a value (`{ {} }` is `{ {}: null }`) too; found by the loader fuzz test.
    for (const text of [
      '{[a]: 1}\n',
      '[a, b]: 1\n',
      'x: &l [1]\n? *l\n: 2\n',
      '\n- {{}}\n',
      '{a: 1, [x]}\n',
      '{a: { {} }}\n'
    ]) {
      expect(() => parseYaml(text, 'f.yml'), text).toThrow(/found unacceptable key/)
    }
  })

  it('refuses one in a YAML inventory too', () => {
    expect(() => loadInventory(['all:\n  hosts:\n    ? [web1, web2]\n    : {}\n'])).toThrow(
      /inventory text>?:3:7: YAML syntax error: found unacceptable key \(unhashable type: a list\)/
    )
  })

  it('still reads values that are lists or mappings, and scalar explicit keys', () => {
    expect(
      parseYaml('a: [1]\nb: {c: [d]}\n? e\n: f\ng:\n  - h: [1]\n    i: {j: k}\n', 'f.yml').data
    ).toEqual({ a: [1], b: { c: ['d'] }, e: 'f', g: [{ h: [1], i: { j: 'k' } }] })
    expect(parseYaml('- {a: {}, b: [{}, {}], c}\n', 'f.yml').data).toEqual([
      { a: {}, b: [{}, {}], c: null }
    ])
  })
})

describe('!unsafe', () => {
  const templar = new Templar()
  const render = (value: unknown, vars: Record<string, unknown> = { real: 'templated' }): unknown =>
    templar.render(value, vars)

  it('loads a string that renders to itself, never templated nor read as a list', () => {
    const data = parseYaml(
      [
        "a: !unsafe '{{ real }} {% if true %}x{% endif %}'",
        'b: !unsafe 42',
        "c: !unsafe '[1, 2]'",
        "d: !unsafe {k: '{{ real }}', l: ['{{ real }}', 1]}",
        "e: !unsafe ['{{ real }}']",
        'f: !unsafe',
        "g: !unsafe 'plain'"
      ].join('\n'),
      'f.yml'
    ).data
    expect(render(data)).toEqual({
      a: '{{ real }} {% if true %}x{% endif %}',
      b: '42',
      c: '[1, 2]',
      d: { k: '{{ real }}', l: ['{{ real }}', 1] },
      e: ['{{ real }}'],
      f: '',
      g: 'plain'
    })
  })

  it('keeps a variable literal for the variables that refer to it', () => {
    const { data } = parseYaml("literal: !unsafe '{{ real }}'\nref: '{{ literal }}'\n", 'f.yml')
    const vars = data as Record<string, unknown>
    const scope = templar.scope(
      new Map(
        Object.entries({ ...vars, real: 'templated' }).map(([k, v]) => [
          k,
          { value: v, trusted: true }
        ])
      )
    )
    expect(scope['literal']).toBe('{{ real }}')
    expect(scope['ref']).toBe('{{ real }}')
  })

  it('splits a free-form argument and keeps every part literal', () => {
    const task = written(
      onlyPlay(
        '- hosts: all\n  tasks:\n    - shell: !unsafe "echo \'{{ real }}\' chdir=/tmp"\n    - action: !unsafe "debug msg={{ real }}"\n'
      )
    )
    expect(render(task[0]!.args)).toEqual({ _raw_params: "echo '{{ real }}'", chdir: '/tmp' })
    expect(render(task[1]!.args)).toEqual({ msg: '{{ real }}' })
  })

  it('refuses to evaluate an unsafe conditional that holds a template', () => {
    const { data } = parseYaml("c: !unsafe '{{ real }}'\n", 'f.yml')
    expect(() => templar.isTrue((data as Record<string, unknown>)['c'], {})).toThrow(
      'Conditional is marked as unsafe, and cannot be evaluated.'
    )
  })

  it('reaches inventory variables too', () => {
    const inventory = loadInventory([
      "all:\n  hosts:\n    h1:\n      literal: !unsafe '{{ nope }}'\n"
    ])
    expect(render(inventory.hostVars('h1')['literal'])).toBe('{{ nope }}')
  })
})

describe('play keywords', () => {
  it('takes `user` as the old name of remote_user, and refuses both at once', () => {
    expect(onlyPlay('- hosts: all\n  user: ops\n').connectionVars).toEqual({ ansible_user: 'ops' })
    expect(loadError('- hosts: all\n  user: a\n  remote_user: b\n').message).toContain(
      "both 'user' and 'remote_user' are set for this play"
    )
  })

  it('accepts every `order` Ansible knows, and refuses others by name', () => {
    for (const order of ['inventory', 'reverse_inventory', 'sorted', 'reverse_sorted', 'shuffle'])
      expect(onlyPlay(`- hosts: all\n  order: ${order}\n`).order).toBe(order)
    expect(onlyPlay('- hosts: all\n  order: "{{ o }}"\n').order).toBe('{{ o }}')
    expect(loadError('- hosts: all\n  order: bogus\n').message).toContain(
      "Invalid 'order' specified for inventory hosts: bogus"
    )
  })

  it('runs the linear strategy only: the other strategies are refused by name', () => {
    expect(onlyPlay('- hosts: all\n  strategy: linear\n').strategy).toBe('linear')
    for (const strategy of ['free', 'host_pinned', 'debug']) {
      expect(loadError(`- hosts: all\n  strategy: ${strategy}\n`).message).toContain(
        `strategy '${strategy}' is not supported; only 'linear'`
      )
    }
    expect(loadError('- hosts: all\n  strategy: fast\n').message).toContain(
      'Invalid play strategy specified: fast'
    )
    // A templated strategy is checked when the play runs.
    expect(onlyPlay('- hosts: all\n  strategy: "{{ s }}"\n').strategy).toBe('{{ s }}')
  })

  it("gives the play's no_log to its tasks, handlers and roles; a task's own wins", () => {
    files({
      'roles/r/tasks/main.yml': '- name: role task\n  debug: msg=r\n',
      'roles/r/handlers/main.yml': '- name: role handler\n  debug: msg=h\n'
    })
    const p = onlyPlay(`- hosts: all
  no_log: true
  roles: [r]
  tasks:
    - name: plain
      debug: msg=x
    - name: own
      debug: msg=x
      no_log: false
  handlers:
    - name: handler
      debug: msg=h
`)
    const tasks = written(p)
    expect(named(tasks, 'plain').noLog).toBe(true)
    expect(named(tasks, 'role task').noLog).toBe(true)
    expect(named(tasks, 'own').noLog).toBe(false)
    expect(p.handlers.map((h) => [h.name, h.noLog])).toEqual([
      ['role handler', true],
      ['handler', true]
    ])
  })
})

describe('the other play keywords Ansible has', () => {
  it('takes port as the connection port, under every variable, as remote_user', () => {
    expect(onlyPlay('- hosts: all\n  port: 2222\n').connectionVars).toEqual({ ansible_port: 2222 })
  })

  it('hands ignore_unreachable and timeout down to the tasks; a task keeps its own', () => {
    const tasks = written(
      onlyPlay(
        '- hosts: all\n  ignore_unreachable: true\n  timeout: 30\n  tasks:\n    - name: a\n      debug: msg=x\n    - name: b\n      debug: msg=x\n      timeout: 5\n'
      )
    )
    expect(tasks.map((t) => [t.name, t.ignoreUnreachable, t.timeout])).toEqual([
      ['a', true, 30],
      ['b', true, 5]
    ])
  })

  it('hands run_once on a play down to its tasks (issue 14); a task keeps its own', () => {
    const tasks = written(
      onlyPlay(
        '- hosts: all\n  run_once: true\n  tasks:\n    - name: a\n      debug: msg=x\n    - name: b\n      debug: msg=x\n      run_once: false\n'
      )
    )
    expect(tasks.map((t) => [t.name, t.runOnce])).toEqual([
      ['a', true],
      ['b', false]
    ])
  })

  it('refuses by name the play keywords it does not implement, saying what to do', () => {
    expect(loadError('- hosts: all\n  fact_path: /etc/facts.d\n').message).toContain(
      "'fact_path' is not supported"
    )
  })
})

describe('what a play hands down to dynamic includes', () => {
  it("gives the play's tags and no_log (and an import_playbook's tags) to included tasks", () => {
    files({
      'roles/r/tasks/main.yml': '- name: role task\n  debug: msg=r\n',
      'inc.yml': '- name: included task\n  debug: msg=i\n',
      'other.yml':
        '- hosts: all\n  tags: inner\n  tasks:\n    - include_tasks: inc.yml\n    - include_role: {name: r}\n'
    })
    const plays = load(`- hosts: all
  tags: [play_tag]
  no_log: true
  tasks:
    - include_role:
        name: r
    - include_tasks: inc.yml
- import_playbook: other.yml
  tags: imported
`)
    const included = (play: Play): Task[] =>
      written(play).flatMap((t) => loadInclude(t.include!, t.args, t.location).tasks)
    expect(included(plays[0]!).map((t) => [t.name, t.tags, t.noLog])).toEqual([
      ['role task', ['play_tag'], true],
      ['included task', ['play_tag'], true]
    ])
    expect(included(plays[1]!).map((t) => [t.name, [...t.tags].sort()])).toEqual([
      ['included task', ['imported', 'inner']],
      ['role task', ['imported', 'inner']]
    ])
  })
})

describe('roles', () => {
  it("lets a dependency see its parent's role parameters, vars and defaults under its own", () => {
    files({
      'roles/parent/meta/main.yml':
        'dependencies:\n  - child\n  - role: child\n    own: mine\n    shared: dep\n',
      'roles/parent/defaults/main.yml': 'parent_default: pd\nshared_default: parent\n',
      'roles/parent/vars/main.yml': 'parent_var: pv\n',
      'roles/parent/tasks/main.yml': '- name: parent task\n  debug: msg=p\n',
      'roles/child/defaults/main.yml': 'shared_default: child\n',
      'roles/child/tasks/main.yml': '- name: child task\n  debug: msg=c\n'
    })
    const p = onlyPlay(`- hosts: all
  roles:
    - role: parent
      pparam: P
      shared: parent
      vars: {invocation_var: iv}
`)
    const [plain, withParams] = written(p).filter((t) => t.name === 'child task')
    expect(plain!.role!.params).toEqual({ pparam: 'P', shared: 'parent' })
    expect(withParams!.role!.params).toEqual({ pparam: 'P', shared: 'dep', own: 'mine' })
    expect(plain!.role!.vars).toMatchObject({ parent_var: 'pv', invocation_var: 'iv' })
    expect(plain!.role!.defaults).toEqual({ parent_default: 'pd', shared_default: 'child' })
    // The dependency still runs once per host with the same parameters of its own.
    expect(plain!.role!.dedupKey).not.toBe(withParams!.role!.dedupKey)
  })

  it('gives a role included from a role the including role as its parent', () => {
    files({
      'roles/outer/tasks/main.yml': '- include_role:\n    name: inner\n',
      'roles/inner/tasks/main.yml': '- name: inner task\n  debug: msg=i\n'
    })
    const p = onlyPlay('- hosts: all\n  roles:\n    - role: outer\n      from_outer: yes\n')
    const include = named(written(p), 'include_role : inner')
    const [task] = loadInclude(include.include!, include.args, include.location).tasks
    // The parent's parameters, and the parent as Ansible's include params name it.
    expect(task!.role!.params).toEqual({
      from_outer: true,
      ansible_parent_role_names: ['outer'],
      ansible_parent_role_paths: [path.join(dir, 'roles/outer')]
    })
  })

  it('finds a role named with a path on the search path, keeping the name as written', () => {
    files({
      'roles/nested/dep/tasks/main.yml': '- name: nested task\n  debug: msg=n\n',
      'roles/user/meta/main.yml': 'dependencies:\n  - nested/dep\n',
      'roles/user/tasks/main.yml': '- name: user task\n  debug: msg=u\n',
      'elsewhere/roles/sibling/dep2/tasks/main.yml': '- name: sibling task\n  debug: msg=s\n',
      'elsewhere/roles/mine/meta/main.yml': 'dependencies:\n  - sibling/dep2\n',
      'elsewhere/roles/mine/tasks/main.yml': '- name: mine task\n  debug: msg=m\n'
    })
    const p = onlyPlay(
      '- hosts: all\n  roles:\n    - user\n    - nested/dep\n    - elsewhere/roles/mine\n'
    )
    const byTask = written(p).map((t) => [t.name, t.role!.name, t.role!.path])
    expect(byTask).toEqual([
      ['nested task', 'nested/dep', path.join(dir, 'roles/nested/dep')],
      ['user task', 'user', path.join(dir, 'roles/user')],
      ['nested task', 'nested/dep', path.join(dir, 'roles/nested/dep')],
      // A dependency with a path is found next to the role that depends on it.
      ['sibling task', 'sibling/dep2', path.join(dir, 'elsewhere/roles/sibling/dep2')],
      ['mine task', 'elsewhere/roles/mine', path.join(dir, 'elsewhere/roles/mine')]
    ])
    expect(loadError('- hosts: all\n  roles:\n    - nested/missing\n').message).toContain(
      "the role 'nested/missing' was not found in " + path.join(dir, 'roles')
    )
  })

  it('merges defaults/main/ and vars/main/ directories in lexical order, as Ansible 2.14 does', () => {
    files({
      'roles/d/defaults/main/10-base.yml': 'a: base\nb: base\n',
      'roles/d/defaults/main/20-over.yaml': 'b: over\n',
      'roles/d/defaults/main/sub/30-deep.json': '{"c": "deep"}\n',
      'roles/d/defaults/main/40-plain': 'e: no extension\n',
      'roles/d/defaults/main/50-ignored.txt': 'a: txt\n',
      'roles/d/defaults/main/.hidden.yml': 'a: hidden\n',
      'roles/d/defaults/main/60-backup.yml~': 'a: backup\n',
      'roles/d/defaults/main/70-empty.yml': '',
      'roles/d/vars/main/only.yml': 'v: from dir\n',
      'roles/d/vars/extra/x.yml': 'v: extra dir\n',
      'roles/d/tasks/main.yml': '- name: d task\n  debug: msg=d\n'
    })
    const p = onlyPlay(
      '- hosts: all\n  roles: [d]\n  tasks:\n    - import_role: {name: d, vars_from: extra}\n'
    )
    const [listed, imported] = written(p)
    expect(listed!.role!.defaults).toEqual({ a: 'base', b: 'over', c: 'deep', e: 'no extension' })
    expect(listed!.role!.vars).toEqual({ v: 'from dir' })
    expect(imported!.role!.vars).toEqual({ v: 'extra dir' })
  })

  it('prefers main.yml to a main/ directory, as Ansible looks', () => {
    files({
      'roles/d/defaults/main.yml': 'a: file\n',
      'roles/d/defaults/main/x.yml': 'a: dir\n',
      'roles/d/tasks/main.yml': '- name: d task\n  debug: msg=d\n'
    })
    expect(written(onlyPlay('- hosts: all\n  roles: [d]\n'))[0]!.role!.defaults).toEqual({
      a: 'file'
    })
  })

  it("runs an imported role once per host when import_role's allow_duplicates is false", () => {
    files({ 'roles/once/tasks/main.yml': '- name: once task\n  debug: msg=o\n' })
    const refs = (allow: string): Task[] =>
      written(
        onlyPlay(
          `- hosts: all\n  tasks:\n    - import_role: {name: once${allow}}\n    - import_role: {name: once${allow}}\n`
        )
      )
    // Ansible's default for import_role and include_role: duplicates run.
    for (const task of refs('')) expect(task.role!.dedupKey).toBeUndefined()
    for (const task of refs(', allow_duplicates: true')) expect(task.role!.dedupKey).toBeUndefined()
    const [first, second] = refs(', allow_duplicates: no')
    expect(first!.role!.dedupKey).toBeDefined()
    expect(second!.role!.dedupKey).toBe(first!.role!.dedupKey)
    expect(first!.role!.allowDuplicates).toBeUndefined()
    // A templated value is decided when the play runs, with the play's variables.
    const [templated] = refs(', allow_duplicates: "{{ false }}"')
    expect(templated!.role!.dedupKey).toBe(first!.role!.dedupKey)
    expect(templated!.role!.allowDuplicates).toBe('{{ false }}')
    expect(
      loadError(
        '- hosts: all\n  tasks:\n    - import_role: {name: once, allow_duplicates: maybe}\n'
      ).message
    ).toContain("'allow_duplicates' of import_role must be a boolean")
  })
})
