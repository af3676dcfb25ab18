// Integration: block/rescue/always through the real engine over OpenSSH.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resultOf, runCaptured, sshdInventory, sshdSettings } from '../helpers/engine.js'
import { startSshd, type SshdFixture } from '../helpers/sshd.js'

let sshd: SshdFixture
let inventory: string

beforeAll(async () => {
  sshd = await startSshd({ name: 'blocks' })
  inventory = sshdInventory(sshd, { hosts: ['web1', 'web2'] })
})
afterAll(async () => sshd?.stop())

describe('block / rescue / always over OpenSSH', () => {
  it('rescues a failed async job per host, runs always, and keeps the host in play', async () => {
    const out = await runCaptured(
      sshdSettings(
        sshd,
        `- hosts: web
  gather_facts: false
  tasks:
    - name: deploy
      block:
        - name: launch
          shell: echo out; exit {{ 1 if inventory_hostname == 'web1' else 0 }}
          async: 10
          poll: 0
          register: job
        - name: wait
          async_status:
            jid: "{{ job.ansible_job_id }}"
          register: job_result
          until: job_result is finished
          retries: 60
          delay: 1
        - name: only without failure
          command: echo fine
      rescue:
        - name: roll back
          command: echo rc={{ ansible_failed_result.rc }} {{ ansible_failed_task.name }} {{ ansible_failed_task.action }}
          register: rollback
      always:
        - name: clean up
          command: echo cleanup
    - name: afterwards
      command: echo after
`,
        inventory
      )
    )
    expect(out.exitCode).toBe(0)
    expect(resultOf(out, 'roll back', 'web1')['stdout']).toBe('rc=1 wait async_status')
    expect(() => resultOf(out, 'roll back', 'web2')).toThrow()
    expect(() => resultOf(out, 'only without failure', 'web1')).toThrow()
    expect(resultOf(out, 'only without failure', 'web2')['stdout']).toBe('fine')
    expect(resultOf(out, 'clean up', 'web1')['stdout']).toBe('cleanup')
    expect(resultOf(out, 'clean up', 'web2')['stdout']).toBe('cleanup')
    expect(resultOf(out, 'afterwards', 'web1')['stdout']).toBe('after')
    expect(out.document.stats['web1']).toMatchObject({ ok: 4, failed: 0, rescued: 1 })
    expect(out.document.stats['web2']).toMatchObject({ ok: 5, failed: 0, rescued: 0 })
    // The failure is shown as Ansible shows it; the recap counts it as rescued.
    expect(out.output).toMatch(/fatal: \[web1\]: FAILED!/)
    expect(out.output).toMatch(/TASK \[roll back\]/)
    expect(out.output).toMatch(/web1\s+: ok=4 .*failed=0 .*rescued=1/)
  }, 180_000)

  it('fails the host after always when there is no rescue, or the rescue fails', async () => {
    const out = await runCaptured(
      sshdSettings(
        sshd,
        `- hosts: web
  gather_facts: false
  tasks:
    - block:
        - name: break web1
          shell: test {{ inventory_hostname }} != web1
      always:
        - name: always runs
          command: echo always
    - block:
        - name: break web2
          shell: test {{ inventory_hostname }} != web2
      rescue:
        - name: rescue breaks too
          command: /bin/false
      always:
        - name: second always
          command: echo again
    - name: nobody left
      command: echo never
`,
        inventory
      )
    )
    expect(out.exitCode).toBe(2)
    expect(resultOf(out, 'always runs', 'web1')['stdout']).toBe('always')
    expect(resultOf(out, 'second always', 'web2')['stdout']).toBe('again')
    expect(() => resultOf(out, 'second always', 'web1')).toThrow()
    expect(out.document.stats['web1']).toMatchObject({ failed: 1, rescued: 0 })
    expect(out.document.stats['web2']).toMatchObject({ failed: 1, rescued: 1 })
    expect(out.output).not.toMatch(/TASK \[nobody left\]/)
    expect(out.output).toMatch(/NO MORE HOSTS LEFT/)
  }, 180_000)

  it('applies block vars, environment and when to the tasks of nested blocks', async () => {
    const out = await runCaptured(
      sshdSettings(
        sshd,
        `- hosts: web
  gather_facts: false
  tasks:
    - name: outer
      vars:
        colour: blue
      environment:
        GREETING: hi
      when: inventory_hostname == 'web2'
      block:
        - name: inner
          vars:
            size: large
          block:
            - name: both
              shell: echo "$GREETING {{ colour }} {{ size }}"
              register: both
            - name: own env wins
              shell: echo "$GREETING"
              environment:
                GREETING: hello
              register: own
`,
        inventory
      )
    )
    expect(out.exitCode).toBe(0)
    expect(resultOf(out, 'both', 'web2')['stdout']).toBe('hi blue large')
    expect(resultOf(out, 'own env wins', 'web2')['stdout']).toBe('hello')
    expect(resultOf(out, 'both', 'web1')).toMatchObject({ skipped: true })
    expect(out.document.stats['web1']).toMatchObject({ ok: 0, skipped: 2 })
  }, 180_000)
})
