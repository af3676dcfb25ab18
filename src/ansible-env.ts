/**
 * The ANSIBLE_* environment variables whose meaning the engine implements, read as ansible-playbook reads
 * them (an explicit option or input still wins). A value that is not of the setting's type is refused,
 * where Ansible would quietly read a bad boolean as false (ANSIBLE_NO_LOG=enabled would log secrets).
 */
import { ansibleBoolean } from './ansible-boolean.js'
import type { RunSettings } from './engine.js'
import { OptionError } from './errors.js'

/** What the environment says, for the settings it names (absent when it says nothing). */
export interface AnsibleEnvironment {
  /** ANSIBLE_NO_LOG: every task's `no_log` defaults to this. */
  noLog?: boolean
  /** ANSIBLE_DISPLAY_OK_HOSTS: print `ok:` lines. */
  displayOkHosts?: boolean
  /** ANSIBLE_DISPLAY_SKIPPED_HOSTS: print `skipping:` lines. */
  displaySkippedHosts?: boolean
  /** ANSIBLE_SHOW_CUSTOM_STATS: print set_stats' values after the recap. */
  showCustomStats?: boolean
  /** ANSIBLE_DEPRECATION_WARNINGS: false hides `[DEPRECATION WARNING]:` lines. */
  deprecationWarnings?: boolean
  /** ANSIBLE_NOCOLOR (or NO_COLOR) and ANSIBLE_FORCE_COLOR: colours off, or on even without a terminal. */
  color?: 'off' | 'force'
  /** ANSIBLE_VERBOSITY: the verbosity without -v. */
  verbosity?: number
  /** ANSIBLE_FORKS. */
  forks?: number
  /** ANSIBLE_REMOTE_USER. */
  remoteUser?: string
  /** ANSIBLE_PRIVATE_KEY_FILE. */
  privateKeyFile?: string
  /** ANSIBLE_TIMEOUT: the SSH connect timeout, in seconds. */
  connectTimeoutSeconds?: number
  /** ANSIBLE_HOST_KEY_CHECKING: false turns host key checking off (loudly, as every way of doing so). */
  hostKeyChecking?: boolean
  /** ANSIBLE_INVENTORY: inventory sources when none is given (comma-separated). */
  inventories?: string[]
  /** ANSIBLE_BECOME, ANSIBLE_BECOME_USER, ANSIBLE_BECOME_METHOD. */
  become?: boolean
  becomeUser?: string
  becomeMethod?: string
  /** ANSIBLE_FORCE_HANDLERS: the default of --force-handlers (the play's `force_handlers` wins). */
  forceHandlers?: boolean
  /** ANSIBLE_DIFF_ALWAYS ([diff] always): the default of -D/--diff (a task's `diff` wins). */
  diffAlways?: boolean
  /** ANSIBLE_DIFF_CONTEXT ([diff] context): lines of context around each change in diffs. */
  diffContext?: number
  /** ANSIBLE_ERROR_ON_MISSING_HANDLER (default true): false turns a missing handler into a warning. */
  errorOnMissingHandler?: boolean
  /** ANSIBLE_REMOTE_PORT: the SSH port of hosts that set none. */
  remotePort?: number
  /** ANSIBLE_BECOME_ASK_PASS: ask for the become password (as -K). */
  becomeAskPass?: boolean
  /** ANSIBLE_ASK_VAULT_PASS: ask for the vault password (as --ask-vault-pass). */
  askVaultPass?: boolean
  /** ANSIBLE_GATHERING: when plays without `gather_facts` gather facts. */
  gathering?: 'implicit' | 'explicit' | 'smart'
  /** ANSIBLE_SSH_ARGS: ssh options read before each host's ansible_ssh_common_args. */
  sshArgs?: string
  /** ANSIBLE_ROLES_PATH: where roles are looked for after roles/ next to the playbook. */
  rolesPath?: string[]
  /** ANSIBLE_RETRY_FILES_ENABLED: write PLAYBOOK.retry with the failed hosts (CLI). */
  retryFilesEnabled?: boolean
  /** ANSIBLE_RETRY_FILES_SAVE_PATH: the retry file's directory instead of the playbook's. */
  retryFilesSavePath?: string
}

/**
 * The settings about output and handlers. The action reads only these from its environment: its inputs
 * cover connections, forks and become.
 */
