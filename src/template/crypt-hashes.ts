/**
 * Password hashes in crypt(3)'s formats, as Ansible's `password_hash` filter prints them: SHA-crypt
 * (`$5$`, `$6$`, written here from Ulrich Drepper's public specification "Unix crypt using SHA-256 and
 * SHA-512"), MD5-crypt (`$1$`, from the FreeBSD algorithm's public description) over Node's crypto, and
 * bcrypt through bcryptjs (the one importer of that library).
 */
import { createHash } from 'node:crypto'
import bcrypt from 'bcryptjs'

const CRYPT_ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

/** crypt's base-64: `count` characters of the 24-bit number made of three bytes, low six bits first. */
function encode24(b2: number, b1: number, b0: number, count: number): string {
  let word = (b2 << 16) | (b1 << 8) | b0
  let out = ''
  for (let i = 0; i < count; i++) {
    out += CRYPT_ALPHABET[word & 0x3f]
    word >>>= 6
  }
  return out
}

/** `source` repeated (and cut) to `length` bytes. */
function stretch(source: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length)
  for (let i = 0; i < length; i += source.length)
    source.copy(out, i, 0, Math.min(source.length, length - i))
  return out
}

// The byte triplets the specification encodes, in order, for each digest size.
const SHA256_ORDER = [
  [0, 10, 20], [21, 1, 11], [12, 22, 2], [3, 13, 23], [24, 4, 14],
  [15, 25, 5], [6, 16, 26], [27, 7, 17], [18, 28, 8], [9, 19, 29]
] // prettier-ignore
const SHA512_ORDER = Array.from({ length: 21 }, (_, i) => {
  const cycle = [i, i + 21, i + 42]
  const shift = i % 3
  return [cycle[shift]!, cycle[(shift + 1) % 3]!, cycle[(shift + 2) % 3]!]
})

/** The default rounds when the hash string names none (the specification's). */
export const SHA_CRYPT_IMPLICIT_ROUNDS = 5000

/**
 * SHA-crypt of `password` with `salt` (at most 16 characters used) and `rounds` (1000 to 999999999).
 * The rounds are written in the result unless they are the implicit 5000.
 */
export function shaCrypt(
  variant: 'sha256' | 'sha512',
  password: Buffer,
  salt: string,
  rounds: number
): string {
  const hash = (...parts: Buffer[]) => {
    const h = createHash(variant)
    for (const part of parts) h.update(part)
    return h.digest()
  }
  const size = variant === 'sha256' ? 32 : 64
  const saltBytes = Buffer.from(salt.slice(0, 16), 'utf8')
  const b = hash(password, saltBytes, password)
  const aParts: Buffer[] = [password, saltBytes, stretch(b, password.length)]
  for (let n = password.length; n > 0; n >>= 1) aParts.push(n & 1 ? b : password)
  const a = hash(...aParts)
  const p = stretch(hash(...Array<Buffer>(password.length).fill(password)), password.length)
  const s = stretch(hash(...Array<Buffer>(16 + a[0]!).fill(saltBytes)), saltBytes.length)
  let c = a
  for (let i = 0; i < rounds; i++) {
    const parts: Buffer[] = [i & 1 ? p : c]
    if (i % 3) parts.push(s)
    if (i % 7) parts.push(p)
    parts.push(i & 1 ? c : p)
    c = hash(...parts)
  }
  let encoded = ''
  for (const [x, y, z] of size === 32 ? SHA256_ORDER : SHA512_ORDER)
    encoded += encode24(c[x!]!, c[y!]!, c[z!]!, 4)
  encoded += size === 32 ? encode24(0, c[31]!, c[30]!, 3) : encode24(0, 0, c[63]!, 2)
  const id = variant === 'sha256' ? '5' : '6'
  const roundsPart = rounds === SHA_CRYPT_IMPLICIT_ROUNDS ? '' : `rounds=${rounds}$`
  return `$${id}$${roundsPart}${saltBytes.toString('utf8')}$${encoded}`
}

/** MD5-crypt (`$1$`) of `password` with `salt` (at most 8 characters used). */
export function md5Crypt(password: Buffer, salt: string): string {
  const md5 = (...parts: Buffer[]) => {
    const h = createHash('md5')
    for (const part of parts) h.update(part)
    return h.digest()
  }
  const magic = Buffer.from('$1$')
  const saltBytes = Buffer.from(salt.slice(0, 8), 'utf8')
  const alternate = md5(password, saltBytes, password)
  const parts: Buffer[] = [password, magic, saltBytes, stretch(alternate, password.length)]
  for (let n = password.length; n > 0; n >>= 1)
    parts.push(n & 1 ? Buffer.from([0]) : password.subarray(0, 1))
  let digest = md5(...parts)
  for (let i = 0; i < 1000; i++) {
    const round: Buffer[] = [i & 1 ? password : digest]
    if (i % 3) round.push(saltBytes)
    if (i % 7) round.push(password)
    round.push(i & 1 ? digest : password)
    digest = md5(...round)
  }
  let encoded = ''
  for (const [x, y, z] of [
    [0, 6, 12],
    [1, 7, 13],
    [2, 8, 14],
    [3, 9, 15],
    [4, 10, 5]
  ])
    // prettier-ignore
    encoded += encode24(digest[x!]!, digest[y!]!, digest[z!]!, 4)
  encoded += encode24(0, 0, digest[11]!, 2)
  return `$1$${saltBytes.toString('utf8')}$${encoded}`
}

/** bcrypt of `password` with a 22-character salt, `rounds` (log2 cost, 4 to 31) and `ident` (2a, 2b, 2y). */
export function bcryptHash(password: string, salt: string, rounds: number, ident: string): string {
  return bcrypt.hashSync(password, `$${ident}$${String(rounds).padStart(2, '0')}$${salt}`)
}
