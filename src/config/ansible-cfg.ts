/**
 * ansible.cfg: found as Ansible 2.14 finds it, read as Ansible reads it, and turned into the ANSIBLE_*
 * variables with the same meaning, so that the file feeds the very settings the environment does. The
 * environment wins over the file, and command-line options (or action inputs) over both, as in Ansible.
 */
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { OptionError } from '../errors.js'
import { ANSIBLE_INI_KEYS } from './ansible-keys.js'
import { parseIni, type IniDocument } from './ini.js'

/** How a value of the file is read (Ansible's config types). */
type ValueKind = 'text' | 'path' | 'pathlist' | 'pathspec' | 'list' | 'noop'

/** One setting of the file: where Ansible reads it, and the environment variable with its meaning. */
interface ConfigKey {
  /** `section.key` entries in Ansible's order: the last one set wins, as in Ansible. */
  ini: readonly string[]
  /** The variable this becomes (its value is checked there); none for a key accepted without effect. */
  env?: string
  kind: ValueKind
}

/** The keys of the file that change what we do, and those accepted because they mean nothing here. */
export const CONFIG_KEYS: readonly ConfigKey[] = [
  { ini: ['defaults.inventory'], env: 'ANSIBLE_INVENTORY', kind: 'pathlist' },
  { ini: ['defaults.roles_path'], env: 'ANSIBLE_ROLES_PATH', kind: 'pathspec' },
  // Collections we run are built in: the path is accepted, and searched by nothing.
  {
    ini: ['defaults.collections_paths', 'defaults.collections_path'],
    env: 'ANSIBLE_COLLECTIONS_PATH',
    kind: 'pathspec'
  },
  { ini: ['defaults.remote_user'], env: 'ANSIBLE_REMOTE_USER', kind: 'text' },
  { ini: ['defaults.remote_port'], env: 'ANSIBLE_REMOTE_PORT', kind: 'text' },
  { ini: ['defaults.private_key_file'], env: 'ANSIBLE_PRIVATE_KEY_FILE', kind: 'path' },
  { ini: ['defaults.forks'], env: 'ANSIBLE_FORKS', kind: 'text' },
  { ini: ['defaults.timeout', 'ssh_connection.timeout'], env: 'ANSIBLE_TIMEOUT', kind: 'text' },
  {
    ini: ['defaults.host_key_checking', 'ssh_connection.host_key_checking'],
    env: 'ANSIBLE_HOST_KEY_CHECKING',
    kind: 'text'
  },
  { ini: ['defaults.vault_password_file'], env: 'ANSIBLE_VAULT_PASSWORD_FILE', kind: 'path' },
  { ini: ['defaults.vault_identity_list'], env: 'ANSIBLE_VAULT_IDENTITY_LIST', kind: 'list' },
  { ini: ['defaults.ask_vault_pass'], env: 'ANSIBLE_ASK_VAULT_PASS', kind: 'text' },
  { ini: ['privilege_escalation.become'], env: 'ANSIBLE_BECOME', kind: 'text' },
  { ini: ['privilege_escalation.become_user'], env: 'ANSIBLE_BECOME_USER', kind: 'text' },
  { ini: ['privilege_escalation.become_method'], env: 'ANSIBLE_BECOME_METHOD', kind: 'text' },
  { ini: ['privilege_escalation.become_ask_pass'], env: 'ANSIBLE_BECOME_ASK_PASS', kind: 'text' },
  { ini: ['ssh_connection.ssh_args'], env: 'ANSIBLE_SSH_ARGS', kind: 'text' },
  { ini: ['defaults.retry_files_enabled'], env: 'ANSIBLE_RETRY_FILES_ENABLED', kind: 'text' },
  { ini: ['defaults.retry_files_save_path'], env: 'ANSIBLE_RETRY_FILES_SAVE_PATH', kind: 'path' },
  { ini: ['defaults.gathering'], env: 'ANSIBLE_GATHERING', kind: 'text' },
  { ini: ['defaults.display_ok_hosts'], env: 'ANSIBLE_DISPLAY_OK_HOSTS', kind: 'text' },
  { ini: ['defaults.display_skipped_hosts'], env: 'ANSIBLE_DISPLAY_SKIPPED_HOSTS', kind: 'text' },
  { ini: ['defaults.show_custom_stats'], env: 'ANSIBLE_SHOW_CUSTOM_STATS', kind: 'text' },
  {
    ini: ['defaults.deprecation_warnings'],
    env: 'ANSIBLE_DEPRECATION_WARNINGS',
    kind: 'text'
  },
  { ini: ['defaults.force_handlers'], env: 'ANSIBLE_FORCE_HANDLERS', kind: 'text' },
  { ini: ['diff.always'], env: 'ANSIBLE_DIFF_ALWAYS', kind: 'text' },
  { ini: ['diff.context'], env: 'ANSIBLE_DIFF_CONTEXT', kind: 'text' },
  {
    ini: ['defaults.error_on_missing_handler'],
    env: 'ANSIBLE_ERROR_ON_MISSING_HANDLER',
    kind: 'text'
  },
  { ini: ['defaults.no_log'], env: 'ANSIBLE_NO_LOG', kind: 'text' },
  { ini: ['defaults.nocolor'], env: 'ANSIBLE_NOCOLOR', kind: 'text' },
  { ini: ['defaults.force_color'], env: 'ANSIBLE_FORCE_COLOR', kind: 'text' },
  { ini: ['defaults.verbosity'], env: 'ANSIBLE_VERBOSITY', kind: 'text' },
  // Where requirements files' Galaxy roles are looked up (src/requirements/).
  { ini: ['galaxy.server'], env: 'ANSIBLE_GALAXY_SERVER', kind: 'text' },
  // Accepted without effect: commands already run without Python, and without a retry of the module
  // transfer that pipelining saves.
  {
    ini: ['defaults.pipelining', 'connection.pipelining', 'ssh_connection.pipelining'],
    kind: 'noop'
  },
  { ini: ['defaults.interpreter_python'], kind: 'noop' }
]

