import { readFile } from 'node:fs/promises'
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
import { defaultKnownHostsPath } from '../defaults.js'
import { ConnectionError, HostKeyError } from '../errors.js'
import { noteUnverifiedHost } from './connection-notices.js'

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
  /** How the hop is named in results and summaries: `web1`, `the jump host of web1` (never an address). */
  where: string
  /** The known_hosts name it was recorded under: `address`, or `[address]:port` (for the log only). */
  name: string
  keyType: string
  /** `SHA256:…`, as ssh-keygen -l prints it. */
  fingerprint: string
  /** The known_hosts line that would trust the key permanently (it holds the address: log only). */
  line: string
  /** The variable that pins the key without naming an address: ansible_ssh_(jump_)host_key_fingerprints. */
  pinVariable: string
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
  /** How the hop is named in messages that reach results: `web1`, `the jump host of web1`. */
  where: string
  /** The hop's `[user@]address:port`, for the log only. */
  endpoint: string
  address: string
  port: number
  mode: HostKeyChecking
  /** The user known_hosts file; unset: ~/.ssh/known_hosts, unless `knownHostsPathSource` says none. */
  knownHostsPath?: string
  /** The UserKnownHostsFile option that replaced ~/.ssh/known_hosts, if one did. */
  knownHostsPathSource?: string
  knownHosts?: string
  /** A known_hosts file given for the whole run (--known-hosts): always read. */
  explicitKnownHostsPath?: string
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
  // UserKnownHostsFile replaces ~/.ssh/known_hosts only; what the run was given is always read.
  const userPath =
    target.knownHostsPath ?? (target.knownHostsPathSource ? undefined : defaultKnownHostsPath())
  const entries: KnownHostEntry[] = []
  const searched: string[] = []
  for (const path of new Set([userPath, target.explicitKnownHostsPath])) {
    if (path === undefined) continue
    searched.push(path)
    entries.push(...parseKnownHosts(await readKnownHostsFile(path, target), path))
  }
  if (target.knownHosts) {
    searched.push('the known_hosts text given')
    entries.push(...parseKnownHosts(target.knownHosts, 'known_hosts text'))
  }
  // With nothing to check against, accept-new trusts whatever key is presented: say so when it does.
  const nothingToCheck = entries.length === 0 && !pins && target.knownHostsPathSource !== undefined
  const trustedUnchecked = (): true => {
    if (!nothingToCheck) return true
    noteUnverifiedHost({
      host: target.host,
      reason: 'no-known-hosts',
      source: target.knownHostsPathSource!,
      warning:
        `host ${target.host}: no host key can be verified for ${target.where}: ` +
        `${target.knownHostsPathSource!} replaces ~/.ssh/known_hosts and holds no key, and no other ` +
        'known_hosts was given, so accept-new trusts whatever key it presents. Give its key in ' +
        'known_hosts (the known-hosts input or --known-hosts) or pin it with ' +
        `${target.pinsVariable}.`
    })
    return true
  }
  const sources: Sources = {
    searched: searched.length > 0 ? searched.join(' or ') : 'no known_hosts file',
    emptyBecause:
      entries.length === 0 && target.knownHostsPathSource !== undefined
        ? ` (${target.knownHostsPathSource} replaces ~/.ssh/known_hosts, and no other known_hosts ` +
          'was given: the known-hosts input or --known-hosts)'
        : ''
  }
  const name = knownHostsName(target.address, target.port)
  // Keys accepted earlier in the run count for accept-new only: strict means known_hosts alone.
  const remembered = (): KnownHostEntry[] =>
    target.mode === 'accept-new' ? acceptedEntries(name) : []

  const check: HostKeyCheck = {
    verify: (key: Buffer): boolean => {
      const refuse = (reason: Refusal): false => {
        check.refusal = hostKeyRefusal(reason, { target, name, key, sources })
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
      if (verdict.status === 'trusted') return trustedUnchecked()
      // accept-new adds a key only for a host with nothing recorded: a new key TYPE for a known host
      // is as suspicious as a changed key, since we ask for the known types first.
      if (
        target.mode === 'accept-new' &&
        verdict.status === 'unknown' &&
        verdict.otherTypes.length === 0
      ) {
        accept(target, name, key)
        return trustedUnchecked()
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

/** Where keys were looked for, for messages. */
interface Sources {
  searched: string
  /** Why there was nothing to look in, when a UserKnownHostsFile option left nothing. */
  emptyBecause: string
}

/**
 * A known_hosts file's text; a missing file is an empty one, as for ssh.
 * @throws ConnectionError when the file exists but cannot be read
 */
async function readKnownHostsFile(path: string, target: HostKeyTarget): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return ''
    throw new ConnectionError(
      `cannot read known_hosts file ${path} for ${target.where}: ${errorText(error)}`,
      target.host
    )
  }
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
    where: target.where,
    name,
    keyType,
    fingerprint,
    line,
    pinVariable: target.pinsVariable,
    warning:
      `host-key-checking accept-new: trusting ${keyType} ${fingerprint} for ${target.where} ` +
      `(${target.endpoint}), seen for the first time; it is trusted for the rest of this run only. ` +
      `To trust it for good, pin it with ${target.pinsVariable}: ${fingerprint}, or add this line ` +
      `to known_hosts: ${line}`
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
  context: { target: HostKeyTarget; name: string; key: Buffer; sources: Sources }
): HostKeyError {
  const { target, name, key, sources } = context
  const where = target.where
  const fingerprint = fingerprintSha256(key)
  const presented = `${keyTypeOfBlob(key) ?? 'unknown'} ${fingerprint}`
  const line = formatKnownHostsLine(name, key)
  // The known_hosts name and line hold the address: they go to the log, through the error's detail.
  const inLog = 'the known_hosts line to add is in the log'
  let message: string
  let detail = `${where} is ${target.endpoint}, known to known_hosts as ${name}`
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
        `replace the old line (${inLog}) or pin the new key with ${target.pinsVariable}.`
      detail += `; to trust the key it presented instead, replace the old line with:\n${line}`
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
        `Host key verification failed for ${where}: no key for it in ${sources.searched}` +
        `${sources.emptyBecause}${others}. The host presented ${presented}. If you trust it, pin it ` +
        `with ${target.pinsVariable}: ${fingerprint}, or add it to known_hosts (${inLog}).`
      detail += `; to trust the key it presented, add this line to known_hosts:\n${line}`
      break
    }
  }
  return new HostKeyError(message, target.host, fingerprint, detail)
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
