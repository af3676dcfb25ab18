/**
 * What get_url decides without the target: the `checksum` argument (`ALGORITHM:HEX` or
 * `ALGORITHM:URL` of a checksum list), the file name a download gets in a directory, and the dates
 * and messages of its requests, as Ansible 2.14's get_url has them.
 */
import { createHash } from 'node:crypto'
import path from 'node:path'
import { CHECKSUM_ALGORITHMS, type ChecksumAlgorithm } from '../facts/path.js'

/** The checksum argument split at its first colon; undefined when it has none. */
export function splitChecksum(value: string): { algorithm: string; value: string } | undefined {
  const colon = value.indexOf(':')
  if (colon < 0) return undefined
  return { algorithm: value.slice(0, colon), value: value.slice(colon + 1) }
}

/** Whether the checksum's value names a file to download (Ansible's schemes: http, https, ftp, file). */
export function isChecksumUrl(value: string): boolean {
  return /^(?:https?|ftp|file):/i.test(value)
}

/**
 * The digest as Ansible compares it: every run of characters that are not letters, digits or `_`
 * removed (a zero-width space pasted with it), lower-cased. Undefined when what is left is not a
 * hexadecimal number as Python's int(x, 16) reads it (`The checksum format is invalid`).
 */
export function cleanChecksum(value: string): string | undefined {
  const cleaned = value.replace(/[^\p{L}\p{N}_]+/gu, '').toLowerCase()
  return /^(?:0x)?[0-9a-f](?:_?[0-9a-f])*$/.test(cleaned) ? cleaned : undefined
}

/** Whether get_url can hash with this algorithm (the names in Ansible's message). */
export function isSupportedAlgorithm(name: string): name is ChecksumAlgorithm {
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(name)
}

/** Ansible's failure for an algorithm it cannot hash with. */
export function unsupportedAlgorithmMessage(file: string, algorithm: string): string {
  return (
    `Could not hash file '${file}' with algorithm '${algorithm}'. ` +
    `Available algorithms: ${CHECKSUM_ALGORITHMS.join(', ')}`
  )
}

/**
 * The checksum for `filename` in a checksum list (SHA256SUMS: `HEX  NAME` or `HEX *NAME` lines, a
 * `./` before the name ignored); a list of one line holding one word is that checksum.
 */
export function checksumFromList(text: string, filename: string): string | undefined {
  const lines = text.split('\n')
  if (text.endsWith('\n')) lines.pop()
  if (lines.length === 1 && lines[0]!.split(/\s+/).filter(Boolean).length === 1) {
    return lines[0]!.trim()
  }
  for (const line of lines) {
    const space = line.indexOf(' ')
    if (space < 0) continue
    let name = line.slice(space + 1)
    if (name.startsWith(' ') || name.startsWith('*')) name = name.slice(1)
    // Python's lstrip("./"): every leading dot and slash.
    name = name.replace(/^[./]+/, '')
    if (name === filename) return line.slice(0, space)
  }
  return undefined
}

/** The last part of a URL's path, or `index.html` when it has none (Ansible's url_filename). */
export function urlFilename(url: string): string {
  const withoutQuery = url.replace(/[?#].*$/, '')
  const afterHost = /^[a-z][a-z0-9+.-]*:\/\/[^/]*(.*)$/i.exec(withoutQuery)
  const pathPart = afterHost ? afterHost[1]! : withoutQuery
  const name = pathPart.slice(pathPart.lastIndexOf('/') + 1)
  return name === '' ? 'index.html' : name
}

/** The file name of `Content-Disposition: attachment; filename="…"`, its last part only. */
export function dispositionFilename(headers: Readonly<Record<string, string>>): string | undefined {
  const value = headers['content-disposition']
  if (value === undefined) return undefined
  const match = /^attachment; ?filename="?([^"]+)/.exec(value)
  if (!match) return undefined
  const name = path.posix.basename(match[1]!)
  return name === '' ? undefined : name
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** An If-Modified-Since date for a file's mtime (seconds): `Tue, 01 Jan 2019 00:00:00 GMT`. */
export function httpDate(epochSeconds: number): string {
  const d = new Date(Math.floor(epochSeconds) * 1000)
  const two = (n: number): string => String(n).padStart(2, '0')
  return (
    `${DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} GMT`
  )
}

/** sha1 of bytes, hex. */
export function sha1Hex(bytes: Buffer): string {
  return createHash('sha1').update(bytes).digest('hex')
}

/** os.path.dirname: `/a/dir/` gives `/a/dir` (Node's gives `/a`), `/x` gives `/`, `x` gives ``. */
export function pythonDirname(p: string): string {
  const head = p.slice(0, p.lastIndexOf('/') + 1)
  if (head === '' || /^\/+$/.test(head)) return head
  return head.replace(/\/+$/, '')
}
