import os from 'node:os'
import path from 'node:path'
import { OptionError } from '../errors.js'
import type { ConnectionSettings, CredentialSources, HostKeyChecking } from './connection.js'
import { normalizePin } from './host-key-check.js'
import { parseJumpHosts } from './jump-host.js'
import { shlexSplit } from './shell-quote.js'

/** Connection defaults from the command line or action inputs; inventory variables override them. */
export interface ConnectionDefaults {
  user?: string
  port?: number
  privateKeyPath?: string
  privateKey?: string
  passphrase?: string
  password?: string
  /** Where the user gave the credentials, for messages (the action's inputs); CLI options if absent. */
  sources?: CredentialSources
  knownHostsPath?: string
  knownHosts?: string
  hostKeyChecking: HostKeyChecking
  connectTimeoutMs: number
  /** `user@host:port` of a bastion for hosts that name none themselves (CLI --jump-host, action jump-host). */
  jumpHost?: string
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
  const settings: ConnectionSettings = {
    host,
    transport: kind,
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
    hostKeyChecking: defaults.hostKeyChecking,
    connectTimeoutMs: toTimeout(
      str('ansible_ssh_timeout') ?? str('ansible_timeout'),
      defaults.connectTimeoutMs
    )
  }
  const checking = get('ansible_host_key_checking') ?? get('ansible_ssh_host_key_checking')
  if (checking !== undefined && checking !== null) {
    settings.hostKeyChecking = isFalse(checking)
      ? 'off'
      : String(checking).toLowerCase() === 'accept-new'
        ? 'accept-new'
        : 'strict'
  }
  for (const name of ['ansible_ssh_common_args', 'ansible_ssh_extra_args']) {
    const args = str(name)
    if (args) applySshArgs(host, name, args, settings)
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

function applySshArgs(
  host: string,
  variable: string,
  text: string,
  settings: ConnectionSettings
): void {
  let words: string[]
  try {
    words = shlexSplit(text)
  } catch {
    throw new OptionError(`host ${host}: ${variable} has unbalanced quotes: ${text}`)
  }
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!
    let option: string | undefined
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
    const [, key, value] = m as unknown as [string, string, string]
    switch (key.toLowerCase()) {
      case 'stricthostkeychecking':
        settings.hostKeyChecking = /^(no|off|false)$/i.test(value)
          ? 'off'
          : /^accept-new$/i.test(value)
            ? 'accept-new'
            : 'strict'
        break
      case 'proxyjump':
        settings.jumpHosts = jumpHostsOf(host, `${variable} -o ProxyJump`, value)
        break
      case 'userknownhostsfile':
        settings.knownHostsPath = value === '/dev/null' ? undefined : expandHome(value)
        if (value === '/dev/null') settings.knownHosts = ''
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

function isFalse(value: unknown): boolean {
  return value === false || /^(false|no|off|0)$/i.test(String(value))
}

function expandHome(p: string | undefined): string | undefined {
  if (!p) return p
  if (p === '~' || p.startsWith('~/')) return path.join(os.homedir(), p.slice(1))
  return p
}
