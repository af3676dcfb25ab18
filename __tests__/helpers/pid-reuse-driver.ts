/**
 * Run by the pid-reuse tests (bundled by esbuild) as PID 1 of a pid namespace of its own (`unshare --pid
 * --fork --mount-proc`): there nothing else forks, so writing ns_last_pid hands a chosen pid to the next
 * process without touching the pids of the rest of the machine. Prints one JSON line.
 *
 * `local-connection [timeoutMs]`: a local command's shell exits at once while a process that left its
 * group (setsid) keeps the output pipes open, so the run waits for its deadline. Meanwhile the shell's
 * pid, which was the command's process group id, is given to a new process leading a group of its own
 * (the victim), as a busy machine with pid_max 32768 does within seconds. Reports what the deadline's
 * kill did to it.
 *
 * `identity`: a process is identified (helpers/processes.ts), ends, and its pid goes to a new process;
 * reports whether signalling the old identity reached the new process.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { openLocalConnection } from '../../src/connection/local-connection.js'
import { findProcess, signalGroup, signalProcess } from './processes.js'

const SCENARIO = process.argv[2] ?? 'local-connection'
const TIMEOUT_MS = Number(process.argv[3] ?? '5000')

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Clock ticks since boot (USER_HZ, 100 on Linux), the unit of a process's start time in /proc. */
function uptimeTicks(): number {
  return Math.floor(Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * 100)
}

/**
 * Spawns `sleep 60` leading its own group, with pid `pid`. Another process or thread may take the pid
 * first (a busy machine starts node's own threads late): then that try's child is killed and reaped, so
 * that it does not keep a pid the next try needs, and the spawn is tried again.
 */
async function spawnWithPid(pid: number): Promise<ChildProcess> {
  let child: ChildProcess | undefined
  for (let attempt = 0; attempt < 50; attempt++) {
    writeFileSync('/proc/sys/kernel/ns_last_pid', String(pid - 1))
    child = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' })
    if (child.pid === pid) return child
    const exited = new Promise((resolve) => child!.once('exit', resolve))
    child.kill('SIGKILL')
    await exited
    // Whatever took the pid may still hold it: give it a while to end (a thread of ours never does).
    for (let waits = 0; existsSync(`/proc/${pid}`) && waits < 50; waits++) await pause(10)
  }
  return child!
}

async function identity(): Promise<void> {
  const first = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' })
  // Identified once it runs sleep (until its exec it still runs node's command line).
  let found = findProcess(first.pid!, /^sleep 60$/)
  for (let tries = 0; !found && tries < 500; tries++) {
    await pause(10)
    found = findProcess(first.pid!, /^sleep 60$/)
  }
  // A start time counts clock ticks: the process a real test identified has lived at least one, so
  // a process that later gets its pid starts in a later tick. Model that (not a delay: the clock has to
  // move on), or both could start in the same tick and look alike.
  while (found && uptimeTicks() <= found.startTicks + 1) await pause(5)
  const exited = new Promise((resolve) => first.once('exit', resolve))
  first.kill('SIGKILL')
  await exited // reaped: the pid is free
  const second = await spawnWithPid(first.pid!)
  const report = {
    found: found !== undefined,
    reused: second.pid === first.pid,
    signalled: found ? signalProcess(found, 'SIGKILL') : null,
    groupSignalled: found ? signalGroup(found, 'SIGKILL') : null,
    secondAlive: second.exitCode === null && second.signalCode === null
  }
  await pause(200) // Lets a kill, had there been one, show as an 'exit' event.
  report.secondAlive &&= second.exitCode === null && second.signalCode === null
  second.kill('SIGKILL')
  process.stdout.write(`${JSON.stringify(report)}\n`)
  process.exit(0)
}

async function main(): Promise<void> {
  if (SCENARIO === 'identity') return identity()
  const conn = openLocalConnection('localhost')
  let shellPid: number | undefined
  let sawPid: () => void = () => undefined
  const pidSeen = new Promise<void>((resolve) => (sawPid = resolve))
  const started = Date.now()
  const run = conn.run('setsid sleep 60 </dev/null & echo "$$"', {
    timeoutMs: TIMEOUT_MS,
    onStdout: (chunk) => {
      shellPid ??= Number(chunk.toString().trim())
      sawPid()
    }
  })
  await pidSeen
  const pid = shellPid!
  // Node reaps the shell as soon as it exits: /proc/<pid> then disappears and the pid is free.
  while (existsSync(`/proc/${pid}`)) await pause(10)

  const victim = await spawnWithPid(pid)
  const victimSpawnedMs = Date.now() - started
  let victimSignal: string | null = null
  victim.once('exit', (_code, signal) => (victimSignal = signal))

  const result = await run
  await pause(200) // Lets the victim's 'exit' event arrive if the deadline killed it.
  const report = {
    shellPid: pid,
    victimPid: victim.pid,
    victimSpawnedMs,
    timedOut: result.timedOut,
    victimSignal,
    victimAlive: victim.exitCode === null && victim.signalCode === null
  }
  victim.kill('SIGKILL')
  process.stdout.write(`${JSON.stringify(report)}\n`)
  // Leaving PID 1 ends every process of the namespace (the setsid sleep too).
  process.exit(0)
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
