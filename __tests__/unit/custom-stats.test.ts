// set_stats' custom statistics: how they add up (Ansible's update_custom_stats), the console's CUSTOM
// STATS lines (only with ANSIBLE_SHOW_CUSTOM_STATS), the results document's `custom_stats` and the job
// summary's section.
import { describe, expect, it } from 'vitest'
import { readAnsibleEnvironment, runSettingsFrom } from '../../src/ansible-env.js'
import { emptyStats } from '../../src/executor/events.js'
import { Stats } from '../../src/executor/stats.js'
import { setStatsModule } from '../../src/modules/set-stats.js'
import { ConsoleReporter } from '../../src/report/console-reporter.js'
import { renderJobSummary } from '../../src/report/job-summary.js'
import { ResultsCollector } from '../../src/report/results-document.js'
import { runModuleOn } from '../helpers/module-harness.js'

describe('custom stats', () => {
  it('add up numbers, text and lists, merge mappings, replace without aggregate, skip another type', () => {
    const stats = new Stats()
    expect(stats.customSummary()).toBeUndefined()
    stats.setCustom('n', 1, true)
    stats.setCustom('n', 2, true)
    stats.setCustom('s', 'a', true)
    stats.setCustom('s', 'b', true)
    stats.setCustom('l', [1], true)
    stats.setCustom('l', [2], true)
    stats.setCustom('m', { a: 1, deep: { x: 1 } }, true)
    stats.setCustom('m', { b: 2, deep: { y: 2 } }, true)
    stats.setCustom('s', 5, true)
    stats.setCustom('n', 10, false)
    stats.setCustom('n', 1, true, 'web2')
    stats.setCustom('n', 1, true, 'web1')
    const summary = stats.customSummary()!
    expect(Object.keys(summary)).toEqual(['web1', 'web2', '_run'])
    expect(summary['_run']).toEqual({
      n: 10,
      s: 'ab',
      l: [1, 2],
      m: { a: 1, b: 2, deep: { x: 1, y: 2 } }
    })
    expect(summary['web1']).toEqual({ n: 1 })
  })

  it('prints CUSTOM STATS after the recap only when asked, as Ansible lays them out', () => {
    const custom = { web1: { count: 2, d: { b: 2 } }, _run: { names: ['a', 'b'], s: 'xx' } }
    let shown = ''
    new ConsoleReporter((t) => (shown += t), {
      color: false,
      verbosity: 0,
      showCustomStats: true
    }).recap({ web1: emptyStats() }, custom)
    expect(shown).toContain(`CUSTOM STATS: ${'*'.repeat(66)}\n`)
    expect(shown).toContain('\tweb1: { "count": 2, "d": {  "b": 2 }}\n')
    expect(shown).toContain('\n\tRUN: { "names": [  "a",  "b" ], "s": "xx"}\n')
    let hidden = ''
    new ConsoleReporter((t) => (hidden += t), { color: false, verbosity: 0 }).recap(
      { web1: emptyStats() },
      custom
    )
    expect(hidden).not.toContain('CUSTOM STATS')
  })

  it('reads ANSIBLE_SHOW_CUSTOM_STATS', () => {
    expect(
      runSettingsFrom(readAnsibleEnvironment({ ANSIBLE_SHOW_CUSTOM_STATS: 'yes' })).showCustomStats
    ).toBe(true)
    expect(runSettingsFrom(readAnsibleEnvironment({})).showCustomStats).toBeUndefined()
  })

  it('are in the results document and the job summary', () => {
    const collector = new ResultsCollector()
    collector.recap({ web1: emptyStats() }, { web1: { deployed: 1 }, _run: { total: 3 } })
    expect(collector.document.custom_stats).toEqual({ web1: { deployed: 1 }, _run: { total: 3 } })
    const summary = renderJobSummary(collector.document, { now: 0 })
    expect(summary).toContain('### Custom stats')
    expect(summary).toContain('| web1 | `{"deployed": 1}` |')
    expect(summary).toContain('| run | `{"total": 3}` |')
    const none = new ResultsCollector()
    none.recap({ web1: emptyStats() })
    expect(none.document.custom_stats).toBeUndefined()
    expect(renderJobSummary(none.document, { now: 0 })).not.toContain('Custom stats')
  })
})

describe('set_stats', () => {
  it("returns Ansible's ansible_stats with its defaults, and refuses data that is not a mapping or a bad name", async () => {
    const { result } = await runModuleOn(setStatsModule, { data: { a: 1 }, per_host: 'yes' })
    expect(result['ansible_stats']).toEqual({ data: { a: 1 }, per_host: true, aggregate: true })
    expect((await runModuleOn(setStatsModule, { data: 'x' })).result['msg']).toBe(
      "The 'data' option needs to be a dictionary/hash"
    )
    expect((await runModuleOn(setStatsModule, { data: { 'bad-name': 1 } })).result['msg']).toMatch(
      /^The variable name 'bad-name' is not valid/
    )
  })
})
