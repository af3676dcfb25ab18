import { AsyncJobs } from '../../src/async/async-jobs.js'
import { JobRegistry } from '../../src/async/job-registry.js'
import { describe, expect, it } from 'vitest'
import type { Connection } from '../../src/connection/connection.js'
import { ConnectionError } from '../../src/errors.js'
import type { HostTaskOutcome, RunEvents, TaskInfo } from '../../src/executor/events.js'
import { runTaskOnHost, type TaskHostContext } from '../../src/executor/task-runner.js'
import { untypedOptions } from '../../src/modules/arg-spec.js'
import type { ModuleContext, ModuleDefinition, ModuleResult } from '../../src/modules/module.js'
import type { Task } from '../../src/playbook/types.js'
import { Templar } from '../../src/template/index.js'

/** A module that answers from a list of results (the last one repeats) and records its arguments. */
function scriptedModule(
  results: Array<ModuleResult | ((ctx: ModuleContext) => ModuleResult | Promise<ModuleResult>)>,
  options: Partial<ModuleDefinition> = {}
) {
  const calls: Array<Record<string, unknown>> = []
  const module: ModuleDefinition = {
    name: 'fake',
    args: { unknown: 'any', options: {} },
    supportsCheckMode: false,
    ...options,
    async run(ctx) {
      calls.push(ctx.args)
      const next = results[Math.min(calls.length - 1, results.length - 1)]!
      return typeof next === 'function' ? next(ctx) : { ...next }
    }
  }
  return { module, calls }
}

function makeTask(overrides: Partial<Task> = {}): Task {
  return {
    name: 'a task',
    named: true,
    module: 'fake',
    args: {},
    location: { file: 'site.yml', line: 3 },
    when: [],
    loopControl: { loopVar: 'item' },
    until: [],
    failedWhen: [],
    changedWhen: [],
    vars: {},
    tags: [],
    ...overrides
  }
}

interface Recorded {
  items: HostTaskOutcome[]
  retries: Array<{ retriesLeft: number; result: Record<string, unknown> }>
  sleeps: number[]
}

async function runTask(
  task: Task,
  module: ModuleDefinition,
  options: {
    vars?: Record<string, unknown>
    connection?: () => Promise<Connection>
    play?: TaskHostContext['play']
  } = {}
) {
  const recorded: Recorded = { items: [], retries: [], sleeps: [] }
  const events: RunEvents = {
    playStart() {},
    taskStart() {},
    itemResult: (_task, outcome) => recorded.items.push(outcome),
    hostResult() {},
    retrying: (_task, _host, retriesLeft, result) =>
      recorded.retries.push({ retriesLeft, result: { ...result } }),
    noMoreHosts() {},
    log() {},
    warning() {},
    recap() {}
  }
  const info: TaskInfo = { name: task.name, module: task.module, noLog: false }
  const vars = options.vars ?? {}
  const connect =
    options.connection ??
    (async () => {
      throw new Error('this test opens no connection')
    })
  const ctx: TaskHostContext = {
    task,
    info,
    host: 'web1',
    module,
    templar: new Templar(),
    events,
    scope: (locals = {}) => ({ inventory_hostname: 'web1', ...vars, ...locals }),
    connection: {
      get: connect,
      reconnect: connect,
      identity: () => undefined,
      as: connect
    },
    stripOmitted: (args) => args,
    asyncJobs: new AsyncJobs(new JobRegistry()),
    aborted: () => false,
    playEnvironment: undefined,
    commandTimeoutMs: 30_000,
    baseDir: '/base',
    sleep: async (ms) => {
      recorded.sleeps.push(ms)
    },
    ...(options.play ? { play: options.play } : {})
  }
  const outcome = await runTaskOnHost(ctx)
  return { outcome, result: outcome.result, recorded }
}

