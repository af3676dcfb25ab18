/**
 * Privilege escalation (`become`): a Connection that runs every command, and writes every file, as
 * another user through sudo or su. The password travels on the command's stdin only (see become.sh):
 * never on a command line, never in the environment, never in a result.
 */
import { randomBytes } from 'node:crypto'
import { AsyncPlaybookError } from '../errors.js'
import type { CommandResult, Connection, RunOptions } from './connection.js'
import { compactScript as compact, shellJoin, shellQuote, shlexSplit } from './shell-quote.js'
import becomeSource from './become.sh'
import putSource from './become-put.sh'
import { readFileByCommand } from './command-read.js'
import type { GetFileOptions } from './get-file.js'

/** The become methods this engine implements. */
export const BECOME_METHODS = ['sudo', 'su'] as const
export type BecomeMethod = (typeof BECOME_METHODS)[number]

/** Ansible's default become_flags per method. */
export const DEFAULT_BECOME_FLAGS: Record<BecomeMethod, string> = { sudo: '-H -S -n', su: '' }

/**
 * Who a command runs as, without the password: what an async job remembers, so that later checks on
 * it (async_status, --jobs, cancellation) read its records as the same user.
 */
export interface BecomeIdentity {
  user: string
  method: BecomeMethod
  /** become_exe, when not the method's name. */
  exe?: string
  /** become_flags, when not the method's default. */
  flags?: string
}

/** Everything escalation needs for one command. */
export interface BecomeSettings extends BecomeIdentity {
  password?: string
}

/** Why escalation failed. */
export type BecomeFailure =
  'incorrect-password' | 'missing-password' | 'refused' | 'not-found' | 'unusable' | 'failed'

/** Escalation failed: the task fails (it is not unreachable), with a message saying what to change. */
export class BecomeError extends AsyncPlaybookError {
  constructor(
    message: string,
    readonly host: string,
    readonly reason: BecomeFailure
  ) {
    super(message)
  }
}

/** Comments and indentation are dropped: this text goes out with every command run under become. */
const BECOME_SCRIPT = compact(becomeSource)
const PUT_SCRIPT = compact(putSource)

/**
 * The command that writes its stdin to `remotePath` atomically and privately (become-put.sh) as the
 * user who runs it: with `mode` (else the mode of the file it replaces, else the umask's). Besides
 * putFile under become, copy's transfer runs it to write and read back dest in one round trip.
 */
export function putCommand(remotePath: string, mode: number | undefined): string {
  return shellJoin([
    '/bin/sh',
    '-c',
    PUT_SCRIPT,
    'apb-put',
    remotePath,
    mode === undefined ? '' : mode.toString(8).padStart(4, '0'),
    randomBytes(8).toString('hex')
  ])
}

/** The identity part of settings (what jobs store), or undefined without become. */
export function becomeIdentity(settings: BecomeSettings | undefined): BecomeIdentity | undefined {
  if (!settings) return undefined
  return {
    user: settings.user,
    method: settings.method,
    ...(settings.exe !== undefined ? { exe: settings.exe } : {}),
    ...(settings.flags !== undefined ? { flags: settings.flags } : {})
  }
}

/** A stable key for an identity ('' for the login user): jobs read together must share it. */
export function becomeKey(identity: BecomeIdentity | undefined): string {
  if (!identity) return ''
  return JSON.stringify([identity.method, identity.user, identity.exe ?? '', identity.flags ?? ''])
}

/** sudo's boolean short options: only clusters made of these are edited when -n / -S are removed. */
const SUDO_BOOLEAN_FLAGS = /^-[AbEeHiKklnPSsVv]+$/

/**
 * become_flags as words, for become.sh. For sudo, -n and -S are removed (the script adds them where
 * they belong: -n without a password so nothing waits for one, -S always to read it from stdin).
 * @throws BecomeError when the flags have unbalanced quotes
 */
export function becomeFlagWords(settings: BecomeIdentity, host: string): string[] {
  const text = settings.flags ?? DEFAULT_BECOME_FLAGS[settings.method]
  let words: string[]
  try {
    words = shlexSplit(text)
  } catch (error) {
    throw new BecomeError(
      `become_flags ${JSON.stringify(text)} cannot be split into words (${(error as Error).message}): check the quoting`,
      host,
      'unusable'
    )
  }
  if (settings.method !== 'sudo') return words
  const out: string[] = []
  for (const word of words) {
    if (['-n', '--non-interactive', '-S', '--stdin'].includes(word)) continue
    if (SUDO_BOOLEAN_FLAGS.test(word)) {
      const rest = word.replace(/[nS]/g, '')
      if (rest !== '-') out.push(rest)
      continue
    }
    out.push(word)
  }
  return out
}

