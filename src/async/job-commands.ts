/** The job-wrapper.sh command lines (launch, status, cleanup, kill) and their one-line answers. */
import { shellJoin } from '../connection/shell-quote.js'
import { JobProtocolError, OUTPUT_CAP_BYTES, isValidJid, tail } from './job-protocol.js'
import wrapperSource from './job-wrapper.sh'

/** Largest output offset a status request carries (15 digits: exact in the target's arithmetic). */
const MAX_OFFSET = 999_999_999_999_999

/** Longest async limit or long-poll wait we send (about 31 years): keeps the numbers plain decimals. */
const MAX_SECONDS = 1e9

/**
 * The script as sent: full-line comments, blank lines and indentation removed (the launch command
 * carries it twice). Safe because the script has no here-document or quoted string whose lines
 * start with blanks or `#`; the unit tests run this exact text.
 */
export const JOB_WRAPPER_SCRIPT: string = wrapperSource
  .split('\n')
  .map((line) => line.replace(/^[ \t]+/, ''))
  .filter((line) => line !== '' && !line.startsWith('#'))
  .join('\n')
  .concat('\n')

function wrapperCommand(mode: string, args: readonly string[]): string {
  return shellJoin(['/bin/sh', '-c', JOB_WRAPPER_SCRIPT, 'apb-job', mode, ...args])
}

function formatSeconds(value: number, what: string): string {
  if (!Number.isFinite(value) || value < 0 || value > MAX_SECONDS) {
    throw new JobProtocolError(
      `${what} must be a number of seconds from 0 to ${MAX_SECONDS}, got ${value}`
    )
  }
  return value.toFixed(3).replace(/\.?0+$/, '') || '0'
}

function requireJid(jid: string): void {
  if (!isValidJid(jid)) {
    throw new JobProtocolError(
      `refusing job id ${JSON.stringify(jid)}: a job id looks like j123456789.4242 (j, digits, a dot, a pid)`
    )
  }
}

/**
 * The command that starts a job in the background and returns at once (see parseLaunch).
 * `asyncSeconds` 0 means no time limit. `asyncDir` is used as the user gave it: the target expands a
 * leading `~`, creates it 0700 and answers with its absolute physical path.
 */
export function launchCommand(req: {
  jidPrefix: string
  asyncSeconds: number
  asyncDir: string
  meta: string
  command: string
}): string {
  if (!/^j\d{1,30}$/.test(req.jidPrefix)) {
    throw new JobProtocolError(
      `refusing job id prefix ${JSON.stringify(req.jidPrefix)}: expected j and digits`
    )
  }
  if (req.asyncDir === '' || req.asyncDir.includes('\n')) {
    throw new JobProtocolError(
      `the async directory (ansible_async_dir) must be a non-empty path without newlines, got ${JSON.stringify(req.asyncDir)}`
    )
  }
  return wrapperCommand('launch', [
    req.jidPrefix,
    formatSeconds(req.asyncSeconds, 'async'),
    req.asyncDir,
    req.meta,
    req.command,
    JOB_WRAPPER_SCRIPT
  ])
}

export type LaunchResponse = { ok: true; jid: string; dir: string } | { ok: false; message: string }

/** Lines of the output, without their newline; login-shell chatter around ours is skipped by callers. */
function linesOf(output: Buffer): string[] {
  return output.toString('utf8').split('\n')
}
/** Reads the launcher's answer: `APB-LAUNCHED <jid> <absolute-dir>` or `APB-ERROR <message>`. */
export function parseLaunch(result: {
  code: number | null
  stdout: Buffer
  stderr: Buffer
}): LaunchResponse {
  for (const line of linesOf(result.stdout)) {
    const launched = /^APB-LAUNCHED (\S+) (\/.*)$/.exec(line)
    if (launched && isValidJid(launched[1]!))
      return { ok: true, jid: launched[1]!, dir: launched[2]! }
    if (line.startsWith('APB-ERROR '))
      return { ok: false, message: line.slice('APB-ERROR '.length) }
  }
  const said = tail(result.stderr.toString('utf8')) || tail(result.stdout.toString('utf8'))
  const exit = result.code === null ? 'no exit status' : `exit code ${result.code}`
  return {
    ok: false,
    message: `the async job launcher gave no answer (${exit})${said ? `: ${said}` : ''}`
  }
}

