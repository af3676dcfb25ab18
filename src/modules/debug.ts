import { untypedOptions } from './arg-spec.js'
import {
  ActionPluginError,
  ModuleArgumentError,
  SHOW_RESULT,
  type ModuleDefinition
} from './module.js'
import { JinjaError, TemplateError, jinjaErrorMessage } from '../errors.js'
import { isUndefinedTemplateError } from '../template/undefined.js'

/** What the console leaves out of a debug result that has no `msg` (a `var` result). */
const HIDDEN_WITHOUT_MSG = new Set(['changed', 'failed', 'skipped', 'invocation', 'skip_reason'])
/** What the console keeps of a debug result that has a `msg`. */
const SHOWN_WITH_MSG = new Set(['msg', 'exception', 'warnings', 'deprecations'])

/** `debug`: prints `msg` (default "Hello world!") or the value of the variable named by `var`. */
export const debugModule: ModuleDefinition = {
  name: 'debug',
  // Changes nothing on the target: runs as usual in check mode.
  supportsCheckMode: true,
  local: true,
  // Ansible's debug action checks only the names; `var` is an expression it evaluates itself.
  // As Ansible's callback: a successful debug is printed in full, and only what it was asked to show.
  display: {
    shownInFull: (result) => !result['failed'],
    shownFields(fields) {
      const hasMsg = 'msg' in fields
      return Object.fromEntries(
        Object.entries(fields).filter(([key]) =>
          hasMsg ? SHOWN_WITH_MSG.has(key) : !HIDDEN_WITHOUT_MSG.has(key)
        )
      )
    }
  },
  args: {
    side: 'action',
    unknown: 'names',
    options: { ...untypedOptions('msg', 'verbosity'), var: { type: 'raw', expression: true } }
  },
  async run(ctx) {
    if (ctx.args['msg'] !== undefined && ctx.args['var'] !== undefined) {
      throw new ModuleArgumentError("'msg' and 'var' are incompatible options")
    }
    // As Ansible: below the run's verbosity (-v count, ansible_verbosity) the task is skipped.
    const threshold = ctx.args['verbosity'] === undefined ? 0 : Number(ctx.args['verbosity'])
    if (!Number.isInteger(threshold)) {
      throw new ModuleArgumentError(
        `argument 'verbosity' is of type ${typeof ctx.args['verbosity']} and we were unable to convert to int: ${String(ctx.args['verbosity'])}`
      )
    }
    const verbosity = Number(ctx.vars['ansible_verbosity'] ?? 0)
    if (threshold > verbosity) {
      return {
        changed: false,
        failed: false,
        skipped: true,
        skipped_reason: 'Verbosity threshold not met.'
      }
    }
    let result: Record<string, unknown>
    if (ctx.args['var'] !== undefined) {
      // As Ansible, where `var` is templated like any argument first: `var: "{{ item }}"` names a variable.
      const written = String(ctx.args['var'])
      const expression = /\{[{%]/.test(written) ? ctx.render(written) : written
      let value: unknown
      try {
        value = ctx.evaluate(expression)
      } catch (error) {
        // As Ansible: only an undefined variable is shown as such; a filter's error or a syntax error
        // fails the task (with `failed` and `msg` only: the action raised).
        // A Jinja error names the text Ansible templates: the expression in `{{…}}`.
        if (error instanceof JinjaError)
          throw new ActionPluginError(
            jinjaErrorMessage(error.reason, error.kind, `{{${expression}}}`)
          )
        if (!isUndefinedTemplateError(error))
          throw error instanceof TemplateError ? new ActionPluginError(error.message) : error
        value = 'VARIABLE IS NOT DEFINED!'
      }
      result = { [expression]: value, changed: false }
    } else {
      result = {
        msg: ctx.args['msg'] === undefined ? 'Hello world!' : ctx.args['msg'],
        changed: false
      }
    }
    Object.defineProperty(result, SHOW_RESULT, { value: true })
    return result
  }
}