export const ANSIBLE_OUTPUT_AND_HANDLER_NAMES = [
  'ANSIBLE_NO_LOG',
  'ANSIBLE_DISPLAY_OK_HOSTS',
  'ANSIBLE_DISPLAY_SKIPPED_HOSTS',
  'ANSIBLE_SHOW_CUSTOM_STATS',
  'ANSIBLE_DEPRECATION_WARNINGS',
  'ANSIBLE_DIFF_ALWAYS',
  'ANSIBLE_DIFF_CONTEXT',
  'ANSIBLE_NOCOLOR',
  'NO_COLOR',
  'ANSIBLE_FORCE_COLOR',
  'ANSIBLE_FORCE_HANDLERS',
  'ANSIBLE_ERROR_ON_MISSING_HANDLER'
] as const

/** The names read here, for documentation and tests. */
export const ANSIBLE_ENVIRONMENT_NAMES = [
  ...ANSIBLE_OUTPUT_AND_HANDLER_NAMES,
  'ANSIBLE_VERBOSITY',
  'ANSIBLE_FORKS',
  'ANSIBLE_REMOTE_USER',
  'ANSIBLE_PRIVATE_KEY_FILE',
  'ANSIBLE_TIMEOUT',
  'ANSIBLE_HOST_KEY_CHECKING',
  'ANSIBLE_INVENTORY',
  'ANSIBLE_BECOME',
  'ANSIBLE_BECOME_USER',
  'ANSIBLE_BECOME_METHOD',
  'ANSIBLE_REMOTE_PORT',
  'ANSIBLE_BECOME_ASK_PASS',
  'ANSIBLE_ASK_VAULT_PASS',
  'ANSIBLE_GATHERING',
  'ANSIBLE_SSH_ARGS',
  'ANSIBLE_ROLES_PATH',
  'ANSIBLE_RETRY_FILES_ENABLED',
  'ANSIBLE_RETRY_FILES_SAVE_PATH'
] as const

/**
 * Reads the ANSIBLE_* settings the engine implements from `env`. Unset or empty variables say nothing.
 * `origins` names where a variable came from when it is not the environment (ansible.cfg's key and file),
 * for the messages about a bad value.
 */
