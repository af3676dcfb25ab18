import { commandFamily, runCommandModule } from './command.js'
import { boolArg } from './file-transfer.js'
import type { ModuleDefinition } from './module.js'

/** `shell`: runs a command through /bin/sh (or `executable`) on the target: Ansible's command module with `_uses_shell`. */
export const shellModule: ModuleDefinition = {
  name: 'shell',
  ...commandFamily,
  run: (ctx) => runCommandModule(ctx, boolArg(ctx.args['_uses_shell'], '_uses_shell', true))
}
