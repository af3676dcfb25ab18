import { becomeKey, type BecomeIdentity } from '../connection/become.js'
import type { Connection } from '../connection/connection.js'
import { ConnectionError } from '../errors.js'
import { ModuleArgumentError, type ModuleResult } from '../modules/module.js'
import { receivingEnvironment, type EnvironmentOnStdin } from '../modules/task-environment.js'
import {
  cleanupCommand,
  launchCommand,
  parseCleanup,
  parseLaunch,
  statusCommand,
  type StreamOffsets
} from './job-commands.js'
import { OUTPUT_CAP_BYTES, isValidJid, newJidPrefix } from './job-protocol.js'
import { startOf, type JobSnapshot } from './job-snapshot.js'
import { StatusReader } from './job-status-reader.js'
import type { JobRegistry, KnownJob } from './job-registry.js'
import type { JobMeta } from './job-results.js'

/** Ansible's default job directory. */
export const DEFAULT_ASYNC_DIR = '~/.ansible_async'
/** How long a "still running" answer may be reused for another job's check on the same host. */
const RUNNING_FRESH_MS = 200
/** Extra time a status round trip may take beyond its long-poll wait. */
const STATUS_DEADLINE_SLACK_MS = 30_000
/**
 * And per job it reports: the target reads each job's files with a few dozen short processes, which a
 * loaded machine starts slowly. Without it, 50 hosts checking 40 jobs each at once on 2 busy cores took
 * longer than the slack, were retried from scratch, and never finished.
 */
const STATUS_DEADLINE_PER_JOB_MS = 1_000
/**
 * What the connection itself keeps of a status answer's stdout and stderr (for error messages): the
 * answer is read as it streams, by a StatusReader that keeps only what the caps allow.
 */
const STATUS_KEPT_OUTPUT_BYTES = 64 * 1024

/** How to reach a host for job checks. */
export interface JobHostAccess {
  host: string
  /** The host's connection, running commands as `become` (undefined: as the login user). */
  connection(become?: BecomeIdentity): Promise<Connection>
}

interface StatusQueue {
  waitSeconds: number
  dir: string
  items: Pending[]
  access: JobHostAccess
  become?: BecomeIdentity
}

interface Pending {
  jid: string
  /** Output already seen by a poller: only what follows is sent while the job runs. */
  from?: StreamOffsets
  resolve(s: JobSnapshot): void
  reject(e: unknown): void
}

/**
 * Launches background jobs and reads their state. Checks on one host that arrive together go out as ONE
 * round trip, which also refreshes every other outstanding job of that host.
 */
export class AsyncJobs {
  private readonly cache = new Map<string, { at: number; snapshot: JobSnapshot }>()
  private readonly queues = new Map<string, StatusQueue>()
  /** Round trips made for status checks, per host (reported by the bench). */
  readonly statusRoundTrips = new Map<string, number>()
  /**
   * The most bytes one status answer made the controller keep, per host: bounded by the caps (jobs ×
   * (2 × OUTPUT_CAP_BYTES + record and meta caps)) whatever the target sends.
   */
  readonly statusPeakBytes = new Map<string, number>()

  constructor(readonly registry: JobRegistry) {}

