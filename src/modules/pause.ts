import { formatTimestamp } from './command-runner.js'
import { ModuleArgumentError, type ModuleDefinition } from './module.js'

/** `pause`: waits `seconds` or `minutes`. Interactive prompts are refused: there is no terminal in CI. */
export const pauseModule: ModuleDefinition = {
  name: 'pause',
  local: true,
  argNames: ['seconds', 'minutes', 'prompt', 'echo'],
  ownTimeout: true,
  async run(ctx) {
    const seconds = ctx.args['seconds']
    const minutes = ctx.args['minutes']
    if (seconds === undefined && minutes === undefined) {
      throw new ModuleArgumentError(
        'pause needs `seconds` or `minutes`: waiting for a key press is not possible here'
      )
    }
    const total = seconds !== undefined ? Number(seconds) : Number(minutes) * 60
    if (!Number.isFinite(total) || total < 0) {
      throw new ModuleArgumentError(`unable to convert to int: '${String(seconds ?? minutes)}'`)
    }
    const start = new Date()
    if (ctx.args['prompt'] !== undefined)
      ctx.log(`[${ctx.task.name}]\n${String(ctx.args['prompt'])}`)
    await ctx.sleep(total * 1000)
    const stop = new Date()
    const delta = Math.round((stop.getTime() - start.getTime()) / 1000)
    return {
      changed: false,
      delta,
      echo: true,
      rc: 0,
      start: formatTimestamp(start),
      stop: formatTimestamp(stop),
      stderr: '',
      stdout: `Paused for ${seconds !== undefined ? total.toFixed(2) : (total / 60).toFixed(2)} ${seconds !== undefined ? 'seconds' : 'minutes'}`,
      user_input: ''
    }
  }
}
