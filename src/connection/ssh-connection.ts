import { readFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { homedir, userInfo } from 'node:os'
import { join, posix } from 'node:path'
import { randomBytes } from 'node:crypto'
import { NodeSSH, type Config as NodeSshConfig } from 'node-ssh'
import type { Client, ClientChannel, SFTPWrapper, ServerHostKeyAlgorithm, Stats } from 'ssh2'
import type { CommandResult, Connection, ConnectionSettings, RunOptions } from './connection.js'
import {
  checkHostKey,
  fingerprintSha256,
  formatKnownHostsLine,
  keyTypeOfBlob,
  knownHostsName,
  knownKeyTypes,
  parseKnownHosts,
  type HostKeyVerdict,
  type KnownHostEntry
} from './known-hosts.js'
import {
  AsyncPlaybookError,
  CommandTimeoutError,
  ConnectionError,
  HostKeyError
} from '../errors.js'

/*
 * The only importer of node-ssh and ssh2. node-ssh opens the connection; commands and SFTP use the
 * underlying ssh2 client (`ssh.connection`) because node-ssh's execCommand turns every chunk into a
 * string (not byte-exact), accepts stdin only as a string or stream, cannot send a signal on a
 * deadline, and adds a listener to the client per call (a MaxListeners warning at 10 concurrent runs).
 */

const KEEPALIVE_INTERVAL_MS = 15_000
const KEEPALIVE_COUNT_MAX = 4
/** How long to wait for a channel we closed on a deadline to report closed, before giving up on it. */
const KILL_GRACE_MS = 2_000
/** How long a KILLed command gets to report its exit before we close its channel. */
const SIGNAL_GRACE_MS = 1_000
/** Slack on top of ssh2's readyTimeout, so connect can never wait forever. */
const CONNECT_GUARD_MS = 5_000
const MAX_TIMER_MS = 2 ** 31 - 1
const DEFAULT_IDENTITY_FILES = ['id_ed25519', 'id_ecdsa', 'id_rsa']
/** OpenSSH's host key algorithm order; the algorithms of key types known for a host move first. */
const HOST_KEY_ALGORITHMS: ServerHostKeyAlgorithm[] = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa'
]

/**
 * Opens an SSH connection to one host, verifying its host key as `settings.hostKeyChecking` says.
 * @throws HostKeyError when the host key is unknown, changed or revoked (strict checking)
 * @throws ConnectionError when the host cannot be reached or authentication fails
 */
export async function openSshConnection(settings: ConnectionSettings): Promise<Connection> {
  const where = `${settings.host} (${settings.address}:${settings.port})`
  const user = settings.user ?? userInfo().username
  const auth = await resolveAuth(settings, where)
  const hostCheck = await prepareHostKeyCheck(settings, where)

  const config: NodeSshConfig = {
    host: settings.address,
    port: settings.port,
    username: user,
    readyTimeout: settings.connectTimeoutMs,
    keepaliveInterval: KEEPALIVE_INTERVAL_MS,
    keepaliveCountMax: KEEPALIVE_COUNT_MAX,
    hostVerifier: hostCheck.verify,
    ...auth.config
  }
  if (hostCheck.preferredAlgorithms) {
    config.algorithms = { serverHostKey: hostCheck.preferredAlgorithms }
  }

  const ssh = new NodeSSH()
  let guard: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      ssh.connect(config),
      new Promise<never>((_, reject) => {
        guard = setTimeout(
          () => reject(Object.assign(new Error('connect guard'), { level: 'client-timeout' })),
          settings.connectTimeoutMs + CONNECT_GUARD_MS
        )
      })
    ])
  } catch (error) {
    ssh.dispose()
    throw connectError(error, { settings, where, user, auth, hostCheck })
  } finally {
    clearTimeout(guard)
  }
  const client = ssh.connection
  if (!client)
    throw new ConnectionError(`connection to ${where} closed during login`, settings.host)
  // ssh2 leaves Nagle's algorithm on: every small exec request would then wait ~40 ms for an ACK.
  client.setNoDelay(true)
  return new SshConnection(settings.host, where, client)
}

interface ResolvedAuth {
  config: Pick<NodeSshConfig, 'privateKey' | 'passphrase' | 'password' | 'agent'>
  /** Methods we offer, for the "Permission denied (…)" message. */
  methods: string[]
  keySource?: string
}

