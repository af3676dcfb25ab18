import * as core from '@actions/core'
import { randomBytes } from 'node:crypto'
import { lstatSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { KnownJob } from '../async/job-registry.js'
import { jobsDocument, parseJobsDocument } from '../async/jobs-document.js'
import { MAX_JOBS_TEXT_BYTES } from '../async/jobs-encoding.js'
import { killCommand, parseKill } from '../async/job-commands.js'
import { openConnection } from '../connection/index.js'
import type { ConnectionDefaults } from '../connection/host-settings.js'
import { adoptHandedOverJob, type BecomeDefaults } from '../executor/become.js'
import { HostConnections } from '../executor/host-connections.js'
import { VariableManager } from '../executor/variables.js'
import { defaultInventory, loadInventory } from '../inventory/inventory.js'
import { inertLine } from '../values/inert-text.js'
import { Templar } from '../template/index.js'
import { State } from './constants.js'

/** How the post step's errors name the saved jobs. */
const SAVED_JOBS = 'the saved jobs of this step'

/**
 * Saves the jobs this step launched for the post step (`on-cancel: kill`). The runner passes saved state
 * to the post step as environment variables of at most 128 KiB, which a few hundred jobs exceed (the post
 * step would not start): so the jobs go to a new 0600 file under RUNNER_TEMP and only its path is saved.
 */
export function saveLaunchedJobs(jobs: KnownJob[], env: NodeJS.ProcessEnv = process.env): void {
  if (jobs.length === 0) return
  const file = path.join(
    env['RUNNER_TEMP'] || os.tmpdir(),
    `async-playbook-launched-${randomBytes(12).toString('hex')}.json`
  )
  try {
    // 'wx': a new file, never one someone placed there (or a symlink to one).
    writeFileSync(file, JSON.stringify(jobsDocument(jobs)), { mode: 0o600, flag: 'wx' })
  } catch (error) {
    core.warning(
      `Could not save the jobs this step launched for the post step (${(error as Error).message}): if the run is cancelled, on-cancel: kill cannot stop them.`
    )
    return
  }
  core.saveState(State.LaunchedJobsFile, file)
}

/**
 * The jobs the main step saved (see saveLaunchedJobs), as text, and the file removed; undefined when none
 * were saved. A file that is gone or unreadable is reported by the error thrown.
 */
export function takeLaunchedJobs(): string | undefined {
  const file = core.getState(State.LaunchedJobsFile)
  if (!file) return undefined
  try {
    const stats = lstatSync(file)
    if (!stats.isFile()) throw new Error(`${file} is not a regular file`)
    if (stats.size > MAX_JOBS_TEXT_BYTES) throw new Error(`${file} is too large`)
    return readFileSync(file, 'utf8')
  } catch (error) {
    throw new Error(
      `cannot read the jobs this step launched from ${file} (${(error as Error).message}), so they were not stopped`,
      { cause: error }
    )
  } finally {
    rmSync(file, { force: true })
  }
}

/** Removes the file of saved jobs, if any, when the post step has nothing to stop. */
export function discardLaunchedJobs(): void {
  const file = core.getState(State.LaunchedJobsFile)
  if (file) rmSync(file, { force: true })
}

/**
 * Stops the background jobs a cancelled step started (`on-cancel: kill`): TERM to each job's process
 * group, KILL 2 s later, as the user each job runs as (its become user, with this run's become program,
 * flags and password). Returns one line per job saying what happened, inert (see inert-text.ts).
 */
export async function killLaunchedJobs(
  jobsText: string,
  inventories: string[],
  connection: ConnectionDefaults,
  become?: BecomeDefaults,
  /** The allow-inventory-scripts input: the inventory is read as the step read it. */
  allowInventoryScripts = false
): Promise<string[]> {
  const registry = parseJobsDocument(jobsText, SAVED_JOBS)
  const jobs = registry.allOutstanding()
  if (jobs.length === 0) return []
  const inventory =
    inventories.length > 0
      ? loadInventory(inventories, allowInventoryScripts ? { allowScripts: true } : {})
      : defaultInventory()
  const variables = new VariableManager(inventory, new Templar(), {})
  const connections = new HostConnections(connection, openConnection, become)
  try {
    // Host and register names and error text are printed by the post step as plain lines: inert.
    const lines = await Promise.all(
      jobs.map(async (job) => {
        try {
          const scope = (): Record<string, unknown> =>
            variables.scope(job.host, {
              playVars: {},
              playHosts: [job.host],
              playBatch: [job.host],
              playbookDir: ''
            })
          // The saved file is data too: the host must be in the inventory, and become runs this run's exe.
          adoptHandedOverJob(job, scope, SAVED_JOBS)
          const vars = scope()
          const conn = await connections.as(job.host, vars, job.become)
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
    await connections.closeAll()
  }
}
