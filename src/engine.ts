import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { onHostKeyAccepted, openConnection } from './connection/index.js'
import type { ConnectionDefaults } from './connection/host-settings.js'
import { adoptHandedOverJobs, type BecomeDefaults } from './executor/become.js'
import { combineEvents, type RunEvents } from './executor/events.js'
import { gatherJobs } from './executor/gather-runner.js'
import { runPlaybook, type EngineOptions } from './executor/playbook-runner.js'
import { VariableManager } from './executor/variables.js'
import { JobRegistry } from './async/job-registry.js'
import { jobsDocument, parseJobsDocument } from './async/jobs-document.js'
import { OptionError } from './errors.js'
import { defaultInventory, loadInventory } from './inventory/inventory.js'
import { MODULE_CATALOG } from './modules/registry.js'
import { parseExtraVars } from './playbook/extra-vars.js'
import { loadPlaybook } from './playbook/playbook-loader.js'
import type { TagSelection } from './playbook/tags.js'
import type { Playbook } from './playbook/types.js'
import { AdhocReporter } from './report/adhoc-reporter.js'
import { ConsoleReporter } from './report/console-reporter.js'
import { ResultsCollector, type ResultsDocument } from './report/results-document.js'
import { Templar } from './template/index.js'

/** How long a gather-only run (--jobs without a playbook) waits by default. */
export const DEFAULT_GATHER_TIMEOUT_SECONDS = 3600

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
  /** Run only this shard of the selected hosts (`i/n`, 1-based), for a matrix of n jobs. */
  shard?: { index: number; count: number }
  /** --tags / --skip-tags (the `tags` / `skip-tags` inputs): which tasks run. Absent means all. */
  tags?: TagSelection
  /** --force-handlers: failed hosts still run their notified handlers (a play's force_handlers wins). */
  forceHandlers?: boolean
  /** Print results as the `ansible` ad-hoc command does. */
  adhocOutput?: boolean
  /** Deadline for each remote command of a task without its own `timeout`. */
  commandTimeoutMs: number
  cwd: string
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
  } = {}
): Promise<RunOutcome> {
  const playbook =
    typeof settings.playbook === 'string'
      ? loadPlaybook(settings.playbook, MODULE_CATALOG, settings.cwd)
      : settings.playbook
  const jobs = settings.jobs
    ? parseJobsDocument(settings.jobs.text, settings.jobs.source)
    : undefined
  if (!playbook && !jobs)
    throw new OptionError('a playbook is required (or --jobs to gather the jobs of an earlier run)')
  const inventory =
    settings.inventories.length > 0 ? loadInventory(settings.inventories) : defaultInventory()
  const extraVars: Record<string, unknown> = {}
  for (const value of settings.extraVars)
    Object.assign(extraVars, parseExtraVars(value, settings.cwd))
  const templar = new Templar()
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
  const collector = new ResultsCollector()
  const registry = jobs ?? new JobRegistry()
  if (options.live) {
    options.live.collector = collector
    options.live.registry = registry
  }
  const console = settings.adhocOutput
    ? new AdhocReporter(write)
    : new ConsoleReporter(write, { color: settings.color, verbosity: settings.verbosity })
  const events = combineEvents(
    ...(options.beforeConsole ?? []),
    console,
    collector,
    ...(options.extraEvents ?? [])
  )
  for (const warning of inventory.warnings) events.warning(warning)
  // accept-new: say which keys were trusted on first sight, so they can be pinned afterwards.
  const stopListening = onHostKeyAccepted((accepted) => events.warning(accepted.warning))
  const engineOptions: EngineOptions = {
    inventory,
    templar,
    extraVars,
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
    forceHandlers: settings.forceHandlers
  }
  const summary = playbook
    ? await runPlaybook(playbook, engineOptions)
    : await gatherJobs(registry, {
        ...engineOptions,
        timeoutSeconds: settings.gatherTimeoutSeconds ?? DEFAULT_GATHER_TIMEOUT_SECONDS
      })
  stopListening()
  const document = collector.document
  document.ok = summary.exitCode === 0
  document.jobs = jobsDocument(summary.jobs)
  if (settings.jsonPath)
    writeResultsDocument(path.resolve(settings.cwd, settings.jsonPath), document)
  return { exitCode: summary.exitCode, document }
}

/** Writes the results document atomically-enough for CI consumers (whole file, trailing newline). */
export function writeResultsDocument(file: string, document: ResultsDocument): void {
  mkdirSync(path.dirname(file), { recursive: true })
  writeFileSync(file, JSON.stringify(document, null, 2) + '\n')
}