async function resolveAuth(settings: ConnectionSettings, where: string): Promise<ResolvedAuth> {
  const config: ResolvedAuth['config'] = {}
  const methods: string[] = []
  let keySource: string | undefined
  if (settings.privateKey !== undefined) {
    config.privateKey = settings.privateKey
    keySource = 'the private key text given'
  } else if (settings.privateKeyPath !== undefined) {
    keySource = settings.privateKeyPath
    try {
      config.privateKey = await readFile(settings.privateKeyPath, 'utf8')
    } catch (error) {
      throw new ConnectionError(
        `cannot read private key ${settings.privateKeyPath} for ${where}: ${errorText(error)}; ` +
          'check ansible_ssh_private_key_file / --private-key',
        settings.host
      )
    }
  } else if (settings.password === undefined) {
    // Like ssh(1): with no key and no password, use the agent and the first default identity.
    const home = homedir()
    const found = DEFAULT_IDENTITY_FILES.map((name) => join(home, '.ssh', name)).find((p) =>
      existsSync(p)
    )
    if (found) {
      keySource = found
      config.privateKey = await readFile(found, 'utf8').catch(() => undefined)
    }
    if (process.env.SSH_AUTH_SOCK) {
      config.agent = process.env.SSH_AUTH_SOCK
      methods.push('agent')
    }
  }
  if (config.privateKey !== undefined) {
    methods.unshift('publickey')
    if (settings.passphrase !== undefined) config.passphrase = settings.passphrase
  }
  if (settings.password !== undefined) {
    config.password = settings.password
    methods.push('password')
  }
  return { config, methods, keySource }
}

interface HostKeyCheck {
  verify: (key: Buffer) => boolean
  /** Set when the key was refused: why, for the error message. */
  refusal?: HostKeyError
  preferredAlgorithms?: ServerHostKeyAlgorithm[]
}

async function prepareHostKeyCheck(
  settings: ConnectionSettings,
  where: string
): Promise<HostKeyCheck> {
  if (settings.hostKeyChecking === 'off') return { verify: () => true }
  const path = settings.knownHostsPath ?? join(homedir(), '.ssh', 'known_hosts')
  let fileText = ''
  try {
    fileText = await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ConnectionError(
        `cannot read known_hosts file ${path} for ${where}: ${errorText(error)}`,
        settings.host
      )
    }
  }
  const entries = parseKnownHosts(fileText, path)
  if (settings.knownHosts) entries.push(...parseKnownHosts(settings.knownHosts, 'known_hosts text'))
  const name = knownHostsName(settings.address, settings.port)
  const searched = settings.knownHosts ? `${path} or the known_hosts text given` : path

  const check: HostKeyCheck = {
    verify: (key: Buffer): boolean => {
      const verdict = checkHostKey(entries, name, key)
      if (verdict.status === 'trusted') return true
      check.refusal = hostKeyRefusal(verdict, { settings, where, name, key, searched })
      return false
    }
  }
  const types = knownKeyTypes(entries, name)
  if (types.length > 0) {
    const first = HOST_KEY_ALGORITHMS.filter((alg) => types.includes(keyTypeOfAlgorithm(alg)))
    check.preferredAlgorithms = [...first, ...HOST_KEY_ALGORITHMS.filter((a) => !first.includes(a))]
  }
  return check
}

function keyTypeOfAlgorithm(algorithm: ServerHostKeyAlgorithm): string {
  return algorithm.startsWith('rsa-sha2-') ? 'ssh-rsa' : algorithm
}

