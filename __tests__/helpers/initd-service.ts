/**
 * The sysvinit test bed: a real LSB init script (initd-service.sh: a sleep-loop daemon with a pid file,
 * start/stop/restart/force-reload/reload/status, every call logged to /run/<name>.log) installed as
 * /etc/init.d/<name>, for the `service` module's tests. Names start with `apb-test-`; the differential
 * fixture installs its own copy through the playbook, and `removeInitService` clears whatever a run
 * left (daemon, script, rc?.d links, pid and log files) in the tests' finally blocks.
 */
import { spawnSync } from 'node:child_process'
import { chmodSync, copyFileSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** The init script's source. */
export const INITD_SCRIPT = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'initd-service.sh'
)

/** Installs the script as /etc/init.d/`name` (needs root). */
export function installInitService(name: string): void {
  assertTestName(name)
  const target = `/etc/init.d/${name}`
  copyFileSync(INITD_SCRIPT, target)
  chmodSync(target, 0o755)
}

/**
 * Stops the daemon of /etc/init.d/`name` if it runs (TERM to the pid in its pid file, checked alive
 * and being that daemon first), then removes the script, its rc?.d links and its files. Root only;
 * quiet when there is nothing to remove.
 */
export function removeInitService(name: string): void {
  assertTestName(name)
  if (process.getuid?.() !== 0) return
  const pidFile = `/run/${name}.pid`
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').trim())
    if (Number.isInteger(pid) && pid > 1 && isDaemonOf(pid, name)) {
      try {
        process.kill(pid, 'SIGTERM')
      } catch {
        // Gone between the check and the signal.
      }
    }
  }
  spawnSync('update-rc.d', ['-f', name, 'remove'], { stdio: 'ignore' })
  for (const dir of ['rc0.d', 'rc1.d', 'rc2.d', 'rc3.d', 'rc4.d', 'rc5.d', 'rc6.d', 'rcS.d']) {
    const full = path.join('/etc', dir)
    if (!existsSync(full)) continue
    for (const entry of readdirSync(full)) {
      if (/^[SK]\d\d/.test(entry) && entry.slice(3) === name) rmSync(path.join(full, entry))
    }
  }
  for (const file of [`/etc/init.d/${name}`, pidFile, `/run/${name}.log`]) {
    rmSync(file, { force: true })
  }
}

/** Whether process `pid` is the daemon the script started for `name` (its $0 is `<name>-daemon`). */
function isDaemonOf(pid: number, name: string): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
    return argv.includes(`${name}-daemon`)
  } catch {
    return false
  }
}

function assertTestName(name: string): void {
  if (!/^apb-test-[A-Za-z0-9-]+$/.test(name)) {
    throw new Error(`not a test service name: ${JSON.stringify(name)} (apb-test-…)`)
  }
}
