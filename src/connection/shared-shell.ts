import { randomBytes } from 'node:crypto'
import type { CommandResult } from './connection.js'
import { TailBuffer, collectedOutput } from './output-buffer.js'
import { shellQuote } from './shell-quote.js'

/*
 * A host's long-lived `/bin/sh`, started once on its own session channel, that runs commands one at a
 * time, each in a subshell of its own. Each command on a session channel of its own costs the target
 * sshd's session process and the login shell: on a machine where starting a process is slow, more than
 * the probe it runs. Only commands that ask for it come here (RunOptions.sharedShell): POSIX sh text that
 * reads no input and leaves nothing running.
 *
 * The shell reads its commands on stdin. After each command it prints a line with a marker (random per
 * shell, so a command's output cannot forge it) and the exit status on stdout, and the marker on
 * stderr: what comes before them is the command's output. The command's stdin is /dev/null, as a
 * session channel whose input is closed at once.
 */

/** The most input a command may bring to the shared shell (as a here-document in its text). */
export const SHARED_STDIN_MAX_BYTES = 256 * 1024

/**
 * What the shell runs each command as: a subshell, so `cd`, `exit`, `umask` and variables stay in it.
 * Its input is /dev/null, or `stdin` as a here-document ended by a line no text can hold (see
 * sharedStdin()): dash hands it over on a pipe.
 */
function framed(command: string, marker: string, stdin: Buffer | undefined): Buffer {
  const text = shellQuote(inSubshell(command))
  const end = `; printf '\\n%s %s\\n' ${marker} "$?"; printf '\\n%s\\n' ${marker} >&2\n`
  if (stdin === undefined || stdin.length === 0) {
    return Buffer.from(`(eval ${text}) </dev/null${end}`)
  }
  return Buffer.concat([
    Buffer.from(`(eval ${text}) <<'${marker}-IN'${end}`),
    stdin,
    Buffer.from(`${marker}-IN\n`)
  ])
}

/**
 * What the subshell evaluates for `command`. A `/bin/sh -c SCRIPT NAME ARGS…` (our scripts, as
 * shellJoin() writes them) runs its script in a subshell of the shared shell's instead of a second
 * /bin/sh (an exec, as costly as a process on a slow target), with ARGS as its positional parameters:
 * alone, in the command's own subshell (`set -- ARGS; eval SCRIPT`); in a list (`A || { …; }; B`), in
 * a subshell of its own (`( set -- ARGS; eval SCRIPT )`), where the shell forked for it anyway. Some
 * things would differ, so a script that names one is left to its own shell (OWN_SHELL): `$$` and
 * `$PPID` (the long-lived shell's, not a shell's own), `$0` (that shell's name, not NAME), and `set -e`;
 * a lone one then replaces the subshell (`exec`). A command that is not a list of simple commands in the words
 * shellJoin() writes (and plain double-quoted text) runs as written.
 */
export function inSubshell(command: string): string {
  const parts = shellList(command)
  if (parts === undefined) return command
  const commands = parts.filter((part) => part.kind === 'command')
  if (commands.length === 1 && parts.length === 1) {
    const script = shScript(commands[0]!.words)
    if (!script) return command
    return script.own ? `exec ${command}` : `set -- ${script.args}; eval ${script.text}`
  }
  let changed = false
  const out = parts.map((part) => {
    if (part.kind === 'operator') return part.text
    const script = shScript(part.words)
    if (!script || script.own) return part.words.join(' ')
    changed = true
    return `( set -- ${script.args}; eval ${script.text} )`
  })
  return changed ? out.join('') : command
}

/** A `/bin/sh -c SCRIPT NAME ARGS…` command's script and arguments (as written), or undefined. */
function shScript(
  words: readonly string[]
): { text: string; args: string; own: boolean } | undefined {
  if (words.length < 4 || words[0] !== '/bin/sh' || words[1] !== '-c') return undefined
  // Only words as shellJoin() writes them: a double-quoted script would be expanded after `set --`.
  if (!words.every((word) => SHELL_WORD.test(word))) return undefined
  const text = words[2]!
  return { text, args: words.slice(4).join(' '), own: OWN_SHELL.test(text) }
}

