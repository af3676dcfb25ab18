import { AsyncJobs, type JobHostAccess } from '../async/async-jobs.js'
import type { JobRegistry, KnownJob } from '../async/job-registry.js'
import { jobsAccess } from '../async/jobs-access.js'
import { statusResult } from '../async/job-results.js'
import { ConnectionError } from '../errors.js'
import type { ModuleResult } from '../modules/module.js'
import { HostConnections } from './host-connections.js'
import type { TaskInfo } from './events.js'
import { Stats } from './stats.js'
import { sleep } from './parallel.js'
import type { EngineOptions, RunSummary } from './playbook-runner.js'
import { VariableManager } from './variables.js'
import { pythonStr } from '../template/index.js'

/** Longest single long-poll; progress and cancellation are checked between them. */
const MAX_WAIT_SECONDS = 10

/**
 * Waits for every job handed over with --jobs (no playbook), up to `timeoutSeconds` for the whole wait,
 * and reports each one as a task result. Any job that failed, timed out, died or cannot be found fails
 * its host.
 */
export async function gatherJobs(
  registry: JobRegistry,
  options: EngineOptions & { timeoutSeconds: number }
): Promise<RunSummary> {
  const { events } = options
  const variables = new VariableManager(options.inventory, options.templar, options.extraVars)
  const connections = new HostConnections(
    options.connectionDefaults,
    options.openConnection,
    options.become
  )
  const jobs = new AsyncJobs(registry)
  const deadline = Date.now() + options.timeoutSeconds * 1000
  const stats = new Stats()
  const failed = new Set<string>()
  const unreachable = new Set<string>()
  const pending = registry.allOutstanding()
  const hosts = [...new Set(pending.map((j) => j.host))]
  const playContext = {
    playVars: {},
    playHosts: hosts,
    playBatch: hosts,
    playbookDir: options.inventory ? process.cwd() : ''
  }
  events.playStart('Gather background jobs', undefined)
  try {
    const keys = [...new Set(pending.map((j) => j.register ?? j.jid))]
    for (const key of keys) {
      const group = pending.filter((j) => (j.register ?? j.jid) === key)
      const info: TaskInfo = {
        name: `gather ${key}`,
        module: 'async_status',
        location: group[0]?.location,
        noLog: false
      }
      events.taskStart(info)
      // One result per host: the jobs of a looped launch (`name[0]`, `name[1]`… on one host) come back as
      // that host's loop result, item by item, as the registered `name.results` would hold them.
      // A delegated task's job is the result of the host it ran for (as its async_status registered
      // it there), read on the delegate where it runs.
      const byHost = new Map<string, KnownJob[]>()
      for (const job of group) {
        const owner = job.delegatedFor ?? job.host
        byHost.set(owner, [...(byHost.get(owner) ?? []), job])
      }
      await Promise.all(
        [...byHost].map(async ([host, hostJobs]) => {
          const started = Date.now()
          stats.enter(host)
          const gather = (job: KnownJob): Promise<ModuleResult> => {
            const scope = variables.scope(job.host, playContext)
            // A job launched under become is read as its become user, with the host's become password.
            const access = connections.jobAccess(job.host, () => scope)
            return waitForJob(
              job,
              jobs,
              access,
              deadline,
              () => connections.reset(job.host, scope),
              options.signal
            )
          }
          let result: ModuleResult
          try {
            result = isLoop(hostJobs)
              ? await gatherLoop(hostJobs, gather, (job, itemResult) =>
                  events.itemResult(info, {
                    host,
                    status: statusOf(itemResult),
                    ignored: false,
                    result: itemResult,
                    durationMs: Date.now() - started,
                    item: { label: pythonStr(job.loop?.item) }
                  })
                )
              : await gather(hostJobs[0]!)
          } catch (error) {
            if (error instanceof ConnectionError) {
              stats.increment(host, 'unreachable')
              unreachable.add(host)
              events.hostResult(info, {
                host,
                status: 'unreachable',
                ignored: false,
                result: { changed: false, unreachable: true, msg: error.message },
                durationMs: Date.now() - started
              })
              return
            }
            result = { changed: false, failed: true, msg: (error as Error).message }
          }
          const status = statusOf(result)
          if (status === 'failed') {
            stats.increment(host, 'failed')
            failed.add(host)
          } else stats.ok(host, status === 'changed')
          events.hostResult(info, {
            host,
            status,
            ignored: false,
            result,
            durationMs: Date.now() - started
          })
        })
      )
    }
  } finally {
    await connections.closeAll()
  }
  const recap = stats.summary()
  events.recap(recap)
  const exitCode = unreachable.size > 0 ? 4 : failed.size > 0 ? 2 : 0
  return {
    stats: recap,
    failedHosts: [...failed],
    unreachableHosts: [...unreachable],
    exitCode,
    jobs: registry.allOutstanding()
  }
}