function hostKeyRefusal(
  verdict: Exclude<HostKeyVerdict, { status: 'trusted' }>,
  context: {
    settings: ConnectionSettings
    where: string
    name: string
    key: Buffer
    searched: string
  }
): HostKeyError {
  const { settings, where, name, key, searched } = context
  const fingerprint = fingerprintSha256(key)
  const presented = `${keyTypeOfBlob(key) ?? 'unknown'} ${fingerprint}`
  const line = formatKnownHostsLine(name, key)
  let message: string
  switch (verdict.status) {
    case 'revoked':
      message =
        `Host key verification failed for ${where}: the host presented ${presented}, ` +
        `which is marked @revoked in ${verdict.entry.source}. Refusing to connect.`
      break
    case 'changed': {
      const expected = verdict.expected
        .map((e: KnownHostEntry) => `${e.keyType} ${fingerprintSha256(e.key)} (${e.source})`)
        .join(', ')
      message =
        `REMOTE HOST IDENTIFICATION HAS CHANGED for ${where}! known_hosts expects ${expected}, ` +
        `but the host presented ${presented}. Someone could be eavesdropping on you ` +
        `(man-in-the-middle), or the host key has just been changed. If the change is expected, ` +
        `replace the old line with:\n${line}`
      break
    }
    case 'unknown': {
      const others =
        verdict.otherTypes.length > 0
          ? ` (only keys of type ${verdict.otherTypes.join(', ')} are recorded for it)`
          : ''
      message =
        `Host key verification failed for ${where}: no key for ${name} in ${searched}${others}. ` +
        `The host presented ${presented}. If you trust it, add this line to known_hosts:\n${line}`
      break
    }
  }
  return new HostKeyError(message, settings.host, fingerprint)
}