describe('when', () => {
  it('skips with Ansible’s result shape when a condition is false', async () => {
    const { module, calls } = scriptedModule([{ changed: true }])
    const { outcome } = await runTask(makeTask({ when: ['x is defined', 'x > 5'] }), module, {
      vars: { x: 1 }
    })
    expect(calls).toHaveLength(0)
    expect(outcome.status).toBe('skipped')
    expect(outcome.result).toEqual({
      changed: false,
      false_condition: 'x > 5',
      skip_reason: 'Conditional result was False',
      skipped: true
    })
  })

  it('runs when every condition holds, and fails clearly on an undefined variable', async () => {
    const { module } = scriptedModule([{ changed: true }])
    expect(
      (await runTask(makeTask({ when: ['x == 1'] }), module, { vars: { x: 1 } })).outcome.status
    ).toBe('changed')
    const { outcome } = await runTask(makeTask({ when: ['nope == 1'] }), module)
    expect(outcome.status).toBe('failed')
    expect(outcome.result['msg']).toContain("The conditional check 'nope == 1' failed")
    expect(outcome.result['msg']).toContain('nope')
  })
})

describe('until / retries', () => {
  it('stops at the first attempt whose result satisfies until, counting attempts', async () => {
    const { module, calls } = scriptedModule([{ rc: 1 }, { rc: 1 }, { rc: 0, stdout: 'ready' }])
    const task = makeTask({ register: 'r', until: ['r.rc == 0'], retries: 5, delay: 2 })
    const { outcome, recorded } = await runTask(task, module)
    expect(calls).toHaveLength(3)
    expect(outcome.status).toBe('ok')
    expect(outcome.result).toMatchObject({ attempts: 3, failed: false, stdout: 'ready' })
    expect(recorded.retries.map((r) => r.retriesLeft)).toEqual([5, 4])
    expect(recorded.retries[0]!.result['rc']).toBe(1)
    expect(recorded.sleeps).toEqual([2000, 2000])
  })

  it('fails after retries + 1 attempts, reporting attempts = retries', async () => {
    const { module, calls } = scriptedModule([{ rc: 1 }])
    const task = makeTask({ register: 'r', until: ['r.rc == 0'], retries: 2, delay: 0 })
    const { outcome, recorded } = await runTask(task, module)
    expect(calls).toHaveLength(3)
    expect(outcome.status).toBe('failed')
    expect(outcome.result).toMatchObject({ attempts: 2, failed: true, rc: 1 })
    expect(recorded.retries.map((r) => r.retriesLeft)).toEqual([2, 1])
  })

  it('defaults to 3 retries and 5 seconds when only until is given', async () => {
    const { module, calls } = scriptedModule([{ rc: 1 }])
    const { outcome, recorded } = await runTask(
      makeTask({ register: 'r', until: ['r.rc == 0'] }),
      module
    )
    expect(calls).toHaveLength(4)
    expect(outcome.result['attempts']).toBe(3)
    expect(recorded.sleeps).toEqual([5000, 5000, 5000])
  })

  it('retries a failing task without until until it succeeds', async () => {
    const { module, calls } = scriptedModule([
      { failed: true, msg: 'no' },
      { rc: 0, changed: true }
    ])
    const { outcome } = await runTask(makeTask({ retries: 3, delay: 1 }), module)
    expect(calls).toHaveLength(2)
    expect(outcome.status).toBe('changed')
    expect(outcome.result['attempts']).toBe(2)
  })

  it('sets failed from rc when a module does not say', async () => {
    const { module } = scriptedModule([{ rc: 2 }])
    expect((await runTask(makeTask(), module)).outcome.status).toBe('failed')
  })
})

