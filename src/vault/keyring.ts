/**
 * The vault passwords of a run and what decrypts with them. One run is one process (the CLI, the action), so
 * the run's keyring is installed once, before anything is loaded, and every reader of controller files and
 * YAML finds it here: a vars file, an inventory, a `!vault` value, a copy/template source, as Ansible's
 * DataLoader decrypts whatever it reads.
 *
 * Everything decrypted is handed to the keyring's `onReveal` first (the action masks it in the log), before
 * any caller can print it.
 */
import { AsyncPlaybookError, type SourceLocation } from '../errors.js'
import { markUnsafe } from '../values/unsafe.js'
import { decryptPayload, parseEnvelope, VaultFormatError } from './vault-format.js'

/** Ansible's name for a password given without a label. */
export const DEFAULT_VAULT_ID = 'default'

/** One vault password and its label (`--vault-id LABEL@SOURCE`; `default` without a label). */
export interface VaultSecret {
  id: string
  password: Buffer
  /** Where it came from, for messages (never the password). */
  source: string
}

/** Vault text that cannot be decrypted: no password, none that fits, or text not in the format. Exit code 1. */
export class VaultError extends AsyncPlaybookError {
  constructor(
    message: string,
    location?: SourceLocation,
    /** Ansible's own words, without the file or the advice: what a task using a `!vault` value fails with. */
    readonly ansibleMessage = message
  ) {
    super(message, location)
  }
}

const HOW_TO_GIVE =
  'give the vault password with --vault-password-file FILE or --vault-id [LABEL@]FILE ' +
  '(ANSIBLE_VAULT_PASSWORD_FILE), or in the action with the vault-password input from a secret'

export class VaultKeyring {
  /** The texts decrypted so far (values, their lines), longest first once asked for: see revealedTexts. */
  private readonly revealed = new Set<string>()
  private sortedRevealed: string[] | undefined
  /**
   * The plaintexts of `!vault` values: what the `vault_encrypted` test answers true for. Ansible keeps such a
   * value as an object of its own; ours is the plain text once read, so the text is what is remembered.
   */
  private readonly vaultValues = new Set<string>()

  constructor(
    readonly secrets: readonly VaultSecret[] = [],
    /** Sees every value decrypted, before it is returned (the action masks it). */
    private readonly onReveal?: (value: unknown) => void
  ) {}

  /**
   * Decrypts vault text as Ansible does: a password whose label matches the text's vault id first, then
   * every other one in the order given.
   * @param source what the text is, for messages: a file name, or `file:line` of a `!vault` value
   * @throws VaultError
   */
  decrypt(text: string, source: string, location?: SourceLocation): Buffer {
    let envelope
    try {
      envelope = parseEnvelope(text)
    } catch (error) {
      if (error instanceof VaultFormatError) {
        throw new VaultError(
          `Vault envelope format error in ${source}: ${error.message}`,
          location,
          `Vault envelope format error: ${error.message}`
        )
      }
      throw error
    }
    if (this.secrets.length === 0) {
      throw new VaultError(
        `Attempting to decrypt but no vault secrets found (${source} is vault-encrypted): ${HOW_TO_GIVE}`,
        location,
        'Attempting to decrypt but no vault secrets found'
      )
    }
    const wanted = envelope.vaultId ?? DEFAULT_VAULT_ID
    const ordered = [
      ...this.secrets.filter((secret) => secret.id === wanted),
      ...this.secrets.filter((secret) => secret.id !== wanted)
    ]
    for (const secret of ordered) {
      let plaintext
      try {
        plaintext = decryptPayload(envelope, secret.password)
      } catch (error) {
        if (error instanceof VaultFormatError) {
          throw new VaultError(
            `There was a vault format error in ${source}: ${error.message}`,
            location,
            `Vault format error: ${error.message}`
          )
        }
        throw error
      }
      if (plaintext !== undefined) return plaintext
    }
    const tried = this.secrets.map((secret) => secret.id).join(', ')
    throw new VaultError(
      `Decryption failed (no vault secrets were found that could decrypt) on ${source}: ` +
        `the vault ids tried (${tried}) do not hold its password${envelope.vaultId ? ` (it names vault id ${envelope.vaultId})` : ''}`,
      location,
      'Decryption failed (no vault secrets were found that could decrypt)'
    )
  }

