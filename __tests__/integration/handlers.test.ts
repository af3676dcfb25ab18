// Integration: handlers (notify/listen/flush) and meta tasks through the real engine over OpenSSH.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PlaybookError } from '../../src/errors.js'
import type { RunOutcome } from '../../src/engine.js'
import { resultOf, runCaptured, sshdInventory, sshdSettings } from '../helpers/engine.js'
import { startSshd, type SshdFixture } from '../helpers/sshd.js'

let sshd: SshdFixture
let inventory: string

beforeAll(async () => {
  sshd = await startSshd({ name: 'handlers' })
  inventory = sshdInventory(sshd, { hosts: ['web1', 'web2'] })
})
afterAll(async () => sshd?.stop())

/** The tasks of the first play, in the order they ran, as `name@host,host` (handlers marked with `!`). */
function ran(out: RunOutcome, play = 0): string[] {
  return out.document.plays[play]!.tasks.map(
    (t) => `${t.handler ? '!' : ''}${t.name}@${Object.keys(t.results).sort().join(',')}`
  )
}

describe('handlers over OpenSSH', () => {
  it('runs notified handlers once, in definition order, only where the notifier changed', async () => {
    const out = await runCaptured(
      sshdSettings(
        sshd,
        `- hosts: web
  gather_facts: false
  handlers:
    - name: first
      command: echo first
      register: first_out
    - name: second
      command: echo second
      listen: [restart things]
    - name: never
      command: echo never
  tasks:
    - name: loop notifies
      command: echo {{ item }}
      loop: [a, b]
      changed_when: item == 'b' and inventory_hostname == 'web1'
      notify: restart things
    - name: notify twice
      command: "true"
      notify: [first, first]
    - name: again
      command: "true"
      notify: first
    - meta: flush_handlers
    - name: after flush
      debug:
        var: first_out.stdout
`,
        inventory
      )
    )
    expect(out.exitCode).toBe(0)
    expect(ran(out)).toEqual([
      'loop notifies@web1,web2',
      'notify twice@web1,web2',
      'again@web1,web2',
      'meta@',
      '!first@web1,web2',
      '!second@web1',
      'after flush@web1,web2'
    ])
    expect(resultOf(out, 'after flush', 'web2')['first_out.stdout']).toBe('first')
    expect(out.output).toContain('RUNNING HANDLER [first]')
    expect(out.output).not.toContain('never')
    expect(out.document.stats['web1']).toMatchObject({ ok: 6, changed: 5 })
    expect(out.document.stats['web2']).toMatchObject({ ok: 5, changed: 3 })
  }, 180_000)

  it('skips handlers of a failed host unless force_handlers; end_host drops its handlers', async () => {
    const playbook = (force: boolean): string => `- hosts: web
  gather_facts: false
  force_handlers: ${force}
  handlers:
    - name: handle
      command: echo handled
  tasks:
    - name: change
      command: "true"
      notify: handle
    - name: web2 fails
      fail: msg=boom
      when: inventory_hostname == 'web2'
- hosts: web
  gather_facts: false
  handlers:
    - name: handle
      command: echo handled
  tasks:
    - name: change
      command: "true"
      notify: handle
    - name: end web1
      meta: end_host
      when: inventory_hostname == 'web1'
    - name: carry on
      command: echo on
`
    const plain = await runCaptured(sshdSettings(sshd, playbook(false), inventory))
    expect(plain.exitCode).toBe(2)
    expect(ran(plain)).toContain('!handle@web1')
    // web2 failed in play 1, so play 2 runs on web1 only, which ends there: nothing after end_host.
    expect(ran(plain, 1)).toEqual(['change@web1', 'end web1@'])
    const forced = await runCaptured(sshdSettings(sshd, playbook(true), inventory))
    expect(ran(forced)).toContain('!handle@web1,web2')
    const cli = await runCaptured(
      sshdSettings(sshd, playbook(false).replace('  force_handlers: false\n', ''), inventory, {
        forceHandlers: true
      })
    )
    expect(ran(cli)).toContain('!handle@web1,web2')
  }, 180_000)

  it('end_host ends one host; end_play ends the play for all without running handlers', async () => {
    const out = await runCaptured(
      sshdSettings(
        sshd,
        `- hosts: web
  gather_facts: false
  handlers:
    - name: handle
      command: echo handled
  tasks:
    - name: change
      command: "true"
      notify: handle
    - name: end web1
      meta: end_host
      when: inventory_hostname == 'web1'
    - name: carry on
      command: echo on
- hosts: web
  gather_facts: false
  handlers:
    - name: handle
      command: echo handled
  tasks:
    - name: change
      command: "true"
      notify: handle
    - meta: end_play
    - name: never
      command: echo never
`,
        inventory
      )
    )
    expect(out.exitCode).toBe(0)
    expect(ran(out)).toEqual(['change@web1,web2', 'end web1@web2', 'carry on@web2', '!handle@web2'])
    expect(ran(out, 1)).toEqual(['change@web1,web2', 'meta@'])
    expect(out.document.stats['web1']).toMatchObject({ ok: 2, skipped: 0 })
  }, 180_000)

  it('refuses to notify a handler that does not exist, naming the task', async () => {
    await expect(
      runCaptured(
        sshdSettings(
          sshd,
          `- hosts: web
  gather_facts: false
  tasks:
    - name: bad notify
      command: "true"
      notify: nope
`,
          inventory
        )
      )
    ).rejects.toThrow(PlaybookError)
    await expect(
      runCaptured(
        sshdSettings(
          sshd,
          `- hosts: web
  gather_facts: false
  tasks:
    - name: bad notify
      command: "true"
      notify: nope
`,
          inventory
        )
      )
    ).rejects.toThrow(/The requested handler 'nope' was not found.*'bad notify'/)
  }, 180_000)

  it('renders a templated notify name per host, and refuses one that renders to no handler', async () => {
    const playbook = (service: string): string => `- hosts: web
  gather_facts: false
  vars:
    svc: "{{ 'api' if inventory_hostname == 'web1' else '${service}' }}"
  handlers:
    - name: restart api
      command: echo api
    - name: restart worker
      command: echo worker
  tasks:
    - name: change
      command: "true"
      notify: "restart {{ svc }}"
`
    const out = await runCaptured(sshdSettings(sshd, playbook('worker'), inventory))
    expect(out.exitCode).toBe(0)
    expect(ran(out)).toEqual(['change@web1,web2', '!restart api@web1', '!restart worker@web2'])
    await expect(runCaptured(sshdSettings(sshd, playbook('nothing'), inventory))).rejects.toThrow(
      /The requested handler 'restart nothing' was not found/
    )
  }, 180_000)
})
