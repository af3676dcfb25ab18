// Play keywords templated when the play runs, as ansible-playbook 2.14 templates them (hosts, name, serial,
// strategy, order), templated tags, and the `user` / `remote_user` keywords under every variable. Runs the
// engine on inventory hosts with the local connection and tasks that run nothing on them (debug).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunOutcome, RunSettings } from '../../src/engine.js'
import { PlaybookError } from '../../src/errors.js'
import { resultOf, runCaptured } from '../helpers/engine.js'

const INVENTORY = [
  '[web]',
  'web2 ansible_connection=local',
  'web1 ansible_connection=local',
  'web3 ansible_connection=local',
  '[other]',
  '42 ansible_connection=local',
  ''
].join('\n')

let dir: string
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'apb-play-keywords-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function settings(playbook: string, extraVars: string[] = []): RunSettings {
  return {
    playbook,
    inventories: [INVENTORY],
    extraVars,
    forks: 5,
    connection: { hostKeyChecking: 'strict', connectTimeoutMs: 5000 },
    verbosity: 0,
    color: false,
    commandTimeoutMs: 30_000,
    cwd: dir
  }
}

function run(playbook: string, extraVars: string[] = []): Promise<RunOutcome & { output: string }> {
  return runCaptured(settings(playbook, extraVars))
}

async function runError(playbook: string, extraVars: string[] = []): Promise<PlaybookError> {
  try {
    await run(playbook, extraVars)
  } catch (error) {
    expect(error).toBeInstanceOf(PlaybookError)
    return error as PlaybookError
  }
  throw new Error('expected a PlaybookError')
}

/** The hosts the task named `task` ran on, in the order their results were recorded. */
function hostsOf(outcome: RunOutcome, task: string): string[] {
  return outcome.document.plays.flatMap((p) =>
    p.tasks.filter((t) => t.name === task).flatMap((t) => Object.keys(t.results))
  )
}

const DEBUG = (msg: string): string =>
  `  tasks:\n    - name: show\n      debug:\n        msg: "${msg}"\n`

describe('hosts and name', () => {
  it('templates hosts with extra vars: `-e target=42` runs on the host named 42', async () => {
    const out = await run(
      `- hosts: "{{ target }}"\n  gather_facts: false\n${DEBUG('{{ inventory_hostname }}')}`,
      ['target=42']
    )
    expect(out.exitCode, out.output).toBe(0)
    expect(resultOf(out, 'show', '42')['msg']).toBe('42')
    // Unnamed, the play is named after its templated hosts.
    expect(out.document.plays[0]!.name).toBe('42')
  })

  it('templates hosts given as a list variable, and the play name with play vars', async () => {
    const out = await run(
      `- name: "deploy {{ label }}"\n  hosts: "{{ targets }}"\n  gather_facts: false\n  vars:\n    label: now\n    targets: [web3, "42"]\n${DEBUG('x')}`
    )
    expect(out.document.plays[0]!.name).toBe('deploy now')
    expect(hostsOf(out, 'show').sort()).toEqual(['42', 'web3'])
  })

  it('leaves a play name that cannot be rendered as written', async () => {
    const out = await run(
      `- name: "undefined {{ nope }}"\n  hosts: web1\n  gather_facts: false\n${DEBUG('x')}`
    )
    expect(out.document.plays[0]!.name).toBe('undefined {{ nope }}')
  })

  it('refuses hosts that render to nothing, to a number, or from an undefined variable', async () => {
    const play = (vars: string): string =>
      `- hosts: "{{ target }}"\n  gather_facts: false\n  vars: ${vars}\n${DEBUG('x')}`
    expect((await runError(play("{target: ''}"))).message).toContain(
      "the field 'hosts' is required, and cannot have empty values"
    )
    expect((await runError(play('{target: 42}'))).message).toContain(
      "the field 'hosts' should be a list of strings, but the item '42' is a number"
    )
    const undefinedTarget = await runError(play('{}'))
    expect(undefinedTarget.message).toContain("The field 'hosts' has an invalid value")
    expect(undefinedTarget.message).toContain("'target' is undefined")
    // A list that renders empty matches no host: the play is skipped, as in Ansible.
    const empty = await run(play('{target: []}'))
    expect(empty.exitCode).toBe(0)
    expect(hostsOf(empty, 'show')).toEqual([])
  })
})

