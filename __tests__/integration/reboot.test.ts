// Integration: wait_for_connection and reboot against a real sshd that goes away and comes back.
// The target user cannot reboot anything, so a "reboot" is simulated: the reboot command leaves a
// trigger file, and the test then stops the sshd (dropping every connection), changes the boot id the
// playbook reads, and starts the sshd again on the same port.
import { chmodSync, existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  resultOf,
  runCaptured,
  sshdInventory,
  sshdSettings,
  whenPrinted
} from '../helpers/engine.js'
import { startSshd, type SshdFixture } from '../helpers/sshd.js'

let sshd: SshdFixture
let inventory: string
let dir: string
let bootFile: string
let nextBootFile: string
let trigger: string
const timers: NodeJS.Timeout[] = []

beforeAll(async () => {
  sshd = await startSshd({ name: 'reboot' })
  inventory = sshdInventory(sshd, { hosts: ['web1'] })
})
afterAll(async () => sshd?.stop())

beforeEach(() => {
  // The target user is not the test's user (apbtest under root): it must be able to write here.
  dir = mkdtempSync(path.join(tmpdir(), 'apb-reboot-'))
  chmodSync(dir, 0o777)
  bootFile = path.join(dir, 'boot_id')
  nextBootFile = path.join(dir, 'next_boot_id')
  trigger = path.join(dir, 'reboot-requested')
  writeShared(bootFile, 'boot-A\n')
})
afterEach(async () => {
  for (const timer of timers.splice(0)) clearInterval(timer)
  // Whatever a test did to the sshd, the next one finds it up.
  if (!(await sshdAnswers())) await sshd.restart()
  rmSync(dir, { recursive: true, force: true })
})

function writeShared(file: string, text: string): void {
  writeFileSync(file, text)
  chmodSync(file, 0o666)
}

/** True when the sshd accepts logins (a restart that another step started has finished). */
async function sshdAnswers(): Promise<boolean> {
  const out = await runCaptured(
    sshdSettings(sshd, `- hosts: web1\n  gather_facts: false\n  tasks:\n    - ping:\n`, inventory)
  )
  return out.exitCode === 0
}

/**
 * The simulated host: when the trigger file appears, the host "reboots": the sshd dies with every
 * session, the boot id becomes the one the reboot command staged, and the sshd starts again.
 * `settled()` resolves once that is over, or at once when no reboot was asked for (a failed run must
 * fail its assertions, not hang here).
 */
function rebootWhenTriggered(): { settled(): Promise<boolean> } {
  let restarted: Promise<boolean> | undefined
  const check = (): void => {
    if (restarted !== undefined || !existsSync(trigger)) return
    clearInterval(timer)
    rmSync(trigger)
    sshd.kill()
    if (existsSync(nextBootFile)) renameSync(nextBootFile, bootFile)
    restarted = sshd.restart().then(() => true)
  }
  const timer = setInterval(check, 25)
  timers.push(timer)
  return {
    settled: () => {
      check()
      clearInterval(timer)
      return restarted ?? Promise.resolve(false)
    }
  }
}

/** A reboot command the unprivileged target user can run: stages a new boot id and asks for a reboot. */
function simulatedRebootCommand(newId: string): string {
  return `echo ${newId} > ${nextBootFile} && touch ${trigger}`
}

describe('wait_for_connection', () => {
  it('waits for a host that is down when the task starts and comes back', async () => {
    sshd.kill()
    // Back 2 s after the task started waiting (not after a time the run might not have reached yet).
    const waiting = whenPrinted((output) => output.includes('TASK [wait]'))
    const back = waiting.printed.then(
      () =>
        new Promise<void>((resolve, reject) => {
          timers.push(setTimeout(() => sshd.restart().then(resolve, reject), 2_000))
        })
    )
    const out = await runCaptured(
      sshdSettings(
        sshd,
        `- hosts: web1
  gather_facts: false
  tasks:
    - name: wait
      wait_for_connection:
        timeout: 60
      register: w
    - name: after
      command: echo back
`,
        inventory
      ),
      { onOutput: waiting.onOutput }
    )
    await back
    expect(out.exitCode, out.output).toBe(0)
    const waited = resultOf(out, 'wait', 'web1')
    expect(waited).toMatchObject({ changed: false, failed: false })
    expect(waited['elapsed']).toBeGreaterThanOrEqual(1)
    expect(resultOf(out, 'after', 'web1')).toMatchObject({ stdout: 'back' })
  })

  it('fails the task (not unreachable) with Ansible message when the host stays down', async () => {
    sshd.kill()
    const out = await runCaptured(
      sshdSettings(
        sshd,
        `- hosts: web1
  gather_facts: false
  tasks:
    - name: wait
      wait_for_connection:
        timeout: 3
`,
        inventory
      )
    )
    expect(out.exitCode).toBe(2)
    const waited = resultOf(out, 'wait', 'web1')
    expect(waited['failed']).toBe(true)
    expect(waited['unreachable']).toBeUndefined()
    expect(waited['msg']).toMatch(/^timed out waiting for ping module test: connection refused/)
    expect(waited['elapsed']).toBeGreaterThanOrEqual(3)
    expect(out.document.stats['web1']).toMatchObject({ failed: 1, unreachable: 0 })
    expect(out.output).toContain('fatal: [web1]: FAILED!')
  })
})

