// Issue 14's keywords as ansible-playbook 2.14 loads and applies them: run_once and throttle on plays,
// blocks and role entries (inherited, a task's own wins), and module_defaults (play, block, role, task;
// short and fully qualified names, groups, templated values, the task's arguments over every default).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { PlaybookError } from '../../src/errors.js'
import { withModuleDefaults } from '../../src/executor/module-defaults.js'
import { MODULE_CATALOG, MODULES } from '../../src/modules/registry.js'
import { parsePlaybookText } from '../../src/playbook/playbook-loader.js'
import type { Play, Task } from '../../src/playbook/types.js'
import { Templar } from '../../src/template/index.js'

let dir: string
/** A roles path that holds nothing: no role of the machine's default roles path is found. */
const noRolesPath = () => ({ rolesPath: [path.join(dir, 'no-such-roles-path')] })

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'apb-language-'))
})

afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

function files(tree: Record<string, string>): void {
  for (const [name, text] of Object.entries(tree)) {
    const file = path.join(dir, name)
    mkdirSync(path.dirname(file), { recursive: true })
    writeFileSync(file, text)
  }
}

function play(text: string): Play {
  const plays = parsePlaybookText(text, 'site.yml', dir, MODULE_CATALOG, noRolesPath()).plays
  expect(plays).toHaveLength(1)
  return plays[0]!
}

function task(p: Play, name: string): Task {
  const found = p.tasks.find((t) => t.name === name || t.name.endsWith(` : ${name}`))
  if (!found) throw new Error(`no task '${name}' in ${p.tasks.map((t) => t.name).join(', ')}`)
  return found
}

function loadError(text: string): PlaybookError {
  try {
    play(text)
  } catch (error) {
    expect(error).toBeInstanceOf(PlaybookError)
    return error as PlaybookError
  }
  throw new Error('expected a PlaybookError')
}

/** The arguments `name`'s module runs with, given the task's defaults, its own arguments and variables. */
function applied(
  t: Task,
  args: Record<string, unknown>,
  vars: Record<string, unknown> = {}
): Record<string, unknown> {
  return withModuleDefaults(t, MODULES.get(t.module)!, args, new Templar(), vars)
}

describe('run_once and throttle on plays, blocks and roles', () => {
  it('hands a block’s run_once and throttle to its tasks; a task’s own wins', () => {
    const p = play(`- hosts: all
  throttle: 3
  tasks:
    - run_once: true
      throttle: 1
      block:
        - name: inner
          debug: msg=x
        - name: own
          debug: msg=x
          run_once: false
          throttle: 2
    - name: outside
      debug: msg=x
`)
    expect([task(p, 'inner').runOnce, task(p, 'inner').throttle]).toEqual([true, 1])
    expect([task(p, 'own').runOnce, task(p, 'own').throttle]).toEqual([false, 2])
    expect([task(p, 'outside').runOnce, task(p, 'outside').throttle]).toEqual([undefined, 3])
  })

  it('takes run_once, throttle and module_defaults on a role entry (no longer role parameters)', () => {
    files({ 'roles/r/tasks/main.yml': '- name: role task\n  ping:\n' })
    const p = play(`- hosts: all
  roles:
    - role: r
      run_once: true
      throttle: 2
      module_defaults:
        ping: {data: from role}
`)
    const t = task(p, 'role task')
    expect([t.runOnce, t.throttle]).toEqual([true, 2])
    expect(applied(t, {})).toEqual({ data: 'from role' })
  })

  it('refuses throttle and module_defaults on include_tasks (they belong under apply:)', () => {
    for (const keyword of ['throttle: 1', 'module_defaults: {ping: {}}'])
      expect(
        loadError(`- hosts: all\n  tasks:\n    - include_tasks: x.yml\n      ${keyword}\n`).message
      ).toContain('is not a valid keyword for include_tasks')
  })
})

