import { existsSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { readJobsArgument } from './async/jobs-encoding.js'
import type { RunSettings } from './engine.js'
import { parseTagList } from './playbook/tags.js'
import { AsyncPlaybookError, closestMatch, OptionError } from './errors.js'
import { readAnsibleEnvironment, runSettingsFrom } from './ansible-env.js'
import { DEFAULTS, defaultKnownHostsPath } from './defaults.js'
import { environmentWithConfig, readAnsibleConfig } from './config/ansible-cfg.js'
import { BECOME_PASSWORD_ENV, CLI_OPTIONS, UNSUPPORTED, USAGE } from './cli-usage.js'
import type { VaultSecretRequest } from './vault/index.js'

export { BECOME_PASSWORD_ENV, CLI_OPTIONS, USAGE }

/** What the CLI asks for: a playbook run or an ad-hoc module run. */
export interface CliRequest {
  kind: 'help' | 'version' | 'playbook' | 'adhoc'
  settings?: RunSettings
  adhoc?: { pattern: string; module: string; args: string; background?: number; poll?: number }
  /** -K: the caller prompts for the become password (on a terminal) and puts it in settings.become. */
  askBecomePass?: boolean
  /** The vault passwords asked for: the caller reads them (src/vault/secrets.ts) before the run loads anything. */
  vault?: VaultSecretRequest
}

/** The command line cannot be read at all (an unknown option, an option without its value): exit 2. */
export class UsageError extends OptionError {}

/** The playbook file named on the command line does not exist: exit 1, as ansible-playbook. */
export class PlaybookNotFoundError extends AsyncPlaybookError {}

/**
 * Parses argv (without node and the script) into a request. Bad options throw OptionError (exit 5); an
 * unknown option or a missing option value throws UsageError (exit 2). The CLI then checks the playbook
 * file with checkPlaybookFile.
 */
export function parseCli(
  argv: string[],
  env: NodeJS.ProcessEnv,
  isTty: boolean,
  cwd = process.cwd()
): CliRequest {
  refuseUnsupported(argv)
  let parsed
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: CLI_OPTIONS })
  } catch (error) {
    throw usageError(error)
  }
  const { values, positionals } = parsed
  if (values.help) return { kind: 'help' }
  // ANSIBLE_* variables with the same meaning as an option count when the option is not given, and
  // ansible.cfg's keys when the variable is not set either.
  const config = readAnsibleConfig(env, cwd)
  const withConfig = environmentWithConfig(env, config)
  const settingEnv = withConfig.env
  const origin = (name: string): string => withConfig.origins[name] ?? name
  const fromEnv = readAnsibleEnvironment(settingEnv, withConfig.origins)
  const becomeMethod = values['become-method'] ?? fromEnv.becomeMethod
  if (becomeMethod !== undefined && becomeMethod !== 'sudo' && becomeMethod !== 'su') {
    throw new OptionError(`--become-method must be 'sudo' or 'su', got '${becomeMethod}'`)
  }
  const envPassword = env[BECOME_PASSWORD_ENV] || undefined
  if (values.version) return { kind: 'version' }
  const adhoc = values['module-name'] !== undefined || values.args !== undefined
  const gatherOnly = values.jobs !== undefined && positionals.length === 0 && !adhoc
  if (positionals.length !== 1 && !gatherOnly) {
    throw new OptionError(
      positionals.length === 0
        ? `${adhoc ? 'a host pattern' : 'a playbook'} is required\n\n${USAGE}`
        : `expected one ${adhoc ? 'host pattern' : 'playbook'}, got ${positionals.length}: ${positionals.join(' ')}`
    )
  }
  refuseIdleOptions(
    values,
    adhoc ? 'adhoc' : gatherOnly ? 'gather' : 'playbook',
    positionals[0],
    cwd
  )
  const hostKeyCheckingSource =
    values['host-key-checking'] !== undefined
      ? '--host-key-checking'
      : env['ASYNC_PLAYBOOK_HOST_KEY_CHECKING'] === undefined &&
          fromEnv.hostKeyChecking !== undefined
        ? 'ANSIBLE_HOST_KEY_CHECKING'
        : 'ASYNC_PLAYBOOK_HOST_KEY_CHECKING'
  const hostKeyChecking =
    values['host-key-checking'] ??
    env['ASYNC_PLAYBOOK_HOST_KEY_CHECKING'] ??
    (fromEnv.hostKeyChecking === false ? 'off' : DEFAULTS.hostKeyChecking)
  if (
    hostKeyChecking !== 'strict' &&
    hostKeyChecking !== 'accept-new' &&
    hostKeyChecking !== 'off'
  ) {
    throw new OptionError(
      `--host-key-checking must be 'strict', 'accept-new' or 'off', got '${hostKeyChecking}'`
    )
  }
  // A file (a results document, a saved `jobs` output), or the `jobs` output itself (JSON or apb1:…).
  const jobs: RunSettings['jobs'] =
    values.jobs === undefined ? undefined : readJobsArgument(values.jobs, cwd, '--jobs')
  const knownHostsFile =
    values['known-hosts'] === undefined ? undefined : path.resolve(cwd, values['known-hosts'])
  if (knownHostsFile !== undefined) {
    try {
      readFileSync(knownHostsFile)
    } catch {
      throw new OptionError(`--known-hosts: cannot read '${values['known-hosts']!}'`)
    }
  }
  const privateKey = values['private-key'] ?? fromEnv.privateKeyFile
  const settings: RunSettings = {
    playbook: positionals[0],
    jobs,
    shard: values.shard === undefined ? undefined : parseShard(values.shard, '--shard'),
    gatherTimeoutSeconds:
      values.timeout === undefined ? undefined : positiveInt(values.timeout, '--timeout'),
    inventories: values.inventory ?? fromEnv.inventories ?? [],
    extraVars: values['extra-vars'] ?? [],
    limit: values.limit,
    forks:
      values.forks === undefined
        ? (fromEnv.forks ?? DEFAULTS.forks)
        : positiveInt(values.forks, '--forks'),
    connection: {
      user: values.user ?? fromEnv.remoteUser,
      privateKeyPath: privateKey,
      // --known-hosts replaces ~/.ssh/known_hosts, and stays trusted where a host's
      // UserKnownHostsFile replaces that in turn.
      knownHostsPath: knownHostsFile ?? defaultKnownHostsPath(),
      ...(knownHostsFile !== undefined ? { explicitKnownHostsPath: knownHostsFile } : {}),
      hostKeyChecking,
      hostKeyCheckingSource:
        hostKeyCheckingSource === 'ANSIBLE_HOST_KEY_CHECKING'
          ? withConfig.origins['ANSIBLE_HOST_KEY_CHECKING'] !== undefined
            ? `${origin('ANSIBLE_HOST_KEY_CHECKING')} = ${settingEnv['ANSIBLE_HOST_KEY_CHECKING']!.trim()}`
            : `ANSIBLE_HOST_KEY_CHECKING=${env['ANSIBLE_HOST_KEY_CHECKING']!.trim()}`
          : `${hostKeyCheckingSource} ${hostKeyChecking}`,
      jumpHost: values['jump-host'],
      ...(fromEnv.remotePort !== undefined ? { port: fromEnv.remotePort } : {}),
      ...(fromEnv.sshArgs !== undefined
        ? { sshArgs: fromEnv.sshArgs, sshArgsSource: origin('ANSIBLE_SSH_ARGS') }
        : {}),
      connectTimeoutMs:
        (values['connect-timeout'] === undefined
          ? (fromEnv.connectTimeoutSeconds ?? DEFAULTS.connectTimeoutSeconds)
          : positiveInt(values['connect-timeout'], '--connect-timeout')) * 1000
    },
    jsonPath: values.json,
    verbosity: values.verbose?.length ?? fromEnv.verbosity ?? 0,
    color:
      fromEnv.color === 'force' || (fromEnv.color !== 'off' && isTty && env['TERM'] !== 'dumb'),
    // ANSIBLE_DISPLAY_*, ANSIBLE_NO_LOG, ANSIBLE_FORCE_HANDLERS (the flag below can only turn it on) and
    // ANSIBLE_ERROR_ON_MISSING_HANDLER.
    ...runSettingsFrom(fromEnv),
    commandTimeoutMs:
      (values['command-timeout'] === undefined
        ? DEFAULTS.commandTimeoutSeconds
        : positiveInt(values['command-timeout'], '--command-timeout')) * 1000,
    cwd,
    ...(config.file !== undefined ? { configFile: config.file } : {}),
    ...(config.warnings.length > 0 ? { configWarnings: config.warnings } : {}),
    ...(fromEnv.gathering !== undefined ? { gathering: fromEnv.gathering } : {}),
    ...(fromEnv.rolesPath !== undefined ? { rolesPath: fromEnv.rolesPath } : {}),
    ...(values.requirements !== undefined || values['install-requirements'] === true
      ? {
          requirements: {
            files: values.requirements ?? [],
            auto: values['install-requirements'] === true,
            // ANSIBLE_GALAXY_SERVER, or ansible.cfg's [galaxy] server.
            ...(settingEnv['ANSIBLE_GALAXY_SERVER']
              ? { galaxyServer: settingEnv['ANSIBLE_GALAXY_SERVER'] }
              : {})
          }
        }
      : {}),
    ...(values['allow-inventory-scripts'] === true ? { allowInventoryScripts: true } : {})
  }
  if (values.tags !== undefined || values['skip-tags'] !== undefined) {
    settings.tags = {
      only: parseTagList(values.tags ?? []),
      skip: parseTagList(values['skip-tags'] ?? [])
    }
  }
  // As ansible-playbook: ANSIBLE_FORCE_HANDLERS is the default of --force-handlers (the flag can only turn
  // it on); ANSIBLE_ERROR_ON_MISSING_HANDLER=false makes a missing handler a warning.
  if (values['force-handlers']) settings.forceHandlers = true
  const listing = {
    ...(values['list-hosts'] ? { hosts: true } : {}),
    ...(values['list-tasks'] ? { tasks: true } : {}),
    ...(values['list-tags'] ? { tags: true } : {}),
    ...(values['syntax-check'] ? { syntax: true } : {})
  }
  if (Object.keys(listing).length > 0) settings.listing = listing
  if (values['start-at-task'] !== undefined) settings.startAtTask = values['start-at-task']
  if (fromEnv.retryFilesEnabled)
    settings.retryFiles =
      fromEnv.retryFilesSavePath !== undefined ? { savePath: fromEnv.retryFilesSavePath } : {}
  if (values.check) settings.check = true
  // ANSIBLE_DIFF_ALWAYS ([diff] always) is the default of --diff, as in ansible-playbook.
  if (values.diff || fromEnv.diffAlways) settings.diff = true
  const becomeUser = values['become-user'] ?? fromEnv.becomeUser
  if (values.become || fromEnv.become || becomeUser || becomeMethod || envPassword) {
    settings.become = {
      ...(values.become || fromEnv.become ? { enabled: true } : {}),
      ...(becomeUser ? { user: becomeUser } : {}),
      ...(becomeMethod ? { method: becomeMethod } : {}),
      ...(envPassword ? { password: envPassword } : {})
    }
  }
  // -K with the password already in the environment needs no prompt.
  // (ANSIBLE_BECOME_ASK_PASS or ansible.cfg's become_ask_pass ask too.)
  const askBecomePass =
    (values['ask-become-pass'] === true || fromEnv.becomeAskPass === true) &&
    envPassword === undefined
  if (privateKey !== undefined) {
    try {
      readFileSync(path.resolve(cwd, privateKey))
    } catch {
      throw new OptionError(
        `${values['private-key'] === undefined ? origin('ANSIBLE_PRIVATE_KEY_FILE') : '--private-key'}: cannot read '${privateKey}'`
      )
    }
  }
  const vault: VaultSecretRequest = {
    ids: values['vault-id'] ?? [],
    passwordFiles: [...(values['vault-password-file'] ?? []), ...(values['vault-pass-file'] ?? [])],
    ask:
      values['ask-vault-password'] === true ||
      values['ask-vault-pass'] === true ||
      fromEnv.askVaultPass === true,
    cwd,
    // ANSIBLE_VAULT_PASSWORD_FILE and ANSIBLE_VAULT_IDENTITY_LIST, or ansible.cfg's vault_* keys.
    env: settingEnv
  }
  if (adhoc) {
    return {
      kind: 'adhoc',
      settings,
      vault,
      ...(askBecomePass ? { askBecomePass } : {}),
      adhoc: {
        pattern: positionals[0]!,
        module: values['module-name'] ?? DEFAULTS.adhocModule,
        args: values.args ?? '',
        background:
          values.background === undefined
            ? undefined
            : nonNegativeInt(values.background, '-B/--background'),
        poll: values.poll === undefined ? undefined : nonNegativeInt(values.poll, '-P/--poll')
      }
    }
  }
  return { kind: 'playbook', settings, vault, ...(askBecomePass ? { askBecomePass } : {}) }
}

