/** One job as a status answer shows it (JobSnapshot); its record and liveness decide its state. */

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

/** One job's frame of a status answer, as read: its files' bytes and what the target measured. */
export type JobFrame = Pick<
  JobSnapshot,
  'jid' | 'stdout' | 'stdoutStart' | 'stdoutSize' | 'stderr' | 'stderrStart' | 'stderrSize'
> & {
  exists: boolean
  supervisorAlive: boolean
  bootNow: string
  record: Buffer
  meta: Buffer
}

/**
 * The snapshot of one job and its state: no record → missing; a record that cannot be read →
 * corrupt; a running record from an earlier boot → rebooted; a running record whose supervisor is
 * gone → died; else the record's.
 */
export function snapshotOf(frame: JobFrame): JobSnapshot {
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
