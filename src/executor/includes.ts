// Dynamic includes (`include_tasks`, `include_role`), carried out by the runner as Ansible's are: the task
// runner templates the include on each host (and loop item) as any task, then, instead of running a module,
// loads what it names (IncludeLoads.load); the strategy reads what each result loaded (IncludeLoads.files)
// and runs it on the hosts that included it, grouped by round (includeRounds), as Ansible's
// IncludedFile.process_include_results does. No module is involved, and nothing rides on the results.
import { ansibleBoolean } from '../ansible-boolean.js'
import { formatLocation, PlaybookError } from '../errors.js'
import { ModuleArgumentError, NOT_IGNORABLE, type ModuleResult } from '../modules/module.js'
import { DYNAMIC_INCLUDE_DEPRECATION } from '../playbook/legacy-include.js'
import { loadInclude, type LoadedInclude } from '../playbook/playbook-loader.js'
import type { Task } from '../playbook/types.js'

/** The actions the runner handles as includes. */
export const INCLUDE_ACTIONS: ReadonlySet<string> = new Set(['include_tasks', 'include_role'])

/** Arguments of an include handed over as written (`apply` holds keywords, templated per included task). */
export const INCLUDE_RAW_ARGS: readonly string[] = ['apply']

/** What loading an include came to on one host (or for one loop item). */
type IncludeLoad =
  | { loaded: LoadedInclude }
  /**
   * What it names could not be found (a PlaybookError that fails the host). Ansible counts such a failure as
   * failed (never rescued) and leaves the host out of later plays even when a rescue handles it.
   */
  | { missing: true }
  /**
   * What it brought in is not valid (a YAML error, an unknown module or keyword): the runner stops the
   * whole run with this error (exit 4), as ansible-playbook does; a rescue does not handle it.
   */
  | { invalid: PlaybookError }

/** One file (or role) an include brings in for a group of hosts. */
export interface IncludedFile {
  /** Hosts that included the same file with the same arguments and loop item run it together. */
  key: string
  loaded: LoadedInclude
  /** The include's loop variables for this item. */
  loop: Record<string, unknown>
  /** include_role's `public`: the role's defaults and vars are seen by the rest of the play. */
  public: boolean
}

/**
 * What one include task loaded on each host, by the result (or loop item result) registered for it: the
 * task runner calls load() per host and item, the strategy then asks what each result brought in.
 */
export class IncludeLoads {
  private readonly loads = new WeakMap<ModuleResult, IncludeLoad>()

  /** @param deprecated  shows one of Ansible's deprecations (the console shows each once per run) */
  constructor(private readonly deprecated: (message: string) => void = () => {}) {}

  /**
   * Loads what the include names, with its arguments rendered for one host (and loop item), and returns the
   * result to register: Ansible's `include` and `include_args` (include_role has no `include`), or the
   * failure to load it, with the reason.
   * @throws ModuleArgumentError for an include outside a playbook (an ad-hoc include_tasks)
   */
  load(task: Task, args: Record<string, unknown>): ModuleResult {
    const include = task.include
    if (!include)
      throw new ModuleArgumentError(`${task.module} can only be used as a task of a playbook`)
    // As Ansible 2.14: a dynamic bare `include` that runs says again that it is deprecated.
    if (include.legacy) this.deprecated(DYNAMIC_INCLUDE_DEPRECATION)
    let loaded: LoadedInclude
    try {
      loaded = loadInclude(include, args, task.location, task.role)
      // A bare `include` in what it brought in: the load's deprecation, when nothing showed it yet.
      for (const message of loaded.deprecations ?? []) this.deprecated(message)
    } catch (error) {
      if (!(error instanceof PlaybookError)) throw error
      return this.failure(task, error)
    }
    // As Ansible: a loop's item results have no `changed`; the task's own result has.
    const result: ModuleResult = task.loop ? {} : { changed: false }
    if (include.kind === 'tasks') {
      const { _raw_params: rawParams, file, ...rest } = args
      result['include'] = file ?? rawParams
      result['include_args'] = rest
    } else result['include_args'] = { ...args }
    this.loads.set(result, { loaded })
    return result
  }

  /** The error that stops the run, when the include (or one of its loop items) brought in something invalid. */
  abortError(result: ModuleResult): PlaybookError | undefined {
    for (const item of resultAndItems(result)) {
      const load = this.loads.get(item)
      if (load && 'invalid' in load) return load.invalid
    }
    return undefined
  }

  /** Whether the include (or one of its loop items) failed because what it names is missing. */
  loadFailed(result: ModuleResult): boolean {
    return resultAndItems(result).some((item) => {
      const load = this.loads.get(item)
      return load !== undefined && 'missing' in load
    })
  }

  /** How many files an include_tasks result brought in: Ansible counts it `ok` once for each. */
  count(result: ModuleResult): number {
    // As Ansible: an included file with no tasks is neither shown nor counted.
    return loadingResults(result).filter((item) => this.loadedBy(item)?.tasks.length).length
  }

