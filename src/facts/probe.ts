/**
 * How a fact is read: a POSIX sh probe script (a file next to its parser) runs under `/bin/sh` on the
 * target through the Connection, and prints `key=value` lines ending with `end=1`. Values that may
 * hold any byte are hex, under keys ending in `_hex`. This file runs probes and reads their answers;
 * each fact's file turns an answer into its typed state.
 */
import type { Connection } from '../connection/connection.js'
import { compactScript, shellJoin } from '../connection/shell-quote.js'
import { AsyncPlaybookError, CommandTimeoutError } from '../errors.js'

/** Which fact a FactError is about. */
export type FactName = 'path' | 'service' | 'package' | 'user' | 'group'

/**
 * A fact could not be read: the probe failed, its answer was cut short, or the target lacks a tool
 * (`missingTool` names it). The task fails with the message, which says what to install or change.
 */
export class FactError extends AsyncPlaybookError {
  constructor(
    message: string,
    readonly host: string,
    readonly fact: FactName,
    /** What was asked about: the path, service, package, user or group name. */
    readonly subject: string,
    readonly missingTool?: string
  ) {
    super(message)
  }
}

/** A probe script: its name (argv[0], also how traces name it) and its text. */
export interface ProbeScript {
  name: string
  source: string
}

/** The answer of a probe: every value of each key, in order (keys may repeat). */
export class ProbeAnswer {
  private readonly values = new Map<string, string[]>()

  /** Reads `key=value` lines; anything else is ignored. */
  constructor(text: string) {
    for (const line of text.split('\n')) {
      const at = line.indexOf('=')
      if (at <= 0) continue
      const key = line.slice(0, at)
      const list = this.values.get(key)
      if (list) list.push(line.slice(at + 1))
      else this.values.set(key, [line.slice(at + 1)])
    }
  }

  /** True when the probe ran to its end (its last line is `end=1`). */
  get complete(): boolean {
    return this.values.get('end')?.includes('1') ?? false
  }

  /** The first value of `key`. */
  get(key: string): string | undefined {
    return this.values.get(key)?.[0]
  }

  /** Every value of `key`, in the order printed. */
  all(key: string): string[] {
    return this.values.get(key) ?? []
  }

  /** The first value of `key`, decoded from hex to bytes. */
  bytes(key: string): Buffer | undefined {
    const value = this.get(key)
    return value === undefined ? undefined : fromHex(value)
  }

  /**
   * A value a probe prints as `key=text` when it is plain (printable ASCII) or as `key_hex=<hex>`
   * otherwise: its bytes, whichever form came.
   */
  field(key: string): Buffer | undefined {
    const hex = this.bytes(`${key}_hex`)
    if (hex !== undefined) return hex
    const plain = this.get(key)
    return plain === undefined ? undefined : Buffer.from(plain, 'utf8')
  }

  /** The first value of `key` read as a decimal integer, or undefined when absent or not a number. */
  int(key: string): number | undefined {
    const value = this.get(key)
    return value !== undefined && /^-?\d+$/.test(value) ? Number(value) : undefined
  }
}

/** Bytes from hex text (`od -An -tx1` with the blanks removed); stray characters are skipped. */
export function fromHex(text: string): Buffer {
  return Buffer.from(text.replace(/[^0-9a-fA-F]/g, ''), 'hex')
}

const compacted = new WeakMap<ProbeScript, string>()

/** The command line that runs `probe` with `args` under /bin/sh on the target. */
export function probeCommand(probe: ProbeScript, args: readonly string[]): string {
  let text = compacted.get(probe)
  if (text === undefined) {
    // Comments and indentation are dropped: this text goes out with every probe.
    text = compactScript(probe.source)
    compacted.set(probe, text)
  }
  return shellJoin(['/bin/sh', '-c', text, probe.name, ...args])
}

/** Where a fact is read, and the deadline of its probe. */
export interface FactTarget {
  connection: Connection
  timeoutMs: number
}

/** Where a probe runs and what it is about, for its errors. */
export interface ProbeTarget extends FactTarget {
  fact: FactName
  subject: string
}

/** At most this much of a probe's answer is kept: answers are a few hundred bytes. */
const PROBE_OUTPUT_CAP_BYTES = 256 * 1024

/**
 * Runs a probe and returns its answer.
 * @throws CommandTimeoutError when the probe outlives the deadline
 * @throws FactError when it fails or its answer is cut short
 * @throws ConnectionError (and BecomeError under become) as Connection.run does
 */
export async function runProbe(
  target: ProbeTarget,
  probe: ProbeScript,
  args: readonly string[]
): Promise<ProbeAnswer> {
  const { connection, timeoutMs, fact, subject } = target
  const result = await connection.run(probeCommand(probe, args), {
    timeoutMs,
    outputCapBytes: PROBE_OUTPUT_CAP_BYTES,
    sharedShell: true
  })
  const about = `the ${fact} fact of ${JSON.stringify(subject)} on ${connection.host}`
  if (result.timedOut) {
    throw new CommandTimeoutError(
      `reading ${about} took longer than ${timeoutMs} ms`,
      connection.host,
      timeoutMs
    )
  }
  const answer = new ProbeAnswer(result.stdout.toString('utf8'))
  if (result.code !== 0 || !answer.complete) {
    const stderr = result.stderr.toString('utf8').trim()
    const status =
      result.code === null ? `signal ${result.signal ?? 'unknown'}` : `exit code ${result.code}`
    throw new FactError(
      `cannot read ${about}: its probe (/bin/sh ${probe.name}) stopped with ${status}` +
        (stderr ? `: ${tail(stderr)}` : ''),
      connection.host,
      fact,
      subject
    )
  }
  return answer
}

function tail(text: string, max = 400): string {
  return text.length > max ? `…${text.slice(-max)}` : text
}
