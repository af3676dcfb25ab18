/**
 * A Connection decorator that records every remote call a module makes (commands, file writes, file
 * reads) and counts round trips: waves of calls, where calls started while another is still running
 * overlap it and count once (a module that reads two probes in parallel waits for one round trip).
 * The calls pass through unchanged; only the record is added.
 */
import type { Connection } from '../../src/connection/connection.js'

/** One call through the connection: its kind and a short description (the command's start, the path). */
export interface RemoteCall {
  kind: 'run' | 'putFile' | 'getFile'
  what: string
  /** The round trip it belongs to, from 1. */
  roundTrip: number
}

/** A counting view of a connection. */
export interface CountingConnection {
  connection: Connection
  /** Every call, in the order they were started. */
  calls: RemoteCall[]
  /** Round trips: calls started while no other call was running. */
  roundTrips(): number
  /** Forgets the calls and round trips counted so far (the connection stays open). */
  reset(): void
}

/** A command as a message shows it: its start and its end (where a script's arguments are). */
function brief(command: string): string {
  const flat = command.replace(/\s+/g, ' ')
  return flat.length <= 200 ? flat : `${flat.slice(0, 80)} … ${flat.slice(-120)}`
}

/** Wraps `inner`; closing the wrapper closes it. */
export function countingConnection(inner: Connection): CountingConnection {
  const calls: RemoteCall[] = []
  let trips = 0
  let running = 0
  const counted = async <T>(
    call: Omit<RemoteCall, 'roundTrip'>,
    send: () => Promise<T>
  ): Promise<T> => {
    if (running === 0) trips++
    calls.push({ ...call, roundTrip: trips })
    running++
    try {
      return await send()
    } finally {
      running--
    }
  }
  const connection: Connection = {
    host: inner.host,
    run: (command, options) =>
      counted({ kind: 'run', what: brief(command) }, () => inner.run(command, options)),
    putFile: (remotePath, content, options) =>
      counted({ kind: 'putFile', what: remotePath }, () =>
        inner.putFile(remotePath, content, options)
      ),
    getFile: (remotePath, options) =>
      counted({ kind: 'getFile', what: remotePath }, () => inner.getFile(remotePath, options)),
    close: () => inner.close()
  }
  return {
    connection,
    calls,
    roundTrips: () => trips,
    reset: () => {
      calls.length = 0
      trips = 0
    }
  }
}
