/**
 * Ansible's wording for templating errors in a task, so that what users grep for matches: an undefined
 * variable in the module's arguments is "The task includes an option with an undefined variable. The
 * error was: 'x' is undefined. 'x' is undefined", followed by where the task is written.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { TemplateError, UndefinedVariableError } from '../errors.js'
import { ModuleArgumentError } from '../modules/module.js'
import type { Task } from '../playbook/types.js'
import type { Templar } from '../template/index.js'

/**
 * A task that failed before its module ran: a keyword, a condition or an argument could not be
 * templated. As in Ansible, its result has only `failed` and `msg`.
 */
export class TaskTemplateError extends ModuleArgumentError {}

/**
 * Ansible's text of a templating error that reached a result: its templar repeats the reason of an
 * undefined variable after the message (`'x' is undefined. 'x' is undefined`).
 */
export function undefinedReason(error: UndefinedVariableError): string {
  return `${error.message}. ${error.message}`
}

/**
 * The error a task reports when rendering one of its fields failed: `args` (the module's arguments) or a
 * keyword such as `environment`. An undefined variable gets Ansible's sentence and the task's position;
 * another templating error keeps its message (a failed filter, a `!vault` value no password opens); both
 * fail the task before its module runs, so the result has only `failed` and `msg`. Any other error is
 * returned as it is.
 */
export function taskFieldError(error: unknown, field: string, task: Task): unknown {
  if (error instanceof TemplateError && !(error instanceof UndefinedVariableError))
    return new TaskTemplateError(error.message)
  if (!(error instanceof UndefinedVariableError)) return error
  const sentence =
    field === 'args'
      ? 'The task includes an option with an undefined variable.'
      : `The field '${field}' has an invalid value, which includes an undefined variable.`
  return new TaskTemplateError(
    `${sentence} The error was: ${undefinedReason(error)}${positionDetails(task)}`
  )
}

/**
 * Renders one of a task's keywords (`retries`, `timeout` …), failing as Ansible's field validation does:
 * `field` is Ansible's name for it (`async_val` for `async`).
 */
export function renderField(
  templar: Templar,
  task: Task,
  field: string,
  value: unknown,
  scope: Record<string, unknown>
): unknown {
  try {
    return templar.render(value, scope)
  } catch (error) {
    throw taskFieldError(error, field, task)
  }
}

/**
 * What Ansible appends to an error about a task: the file, line and column where the task starts and the
 * lines around it, with a caret under the column. Empty when the file cannot be read (an inline
 * playbook). Ansible's advice paragraphs for YAML mistakes are not reproduced.
 */
export function positionDetails(task: Task): string {
  const { location } = task
  if (!task.dir || location.file.startsWith('<')) return ''
  const file = path.resolve(task.dir, path.basename(location.file))
  let lines: string[]
  try {
    lines = readFileSync(file, 'utf8').split(/(?<=\n)/)
  } catch {
    return ''
  }
  let index = Math.min(location.line, lines.length) - 1
  while (index > 0 && lines[index]!.trim() === '') index--
  const target = lines[index]
  if (target === undefined) return ''
  const previous = index > 0 ? lines[index - 1]! : ''
  // The task's mapping starts at its first key: after the indentation and the `- ` of its list item.
  const column = (/^[ \t]*(?:-[ \t]+)*/.exec(target)?.[0].length ?? 0) + 1
  const position = (line: number, col: number): string =>
    `\n\nThe error appears to be in '${file}': line ${line}, column ${col}, but may\n` +
    'be elsewhere in the file depending on the exact syntax problem.\n'
  // As Ansible: when the line before looks like `k=v`, the caret goes under its `=`.
  if (/\w+(\s+)?=(\s+)?[\w/-]+/.test(previous)) {
    const at = previous.trimEnd().indexOf('=')
    return (
      position(index, at + 1) +
      `\nThe offending line appears to be:\n\n${previous.trimEnd()}\n${' '.repeat(at)}^ here\n\n` +
      "There appears to be both 'k=v' shorthand syntax and YAML in this task. Only one syntax may be used.\n"
    )
  }
  return (
    position(index + 1, column) +
    `\nThe offending line appears to be:\n\n${previous.trimEnd()}\n${target.trimEnd()}\n` +
    `${' '.repeat(column - 1)}^ here\n`
  )
}
