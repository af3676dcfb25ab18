import { shellQuote } from '../connection/shell-quote.js'
import type { ModuleContext, ModuleResult } from './module.js'
import { environmentOnStdin, jobWithInput } from './task-environment.js'

/** Extra seconds the controller waits beyond a task `timeout` before giving up on the channel. */
const TIMEOUT_GRACE_SECONDS = 10

/**
 * Runs one command line on the target the way Ansible's command/shell modules do, and returns their
 * registered fields: rc, stdout, stderr, *_lines, cmd, start, end, delta, changed, msg, failed.
 * `script` is POSIX sh text; chdir, environment and the task timeout are applied around it.
 * `runsUnderSh` says that `script` is itself a `/bin/sh -c …` invocation that needs no wrapper.
 */
export async function runCommand(
  ctx: ModuleContext,
  script: string,
  cmdForResult: unknown,
  options: { chdir?: string; stdin?: string; moduleName: string; runsUnderSh?: boolean }
): Promise<ModuleResult> {
  const parts: string[] = []
  if (options.chdir) parts.push(`cd ${shellQuote(options.chdir)} || exit 1`)
  const timeout = ctx.taskTimeoutSeconds
  if (timeout !== undefined && timeout > 0) {
    // coreutils timeout puts the command in its own process group and signals the whole group.
    parts.push(`exec timeout -k 5 ${Math.ceil(timeout)} /bin/sh -c ${shellQuote(script)}`)
  } else {
    parts.push(script)
  }
  // The target's login shell may not be POSIX (fish, csh): everything runs under /bin/sh, as in Ansible.
  // A script that already is one `/bin/sh -c …` call (the shell module's usual case) is sent as is.
  const underSh = (lines: string[]): string =>
    lines.length === 1 && lines[0] === script && options.runsUnderSh
      ? script
      : `/bin/sh -c ${shellQuote(lines.join('\n'))}`
  // The environment goes on stdin, never on the command line: see task-environment.ts.
  if (ctx.launchJob) {
    // The launcher reads the environment (and the task's stdin); the supervisor and the job inherit
    // them, and the job's own shell applies them. Nothing of them is in anyone's arguments.
    const carried = environmentOnStdin(ctx.environment, options.stdin)
    if (!carried) return ctx.launchJob(underSh(parts), cmdForResult)
    const job = carried.inputCarrier
      ? jobWithInput(carried.inputCarrier, parts.join('\n'))
      : parts.join('\n')
    return ctx.launchJob(underSh([carried.apply, job]), cmdForResult, carried)
  }
  const environment = environmentOnStdin(ctx.environment)
  const remote = underSh(environment ? [environment.receive, environment.apply, ...parts] : parts)
  const stdin =
    environment === undefined
      ? options.stdin
      : options.stdin === undefined
        ? environment.stdin
        : Buffer.concat([environment.stdin, Buffer.from(options.stdin)])
  const connection = await ctx.connection()
  const start = new Date()
  const result = await connection.run(remote, {
    timeoutMs:
      timeout !== undefined && timeout > 0
        ? (timeout + TIMEOUT_GRACE_SECONDS) * 1000
        : ctx.timeoutMs,
    stdin
  })
  const end = new Date()
  const stdout =
    truncationMarker(result.stdoutTruncated, result.stdout.length) + decodeOutput(result.stdout)
  const stderr =
    truncationMarker(result.stderrTruncated, result.stderr.length) + decodeOutput(result.stderr)
  const rc = result.code ?? (result.signal ? -1 : -1)
  const out: ModuleResult = {
    changed: true,
    cmd: cmdForResult,
    delta: formatDelta(end.getTime() - start.getTime()),
    end: formatTimestamp(end),
    msg: '',
    rc,
    start: formatTimestamp(start),
    stderr,
    stderr_lines: splitLines(stderr),
    stdout,
    stdout_lines: splitLines(stdout)
  }
  if ((timeout !== undefined && timeout > 0 && rc === 124) || result.timedOut) {
    out['failed'] = true
    out['msg'] = result.timedOut
      ? `The ${options.moduleName} action did not finish within its deadline of ${Math.round(ctx.timeoutMs / 1000)}s and was terminated`
      : `The ${options.moduleName} action failed to execute in the expected time frame (${timeout}) and was terminated`
  } else if (rc !== 0) {
    out['failed'] = true
    out['msg'] = 'non-zero return code'
  }
  return out
}

