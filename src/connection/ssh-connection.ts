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
import { SharedLogins, loginKey } from './shared-logins.js'
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
 * Shared shells per host connection (see shared-shell.ts): one. A command sent while it is busy waits
 * for it (its deadline running) rather than start another: a second shell costs the target more (a
 * session process of sshd's and two shells) than the few milliseconds a probe waits. It holds one of
 * the login's sessions (OpenSSH allows 10 by default) and is given back when a command cannot get a
 * session of its own.
 */
const MAX_SHARED_SHELLS = 1
/** The first and the longest pause before asking again for a session the server refused. */
const SESSION_RETRY_FIRST_MS = 20
const SESSION_RETRY_MAX_MS = 500
/**
 * The reasons (RFC 4254) a server gives for a refused channel that may mean "no session left":
 * administratively prohibited (1, older OpenSSH past MaxSessions), connect failed (2, newer OpenSSH
 * for any session it refuses) and resource shortage (4). Asked again only while the login holds
 * open sessions that may end (askAgainIn).
 */
const SESSIONS_FULL_REASONS = new Set([1, 2, 4])

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
  noteIfUnverified(settings)
  const hops = routeHops(settings)
  const key = loginKey(hops.map(loginFields))
  try {
    for (let tries = 1; ; tries++) {
      const seat = LOGINS.take(key, (retire) => connectRoute(hops, retire))
      let login: SshLogin
      try {
        login = await seat.login
      } catch (error) {
        if (!seat.shared) throw error
        // Another alias of this address opened the login and it failed: the same failure in this
        // host's words where it can be told so, else a login of this host's own.
        const told = retold(error, hops)
        if (told) throw told
        login = await connectRoute(hops, undefined)
      }
      // Another alias's login lost before this one got to it (a reboot, a drop): open another. A
      // login of its own that is gone at once stays this alias's: its commands tell why.
      const gone = login.lost !== undefined || login.closing
      if (gone && seat.shared && tries < MAX_LOGIN_TRIES) continue
      return new SshConnection(hops[hops.length - 1]!, login, jumpWheres(hops))
    }
  } catch (error) {
    if (error instanceof ConnectionError && error.detail)
      noteConnectionDetail(settings.host, error.detail)
    throw error
  }
}

/** The logins that aliases of one host share (see shared-logins.ts). */
const LOGINS = new SharedLogins<SshLogin>()
/** How many logins an alias takes a seat on before it keeps one that is already gone. */
const MAX_LOGIN_TRIES = 3

/** What decides a hop's login, for the key of a shared login: not how messages name the hop. */
function loginFields(hop: Hop): unknown[] {
  const k = hop.hostKey
  return [
    hop.role,
    hop.address,
    hop.port,
    hop.user,
    hop.connectTimeoutMs,
    hop.privateKeyPath,
    hop.privateKey,
    hop.passphrase,
    hop.password,
    hop.sources,
    k.mode,
    k.knownHostsPath,
    k.knownHostsPathSource,
    k.knownHosts,
    k.explicitKnownHostsPath,
    k.pins,
    k.pinsVariable
  ]
}

/** The hops of the route to a host, its jump hosts first and the host itself last. */
function routeHops(settings: ConnectionSettings): Hop[] {
  const jumps = settings.jumpHosts ?? []
  const route = jumps.length > 0 ? ` via ${jumps.map(formatJumpHost).join(', ')}` : ''
  const scrub = scrubber([settings, ...jumps])
  const usesOwnKey = settings.jumpPrivateKeyPath !== undefined
  const hops: Hop[] = jumps.map((jump, index) => {
    const user = jump.user ?? settings.user ?? userInfo().username
    const where =
      jumps.length === 1
        ? `the jump host of ${settings.host}`
        : `jump host ${index + 1} of ${jumps.length} of ${settings.host}`
    const endpoint = formatJumpHost({ ...jump, user })
    return {
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
    }
  })
  const endpoint = `${formatJumpHost({ address: settings.address, port: settings.port })}${route}`
  hops.push({
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
  })
  return hops
}