/** The random markers of one command: sudo's prompt, and the line the command prints once it runs. */
export interface BecomeMarkers {
  prompt: string
  success: string
}

/** Fresh markers for one command. */
export function newBecomeMarkers(): BecomeMarkers {
  const id = randomBytes(12).toString('hex')
  return { prompt: `[apb-become ${id}] password:`, success: `APB-BECOME-OK-${id}` }
}

/**
 * The command line that runs `command` (POSIX sh text, as for Connection.run) as the become user.
 * `withStdin` says the command has its own stdin, which follows the password line.
 */
export function becomeCommand(
  command: string,
  settings: BecomeSettings,
  markers: BecomeMarkers,
  withStdin: boolean,
  host: string
): string {
  const flags = becomeFlagWords(settings, host)
  // su with a password: become.sh keeps the command's input on fd 3 while su reads the password.
  const takeBackStdin =
    settings.method === 'su' && settings.password !== undefined && withStdin
      ? `true <&3 2>/dev/null || { echo 'async-playbook: su did not pass on the command input (file descriptor 3): use become_method sudo for this task' >&2; exit 125; }\nexec 0<&3 3<&-\n`
      : ''
  const script = `${takeBackStdin}printf '%s\\n' ${shellQuote(markers.success)} >&2\n${command}`
  const inner = settings.method === 'su' ? shellJoin(['/bin/sh', '-c', script]) : script
  return shellJoin([
    '/bin/sh',
    '-c',
    BECOME_SCRIPT,
    'apb-become',
    settings.method,
    settings.exe ?? settings.method,
    settings.user,
    markers.prompt,
    inner,
    settings.password !== undefined ? '1' : '0',
    withStdin ? '1' : '0',
    ...flags
  ])
}

/**
 * Wraps a connection so every command runs as the become user; without settings, returns it as is.
 * The wrapper shares (and closes) the underlying connection.
 */
export function withBecome(
  connection: Connection,
  settings: BecomeSettings | undefined
): Connection {
  return settings ? new BecomeConnection(connection, settings) : connection
}

/** How much of stderr is held back while looking for the success marker. */
const MARKER_SEARCH_BYTES = 64 * 1024

/** Watches stderr as it streams for the success marker; passes what follows it to the caller's callback. */
class MarkerWatch {
  seen = false
  private head = Buffer.alloc(0)
  private readonly marker: Buffer

  constructor(
    success: string,
    private readonly forward?: (chunk: Buffer) => void
  ) {
    this.marker = Buffer.from(`${success}\n`)
  }

  push(chunk: Buffer): void {
    if (this.seen) {
      this.forward?.(chunk)
      return
    }
    if (this.head.length > MARKER_SEARCH_BYTES) return
    this.head = Buffer.concat([this.head, chunk])
    const at = this.head.indexOf(this.marker)
    if (at < 0) return
    this.seen = true
    const rest = this.head.subarray(at + this.marker.length)
    this.head = Buffer.alloc(0)
    if (rest.length > 0) this.forward?.(rest)
  }
}

class BecomeConnection implements Connection {
  constructor(
    private readonly inner: Connection,
    private readonly settings: BecomeSettings
  ) {}

  get host(): string {
    return this.inner.host
  }

  async run(command: string, options: RunOptions): Promise<CommandResult> {
    const { password, method } = this.settings
    if (password !== undefined && /[\r\n\0]/.test(password)) {
      throw new BecomeError(
        `the become password for ${this.host} contains a line break or NUL, which ${method} cannot read: use a password without one`,
        this.host,
        'unusable'
      )
    }
    const ownStdin = options.stdin === undefined ? Buffer.alloc(0) : Buffer.from(options.stdin)
    const markers = newBecomeMarkers()
    const watch = new MarkerWatch(markers.success, options.onStderr)
    const stdin =
      password !== undefined
        ? Buffer.concat([Buffer.from(`${password}\n`), ownStdin])
        : options.stdin
    const result = await this.inner.run(
      becomeCommand(command, this.settings, markers, ownStdin.length > 0, this.host),
      {
        ...options,
        stdin,
        onStderr: (chunk) => watch.push(chunk),
        // The password goes on a pipe of its own, never into a shell's text.
        ...(password !== undefined ? { sharedShell: false } : {})
      }
    )
    if (watch.seen) return { ...result, stderr: afterMarker(result.stderr, markers.success) }
    const stderr = withoutPrompts(result.stderr.toString('utf8'), markers.prompt)
    // A deadline or a dropped channel is reported by the caller as such, not as an escalation failure.
    if (result.timedOut || result.code === null) return { ...result, stderr: Buffer.from(stderr) }
    throw becomeFailure(this.settings, this.host, stderr, result.code)
  }