describe('changed_when / failed_when', () => {
  it('overrides changed from the registered result', async () => {
    const { module } = scriptedModule([{ rc: 0, changed: true, stdout: 'nothing to do' }])
    const task = makeTask({ register: 'r', changedWhen: ["'updated' in r.stdout"] })
    const { outcome } = await runTask(task, module)
    expect(outcome.status).toBe('ok')
    expect(outcome.result['changed']).toBe(false)
  })

  it('fails when failed_when holds and records failed_when_result', async () => {
    const { module } = scriptedModule([{ rc: 0, stdout: 'ERROR: disk full' }])
    const task = makeTask({ register: 'r', failedWhen: ["'ERROR' in r.stdout"] })
    const { outcome } = await runTask(task, module)
    expect(outcome.status).toBe('failed')
    expect(outcome.result).toMatchObject({ failed: true, failed_when_result: true })
  })

  it('lets failed_when: false turn a failure into success', async () => {
    const { module } = scriptedModule([
      { rc: 3, failed: true, msg: 'non-zero return code', changed: true }
    ])
    const { outcome } = await runTask(makeTask({ failedWhen: [false] }), module)
    expect(outcome.status).toBe('changed')
    expect(outcome.result).toMatchObject({ failed: false, failed_when_result: false, rc: 3 })
  })

  it('ANDs a list of failed_when conditions', async () => {
    const { module } = scriptedModule([{ rc: 1 }])
    const task = makeTask({ register: 'r', failedWhen: ['r.rc != 0', 'r.rc != 1'] })
    expect((await runTask(task, module)).outcome.status).toBe('ok')
  })
})

describe('loops', () => {
  it('aggregates item results under results with "All items completed"', async () => {
    const { module, calls } = scriptedModule([
      (ctx) => ({ changed: ctx.args['n'] === 2, echoed: ctx.args['n'] })
    ])
    const task = makeTask({ args: { n: '{{ item }}' }, loop: { value: [1, 2, 3], flatten: false } })
    const { outcome, recorded } = await runTask(task, module)
    expect(calls).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }])
    expect(outcome.status).toBe('changed')
    expect(outcome.result).toMatchObject({
      changed: true,
      skipped: false,
      msg: 'All items completed'
    })
    const results = outcome.result['results'] as ModuleResult[]
    expect(results.map((r) => [r['item'], r['echoed'], r['ansible_loop_var']])).toEqual([
      [1, 1, 'item'],
      [2, 2, 'item'],
      [3, 3, 'item']
    ])
    expect(recorded.items.map((i) => [i.status, i.item?.label])).toEqual([
      ['ok', '1'],
      ['changed', '2'],
      ['ok', '3']
    ])
  })

  it('fails the task with "One or more items failed" but runs every item', async () => {
    const { module, calls } = scriptedModule([
      (ctx) => (ctx.args['n'] === 'b' ? { failed: true, msg: 'bad b' } : { changed: false })
    ])
    const task = makeTask({
      args: { n: '{{ item }}' },
      loop: { value: ['a', 'b', 'c'], flatten: false }
    })
    const { outcome } = await runTask(task, module)
    expect(calls).toHaveLength(3)
    expect(outcome.status).toBe('failed')
    expect(outcome.result).toMatchObject({ failed: true, msg: 'One or more items failed' })
  })

  it('skips the task with "All items skipped" when when is false for every item', async () => {
    const { module, calls } = scriptedModule([{ changed: true }])
    const task = makeTask({ when: ['item > 5'], loop: { value: [1, 2], flatten: false } })
    const { outcome, recorded } = await runTask(task, module)
    expect(calls).toHaveLength(0)
    expect(outcome.status).toBe('skipped')
    expect(outcome.result).toMatchObject({
      skipped: true,
      changed: false,
      msg: 'All items skipped'
    })
    expect(recorded.items.map((i) => i.status)).toEqual(['skipped', 'skipped'])
  })

  it('skips an empty loop with skipped_reason', async () => {
    const { module, calls } = scriptedModule([{ changed: true }])
    const { outcome } = await runTask(
      makeTask({ loop: { value: '{{ empty }}', flatten: false } }),
      module,
      {
        vars: { empty: [] }
      }
    )
    expect(calls).toHaveLength(0)
    expect(outcome.status).toBe('skipped')
    expect(outcome.result).toEqual({
      changed: false,
      skipped: true,
      skipped_reason: 'No items in the list',
      results: []
    })
  })

  it('flattens one level for with_items only', async () => {
    const flat = scriptedModule([{}])
    await runTask(
      makeTask({ args: { v: '{{ item }}' }, loop: { value: [[1, 2], 3], flatten: true } }),
      flat.module
    )
    expect(flat.calls.map((c) => c['v'])).toEqual([1, 2, 3])
    const nested = scriptedModule([{}])
    await runTask(
      makeTask({ args: { v: '{{ item }}' }, loop: { value: [[1, 2], 3], flatten: false } }),
      nested.module
    )
    expect(nested.calls.map((c) => c['v'])).toEqual([[1, 2], 3])
  })

  it('refuses a loop over something that is not a list', async () => {
    const { module } = scriptedModule([{}])
    const { outcome } = await runTask(makeTask({ loop: { value: 'abc', flatten: false } }), module)
    expect(outcome.status).toBe('failed')
    expect(outcome.result['msg']).toContain("Invalid data passed to 'loop', it requires a list")
  })

  it('honours loop_control loop_var, index_var and label', async () => {
    const { module, calls } = scriptedModule([{}])
    const task = makeTask({
      args: { v: '{{ pkg.name }}#{{ idx }}' },
      loop: { value: [{ name: 'nginx' }, { name: 'curl' }], flatten: false },
      loopControl: { loopVar: 'pkg', indexVar: 'idx', label: '{{ pkg.name }}' }
    })
    const { outcome, recorded } = await runTask(task, module)
    expect(calls.map((c) => c['v'])).toEqual(['nginx#0', 'curl#1'])
    const results = outcome.result['results'] as ModuleResult[]
    expect(results[1]).toMatchObject({
      pkg: { name: 'curl' },
      idx: 1,
      ansible_loop_var: 'pkg',
      ansible_index_var: 'idx'
    })
    expect(recorded.items.map((i) => i.item?.label)).toEqual(['nginx', 'curl'])
  })

  it('pauses between items with loop_control.pause, through ctx.sleep', async () => {
    const { module } = scriptedModule([{}])
    const task = makeTask({
      loop: { value: [1, 2, 3], flatten: false },
      loopControl: { loopVar: 'item', pause: 2 }
    })
    const { recorded } = await runTask(task, module)
    expect(recorded.sleeps).toEqual([2000, 2000])
  })
})

