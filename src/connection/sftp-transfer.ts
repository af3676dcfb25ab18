/**
 * File transfer over one SSH connection's SFTP session (part of the ssh transport, like
 * ssh-connection.ts the only other importer of ssh2): writing a file atomically with its final mode
 * (putFile) and reading one streamed under a cap (getFile). One session is opened on first use and
 * shared; a deadline drops it, so the next transfer opens a fresh one.
 */
import { randomBytes } from 'node:crypto'
import { posix } from 'node:path'
import type { Client, SFTPWrapper, Stats } from 'ssh2'
import { AsyncPlaybookError, CommandTimeoutError, ConnectionError } from '../errors.js'
import {
  CappedFile,
  RemoteFileError,
  readWithDeadline,
  type GetFileOptions,
  type RemoteFileProblem
} from './get-file.js'

/** What a transfer needs of its SSH connection. */
export interface SftpSite {
  /** The inventory name of the host. */
  readonly host: string
  /** How messages name this hop (by inventory name, never by address). */
  readonly where: string
  /** The error for a connection that is gone, or undefined while it is up. */
  lost(): ConnectionError | undefined
  /** The login shell's umask (what a new file's mode is based on). */
  umask(timeoutMs: number): Promise<number>
  /**
   * The server refused the SFTP session (`attempt` times before): resolves true when it is worth
   * asking again (an idle session was given back, or one may be free after a pause), false to fail.
   */
  sessionRefused?(error: Error, attempt: number): Promise<boolean>
}

/** How much getFile asks for in one SFTP read request (OpenSSH's sftp-server serves up to 256 KiB). */
const READ_CHUNK_BYTES = 32 * 1024
/** SFTP status codes (draft-ietf-secsh-filexfer-02), as ssh2 puts them on an error's `code`. */
const SFTP_NO_SUCH_FILE = 2
const SFTP_PERMISSION_DENIED = 3

/** The SFTP side of one SSH connection. */
export class SftpTransfer {
  private sftp: Promise<SFTPWrapper> | undefined

  constructor(
    private readonly client: Client,
    private readonly site: SftpSite
  ) {}

  /** Forgets the session (the connection is gone, or a deadline left it stuck mid-request). */
  drop(): void {
    const session = this.sftp
    this.sftp = undefined
    void session?.then((s) => s.end()).catch(() => undefined)
  }

