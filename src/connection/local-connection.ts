import { spawn } from 'node:child_process'
import { constants as fsConstants, readFileSync, readdirSync } from 'node:fs'
import { open, rename, stat, unlink } from 'node:fs/promises'
import { basename, dirname, join, resolve as resolvePath } from 'node:path'
import { randomBytes } from 'node:crypto'
import type { CommandResult, Connection, RunOptions } from './connection.js'
import {
  CappedFile,
  RemoteFileError,
  readWithDeadline,
  type GetFileOptions,
  type RemoteFileProblem
} from './get-file.js'
import { SYNC_OUTPUT_CAP_BYTES, TailBuffer, collectedOutput } from './output-buffer.js'
import { AsyncPlaybookError, CommandTimeoutError, ConnectionError } from '../errors.js'

/** How long to wait for the process to be reaped after SIGKILL on a deadline. */
const KILL_GRACE_MS = 2_000
const MAX_TIMER_MS = 2 ** 31 - 1
/** How much of a file getFile reads at a time. */
const READ_CHUNK_BYTES = 64 * 1024

/**
 * Variables the CLI reads a secret from (src/cli-options.ts). Any other `ASYNC_PLAYBOOK_…PASSWORD`,
 * `…PASSPHRASE`, `…SECRET`, `…TOKEN` or `…PRIVATE_KEY` is held back too (see isSecretVariable).
 */
export const SECRET_VARIABLES: readonly string[] = ['ASYNC_PLAYBOOK_BECOME_PASSWORD']

/**
 * True for a variable of the runner that must not reach a local command: the action's inputs
 * (`INPUT_*`, secrets among them) and saved state, the runner's own variables and tokens
 * (`ACTIONS_*`, `GITHUB_TOKEN`), and the variables the CLI reads secrets from.
 */
export function isSecretVariable(name: string): boolean {
  return (
    /^(INPUT_|STATE_|ACTIONS_)/i.test(name) ||
    /^GITHUB_TOKEN$/i.test(name) ||
    SECRET_VARIABLES.includes(name.toUpperCase()) ||
    /^ASYNC_PLAYBOOK_(\w*_)?(PASS|PASSWORD|PASSPHRASE|SECRET|TOKEN|PRIVATE_KEY)$/i.test(name)
  )
}

/**
 * The environment a local command gets: the runner's, minus what isSecretVariable names, which would
 * otherwise reach facts (`ansible_env`) and results.
 */
export function targetEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(env)) {
    if (isSecretVariable(key)) continue
    out[key] = value
  }
  return out
}

/**
 * A connection to the machine we run on (`ansible_connection=local`): commands run under `/bin/sh -c`
 * in their own process group, so a deadline kills the command and everything it started.
 */

/**
 * @param workingDirectory where commands run and where relative paths of transfers start (Ansible runs
 *   a local connection's commands in the play's directory, its loader's basedir); the process's own
 *   working directory when not given
 */
export function openLocalConnection(host: string, workingDirectory?: string): Connection {
  return new LocalConnection(host, workingDirectory)
}

/** A process as /proc showed it; pid and start time together name one process while it lives. */
interface ProcessEntry {
  pid: number
  pgid: number
  startTicks: string
}

/** Live processes whose group is `pgid`, from /proc (none where there is no /proc, e.g. macOS). */
function groupMembers(pgid: number): ProcessEntry[] {
  let names: string[]
  try {
    // Cheap when the group is empty, the usual case: nothing to look up.
    process.kill(-pgid, 0)
    names = readdirSync('/proc')
  } catch {
    return []
  }
  const members: ProcessEntry[] = []
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue
    const entry = processEntry(Number(name))
    if (entry?.pgid === pgid) members.push(entry)
  }
  // A live process with the leader's pid, after Node reaped the leader, is a newcomer: not our group.
  return members.some((m) => m.pid === pgid) ? [] : members
}

function processEntry(pid: number): ProcessEntry | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name (which may hold ')'): state ppid pgrp ... starttime is the 20th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (fields[0] === 'Z') return undefined
    return { pid, pgid: Number(fields[2]), startTicks: fields[19] ?? '' }
  } catch {
    return undefined
  }
}