  /** Hands a decrypted value (text, or what was read from decrypted YAML) to `onReveal`. */
  reveal(value: unknown): void {
    collectRevealed(value, this.revealed, 0)
    this.sortedRevealed = undefined
    this.onReveal?.(value)
  }

  /** Records the plaintext of a `!vault` value (vaultValueDecryptor). */
  rememberVaultValue(plaintext: string): void {
    this.vaultValues.add(plaintext)
  }

  /** Whether `value` is the plaintext of a `!vault` value read in this run (the `vault_encrypted` test). */
  isVaultValue(value: unknown): boolean {
    return typeof value === 'string' && this.vaultValues.has(value)
  }

  /**
   * Every text decrypted so far, as the log masker sees it: each string value and each of its lines
   * (trimmed, 3 characters or more, as the runner masks), each number as its digits; longest first, so that a
   * whole value is replaced before any of its lines. Diffs are masked with these (vaulted-diff.ts).
   */
  revealedTexts(): readonly string[] {
    this.sortedRevealed ??= [...this.revealed].sort((a, b) => b.length - a.length)
    return this.sortedRevealed
  }
}

/** The shortest decrypted text masked in diffs (the runner's log masker skips shorter ones too). */
const SHORTEST_MASKED = 3

function collectRevealed(value: unknown, into: Set<string>, depth: number): void {
  if (depth > 20) return
  if (typeof value === 'number' || typeof value === 'bigint') value = String(value)
  if (typeof value === 'string' || value instanceof String) {
    const text = String(value)
    for (const part of [text, ...text.split(/\r\n|\n|\r/)]) {
      const trimmed = part.trim()
      if (trimmed.length >= SHORTEST_MASKED) into.add(trimmed)
    }
  } else if (Array.isArray(value)) {
    for (const item of value) collectRevealed(item, into, depth + 1)
  } else if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) collectRevealed(item, into, depth + 1)
  }
}

let current = new VaultKeyring()

/** Installs the run's keyring: before the playbook, inventories or extra vars are read. */
export function setVaultKeyring(keyring: VaultKeyring): void {
  current = keyring
}

/** The run's keyring (one without passwords until one is installed). */
export function vaultKeyring(): VaultKeyring {
  return current
}

/** The template global that fails a task using a `!vault` value no password decrypted (lazyVaultFailure). */
export const VAULT_FAILURE_GLOBAL = '__apb_vault_failed'

/**
 * What a `!vault` value no password decrypts stands as: as in Ansible, loading it is no error, and only a
 * task that uses it fails, with `message`. The value is a template that calls VAULT_FAILURE_GLOBAL.
 */
export function lazyVaultFailure(message: string): string {
  const literal = message.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')
  return `{{ ${VAULT_FAILURE_GLOBAL}('${literal}') }}`
}

/**
 * How the YAML readers decrypt `!vault` values of `file` with the run's keyring: each plaintext revealed to
 * the masker and returned as text that is never templated (Ansible's vault strings are not); a value no
 * password opens becomes lazyVaultFailure, as in Ansible.
 */
export function vaultValueDecryptor(file: string): (ciphertext: string, line: number) => string {
  return (ciphertext, line) => {
    const keyring = vaultKeyring()
    let plaintext: string
    try {
      plaintext = keyring
        .decrypt(ciphertext, `the !vault value at ${file}:${line}`, { file, line })
        .toString('utf8')
    } catch (error) {
      if (error instanceof VaultError) return lazyVaultFailure(error.ansibleMessage)
      throw error
    }
    keyring.reveal(plaintext)
    keyring.rememberVaultValue(plaintext)
    return markUnsafe(plaintext)
  }
}