/**
 * The sections of Ansible's own settings: a key there that Ansible reads and we do not implement is listed
 * in a warning.
 * Other sections (a plugin's, or one Ansible does not know) are ignored, as Ansible ignores what no plugin
 * reads.
 */
const ANSIBLE_SECTIONS = [
  'defaults',
  'privilege_escalation',
  'ssh_connection',
  'connection',
  'persistent_connection',
  'paramiko_connection',
  'inventory',
  'galaxy',
  'colors',
  'diff',
  'selinux',
  'tags'
]

/** What the search found and what it means. */
export interface AnsibleConfig {
  /** The file read (absolute), or none found. */
  file?: string
  /** The ANSIBLE_* variables the file sets (paths already resolved against the file's directory). */
  env: Record<string, string>
  /** For each variable the file sets, how to name its origin in a message (`forks in /x/ansible.cfg`). */
  origins: Record<string, string>
  /** Warnings to print once: a world-writable directory's file ignored, keys we do not implement. */
  warnings: string[]
}

/**
 * Finds the configuration file in Ansible's order: ANSIBLE_CONFIG (a file, or a directory holding
 * ansible.cfg), `ansible.cfg` in `cwd` (ignored with Ansible's warning when `cwd` is world-writable),
 * `~/.ansible.cfg`, `/etc/ansible/ansible.cfg`. The first that exists and can be read is used.
 */
export function findAnsibleConfig(
  env: NodeJS.ProcessEnv,
  cwd: string,
  home = env['HOME'] || os.homedir(),
  systemFile = '/etc/ansible/ansible.cfg'
): { file?: string; warnings: string[] } {
  const candidates: string[] = []
  const fromEnv = env['ANSIBLE_CONFIG']
  let envPath: string | undefined
  if (fromEnv !== undefined) {
    envPath = path.resolve(cwd, expandUser(fromEnv, home))
    if (isDirectory(envPath)) envPath = path.join(envPath, 'ansible.cfg')
    candidates.push(envPath)
  }
  let worldWritable = false
  const cwdFile = path.join(cwd, 'ansible.cfg')
  try {
    if ((statSync(cwd).mode & 0o002) !== 0) worldWritable = existsSync(cwdFile)
    else candidates.push(cwdFile)
  } catch {
    // A working directory that cannot be read is no source, as in Ansible.
  }
  candidates.push(path.join(home, '.ansible.cfg'), systemFile)
  const file = candidates.find(readable)
  const warnings: string[] = []
  // (Not when ANSIBLE_CONFIG names the file read: the directory is never looked at then.)
  if (worldWritable && (envPath === undefined || file !== envPath)) {
    warnings.push(
      `Ansible is being run in a world writable directory (${cwd}), ignoring it as an ansible.cfg source. ` +
        'For more information see https://docs.ansible.com/ansible/devel/reference_appendices/config.html#cfg-in-world-writable-dir'
    )
  }
  return file === undefined ? { warnings } : { file, warnings }
}

/**
 * Finds and reads the configuration file.
 * @throws OptionError for a file that cannot be read as Ansible would read it, naming the file
 */
