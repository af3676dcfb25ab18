/**
 * Ansible Vault's file format, `$ANSIBLE_VAULT;1.1;AES256` and `1.2;AES256;LABEL` (1.2 adds a vault id):
 * the header line, then hex text in lines of 80. The hex decodes to three lines: the salt, the HMAC and the
 * ciphertext, each hex again. The keys come from PBKDF2-HMAC-SHA256 over the password and salt (10000 rounds,
 * 80 bytes: the AES-256 key, the HMAC-SHA256 key and the CTR counter block); the plaintext is PKCS#7-padded
 * to 16 bytes before AES-256-CTR, and the HMAC covers the ciphertext. Written from the format's description
 * in Ansible's documentation ("Vault format"); `__tests__/unit/vault.test.ts` checks it against `ansible-vault`.
 *
 * Node's crypto only: no other library.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  pbkdf2Sync,
  randomBytes,
  timingSafeEqual
} from 'node:crypto'

export const VAULT_HEADER = '$ANSIBLE_VAULT'
const ITERATIONS = 10000
const KEY_LENGTH = 32
const IV_LENGTH = 16
const SALT_LENGTH = 32
const LINE_WIDTH = 80
const CIPHER = 'AES256'

/** Vault text that is not in the format (a broken header, hex or layout). Ansible: "Vault format error". */
export class VaultFormatError extends Error {
  override name = 'VaultFormatError'
}

/** The header and payload of vault text. */
export interface VaultEnvelope {
  version: string
  cipher: string
  /** The vault id (label) of a 1.2 envelope, if it names one. */
  vaultId?: string
  /** The hex payload, line breaks removed. */
  payload: string
}

/** Whether text (or bytes) is vault-encrypted: it starts with the header, and is ASCII as the format is. */
export function isVaultText(data: string | Uint8Array): boolean {
  const text =
    typeof data === 'string'
      ? data
      : Buffer.from(data.subarray(0, VAULT_HEADER.length)).toString('latin1')
  if (!text.startsWith(VAULT_HEADER)) return false
  if (typeof data !== 'string') return data.every((byte) => byte < 0x80)
  // eslint-disable-next-line no-control-regex -- the format is ASCII: anything else is not vault text
  return /^[\x00-\x7f]*$/.test(data)
}

/** Reads the header line and the payload. */
export function parseEnvelope(text: string): VaultEnvelope {
  const lines = text.split(/\r\n|\n|\r/)
  const header = (lines[0] ?? '').trim().split(';')
  if (header[0]?.trim() !== VAULT_HEADER || header.length < 3) {
    throw new VaultFormatError(
      `the header line "${(lines[0] ?? '').slice(0, 80)}" is not ${VAULT_HEADER};VERSION;CIPHER[;ID]`
    )
  }
  const vaultId = header.length >= 4 ? header[3]!.trim() : undefined
  return {
    version: header[1]!.trim(),
    cipher: header[2]!.trim(),
    ...(vaultId ? { vaultId } : {}),
    payload: lines
      .slice(1)
      .map((line) => line.trim())
      .join('')
  }
}

function unhex(text: string, what: string): Buffer {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) {
    throw new VaultFormatError(`the ${what} is not hexadecimal text`)
  }
  return Buffer.from(text, 'hex')
}

function deriveKeys(
  password: Buffer,
  salt: Buffer
): { cipherKey: Buffer; hmacKey: Buffer; iv: Buffer } {
  const derived = pbkdf2Sync(password, salt, ITERATIONS, 2 * KEY_LENGTH + IV_LENGTH, 'sha256')
  return {
    cipherKey: derived.subarray(0, KEY_LENGTH),
    hmacKey: derived.subarray(KEY_LENGTH, 2 * KEY_LENGTH),
    iv: derived.subarray(2 * KEY_LENGTH)
  }
}

/**
 * Decrypts an envelope's payload with one password: the plaintext, or undefined when the password is not the
 * one it was encrypted with (the HMAC does not match).
 * @throws VaultFormatError when the payload is not in the format, or the cipher is not AES256
 */
export function decryptPayload(envelope: VaultEnvelope, password: Buffer): Buffer | undefined {
  if (envelope.cipher !== CIPHER) {
    throw new VaultFormatError(`the cipher ${envelope.cipher} is not supported (only ${CIPHER} is)`)
  }
  const inner = unhex(envelope.payload, 'payload').toString('latin1').split('\n')
  if (inner.length < 3)
    throw new VaultFormatError('the payload does not hold a salt, an HMAC and a ciphertext')
  const salt = unhex(inner[0]!, 'salt')
  const hmac = unhex(inner[1]!, 'HMAC')
  const ciphertext = unhex(inner.slice(2).join('\n'), 'ciphertext')
  const { cipherKey, hmacKey, iv } = deriveKeys(password, salt)
  const expected = createHmac('sha256', hmacKey).update(ciphertext).digest()
  if (hmac.length !== expected.length || !timingSafeEqual(hmac, expected)) return undefined
  const decipher = createDecipheriv('aes-256-ctr', cipherKey, iv)
  const padded = Buffer.concat([decipher.update(ciphertext), decipher.final()])
  const pad = padded[padded.length - 1]
  if (pad === undefined || pad < 1 || pad > 16 || pad > padded.length) {
    throw new VaultFormatError('the decrypted data is not padded as the format requires')
  }
  return padded.subarray(0, padded.length - pad)
}

/**
 * Encrypts bytes as `ansible-vault encrypt` does: format 1.1, or 1.2 when a vault id other than `default`
 * is given. The salt is random unless given (tests).
 */
export function encryptVault(
  plaintext: Buffer,
  password: Buffer,
  options: { vaultId?: string; salt?: Buffer } = {}
): string {
  const salt = options.salt ?? randomBytes(SALT_LENGTH)
  const { cipherKey, hmacKey, iv } = deriveKeys(password, salt)
  const pad = 16 - (plaintext.length % 16)
  const padded = Buffer.concat([plaintext, Buffer.alloc(pad, pad)])
  const cipher = createCipheriv('aes-256-ctr', cipherKey, iv)
  const ciphertext = Buffer.concat([cipher.update(padded), cipher.final()])
  const hmac = createHmac('sha256', hmacKey).update(ciphertext).digest()
  const inner = [salt.toString('hex'), hmac.toString('hex'), ciphertext.toString('hex')].join('\n')
  const hex = Buffer.from(inner, 'latin1').toString('hex')
  const labelled = options.vaultId !== undefined && options.vaultId !== 'default'
  const header = labelled
    ? `${VAULT_HEADER};1.2;${CIPHER};${options.vaultId}`
    : `${VAULT_HEADER};1.1;${CIPHER}`
  const lines = [header]
  for (let at = 0; at < hex.length; at += LINE_WIDTH) lines.push(hex.slice(at, at + LINE_WIDTH))
  return `${lines.join('\n')}\n`
}
