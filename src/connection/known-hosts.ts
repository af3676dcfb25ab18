import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

/**
 * OpenSSH known_hosts parsing and host key checking. Pure: no file or network access, so the rules
 * (patterns, negation, hashed names, @revoked) are unit-tested without a server.
 */

/** One usable line of a known_hosts file. */
export interface KnownHostEntry {
  /** `revoked` for `@revoked` lines; `@cert-authority` lines are not kept (certificates are not supported). */
  marker: 'revoked' | undefined
  /** The comma-separated host patterns, or the hashed name of a `|1|salt|hash` entry. */
  hosts: HostMatcher
  /** Key type as written, e.g. `ssh-ed25519`. */
  keyType: string
  /** The decoded key blob (the bytes a server sends as its host key). */
  key: Buffer
  /** Where the entry came from, e.g. `/root/.ssh/known_hosts:3`. */
  source: string
}

type HostMatcher =
  | { kind: 'patterns'; patterns: { negated: boolean; pattern: string }[] }
  | { kind: 'hashed'; salt: Buffer; hash: Buffer }

/** Outcome of checking a presented host key against known_hosts entries. */
export type HostKeyVerdict =
  | { status: 'trusted'; entry: KnownHostEntry }
  | { status: 'revoked'; entry: KnownHostEntry }
  /** The host is known, but with a different key of the same type. */
  | { status: 'changed'; expected: KnownHostEntry[] }
  /** No key of the presented type is recorded for the host; `otherTypes` lists the types that are. */
  | { status: 'unknown'; otherTypes: string[] }

/**
 * Parses known_hosts text. Comments, blank lines, `@cert-authority` lines and malformed lines are
 * skipped (never thrown on), as OpenSSH does.
 * @param text the file's contents
 * @param sourceName used in `source` of each entry (`name:line`)
 */
export function parseKnownHosts(text: string, sourceName = 'known_hosts'): KnownHostEntry[] {
  const entries: KnownHostEntry[] = []
  const lines = text.split(/\r?\n/)
  lines.forEach((rawLine, index) => {
    const entry = parseLine(rawLine, `${sourceName}:${index + 1}`)
    if (entry) entries.push(entry)
  })
  return entries
}

function parseLine(rawLine: string, source: string): KnownHostEntry | undefined {
  const line = rawLine.trim()
  if (line === '' || line.startsWith('#')) return undefined
  const fields = line.split(/[ \t]+/)
  let marker: KnownHostEntry['marker']
  if (fields[0]?.startsWith('@')) {
    const word = fields.shift()
    if (word === '@revoked') marker = 'revoked'
    else return undefined // @cert-authority or an unknown marker: not a plain host key
  }
  const [hostField, keyType, keyBase64] = fields
  if (!hostField || !keyType || !keyBase64) return undefined
  const hosts = parseHostField(hostField)
  if (!hosts) return undefined
  const key = decodeKeyBlob(keyBase64)
  // The blob names its own type; a line whose type disagrees with its blob is corrupt.
  if (!key || keyTypeOfBlob(key) !== keyType) return undefined
  return { marker, hosts, keyType, key, source }
}

function parseHostField(field: string): HostMatcher | undefined {
  if (field.startsWith('|')) {
    // |1|base64(salt)|base64(HMAC-SHA1(salt, name))
    const parts = field.split('|')
    if (parts.length !== 4 || parts[1] !== '1') return undefined
    const salt = decodeStrictBase64(parts[2] ?? '')
    const hash = decodeStrictBase64(parts[3] ?? '')
    if (!salt || !hash || salt.length !== 20 || hash.length !== 20) return undefined
    return { kind: 'hashed', salt, hash }
  }
  const patterns = field
    .split(',')
    .filter((p) => p !== '')
    .map((p) =>
      p.startsWith('!') ? { negated: true, pattern: p.slice(1) } : { negated: false, pattern: p }
    )
  if (patterns.length === 0) return undefined
  return { kind: 'patterns', patterns }
}

