import { decodeOutput, splitLines } from './command-runner.js'
import { ModuleArgumentError, type ModuleDefinition } from './module.js'

/** `raw`: sends the string to the target's login shell as is. */
export const rawModule: ModuleDefinition = {
  name: 'raw',
  freeForm: true,
  argNames: ['_raw_params', 'executable'],
  async run(ctx) {
    const command = ctx.args['_raw_params']
    if (typeof command !== 'string' || command === '')
      throw new ModuleArgumentError('no command given')
    const connection = await ctx.connection()
    const res = await connection.run(command, { timeoutMs: ctx.timeoutMs })
    const stdout = res.stdout.toString('utf8')
    const stderr = res.stderr.toString('utf8')
    const rc = res.code ?? -1
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