describe('errors', () => {
  it('marks a failure as ignored with ignore_errors', async () => {
    const { module } = scriptedModule([{ failed: true, msg: 'boom' }])
    const { outcome } = await runTask(makeTask({ ignoreErrors: true }), module)
    expect(outcome.status).toBe('failed')
    expect(outcome.ignored).toBe(true)
    const plain = await runTask(makeTask(), module)
    expect(plain.outcome.ignored).toBe(false)
  })

  it('reports a host whose connection fails as unreachable, not failed', async () => {
    const { module } = scriptedModule([
      async (ctx) => {
        await ctx.connection()
        return { changed: true }
      }
    ])
    const { outcome } = await runTask(makeTask(), module, {
      connection: async () => {
        throw new ConnectionError(
          'ssh: connect to host 10.0.0.9 port 22: Connection refused',
          'web1'
        )
      }
    })
    expect(outcome.status).toBe('unreachable')
    expect(outcome.result).toMatchObject({ unreachable: true, changed: false })
    expect(outcome.result['msg']).toContain('Connection refused')
  })

  it('ignore_errors does not hide an unreachable host', async () => {
    const { module } = scriptedModule([
      async (ctx) => {
        await ctx.connection()
        return {}
      }
    ])
    const { outcome } = await runTask(makeTask({ ignoreErrors: true }), module, {
      connection: async () => {
        throw new ConnectionError('timed out', 'web1')
      }
    })
    expect(outcome.status).toBe('unreachable')
    expect(outcome.ignored).toBe(false)
  })

  it('fails the task with the template error when an argument cannot be rendered', async () => {
    const { module, calls } = scriptedModule([{}])
    const { outcome } = await runTask(
      makeTask({ args: { msg: 'value is {{ missing_var }}' } }),
      module
    )
    expect(calls).toHaveLength(0)
    expect(outcome.status).toBe('failed')
    expect(outcome.result['msg']).toContain('missing_var')
    expect(outcome.result['msg']).toContain('undefined')
  })

  it('refuses an argument the module does not accept, listing the supported ones', async () => {
    const { module, calls } = scriptedModule([{}], {
      args: { options: untypedOptions('_raw_params', 'chdir', 'creates') }
    })
    const { outcome } = await runTask(makeTask({ args: { chdri: '/tmp' } }), module)
    expect(calls).toHaveLength(0)
    expect(outcome.result['msg']).toBe(
      'Unsupported parameters for (fake) module: chdri. Supported parameters include: _raw_params, chdir, creates.'
    )
  })

  it('does not template raw arguments (expressions evaluated by the module)', async () => {
    const { module, calls } = scriptedModule([{}], {
      args: { unknown: 'any', options: { that: { type: 'raw', expression: true } } }
    })
    await runTask(makeTask({ args: { that: '{{ x }} == 1', other: '{{ x }}' } }), module, {
      vars: { x: 1 }
    })
    expect(calls[0]).toEqual({ that: '{{ x }} == 1', other: 1 })
  })
})

