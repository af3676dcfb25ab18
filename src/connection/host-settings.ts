import os from 'node:os'
import path from 'node:path'
import { ansibleBoolean } from '../ansible-boolean.js'
import { OptionError } from '../errors.js'
import type { ConnectionSettings, HostKeyChecking, LoginCredentials } from './connection.js'
import { normalizePin } from './host-key-check.js'
import { parseJumpHosts } from './jump-host.js'
import { shlexSplit } from './shell-quote.js'

/** Connection defaults from the command line or action inputs; inventory variables override them. */
export interface ConnectionDefaults extends LoginCredentials {
  port?: number
  /** The user known_hosts file (default ~/.ssh/known_hosts); a host's UserKnownHostsFile replaces it. */
  knownHostsPath?: string
  /** known_hosts text the run was given (the action's `known-hosts` input): trusted for every host. */
  knownHosts?: string
  /** A known_hosts file the run was given (the CLI's --known-hosts): trusted for every host. */
  explicitKnownHostsPath?: string
  hostKeyChecking: HostKeyChecking
  /** What set `hostKeyChecking` (for warnings), e.g. `--host-key-checking` or the action's input. */
  hostKeyCheckingSource?: string
  connectTimeoutMs: number
  /** `user@host:port` of a bastion for hosts that name none themselves (CLI --jump-host, action jump-host). */
  jumpHost?: string
  /**
   * ANSIBLE_SSH_ARGS or ansible.cfg's [ssh_connection] ssh_args: options read before each host's
   * ansible_ssh_common_args and ansible_ssh_extra_args (as Ansible puts them first on ssh's command line).
   */
  sshArgs?: string
  /** Where sshArgs came from, for messages (`ANSIBLE_SSH_ARGS`, or the key and file). */
  sshArgsSource?: string
}

/** `-o` options of ansible_ssh_common_args / ansible_ssh_extra_args we honour. */
const SSH_OPTIONS = [
  'StrictHostKeyChecking',
  'UserKnownHostsFile',
  'ConnectTimeout',
  'ServerAliveInterval',
  'ServerAliveCountMax',
  'Port',
  'ProxyJump',
  'User',
  'IdentityFile',
  'IdentitiesOnly',
  'PasswordAuthentication',
  'PubkeyAuthentication',
  'LogLevel',
  'ControlMaster',
  'ControlPersist',
  'ControlPath',
  'Compression'
]

/**
 * Resolves how to reach a host from its (rendered) variables: ansible_host, ansible_port, ansible_user,
 * ansible_connection, ansible_ssh_private_key_file, ansible_password, ansible_ssh_common_args (its
 * `-o Name=value` options and `-J`), ansible_ssh_host_key_fingerprints (pins), and the jump host
 * variables ansible_ssh_jump_host (wins over ProxyJump / -J), ansible_ssh_jump_private_key_file and
 * ansible_ssh_jump_host_key_fingerprints.
 * @throws OptionError naming the host and the variable that is not valid
 */