/** Where a polled job's live output resumes: the first byte of each stream not yet shown. */
export interface StreamOffsets {
  stdout: number
  stderr: number
}

/**
 * The command that reports on jobs of one async directory in one round trip. With
 * `waitSeconds` > 0 the target first waits (long poll, checked every 0.1 s) until any of the jobs
 * is no longer running, or the wait ends. Output of each job is capped at `capBytes` per stream: the
 * bytes from its `from` offsets (while it runs; else from 0) to the size measured, the last `capBytes`
 * of them, each byte with its absolute offset (see JobSnapshot.stdoutStart).
 */
export function statusCommand(req: {
  dir: string
  jids: string[]
  waitSeconds: number
  capBytes?: number
  /** Per job: send only output from these offsets on while the job runs (a poller's progress). */
  from?: ReadonlyMap<string, StreamOffsets>
}): string {
  if (req.jids.length === 0)
    throw new JobProtocolError('a status request needs at least one job id')
  req.jids.forEach(requireJid)
  const cap = req.capBytes ?? OUTPUT_CAP_BYTES
  if (!Number.isSafeInteger(cap) || cap < 0) {
    throw new JobProtocolError(`capBytes must be a whole number of bytes, got ${cap}`)
  }
  const requests = req.jids.map((jid) => {
    const from = req.from?.get(jid)
    if (!from || (from.stdout === 0 && from.stderr === 0)) return jid
    for (const offset of [from.stdout, from.stderr]) {
      if (!Number.isSafeInteger(offset) || offset < 0 || offset > MAX_OFFSET) {
        throw new JobProtocolError(
          `an output offset must be a whole number of bytes, got ${offset}`
        )
      }
    }
    return `${jid}:${from.stdout}:${from.stderr}`
  })
  return wrapperCommand('status', [
    String(cap),
    formatSeconds(req.waitSeconds, 'the status wait'),
    req.dir,
    ...requests
  ])
}
/**
 * The command that removes a job's record, output and meta (Ansible's `mode: cleanup`). It does not
 * stop a running job, but a job cleaned up while running does not bring its record back.
 */
export function cleanupCommand(dir: string, jid: string): string {
  requireJid(jid)
  return wrapperCommand('cleanup', [dir, jid])
}

/** Reads `APB-ERASED <jid> <0|1>`: whether a record existed. */
export function parseCleanup(stdout: Buffer): { jid: string; existed: boolean } {
  return parseOneLine(stdout, 'APB-ERASED', 'cleanup', (jid, flag) => ({ jid, existed: flag }))
}

/**
 * The command that stops a running job: TERM to its process group, KILL 2 s later. Its supervisor
 * then records it as finished with rc 143 (or 137). Answers `APB-KILLED <jid> <was_running>`.
 */
export function killCommand(dir: string, jid: string): string {
  requireJid(jid)
  return wrapperCommand('kill', [dir, jid])
}

/** Reads `APB-KILLED <jid> <0|1>`: whether the job was running (and so was signalled). */
export function parseKill(stdout: Buffer): { jid: string; wasRunning: boolean } {
  return parseOneLine(stdout, 'APB-KILLED', 'kill', (jid, flag) => ({ jid, wasRunning: flag }))
}

function parseOneLine<T>(
  stdout: Buffer,
  tag: string,
  what: string,
  build: (jid: string, flag: boolean) => T
): T {
  for (const line of linesOf(stdout)) {
    const match = new RegExp(`^${tag} (\\S+) ([01])$`).exec(line)
    if (match && isValidJid(match[1]!)) return build(match[1]!, match[2] === '1')
    if (line.startsWith('APB-ERROR ')) throw new JobProtocolError(line.slice('APB-ERROR '.length))
  }
  throw new JobProtocolError(
    `the async job ${what} gave no ${tag} answer`,
    tail(stdout.toString('utf8'))
  )
}