describe('failed_when decides the status (Ansible’s TaskResult.is_failed)', () => {
  it('an until whose retries run out with failed_when false is changed, its result still failed', async () => {
    const { module, calls } = scriptedModule([{ rc: 0, changed: true }])
    const task = makeTask({
      register: 'r',
      until: [false],
      retries: 2,
      delay: 0,
      failedWhen: [false]
    })
    const { outcome } = await runTask(task, module)
    expect(calls).toHaveLength(3)
    expect(outcome.status).toBe('changed')
    expect(outcome.ignored).toBe(false)
    expect(outcome.result).toMatchObject({ attempts: 2, failed: true, failed_when_result: false })
  })

  it('a loop whose items all have failed_when false succeeds though its result says failed', async () => {
    const { module } = scriptedModule([{ rc: 0 }])
    const task = makeTask({
      loop: { value: [1, 2], flatten: false },
      until: [false],
      retries: 1,
      delay: 0,
      failedWhen: [false]
    })
    const { outcome, recorded } = await runTask(task, module)
    expect(outcome.status).toBe('ok')
    expect(outcome.result).toMatchObject({ failed: true, msg: 'One or more items failed' })
    expect(recorded.items.map((i) => i.status)).toEqual(['ok', 'ok'])
  })

  it('a loop fails when one item’s failed_when holds, whatever the other items say', async () => {
    const { module } = scriptedModule([{ rc: 0 }])
    const task = makeTask({ loop: { value: [1, 2], flatten: false }, failedWhen: ['item == 2'] })
    const { outcome, recorded } = await runTask(task, module)
    expect(outcome.status).toBe('failed')
    expect(recorded.items.map((i) => i.status)).toEqual(['ok', 'failed'])
  })

  it('a failed_when that cannot be evaluated keeps the module result and says why', async () => {
    const { module } = scriptedModule([{ rc: 0, stdout: 'foo', changed: true }])
    const task = makeTask({ register: 'r', failedWhen: ['nosuch == 1'], ignoreErrors: true })
    const { outcome } = await runTask(task, module)
    expect(outcome.status).toBe('failed')
    expect(outcome.ignored).toBe(true)
    expect(outcome.result).toMatchObject({ rc: 0, stdout: 'foo', changed: true, failed: true })
    expect(outcome.result['failed_when_result']).toMatch(
      /^The conditional check 'nosuch == 1' failed\. The error was: error while evaluating conditional \(nosuch == 1\): 'nosuch' is undefined/
    )
  })

  it('a changed_when that cannot be evaluated fails the task, keeping the result, and skips failed_when', async () => {
    const { module } = scriptedModule([{ rc: 0, stdout: 'foo' }])
    const task = makeTask({ changedWhen: ['nosuch'], failedWhen: [false] })
    const { outcome } = await runTask(task, module)
    expect(outcome.status).toBe('failed')
    expect(outcome.result).toMatchObject({ stdout: 'foo', failed: true })
    expect(outcome.result['changed_when_result']).toContain("'nosuch' is undefined")
    expect(outcome.result).not.toHaveProperty('failed_when_result')
  })

  it('does not judge a result the module skipped', async () => {
    const { module } = scriptedModule([{ skipped: true, changed: false, msg: 'skipped' }])
    const { outcome } = await runTask(makeTask({ failedWhen: ['true'] }), module)
    expect(outcome.status).toBe('skipped')
    expect(outcome.result).not.toHaveProperty('failed_when_result')
  })
})

