// Unit: the action's log groups and no_log masks, read back through the model of the runner's parser.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { groupingEvents, noLogMasking } from '../../src/action/grouping.js'
import type { HostTaskOutcome, TaskInfo } from '../../src/executor/events.js'
import { groupProblem, readRunnerLog } from '../helpers/runner-log.js'

let stdout = ''
beforeEach(() => {
  stdout = ''
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk)
    return true
  })
})
afterEach(() => vi.restoreAllMocks())

const task = (name: string, extra: Partial<TaskInfo> = {}): TaskInfo => ({
  name,
  module: 'shell',
  noLog: false,
  ...extra
})

describe('groupingEvents', () => {
  it('opens one group per task, closes it on close(), and opens none afterwards', () => {
    const grouping = groupingEvents()
    grouping.playStart('p', undefined)
    grouping.taskStart(task('one'))
    grouping.taskStart(task('two', { handler: true }))
    grouping.close()
    grouping.taskStart(task('after cancel'))
    grouping.close()
    const log = readRunnerLog(stdout)
    expect(log.commands.map((c) => `${c.name} ${c.data}`.trim())).toEqual([
      'group TASK [one]',
      'endgroup',
      'group RUNNING HANDLER [two]',
      'endgroup'
    ])
    expect(groupProblem(log.commands)).toBeUndefined()
  })

  it('shows a rendered task name on one line, inert', () => {
    const grouping = groupingEvents()
    grouping.taskStart(task('deploy ::stop-commands::x\n##[error]y\r\x1b[2J'))
    grouping.close()
    const log = readRunnerLog(stdout)
    expect(log.commands.map((c) => c.name)).toEqual(['group', 'endgroup'])
    expect(log.commands[0]!.data).toBe('TASK [deploy ::stop-commands::x\\n##\\[error]y\\r\\x1b[2J]')
  })
})

describe('noLogMasking', () => {
  it('masks each value of a no_log result as the log shows it, once', () => {
    const events = noLogMasking()
    const outcome: HostTaskOutcome = {
      host: 'web1',
      status: 'ok',
      ignored: false,
      durationMs: 1,
      result: { stdout: 'tok"en-1\r\nline two', nested: ['tok"en-1', { deep: 'a\rb\x1bc' }] }
    }
    events.hostResult(task('secret', { noLog: true }), outcome)
    events.hostResult(task('not secret'), { ...outcome, result: { stdout: 'public-value' } })
    const masks = readRunnerLog(stdout).masks
    // The value, each line of it, as printed with control characters shown, and inside JSON strings.
    for (const shown of [
      'tok"en-1',
      'tok\\"en-1',
      'line two',
      'a\\rb\\x1bc',
      'a\\rb\\u001bc',
      'b\\x1bc'
    ])
      expect(masks).toContain(shown)
    expect(masks).not.toContain('public-value')
    expect(new Set(masks).size).toBe(masks.length)
  })
})
