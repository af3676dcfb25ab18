import type { Connection } from '../connection/connection.js'
import { shellQuote } from '../connection/shell-quote.js'
import { ConnectionError } from '../errors.js'
import { decodeOutput } from './command-runner.js'
import { untypedOptions } from './arg-spec.js'
import { ModuleArgumentError, type ModuleContext, type ModuleDefinition } from './module.js'
import launchScript from './reboot-launch.sh'
import {
  errorText,
  reconnectWithin,
  retryUntilDeadline,
  secondsArg,
  sleepFully,
  CANCELLED
} from './wait-for-connection.js'

const DEFAULT_REBOOT_TIMEOUT = 600
const DEFAULT_TEST_COMMAND = 'whoami'
const DEFAULT_BOOT_TIME_COMMAND = 'cat /proc/sys/kernel/random/boot_id'
const DEFAULT_REBOOT_MESSAGE = 'Reboot initiated by Ansible'
const DEFAULT_SEARCH_PATHS = ['/sbin', '/bin', '/usr/sbin', '/usr/bin', '/usr/local/sbin']
/** How long the target waits for the reboot command to fail before counting it as started. */
const LAUNCH_WAIT_TENTHS = 20
/** Deadline of the SSH call that starts the reboot command (the wait above plus login time). */
const LAUNCH_DEADLINE_MS = 30_000
/** Pauses between checks while the host is down: short, since a reboot is usually over in seconds. */
const FIRST_PAUSE_MS = 1_000
const MAX_PAUSE_MS = 2_000

/**
 * `reboot`: reboots the host and waits until it is back, as Ansible's reboot action does. The boot id
 * (`boot_time_command`) is read before the reboot, and the host counts as rebooted once a fresh
 * connection reads a different, non-empty one; then `test_command` must succeed. Each of the two waits
 * has its own `reboot_timeout`, as in Ansible. The reboot command runs detached from the SSH session, so
 * the connection dropping under it is expected and not an error.
 *
 * Rebooting needs root: as another user, set `reboot_command` to something it may run (`sudo …`).
 */
export const rebootModule: ModuleDefinition = {
  name: 'reboot',
  // In check mode it answers as Ansible's does (a reboot that would happen) without touching the host.
  supportsCheckMode: true,
  // Ansible's reboot action checks only the names, and reads each value itself (below).
  args: {
    side: 'action',
    unknown: 'names',
    options: untypedOptions(
      'boot_time_command',
      'connect_timeout',
      'msg',
      'post_reboot_delay',
      'pre_reboot_delay',
      'reboot_command',
      'reboot_timeout',
      'search_paths',
      'test_command'
    )
  },
  async run(ctx) {
    if (ctx.check) return { changed: true, elapsed: 0, rebooted: true }
    const rebootTimeout = secondsArg(ctx.args, 'reboot_timeout', DEFAULT_REBOOT_TIMEOUT)
    const connectTimeout = secondsArg(ctx.args, 'connect_timeout', 0)
    const preRebootDelay = secondsArg(ctx.args, 'pre_reboot_delay', 0)
    const postRebootDelay = secondsArg(ctx.args, 'post_reboot_delay', 0)
    const bootTimeCommand = commandArg(ctx.args, 'boot_time_command', DEFAULT_BOOT_TIME_COMMAND)
    const testCommand = commandArg(ctx.args, 'test_command', DEFAULT_TEST_COMMAND)
    const message = commandArg(ctx.args, 'msg', DEFAULT_REBOOT_MESSAGE)
    const rebootCommand = commandArg(
      ctx.args,
      'reboot_command',
      `shutdown -r now ${shellQuote(message)}`
    )
    const searchPaths = searchPathsArg(ctx.args['search_paths'])

    let previousBootId: string
    try {
      previousBootId = await readBootId(ctx, await ctx.connection(), bootTimeCommand, ctx.timeoutMs)
    } catch (error) {
      return { changed: false, failed: true, rebooted: false, msg: errorText(error) }
    }

    if (preRebootDelay > 0 && !(await sleepFully(ctx, preRebootDelay * 1000))) {
      return { changed: false, failed: true, rebooted: false, msg: CANCELLED }
    }

    const launched = await startReboot(ctx, rebootCommand, searchPaths)
    const start = Date.now()
    const elapsed = (): number => Math.floor((Date.now() - start) / 1000)
    if (launched !== undefined) {
      return { changed: false, failed: true, rebooted: false, elapsed: elapsed(), msg: launched }
    }

    // As in Ansible, post_reboot_delay is waited before the checks: for hosts that answer for a while
    // after the reboot command, or whose services need time once sshd is up.
    if (postRebootDelay > 0 && !(await sleepFully(ctx, postRebootDelay * 1000))) {
      return { changed: false, failed: true, rebooted: true, elapsed: elapsed(), msg: CANCELLED }
    }

    // Every check opens a new connection: the old one may look alive while the host shuts down.
    const bootChanged = await retryUntilDeadline(ctx, rebootTimeout, pauseAfter, async (left) => {
      const connection = await reconnectWithin(ctx, connectTimeout)
      const bootId = await readBootId(ctx, connection, bootTimeCommand, attemptDeadline(ctx, left))
      // An empty id is what some systems print just before going down: not a new boot yet.
      if (bootId === '' || bootId === previousBootId) throw new Error('boot time has not changed')
    })
    if (!bootChanged.ok) {
      return waitFailed(bootChanged, 'last boot time check', rebootTimeout, elapsed())
    }

    let needsReconnect = false
    const testPassed = await retryUntilDeadline(ctx, rebootTimeout, pauseAfter, async (left) => {
      const connection = needsReconnect
        ? await reconnectWithin(ctx, connectTimeout)
        : await ctx.connection()
      needsReconnect = false
      let res
      try {
        res = await connection.run(testCommand, { timeoutMs: attemptDeadline(ctx, left) })
      } catch (error) {
        // The host may have rebooted once more (updates do that): start over on a new connection.
        if (error instanceof ConnectionError) needsReconnect = true
        throw error
      }
      if (res.timedOut) {
        needsReconnect = true
        throw new Error(`the test command did not finish within ${attemptDeadline(ctx, left)} ms`)
      }
      if (res.code !== 0) {
        throw new Error(
          `Test command failed: ${decodeOutput(res.stderr)} ${decodeOutput(res.stdout)}`
        )
      }
    })
    if (!testPassed.ok) {
      return waitFailed(testPassed, 'post-reboot test command', rebootTimeout, elapsed())
    }
    return { changed: true, elapsed: elapsed(), rebooted: true }
  }
}