describe('when before an undefined loop source', () => {
  const undefinedLoop = { value: '{{ nosuchvar }}', flatten: false }

  it('skips when `when` is false, with a plain skipped result (no items)', async () => {
    const { module, calls } = scriptedModule([{}])
    for (const loop of [undefinedLoop, { value: ['{{ nosuchvar }}'], flatten: true }]) {
      const { outcome } = await runTask(makeTask({ loop, when: [false] }), module)
      expect(outcome.status).toBe('skipped')
      expect(outcome.result).toMatchObject({
        changed: false,
        skipped: true,
        skip_reason: 'Conditional result was False'
      })
      expect(outcome.result).not.toHaveProperty('results')
    }
    const attr = await runTask(
      makeTask({ loop: { value: '{{ d.nope }}', flatten: false }, when: ['d.nope is defined'] }),
      module,
      { vars: { d: {} } }
    )
    expect(attr.outcome.status).toBe('skipped')
    expect(calls).toHaveLength(0)
  })

  it('fails with the loop’s error when `when` holds, needs the loop variable, or fails itself', async () => {
    const { module, calls } = scriptedModule([{}])
    for (const when of [
      [],
      [true],
      ['item == 1'],
      ['other_undefined'],
      ['other_undefined', false]
    ]) {
      const { outcome } = await runTask(makeTask({ loop: undefinedLoop, when }), module)
      expect(outcome.status, JSON.stringify(when)).toBe('failed')
      expect(outcome.result['msg'], JSON.stringify(when)).toContain("'nosuchvar' is undefined")
    }
    expect(calls).toHaveLength(0)
  })

  it('skips on the first false condition even if a later one cannot be evaluated', async () => {
    const { module } = scriptedModule([{}])
    const { outcome } = await runTask(
      makeTask({ loop: undefinedLoop, when: [false, 'other_undefined'] }),
      module
    )
    expect(outcome.status).toBe('skipped')
  })

  it('still refuses a loop source that is defined but not a list, whatever `when` says', async () => {
    const { module } = scriptedModule([{}])
    const { outcome } = await runTask(
      makeTask({ loop: { value: 'abc', flatten: false }, when: [false] }),
      module
    )
    expect(outcome.status).toBe('failed')
    expect(outcome.result['msg']).toContain("Invalid data passed to 'loop'")
  })
})

