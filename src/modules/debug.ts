import { ModuleArgumentError, type ModuleDefinition } from './module.js'

/** `debug`: prints `msg` (default "Hello world!") or the value of the variable named by `var`. */
export const debugModule: ModuleDefinition = {
  name: 'debug',
  local: true,
  rawArgs: ['var'],
  argNames: ['msg', 'var', 'verbosity'],
  async run(ctx) {
    if (ctx.args['msg'] !== undefined && ctx.args['var'] !== undefined) {
      throw new ModuleArgumentError('parameters are mutually exclusive: msg|var')
    }
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
      return { [expression]: value, changed: false }
    }
    return { msg: ctx.args['msg'] === undefined ? 'Hello world!' : ctx.args['msg'], changed: false }
  }
}
