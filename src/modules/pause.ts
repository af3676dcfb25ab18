import { formatTimestamp } from './command-runner.js'
import { pythonIntCall } from './arg-spec.js'
import { ModuleArgumentError, type ModuleDefinition } from './module.js'

/** `pause`: waits `seconds` or `minutes`. Interactive prompts are refused: there is no terminal in CI. */
export const pauseModule: ModuleDefinition = {
  name: 'pause',
  // Changes nothing on the target: runs as usual in check mode.
  supportsCheckMode: true,
  local: true,
  // Ansible's pause action plugin validates these itself (minutes and seconds as Python's int() reads them).
  args: {
    side: 'action',
    options: {
      echo: { type: 'bool', default: true },
      minutes: { type: pythonIntCall },
      seconds: { type: pythonIntCall },
      prompt: { type: 'str' }
    },
    mutuallyExclusive: [['minutes', 'seconds']]
  },
  ownTimeout: true,
  async run(ctx) {
    const seconds = ctx.args['seconds'] as number | null | undefined
    const minutes = ctx.args['minutes'] as number | null | undefined
    if (seconds == null && minutes == null) {
      throw new ModuleArgumentError(
        'pause needs `seconds` or `minutes`: waiting for a key press is not possible here'
      )
    }
    const total = seconds != null ? seconds : minutes! * 60
    if (total < 0) {
      throw new ModuleArgumentError(`pause cannot wait a negative time: ${seconds ?? minutes}`)
    }
    const start = new Date()
    if (ctx.args['prompt'] != null) ctx.log(`[${ctx.task.name}]\n${String(ctx.args['prompt'])}`)
    await ctx.sleep(total * 1000)
    const stop = new Date()
    const delta = Math.round((stop.getTime() - start.getTime()) / 1000)
    return {
      changed: false,
      delta,
      echo: ctx.args['echo'] ?? true,
      rc: 0,
      start: formatTimestamp(start),
      stop: formatTimestamp(stop),
      stderr: '',
      stdout: `Paused for ${seconds != null ? total.toFixed(2) : (total / 60).toFixed(2)} ${seconds != null ? 'seconds' : 'minutes'}`,
      user_input: ''
    }
  }
}
