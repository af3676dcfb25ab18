import { readFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { homedir, userInfo } from 'node:os'
import { Socket } from 'node:net'
import { join } from 'node:path'
import { NodeSSH, type Config as NodeSshConfig } from 'node-ssh'
import ssh2, { type Client, type ClientChannel } from 'ssh2'
import type {
  CommandResult,
  Connection,
  ConnectionSettings,
  CredentialSources,
  RunOptions
} from './connection.js'
import { noteConnectionDetail, noteUnverifiedHost } from './connection-notices.js'
import { prepareHostKeyCheck, type HostKeyCheck, type HostKeyTarget } from './host-key-check.js'
import { formatJumpHost, openTunnel } from './jump-host.js'
import type { GetFileOptions } from './get-file.js'
import { SftpTransfer } from './sftp-transfer.js'
import { SYNC_OUTPUT_CAP_BYTES, TailBuffer, collectedOutput } from './output-buffer.js'
import { SharedShell, sharedStdin, type ShellChannel } from './shared-shell.js'
import { ConnectionError } from '../errors.js'

/*
 * Over 400 lines, on purpose: one SSH connection's life — login through jump hosts, the host key
 * check hooks, command channels with deadlines, signals and output caps, and the loss of the
 * connection failing every command in flight — shares the client's state and its error wording, so
 * it stays in one class. File transfer (SFTP) is in sftp-transfer.ts, host keys in host-key-check.ts,
 * jump hosts in jump-host.ts.
 *
 * With sftp-transfer.ts, the only importer of node-ssh and ssh2. node-ssh opens the connection; commands and SFTP use the
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
/**
 * Shared shells per connection (see shared-shell.ts): two, for the commands a module sends at once.
 * Each holds one of the server's sessions (OpenSSH allows 10 per connection by default); one is given
 * back when a command cannot get a session of its own.
 */
const MAX_SHARED_SHELLS = 2

/**
 * Opens an SSH connection to one host, verifying its host key as `settings.hostKeyChecking` and
 * `settings.hostKeyFingerprints` say. With `settings.jumpHosts`, each jump host is connected (and its
 * own host key verified) first, and the target's session runs through them; closing the returned
 * connection closes them too.
 *
 * Errors name hosts by inventory name only (`web1`, `the jump host of web1`): they become results,
 * annotations and summaries. The address and port tried are in the error's `detail`, which is also
 * logged through onConnectionNotice.
 * @throws HostKeyError when a host key is unknown, changed, revoked or not pinned
 * @throws ConnectionError when a hop cannot be reached or authentication fails; the message names the hop
 */
export async function openSshConnection(settings: ConnectionSettings): Promise<Connection> {
  const jumps = settings.jumpHosts ?? []
  const route = jumps.length > 0 ? ` via ${jumps.map(formatJumpHost).join(', ')}` : ''
  const scrub = scrubber([settings, ...jumps])
  noteIfUnverified(settings)
  let via: SshConnection | undefined
  try {
    for (const [index, jump] of jumps.entries()) {
      const user = jump.user ?? settings.user ?? userInfo().username
      const where =
        jumps.length === 1
          ? `the jump host of ${settings.host}`
          : `jump host ${index + 1} of ${jumps.length} of ${settings.host}`
      const endpoint = formatJumpHost({ ...jump, user })
      const usesOwnKey = settings.jumpPrivateKeyPath !== undefined
      via = await connectHop(
        {
          role: 'jump',
          host: settings.host,
          where,
          endpoint,
          scrub,
          address: jump.address,
          port: jump.port,
          user,
          connectTimeoutMs: settings.connectTimeoutMs,
          privateKeyPath: usesOwnKey ? settings.jumpPrivateKeyPath : settings.privateKeyPath,
          privateKey: usesOwnKey ? undefined : settings.privateKey,
          passphrase: settings.passphrase,
          password: settings.password,
          sources: settings.sources,
          hostKey: hostKeyTarget(settings, {
            where,
            endpoint,
            address: jump.address,
            port: jump.port,
            pins: settings.jumpHostKeyFingerprints,
            pinsVariable: 'ansible_ssh_jump_host_key_fingerprints'
          })
        },
        via
      )
    }
    const endpoint = `${formatJumpHost({ address: settings.address, port: settings.port })}${route}`
    return await connectHop(
      {
        role: 'target',
        host: settings.host,
        where: settings.host,
        endpoint,
        scrub,
        address: settings.address,
        port: settings.port,
        user: settings.user ?? userInfo().username,
        connectTimeoutMs: settings.connectTimeoutMs,
        privateKeyPath: settings.privateKeyPath,
        privateKey: settings.privateKey,
        passphrase: settings.passphrase,
        password: settings.password,
        sources: settings.sources,
        hostKey: hostKeyTarget(settings, {
          where: settings.host,
          endpoint,
          address: settings.address,
          port: settings.port,
          pins: settings.hostKeyFingerprints,
          pinsVariable: 'ansible_ssh_host_key_fingerprints'
        })
      },
      via
    )
  } catch (error) {
    await via?.close()
    if (error instanceof ConnectionError && error.detail)
      noteConnectionDetail(settings.host, error.detail)
    throw error
  }
}

function hostKeyTarget(
  settings: ConnectionSettings,
  hop: Pick<HostKeyTarget, 'where' | 'endpoint' | 'address' | 'port' | 'pins' | 'pinsVariable'>
): HostKeyTarget {
  return {
    host: settings.host,
    ...hop,
    mode: settings.hostKeyChecking,
    knownHostsPath: settings.knownHostsPath,
    knownHostsPathSource: settings.knownHostsPathSource,
    knownHosts: settings.knownHosts,
    explicitKnownHostsPath: settings.explicitKnownHostsPath
  }
}

/**
 * With checking off, warns once per host whose key (or a jump host's key) is then not verified, naming
 * what turned it off. Pins still verify: a fully pinned route is not warned about.
 */
function noteIfUnverified(settings: ConnectionSettings): void {
  if (settings.hostKeyChecking !== 'off') return
  const target = !settings.hostKeyFingerprints?.length
  const jumps = (settings.jumpHosts?.length ?? 0) > 0 && !settings.jumpHostKeyFingerprints?.length
  if (!target && !jumps) return
  const what = target
    ? jumps
      ? "its host key and its jump hosts' keys are"
      : 'its host key is'
    : "its jump hosts' keys are"
  const source = settings.hostKeyCheckingSource ?? 'host-key-checking'
  noteUnverifiedHost({
    host: settings.host,
    reason: 'off',
    source,
    warning:
      `host ${settings.host}: host key checking is off (${source}): ${what} not verified, so a man ` +
      'in the middle would go unnoticed. Give its key in known_hosts (the known-hosts input or ' +
      '--known-hosts) or pin it with ansible_ssh_host_key_fingerprints instead.'
  })
}

/**
 * Hides the addresses and ports of a route in a library's error text (`connect ECONNREFUSED
 * 10.0.0.5:2222`), so that the text can go into a message that names hosts by inventory name only.
 */
function scrubber(hops: readonly { address: string; port: number }[]): (text: string) => string {
  const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const addresses = [...new Set(hops.map((h) => h.address))].filter((a) => a !== '')
  const ports = [...new Set(hops.map((h) => String(h.port)))]
  const address = new RegExp(
    `\\[?(?:${addresses.map(escape).join('|')})\\]?(?::(?:${ports.join('|')}))?`,
    'gi'
  )
  const port = new RegExp(`(?<![\\w.])(?:${ports.join('|')})(?![\\w.])`, 'g')
  return (text) =>
    (addresses.length > 0 ? text.replace(address, '<address>') : text)
      // A name resolves to an IP the library may print instead: hide any IP address and port.
      .replace(IP_AND_PORT, '<address>')
      .replace(port, '<port>')
}

/** An IPv4 address, or an IPv6 one in brackets or with at least two colons, and an optional `:port`. */
const IP_AND_PORT =
  /\[[0-9a-f:.]+\](?::\d+)?|(?<![\w.:])(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?(?![\w.])|(?<![\w:])(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?![\w:])/gi

/** One SSH login: the target, or a jump host on the way to it. */
interface Hop {
  role: 'target' | 'jump'
  /** The inventory host the connection is for: errors are reported against it. */
  host: string
  /** The hop as named in messages: by inventory name, never by address. */
  where: string
  /** The hop's `[user@]address:port` (and route), for the log only. */
  endpoint: string
  /** Hides the route's addresses and ports in a library's error text. */
  scrub: (text: string) => string
  address: string
  port: number
  user: string
  connectTimeoutMs: number
  privateKeyPath?: string
  privateKey?: string
  passphrase?: string
  password?: string
  sources?: CredentialSources
  hostKey: HostKeyTarget
}

/** Where a user fixes each setting of a hop, for error messages (CLI options unless `sources`). */
function hintsFor(
  role: Hop['role'],
  sources?: CredentialSources
): {
  address: string
  port: string
  user: string
  key: string
  passphrase: string
} {
  const key = sources?.privateKey ?? '--private-key'
  const passphrase = sources?.passphrase ?? 'its passphrase'
  return role === 'target'
    ? {
        address: 'ansible_host',
        port: 'ansible_port',
        user: `ansible_user${sources ? ` / ${sources.user}` : ''} / ${key}`,
        key: `ansible_ssh_private_key_file / ${key}`,
        passphrase
      }
    : {
        address: 'the jump host in ProxyJump / -J / ansible_ssh_jump_host',
        port: 'the jump host port in ProxyJump / -J / ansible_ssh_jump_host',
        user: 'the jump host user (user@ in ProxyJump) / ansible_ssh_jump_private_key_file',
        key: 'ansible_ssh_jump_private_key_file',
        passphrase
      }
}

async function connectHop(hop: Hop, via: SshConnection | undefined): Promise<SshConnection> {
  const auth = await resolveAuth(hop)
  const hostCheck = await prepareHostKeyCheck(hop.hostKey)
  const config: NodeSshConfig = {
    host: hop.address,
    port: hop.port,
    username: hop.user,
    readyTimeout: hop.connectTimeoutMs,
    keepaliveInterval: KEEPALIVE_INTERVAL_MS,
    keepaliveCountMax: KEEPALIVE_COUNT_MAX,
    hostVerifier: hostCheck.verify,
    ...auth.config,
    authHandler: authOrder(auth.config)
  }
  if (hostCheck.preferredAlgorithms) {
    config.algorithms = { serverHostKey: hostCheck.preferredAlgorithms }
  }
  if (via) {
    config.sock = await via.tunnel(hop.address, hop.port, {
      targetWhere: hop.where,
      targetEndpoint: hop.endpoint,
      timeoutMs: hop.connectTimeoutMs
    })
  }

  const ssh = new NodeSSH()
  let guard: NodeJS.Timeout | undefined
  try {
    const login = ssh.connect(config)
    // node-ssh has made its ssh2 client and started the TCP connect by now. Nagle's algorithm goes off
    // before the first byte: the key exchange and the login are small messages sent back to back
    // (NEWKEYS then the service request, ...), and with Nagle on each second one waits for the
    // delayed ACK of the first. (Over a jump host the socket is a channel, which has no Nagle.)
    if (!via) ssh.connection?.setNoDelay(true)
    if (!via && ssh.connection) coalesceWrites(ssh.connection)
    await Promise.race([
      login,
      new Promise<never>((_, reject) => {
        guard = setTimeout(
          () => reject(Object.assign(new Error('connect guard'), { level: 'client-timeout' })),
          hop.connectTimeoutMs + CONNECT_GUARD_MS
        )
      })
    ])
  } catch (error) {
    ssh.dispose()
    throw connectError(error, { hop, auth, hostCheck })
  } finally {
    clearTimeout(guard)
  }
  const client = ssh.connection
  if (!client) {
    throw new ConnectionError(
      `connection to ${hop.where} closed during login`,
      hop.host,
      `${hop.where} is ${hop.endpoint}`
    )
  }
  // Again, in case a node-ssh release makes its client later: every small exec request would otherwise
  // wait ~40 ms for an ACK.
  if (!via) client.setNoDelay(true)
  return new SshConnection(hop, client, via)
}

/**
 * Gathers what ssh2 writes to the TCP socket in one turn of the event loop into one write. ssh2 writes
 * each SSH packet in three pieces (length, ciphertext, MAC), and with Nagle off each piece is a segment
 * of its own: three system calls here, and three wake-ups of sshd for one packet on the target. Corked
 * until the end of the turn, they leave together (the bytes and their order are unchanged). ssh2 keeps
 * its socket in `_sock`, which is not typed; without one there, nothing changes.
 */
function coalesceWrites(client: Client): void {
  const socket = (client as unknown as { _sock?: unknown })._sock
  if (!(socket instanceof Socket)) return
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean
  let corked = false
  const uncork = (): void => {
    corked = false
    socket.uncork()
  }
  socket.write = ((...args: unknown[]): boolean => {
    if (!corked) {
      corked = true
      socket.cork()
      process.nextTick(uncork)
    }
    return write(...args)
  }) as typeof socket.write
}

/**
 * The login methods to try, in ssh2's own order, with `none` last instead of first. ssh2 opens with a
 * `none` request to learn what the server allows, then ignores the answer and tries its list in order
 * anyway: one round trip to the server (an sshd privilege-separation exchange) per connection for
 * nothing. Last, it still lets in a server that asks for no credentials, as before.
 */
function authOrder(
  config: ResolvedAuth['config']
): Array<'password' | 'publickey' | 'agent' | 'none'> {
  const order: ReturnType<typeof authOrder> = []
  if (config.password !== undefined) order.push('password')
  if (config.privateKey !== undefined) order.push('publickey')
  if (config.agent !== undefined) order.push('agent')
  order.push('none')
  return order
}

interface ResolvedAuth {
  config: Pick<NodeSshConfig, 'privateKey' | 'passphrase' | 'password' | 'agent'>
  /** Methods we offer, for the "Permission denied (…)" message. */
  methods: string[]
  keySource?: string
}

async function resolveAuth(hop: Hop): Promise<ResolvedAuth> {
  const config: ResolvedAuth['config'] = {}
  const methods: string[] = []
  let keySource: string | undefined
  if (hop.privateKey !== undefined) {
    config.privateKey = hop.privateKey
    keySource = hop.sources ? `from ${hop.sources.privateKey}` : 'the private key text given'
  } else if (hop.privateKeyPath !== undefined) {
    keySource = hop.privateKeyPath
    try {
      config.privateKey = await readFile(hop.privateKeyPath, 'utf8')
    } catch (error) {
      throw new ConnectionError(
        `cannot read private key ${hop.privateKeyPath} for ${hop.where}: ${errorText(error)}; ` +
          `check ${hintsFor(hop.role, hop.sources).key}`,
        hop.host
      )
    }
  } else if (hop.password === undefined) {
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
    if (hop.passphrase !== undefined) config.passphrase = hop.passphrase
  }
  if (hop.password !== undefined) {
    config.password = hop.password
    methods.push('password')
  }
  return { config, methods, keySource }
}

function connectError(
  error: unknown,
  context: { hop: Hop; auth: ResolvedAuth; hostCheck: HostKeyCheck }
): ConnectionError {
  const { hop, auth, hostCheck } = context
  const { host, where } = hop
  const hints = hintsFor(hop.role, hop.sources)
  if (hostCheck.refusal) return hostCheck.refusal
  const err = error as { code?: unknown; level?: unknown; message?: unknown }
  const code = typeof err.code === 'string' ? err.code : undefined
  const text = errorText(error)
  // The message reaches results and the summary: hosts by name only. The log gets the address.
  const detail = `${where} is ${hop.endpoint}: ${text}`
  const inLog = 'the address and port tried are in the log'
  const fail = (message: string): ConnectionError => new ConnectionError(message, host, detail)
  if (err.level === 'client-authentication') {
    const methods = auth.methods.length > 0 ? auth.methods.join(',') : 'none'
    const hint =
      auth.methods.length === 0
        ? `no private key, password or ssh-agent was available: set ${hints.key}`
        : `check ${hints.user}${auth.config.password !== undefined ? ' / ansible_password' : ''}`
    const key = auth.keySource ? ` (key: ${auth.keySource})` : ''
    return fail(`Permission denied (${methods}) for user ${hop.user} on ${where}${key}: ${hint}`)
  }
  if (err.level === 'client-timeout' || code === 'ETIMEDOUT') {
    return fail(
      `timed out after ${hop.connectTimeoutMs} ms connecting to ${where}: ` +
        `is the host up and the port reachable? (${hints.address} / ${hints.port}, connect timeout; ${inLog})`
    )
  }
  switch (code) {
    case 'ECONNREFUSED':
      return fail(
        `connection refused by ${where}: is sshd running on its port? ` +
          `(check ${hints.port}; ${inLog})`
      )
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return fail(
        `cannot resolve the address of ${where}: check ${hints.address} (the name tried is in the log)`
      )
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return fail(`no route to ${where} (${code}): check ${hints.address} (${inLog})`)
  }
  if (/privateKey|private key|passphrase/i.test(text)) {
    return fail(
      `cannot use the private key ${auth.keySource ?? ''} for ${where}: ${hop.scrub(text)}; ` +
        (/passphrase/i.test(text) && hop.sources
          ? `check ${hints.passphrase}`
          : `check ${hints.key} and ${hints.passphrase}`)
    )
  }
  return fail(`cannot connect to ${where}: ${hop.scrub(text)} (${inLog})`)
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
  /** Why the connection is gone, once it is (the host by inventory name only). */
  lostReason: string | undefined
  /** The same, with the address, for the log. */
  private lostDetail: string | undefined
  private lastError: Error | undefined
  private readonly transfer: SftpTransfer
  private closedByUs = false
  private readonly closedEvent: Promise<void>
  private readonly shells: SharedShell[] = []
  /** False once a shared shell could not start here: every command then gets a session of its own. */
  private sharedShellsWork = true

  readonly host: string
  /** How messages name this hop: by inventory name, never by address. */
  private readonly where: string
  private readonly hop: Pick<Hop, 'where' | 'endpoint' | 'scrub'>

  /**
   * @param via the jump host connection this one runs through: closed with it, since nothing
   *   else uses it
   */
  constructor(
    hop: Pick<Hop, 'host' | 'where' | 'endpoint' | 'scrub'>,
    private readonly client: Client,
    private readonly via?: SshConnection
  ) {
    this.host = hop.host
    this.where = hop.where
    this.hop = hop
    this.transfer = new SftpTransfer(client, {
      host: this.host,
      where: this.where,
      lost: () => (this.lostReason === undefined ? undefined : this.lostError()),
      umask: (timeoutMs) => this.umask(timeoutMs)
    })
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

  /** The error of a command on a lost connection: host-named message, the route in its detail. */
  private lostError(): ConnectionError {
    return new ConnectionError(this.lostReason ?? 'connection lost', this.host, this.lostDetail)
  }

  private connectionGone(): void {
    if (this.lostReason !== undefined) return
    const why =
      this.via?.lostReason ?? this.lastError?.message ?? 'the server closed the connection'
    this.lostReason = this.closedByUs
      ? `connection to ${this.where} was closed`
      : `connection to ${this.where} lost: ${this.hop.scrub(why)}`
    this.lostDetail = `${this.where} is ${this.hop.endpoint}: ${this.closedByUs ? 'closed' : `lost: ${why}`}`
    if (!this.closedByUs) noteConnectionDetail(this.host, this.lostDetail)
    this.transfer.drop()
    const error = this.lostError()
    for (const run of [...this.inFlight]) run.fail(error)
    if (!this.closedByUs) void this.via?.close()
  }

  /** Opens a channel from this (jump) host to `address:port`, for the next hop's session. */
  tunnel(
    address: string,
    port: number,
    next: { targetWhere: string; targetEndpoint: string; timeoutMs: number }
  ): Promise<ClientChannel> {
    if (this.lostReason !== undefined) {
      return Promise.reject(this.lostError())
    }
    return openTunnel(this.client, address, port, {
      host: this.host,
      hopWhere: this.where,
      targetWhere: next.targetWhere,
      targetEndpoint: next.targetEndpoint,
      scrub: this.hop.scrub,
      timeoutMs: clampTimeout(next.timeoutMs)
    })
  }

  run(command: string, options: RunOptions): Promise<CommandResult> {
    if (this.lostReason !== undefined) {
      return Promise.reject(this.lostError())
    }
    const stdin = options.sharedShell ? sharedStdin(options.stdin) : false
    if (stdin !== false && this.sharedShellsWork) {
      const shell = this.idleShell()
      if (shell) return this.runShared(shell, command, options, stdin)
    }
    return this.runOnChannel(command, options, true)
  }

  /** An idle shared shell, started if there is room for one more; undefined when all are busy. */
  private idleShell(): SharedShell | undefined {
    const idle = this.shells.find((shell) => shell.idle)
    if (idle || this.shells.length >= MAX_SHARED_SHELLS) return idle
    const shell = new SharedShell(openShellChannel(this.client), (gone) => {
      const at = this.shells.indexOf(gone)
      if (at >= 0) this.shells.splice(at, 1)
      if (!gone.started && this.lostReason === undefined) this.sharedShellsWork = false
    })
    this.shells.push(shell)
    return shell
  }

  /** Gives back the session of an idle shared shell, for a command that could not get one; false if none. */
  private releaseIdleShell(): boolean {
    const idle = this.shells.find((shell) => shell.idle)
    idle?.close()
    return idle !== undefined
  }

  private runShared(
    shell: SharedShell,
    command: string,
    options: RunOptions,
    stdin: Buffer | undefined
  ): Promise<CommandResult> {
    return new Promise<CommandResult>((resolve, reject) => {
      const inFlight: InFlight = { fail: () => shell.close() }
      this.inFlight.add(inFlight)
      shell
        .run(command, {
          timeoutMs: clampTimeout(options.timeoutMs),
          outputCapBytes: options.outputCapBytes ?? SYNC_OUTPUT_CAP_BYTES,
          stdin,
          onStdout: options.onStdout,
          onStderr: options.onStderr
        })
        .then((outcome) => {
          this.inFlight.delete(inFlight)
          if (outcome.kind === 'not-run') {
            resolve(this.run(command, { ...options, sharedShell: false }))
          } else if (
            outcome.kind === 'lost' &&
            !outcome.result.timedOut &&
            this.lostReason !== undefined
          ) {
            reject(this.lostError())
          } else {
            resolve(outcome.result)
          }
        }, reject)
    })
  }

  private runOnChannel(
    command: string,
    options: RunOptions,
    mayTakeSharedSession: boolean
  ): Promise<CommandResult> {
    const timeoutMs = clampTimeout(options.timeoutMs)
    const cap = options.outputCapBytes ?? SYNC_OUTPUT_CAP_BYTES
    return new Promise<CommandResult>((resolve, reject) => {
      const stdout = new TailBuffer(cap)
      const stderr = new TailBuffer(cap)
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
        timedOut,
        ...collectedOutput(stdout, stderr)
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
          if (mayTakeSharedSession && this.lostReason === undefined && this.releaseIdleShell()) {
            // The server's sessions are all taken, one by a shared shell that was idle: try again.
            settle(() => resolve(this.runOnChannel(command, options, false)))
            return
          }
          const reason =
            this.lostReason ??
            `cannot start a command on ${this.where}: ${this.hop.scrub(error.message)}`
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
          else if (this.lostReason !== undefined) inFlight.fail(this.lostError())
          else settle(() => resolve(result()))
        })
        if (options.stdin !== undefined) opened.write(options.stdin)
        opened.end()
      }
      try {
        this.client.exec(command, onOpen)
      } catch (error) {
        // ssh2 throws synchronously when the socket is already gone.
        const reason =
          this.lostReason ?? `connection to ${this.where} lost: ${this.hop.scrub(errorText(error))}`
        settle(() => reject(new ConnectionError(reason, this.host)))
      }
    })
  }

  putFile(
    remotePath: string,
    content: Buffer,
    options: { mode?: number; timeoutMs: number }
  ): Promise<void> {
    return this.transfer.putFile(remotePath, content, {
      ...options,
      timeoutMs: clampTimeout(options.timeoutMs)
    })
  }

  getFile(remotePath: string, options: GetFileOptions): Promise<Buffer> {
    return this.transfer.getFile(remotePath, {
      ...options,
      timeoutMs: clampTimeout(options.timeoutMs)
    })
  }

  /** The login shell's umask (what a new file's mode is based on), 022 when it cannot be read. */
  private async umask(timeoutMs: number): Promise<number> {
    const res = await this.run('umask', { timeoutMs }).catch(() => undefined)
    const text = res?.code === 0 ? res.stdout.toString('utf8').trim() : ''
    return /^[0-7]{1,4}$/.test(text) ? parseInt(text, 8) & 0o777 : 0o022
  }

  async close(): Promise<void> {
    try {
      await this.closeOwn()
    } finally {
      await this.via?.close()
    }
  }

  private async closeOwn(): Promise<void> {
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
 * The session channel of a shared shell: `exec /bin/sh -s`, whatever the login shell is. Writes made
 * before the channel is open wait for it; a channel that cannot open is reported closed.
 */
function openShellChannel(client: Client): ShellChannel {
  let channel: ClientChannel | undefined
  let closed = false
  const queued: Array<Buffer | string> = []
  const listeners = {
    stdout: [] as Array<(chunk: Buffer) => void>,
    stderr: [] as Array<(chunk: Buffer) => void>,
    close: [] as Array<() => void>
  }
  const closeNow = (): void => {
    if (closed) return
    closed = true
    for (const listener of listeners.close) listener()
  }
  const opened = (error: Error | undefined, ch: ClientChannel): void => {
    if (error || closed) {
      if (!error) ch.close()
      closeNow()
      return
    }
    channel = ch
    ch.on('data', (chunk: Buffer) => listeners.stdout.forEach((l) => l(chunk)))
    ch.stderr.on('data', (chunk: Buffer) => listeners.stderr.forEach((l) => l(chunk)))
    ch.on('error', () => undefined)
    ch.on('close', closeNow)
    for (const data of queued.splice(0)) ch.write(data)
  }
  try {
    client.exec('exec /bin/sh -s', opened)
  } catch {
    // ssh2 throws synchronously when the socket is already gone.
    queueMicrotask(closeNow)
  }
  return {
    write: (data) => {
      if (closed) return
      if (channel) channel.write(data)
      else queued.push(data)
    },
    signal: (name) => {
      if (channel) sendSignal(channel, name)
    },
    close: () => {
      try {
        channel?.close()
      } catch {
        // The connection is already gone: so is the channel.
      }
      if (!channel) closeNow()
    },
    onStdout: (listener) => listeners.stdout.push(listener),
    onStderr: (listener) => listeners.stderr.push(listener),
    onClose: (listener) => listeners.close.push(listener)
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

/** What is wrong with a private key text, if anything (privateKeyProblem). */
export interface PrivateKeyProblem {
  kind: 'not-a-key' | 'public-key' | 'passphrase-missing' | 'passphrase-wrong'
  /** ssh2's words for it. */
  detail: string
}

/**
 * Checks private key text (with its passphrase) the way the SSH login will read it, so a bad key can be
 * reported once, naming where it came from, before any host is tried.
 */
export function privateKeyProblem(
  text: string,
  passphrase?: string
): PrivateKeyProblem | undefined {
  const parsed = ssh2.utils.parseKey(text, passphrase)
  if (parsed instanceof Error) {
    const detail = parsed.message
    if (/no passphrase given/i.test(detail)) return { kind: 'passphrase-missing', detail }
    if (/passphrase/i.test(detail)) return { kind: 'passphrase-wrong', detail }
    return { kind: 'not-a-key', detail }
  }
  const key = Array.isArray(parsed) ? parsed[0] : parsed
  if (!key) return { kind: 'not-a-key', detail: 'no key found' }
  if (!key.isPrivateKey()) return { kind: 'public-key', detail: 'a public key' }
  return undefined
}