/**
 * Runs `command` detached on the target (see reboot-launch.sh). Returns undefined when the reboot is
 * under way, or Ansible's failure message when the command failed at once.
 */
async function startReboot(
  ctx: ModuleContext,
  command: string,
  searchPaths: string
): Promise<string | undefined> {
  const remote = [
    '/bin/sh -c',
    shellQuote(launchScript),
    'apb-reboot',
    shellQuote(command),
    shellQuote(searchPaths),
    String(LAUNCH_WAIT_TENTHS)
  ].join(' ')
  try {
    const connection = await ctx.connection()
    const res = await connection.run(remote, {
      timeoutMs: Math.min(ctx.timeoutMs, LAUNCH_DEADLINE_MS)
    })
    // No exit status (the session was killed) or no answer in time: the host is going down.
    if (res.timedOut || res.code === null || res.code === 0) return undefined
    return `Reboot command failed. Error was: '${decodeOutput(res.stdout)}, ${decodeOutput(res.stderr)}'`
  } catch (error) {
    // The connection closing under the command is what a reboot looks like.
    if (error instanceof ConnectionError) return undefined
    throw error
  }
}

/** Reads the boot id; rejects with Ansible's message when the command fails. */
async function readBootId(
  ctx: ModuleContext,
  connection: Connection,
  command: string,
  timeoutMs: number
): Promise<string> {
  const res = await connection.run(command, { timeoutMs })
  if (res.timedOut) {
    throw new Error(
      `reboot: the boot time command did not finish within ${timeoutMs} ms on ${ctx.host}`
    )
  }
  const stdout = res.stdout.toString('utf8')
  if (res.code !== 0) {
    throw new Error(
      `reboot: failed to get host boot time info, rc: ${res.code ?? -1}, stdout: ${stdout}, ` +
        `stderr: ${res.stderr.toString('utf8')}`
    )
  }
  return stdout.trim()
}

/** The result of a wait that did not succeed. Ansible's message, plus the last error it only logs. */
function waitFailed(
  outcome: { reason: 'timeout' | 'fatal' | 'cancelled'; lastError: string },
  what: string,
  timeout: number,
  elapsed: number
): Record<string, unknown> {
  const result: Record<string, unknown> = {
    changed: false,
    failed: true,
    rebooted: true,
    elapsed,
    msg:
      outcome.reason === 'timeout'
        ? `Timed out waiting for ${what} (timeout=${timeout})`
        : outcome.lastError
  }
  if (outcome.reason === 'timeout' && outcome.lastError !== '')
    result['last_error'] = outcome.lastError
  return result
}

/** 1 s, then 1.5 s, then every 2 s. */
function pauseAfter(failures: number): number {
  return Math.min(FIRST_PAUSE_MS * 1.5 ** failures, MAX_PAUSE_MS)
}

/** A command's deadline inside a wait: the usual one, but not far past the wait's end. */
function attemptDeadline(ctx: ModuleContext, remainingMs: number): number {
  return Math.max(1_000, Math.min(ctx.timeoutMs, remainingMs))
}

function commandArg(args: Record<string, unknown>, name: string, dflt: string): string {
  const value = args[name]
  if (value === undefined || value === null || value === '') return dflt
  if (typeof value !== 'string') {
    throw new ModuleArgumentError(`Invalid value given for '${name}': it must be a string`)
  }
  return value
}

function searchPathsArg(value: unknown): string {
  if (value === undefined || value === null) return DEFAULT_SEARCH_PATHS.join(':')
  const list = typeof value === 'string' ? [value] : value
  if (!Array.isArray(list) || !list.every((p): p is string => typeof p === 'string')) {
    throw new ModuleArgumentError(
      "'search_paths' must be a list of directories, e.g. ['/sbin', '/usr/sbin']"
    )
  }
  return list.join(':')
}