  /** Starts a job on the target and returns Ansible's launch record. */
  async launch(
    access: JobHostAccess,
    request: {
      command: string
      /**
       * The task's environment, read from stdin by the launcher (never put on a command line); the
       * supervisor and the job inherit it and `command` applies it (EnvironmentOnStdin.apply).
       */
      environment?: Pick<EnvironmentOnStdin, 'receive' | 'stdin'>
      asyncSeconds: number
      /** When the target's watchdog kills the job (defaults to asyncSeconds). */
      watchdogSeconds?: number
      asyncDir: string
      meta: JobMeta
      register?: string
      /** For a delegated task: the host it ran for (`access` reaches the delegate). */
      delegatedFor?: string
      /** The loop item that launched the job, if the task has a loop. */
      loop?: KnownJob['loop']
      location?: KnownJob['location']
      /** Run the job as this user (become); its later checks then run as this user too. */
      become?: BecomeIdentity
    }
  ): Promise<ModuleResult> {
    const connection = await access.connection(request.become)
    const launch = launchCommand({
      jidPrefix: newJidPrefix(),
      asyncSeconds: request.watchdogSeconds ?? request.asyncSeconds,
      asyncDir: request.asyncDir,
      meta: JSON.stringify(request.meta),
      command: request.command
    })
    // The task's environment comes on the launcher's stdin, never in the job's arguments.
    const sent: { command: string; stdin?: Buffer } = request.environment
      ? receivingEnvironment(launch, request.environment)
      : { command: launch }
    const res = await connection.run(sent.command, { timeoutMs: 30_000, stdin: sent.stdin })
    const launched = parseLaunch(res)
    if (!launched.ok) throw new ModuleArgumentError(launched.message)
    const resultsFile = `${launched.dir}/${launched.jid}`
    const record: ModuleResult = {
      ansible_job_id: launched.jid,
      changed: true,
      failed: 0,
      finished: 0,
      results_file: resultsFile,
      started: 1
    }
    this.registry.add({
      jid: launched.jid,
      host: access.host,
      dir: launched.dir,
      launch: record,
      register: request.register,
      ...(request.delegatedFor === undefined ? {} : { delegatedFor: request.delegatedFor }),
      ...(request.loop ? { loop: request.loop } : {}),
      task: request.meta.task,
      location: request.location,
      launchedAt: Date.now(),
      asyncSeconds: request.asyncSeconds,
      ...(request.become ? { become: request.become } : {}),
      gathered: false
    })
    return record
  }

  /**
   * The job's current state. With `waitSeconds`, the target holds the answer until the job ends or the wait
   * is over (long poll), so completion is noticed within a fraction of a second. `become` is the user
   * the job was launched as (its KnownJob's), whose async dir `dir` is. `from` (a poller's progress)
   * asks for only the output after those offsets while the job runs; a job that is no longer running
   * always comes with its final tail.
   */
  async status(
    access: JobHostAccess,
    jid: string,
    dir: string,
    waitSeconds = 0,
    become?: BecomeIdentity,
    from?: StreamOffsets
  ): Promise<JobSnapshot> {
    if (!isValidJid(jid))
      throw new ModuleArgumentError(`invalid job id '${jid}': expected the form j<digits>.<digits>`)
    const key = `${access.host}\0${jid}`
    const cached = this.cache.get(key)
    if (
      cached &&
      (cached.snapshot.state !== 'running' ||
        (waitSeconds === 0 && Date.now() - cached.at < RUNNING_FRESH_MS))
    ) {
      return cached.snapshot
    }
    return new Promise<JobSnapshot>((resolve, reject) => {
      const queueKey = `${access.host}\0${dir}\0${waitSeconds}\0${becomeKey(become)}`
      let queue = this.queues.get(queueKey)
      if (!queue) {
        queue = { waitSeconds, dir, items: [], access, become }
        this.queues.set(queueKey, queue)
        setImmediate(() => {
          this.queues.delete(queueKey)
          void this.flush(queue!)
        })
      }
      queue.items.push({ jid, ...(from ? { from } : {}), resolve, reject })
    })
  }