/** True while one of `survivors` is still alive and still in group `pgid` (so the id is still ours). */
function stillOurGroup(pgid: number, survivors: ProcessEntry[]): boolean {
  if (processEntry(pgid) !== undefined) return false
  return survivors.some((s) => {
    const now = processEntry(s.pid)
    return now?.pgid === pgid && now.startTicks === s.startTicks
  })
}

function clampTimeout(timeoutMs: number): number {
  if (!Number.isFinite(timeoutMs)) throw new TypeError(`timeoutMs must be finite, got ${timeoutMs}`)
  return Math.min(Math.max(0, timeoutMs), MAX_TIMER_MS)
}

class LocalConnection implements Connection {
  private closed = false

  constructor(
    readonly host: string,
    private readonly workingDirectory?: string
  ) {}

  /** `path` from the working directory (as the command's shell would see it). */
  private placed(path: string): string {
    return this.workingDirectory === undefined ? path : resolvePath(this.workingDirectory, path)
  }

  run(command: string, options: RunOptions): Promise<CommandResult> {
    if (this.closed) {
      return Promise.reject(
        new ConnectionError(`local connection to ${this.host} was closed`, this.host)
      )
    }
    const timeoutMs = clampTimeout(options.timeoutMs)
    const cap = options.outputCapBytes ?? SYNC_OUTPUT_CAP_BYTES
    return new Promise<CommandResult>((resolve, reject) => {
      const stdout = new TailBuffer(cap)
      const stderr = new TailBuffer(cap)
      let timedOut = false
      let settled = false
      let graceTimer: NodeJS.Timeout | undefined
      // detached: a new process group (setsid), so kill(-pid) reaches the command's children too.
      const child = spawn('/bin/sh', ['-c', command], {
        detached: true,
        ...(this.workingDirectory === undefined ? {} : { cwd: this.workingDirectory }),
        env: targetEnvironment(process.env),
        stdio: ['pipe', 'pipe', 'pipe']
      })
      // The group id is the shell's pid. It names our group while Node has not reaped the shell (its
      // 'exit' event); after that only while a process that was in the group then is still alive:
      // an empty group's id is free for the next process on the machine, which a kill would hit.
      let survivors: ProcessEntry[] = []
      child.once('exit', () => {
        if (child.pid !== undefined) survivors = groupMembers(child.pid)
      })
      const killGroup = (): void => {
        if (child.pid === undefined) return
        const reaped = child.exitCode !== null || child.signalCode !== null
        if (reaped && !stillOurGroup(child.pid, survivors)) return
        try {
          process.kill(-child.pid, 'SIGKILL')
        } catch {
          // The group is already gone.
        }
      }
      const settle = (finish: () => void): void => {
        if (settled) return
        settled = true
        clearTimeout(deadline)
        clearTimeout(graceTimer)
        finish()
      }
      const deadline = setTimeout(() => {
        timedOut = true
        killGroup()
        // A grandchild that escaped the group could hold the pipes open: do not wait for it forever.
        graceTimer = setTimeout(() => {
          child.stdout.destroy()
          child.stderr.destroy()
          settle(() =>
            resolve({ code: null, signal: 'SIGKILL', timedOut, ...collectedOutput(stdout, stderr) })
          )
        }, KILL_GRACE_MS)
      }, timeoutMs)

      child.stdout.on('data', (chunk: Buffer) => {
        stdout.push(chunk)
        options.onStdout?.(chunk)
      })
      child.stderr.on('data', (chunk: Buffer) => {
        stderr.push(chunk)
        options.onStderr?.(chunk)
      })
      child.on('error', (error) =>
        settle(() =>
          reject(
            new ConnectionError(`cannot run /bin/sh on ${this.host}: ${error.message}`, this.host)
          )
        )
      )
      child.on('close', (code, signal) =>
        settle(() => resolve({ code, signal, timedOut, ...collectedOutput(stdout, stderr) }))
      )
      // A command that exits without reading stdin makes the write fail with EPIPE: not our error.
      child.stdin.on('error', () => undefined)
      if (options.stdin !== undefined) child.stdin.write(options.stdin)
      child.stdin.end()
    })
  }