/** The first ansible-playbook option this CLI does not have, refused in one line (exit 5). */
function refuseUnsupported(argv: string[]): void {
  const options: NonNullable<ParseArgsConfig['options']> = { ...CLI_OPTIONS }
  // Declared here only so that their values are not taken for the playbook.
  for (const entry of UNSUPPORTED)
    for (const name of entry.names)
      if (name.length > 1) options[name] = { type: entry.value ? 'string' : 'boolean' }
  let parsed
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: false, tokens: true, options })
  } catch {
    return // the strict parse that follows says what is wrong
  }
  for (const token of parsed.tokens) {
    if (token.kind !== 'option') continue
    const entry = UNSUPPORTED.find((e) => e.names.includes(token.name))
    if (!entry) continue
    const spelled = entry.names.map((n) => (n.length === 1 ? `-${n}` : `--${n}`)).join('/')
    const hint = entry.hint ? `: ${entry.hint}` : ''
    throw new OptionError(`${spelled} is not supported${entry.yet ? ' yet' : ''}${hint}.`)
  }
}

/** parseArgs' error in one line, without its positional-argument hint and without the usage. */
function usageError(error: unknown): UsageError {
  const code = (error as { code?: string }).code
  const message = (error as Error).message
  const help = "Run 'async-playbook --help' for the options."
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const option = /'([^']+)'/.exec(message)?.[1] ?? ''
    const longNames = Object.keys(CLI_OPTIONS).map((n) => `--${n}`)
    const hint = option.startsWith('--') ? closestMatch(option, longNames) : undefined
    return new UsageError(
      `unknown option '${option}'${hint ? ` (did you mean ${hint}?)` : ''}. ${help}`
    )
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const option = /^Option '([^']+?)(?: <value>)?'/.exec(message)?.[1]
    if (option && /argument missing/.test(message))
      return new UsageError(`option '${option}' needs a value. ${help}`)
    // '-e -x': the value looks like an option.
    const first = message.split('\n').slice(0, 2).join(' ')
    return new UsageError(`${first} ${help}`)
  }
  return new UsageError(`${message.split('\n')[0] ?? message} ${help}`)
}

