import { randomBytes } from 'node:crypto'
import { shellQuote } from '../connection/shell-quote.js'
import { TIMED_OUT, type ModuleContext, type ModuleResult } from './module.js'
import checksScript from './command-checks.sh'
import expandArgsScript from './expand-args.sh'
import { environmentOnStdin, jobWithInput } from './task-environment.js'

/** Extra seconds the controller waits beyond a task `timeout` before giving up on the channel. */
const TIMEOUT_GRACE_SECONDS = 10

/** What runCommand runs and how it reports it. */
export interface CommandOptions {
  /** The directory to run in (`chdir`), as written: `$VAR` and `~` are expanded on the target. */
  chdir?: string
  /** The task's `stdin`, with its newline already added. */
  stdin?: string
  /** `command` or `shell`, for messages. */
  moduleName: string
  /** `script` is itself a `/bin/sh -c …` invocation that needs no wrapper. */
  runsUnderSh?: boolean
  /** Trailing newlines are removed from stdout and stderr (`strip_empty_ends`, default true). */
  stripEmptyEnds?: boolean
  /**
   * The script to run instead of `script` when the command runs in the foreground, where the checks of
   * command-checks.sh are defined: command looks its program up before it runs, so that one that cannot
   * start fails with Python's errno message, as in Ansible.
   */
  checkedScript?: string
  /** `cmd` as Ansible reports it when the program could not start (shell-quoted words). */
  cmdIfNotStarted?: string
}

/**
 * Runs one command line on the target the way Ansible's command/shell modules do, and returns their
 * registered fields: rc, stdout, stderr, *_lines, cmd, start, end, delta, changed, msg, failed.
 * `script` is POSIX sh text; chdir, environment and the task timeout are applied around it.
 */
export async function runCommand(
  ctx: ModuleContext,
  script: string,
  cmdForResult: unknown,
  options: CommandOptions
): Promise<ModuleResult> {
  const timeout = ctx.taskTimeoutSeconds
  const timed = (text: string): string =>
    timeout !== undefined && timeout > 0
      ? // coreutils timeout puts the command in its own process group and signals the whole group.
        `exec timeout -k 5 ${Math.ceil(timeout)} /bin/sh -c ${shellQuote(text)}`
      : text
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
    const dir = options.chdir ? chdirWord(options.chdir) : undefined
    const parts = [...(dir ? [...dir.lines, `cd -P -- ${dir.word} || exit 1`] : []), timed(script)]
    const carried = environmentOnStdin(ctx.environment, options.stdin)
    if (!carried) return ctx.launchJob(underSh(parts), cmdForResult)
    const job = carried.inputCarrier
      ? jobWithInput(carried.inputCarrier, parts.join('\n'))
      : parts.join('\n')
    return ctx.launchJob(underSh([carried.apply, job]), cmdForResult, carried)
  }
  const marker = newMarker()
  const checked = options.checkedScript ?? script
  const parts: string[] = []
  if (options.chdir || options.checkedScript) parts.push(`__apb_mark=${marker}`, checksScript)
  if (options.chdir) {
    const dir = chdirWord(options.chdir)
    parts.push(...dir.lines, `__apb_cd ${dir.word}`)
  }
  parts.push(timed(checked))
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
  const rc = result.code ?? -1
  const notStarted = rc === 1 ? cannotStart(result.stdout, marker) : undefined
  if (notStarted?.what === 'chdir')
    return chdirFailure(cmdForResult, notStarted.errno, notStarted.path)
  if (notStarted?.what === 'exec') {
    return {
      changed: false,
      cmd: options.cmdIfNotStarted ?? cmdForResult,
      failed: true,
      msg: osError(notStarted.errno, notStarted.path),
      rc: notStarted.errno,
      stderr: '',
      stderr_lines: [],
      stdout: '',
      stdout_lines: []
    }
  }
  if ((timeout !== undefined && timeout > 0 && rc === 124) || result.timedOut) {
    return result.timedOut
      ? {
          changed: false,
          failed: true,
          msg: `The ${options.moduleName} action did not finish within its deadline of ${Math.round(ctx.timeoutMs / 1000)}s and was terminated`
        }
      : timeoutResult(ctx.task.action ?? options.moduleName, timeout!)
  }
  const strip = options.stripEmptyEnds !== false
  const stdout =
    truncationMarker(result.stdoutTruncated, result.stdout.length) +
    (strip ? decodeOutput(result.stdout) : result.stdout.toString('utf8'))
  const stderr =
    truncationMarker(result.stderrTruncated, result.stderr.length) +
    (strip ? decodeOutput(result.stderr) : result.stderr.toString('utf8'))
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
  if (rc !== 0) {
    out['failed'] = true
    out['msg'] = 'non-zero return code'
  }
  return out
}

