import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { openConnection } from './connection/index.js'
import type { ConnectionDefaults } from './connection/host-settings.js'
import { combineEvents, type RunEvents } from './executor/events.js'
import { runPlaybook } from './executor/playbook-runner.js'
import { defaultInventory, loadInventory } from './inventory/inventory.js'
import { MODULE_CATALOG } from './modules/registry.js'
import { parseExtraVars } from './playbook/extra-vars.js'
import { loadPlaybook } from './playbook/playbook-loader.js'
import type { Playbook } from './playbook/types.js'
import { ConsoleReporter } from './report/console-reporter.js'
import { ResultsCollector, type ResultsDocument } from './report/results-document.js'
import { Templar } from './template/index.js'

/** One typed settings object: what the CLI's argv or the action's inputs become. */
export interface RunSettings {
  /** Playbook file path or inline YAML; or a ready playbook (ad-hoc runs). */
  playbook: string | Playbook
  /** Inventory paths or texts; empty means the embedded localhost default. */
  inventories: string[]
  /** Raw `-e` values, in order (later ones win). */
  extraVars: string[]
  limit?: string
  forks: number
  connection: ConnectionDefaults
  /** Where to write the results document, if anywhere. */
  jsonPath?: string
  verbosity: number
  color: boolean
  /** Deadline for each remote command of a task without its own `timeout`. */
  commandTimeoutMs: number
  cwd: string
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
  options: { signal?: AbortSignal; extraEvents?: RunEvents[] } = {}
): Promise<RunOutcome> {
  const playbook =
    typeof settings.playbook === 'string'
      ? loadPlaybook(settings.playbook, MODULE_CATALOG, settings.cwd)
      : settings.playbook
  const inventory =
    settings.inventories.length > 0 ? loadInventory(settings.inventories) : defaultInventory()
  const extraVars: Record<string, unknown> = {}
  for (const value of settings.extraVars)
    Object.assign(extraVars, parseExtraVars(value, settings.cwd))
  const collector = new ResultsCollector()
  const console = new ConsoleReporter(write, {
    color: settings.color,
    verbosity: settings.verbosity
  })
  const events = combineEvents(console, collector, ...(options.extraEvents ?? []))
  for (const warning of inventory.warnings) events.warning(warning)
  const summary = await runPlaybook(playbook, {
    inventory,
    templar: new Templar(),
    extraVars,
    limit: settings.limit,
    forks: settings.forks,
    connectionDefaults: settings.connection,
    openConnection,
    events,
    commandTimeoutMs: settings.commandTimeoutMs,
    signal: options.signal
  })
  const document = collector.document
  document.ok = summary.exitCode === 0
  if (settings.jsonPath)
    writeResultsDocument(path.resolve(settings.cwd, settings.jsonPath), document)
  return { exitCode: summary.exitCode, document }
}

/** Writes the results document atomically-enough for CI consumers (whole file, trailing newline). */
export function writeResultsDocument(file: string, document: ResultsDocument): void {
  mkdirSync(path.dirname(file), { recursive: true })
  writeFileSync(file, JSON.stringify(document, null, 2) + '\n')
}
