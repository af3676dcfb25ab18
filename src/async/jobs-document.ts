import { BECOME_METHODS, type BecomeIdentity } from '../connection/become.js'
import { OptionError } from '../errors.js'
import { JobRegistry, type KnownJob } from './job-registry.js'
import { isValidJid } from './job-protocol.js'

/** One entry of the results document's `jobs`: the launch record plus where and when it came from. */
export type JobEntry = Record<string, unknown>

/** `jobs` of the results document: per host, each job not gathered yet, keyed by register name or jid. */
export function jobsDocument(jobs: KnownJob[]): Record<string, Record<string, JobEntry>> {
  const out: Record<string, Record<string, JobEntry>> = {}
  for (const job of jobs) {
    const byHost = (out[job.host] ??= {})
    // The jobs of a loop's items share a register name: `name[0]`, `name[1]`… in launch order.
    let key = job.register ?? job.jid
    if (job.register && job.loop) {
      let index = 0
      while (`${job.register}[${index}]` in byHost) index++
      key = `${job.register}[${index}]`
    }
    byHost[key] = {
      ...job.launch,
      ...(job.loop ? { item: job.loop.item, loop_var: job.loop.loopVar } : {}),
      task: job.task,
      file: job.location?.file,
      line: job.location?.line,
      launched_at: new Date(job.launchedAt).toISOString(),
      async: job.asyncSeconds,
      dir: job.dir,
      // Who the job runs as: a later run (--jobs) reads its records as that user. Never the password.
      ...(job.become ? { become: { ...job.become } } : {})
    }
  }
  return out
}

/**
 * Reads a `jobs` document (or a whole results document) handed over by an earlier run, validating every
 * field that will reach a target.
 */
export function parseJobsDocument(text: string, source: string): JobRegistry {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    throw new OptionError(
      `${source}: the jobs document is not valid JSON (${(error as Error).message})`
    )
  }
  if (isRecord(data) && isRecord(data['jobs']) && 'plays' in data) data = data['jobs']
  if (!isRecord(data))
    throw new OptionError(
      `${source}: expected an object of hosts to jobs, as in the results document's "jobs"`
    )
  const registry = new JobRegistry()
  for (const [host, jobs] of Object.entries(data)) {
    if (!isRecord(jobs))
      throw new OptionError(
        `${source}: jobs of host '${host}' must be an object keyed by register name or job id`
      )
    for (const [key, entry] of Object.entries(jobs)) {
      const where = `${source}: job '${key}' on host '${host}'`
      if (!isRecord(entry)) throw new OptionError(`${where} must be an object`)
      const jid = entry['ansible_job_id']
      const dir = entry['dir']
      if (typeof jid !== 'string' || !isValidJid(jid))
        throw new OptionError(`${where}: 'ansible_job_id' must look like j123456789012.4567`)
      if (typeof dir !== 'string' || !dir.startsWith('/') || dir.includes('\0')) {
        throw new OptionError(
          `${where}: 'dir' must be the absolute job directory recorded at launch`
        )
      }
      const looped = /^([A-Za-z_][A-Za-z0-9_]*)\[\d+\]$/.exec(key)
      const register =
        looped?.[1] ?? (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) && key !== jid ? key : undefined)
      const loopVar = entry['loop_var']
      if (looped && (typeof loopVar !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(loopVar)))
        throw new OptionError(`${where}: 'loop_var' must name the loop variable of the loop item`)
      const launchedAt = Date.parse(String(entry['launched_at'] ?? ''))
      const become = parseBecome(entry['become'], where)
      registry.add({
        jid,
        host,
        dir,
        launch: {
          ansible_job_id: jid,
          changed: true,
          failed: 0,
          finished: 0,
          results_file: `${dir}/${jid}`,
          started: 1
        },
        register,
        ...(looped ? { loop: { loopVar: loopVar as string, item: entry['item'] } } : {}),
        task: typeof entry['task'] === 'string' ? entry['task'] : key,
        location:
          typeof entry['file'] === 'string' && typeof entry['line'] === 'number'
            ? { file: entry['file'], line: entry['line'] }
            : undefined,
        launchedAt: Number.isFinite(launchedAt) ? launchedAt : Date.now(),
        asyncSeconds: typeof entry['async'] === 'number' ? entry['async'] : 0,
        ...(become ? { become } : {}),
        handedOver: true,
        gathered: false
      })
    }
  }
  return registry
}

/** A job's `become` ({user, method[, exe, flags]}), validated: its values reach the target (quoted). */
function parseBecome(raw: unknown, where: string): BecomeIdentity | undefined {
  if (raw === undefined || raw === null) return undefined
  const bad = (what: string): never => {
    throw new OptionError(
      `${where}: 'become' ${what}; expected {"user": "root", "method": "sudo"} as the results document writes it`
    )
  }
  if (!isRecord(raw)) return bad('must be an object')
  const { user, method, exe, flags } = raw
  if (typeof user !== 'string' || user === '' || /[\0\n]/.test(user))
    bad("needs a 'user' (a user name)")
  if (typeof method !== 'string' || !(BECOME_METHODS as readonly string[]).includes(method))
    bad(`needs a 'method' (${BECOME_METHODS.join(' or ')})`)
  for (const [name, value] of [
    ['exe', exe],
    ['flags', flags]
  ] as const) {
    if (value !== undefined && (typeof value !== 'string' || value.includes('\0')))
      bad(`'${name}' must be a string`)
  }
  return {
    user: user as string,
    method: method as BecomeIdentity['method'],
    ...(typeof exe === 'string' ? { exe } : {}),
    ...(typeof flags === 'string' ? { flags } : {})
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}
