import type { CommandResult } from './connection.js'

/**
 * Bytes of stdout (and, separately, of stderr) that `Connection.run()` keeps per command unless the
 * caller asks for another cap. A command that prints more keeps its TAIL, which is where errors are,
 * and the result reports the full size: a 50 MB build log must not cost the controller 50 MB.
 */
export const SYNC_OUTPUT_CAP_BYTES = 1024 * 1024

/**
 * Collects a stream's chunks, keeping only the last `cap` bytes and counting all of them. Memory stays
 * within `cap` plus one chunk, however much arrives.
 */
export class TailBuffer {
  private chunks: Buffer[] = []
  private held = 0
  /** Every byte received, kept or not. */
  totalBytes = 0

  /** @param cap bytes to keep (Infinity keeps everything) */
  constructor(private readonly cap: number) {
    if (!(cap >= 0)) throw new RangeError(`output cap must be >= 0, got ${cap}`)
  }

  push(chunk: Buffer): void {
    this.totalBytes += chunk.length
    if (this.cap === 0 || chunk.length === 0) return
    this.chunks.push(chunk)
    this.held += chunk.length
    // Drop whole chunks from the front while what remains still covers the cap.
    while (this.chunks.length > 1 && this.held - this.chunks[0]!.length >= this.cap) {
      this.held -= this.chunks.shift()!.length
    }
  }

  /** True when bytes were dropped. */
  get truncated(): boolean {
    return this.totalBytes > this.cap
  }

  /** The kept bytes: the whole output, or its last `cap` bytes when it was longer. */
  contents(): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.held)
    // A copy, so the dropped head of the first chunk is not kept alive by a view into it.
    return this.held > this.cap ? Buffer.from(all.subarray(this.held - this.cap)) : all
  }
}

/** The output fields of a CommandResult, with the truncation markers set when bytes were dropped. */
export function collectedOutput(
  stdout: TailBuffer,
  stderr: TailBuffer
): Pick<CommandResult, 'stdout' | 'stderr' | 'stdoutTruncated' | 'stderrTruncated'> {
  return {
    stdout: stdout.contents(),
    stderr: stderr.contents(),
    ...(stdout.truncated ? { stdoutTruncated: { totalBytes: stdout.totalBytes } } : {}),
    ...(stderr.truncated ? { stderrTruncated: { totalBytes: stderr.totalBytes } } : {})
  }
}
