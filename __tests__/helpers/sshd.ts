/**
 * The integration test bed: a real OpenSSH sshd on 127.0.0.1 with throwaway keys, one per call.
 *
 *   const sshd = await startSshd()
 *   const conn = await openSshConnection(sshdConnectionSettings(sshd))   // host web1, strict checking
 *   afterAll(() => sshd.stop())
 *
 * As root (CI), logins go to an unprivileged user `apbtest` (created once): root's shell startup is
 * slow here and real targets are rarely logged into as root.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { connect, createServer } from 'node:net'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import type { ConnectionSettings } from '../../src/connection/connection.js'
import {
  descendantsByGeneration,
  findProcess,
  isAlive,
  signalProcess,
  type ProcessIdentity
} from './processes.js'

const SSHD = '/usr/sbin/sshd'
const TEST_USER = 'apbtest'
const START_DEADLINE_MS = 15_000
/**
 * Runs "$@" (sshd) and kills it when stdin reaches EOF; exits with its status. The reader that waits for
 * EOF signals sshd only while sshd is still the wrapper's unreaped child: after the wrapper has reaped
 * it, its pid may belong to any new process.
 */
const SSHD_WRAPPER = [
  'exec 3<&0',
  '"$@" </dev/null 3<&- &',
  'pid=$!',
  '{',
  '  read -r _ <&3',
  '  parent=$(ps -o ppid= -p "$pid" 2>/dev/null | tr -d " ")',
  '  [ "$parent" != "$$" ] || kill "$pid" 2>/dev/null',
  '} &',
  'exec 3<&-',
  'wait "$pid"'
].join('\n')

export interface SshdFixture {
  /** `openssh` normally; `ssh2` only for the in-process fallback (exec only, no SFTP). */
  kind: 'openssh' | 'ssh2'
  host: '127.0.0.1'
  port: number
  /** The login user: `apbtest` when the tests run as root, else the current user. */
  user: string
  /** A 0600 ed25519 private key file that the server accepts. */
  clientKeyPath: string
  clientKey: string
  /** `SHA256:…` of the server's host key, as ssh-keygen prints it. */
  hostKeyFingerprint: string
  /** A known_hosts file holding exactly `knownHostsLine`. */
  knownHostsPath: string
  knownHostsLine: string
  tmpDir: string
  /** Stops the server and every session it started; removes tmpDir. */
  stop(): Promise<void>
  /** Stops the server and its sessions, then starts it again on the same port with the same keys. */
  restart(): Promise<void>
  /** SIGKILLs the server and its sessions at once: open connections drop, as when a host dies. */
  kill(): void
}

/**
 * Starts a fresh sshd (or, without OpenSSH and without APB_REQUIRE_SSHD=1, an ssh2 fallback).
 * `extraConfig` lines are appended to sshd_config (e.g. `AllowTcpForwarding no`); the fallback
 * server ignores them.
 */
