// Unit: AsyncJobs batches status checks per host and reuses finished answers; formatDelta.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { AsyncJobs } from '../../src/async/async-jobs.js'
import { JobRegistry } from '../../src/async/job-registry.js'
import type { CommandResult, Connection, RunOptions } from '../../src/connection/connection.js'
import { formatDelta } from '../../src/modules/command-runner.js'

/** A connection that runs commands with the local /bin/sh and counts them. */
class LocalCounting implements Connection {
  readonly host = 'web1'
  commands: string[] = []
  async run(command: string, _options: RunOptions): Promise<CommandResult> {
    this.commands.push(command)
    const res = spawnSync('/bin/sh', ['-c', command], { env: { ...process.env, HOME: this.home } })
    return {
      code: res.status,
      signal: res.signal,
      stdout: res.stdout,
      stderr: res.stderr,
      timedOut: false
    }
  }
  async putFile(): Promise<void> {}
  async getFile(): Promise<Buffer> {
    throw new Error('getFile is not used by these tests')
  }
  async close(): Promise<void> {}
  constructor(readonly home: string) {}
}

function readIfThere(file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return ''
  }
}

describe('AsyncJobs', () => {
  it('checks every outstanding job of a host in one round trip, and reuses finished answers', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'apb-asyncjobs-'))
    const connection = new LocalCounting(home)
    const access = { host: 'web1', connection: async () => connection }
    const jobs = new AsyncJobs(new JobRegistry())
    const launched = []
    for (let i = 0; i < 5; i++) {
      launched.push(
        await jobs.launch(access, {
          command: `echo ${i}`,
          asyncSeconds: 30,
          asyncDir: '~/.ansible_async',
          meta: { cmd: `echo ${i}`, module: 'shell', task: 't' }
        })
      )
    }
    const dir = String(launched[0]!['results_file']).replace(/\/[^/]+$/, '')
    // Finished on the target (read from the records themselves, so no status round trip is spent).
    const deadline = Date.now() + 30_000
    while (
      !launched.every((l) => /^state=finished$/m.test(readIfThere(String(l['results_file'])))) &&
      Date.now() < deadline
    ) {
      await new Promise((r) => setTimeout(r, 50))
    }
    connection.commands = []
    const snapshots = await Promise.all(
      launched.map((l) => jobs.status(access, String(l['ansible_job_id']), dir))
    )
    expect(connection.commands).toHaveLength(1)
    expect(snapshots.map((s) => [s.state, s.stdout.toString()])).toEqual(
      [0, 1, 2, 3, 4].map((i) => ['finished', `${i}\n`])
    )
    // Finished is final: asking again costs no round trip.
    await jobs.status(access, String(launched[3]!['ansible_job_id']), dir)
    expect(connection.commands).toHaveLength(1)
    expect(jobs.statusRoundTrips.get('web1')).toBe(1)
  })

  it('refuses a hostile job id before anything reaches a shell', async () => {
    const connection = new LocalCounting(tmpdir())
    const jobs = new AsyncJobs(new JobRegistry())
    await expect(
      jobs.status({ host: 'web1', connection: async () => connection }, 'j1.1; reboot', '/tmp')
    ).rejects.toThrow("invalid job id 'j1.1; reboot'")
    expect(connection.commands).toEqual([])
  })
})

describe('formatDelta', () => {
  it('prints whole microseconds, also for fractional milliseconds from the target', () => {
    expect(formatDelta(1234)).toBe('0:00:01.234000')
    expect(formatDelta(10239.967742919922)).toBe('0:00:10.239968')
    expect(formatDelta(3_723_000.5)).toBe('1:02:03.000500')
  })
})
