// `npm run bench`: wall time of our bundled CLI against the floor (the same commands sent straight
// through node-ssh) and against ansible-playbook, on one throwaway sshd posing as N hosts.
//
//   BENCH_HOSTS=10 BENCH_TASKS=20 BENCH_REPEAT=3 BENCH_ANSIBLE=1 npm run bench
//
// Needs `npm run bundle` first (it runs dist/cli.js, as users do). Exits 0 whatever the numbers are;
// non-zero only when something crashed.
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { NodeSSH } from 'node-ssh'
import { startSshd } from './sshd.mjs'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const CLI = join(ROOT, 'dist', 'cli.js')
const HOSTS = positiveIntFromEnv('BENCH_HOSTS', 10)
const TASKS = positiveIntFromEnv('BENCH_TASKS', 20)
const FORKS = 10
/** Ours and the floor are cheap: take the median of a few runs. Ansible runs once. */
const REPEAT = positiveIntFromEnv('BENCH_REPEAT', 3)
const TARGET_RATIO = 1.5
const CHILD_DEADLINE_MS = 600_000

function positiveIntFromEnv(name, fallback) {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${name} must be a positive whole number, got '${raw}'`)
  return n
}

/** Runs a child process to completion; resolves with its exit code, wall time and output tail. */
function timeChild(command, args, options = {}) {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now()
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options })
    let output = ''
    const keep = (chunk) => {
      output = (output + chunk.toString('utf8')).slice(-4000)
    }
    child.stdout.on('data', keep)
    child.stderr.on('data', keep)
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_DEADLINE_MS)
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      resolvePromise({ code: code ?? signal, ms: performance.now() - started, output })
    })
  })
}

/**
 * The floor: one node-ssh connection per host, hosts in parallel, each host's commands in order.
 * With `lockstep`, every host finishes command N before any starts N+1, as a linear play's task
 * barrier demands (a reference point only; the target is against the free-running floor).
 */
async function runFloor(sshd, hostNames, commands, { lockstep = false, noDelay = false } = {}) {
  const started = performance.now()
  const settled = await Promise.allSettled(hostNames.map((host) => connectFloor(sshd, host)))
  const connections = settled.filter((s) => s.status === 'fulfilled').map((s) => s.value)
  const refused = settled.find((s) => s.status === 'rejected')
  if (refused) {
    for (const { ssh } of connections) ssh.dispose()
    throw refused.reason
  }
  // Nagle's algorithm meets delayed ACKs on every small exec request; TCP_NODELAY avoids the stall.
  if (noDelay) for (const { ssh } of connections) ssh.connection?.setNoDelay(true)
  try {
    if (lockstep) {
      for (const command of commands) {
        await Promise.all(connections.map(({ host, ssh }) => runChecked(ssh, host, command)))
      }
    } else {
      await Promise.all(
        connections.map(async ({ host, ssh }) => {
          for (const command of commands) await runChecked(ssh, host, command)
        })
      )
    }
  } finally {
    for (const { ssh } of connections) ssh.dispose()
  }
  return performance.now() - started
}

async function runChecked(ssh, host, command) {
  const result = await ssh.execCommand(command)
  if (result.code !== 0) {
    throw new Error(`floor: '${command}' on ${host} exited ${result.code}: ${result.stderr}`)
  }
}

async function connectFloor(sshd, host) {
  const ssh = new NodeSSH()
  await ssh.connect({
    host: sshd.host,
    port: sshd.port,
    username: sshd.user,
    privateKeyPath: sshd.clientKeyPath,
    readyTimeout: 10_000,
    keepaliveInterval: 15_000,
    // Verify the host key as our engine does (the cost is one hash per connection).
    hostHash: 'sha256',
    hostVerifier: (digest) =>
      `SHA256:${Buffer.from(digest, 'hex').toString('base64').replace(/=+$/, '')}` ===
      sshd.hostKeyFingerprint
  })
  return { host, ssh }
}

function findOnPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name)
  }
  return undefined
}

/** ansible-playbook's environment: isolated from /etc/ansible and ~/.ansible, as in the differential tests. */
function ansibleEnvironment(workDir) {
  const home = join(workDir, 'ansible-home')
  const localTemp = join(workDir, 'ansible-local')
  const controlDir = join(workDir, 'cp')
  for (const dir of [home, localTemp, controlDir]) mkdirSync(dir, { recursive: true })
  const config = join(workDir, 'ansible.cfg')
  writeFileSync(config, '')
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LC_ALL: process.env.LC_ALL ?? 'C.UTF-8',
    ANSIBLE_CONFIG: config,
    ANSIBLE_HOME: home,
    ANSIBLE_LOCAL_TEMP: localTemp,
    ANSIBLE_SSH_CONTROL_PATH_DIR: controlDir,
    ANSIBLE_HOST_KEY_CHECKING: 'True',
    ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_RETRY_FILES_ENABLED: '0'
  }
}

/** Ends the ControlPersist masters ansible leaves behind for 60 s. */
async function closeControlMasters(workDir) {
  const controlDir = join(workDir, 'cp')
  if (!existsSync(controlDir)) return
  await Promise.all(
    readdirSync(controlDir).map((name) =>
      timeChild('ssh', ['-o', `ControlPath=${join(controlDir, name)}`, '-O', 'exit', 'x']).catch(
        () => undefined
      )
    )
  )
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

const seconds = (ms) => (ms / 1000).toFixed(2)

async function main() {
  if (!existsSync(CLI)) {
    throw new Error(`${CLI} does not exist: run 'npm run bundle' first`)
  }
  const hostNames = Array.from({ length: HOSTS }, (_, i) => `host${String(i + 1).padStart(2, '0')}`)
  const commands = Array.from({ length: TASKS }, (_, i) => `/bin/sh -c 'echo ${i + 1}'`)
  const ansiblePath = process.env.BENCH_ANSIBLE === '0' ? undefined : findOnPath('ansible-playbook')

  let sshd
  let workDir
  try {
    sshd = await startSshd({ name: 'bench' })
    workDir = await mkdtemp(join(tmpdir(), 'apb-bench-'))
    const inventoryPath = join(workDir, 'inventory.ini')
    const playbookPath = join(workDir, 'bench.yml')
    writeFileSync(
      inventoryPath,
      [
        '[bench]',
        ...hostNames.map((h) => `${h} ansible_host=${sshd.host} ansible_port=${sshd.port}`),
        '[all:vars]',
        `ansible_user=${sshd.user}`,
        `ansible_ssh_private_key_file=${sshd.clientKeyPath}`,
        `ansible_ssh_common_args='-o UserKnownHostsFile=${sshd.knownHostsPath}'`,
        ''
      ].join('\n')
    )
    writeFileSync(
      playbookPath,
      [
        `- name: bench ${HOSTS} hosts x ${TASKS} tasks`,
        '  hosts: all',
        '  gather_facts: false',
        '  tasks:',
        ...Array.from({ length: TASKS }, (_, i) => [
          `    - name: echo ${i + 1}`,
          `      shell: echo ${i + 1}`
        ]).flat(),
        ''
      ].join('\n')
    )

    console.log(
      `bench: ${HOSTS} hosts (aliases of one OpenSSH sshd on 127.0.0.1:${sshd.port}, user ${sshd.user}) ` +
        `x ${TASKS} shell tasks = ${HOSTS * TASKS} commands, forks ${FORKS}; median of ${REPEAT} run(s)`
    )

    const nodeStartup = await timeChild(process.execPath, ['-e', '0'])
    const ours = []
    const floor = []
    const lockstep = []
    const noDelay = []
    // Interleave, so a slow moment of the machine does not land on one side only.
    for (let i = 0; i < REPEAT; i++) {
      floor.push(await runFloor(sshd, hostNames, commands))
      lockstep.push(await runFloor(sshd, hostNames, commands, { lockstep: true }))
      noDelay.push(await runFloor(sshd, hostNames, commands, { noDelay: true }))
      const run = await timeChild(process.execPath, [
        CLI,
        playbookPath,
        '-i',
        inventoryPath,
        '--known-hosts',
        sshd.knownHostsPath,
        '-f',
        String(FORKS)
      ])
      if (run.code !== 0) {
        throw new Error(`dist/cli.js exited ${run.code}; its output ended with:\n${run.output}`)
      }
      ours.push(run.ms)
    }

    let ansibleMs
    let ansibleNote
    if (!ansiblePath) {
      ansibleNote =
        process.env.BENCH_ANSIBLE === '0'
          ? 'skipped (BENCH_ANSIBLE=0)'
          : 'skipped: ansible-playbook is not on PATH (apt-get install -y ansible-core)'
    } else {
      const run = await timeChild(
        ansiblePath,
        [playbookPath, '-i', inventoryPath, '-f', String(FORKS)],
        { env: ansibleEnvironment(workDir) }
      )
      if (run.code === 0) ansibleMs = run.ms
      else
        ansibleNote = `failed (exit ${run.code}): ${run.output.split('\n').slice(-5).join(' | ')}`
      await closeControlMasters(workDir)
    }

    const oursMs = median(ours)
    const floorMs = median(floor)
    const rows = [
      ['our CLI (node dist/cli.js, -f 10)', seconds(oursMs), ours.map(seconds).join(' ')],
      ['floor (node-ssh execCommand, in-process)', seconds(floorMs), floor.map(seconds).join(' ')],
      [
        'floor, hosts in lockstep per task (reference)',
        seconds(median(lockstep)),
        lockstep.map(seconds).join(' ')
      ],
      [
        'floor with TCP_NODELAY (reference)',
        seconds(median(noDelay)),
        noDelay.map(seconds).join(' ')
      ],
      [
        'ansible-playbook -f 10',
        ansibleMs === undefined ? '-' : seconds(ansibleMs),
        ansibleNote ?? ''
      ],
      ['(node startup alone: node -e 0)', seconds(nodeStartup.ms), '']
    ]
    const width = Math.max(...rows.map((r) => r[0].length))
    console.log('')
    console.log(`${'runner'.padEnd(width)}  ${'wall s'.padStart(7)}  runs / note`)
    for (const [name, wall, note] of rows) {
      console.log(`${name.padEnd(width)}  ${wall.padStart(7)}  ${note}`)
    }
    const ratio = oursMs / floorMs
    console.log('')
    console.log(
      `ours / floor    = ${ratio.toFixed(2)}x   target: ours within ${TARGET_RATIO}x of floor ` +
        `-> ${ratio <= TARGET_RATIO ? 'MET' : 'NOT MET'}`
    )
    console.log(
      `ours / floor with TCP_NODELAY = ${(oursMs / median(noDelay)).toFixed(2)}x (reference)`
    )
    console.log(
      `ansible / ours  = ${ansibleMs === undefined ? 'n/a' : `${(ansibleMs / oursMs).toFixed(1)}x`}`
    )
  } finally {
    if (workDir) await rm(workDir, { recursive: true, force: true })
    if (sshd) await sshd.stop()
  }
}

main().then(
  () => {
    process.exitCode = 0
  },
  (error) => {
    console.error(`bench crashed: ${error instanceof Error ? error.stack : String(error)}`)
    process.exitCode = 1
  }
)