export function readAnsibleConfig(
  env: NodeJS.ProcessEnv,
  cwd: string,
  home = env['HOME'] || os.homedir(),
  systemFile?: string
): AnsibleConfig {
  const found = findAnsibleConfig(env, cwd, home, systemFile)
  const config: AnsibleConfig = { env: {}, origins: {}, warnings: [...found.warnings] }
  if (found.file === undefined) return config
  const file = found.file
  config.file = file
  const extension = path.extname(file)
  if (extension !== '.cfg' && extension !== '.ini')
    throw new OptionError(`Unsupported configuration file extension for ${file}: ${extension}`)
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(file))
  } catch (error) {
    throw new OptionError(
      error instanceof TypeError
        ? `Error reading config file(${file}) because the config file was not utf8 encoded`
        : `Error reading config file (${file}): ${(error as Error).message}`
    )
  }
  const document = parseIni(text, file)
  applyKeys(document, file, home, env, config)
  return config
}

function applyKeys(
  document: IniDocument,
  file: string,
  home: string,
  env: NodeJS.ProcessEnv,
  config: AnsibleConfig
): void {
  const known = new Set<string>()
  for (const key of CONFIG_KEYS) {
    for (const entry of key.ini) known.add(entry)
    let found: { value: string; at: string } | undefined
    for (const entry of key.ini) {
      const [section, name] = entry.split('.') as [string, string]
      const value = document.sections.get(section)?.get(name)
      if (value !== undefined) found = { value: value.value, at: `[${section}] ${name}` }
    }
    if (found === undefined || key.env === undefined) continue
    config.env[key.env] = valueOf(found.value, key.kind, path.dirname(file), home, env)
    config.origins[key.env] = `${found.at} in ${file}`
  }
  // Keys Ansible reads that we do not implement are named; a key Ansible does not know either (a typo, a
  // setting of another version) is ignored without a word, as ansible-playbook 2.14 ignores it.
  const ignored: string[] = []
  for (const section of ANSIBLE_SECTIONS) {
    for (const name of document.sections.get(section)?.keys() ?? []) {
      if (known.has(`${section}.${name}`) || !ANSIBLE_INI_KEYS[section]?.has(name)) continue
      ignored.push(`[${section}] ${name}`)
    }
  }
  if (ignored.length > 0) {
    config.warnings.push(
      `${file}: these settings are not supported by async-playbook and have no effect: ${ignored.join(', ')}`
    )
  }
}

/** A value as Ansible reads it for its type: paths relative to the file's directory, `~` and `$VAR` expanded. */
function valueOf(
  raw: string,
  kind: ValueKind,
  dir: string,
  home: string,
  env: NodeJS.ProcessEnv
): string {
  switch (kind) {
    case 'path':
      return resolvePath(raw.trim(), dir, home, env)
    case 'pathlist':
      return raw
        .split(',')
        .map((entry) => resolvePath(entry.trim(), dir, home, env))
        .join(',')
    case 'pathspec':
      return raw
        .split(':')
        .map((entry) => resolvePath(entry, dir, home, env))
        .join(':')
    case 'list':
      return raw
        .split(',')
        .map((entry) => unquote(entry.trim()))
        .join(',')
    default:
      return unquote(raw.trim())
  }
}

/** As Ansible's resolve_path: `~` and `$VAR` (of `env`) expanded, then relative to `dir`, normalised. */
function resolvePath(value: string, dir: string, home: string, env: NodeJS.ProcessEnv): string {
  const expanded = expandVariables(expandUser(value, home), env)
  return path.resolve(dir, expanded)
}

function expandUser(value: string, home: string): string {
  return value === '~' || value.startsWith('~/') ? home + value.slice(1) : value
}

/**
 * `$NAME` and `${NAME}` of `env` (the environment the configuration is read with, never this process's
 * own behind its back); unknown names stay as written (as os.path.expandvars).
 */
function expandVariables(value: string, env: NodeJS.ProcessEnv): string {
  return value.replace(
    /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (whole, braced: string | undefined, bare: string | undefined) => env[(braced ?? bare)!] ?? whole
  )
}

/** One pair of matching quotes around a value is not part of it (Ansible's unquote). */
function unquote(value: string): string {
  return value.length >= 2 && /^(['"]).*\1$/s.test(value) ? value.slice(1, -1) : value
}

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory()
  } catch {
    return false
  }
}

function readable(file: string): boolean {
  try {
    accessSync(file, constants.R_OK)
    return existsSync(file)
  } catch {
    return false
  }
}

/**
 * The environment as the run reads it: what ansible.cfg sets, under what the environment itself sets (an
 * empty variable counts as unset, as everywhere here), with the origin of each value the file gave.
 */
export function environmentWithConfig(
  env: NodeJS.ProcessEnv,
  config: AnsibleConfig
): { env: NodeJS.ProcessEnv; origins: Record<string, string> } {
  const merged: NodeJS.ProcessEnv = { ...config.env }
  const origins: Record<string, string> = { ...config.origins }
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue
    if (value.trim() === '' && name in config.env) continue
    merged[name] = value
    delete origins[name]
  }
  return { env: merged, origins }
}
