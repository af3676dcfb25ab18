// Static reuse at load time: import_tasks, import_playbook and vars_files, over the files in
// __fixtures__/imports/.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { PlaybookError } from '../../src/errors.js'
import { MODULE_CATALOG } from '../../src/modules/registry.js'
import { loadPlaybook, parsePlaybookText } from '../../src/playbook/playbook-loader.js'
import type { Task } from '../../src/playbook/types.js'

const FIXTURES = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../__fixtures__/imports'
)

function load(name: string) {
  return loadPlaybook(name, MODULE_CATALOG, FIXTURES)
}

/** The tasks the user wrote (not the implicit flush_handlers the loader adds after each section). */
function written(tasks: Task[]): Task[] {
  return tasks.filter((t) => !t.implicit)
}

function loadError(name: string): PlaybookError {
  try {
    load(name)
  } catch (error) {
    expect(error).toBeInstanceOf(PlaybookError)
    return error as PlaybookError
  }
  throw new Error(`loading ${name} did not fail`)
}

describe('import_tasks', () => {
  it('inlines the imported tasks in place, nested imports resolved relative to the importing file', () => {
    const tasks = written(load('site.yml').plays[0]!.tasks)
    expect(tasks.map((t) => t.name)).toEqual([
      'before the import',
      'outer task',
      'inner task one',
      'inner task two',
      'after the import'
    ])
  })

  it("hands the import's when, vars and tags down like a block's, nested imports adding theirs", () => {
    const [, outer, inner1, inner2, after] = written(load('site.yml').plays[0]!.tasks)
    expect(outer!.when).toEqual(['run_outer'])
    expect(outer!.vars).toEqual({ from_import: true })
    expect(outer!.tags).toEqual(['outer'])
    expect(inner1!.when).toEqual(['run_outer', 'run_inner'])
    expect(inner2!.when).toEqual(['run_outer', 'run_inner', 'inner_own'])
    expect(inner2!.tags).toEqual(['outer', 'inner'])
    expect(inner2!.vars).toEqual({ from_import: true })
    // Neither leaks onto the task after the import, and an import is not a block.
    expect(after!.when).toEqual([])
    expect(after!.tags).toEqual([])
    expect(inner1!.blocks).toBeUndefined()
  })

  it('gives every task its own file and line', () => {
    const tasks = written(load('site.yml').plays[0]!.tasks)
    expect(tasks.map((t) => t.location)).toEqual([
      { file: 'site.yml', line: 10 },
      { file: path.join('tasks', 'outer.yml'), line: 1 },
      { file: path.join('tasks', 'nested', 'inner.yml'), line: 1 },
      { file: path.join('tasks', 'nested', 'inner.yml'), line: 4 },
      { file: 'site.yml', line: 19 }
    ])
  })

  it('names the including file and line when the imported file is missing', () => {
    const error = loadError('missing.yml')
    expect(error.location).toEqual({ file: 'missing.yml', line: 5 })
    expect(error.message).toContain("'import_tasks: tasks/nope.yml' cannot be read")
    expect(error.message).toContain(path.join(FIXTURES, 'tasks', 'nope.yml'))
  })

  it('reports a bad task at its own line in the imported file', () => {
    const error = loadError('bad-task.yml')
    expect(error.location).toEqual({ file: path.join('tasks', 'bad.yml'), line: 4 })
    expect(error.message).toContain("did you mean 'shell'")
  })

  it('refuses an import cycle, naming the files in it', () => {
    const error = loadError('cycle.yml')
    expect(error.message).toContain('import cycle')
    expect(error.message).toContain('cycle-a.yml → cycle-b.yml → cycle-a.yml')
    expect(error.location).toEqual({ file: path.join('tasks', 'cycle-b.yml'), line: 3 })
  })

  it('refuses keywords an import cannot carry, and templated file names', () => {
    const loop = () =>
      parsePlaybookText(
        '- hosts: all\n  tasks:\n    - import_tasks: x.yml\n      loop: [1]\n',
        'p.yml',
        FIXTURES,
        MODULE_CATALOG
      )
    expect(loop).toThrow(/'loop' is not a valid import_tasks keyword/)
    const templated = () =>
      parsePlaybookText(
        '- hosts: all\n  tasks:\n    - import_tasks: "{{ f }}.yml"\n',
        'p.yml',
        FIXTURES,
        MODULE_CATALOG
      )
    expect(templated).toThrow(/templated file names are not supported yet/)
  })

  it('loads include_tasks as one dynamic include task, not inlined at load time', () => {
    const play = parsePlaybookText(
      '- hosts: all\n  tasks:\n    - include_tasks: x.yml\n',
      'p.yml',
      FIXTURES,
      MODULE_CATALOG
    ).plays[0]!
    const [include] = written(play.tasks)
    expect(include!.module).toBe('include_tasks')
    expect(include!.include?.kind).toBe('tasks')
    expect(include!.args).toEqual({ _raw_params: 'x.yml' })
  })

  it('refuses on an include the task keywords Ansible refuses there, pointing at apply', () => {
    const load =
      (keyword: string, include = 'include_tasks: x.yml') =>
      () =>
        parsePlaybookText(
          `- hosts: all\n  tasks:\n    - ${include}\n      ${keyword}\n`,
          'p.yml',
          FIXTURES,
          MODULE_CATALOG
        )
    for (const keyword of ['become: true', 'environment: {A: 1}', 'notify: h', 'until: true']) {
      expect(load(keyword)).toThrow(
        /^p\.yml:3: '\w+' is not a valid keyword for include_tasks .*`apply:`/
      )
    }
    expect(load('become: true', 'include_role: { name: web }')).toThrow(
      /'become' is not a valid keyword for include_role/
    )
    // The include's own keywords are fine.
    for (const keyword of ['when: x', 'loop: [1]', 'register: r', 'run_once: true', 'tags: t'])
      expect(load(keyword)).not.toThrow()
  })
})

