/** Digest and password filters: hash, checksum, password_hash, to_uuid. */
import { createHash, getHashes, randomInt } from 'node:crypto'
import { TemplateError } from '../errors.js'
import { bcryptHash, md5Crypt, shaCrypt } from './crypt-hashes.js'
import { type FilterFunction, toText } from './filter-args.js'
import { pyTypeName } from './python.js'

// Python's hashlib names that Node spells differently.
const NODE_HASH_NAMES: Record<string, string> = {
  sha3_224: 'sha3-224',
  sha3_256: 'sha3-256',
  sha3_384: 'sha3-384',
  sha3_512: 'sha3-512',
  blake2b: 'blake2b512',
  blake2s: 'blake2s256',
  sha512_224: 'sha512-224',
  sha512_256: 'sha512-256'
}
const PYTHON_HASHES = new Set([
  'md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512', 'md5-sha1', 'sm3', 'ripemd160',
  ...Object.keys(NODE_HASH_NAMES)
]) // prettier-ignore

/** Python hashlib's hexdigest of the value's text (str() of non-strings, as Ansible's to_bytes). */
function hexDigest(value: unknown, hashtype: string): string {
  const name = hashtype.toLowerCase()
  const nodeName = NODE_HASH_NAMES[name] ?? name
  if (!PYTHON_HASHES.has(name) || !getHashes().includes(nodeName))
    throw new TemplateError(`unsupported hash type ${hashtype}`)
  return createHash(nodeName).update(toText(value), 'utf8').digest('hex')
}

// Ansible's namespace for to_uuid (UUID_NAMESPACE_ANSIBLE).
const ANSIBLE_UUID_NAMESPACE = '361e6d51-faec-444a-9079-341386da8e2e'