/**
 * Ansible's result for a task that ran past its `timeout` keyword: no module fields. `action` is the
 * module as the task names it (`shell`, `ansible.builtin.shell`).
 */
export function timeoutResult(action: string, seconds: number): ModuleResult {
  const result: ModuleResult = {
    failed: true,
    msg: `The ${action} action failed to execute in the expected time frame (${seconds}) and was terminated`
  }
  Object.defineProperty(result, TIMED_OUT, { value: true })
  return result
}

/**
 * The shell text that runs argv without a shell's interpretation. Arguments holding `$` or starting with
 * `~` are expanded on the target as Ansible's command module does; everything else is passed literally.
 * With `checked`, the program is looked up first (see command-checks.sh, which must be defined before).
 */
export function execScript(argv: readonly string[], options: { checked?: boolean } = {}): string {
  const needsExpansion = (arg: string): boolean => arg.includes('$') || arg.startsWith('~')
  const lines: string[] = []
  if (argv.some(needsExpansion)) lines.push(expandArgsScript)
  const words = argv.map((arg, i) => {
    if (!needsExpansion(arg)) return shellQuote(arg)
    lines.push(`apb_a${i}=$(apb_expand ${shellQuote(arg)}) && apb_a${i}=\${apb_a${i}%x}`)
    return `"$apb_a${i}"`
  })
  if (options.checked && words[0] !== undefined) lines.push(`__apb_check_program ${words[0]}`)
  lines.push(`exec ${words.join(' ')}`)
  return lines.join('\n')
}

/**
 * A `chdir` value as one shell word (and the lines that must run before it), with `$VAR` and a leading
 * `~` expanded on the target as Ansible expands its path arguments.
 */
function chdirWord(dir: string): { lines: string[]; word: string } {
  if (!dir.includes('$') && !dir.startsWith('~')) return { lines: [], word: shellQuote(dir) }
  return {
    lines: [
      expandArgsScript,
      `__apb_dir=$(apb_expand ${shellQuote(dir)}) && __apb_dir=\${__apb_dir%x}`
    ],
    word: '"$__apb_dir"'
  }
}

function newMarker(): string {
  return `apb-cannot-start-${randomBytes(8).toString('hex')}`
}

/** Reads a failed check's line (see command-checks.sh), if that is all the command printed. */
function cannotStart(
  stdout: Buffer,
  marker: string
): { what: 'chdir' | 'exec'; errno: number; path: string } | undefined {
  const match = new RegExp(`^${marker} (chdir|exec) (\\d+) ([\\s\\S]*)\n$`).exec(
    stdout.toString('utf8')
  )
  if (!match) return undefined
  return { what: match[1] as 'chdir' | 'exec', errno: Number(match[2]), path: match[3]! }
}

const ERRNO_TEXT: Record<number, string> = {
  2: 'No such file or directory',
  13: 'Permission denied',
  20: 'Not a directory'
}

/** Python's OSError text for a path given as bytes: `[Errno 2] No such file or directory: b'nosuch'`. */
export function osError(errno: number, path: string): string {
  return `[Errno ${errno}] ${ERRNO_TEXT[errno] ?? 'Error'}: ${pythonBytesRepr(path)}`
}