  /** The files (or roles) the include's result on one host brought in, in order, with their loop variables. */
  files(result: ModuleResult): IncludedFile[] {
    const out: IncludedFile[] = []
    for (const item of loadingResults(result)) {
      const loaded = this.loadedBy(item)
      if (!loaded) continue
      const loop: Record<string, unknown> = {}
      const loopVar = item['ansible_loop_var']
      if (typeof loopVar === 'string') {
        // As Ansible's IncludedFile: the loop (and index) variable reach the included tasks,
        // ansible_loop_var does not (nor ansible_index_var).
        loop[loopVar] = item[loopVar]
        const indexVar = item['ansible_index_var']
        if (typeof indexVar === 'string') loop[indexVar] = item[indexVar]
      }
      // And `loop_control.extended`'s ansible_loop.
      if (item['ansible_loop'] !== undefined) loop['ansible_loop'] = item['ansible_loop']
      const args = item['include_args'] as Record<string, unknown> | undefined
      out.push({
        public: isTruthy(args?.['public']),
        key: `${loaded.file}\0${JSON.stringify(item['include_args'] ?? null)}\0${JSON.stringify(loop)}`,
        loaded,
        loop
      })
    }
    return out
  }

  /** The file a result (or loop item result) brought in, when it has tasks (see HostTaskOutcome.included). */
  includedFile(item: ModuleResult): string | undefined {
    const loaded = this.loadedBy(item)
    return loaded?.tasks.length ? loaded.file : undefined
  }

  /** What a result (or loop item result) loaded; undefined when it was skipped or failed. */
  private loadedBy(item: ModuleResult): LoadedInclude | undefined {
    if (item['failed'] || item['skipped']) return undefined
    const load = this.loads.get(item)
    return load && 'loaded' in load ? load.loaded : undefined
  }

  /** The result of an include that could not load what it names (see IncludeLoad). */
  private failure(task: Task, error: PlaybookError): ModuleResult {
    // The message starts with where the problem is; say which include brought that file in.
    const at = task.location
    const from =
      error.location?.file === at.file && error.location.line === at.line
        ? ''
        : ` (included from ${formatLocation(at)})`
    const reason = `${error.message}${from}`
    let result: ModuleResult
    if (!error.failsHost) {
      // The same text, still pointing at the file and line at fault (the action annotates them).
      const prefix = error.location ? `${formatLocation(error.location)}: ` : ''
      const own = error.message.startsWith(prefix)
        ? error.message.slice(prefix.length)
        : error.message
      result = { failed: true, reason }
      this.loads.set(result, { invalid: new PlaybookError(`${own}${from}`, error.location) })
    } else {
      // As Ansible: ignore_errors does not cover an include that cannot be loaded.
      result = { failed: true, reason, [NOT_IGNORABLE]: true }
      this.loads.set(result, { missing: true })
    }
    return result
  }
}

/**
 * The files an include brought in on each of `hosts` (by their results), grouped as Ansible's linear
 * strategy runs them: round after round, each host's next file; in a round, hosts that included the same
 * file with the same arguments and loop item run it together, in the order the hosts were given. A round
 * is worked out once the previous one has run, among the hosts `takes` still accepts.
 */
export function* includeRounds(
  loads: IncludeLoads,
  hosts: readonly string[],
  results: ReadonlyMap<string, ModuleResult>,
  takes: (host: string) => boolean = () => true
): Generator<{ file: IncludedFile; hosts: string[] }, void, undefined> {
  const queues = new Map<string, IncludedFile[]>()
  for (const host of hosts) {
    const result = results.get(host)
    if (result) queues.set(host, loads.files(result))
  }
  for (let round = 0; ; round++) {
    const groups = new Map<string, { file: IncludedFile; hosts: string[] }>()
    for (const [host, queue] of queues) {
      const file = queue[round]
      if (!file || !takes(host)) continue
      const group = groups.get(file.key)
      if (group) group.hosts.push(host)
      else groups.set(file.key, { file, hosts: [host] })
    }
    if (groups.size === 0) return
    yield* groups.values()
  }
}

/** The result and, for a loop, its item results. */
function resultAndItems(result: ModuleResult): ModuleResult[] {
  const items = Array.isArray(result['results']) ? (result['results'] as unknown[]) : []
  return [result, ...items].filter(isResult)
}

/** What each loaded something: a loop's item results, else the result itself. */
function loadingResults(result: ModuleResult): ModuleResult[] {
  return (Array.isArray(result['results']) ? (result['results'] as unknown[]) : [result]).filter(
    isResult
  )
}

function isResult(value: unknown): value is ModuleResult {
  return value !== null && typeof value === 'object'
}

/**
 * include_role's `public`: Ansible reads it strictly when it loads the task; read leniently here (a value
 * that is not a boolean is false), as this runner always has, since the task already ran.
 */
function isTruthy(value: unknown): boolean {
  try {
    return ansibleBoolean(value, 'lenient')
  } catch {
    return false
  }
}
