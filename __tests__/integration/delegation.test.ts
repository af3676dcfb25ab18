// delegate_to against the real sshd: a delegate reaches its host through the run's connection pool (one
// connection per host, shared with the host's own tasks) and is checked like any host (an unknown host
// key fails the task as unreachable); a delegate outside the inventory takes the 'all' group's and the
// play's variables; the console names both hosts; a delegated async job is recorded on its delegate.
import { rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ConnectionSettings } from '../../src/connection/connection.js'
import { forgetAcceptedHostKeys } from '../../src/connection/index.js'
import { resultOf, runCaptured, sshdInventory, sshdSettings } from '../helpers/engine.js'
import { startSshd, type SshdFixture } from '../helpers/sshd.js'

/** Every connection the engine opened: the inventory name and the address of each. */
const opened: Array<Pick<ConnectionSettings, 'host' | 'address' | 'port'>> = []

vi.mock('../../src/connection/index.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/connection/index.js')>()
  return {
    ...original,
    openConnection: (settings: ConnectionSettings) => {
      opened.push({ host: settings.host, address: settings.address, port: settings.port })
      return original.openConnection(settings)
    }
  }
})

let sshd: SshdFixture
let emptyKnownHosts: string
/** web2's own ansible_async_dir (where the login user may write). */
const web2AsyncDir = `/tmp/apb-delegation-async-${process.pid}`

beforeAll(async () => {
  sshd = await startSshd({ name: 'delegation' })
  emptyKnownHosts = path.join(sshd.tmpDir, 'known_hosts.none')
  writeFileSync(emptyKnownHosts, '')
})
afterAll(async () => {
  await sshd?.stop()
  rmSync(web2AsyncDir, { recursive: true, force: true })
})
beforeEach(() => {
  opened.length = 0
  forgetAcceptedHostKeys()
})

describe('delegate_to over ssh', () => {
  it('reaches a delegate that is an inventory host through its one pooled connection', async () => {
    const out = await runCaptured(
      sshdSettings(
        sshd,
        `- hosts: web1,web2
  gather_facts: false
  tasks:
    - name: own
      command: echo own
    - name: delegated
      command: echo {{ inventory_hostname }}
      delegate_to: web2
      register: delegated
    - name: delegated per item
      command: echo {{ item }}
      delegate_to: "{{ item }}"
      loop: [web2, web1, web2]
`,
        sshdInventory(sshd, { hosts: ['web1', 'web2'] })
      )
    )
    expect(out.exitCode).toBe(0)
    expect(resultOf(out, 'delegated', 'web1')['stdout']).toBe('web1')
    expect(resultOf(out, 'delegated', 'web2')['stdout']).toBe('web2')
    // One connection per host, whether its own tasks or another host's delegated ones used it.
    expect(opened.map((o) => o.host).sort()).toEqual(['web1', 'web2'])
    expect(out.output).toContain('changed: [web1 -> web2(127.0.0.1)]')
    expect(out.output).toContain('changed: [web2]\n')
    expect(out.output).toContain('changed: [web2 -> web1(127.0.0.1)] => (item=web1)')
  })

  it('checks the host key of a delegate as any host’s: an unknown key fails the task as unreachable', async () => {
    const out = await runCaptured(
      sshdSettings(
        sshd,
        `- hosts: web1
  gather_facts: false
  tasks:
    - name: on the stranger
      command: echo reached
      delegate_to: stranger
`,
        sshdInventory(sshd, { hosts: ['web1'] }).replace(
          '[all:vars]',
          `[others]\nstranger ansible_host=${sshd.host} ansible_port=${sshd.port} ansible_ssh_common_args='-o UserKnownHostsFile=${emptyKnownHosts}'\n[all:vars]`
        )
      )
    )
    const result = resultOf(out, 'on the stranger', 'web1')
    expect(result['unreachable']).toBe(true)
    expect(String(result['msg'])).toMatch(/host key/i)
    expect(result['stdout']).toBeUndefined()
    expect(out.exitCode).not.toBe(0)
    // Only the stranger was tried: web1's own connection was never needed.
    expect(opened.map((o) => o.host)).toEqual(['stranger'])
  })

  it('reaches a delegate outside the inventory with the all group’s and the play’s variables', async () => {
    const out = await runCaptured(
      sshdSettings(
        sshd,
        `- hosts: web1
  gather_facts: false
  vars:
    ansible_host: ${sshd.host}
    ansible_port: ${sshd.port}
  tasks:
    - name: outside
      command: echo {{ inventory_hostname }} {{ ansible_delegated_vars | list }}
      delegate_to: db.example.invalid
      register: outside
`,
        sshdInventory(sshd, { hosts: ['web1'] })
      )
    )
    expect(out.exitCode).toBe(0)
    expect(resultOf(out, 'outside', 'web1')['stdout']).toBe('web1 [db.example.invalid]')
    expect(opened).toEqual([{ host: 'db.example.invalid', address: sshd.host, port: sshd.port }])
    expect(out.output).toContain(`changed: [web1 -> db.example.invalid(${sshd.host})]`)
  })

  it('runs a delegated job on its delegate (in its async dir), gathers it there and hands it over as the delegate’s', async () => {
    const out = await runCaptured(
      sshdSettings(
        sshd,
        `- hosts: web1
  gather_facts: false
  tasks:
    - name: background
      command: sleep 10
      async: 30
      poll: 0
      delegate_to: web2
      register: background
    - name: not on web1
      async_status:
        jid: "{{ background.ansible_job_id }}"
      register: on_web1
      ignore_errors: true
    - name: on web2
      async_status:
        jid: "{{ background.ansible_job_id }}"
      delegate_to: web2
      register: on_web2
`,
        // The two hosts are one machine here: web2's own async dir tells where the job was launched.
        sshdInventory(sshd, { hosts: ['web1', 'web2'] }).replace(
          /^(web2 .*)$/m,
          `$1 ansible_async_dir=${web2AsyncDir}`
        )
      )
    )
    expect(resultOf(out, 'background', 'web1')['results_file']).toMatch(
      new RegExp(`^${web2AsyncDir}/`)
    )
    expect(resultOf(out, 'on web2', 'web1')).toMatchObject({ finished: 0, started: 1 })
    expect(resultOf(out, 'not on web1', 'web1')).toMatchObject({ failed: true })
    expect(Object.keys(out.document.jobs)).toEqual(['web2'])
    // Keyed by job id on the delegate, naming the host it ran for and what that host registered.
    const jid = String(resultOf(out, 'background', 'web1')['ansible_job_id'])
    expect(out.document.jobs['web2']?.[jid]).toMatchObject({
      ansible_job_id: jid,
      delegated_for: 'web1',
      register: 'background'
    })
  })
})

