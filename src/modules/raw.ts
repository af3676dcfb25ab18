import { shellQuote } from '../connection/shell-quote.js'
import { decodeOutput, optionalString, splitLines, timeoutResult } from './command-runner.js'
import { untypedOptions } from './arg-spec.js'
import { ModuleArgumentError, type ModuleDefinition } from './module.js'

/**
 * `raw`: sends the string to the target's login shell as is (or to `executable -c`). As in Ansible, the
 * task's `environment` does not apply to it: a warning says so.
 */
export const rawModule: ModuleDefinition = {
  name: 'raw',
  // As Ansible's raw action: in check mode it is always skipped (after its environment warning).
  supportsCheckMode: true,
  freeForm: true,
  ownTimeout: true,
  args: { options: untypedOptions('_raw_params', 'executable') },
  async run(ctx) {
    const command = ctx.args['_raw_params']
    if (typeof command !== 'string' || command === '')
      throw new ModuleArgumentError('no command given')
    if (Object.keys(ctx.environment).length > 0)
      ctx.displayWarning('raw module does not support the environment keyword')
    if (ctx.check) return { changed: false, skipped: true }
    const executable = optionalString(ctx.args['executable'])
    let line = executable === undefined ? command : `${executable} -c ${shellQuote(command)}`
    const timeout = ctx.taskTimeoutSeconds
    if (timeout !== undefined && timeout > 0)
      line = `exec timeout -k 5 ${Math.ceil(timeout)} /bin/sh -c ${shellQuote(line)}`
    const connection = await ctx.connection()
    const res = await connection.run(line, {
      timeoutMs: timeout !== undefined && timeout > 0 ? (timeout + 10) * 1000 : ctx.timeoutMs
    })
    const rc = res.code ?? -1
    if (timeout !== undefined && timeout > 0 && rc === 124)
      return timeoutResult(ctx.task.action ?? 'raw', timeout)
    const stdout = res.stdout.toString('utf8')
    const stderr = res.stderr.toString('utf8')
    return {
      changed: true,
      rc,
      stdout,
      stdout_lines: splitLines(decodeOutput(res.stdout)),
      stderr,
      stderr_lines: splitLines(decodeOutput(res.stderr)),
      ...(rc !== 0
        ? { failed: true, msg: res.timedOut ? 'the command timed out' : 'non-zero return code' }
        : {})
    }
  }
}