export function connectionSettingsFromVars(
  host: string,
  get: (name: string) => unknown,
  defaults: ConnectionDefaults
): ConnectionSettings {
  const str = (name: string): string | undefined => {
    const v = get(name)
    return v === undefined || v === null || v === '' ? undefined : String(v)
  }
  const transport = str('ansible_connection') ?? 'ssh'
  let kind: 'ssh' | 'local'
  if (transport === 'local') kind = 'local'
  else if (['ssh', 'smart', 'paramiko', 'paramiko_ssh', 'ansible.builtin.ssh'].includes(transport))
    kind = 'ssh'
  else {
    throw new OptionError(
      `host ${host}: ansible_connection '${transport}' is not supported; use 'ssh' or 'local'`
    )
  }
  const playDirectory = kind === 'local' ? str('playbook_dir') : undefined
  const settings: ConnectionSettings = {
    host,
    transport: kind,
    ...(playDirectory === undefined ? {} : { workingDirectory: playDirectory }),
    address: str('ansible_host') ?? str('ansible_ssh_host') ?? host,
    port: toPort(host, str('ansible_port') ?? str('ansible_ssh_port') ?? defaults.port ?? 22),
    user: str('ansible_user') ?? str('ansible_ssh_user') ?? defaults.user,
    privateKeyPath: expandHome(
      str('ansible_ssh_private_key_file') ??
        str('ansible_private_key_file') ??
        defaults.privateKeyPath
    ),
    privateKey: defaults.privateKey,
    passphrase: defaults.passphrase,
    ...(defaults.sources ? { sources: defaults.sources } : {}),
    password:
      str('ansible_password') ??
      str('ansible_ssh_pass') ??
      str('ansible_ssh_password') ??
      defaults.password,
    knownHostsPath: defaults.knownHostsPath,
    knownHosts: defaults.knownHosts,
    ...(defaults.explicitKnownHostsPath !== undefined
      ? { explicitKnownHostsPath: defaults.explicitKnownHostsPath }
      : {}),
    hostKeyChecking: defaults.hostKeyChecking,
    hostKeyCheckingSource: defaults.hostKeyCheckingSource ?? 'host-key-checking',
    connectTimeoutMs: toTimeout(
      str('ansible_ssh_timeout') ?? str('ansible_timeout'),
      defaults.connectTimeoutMs
    )
  }
  // As Ansible's config: of the two variables, the one listed last (ansible_ssh_host_key_checking) wins.
  let checkingVariable: string | undefined
  for (const name of ['ansible_host_key_checking', 'ansible_ssh_host_key_checking']) {
    const value = get(name)
    if (value !== undefined && value !== null) checkingVariable = name
  }
  if (checkingVariable !== undefined) {
    settings.hostKeyChecking = hostKeyCheckingVariable(
      host,
      checkingVariable,
      get(checkingVariable)
    )
    settings.hostKeyCheckingSource = `${checkingVariable}: ${String(get(checkingVariable))}`
  }
  // Ansible puts `-o StrictHostKeyChecking=no` before the ssh arguments when the variable is false, and
  // OpenSSH keeps the first value it reads of an option: then the arguments cannot turn checking back on.
  const seen = new Set<string>()
  if (settings.hostKeyChecking === 'off' && checkingVariable !== undefined)
    seen.add('stricthostkeychecking')
  if (defaults.sshArgs && settings.transport === 'ssh')
    applySshArgs(host, defaults.sshArgsSource ?? 'ssh_args', defaults.sshArgs, settings, seen)
  for (const name of ['ansible_ssh_common_args', 'ansible_ssh_extra_args']) {
    const args = str(name)
    if (args) applySshArgs(host, name, args, settings, seen)
  }
  const jumpHost = str('ansible_ssh_jump_host')
  if (jumpHost) settings.jumpHosts = jumpHostsOf(host, 'ansible_ssh_jump_host', jumpHost)
  else if (defaults.jumpHost && !settings.jumpHosts && settings.transport === 'ssh') {
    settings.jumpHosts = jumpHostsOf(host, 'the jump host option', defaults.jumpHost)
  }
  const jumpKey = expandHome(str('ansible_ssh_jump_private_key_file'))
  if (jumpKey) settings.jumpPrivateKeyPath = jumpKey
  const pins = pinsOf(host, 'ansible_ssh_host_key_fingerprints', get)
  if (pins) settings.hostKeyFingerprints = pins
  const jumpPins = pinsOf(host, 'ansible_ssh_jump_host_key_fingerprints', get)
  if (jumpPins) settings.jumpHostKeyFingerprints = jumpPins
  if (settings.jumpHosts?.length === 0) delete settings.jumpHosts
  return settings
}

/** A pin variable as a list of normalized fingerprints: a list, or a string of them split by commas or blanks. */
function pinsOf(
  host: string,
  variable: string,
  get: (name: string) => unknown
): string[] | undefined {
  const value = get(variable)
  if (value === undefined || value === null || value === '') return undefined
  const items = Array.isArray(value) ? value.map(String) : String(value).split(/[\s,]+/)
  const pins = items.map((item) => item.trim()).filter((item) => item !== '')
  if (pins.length === 0) return undefined
  try {
    return pins.map(normalizePin)
  } catch (error) {
    throw new OptionError(`host ${host}: ${variable}: ${(error as Error).message}`)
  }
}

function jumpHostsOf(host: string, source: string, text: string): ConnectionSettings['jumpHosts'] {
  try {
    return parseJumpHosts(text)
  } catch (error) {
    throw new OptionError(`host ${host}: ${source}: ${(error as Error).message}`)
  }
}

/**
 * Applies the `-o` and `-J` options of one ssh argument string. `seen` holds the (lower-case) names of the
 * host key options already set: as OpenSSH, the first value of StrictHostKeyChecking and of
 * UserKnownHostsFile wins.
 */
