// What the CLI accepts, as data: its usage text, the options node:util parseArgs reads, and the options of
// ansible-playbook it refuses (each with what to do instead). Split from cli-options.ts, which parses argv.
import type { ParseArgsConfig } from 'node:util'
import { DEFAULTS } from './defaults.js'

/** The CLI's usage text. */
export const USAGE = `Usage:
  async-playbook PLAYBOOK [options]
  async-playbook PATTERN -m MODULE [-a ARGS] [-B SECS -P SECS] [options]   (ad-hoc, like \`ansible\`)
  async-playbook --jobs FILE [--timeout SECS] [options]     (gather the jobs of an earlier run)

Runs an Ansible-style playbook over SSH. No Python or Ansible is needed on the runner or the targets.
Without -i, the inventory is one host, localhost, over a local connection.

Options:
  -i, --inventory INVENTORY   inventory file or directory, inline INI/YAML text, or a host list "a,b,";
                              repeatable
  -e, --extra-vars VARS       key=value pairs, YAML/JSON, or @file; repeatable, later ones win
  -l, --limit PATTERN         further limit the selected hosts to a pattern
  -f, --forks N               hosts to run in parallel (default ${DEFAULTS.forks})
  -u, --user USER             remote user (default: ansible_user, else your login name)
      --private-key FILE      SSH private key file
      --known-hosts FILE      known_hosts file to verify host keys (default ~/.ssh/known_hosts)
      --jump-host USER@HOST:PORT  reach hosts through this bastion (unless they name their own)
      --host-key-checking M   ${DEFAULTS.hostKeyChecking} (default), accept-new (trust unknown hosts for this run) or off
      --connect-timeout SECS  SSH connect timeout (default ${DEFAULTS.connectTimeoutSeconds})
      --command-timeout SECS  deadline of each remote command without a task timeout (default ${DEFAULTS.commandTimeoutSeconds})
      --json FILE             write the results document (JSON) to FILE
      --shard I/N             run only shard I of N of the selected hosts (each host is in exactly one)
  -t, --tags TAGS             run only tasks tagged with one of these (comma list; repeatable)
      --skip-tags TAGS        skip tasks tagged with one of these (comma list; repeatable)
      --force-handlers        run notified handlers even on hosts that failed (default:
                              ANSIBLE_FORCE_HANDLERS)
  -C, --check                 check mode: change nothing, report what each task would change
  -D, --diff                  show what file-changing tasks change (unified diffs); with -C, what they would
  -b, --become                run operations with become (sudo by default; playbook keywords win)
      --become-user USER      the user to become (default root)
      --become-method METHOD  sudo (default) or su
  -K, --ask-become-pass       ask for the become password (on a terminal; else set
                              ASYNC_PLAYBOOK_BECOME_PASSWORD or ansible_become_password)
      --vault-id [LABEL@]SOURCE
                              a vault password: SOURCE is a file holding it, a script printing it, or
                              'prompt' (repeatable; default: ANSIBLE_VAULT_IDENTITY_LIST)
      --vault-password-file, --vault-pass-file FILE
                              the default vault password's file or script (repeatable; default:
                              ANSIBLE_VAULT_PASSWORD_FILE)
  -J, --ask-vault-password, --ask-vault-pass
                              ask for the vault password (on a terminal)
  -r, --requirements FILE     install the roles of this requirements file (ansible-galaxy's format) before
                              the run, into a cache (repeatable)
      --install-requirements  install the roles of roles/requirements.yml, requirements.yml and
                              collections/requirements.yml next to the playbook or in the current directory
      --allow-inventory-scripts
                              run executable inventory files (dynamic inventory scripts, with --list);
                              refused without this flag
  -m, --module-name MODULE    ad-hoc: the module to run (default: ${DEFAULTS.adhocModule})
  -a, --args ARGS             ad-hoc: the module's arguments
  -B, --background SECONDS    ad-hoc: run in the background (async) for at most SECONDS
  -P, --poll SECONDS          ad-hoc: with -B, check every SECONDS (default ${DEFAULTS.adhocPollSeconds}); 0 = fire and forget
      --jobs FILE             jobs of an earlier run (its --json document, or its jobs output): restores their
                              registered launch records; without a playbook, waits for every job and reports it
      --timeout SECONDS       with --jobs and no playbook: how long to wait for all jobs (default ${DEFAULTS.gatherTimeoutSeconds})
      --list-hosts            print the hosts each play would run on, as ansible-playbook; contacts no host
      --list-tasks            print the tasks each play would run (after --tags/--skip-tags); contacts no host
      --list-tags             print the tags of each play's tasks; contacts no host
      --syntax-check          load the playbook (roles, imports, keywords) and report errors; contacts no host
      --start-at-task NAME    start at the first task named NAME (a glob; \`role : name\` for a role's task)
  -v, --verbose               print every result; repeat for more (-vvv)
  -h, --help                  show this help
      --version               show the version

Options of ansible-playbook that are not listed here (--step, --flush-cache,
...) are refused with a one-line message; so is an option that would do nothing in the
kind of run asked for (--timeout without --jobs, -B/-P with a playbook, ...).

Exit codes: 0 all hosts ok; 1 an error such as a missing playbook file or a --limit that matches no host;
2 a host failed, or an unknown option; 4 a host was unreachable or the input could not be parsed;
5 an option value, or a combination of options, that is not valid.`

