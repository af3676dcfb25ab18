import type { BecomeIdentity } from '../connection/become.js'
import { shellQuote } from '../connection/shell-quote.js'
import { ModuleArgumentError, type JobsAccess, type ModuleResult } from '../modules/module.js'
import type { AsyncJobs, JobHostAccess } from './async-jobs.js'
import { isValidJid } from './job-protocol.js'
import { statusResult } from './job-results.js'

/**
 * async_status's view of the run's jobs on one host. A job launched by this run (or handed over with
 * --jobs) is found in the directory recorded at launch, whatever HOME or the user is now, and is read as
 * the user it was launched as (its become user), whatever this task's become says: so Ansible's "could not
 * find job" for a job started with become and checked without cannot happen. Only an unknown jid falls back
 * to `ansible_async_dir`, resolved and read as this task's become user (`taskBecome`), as in Ansible.
 */
export function jobsAccess(
  jobs: AsyncJobs,
  access: JobHostAccess,
  asyncDir: () => string,
  taskBecome: () => BecomeIdentity | undefined = () => undefined
): JobsAccess {
  const locate = async (jid: string): Promise<{ dir: string; become?: BecomeIdentity }> => {
    if (!isValidJid(jid)) {
      throw new ModuleArgumentError(
        `invalid job id '${jid}': a job id looks like j123456789012.4567; it was not used`
      )
    }
    const known = jobs.registry.get(access.host, jid)
    if (known) return { dir: known.dir, become: known.become }
    const become = taskBecome()
    return { dir: await resolveDir(access, asyncDir(), become), become }
  }
  return {
    async status(jid: string, waitSeconds = 0): Promise<ModuleResult> {
      const { dir, become } = await locate(jid)
      const snapshot = await jobs.status(access, jid, dir, waitSeconds, become)
      const result = statusResult(snapshot, `${dir}/${jid}`)
      if (result['finished'] === 1) jobs.registry.markGathered(access.host, jid)
      return result
    },
    async resultsFile(jid: string): Promise<string> {
      const known = jobs.registry.get(access.host, jid)
      const dir = known ? known.dir : await resolveDir(access, asyncDir(), taskBecome())
      return `${dir}/${jid}`
    },
    async cleanup(jid: string): Promise<ModuleResult> {
      const { dir, become } = await locate(jid)
      const existed = await jobs.cleanup(access, jid, dir, become)
      const base = {
        ansible_job_id: jid,
        stdout: '',
        stderr: '',
        stdout_lines: [],
        stderr_lines: []
      }
      if (!existed)
        return {
          ...base,
          changed: false,
          failed: true,
          finished: 1,
          started: 1,
          msg: 'could not find job',
          erased: `${dir}/${jid}`
        }
      return { ...base, changed: false, erased: `${dir}/${jid}`, finished: 0, started: 0 }
    }
  }
}

/**
 * Turns `~/x` into an absolute path on the target (one round trip), in the HOME of `become`'s user (or
 * the login user's); absolute paths are used as they are.
 */
async function resolveDir(
  access: JobHostAccess,
  dir: string,
  become: BecomeIdentity | undefined
): Promise<string> {
  if (!dir.startsWith('~')) return dir.replace(/\/+$/, '') || '/'
  if (dir !== '~' && !dir.startsWith('~/')) {
    throw new ModuleArgumentError(
      `ansible_async_dir '${dir}': only '~' or '~/…' is expanded; use an absolute path`
    )
  }
  const connection = await access.connection(become)
  const res = await connection.run(`printf '%s' "$HOME"`, { timeoutMs: 30_000 })
  const home = res.stdout.toString('utf8')
  if (!home.startsWith('/'))
    throw new ModuleArgumentError(
      `cannot resolve ${shellQuote(dir)}: HOME is not set on the target`
    )
  return `${home.replace(/\/+$/, '')}${dir.slice(1)}`.replace(/\/+$/, '')
}