describe('module_defaults', () => {
  it('merges play, block and task mappings; a later entry for a module replaces it whole', () => {
    const p = play(`- hosts: all
  module_defaults:
    ansible.builtin.command: {chdir: /tmp, creates: /x}
    file: {mode: '0600'}
  tasks:
    - module_defaults:
        ansible.legacy.file: {owner: root}
      block:
        - name: replaced
          command: pwd
          module_defaults:
            command: {chdir: /srv}
        - name: block file
          file: path=/tmp/a
        - name: play command
          command: pwd
`)
    expect(applied(task(p, 'replaced'), { _raw_params: 'pwd' })).toEqual({
      chdir: '/srv',
      _raw_params: 'pwd'
    })
    expect(applied(task(p, 'block file'), { path: '/tmp/a' })).toEqual({
      owner: 'root',
      path: '/tmp/a'
    })
    expect(applied(task(p, 'play command'), { _raw_params: 'pwd' })).toEqual({
      chdir: '/tmp',
      creates: '/x',
      _raw_params: 'pwd'
    })
  })

  it('puts group defaults under the module’s own, and the task’s arguments over both', () => {
    const p = play(`- hosts: all
  module_defaults:
    ping: {data: own}
    group/ansible.builtin.testgroup: {data: group}
  tasks:
    - name: p
      ping:
    - name: q
      debug: msg=x
      module_defaults:
        group/testgroup: {msg: never}
`)
    expect(applied(task(p, 'p'), {})).toEqual({ data: 'own' })
    expect(applied(task(p, 'p'), { data: 'mine' })).toEqual({ data: 'mine' })
    // debug is in no group: a group's defaults do not reach it.
    expect(applied(task(p, 'q'), { msg: 'x' })).toEqual({ msg: 'x' })
  })

  it('templates the values with the host’s variables when the task runs', () => {
    const p = play(`- hosts: all
  module_defaults:
    ping: "{{ ping_defaults }}"
    command: {chdir: "{{ where }}"}
  tasks:
    - name: p
      ping:
    - name: c
      command: pwd
`)
    expect(
      applied(task(p, 'p'), {}, { ping_defaults: { data: 'from a var' }, where: '/opt' })
    ).toEqual({
      data: 'from a var'
    })
    expect(
      applied(task(p, 'c'), { _raw_params: 'pwd' }, { ping_defaults: {}, where: '/opt' })
    ).toEqual({
      chdir: '/opt',
      _raw_params: 'pwd'
    })
  })

  it('templates every entry for every task: an undefined variable in any fails the task', () => {
    const p = play(`- hosts: all
  module_defaults:
    file: {owner: "{{ nowhere }}"}
  tasks:
    - name: d
      debug: msg=x
`)
    expect(() => applied(task(p, 'd'), { msg: 'x' })).toThrow(
      "The field 'module_defaults' has an invalid value, which includes an undefined variable"
    )
  })

  it('refuses what Ansible refuses, and groups of collections it does not know', () => {
    expect(loadError('- hosts: all\n  module_defaults: [1]\n').message).toContain(
      "The field 'module_defaults' is supposed to be a dictionary or list of dictionaries"
    )
    expect(loadError('- hosts: all\n  module_defaults: {group/nosuch: {}}\n').message).toContain(
      'could not resolve the module_defaults group ansible.builtin.nosuch'
    )
    expect(loadError('- hosts: all\n  module_defaults: {nosuchmodule: {}}\n').message).toContain(
      'Could not resolve action nosuchmodule in module_defaults'
    )
    expect(
      loadError('- hosts: all\n  module_defaults: {group/amazon.aws.aws: {}}\n').message
    ).toContain("module_defaults group 'amazon.aws.aws' is not supported")
  })

  it('accepts defaults for the ansible.builtin modules it does not run, which never apply', () => {
    const p = play(`- hosts: all
  module_defaults:
    sysvinit: {name: x}
    ansible.builtin.service_facts: {}
    ping: {data: pong}
  tasks:
    - name: p
      ping:
`)
    expect(applied(task(p, 'p'), {})).toEqual({ data: 'pong' })
    expect(loadError('- hosts: all\n  module_defaults: {sysvinitx: {}}\n').message).toContain(
      'Could not resolve action sysvinitx in module_defaults'
    )
  })

  it('accepts the groups ansible.builtin defines for other collections, and their modules', () => {
    const p = play(`- hosts: all
  module_defaults:
    group/aws: {region: eu-west-1}
    amazon.aws.ec2_instance: {region: eu-west-1}
  tasks:
    - name: p
      ping:
`)
    expect(applied(task(p, 'p'), {})).toEqual({})
  })
})

