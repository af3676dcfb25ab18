/** The grammar of status frame headers: what a frame describes and the fields that follow it. */
import { JobProtocolError, isValidJid } from './job-protocol.js'
import type { StatusLimits } from './job-status-reader.js'

/** Bytes kept of a refused job id and of an untrusted-job explanation. */
const SMALL_FIELD_CAP_BYTES = 4096

/** What a frame describes: a job, a job id the target refused, or a job whose files it does not trust. */
export type FrameKind =
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

/** A length-prefixed field that follows a frame header: what it is, its announced length, the bytes kept of it. */
export type FieldSpec = [what: string, length: number, cap: number]

/**
 * Reads the header of a frame (APB-REFUSED, APB-UNTRUSTED or APB-JOB; the reader handles APB-ERROR and
 * APB-END) into what the frame describes and the fields that follow it.
 * @throws JobProtocolError when the header is malformed or its output lengths disagree
 */
export function readFrameHeader(
  header: string,
  limits: Pick<StatusLimits, 'streamCapBytes' | 'recordCapBytes' | 'metaCapBytes'>
): { frame: FrameKind; fields: FieldSpec[] } {
  const parts = header.split(' ')
  const kind = parts[0]
  if (kind === 'APB-REFUSED' && parts.length === 2 && isCount(parts[1]!)) {
    return {
      frame: { kind: 'refused' },
      fields: [['a refused job id', length(parts[1]!), SMALL_FIELD_CAP_BYTES]]
    }
  }
  if (
    kind === 'APB-UNTRUSTED' &&
    parts.length === 3 &&
    isValidJid(parts[1]!) &&
    isCount(parts[2]!)
  ) {
    return {
      frame: { kind: 'untrusted', jid: parts[1]! },
      fields: [[`the explanation for ${parts[1]!}`, length(parts[2]!), SMALL_FIELD_CAP_BYTES]]
    }
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
  const { streamCapBytes, recordCapBytes, metaCapBytes } = limits
  return {
    frame: {
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
    fields: [
      [`the record of ${jid}`, recLen, recordCapBytes],
      [`the stdout of ${jid}`, outLen, streamCapBytes],
      [`the stderr of ${jid}`, errLen, streamCapBytes],
      [`the meta of ${jid}`, metaLen, metaCapBytes]
    ]
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
