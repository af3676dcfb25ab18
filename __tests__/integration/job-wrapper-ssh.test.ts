/**
 * The remote job wrapper through a real OpenSSH sshd, as the unprivileged login user: the commands
 * pass through the login shell, the launch exec must not be held open by the job, and the job must
 * outlive the connection that started it.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openConnection } from '../../src/connection/index.js'
import type { Connection, ConnectionSettings } from '../../src/connection/connection.js'
import {
  cleanupCommand,
  launchCommand,
  parseCleanup,
  parseLaunch,
  statusCommand
} from '../../src/async/job-commands.js'
import { newJidPrefix } from '../../src/async/job-protocol.js'
import type { JobSnapshot } from '../../src/async/job-snapshot.js'
import { parseStatus } from '../../src/async/job-status-reader.js'
import { shellJoin } from '../../src/connection/shell-quote.js'
import { sshdConnectionSettings, startSshd, type SshdFixture } from '../helpers/sshd.js'

function settingsFor(sshd: SshdFixture): ConnectionSettings {
  return sshdConnectionSettings(sshd)
}

describe('job wrapper over ssh', () => {
  let sshd: SshdFixture
  let conn: Connection

  beforeAll(async () => {
    sshd = await startSshd({ name: 'job-wrapper' })
    conn = await openConnection(settingsFor(sshd))
  })
  afterAll(async () => {
    await conn?.close()
    await sshd?.stop()
  })

  async function launch(
    on: Connection,
    command: string,
    asyncSeconds = 0
  ): Promise<{ jid: string; dir: string; ms: number }> {
    const started = Date.now()
    const result = await on.run(
      launchCommand({
        jidPrefix: newJidPrefix(),
        asyncSeconds,
        asyncDir: '~/.ansible_async',
        meta: '{"via":"ssh"}',
        command
      }),
      { timeoutMs: 15_000 }
    )
    const answer = parseLaunch(result)
    if (!answer.ok) throw new Error(`launch failed: ${answer.message}`)
    return { jid: answer.jid, dir: answer.dir, ms: Date.now() - started }
  }

  async function settled(on: Connection, dir: string, jid: string): Promise<JobSnapshot> {
    const deadline = Date.now() + 45_000
    for (;;) {
      const result = await on.run(statusCommand({ dir, jids: [jid], waitSeconds: 5 }), {
        timeoutMs: 15_000
      })
      const [snapshot] = parseStatus(result.stdout)
      if (snapshot!.state !== 'running' || Date.now() > deadline) return snapshot!
    }
  }

  it('launches as the login user into ~/.ansible_async and returns before the job ends', async () => {
    const home = (await conn.run('cd && pwd -P', { timeoutMs: 10_000 })).stdout.toString().trim()
    // The job waits at a gate the test opens later: had it held the SSH channel open, the launch would
    // not return (and fail at its 15 s deadline). How fast it returns is `npm run bench`'s to measure.
    const gate = join(sshd.tmpDir, 'launch-gate')
    const job = await launch(
      conn,
      `while [ ! -e ${shellJoin([gate])} ]; do sleep 0.05; done; id -un; printf '\\377'`
    )
    expect(job.dir).toBe(`${home}/.ansible_async`)
    const running = parseStatus(
      (
        await conn.run(statusCommand({ dir: job.dir, jids: [job.jid], waitSeconds: 0 }), {
          timeoutMs: 10_000
        })
      ).stdout
    )
    expect(running[0]!.state).toBe('running')
    expect(running[0]!.meta).toBe('{"via":"ssh"}')
    writeFileSync(gate, '')
    const done = await settled(conn, job.dir, job.jid)
    expect(done.state).toBe('finished')
    expect(done.stdout).toEqual(Buffer.concat([Buffer.from(`${sshd.user}\n`), Buffer.from([0xff])]))
    const erased = await conn.run(cleanupCommand(job.dir, job.jid), { timeoutMs: 10_000 })
    expect(parseCleanup(erased.stdout)).toEqual({ jid: job.jid, existed: true })
  })

  it('keeps running after the connection that launched it is closed', async () => {
    const first = await openConnection(settingsFor(sshd))
    const job = await launch(first, 'sleep 1; printf survived')
    await first.close()
    const second = await openConnection(settingsFor(sshd))
    try {
      const done = await settled(second, job.dir, job.jid)
      expect(done).toMatchObject({ state: 'finished', rc: 0 })
      expect(done.stdout.toString()).toBe('survived')
    } finally {
      await second.close()
    }
  })

  it('enforces the async limit on the target', async () => {
    const job = await launch(conn, 'sleep 30', 1)
    const done = await settled(conn, job.dir, job.jid)
    expect(done).toMatchObject({ state: 'timeout', rc: 143, timeoutSeconds: 1 })
    // The record's own times: stopped at the limit, not by the end of the 30 s sleep.
    expect(done.end! - done.start!).toBeGreaterThanOrEqual(1)
    expect(done.end! - done.start!).toBeLessThan(20)
  })
})
