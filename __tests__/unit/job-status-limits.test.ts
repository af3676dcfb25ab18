/**
 * The controller's memory is bounded by the caps, whatever a target sends: a status answer is read
 * as it streams in, an announced length beyond a cap is read to the cap and the rest dropped, and the
 * result says the output was truncated. The target here is a fake connection that behaves like the
 * real ones (keeps what `outputCapBytes` allows, streams every chunk to `onStdout`) and answers
 * whatever the test scripts, gigabytes included.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { AsyncJobs } from '../../src/async/async-jobs.js'
import { JobRegistry } from '../../src/async/job-registry.js'
import { JobProtocolError, OUTPUT_CAP_BYTES } from '../../src/async/job-protocol.js'
import { StatusReader, parseStatus } from '../../src/async/job-status-reader.js'
import { statusResult } from '../../src/async/job-results.js'
import type { CommandResult, Connection, RunOptions } from '../../src/connection/connection.js'
import { SYNC_OUTPUT_CAP_BYTES, TailBuffer } from '../../src/connection/output-buffer.js'

const MiB = 1024 * 1024
const CHUNK = Buffer.alloc(64 * 1024, 'A')
const RUNNING = 'state=running\npid=7\npgid=7\nsupervisor=6\nboot_id=b1\nstart=1\ntimeout=0\n'
// Headers in the wrapper's first form (window = the tail of each stream), which the reader still
// accepts; the last case uses the current one, with the offset where each window starts.
const FINISHED = 'state=finished\nrc=0\npid=7\npgid=7\nsupervisor=6\nboot_id=b1\nstart=1\nend=2\n'

/** `n` bytes of output, as 64 KiB chunks (the same buffer each time: the test itself stays small). */
function* bytes(n: number): Generator<Buffer> {
  for (let left = n; left > 0; left -= CHUNK.length)
    yield left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left)
}

function* text(...parts: string[]): Generator<Buffer> {
  for (const part of parts) yield Buffer.from(part)
}

/** A target that answers every command with the scripted stream, like an ssh channel would. */
class ScriptedTarget implements Connection {
  readonly host = 'web1'
  /** The most bytes the connection itself kept of one answer (what `outputCapBytes` let it keep). */
  kept = 0
  sent = 0
  constructor(
    private readonly answer: () => Iterable<Buffer>,
    private readonly streams = true
  ) {}
  async run(_command: string, options: RunOptions): Promise<CommandResult> {
    // One that does not stream hands over everything it got, as a naive fake would.
    const stdout = new TailBuffer(
      this.streams ? (options.outputCapBytes ?? SYNC_OUTPUT_CAP_BYTES) : Number.POSITIVE_INFINITY
    )
    let n = 0
    for (const chunk of this.answer()) {
      stdout.push(chunk)
      if (this.streams) options.onStdout?.(chunk)
      this.sent += chunk.length
      // Let the event loop breathe now and then, as a socket would.
      if (++n % 64 === 0) await new Promise((resolve) => setImmediate(resolve))
    }
    const kept = stdout.contents()
    this.kept = Math.max(this.kept, kept.length)
    return { code: 0, signal: null, stdout: kept, stderr: Buffer.alloc(0), timedOut: false }
  }
  async putFile(): Promise<void> {}
  async getFile(): Promise<Buffer> {
    throw new Error('getFile is not used by these tests')
  }
  async close(): Promise<void> {}
}

function setup(answer: () => Iterable<Buffer>, streams = true) {
  const target = new ScriptedTarget(answer, streams)
  const jobs = new AsyncJobs(new JobRegistry())
  const access = { host: 'web1', connection: async () => target }
  return { target, jobs, access }
}

/** What one job may cost the controller: two output streams, a meta document and a record. */
const PER_JOB_BOUND = 2 * OUTPUT_CAP_BYTES + OUTPUT_CAP_BYTES + 64 * 1024 + 16 * 1024

