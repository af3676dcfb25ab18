import * as core from '@actions/core'
import { existsSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { readJobsArgument } from '../async/jobs-encoding.js'
import { parseShard } from '../cli-options.js'
import { privateKeyProblem, type PrivateKeyProblem } from '../connection/index.js'
import { DEFAULTS, defaultKnownHostsPath } from '../defaults.js'
import type { RunSettings } from '../engine.js'
import { parseTagList } from '../playbook/tags.js'
import { OptionError } from '../errors.js'
import {
  ANSIBLE_OUTPUT_AND_HANDLER_NAMES,
  readAnsibleEnvironment,
  runSettingsFrom
} from '../ansible-env.js'
import { environmentWithConfig, readAnsibleConfig } from '../config/ansible-cfg.js'
import { Inputs, Outputs } from './constants.js'
import type { VaultSecretRequest } from '../vault/index.js'

/** The `mode` input: run the playbook, or only load it and print what ansible-playbook's option prints. */
export const ACTION_MODES = [
  'run',
  'syntax-check',
  'list-hosts',
  'list-tasks',
  'list-tags'
] as const
export type ActionMode = (typeof ACTION_MODES)[number]

/** When the step fails. */
export type FailOn = 'failed' | 'unreachable' | 'any' | 'never'

/** Everything the action reads from its inputs, validated once. Nothing else calls core.getInput. */
export interface ActionSettings {
  run: RunSettings
  failOn: FailOn
  onCancel: 'leave' | 'kill'
  summary: boolean
  annotations: boolean
  comment: boolean
  githubToken?: string
  /** The job's matrix values as JSON (the `matrix` input), telling matrix jobs' PR comments apart. */
  matrix?: string
  resultsFile: string
  /** The `mode` input. */
  mode: ActionMode
  /** The playbook was given as inline YAML (annotations then carry no file). */
  inlinePlaybook: boolean
  /** The `vault-password` input (masked), and the vault files ANSIBLE_VAULT_* name in the step's env. */
  vault: { password?: string; request: VaultSecretRequest }
}

/** Reads and validates every input. Secrets are masked before anything else happens. */
export function readActionSettings(
  env: NodeJS.ProcessEnv = process.env,
  options: { post?: boolean } = {}
): ActionSettings {
  for (const secret of [
    Inputs.PrivateKey,
    Inputs.Passphrase,
    Inputs.Password,
    Inputs.BecomePassword,
    Inputs.VaultPassword,
    Inputs.GithubToken
  ]) {
    const value = core.getInput(secret)
    if (value) {
      core.setSecret(value)
      // A multi-line secret (a key) is masked line by line too, as the runner matches line by line.
      for (const line of value.split(/\r?\n/))
        if (line.trim().length >= 4) core.setSecret(line.trim())
    }
  }
  const workspace = env['GITHUB_WORKSPACE'] || process.cwd()
  const playbook = core.getInput(Inputs.Playbook)
  const jobsText = core.getInput(Inputs.Jobs)
  if (!playbook && !jobsText && !options.post) {
    throw new OptionError(
      `Input '${Inputs.Playbook}' is required (a playbook path or inline YAML), unless '${Inputs.Jobs}' is given to gather earlier jobs`
    )
  }
  const checking = choice(
    Inputs.HostKeyChecking,
    ['strict', 'off', 'accept-new'],
    DEFAULTS.hostKeyChecking
  )
  if (checking === 'off') {
    core.warning(
      `Input '${Inputs.HostKeyChecking}' is 'off': any host key is accepted, so a man in the middle would go unnoticed. Give 'known-hosts' instead.`
    )
  }
  const inventory = core.getInput(Inputs.Inventory)
  const extraVars = core.getInput(Inputs.ExtraVars)
  const shard = core.getInput(Inputs.Shard)
  const resultsFile =
    core.getInput(Inputs.ResultsFile) ||
    path.join(
      env['RUNNER_TEMP'] || os.tmpdir(),
      `async-playbook-results-${env['GITHUB_RUN_ID'] ?? process.pid}-${env['GITHUB_ACTION'] ?? 'step'}.json`
    )
  // The workspace's ansible.cfg (or ANSIBLE_CONFIG's, ~/.ansible.cfg …), under the step's ANSIBLE_*
  // variables about output and handlers; an input that is given wins over both. Connections, forks and
  // become come from inputs, then the file: the step's variables for those are not read.
  const config = readAnsibleConfig(env, workspace)
  const withConfig = environmentWithConfig(
    Object.fromEntries(ANSIBLE_OUTPUT_AND_HANDLER_NAMES.map((name) => [name, env[name]])),
    config
  )
  const ansible = readAnsibleEnvironment(withConfig.env, withConfig.origins)
  const configWarnings = [...config.warnings]
  const origin = (name: string): string => withConfig.origins[name] ?? name
  // Inputs with a default in action.yml always have a value: they decide, and the log says so.
  if (ansible.hostKeyChecking !== undefined) {
    configWarnings.push(
      `${origin('ANSIBLE_HOST_KEY_CHECKING')} is not read by the action: its input '${Inputs.HostKeyChecking}' (default strict) decides`
    )
  }
  if (ansible.forks !== undefined) {
    configWarnings.push(
      `${origin('ANSIBLE_FORKS')} is not read by the action: its input '${Inputs.Forks}' (default ${DEFAULTS.forks}) decides`
    )
  }
  if (ansible.remotePort !== undefined) {
    configWarnings.push(
      `${origin('ANSIBLE_REMOTE_PORT')} is not read by the action: its input '${Inputs.Port}' (default ${DEFAULTS.port}) decides`
    )
  }
  if (ansible.becomeAskPass || ansible.askVaultPass) {
    configWarnings.push(
      `${origin(ansible.becomeAskPass ? 'ANSIBLE_BECOME_ASK_PASS' : 'ANSIBLE_ASK_VAULT_PASS')}: the action cannot prompt for a password; give it in input '${ansible.becomeAskPass ? Inputs.BecomePassword : Inputs.VaultPassword}'`
    )
  }
  if (ansible.retryFilesEnabled) {
    configWarnings.push(
      `${origin('ANSIBLE_RETRY_FILES_ENABLED')}: the action writes no .retry file: rerun the failed hosts with its '${Outputs.FailedHosts}' output as '${Inputs.Limit}'`
    )
  }
  const configPrivateKey = ansible.privateKeyFile
  if (configPrivateKey !== undefined && !existsSync(path.resolve(workspace, configPrivateKey))) {
    throw new OptionError(
      `${origin('ANSIBLE_PRIVATE_KEY_FILE')}: cannot read '${configPrivateKey}'`
    )
  }
  const inlinePlaybook = playbook.includes('\n') || !existsSync(path.resolve(workspace, playbook))
  const run: RunSettings = {
    playbook: playbook || undefined,
    jobs: jobsText && !options.post ? jobsInput(jobsText, workspace) : undefined,
    gatherTimeoutSeconds: positiveInt(Inputs.Timeout, DEFAULTS.gatherTimeoutSeconds),
    inventories: inventory ? [inventory] : (ansible.inventories ?? []),
    extraVars: extraVars ? [extraVars] : [],
    limit: core.getInput(Inputs.Limit) || undefined,
    forks: positiveInt(Inputs.Forks, DEFAULTS.forks),
    shard: shard ? parseShard(shard, `Input '${Inputs.Shard}'`) : undefined,
    connection: {
      user: core.getInput(Inputs.User) || ansible.remoteUser,
      port: positiveInt(Inputs.Port, DEFAULTS.port),
      privateKey: core.getInput(Inputs.PrivateKey) || undefined,
      ...(configPrivateKey !== undefined && !core.getInput(Inputs.PrivateKey)
        ? { privateKeyPath: path.resolve(workspace, configPrivateKey) }
        : {}),
      ...(ansible.sshArgs !== undefined
        ? { sshArgs: ansible.sshArgs, sshArgsSource: origin('ANSIBLE_SSH_ARGS') }
        : {}),
      // Not trimmed: blanks may be part of a passphrase (a block scalar's final newline is not).
      passphrase:
        core.getInput(Inputs.Passphrase, { trimWhitespace: false }).replace(/\r?\n$/, '') ||
        undefined,
      // Messages about the key and the login name these inputs, not the CLI's options.
      sources: {
        privateKey: `input '${Inputs.PrivateKey}'`,
        passphrase: `input '${Inputs.Passphrase}'`,
        user: `input '${Inputs.User}'`
      },
      password: core.getInput(Inputs.Password) || undefined,
      knownHosts: core.getInput(Inputs.KnownHosts) || undefined,
      jumpHost: core.getInput(Inputs.JumpHost) || undefined,
      knownHostsPath: defaultKnownHostsPath(),
      hostKeyChecking: checking as 'strict' | 'accept-new' | 'off',
      hostKeyCheckingSource: `input '${Inputs.HostKeyChecking}: ${checking}'`,
      connectTimeoutMs: (ansible.connectTimeoutSeconds ?? DEFAULTS.connectTimeoutSeconds) * 1000
    },
    verbosity: core.isDebug() ? 1 : 0,
    // The log renders colours; ANSIBLE_NOCOLOR / NO_COLOR in the step's environment turn them off.
    color: ansible.color !== 'off',
    // ANSIBLE_DISPLAY_*, ANSIBLE_NO_LOG, ANSIBLE_FORCE_HANDLERS and ANSIBLE_ERROR_ON_MISSING_HANDLER.
    ...runSettingsFrom(ansible),
    commandTimeoutMs: DEFAULTS.commandTimeoutSeconds * 1000,
    cwd: workspace,
    ...(config.file !== undefined ? { configFile: config.file } : {}),
    ...(configWarnings.length > 0 ? { configWarnings } : {}),
    ...(ansible.gathering !== undefined ? { gathering: ansible.gathering } : {}),
    ...(ansible.rolesPath !== undefined ? { rolesPath: ansible.rolesPath } : {}),
    ...requirementsSettings(withConfig.env['ANSIBLE_GALAXY_SERVER']),
    ...(bool(Inputs.AllowInventoryScripts, false) ? { allowInventoryScripts: true } : {})
  }
  if (ansible.become || ansible.becomeUser || ansible.becomeMethod) {
    run.become = {
      ...(ansible.become ? { enabled: true } : {}),
      ...(ansible.becomeUser ? { user: ansible.becomeUser } : {}),
      ...(ansible.becomeMethod ? { method: ansible.becomeMethod as 'sudo' | 'su' } : {})
    }
  }
  // Masked above; sent to targets on sudo's stdin only. Playbooks turn become on (become: true).
  // Not trimmed: blanks may be part of a password (a block scalar's final newline is not).
  const becomePassword = core
    .getInput(Inputs.BecomePassword, { trimWhitespace: false })
    .replace(/\r?\n$/, '')
  if (becomePassword) run.become = { ...run.become, password: becomePassword }
  const vaultPassword = core
    .getInput(Inputs.VaultPassword, { trimWhitespace: false })
    .replace(/\r?\n$/, '')
  const tags = core.getInput(Inputs.Tags)
  const skipTags = core.getInput(Inputs.SkipTags)
  if (tags || skipTags) run.tags = { only: parseTagList([tags]), skip: parseTagList([skipTags]) }
  if (!playbook && jobsText && !options.post) refuseIdleGatherInputs()
  const mode = choice(Inputs.Mode, [...ACTION_MODES], 'run') as ActionMode
  if (mode !== 'run') {
    if (!playbook)
      throw new OptionError(
        `Input '${Inputs.Mode}: ${mode}' needs a playbook: give input '${Inputs.Playbook}'`
      )
    run.listing =
      mode === 'syntax-check'
        ? { syntax: true }
        : { [mode.slice('list-'.length) as 'hosts' | 'tasks' | 'tags']: true }
  }
  for (const [name, key] of [
    [Inputs.Check, 'check'],
    [Inputs.Diff, 'diff']
  ] as const) {
    if (!bool(name, false)) continue
    if (mode !== 'run')
      throw new OptionError(
        `Input '${name}' does nothing with '${Inputs.Mode}: ${mode}' (no task runs): remove one of them`
      )
    run[key] = true
  }
  // As the CLI's --diff: ANSIBLE_DIFF_ALWAYS (or ansible.cfg's [diff] always) when the input is not given.
  if (core.getInput(Inputs.Diff).trim() === '' && ansible.diffAlways && mode === 'run')
    run.diff = true
  const comment = bool(Inputs.Comment, false)
  const githubToken = core.getInput(Inputs.GithubToken) || undefined
  if (comment && !githubToken) {
    throw new OptionError(
      `Input '${Inputs.Comment}' is true but '${Inputs.GithubToken}' is empty: pass github-token: \${{ secrets.GITHUB_TOKEN }}`
    )
  }
  const key = run.connection.privateKey
  if (key !== undefined) {
    const problem = privateKeyProblem(key, run.connection.passphrase)
    if (problem) throw new OptionError(privateKeyMessage(problem))
  }
  if (inventory && !inventory.includes('\n') && existsSync(path.resolve(workspace, inventory))) {
    run.inventories = [path.resolve(workspace, inventory)]
  }
  return {
    run,
    failOn: choice(Inputs.FailOn, ['failed', 'unreachable', 'any', 'never'], 'any') as FailOn,
    onCancel: choice(Inputs.OnCancel, ['leave', 'kill'], 'leave') as 'leave' | 'kill',
    summary: bool(Inputs.Summary, true),
    annotations: bool(Inputs.Annotations, true),
    comment,
    githubToken,
    matrix: core.getInput(Inputs.Matrix) || undefined,
    resultsFile,
    mode,
    inlinePlaybook,
    vault: {
      // Not trimmed, as the become password: blanks may be part of it (a block scalar's newline is not).
      ...(vaultPassword ? { password: vaultPassword } : {}),
      request: {
        ids: [],
        passwordFiles: [],
        ask: false,
        cwd: workspace,
        // ANSIBLE_VAULT_PASSWORD_FILE and ANSIBLE_VAULT_IDENTITY_LIST, or the file's vault_* keys.
        env: config.file === undefined ? env : environmentWithConfig(env, config).env
      }
    }
  }
}

/**
 * `install-requirements` (default true) installs the roles of the requirement files found next to the
 * playbook and in the workspace; `requirements` names files (one a line) installed whatever it says.
 */
function requirementsSettings(galaxyServer: string | undefined): Pick<RunSettings, 'requirements'> {
  const auto = bool(Inputs.InstallRequirements, true)
  const files = core
    .getInput(Inputs.Requirements)
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
  if (!auto && files.length === 0) return {}
  return { requirements: { files, auto, ...(galaxyServer ? { galaxyServer } : {}) } }
}

/** What to fix when the `private-key` input (with `passphrase`) cannot be used; never quotes either. */
function privateKeyMessage(problem: PrivateKeyProblem): string {
  const key = `Input '${Inputs.PrivateKey}'`
  switch (problem.kind) {
    case 'passphrase-missing':
      return `${key} is an encrypted private key: give its passphrase in input '${Inputs.Passphrase}'`
    case 'passphrase-wrong':
      return `Input '${Inputs.Passphrase}' does not decrypt the key in input '${Inputs.PrivateKey}' (${problem.detail}): check the passphrase, and that both secrets belong to the same key`
    case 'public-key':
      return `${key} holds a public key: give the private key (the key file without .pub), usually from a secret`
    case 'not-a-key':
      return `${key} is not a private key SSH can use (${problem.detail}): give the whole key file, from its -----BEGIN line to its -----END line, usually from a secret`
  }
}

/**
 * The `jobs` input: the `jobs` output of an earlier step (plain JSON or the compact apb1: form), or the
 * path of a file in the workspace holding it or a whole results document (handed over as an artifact).
 */
function jobsInput(value: string, workspace: string): RunSettings['jobs'] {
  const label = `Input '${Inputs.Jobs}'`
  const read = readJobsArgument(value, workspace, label)
  return read.file ? { text: read.text, source: `${label} (${read.file})` } : read
}

/**
 * Gathering jobs without a playbook waits for every job of the `jobs` input: inputs that select hosts or
 * tasks would do nothing there, so a workflow that gives them is told so rather than silently ignored.
 */
function refuseIdleGatherInputs(): void {
  for (const name of [Inputs.Limit, Inputs.Shard, Inputs.Tags, Inputs.SkipTags]) {
    if (core.getInput(name)) {
      throw new OptionError(
        `Input '${name}' does nothing when the step only gathers jobs (input '${Inputs.Jobs}' without '${Inputs.Playbook}'): every job handed over is waited for, up to '${Inputs.Timeout}'. Remove '${name}' from this step, or give a playbook as well to run tasks.`
      )
    }
  }
}

function choice(name: string, allowed: string[], fallback: string): string {
  const value = (core.getInput(name) || fallback).trim()
  if (!allowed.includes(value)) {
    throw new OptionError(
      `Input '${name}' must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got '${value}'`
    )
  }
  return value
}

function bool(name: string, fallback: boolean): boolean {
  const value = core.getInput(name).trim()
  if (value === '') return fallback
  if (/^(true|yes|on|1)$/i.test(value)) return true
  if (/^(false|no|off|0)$/i.test(value)) return false
  throw new OptionError(`Input '${name}' must be true or false, got '${value}'`)
}

function positiveInt(name: string, fallback: number): number {
  const text = core.getInput(name) || String(fallback)
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1)
    throw new OptionError(`Input '${name}' must be a positive whole number, got '${text}'`)
  return n
}