function statusOf(result: ModuleResult): 'failed' | 'changed' | 'ok' {
  return result['failed'] ? 'failed' : result['changed'] ? 'changed' : 'ok'
}

/** Jobs launched by the items of one looped task (several, or one that remembers its item). */
function isLoop(jobs: KnownJob[]): boolean {
  return jobs.length > 1 || jobs[0]?.loop !== undefined
}

/**
 * Gathers the jobs of one looped launch on one host, each as an item (with its loop variable, as Ansible's
 * loop results carry it), and returns the loop's result: `results` in launch order, changed when any item
 * changed, failed (`One or more items failed`) when any failed. An unreachable host ends it (thrown).
 */
async function gatherLoop(
  jobs: KnownJob[],
  gather: (job: KnownJob) => Promise<ModuleResult>,
  onItem: (job: KnownJob, result: ModuleResult) => void
): Promise<ModuleResult> {
  const results = await Promise.all(
    jobs.map(async (job) => {
      let result: ModuleResult
      try {
        result = await gather(job)
      } catch (error) {
        if (error instanceof ConnectionError) throw error
        result = { changed: false, failed: true, msg: (error as Error).message }
      }
      if (job.loop) {
        result[job.loop.loopVar] = job.loop.item
        result['ansible_loop_var'] = job.loop.loopVar
      }
      onItem(job, result)
      return result
    })
  )
  const anyFailed = results.some((r) => r['failed'])
  return {
    changed: results.some((r) => r['changed'] === true),
    ...(anyFailed ? { failed: true } : {}),
    msg: anyFailed ? 'One or more items failed' : 'All items completed',
    results,
    skipped: false
  }
}

async function waitForJob(
  job: KnownJob,
  jobs: AsyncJobs,
  access: JobHostAccess,
  deadline: number,
  reset: () => Promise<void>,
  signal: AbortSignal | undefined
): Promise<ModuleResult> {
  let backoff = 500
  const view = jobsAccess(jobs, access, () => job.dir)
  for (;;) {
    const left = (deadline - Date.now()) / 1000
    try {
      if (left <= 0 || signal?.aborted) {
        const last = await view.status(job.jid)
        if (last['finished'] === 1) return last
        return {
          ...last,
          failed: true,
          msg: `the job was still running when the gathering timeout ran out (--timeout); gather it again later with the same jobs document`
        }
      }
      // Whole seconds: jobs checked together share the long-poll's queue, so a host's jobs take one
      // status round trip per check, not one each (2,000 handed-over jobs would otherwise be 2,000).
      const snapshot = await jobs.status(
        access,
        job.jid,
        job.dir,
        Math.min(MAX_WAIT_SECONDS, Math.max(1, Math.floor(left))),
        job.become
      )
      if (snapshot.state !== 'running') {
        jobs.registry.markGathered(job.host, job.jid)
        return statusResult(snapshot, `${job.dir}/${job.jid}`)
      }
      backoff = 500
    } catch (error) {
      if (!(error instanceof ConnectionError) || Date.now() >= deadline) throw error
      jobs.forget(job.host)
      await sleep(backoff, signal)
      backoff = Math.min(backoff * 2, 5000)
      await reset().catch(() => undefined)
    }
  }
}
