import os from 'node:os'
import path from 'node:path'
import { OptionError } from '../errors.js'
import type { ConnectionSettings } from './connection.js'
import { shlexSplit } from './shell-quote.js'

/** Connection defaults from the command line or action inputs; inventory variables override them. */
export interface ConnectionDefaults {
  user?: string
  port?: number
  privateKeyPath?: string
  privateKey?: string
  passphrase?: string
  password?: string
  knownHostsPath?: string
  knownHosts?: string
  hostKeyChecking: 'strict' | 'off'
  connectTimeoutMs: number
}

/** `-o` options of ansible_ssh_common_args / ansible_ssh_extra_args we honour. */
const SSH_OPTIONS = [
  'StrictHostKeyChecking',
  'UserKnownHostsFile',
  'ConnectTimeout',
  'ServerAliveInterval',
  'ServerAliveCountMax',
  'Port',
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
 * ansible_connection, ansible_ssh_private_key_file, ansible_password, ansible_ssh_common_args.
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
    settings.hostKeyChecking = isFalse(checking) ? 'off' : 'strict'
  }
  for (const name of ['ansible_ssh_common_args', 'ansible_ssh_extra_args']) {
    const args = str(name)
    if (args) applySshArgs(host, name, args, settings)
  }
  return settings
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
    else {
      throw new OptionError(
        `host ${host}: ${variable} option '${word}' is not supported. Only '-o Name=value' options are read (${SSH_OPTIONS.join(', ')}); ProxyJump comes in a later release`
      )
    }
    const m = /^([A-Za-z]+)\s*[= ]\s*(.*)$/.exec(option ?? '')
    if (!m)
      throw new OptionError(`host ${host}: ${variable} has a malformed -o option '${option ?? ''}'`)
    const [, key, value] = m as unknown as [string, string, string]
    switch (key.toLowerCase()) {
      case 'stricthostkeychecking':
        settings.hostKeyChecking = /^(no|off|false)$/i.test(value) ? 'off' : 'strict'
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
