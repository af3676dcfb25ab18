import { untypedOptions } from './arg-spec.js'
import { ModuleArgumentError, SHOW_RESULT, type ModuleDefinition } from './module.js'

/** `debug`: prints `msg` (default "Hello world!") or the value of the variable named by `var`. */
export const debugModule: ModuleDefinition = {
  name: 'debug',
  // Changes nothing on the target: runs as usual in check mode.
  supportsCheckMode: true,
  local: true,
  // Ansible's debug action checks only the names; `var` is an expression it evaluates itself.
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
      } catch {
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
