import { shellJoin, shlexSplit } from '../connection/shell-quote.js'
import { checkCreatesRemoves, optionalString, runCommand } from './command-runner.js'
import { ModuleArgumentError, type ModuleDefinition } from './module.js'
import { stdinArg } from './shell.js'

/** `command`: runs argv on the target without a shell; every argument is quoted, so nothing is interpreted. */
export const commandModule: ModuleDefinition = {
  name: 'command',
  freeForm: true,
  argNames: ['_raw_params', 'cmd', 'argv', 'chdir', 'creates', 'removes', 'stdin', 'stdin_add_newline', 'warn', 'strip_empty_ends', 'expand_argument_vars'],
  async run(ctx) {
    const argv = commandArgv(ctx.args)
    const skipped = await checkCreatesRemoves(ctx, argv)
    if (skipped) return skipped
    return runCommand(ctx, `exec ${shellJoin(argv)}`, argv, {
      chdir: optionalString(ctx.args['chdir']),
      stdin: stdinArg(ctx.args),
      moduleName: 'command'
    })
  }
}

function commandArgv(args: Record<string, unknown>): string[] {
  const rawArgv = args['argv']
  const text = optionalString(args['_raw_params']) ?? optionalString(args['cmd'])
  if (rawArgv !== undefined && text !== undefined) {
    throw new ModuleArgumentError('only command or argv can be given, not both')
  }
  if (rawArgv !== undefined) {
    if (!Array.isArray(rawArgv) || rawArgv.length === 0) {
      throw new ModuleArgumentError('argv must be a non-empty list of strings')
    }
    return rawArgv.map(String)
  }
  if (text === undefined || text.trim() === '') throw new ModuleArgumentError('no command given')
  try {
    return shlexSplit(text)
  } catch (error) {
    throw new ModuleArgumentError(
      `could not split the command into arguments (${(error as Error).message}): check the quoting, or use shell:`
    )
  }
}
