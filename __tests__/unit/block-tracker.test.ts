// BlockTracker: Ansible's block/rescue/always over the loader's flattened task list, per host. The cases
// mirror ansible-playbook 2.14's iterator (checked against it in the differential fixtures
// semantics-blocks.yml and semantics-fatal.yml).
import { describe, expect, it } from 'vitest'
import { BlockTracker } from '../../src/executor/block-tracker.js'
import { MODULE_CATALOG } from '../../src/modules/registry.js'
import { parsePlaybookText } from '../../src/playbook/playbook-loader.js'
import type { Task } from '../../src/playbook/types.js'

/** The tasks of a one-play playbook (without the implicit flushes), by name. */
function load(tasks: string): Map<string, Task> & { list: Task[] } {
  const play = parsePlaybookText(
    `- hosts: all\n  tasks:\n${tasks}`,
    'pb.yml',
    '/tmp',
    MODULE_CATALOG
  ).plays[0]!
  const list = play.tasks.filter((t) => !t.implicit)
  return Object.assign(new Map(list.map((t) => [t.name, t])), { list })
}

/** Walks the list for one host, failing the tasks named in `failing`; returns what it ran and how it ended. */
function walk(
  tasks: Map<string, Task> & { list: Task[] },
  failing: string[],
  tracker = new BlockTracker(tasks.list)
): { ran: string[]; counted: string[]; failed: boolean } {
  const ran: string[] = []
  const counted: string[] = []
  let previous: Task | undefined
  for (const task of [...tasks.list, undefined]) {
    if (tracker.leave(previous, task, ['h']).length > 0) return { ran, counted, failed: true }
    if (!task) break
    previous = task
    if (!tracker.runs('h', task)) continue
    ran.push(task.name)
    if (!failing.includes(task.name)) continue
    const verdict = tracker.fail('h', task)
    counted.push(verdict.counted)
    if (verdict.fatal) return { ran, counted, failed: true }
  }
  return { ran, counted, failed: false }
}

describe('a rescue or always made of a nested block', () => {
  const tasks = load(`    - block:
        - { name: fails, command: "false" }
        - { name: skipped, command: "true" }
      rescue:
        - block:
            - { name: rescue one, command: "true" }
            - { name: rescue two, command: "true" }
      always:
        - block:
            - { name: always one, command: "true" }
    - { name: after, command: "true" }
`)

  it('rescues the failure (counted rescued) and carries on', () => {
    expect(walk(tasks, ['fails'])).toEqual({
      ran: ['fails', 'rescue one', 'rescue two', 'always one', 'after'],
      counted: ['rescued'],
      failed: false
    })
  })

  it('fails the host when a task of the nested rescue fails, after the always', () => {
    expect(walk(tasks, ['fails', 'rescue one'])).toEqual({
      ran: ['fails', 'rescue one', 'always one'],
      counted: ['rescued', 'failed'],
      failed: true
    })
  })
})

describe('what any_errors_fatal sees right after a failure (failedNow)', () => {
  const tasks = load(`    - block:
        - block:
            - { name: in inner, command: "false" }
          rescue:
            - { name: inner rescue, command: "false" }
        - { name: outer rest, command: "true" }
      always:
        - { name: outer always, command: "true" }
    - block:
        - { name: alone, command: "false" }
    - block:
        - { name: with always, command: "false" }
      always:
        - { name: its always, command: "true" }
`)

  it('is false while a rescue or always list of the same block is left', () => {
    const tracker = new BlockTracker(tasks.list)
    expect(tracker.fail('h', tasks.get('in inner')!).failedNow).toBe(false)
    expect(tracker.fail('h', tasks.get('with always')!).failedNow).toBe(false)
  })

  it("is true for a failed rescue whose block has no always, even with an outer block's always left", () => {
    const tracker = new BlockTracker(tasks.list)
    tracker.fail('h', tasks.get('in inner')!)
    expect(tracker.fail('h', tasks.get('inner rescue')!)).toEqual({
      counted: 'failed',
      fatal: false,
      failedNow: true
    })
    expect(tracker.fail('h', tasks.get('alone')!).failedNow).toBe(true)
  })
})

