import { randomBytes } from 'node:crypto'
import type { VarsPrompter } from './executor/vars-prompt.js'
import {
  defaultRequirementsCache,
  findRequirementsFiles,
  installRequirements,
  type RequirementsSettings
} from './requirements/index.js'
import {
  closeSync,
  fchmodSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import path from 'node:path'
import {
  forgetConnectionNotices,
  onConnectionNotice,
  onHostKeyAccepted,
  openConnection
} from './connection/index.js'
import type { ConnectionDefaults } from './connection/host-settings.js'
import { adoptHandedOverJobs, type BecomeDefaults } from './executor/become.js'
import { combineEvents, type RunEvents } from './executor/events.js'
import { gatherJobs } from './executor/gather-runner.js'
import { runPlaybook, type EngineOptions } from './executor/playbook-runner.js'
import { listPlaybook, type ListingRequest } from './executor/listing.js'
import { VariableManager } from './executor/variables.js'
import { JobRegistry } from './async/job-registry.js'
import { jobsDocument, parseJobsDocument } from './async/jobs-document.js'
import { dict } from './values/dict.js'
import { DEFAULTS } from './defaults.js'
import { NoHostsError, OptionError } from './errors.js'
import { evaluatePatterns, splitHostPattern } from './inventory/host-pattern.js'
import {
  applyLimit,
  defaultInventory,
  loadInventory,
  type Inventory
} from './inventory/inventory.js'
import { MODULE_CATALOG } from './modules/registry.js'
import { parseExtraVars } from './playbook/extra-vars.js'
import { loadPlaybook } from './playbook/playbook-loader.js'
import type { TagSelection } from './playbook/tags.js'
import type { Playbook } from './playbook/types.js'
import { AdhocReporter } from './report/adhoc-reporter.js'
import { ConsoleReporter } from './report/console-reporter.js'
import { ResultsCollector, type ResultsDocument } from './report/results-document.js'
import { noteRunStarted } from './startup/run-marker.js'
import { setHostPatternEvaluator, setLookupWarningSink, Templar } from './template/index.js'

// The inventory_hostnames lookup matches patterns as the inventory does, over the `groups` variable
// (Ansible builds an inventory from it): installed here, as templating does not import the inventory.
setHostPatternEvaluator((patterns, groups) => {
  const all = groups['all'] ?? [...new Set(Object.values(groups).flat())]
  return evaluatePatterns(splitHostPattern(patterns), {
    hostNames: () => [...all],
    groupNames: () => Object.keys(groups),
    groupHosts: (group) => [...(groups[group] ?? [])],
    hasHost: (name) => all.includes(name),
    localhostFor: (name) => name
  })
})

/** One typed settings object: what the CLI's argv or the action's inputs become. */
export interface RunSettings {
  /** Playbook file path or inline YAML; a ready playbook (ad-hoc runs); or none to only gather `jobs`. */
  playbook: string | Playbook | undefined
  /** A jobs document (or results document) from an earlier run, as text, and where it came from. */
  jobs?: { text: string; source: string }
  /** With jobs and no playbook: how long to wait for all of them, in seconds. */
  gatherTimeoutSeconds?: number
  /** Inventory paths or texts; empty means the embedded localhost default. */
  inventories: string[]
  /** Raw `-e` values, in order (later ones win). */
  extraVars: string[]
  limit?: string
  forks: number
  connection: ConnectionDefaults
  /**
   * -b/--become, --become-user, --become-method, and the become password (-K, the environment variable
   * ASYNC_PLAYBOOK_BECOME_PASSWORD, or the `become-password` input). Keywords and variables override them.
   */
  become?: BecomeDefaults
  /** Where to write the results document, if anywhere. */
  jsonPath?: string
  verbosity: number
  color: boolean
  /** Which results the console prints (ANSIBLE_DISPLAY_OK_HOSTS, ANSIBLE_DISPLAY_SKIPPED_HOSTS); all if absent. */
  display?: { okHosts: boolean; skippedHosts: boolean }
  /** ANSIBLE_NO_LOG: the `no_log` of every task that does not set its own. */
  noLog?: boolean
  /** ANSIBLE_SHOW_CUSTOM_STATS: the console prints set_stats' values after the recap. */
  showCustomStats?: boolean
  /** ANSIBLE_DEPRECATION_WARNINGS ([defaults] deprecation_warnings): false hides deprecation warnings. */
  deprecationWarnings?: boolean
  /** ANSIBLE_DIFF_CONTEXT ([diff] context): lines of context around each change in diffs (default 3). */
  diffContext?: number
  /** Run only this shard of the selected hosts (`i/n`, 1-based), for a matrix of n jobs. */
  shard?: { index: number; count: number }
  /** --tags / --skip-tags (the `tags` / `skip-tags` inputs): which tasks run. Absent means all. */
  tags?: TagSelection
  /**
   * --force-handlers, or ANSIBLE_FORCE_HANDLERS: failed hosts still run their notified handlers (a play's
   * force_handlers wins).
   */
  forceHandlers?: boolean
  /** ANSIBLE_ERROR_ON_MISSING_HANDLER: false makes a notify that reaches no handler a warning. */
  errorOnMissingHandler?: boolean
  /** Print results as the `ansible` ad-hoc command does. */
  adhocOutput?: boolean
  /** Deadline for each remote command of a task without its own `timeout`. */
  commandTimeoutMs: number
  cwd: string
  /** The ansible.cfg read (`ansible_config_file`), if any. */
  configFile?: string
  /** Warnings about the configuration (keys not supported, a file ignored), printed once before the run. */
  configWarnings?: string[]
  /** ANSIBLE_GATHERING / [defaults] gathering: when plays without `gather_facts` gather facts. */
  gathering?: 'implicit' | 'explicit' | 'smart'
  /** ANSIBLE_ROLES_PATH / [defaults] roles_path: where roles are looked for after the playbook's roles/. */
  rolesPath?: string[]
  /** -C/--check (the `check` input): run in check mode; tasks report what they would change. */
  check?: boolean
  /** -D/--diff (the `diff` input): modules return, and the console prints, what they change. */
  diff?: boolean
  /**
   * --list-hosts, --list-tasks, --list-tags, --syntax-check (the `mode` input): print what ansible-playbook
   * prints for them and contact no host.
   */
  listing?: ListingRequest
  /** --start-at-task NAME: start the run at the first task so named (a glob, as ansible-playbook). */
  startAtTask?: string
  /**
   * ANSIBLE_RETRY_FILES_ENABLED (retry_files_enabled): after a run with failed or unreachable hosts, write
   * their names to PLAYBOOK.retry, in `savePath` (ANSIBLE_RETRY_FILES_SAVE_PATH) or next to the playbook.
   */
  retryFiles?: { savePath?: string }
  /** Requirement files whose roles are installed (into a cache) before the playbook is loaded. */
  requirements?: RequirementsSettings
  /** Executable inventory files are run (`--list`) only when this is true (--allow-inventory-scripts). */
  allowInventoryScripts?: boolean
}

/**
 * A view into a run in progress, filled in by executeRun: the action reads it to write partial outputs
 * when the workflow is cancelled, and to print progress while jobs are outstanding.
 */
export interface LiveRun {
  collector?: ResultsCollector
  registry?: JobRegistry
}

/** What a run returns to its caller (CLI or action). */
export interface RunOutcome {
  exitCode: number
  document: ResultsDocument
}

/**
 * Loads the playbook and inventory, runs the playbook, reports to the console and builds the results document.
 * Parse errors propagate as typed errors; the caller maps them to exit codes.
 */
export async function executeRun(
  settings: RunSettings,
  write: (text: string) => void,
  options: {
    signal?: AbortSignal
    extraEvents?: RunEvents[]
    /** Events that must see each event before the console prints it (log grouping). */
    beforeConsole?: RunEvents[]
    live?: LiveRun
    /** Asks a play's vars_prompt (the CLI on a terminal); absent, a prompt with no value stops the run. */
    varsPrompter?: VarsPrompter
    /** Where the console's `[ERROR]:` lines go (the CLI: stderr); absent, to `write` with the rest. */
    writeError?: (text: string) => void
  } = {}
): Promise<RunOutcome> {
  const inventoryOptions = settings.allowInventoryScripts ? { allowScripts: true } : {}
  const requirements = await installRunRequirements(settings)
  for (const line of requirements?.log ?? []) write(`${line}\n`)
  const playbook =
    typeof settings.playbook === 'string'
      ? loadPlaybook(settings.playbook, MODULE_CATALOG, settings.cwd, {
          ...(settings.rolesPath ? { rolesPath: settings.rolesPath } : {}),
          ...(requirements ? { installed: requirements.roles } : {})
        })
      : settings.playbook
  const jobs = settings.jobs
    ? parseJobsDocument(settings.jobs.text, settings.jobs.source)
    : undefined
  if (!playbook && !jobs)
    throw new OptionError('a playbook is required (or --jobs to gather the jobs of an earlier run)')
  const inventory =
    settings.inventories.length > 0
      ? loadInventory(settings.inventories, inventoryOptions)
      : defaultInventory()
  // group_vars/host_vars next to the inventory and the playbook: a broken file stops the run before it starts.
  for (const dir of new Set([
    playbook?.baseDir,
    ...(playbook?.plays ?? []).map((play) => play.playbookFileDir)
  ]))
    inventory.preloadVars(dir)
  const extraVars: Record<string, unknown> = {}
  for (const value of settings.extraVars)
    Object.assign(extraVars, parseExtraVars(value, settings.cwd))
  const templar = new Templar()
  if (settings.listing && playbook) {
    // As ansible-playbook: the listing modes print the warnings of the configuration, the inventory and
    // the load (a bare include's deprecation) as a run does, before what they list.
    const notices = new ConsoleReporter(write, {
      color: settings.color,
      verbosity: settings.verbosity,
      ...(settings.deprecationWarnings === false ? { deprecationWarnings: false } : {})
    })
    startWarnings(settings, requirements, inventory, playbook, notices)
    write(
      listPlaybook(settings.listing, {
        playbook,
        shownPath:
          typeof settings.playbook === 'string' && !settings.playbook.includes('\n')
            ? settings.playbook
            : playbook.file,
        inventory,
        templar,
        extraVars,
        limit: settings.limit,
        shard: settings.shard,
        tags: settings.tags
      })
    )
    return { exitCode: 0, document: { ok: true, stats: dict(), plays: [], jobs: dict() } }
  }
  // Handed-over jobs run on this run's inventory hosts, with this run's own become program and flags.
  if (jobs && settings.jobs) {
    const variables = new VariableManager(inventory, templar, extraVars)
    adoptHandedOverJobs(
      jobs,
      (host) =>
        variables.scope(host, {
          playVars: {},
          playHosts: [host],
          playBatch: [host],
          playbookDir: settings.cwd
        }),
      settings.jobs.source
    )
  }
  noteRunStarted()
  const collector = new ResultsCollector()
  const registry = jobs ?? new JobRegistry()
  if (options.live) {
    options.live.collector = collector
    options.live.registry = registry
  }
  const console = settings.adhocOutput
    ? new AdhocReporter(write)
    : new ConsoleReporter(write, {
        color: settings.color,
        verbosity: settings.verbosity,
        ...(settings.showCustomStats ? { showCustomStats: true } : {}),
        ...(settings.diff ? { diff: true } : {}),
        ...(settings.deprecationWarnings === false ? { deprecationWarnings: false } : {}),
        ...(settings.diffContext !== undefined ? { diffContext: settings.diffContext } : {}),
        ...(options.writeError ? { writeError: options.writeError } : {}),
        ...(settings.display
          ? {
              displayOkHosts: settings.display.okHosts,
              displaySkippedHosts: settings.display.skippedHosts
            }
          : {})
      })
  const events = combineEvents(
    ...(options.beforeConsole ?? []),
    console,
    collector,
    ...(options.extraEvents ?? [])
  )
  startWarnings(settings, requirements, inventory, playbook, events)
  // accept-new: say which keys were trusted on first sight, so they can be pinned afterwards.
  const stopListening = onHostKeyAccepted((accepted) => events.warning(accepted.warning))
  // Hosts whose key is not verified are warned about once per run; addresses behind a connection error
  // go to the log (results name hosts by inventory name only).
  forgetConnectionNotices()
  // Lookups render inside templates, away from the run's events: their warnings (errors=warn, a file
  // not found) are shown through this run's.
  // Each shown once, as Ansible's display shows a repeated warning once.
  const lookupWarnings = new Set<string>()
  const previousLookupSink = setLookupWarningSink((message) => {
    if (lookupWarnings.has(message)) return
    lookupWarnings.add(message)
    events.warning(message)
  })
  const stopNotices = onConnectionNotice((notice) =>
    notice.level === 'warning'
      ? events.warning(notice.text)
      : events.log(notice.host, undefined, notice.text)
  )
  const startAtTask =
    settings.startAtTask !== undefined ? { pattern: settings.startAtTask, found: false } : undefined
  const retryFiles = settings.retryFiles
  const playbookPath =
    typeof settings.playbook === 'string' && !settings.playbook.includes('\n')
      ? path.resolve(settings.cwd, settings.playbook)
      : undefined
  const engineOptions: EngineOptions = {
    ...(startAtTask ? { startAtTask } : {}),
    ...(retryFiles && playbookPath
      ? {
          beforeRecap: (hosts: string[]) => {
            const written = writeRetryFile(hosts, playbookPath, retryFiles.savePath, settings.cwd)
            if (written.file) write(`\tto retry, use: --limit @${written.file}\n`)
            if (written.problem) events.warning(written.problem)
          }
        }
      : {}),
    inventory,
    templar,
    extraVars,
    ...(options.varsPrompter ? { varsPrompter: options.varsPrompter } : {}),
    limit: settings.limit,
    forks: settings.forks,
    connectionDefaults: settings.connection,
    openConnection,
    events,
    commandTimeoutMs: settings.commandTimeoutMs,
    signal: options.signal,
    jobs: registry,
    shard: settings.shard,
    become: settings.become,
    tags: settings.tags,
    forceHandlers: settings.forceHandlers,
    verbosity: settings.verbosity,
    inventorySources: settings.inventories.map(inventorySource),
    ...(settings.configFile !== undefined ? { configFile: settings.configFile } : {}),
    ...(settings.gathering !== undefined ? { gathering: settings.gathering } : {}),
    ...(settings.noLog !== undefined ? { defaultNoLog: settings.noLog } : {}),
    ...(settings.check ? { check: true } : {}),
    ...(settings.diff ? { diff: true } : {}),
    errorOnMissingHandler: settings.errorOnMissingHandler,
    // meta: refresh_inventory reads the inventory sources again.
    ...(settings.inventories.length > 0
      ? { reloadInventory: () => loadInventory(settings.inventories, inventoryOptions) }
      : {})
  }
  let summary
  try {
    summary = playbook
      ? await runPlaybook(playbook, engineOptions)
      : await gatherJobs(registry, {
          ...engineOptions,
          timeoutSeconds: settings.gatherTimeoutSeconds ?? DEFAULTS.gatherTimeoutSeconds
        })
    // As ansible-playbook 2.14: an error after the recap, and the exit code of the run.
    if (startAtTask && !startAtTask.found)
      events.warning(
        `No matching task "${startAtTask.pattern}" found. Note: --start-at-task can only follow static includes.`,
        'error'
      )
  } finally {
    stopListening()
    stopNotices()
    setLookupWarningSink(previousLookupSink)
  }
  const document = collector.document
  document.ok = summary.exitCode === 0
  if (options.signal?.aborted) {
    document.ok = false
    document.cancelled = true
  }
  document.jobs = jobsDocument(summary.jobs)
  if (settings.jsonPath)
    writeResultsDocument(path.resolve(settings.cwd, settings.jsonPath), document)
  return { exitCode: summary.exitCode, document }
}

/**
 * Installs the roles of the run's requirement files (given, or found next to the playbook and in the working
 * directory) before the playbook is loaded, so that its plays find them by name.
 */
async function installRunRequirements(settings: RunSettings) {
  const wanted = settings.requirements
  if (!wanted) return undefined
  const playbookDir =
    typeof settings.playbook === 'string' && !settings.playbook.includes('\n')
      ? path.dirname(path.resolve(settings.cwd, settings.playbook))
      : settings.cwd
  const files = [
    ...wanted.files.map((file) => path.resolve(settings.cwd, file)),
    ...(wanted.auto ? findRequirementsFiles([playbookDir, settings.cwd]) : [])
  ]
  if (files.length === 0) return undefined
  const implemented = new Set(['ansible.builtin', 'ansible.legacy'])
  for (const name of MODULE_CATALOG.fqcns?.keys() ?? [])
    implemented.add(name.split('.').slice(0, 2).join('.'))
  return installRequirements([...new Set(files)], {
    cacheDir: wanted.cacheDir ?? defaultRequirementsCache(),
    implementedCollections: implemented,
    cwd: settings.cwd,
    ...(wanted.galaxyServer !== undefined ? { galaxyServer: wanted.galaxyServer } : {})
  })
}

/**
 * As ansible-playbook: each part of `--limit` that matches no host is warned about, and a limit that leaves
 * no host of `target` fails the run before anything runs, so a typo in CI never passes as "nothing to do".
 * @throws NoHostsError naming the limit
 */
/**
 * What the run warns of before it starts (the listing modes too): the configuration's, the requirements',
 * the inventory's and the playbook load's warnings and deprecations, and a --limit that matches nothing.
 */
function startWarnings(
  settings: RunSettings,
  requirements: { warnings?: readonly string[] } | undefined,
  inventory: Inventory,
  playbook: Playbook | undefined,
  events: Pick<RunEvents, 'warning'>
): void {
  for (const warning of settings.configWarnings ?? []) events.warning(warning)
  for (const warning of requirements?.warnings ?? []) events.warning(warning)
  for (const warning of inventory.warnings) events.warning(warning)
  for (const warning of playbook?.warnings ?? []) events.warning(warning)
  for (const deprecation of playbook?.deprecations ?? []) events.warning(deprecation, 'deprecation')
  if (playbook) {
    // An ad-hoc run targets its pattern; a playbook, as ansible-playbook checks it, `all`.
    const target = settings.adhocOutput ? (playbook.plays[0]?.hosts ?? 'all') : 'all'
    checkLimit(inventory, target, settings.limit, (w) => events.warning(w))
  }
}

function checkLimit(
  inventory: Inventory,
  target: string | readonly string[],
  limit: string | undefined,
  warn: (message: string) => void
): void {
  if (limit === undefined || limit.trim() === '') return
  for (const part of splitHostPattern(limit)) {
    const bare = part.replace(/^[&!]/, '')
    if (bare === '' || bare.startsWith('@')) continue
    if (inventory.select(bare).length === 0)
      warn(`Could not match supplied host pattern, ignoring: ${bare}`)
  }
  if (applyLimit(inventory.select(target), inventory, limit).length === 0) {
    throw new NoHostsError(
      `Specified inventory, host pattern and/or --limit leaves us with no hosts to target ` +
        `(the limit '${limit}' matches none of the hosts of the inventory${target === 'all' ? '' : ` in '${String(target)}'`}).`
    )
  }
}

/**
 * Writes the results document for CI consumers: the whole file at once (a temporary file renamed over the
 * target), with a trailing newline, readable by its owner only (0600), whatever the umask and whatever mode
 * an older file at that path had. Results can hold command output and facts.
 */
export function writeResultsDocument(file: string, document: ResultsDocument): void {
  const text = JSON.stringify(document, null, 2) + '\n'
  mkdirSync(path.dirname(file), { recursive: true })
  const existing = statSync(file, { throwIfNoEntry: false })
  if (existing && !existing.isFile()) {
    // A pipe or a device (`--json /dev/stdout`): no file to protect and none to replace.
    writeFileSync(file, text)
    return
  }
  // A fresh inode, so a reader that opened an older, wider file never sees the new content through it.
  const temp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`
  )
  // 'wx': created here, never an existing file or a symlink someone planted; the mode is set at creation.
  const fd = openSync(temp, 'wx', 0o600)
  try {
    try {
      // The umask may have cleared bits, never added any: fchmod makes the mode exact either way.
      fchmodSync(fd, 0o600)
      writeFileSync(fd, text)
    } finally {
      closeSync(fd)
    }
    renameSync(temp, file)
  } catch (error) {
    rmSync(temp, { force: true })
    throw error
  }
}

/**
 * How `ansible_inventory_sources` names an -i value: a path as an absolute path (as ansible-playbook makes
 * it), a host list as written, inline inventory text (which Ansible has no form of) by a label.
 */
function inventorySource(source: string): string {
  if (source.includes('\n')) return '<inventory text>'
  return source.includes(',') ? source : path.resolve(source)
}

/**
 * The retry file of a run, as ansible-playbook writes it: the hosts one per line, in PLAYBOOK.retry (the
 * playbook's name without its extension) in `savePath` (made if missing) or the playbook's directory.
 * Nothing when no host failed.
 */
export function writeRetryFile(
  hosts: string[],
  playbookPath: string,
  savePath: string | undefined,
  cwd: string
): { file?: string; problem?: string } {
  if (hosts.length === 0) return {}
  const dir = savePath ? path.resolve(cwd, savePath) : path.dirname(playbookPath)
  const file = path.join(dir, `${path.parse(playbookPath).name}.retry`)
  try {
    mkdirSync(dir, { recursive: true })
    writeFileSync(file, hosts.map((host) => `${host}\n`).join(''))
    return { file }
  } catch (error) {
    return {
      problem: `Could not create retry file '${file}'.\n\t${error instanceof Error ? error.message : String(error)}`
    }
  }
}
