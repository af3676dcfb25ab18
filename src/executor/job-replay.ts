import type { JobRegistry } from '../async/job-registry.js'
import type { VariableManager } from './variables.js'

/**
 * Replays jobs handed over from an earlier run (--jobs, the `jobs` input): their registered launch records
 * are back on their hosts before any task runs, a loop's as the loop result they were items of, so that
 * `async_status: jid={{ job.ansible_job_id }}` works as in the run that launched them.
 */
export function replayHandedOverJobs(
  registry: JobRegistry,
  variables: Pick<VariableManager, 'hostMemory'>
): void {
  for (const job of registry.allOutstanding()) {
    if (!job.register) continue
    // A delegated task's job lives on its delegate; what it registered is the host's it ran for.
    const memory = variables.hostMemory(job.delegatedFor ?? job.host)
    const registered = memory.registered
    memory.safe.delete(job.register)
    if (!job.loop) {
      registered[job.register] = job.launch
      continue
    }
    const item = {
      ...job.launch,
      [job.loop.loopVar]: job.loop.item,
      ansible_loop_var: job.loop.loopVar
    }
    const earlier = registered[job.register] as { results?: unknown } | undefined
    if (earlier && Array.isArray(earlier.results)) earlier.results.push(item)
    else
      registered[job.register] = {
        changed: true,
        msg: 'All items completed',
        results: [item],
        skipped: false
      }
  }
}