export async function startSshd(
  opts: { name?: string; extraConfig?: string[] } = {}
): Promise<SshdFixture> {
  const tmpDir = await mkdtemp(join(tmpdir(), `apb-sshd-${opts.name ?? 'test'}-`))
  // The login user must reach the authorized_keys file inside; the private keys stay 0600.
  chmodSync(tmpDir, 0o755)
  if (!existsSync(SSHD)) {
    if (process.env.APB_REQUIRE_SSHD === '1') {
      throw new Error(
        `APB_REQUIRE_SSHD=1 but ${SSHD} does not exist: install openssh-server ` +
          '(apt-get install -y openssh-server openssh-client)'
      )
    }
    return startFallbackServer(tmpDir)
  }

  const hostKeyPath = join(tmpDir, 'host_ed25519')
  const clientKeyPath = join(tmpDir, 'client_ed25519')
  keygen(hostKeyPath, 'apb-test-host')
  keygen(clientKeyPath, 'apb-test-client')
  const hostPublic = readFileSync(`${hostKeyPath}.pub`, 'utf8').trim()
  const clientPublic = readFileSync(`${clientKeyPath}.pub`, 'utf8').trim()
  const hostKeyFingerprint = fingerprintOf(`${hostKeyPath}.pub`)
  const user = process.getuid?.() === 0 ? ensureTestUser() : userInfo().username

  const authorizedKeysPath = join(tmpDir, 'authorized_keys')
  writeFileSync(authorizedKeysPath, `${clientPublic}\n`, { mode: 0o644 })
  chmodSync(authorizedKeysPath, 0o644)
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 })

  const configPath = join(tmpDir, 'sshd_config')
  let port = 0
  let child: ChildProcess | undefined

  const launch = async (): Promise<void> => {
    // Another worker may take a free port before sshd binds it: retry on a fresh port.
    let lastError: unknown
    for (let attempt = 0; attempt < 5; attempt++) {
      if (port === 0 || attempt > 0) port = await freePort()
      writeFileSync(
        configPath,
        sshdConfig({ port, hostKeyPath, authorizedKeysPath, user, extra: opts.extraConfig })
      )
      try {
        child = await spawnSshd(configPath, port)
        return
      } catch (error) {
        lastError = error
      }
    }
    throw lastError
  }
  await launch()

  const knownHostsLine = `[127.0.0.1]:${port} ${hostPublic.split(/\s+/).slice(0, 2).join(' ')}`
  const knownHostsPath = join(tmpDir, 'known_hosts')
  writeFileSync(knownHostsPath, `${knownHostsLine}\n`)

  const killAll = (signal: NodeJS.Signals): void => {
    const root = wrapperIdentity(child)
    if (!root) return
    for (const target of [...descendantsByGeneration(root).flat(), root])
      signalProcess(target, signal)
  }
  const stopProcesses = async (): Promise<void> => {
    const current = child
    if (!current?.pid || current.exitCode !== null || current.signalCode !== null) return
    const exited = new Promise<void>((resolve) => current.once('exit', () => resolve()))
    const root = wrapperIdentity(current)
    if (root) await stopTree(root)
    const timer = setTimeout(() => killAll('SIGKILL'), 3_000)
    await exited
    clearTimeout(timer)
  }
  const onExit = (): void => killAll('SIGKILL')
  process.once('exit', onExit)

  return {
    kind: 'openssh',
    host: '127.0.0.1',
    get port() {
      return port
    },
    user,
    clientKeyPath,
    clientKey: readFileSync(clientKeyPath, 'utf8'),
    hostKeyFingerprint,
    knownHostsPath,
    knownHostsLine,
    tmpDir,
    async stop() {
      process.removeListener('exit', onExit)
      await stopProcesses()
      await rm(tmpDir, { recursive: true, force: true })
    },
    async restart() {
      await stopProcesses()
      writeFileSync(
        configPath,
        sshdConfig({ port, hostKeyPath, authorizedKeysPath, user, extra: opts.extraConfig })
      )
      child = await spawnSshd(configPath, port)
    },
    kill() {
      killAll('SIGKILL')
    }
  }
}

/** A port on 127.0.0.1 with nothing listening (it was free a moment ago). */
export async function unreachablePort(): Promise<number> {
  return freePort()
}

function sshdConfig(o: {
  port: number
  hostKeyPath: string
  authorizedKeysPath: string
  user: string
  extra?: string[]
}): string {
  // sshd keeps the first value it reads for a keyword: the extra lines come first, so they win.
  return [
    ...(o.extra ?? []),
    'ListenAddress 127.0.0.1',
    `Port ${o.port}`,
    `HostKey ${o.hostKeyPath}`,
    'PidFile none',
    `AuthorizedKeysFile ${o.authorizedKeysPath}`,
    `AllowUsers ${o.user}`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes no',
    'PermitRootLogin no',
    'UseDNS no',
    'PrintMotd no',
    'PrintLastLog no',
    // Tests run many commands at once on one connection, and open many connections at once.
    'MaxSessions 100',
    'MaxStartups 100:30:200',
    'LogLevel ERROR',
    'Subsystem sftp internal-sftp',
    ''
  ].join('\n')
}

function keygen(path: string, comment: string): void {
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path], {
    encoding: 'utf8'
  })
  if (r.status !== 0)
    throw new Error(`ssh-keygen failed for ${path}: ${r.stderr || r.error?.message}`)
}

function fingerprintOf(publicKeyPath: string): string {
  const r = spawnSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', publicKeyPath], {
    encoding: 'utf8'
  })
  const match = /SHA256:[A-Za-z0-9+/]+/.exec(r.stdout)
  if (!match) throw new Error(`ssh-keygen -l failed for ${publicKeyPath}: ${r.stderr}`)
  return match[0]
}

