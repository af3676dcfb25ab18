/**
 * The remote job protocol: builds the command lines that run `job-wrapper.sh` on a target and parses
 * what it prints. Pure: no I/O here; the controller (async-runner) runs the commands.
 *
 * Every command is `/bin/sh -c <script> apb-job <mode> <args...>`, quoted by shellJoin, so it runs
 * the same under any POSIX login shell. The script (src/async/job-wrapper.sh) documents the files it
 * keeps in the async directory and the framing of its answers.
 */
import { randomInt } from 'node:crypto'
import { AsyncPlaybookError } from '../errors.js'
import { shellJoin } from '../connection/shell-quote.js'
import wrapperSource from './job-wrapper.sh'

/**
 * Bytes of stdout (and, separately, of stderr) a status read returns per job. Longer output keeps
 * its tail; the full size is reported next to it so the controller can say what was left out.
 */
export const OUTPUT_CAP_BYTES = 1024 * 1024

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

function tail(text: string, max = 2000): string {
  const trimmed = text.trim()
  return trimmed.length > max ? `…${trimmed.slice(-max)}` : trimmed
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

/**
 * The command that reports on jobs of one async directory in one round trip. With
 * `waitSeconds` > 0 the target first waits (long poll, checked every 0.1 s) until any of the jobs
 * is no longer running, or the wait ends. Output of each job is capped at `capBytes` per stream.
 */
export function statusCommand(req: {
  dir: string
  jids: string[]
  waitSeconds: number
  capBytes?: number
}): string {
  if (req.jids.length === 0)
    throw new JobProtocolError('a status request needs at least one job id')
  req.jids.forEach(requireJid)
  const cap = req.capBytes ?? OUTPUT_CAP_BYTES
  if (!Number.isSafeInteger(cap) || cap < 0) {
    throw new JobProtocolError(`capBytes must be a whole number of bytes, got ${cap}`)
  }
  return wrapperCommand('status', [
    String(cap),
    formatSeconds(req.waitSeconds, 'the status wait'),
    req.dir,
    ...req.jids
  ])
}

export type JobState =
  'running' | 'finished' | 'timeout' | 'died' | 'rebooted' | 'corrupt' | 'missing'

export interface JobSnapshot {
  jid: string
  state: JobState
  /** Exit status (128 + signal when the job was killed by one); finished and timeout only. */
  rc?: number
  pid?: number
  /** Epoch seconds (fractional where the target's `date` has %N). */
  start?: number
  end?: number
  /** The async limit the job runs under; absent when it has none. */
  timeoutSeconds?: number
  /** The last min(size, cap) bytes of the job's stdout so far. */
  stdout: Buffer
  /** The full size of the job's stdout so far. */
  stdoutSize: number
  stderr: Buffer
  stderrSize: number
  /** The controller's meta document written at launch, as stored. */
  meta?: string
  /** Why the state is died, rebooted, corrupt or missing. */
  detail?: string
}

interface ParsedRecord {
  fields: Map<string, string>
  problem?: string
}

const RECORD_STATES = new Set(['running', 'finished', 'timeout'])

function parseRecord(bytes: Buffer): ParsedRecord {
  const fields = new Map<string, string>()
  const text = bytes.toString('utf8')
  if (text === '') return { fields, problem: 'the job record is empty' }
  if (!text.endsWith('\n'))
    return { fields, problem: 'the job record is truncated (no final newline)' }
  for (const line of text.slice(0, -1).split('\n')) {
    const match = /^([a-z_]+)=(.*)$/.exec(line)
    if (!match)
      return {
        fields,
        problem: `the job record has an unreadable line: ${JSON.stringify(line.slice(0, 80))}`
      }
    if (!fields.has(match[1]!)) fields.set(match[1]!, match[2]!)
  }
  const state = fields.get('state')
  if (state === undefined) return { fields, problem: 'the job record has no state' }
  if (!RECORD_STATES.has(state))
    return { fields, problem: `the job record has an unknown state ${JSON.stringify(state)}` }
  if (!/^\d+$/.test(fields.get('pid') ?? ''))
    return { fields, problem: 'the job record has no valid pid' }
  if (state !== 'running' && !/^\d+$/.test(fields.get('rc') ?? '')) {
    return { fields, problem: `the job record says ${state} but has no valid rc` }
  }
  return { fields }
}

function numberField(fields: Map<string, string>, key: string): number | undefined {
  const raw = fields.get(key)
  if (raw === undefined || !/^\d+(\.\d+)?$/.test(raw)) return undefined
  return Number(raw)
}

/** Reads `n` bytes at `offset`, or throws: a short frame means the answer was cut off. */
function take(stdout: Buffer, offset: number, n: number, what: string): Buffer {
  if (offset + n > stdout.length) {
    throw new JobProtocolError(
      `the job status answer was cut off inside ${what} (wanted ${n} bytes at offset ${offset}, have ${stdout.length - offset})`
    )
  }
  return stdout.subarray(offset, offset + n)
}

/** Where the first frame starts: login-shell chatter (motd, rc-file echoes) may come before it. */
function firstFrame(stdout: Buffer): number {
  if (stdout.subarray(0, 4).toString('latin1') === 'APB-') return 0
  const at = stdout.indexOf('\nAPB-')
  return at < 0 ? -1 : at + 1
}

/**
 * Decodes a status answer into one snapshot per requested job, in request order, and decides each
 * job's state: no record → missing; a record that cannot be read → corrupt; a running record from
 * an earlier boot → rebooted; a running record whose supervisor is gone → died; else the record's.
 * @throws JobProtocolError when the framing is broken or the target answered APB-ERROR
 */
export function parseStatus(stdout: Buffer): JobSnapshot[] {
  const snapshots: JobSnapshot[] = []
  let offset = firstFrame(stdout)
  if (offset < 0) {
    throw new JobProtocolError(
      'the job status answer has no APB-JOB frame',
      tail(stdout.toString('utf8'))
    )
  }
  for (;;) {
    const eol = stdout.indexOf(0x0a, offset)
    if (eol < 0) throw new JobProtocolError('the job status answer was cut off (no APB-END line)')
    const header = stdout.subarray(offset, eol).toString('utf8')
    offset = eol + 1
    const parts = header.split(' ')
    const kind = parts[0]
    if (kind === 'APB-ERROR') throw new JobProtocolError(header.slice('APB-ERROR '.length))
    if (kind === 'APB-END') {
      if (parts[1] !== String(snapshots.length)) {
        throw new JobProtocolError(
          `the job status answer ends after ${parts[1]} jobs but has ${snapshots.length}`
        )
      }
      return snapshots
    }
    if (kind === 'APB-REFUSED' && parts.length === 2 && /^\d+$/.test(parts[1]!)) {
      const jid = take(stdout, offset, Number(parts[1]), 'a refused job id').toString('utf8')
      offset += Number(parts[1])
      snapshots.push({
        jid,
        state: 'missing',
        stdout: Buffer.alloc(0),
        stdoutSize: 0,
        stderr: Buffer.alloc(0),
        stderrSize: 0,
        detail: 'the target refused this job id: not of the form j<digits>.<digits>'
      })
      continue
    }
    const numbers = parts.slice(5).map(Number)
    if (
      kind !== 'APB-JOB' ||
      parts.length !== 11 ||
      !isValidJid(parts[1]!) ||
      !/^[01]$/.test(parts[2]!) ||
      !/^[01]$/.test(parts[3]!) ||
      !parts.slice(5).every((p) => /^\d+$/.test(p))
    ) {
      throw new JobProtocolError(
        `the job status answer has a malformed frame header: ${JSON.stringify(header.slice(0, 200))}`
      )
    }
    const jid = parts[1]!
    const [recLen, outLen, outSize, errLen, errSize, metaLen] = numbers as [
      number,
      number,
      number,
      number,
      number,
      number
    ]
    const record = take(stdout, offset, recLen, `the record of ${jid}`)
    offset += recLen
    const out = take(stdout, offset, outLen, `the stdout of ${jid}`)
    offset += outLen
    const err = take(stdout, offset, errLen, `the stderr of ${jid}`)
    offset += errLen
    const meta = take(stdout, offset, metaLen, `the meta of ${jid}`)
    offset += metaLen
    snapshots.push(
      snapshotOf({
        jid,
        exists: parts[2] === '1',
        supervisorAlive: parts[3] === '1',
        bootNow: parts[4] === '-' ? '' : parts[4]!,
        record,
        stdout: out,
        stdoutSize: outSize,
        stderr: err,
        stderrSize: errSize,
        meta
      })
    )
  }
}

function snapshotOf(frame: {
  jid: string
  exists: boolean
  supervisorAlive: boolean
  bootNow: string
  record: Buffer
  stdout: Buffer
  stdoutSize: number
  stderr: Buffer
  stderrSize: number
  meta: Buffer
}): JobSnapshot {
  const base: JobSnapshot = {
    jid: frame.jid,
    state: 'missing',
    stdout: frame.stdout,
    stdoutSize: frame.stdoutSize,
    stderr: frame.stderr,
    stderrSize: frame.stderrSize,
    ...(frame.meta.length > 0 ? { meta: frame.meta.toString('utf8') } : {})
  }
  if (!frame.exists) return { ...base, detail: `there is no job record for ${frame.jid}` }
  const { fields, problem } = parseRecord(frame.record)
  if (problem) return { ...base, state: 'corrupt', detail: problem }
  const state = fields.get('state') as 'running' | 'finished' | 'timeout'
  const timeout = numberField(fields, 'timeout')
  const snapshot: JobSnapshot = {
    ...base,
    state,
    pid: Number(fields.get('pid')),
    ...(fields.has('rc') && state !== 'running' ? { rc: Number(fields.get('rc')) } : {}),
    ...optional('start', numberField(fields, 'start')),
    ...optional('end', numberField(fields, 'end')),
    ...(timeout ? { timeoutSeconds: timeout } : {})
  }
  if (state !== 'running') return snapshot
  const bootThen = fields.get('boot_id') ?? ''
  if (bootThen !== '' && frame.bootNow !== '' && bootThen !== frame.bootNow) {
    return {
      ...snapshot,
      state: 'rebooted',
      detail: `the host rebooted while the job ran (boot id ${bootThen}, now ${frame.bootNow})`
    }
  }
  if (!frame.supervisorAlive) {
    return {
      ...snapshot,
      state: 'died',
      detail: `the job's supervisor (pid ${fields.get('supervisor') || '?'}) is gone but its record still says running: it was killed (OOM killer, kill -9) before the job ended`
    }
  }
  return snapshot
}

function optional<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>)
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