  async putFile(
    remotePath: string,
    content: Buffer,
    options: { mode?: number; timeoutMs: number }
  ): Promise<void> {
    const command = putCommand(remotePath, options.mode)
    const res = await this.run(command, { stdin: content, timeoutMs: options.timeoutMs })
    if (res.code !== 0) {
      throw new AsyncPlaybookError(
        `cannot write ${remotePath} on ${this.host} as ${this.settings.user}: ${res.stderr.toString('utf8').trim() || `exit code ${String(res.code ?? res.signal)}`}`
      )
    }
  }

  /**
   * `head -c` as the become user, its stdout streamed over the channel: at most maxBytes + 1 bytes
   * leave the target, and no more than that is kept here.
   */
  getFile(remotePath: string, options: GetFileOptions): Promise<Buffer> {
    return readFileByCommand(this, remotePath, options, ` as ${this.settings.user}`)
  }

  close(): Promise<void> {
    return this.inner.close()
  }
}

function afterMarker(stderr: Buffer, success: string): Buffer {
  const marker = Buffer.from(`${success}\n`)
  const at = stderr.indexOf(marker)
  // Not there: the output cap dropped the head of stderr, marker included.
  return at < 0 ? stderr : stderr.subarray(at + marker.length)
}

function withoutPrompts(stderr: string, prompt: string): string {
  return stderr
    .split(prompt)
    .join('\n')
    .replace(/\n{2,}/g, '\n')
    .trim()
}

/** Reads sudo's or su's complaint and says what went wrong in Ansible's words, then what to do. */
export function becomeFailure(
  settings: BecomeSettings,
  host: string,
  stderr: string,
  code: number
): BecomeError {
  const { method, user } = settings
  const exe = settings.exe ?? method
  const passwordHelp =
    'give it with ansible_become_password (or ansible_become_pass), -K/--ask-become-pass, ' +
    'the become-password input or the ASYNC_PLAYBOOK_BECOME_PASSWORD environment variable'
  const said = stderr === '' ? '' : ` (${method} said: ${tail(stderr)})`
  if (method === 'sudo') {
    if (/incorrect password attempt|Sorry, try again/i.test(stderr)) {
      return new BecomeError(
        `Incorrect sudo password: sudo on ${host} refused the password given for becoming '${user}'`,
        host,
        'incorrect-password'
      )
    }
    if (/a password is required|no password was provided|a terminal is required/i.test(stderr)) {
      return new BecomeError(
        `Missing sudo password: sudo on ${host} needs a password to run commands as '${user}'; ${passwordHelp}`,
        host,
        'missing-password'
      )
    }
    if (
      /not in the sudoers file|is not allowed to|may not run sudo|not allowed to execute/i.test(
        stderr
      )
    ) {
      return new BecomeError(
        `sudo on ${host} does not let the login user run commands as '${user}'${said}: allow it in sudoers, or change become_user`,
        host,
        'refused'
      )
    }
  } else if (/Authentication failure|incorrect password/i.test(stderr)) {
    return settings.password !== undefined
      ? new BecomeError(
          `Incorrect su password: su on ${host} refused the password given for becoming '${user}' (su wants ${user}'s password)`,
          host,
          'incorrect-password'
        )
      : new BecomeError(
          `Missing su password: su on ${host} needs ${user}'s password; ${passwordHelp}`,
          host,
          'missing-password'
        )
  }
  if (code === 127 || new RegExp(`${escapeRegExp(exe)}: (command )?not found`).test(stderr)) {
    return new BecomeError(
      `privilege escalation failed on ${host}: '${exe}' was not found${said}. Install ${method} there, or set become_exe to its path`,
      host,
      'not-found'
    )
  }
  return new BecomeError(
    `privilege escalation with ${method} to '${user}' failed on ${host} (exit code ${code})${said}`,
    host,
    'failed'
  )
}

function tail(text: string, max = 500): string {
  const trimmed = text.trim()
  return trimmed.length > max ? `…${trimmed.slice(-max)}` : trimmed
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