describe('serial, strategy and order', () => {
  it('templates serial', async () => {
    const out = await run(
      `- hosts: web\n  gather_facts: false\n  serial: "{{ size }}"\n  vars: {size: 2}\n${DEBUG("{{ ansible_play_batch | join(',') }}")}`
    )
    expect(['web1', 'web2', 'web3'].map((h) => resultOf(out, 'show', h)['msg'])).toEqual([
      'web2,web1',
      'web2,web1',
      'web3'
    ])
  })

  it('templates strategy: linear runs, the strategies Ansible ships are refused by name', async () => {
    const play = (strategy: string): string =>
      `- hosts: web1\n  gather_facts: false\n  strategy: "{{ s }}"\n  vars: {s: ${strategy}}\n${DEBUG('x')}`
    expect((await run(play('linear'))).exitCode).toBe(0)
    expect((await runError(play('free'))).message).toContain(
      "strategy 'free' is not supported; only 'linear'"
    )
    expect((await runError(play('fast'))).message).toContain(
      'Invalid play strategy specified: fast'
    )
  })

  it('runs the play hosts in the order `order` says (inventory order: web2, web1, web3)', async () => {
    // One host per batch, so the order the results were recorded in is the order the hosts ran in.
    // (ansible_play_hosts keeps the pattern's order whatever `order` says: semantics-host-order.yml.)
    const orderOf = async (order: string): Promise<string> => {
      const out = await run(
        `- hosts: web\n  gather_facts: false\n  serial: 1\n  order: "{{ o }}"\n  vars: {o: ${order}}\n${DEBUG('x')}`
      )
      return hostsOf(out, 'show').join(',')
    }
    expect(await orderOf('inventory')).toBe('web2,web1,web3')
    expect(await orderOf('reverse_inventory')).toBe('web3,web1,web2')
    expect(await orderOf('sorted')).toBe('web1,web2,web3')
    expect(await orderOf('reverse_sorted')).toBe('web3,web2,web1')
    expect((await orderOf('shuffle')).split(',').sort()).toEqual(['web1', 'web2', 'web3'])
    expect(
      (
        await runError(
          `- hosts: web\n  gather_facts: false\n  order: "{{ o }}"\n  vars: {o: bogus}\n${DEBUG('x')}`
        )
      ).message
    ).toContain("Invalid 'order' specified for inventory hosts: bogus")
  })

  it('batches hosts in the play order', async () => {
    const out = await run(
      `- hosts: web\n  gather_facts: false\n  order: sorted\n  serial: 2\n${DEBUG("{{ ansible_play_batch | join(',') }}")}`
    )
    expect(resultOf(out, 'show', 'web3')['msg']).toBe('web3')
    expect(resultOf(out, 'show', 'web1')['msg']).toBe('web1,web2')
  })
})

describe('templated tags', () => {
  const tagged = (tags: string, vars = '{}'): string =>
    `- hosts: web1\n  gather_facts: false\n  vars: ${vars}\n  tasks:\n    - name: tagged\n      debug: msg=ran\n      tags: ${tags}\n      vars: {task_tag: deploy}\n`

  it('renders tags with play vars and extra vars, whether or not --tags is given', async () => {
    const out = await runCaptured({
      ...settings(tagged('"{{ t }}"', '{t: deploy}')),
      tags: { only: ['deploy'], skip: [] }
    })
    expect(hostsOf(out, 'tagged')).toEqual(['web1'])
    const skipped = await runCaptured({
      ...settings(tagged('"{{ t }}"'), ['t=other']),
      tags: { only: ['deploy'], skip: [] }
    })
    expect(hostsOf(skipped, 'tagged')).toEqual([])
  })

  it('refuses tags that need a task, block or host variable, as Ansible cannot render them', async () => {
    const error = await runError(tagged('"{{ task_tag }}"'))
    expect(error.message).toContain("the tags of task 'tagged' cannot be rendered")
    expect(error.message).toContain("'task_tag' is undefined")
  })
})

describe('user, the old name of remote_user', () => {
  it('gives ansible_user only where no variable does', async () => {
    const play = `- hosts: [web1, '42']\n  gather_facts: false\n  user: from_keyword\n${DEBUG('{{ ansible_user }}')}`
    const out = await runCaptured({
      ...settings(play),
      inventories: [
        'web1 ansible_connection=local ansible_user=from_inventory\n42 ansible_connection=local\n'
      ]
    })
    expect(resultOf(out, 'show', 'web1')['msg']).toBe('from_inventory')
    expect(resultOf(out, 'show', '42')['msg']).toBe('from_keyword')
  })
})

describe('!unsafe from an extra vars file', () => {
  it('keeps the text of an -e @file value literal', async () => {
    const file = path.join(dir, 'extra.yml')
    writeFileSync(file, "literal: !unsafe '{{ nope }}'\n")
    const out = await run(`- hosts: web1\n  gather_facts: false\n${DEBUG('{{ literal }}')}`, [
      `@${file}`
    ])
    expect(resultOf(out, 'show', 'web1')['msg']).toBe('{{ nope }}')
  })
})
