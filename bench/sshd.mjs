// A throwaway OpenSSH sshd on 127.0.0.1 for the benchmark: the same set-up as the integration test bed
// (__tests__/helpers/sshd.ts), ported to plain JS so `npm run bench` needs no TypeScript loader.
// As root, logins go to the unprivileged user `apbtest`: root's shell startup is slow on this kind of
// machine and would dominate every command's cost.
import { spawn, spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { connect, createServer } from 'node:net'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'

const SSHD = '/usr/sbin/sshd'
const TEST_USER = 'apbtest'
const START_DEADLINE_MS = 15_000
/** Runs "$@" (sshd) and kills it when stdin reaches EOF, so a crashed bench leaves no sshd behind. */
const SSHD_WRAPPER = [
  'exec 3<&0',
  '"$@" </dev/null 3<&- &',
  'pid=$!',
  '{ read -r _ <&3; kill "$pid" 2>/dev/null; } &',
  'exec 3<&-',
  'wait "$pid"'
].join('\n')

/**
 * Starts a fresh sshd with throwaway keys.
 * @returns {Promise<{host: string, port: number, user: string, clientKeyPath: string,
 *   knownHostsPath: string, hostKeyFingerprint: string, tmpDir: string, stop(): Promise<void>}>}
 */
export async function startSshd({ name = 'bench' } = {}) {
  if (!existsSync(SSHD)) {
    throw new Error(
      `${SSHD} does not exist: install openssh-server (apt-get install -y openssh-server openssh-client)`
    )
  }
  const tmpDir = await mkdtemp(join(tmpdir(), `apb-sshd-${name}-`))
  let child
  try {
    // The login user must reach the authorized_keys file inside; the private keys stay 0600.
    chmodSync(tmpDir, 0o755)
    const hostKeyPath = join(tmpDir, 'host_ed25519')
    const clientKeyPath = join(tmpDir, 'client_ed25519')
    keygen(hostKeyPath, 'apb-bench-host')
    keygen(clientKeyPath, 'apb-bench-client')
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
    let lastError
    for (let attempt = 0; attempt < 5 && !child; attempt++) {
      // Another process may take a free port before sshd binds it: retry on a fresh port.
      port = await freePort()
      writeFileSync(configPath, sshdConfig({ port, hostKeyPath, authorizedKeysPath, user }))
      try {
        child = await spawnSshd(configPath, port)
      } catch (error) {
        lastError = error
      }
    }
    if (!child) throw lastError

    const knownHostsPath = join(tmpDir, 'known_hosts')
    writeFileSync(
      knownHostsPath,
      `[127.0.0.1]:${port} ${hostPublic.split(/\s+/).slice(0, 2).join(' ')}\n`
    )
    const running = child
    const onExit = () => killTree(running.pid, 'SIGKILL')
    process.once('exit', onExit)
    return {
      host: '127.0.0.1',
      port,
      user,
      clientKeyPath,
      knownHostsPath,
      hostKeyFingerprint,
      tmpDir,
      async stop() {
        process.removeListener('exit', onExit)
        await stopProcess(running)
        await rm(tmpDir, { recursive: true, force: true })
      }
    }
  } catch (error) {
    if (child) await stopProcess(child)
    await rm(tmpDir, { recursive: true, force: true })
    throw error
  }
}

function sshdConfig({ port, hostKeyPath, authorizedKeysPath, user }) {
  return [
    'ListenAddress 127.0.0.1',
    `Port ${port}`,
    `HostKey ${hostKeyPath}`,
    'PidFile none',
    `AuthorizedKeysFile ${authorizedKeysPath}`,
    `AllowUsers ${user}`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes no',
    'PermitRootLogin no',
    'UseDNS no',
    'PrintMotd no',
    'PrintLastLog no',
    // Ten "hosts" connect at once (and ansible adds its ControlMaster connections): the defaults
    // (MaxStartups 10:30:100) would start refusing some of them.
    'MaxSessions 100',
    'MaxStartups 100:30:200',
    'LogLevel ERROR',
    'Subsystem sftp internal-sftp',
    ''
  ].join('\n')
}

function keygen(path, comment) {
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path], {
    encoding: 'utf8'
  })
  if (r.status !== 0)
    throw new Error(`ssh-keygen failed for ${path}: ${r.stderr || r.error?.message}`)
}

