/**
 * Where vault passwords come from, in Ansible's order: the identities of ANSIBLE_VAULT_IDENTITY_LIST, then each
 * `--vault-id [LABEL@]SOURCE`, then each `--vault-password-file FILE` (ANSIBLE_VAULT_PASSWORD_FILE when none is
 * given), then `--ask-vault-password`. A SOURCE is a file holding the password (surrounding whitespace
 * dropped), an executable that prints it (a name ending in `-client` is asked `--vault-id LABEL`), or `prompt`.
 * The action adds its `vault-password` input as the `default` identity.
 */
import { execFileSync } from 'node:child_process'
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { targetEnvironment } from '../connection/local-connection.js'
import { DEFAULT_VAULT_ID, VaultError, type VaultSecret } from './keyring.js'
import { isVaultText } from './vault-format.js'

/** How long a password script may take. */
const SCRIPT_DEADLINE_MS = 60_000
/** What Ansible's client scripts exit with when they have no password for the vault id asked. */
const CLIENT_UNKNOWN_ID_RC = 2

/** What the command line and environment ask for. */
export interface VaultSecretRequest {
  /** `--vault-id` values, in order. */
  ids: readonly string[]
  /** `--vault-password-file` values, in order. */
  passwordFiles: readonly string[]
  /** `--ask-vault-password`. */
  ask: boolean
  cwd: string
  env: NodeJS.ProcessEnv
}

/** Asks for a password on the terminal (the CLI's prompt); `label` names the vault id. */
export type PasswordPrompt = (label: string, ansibleStyle: boolean) => Promise<string>

/** `LABEL@SOURCE` → label and source; without `@`, the default label. */
export function splitVaultId(slug: string): { id: string; source: string } {
  const at = slug.indexOf('@')
  if (at < 0) return { id: DEFAULT_VAULT_ID, source: slug }
  return { id: slug.slice(0, at) || DEFAULT_VAULT_ID, source: slug.slice(at + 1) }
}

/** The identity slugs to load, in Ansible's order. */
export function vaultIdSlugs(request: VaultSecretRequest): string[] {
  const configured = (request.env['ANSIBLE_VAULT_IDENTITY_LIST'] ?? '')
    .split(',')
    .map((slug) => slug.trim())
    .filter((slug) => slug !== '')
  const files =
    request.passwordFiles.length > 0
      ? request.passwordFiles
      : request.env['ANSIBLE_VAULT_PASSWORD_FILE']
        ? [request.env['ANSIBLE_VAULT_PASSWORD_FILE']]
        : []
  const slugs = [
    ...configured,
    ...request.ids,
    ...files.map((file) => `${DEFAULT_VAULT_ID}@${file}`)
  ]
  if (request.ask) slugs.push(`${DEFAULT_VAULT_ID}@prompt_ask_vault_pass`)
  return slugs
}

/**
 * Reads every password asked for.
 * @throws VaultError naming the file or script that gave none
 */
export async function loadVaultSecrets(
  request: VaultSecretRequest,
  prompt: PasswordPrompt
): Promise<VaultSecret[]> {
  const secrets: VaultSecret[] = []
  for (const slug of vaultIdSlugs(request)) {
    const { id, source } = splitVaultId(slug)
    if (source === 'prompt' || source === 'prompt_ask_vault_pass') {
      const typed = (await prompt(id, source === 'prompt_ask_vault_pass')).trim()
      if (typed === '')
        throw new VaultError(
          `Invalid vault password was provided (an empty password for vault id ${id})`
        )
      secrets.push({ id, password: Buffer.from(typed, 'utf8'), source: 'a prompt' })
      continue
    }
    secrets.push({
      id,
      password: passwordFromFile(path.resolve(request.cwd, source), id, request.env),
      source
    })
  }
  return secrets
}

function passwordFromFile(file: string, id: string, env: NodeJS.ProcessEnv): Buffer {
  if (!existsSync(file)) throw new VaultError(`The vault password file ${file} was not found`)
  let password: Buffer
  if (isExecutable(file)) {
    password = runPasswordScript(file, id, env)
  } else {
    let content: Buffer
    try {
      content = readFileSync(file)
    } catch (error) {
      throw new VaultError(
        `Could not read vault password file ${file}: ${(error as Error).message}`
      )
    }
    if (isVaultText(content)) {
      throw new VaultError(
        `The vault password file ${file} is itself vault-encrypted: give the password in plain text (a file only you can read), or a script that prints it`
      )
    }
    password = trim(content, ' \t\n\r\v\f')
  }
  if (password.length === 0)
    throw new VaultError(`Invalid vault password was provided from file (${file})`)
  return password
}

function isExecutable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false
    accessSync(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/**
 * Runs a password script (no shell): its stdout without the line ending is the password. It gets the
 * environment local commands get: the runner's inputs, saved state and tokens removed.
 */
function runPasswordScript(file: string, id: string, env: NodeJS.ProcessEnv): Buffer {
  const name = path.basename(file, path.extname(file))
  const client = name.endsWith('-client')
  const args = client ? ['--vault-id', id] : []
  try {
    const stdout = execFileSync(file, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: targetEnvironment(env),
      timeout: SCRIPT_DEADLINE_MS,
      maxBuffer: 1024 * 1024
    })
    return trim(stdout, '\r\n')
  } catch (error) {
    const failure = error as {
      status?: number | null
      stderr?: Buffer
      signal?: string | null
      code?: string
    }
    const stderr = failure.stderr?.toString('utf8').trim() ?? ''
    if (failure.code === 'ETIMEDOUT' || failure.signal === 'SIGTERM') {
      throw new VaultError(
        `Vault password script ${file} did not finish within ${SCRIPT_DEADLINE_MS / 1000} s`
      )
    }
    if (typeof failure.status !== 'number') {
      throw new VaultError(
        `Problem running vault password script ${file} (${(error as Error).message}). If this is not a script, remove the executable bit from the file.`
      )
    }
    if (client && failure.status === CLIENT_UNKNOWN_ID_RC) {
      throw new VaultError(
        `Vault password client script ${file} did not find a secret for vault-id=${id}: ${stderr}`
      )
    }
    throw new VaultError(
      client
        ? `Vault password client script ${file} returned non-zero (${failure.status}) when getting secret for vault-id=${id}: ${stderr}`
        : `Vault password script ${file} returned non-zero (${failure.status}): ${stderr}`
    )
  }
}

function trim(bytes: Buffer, characters: string): Buffer {
  const set = new Set([...characters].map((c) => c.charCodeAt(0)))
  let start = 0
  let end = bytes.length
  while (start < end && set.has(bytes[start]!)) start++
  while (end > start && set.has(bytes[end - 1]!)) end--
  return bytes.subarray(start, end)
}