/** Creates (once, idempotently, safe against parallel workers) the unprivileged login user. */
function ensureTestUser(): string {
  const exists = (): boolean => spawnSync('id', ['-u', TEST_USER]).status === 0
  for (let attempt = 0; !exists(); attempt++) {
    const r = spawnSync('useradd', ['-m', '-s', '/bin/sh', TEST_USER], { encoding: 'utf8' })
    if (r.status === 0 || exists()) break
    // useradd fails while another worker holds the passwd lock; that worker is creating the user.
    if (attempt >= 20) throw new Error(`useradd ${TEST_USER} failed: ${r.stderr}`)
    spawnSync('sleep', ['0.1'])
  }
  // useradd leaves the password locked ("!"), and sshd without PAM refuses locked accounts.
  const shadow = readFileSync('/etc/shadow', 'utf8')
  const entry = shadow.split('\n').find((line) => line.startsWith(`${TEST_USER}:`))
  if (entry?.split(':')[1]?.startsWith('!')) spawnSync('usermod', ['-p', '*', TEST_USER])
  return TEST_USER
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** Starts sshd and resolves once it answers with an SSH banner; rejects (with its stderr) otherwise. */
async function spawnSshd(configPath: string, port: number): Promise<ChildProcess> {
  const check = spawnSync(SSHD, ['-t', '-f', configPath], { encoding: 'utf8' })
  if (check.status !== 0) throw new Error(`sshd -t rejected ${configPath}: ${check.stderr}`)
  // A wrapper kills sshd when our end of its stdin closes, so a test worker that dies without
  // stop() (a crash, a killed vitest worker: no 'exit' event) leaves no sshd behind.
  const child = spawn(
    '/bin/sh',
    ['-c', SSHD_WRAPPER, 'sshd-wrapper', SSHD, '-D', '-e', '-f', configPath],
    {
      stdio: ['pipe', 'ignore', 'pipe']
    }
  )
  child.once('exit', () => child.stdin?.end())
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) =>
      reject(new Error(`sshd exited (${code ?? signal}) before listening on ${port}: ${stderr}`))
    )
  )
  exited.catch(() => undefined)
  const deadline = Date.now() + START_DEADLINE_MS
  while (Date.now() < deadline) {
    const ready = await Promise.race([bannerSeen(port), exited])
    if (ready) return child
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  child.kill('SIGKILL')
  throw new Error(
    `sshd did not listen on 127.0.0.1:${port} within ${START_DEADLINE_MS} ms: ${stderr}`
  )
}

/** True when something on the port sends an SSH identification line. */
function bannerSeen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    const done = (ok: boolean): void => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(1_000, () => done(false))
    socket.once('data', (data: Buffer) => done(data.toString('latin1').startsWith('SSH-')))
    socket.once('error', () => done(false))
    socket.once('close', () => done(false))
  })
}

/**
 * The wrapper's identity while Node has not reaped it (its 'exit' event not yet seen), else undefined:
 * after that its pid may already belong to another process.
 */