/** RFC 4122 name-based UUID, version 5 (SHA-1). */
function uuid5(name: string, namespace: string): string {
  const hex = namespace.replace(/^urn:uuid:/i, '').replace(/[{}-]/g, '')
  if (!/^[0-9a-f]{32}$/i.test(hex))
    throw new TemplateError(
      `Invalid value '${namespace}' for 'namespace': badly formed hexadecimal UUID string`
    )
  const bytes = createHash('sha1')
    .update(Buffer.from(hex, 'hex'))
    .update(name, 'utf8')
    .digest()
    .subarray(0, 16)
  bytes[6] = (bytes[6]! & 0x0f) | 0x50
  bytes[8] = (bytes[8]! & 0x3f) | 0x80
  const h = bytes.toString('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

interface Scheme {
  name: string // passlib's name, as Ansible's messages print it
  saltSize: number
  exactSalt: boolean
  defaultRounds?: number
  minRounds?: number
  maxRounds?: number
}

// Ansible (through passlib) maps md5/blowfish/sha256/sha512 to these schemes.
const SCHEMES: Record<string, Scheme> = {
  sha512_crypt: { name: 'sha512_crypt', saltSize: 16, exactSalt: false, defaultRounds: 656000, minRounds: 1000, maxRounds: 999999999 },
  sha256_crypt: { name: 'sha256_crypt', saltSize: 16, exactSalt: false, defaultRounds: 535000, minRounds: 1000, maxRounds: 999999999 },
  md5_crypt: { name: 'md5_crypt', saltSize: 8, exactSalt: false },
  bcrypt: { name: 'bcrypt', saltSize: 22, exactSalt: true, defaultRounds: 12, minRounds: 4, maxRounds: 31 }
} // prettier-ignore
const SCHEME_ALIASES: Record<string, string> = {
  sha512: 'sha512_crypt',
  sha256: 'sha256_crypt',
  md5: 'md5_crypt',
  blowfish: 'bcrypt'
}
const SALT_CHARS = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const BCRYPT_IDENTS = new Set(['2', '2a', '2b', '2y'])

function hashFailure(reason: string): TemplateError {
  return new TemplateError(`Could not hash the secret.. ${reason}`)
}

function randomSalt(size: number): string {
  return Array.from({ length: size }, () => SALT_CHARS[randomInt(SALT_CHARS.length)]).join('')
}

function integerOption(value: unknown, option: string): number {
  const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value
  if (typeof n !== 'number' || !Number.isInteger(n))
    throw new TemplateError(`password_hash: '${option}' must be an integer, got ${toText(value)}`)
  return n
}

/** Ansible's password_hash: crypt-format hash of the secret with the given (or a random) salt. */
function passwordHash(secret: unknown, args: unknown[], kw: Record<string, unknown>): string {
  const [hashtypeArg = 'sha512', saltArg, saltSizeArg, roundsArg, identArg] = args
  const hashtype = toText(kw.hashtype ?? hashtypeArg)
  const scheme = SCHEMES[SCHEME_ALIASES[hashtype] ?? hashtype]
  if (!scheme)
    throw new TemplateError(
      `password_hash does not support '${hashtype}' algorithm: use sha512, sha256, md5 or bcrypt (blowfish)`
    )
  if (typeof secret !== 'string')
    throw new TemplateError(`secret must be unicode or bytes, not ${pyTypeName(secret)}`)
  const saltValue = kw.salt ?? saltArg
  const saltSize = kw.salt_size ?? saltSizeArg
  const salt =
    saltValue === undefined || saltValue === null || saltValue === ''
      ? randomSalt(
          saltSize === undefined || saltSize === null
            ? scheme.saltSize
            : integerOption(saltSize, 'salt_size')
        )
      : toText(saltValue)
  if (/[^./0-9A-Za-z]/.test(salt)) throw hashFailure(`invalid characters in ${scheme.name} salt`)
  if (scheme.exactSalt && salt.length !== scheme.saltSize)
    throw hashFailure(`salt must be exactly ${scheme.saltSize} chars`)
  if (salt.length > scheme.saltSize)
    throw hashFailure(`salt too large (${scheme.name} requires <= ${scheme.saltSize} chars)`)
  const roundsValue = kw.rounds ?? roundsArg
  let rounds = scheme.defaultRounds
  if (roundsValue !== undefined && roundsValue !== null) {
    if (rounds === undefined)
      throw new TemplateError(`password_hash: ${scheme.name} has no 'rounds' option`)
    rounds = integerOption(roundsValue, 'rounds')
    if (rounds < scheme.minRounds!)
      throw hashFailure(
        `${scheme.name}: min_desired_rounds (${rounds}) is too low, must be at least ${scheme.minRounds}`
      )
    if (rounds > scheme.maxRounds!)
      throw hashFailure(
        `${scheme.name}: min_desired_rounds (${rounds}) is too large, cannot be more than ${scheme.maxRounds}`
      )
  }
  const identValue = kw.ident ?? identArg
  const password = Buffer.from(secret, 'utf8')
  switch (scheme.name) {
    case 'sha512_crypt':
    case 'sha256_crypt':
      return shaCrypt(scheme.name === 'sha512_crypt' ? 'sha512' : 'sha256', password, salt, rounds!)
    case 'md5_crypt':
      return md5Crypt(password, salt)
    default: {
      const ident =
        identValue === undefined || identValue === null || identValue === ''
          ? '2b'
          : toText(identValue)
      if (!BCRYPT_IDENTS.has(ident))
        throw hashFailure(`invalid ident: ${ident} (bcrypt accepts 2, 2a, 2b, 2y)`)
      if (ident === '2')
        throw new TemplateError("password_hash: bcrypt ident '2' is not supported here; use 2b")
      return bcryptHash(secret, salt, rounds!, ident)
    }
  }
}

/** The digest and password filters, by name. */
export const CRYPTO_FILTERS: Record<string, FilterFunction> = {
  hash: (v, [hashtype = 'sha1'], kw) => hexDigest(v, toText(kw.hashtype ?? hashtype)),
  checksum: (v) => hexDigest(v, 'sha1'),
  password_hash: (v, args, kw) => passwordHash(v, args, kw),
  to_uuid: (v, [namespace = ANSIBLE_UUID_NAMESPACE], kw) =>
    uuid5(toText(v), toText(kw.namespace ?? namespace))
}
