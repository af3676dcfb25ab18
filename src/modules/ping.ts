import type { ModuleDefinition } from './module.js'

/** `ping`: proves the host is reachable and can run a shell command. */
export const pingModule: ModuleDefinition = {
  name: 'ping',
  argNames: ['data'],
  async run(ctx) {
    const connection = await ctx.connection()
    const res = await connection.run('echo pong', { timeoutMs: ctx.timeoutMs })
    if (res.code !== 0) {
      return {
        changed: false,
        failed: true,
        msg: `the target shell failed: ${res.stderr.toString('utf8').trim()}`
      }
    }
    const data = ctx.args['data'] ?? 'pong'
    if (data === 'crash') return { changed: false, failed: true, msg: 'boom' }
    return { changed: false, ping: data }
  }
}