describe('delegated jobs handed over to a later run', () => {
  const launch = `- hosts: web1,web2
  gather_facts: false
  tasks:
    - name: launch
      shell: sleep 1; echo from {{ inventory_hostname }}
      async: 60
      poll: 0
      delegate_to: web3
      register: job
`
  const inventory = (): string => sshdInventory(sshd, { hosts: ['web1', 'web2', 'web3'] })

  it('keeps each host’s job (one register name, one delegate) and gathers them with no playbook', async () => {
    const first = await runCaptured(sshdSettings(sshd, launch, inventory()))
    expect(first.exitCode).toBe(0)
    const handed = Object.values(first.document.jobs['web3'] ?? {})
    expect(handed.map((j) => j['delegated_for']).sort()).toEqual(['web1', 'web2'])
    const gathered = await runCaptured(
      sshdSettings(sshd, undefined as unknown as string, inventory(), {
        playbook: undefined,
        jobs: { text: JSON.stringify(first.document), source: 'run1.json' },
        gatherTimeoutSeconds: 60
      })
    )
    expect(gathered.exitCode).toBe(0)
    // Each host's own job, read on the delegate.
    expect(resultOf(gathered, 'gather job', 'web1')['stdout']).toBe('from web1')
    expect(resultOf(gathered, 'gather job', 'web2')['stdout']).toBe('from web2')
    expect(gathered.document.jobs).toEqual({})
  })

  it('registers each job on the host it ran for in a later playbook run', async () => {
    const first = await runCaptured(sshdSettings(sshd, launch, inventory()))
    const later = await runCaptured(
      sshdSettings(
        sshd,
        `- hosts: web1,web2
  gather_facts: false
  tasks:
    - name: wait
      async_status:
        jid: "{{ job.ansible_job_id }}"
      delegate_to: web3
      register: done
      until: done is finished
      retries: 30
      delay: 1
`,
        inventory(),
        { jobs: { text: JSON.stringify(first.document), source: 'run1.json' } }
      )
    )
    expect(later.exitCode).toBe(0)
    expect(resultOf(later, 'wait', 'web1')['stdout']).toBe('from web1')
    expect(resultOf(later, 'wait', 'web2')['stdout']).toBe('from web2')
  })
})