type CliValues = ReturnType<typeof parseArgs<{ options: typeof CLI_OPTIONS }>>['values']

/**
 * Refuses options that would do nothing in this kind of run, so that a mistaken command line fails
 * instead of silently running something else (exit 5).
 */
function refuseIdleOptions(
  values: CliValues,
  mode: 'playbook' | 'adhoc' | 'gather',
  positional: string | undefined,
  cwd: string
): void {
  const given = (name: keyof typeof CLI_OPTIONS): boolean => values[name] !== undefined
  const refuse = (options: string, why: string): never => {
    throw new OptionError(`${options} ${why}`)
  }
  if (given('timeout') && mode !== 'gather') {
    refuse(
      '--timeout',
      'is how long --jobs FILE without a playbook waits for its jobs; it does nothing here. ' +
        "For the SSH connect timeout (ansible-playbook's -T/--timeout), use --connect-timeout."
    )
  }
  if ((given('background') || given('poll')) && mode !== 'adhoc') {
    refuse(
      '-B/--background and -P/--poll',
      `are for ad-hoc runs (PATTERN -m MODULE); they do nothing ${mode === 'gather' ? 'when gathering jobs' : 'with a playbook'}. ` +
        'In a playbook, set async: and poll: on the task.'
    )
  }
  const listings = (['list-hosts', 'list-tasks', 'list-tags', 'syntax-check'] as const).filter(
    given
  )
  if (listings.length > 0 && mode !== 'playbook')
    refuse(
      listings.map((name) => `--${name}`).join(', '),
      `${listings.length === 1 ? 'lists' : 'list'} what a playbook would do; ${mode === 'adhoc' ? 'an ad-hoc run (PATTERN -m MODULE) has no playbook' : 'gathering jobs (--jobs FILE) runs no playbook'}. Give a playbook.`
    )
  if (given('start-at-task') && mode !== 'playbook')
    refuse(
      '--start-at-task',
      `starts a playbook at a task; ${mode === 'adhoc' ? 'an ad-hoc run (PATTERN -m MODULE) has one task' : 'gathering jobs (--jobs FILE) runs no playbook'}.`
    )
  if (mode === 'adhoc') {
    if (given('poll') && !given('background'))
      refuse(
        '-P/--poll',
        'needs -B/--background SECONDS: without it the module runs in the foreground.'
      )
    if (positional !== undefined && looksLikePlaybook(positional, cwd)) {
      refuse(
        '-m/--module-name and -a/--args',
        `run one module on the hosts of a PATTERN, but '${positional}' is a playbook. ` +
          'Drop -m/-a to run the playbook.'
      )
    }
    for (const name of ['tags', 'skip-tags', 'force-handlers'] as const) {
      if (given(name))
        refuse(`--${name}`, 'does nothing in an ad-hoc run (one task, no tags, no handlers).')
    }
    if (given('requirements') || given('install-requirements'))
      refuse(
        '-r/--requirements and --install-requirements',
        'install roles for a playbook; an ad-hoc run uses none.'
      )
  }
  if (mode === 'gather') {
    const idle: [keyof typeof CLI_OPTIONS, string][] = [
      ['limit', '-l/--limit'],
      ['shard', '--shard'],
      ['forks', '-f/--forks'],
      ['tags', '-t/--tags'],
      ['skip-tags', '--skip-tags'],
      ['force-handlers', '--force-handlers'],
      ['command-timeout', '--command-timeout'],
      ['requirements', '-r/--requirements'],
      ['install-requirements', '--install-requirements']
    ]
    for (const [name, spelled] of idle) {
      if (given(name)) {
        refuse(
          spelled,
          'does nothing when gathering jobs (--jobs FILE without a playbook): every job of the ' +
            'document is waited for, up to --timeout. Give a playbook as well to run tasks.'
        )
      }
    }
  }
}