/**
 * Logs in along the route, hop by hop. `retire` takes a shared login off the list aliases join, once
 * it is closed, reset or lost (none for a login of one alias's own).
 */
async function connectRoute(hops: readonly Hop[], retire?: () => void): Promise<SshLogin> {
  let via: SshConnection | undefined
  try {
    for (const [index, hop] of hops.entries()) {
      const client = await connectHop(hop, via, index)
      if (hop.role === 'target') return new SshLogin(client, via, retire, jumpWheres(hops))
      via = new SshConnection(hop, new SshLogin(client, via))
    }
    throw new Error('a route without its target')
  } catch (error) {
    await via?.close()
    throw error
  }
}

/** How messages name a route's jump hosts, first to last. */
function jumpWheres(hops: readonly Hop[]): string[] {
  return hops.filter((hop) => hop.role === 'jump').map((hop) => hop.where)
}

/**
 * How a failed login would have been told to another alias of the host: the same failure (refused,
 * timed out, no such name, permission denied …) naming that alias. Undefined where it cannot be told
 * without logging in again (a host key refused, a key file that could not be read).
 */
const RETELLERS = new WeakMap<object, { index: number; tell: (hop: Hop) => ConnectionError }>()

function retold(error: unknown, hops: readonly Hop[]): ConnectionError | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const teller = RETELLERS.get(error)
  const hop = teller ? hops[teller.index] : undefined
  return teller && hop ? teller.tell(hop) : undefined
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

/**
 * Logs in to one hop (through `via`, the previous hop's connection, for a hop behind a jump host).
 * `index`: the hop's place on its route, for telling its failure to another alias (RETELLERS).
 */
