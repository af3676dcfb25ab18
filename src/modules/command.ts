import { shellJoin, shellQuote, shlexSplit } from '../connection/shell-quote.js'
import { checkCreatesRemoves, optionalString, runCommand } from './command-runner.js'
import { ModuleArgumentError, type ModuleDefinition } from './module.js'
import expandArgsScript from './expand-args.sh'
import { stdinArg } from './shell.js'

/** `command`: runs argv on the target without a shell; every argument is quoted, so nothing is interpreted. */
export const commandModule: ModuleDefinition = {
  name: 'command',
  freeForm: true,
  supportsAsync: true,
  argNames: [
    '_raw_params',
    'cmd',
    'argv',
    'chdir',
    'creates',
    'removes',
    'stdin',
    'stdin_add_newline',
    'warn',
    'strip_empty_ends',
    'expand_argument_vars'
  ],
  async run(ctx) {
    const argv = commandArgv(ctx.args)
    const skipped = await checkCreatesRemoves(ctx, argv)
    if (skipped) return skipped
    return runCommand(ctx, execScript(argv), argv, {
      chdir: optionalString(ctx.args['chdir']),
      stdin: stdinArg(ctx.args),
      moduleName: 'command'
    })
  }
}

/**
 * The shell text that runs argv without a shell's interpretation. Arguments holding `$` or starting with
 * `~` are expanded on the target as Ansible's command module does; everything else is passed literally.
 */
export function execScript(argv: readonly string[]): string {
  const needsExpansion = (arg: string): boolean => arg.includes('$') || arg.startsWith('~')
  if (!argv.some(needsExpansion)) return `exec ${shellJoin(argv)}`
  const lines = [expandArgsScript]
  const words = argv.map((arg, i) => {
    if (!needsExpansion(arg)) return shellQuote(arg)
    lines.push(`apb_a${i}=$(apb_expand ${shellQuote(arg)}) && apb_a${i}=\${apb_a${i}%x}`)
    return `"$apb_a${i}"`
  })
  lines.push(`exec ${words.join(' ')}`)
  return lines.join('\n')
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
