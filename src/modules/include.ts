import { formatLocation, PlaybookError } from '../errors.js'
import { loadInclude, type LoadedInclude } from '../playbook/playbook-loader.js'
import {
  ModuleArgumentError,
  NOT_IGNORABLE,
  type ModuleDefinition,
  type ModuleResult
} from './module.js'

/**
 * Where an include's result keeps what it loaded (the tasks, handlers and role), for the executor to run.
 * A symbol key: never registered, printed or serialized.
 */
export const INCLUDED = Symbol('included')

/**
 * On an include's failed result: what it names could not be found (a PlaybookError that fails the host). Ansible counts such a
 * failure as failed (never rescued) and leaves the host out of later plays even when a rescue handles it.
 */
export const LOAD_FAILED = Symbol('include load failed')

/**
 * On an include's failed result: what it brought in is not valid (a YAML error, an unknown module or
 * keyword). The executor stops the whole run with this error (exit 4), as ansible-playbook does; a rescue
 * does not handle it.
 */
export const LOAD_ABORTS = Symbol('include load aborts')

/**
 * `include_tasks` / `include_role`: dynamic includes. The module loads the file or role for this host
 * (its name may be templated, and `when` and `loop` apply to the include itself); the executor then runs
 * what it loaded. The result is Ansible's: `include` and `include_args` (include_role has no `include`).
 */
function includeModule(name: 'include_tasks' | 'include_role'): ModuleDefinition {
  return {
    name,
    // Loading tasks changes nothing: includes load in check mode too.
    supportsCheckMode: true,
    local: true,
    freeForm: name === 'include_tasks',
    // The include's own arguments are checked by loadInclude; `apply` holds keywords
    // templated later, on the tasks it applies to.
    args: { side: 'action', unknown: 'any', options: { apply: { type: 'raw', expression: true } } },
    bareResult: true,
    async run(ctx) {
      const include = ctx.task.include
      if (!include)
        throw new ModuleArgumentError(`${name} can only be used as a task of a playbook`)
      let loaded
      try {
        loaded = loadInclude(include, ctx.args, ctx.task.location)
      } catch (error) {
        if (!(error instanceof PlaybookError)) throw error
        // The message starts with where the problem is; say which include brought that file in.
        const at = ctx.task.location
        const from =
          error.location?.file === at.file && error.location.line === at.line
            ? ''
            : ` (included from ${formatLocation(at)})`
        const reason = `${error.message}${from}`
        if (!error.failsHost) {
          // The same text, still pointing at the file and line at fault (the action annotates them).
          const prefix = error.location ? `${formatLocation(error.location)}: ` : ''
          const own = error.message.startsWith(prefix)
            ? error.message.slice(prefix.length)
            : error.message
          const stop = new PlaybookError(`${own}${from}`, error.location)
          return { failed: true, reason, [LOAD_ABORTS]: stop }
        }
        // As Ansible: ignore_errors does not cover an include that cannot be loaded.
        return { failed: true, reason, [NOT_IGNORABLE]: true, [LOAD_FAILED]: true }
      }
      // As Ansible: a loop's item results have no `changed`; the task's own result has.
      const result: ModuleResult = ctx.task.loop ? {} : { changed: false }
      if (name === 'include_tasks') {
        const { _raw_params: rawParams, file, ...rest } = ctx.args
        result['include'] = file ?? rawParams
        result['include_args'] = rest
      } else result['include_args'] = { ...ctx.args }
      result[INCLUDED as unknown as string] = loaded
      return result
    }
  }
}

/** The error that stops the run, when an include's result (or one of its loop items) could not load. */
export function includeAbort(result: unknown): PlaybookError | undefined {
  for (const item of resultAndItems(result)) {
    const error = item[LOAD_ABORTS]
    if (error instanceof PlaybookError) return error
  }
  return undefined
}

/** Whether an include's result (or one of its loop items) failed because what it names is missing. */
export function includeLoadFailed(result: unknown): boolean {
  return resultAndItems(result).some((item) => item[LOAD_FAILED] === true)
}

function resultAndItems(result: unknown): Array<Record<PropertyKey, unknown>> {
  if (!result || typeof result !== 'object') return []
  const top = result as Record<PropertyKey, unknown>
  const items = Array.isArray(top['results']) ? (top['results'] as unknown[]) : []
  return [top, ...items].filter(
    (r): r is Record<PropertyKey, unknown> => r !== null && typeof r === 'object'
  )
}

/** What an include result (or a loop item's result) loaded; undefined when it was skipped or failed. */
export function includedOf(result: unknown): LoadedInclude | undefined {
  if (!result || typeof result !== 'object') return undefined
  const item = result as Record<PropertyKey, unknown>
  if (item['failed'] || item['skipped']) return undefined
  return item[INCLUDED] as LoadedInclude | undefined
}

export const includeTasksModule = includeModule('include_tasks')
export const includeRoleModule = includeModule('include_role')
