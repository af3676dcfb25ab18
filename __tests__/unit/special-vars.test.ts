// Ansible's special variables as the engine sets them, where a differential fixture cannot show them
// (the json callback reports each `serial` batch as a play of its own, and a `meta` task once per host).
// The expected values are those ansible-playbook 2.14 prints for the same plays.
import { describe, expect, it } from 'vitest'
import { executeRun, type RunSettings } from '../../src/engine.js'
import type { ResultsDocument } from '../../src/report/results-document.js'

const INVENTORY = `[web]
web1 ansible_connection=local
web2 ansible_connection=local
web3 ansible_connection=local
`

async function run(
  playbook: string,
  overrides: Partial<RunSettings> = {}
): Promise<{ exitCode: number; document: ResultsDocument }> {
  return executeRun(
    {
      playbook,
      inventories: [INVENTORY],
      extraVars: [],
      forks: 5,
      connection: { hostKeyChecking: 'strict', connectTimeoutMs: 5000 },
      verbosity: 0,
      color: false,
      commandTimeoutMs: 30_000,
      cwd: process.cwd(),
      ...overrides
    },
    () => undefined
  )
}

/** The `msg` each host's result of each task named `name` printed, in run order. */
function messages(document: ResultsDocument, name: string): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = []
  for (const play of document.plays)
    for (const task of play.tasks)
      if (task.name === name)
        for (const [host, entry] of Object.entries(task.results))
          out.push([host, entry.result['msg']])
  return out.sort(([a], [b]) => a.localeCompare(b))
}

describe('ansible_play_hosts, ansible_play_batch and ansible_play_hosts_all', () => {
  it('follow serial batches and leave out the hosts that failed', async () => {
    const { document } = await run(`
- name: batches
  hosts: web
  gather_facts: false
  serial: 2
  tasks:
    - name: start
      debug:
        msg: "{{ ansible_play_hosts_all }} | {{ ansible_play_hosts }} | {{ ansible_play_batch }} | {{ play_hosts }}"
    - fail:
      when: inventory_hostname == 'web1'
    - name: after
      debug:
        msg: "{{ ansible_play_hosts_all }} | {{ ansible_play_hosts }} | {{ ansible_play_batch }} | {{ play_hosts }}"
`)
    const all = "['web1', 'web2', 'web3']"
    expect(messages(document, 'start')).toEqual([
      ['web1', `${all} | ${all} | ['web1', 'web2'] | ['web1', 'web2']`],
      ['web2', `${all} | ${all} | ['web1', 'web2'] | ['web1', 'web2']`],
      ['web3', `${all} | ['web2', 'web3'] | ['web3'] | ['web3']`]
    ])
    expect(messages(document, 'after')).toEqual([
      ['web2', `${all} | ['web2', 'web3'] | ['web2'] | ['web2']`],
      ['web3', `${all} | ['web2', 'web3'] | ['web3'] | ['web3']`]
    ])
  })

  it('leave out a host that ended its play with meta: end_host', async () => {
    const { document } = await run(`
- hosts: web
  gather_facts: false
  tasks:
    - meta: end_host
      when: inventory_hostname == 'web2'
    - name: after
      debug:
        msg: "{{ ansible_play_hosts }} {{ ansible_play_batch }} {{ ansible_play_hosts_all }}"
`)
    const msg = "['web1', 'web3'] ['web1', 'web3'] ['web1', 'web2', 'web3']"
    expect(messages(document, 'after')).toEqual([
      ['web1', msg],
      ['web3', msg]
    ])
  })

  it('keep a host that failed in an earlier play in ansible_play_hosts_all only', async () => {
    const { document } = await run(`
- hosts: web
  gather_facts: false
  tasks:
    - fail:
      when: inventory_hostname == 'web2'
- name: second
  hosts: web
  gather_facts: false
  tasks:
    - name: hosts
      debug:
        msg: "{{ ansible_play_hosts_all }} {{ ansible_play_hosts }} {{ ansible_play_name }}"
`)
    expect(messages(document, 'hosts')[0]).toEqual([
      'web1',
      "['web1', 'web2', 'web3'] ['web1', 'web3'] second"
    ])
  })
})

describe('the run-wide special variables', () => {
  it('say which tags, limit, forks and verbosity the run has', async () => {
    const playbook = `
- hosts: web
  gather_facts: false
  tasks:
    - name: options
      debug:
        msg: "{{ ansible_run_tags }} {{ ansible_skip_tags }} {{ ansible_limit | default('none') }} {{ ansible_forks }} {{ ansible_verbosity }} {{ ansible_inventory_sources }} {{ ansible_config_file }}"
      tags: [t]
`
    const plain = await run(playbook)
    expect(messages(plain.document, 'options')[0]![1]).toBe(
      "['all'] [] none 5 0 ['<inventory text>'] "
    )
    const tagged = await run(playbook, {
      tags: { only: ['t'], skip: ['x', 'y'] },
      limit: 'web1',
      forks: 3,
      verbosity: 2
    })
    expect(messages(tagged.document, 'options')).toEqual([
      ['web1', "['t'] ['x', 'y'] web1 3 2 ['<inventory text>'] "]
    ])
  })
})

describe('set_fact cacheable', () => {
  it('makes the facts host facts too, seen through hostvars by other hosts', async () => {
    const { document } = await run(`
- hosts: web
  gather_facts: false
  tasks:
    - set_fact: c=1 cacheable=true
      when: inventory_hostname == 'web1'
    - set_fact: u=2
      when: inventory_hostname == 'web1'
    - name: seen
      debug:
        msg: "{{ hostvars['web1'].ansible_facts.c | default('U') }} {{ hostvars['web1'].c | default('U') }} {{ hostvars['web1'].ansible_facts.u | default('U') }} {{ ansible_c | default('U') }}"
`)
    expect(messages(document, 'seen').map(([, msg]) => msg)).toEqual([
      '1 1 U U',
      '1 1 U U',
      '1 1 U U'
    ])
  })
})
