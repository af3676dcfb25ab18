import type { ModuleDefinition, ModuleResult } from './module.js'

/** Ansible's message when a module did not answer with its result (it crashed, or could not start). */
const MODULE_FAILURE = 'MODULE FAILURE\nSee stdout/stderr for the exact error'

/** `ping`: proves the host is reachable and can run a shell command. */
export const pingModule: ModuleDefinition = {
  name: 'ping',
  // Changes nothing on the target: runs as usual in check mode.
  supportsCheckMode: true,
  args: { options: { data: { type: 'str', default: 'pong' } } },
  async run(ctx) {
    const connection = await ctx.connection()
    const res = await connection.run('echo pong', { timeoutMs: ctx.timeoutMs })
    if (res.code !== 0) {
      return moduleFailure(res.stdout.toString('utf8'), res.stderr.toString('utf8'), res.code ?? 1)
    }
    const data = ctx.args['data']
    // As Ansible's ping, `data: crash` makes the module fail as a crashed module does (for testing).
    if (data === 'crash') {
      return { ...moduleFailure('', 'Exception: boom\n', 1), exception: 'Exception: boom\n' }
    }
    return { changed: false, ping: data }
  }
}

/** The result Ansible gives when a module's process fails without a result: its raw output and rc. */
function moduleFailure(stdout: string, stderr: string, rc: number): ModuleResult {
  return {
    changed: false,
    failed: true,
    module_stderr: stderr,
    module_stdout: stdout,
    msg: MODULE_FAILURE,
    rc
  }
}
