import * as core from '@actions/core'
import { discardLaunchedJobs, killLaunchedJobs, takeLaunchedJobs } from './action/cancel.js'
import { State } from './action/constants.js'
import { readActionSettings } from './action/settings.js'

/**
 * The post step: after a cancelled run with `on-cancel: kill`, stops the background jobs the main step
 * started (saved in a file: see saveLaunchedJobs), and removes that file in any case. Problems here are
 * warnings: the post step never fails the job.
 */
export async function post(): Promise<void> {
  try {
    const cancelled = core.getState(State.Cancelled) === 'true'
    const settings = cancelled ? readActionSettings(process.env, { post: true }) : undefined
    if (settings?.onCancel !== 'kill') {
      discardLaunchedJobs()
      return
    }
    const jobs = takeLaunchedJobs()
    if (!jobs) return
    const lines = await killLaunchedJobs(
      jobs,
      settings.run.inventories,
      settings.run.connection,
      settings.run.become,
      settings.run.allowInventoryScripts === true
    )
    for (const line of lines) core.info(line)
  } catch (error) {
    core.warning(`post step: ${error instanceof Error ? error.message : String(error)}`)
  }
}