function wrapperIdentity(child: ChildProcess | undefined): ProcessIdentity | undefined {
  if (child?.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
  return findProcess(child.pid)
}

/**
 * Terminates the wrapper's tree youngest generation first, so each process is reaped by its own
 * parent: killing all at once leaves orphaned zombies for init (which here reaps them only lazily).
 * Each process is signalled only while it is still the one found (pid and start time), since the
 * older generations are found before the younger ones are waited for.
 */
async function stopTree(root: ProcessIdentity): Promise<void> {
  const generations = descendantsByGeneration(root)
  for (const generation of generations.reverse()) {
    for (const target of generation) signalProcess(target, 'SIGTERM')
    const deadline = Date.now() + 1_000
    while (generation.some(isAlive) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }
}

/** In-process ssh2 server: exec with /bin/sh only. Used when OpenSSH is not installed. */
async function startFallbackServer(tmpDir: string): Promise<SshdFixture> {
  const { default: ssh2 } = await import('ssh2')
  const { createHash, timingSafeEqual } = await import('node:crypto')
  const hostKeys = ssh2.utils.generateKeyPairSync('ed25519')
  const clientKeys = ssh2.utils.generateKeyPairSync('ed25519')
  const clientKeyPath = join(tmpDir, 'client_ed25519')
  writeFileSync(clientKeyPath, clientKeys.private, { mode: 0o600 })
  const allowed = ssh2.utils.parseKey(clientKeys.public)
  if (allowed instanceof Error) throw allowed
  const hostBlob = Buffer.from(hostKeys.public.split(' ')[1] ?? '', 'base64')
  const hostKeyFingerprint =
    'SHA256:' + createHash('sha256').update(hostBlob).digest('base64').replace(/=+$/, '')
  const sessions = new Set<ChildProcess>()
  const clients = new Set<import('ssh2').Connection>()

  const server = new ssh2.Server({ hostKeys: [hostKeys.private] }, (client) => {
    clients.add(client)
    client.on('close', () => clients.delete(client))
    client.on('authentication', (ctx) => {
      const ok =
        ctx.method === 'publickey' &&
        ctx.key.algo === allowed.type &&
        timingSafeEqual(ctx.key.data, allowed.getPublicSSH()) &&
        (!ctx.signature || allowed.verify(ctx.blob ?? Buffer.alloc(0), ctx.signature, ctx.hashAlgo))
      if (ok) ctx.accept()
      else ctx.reject(['publickey'])
    })
    client.on('error', () => undefined)
    client.on('session', (acceptSession) => {
      const session = acceptSession()
      session.on('exec', (accept, _reject, info) => {
        const channel = accept()
        const proc = spawn('/bin/sh', ['-c', info.command], { detached: true })
        sessions.add(proc)
        proc.stdout.pipe(channel, { end: false })
        proc.stderr.pipe(channel.stderr, { end: false })
        channel.pipe(proc.stdin).on('error', () => undefined)
        // ssh2's server drops signal requests once exec started: end the group when the client
        // closes the channel instead (our client does so after its KILL on a deadline).
        channel.on('close', () => killSessionGroup(proc))
        proc.on('close', (code, signal) => {
          sessions.delete(proc)
          if (code !== null) channel.exit(code)
          else channel.exit((signal ?? 'SIGKILL').replace(/^SIG/, ''), false, '')
          channel.end()
        })
      })
    })
  })
  let port = await freePort()
  const listen = (): Promise<void> =>
    new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve()))
  await listen()
  const hostPublic = hostKeys.public.split(' ').slice(0, 2).join(' ')
  const knownHostsLine = `[127.0.0.1]:${port} ${hostPublic}`
  const knownHostsPath = join(tmpDir, 'known_hosts')
  writeFileSync(knownHostsPath, `${knownHostsLine}\n`)
  const killAll = (): void => {
    for (const proc of sessions) killSessionGroup(proc)
    for (const client of clients) client.end()
    server.close()
  }
  const close = (): Promise<void> => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    killAll()
    return closed
  }
  port = (server.address() as import('node:net').AddressInfo).port
  return {
    kind: 'ssh2',
    host: '127.0.0.1',
    port,
    user: userInfo().username,
    clientKeyPath,
    clientKey: clientKeys.private,
    hostKeyFingerprint,
    knownHostsPath,
    knownHostsLine,
    tmpDir,
    async stop() {
      await close()
      await rm(tmpDir, { recursive: true, force: true })
    },
    async restart() {
      await close()
      await listen()
    },
    kill: killAll
  }
}

/**
 * SIGKILLs the process group a fallback session's shell leads, while Node has not reaped that shell:
 * until then the group id is held by it and cannot name another group.
 */
function killSessionGroup(proc: ChildProcess): void {
  if (proc.pid === undefined || proc.exitCode !== null || proc.signalCode !== null) return
  try {
    process.kill(-proc.pid, 'SIGKILL')
  } catch {
    // Already gone.
  }
}

/**
 * Connection settings that reach `sshd` as inventory host `web1`, as its login user with its client key,
 * its host key checked strictly against its known_hosts file; `extra` overrides any of them.
 */
export function sshdConnectionSettings(
  sshd: SshdFixture,
  extra: Partial<ConnectionSettings> = {}
): ConnectionSettings {
  return {
    host: 'web1',
    transport: 'ssh',
    address: sshd.host,
    port: sshd.port,
    user: sshd.user,
    privateKeyPath: sshd.clientKeyPath,
    knownHostsPath: sshd.knownHostsPath,
    hostKeyChecking: 'strict',
    connectTimeoutMs: 30_000,
    ...extra
  }
}
