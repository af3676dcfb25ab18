import { ModuleArgumentError, type ModuleDefinition } from './module.js'

/** `assert`: checks each expression in `that`; fails on the first false one with `fail_msg`. */
export const assertModule: ModuleDefinition = {
  name: 'assert',
  local: true,
  rawArgs: ['that'],
  argNames: ['that', 'fail_msg', 'msg', 'success_msg', 'quiet'],
  async run(ctx) {
    const that = ctx.args['that']
    if (that === undefined || that === null)
      throw new ModuleArgumentError('conditional required in "that" string')
    const conditions = Array.isArray(that) ? that : [that]
    const failMsg = ctx.args['fail_msg'] ?? ctx.args['msg']
    for (const condition of conditions) {
      if (!ctx.isTrue(condition)) {
        return {
          assertion: condition,
          changed: false,
          evaluated_to: false,
          failed: true,
          msg: failMsg ?? 'Assertion failed'
        }
      }
    }
    return { changed: false, msg: ctx.args['success_msg'] ?? 'All assertions passed' }
  }
}
