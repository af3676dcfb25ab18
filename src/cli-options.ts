import { readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { readJobsArgument } from './async/jobs-encoding.js'
import type { RunSettings } from './engine.js'
import { parseTagList } from './playbook/tags.js'
import { OptionError } from './errors.js'

/** The CLI's usage text. */
export const USAGE = `Usage:
  async-playbook PLAYBOOK [options]
  async-playbook PATTERN -m MODULE [-a ARGS] [-B SECS -P SECS] [options]   (ad-hoc, like \`ansible\`)
  async-playbook --jobs FILE [--timeout SECS] [options]     (gather the jobs of an earlier run)

Runs an Ansible-style playbook over SSH. No Python or Ansible is needed on the runner or the targets.
Without -i, the inventory is one host, localhost, over a local connection.

Options:
  -i, --inventory INVENTORY   inventory file, or inline INI/YAML text, or a host list "a,b,"; repeatable
  -e, --extra-vars VARS       key=value pairs, YAML/JSON, or @file; repeatable, later ones win
  -l, --limit PATTERN         further limit the selected hosts to a pattern
  -f, --forks N               hosts to run in parallel (default 10)
  -u, --user USER             remote user (default: ansible_user, else your login name)
      --private-key FILE      SSH private key file
      --known-hosts FILE      known_hosts file to verify host keys (default ~/.ssh/known_hosts)
      --jump-host USER@HOST:PORT  reach hosts through this bastion (unless they name their own)
      --host-key-checking M   strict (default), accept-new (trust unknown hosts for this run) or off
      --connect-timeout SECS  SSH connect timeout (default 10)
      --command-timeout SECS  deadline of each remote command without a task timeout (default 3600)
      --json FILE             write the results document (JSON) to FILE
      --shard I/N             run only shard I of N of the selected hosts (each host is in exactly one)
  -t, --tags TAGS             run only tasks tagged with one of these (comma list; repeatable)
      --skip-tags TAGS        skip tasks tagged with one of these (comma list; repeatable)
      --force-handlers        run notified handlers even on hosts that failed
  -b, --become                run operations with become (sudo by default; playbook keywords win)
      --become-user USER      the user to become (default root)
      --become-method METHOD  sudo (default) or su
  -K, --ask-become-pass       ask for the become password (on a terminal; else set
                              ASYNC_PLAYBOOK_BECOME_PASSWORD or ansible_become_password)
  -m, --module-name MODULE    ad-hoc: the module to run (default: command)
  -a, --args ARGS             ad-hoc: the module's arguments
  -B, --background SECONDS    ad-hoc: run in the background (async) for at most SECONDS
  -P, --poll SECONDS          ad-hoc: with -B, check every SECONDS (default 15); 0 = fire and forget
      --jobs FILE             jobs of an earlier run (its --json document, or its jobs output): restores their
                              registered launch records; without a playbook, waits for every job and reports it
      --timeout SECONDS       with --jobs and no playbook: how long to wait for all jobs (default 3600)
  -v, --verbose               print every result; repeat for more (-vvv)
  -h, --help                  show this help
      --version               show the version

Exit codes: 0 all hosts ok, 2 a host failed, 4 a host was unreachable or the input could not be parsed,
5 bad options.`

/** What the CLI asks for: a playbook run or an ad-hoc module run. */
export interface CliRequest {
  kind: 'help' | 'version' | 'playbook' | 'adhoc'
  settings?: RunSettings
  adhoc?: { pattern: string; module: string; args: string; background?: number; poll?: number }
  /** -K: the caller prompts for the become password (on a terminal) and puts it in settings.become. */
  askBecomePass?: boolean
}

/** Where the CLI reads a become password from when -K cannot prompt. */
export const BECOME_PASSWORD_ENV = 'ASYNC_PLAYBOOK_BECOME_PASSWORD'

/** Parses argv (without node and the script) into a request. Bad options throw OptionError (exit 5). */
export function parseCli(
  argv: string[],
  env: NodeJS.ProcessEnv,
  isTty: boolean,
  cwd = process.cwd()
): CliRequest {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        inventory: { type: 'string', short: 'i', multiple: true },
        'extra-vars': { type: 'string', short: 'e', multiple: true },
        limit: { type: 'string', short: 'l' },
        forks: { type: 'string', short: 'f' },
        user: { type: 'string', short: 'u' },
        'private-key': { type: 'string' },
        'known-hosts': { type: 'string' },
        'jump-host': { type: 'string' },
        'host-key-checking': { type: 'string' },
        'connect-timeout': { type: 'string' },
        'command-timeout': { type: 'string' },
        json: { type: 'string' },
        'module-name': { type: 'string', short: 'm' },
        args: { type: 'string', short: 'a' },
        background: { type: 'string', short: 'B' },
        poll: { type: 'string', short: 'P' },
        jobs: { type: 'string' },
        shard: { type: 'string' },
        tags: { type: 'string', short: 't', multiple: true },
        'skip-tags': { type: 'string', multiple: true },
        'force-handlers': { type: 'boolean' },
        become: { type: 'boolean', short: 'b' },
        'become-user': { type: 'string' },
        'become-method': { type: 'string' },
        'ask-pass': { type: 'boolean', short: 'k' },
        'ask-become-pass': { type: 'boolean', short: 'K' },
        timeout: { type: 'string' },
        verbose: { type: 'boolean', short: 'v', multiple: true },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' }
      }
    })
  } catch (error) {
    throw new OptionError(`${(error as Error).message}\n\n${USAGE}`)
  }
  const { values, positionals } = parsed
  if (values.help) return { kind: 'help' }
  const becomeMethod = values['become-method']
  if (becomeMethod !== undefined && becomeMethod !== 'sudo' && becomeMethod !== 'su') {
    throw new OptionError(`--become-method must be 'sudo' or 'su', got '${becomeMethod}'`)
  }
  const envPassword = env[BECOME_PASSWORD_ENV] || undefined
  if (values['ask-pass']) {
    throw new OptionError(
      '-k/--ask-pass: prompting is not supported; give the password with ansible_password in the inventory'
    )
  }
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
  const hostKeyChecking =
    values['host-key-checking'] ?? env['ASYNC_PLAYBOOK_HOST_KEY_CHECKING'] ?? 'strict'
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
  const settings: RunSettings = {
    playbook: positionals[0],
    jobs,
    shard: values.shard === undefined ? undefined : parseShard(values.shard, '--shard'),
    gatherTimeoutSeconds:
      values.timeout === undefined ? undefined : positiveInt(values.timeout, '--timeout'),
    inventories: values.inventory ?? [],
    extraVars: values['extra-vars'] ?? [],
    limit: values.limit,
    forks: positiveInt(values.forks ?? '10', '--forks'),
    connection: {
      user: values.user,
      privateKeyPath: values['private-key'],
      knownHostsPath: values['known-hosts'] ?? path.join(os.homedir(), '.ssh', 'known_hosts'),
      hostKeyChecking,
      jumpHost: values['jump-host'],
      connectTimeoutMs: positiveInt(values['connect-timeout'] ?? '10', '--connect-timeout') * 1000
    },
    jsonPath: values.json,
    verbosity: values.verbose?.length ?? 0,
    color: isTty && !env['NO_COLOR'] && env['TERM'] !== 'dumb',
    commandTimeoutMs: positiveInt(values['command-timeout'] ?? '3600', '--command-timeout') * 1000,
    cwd
  }
  if (values.tags !== undefined || values['skip-tags'] !== undefined) {
    settings.tags = {
      only: parseTagList(values.tags ?? []),
      skip: parseTagList(values['skip-tags'] ?? [])
    }
  }
  if (values['force-handlers']) settings.forceHandlers = true
  if (values.become || values['become-user'] || becomeMethod || envPassword) {
    settings.become = {
      ...(values.become ? { enabled: true } : {}),
      ...(values['become-user'] ? { user: values['become-user'] } : {}),
      ...(becomeMethod ? { method: becomeMethod } : {}),
      ...(envPassword ? { password: envPassword } : {})
    }
  }
  // -K with the password already in the environment needs no prompt.
  const askBecomePass = values['ask-become-pass'] === true && envPassword === undefined
  if (values['private-key'] !== undefined) {
    try {
      readFileSync(path.resolve(cwd, values['private-key']))
    } catch {
      throw new OptionError(`--private-key: cannot read '${values['private-key']}'`)
    }
  }
  if (adhoc) {
    return {
      kind: 'adhoc',
      settings,
      ...(askBecomePass ? { askBecomePass } : {}),
      adhoc: {
        pattern: positionals[0]!,
        module: values['module-name'] ?? 'command',
        args: values.args ?? '',
        background:
          values.background === undefined
            ? undefined
            : nonNegativeInt(values.background, '-B/--background'),
        poll: values.poll === undefined ? undefined : nonNegativeInt(values.poll, '-P/--poll')
      }
    }
  }
  return { kind: 'playbook', settings, ...(askBecomePass ? { askBecomePass } : {}) }
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
