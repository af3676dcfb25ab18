// Machine-wide locks of the tests that change one thing every test process shares (the dpkg database,
// the machine's name): a directory under the temp folder holding the owner's pid, taken in turn by the
// test files that run at once (and by test processes of other runs); one left by a dead process is
// taken over. Re-entrant within a process.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

/** How long a test waits for a lock before giving up. */
export const MACHINE_LOCK_WAIT_MS = 20 * 60_000

const depths = new Map<string, number>()

function lockDir(name: string): string {
  return path.join(tmpdir(), `apb-${name}-tests.lock`)
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

function alive(pid: number): boolean {
  try {
    // Signal 0 only asks whether the process exists.
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Takes the lock `name` (`apt`, `hostname`), waiting up to MACHINE_LOCK_WAIT_MS. */
export function acquireMachineLock(name: string): void {
  const depth = depths.get(name) ?? 0
  depths.set(name, depth + 1)
  if (depth > 0) return
  const dir = lockDir(name)
  const deadline = Date.now() + MACHINE_LOCK_WAIT_MS
  for (;;) {
    try {
      mkdirSync(dir, { mode: 0o700 })
      writeFileSync(path.join(dir, 'pid'), String(process.pid))
      return
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    let owner = 0
    try {
      owner = Number(readFileSync(path.join(dir, 'pid'), 'utf8'))
    } catch {
      // being created or removed right now
    }
    if (owner > 0 && !alive(owner)) rmSync(dir, { recursive: true, force: true })
    if (Date.now() > deadline) {
      depths.set(name, depth)
      throw new Error(`the ${name} test lock ${dir} is held by process ${owner} for 20 minutes`)
    }
    sleepSync(500)
  }
}

/** Releases acquireMachineLock's lock `name` (when every acquire of this process is released). */
export function releaseMachineLock(name: string): void {
  const depth = depths.get(name) ?? 0
  if (depth === 0) return
  depths.set(name, depth - 1)
  if (depth > 1) return
  rmSync(lockDir(name), { recursive: true, force: true })
}
