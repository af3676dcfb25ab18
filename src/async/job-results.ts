import {
  decodeOutput,
  formatDelta,
  formatTimestamp,
  splitLines
} from '../modules/command-runner.js'
import type { ModuleResult } from '../modules/module.js'
import { OUTPUT_CAP_BYTES } from './job-protocol.js'
import { startOf, type JobSnapshot } from './job-snapshot.js'

/** What the controller stores in a job's `.meta` file at launch, so any later run can describe the job. */
export interface JobMeta {
  cmd: unknown
  module: string
  task: string
}

/** Parses a job's meta text; tolerant, since the file lives on the target. */
export function parseMeta(text: string | undefined): Partial<JobMeta> {
  if (!text) return {}
  try {
    const value: unknown = JSON.parse(text)
    return value !== null && typeof value === 'object' ? (value as Partial<JobMeta>) : {}
  } catch {
    return {}
  }
}

/**
 * Decodes captured output; when the target kept more than the controller shows (more than the cap),
 * says so and where the rest is.
 */
function output(buffer: Buffer, start: number, size: number, file: string): string {
  const text = decodeOutput(buffer)
  if (start === 0 && buffer.length >= size) return text
  const where = `the full output is in ${file} on the target`
  if (start + buffer.length === size) {
    return `[output truncated: showing the last ${buffer.length} of ${size} bytes (cap ${OUTPUT_CAP_BYTES}); ${where}]\n${text}`
  }
  return `[output truncated: showing ${buffer.length} bytes from byte ${start} of ${size} (cap ${OUTPUT_CAP_BYTES}); ${where}]\n${text}`
}

/** Common fields of every async_status-style result. */
function base(snapshot: JobSnapshot, resultsFile: string): ModuleResult {
  const stdout = output(
    snapshot.stdout,
    startOf(snapshot, 'stdout'),
    snapshot.stdoutSize,
    `${resultsFile}.out`
  )
  const stderr = output(
    snapshot.stderr,
    startOf(snapshot, 'stderr'),
    snapshot.stderrSize,
    `${resultsFile}.err`
  )
  return {
    ansible_job_id: snapshot.jid,
    results_file: resultsFile,
    started: 1,
    stdout,
    stdout_lines: splitLines(stdout),
    stderr,
    stderr_lines: splitLines(stderr)
  }
}

/**
 * What async_status reports for a job, with Ansible's fields and messages. A job that ended without
 * a result (killed, host rebooted) and a corrupt record read as finished and failed, never as running.
 */
export function statusResult(snapshot: JobSnapshot, resultsFile: string): ModuleResult {
  const meta = parseMeta(snapshot.meta)
  const out = base(snapshot, resultsFile)
  switch (snapshot.state) {
    case 'missing':
      return { ...out, changed: false, failed: true, finished: 1, msg: 'could not find job' }
    case 'running':
      return { ...out, changed: false, finished: 0 }
    case 'finished': {
      const rc = snapshot.rc ?? -1
      const result: ModuleResult = {
        ...out,
        changed: true,
        cmd: meta.cmd,
        delta:
          snapshot.end !== undefined && snapshot.start !== undefined
            ? formatDelta((snapshot.end - snapshot.start) * 1000)
            : null,
        end: snapshot.end !== undefined ? formatTimestamp(new Date(snapshot.end * 1000)) : null,
        finished: 1,
        msg: '',
        rc,
        start:
          snapshot.start !== undefined ? formatTimestamp(new Date(snapshot.start * 1000)) : null
      }
      if (rc !== 0) {
        result['failed'] = true
        result['msg'] =
          rc > 128 && rc < 160
            ? `non-zero return code (killed by signal ${rc - 128})`
            : 'non-zero return code'
      } else {
        result['failed'] = false
      }
      return result
    }
    case 'timeout':
      return {
        ...out,
        changed: false,
        child_pid: snapshot.pid,
        cmd: meta.cmd,
        failed: true,
        finished: 1,
        msg: 'Timeout exceeded',
        timedout: true
      }
    case 'died':
    case 'rebooted':
      // Ended without a result: finished and failed, never running.
      return {
        ...out,
        changed: false,
        cmd: meta.cmd,
        died: true,
        failed: true,
        finished: 1,
        msg:
          snapshot.state === 'died'
            ? `the job died without recording a result: its supervisor is gone (killed with kill -9, by the OOM killer, or the job directory was removed). Output so far is in stdout/stderr.`
            : 'the host rebooted while the job was running (its boot id changed), so the job never finished'
      }
    case 'corrupt':
      return {
        ...out,
        changed: false,
        failed: true,
        finished: 1,
        msg: `Could not parse job output: ${snapshot.detail ?? 'the job record is damaged'}`
      }
  }
}