describe('a status answer is held within the caps, whatever the target sends', () => {
  it('keeps 1 MiB of a stream announced and sent as 64 MiB, and the result says it was truncated', async () => {
    const announced = 64 * MiB
    const { target, jobs, access } = setup(function* () {
      yield* text(`APB-JOB j1.5 1 0 b1 ${FINISHED.length} ${announced} ${announced} 0 0 0\n`)
      yield* text(FINISHED)
      yield* bytes(announced)
      yield* text('APB-END 1\n')
    })
    const snapshot = await jobs.status(access, 'j1.5', '/home/u/.ansible_async')
    expect(target.sent).toBeGreaterThan(announced)
    // Neither the connection nor the reader held the stream.
    expect(target.kept).toBeLessThanOrEqual(64 * 1024)
    expect(jobs.statusPeakBytes.get('web1')).toBeLessThanOrEqual(PER_JOB_BOUND)
    expect(snapshot.state).toBe('finished')
    expect(snapshot.stdout.length).toBe(OUTPUT_CAP_BYTES)
    expect(snapshot.stdoutSize).toBe(announced)
    const result = statusResult(snapshot, '/home/u/.ansible_async/j1.5')
    expect(String(result['stdout'])).toMatch(
      /^\[output truncated: showing 1048576 bytes from byte 0 of 67108864 \(cap 1048576\); the full output is in \/home\/u\/\.ansible_async\/j1\.5\.out on the target\]\nAAAA/
    )
  })

  it('fails cleanly on a frame that announces a huge length and sends less', async () => {
    const { target, jobs, access } = setup(function* () {
      yield* text(`APB-JOB j1.5 1 1 b1 ${RUNNING.length} 1099511627776 1099511627776 0 0 0\n`)
      yield* text(RUNNING)
      yield* bytes(8 * MiB)
    })
    const failure = await jobs.status(access, 'j1.5', '/d').catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(JobProtocolError)
    expect((failure as Error).message).toBe(
      'the job status answer was cut off inside the stdout of j1.5 (announced 1099511627776 bytes, got 8388608)'
    )
    expect(target.kept).toBeLessThanOrEqual(64 * 1024)
    expect(jobs.statusPeakBytes.get('web1')).toBeLessThanOrEqual(PER_JOB_BOUND)
  })

  it('bounds a whole answer by jobs × per-job caps, and refuses more jobs than were asked for', async () => {
    const frame = function* (jid: string): Generator<Buffer> {
      // Every field oversized: record, both streams and the meta document.
      yield* text(
        `APB-JOB ${jid} 1 0 b1 ${2 * MiB} ${4 * MiB} ${4 * MiB} ${4 * MiB} ${4 * MiB} ${4 * MiB}\n`
      )
      yield* bytes(2 * MiB)
      yield* bytes(4 * MiB)
      yield* bytes(4 * MiB)
      yield* bytes(4 * MiB)
    }
    const jids = ['j1.1', 'j1.2', 'j1.3']
    const { target, jobs, access } = setup(function* () {
      for (const jid of jids) yield* frame(jid)
      yield* text('APB-END 3\n')
    })
    const snapshots = await Promise.all(jids.map((jid) => jobs.status(access, jid, '/d')))
    expect(target.kept).toBeLessThanOrEqual(64 * 1024)
    expect(jobs.statusPeakBytes.get('web1')).toBeLessThanOrEqual(jids.length * PER_JOB_BOUND)
    for (const s of snapshots) {
      expect(s.stdout.length).toBe(OUTPUT_CAP_BYTES)
      expect(s.stderr.length).toBe(OUTPUT_CAP_BYTES)
      expect(s.meta).toBeUndefined()
      expect(s.state).toBe('corrupt')
      expect(s.detail).toMatch(/record is larger than 65536 bytes/)
    }

    const flood = setup(function* () {
      for (let i = 1; i <= 1000; i++) yield* text(`APB-JOB j1.${i} 0 0 - 0 0 0 0 0 0\n`)
      yield* text('APB-END 1000\n')
    })
    await expect(flood.jobs.status(flood.access, 'j1.1', '/d')).rejects.toThrow(
      'the job status answer describes more jobs than the 1 asked for'
    )
  })

  it('keeps only a short tail of login-shell chatter, however long', async () => {
    const { jobs, access } = setup(function* () {
      yield* bytes(32 * MiB) // one endless line of chatter, then another
      yield* text('\nWelcome\n', `APB-JOB j1.5 1 0 b1 ${FINISHED.length} 2 2 0 0 0\n`, FINISHED)
      yield* text('hi', 'APB-END 1\n')
    })
    const snapshot = await jobs.status(access, 'j1.5', '/d')
    expect(snapshot.stdout.toString()).toBe('hi')
    expect(jobs.statusPeakBytes.get('web1')).toBeLessThanOrEqual(16 * 1024)
  })

  it('applies the caps to what a connection that does not stream hands over', async () => {
    const announced = 20 * MiB
    const { jobs, access } = setup(function* () {
      yield* text(`APB-JOB j1.5 1 0 b1 ${FINISHED.length} ${announced} ${announced} 0 0 0\n`)
      yield* text(FINISHED)
      yield* bytes(announced)
      yield* text('APB-END 1\n')
    }, false)
    const snapshot = await jobs.status(access, 'j1.5', '/d')
    expect(snapshot.stdout.length).toBeLessThanOrEqual(OUTPUT_CAP_BYTES)
  })

  it('parses a whole answer within the same caps', () => {
    const out = Buffer.alloc(3 * MiB, 'B')
    const answer = Buffer.concat([
      Buffer.from(`APB-JOB j1.5 1 0 b1 ${FINISHED.length} ${out.length} ${out.length} 0 0 2 0 0\n`),
      Buffer.from(FINISHED),
      out,
      Buffer.from('{}APB-END 1\n')
    ])
    const [snapshot] = parseStatus(answer)
    expect(snapshot!.stdout.length).toBe(OUTPUT_CAP_BYTES)
    expect(snapshot!.meta).toBe('{}')
    expect(statusResult(snapshot!, '/d/j1.5')['stdout']).toMatch(/^\[output truncated: /)
  })
})

describe('reading an answer as it streams', () => {
  const answer = Buffer.concat([
    Buffer.from('motd line\nAPB-JOB j1.5 1 0 b1 '),
    Buffer.from(`${FINISHED.length} 5 9 2 2 2 4 0\n${FINISHED}hello!!{}`),
    Buffer.from(`APB-REFUSED 3\nj;xAPB-UNTRUSTED j2.6 9\nsymlinked`),
    Buffer.from(`APB-JOB j3.7 0 0 - 0 0 0 0 0 0 0 0\nAPB-END 4\ntrailing chatter`)
  ])

  it('gives the same snapshots however the bytes are split into chunks', () => {
    const whole = parseStatus(answer)
    expect(whole.map((s) => [s.jid, s.state])).toEqual([
      ['j1.5', 'finished'],
      ['j;x', 'missing'],
      ['j2.6', 'corrupt'],
      ['j3.7', 'missing']
    ])
    expect(whole[0]).toMatchObject({ stdoutStart: 4, stdoutSize: 9, stdout: Buffer.from('hello') })
    expect(whole[2]!.detail).toBe('symlinked')
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: answer.length - 1 })), (cuts) => {
        const reader = new StatusReader()
        let at = 0
        for (const cut of [...cuts].sort((a, b) => a - b)) {
          reader.push(answer.subarray(at, cut))
          at = cut
        }
        reader.push(answer.subarray(at))
        expect(reader.finish()).toEqual(whole)
      }),
      { numRuns: 300 }
    )
  })

  it('refuses a window that does not end at the size it reports', () => {
    expect(() =>
      parseStatus(Buffer.from(`APB-JOB j1.5 0 0 - 0 2 9 0 0 0 3 0\nhiAPB-END 1\n`))
    ).toThrow(/inconsistent output lengths for j1\.5/)
  })
})
