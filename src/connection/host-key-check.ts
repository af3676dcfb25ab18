import { readFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import type { ServerHostKeyAlgorithm } from 'ssh2'
import type { HostKeyChecking } from './connection.js'
import {
  checkHostKey,
  fingerprintSha256,
  formatKnownHostsLine,
  keyTypeOfBlob,
  knownHostsName,
  knownKeyTypes,
  parseKnownHosts,
  type HostKeyVerdict,
  type KnownHostEntry
} from './known-hosts.js'
import { ConnectionError, HostKeyError } from '../errors.js'

/*
 * Host key verification for one SSH hop: known_hosts files and text, pinned fingerprints, and the
 * run's accept-new memory. The verdict is reached inside ssh2's synchronous hostVerifier, so two
 * connections racing to a new host see each other's accepted key.
 */

/** OpenSSH's host key algorithm order; the algorithms of key types known for a host move first. */
const HOST_KEY_ALGORITHMS: ServerHostKeyAlgorithm[] = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa'
]

/** A host key trusted by `accept-new` because no key was recorded for its host. */
export interface AcceptedHostKey {
  /** The inventory host whose connection first saw the key (for a jump host: the host it led to). */
  host: string
  /** The known_hosts name it was recorded under: `address`, or `[address]:port`. */
  name: string
  keyType: string
  /** `SHA256:…`, as ssh-keygen -l prints it. */
  fingerprint: string
  /** The known_hosts line that would trust the key permanently. */
  line: string
  /** The warning logged when it was accepted (also passed to onHostKeyAccepted listeners). */
  warning: string
}

/** Keys accepted this run, by known_hosts name: shared by every connection of the process. */
const acceptedByName = new Map<string, { key: Buffer; record: AcceptedHostKey }[]>()
const acceptListeners = new Set<(accepted: AcceptedHostKey) => void>()

/** Every host key `accept-new` has trusted in this process, in the order they were first seen. */
export function acceptedHostKeys(): AcceptedHostKey[] {
  return [...acceptedByName.values()].flat().map((a) => ({ ...a.record }))
}

/**
 * Calls `listener` each time `accept-new` trusts a key it had not seen (its `warning` is the line to
 * log, e.g. with core.warning). Returns a function that removes the listener. A listener that throws
 * is ignored: logging must not fail a connection.
 */
export function onHostKeyAccepted(listener: (accepted: AcceptedHostKey) => void): () => void {
  acceptListeners.add(listener)
  return () => acceptListeners.delete(listener)
}

/** Forgets every key accepted so far (a new run in the same process, and tests). */
export function forgetAcceptedHostKeys(): void {
  acceptedByName.clear()
}

/** One hop to verify. */
export interface HostKeyTarget {
  /** Inventory host, for errors. */
  host: string
  /** How the hop is named in messages, e.g. `web1 (10.0.0.5:22)`. */
  where: string
  address: string
  port: number
  mode: HostKeyChecking
  knownHostsPath?: string
  knownHosts?: string
  /** Pinned `SHA256:…` fingerprints: authoritative when present. */
  pins?: readonly string[]
  /** The variable that pins this hop, named when a pin does not match. */
  pinsVariable: string
}

/** The hostVerifier for one connection attempt, and why it refused, if it did. */
export interface HostKeyCheck {
  verify: (key: Buffer) => boolean
  /** Set when the key was refused: why, for the error message. */
  refusal?: HostKeyError
  preferredAlgorithms?: ServerHostKeyAlgorithm[]
}

/**
 * Reads the known_hosts sources of a hop and returns its host key verifier.
 * @throws ConnectionError when the known_hosts file exists but cannot be read
 */
export async function prepareHostKeyCheck(target: HostKeyTarget): Promise<HostKeyCheck> {
  const pins = target.pins && target.pins.length > 0 ? target.pins.map(normalizePin) : undefined
  if (target.mode === 'off' && !pins) return { verify: () => true }
  const path = target.knownHostsPath ?? join(homedir(), '.ssh', 'known_hosts')
  let fileText = ''
  try {
    fileText = await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ConnectionError(
        `cannot read known_hosts file ${path} for ${target.where}: ${errorText(error)}`,
        target.host
      )
    }
  }
  const entries = parseKnownHosts(fileText, path)
  if (target.knownHosts) entries.push(...parseKnownHosts(target.knownHosts, 'known_hosts text'))
  const name = knownHostsName(target.address, target.port)
  const searched = target.knownHosts ? `${path} or the known_hosts text given` : path
  // Keys accepted earlier in the run count for accept-new only: strict means known_hosts alone.
  const remembered = (): KnownHostEntry[] =>
    target.mode === 'accept-new' ? acceptedEntries(name) : []

  const check: HostKeyCheck = {
    verify: (key: Buffer): boolean => {
      const refuse = (reason: Refusal): false => {
        check.refusal = hostKeyRefusal(reason, { target, name, key, searched })
        return false
      }
      if (pins) {
        // An explicit revocation outranks a pin; otherwise the pins alone decide.
        const verdict = checkHostKey(entries, name, key)
        if (verdict.status === 'revoked') return refuse(verdict)
        return pins.includes(fingerprintSha256(key)) || refuse({ status: 'unpinned', pins })
      }
      if (target.mode === 'off') return true
      const verdict = checkHostKey([...entries, ...remembered()], name, key)
      if (verdict.status === 'trusted') return true
      // accept-new adds a key only for a host with nothing recorded: a new key TYPE for a known host
      // is as suspicious as a changed key, since we ask for the known types first.
      if (
        target.mode === 'accept-new' &&
        verdict.status === 'unknown' &&
        verdict.otherTypes.length === 0
      ) {
        accept(target, name, key)
        return true
      }
      return refuse(verdict)
    }
  }
  const types = knownKeyTypes([...entries, ...remembered()], name)
  if (types.length > 0) {
    const first = HOST_KEY_ALGORITHMS.filter((alg) => types.includes(keyTypeOfAlgorithm(alg)))
    check.preferredAlgorithms = [...first, ...HOST_KEY_ALGORITHMS.filter((a) => !first.includes(a))]
  }
  return check
}

