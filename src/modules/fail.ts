import type { ModuleDefinition } from './module.js'

/** `fail`: fails the task with `msg`. */
export const failModule: ModuleDefinition = {
  name: 'fail',
  local: true,
  argNames: ['msg'],
  optionCheck: 'action',
  async run(ctx) {
    return { changed: false, failed: true, msg: ctx.args['msg'] ?? 'Failed as requested from task' }
  }
}
