// `npm run bench`: wall time of our bundled CLI against the floor (the same commands sent straight
// through node-ssh) and against ansible-playbook, on one throwaway sshd posing as N hosts; then the
// async scenarios (bench/async.mjs): seed example 3, a fan-out of 50 poll: 0 jobs, completion latency,
// launch time and how soon a job over its async limit is stopped.
//
//   BENCH_HOSTS=10 BENCH_TASKS=20 BENCH_REPEAT=3 BENCH_ANSIBLE=1 npm run bench
//   BENCH_SCENARIOS=seed3,latency npm run bench        (or: npm run bench -- --scenarios seed3,latency)
//
// Scenarios: startup (cold start of `node dist/cli.js --version`, bench/startup.mjs), sync (the hosts x tasks
// table), modules (file, stat, lineinfile, copy, template on 10 hosts, twice: bench/modules.mjs), packages
// (the server set-up example under become, twice: bench/packages.mjs; needs root), seed3,
// fanout, latency, timeouts, load; default all. Only startup runs without the sshd. BENCH_ASYNC_REPEAT
// (default 1) repeats our CLI in the async scenarios (median); ansible-playbook runs once.
// Needs `npm run bundle` first (it runs dist/cli.js, as users do). Exits 0 whatever the numbers are;
// non-zero only when something crashed.
import { benchLoad } from './load.mjs'
import { benchModules } from './modules.mjs'
import { benchPackages } from './packages.mjs'
import { randomBytes } from 'node:crypto'
import { existsSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { benchFanout, benchLatency, benchSeed3, benchTimeouts } from './async.mjs'
import {
  CLI,
  ansibleEnvironment,
  closeControlMasters,
  connectSsh,
  findOnPath,
  median,
  positiveIntFromEnv,
  printTable,
  seconds,
  timeChild,
  writeInventory
} from './lib.mjs'
import { startSshd } from './sshd.mjs'
import { benchStartup } from './startup.mjs'

const HOSTS = positiveIntFromEnv('BENCH_HOSTS', 10)
const TASKS = positiveIntFromEnv('BENCH_TASKS', 20)
const FORKS = 10
/** Ours and the floor are cheap: take the median of a few runs. Ansible runs once. */
const REPEAT = positiveIntFromEnv('BENCH_REPEAT', 3)
const TARGET_RATIO = 1.5
const SCENARIOS = [
  'startup',
  'sync',
  'modules',
  'packages',
  'seed3',
  'fanout',
  'latency',
  'timeouts',
  'load'
]
/** Scenarios that need no sshd, no work directory and no ansible-playbook. */
const STANDALONE = new Set(['startup'])

/** The scenarios to run: --scenarios LIST (or --scenarios=LIST), else BENCH_SCENARIOS, else all. */
function selectedScenarios(argv, env) {
  let raw = env.BENCH_SCENARIOS
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--scenarios') raw = argv[++i]
    else if (argv[i].startsWith('--scenarios=')) raw = argv[i].slice('--scenarios='.length)
    else
      throw new Error(
        `unknown argument '${argv[i]}' (usage: node bench/run.mjs [--scenarios ${SCENARIOS.join(',')}])`
      )
  }
  if (raw === undefined || raw.trim() === '' || raw.trim() === 'all') return SCENARIOS
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  const unknown = names.filter((n) => !SCENARIOS.includes(n))
  if (unknown.length)
    throw new Error(
      `unknown scenario(s) ${unknown.join(', ')}: choose from ${SCENARIOS.join(', ')}`
    )
  return SCENARIOS.filter((n) => names.includes(n))
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
  return { host, ssh: await connectSsh(sshd) }
}

