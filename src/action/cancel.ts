import { withBecome } from '../connection/become.js'
import { openConnection } from '../connection/index.js'
import type { ConnectionDefaults } from '../connection/host-settings.js'
import { parseJobsDocument } from '../async/jobs-document.js'
import { killCommand, parseKill } from '../async/job-protocol.js'
import { settingsFor, type BecomeDefaults } from '../executor/become.js'
import { ConnectionPool } from '../executor/connection-pool.js'
import { VariableManager } from '../executor/variables.js'
import { defaultInventory, loadInventory } from '../inventory/inventory.js'
import { inertLine } from '../report/inert-text.js'
import { Templar } from '../template/index.js'

/**
 * Stops the background jobs a cancelled step started (`on-cancel: kill`): TERM to each job's process
 * group, KILL 2 s later, as the user each job runs as (its become user, with `become`'s password).
 * Returns one line per job saying what happened, inert (see inert-text.ts).
 */
export async function killLaunchedJobs(
  jobsText: string,
  inventories: string[],
  connection: ConnectionDefaults,
  become?: BecomeDefaults
): Promise<string[]> {
  const registry = parseJobsDocument(jobsText, 'the saved jobs of this step')
  const jobs = registry.allOutstanding()
  if (jobs.length === 0) return []
  const inventory = inventories.length > 0 ? loadInventory(inventories) : defaultInventory()
  const variables = new VariableManager(inventory, new Templar(), {})
  const pool = new ConnectionPool(connection, openConnection)
  try {
    // Host and register names and error text are printed by the post step as plain lines: inert.
    const lines = await Promise.all(
      jobs.map(async (job) => {
        try {
          const scope = variables.scope(job.host, {
            playVars: {},
            playHosts: [job.host],
            playBatch: [job.host],
            playbookDir: ''
          })
          const conn = withBecome(
            await pool.get(job.host, scope),
            settingsFor(job.become, scope, become)
          )
          const res = await conn.run(killCommand(job.dir, job.jid), { timeoutMs: 30_000 })
          const { wasRunning } = parseKill(res.stdout)
          return `${job.host} ${job.register ?? job.jid}: ${wasRunning ? 'stopped' : 'had already ended'}`
        } catch (error) {
          return `${job.host} ${job.register ?? job.jid}: could not stop it (${(error as Error).message})`
        }
      })
    )
    return lines.map(inertLine)
  } finally {
    await pool.closeAll()
  }
}
