import type { Connection } from '../connection/connection.js'
import { HostKeyError } from '../errors.js'
import { untypedOptions } from './arg-spec.js'
import { ModuleArgumentError, type ModuleContext, type ModuleDefinition } from './module.js'
import { isNumeric } from '../values/py-float.js'

const DEFAULT_CONNECT_TIMEOUT = 5
const DEFAULT_DELAY = 0
const DEFAULT_SLEEP = 1
const DEFAULT_TIMEOUT = 600

/**
 * `wait_for_connection`: waits until the host answers over a fresh connection, as after a reboot or a
 * network change. It never uses the connection cached before the task: every attempt reconnects, so a
 * host that is down when the task starts is waited for, and a host that stays down ends as a failed task
 * (Ansible's `timed out waiting for ping module test: …`), not an unreachable one.
 */
export const waitForConnectionModule: ModuleDefinition = {
  name: 'wait_for_connection',
  // In check mode it reads its arguments, then skips itself without a message, as Ansible's action does.
  supportsCheckMode: true,
  // Ansible's wait_for_connection action checks only the names, and reads each as int() does (below).
  args: {
    side: 'action',
    unknown: 'names',
    options: untypedOptions('connect_timeout', 'delay', 'sleep', 'timeout')
  },
  async run(ctx) {
    const connectTimeout = secondsArg(ctx.args, 'connect_timeout', DEFAULT_CONNECT_TIMEOUT)
    const delay = secondsArg(ctx.args, 'delay', DEFAULT_DELAY)
    const sleep = secondsArg(ctx.args, 'sleep', DEFAULT_SLEEP)
    const timeout = secondsArg(ctx.args, 'timeout', DEFAULT_TIMEOUT)
    if (ctx.check) return { skipped: true }
    const start = Date.now()
    const elapsed = (): number => Math.floor((Date.now() - start) / 1000)

    if (delay > 0 && !(await sleepFully(ctx, delay * 1000))) {
      return { changed: false, failed: true, elapsed: elapsed(), msg: CANCELLED }
    }
    // Like Ansible, the timeout starts after the delay.
    const outcome = await retryUntilDeadline(
      ctx,
      timeout,
      () => sleep * 1000,
      () => pingTest(ctx, connectTimeout)
    )
    if (outcome.ok) return { changed: false, elapsed: elapsed() }
    return {
      changed: false,
      failed: true,
      elapsed: elapsed(),
      msg:
        outcome.reason === 'timeout'
          ? `timed out waiting for ping module test: ${outcome.lastError}`
          : outcome.lastError
    }
  }
}

/** How a retry loop ended. */
export type RetryOutcome =
  { ok: true } | { ok: false; reason: 'timeout' | 'fatal' | 'cancelled'; lastError: string }

/**
 * Calls `attempt` until it resolves, sleeping `pauseMs(failures)` after each failure, for `seconds`.
 * At least one attempt is made, and one more at the deadline (the last sleep stops there). A host key
 * refusal ends the loop at once: a key that does not match will not start matching, and waiting would
 * only hide the cause. A cancelled run ends it too.
 */
export async function retryUntilDeadline(
  ctx: ModuleContext,
  seconds: number,
  pauseMs: (failures: number) => number,
  attempt: (remainingMs: number) => Promise<void>
): Promise<RetryOutcome> {
  const deadline = Date.now() + seconds * 1000
  for (let failures = 0; ; failures++) {
    let lastError: string
    try {
      await attempt(deadline - Date.now())
      return { ok: true }
    } catch (error) {
      if (error instanceof HostKeyError)
        return { ok: false, reason: 'fatal', lastError: error.message }
      lastError = errorText(error)
    }
    const remaining = deadline - Date.now()
    if (remaining <= 0) return { ok: false, reason: 'timeout', lastError }
    if (!(await sleepFully(ctx, Math.min(pauseMs(failures), remaining)))) {
      return { ok: false, reason: 'cancelled', lastError: CANCELLED }
    }
  }
}

/** Ansible's ping module test: a new connection, then a command whose output proves a working shell. */
async function pingTest(ctx: ModuleContext, connectTimeout: number): Promise<void> {
  const connection = await reconnectWithin(ctx, connectTimeout)
  const res = await connection.run('echo pong', { timeoutMs: ctx.timeoutMs })
  if (res.timedOut) {
    throw new Error(`the ping test command did not answer within ${ctx.timeoutMs} ms`)
  }
  if (res.code !== 0 || res.stdout.toString('utf8').trim() !== 'pong')
    throw new Error('ping test failed')
}

/** The message of a wait cut short because the run is being cancelled. */
export const CANCELLED = 'the wait was interrupted because the run is being cancelled'

/**
 * Drops the host's connection and opens a new one, giving up after `seconds` (0: the connection's own
 * connect timeout). Rejects with the ConnectionError while the host is down.
 */
export function reconnectWithin(ctx: ModuleContext, seconds: number): Promise<Connection> {
  const attempt = ctx.reconnect()
  if (seconds <= 0) return attempt
  return withDeadline(
    attempt,
    seconds * 1000,
    `timed out after ${seconds} s connecting to ${ctx.host} (connect_timeout)`
  )
}

/** Settles like `promise`, or rejects with `message` after `ms`; a late rejection is swallowed. */
export function withDeadline<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  promise.catch(() => undefined)
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms)
  })
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer))
}

/**
 * Sleeps `ms` through the context; false when the sleep ended early, which means the run is being
 * cancelled (the context's sleep returns at once then, and a retry loop would otherwise spin).
 */
export async function sleepFully(ctx: ModuleContext, ms: number): Promise<boolean> {
  const before = Date.now()
  await ctx.sleep(ms)
  // Timers may fire a few milliseconds early against the wall clock: allow some slack.
  return Date.now() - before >= ms - 25
}

/**
 * Reads a whole number of seconds the way Ansible's action plugins do (`int(value)`), refusing values
 * that are not whole numbers or are negative.
 */
export function secondsArg(args: Record<string, unknown>, name: string, dflt: number): number {
  const value = args[name]
  if (value === undefined || value === null) return dflt
  let n: number
  if (isNumeric(value)) n = Math.trunc(Number(value))
  else if (typeof value === 'boolean') n = value ? 1 : 0
  else if (typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)) n = parseInt(value, 10)
  else n = NaN
  if (!Number.isFinite(n) || n < 0) {
    throw new ModuleArgumentError(
      `'${name}' must be a whole number of seconds (0 or more), got '${String(value)}'`
    )
  }
  return n
}

/** The message of an error, or its text. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