/** Python's repr() of a str encoded to UTF-8 bytes: `b'nosuch'`, `b"it's"`, `b'caf\\xc3\\xa9'`. */
export function pythonBytesRepr(text: string): string {
  const bytes = Buffer.from(text, 'utf8')
  const quote = bytes.includes(0x27) && !bytes.includes(0x22) ? '"' : "'"
  let body = ''
  for (const byte of bytes) {
    if (byte === 0x5c) body += '\\\\'
    else if (byte === quote.charCodeAt(0)) body += `\\${quote}`
    else if (byte === 0x09) body += '\\t'
    else if (byte === 0x0a) body += '\\n'
    else if (byte === 0x0d) body += '\\r'
    else if (byte < 0x20 || byte >= 0x7f) body += `\\x${byte.toString(16).padStart(2, '0')}`
    else body += String.fromCharCode(byte)
  }
  return `b${quote}${body}${quote}`
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
 * Checks `creates`/`removes` on the target as Ansible's command module does: after changing to `chdir`
 * (a directory it cannot enter fails the task first), with `$VAR` and `~` expanded and glob patterns
 * matched. Returns the result Ansible gives (a skip, or the chdir failure), or undefined to run.
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
  /** Whether something matches the pattern, and the pattern with its variables expanded. */
  const matches = async (
    pattern: string
  ): Promise<{ found: boolean; path: string } | ModuleResult> => {
    const marker = newMarker()
    const lines = [`__apb_mark=${marker}`, checksScript]
    if (chdir) {
      const dir = chdirWord(chdir)
      lines.push(...dir.lines, `__apb_cd ${dir.word}`)
    }
    if (pattern.includes('$') || pattern.startsWith('~'))
      lines.push(
        expandArgsScript,
        `__apb_p=$(apb_expand ${shellQuote(pattern)}) && __apb_p=\${__apb_p%x}`
      )
    else lines.push(`__apb_p=${shellQuote(pattern)}`)
    // The pattern is matched by the shell's pathname expansion of an unquoted variable that is not split
    // (IFS is empty): it is never evaluated as shell text. A dangling symbolic link counts, as in Python.
    lines.push(
      'IFS=',
      'for f in $__apb_p; do if [ -e "$f" ] || [ -L "$f" ]; then printf %s "$__apb_p"; exit 0; fi; done',
      'printf %s "$__apb_p"; exit 1'
    )
    const res = await connection.run(`/bin/sh -c ${shellQuote(lines.join('\n'))}`, {
      timeoutMs: ctx.timeoutMs
    })
    const notStarted = res.code === 1 ? cannotStart(res.stdout, marker) : undefined
    if (notStarted) return chdirFailure(cmd, notStarted.errno, notStarted.path)
    return { found: res.code === 0, path: res.stdout.toString('utf8') || pattern }
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
  if (creates !== undefined) {
    const found = await matches(creates)
    if (!('found' in found)) return found
    if (found.found)
      return skip(
        `${ctx.check ? 'Would' : 'Did'} not run command since '${found.path}' exists`,
        `skipped, since ${found.path} exists`
      )
  }
  if (removes !== undefined) {
    const found = await matches(removes)
    if (!('found' in found)) return found
    if (!found.found)
      return skip(
        `${ctx.check ? 'Would' : 'Did'} not run command since '${found.path}' does not exist`,
        `skipped, since ${found.path} does not exist`
      )
  }
  return undefined
}

/** Ansible's result when `chdir` cannot be entered: nothing ran, and rc is None. */
function chdirFailure(cmd: unknown, errno: number, path: string): ModuleResult {
  return {
    changed: false,
    cmd,
    delta: null,
    end: null,
    failed: true,
    msg: `Unable to change directory before execution: ${osError(errno, path)}`,
    rc: null,
    start: null,
    stderr: '',
    stderr_lines: [],
    stdout: '',
    stdout_lines: []
  }
}

/** Reads an optional string argument. */
export function optionalString(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined
  return String(value)
}