/**
 * The line that starts output the connection cut down to its cap (SYNC_OUTPUT_CAP_BYTES, the tail is kept).
 */
export function truncationMarker(
  truncated: { totalBytes: number } | undefined,
  kept: number
): string {
  if (!truncated) return ''
  return `[output truncated: showing the last ${kept} of ${truncated.totalBytes} bytes]\n`
}

/** Decodes output as UTF-8 and strips trailing newlines, as Ansible's command module does. */
export function decodeOutput(buffer: Buffer): string {
  return buffer.toString('utf8').replace(/[\r\n]+$/, '')
}

/** Python's str.splitlines() for the *_lines fields. */
export function splitLines(text: string): string[] {
  if (text === '') return []
  // eslint-disable-next-line no-control-regex -- Python's line boundaries include these separators
  const lines = text.split(/\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/)
  if (lines[lines.length - 1] === '') lines.pop()
  return lines
}

/** `2026-11-29 03:44:25.123456`, local time, as Ansible prints `start`/`end`. */
export function formatTimestamp(date: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0')
  return (
    `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())} ` +
    `${p(date.getHours())}:${p(date.getMinutes())}:${p(date.getSeconds())}.${p(date.getMilliseconds() * 1000, 6)}`
  )
}

/** `0:00:01.234000`, as Ansible prints `delta`. */
export function formatDelta(ms: number): string {
  // Work in whole microseconds: job times come from the target as fractional seconds.
  const micros = Math.max(0, Math.round(ms * 1000))
  const hours = Math.floor(micros / 3_600_000_000)
  const minutes = Math.floor((micros % 3_600_000_000) / 60_000_000)
  const seconds = Math.floor((micros % 60_000_000) / 1_000_000)
  const fraction = micros % 1_000_000
  return `${hours}:${String(minutes).padStart(2, '0')}:${String(seconds).padStart(2, '0')}.${String(fraction).padStart(6, '0')}`
}

/**
 * Checks `creates`/`removes` on the target. Returns the skip result Ansible gives, or undefined to run.
 */
export async function checkCreatesRemoves(
  ctx: ModuleContext,
  cmd: unknown
): Promise<ModuleResult | undefined> {
  const creates = optionalString(ctx.args['creates'])
  const removes = optionalString(ctx.args['removes'])
  if (creates === undefined && removes === undefined) return undefined
  const chdir = optionalString(ctx.args['chdir'])
  const connection = await ctx.connection()
  // Globs are allowed, as in Ansible: the pattern is expanded by the remote shell, never evaluated.
  const exists = async (pattern: string): Promise<boolean> => {
    const script = `${chdir ? `cd ${shellQuote(chdir)} 2>/dev/null;` : ''} for f in ${globQuote(pattern)}; do [ -e "$f" ] && exit 0; done; exit 1`
    const res = await connection.run(script, { timeoutMs: ctx.timeoutMs })
    return res.code === 0
  }
  const skip = (msg: string, stdout: string): ModuleResult => ({
    changed: false,
    cmd,
    delta: null,
    end: null,
    msg,
    rc: 0,
    start: null,
    stderr: '',
    stderr_lines: [],
    stdout,
    stdout_lines: [stdout]
  })
  if (creates !== undefined && (await exists(creates))) {
    return skip(`Did not run command since '${creates}' exists`, `skipped, since ${creates} exists`)
  }
  if (removes !== undefined && !(await exists(removes))) {
    return skip(
      `Did not run command since '${removes}' does not exist`,
      `skipped, since ${removes} does not exist`
    )
  }
  return undefined
}

/** Quotes a path but leaves glob characters active, so the remote shell expands them and nothing else. */
function globQuote(pattern: string): string {
  return pattern
    .split(/([*?[\]])/)
    .map((part) => (/^[*?[\]]$/.test(part) ? part : part === '' ? '' : shellQuote(part)))
    .join('')
}

/** Reads an optional string argument. */
export function optionalString(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined
  return String(value)
}