function applySshArgs(
  host: string,
  variable: string,
  text: string,
  settings: ConnectionSettings,
  seen: Set<string>
): void {
  let words: string[]
  try {
    words = shlexSplit(text)
  } catch {
    throw new OptionError(`host ${host}: ${variable} has unbalanced quotes`)
  }
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!
    let option: string | undefined
    // -C (compression, in Ansible's default ssh_args): the transport here decides that itself.
    if (word === '-C') continue
    if (word === '-o') option = words[++i]
    else if (word.startsWith('-o')) option = word.slice(2)
    else if (word === '-J' || (word.startsWith('-J') && word.length > 2)) {
      const value = word === '-J' ? words[++i] : word.slice(2)
      if (value === undefined)
        throw new OptionError(`host ${host}: ${variable} has '-J' without a jump host`)
      settings.jumpHosts = jumpHostsOf(host, `${variable} -J`, value)
      continue
    } else {
      throw new OptionError(
        `host ${host}: ${variable} option '${word}' is not supported. Only '-J [user@]host[:port]' and '-o Name=value' options are read (${SSH_OPTIONS.join(', ')})`
      )
    }
    const m = /^([A-Za-z]+)\s*[= ]\s*(.*)$/.exec(option ?? '')
    if (!m)
      throw new OptionError(`host ${host}: ${variable} has a malformed -o option '${option ?? ''}'`)
    const [, key, rawValue] = m as unknown as [string, string, string]
    // OpenSSH reads `Name "value"` too: one pair of double quotes around the value is not part of it.
    const value = /^"(.*)"$/.exec(rawValue.trim())?.[1] ?? rawValue.trim()
    const lowerKey = key.toLowerCase()
    if (lowerKey === 'stricthostkeychecking' || lowerKey === 'userknownhostsfile') {
      if (seen.has(lowerKey)) continue
      seen.add(lowerKey)
    }
    switch (lowerKey) {
      case 'stricthostkeychecking':
        settings.hostKeyChecking = strictHostKeyChecking(host, variable, value)
        settings.hostKeyCheckingSource = `${variable} (-o ${key}=${value})`
        break
      case 'proxyjump':
        settings.jumpHosts = jumpHostsOf(host, `${variable} -o ProxyJump`, value)
        break
      case 'userknownhostsfile':
        // It replaces ~/.ssh/known_hosts only: what the run was given explicitly (the known-hosts
        // input, --known-hosts) is still trusted, as OpenSSH still reads GlobalKnownHostsFile.
        if (/\s/.test(value)) {
          throw new OptionError(
            `host ${host}: ${variable}: UserKnownHostsFile with several files is not supported; give one file`
          )
        }
        settings.knownHostsPath = /^(\/dev\/null|none)$/i.test(value)
          ? undefined
          : expandHome(value)
        settings.knownHostsPathSource = `${variable} (-o ${key}=${value})`
        // No known_hosts text beyond what the run was given.
        if (settings.knownHosts === undefined) settings.knownHosts = ''
        break
      case 'connecttimeout':
        settings.connectTimeoutMs = toTimeout(value, settings.connectTimeoutMs)
        break
      case 'port':
        settings.port = toPort(host, value)
        break
      case 'user':
        settings.user = value
        break
      case 'identityfile':
        settings.privateKeyPath = expandHome(value)
        break
      default:
        if (!SSH_OPTIONS.some((o) => o.toLowerCase() === key.toLowerCase())) {
          throw new OptionError(
            `host ${host}: ${variable} option '-o ${key}' is not supported. Supported: ${SSH_OPTIONS.join(', ')}`
          )
        }
    }
  }
}

function toPort(host: string, value: unknown): number {
  const port = Number(value)
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new OptionError(
      `host ${host}: ansible_port must be a port number (1-65535), got '${String(value)}'`
    )
  }
  return port
}

function toTimeout(value: string | undefined, fallback: number): number {
  const seconds = Number(value)
  return value !== undefined && Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : fallback
}

/**
 * ansible_host_key_checking / ansible_ssh_host_key_checking as a mode. Ansible reads any other value as
 * false, which turns checking off without a word: that is refused here.
 * @throws OptionError naming the host, the variable and the values it takes
 */
function hostKeyCheckingVariable(host: string, variable: string, value: unknown): HostKeyChecking {
  // Ansible's booleans (plus our `accept-new`), read strictly: see the comment above.
  try {
    return ansibleBoolean(value, 'strict') ? 'strict' : 'off'
  } catch {
    // Not a boolean: accept-new, or refused below.
  }
  if (String(value).trim().toLowerCase() === 'accept-new') return 'accept-new'
  throw new OptionError(
    `host ${host}: ${variable} must be true or false (or accept-new), got '${String(value)}'. ` +
      'Ansible would read it as false and turn host key checking off.'
  )
}

/**
 * An OpenSSH StrictHostKeyChecking value as a mode: yes/true/ask verify (there is no one to ask), no/off/false
 * accept any key, accept-new trusts unknown hosts. Case does not matter, as in OpenSSH.
 * @throws OptionError for any other value, as ssh refuses it
 */
function strictHostKeyChecking(host: string, variable: string, value: string): HostKeyChecking {
  switch (value.toLowerCase()) {
    case 'yes':
    case 'true':
    case 'ask':
      return 'strict'
    case 'no':
    case 'off':
    case 'false':
      return 'off'
    case 'accept-new':
      return 'accept-new'
  }
  throw new OptionError(
    `host ${host}: ${variable}: StrictHostKeyChecking must be yes, accept-new, no, off or ask, got '${value}'`
  )
}

function expandHome(p: string | undefined): string | undefined {
  if (!p) return p
  if (p === '~' || p.startsWith('~/')) return path.join(os.homedir(), p.slice(1))
  return p
}
