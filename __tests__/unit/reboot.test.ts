// Unit: wait_for_connection and reboot against a scripted host that goes down and comes back.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { CommandResult, Connection, RunOptions } from '../../src/connection/connection.js'
import { shellQuote } from '../../src/connection/shell-quote.js'
import { ConnectionError, HostKeyError } from '../../src/errors.js'
import { ModuleArgumentError, type ModuleContext } from '../../src/modules/module.js'
import { rebootModule } from '../../src/modules/reboot.js'
import { MODULES } from '../../src/modules/registry.js'
import { waitForConnectionModule } from '../../src/modules/wait-for-connection.js'

const BOOT_TIME_COMMAND = 'cat /proc/sys/kernel/random/boot_id'
const REFUSED = 'connection refused by web1 (10.0.0.1:22): is sshd running on port 22?'

type Reply = Partial<CommandResult> | Error

/** One connection to the fake host. Commands are answered by the host's script. */
class FakeConnection implements Connection {
  readonly host = 'web1'
  constructor(
    private readonly target: FakeHost,
    readonly generation: number
  ) {}

  async run(command: string, options: RunOptions): Promise<CommandResult> {
    this.target.commands.push({ command, generation: this.generation, options })
    const reply = this.target.answer(command)
    if (reply instanceof Error) throw reply
    return {
      code: 0,
      signal: null,
      stdout: Buffer.alloc(0),
      stderr: Buffer.alloc(0),
      timedOut: false,
      ...reply
    }
  }

  async putFile(): Promise<void> {}
  async getFile(): Promise<Buffer> {
    throw new Error('getFile is not used by these tests')
  }
  async close(): Promise<void> {}
}

/**
 * A host with a boot id. `downFor` reconnects are refused (the host is rebooting); the reboot command
 * schedules a new boot id and a number of refused reconnects.
 */
class FakeHost {
  bootId = 'boot-1'
  downFor = 0
  reconnects = 0
  connectionCalls = 0
  generation = 0
  readonly commands: Array<{ command: string; generation: number; options: RunOptions }> = []
  /** What the next reboot does: how long the host stays down, and the boot id it comes back with. */
  reboot = { downFor: 2, newBootId: 'boot-2' as string | undefined }
  /** Replies for the test command, in order; the last one repeats. */
  testReplies: Reply[] = [{ stdout: Buffer.from('apbtest\n') }]
  /** Reply for the command that starts the reboot. */
  launchReply: Reply = new ConnectionError('connection to web1 lost: reset by peer', 'web1')
  /** Replies for the boot time command, before the generic answer. */
  bootReplies: Reply[] = []
  /** Extra answers by exact command. */
  other: Record<string, Reply> = {}

  answer(command: string): Reply {
    if (command === BOOT_TIME_COMMAND || command.startsWith('cat /tmp/')) {
      return this.bootReplies.shift() ?? { stdout: Buffer.from(`${this.bootId}\n`) }
    }
    if (command.includes('apb-reboot')) {
      this.downFor = this.reboot.downFor
      if (this.reboot.newBootId !== undefined) this.bootId = this.reboot.newBootId
      return this.launchReply
    }
    if (command === 'whoami' || command === 'my-test') {
      return this.testReplies.length > 1 ? this.testReplies.shift()! : this.testReplies[0]!
    }
    return this.other[command] ?? { stdout: Buffer.from('pong\n') }
  }

  connect(): Connection {
    this.reconnects++
    if (this.downFor > 0) {
      this.downFor--
      throw new ConnectionError(REFUSED, 'web1')
    }
    return new FakeConnection(this, ++this.generation)
  }
}

interface Harness {
  ctx: ModuleContext
  host: FakeHost
  /** Every sleep requested, in ms. */
  slept: number[]
  /** Sleeps and commands in the order they happened. */
  events: string[]
}

/** A context whose sleeps advance the (faked) clock instead of waiting. */
function harness(args: Record<string, unknown>, host = new FakeHost()): Harness {
  const slept: number[] = []
  const events: string[] = []
  let cached: Connection | undefined
  const ctx: Partial<ModuleContext> = {
    host: 'web1',
    args,
    connection: async () => {
      host.connectionCalls++
      cached ??= host.connect()
      return cached
    },
    reconnect: async () => {
      cached = undefined
      events.push('reconnect')
      cached = host.connect()
      return cached
    },
    vars: {},
    timeoutMs: 30_000,
    environment: {},
    baseDir: '/base',
    log: () => undefined,
    sleep: async (ms) => {
      slept.push(ms)
      events.push(`sleep ${ms}`)
      vi.setSystemTime(Date.now() + ms)
    }
  }
  // The fields these two modules use; the rest of the context belongs to other modules.
  return { ctx: ctx as ModuleContext, host, slept, events }
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(new Date('2026-01-01T00:00:00Z'))
})
afterEach(() => {
  vi.useRealTimers()
})

