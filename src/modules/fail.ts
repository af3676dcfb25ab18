import { untypedOptions } from './arg-spec.js'
import type { ModuleDefinition } from './module.js'

/** `fail`: fails the task with `msg`. */
export const failModule: ModuleDefinition = {
  name: 'fail',
  // Changes nothing on the target: runs as usual in check mode.
  supportsCheckMode: true,
  local: true,
  // Ansible's fail action checks only the names.
  args: { side: 'action', unknown: 'names', options: untypedOptions('msg') },
  async run(ctx) {
    return { changed: false, failed: true, msg: ctx.args['msg'] ?? 'Failed as requested from task' }
  }
}