function connectError(
  error: unknown,
  context: {
    settings: ConnectionSettings
    where: string
    user: string
    auth: ResolvedAuth
    hostCheck: HostKeyCheck
  }
): ConnectionError {
  const { settings, where, user, auth, hostCheck } = context
  const host = settings.host
  if (hostCheck.refusal) return hostCheck.refusal
  const err = error as { code?: unknown; level?: unknown; message?: unknown }
  const code = typeof err.code === 'string' ? err.code : undefined
  const text = errorText(error)
  if (err.level === 'client-authentication') {
    const methods = auth.methods.length > 0 ? auth.methods.join(',') : 'none'
    const hint =
      auth.methods.length === 0
        ? 'no private key, password or ssh-agent was available: set ansible_ssh_private_key_file / --private-key'
        : `check ansible_user / --private-key${auth.config.password !== undefined ? ' / ansible_password' : ''}`
    const key = auth.keySource ? ` (key: ${auth.keySource})` : ''
    return new ConnectionError(
      `Permission denied (${methods}) for user ${user} on ${where}${key}: ${hint}`,
      host
    )
  }
  if (err.level === 'client-timeout' || code === 'ETIMEDOUT') {
    return new ConnectionError(
      `timed out after ${settings.connectTimeoutMs} ms connecting to ${where}: ` +
        'is the host up and the port reachable? (ansible_host / ansible_port, connect timeout)',
      host
    )
  }
  switch (code) {
    case 'ECONNREFUSED':
      return new ConnectionError(
        `connection refused by ${where}: is sshd running on port ${settings.port}? (check ansible_port)`,
        host
      )
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ConnectionError(
        `cannot resolve address ${settings.address} of ${settings.host}: check ansible_host`,
        host
      )
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new ConnectionError(`no route to ${where}: ${text}`, host)
  }
  if (/privateKey|private key|passphrase/i.test(text)) {
    return new ConnectionError(
      `cannot use the private key ${auth.keySource ?? ''} for ${where}: ${text}; ` +
        'check --private-key and its passphrase',
      host
    )
  }
  return new ConnectionError(`cannot connect to ${where}: ${text}`, host)
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function clampTimeout(timeoutMs: number): number {
  if (!Number.isFinite(timeoutMs)) throw new TypeError(`timeoutMs must be finite, got ${timeoutMs}`)
  return Math.min(Math.max(0, timeoutMs), MAX_TIMER_MS)
}

/** A command in flight, failed when the connection drops. */
interface InFlight {
  fail(error: ConnectionError): void
}

class SshConnection implements Connection {
  private readonly inFlight = new Set<InFlight>()
  private lostReason: string | undefined
  private lastError: Error | undefined
  private sftp: Promise<SFTPWrapper> | undefined
  private closedByUs = false
  private readonly closedEvent: Promise<void>

  constructor(
    readonly host: string,
    private readonly where: string,
    private readonly client: Client
  ) {
    // node-ssh removes its own 'error' listener after login: without ours, a late error would crash.
    client.on('error', (error: Error) => {
      this.lastError = error
    })
    this.closedEvent = new Promise((resolve) => {
      const onGone = (): void => {
        this.connectionGone()
        resolve()
      }
      client.once('end', onGone)
      client.once('close', onGone)
    })
  }

  private connectionGone(): void {
    if (this.lostReason !== undefined) return
    this.lostReason = this.closedByUs
      ? `connection to ${this.where} was closed`
      : `connection to ${this.where} lost: ${this.lastError?.message ?? 'the server closed the connection'}`
    this.sftp = undefined
    const error = new ConnectionError(this.lostReason, this.host)
    for (const run of [...this.inFlight]) run.fail(error)
  }

  run(command: string, options: RunOptions): Promise<CommandResult> {
    if (this.lostReason !== undefined) {
      return Promise.reject(new ConnectionError(this.lostReason, this.host))
    }
    const timeoutMs = clampTimeout(options.timeoutMs)
    return new Promise<CommandResult>((resolve, reject) => {
      const stdout: Buffer[] = []
      const stderr: Buffer[] = []
      let code: number | null = null
      let signal: string | null = null
      let sawExit = false
      let timedOut = false
      let settled = false
      let channel: ClientChannel | undefined
      let graceTimer: NodeJS.Timeout | undefined

      const result = (): CommandResult => ({
        code,
        signal,
        stdout: Buffer.concat(stdout),
        stderr: Buffer.concat(stderr),
        timedOut
      })
      const settle = (finish: () => void): void => {
        if (settled) return
        settled = true
        clearTimeout(deadline)
        clearTimeout(graceTimer)
        this.inFlight.delete(inFlight)
        finish()
      }
      const inFlight: InFlight = {
        fail: (error) => settle(() => (sawExit || timedOut ? resolve(result()) : reject(error)))
      }
      this.inFlight.add(inFlight)

      const deadline = setTimeout(() => {
        timedOut = true
        if (!channel) {
          settle(() => resolve(result()))
          return
        }
        // OpenSSH delivers the signal with killpg() on the session's process group. The exit status
        // follows; if it does not (a grandchild outside the group holds the output open), close.
        sendSignal(channel, 'KILL')
        const opened = channel
        graceTimer = setTimeout(() => {
          opened.close()
          graceTimer = setTimeout(() => settle(() => resolve(result())), KILL_GRACE_MS)
        }, SIGNAL_GRACE_MS)
      }, timeoutMs)

      const onOpen = (error: Error | undefined, opened: ClientChannel): void => {
        if (error) {
          const reason =
            this.lostReason ?? `cannot start a command on ${this.where}: ${error.message}`
          settle(() => reject(new ConnectionError(reason, this.host)))
          return
        }
        if (settled) {
          opened.close()
          return
        }
        channel = opened
        opened.on('data', (chunk: Buffer) => {
          stdout.push(chunk)
          options.onStdout?.(chunk)
        })
        opened.stderr.on('data', (chunk: Buffer) => {
          stderr.push(chunk)
          options.onStderr?.(chunk)
        })
        opened.on('exit', (exitCode: number | null, exitSignal?: string) => {
          sawExit = true
          code = exitCode ?? null
          signal = exitSignal ?? null
        })
        // A command that exits without reading its stdin makes writes fail; the result still counts.
        opened.on('error', () => undefined)
        opened.on('close', () => {
          if (sawExit || timedOut) settle(() => resolve(result()))
          else if (this.lostReason !== undefined)
            inFlight.fail(new ConnectionError(this.lostReason, this.host))
          else settle(() => resolve(result()))
        })
        if (options.stdin !== undefined) opened.write(options.stdin)
        opened.end()
      }
      try {
        this.client.exec(command, onOpen)
      } catch (error) {
        // ssh2 throws synchronously when the socket is already gone.
        const reason = this.lostReason ?? `connection to ${this.where} lost: ${errorText(error)}`
        settle(() => reject(new ConnectionError(reason, this.host)))
      }
    })
  }

  async putFile(
    remotePath: string,
    content: Buffer,
    options: { mode?: number; timeoutMs: number }
  ): Promise<void> {
    const timeoutMs = clampTimeout(options.timeoutMs)
    let timer: NodeJS.Timeout | undefined
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // The SFTP session may be stuck mid-request: drop it so the next call opens a fresh one.
        void this.sftp?.then((s) => s.end()).catch(() => undefined)
        this.sftp = undefined
        reject(
          new CommandTimeoutError(
            `writing ${remotePath} on ${this.where} took longer than ${timeoutMs} ms`,
            this.host,
            timeoutMs
          )
        )
      }, timeoutMs)
    })
    try {
      await Promise.race([this.writeAtomically(remotePath, content, options.mode), expired])
    } finally {
      clearTimeout(timer)
    }
  }

  private async writeAtomically(path: string, content: Buffer, mode?: number): Promise<void> {
    const sftp = await this.sftpSession()
    const dir = posix.dirname(path)
    const temp = posix.join(
      dir,
      `.${posix.basename(path)}.apb-${randomBytes(6).toString('hex')}.tmp`
    )
    const fail = (step: string, error: unknown): never => {
      if (this.lostReason !== undefined) throw new ConnectionError(this.lostReason, this.host)
      throw new AsyncPlaybookError(
        `cannot write ${path} on ${this.where}: ${step}: ${errorText(error)}`
      )
    }
    // Replacing a file keeps its mode unless a mode is given, as editing it in place would.
    let finalMode = mode
    if (finalMode === undefined) {
      const existing = await sftpCall<Stats>((cb) => sftp.stat(path, cb)).catch(() => undefined)
      if (existing) finalMode = existing.mode & 0o7777
    }
    const handle = await sftpCall<Buffer>((cb) => sftp.open(temp, 'w', cb)).catch((e: unknown) =>
      fail(`open ${temp}`, e)
    )
    try {
      if (content.length > 0) {
        await sftpCall<void>((cb) => sftp.write(handle, content, 0, content.length, 0, cb))
      }
      // chmod before the rename, so the target never exists with the wrong mode (and umask is ignored).
      if (finalMode !== undefined) {
        const m = finalMode
        await sftpCall<void>((cb) => sftp.fchmod(handle, m, cb))
      }
    } catch (error) {
      await sftpCall<void>((cb) => sftp.close(handle, cb)).catch(() => undefined)
      await sftpCall<void>((cb) => sftp.unlink(temp, cb)).catch(() => undefined)
      fail(`write ${temp}`, error)
    }
    await sftpCall<void>((cb) => sftp.close(handle, cb)).catch((e: unknown) => fail('close', e))
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

  private sftpSession(): Promise<SFTPWrapper> {
    if (this.lostReason !== undefined) {
      return Promise.reject(new ConnectionError(this.lostReason, this.host))
    }
    if (!this.sftp) {
      const opening = new Promise<SFTPWrapper>((resolve, reject) => {
        const onSftp = (error: Error | undefined, sftp: SFTPWrapper): void => {
          if (error) {
            reject(
              new ConnectionError(
                this.lostReason ?? `cannot open an SFTP session on ${this.where}: ${error.message}`,
                this.host
              )
            )
            return
          }
          sftp.on('close', () => {
            if (this.sftp === opening) this.sftp = undefined
          })
          resolve(sftp)
        }
        try {
          this.client.sftp(onSftp)
        } catch (error) {
          const reason = this.lostReason ?? `connection to ${this.where} lost: ${errorText(error)}`
          reject(new ConnectionError(reason, this.host))
        }
      })
      opening.catch(() => {
        if (this.sftp === opening) this.sftp = undefined
      })
      this.sftp = opening
    }
    return this.sftp
  }

  async close(): Promise<void> {
    if (this.lostReason !== undefined) return
    this.closedByUs = true
    this.client.end()
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      this.closedEvent,
      new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          this.client.destroy()
          resolve()
        }, KILL_GRACE_MS)
      })
    ])
    clearTimeout(timer)
    this.connectionGone()
  }
}

/**
 * Sends a signal request on a session channel. ssh2's `channel.signal()` silently does nothing once
 * our side of the channel is closed for writing (after stdin is sent), though RFC 4254 allows the
 * request until the channel closes: so it goes through ssh2's protocol object, which is not typed.
 */
function sendSignal(channel: ClientChannel, name: string): void {
  const internal = channel as unknown as {
    outgoing?: { id?: number; state?: string }
    _client?: { _protocol?: { signal(id: number, signal: string): void } }
  }
  const id = internal.outgoing?.id
  const state = internal.outgoing?.state
  const protocol = internal._client?._protocol
  try {
    if (id !== undefined && (state === 'open' || state === 'eof') && protocol)
      protocol.signal(id, name)
    else channel.signal(name)
  } catch {
    // The channel is already closing: nothing left to signal.
  }
}

function sftpCall<T>(
  start: (cb: (error: Error | null | undefined, value: T) => void) => void
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    start((error, value) => (error ? reject(error) : resolve(value)))
  })
}
