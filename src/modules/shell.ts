import { shellQuote } from '../connection/shell-quote.js'
import { checkCreatesRemoves, optionalString, runCommand } from './command-runner.js'
import { ModuleArgumentError, type ModuleDefinition } from './module.js'

/** `shell`: runs a command through /bin/sh (or `executable`) on the target. */
export const shellModule: ModuleDefinition = {
  name: 'shell',
  freeForm: true,
  supportsAsync: true,
  argNames: [
    '_raw_params',
    'cmd',
    'chdir',
    'creates',
    'removes',
    'executable',
    'stdin',
    'stdin_add_newline',
    'warn',
    'strip_empty_ends'
  ],
  async run(ctx) {
    const command = optionalString(ctx.args['_raw_params']) ?? optionalString(ctx.args['cmd'])
    if (command === undefined) {
      throw new ModuleArgumentError(
        'no command given: write `shell: <command>` or `shell: {cmd: <command>}`'
      )
    }
    const skipped = await checkCreatesRemoves(ctx, command)
    if (skipped) return skipped
    const executable = optionalString(ctx.args['executable']) ?? '/bin/sh'
    return runCommand(ctx, `${shellQuote(executable)} -c ${shellQuote(command)}`, command, {
      chdir: optionalString(ctx.args['chdir']),
      stdin: stdinArg(ctx.args),
      moduleName: 'shell',
      runsUnderSh: executable === '/bin/sh'
    })
  }
}

/** The `stdin` argument, with Ansible's trailing newline unless stdin_add_newline is false. */
export function stdinArg(args: Record<string, unknown>): string | undefined {
  const stdin = args['stdin']
  if (stdin === undefined || stdin === null) return undefined
  const addNewline =
    args['stdin_add_newline'] === undefined ? true : Boolean(args['stdin_add_newline'])
  return String(stdin) + (addNewline ? '\n' : '')
}
