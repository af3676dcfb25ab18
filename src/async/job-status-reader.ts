/** Reads job-wrapper.sh's framed status answer as it streams in, within caps, into JobSnapshots. */
import {
  JobProtocolError,
  META_CAP_BYTES,
  OUTPUT_CAP_BYTES,
  RECORD_CAP_BYTES,
  tail
} from './job-protocol.js'
import { snapshotOf, type JobSnapshot } from './job-snapshot.js'
import { readFrameHeader, type FieldSpec, type FrameKind } from './job-status-frames.js'

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

/** One length-prefixed field of a frame being read: keeps up to `cap` bytes, drops the rest. */
interface Field {
  what: string
  length: number
  cap: number
  chunks: Buffer[]
  kept: number
  seen: number
}

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
    const { frame, fields } = readFrameHeader(header, this.limits)
    this.begin(frame, fields)
  }

  private begin(frame: FrameKind, fields: FieldSpec[]): void {
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
