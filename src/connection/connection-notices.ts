/*
 * What the connection layer has to tell the run besides results: hosts whose host key is not verified
 * (warned once per host, and listed for the job summary), and the addresses behind a connection error,
 * which belong in the log only, never in results, annotations or the summary.
 */

/** A host connected to without verifying its host key (or one of its jump hosts' keys). */
export interface UnverifiedHost {
  /** Inventory name. */
  host: string
  /** `off`: checking was turned off; `no-known-hosts`: nothing was left to check the key against. */
  reason: 'off' | 'no-known-hosts'
  /** What did it: a variable, an ssh option or the run's setting, as a user would find it. */
  source: string
  /** The warning logged for it, naming the host by inventory name only. */
  warning: string
}

/** Something to print in the run's log. */
export interface ConnectionNotice {
  host: string
  level: 'warning' | 'log'
  text: string
}

const unverified = new Map<string, UnverifiedHost>()
const lastDetail = new Map<string, string>()
const listeners = new Set<(notice: ConnectionNotice) => void>()

/** Every host connected to without host key verification in this process, in the order first seen. */
export function unverifiedHosts(): UnverifiedHost[] {
  return [...unverified.values()].map((u) => ({ ...u }))
}

/**
 * Calls `listener` with each warning and log line the connection layer has for the run. Returns a
 * function that removes it. A listener that throws is ignored: logging must not fail a connection.
 */
export function onConnectionNotice(listener: (notice: ConnectionNotice) => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

/** Forgets the hosts seen so far (a new run in the same process, and tests). */
export function forgetConnectionNotices(): void {
  unverified.clear()
  lastDetail.clear()
}

/** Records a host whose key is not verified, and warns about it once per host and reason. */
export function noteUnverifiedHost(record: UnverifiedHost): void {
  const key = `${record.reason}\0${record.host}`
  if (unverified.has(key)) return
  unverified.set(key, { ...record })
  emit({ host: record.host, level: 'warning', text: record.warning })
}

/**
 * Logs where a failed connection went (address, port, the library's own words): the result names the
 * host only. A line repeated for the same host (a host retried while it is down) is logged once.
 */
export function noteConnectionDetail(host: string, text: string): void {
  if (lastDetail.get(host) === text) return
  lastDetail.set(host, text)
  emit({ host, level: 'log', text })
}

function emit(notice: ConnectionNotice): void {
  for (const listener of listeners) {
    try {
      listener({ ...notice })
    } catch {
      // Logging must not fail the connection.
    }
  }
}
