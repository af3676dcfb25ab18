/**
 * Signalling processes the tests did not spawn themselves, without hitting a stranger.
 *
 * A pid (or process group id) read from /proc, a job record or a log names a process only while that
 * process lives: once it has exited and been reaped, the kernel may hand the number to any new process.
 * With pid_max at 32768 and a busy machine that happens within seconds, and a test running as root then
 * kills whatever got the number (it has killed the developer's shell). So a process is identified by its
 * pid together with its start time (field 22 of /proc/<pid>/stat, clock ticks after boot), which no
 * later process can share, and checked again right before each signal.
 *
 *   const job = findProcess(pid, /sleep 34\.5/)   // undefined unless alive and running that command
 *   signalGroup(job!, 'SIGKILL')                 // only while it still leads its own group
 *
 * Signal from Node (process.kill) or a shell's builtin kill, never through the `kill` program: procps-ng
 * 4.0.2's /bin/kill (Debian 12) reads `kill -9 -1021220` as kill(-1, SIGKILL), every process the caller
 * may signal, which as root is the whole machine (checked with strace in a pid namespace: `kill -9
 * -3999999` calls kill(-3, SIGKILL)).
 */
import { readFileSync, readdirSync } from 'node:fs'

/** One process: its pid and its start time, which together name it for as long as it lives. */
export interface ProcessIdentity {
  pid: number
  /** Start time in clock ticks after boot, as /proc/<pid>/stat says. */
  startTicks: number
}

interface ProcStat {
  state: string
  ppid: number
  pgid: number
  startTicks: number
}

/** The fields we use of /proc/<pid>/stat, or undefined when there is no such process. */
function procStat(pid: number): ProcStat | undefined {
  let text: string
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return undefined
  }
  // The command name may contain spaces and parentheses: fields resume after the last ')'.
  // After it: state(3) ppid(4) pgrp(5) session(6) tty(7) tpgid(8) flags(9) minflt(10) cminflt(11)
  // majflt(12) cmajflt(13) utime(14) stime(15) cutime(16) cstime(17) priority(18) nice(19)
  // num_threads(20) itrealvalue(21) starttime(22).
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
  const startTicks = Number(fields[19])
  if (!Number.isSafeInteger(startTicks)) return undefined
  return {
    state: fields[0] ?? '',
    ppid: Number(fields[1]),
    pgid: Number(fields[2]),
    startTicks
  }
}

/** The command line of a process, arguments joined by spaces ('' when it is gone). */
export function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, '').replace(/\0/g, ' ')
  } catch {
    return ''
  }
}

/**
 * The identity of a live process (not a zombie), optionally only if its command line matches `command`:
 * a pid taken from a record or a log is trusted only when the process behind it is the one meant.
 */
export function findProcess(pid: number, command?: RegExp): ProcessIdentity | undefined {
  if (!Number.isSafeInteger(pid) || pid <= 1) return undefined
  const stat = procStat(pid)
  if (!stat || stat.state === 'Z') return undefined
  if (command && !command.test(commandLineOf(pid))) return undefined
  // Read the start time again: the command line above must belong to the same process.
  return procStat(pid)?.startTicks === stat.startTicks
    ? { pid, startTicks: stat.startTicks }
    : undefined
}

/** True while the process is alive (a zombie has ended) and is still the one identified. */
export function isAlive(process: ProcessIdentity): boolean {
  const stat = procStat(process.pid)
  return stat !== undefined && stat.state !== 'Z' && stat.startTicks === process.startTicks
}

/**
 * Sends `signal` to the process if it is still the one identified and has not ended; returns whether
 * it did. (A zombie keeps its pid until reaped, so it is safe to signal, but there is no point.)
 */
export function signalProcess(target: ProcessIdentity, signal: NodeJS.Signals): boolean {
  if (!isAlive(target)) return false
  try {
    process.kill(target.pid, signal)
    return true
  } catch {
    return false // It ended between the check and the signal.
  }
}

/**
 * Sends `signal` to the process group that `leader` leads, if the leader is still that process, alive
 * and leading its own group: the group id is then held by the leader and cannot name another group.
 */
export function signalGroup(leader: ProcessIdentity, signal: NodeJS.Signals): boolean {
  const stat = procStat(leader.pid)
  if (!stat || stat.state === 'Z' || stat.startTicks !== leader.startTicks) return false
  if (stat.pgid !== leader.pid) return false
  try {
    process.kill(-leader.pid, signal)
    return true
  } catch {
    return false
  }
}

/** Every live descendant of `root`, nearest generation first, each with its start time. */
export function descendantsByGeneration(root: ProcessIdentity): ProcessIdentity[][] {
  const children = new Map<number, ProcessIdentity[]>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const pid = Number(name)
    const stat = procStat(pid)
    if (!stat || stat.state === 'Z') continue
    const list = children.get(stat.ppid) ?? []
    list.push({ pid, startTicks: stat.startTicks })
    children.set(stat.ppid, list)
  }
  const generations: ProcessIdentity[][] = []
  let current = [root]
  while (current.length > 0) {
    // A parent still alive after the scan held its pid throughout it, so a process listed under that
    // pid and started no earlier than the parent is its child (not one of a previous holder's).
    current = current
      .filter(isAlive)
      .flatMap((parent) =>
        (children.get(parent.pid) ?? []).filter((child) => child.startTicks >= parent.startTicks)
      )
    if (current.length > 0) generations.push(current)
  }
  return generations
}

/** Live processes whose whole command line matches `command` (pgrep reads only its first 4 KiB). */
export function processesMatching(command: RegExp): ProcessIdentity[] {
  const found: ProcessIdentity[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const process = findProcess(Number(name), command)
    if (process) found.push(process)
  }
  return found
}

/** The live children of a process (by /proc), each with its command line. */
export function childrenOf(parent: ProcessIdentity): Array<ProcessIdentity & { command: string }> {
  return (
    descendantsByGeneration(parent)[0]?.map((child) => ({
      ...child,
      command: commandLineOf(child.pid)
    })) ?? []
  )
}

/**
 * Waits until process `pid` runs a command matching `command` and, with `leader`, leads its own process
 * group; returns its identity, or undefined if that did not happen within `timeoutMs` (then it is not
 * the process meant). A job's pid is recorded as soon as it is forked, before it has exec'd its command
 * or made its group (setsid), which takes a moment on a loaded machine.
 */
export async function awaitProcess(
  pid: number,
  command: RegExp,
  options: { leader?: boolean; timeoutMs?: number } = {}
): Promise<ProcessIdentity | undefined> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000)
  for (;;) {
    const found = findProcess(pid, command)
    if (found && (!options.leader || procStat(pid)?.pgid === pid)) return found
    if (Date.now() > deadline) return undefined
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