describe('a handler that fails at a flush inside a block (failHandler)', () => {
  const tasks = load(`    - block:
        - block:
            - { name: flush inner, meta: flush_handlers }
            - { name: inner rest, command: "true" }
          rescue:
            - { name: inner rescue, command: "true" }
        - { name: top rest, command: "true" }
      rescue:
        - { name: top rescue, meta: flush_handlers }
        - { name: top rescue rest, command: "true" }
      always:
        - { name: top always, meta: flush_handlers }
        - { name: top always rest, command: "true" }
    - block:
        - { name: flush no rescue, meta: flush_handlers }
        - { name: skipped, command: "true" }
      always:
        - { name: only always, meta: flush_handlers }
        - { name: always rest, command: "true" }
    - { name: outside, meta: flush_handlers }
`)

  it("moves the outermost block to its rescue (a nested block's rescue makes it count as rescued)", () => {
    const tracker = new BlockTracker(tasks.list)
    expect(tracker.failHandler('h', tasks.get('flush inner')!)).toEqual({
      counted: 'rescued',
      fatal: false,
      failedNow: false
    })
    expect(tracker.runs('h', tasks.get('inner rest')!)).toBe(false)
    expect(tracker.runs('h', tasks.get('inner rescue')!)).toBe(false)
    expect(tracker.runs('h', tasks.get('top rest')!)).toBe(false)
    expect(tracker.runs('h', tasks.get('top rescue')!)).toBe(true)
  })

  it('goes on with the rescue or always list it failed in when the block has a rescue', () => {
    for (const at of ['top rescue', 'top always']) {
      const tracker = new BlockTracker(tasks.list)
      tracker.fail('h', tasks.get('top rest')!)
      expect(tracker.failHandler('h', tasks.get(at)!).counted).toBe('failed')
      expect(tracker.runs('h', tasks.get(`${at} rest`)!)).toBe(true)
      expect(
        tracker.leave(tasks.get('top always rest'), tasks.get('flush no rescue'), ['h'])
      ).toEqual([])
    }
  })

  it('runs the always list, then fails the host, in a block without a rescue', () => {
    for (const at of ['flush no rescue', 'only always']) {
      const tracker = new BlockTracker(tasks.list)
      expect(tracker.failHandler('h', tasks.get(at)!).fatal).toBe(false)
      expect(tracker.runs('h', tasks.get('always rest')!)).toBe(true)
      expect(tracker.leave(tasks.get('always rest'), tasks.get('outside'), ['h'])).toEqual(['h'])
    }
  })

  it('fails the host at once outside any block', () => {
    expect(new BlockTracker(tasks.list).failHandler('h', tasks.get('outside')!)).toEqual({
      counted: 'failed',
      fatal: true,
      failedNow: true
    })
  })
})

describe('meta: clear_host_errors (clear)', () => {
  const tasks = load(`    - block:
        - { name: fails, command: "false" }
        - { name: skipped, command: "true" }
      always:
        - { name: clear, meta: clear_host_errors }
    - { name: after, command: "true" }
`)

  it('keeps a host whose block failed in play once its always list cleared the errors', () => {
    const tracker = new BlockTracker(tasks.list)
    tracker.fail('h', tasks.get('fails')!)
    expect(tracker.runs('h', tasks.get('skipped')!)).toBe(false)
    tracker.clear('h')
    expect(tracker.leave(tasks.get('clear'), tasks.get('after'), ['h'])).toEqual([])
  })

  it('counts a failure after the clearing again', () => {
    const tracker = new BlockTracker(tasks.list)
    tracker.fail('h', tasks.get('fails')!)
    tracker.clear('h')
    tracker.fail('h', tasks.get('clear')!)
    expect(tracker.leave(tasks.get('clear'), tasks.get('after'), ['h'])).toEqual(['h'])
  })
})

describe('BlockTracker.stateOf', () => {
  const tasks = load(`    - block:
        - { name: b, command: "true" }
      rescue:
        - { name: r, command: "true" }
        - block:
            - { name: nested in rescue, command: "true" }
      always:
        - { name: a, command: "true" }
    - { name: plain, command: "true" }
`)
  it('names the list the task sits in (the innermost one)', () => {
    expect(
      ['b', 'r', 'nested in rescue', 'a', 'plain'].map((n) => BlockTracker.stateOf(tasks.get(n)))
    ).toEqual(['tasks', 'rescue', 'tasks', 'always', 'tasks'])
    expect(BlockTracker.stateOf(undefined)).toBe('complete')
  })
})
