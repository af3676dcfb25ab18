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
 * `include_tasks` / `include_role`: dynamic includes. The module loads the file or role for this host
 * (its name may be templated, and `when` and `loop` apply to the include itself); the executor then runs
 * what it loaded. The result is Ansible's: `include` and `include_args` (include_role has no `include`).
 */
function includeModule(name: 'include_tasks' | 'include_role'): ModuleDefinition {
  return {
    name,
    local: true,
    freeForm: name === 'include_tasks',
    rawArgs: ['apply'],
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
        // As Ansible: ignore_errors does not cover an include that cannot be loaded.
        return { failed: true, reason: `${error.message}${from}`, [NOT_IGNORABLE]: true }
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

/** What an include result (or a loop item's result) loaded; undefined when it was skipped or failed. */
export function includedOf(result: unknown): LoadedInclude | undefined {
  if (!result || typeof result !== 'object') return undefined
  const item = result as Record<PropertyKey, unknown>
  if (item['failed'] || item['skipped']) return undefined
  return item[INCLUDED] as LoadedInclude | undefined
}

export const includeTasksModule = includeModule('include_tasks')
export const includeRoleModule = includeModule('include_role')