  async putFile(
    path: string,
    content: Buffer,
    options: { mode?: number; timeoutMs: number }
  ): Promise<void> {
    const timeoutMs = clampTimeout(options.timeoutMs)
    let timer: NodeJS.Timeout | undefined
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new CommandTimeoutError(
              `writing ${path} on ${this.host} took longer than ${timeoutMs} ms`,
              this.host,
              timeoutMs
            )
          ),
        timeoutMs
      )
    })
    try {
      await Promise.race([this.writeAtomically(this.placed(path), content, options.mode), expired])
    } finally {
      clearTimeout(timer)
    }
  }

  private async writeAtomically(path: string, content: Buffer, mode?: number): Promise<void> {
    const temp = join(dirname(path), `.${basename(path)}.apb-${randomBytes(8).toString('hex')}.tmp`)
    // Replacing a file keeps its mode unless a mode is given; a new file gets what the umask leaves.
    const finalMode =
      mode ??
      (await stat(path).then(
        (s) => s.mode & 0o7777,
        () => 0o666 & ~currentUmask()
      ))
    try {
      // Private from the first byte (0600, or stricter when the final mode is): created exclusively
      // ('wx' is O_EXCL, so nothing planted under the name is followed), opened to other users only by
      // the chmod to the final mode, once every byte is written.
      const file = await open(temp, 'wx', finalMode & 0o600)
      try {
        await file.writeFile(content)
        await file.chmod(finalMode)
      } finally {
        await file.close()
      }
      await rename(temp, path)
    } catch (error) {
      await unlink(temp).catch(() => undefined)
      throw new AsyncPlaybookError(
        `cannot write ${path} on ${this.host}: ${error instanceof Error ? error.message : String(error)}`
      )
    }
  }

  async getFile(path: string, options: GetFileOptions): Promise<Buffer> {
    if (this.closed) {
      throw new ConnectionError(`local connection to ${this.host} was closed`, this.host)
    }
    const file = new CappedFile(this.host, path, options.maxBytes)
    const timeoutMs = clampTimeout(options.timeoutMs)
    let aborted = false
    return readWithDeadline(
      { host: this.host, path },
      timeoutMs,
      () => this.readCapped(this.placed(path), file, () => aborted),
      () => (aborted = true)
    )
  }

  private async readCapped(
    path: string,
    file: CappedFile,
    aborted: () => boolean
  ): Promise<Buffer> {
    // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused just below).
    const handle = await open(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK).catch(
      (error: unknown) => {
        throw this.fileError(path, error)
      }
    )
    try {
      const info = await handle.stat()
      if (!info.isFile()) {
        throw new RemoteFileError(
          `cannot read ${path} on ${this.host}: it is not a regular file`,
          this.host,
          path,
          'not-a-file'
        )
      }
      file.checkSize(info.size)
      // The size may change while reading: the cap is enforced on the bytes, not on the stat.
      for (;;) {
        if (aborted()) return Buffer.alloc(0)
        const chunk = Buffer.alloc(Math.min(READ_CHUNK_BYTES, file.wanted))
        const { bytesRead } = await handle
          .read(chunk, 0, chunk.length, null)
          .catch((error: unknown) => {
            throw this.fileError(path, error)
          })
        if (bytesRead === 0) return file.bytes()
        file.push(chunk.subarray(0, bytesRead))
      }
    } finally {
      await handle.close().catch(() => undefined)
    }
  }

  private fileError(path: string, error: unknown): RemoteFileError {
    const code = (error as NodeJS.ErrnoException | undefined)?.code
    const problem: RemoteFileProblem =
      code === 'ENOENT' || code === 'ENOTDIR'
        ? 'not-found'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission-denied'
          : code === 'EISDIR'
            ? 'not-a-file'
            : 'failed'
    const reason = error instanceof Error ? error.message : String(error)
    return new RemoteFileError(
      `cannot read ${path} on ${this.host}: ${reason}`,
      this.host,
      path,
      problem
    )
  }

  close(): Promise<void> {
    this.closed = true
    return Promise.resolve()
  }
}

/** This process's umask, read from /proc (process.umask() without an argument is deprecated). */
function currentUmask(): number {
  try {
    const line = /^Umask:\s*([0-7]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))
    if (line) return parseInt(line[1]!, 8)
  } catch {
    // No /proc (macOS): ask the process, which is deprecated but still works.
  }
  return process.umask()
}
