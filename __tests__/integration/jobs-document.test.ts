// Integration: a jobs document handed to a later run (--jobs, the action's `jobs` input) is data, never
// code, against a real OpenSSH sshd. A crafted document cannot pick the program run "as root" (which
// would also receive the become password), and hosts named __proto__ or constructor are hosts like any
// other from launch to gathering.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { executeRun } from '../../src/engine.js'
import { runCaptured, sshdInventory, sshdSettings } from '../helpers/engine.js'
import { startSshd, type SshdFixture } from '../helpers/sshd.js'

let sshd: SshdFixture
let work: string
let trap: string | undefined

beforeAll(async () => {
  sshd = await startSshd({ name: 'jobs-document' })
  work = mkdtempSync(path.join(tmpdir(), 'apb-jobs-document-'))
})
afterAll(async () => {
  await sshd?.stop()
  if (trap) rmSync(trap, { recursive: true, force: true })
})

describe('a crafted jobs document', () => {
  it('cannot choose the become executable: the run is refused before anything runs, and no password leaks', async () => {
    // What the document would run on the target, as the login user: it records its arguments and stdin.
    const dir = mkdtempSync(path.join(tmpdir(), 'apb-trap-'))
    trap = dir
    chmodSync(dir, 0o777)
    const marker = path.join(dir, 'ran')
    const script = path.join(dir, 'evil.sh')
    writeFileSync(script, `#!/bin/sh\necho "ran: $*" >> ${marker}\ncat >> ${marker}\nexit 1\n`, {
      mode: 0o755
    })
    const inventory = path.join(work, 'one.ini')
    writeFileSync(inventory, sshdInventory(sshd, { hosts: ['web1'] }))
    const password = 'become-secret-7f3a'
    const document = {
      web1: {
        evil: {
          ansible_job_id: 'j123456789.4242',
          dir: '/tmp',
          become: { user: sshd.user, method: 'sudo', exe: script }
        }
      }
    }
    const run = executeRun(
      sshdSettings(sshd, undefined as unknown as string, inventory, {
        playbook: undefined,
        jobs: { text: JSON.stringify(document), source: '--jobs evil.json' },
        gatherTimeoutSeconds: 10,
        become: { password }
      }),
      () => undefined
    )
    await expect(run).rejects.toThrow(
      /^--jobs evil\.json: job 'evil' \(j123456789\.4242\) on host 'web1': 'become\.exe' is ".*evil\.sh", but this run uses "sudo"/
    )
    expect(existsSync(marker) ? readFileSync(marker, 'utf8') : '').toBe('')
  })
})

describe('hosts and a register named __proto__ and constructor', () => {
  it('fire, hand over the document, gather: every host keeps its own jobs and results, and nothing is polluted', async () => {
    const hosts = ['__proto__', 'constructor', 'web1']
    const inventory = path.join(work, 'proto.ini')
    writeFileSync(inventory, sshdInventory(sshd, { hosts }))
    const fired = await runCaptured(
      sshdSettings(
        sshd,
        `- hosts: web
  gather_facts: false
  tasks:
    - name: start
      shell: echo job of {{ inventory_hostname }}
      async: 60
      poll: 0
      register: __proto__
    - name: constructor
      shell: echo second of {{ inventory_hostname }}
      async: 60
      poll: 0
      register: constructor
`,
        inventory
      )
    )
    expect(fired.exitCode, fired.output).toBe(0)
    expect(Object.keys(fired.document.stats)).toEqual(hosts)
    const text = JSON.stringify(fired.document)
    const handed = JSON.parse(text).jobs
    // In launch order, which the hosts race for.
    expect(Object.keys(handed).sort()).toEqual([...hosts].sort())
    for (const host of hosts)
      expect(Object.keys(handed[host])).toEqual(['__proto__', 'constructor'])

    const gathered = await runCaptured(
      sshdSettings(sshd, undefined as unknown as string, inventory, {
        playbook: undefined,
        jobs: { text, source: 'run 1' },
        gatherTimeoutSeconds: 60
      })
    )
    expect(gathered.exitCode, gathered.output).toBe(0)
    const doc = JSON.parse(JSON.stringify(gathered.document))
    expect(Object.keys(doc.stats).sort()).toEqual([...hosts].sort())
    const [first, second] = doc.plays[0].tasks
    expect(first.name).toBe('gather __proto__')
    expect(second.name).toBe('gather constructor')
    for (const host of hosts) {
      expect(doc.stats[host]).toMatchObject({ ok: 2, changed: 2, failed: 0 })
      expect(first.results[host].result.stdout).toBe(`job of ${host}`)
      expect(second.results[host].result.stdout).toBe(`second of ${host}`)
    }
    expect(doc.jobs).toEqual({})
    expect(Object.keys(Object.prototype)).toEqual([])
    expect(Object.keys(Object)).toEqual([])
    expect(({} as Record<string, unknown>)['ok']).toBeUndefined()
  })
})
