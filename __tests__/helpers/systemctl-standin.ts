/**
 * The systemd test bed for a machine where systemd is not PID 1: a stand-in `systemctl`
 * (systemctl-standin.sh, POSIX sh) that keeps units, links, masks and active states in files, with
 * systemctl 252's output, wording and exit codes, so that the `systemd` module's decisions can be tested
 * and compared with ansible-playbook's own systemd module run against the same stand-in.
 *
 * It is never installed where the machine looks for programs: it lives in a temporary directory that a
 * playbook puts first on PATH through `environment:` (both tools' modules then find it, also under sudo,
 * where `secure_path` resets PATH before the task's environment is applied), with
 * SYSTEMCTL_STANDIN_ROOT naming the state directory (one per run, so two tools running at once keep
 * apart). Called without SYSTEMCTL_STANDIN_ROOT it hands over to the real systemctl. Nothing makes
 * /run/systemd/system, so the service manager facts stay what the machine really runs; removed by
 * `remove()` (call it in a finally / afterAll).
 */
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'systemctl-standin.sh')

/** An installed stand-in. */
export interface SystemctlStandin {
  /** The directory holding `systemctl`. */
  binDir: string
  /** The directory state roots go under (root-owned writes happen under become). */
  stateBase: string
  /** A PATH with the stand-in first, then sudo's secure_path. */
  path: string
  /** Deletes the stand-in and every state under it. */
  remove(): void
}

/** sudo's secure_path on Debian, which the stand-in's PATH keeps after itself. */
const SECURE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

/** Installs the stand-in in a fresh temporary directory that every user may read and run. */
export function installSystemctlStandin(): SystemctlStandin {
  const dir = mkdtempSync(path.join(tmpdir(), 'apb-systemctl-'))
  chmodSync(dir, 0o755)
  const binDir = path.join(dir, 'bin')
  const stateBase = path.join(dir, 'state')
  mkdirSync(binDir, { mode: 0o755 })
  mkdirSync(stateBase, { mode: 0o755 })
  chmodSync(binDir, 0o755)
  chmodSync(stateBase, 0o755)
  copyFileSync(SCRIPT, path.join(binDir, 'systemctl'))
  chmodSync(path.join(binDir, 'systemctl'), 0o755)
  return {
    binDir,
    stateBase,
    path: `${binDir}:${SECURE_PATH}`,
    remove: () => rmSync(dir, { recursive: true, force: true })
  }
}