describe('wait_for_connection', () => {
  it('is registered under its Ansible name', () => {
    expect(MODULES.get('wait_for_connection')).toBe(waitForConnectionModule)
    expect(MODULES.get('reboot')).toBe(rebootModule)
  })

  it('reconnects until the host answers, sleeping `sleep` seconds between attempts', async () => {
    const h = harness({ sleep: 2 })
    h.host.downFor = 3
    const result = await waitForConnectionModule.run(h.ctx)
    expect(result).toEqual({ changed: false, elapsed: 6 })
    expect(h.slept).toEqual([2000, 2000, 2000])
    expect(h.host.reconnects).toBe(4)
    expect(h.host.commands.map((c) => c.command)).toEqual(['echo pong'])
  })

  it('never relies on the connection opened before the task', async () => {
    const h = harness({})
    const result = await waitForConnectionModule.run(h.ctx)
    expect(result).toEqual({ changed: false, elapsed: 0 })
    expect(h.host.connectionCalls).toBe(0)
    expect(h.host.reconnects).toBe(1)
  })

  it('waits `delay` first, and counts it in elapsed', async () => {
    const h = harness({ delay: 5 })
    h.host.downFor = 1
    const result = await waitForConnectionModule.run(h.ctx)
    expect(result).toEqual({ changed: false, elapsed: 6 })
    expect(h.events).toEqual(['sleep 5000', 'reconnect', 'sleep 1000', 'reconnect'])
  })

  it('fails (not unreachable) with Ansible message and the last error when the host stays down', async () => {
    const h = harness({ timeout: '3' })
    h.host.downFor = 1_000
    const result = await waitForConnectionModule.run(h.ctx)
    expect(result).toEqual({
      changed: false,
      failed: true,
      elapsed: 3,
      msg: `timed out waiting for ping module test: ${REFUSED}`
    })
    // Attempts at 0, 1, 2 and one last one at the deadline.
    expect(h.host.reconnects).toBe(4)
    expect(result['unreachable']).toBeUndefined()
  })

  it('keeps trying while the ping test gets a wrong answer', async () => {
    const h = harness({ timeout: 10 })
    let answers = 0
    const original = h.host.answer.bind(h.host)
    h.host.answer = (command) =>
      command === 'echo pong' && ++answers <= 2
        ? { stdout: Buffer.from('motd noise') }
        : original(command)
    const result = await waitForConnectionModule.run(h.ctx)
    expect(result).toEqual({ changed: false, elapsed: 2 })
    expect(answers).toBe(3)
  })

  it('reports a failing ping test as Ansible does once time is up', async () => {
    const h = harness({ timeout: 1 })
    h.host.other['echo pong'] = { code: 127, stderr: Buffer.from('sh: not found') }
    const result = await waitForConnectionModule.run(h.ctx)
    expect(result['msg']).toBe('timed out waiting for ping module test: ping test failed')
  })

  it('gives up at once on a host key refusal, which waiting cannot fix', async () => {
    const h = harness({})
    h.ctx.reconnect = async () => {
      throw new HostKeyError('host key for web1 changed', 'web1', 'SHA256:x')
    }
    const result = await waitForConnectionModule.run(h.ctx)
    expect(result).toEqual({
      changed: false,
      failed: true,
      elapsed: 0,
      msg: 'host key for web1 changed'
    })
    expect(h.slept).toEqual([])
  })

  it('bounds each connection attempt by connect_timeout', async () => {
    vi.useRealTimers()
    const h = harness({ connect_timeout: 1, timeout: 0 })
    h.ctx.reconnect = () => new Promise<never>(() => undefined)
    const result = await waitForConnectionModule.run(h.ctx)
    expect(result['msg']).toBe(
      'timed out waiting for ping module test: timed out after 1 s connecting to web1 (connect_timeout)'
    )
  })

  it('stops when the run is cancelled instead of spinning until the timeout', async () => {
    const h = harness({ timeout: 600 })
    h.host.downFor = 1_000
    h.ctx.sleep = async () => undefined // a cancelled run's sleep returns at once
    const result = await waitForConnectionModule.run(h.ctx)
    expect(result['failed']).toBe(true)
    expect(result['msg']).toMatch(/cancelled/)
    expect(h.host.reconnects).toBe(1)
  })

  it('refuses arguments that are not whole seconds', async () => {
    await expect(waitForConnectionModule.run(harness({ timeout: 'soon' }).ctx)).rejects.toThrow(
      ModuleArgumentError
    )
    await expect(waitForConnectionModule.run(harness({ delay: -1 }).ctx)).rejects.toThrow(
      /'delay' must be a whole number of seconds/
    )
  })
})

