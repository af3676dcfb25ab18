// Integration: handlers and meta actions through the real engine over OpenSSH (issue 17): the handler cases
// of items 19 and 20 one by one (semantics-handlers.yml has them together with the others), and what the
// differential fixtures cannot show (ansible-playbook's json report has one play entry per serial batch, and
// refresh_inventory needs an inventory file the run itself rewrites): end_batch with serial,
// refresh_inventory, an include_role whose role is missing inside a rescued block, and a notify that reaches
// no handler with ANSIBLE_ERROR_ON_MISSING_HANDLER off. Each was checked against ansible-playbook 2.14 by
// hand; the expectations are what it does.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunOutcome } from '../../src/engine.js'
import { PlaybookError } from '../../src/errors.js'
import { resultOf, runCaptured, sshdInventory, sshdSettings } from '../helpers/engine.js'
import { startSshd, type SshdFixture } from '../helpers/sshd.js'

let sshd: SshdFixture
let inventory: string
let work: string

beforeAll(async () => {
  sshd = await startSshd({ name: 'semantics-handlers' })
  inventory = sshdInventory(sshd, { hosts: ['web1', 'web2', 'web3'] })
  work = mkdtempSync(path.join(tmpdir(), 'apb-semantics-handlers-'))
})
afterAll(async () => {
  rmSync(work, { recursive: true, force: true })
  await sshd?.stop()
})

/** The tasks of play `play`, in the order they ran, as `name@host,host` (handlers marked with `!`). */
function ran(out: RunOutcome, play = 0): string[] {
  return out.document.plays[play]!.tasks.map(
    (t) => `${t.handler ? '!' : ''}${t.name}@${Object.keys(t.results).sort().join(',')}`
  )
}

describe('handlers over OpenSSH', () => {
  it('runs the first of two handlers with the same name (item 19)', async () => {
    const out = await runCaptured(
      sshdSettings(
        sshd,
        `- hosts: web1
  gather_facts: false
  handlers:
    - name: restart
      command: echo first
    - name: restart
      command: echo second
  tasks:
    - name: change
      command: "true"
      notify: restart
`,
        inventory
      )
    )
    expect(ran(out)).toEqual(['change@web1', '!restart@web1'])
    expect(resultOf(out, 'restart', 'web1')['stdout']).toBe('first')
  }, 180_000)

  it('runs a handler that notifies itself once (item 20)', async () => {
    const out = await runCaptured(
      sshdSettings(
        sshd,
        `- hosts: web1
  gather_facts: false
  handlers:
    - name: again
      command: echo again
      notify: again
  tasks:
    - name: change
      command: "true"
      notify: again
    - meta: flush_handlers
    - name: later
      command: echo later
`,
        inventory
      )
    )
    expect(ran(out)).toEqual(['change@web1', 'meta@', '!again@web1', 'later@web1'])
    expect(out.document.stats['web1']).toMatchObject({ ok: 3, changed: 3 })
  }, 180_000)

  it("finds a templated handler name rendered with the play's variables", async () => {
    const out = await runCaptured(
      sshdSettings(
        sshd,
        `- hosts: web1
  gather_facts: false
  vars:
    service: api
  handlers:
    - name: "restart {{ service }}"
      command: echo restarting {{ service }}
  tasks:
    - name: change
      command: "true"
      notify: restart api
`,
        inventory
      )
    )
    expect(ran(out)).toEqual(['change@web1', '!restart api@web1'])
  }, 180_000)
})

