// Integration: `environment:` values never appear on a command line of the target (`ps`, which every
// user of the host can run), neither for a task nor for the async supervisor and job that outlive it;
// the task still sees each value exactly, and its own stdin whole. (Under become: become.test.ts.)
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Gatekeeper, secretTasks } from '../helpers/cmdline-watch.js'
import { resultOf, runCaptured, sshdInventory, sshdSettings } from '../helpers/engine.js'
import { startSshd, type SshdFixture } from '../helpers/sshd.js'

let sshd: SshdFixture
let inventory: string
let dir: string

beforeAll(async () => {
  sshd = await startSshd({ name: 'secrets-cmdline' })
  inventory = sshdInventory(sshd, { hosts: ['web1'] })
  dir = mkdtempSync(join(tmpdir(), 'apb-cmdline-'))
  chmodSync(dir, 0o777)
})
afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true })
  await sshd?.stop()
})

describe('environment values stay off command lines', () => {
  it('sync, command, async polled and fire-and-forget with stdin: no value in any process argv; each arrives exactly', async () => {
    const token = `apbsecret${randomBytes(6).toString('hex')}`
    const scenario = secretTasks(dir, token, 'plain')
    const gates = new Gatekeeper(dir, scenario.labels, [token])
    const running = runCaptured(
      sshdSettings(
        sshd,
        `- hosts: web1\n  gather_facts: false\n  tasks:\n${scenario.tasks}`,
        inventory
      )
    ).finally(() => gates.stop())
    const [out] = await Promise.all([running, gates.run()])
    expect(out.exitCode, out.output).toBe(0)
    expect(gates.seen.sort()).toEqual([...scenario.labels].sort())
    expect(gates.leaks).toEqual([])
    for (const [task, stdout] of Object.entries(scenario.expected)) {
      expect(resultOf(out, task, 'web1')['stdout'], task).toBe(stdout)
    }
    // Nothing in the values ran as shell text.
    expect(existsSync(`/tmp/${token}-ran`)).toBe(false)
  })
})