/** The hosts x tasks scenario: ours against the node-ssh floor and ansible-playbook. */
async function benchSync(ctx) {
  const { sshd, workDir, ansiblePath } = ctx
  const hostNames = Array.from({ length: HOSTS }, (_, i) => `host${String(i + 1).padStart(2, '0')}`)
  const commands = Array.from({ length: TASKS }, (_, i) => `/bin/sh -c 'echo ${i + 1}'`)
  const inventoryPath = join(workDir, 'inventory.ini')
  const playbookPath = join(workDir, 'bench.yml')
  writeInventory(inventoryPath, sshd, hostNames)
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
    ansibleNote = ctx.ansibleNote
  } else {
    const run = await timeChild(
      ansiblePath,
      [playbookPath, '-i', inventoryPath, '-f', String(FORKS)],
      { env: ansibleEnvironment(workDir) }
    )
    if (run.code === 0) ansibleMs = run.ms
    else ansibleNote = `failed (exit ${run.code}): ${run.output.split('\n').slice(-5).join(' | ')}`
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
  printTable(rows)
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
  return {
    targets: [
      {
        name: `sync: ours within ${TARGET_RATIO}x of the floor`,
        met: ratio <= TARGET_RATIO,
        detail: `${ratio.toFixed(2)}x (${seconds(oursMs)} s vs ${seconds(floorMs)} s)`
      }
    ]
  }
}

const RUNNERS = {
  startup: benchStartup,
  sync: benchSync,
  modules: benchModules,
  packages: benchPackages,
  seed3: benchSeed3,
  fanout: benchFanout,
  latency: benchLatency,
  timeouts: benchTimeouts,
  load: benchLoad
}

async function main() {
  const scenarios = selectedScenarios(process.argv.slice(2), process.env)
  if (!existsSync(CLI)) {
    throw new Error(`${CLI} does not exist: run 'npm run bundle' first`)
  }
  const ansiblePath = process.env.BENCH_ANSIBLE === '0' ? undefined : findOnPath('ansible-playbook')
  const ansibleNote = ansiblePath
    ? undefined
    : process.env.BENCH_ANSIBLE === '0'
      ? 'skipped (BENCH_ANSIBLE=0)'
      : 'skipped: ansible-playbook is not on PATH (apt-get install -y ansible-core)'

  let sshd
  let workDir
  let ssh
  // The async scenarios' job files go to a directory of their own on the target, removed at the end.
  const asyncDir = `~/.apb-bench-${randomBytes(6).toString('hex')}`
  const targets = []
  const crashed = []
  try {
    if (scenarios.some((name) => !STANDALONE.has(name))) {
      sshd = await startSshd({ name: 'bench' })
      workDir = await mkdtemp(join(tmpdir(), 'apb-bench-'))
      ssh = await connectSsh(sshd)
    }
    const ctx = { sshd, workDir, ansiblePath, ansibleNote, asyncDir, ssh }
    console.log(`scenarios: ${scenarios.join(', ')}`)
    for (const name of scenarios) {
      try {
        const outcome = await RUNNERS[name](ctx)
        targets.push(...outcome.targets)
      } catch (error) {
        // One scenario's crash does not hide the others' numbers; the exit code still says so.
        crashed.push(name)
        console.error(`\n${name}: crashed: ${error instanceof Error ? error.stack : String(error)}`)
      }
    }

    console.log('')
    console.log('summary')
    const width = Math.max(...targets.map((t) => t.name.length), 0)
    for (const t of targets) {
      console.log(`  ${t.met ? 'MET    ' : 'MISSED '} ${t.name.padEnd(width)}  ${t.detail}`)
    }
    for (const name of crashed) console.log(`  CRASHED ${name}`)
  } finally {
    if (ssh) {
      await ssh.execCommand(`rm -rf -- ${asyncDir}`).catch(() => undefined)
      ssh.dispose()
    }
    if (workDir) await rm(workDir, { recursive: true, force: true })
    if (sshd) await sshd.stop()
  }
  if (crashed.length) throw new Error(`scenario(s) crashed: ${crashed.join(', ')}`)
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