/** A positional that names a playbook rather than a host pattern: a YAML file name, or an existing file. */
function looksLikePlaybook(text: string, cwd: string): boolean {
  if (/\.ya?ml$/i.test(text)) return true
  try {
    return statSync(path.resolve(cwd, text)).isFile()
  } catch {
    return false
  }
}

/**
 * The playbook must be a file that exists, as ansible-playbook requires (exit 1). Text that is YAML itself
 * (a newline, or a leading `-`) is an inline playbook, read by the loader.
 * @throws PlaybookNotFoundError naming the playbook
 */
export function checkPlaybookFile(playbook: string, cwd: string): void {
  if (playbook.includes('\n') || playbook.trimStart().startsWith('-')) return
  const file = path.resolve(cwd, playbook)
  if (!existsSync(file)) {
    throw new PlaybookNotFoundError(
      `the playbook: ${playbook} could not be found (looked in ${path.dirname(file)})`
    )
  }
  if (!statSync(file).isFile()) {
    throw new PlaybookNotFoundError(`the playbook: ${playbook} does not appear to be a file`)
  }
}

/** Parses `i/n` (1 ≤ i ≤ n). */
export function parseShard(value: string, option: string): { index: number; count: number } {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value)
  const index = Number(m?.[1])
  const count = Number(m?.[2])
  if (!m || count < 1 || index < 1 || index > count) {
    throw new OptionError(
      `${option} must be i/n with 1 <= i <= n (for example 2/4), got '${value}'`
    )
  }
  return { index, count }
}

function nonNegativeInt(value: string, option: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0)
    throw new OptionError(`${option} must be a whole number of seconds, got '${value}'`)
  return n
}

function positiveInt(value: string, option: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1)
    throw new OptionError(`${option} must be a positive whole number, got '${value}'`)
  return n
}