function fingerprintOf(publicKeyPath) {
  const r = spawnSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', publicKeyPath], {
    encoding: 'utf8'
  })
  const match = /SHA256:[A-Za-z0-9+/]+/.exec(r.stdout)
  if (!match) throw new Error(`ssh-keygen -l failed for ${publicKeyPath}: ${r.stderr}`)
  return match[0]
}

/** Creates (once, idempotently, safe against parallel test workers) the unprivileged login user. */
function ensureTestUser() {
  const exists = () => spawnSync('id', ['-u', TEST_USER]).status === 0
  for (let attempt = 0; !exists(); attempt++) {
    const r = spawnSync('useradd', ['-m', '-s', '/bin/sh', TEST_USER], { encoding: 'utf8' })
    if (r.status === 0 || exists()) break
    if (attempt >= 20) throw new Error(`useradd ${TEST_USER} failed: ${r.stderr}`)
    spawnSync('sleep', ['0.1'])
  }
  // useradd leaves the password locked ("!"), and sshd without PAM refuses locked accounts.
  const shadow = readFileSync('/etc/shadow', 'utf8')
  const entry = shadow.split('\n').find((line) => line.startsWith(`${TEST_USER}:`))
  if (entry?.split(':')[1]?.startsWith('!')) spawnSync('usermod', ['-p', '*', TEST_USER])
  return TEST_USER
}

function freePort() {
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
async function spawnSshd(configPath, port) {
  const check = spawnSync(SSHD, ['-t', '-f', configPath], { encoding: 'utf8' })
  if (check.status !== 0) throw new Error(`sshd -t rejected ${configPath}: ${check.stderr}`)
  const child = spawn(
    '/bin/sh',
    ['-c', SSHD_WRAPPER, 'sshd-wrapper', SSHD, '-D', '-e', '-f', configPath],
    { stdio: ['pipe', 'ignore', 'pipe'] }
  )
  child.once('exit', () => child.stdin?.end())
  let stderr = ''
  child.stderr.on('data', (chunk) => {
    stderr += chunk.toString()
  })
  const exited = new Promise((_, reject) =>
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

function bannerSeen(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    const done = (ok) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(1_000, () => done(false))
    socket.once('data', (data) => done(data.toString('latin1').startsWith('SSH-')))
    socket.once('error', () => done(false))
    socket.once('close', () => done(false))
  })
}

/** Every live descendant of `root`, found through /proc, nearest generation first. */
function descendantsByGeneration(root) {
  const children = new Map()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      // The command name may contain spaces and parentheses: fields resume after the last ')'.
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (state === 'Z') continue
      const list = children.get(Number(ppid)) ?? []
      list.push(Number(name))
      children.set(Number(ppid), list)
    } catch {
      // The process ended while we looked.
    }
  }
  const generations = []
  let current = [root]
  while (current.length > 0) {
    current = current.flatMap((pid) => children.get(pid) ?? [])
    if (current.length > 0) generations.push(current)
  }
  return generations
}

function killTree(root, signal) {
  if (root === undefined) return
  for (const pid of [...descendantsByGeneration(root).flat(), root]) {
    try {
      process.kill(pid, signal)
    } catch {
      // Already gone.
    }
  }
}

function isRunning(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}

/** Terminates the wrapper's tree youngest generation first, then SIGKILLs whatever is left. */
async function stopProcess(child) {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  for (const generation of descendantsByGeneration(child.pid).reverse()) {
    for (const pid of generation) {
      try {
        process.kill(pid, 'SIGTERM')
      } catch {
        // Already gone.
      }
    }
    const deadline = Date.now() + 1_000
    while (generation.some(isRunning) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }
  const timer = setTimeout(() => killTree(child.pid, 'SIGKILL'), 3_000)
  await exited
  clearTimeout(timer)
}
