// What a task's result on a host comes to, as Ansible's TaskResult and TaskExecutor judge it: changed_when
// and failed_when, whether it failed (is_failed), whether ignore_errors / ignore_unreachable cover it, and
// the result an exception becomes.
import { AsyncPlaybookError, ConnectionError, UndefinedVariableError } from '../errors.js'
import {
  ActionPluginError,
  ModuleArgumentError,
  NOT_IGNORABLE,
  TIMED_OUT,
  type ModuleResult
} from '../modules/module.js'
import { LookupFailure, pyTruthy } from '../template/index.js'
import type { HostStatus } from './events.js'
import { TaskTemplateError, undefinedReason } from './task-errors.js'
import { evaluateConditional } from './task-fields.js'
import { isRecord } from '../values/records.js'
import type { TaskHostContext } from './task-runner.js'

/** The outcome of a task on one host, before stats. */
export interface TaskHostOutcome {
  status: HostStatus
  ignored: boolean
  result: ModuleResult
}

/** Whether the task was given up on at its timeout (see TIMED_OUT). */
export function timedOut(result: ModuleResult): boolean {
  return (result as Record<PropertyKey, unknown>)[TIMED_OUT] === true
}

/** Whether a failure (or a loop item's) is one that ignore_errors cannot cover. */
function notIgnorable(result: ModuleResult): boolean {
  const items = Array.isArray(result['results']) ? (result['results'] as unknown[]) : []
  return [result, ...items].some(
    (r) => r !== null && typeof r === 'object' && (r as Record<PropertyKey, unknown>)[NOT_IGNORABLE]
  )
}

/**
 * Whether a result counts as failed, as Ansible's TaskResult.is_failed decides: where failed_when gave a
 * verdict (on the result or on any loop item), that verdict and not `failed` decides. So a task whose
 * until-retries ran out but whose failed_when is false succeeds, though its registered `failed` is true.
 */
export function isFailedResult(result: ModuleResult): boolean {
  const items = Array.isArray(result['results']) ? (result['results'] as unknown[]) : []
  if ('failed_when_result' in result) return pyTruthy(result['failed_when_result'])
  const judged = items.filter((r): r is ModuleResult => isRecord(r) && 'failed_when_result' in r)
  if (judged.length > 0) return judged.some((r) => pyTruthy(r['failed_when_result']))
  if ('failed' in result) return pyTruthy(result['failed'])
  return items.some((r) => isRecord(r) && pyTruthy(r['failed']))
}

/** A task keyword that its blocks or the play may also set: the innermost value given, if any. */
function inherited(ctx: TaskHostContext, keyword: 'ignoreErrors' | 'ignoreUnreachable'): unknown {
  return ctx.task[keyword] ?? ctx.play?.[keyword]
}

/** Whether `ignore_errors` / `ignore_unreachable` holds; one that cannot be evaluated does not. */
function ignoring(
  ctx: TaskHostContext,
  keyword: 'ignoreErrors' | 'ignoreUnreachable',
  locals: Record<string, unknown>
): boolean {
  const value = inherited(ctx, keyword)
  if (value === undefined || value === null) return false
  try {
    return ctx.templar.isTrue(value, ctx.scope(locals))
  } catch {
    return false
  }
}

export function classify(
  ctx: TaskHostContext,
  result: ModuleResult,
  locals: Record<string, unknown> = {}
): TaskHostOutcome {
  if (result['unreachable']) {
    return {
      status: 'unreachable',
      ignored: ignoring(ctx, 'ignoreUnreachable', locals),
      result
    }
  }
  if (isFailedResult(result)) {
    const ignored = !notIgnorable(result) && ignoring(ctx, 'ignoreErrors', locals)
    return { status: 'failed', ignored, result }
  }
  if (result['skipped']) return { status: 'skipped', ignored: false, result }
  return { status: result['changed'] ? 'changed' : 'ok', ignored: false, result }
}

/**
 * changed_when, then failed_when, on a result that was not skipped. As in Ansible, a condition that cannot
 * be evaluated does not discard the result: it fails the task and its message becomes
 * `changed_when_result` / `failed_when_result`, next to what the module returned.
 */
export function judge(
  ctx: TaskHostContext,
  result: ModuleResult,
  scope: () => Record<string, unknown>
): void {
  const { task, templar } = ctx
  if ('skipped' in result) return
  let keyword = 'changed_when_result'
  try {
    if (task.changedWhen.length > 0)
      result['changed'] = task.changedWhen.every((c) => evaluateConditional(templar, c, scope()))
    keyword = 'failed_when_result'
    if (task.failedWhen.length > 0) {
      // A list of failed_when conditions is AND-ed, as in Ansible.
      const failed = task.failedWhen.every((c) => evaluateConditional(templar, c, scope()))
      result['failed_when_result'] = failed
      result['failed'] = failed
    }
  } catch (error) {
    result['failed'] = true
    result[keyword] = error instanceof Error ? error.message : String(error)
  }
}

/** Turns an exception from templating, a module or a connection into Ansible's result shape. */
export function failureFromError(error: unknown): ModuleResult {
  if (error instanceof ConnectionError) {
    return { changed: false, msg: error.message, unreachable: true }
  }
  // A task that failed before its module ran has only these two fields, as in Ansible.
  if (error instanceof UndefinedVariableError) return { failed: true, msg: undefinedReason(error) }
  if (
    error instanceof TaskTemplateError ||
    error instanceof ActionPluginError ||
    error instanceof LookupFailure
  )
    return { failed: true, msg: error.message }
  if (error instanceof ModuleArgumentError || error instanceof AsyncPlaybookError) {
    return { changed: false, failed: true, msg: error.message }
  }
  const message = error instanceof Error ? error.message : String(error)
  return {
    changed: false,
    failed: true,
    msg: `internal error: ${message}. Please report this with the playbook that caused it.`
  }
}