describe('what loop items leave for the items after them', () => {
  it('a set_fact item’s facts are seen by the next items', async () => {
    const { module, calls } = scriptedModule([
      (ctx) => ({ ansible_facts: { acc: ctx.args['acc'] }, changed: false })
    ])
    const task = makeTask({
      module: 'set_fact',
      args: { acc: '{{ acc + [item] }}' },
      loop: { value: [1, 2, 3], flatten: false }
    })
    await runTask(task, module, { vars: { acc: [] } })
    expect(calls.map((c) => c['acc'])).toEqual([[1], [1, 2], [1, 2, 3]])
  })

  it('what an item registers is seen by the next items; a skipped item registers nothing', async () => {
    const { module, calls } = scriptedModule([(ctx) => ({ stdout: String(ctx.args['n']) })])
    const task = makeTask({
      register: 'r',
      args: { n: '{{ item }}' },
      loop: { value: [1, 2, 3], flatten: false },
      when: ['r is not defined or r.item != 1']
    })
    const { recorded } = await runTask(task, module)
    // Item 2 sees item 1's result and skips; item 3 still sees item 1's (a skip registers nothing).
    expect(calls.map((c) => c['n'])).toEqual([1])
    expect(recorded.items.map((i) => i.status)).toEqual(['ok', 'skipped', 'skipped'])
  })

  it('loop_control.extended gives ansible_loop, with allitems unless extended_allitems is false', async () => {
    const { module, calls } = scriptedModule([(ctx) => ({ seen: ctx.args['loop'] })])
    const task = makeTask({
      args: { loop: '{{ ansible_loop }}' },
      loop: { value: ['a', 'b'], flatten: false },
      loopControl: { loopVar: 'item', extended: true }
    })
    const { outcome } = await runTask(task, module)
    expect(calls[0]!['loop']).toEqual({
      allitems: ['a', 'b'],
      first: true,
      index: 1,
      index0: 0,
      last: false,
      length: 2,
      nextitem: 'b',
      revindex: 2,
      revindex0: 1
    })
    expect(calls[1]!['loop']).toMatchObject({ last: true, previtem: 'a', index: 2 })
    expect(calls[1]!['loop']).not.toHaveProperty('nextitem')
    expect((outcome.result['results'] as ModuleResult[])[1]!['ansible_loop']).toMatchObject({
      index: 2
    })
    const without = scriptedModule([(ctx) => ({ seen: ctx.args['loop'] })])
    await runTask(
      makeTask({
        args: { loop: '{{ ansible_loop }}' },
        loop: { value: ['a'], flatten: false },
        loopControl: { loopVar: 'item', extended: true, extendedAllitems: false }
      }),
      without.module
    )
    expect(without.calls[0]!['loop']).not.toHaveProperty('allitems')
  })
})

describe('keywords the play hands down', () => {
  it('the play’s ignore_errors applies unless the task (or its block) says otherwise', async () => {
    const { module } = scriptedModule([{ failed: true, msg: 'boom' }])
    const play = { ignoreErrors: true }
    expect((await runTask(makeTask(), module, { play })).outcome.ignored).toBe(true)
    expect(
      (await runTask(makeTask({ ignoreErrors: false }), module, { play })).outcome.ignored
    ).toBe(false)
    expect(
      (
        await runTask(makeTask(), module, {
          play: { ignoreErrors: '{{ flag }}' },
          vars: { flag: false }
        })
      ).outcome.ignored
    ).toBe(false)
  })

  it('ignore_unreachable (the task’s or the play’s) marks an unreachable result ignored', async () => {
    const { module } = scriptedModule([
      async (ctx) => {
        await ctx.connection()
        return {}
      }
    ])
    const connection = async (): Promise<Connection> => {
      throw new ConnectionError('connection refused', 'web1')
    }
    for (const [task, play, ignored] of [
      [makeTask({ ignoreUnreachable: true }), undefined, true],
      [makeTask(), { ignoreUnreachable: true }, true],
      [makeTask({ ignoreUnreachable: false }), { ignoreUnreachable: true }, false],
      [makeTask({ ignoreErrors: true }), undefined, false]
    ] as const) {
      const { outcome } = await runTask(task, module, { connection, ...(play ? { play } : {}) })
      expect(outcome.status).toBe('unreachable')
      expect(outcome.ignored).toBe(ignored)
    }
  })
})

