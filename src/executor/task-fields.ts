// A task's keywords rendered for one host, as Ansible's TaskExecutor templates and post-validates them
// before the action runs: the arguments, `environment` (the play's under the task's), `timeout`, and the
// conditionals (when, until, changed_when, failed_when) with Ansible's error messages.
import {
  JinjaError,
  jinjaErrorMessage,
  UndefinedVariableError,
  UnsafeConditionalError
} from '../errors.js'
import { ModuleArgumentError } from '../modules/module.js'
import { FACT_MODULES } from '../modules/gather-facts.js'
import type { Task } from '../playbook/types.js'
import { pythonStr, type Templar } from '../template/index.js'
import {
  positionDetails,
  renderField,
  TaskTemplateError,
  taskFieldError,
  undefinedReason
} from './task-errors.js'
import type { TaskHostBase } from './task-runner.js'
import { isRecord } from '../values/records.js'
import { isUndefinedTemplateError } from '../template/undefined.js'
import { isNumeric } from '../values/py-float.js'

/**
 * Whether a template error comes from an undefined value (Ansible's AnsibleUndefinedVariable): a missing
 * variable, attribute or key.
 */
export const isUndefinedError = isUndefinedTemplateError

/**
 * The task's arguments templated for this host. Those in `rawArgs` (which the module evaluates itself)
 * are handed over as written, once Ansible's check that every argument can be templated has passed.
 */
export function renderArgs(
  ctx: TaskHostBase,
  scope: Record<string, unknown>,
  rawArgs: readonly string[] = []
): Record<string, unknown> {
  const { task, templar } = ctx
  const raw = new Set(rawArgs)
  let args: Record<string, unknown> = {}
  let variableParams: unknown
  try {
    for (const [key, value] of Object.entries(task.args)) {
      const rendered = templar.render(value, scope)
      if (key === '_variable_params') variableParams = rendered
      else args[key] = raw.has(key) ? value : rendered
    }
  } catch (error) {
    throw taskFieldError(error, 'args', task)
  }
  if ('_variable_params' in task.args) {
    // `file: "{{ item }}"` or `args: "{{ file_args }}"`: the value must be a mapping; the task's named
    // arguments win over its keys. Ansible warns of it whenever facts are also plain variables (its default).
    if (!isRecord(variableParams))
      throw new TaskTemplateError(`invalid or malformed argument: '${pythonStr(variableParams)}'`)
    ctx.events.warning(
      "Using a variable for a task's 'args' is unsafe in some situations (see https://docs.ansible.com/ansible/devel/reference_appendices/faq.html#argsplat-unsafe)"
    )
    args = { ...variableParams, ...args }
  }
  return args
}

/**
 * The task's `environment` (the play's under it) and `timeout`, rendered for this host: checked before the
 * task's action runs, whatever it is, as Ansible post-validates a task.
 */
export function postValidate(
  ctx: TaskHostBase,
  scope: Record<string, unknown>
): { environment: Record<string, string>; taskTimeoutSeconds: number | undefined } {
  const { task, templar } = ctx
  let environment: Record<string, string>
  try {
    environment = renderEnvironment(ctx, scope)
  } catch (error) {
    throw taskFieldError(error, 'environment', task)
  }
  const timeoutRaw =
    task.timeout === undefined
      ? undefined
      : renderField(templar, task, 'timeout', task.timeout, scope)
  const taskTimeoutSeconds =
    timeoutRaw === undefined || timeoutRaw === null ? undefined : toInt(timeoutRaw, 'timeout')
  return { environment, taskTimeoutSeconds }
}

function renderEnvironment(
  ctx: TaskHostBase,
  scope: Record<string, unknown>
): Record<string, string> {
  const out: Record<string, string> = {}
  for (const source of [ctx.playEnvironment, ctx.task.environment]) {
    if (source === undefined || source === null) continue
    for (const written of Array.isArray(source) ? source : [source]) {
      // A mapping is rendered value by value: as Ansible does, a value that needs the `ansible_env` facts
      // before they are gathered (a play's `PATH: "{{ ansible_env.PATH }}:/opt/bin"` on the fact gathering
      // itself, or with gather_facts off) is left out instead of failing the task.
      const entry = isRecord(written)
        ? renderEnvironmentValues(ctx, written, scope)
        : ctx.templar.render(written, scope)
      if (!isRecord(entry)) {
        throw new ModuleArgumentError(
          `'environment' must be a mapping of variable names to values, got ${pythonStr(entry)}`
        )
      }
      for (const [k, v] of Object.entries(entry))
        out[k] = v === null || v === undefined ? '' : typeof v === 'string' ? v : pythonStr(v)
    }
  }
  return out
}

function renderEnvironmentValues(
  ctx: TaskHostBase,
  written: Record<string, unknown>,
  scope: Record<string, unknown>
): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(written)) {
    const name = String(ctx.templar.render(key, scope))
    try {
      out[name] = ctx.templar.render(value, scope)
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      // Ansible's test (Task._post_validate_environment) matches its undefined-variable message this way.
      const needsFacts =
        message.includes('ansible_env') ||
        (FACT_MODULES.has(ctx.task.module) && message.includes('ansible_facts.env'))
      if (isUndefinedError(error) && needsFacts) continue
      throw error
    }
  }
  return out
}

/**
 * Evaluates a conditional; errors name the condition, as Ansible's do. With `task` (a `when`), the error
 * also says where the task is written, as Ansible's does.
 */
export function evaluateConditional(
  templar: Templar,
  condition: unknown,
  scope: Record<string, unknown>,
  task?: Task
): boolean {
  try {
    return templar.isTrue(condition, scope)
  } catch (error) {
    const failed = (cause: string): TaskTemplateError =>
      new TaskTemplateError(
        `The conditional check '${String(condition)}' failed. The error was: ${cause}${task ? positionDetails(task) : ''}`
      )
    // Ansible words this one without its "error while evaluating conditional" part.
    if (error instanceof UnsafeConditionalError) throw failed(error.message)
    // Ansible templates the condition as `{% if … %} True {% else %} False {% endif %}`: a Jinja error names that.
    if (error instanceof JinjaError)
      throw failed(
        jinjaErrorMessage(
          error.reason,
          error.kind,
          `{% if ${String(condition)} %} True {% else %} False {% endif %}`
        )
      )
    const reason =
      error instanceof UndefinedVariableError
        ? undefinedReason(error)
        : error instanceof Error
          ? error.message
          : String(error)
    throw failed(`error while evaluating conditional (${String(condition)}): ${reason}`)
  }
}

export function toInt(value: unknown, keyword: string): number {
  const n = isNumeric(value)
    ? Number(value)
    : typeof value === 'string'
      ? Number(value.trim())
      : NaN
  if (!Number.isFinite(n))
    throw new ModuleArgumentError(`'${keyword}' must be an integer, got ${pythonStr(value)}`)
  return Math.trunc(n)
}
