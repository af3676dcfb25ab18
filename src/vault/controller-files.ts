/**
 * Controller files that may be vault-encrypted, read as Ansible's DataLoader reads them: whatever starts with
 * the vault header is decrypted with the run's keyring (src/vault/keyring.ts) and its content revealed to the
 * keyring's masker before anyone sees it.
 */
import { readFileSync } from 'node:fs'
import { vaultKeyring } from './keyring.js'
import { isVaultText } from './vault-format.js'

/**
 * Bytes as given, or decrypted when they are vault text. `reveal`: hand the plaintext to the masker now (a
 * caller that parses it, such as a YAML loader, reveals the parsed values instead).
 * @throws VaultError
 */
export function decryptIfVaulted(
  content: Buffer,
  source: string,
  reveal = true
): { content: Buffer; vaulted: boolean } {
  if (!isVaultText(content)) return { content, vaulted: false }
  const keyring = vaultKeyring()
  const plaintext = keyring.decrypt(content.toString('latin1'), source)
  if (reveal) keyring.reveal(plaintext.toString('utf8'))
  return { content: plaintext, vaulted: true }
}

/** Text as given, or decrypted (UTF-8) when it is vault text. @throws VaultError */
export function decryptTextIfVaulted(
  text: string,
  source: string,
  reveal = true
): { text: string; vaulted: boolean } {
  if (!isVaultText(text)) return { text, vaulted: false }
  const { content } = decryptIfVaulted(Buffer.from(text, 'latin1'), source, reveal)
  return { text: content.toString('utf8'), vaulted: true }
}

/** A controller file's bytes, decrypted when vault-encrypted. @throws VaultError, and fs errors */
export function readControllerFile(file: string): Buffer {
  return decryptIfVaulted(readFileSync(file), file).content
}
