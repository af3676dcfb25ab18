// Unit: Handlers, the handler bookkeeping of one batch: who was notified of what, and what a flush runs.
import { describe, expect, it } from 'vitest'
import { PlaybookError } from '../../src/errors.js'
import { Handlers } from '../../src/executor/handlers.js'
import { VariableManager, type PlayContext } from '../../src/executor/variables.js'
import { loadInventory } from '../../src/inventory/inventory.js'
import { plainTask, type Task } from '../../src/playbook/types.js'
import { Templar } from '../../src/template/index.js'

const BATCH = ['web1', 'web2', 'web3']

function handler(name: string, line: number, extra: Partial<Task> = {}): Task {
  return plainTask({
    name,
    named: true,
    module: 'debug',
    args: {},
    location: { file: 'pb.yml', line },
    ...extra
  })
}

function task(notify: string[]): Task {
  return plainTask({
    name: 'change',
    named: true,
    module: 'command',
    args: {},
    location: { file: 'pb.yml', line: 1 },
    notify
  })
}

function handlersOf(list: Task[], options: { errorOnMissing?: boolean; force?: boolean } = {}) {
  const warnings: string[] = []
  const templar = new Templar()
  const playContext: PlayContext = {
    playVars: { which: 'second' },
    playHosts: BATCH,
    playBatch: BATCH,
    playbookDir: '/tmp'
  }
  const handlers = new Handlers(list, options.force ?? false, {
    templar,
    variables: new VariableManager(loadInventory(['web1\nweb2\nweb3\n']), templar, {}),
    playContext,
    warning: (message) => warnings.push(message),
    errorOnMissing: options.errorOnMissing ?? true
  })
  return { handlers, warnings }
}

/** Runs a flush, calling `ran` for each due handler, and returns what ran on which hosts. */
function flush(
  handlers: Handlers,
  options: { only?: string[]; eligible?: (host: string) => boolean } = {},
  ran: (name: string) => void = () => {}
): Array<[string, string[]]> {
  const out: Array<[string, string[]]> = []
  for (const { handler, hosts } of handlers.due(
    BATCH,
    options.only,
    options.eligible ?? (() => true)
  )) {
    out.push([handler.name, hosts])
    ran(handler.name)
  }
  return out
}

describe('Handlers', () => {
  it('runs notified handlers once, in the order they are defined, on the hosts notified', () => {
    const first = handler('first', 10)
    const second = handler('second', 11, { listen: ['topic'] })
    const { handlers } = handlersOf([first, second])
    handlers.notify(task(['topic']), ['web2'])
    handlers.notify(task(['first', 'topic']), ['web1'])
    expect(flush(handlers)).toEqual([
      ['first', ['web1']],
      ['second', ['web1', 'web2']]
    ])
    // Run once: nothing is left for the next flush.
    expect(flush(handlers)).toEqual([])
  })

  it('notifies nothing for a task that changed nothing', () => {
    const { handlers } = handlersOf([handler('h', 10)])
    handlers.notify(task(['h']), [])
    expect(flush(handlers)).toEqual([])
  })

  it('runs a handler notified by an earlier one in the same flush, an earlier one at the next', () => {
    const early = handler('early', 10)
    const late = handler('late', 11)
    const { handlers } = handlersOf([early, late])
    handlers.notify(task(['early']), ['web1'])
    expect(
      flush(handlers, {}, (name) => {
        if (name === 'early') handlers.notify(task(['late', 'early']), ['web1'])
      })
    ).toEqual([
      ['early', ['web1']],
      ['late', ['web1']]
    ])
    // The hosts that ran `early` are no longer notified of it, though it notified itself meanwhile.
    expect(flush(handlers)).toEqual([])
  })

  it('flushes only the hosts asked, and forgets the notification of hosts that may not run it', () => {
    const h = handler('h', 10)
    const { handlers } = handlersOf([h])
    handlers.notify(task(['h']), BATCH)
    expect(
      flush(handlers, { only: ['web1', 'web2'], eligible: (host) => host !== 'web2' })
    ).toEqual([['h', ['web1']]])
    // web2 was flushing but could not run it: its notification is gone; web3 was not flushing.
    expect(flush(handlers)).toEqual([['h', ['web3']]])
  })

  it('keeps the hosts notified when the flush stops early, minus those that ran', () => {
    const a = handler('a', 10)
    const b = handler('b', 11)
    const { handlers } = handlersOf([a, b])
    handlers.notify(task(['a', 'b']), ['web1'])
    for (const due of handlers.due(BATCH, undefined, () => true)) {
      expect(due.handler).toBe(a)
      break
    }
    expect(flush(handlers)).toEqual([['b', ['web1']]])
  })

  it('renders a templated handler name once with the play variables', () => {
    const { handlers } = handlersOf([handler('restart {{ which }}', 10)])
    handlers.notify(task(['restart second']), ['web1'])
    expect(flush(handlers)).toEqual([['restart {{ which }}', ['web1']]])
  })

  it('refuses a notify that reaches no handler, or warns with ANSIBLE_ERROR_ON_MISSING_HANDLER off', () => {
    const strict = handlersOf([handler('h', 10)])
    expect(() => strict.handlers.notify(task(['nope']), ['web1'])).toThrow(PlaybookError)
    expect(() => strict.handlers.notify(task(['nope']), ['web1'])).toThrow(
      "The requested handler 'nope' was not found in either the main handlers list nor in the listening handlers list"
    )
    const lenient = handlersOf([handler('h', 10)], { errorOnMissing: false })
    lenient.handlers.notify(task(['nope']), ['web1'])
    expect(lenient.warnings).toEqual([
      "The requested handler 'nope' was not found in either the main handlers list nor in the listening handlers list"
    ])
  })

  it('lets a handler an include brings in replace its copies, taking over their notifications', () => {
    const role = { name: 'web', path: '/roles/web', defaults: {}, vars: {}, params: {} }
    const fromRoles = handler('restart', 20, { role })
    const other = handler('other', 10)
    const { handlers } = handlersOf([other, fromRoles])
    handlers.notify(task(['restart']), ['web2'])
    const included = handler('restart', 20, { role, vars: { from: 'include' } })
    handlers.add(included)
    const order: Task[] = []
    for (const { handler: h } of handlers.due(BATCH, undefined, () => true)) order.push(h)
    expect(order).toEqual([included])
    handlers.add(handler('new', 30))
    handlers.notify(task(['new', 'restart']), ['web1'])
    expect(flush(handlers)).toEqual([
      ['restart', ['web1']],
      ['new', ['web1']]
    ])
  })

  it('says whether failed hosts still run their handlers (force_handlers)', () => {
    expect(handlersOf([], { force: true }).handlers.force).toBe(true)
    expect(handlersOf([]).handlers.force).toBe(false)
  })
})