/** Where the CLI reads a become password from when -K cannot prompt. */
export const BECOME_PASSWORD_ENV = 'ASYNC_PLAYBOOK_BECOME_PASSWORD'

/** The options the CLI reads, as node:util parseArgs takes them. Each one is in USAGE and the README. */
export const CLI_OPTIONS = {
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
  check: { type: 'boolean', short: 'C' },
  diff: { type: 'boolean', short: 'D' },
  become: { type: 'boolean', short: 'b' },
  'become-user': { type: 'string' },
  'become-method': { type: 'string' },
  'ask-become-pass': { type: 'boolean', short: 'K' },
  'vault-id': { type: 'string', multiple: true },
  'vault-password-file': { type: 'string', multiple: true },
  'vault-pass-file': { type: 'string', multiple: true },
  'ask-vault-password': { type: 'boolean', short: 'J' },
  'ask-vault-pass': { type: 'boolean' },
  requirements: { type: 'string', short: 'r', multiple: true },
  'install-requirements': { type: 'boolean' },
  'allow-inventory-scripts': { type: 'boolean' },
  timeout: { type: 'string' },
  verbose: { type: 'boolean', short: 'v', multiple: true },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  'list-hosts': { type: 'boolean' },
  'list-tasks': { type: 'boolean' },
  'list-tags': { type: 'boolean' },
  'syntax-check': { type: 'boolean' },
  'start-at-task': { type: 'string' }
} as const satisfies NonNullable<ParseArgsConfig['options']>

/**
 * Options of ansible-playbook (and of the `ansible` ad-hoc command) that this CLI does not have, each
 * refused in one line. `value`: the option takes an argument (which must not be read as the playbook);
 * `yet`: it may come; `hint`: what to do instead.
 */
export const UNSUPPORTED: readonly {
  names: readonly string[]
  value?: true
  yet?: true
  hint?: string
}[] = [
  { names: ['step'], yet: true },
  { names: ['flush-cache'], hint: 'there is no fact cache, facts are gathered in every run' },
  { names: ['M', 'module-path'], value: true, yet: true, hint: 'custom modules are not supported' },
  {
    names: ['c', 'connection'],
    value: true,
    hint: 'set ansible_connection (ssh or local) in the inventory'
  },
  {
    names: ['T'],
    value: true,
    hint: "ansible-playbook's -T/--timeout (the SSH connect timeout) is --connect-timeout here"
  },
  ...['ssh-common-args', 'ssh-extra-args'].map((name) => ({
    names: [name],
    value: true as const,
    yet: true as const,
    hint: `set ansible_${name.replace(/-/g, '_')} in the inventory`
  })),
  ...['sftp-extra-args', 'scp-extra-args'].map((name) => ({
    names: [name],
    value: true as const,
    hint: 'files are copied over the SSH connection itself, with no sftp or scp command'
  })),
  {
    names: ['k', 'ask-pass'],
    hint: 'give the SSH password with ansible_password in the inventory'
  },
  {
    names: ['connection-password-file', 'conn-pass-file'],
    value: true,
    yet: true,
    hint: 'give the SSH password with ansible_password in the inventory'
  },
  {
    names: ['become-password-file', 'become-pass-file'],
    value: true,
    yet: true,
    hint: `use -K, ${BECOME_PASSWORD_ENV} or ansible_become_password`
  },
  { names: ['inventory-file'], value: true, hint: 'use -i/--inventory' },
  { names: ['key-file'], value: true, hint: 'use --private-key' },
  { names: ['o', 'one-line'], yet: true },
  { names: ['tree'], value: true, yet: true, hint: 'write the results with --json FILE' },
  { names: ['playbook-dir'], value: true, yet: true },
  {
    names: ['task-timeout'],
    value: true,
    hint: '--command-timeout sets the deadline of each command of a task'
  }
]