describe('task timeout (Ansible’s result: failed, not changed, nothing of the module)', () => {
  const never = (): Promise<ModuleResult> => new Promise(() => undefined)

  it('gives up on a module at the timeout with Ansible’s message, and does not evaluate failed_when', async () => {
    const { module } = scriptedModule([never], { name: 'pause_like' })
    const { outcome } = await runTask(
      makeTask({ timeout: 1, failedWhen: [false], changedWhen: [true], action: 'my.coll.slow' }),
      module
    )
    expect(outcome.status).toBe('failed')
    expect(outcome.result).toEqual({
      changed: false,
      failed: true,
      msg: 'The my.coll.slow action failed to execute in the expected time frame (1) and was terminated'
    })
  })

  it('does not retry a timed-out attempt, and loop items have no changed', async () => {
    const { module, calls } = scriptedModule([never])
    const { result } = await runTask(
      makeTask({
        timeout: 1,
        loop: { value: [1, 2], flatten: false },
        until: ['false'],
        retries: 3
      }),
      module
    )
    expect(calls).toHaveLength(2)
    const items = result['results'] as ModuleResult[]
    expect(items.map((r) => Object.keys(r).sort())).toEqual([
      ['ansible_loop_var', 'failed', 'item', 'msg'],
      ['ansible_loop_var', 'failed', 'item', 'msg']
    ])
    expect(items[0]!['msg']).toBe(
      'The fake action failed to execute in the expected time frame (1) and was terminated'
    )
  })

  it('leaves a module that applies the timeout itself alone', async () => {
    const { module } = scriptedModule([{ changed: true, rc: 0 }], { ownTimeout: true })
    const { outcome } = await runTask(makeTask({ timeout: 1 }), module)
    expect(outcome.status).toBe('changed')
  })
})

describe('templating errors in Ansible’s words', () => {
  it('words an undefined variable in the arguments as Ansible, without module fields', async () => {
    const { module, calls } = scriptedModule([{}])
    const { result } = await runTask(makeTask({ args: { msg: '{{ nowhere }}' } }), module)
    expect(calls).toHaveLength(0)
    expect(result).toEqual({
      failed: true,
      msg: "The task includes an option with an undefined variable. The error was: 'nowhere' is undefined. 'nowhere' is undefined"
    })
  })

  it('words an undefined variable in environment and in when', async () => {
    const { module } = scriptedModule([{}])
    const env = await runTask(makeTask({ environment: { A: '{{ d.nokey }}' } }), module, {
      vars: { d: {} }
    })
    expect(env.result['msg']).toBe(
      "The field 'environment' has an invalid value, which includes an undefined variable. The error was: 'dict object' has no attribute 'nokey'. 'dict object' has no attribute 'nokey'"
    )
    const when = await runTask(makeTask({ when: ['nowhere'] }), module)
    expect(when.result).toEqual({
      failed: true,
      msg: "The conditional check 'nowhere' failed. The error was: error while evaluating conditional (nowhere): 'nowhere' is undefined. 'nowhere' is undefined"
    })
  })

  it('names the keyword, as Ansible’s field validation does (async is async_val)', async () => {
    const { module, calls } = scriptedModule([{}])
    for (const [keyword, field] of [
      [{ timeout: '{{ nowhere }}' }, 'timeout'],
      [{ retries: '{{ nowhere }}', until: ['true'] }, 'retries'],
      [{ async: '{{ nowhere }}' }, 'async_val'],
      [{ poll: '{{ nowhere }}' }, 'poll']
    ] as const) {
      const { result } = await runTask(makeTask(keyword as Partial<Task>), module)
      expect(result).toEqual({
        failed: true,
        msg: `The field '${field}' has an invalid value, which includes an undefined variable. The error was: 'nowhere' is undefined. 'nowhere' is undefined`
      })
    }
    expect(calls).toHaveLength(0)
  })

  it('ends a loop at an item that cannot be templated, as Ansible does', async () => {
    const { module, calls } = scriptedModule([{ msg: 'ok' }])
    const { result, recorded } = await runTask(
      makeTask({
        args: { msg: '{{ item.x }}' },
        loop: { value: [{ x: 1 }, {}, { x: 3 }], flatten: false }
      }),
      module
    )
    expect(calls).toHaveLength(1)
    expect(recorded.items).toHaveLength(1)
    expect(result).toEqual({
      failed: true,
      msg: "The task includes an option with an undefined variable. The error was: 'dict object' has no attribute 'x'. 'dict object' has no attribute 'x'"
    })
  })

  it('doubles the reason of an undefined loop source as Ansible’s templar does', async () => {
    const { module } = scriptedModule([{}])
    const { result } = await runTask(
      makeTask({ loop: { value: '{{ nowhere }}', flatten: false } }),
      module
    )
    expect(result).toEqual({ failed: true, msg: "'nowhere' is undefined. 'nowhere' is undefined" })
  })
})