describe('import_playbook', () => {
  it("inlines the other playbook's plays, with the import's vars and tags", () => {
    const plays = load('main.yml').plays
    expect(plays.map((p) => p.name)).toEqual(['other play', 'main play'])
    const other = plays[0]!
    expect(other.vars).toEqual({ from_import_playbook: 1 })
    expect(other.tags).toEqual(['imported'])
    // Paths inside the imported playbook resolve relative to it: its vars_files and import_tasks.
    expect(other.varsFiles).toEqual({ other_var: 'from-sub' })
    expect(written(other.tasks).map((t) => [t.name, t.location, t.tags])).toEqual([
      ['other task', { file: path.join('sub', 'other-tasks.yml'), line: 1 }, ['imported']]
    ])
    expect(plays[1]!.tags).toEqual([])
  })

  it('refuses a playbook that imports itself', () => {
    const error = loadError('self-import.yml')
    expect(error.message).toContain('import cycle')
    expect(error.location).toEqual({ file: 'self-import.yml', line: 1 })
  })
})

describe('vars_files', () => {
  it('merges the files in order, later files winning, relative to the playbook', () => {
    const play = load('site.yml').plays[0]!
    expect(play.vars).toEqual({ level: 'play' })
    expect(play.varsFiles).toEqual({ level: 'vars_files', common_only: 2 })
  })

  it('names the play and the path when a file is missing or not a mapping', () => {
    const missing = () =>
      parsePlaybookText(
        '- hosts: all\n  vars_files: [nope.yml]\n  tasks: []\n',
        'p.yml',
        FIXTURES,
        MODULE_CATALOG
      )
    expect(missing).toThrow(/the vars file 'nope.yml' cannot be read: it could not be found/)
    const notMapping = () =>
      parsePlaybookText(
        '- hosts: all\n  vars_files: [vars/not-vars.yml]\n  tasks: []\n',
        'p.yml',
        FIXTURES,
        MODULE_CATALOG
      )
    expect(notMapping).toThrow(
      /variable files must contain either a dictionary of variables, or a list of dictionaries: the vars file 'vars\/not-vars.yml' holds a list with the string "one" in it/
    )
  })

  it('merges a file holding a list of mappings in order, as Ansible does', () => {
    const play = parsePlaybookText(
      '- hosts: all\n  vars_files: [vars/common.yml, vars/list.yml]\n  tasks: []\n',
      'p.yml',
      FIXTURES,
      MODULE_CATALOG
    ).plays[0]!
    expect(play.varsFiles).toEqual({ level: 'second', common_only: 1, from_list: 1 })
  })
})
