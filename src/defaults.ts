import os from 'node:os'
import path from 'node:path'

/**
 * The defaults of a run, shared by the CLI (src/cli-options.ts, its usage text included) and the action
 * (src/action/settings.ts). action.yml repeats some of them as its inputs' `default:` values (the runner
 * passes those to the action), and a unit test (__tests__/unit/defaults.test.ts) checks that it says the
 * same; the README's input table is generated from action.yml.
 */
export const DEFAULTS = {
  /** Hosts run in parallel (`-f/--forks`, input `forks`, ANSIBLE_FORKS). */
  forks: 10,
  /** SSH port of a host whose inventory sets none (input `port`; the CLI has no option for it). */
  port: 22,
  /** Host key checking (`--host-key-checking`, input `host-key-checking`). */
  hostKeyChecking: 'strict',
  /** SSH connect timeout, in seconds (`--connect-timeout`, ANSIBLE_TIMEOUT; the action always uses this). */
  connectTimeoutSeconds: 10,
  /** Deadline of each remote command of a task without its own `timeout`, in seconds (`--command-timeout`). */
  commandTimeoutSeconds: 3600,
  /** How long a run that only gathers handed-over jobs waits for them, in seconds (`--timeout`, input `timeout`). */
  gatherTimeoutSeconds: 3600,
  /** How often, at most, the action prints a line about jobs still running (ASYNC_PLAYBOOK_PROGRESS_SECONDS). */
  progressSeconds: 30,
  /** The module of an ad-hoc run without `-m`, as the `ansible` command. */
  adhocModule: 'command',
  /** How often an ad-hoc `-B` run checks its job without `-P`, in seconds, as the `ansible` command. */
  adhocPollSeconds: 15
} as const

/** The user's own known_hosts file (`~/.ssh/known_hosts`), read unless a host's UserKnownHostsFile replaces it. */
export function defaultKnownHostsPath(): string {
  return path.join(os.homedir(), '.ssh', 'known_hosts')
}
