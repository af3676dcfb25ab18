/**
 * Reading a file from the target (Connection.getFile): the options, the typed errors, and what every
 * transport shares — a collector that holds at most the cap and a deadline. Each transport streams
 * the file in chunks into the collector and stops reading as soon as the cap is passed, so a file of
 * any size costs the controller at most `maxBytes` plus one chunk.
 */
import { AsyncPlaybookError, CommandTimeoutError } from '../errors.js'

/** How to read one file from the target. */
export interface GetFileOptions {
  /**
   * The largest file accepted, in bytes. A longer file fails with FileTooLargeError once more than
   * this many bytes have been seen (or at once, when its size is known before reading).
   */
  maxBytes: number
  /** Hard deadline for the whole read, in milliseconds. */
  timeoutMs: number
}

/** Why a file could not be read. */
export type RemoteFileProblem = 'not-found' | 'permission-denied' | 'not-a-file' | 'failed'

/**
 * A file could not be read from the target: it is missing, the user may not read it, it is not a
 * regular file (a directory, a FIFO, a device), or the read failed. The task fails with the message.
 */
export class RemoteFileError extends AsyncPlaybookError {
  constructor(
    message: string,
    readonly host: string,
    readonly path: string,
    readonly problem: RemoteFileProblem
  ) {
    super(message)
  }
}

/** A file on the target is larger than the reader's cap: nothing of it is returned. */
export class FileTooLargeError extends AsyncPlaybookError {
  constructor(
    readonly host: string,
    readonly path: string,
    readonly maxBytes: number,
    /** The file's size when the target told it; else only known to exceed maxBytes. */
    readonly sizeBytes?: number
  ) {
    super(
      `${path} on ${host} is ${sizeBytes === undefined ? `larger than ${maxBytes} bytes` : `${sizeBytes} bytes`}, ` +
        `over the limit of ${maxBytes} bytes for reading a file from a target: read a smaller file, or raise the limit`
    )
  }
}

/** A bad maxBytes is a bug of the caller, not of the target. */
export function checkMaxBytes(maxBytes: number): void {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new TypeError(`maxBytes must be a non-negative integer, got ${maxBytes}`)
  }
}

/** Collects the chunks of one file, refusing to hold more than the cap. */
export class CappedFile {
  private readonly chunks: Buffer[] = []
  private held = 0

  constructor(
    private readonly host: string,
    private readonly path: string,
    private readonly maxBytes: number
  ) {
    checkMaxBytes(maxBytes)
  }

  /** Bytes still accepted, plus one: how much to ask for next to tell "exactly the cap" from "over". */
  get wanted(): number {
    return this.maxBytes + 1 - this.held
  }

  /** @throws FileTooLargeError once the bytes pushed pass the cap (the excess is not kept) */
  push(chunk: Buffer): void {
    if (this.held + chunk.length > this.maxBytes) this.tooLarge()
    this.held += chunk.length
    if (chunk.length > 0) this.chunks.push(chunk)
  }

  /** @throws FileTooLargeError when the target says the file is over the cap, before reading it */
  checkSize(size: number): void {
    if (size > this.maxBytes) this.tooLarge(size)
  }

  tooLarge(size?: number): never {
    throw new FileTooLargeError(this.host, this.path, this.maxBytes, size)
  }

  /** The whole file. */
  bytes(): Buffer {
    return Buffer.concat(this.chunks, this.held)
  }
}

/**
 * Runs `read` with a deadline: past it, `abort` is called (to drop a stuck handle or session) and
 * the read fails with CommandTimeoutError.
 */
export async function readWithDeadline<T>(
  what: { host: string; path: string; where?: string },
  timeoutMs: number,
  read: () => Promise<T>,
  abort: () => void
): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort()
      reject(
        new CommandTimeoutError(
          `reading ${what.path} on ${what.where ?? what.host} took longer than ${timeoutMs} ms`,
          what.host,
          timeoutMs
        )
      )
    }, timeoutMs)
  })
  const reading = read()
  // Once the deadline has won, a late failure of the read is of no interest.
  reading.catch(() => undefined)
  try {
    return await Promise.race([reading, expired])
  } finally {
    clearTimeout(timer)
  }
}