function decodeStrictBase64(text: string): Buffer | undefined {
  if (text === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined
  return Buffer.from(text, 'base64')
}

function decodeKeyBlob(text: string): Buffer | undefined {
  const blob = decodeStrictBase64(text)
  return blob && blob.length >= 4 ? blob : undefined
}

/** Returns the key type string that opens an SSH public key blob, or undefined when it is malformed. */
export function keyTypeOfBlob(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined
  const length = blob.readUInt32BE(0)
  if (length === 0 || length > 64 || 4 + length > blob.length) return undefined
  return blob.subarray(4, 4 + length).toString('latin1')
}

/** The OpenSSH fingerprint of a key blob: `SHA256:` and the unpadded base64 SHA-256 digest. */
export function fingerprintSha256(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')
}

/**
 * The name OpenSSH looks up in known_hosts: the address for port 22, `[address]:port` otherwise.
 */
export function knownHostsName(address: string, port: number): string {
  return port === 22 ? address : `[${address}]:${port}`
}

/** A known_hosts line that trusts `key` for `name` (as `ssh-keyscan` would print it). */
export function formatKnownHostsLine(name: string, key: Buffer): string {
  return `${name} ${keyTypeOfBlob(key) ?? 'unknown'} ${key.toString('base64')}`
}

/** True when `name` matches the entry's host field (patterns with negation, or a hashed name). */
export function entryMatchesHost(entry: KnownHostEntry, name: string): boolean {
  const hosts = entry.hosts
  if (hosts.kind === 'hashed') {
    const digest = createHmac('sha1', hosts.salt).update(name).digest()
    return digest.length === hosts.hash.length && timingSafeEqual(digest, hosts.hash)
  }
  let matched = false
  for (const { negated, pattern } of hosts.patterns) {
    if (!wildcardMatch(pattern.toLowerCase(), name.toLowerCase())) continue
    // A matching negated pattern vetoes the whole line, whatever else matches.
    if (negated) return false
    matched = true
  }
  return matched
}

/** OpenSSH's match_pattern: `*` any run of characters, `?` exactly one. */
export function wildcardMatch(pattern: string, text: string): boolean {
  let p = 0
  let t = 0
  let starP = -1
  let starT = 0
  while (t < text.length) {
    const pc = pattern[p]
    if (pc === '*') {
      starP = p++
      starT = t
    } else if (pc !== undefined && (pc === '?' || pc === text[t])) {
      p++
      t++
    } else if (starP !== -1) {
      p = starP + 1
      t = ++starT
    } else {
      return false
    }
  }
  while (pattern[p] === '*') p++
  return p === pattern.length
}

/**
 * Checks the key a server presented for `name` against known_hosts entries, with OpenSSH's precedence:
 * a matching `@revoked` key refuses; a recorded identical key trusts; a recorded different key of the
 * same type means the key changed; otherwise the host (or this key type) is unknown.
 */
export function checkHostKey(
  entries: readonly KnownHostEntry[],
  name: string,
  presented: Buffer
): HostKeyVerdict {
  const forHost = entries.filter((e) => entryMatchesHost(e, name))
  const revoked = forHost.find((e) => e.marker === 'revoked' && e.key.equals(presented))
  if (revoked) return { status: 'revoked', entry: revoked }
  const plain = forHost.filter((e) => e.marker === undefined)
  const same = plain.find((e) => e.key.equals(presented))
  if (same) return { status: 'trusted', entry: same }
  const presentedType = keyTypeOfBlob(presented)
  const sameType = plain.filter((e) => e.keyType === presentedType)
  if (sameType.length > 0) return { status: 'changed', expected: sameType }
  return { status: 'unknown', otherTypes: [...new Set(plain.map((e) => e.keyType))] }
}

/** Key types recorded (not revoked) for `name`, in file order: used to prefer them during key exchange. */
export function knownKeyTypes(entries: readonly KnownHostEntry[], name: string): string[] {
  const types = entries
    .filter((e) => e.marker === undefined && entryMatchesHost(e, name))
    .map((e) => e.keyType)
  return [...new Set(types)]
}