describe('reboot', () => {
  it('reboots, waits for a new boot id and a passing test command', async () => {
    const h = harness({})
    const result = await rebootModule.run(h.ctx)
    expect(result).toEqual({ changed: true, elapsed: 2, rebooted: true })
    const commands = h.host.commands.map((c) => c.command)
    expect(commands[0]).toBe(BOOT_TIME_COMMAND)
    expect(commands[1]).toContain('apb-reboot')
    expect(commands.slice(2)).toEqual([BOOT_TIME_COMMAND, 'whoami'])
    // Refused twice while down: pauses grow from 1 s.
    expect(h.slept).toEqual([1000, 1500])
    expect(h.events.filter((e) => e === 'reconnect')).toHaveLength(3)
  })

  it('starts Ansible default command, detached, with search_paths on PATH', async () => {
    const h = harness({})
    await rebootModule.run(h.ctx)
    const launch = h.host.commands[1]!
    expect(launch.command).toContain(shellQuote(`shutdown -r now 'Reboot initiated by Ansible'`))
    expect(launch.command).toContain('/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin')
    expect(launch.command).toContain('nohup')
    expect(launch.options.timeoutMs).toBeLessThanOrEqual(30_000)
  })

  it('puts msg into the default shutdown command', async () => {
    const h = harness({ msg: 'bye' })
    await rebootModule.run(h.ctx)
    expect(h.host.commands[1]!.command).toContain(`'shutdown -r now bye'`)
  })

  it('does not count a host that still shows the old boot id as rebooted', async () => {
    const h = harness({})
    // The host answers twice more with the old id (shutdown takes a while), then goes down.
    h.host.reboot = { downFor: 0, newBootId: undefined }
    h.host.bootReplies = [
      { stdout: Buffer.from('boot-1\n') },
      { stdout: Buffer.from('boot-1\n') },
      { stdout: Buffer.from('boot-1\n') },
      { stdout: Buffer.from('\n') },
      { stdout: Buffer.from('boot-9\n') }
    ]
    const result = await rebootModule.run(h.ctx)
    expect(result).toMatchObject({ changed: true, rebooted: true })
    const boots = h.host.commands.filter((c) => c.command === BOOT_TIME_COMMAND)
    expect(boots).toHaveLength(5)
    // Every check ran on a connection of its own.
    expect(new Set(boots.slice(1).map((c) => c.generation)).size).toBe(4)
  })

  it('times out with Ansible message when the boot id never changes', async () => {
    const h = harness({ reboot_timeout: 5 })
    h.host.reboot = { downFor: 1, newBootId: undefined }
    const result = await rebootModule.run(h.ctx)
    expect(result).toEqual({
      changed: false,
      failed: true,
      rebooted: true,
      elapsed: 5,
      msg: 'Timed out waiting for last boot time check (timeout=5)',
      last_error: 'boot time has not changed'
    })
    // 1 s, 1.5 s, 2 s, then the rest up to the deadline, where one last check is made.
    expect(h.slept).toEqual([1000, 1500, 2000, 500])
  })

  it('names the connection error when the host never comes back', async () => {
    const h = harness({ reboot_timeout: 4 })
    h.host.reboot = { downFor: 1_000, newBootId: 'boot-2' }
    const result = await rebootModule.run(h.ctx)
    expect(result).toMatchObject({
      failed: true,
      msg: 'Timed out waiting for last boot time check (timeout=4)',
      last_error: REFUSED
    })
    expect(result['unreachable']).toBeUndefined()
  })

  it('keeps waiting while test_command fails, then succeeds', async () => {
    const h = harness({ test_command: 'my-test' })
    h.host.reboot = { downFor: 0, newBootId: 'boot-2' }
    h.host.testReplies = [
      { code: 1, stderr: Buffer.from('not yet') },
      { code: 1, stderr: Buffer.from('not yet') },
      { code: 0 }
    ]
    const result = await rebootModule.run(h.ctx)
    expect(result).toEqual({ changed: true, elapsed: 2, rebooted: true })
    expect(h.host.commands.filter((c) => c.command === 'my-test')).toHaveLength(3)
    expect(h.slept).toEqual([1000, 1500])
  })

  it('fails with Ansible message when test_command never passes', async () => {
    const h = harness({ test_command: 'my-test', reboot_timeout: 3 })
    h.host.reboot = { downFor: 0, newBootId: 'boot-2' }
    h.host.testReplies = [
      { code: 1, stderr: Buffer.from('service down'), stdout: Buffer.from('x') }
    ]
    const result = await rebootModule.run(h.ctx)
    expect(result).toMatchObject({
      failed: true,
      rebooted: true,
      msg: 'Timed out waiting for post-reboot test command (timeout=3)',
      last_error: 'Test command failed: service down x'
    })
  })

  it('reconnects for the test command after a connection error (a second reboot)', async () => {
    const h = harness({})
    h.host.reboot = { downFor: 0, newBootId: 'boot-2' }
    h.host.testReplies = [new ConnectionError('connection to web1 lost', 'web1'), { code: 0 }]
    const result = await rebootModule.run(h.ctx)
    expect(result).toMatchObject({ changed: true, rebooted: true })
    const tests = h.host.commands.filter((c) => c.command === 'whoami')
    expect(tests[1]!.generation).toBeGreaterThan(tests[0]!.generation)
  })

  it('in check mode answers as Ansible does without running anything on the host', async () => {
    const h = harness({ msg: 'never' })
    const result = await rebootModule.run({ ...h.ctx, check: true })
    expect(result).toEqual({ changed: true, elapsed: 0, rebooted: true })
    expect(h.host.commands).toEqual([])
    expect(h.host.connectionCalls).toBe(0)
    expect(rebootModule.supportsCheckMode).toBe(true)
  })

  it('honours pre_reboot_delay before the reboot and post_reboot_delay before the checks', async () => {
    const h = harness({ pre_reboot_delay: 3, post_reboot_delay: 7 })
    const original = h.host.answer.bind(h.host)
    h.host.answer = (command) => {
      h.events.push(command.includes('apb-reboot') ? 'launch' : command)
      return original(command)
    }
    const result = await rebootModule.run(h.ctx)
    expect(h.events).toEqual([
      BOOT_TIME_COMMAND,
      'sleep 3000',
      'launch',
      'sleep 7000',
      'reconnect',
      'sleep 1000',
      'reconnect',
      'sleep 1500',
      'reconnect',
      BOOT_TIME_COMMAND,
      'whoami'
    ])
    // elapsed counts from the reboot command, as in Ansible: the post delay and the wait.
    expect(result['elapsed']).toBe(9)
  })

  it('fails before rebooting when the boot time command fails, with its output', async () => {
    const h = harness({ boot_time_command: 'cat /tmp/missing' })
    h.host.bootReplies = [
      { code: 1, stderr: Buffer.from('cat: /tmp/missing: No such file or directory\n') }
    ]
    const result = await rebootModule.run(h.ctx)
    expect(result).toEqual({
      changed: false,
      failed: true,
      rebooted: false,
      msg: 'reboot: failed to get host boot time info, rc: 1, stdout: , stderr: cat: /tmp/missing: No such file or directory\n'
    })
    expect(h.host.commands).toHaveLength(1)
  })

  it('fails (not unreachable) when the host is down before the reboot', async () => {
    const h = harness({})
    h.host.downFor = 1
    const result = await rebootModule.run(h.ctx)
    expect(result).toEqual({ changed: false, failed: true, rebooted: false, msg: REFUSED })
  })

  it('reports a reboot command that fails at once, as Ansible does', async () => {
    const h = harness({ reboot_command: 'shutdown -r now' })
    h.host.reboot = { downFor: 0, newBootId: undefined }
    h.host.launchReply = {
      code: 1,
      stderr: Buffer.from(
        'Failed to set wall message, ignoring: Interactive authentication required.\n'
      )
    }
    const result = await rebootModule.run(h.ctx)
    expect(result).toEqual({
      changed: false,
      failed: true,
      rebooted: false,
      elapsed: 0,
      msg: "Reboot command failed. Error was: ', Failed to set wall message, ignoring: Interactive authentication required.'"
    })
  })

  it('treats a reboot command still running at the deadline as started', async () => {
    const h = harness({})
    h.host.launchReply = { code: null, timedOut: true }
    const result = await rebootModule.run(h.ctx)
    expect(result).toMatchObject({ changed: true, rebooted: true })
  })

  it('refuses arguments Ansible would refuse', async () => {
    await expect(rebootModule.run(harness({ reboot_timeout: 'long' }).ctx)).rejects.toThrow(
      /'reboot_timeout' must be a whole number/
    )
    await expect(rebootModule.run(harness({ boot_time_command: ['cat'] }).ctx)).rejects.toThrow(
      /Invalid value given for 'boot_time_command'/
    )
    await expect(rebootModule.run(harness({ search_paths: [1] }).ctx)).rejects.toThrow(
      /'search_paths' must be a list/
    )
  })
})
