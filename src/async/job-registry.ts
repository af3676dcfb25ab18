import type { BecomeIdentity } from '../connection/become.js'
import type { SourceLocation } from '../errors.js'

/** What the controller remembers about a background job it launched (or was handed by --jobs). */
export interface KnownJob {
  jid: string
  host: string
  /** Absolute job directory on the target, resolved at launch. */
  dir: string
  /** The launch record `register` holds (ansible_job_id, results_file, started, finished, …). */
  launch: Record<string, unknown>
  /** Name the launch was registered under, if any. */
  register?: string
  /**
   * For a job a delegated task launched: the host the task ran for (`host` is the delegate, where the job
   * lives). Its registered launch record belongs to this host.
   */
  delegatedFor?: string
  /**
   * Set for a job launched by one item of a loop: the loop variable's name and the item. `register` then
   * holds the loop's result, whose `results` list this job's launch record is one item of.
   */
  loop?: { loopVar: string; item: unknown }
  task: string
  location?: SourceLocation
  /** Epoch milliseconds of the launch. */
  launchedAt: number
  asyncSeconds: number
  /**
   * The become user (and method) the job was launched as: its records live in that user's async dir and
   * are readable by that user only, so every later check, cleanup or kill runs as the same user.
   */
  become?: BecomeIdentity
  /**
   * A handed-over job's `become` as its document recorded it, exe and flags included. Never used to run
   * anything: adoptHandedOverJobs compares it with this run's own settings for the host, and `become`
   * holds only the user and method until then.
   */
  documentBecome?: BecomeIdentity
  /** Handed over from an earlier run (--jobs / the `jobs` input), not launched by this one. */
  handedOver?: boolean
  /** True once a finished result was observed (gathered) or the job was cleaned up. */
  gathered: boolean
}

/** Every job of a run, by host and jid: how async_status finds a job's directory from its jid alone. */
export class JobRegistry {
  private readonly jobs = new Map<string, Map<string, KnownJob>>()

  add(job: KnownJob): void {
    let byHost = this.jobs.get(job.host)
    if (!byHost) {
      byHost = new Map()
      this.jobs.set(job.host, byHost)
    }
    byHost.set(job.jid, job)
  }

  get(host: string, jid: string): KnownJob | undefined {
    return this.jobs.get(host)?.get(jid)
  }

  /** Jobs on a host that nobody has gathered yet. */
  outstanding(host: string): KnownJob[] {
    return [...(this.jobs.get(host)?.values() ?? [])].filter((j) => !j.gathered)
  }

  markGathered(host: string, jid: string): void {
    const job = this.get(host, jid)
    if (job) job.gathered = true
  }

  /** All jobs not gathered yet, for the results document's `jobs`. */
  allOutstanding(): KnownJob[] {
    return [...this.jobs.values()].flatMap((m) => [...m.values()]).filter((j) => !j.gathered)
  }
}
