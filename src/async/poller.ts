import type { BecomeIdentity } from '../connection/become.js'
import { ConnectionError } from '../errors.js'
import type { ModuleResult } from '../modules/module.js'
import type { AsyncJobs, JobHostAccess } from './async-jobs.js'
import { OUTPUT_CAP_BYTES } from './job-protocol.js'
import { startOf, type JobSnapshot } from './job-snapshot.js'
import { statusResult } from './job-results.js'

/** Time after the async limit for the target's watchdog to TERM, KILL and record the timeout. */
const WATCHDOG_GRACE_MS = 3_500
const FIRST_BACKOFF_MS = 500
const MAX_BACKOFF_MS = 5_000

/** What polling one job needs. */
export interface PollRequest {
  access: JobHostAccess
  jobs: AsyncJobs
  /** Replaces a dropped connection; rejects while the host is unreachable. */
  reconnect(): Promise<unknown>
  launch: ModuleResult
  dir: string
  /** The user the job runs as (become), whose async dir `dir` is. */
  become?: BecomeIdentity
  asyncSeconds: number
  pollSeconds: number
  launchedAt: number
  /**
   * New lines of the job's output, as they appear: each once, whole and in order (a last line without
   * a newline when the job ends).
   */
  onOutput(stream: 'stdout' | 'stderr', line: string): void
  /** Ansible's ASYNC POLL / ASYNC OK / ASYNC FAILED lines. */
  onNotice(line: string): void
  sleep(ms: number): Promise<void>
  aborted(): boolean
}

/**
 * Waits for a `poll > 0` job as Ansible does (same budget, same result), but holds each check open on the
 * target so completion is seen at once, streams new output lines, and rides out dropped connections.
 */
export async function pollJob(req: PollRequest): Promise<ModuleResult> {
  const jid = String(req.launch['ansible_job_id'])
  const resultsFile = String(req.launch['results_file'])
  const hardEnd = req.launchedAt + req.asyncSeconds * 1000 + WATCHDOG_GRACE_MS
  const cursors = { stdout: newCursor(), stderr: newCursor() }
  let snapshot: JobSnapshot | undefined
  let lastError: unknown
  let backoff = FIRST_BACKOFF_MS
  while (!req.aborted()) {
    const left = hardEnd - Date.now()
    if (left <= 0) break
    const wait = Math.min(req.pollSeconds, left / 1000)
    try {
      // Only the output not shown yet comes back while the job runs.
      snapshot = await req.jobs.status(req.access, jid, req.dir, wait, req.become, {
        stdout: cursors.stdout.offset,
        stderr: cursors.stderr.offset
      })
      backoff = FIRST_BACKOFF_MS
      lastError = undefined
    } catch (error) {
      if (!(error instanceof ConnectionError)) throw error
      // The job runs on without us: reconnect with backoff while the budget lasts.
      lastError = error
      req.jobs.forget(req.access.host)
      await req.sleep(Math.min(backoff, Math.max(0, hardEnd - Date.now())))
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS)
      await req.reconnect().catch((e: unknown) => (lastError = e))
      continue
    }
    streamNew(snapshot, cursors, req.onOutput)
    if (snapshot.state !== 'running') break
    req.onNotice(`ASYNC POLL on ${req.access.host}: jid=${jid} started=1 finished=0`)
  }
  if (!snapshot || snapshot.state === 'running' || snapshot.state === 'timeout') {
    req.onNotice(`ASYNC FAILED on ${req.access.host}: jid=${jid}`)
    if (!snapshot && lastError) {
      return {
        changed: false,
        failed: true,
        msg: `could not check job ${jid}: ${(lastError as Error).message}`
      }
    }
    return {
      changed: false,
      failed: true,
      msg: `async task did not complete within the requested time - ${req.asyncSeconds}s`,
      ...(snapshot ? { async_result: statusResult(snapshot, resultsFile) } : {})
    }
  }
  const result = statusResult(snapshot, resultsFile)
  req.onNotice(
    `${result['failed'] ? 'ASYNC FAILED' : 'ASYNC OK'} on ${req.access.host}: jid=${jid}`
  )
  // As Ansible: a polled job's files are removed once its result is in.
  await req.jobs.cleanup(req.access, jid, req.dir, req.become).catch(() => undefined)
  return result
}

/** How far one stream has been shown. */
interface Cursor {
  /** Offset in the job's stream of the first byte not shown yet. */
  offset: number
}

function newCursor(): Cursor {
  return { offset: 0 }
}

/**
 * Shows the complete lines a snapshot adds after each cursor, and moves the cursor past them. Every
 * byte comes with its offset in the job's stream (the target sends the window [start, size) of a file
 * that only grows), so nothing is shown twice or skipped, and a partial last line waits for its
 * newline, or for the end of the job.
 */
function streamNew(
  snapshot: JobSnapshot,
  cursors: { stdout: Cursor; stderr: Cursor },
  onOutput: PollRequest['onOutput']
): void {
  const final = snapshot.state !== 'running'
  for (const stream of ['stdout', 'stderr'] as const) {
    const cursor = cursors[stream]
    const bytes = snapshot[stream]
    const start = startOf(snapshot, stream)
    if (start > cursor.offset) {
      // More than the cap arrived between two checks: the bytes in between are only on the target
      // (and the line shown next may lack its beginning).
      onOutput(
        stream,
        `[… ${start - cursor.offset} bytes of output not shown: more than ${OUTPUT_CAP_BYTES} arrived between two checks …]`
      )
      cursor.offset = start
    }
    const fresh = bytes.subarray(Math.max(0, cursor.offset - start))
    if (fresh.length === 0) continue
    let upto = final ? fresh.length : fresh.lastIndexOf(0x0a) + 1
    // A line longer than the cap cannot wait for its end: show it in pieces.
    if (upto === 0 && fresh.length >= OUTPUT_CAP_BYTES) upto = fresh.length
    if (upto === 0) continue
    const text = fresh.subarray(0, upto).toString('utf8').replace(/\n$/, '')
    for (const line of text.split('\n')) onOutput(stream, line)
    cursor.offset += upto
  }
}
