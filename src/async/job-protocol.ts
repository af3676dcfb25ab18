/**
 * The remote job protocol's shared vocabulary: the caps on what the controller keeps, job ids and the
 * error for an answer that cannot be read. The protocol itself is in three files beside this one:
 * job-commands.ts builds the command lines that run `job-wrapper.sh` on a target and reads its one-line
 * answers, job-status-reader.ts reads the framed status answer as it streams in, and job-snapshot.ts
 * turns one job's frame into a JobSnapshot with its state. Pure: no I/O here; the controller
 * (async-jobs.ts) runs the commands.
 *
 * Every command is `/bin/sh -c <script> apb-job <mode> <args...>`, quoted by shellJoin, so it runs
 * the same under any POSIX login shell. The script (src/async/job-wrapper.sh) documents the files it
 * keeps in the async directory and the framing of its answers.
 */
import { randomInt } from 'node:crypto'
import { AsyncPlaybookError } from '../errors.js'

/**
 * Bytes of stdout (and, separately, of stderr) a status read returns per job. Longer output keeps
 * its tail; the full size is reported next to it so the controller can say what was left out.
 */
export const OUTPUT_CAP_BYTES = 1024 * 1024

/** Bytes of a job record the controller keeps (a real one is a few hundred). */
export const RECORD_CAP_BYTES = 64 * 1024

/**
 * Bytes of a job's meta document the controller keeps. It holds the task's command, which a target
 * received as one argument (Linux caps those at 128 KiB); a longer one is dropped, not cut.
 */
export const META_CAP_BYTES = 1024 * 1024

/** The wrapper answered something this protocol cannot read (truncated, garbled or an APB-ERROR). */
export class JobProtocolError extends AsyncPlaybookError {
  constructor(
    message: string,
    /** The tail of what the target printed, for the error report. */
    readonly output?: string
  ) {
    super(message)
  }
}

/** A fresh jid prefix: `j` and 18 random digits. The target appends `.<pid>` to make the jid. */
export function newJidPrefix(): string {
  const part = (): string => String(randomInt(0, 1_000_000_000)).padStart(9, '0')
  return `j${part()}${part()}`
}

/** True for a job id of the shape the wrapper makes (`j<digits>.<pid>`), the same shape as Ansible's. */
export function isValidJid(jid: string): boolean {
  return /^j\d{1,30}\.\d{1,10}$/.test(jid)
}

/** The last `max` characters of what a target printed, trimmed, for an error message. */
export function tail(text: string, max = 2000): string {
  const trimmed = text.trim()
  return trimmed.length > max ? `…${trimmed.slice(-max)}` : trimmed
}