export function readAnsibleEnvironment(
  env: NodeJS.ProcessEnv,
  origins: Record<string, string> = {}
): AnsibleEnvironment {
  const label = (name: string, value: string): string =>
    origins[name] !== undefined ? `${origins[name]}: '${value}'` : `${name}=${value}`
  const subject = (name: string): string => origins[name] ?? name
  const text = (name: string): string | undefined => {
    const value = env[name]
    return value === undefined || value.trim() === '' ? undefined : value.trim()
  }
  const bool = (name: string): boolean | undefined => {
    const value = text(name)
    if (value === undefined) return undefined
    try {
      // Strict where Ansible's config reader is lenient (it reads any other word as false): a setting
      // mistyped as `ANSIBLE_NO_LOG=ture` must not turn into its opposite without a word.
      return ansibleBoolean(value, 'strict')
    } catch {
      throw new OptionError(
        `${label(name, value)} is not a boolean: use true or false (also yes/no, on/off, 1/0)`
      )
    }
  }
  const int = (name: string, min: number): number | undefined => {
    const value = text(name)
    if (value === undefined) return undefined
    if (!/^\d+$/.test(value) || Number(value) < min)
      throw new OptionError(`${label(name, value)} is not a whole number of at least ${min}`)
    return Number(value)
  }
  const out: AnsibleEnvironment = {}
  const set = <K extends keyof AnsibleEnvironment>(key: K, value: AnsibleEnvironment[K]): void => {
    if (value !== undefined) out[key] = value
  }
  set('noLog', bool('ANSIBLE_NO_LOG'))
  set('displayOkHosts', bool('ANSIBLE_DISPLAY_OK_HOSTS'))
  set('displaySkippedHosts', bool('ANSIBLE_DISPLAY_SKIPPED_HOSTS'))
  set('showCustomStats', bool('ANSIBLE_SHOW_CUSTOM_STATS'))
  set('deprecationWarnings', bool('ANSIBLE_DEPRECATION_WARNINGS'))
  // As Ansible: ANSIBLE_FORCE_COLOR wins over ANSIBLE_NOCOLOR; NO_COLOR (any value, per no-color.org)
  // counts when ANSIBLE_NOCOLOR is not set.
  const noColor = bool('ANSIBLE_NOCOLOR') ?? (text('NO_COLOR') !== undefined ? true : undefined)
  if (bool('ANSIBLE_FORCE_COLOR')) out.color = 'force'
  else if (noColor) out.color = 'off'
  set('verbosity', int('ANSIBLE_VERBOSITY', 0))
  set('forks', int('ANSIBLE_FORKS', 1))
  set('remoteUser', text('ANSIBLE_REMOTE_USER'))
  set('privateKeyFile', text('ANSIBLE_PRIVATE_KEY_FILE'))
  set('connectTimeoutSeconds', int('ANSIBLE_TIMEOUT', 1))
  set('hostKeyChecking', bool('ANSIBLE_HOST_KEY_CHECKING'))
  const inventory = text('ANSIBLE_INVENTORY')
  if (inventory !== undefined)
    out.inventories = inventory
      .split(',')
      .map((source) => source.trim())
      .filter((source) => source !== '')
  set('become', bool('ANSIBLE_BECOME'))
  set('becomeUser', text('ANSIBLE_BECOME_USER'))
  const method = text('ANSIBLE_BECOME_METHOD')
  if (method !== undefined && method !== 'sudo' && method !== 'su')
    throw new OptionError(
      `${subject('ANSIBLE_BECOME_METHOD')} must be 'sudo' or 'su', got '${method}'`
    )
  set('becomeMethod', method)
  set('remotePort', int('ANSIBLE_REMOTE_PORT', 1))
  set('becomeAskPass', bool('ANSIBLE_BECOME_ASK_PASS'))
  set('askVaultPass', bool('ANSIBLE_ASK_VAULT_PASS'))
  const gathering = text('ANSIBLE_GATHERING')?.toLowerCase()
  if (
    gathering !== undefined &&
    gathering !== 'implicit' &&
    gathering !== 'explicit' &&
    gathering !== 'smart'
  )
    throw new OptionError(
      `${subject('ANSIBLE_GATHERING')} must be 'implicit', 'explicit' or 'smart', got '${gathering}'`
    )
  set('gathering', gathering)
  set('sshArgs', text('ANSIBLE_SSH_ARGS'))
  const roles = text('ANSIBLE_ROLES_PATH')
  if (roles !== undefined) out.rolesPath = roles.split(':').filter((dir) => dir !== '')
  set('forceHandlers', bool('ANSIBLE_FORCE_HANDLERS'))
  set('diffAlways', bool('ANSIBLE_DIFF_ALWAYS'))
  set('diffContext', int('ANSIBLE_DIFF_CONTEXT', 0))
  set('errorOnMissingHandler', bool('ANSIBLE_ERROR_ON_MISSING_HANDLER'))
  set('retryFilesEnabled', bool('ANSIBLE_RETRY_FILES_ENABLED'))
  set('retryFilesSavePath', text('ANSIBLE_RETRY_FILES_SAVE_PATH'))
  return out
}

/**
 * The run settings the environment decides the same way for the CLI and the action: which result lines
 * are shown, the default `no_log`, and the handler settings. (Colours, verbosity and connections differ:
 * each entry point reads those itself.)
 */
export function runSettingsFrom(
  env: AnsibleEnvironment
): Pick<
  RunSettings,
  | 'display'
  | 'noLog'
  | 'forceHandlers'
  | 'errorOnMissingHandler'
  | 'showCustomStats'
  | 'deprecationWarnings'
  | 'diffContext'
> {
  return {
    ...(env.diffContext !== undefined ? { diffContext: env.diffContext } : {}),
    ...(env.showCustomStats !== undefined ? { showCustomStats: env.showCustomStats } : {}),
    ...(env.deprecationWarnings !== undefined
      ? { deprecationWarnings: env.deprecationWarnings }
      : {}),
    ...(env.displayOkHosts === false || env.displaySkippedHosts === false
      ? {
          display: {
            okHosts: env.displayOkHosts ?? true,
            skippedHosts: env.displaySkippedHosts ?? true
          }
        }
      : {}),
    ...(env.noLog !== undefined ? { noLog: env.noLog } : {}),
    ...(env.forceHandlers !== undefined ? { forceHandlers: env.forceHandlers } : {}),
    ...(env.errorOnMissingHandler !== undefined
      ? { errorOnMissingHandler: env.errorOnMissingHandler }
      : {})
  }
}