/**
 * What a script may depend on that a subshell of the shared shell would change: `$$`, `${$}` and
 * `$PPID` (the long-lived shell's), `$0` (its name), and `set -e` (ignored in a subshell on the left
 * of `||`, as a list's first command is).
 */
const OWN_SHELL = /\$\$|\$\{\$\}|\$\{?0|PPID|\bset\s+-[A-Za-z]*e|errexit/

/** One word as shellJoin() writes it (bare, '…', \'). */
const SHELL_WORD = /^(?:[A-Za-z0-9_@%+=:,./-]|'[^']*'|\\')+$/

/** A piece of a list of commands: a simple command's words, or what separates them. */
type ListPart = { kind: 'command'; words: string[] } | { kind: 'operator'; text: string }

/**
 * `command` as a list of simple commands and the operators between them (`;`, a line break, `||`,
 * `&&`, `{`, `}`, with their spaces), when it is only that: words as shellJoin() writes them (bare, '…', \') or plain
 * double-quoted text (no quote, backslash or backquote inside). Undefined for anything else.
 */
function shellList(command: string): ListPart[] | undefined {
  const parts: ListPart[] = []
  let words: string[] = []
  /** Text since the last word: spaces, and operators once one comes. */
  let between = ''
  let sawOperator = false
  const token = /[ \t]+|(?:[A-Za-z0-9_@%+=:,./-]|'[^']*'|\\'|"[^"\\`]*")+|\|\||&&|[;{}\n]/y
  for (let at = 0; at < command.length;) {
    token.lastIndex = at
    const m = token.exec(command)
    if (!m) return undefined
    const text = m[0]
    at += text.length
    if (/^[ \t]/.test(text)) {
      between += text
    } else if (/^(?:\|\||&&|[;{}\n])$/.test(text)) {
      between += text
      sawOperator = true
    } else {
      if (sawOperator || (words.length === 0 && between !== '')) {
        if (words.length > 0) parts.push({ kind: 'command', words })
        parts.push({ kind: 'operator', text: between })
        words = []
      }
      between = ''
      sawOperator = false
      words.push(text)
    }
  }
  if (words.length > 0) parts.push({ kind: 'command', words })
  if (between !== '') parts.push({ kind: 'operator', text: between })
  return parts
}

/**
 * Whether `stdin` can travel as a here-document, byte for byte: text with no NUL (which a shell
 * cannot hold) that is empty or ends with a line break (a here-document always does), within
 * SHARED_STDIN_MAX_BYTES. The end line is the shell's marker, which no input can know.
 */
export function sharedStdin(stdin: string | Buffer | undefined): Buffer | undefined | false {
  if (stdin === undefined) return undefined
  const bytes = typeof stdin === 'string' ? Buffer.from(stdin) : stdin
  if (bytes.length > SHARED_STDIN_MAX_BYTES || bytes.includes(0)) return false
  if (bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a) return false
  return bytes
}

/**
 * Splits one of the shell's output streams at the marker lines: bytes go to `sink` as they come (all
 * but a marker's length, held back in case it starts there), and `end` gets each marker line's rest.
 */
export class FrameSplitter {
  private pending = Buffer.alloc(0)
  private readonly needle: Buffer

  constructor(
    marker: string,
    private readonly sink: (bytes: Buffer) => void,
    private readonly end: (rest: string) => void
  ) {
    this.needle = Buffer.from(`\n${marker}`)
  }

  push(chunk: Buffer): void {
    let buf = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk
    for (;;) {
      const at = buf.indexOf(this.needle)
      if (at < 0) {
        const keep = this.heldBack(buf)
        if (buf.length > keep) this.sink(buf.subarray(0, buf.length - keep))
        this.pending = Buffer.from(buf.subarray(buf.length - keep))
        return
      }
      const newline = buf.indexOf(0x0a, at + this.needle.length)
      if (at > 0) this.sink(buf.subarray(0, at))
      if (newline < 0) {
        this.pending = Buffer.from(buf.subarray(at))
        return
      }
      this.end(buf.toString('latin1', at + this.needle.length, newline))
      buf = buf.subarray(newline + 1)
    }
  }

  /** Hands on the bytes held back: the stream ended without the marker they might have begun. */
  flush(): void {
    const held = this.pending
    this.pending = Buffer.alloc(0)
    if (held.length > 0) this.sink(held)
  }

  /** How many bytes at the end of `buf` could be the start of a marker line (a line break and more). */
  private heldBack(buf: Buffer): number {
    const from = Math.max(0, buf.length - (this.needle.length - 1))
    for (let at = buf.indexOf(0x0a, from); at >= 0; at = buf.indexOf(0x0a, at + 1)) {
      if (this.needle.subarray(0, buf.length - at).equals(buf.subarray(at))) return buf.length - at
    }
    return 0
  }
}

/** The channel under a shared shell: what SshConnection gives it (an ssh2 session channel). */
export interface ShellChannel {
  write(data: Buffer | string): void
  /** Sends a signal to the channel's session (OpenSSH delivers it to the session's process group). */
  signal(name: string): void
  close(): void
  onStdout(listener: (chunk: Buffer) => void): void
  onStderr(listener: (chunk: Buffer) => void): void
  onClose(listener: () => void): void
}

/** One command's state while it runs in the shell. */
interface Running {
  stdout: TailBuffer
  stderr: TailBuffer
  onStdout?: (chunk: Buffer) => void
  onStderr?: (chunk: Buffer) => void
  code?: number | null
  stderrDone: boolean
  timedOut: boolean
  finish(result: SharedRunResult): void
}

/**
 * How a command sent to the shell ended: its result, or `not-run` when the shell was gone before the
 * command could start (the caller runs it on a channel of its own instead).
 */
export type SharedRunResult =
  | { kind: 'done'; result: CommandResult }
  | { kind: 'not-run' }
  | { kind: 'lost'; result: CommandResult }

/** How long a KILLed shell gets to report its end before we close its channel (as for a command's). */
const SIGNAL_GRACE_MS = 1_000
/** How long a closed channel gets to report closed before we stop waiting for it. */
const KILL_GRACE_MS = 2_000

export class SharedShell {
  private readonly marker = `APB-SHELL-${randomBytes(16).toString('hex')}`
  /** True until the start frame is through on both streams: the login shell's own output is dropped. */
  private starting = { stdout: true, stderr: true }
  private running: Running | undefined
  private closed = false
  /** Set when the shell may no longer be used (closed, killed, or its stream did not parse). */
  broken = false

  private readonly stdout: FrameSplitter
  private readonly stderr: FrameSplitter

  /**
   * @param channel a session channel whose command was `exec /bin/sh -s`
   * @param gone called once when the shell can no longer be used
   */
  constructor(
    private readonly channel: ShellChannel,
    private readonly gone: (shell: SharedShell) => void
  ) {
    this.stdout = new FrameSplitter(
      this.marker,
      (bytes) => {
        if (this.starting.stdout || !this.running) return
        this.running.stdout.push(bytes)
        this.running.onStdout?.(bytes)
      },
      (rest) => this.frameEnd('stdout', rest)
    )
    this.stderr = new FrameSplitter(
      this.marker,
      (bytes) => {
        if (this.starting.stderr || !this.running) return
        this.running.stderr.push(bytes)
        this.running.onStderr?.(bytes)
      },
      (rest) => this.frameEnd('stderr', rest)
    )
    channel.onStdout((chunk) => this.stdout.push(chunk))
    channel.onStderr((chunk) => this.stderr.push(chunk))
    channel.onClose(() => this.channelClosed())
    // The start frame: whatever the login shell prints before running /bin/sh is dropped with it.
    channel.write(`printf '\\n%s 0\\n' ${this.marker}; printf '\\n%s\\n' ${this.marker} >&2\n`)
  }

  /** True once the shell has answered: a shell that never did cannot run on this target. */
  get started(): boolean {
    return !this.starting.stdout
  }

  get idle(): boolean {
    return !this.broken && this.running === undefined
  }

  /**
   * Runs one command (the shell must be idle). Resolves when the command is done; on the deadline,
   * kills the shell's whole session and resolves with `timedOut` once it is gone.
   */
  run(
    command: string,
    options: {
      timeoutMs: number
      outputCapBytes: number
      /** Input, as sharedStdin() accepted it. */
      stdin?: Buffer
      onStdout?: (chunk: Buffer) => void
      onStderr?: (chunk: Buffer) => void
    }
  ): Promise<SharedRunResult> {
    if (!this.idle) return Promise.resolve({ kind: 'not-run' })
    return new Promise<SharedRunResult>((resolve) => {
      let graceTimer: NodeJS.Timeout | undefined
      let settled = false
      const running: Running = {
        stdout: new TailBuffer(options.outputCapBytes),
        stderr: new TailBuffer(options.outputCapBytes),
        onStdout: options.onStdout,
        onStderr: options.onStderr,
        stderrDone: false,
        timedOut: false,
        finish: (outcome) => {
          if (settled) return
          settled = true
          clearTimeout(deadline)
          clearTimeout(graceTimer)
          if (this.running === running) this.running = undefined
          if (outcome.kind !== 'not-run' && running.timedOut) outcome.result.timedOut = true
          resolve(outcome)
        }
      }
      this.running = running
      const deadline = setTimeout(() => {
        running.timedOut = true
        // As for a command on a channel of its own: the whole session's process group is killed.
        this.breakShell()
        this.channel.signal('KILL')
        graceTimer = setTimeout(() => {
          this.channel.close()
          graceTimer = setTimeout(() => this.channelClosed(), KILL_GRACE_MS)
        }, SIGNAL_GRACE_MS)
      }, options.timeoutMs)
      this.channel.write(framed(command, this.marker, options.stdin))
    })
  }

  private frameEnd(stream: 'stdout' | 'stderr', rest: string): void {
    if (this.starting[stream]) {
      this.starting[stream] = false
      return
    }
    const running = this.running
    if (!running) {
      // Output with no command to own it: the stream cannot be trusted any more.
      this.breakShell()
      this.channel.close()
      return
    }
    if (stream === 'stdout') {
      const status = /^ (\d{1,3})$/.exec(rest)
      running.code = status ? Number(status[1]) : null
      if (!status) {
        this.breakShell()
        this.channel.close()
      }
    } else {
      running.stderrDone = true
    }
    if (running.code !== undefined && running.stderrDone) {
      running.finish({
        kind: 'done',
        result: {
          code: running.code,
          signal: null,
          timedOut: false,
          ...collectedOutput(running.stdout, running.stderr)
        }
      })
    }
  }

  private breakShell(): void {
    if (this.broken) return
    this.broken = true
    this.gone(this)
  }

  private channelClosed(): void {
    if (this.closed) return
    this.closed = true
    this.breakShell()
    const running = this.running
    if (!running) return
    // What was held back in case it began a marker line is the command's: no marker will come.
    this.stdout.flush()
    this.stderr.flush()
    // Closed before the start frame came through: the command never started, so it may run elsewhere.
    if (this.starting.stdout && !running.timedOut) {
      running.finish({ kind: 'not-run' })
      return
    }
    running.finish({
      kind: 'lost',
      result: {
        code: running.code ?? null,
        signal: null,
        timedOut: false,
        ...collectedOutput(running.stdout, running.stderr)
      }
    })
  }

  /**
   * Ends the shell (its channel closes; a running command is reported as lost). `kill`: a running
   * command is killed first (OpenSSH signals the session's process group), not left running.
   */
  close(kill = false): void {
    if (kill && this.running && !this.closed) this.channel.signal('KILL')
    this.breakShell()
    this.channel.close()
    this.channelClosed()
  }
}