async function connectHop(
  hop: Hop,
  via: SshConnection | undefined,
  index: number
): Promise<Client> {
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
    const failure = connectError(error, { hop, auth, hostCheck })
    if (!hostCheck.refusal) {
      RETELLERS.set(failure, {
        index,
        tell: (other) => connectError(error, { hop: other, auth, hostCheck })
      })
    }
    throw failure
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
  return client
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

/** The result of a command whose deadline came before it could start. */
function neverStarted(): CommandResult {
  return {
    code: null,
    signal: null,
    stdout: Buffer.alloc(0),
    stderr: Buffer.alloc(0),
    timedOut: true
  }
}

/** A shared command waiting for the shell. */
interface Waiter extends InFlight {
  /** The shell is free: run now. */
  go(): void
}

/** Whether a channel was refused for want of a session (see SESSIONS_FULL_REASONS). */
function sessionsFull(error: unknown): boolean {
  const reason = (error as { reason?: unknown } | undefined)?.reason
  return typeof reason === 'number' && SESSIONS_FULL_REASONS.has(reason)
}

/**
 * One SSH login: the client, through its jump hosts (`via`), which the aliases of a host share (see
 * shared-logins.ts). Each alias's SshConnection holds its sessions on it; the last to close ends it,
 * and its loss is every alias's.
 */
class SshLogin {
  /** The aliases' connections on this login. */
  readonly handles = new Set<SshConnection>()
  /** Why the connection is gone, once it is: the library's words, or the jump host's message. */
  lost: string | undefined
  /** Set once its last alias has left: no alias may use it any more. */
  closing = false
  /** Whether `lost` came from the jump host it runs through (its words name the first alias's hops). */
  lostThroughJump = false
  private closedByUs = false
  private lastError: Error | undefined
  private readonly closedEvent: Promise<void>

  /**
   * @param via the jump host connection this one runs through: closed with it, since nothing
   *   else uses it
   * @param retire takes a shared login off the list aliases join
   */
  constructor(
    readonly client: Client,
    readonly via?: SshConnection,
    private readonly retire: () => void = () => undefined,
    /** How the route's jump hosts are named in the messages of the alias that opened it. */
    readonly jumpWheres: readonly string[] = []
  ) {
    // node-ssh removes its own 'error' listener after login: without ours, a late error would crash.
    client.on('error', (error: Error) => {
      this.lastError = error
    })
    this.closedEvent = new Promise((resolve) => {
      const onGone = (): void => {
        this.gone()
        resolve()
      }
      client.once('end', onGone)
      client.once('close', onGone)
    })
  }

  private gone(): void {
    if (this.lost !== undefined) return
    this.retire()
    this.lostThroughJump = this.via?.lostReason !== undefined
    this.lost =
      this.via?.lostReason ?? this.lastError?.message ?? 'the server closed the connection'
    for (const handle of [...this.handles]) handle.loginGone(this.lost, this.closedByUs)
    if (!this.closedByUs) void this.via?.close()
  }

  /** Whether any alias on this login holds sessions open (shells' or commands' channels). */
  holdsSessions(): boolean {
    for (const handle of this.handles) if (handle.holdsSessions()) return true
    return false
  }

  /** Gives back the session of an idle shared shell, `first`'s or another alias's; false if none. */
  releaseIdleShell(first: SshConnection): boolean {
    if (first.releaseIdleShell()) return true
    for (const handle of this.handles)
      if (handle !== first && handle.releaseIdleShell()) return true
    return false
  }

  /**
   * Takes a closed alias off the login, which no alias joins any more (a reset then logs in afresh);
   * the last one ends the connection, and the jump hosts' with it.
   */
  async leave(handle: SshConnection): Promise<void> {
    this.handles.delete(handle)
    this.retire()
    if (this.handles.size > 0) return
    this.closing = true
    try {
      if (this.lost === undefined) {
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
        this.gone()
      }
    } finally {
      await this.via?.close()
    }
  }
}

/** One host's connection: its sessions on an SSH login it may share with other aliases of the host. */
class SshConnection implements Connection {
  private readonly inFlight = new Set<InFlight>()
  /** Why the connection is gone, once it is (the host by inventory name only). */
  lostReason: string | undefined
  /** The same, with the address, for the log. */
  private lostDetail: string | undefined
  private readonly transfer: SftpTransfer
  private readonly shells: SharedShell[] = []
  /** Shared commands waiting for the shell, first come first served. */
  private readonly waiting: Waiter[] = []
  /** Shell channels not yet closed (opening, open, or given back and closing). */
  private shellChannels = 0
  /** Command channels open. */
  private openChannels = 0
  /** False once a shared shell could not start here: every command then gets a session of its own. */
  private sharedShellsWork = true

  readonly host: string
  /** How messages name this hop: by inventory name, never by address. */
  private readonly where: string
  private readonly hop: Pick<Hop, 'where' | 'endpoint' | 'scrub'>
  private readonly client: Client

  constructor(
    hop: Pick<Hop, 'host' | 'where' | 'endpoint' | 'scrub'>,
    private readonly login: SshLogin,
    /** How this alias's messages name the route's jump hosts. */
    private readonly jumpWheres: readonly string[] = []
  ) {
    this.host = hop.host
    this.where = hop.where
    this.hop = hop
    this.client = login.client
    this.transfer = new SftpTransfer(this.client, {
      host: this.host,
      where: this.where,
      lost: () => (this.lostReason === undefined ? undefined : this.lostError()),
      umask: (timeoutMs) => this.umask(timeoutMs),
      sessionRefused: async (error, attempt) => {
        const pause = this.askAgainIn(error, attempt)
        if (pause === undefined) return false
        await new Promise((resolve) => setTimeout(resolve, pause))
        return this.lostReason === undefined
      }
    })
    login.handles.add(this)
    if (login.lost !== undefined) this.loginGone(login.lost, false)
  }

  /**
   * How long to wait before asking again for a session the server refused (`attempt` times before
   * for this command or transfer), or undefined to give up. Worth asking again when the server may
   * have had no session left (MaxSessions) and one may end: an idle shared shell's, given back now,
   * or a session the login's aliases hold open (a shell, a command's; a shell given back holds its
   * session until its channel has closed). The caller's deadline bounds the asking.
   */
  private askAgainIn(error: Error, attempt: number): number | undefined {
    if (this.lostReason !== undefined || !sessionsFull(error)) return undefined
    this.login.releaseIdleShell(this)
    if (!this.login.holdsSessions()) return undefined
    return Math.min(SESSION_RETRY_FIRST_MS * 2 ** attempt, SESSION_RETRY_MAX_MS)
  }

  /** Whether this connection holds sessions open: a shell's channel, or a command's. */
  holdsSessions(): boolean {
    return this.shellChannels > 0 || this.openChannels > 0
  }

  /** The error of a command on a lost connection: host-named message, the route in its detail. */
  private lostError(): ConnectionError {
    return new ConnectionError(this.lostReason ?? 'connection lost', this.host, this.lostDetail)
  }

  /** The login is gone: closed by us (`closed`) or lost. */
  loginGone(why: string, closed: boolean): void {
    if (this.lostReason !== undefined) return
    if (this.login.lostThroughJump) why = this.ownWords(why)
    this.lostReason = closed
      ? `connection to ${this.where} was closed`
      : `connection to ${this.where} lost: ${this.hop.scrub(why)}`
    this.lostDetail = `${this.where} is ${this.hop.endpoint}: ${closed ? 'closed' : `lost: ${why}`}`
    if (!closed) noteConnectionDetail(this.host, this.lostDetail)
    this.transfer.drop()
    const error = this.lostError()
    for (const run of [...this.inFlight]) run.fail(error)
  }

  /** The jump host's message, which names the route as the login's first alias did, in this alias's words. */
  private ownWords(text: string): string {
    let out = text
    this.login.jumpWheres.forEach((theirs, i) => {
      const mine = this.jumpWheres[i]
      if (mine !== undefined && theirs !== mine) out = out.split(theirs).join(mine)
    })
    return out
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
    return this.dispatch(command, options, false)
  }

  /** Runs a command: in the shared shell, waiting for it (`first`: ahead of the others), or on a session of its own. */
  private dispatch(command: string, options: RunOptions, first: boolean): Promise<CommandResult> {
    if (this.lostReason !== undefined) {
      return Promise.reject(this.lostError())
    }
    const stdin = options.sharedShell ? sharedStdin(options.stdin) : false
    if (stdin !== false && this.sharedShellsWork) {
      const shell = this.idleShell()
      if (shell) return this.runShared(shell, command, options, stdin)
      return this.waitForShell(command, options, first)
    }
    return this.runOnChannel(command, options)
  }

  /**
   * Runs a shared command once the shell is free, first come first served. The deadline counts the
   * wait: a command still waiting at its deadline ends timed out, never having started.
   */
  private waitForShell(
    command: string,
    options: RunOptions,
    first: boolean
  ): Promise<CommandResult> {
    const timeoutMs = clampTimeout(options.timeoutMs)
    const queued = Date.now()
    return new Promise<CommandResult>((resolve, reject) => {
      const leave = (): void => {
        clearTimeout(deadline)
        this.inFlight.delete(waiter)
        const at = this.waiting.indexOf(waiter)
        if (at >= 0) this.waiting.splice(at, 1)
      }
      const waiter: Waiter = {
        go: () => {
          leave()
          const left = timeoutMs - (Date.now() - queued)
          if (left <= 0) resolve(neverStarted())
          else resolve(this.dispatch(command, { ...options, timeoutMs: left }, true))
        },
        fail: (error) => {
          leave()
          reject(error)
        }
      }
      const deadline = setTimeout(() => {
        leave()
        resolve(neverStarted())
      }, timeoutMs)
      if (first) this.waiting.unshift(waiter)
      else this.waiting.push(waiter)
      this.inFlight.add(waiter)
    })
  }

  /**
   * Hands the shell to the first command waiting for it, now that it is free (or gone); every one
   * goes on once no shared shell can start here (each then gets a session of its own).
   */
  private wakeWaiter(): void {
    if (this.lostReason !== undefined) return
    if (!this.sharedShellsWork) {
      for (const waiter of [...this.waiting]) waiter.go()
      return
    }
    this.waiting[0]?.go()
  }

  /** An idle shared shell, started if there is room for one more; undefined when all are busy. */
  private idleShell(): SharedShell | undefined {
    const idle = this.shells.find((shell) => shell.idle)
    if (idle || this.shells.length >= MAX_SHARED_SHELLS) return idle
    let refused = false
    const channel = openShellChannel(this.client, (error) => {
      refused = sessionsFull(error)
    })
    this.shellChannels += 1
    channel.onClose(() => {
      this.shellChannels -= 1
    })
    const shell = new SharedShell(channel, (gone) => {
      const at = this.shells.indexOf(gone)
      if (at >= 0) this.shells.splice(at, 1)
      // A shell that never answered cannot run on this target, unless the server only had no session
      // left for it (the login's other aliases hold them): the next command tries again.
      if (!gone.started && !refused && this.lostReason === undefined) this.sharedShellsWork = false
      this.wakeWaiter()
    })
    this.shells.push(shell)
    return shell
  }

  /** Gives back the session of an idle shared shell, for a command that could not get one; false if none. */
  releaseIdleShell(): boolean {
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
      // Killed, not left running: the login may live on for other aliases.
      const inFlight: InFlight = { fail: () => shell.close(true) }
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
          this.wakeWaiter()
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

  private runOnChannel(command: string, options: RunOptions): Promise<CommandResult> {
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
        clearTimeout(retryTimer)
        this.inFlight.delete(inFlight)
        finish()
      }
      const inFlight: InFlight = {
        fail: (error) => {
          // The login may live on for other aliases: this command ends here, killed (as at a
          // deadline), and its session with it.
          if (channel) {
            sendSignal(channel, 'KILL')
            try {
              channel.close()
            } catch {
              // The connection is already gone: so is the channel.
            }
          }
          settle(() => (sawExit || timedOut ? resolve(result()) : reject(error)))
        }
      }
      this.inFlight.add(inFlight)

      const deadline = setTimeout(() => {
        timedOut = true
        if (!channel && attempt > 0) {
          // Refused a session all along, while others held them: say so, not that it ran too long.
          const reason =
            this.lostReason ??
            `cannot start a command on ${this.where}: the server had no session free for it in ` +
              `${timeoutMs} ms while other sessions of this login were open (sshd_config ` +
              'MaxSessions on the host is below the commands run there at once: raise it)'
          settle(() => reject(new ConnectionError(reason, this.host)))
          return
        }
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
          if (settled) return
          const pause = this.askAgainIn(error, attempt++)
          if (pause !== undefined) {
            retryTimer = setTimeout(open, pause)
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
        this.openChannels += 1
        opened.once('close', () => {
          this.openChannels -= 1
        })
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
      let attempt = 0
      let retryTimer: NodeJS.Timeout | undefined
      const open = (): void => {
        if (settled) return
        try {
          this.client.exec(command, onOpen)
        } catch (error) {
          // ssh2 throws synchronously when the socket is already gone.
          const reason =
            this.lostReason ??
            `connection to ${this.where} lost: ${this.hop.scrub(errorText(error))}`
          settle(() => reject(new ConnectionError(reason, this.host)))
        }
      }
      open()
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
    if (this.lostReason === undefined) {
      // This host's part: its sessions end here, whether or not other aliases keep the login.
      this.loginGone('', true)
      for (const shell of [...this.shells]) shell.close()
    }
    await this.login.leave(this)
  }
}

/**
 * The session channel of a shared shell: `exec /bin/sh -s`, whatever the login shell is. Writes made
 * before the channel is open wait for it; a channel that cannot open is reported closed.
 */
function openShellChannel(
  client: Client,
  onOpenError: (error: Error) => void = () => undefined
): ShellChannel {
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
    if (error) onOpenError(error)
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