describe('the bare include (legacy, as Ansible 2.14 reads it)', () => {
  function loaded(text: string): ReturnType<typeof parsePlaybookText> {
    return parsePlaybookText(text, 'site.yml', dir, MODULE_CATALOG, noRolesPath())
  }

  it('is static without a loop or a template: its tasks are loaded, with its variables and keywords', () => {
    files({ 'steps.yml': '- name: step\n  debug: msg=x\n' })
    const book = loaded(`- hosts: all
  tasks:
    - include: steps.yml v=word w=two
      vars: {v: from vars}
      when: flag
      become: true
`)
    const step = task(book.plays[0]!, 'step')
    expect(step.include).toBeUndefined()
    // As Ansible 2.14: the words are block-level variables; `vars:` are include params, which win.
    expect(step.vars).toEqual({ v: 'word', w: 'two' })
    expect(step.params).toEqual({ vars: { v: 'from vars' }, loop: {} })
    expect(step.when).toEqual(['flag'])
    expect(step.become).toEqual({ become: true })
    expect(book.deprecations).toEqual([expect.stringContaining('"include" is deprecated')])
  })

  it('is dynamic with a loop or a templated file, its other keywords applied to the included tasks', () => {
    const p = play(`- hosts: all
  tasks:
    - name: looped
      include: steps.yml
      loop: [1, 2]
      become: true
    - name: templated
      include: "{{ which }}.yml v=1"
`)
    const looped = task(p, 'looped')
    expect(looped.module).toBe('include_tasks')
    expect(looped.args).toEqual({ file: 'steps.yml', apply: { become: true } })
    const templated = task(p, 'templated')
    expect(templated.module).toBe('include_tasks')
    // Dynamic, the words reach the included tasks through `apply` (block-level variables).
    expect(templated.args).toEqual({ file: '{{ which }}.yml', apply: { vars: { v: '1' } } })
    expect(templated.vars).toEqual({})
  })

  it('under handlers, brings its tasks in as handlers', () => {
    files({ 'h.yml': '- name: a handler\n  debug: msg=x\n' })
    const p = play('- hosts: all\n  handlers:\n    - include: h.yml\n')
    expect(p.handlers.map((h) => h.name)).toEqual(['a handler'])
  })

  it('is refused on a play, as Ansible 2.14 refuses it, pointing at import_playbook', () => {
    expect(loadError('- include: other.yml\n').message).toContain(
      "'include' is not a valid attribute for a Play"
    )
  })
})

describe('module_defaults of the module an action hands the task to', () => {
  it('package gives the backend module its defaults, under the task’s arguments', async () => {
    const { packageModule } = await import('../../src/modules/package.js')
    const asked: string[] = []
    const ctx = {
      host: 'h',
      args: { name: 'x', use: 'apt' },
      check: false,
      diff: false,
      vars: {},
      task: {
        name: 'p',
        module: 'package',
        args: { name: 'x', use: 'apt' },
        location: { file: 'f', line: 1 }
      },
      moduleDefaults: (module: string) => {
        asked.push(module)
        return { bogus_default: 1 }
      }
    } as unknown as Parameters<typeof packageModule.run>[0]
    // apt's own argument check sees the default: it reached apt (and nothing ran on a target).
    const result = await packageModule.run(ctx)
    expect(asked).toEqual(['apt'])
    expect(result['failed']).toBe(true)
    expect(String(result['msg'])).toMatch(
      /^Unsupported parameters for \(apt\) module: bogus_default/
    )
  })
})

describe('throttle at run time', () => {
  it('stops the run (exit 1, as ansible-playbook) when the value is no whole number', async () => {
    const { readActionSettings } = await import('../../src/action/settings.js')
    const { executeRun } = await import('../../src/engine.js')
    const { AsyncPlaybookError } = await import('../../src/errors.js')
    const { fatalExitCode } = await import('../../src/cli.js')
    files({ hosts: 'localhost ansible_connection=local\n' })
    const saved = { ...process.env }
    try {
      Object.assign(process.env, {
        GITHUB_WORKSPACE: dir,
        INPUT_PLAYBOOK:
          '- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: msg=x\n      throttle: "{{ \'a\' }}bc"\n',
        INPUT_INVENTORY: 'hosts'
      })
      const error = await executeRun(readActionSettings(process.env).run, () => {}).then(
        () => undefined,
        (e: unknown) => e
      )
      expect(error).toBeInstanceOf(AsyncPlaybookError)
      expect(error).not.toBeInstanceOf(PlaybookError)
      expect((error as Error).message).toContain(
        'Failed to convert the throttle value to an integer: got "abc"'
      )
      expect(fatalExitCode(error)).toBe(1)
    } finally {
      process.env = saved
    }
  })
})
