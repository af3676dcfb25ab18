// Dynamic includes carried out by the runner (src/executor/includes.ts): include_tasks / include_role are
// no module, what an include loaded is kept beside its result (nothing rides on the registered result),
// and hosts that included the same file run it together, round after round.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { PlaybookError } from '../../src/errors.js'
import { IncludeLoads, includeRounds } from '../../src/executor/includes.js'
import { NOT_IGNORABLE, type ModuleResult } from '../../src/modules/module.js'
import { MODULE_CATALOG, MODULES } from '../../src/modules/registry.js'
import { parsePlaybookText } from '../../src/playbook/playbook-loader.js'
import type { Task } from '../../src/playbook/types.js'

let dir: string

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'apb-includes-'))
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

/** The play's first written task (an include). */
function includeTask(text: string): Task {
  const [play] = parsePlaybookText(text, 'site.yml', dir, MODULE_CATALOG).plays
  const task = play!.tasks.find((t) => !t.implicit)
  if (!task) throw new Error('no task')
  return task
}

describe('include_tasks and include_role', () => {
  it('are actions the loader accepts, carried out by the runner and not by a module', () => {
    expect(MODULES.has('include_tasks')).toBe(false)
    expect(MODULES.has('include_role')).toBe(false)
    expect(MODULE_CATALOG.names.has('include_tasks')).toBe(true)
    expect(MODULE_CATALOG.names.has('include_role')).toBe(true)
    expect(MODULE_CATALOG.freeForm.has('include_tasks')).toBe(true)
    expect(MODULE_CATALOG.freeForm.has('include_role')).toBe(false)
  })

  it("register Ansible's result, with nothing hidden on it, and keep what they loaded beside it", () => {
    files({ 'inc.yml': '- debug: msg=one\n- debug: msg=two\n' })
    const task = includeTask('- hosts: all\n  tasks:\n    - include_tasks: inc.yml\n')
    const loads = new IncludeLoads()
    const result = loads.load(task, { _raw_params: 'inc.yml' })
    expect(result).toEqual({ changed: false, include: 'inc.yml', include_args: {} })
    expect(Object.getOwnPropertySymbols(result)).toEqual([])
    expect(Object.keys(task.include ?? {})).not.toContain('context')
    // A copy of the result (as a registered value would be after serializing) loaded nothing.
    expect(loads.files(JSON.parse(JSON.stringify(result)) as ModuleResult)).toEqual([])
    const [file] = loads.files(result)
    expect(file?.loaded.file).toBe(path.join(dir, 'inc.yml'))
    expect(file?.loaded.tasks.map((t) => t.args['msg'])).toEqual(['one', 'two'])
    expect(loads.includedFile(result)).toBe(path.join(dir, 'inc.yml'))
    expect(loads.count(result)).toBe(1)
    expect(loads.loadFailed(result)).toBe(false)
    expect(loads.abortError(result)).toBeUndefined()
  })

  it('fail the host, not ignorably, when the file is missing', () => {
    const task = includeTask('- hosts: all\n  tasks:\n    - include_tasks: missing.yml\n')
    const loads = new IncludeLoads()
    const result = loads.load(task, { _raw_params: 'missing.yml' })
    expect(result['failed']).toBe(true)
    expect(String(result['reason'])).toContain('missing.yml')
    expect((result as Record<PropertyKey, unknown>)[NOT_IGNORABLE]).toBe(true)
    expect(loads.loadFailed(result)).toBe(true)
    expect(loads.abortError(result)).toBeUndefined()
    expect(loads.files(result)).toEqual([])
  })

  it('stop the run with a PlaybookError naming the include when the file is not valid', () => {
    files({ 'bad.yml': '- no_such_module: {}\n' })
    const task = includeTask('- hosts: all\n  tasks:\n    - include_tasks: bad.yml\n')
    const loads = new IncludeLoads()
    const result = loads.load(task, { _raw_params: 'bad.yml' })
    expect(result['failed']).toBe(true)
    const error = loads.abortError(result)
    expect(error).toBeInstanceOf(PlaybookError)
    expect(error?.message).toContain('included from')
    expect(loads.loadFailed(result)).toBe(false)
  })

  it('run a file together on the hosts that included it with the same item, round after round', () => {
    files({ 'a.yml': '- debug: msg=a\n', 'b.yml': '- debug: msg=b\n' })
    const task = includeTask(
      '- hosts: all\n  tasks:\n    - include_tasks: "{{ item }}"\n      loop: [a.yml, b.yml]\n'
    )
    const loads = new IncludeLoads()
    // The item results as the loop builds them: the very objects the include returned, with the loop vars.
    const loadedItems = (...names: string[]): ModuleResult => ({
      results: names.map((name) => {
        const item = loads.load(task, { _raw_params: name })
        item['item'] = name
        item['ansible_loop_var'] = 'item'
        return item
      })
    })
    const results = new Map<string, ModuleResult>([
      ['web1', loadedItems('a.yml', 'b.yml')],
      ['web2', loadedItems('b.yml')],
      ['web3', loadedItems('a.yml', 'b.yml')]
    ])
    const rounds = [...includeRounds(loads, ['web1', 'web2', 'web3'], results)].map((round) => ({
      file: path.basename(round.file.loaded.file),
      item: round.file.loop['item'],
      hosts: round.hosts
    }))
    expect(rounds).toEqual([
      { file: 'a.yml', item: 'a.yml', hosts: ['web1', 'web3'] },
      { file: 'b.yml', item: 'b.yml', hosts: ['web2'] },
      { file: 'b.yml', item: 'b.yml', hosts: ['web1', 'web3'] }
    ])
    // A host the strategy no longer takes (failed, ended) is left out of the later rounds.
    const taking = [...includeRounds(loads, ['web1', 'web3'], results, (h) => h === 'web3')]
    expect(taking.map((round) => round.hosts)).toEqual([['web3'], ['web3']])
  })
})