  /** Connection.putFile over SFTP. */
  async putFile(
    remotePath: string,
    content: Buffer,
    options: { mode?: number; timeoutMs: number }
  ): Promise<void> {
    const { timeoutMs } = options
    let timer: NodeJS.Timeout | undefined
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.drop()
        reject(
          new CommandTimeoutError(
            `writing ${remotePath} on ${this.site.where} took longer than ${timeoutMs} ms`,
            this.site.host,
            timeoutMs
          )
        )
      }, timeoutMs)
    })
    try {
      await Promise.race([
        this.writeAtomically(remotePath, content, options.mode, timeoutMs),
        expired
      ])
    } finally {
      clearTimeout(timer)
    }
  }

  /** Connection.getFile over SFTP, as the login user. */
  getFile(remotePath: string, options: GetFileOptions): Promise<Buffer> {
    const file = new CappedFile(this.site.host, remotePath, options.maxBytes)
    return readWithDeadline(
      { host: this.site.host, path: remotePath, where: this.site.where },
      options.timeoutMs,
      () => this.readCapped(remotePath, file),
      () => this.drop()
    )
  }

  private async readCapped(path: string, file: CappedFile): Promise<Buffer> {
    const sftp = await this.session()
    const handle = await sftpCall<Buffer>((cb) => sftp.open(path, 'r', cb)).catch(
      (error: unknown) => this.readFailed(path, error)
    )
    try {
      const info = await sftpCall<Stats>((cb) => sftp.fstat(handle, cb)).catch((error: unknown) =>
        this.readFailed(path, error)
      )
      if (!info.isFile()) {
        throw new RemoteFileError(
          `cannot read ${path} on ${this.site.where}: it is not a regular file`,
          this.site.host,
          path,
          'not-a-file'
        )
      }
      file.checkSize(info.size)
      // The size may change while reading: the cap is enforced on the bytes, not on the stat.
      let position = 0
      for (;;) {
        const chunk = Buffer.alloc(Math.min(READ_CHUNK_BYTES, file.wanted))
        const read = await sftpCall<number>((cb) =>
          sftp.read(handle, chunk, 0, chunk.length, position, (error, bytesRead) =>
            // End of file is an EOF status, not an error.
            cb(isEof(error) ? undefined : error, isEof(error) ? 0 : bytesRead)
          )
        ).catch((error: unknown) => this.readFailed(path, error))
        if (read === 0) return file.bytes()
        file.push(chunk.subarray(0, read))
        position += read
      }
    } finally {
      await sftpCall<void>((cb) => sftp.close(handle, cb)).catch(() => undefined)
    }
  }

  private readFailed(path: string, error: unknown): never {
    const lost = this.site.lost()
    if (lost) throw lost
    const code = (error as { code?: unknown } | undefined)?.code
    const problem: RemoteFileProblem =
      code === SFTP_NO_SUCH_FILE
        ? 'not-found'
        : code === SFTP_PERMISSION_DENIED
          ? 'permission-denied'
          : 'failed'
    throw new RemoteFileError(
      `cannot read ${path} on ${this.site.where}: ${errorText(error)}`,
      this.site.host,
      path,
      problem
    )
  }

  private async writeAtomically(
    path: string,
    content: Buffer,
    mode: number | undefined,
    timeoutMs: number
  ): Promise<void> {
    const sftp = await this.session()
    const dir = posix.dirname(path)
    const temp = posix.join(
      dir,
      `.${posix.basename(path)}.apb-${randomBytes(8).toString('hex')}.tmp`
    )
    const fail = (step: string, error: unknown): never => {
      const lost = this.site.lost()
      if (lost) throw new ConnectionError(lost.message, this.site.host)
      throw new AsyncPlaybookError(
        `cannot write ${path} on ${this.site.where}: ${step}: ${errorText(error)}`
      )
    }
    // Replacing a file keeps its mode unless a mode is given, as editing it in place would; a new file
    // gets what the login umask leaves.
    let finalMode = mode
    if (finalMode === undefined) {
      const existing = await sftpCall<Stats>((cb) => sftp.stat(path, cb)).catch(() => undefined)
      finalMode = existing ? existing.mode & 0o7777 : 0o666 & ~(await this.site.umask(timeoutMs))
    }
    const m = finalMode
    // Private from the first byte: created 0600 (or stricter when the final mode is) in the open
    // request itself, and exclusively ('wx' is O_EXCL: nothing planted under the name is followed).
    // Others may read it only after the last byte, through the fchmod below.
    const handle = await sftpCall<Buffer>((cb) =>
      sftp.open(temp, 'wx', { mode: m & 0o600 }, cb)
    ).catch((e: unknown) => fail(`open ${temp}`, e))
    try {
      if (content.length > 0) {
        await sftpCall<void>((cb) => sftp.write(handle, content, 0, content.length, 0, cb))
      }
    } catch (error) {
      await sftpCall<void>((cb) => sftp.close(handle, cb)).catch(() => undefined)
      await sftpCall<void>((cb) => sftp.unlink(temp, cb)).catch(() => undefined)
      fail(`write ${temp}`, error)
    }
    // chmod before the rename, so the target never exists with the wrong mode (and umask is ignored).
    // The close goes out with the chmod, not after its answer: a server handles the requests on one handle
    // in the order sent (OpenSSH's sftp-server handles all of them so), so the chmod is done before the
    // handle closes, and the pair costs one round trip instead of two.
    const [chmodded, closed] = await Promise.allSettled([
      sftpCall<void>((cb) => sftp.fchmod(handle, m, cb)),
      sftpCall<void>((cb) => sftp.close(handle, cb))
    ])
    if (chmodded.status === 'rejected' || closed.status === 'rejected') {
      await sftpCall<void>((cb) => sftp.unlink(temp, cb)).catch(() => undefined)
      if (chmodded.status === 'rejected') fail(`write ${temp}`, chmodded.reason)
      if (closed.status === 'rejected') fail('close', closed.reason)
    }
    try {
      await sftpCall<void>((cb) => {
        try {
          sftp.ext_openssh_rename(temp, path, cb)
        } catch {
          // No posix-rename@openssh.com: plain SFTP rename refuses to replace, so remove first.
          sftp.unlink(path, () => sftp.rename(temp, path, cb))
        }
      })
    } catch (error) {
      await sftpCall<void>((cb) => sftp.unlink(temp, cb)).catch(() => undefined)
      fail(`rename ${temp} to ${path}`, error)
    }
  }

  private session(): Promise<SFTPWrapper> {
    const lost = this.site.lost()
    if (lost) return Promise.reject(lost)
    if (!this.sftp) {
      let attempt = 0
      const opening: Promise<SFTPWrapper> = new Promise<SFTPWrapper>((resolve, reject) => {
        const refuse = (error: Error): void =>
          reject(
            new ConnectionError(
              this.site.lost()?.message ??
                `cannot open an SFTP session on ${this.site.where}: ${error.message}`,
              this.site.host
            )
          )
        const onSftp = (error: Error | undefined, sftp: SFTPWrapper): void => {
          if (error) {
            const asked = this.site.sessionRefused?.(error, attempt++) ?? Promise.resolve(false)
            // Asked again only while this session is still wanted (a deadline drops it).
            void asked.then((again) => (again && this.sftp === opening ? start() : refuse(error)))
            return
          }
          sftp.on('close', () => {
            if (this.sftp === opening) this.sftp = undefined
          })
          resolve(sftp)
        }
        const start = (): void => {
          try {
            this.client.sftp(onSftp)
          } catch (error) {
            const reason =
              this.site.lost()?.message ??
              `connection to ${this.site.where} lost: ${errorText(error)}`
            reject(new ConnectionError(reason, this.site.host))
          }
        }
        start()
      })
      opening.catch(() => {
        if (this.sftp === opening) this.sftp = undefined
      })
      this.sftp = opening
    }
    return this.sftp
  }
}

/** ssh2 reports the end of a file as an error with SFTP's EOF status (1). */
function isEof(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === 1
}

function sftpCall<T>(
  start: (cb: (error: Error | null | undefined, value: T) => void) => void
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    start((error, value) => (error ? reject(error) : resolve(value)))
  })
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