describe('meta actions over OpenSSH', () => {
  it('end_batch ends the batch (its handlers too), and the next batch runs; end_play would stop', async () => {
    const playbook = (action: string): string => `- hosts: web
  gather_facts: false
  serial: 1
  handlers:
    - name: handle
      command: echo handled
  tasks:
    - name: change
      command: "true"
      notify: handle
    - name: end
      meta: ${action}
      when: inventory_hostname == 'web1'
    - name: after
      command: echo after
`
    const batch = await runCaptured(sshdSettings(sshd, playbook('end_batch'), inventory))
    expect(batch.exitCode).toBe(0)
    expect(ran(batch)).toEqual([
      'change@web1',
      'end@',
      'change@web2',
      'end@web2',
      'after@web2',
      '!handle@web2',
      'change@web3',
      'end@web3',
      'after@web3',
      '!handle@web3'
    ])
    const play = await runCaptured(sshdSettings(sshd, playbook('end_play'), inventory))
    expect(ran(play)).toEqual(['change@web1', 'end@'])
  }, 360_000)

  it('refresh_inventory reads the inventory file again: later tasks see its new variables', async () => {
    const file = path.join(work, 'inventory.ini')
    writeFileSync(file, inventory + 'colour=red\n')
    const out = await runCaptured(
      sshdSettings(
        sshd,
        `- hosts: web1
  gather_facts: false
  tasks:
    - name: before
      debug:
        msg: "{{ colour }}"
    - name: rewrite the inventory
      command: "true"
      changed_when: false
    - name: refresh
      meta: refresh_inventory
    - name: after
      debug:
        msg: "{{ colour }}"
`,
        file
      ),
      {
        // The file changes while the task between the two debug tasks runs, as a task writing it would.
        onOutput: (soFar) => {
          if (soFar.includes('TASK [rewrite the inventory]'))
            writeFileSync(file, inventory + 'colour=blue\n')
        }
      }
    )
    expect(out.exitCode).toBe(0)
    expect(resultOf(out, 'before', 'web1')['msg']).toBe('red')
    expect(resultOf(out, 'after', 'web1')['msg']).toBe('blue')
  }, 180_000)

  it('a missing role in include_role: the rescue runs, no counter moves, the host is out of the next play', async () => {
    const out = await runCaptured(
      sshdSettings(
        sshd,
        `- hosts: web1:web2
  gather_facts: false
  tasks:
    - block:
        - name: include a missing role
          include_role:
            name: no_such_role
          when: inventory_hostname == 'web1'
      rescue:
        - name: rescued
          command: echo rescued
- hosts: web1:web2
  gather_facts: false
  tasks:
    - name: next play
      command: echo next
`,
        inventory,
        { cwd: work }
      )
    )
    expect(ran(out)).toEqual(['include a missing role@web1,web2', 'rescued@web1'])
    expect(resultOf(out, 'include a missing role', 'web1')['failed']).toBe(true)
    expect(out.document.stats['web1']).toMatchObject({ ok: 1, failed: 0, rescued: 0 })
    expect(ran(out, 1)).toEqual(['next play@web2'])
    expect(out.exitCode).toBe(2)
  }, 180_000)

  it('warns about a notify that reaches no handler when ANSIBLE_ERROR_ON_MISSING_HANDLER is off', async () => {
    const out = await runCaptured(
      sshdSettings(
        sshd,
        `- hosts: web1
  gather_facts: false
  tasks:
    - name: notify nothing
      command: "true"
      notify: no such handler
    - name: goes on
      command: echo on
`,
        inventory,
        { errorOnMissingHandler: false }
      )
    )
    expect(out.exitCode).toBe(0)
    expect(out.output).toContain(
      "[WARNING]: The requested handler 'no such handler' was not found in either the main handlers list nor in the listening handlers list"
    )
    expect(ran(out)).toEqual(['notify nothing@web1', 'goes on@web1'])
  }, 180_000)
})

describe('an included file that is not valid', () => {
  it('stops the run where the bad task is (a rescue does not handle it), as ansible-playbook does', async () => {
    writeFileSync(
      path.join(work, 'bad.yml'),
      '- name: ok\n  command: "true"\n- name: bad\n  no_such_module: x\n'
    )
    const playbook = path.join(work, 'site.yml')
    writeFileSync(
      playbook,
      `- hosts: web1
  gather_facts: false
  tasks:
    - name: before
      command: echo before
    - block:
        - name: include it
          include_tasks: bad.yml
      rescue:
        - name: not rescued
          command: echo rescued
`
    )
    let output = ''
    const error = await runCaptured(sshdSettings(sshd, playbook, inventory, { cwd: work }), {
      onOutput: (soFar) => (output = soFar)
    }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(PlaybookError)
    expect((error as PlaybookError).location).toMatchObject({ line: 3 })
    expect((error as PlaybookError).location!.file).toMatch(/bad\.yml$/)
    expect((error as PlaybookError).message).toMatch(
      /bad\.yml:3: couldn't resolve module\/action 'no_such_module'.*\(included from .*site\.yml:7\)/
    )
    expect(output).toContain('TASK [before]')
    expect(output).not.toContain('not rescued')
    expect(output).not.toContain('PLAY RECAP')
  }, 180_000)
})
