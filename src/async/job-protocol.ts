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

/** Bytes of a job record the controller keeps (a real one is a few hundred). */
export const RECORD_CAP_BYTES = 64 * 1024

/**
 * Bytes of a job's meta document the controller keeps. It holds the task's command, which a target
 * received as one argument (Linux caps those at 128 KiB); a longer one is dropped, not cut.
 */
export const META_CAP_BYTES = 1024 * 1024

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
  /**
   * Bytes of the job's stdout: those from `stdoutStart` on, up to `stdoutSize` unless the target sent
   * more than the cap (then the first OUTPUT_CAP_BYTES of them). A final answer holds the last
   * min(size, cap) bytes.
   */
  stdout: Buffer
  /** The offset in the job's stdout of `stdout[0]`; absent means `stdoutSize - stdout.length`. */
  stdoutStart?: number
  /** The full size of the job's stdout so far. */
  stdoutSize: number
  stderr: Buffer
  stderrStart?: number
  stderrSize: number
  /** The controller's meta document written at launch, as stored. */
  meta?: string
  /** Why the state is died, rebooted, corrupt or missing. */
  detail?: string
}

/** The offset in the job's stream of the first byte a snapshot holds. */
export function startOf(snapshot: JobSnapshot, stream: 'stdout' | 'stderr'): number {
  const start = stream === 'stdout' ? snapshot.stdoutStart : snapshot.stderrStart
  const size = stream === 'stdout' ? snapshot.stdoutSize : snapshot.stderrSize
  return start ?? Math.max(0, size - snapshot[stream].length)
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

/** Limits on what one status answer may make the controller keep, whatever the target sends. */
export interface StatusLimits {
  /** Bytes kept of each output stream per job (an announced length beyond it is read and dropped). */
  streamCapBytes: number
  /** Bytes kept of a job record (a real one is a few hundred). */
  recordCapBytes: number
  /** Bytes kept of a job's meta document. */
  metaCapBytes: number
  /** How many jobs the answer may describe (the number asked for); beyond it, a protocol error. */
  maxJobs: number
}

export const DEFAULT_STATUS_LIMITS: StatusLimits = {
  streamCapBytes: OUTPUT_CAP_BYTES,
  recordCapBytes: RECORD_CAP_BYTES,
  metaCapBytes: META_CAP_BYTES,
  maxJobs: Number.POSITIVE_INFINITY
}

/** A frame header line longer than this is garbage (a real one is under 200 bytes). */
const HEADER_CAP_BYTES = 4096
/** Bytes of text before the first frame (login-shell chatter) kept for error messages. */
const CHATTER_TAIL_BYTES = 2000
/** Bytes kept of a refused job id and of an untrusted-job explanation. */
const SMALL_FIELD_CAP_BYTES = 4096

/** One length-prefixed field of a frame being read: keeps up to `cap` bytes, drops the rest. */
interface Field {
  what: string
  length: number
  cap: number
  chunks: Buffer[]
  kept: number
  seen: number
}

type FrameKind =
  | {
      kind: 'job'
      jid: string
      exists: boolean
      alive: boolean
      bootNow: string
      outSize: number
      errSize: number
      outStart: number
      errStart: number
      /** The header gave the offsets (current form); the first form implies the stream tails. */
      offsets: boolean
    }
  | { kind: 'refused' }
  | { kind: 'untrusted'; jid: string }

/**
 * Reads a status answer as it streams in, keeping at most the limits' bytes per field and per job,
 * so a target that announces or sends gigabytes costs the controller no more than its caps: an
 * announced length beyond a cap is read to the cap and the rest dropped as it arrives (the snapshot
 * then shows less than the size, which the result reports as truncated).
 */
export class StatusReader {
  private readonly limits: StatusLimits
  private readonly snapshots: JobSnapshot[] = []
  /** Bytes of the current line (before the first frame, or a frame header). */
  private line: Buffer[] = []
  private lineBytes = 0
  /** A chatter line too long to keep: skipped up to its newline. */
  private skippingLine = false
  private framing = false
  private frame: FrameKind | undefined
  private fields: Field[] = []
  private fieldIndex = 0
  private chatter = Buffer.alloc(0)
  private ended = false
  private error: JobProtocolError | undefined
  private received = 0
  private retained = 0
  /** The target answered APB-ERROR: a refusal (an untrusted directory...), not a cut-off answer. */
  targetRefused = false
  /** The most bytes this reader held at once (kept fields, headers and the chatter tail). */
  peakRetainedBytes = 0

  constructor(limits: Partial<StatusLimits> = {}) {
    this.limits = { ...DEFAULT_STATUS_LIMITS, ...limits }
  }

  /** Bytes received so far, kept or not. */
  get receivedBytes(): number {
    return this.received
  }

  /** Bytes held now. */
  get retainedBytes(): number {
    return this.retained
  }

  /** Feeds the next bytes of the answer. Never throws: a problem is reported by finish(). */
  push(chunk: Buffer): void {
    this.received += chunk.length
    if (this.ended || this.error) return
    try {
      let at = 0
      while (at < chunk.length && !this.ended && !this.error) {
        at = this.frame ? this.readField(chunk, at) : this.readLine(chunk, at)
      }
    } catch (error) {
      this.error =
        error instanceof JobProtocolError
          ? error
          : new JobProtocolError(`the job status answer could not be read: ${String(error)}`)
    }
  }

  /**
   * The snapshots, one per job in answer order.
   * @throws JobProtocolError when the answer was cut off, garbled, over the limits, or an APB-ERROR
   */
  finish(): JobSnapshot[] {
    if (this.error) throw this.error
    if (this.ended) return this.snapshots
    if (!this.framing) {
      throw new JobProtocolError(
        'the job status answer has no APB-JOB frame',
        tail(Buffer.concat([this.chatter, ...this.line]).toString('utf8'))
      )
    }
    const field = this.frame ? this.fields[this.fieldIndex] : undefined
    if (field) {
      throw new JobProtocolError(
        `the job status answer was cut off inside ${field.what} (announced ${field.length} bytes, got ${field.seen})`
      )
    }
    throw new JobProtocolError('the job status answer was cut off (no APB-END line)')
  }

  private hold(bytes: number): void {
    this.retained += bytes
    if (this.retained > this.peakRetainedBytes) this.peakRetainedBytes = this.retained
  }

  /** Reads up to a newline: chatter before the first frame, or a frame header. */
  private readLine(chunk: Buffer, at: number): number {
    const eol = chunk.indexOf(0x0a, at)
    const end = eol < 0 ? chunk.length : eol
    if (this.skippingLine) {
      if (eol >= 0) this.skippingLine = false
      return eol < 0 ? chunk.length : eol + 1
    }
    const room = HEADER_CAP_BYTES - this.lineBytes
    const piece = chunk.subarray(at, Math.min(end, at + Math.max(0, room)))
    if (piece.length > 0) {
      this.line.push(Buffer.from(piece))
      this.lineBytes += piece.length
      this.hold(piece.length)
    }
    const overlong = end - at > piece.length
    if (overlong) {
      const text = Buffer.concat(this.line).toString('latin1')
      if (this.framing || text.startsWith('APB-')) {
        throw new JobProtocolError(
          `the job status answer has a malformed frame header: ${JSON.stringify(text.slice(0, 200))}…`
        )
      }
      this.dropLine(true)
      this.skippingLine = eol < 0
      return eol < 0 ? chunk.length : eol + 1
    }
    if (eol < 0) return chunk.length
    const line = Buffer.concat(this.line)
    this.dropLine(false)
    if (!this.framing && line.subarray(0, 4).toString('latin1') !== 'APB-') {
      this.keepChatter(Buffer.concat([line, Buffer.from('\n')]))
      return eol + 1
    }
    this.framing = true
    this.header(line.toString('utf8'))
    return eol + 1
  }

  private dropLine(asChatter: boolean): void {
    if (asChatter) this.keepChatter(Buffer.concat(this.line))
    this.retained -= this.lineBytes
    this.line = []
    this.lineBytes = 0
  }

  private keepChatter(bytes: Buffer): void {
    const joined = Buffer.concat([this.chatter, bytes])
    const kept = Buffer.from(joined.subarray(Math.max(0, joined.length - CHATTER_TAIL_BYTES)))
    this.retained += kept.length - this.chatter.length
    this.chatter = kept
    if (this.retained > this.peakRetainedBytes) this.peakRetainedBytes = this.retained
  }

  private header(header: string): void {
    const parts = header.split(' ')
    const kind = parts[0]
    if (kind === 'APB-ERROR') {
      this.targetRefused = true
      throw new JobProtocolError(header.slice('APB-ERROR '.length))
    }
    if (kind === 'APB-END') {
      if (parts[1] !== String(this.snapshots.length)) {
        throw new JobProtocolError(
          `the job status answer ends after ${parts[1]} jobs but has ${this.snapshots.length}`
        )
      }
      this.ended = true
      return
    }
    if (this.snapshots.length >= this.limits.maxJobs) {
      throw new JobProtocolError(
        `the job status answer describes more jobs than the ${this.limits.maxJobs} asked for`
      )
    }
    if (kind === 'APB-REFUSED' && parts.length === 2 && isCount(parts[1]!)) {
      this.begin({ kind: 'refused' }, [
        ['a refused job id', length(parts[1]!), SMALL_FIELD_CAP_BYTES]
      ])
      return
    }
    if (
      kind === 'APB-UNTRUSTED' &&
      parts.length === 3 &&
      isValidJid(parts[1]!) &&
      isCount(parts[2]!)
    ) {
      this.begin({ kind: 'untrusted', jid: parts[1]! }, [
        [`the explanation for ${parts[1]!}`, length(parts[2]!), SMALL_FIELD_CAP_BYTES]
      ])
      return
    }
    // 11 parts: the window is the tail of each stream; 13: with the offset where each window starts.
    const counts = parts.slice(5)
    if (
      kind !== 'APB-JOB' ||
      (parts.length !== 11 && parts.length !== 13) ||
      !isValidJid(parts[1]!) ||
      !/^[01]$/.test(parts[2]!) ||
      !/^[01]$/.test(parts[3]!) ||
      !counts.every(isCount)
    ) {
      throw new JobProtocolError(
        `the job status answer has a malformed frame header: ${JSON.stringify(header.slice(0, 200))}`
      )
    }
    const jid = parts[1]!
    const [recLen, outLen, outSize, errLen, errSize, metaLen] = counts.slice(0, 6).map(length) as [
      number,
      number,
      number,
      number,
      number,
      number
    ]
    const outStart = parts.length === 13 ? length(parts[11]!) : outSize - outLen
    const errStart = parts.length === 13 ? length(parts[12]!) : errSize - errLen
    // Each window ends where the stream did when it was measured.
    if (
      outStart < 0 ||
      errStart < 0 ||
      outStart + outLen !== outSize ||
      errStart + errLen !== errSize
    ) {
      throw new JobProtocolError(
        `the job status answer has inconsistent output lengths for ${jid}: ${JSON.stringify(header.slice(0, 200))}`
      )
    }
    const { streamCapBytes, recordCapBytes, metaCapBytes } = this.limits
    this.begin(
      {
        kind: 'job',
        jid,
        exists: parts[2] === '1',
        alive: parts[3] === '1',
        bootNow: parts[4] === '-' ? '' : parts[4]!,
        outSize,
        errSize,
        outStart,
        errStart,
        offsets: parts.length === 13
      },
      [
        [`the record of ${jid}`, recLen, recordCapBytes],
        [`the stdout of ${jid}`, outLen, streamCapBytes],
        [`the stderr of ${jid}`, errLen, streamCapBytes],
        [`the meta of ${jid}`, metaLen, metaCapBytes]
      ]
    )
  }

  private begin(frame: FrameKind, fields: Array<[string, number, number]>): void {
    this.frame = frame
    this.fields = fields.map(([what, length, cap]) => ({
      what,
      length,
      cap,
      chunks: [],
      kept: 0,
      seen: 0
    }))
    this.fieldIndex = 0
    this.maybeComplete()
  }

  /** Consumes bytes of the current field: kept up to its cap, the rest only counted. */
  private readField(chunk: Buffer, at: number): number {
    const field = this.fields[this.fieldIndex]!
    const take = Math.min(chunk.length - at, field.length - field.seen)
    const keep = Math.min(take, field.cap - field.kept)
    if (keep > 0) {
      // A copy: a view would keep the whole chunk alive.
      field.chunks.push(Buffer.from(chunk.subarray(at, at + keep)))
      field.kept += keep
      this.hold(keep)
    }
    field.seen += take
    this.maybeComplete()
    return at + take
  }

  private maybeComplete(): void {
    while (this.fieldIndex < this.fields.length) {
      const field = this.fields[this.fieldIndex]!
      if (field.seen < field.length) return
      this.fieldIndex++
    }
    const frame = this.frame!
    const values = this.fields.map((f) =>
      f.chunks.length === 1 ? f.chunks[0]! : Buffer.concat(f.chunks, f.kept)
    )
    const over = this.fields.map((f) => f.length > f.cap)
    this.frame = undefined
    this.fields = []
    if (frame.kind !== 'job') {
      // A refused id or an explanation: a few bytes of text, kept as such.
      this.retained -= values[0]!.length
    }
    if (frame.kind === 'refused') {
      this.snapshots.push({
        jid: values[0]!.toString('utf8'),
        state: 'missing',
        stdout: Buffer.alloc(0),
        stdoutSize: 0,
        stderr: Buffer.alloc(0),
        stderrSize: 0,
        detail: 'the target refused this job id: not of the form j<digits>.<digits>'
      })
      return
    }
    if (frame.kind === 'untrusted') {
      this.snapshots.push({
        jid: frame.jid,
        state: 'corrupt',
        stdout: Buffer.alloc(0),
        stdoutSize: 0,
        stderr: Buffer.alloc(0),
        stderrSize: 0,
        detail: values[0]!.toString('utf8')
      })
      return
    }
    const [record, out, err, meta] = values as [Buffer, Buffer, Buffer, Buffer]
    // The snapshot keeps the output and the meta text; the raw record (and a dropped meta) go.
    this.retained -= record.length + (over[3] ? meta.length : 0)
    const snapshot = snapshotOf({
      jid: frame.jid,
      exists: frame.exists,
      supervisorAlive: frame.alive,
      bootNow: frame.bootNow,
      record,
      stdout: out,
      // Offsets are given when they cannot be implied: a first-form frame cut to the cap keeps the
      // first bytes of its window, not the tail.
      ...(frame.offsets || over[1] ? { stdoutStart: frame.outStart } : {}),
      stdoutSize: frame.outSize,
      stderr: err,
      ...(frame.offsets || over[2] ? { stderrStart: frame.errStart } : {}),
      stderrSize: frame.errSize,
      meta: over[3] ? Buffer.alloc(0) : meta
    })
    if (over[0] && frame.exists) {
      this.snapshots.push({
        ...snapshot,
        state: 'corrupt',
        detail: `the job record is larger than ${this.limits.recordCapBytes} bytes: not one this wrapper writes`
      })
      return
    }
    this.snapshots.push(snapshot)
  }
}

function isCount(text: string): boolean {
  return /^\d+$/.test(text)
}

/** A decimal length; beyond the safe range it is as good as endless (the answer will end first). */
function length(text: string): number {
  const value = Number(text)
  return Number.isSafeInteger(value) ? value : Number.MAX_SAFE_INTEGER
}

/**
 * Decodes a whole status answer into one snapshot per job, in answer order, within `limits` (see
 * StatusReader, which the controller feeds as the answer streams in), and decides each job's state:
 * no record → missing; a record that cannot be read, or that the target does not trust → corrupt; a
 * running record from an earlier boot → rebooted; a running record whose supervisor is gone → died;
 * else the record's.
 * @throws JobProtocolError when the framing is broken or the target answered APB-ERROR
 */
export function parseStatus(stdout: Buffer, limits: Partial<StatusLimits> = {}): JobSnapshot[] {
  const reader = new StatusReader(limits)
  reader.push(stdout)
  return reader.finish()
}

function snapshotOf(frame: {
  jid: string
  exists: boolean
  supervisorAlive: boolean
  bootNow: string
  record: Buffer
  stdout: Buffer
  stdoutStart?: number
  stdoutSize: number
  stderr: Buffer
  stderrStart?: number
  stderrSize: number
  meta: Buffer
}): JobSnapshot {
  const base: JobSnapshot = {
    jid: frame.jid,
    state: 'missing',
    stdout: frame.stdout,
    ...(frame.stdoutStart !== undefined ? { stdoutStart: frame.stdoutStart } : {}),
    stdoutSize: frame.stdoutSize,
    stderr: frame.stderr,
    ...(frame.stderrStart !== undefined ? { stderrStart: frame.stderrStart } : {}),
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