describe('reboot', () => {
  it('reboots, waits for the new boot id, and later tasks run on the rebooted host', async () => {
    const host = rebootWhenTriggered()
    const out = await runCaptured(
      sshdSettings(
        sshd,
        `- hosts: web1
  gather_facts: false
  tasks:
    - name: before
      command: cat ${bootFile}
    - name: reboot
      reboot:
        boot_time_command: cat ${bootFile}
        reboot_command: ${simulatedRebootCommand('boot-B')}
        reboot_timeout: 60
      register: r
    - name: after
      command: cat ${bootFile}
`,
        inventory
      )
    )
    expect(await host.settled(), out.output).toBe(true)
    expect(out.exitCode, out.output).toBe(0)
    expect(resultOf(out, 'before', 'web1')).toMatchObject({ stdout: 'boot-A' })
    const r = resultOf(out, 'reboot', 'web1')
    expect(r).toMatchObject({ changed: true, rebooted: true, failed: false })
    expect(typeof r['elapsed']).toBe('number')
    expect(resultOf(out, 'after', 'web1')).toMatchObject({ stdout: 'boot-B' })
    expect(out.output).toContain('changed: [web1]')
  })

  it('times out with Ansible message when the host comes back with the same boot id', async () => {
    // The "reboot" restarts the sshd but stages no new boot id.
    const host = rebootWhenTriggered()
    const out = await runCaptured(
      sshdSettings(
        sshd,
        `- hosts: web1
  gather_facts: false
  tasks:
    - name: reboot
      reboot:
        boot_time_command: cat ${bootFile}
        reboot_command: touch ${trigger}
        reboot_timeout: 3
`,
        inventory
      )
    )
    expect(await host.settled(), out.output).toBe(true)
    expect(out.exitCode).toBe(2)
    expect(resultOf(out, 'reboot', 'web1')).toMatchObject({
      failed: true,
      rebooted: true,
      msg: 'Timed out waiting for last boot time check (timeout=3)',
      last_error: 'boot time has not changed'
    })
  })

  it('reports a reboot command that fails at once, with its output', async () => {
    const out = await runCaptured(
      sshdSettings(
        sshd,
        `- hosts: web1
  gather_facts: false
  tasks:
    - name: reboot
      reboot:
        boot_time_command: cat ${bootFile}
        reboot_command: echo out; echo "not permitted" >&2; exit 3
`,
        inventory
      )
    )
    expect(out.exitCode).toBe(2)
    expect(resultOf(out, 'reboot', 'web1')).toMatchObject({
      failed: true,
      rebooted: false,
      msg: "Reboot command failed. Error was: 'out, not permitted'"
    })
  })

  it('fails before rebooting when the boot time command fails', async () => {
    const out = await runCaptured(
      sshdSettings(
        sshd,
        `- hosts: web1
  gather_facts: false
  tasks:
    - name: reboot
      reboot:
        boot_time_command: cat ${dir}/missing
        reboot_command: touch ${trigger}
`,
        inventory
      )
    )
    expect(out.exitCode).toBe(2)
    const r = resultOf(out, 'reboot', 'web1')
    expect(r).toMatchObject({ failed: true, rebooted: false })
    expect(r['msg']).toMatch(
      /^reboot: failed to get host boot time info, rc: 1, stdout: , stderr: cat: .*missing: No such file or directory/
    )
    expect(existsSync(trigger)).toBe(false)
  })

  it('supports the classic pattern: a detached async reboot, then wait_for_connection', async () => {
    await classicPattern(10)
  })

  // The recipe as copied from Ansible issues (#14413, #10616): `async: 1` with `sleep 2`. It works in
  // Ansible only because its watchdog checks every 5 s (the job is killed after ~10 s); fire-and-forget
  // jobs get that same effective limit here (fireAndForgetLimit), so the recipe keeps working.
  it('supports the classic recipe verbatim: async 1 and sleep 2', async () => {
    await classicPattern(1)
  })
})

/** `shell: sleep 2 && reboot` in the background (poll 0), then wait_for_connection and a check. */
async function classicPattern(asyncSeconds: number): Promise<void> {
  const host = rebootWhenTriggered()
  const out = await runCaptured(
    sshdSettings(
      sshd,
      `- hosts: web1
  gather_facts: false
  tasks:
    - name: reboot in the background
      shell: sleep 2 && ${simulatedRebootCommand('boot-C')}
      async: ${asyncSeconds}
      poll: 0
    - name: wait
      wait_for_connection:
        delay: 4
        timeout: 60
    - name: after
      command: cat ${bootFile}
`,
      inventory
    )
  )
  expect(await host.settled(), out.output).toBe(true)
  expect(out.exitCode, out.output).toBe(0)
  expect(resultOf(out, 'reboot in the background', 'web1')).toMatchObject({
    changed: true,
    started: 1,
    finished: 0
  })
  expect(resultOf(out, 'wait', 'web1')['elapsed']).toBeGreaterThanOrEqual(4)
  expect(resultOf(out, 'after', 'web1')).toMatchObject({ stdout: 'boot-C' })
}