  private async flush(queue: StatusQueue): Promise<void> {
    const host = queue.access.host
    const wanted = new Set(queue.items.map((i) => i.jid))
    // Refresh the host's other outstanding jobs in the same round trip (only the long-poll's own jobs wait).
    const extra =
      queue.waitSeconds === 0
        ? this.registry
            .outstanding(host)
            .filter(
              (j) =>
                j.dir === queue.dir &&
                becomeKey(j.become) === becomeKey(queue.become) &&
                !wanted.has(j.jid)
            )
            .map((j) => j.jid)
        : []
    // A job asked for twice (two checks at once) gets the output both still need.
    const from = new Map<string, StreamOffsets>()
    for (const item of queue.items) {
      const offsets = item.from ?? { stdout: 0, stderr: 0 }
      const known = from.get(item.jid)
      from.set(
        item.jid,
        known
          ? {
              stdout: Math.min(known.stdout, offsets.stdout),
              stderr: Math.min(known.stderr, offsets.stderr)
            }
          : offsets
      )
    }
    const jids = [...wanted, ...extra]
    try {
      const connection = await queue.access.connection(queue.become)
      this.statusRoundTrips.set(host, (this.statusRoundTrips.get(host) ?? 0) + 1)
      // The answer is read as it arrives, within the caps: the target caps each job's output
      // itself, but a hostile or broken one must not be able to make us hold more.
      const reader = new StatusReader({ maxJobs: jids.length })
      const res = await connection.run(
        statusCommand({ dir: queue.dir, jids, waitSeconds: queue.waitSeconds, from }),
        {
          timeoutMs:
            queue.waitSeconds * 1000 +
            STATUS_DEADLINE_SLACK_MS +
            jids.length * STATUS_DEADLINE_PER_JOB_MS,
          outputCapBytes: STATUS_KEPT_OUTPUT_BYTES,
          onStdout: (chunk) => reader.push(chunk)
        }
      )
      // A connection that does not stream hands over what it kept instead.
      if (reader.receivedBytes === 0 && res.stdout.length > 0) reader.push(res.stdout)
      this.statusPeakBytes.set(
        host,
        Math.max(this.statusPeakBytes.get(host) ?? 0, reader.peakRetainedBytes)
      )
      if (res.timedOut) throw new ConnectionError(`checking jobs on ${host} timed out`, host)
      if (res.code === null) {
        // The session ended without an exit status: sshd went away under us. Transient: poll again.
        throw new ConnectionError(`the connection to ${host} closed while checking jobs`, host)
      }
      let snapshots: JobSnapshot[]
      try {
        snapshots = reader.finish()
      } catch (error) {
        // A cut-off answer from a session that was killed (sshd restarting) is transient: poll again.
        // A refusal the target spelled out (APB-ERROR, which exits 1) is not.
        if (res.code !== 0 && !reader.targetRefused) {
          throw new ConnectionError(
            `the answer from ${host} was cut off while checking jobs (exit ${String(res.code ?? res.signal)})`,
            host
          )
        }
        throw error
      }
      const now = Date.now()
      for (const s of snapshots) {
        // Only a whole answer is reused: a poller's partial one would lack the output before its offset.
        if (isFinalTail(s)) this.cache.set(`${host}\0${s.jid}`, { at: now, snapshot: s })
      }
      for (const item of queue.items) {
        const snapshot = snapshots.find((s) => s.jid === item.jid)
        if (snapshot) item.resolve(snapshot)
        else
          item.reject(
            new ModuleArgumentError(
              `the target did not report job ${item.jid}: ${res.stderr.toString('utf8').trim()}`
            )
          )
      }
    } catch (error) {
      for (const item of queue.items) item.reject(error)
    }
  }

  /** Deletes a job's files on the target (does not stop it, as in Ansible), as the user it ran as. */
  async cleanup(
    access: JobHostAccess,
    jid: string,
    dir: string,
    become?: BecomeIdentity
  ): Promise<boolean> {
    if (!isValidJid(jid))
      throw new ModuleArgumentError(`invalid job id '${jid}': expected the form j<digits>.<digits>`)
    const connection = await access.connection(become)
    const res = await connection.run(cleanupCommand(dir, jid), { timeoutMs: 30_000 })
    this.cache.delete(`${access.host}\0${jid}`)
    this.registry.markGathered(access.host, jid)
    return parseCleanup(res.stdout).existed
  }

  /** Forgets cached answers for a host (after a reconnect). */
  forget(host: string): void {
    for (const key of [...this.cache.keys()])
      if (key.startsWith(`${host}\0`)) this.cache.delete(key)
  }
}

/** True when a snapshot holds each stream's whole tail (the last OUTPUT_CAP_BYTES at most). */
function isFinalTail(snapshot: JobSnapshot): boolean {
  return (['stdout', 'stderr'] as const).every((stream) => {
    const size = stream === 'stdout' ? snapshot.stdoutSize : snapshot.stderrSize
    const start = startOf(snapshot, stream)
    return start <= Math.max(0, size - OUTPUT_CAP_BYTES) && start + snapshot[stream].length === size
  })
}
