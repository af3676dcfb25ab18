import { ConnectionError } from '../errors.js'
import {
  ModuleArgumentError,
  type ModuleContext,
  type ModuleDefinition,
  type ModuleResult
} from './module.js'

/** `async_status`: reports on (or cleans up) a background job by its id, as Ansible's does. */
export const asyncStatusModule: ModuleDefinition = {
  name: 'async_status',
  // In check mode Ansible's plugin runs no module (its async_status does not support check mode): the
  // task is skipped with the job's paths only (checkModeResult).
  supportsCheckMode: true,
  // Ansible's async_status action plugin validates these itself.
  args: {
    side: 'action',
    options: {
      jid: { type: 'str', required: true },
      mode: { type: 'str', choices: ['status', 'cleanup'], default: 'status' }
    }
  },
  async run(ctx) {
    const jid = ctx.args['jid']
    // A null or empty jid passes Ansible's check and crashes its plugin: say what is missing instead.
    if (jid === undefined || jid === null || jid === '')
      throw new ModuleArgumentError('missing required arguments: jid')
    if (ctx.check) return checkModeResult(ctx, String(jid))
    if (ctx.args['mode'] === 'cleanup') return ctx.jobs.cleanup(String(jid))
    try {
      return await ctx.jobs.status(String(jid))
    } catch (error) {
      if (!(error instanceof ConnectionError)) throw error
      // Ansible marks the host unreachable here and abandons the job. The job runs on regardless, so
      // reconnect once and, if the host is still away, report the job as not finished: an until-loop
      // then keeps trying within its own budget (retries × delay).
      try {
        await ctx.reconnect()
        return await ctx.jobs.status(String(jid))
      } catch (again) {
        if (!(again instanceof ConnectionError)) throw again
        return {
          ansible_job_id: String(jid),
          changed: false,
          finished: 0,
          started: 1,
          msg: `could not reach the host to check the job (it keeps running there): ${again.message}`
        }
      }
    }
  },
  async waitBeforeRetry(ctx, result, delayMs) {
    // Ansible sleeps `delay` between checks; we hold the check open on the target for that long instead,
    // so a job that ends mid-delay is seen at once. The retry budget is unchanged.
    const jid = result['ansible_job_id']
    if (
      result['finished'] === 0 &&
      typeof jid === 'string' &&
      (ctx.args['mode'] ?? 'status') === 'status'
    ) {
      const started = Date.now()
      try {
        await ctx.jobs.status(jid, delayMs / 1000)
        return
      } catch {
        // A failed check is retried by the until-loop itself; keep the rest of the delay.
      }
      const left = delayMs - (Date.now() - started)
      if (left > 0) await ctx.sleep(left)
      return
    }
    await ctx.sleep(delayMs)
  }
}

/**
 * async_status in check mode, as Ansible 2.14's: its action plugin calls a module that does not support
 * check mode, so the job is neither read nor erased; the task is skipped with the fields the plugin adds
 * (the job id, its results file or, for cleanup, the path it would erase).
 */
async function checkModeResult(ctx: ModuleContext, jid: string): Promise<ModuleResult> {
  const file = await ctx.jobs.resultsFile(jid)
  const cleanup = ctx.args['mode'] === 'cleanup'
  return {
    ansible_job_id: jid,
    changed: false,
    ...(cleanup ? { erased: file } : { results_file: file }),
    finished: 0,
    started: cleanup ? 0 : 1,
    msg: 'remote module (ansible.legacy.async_status) does not support check mode',
    skipped: true,
    stdout: '',
    stderr: '',
    stdout_lines: [],
    stderr_lines: []
  }
}