function acceptedEntries(name: string): KnownHostEntry[] {
  return (acceptedByName.get(name) ?? []).map(({ key, record }) => ({
    marker: undefined,
    hosts: { kind: 'patterns', patterns: [{ negated: false, pattern: name }] },
    keyType: record.keyType,
    key,
    source: `the key accepted earlier in this run for ${record.host} (accept-new)`
  }))
}

function accept(target: HostKeyTarget, name: string, key: Buffer): void {
  const fingerprint = fingerprintSha256(key)
  const keyType = keyTypeOfBlob(key) ?? 'unknown'
  const line = formatKnownHostsLine(name, key)
  const record: AcceptedHostKey = {
    host: target.host,
    name,
    keyType,
    fingerprint,
    line,
    warning:
      `host-key-checking accept-new: trusting ${keyType} ${fingerprint} for ${target.where}, ` +
      `seen for the first time; it is trusted for the rest of this run only. ` +
      `To trust it for good, add this line to known_hosts: ${line}`
  }
  const list = acceptedByName.get(name) ?? []
  list.push({ key, record })
  acceptedByName.set(name, list)
  for (const listener of acceptListeners) {
    try {
      listener({ ...record })
    } catch {
      // Logging must not fail the connection.
    }
  }
}

/**
 * Checks a pin's form and returns it as compared: `SHA256:` and unpadded base64 of 32 bytes.
 * @throws TypeError naming what was found
 */
export function normalizePin(text: string): string {
  const m = /^sha256:([A-Za-z0-9+/]{43})=?$/i.exec(text.trim())
  if (!m) {
    throw new TypeError(
      `'${text}' is not a SHA256 host key fingerprint; expected 'SHA256:' and 43 base64 characters, ` +
        'as `ssh-keygen -lf key.pub` or `ssh-keyscan HOST | ssh-keygen -lf -` print it'
    )
  }
  return `SHA256:${m[1]!}`
}

function keyTypeOfAlgorithm(algorithm: ServerHostKeyAlgorithm): string {
  return algorithm.startsWith('rsa-sha2-') ? 'ssh-rsa' : algorithm
}

type Refusal =
  Exclude<HostKeyVerdict, { status: 'trusted' }> | { status: 'unpinned'; pins: readonly string[] }

function hostKeyRefusal(
  reason: Refusal,
  context: { target: HostKeyTarget; name: string; key: Buffer; searched: string }
): HostKeyError {
  const { target, name, key, searched } = context
  const where = target.where
  const fingerprint = fingerprintSha256(key)
  const presented = `${keyTypeOfBlob(key) ?? 'unknown'} ${fingerprint}`
  const line = formatKnownHostsLine(name, key)
  let message: string
  switch (reason.status) {
    case 'revoked':
      message =
        `Host key verification failed for ${where}: the host presented ${presented}, ` +
        `which is marked @revoked in ${reason.entry.source}. Refusing to connect.`
      break
    case 'unpinned':
      message =
        `Host key verification failed for ${where}: the host presented ${presented}, which matches ` +
        `none of the fingerprints pinned in ${target.pinsVariable} (${reason.pins.join(', ')}). ` +
        `Someone could be eavesdropping on you (man-in-the-middle), or the host key has changed: ` +
        `if the change is expected, update ${target.pinsVariable}.`
      break
    case 'changed': {
      const expected = reason.expected
        .map((e: KnownHostEntry) => `${e.keyType} ${fingerprintSha256(e.key)} (${e.source})`)
        .join(', ')
      message =
        `REMOTE HOST IDENTIFICATION HAS CHANGED for ${where}! known_hosts expects ${expected}, ` +
        `but the host presented ${presented}. Someone could be eavesdropping on you ` +
        `(man-in-the-middle), or the host key has just been changed. If the change is expected, ` +
        `replace the old line with:\n${line}`
      break
    }
    case 'unknown': {
      const others =
        reason.otherTypes.length > 0
          ? ` (only keys of type ${reason.otherTypes.join(', ')} are recorded for it` +
            (target.mode === 'accept-new'
              ? '; accept-new adds no new key type to a known host)'
              : ')')
          : ''
      message =
        `Host key verification failed for ${where}: no key for ${name} in ${searched}${others}. ` +
        `The host presented ${presented}. If you trust it, add this line to known_hosts:\n${line}`
      break
    }
  }
  return new HostKeyError(message, target.host, fingerprint)
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
