// What a delegated task sees and shows, without a target: the delegate's variables as Ansible builds them
// (executor/variables.ts) and the console's `host -> delegate` label (report/console-reporter.ts).
import { describe, expect, it } from 'vitest'
import { DELEGATED_TO, type HostTaskOutcome } from '../../src/executor/events.js'
import { VariableManager, type PlayContext } from '../../src/executor/variables.js'
import { loadInventory } from '../../src/inventory/inventory.js'
import { ConsoleReporter } from '../../src/report/console-reporter.js'
import { Templar } from '../../src/template/index.js'

const PLAY: PlayContext = {
  playVars: { from_play: 'play' },
  playHosts: ['web1'],
  playBatch: ['web1'],
  playbookDir: '/pb'
}

function manager(): VariableManager {
  const inventory = loadInventory([
    '[web]\nweb1 ansible_host=10.0.0.1 own=web1\n[db]\ndb1 ansible_host=10.0.0.9 ansible_user=dba own=db1\n[all:vars]\nansible_user=deploy\nshared=all\n'
  ])
  return new VariableManager(inventory, new Templar(), { from_extra: 'extra' })
}

describe('a delegate’s variables', () => {
  it('are its own, with the play’s, task’s and extra vars, and the host’s inventory_hostname', () => {
    const scope = manager().scope('db1', PLAY, { vars: { from_task: 'task' } }, {}, 'web1')
    expect(scope).toMatchObject({
      ansible_host: '10.0.0.9',
      ansible_user: 'dba',
      own: 'db1',
      shared: 'all',
      from_play: 'play',
      from_task: 'task',
      from_extra: 'extra',
      inventory_hostname: 'web1',
      group_names: ['db']
    })
  })

  it('for a name outside the inventory, are the all group’s (no error: Ansible makes such a host on the fly)', () => {
    const vars = manager()
    expect(() => vars.scope('10.1.2.3', PLAY)).toThrow(/not in the inventory/)
    const scope = vars.scope('10.1.2.3', PLAY, undefined, {}, 'web1')
    expect(scope['ansible_user']).toBe('deploy')
    expect(scope['shared']).toBe('all')
    // Not web1's address: the delegate's own name, as Ansible's connection variables default to it.
    expect(scope['ansible_host']).toBe('10.1.2.3')
    expect(scope['ansible_ssh_host']).toBe('10.1.2.3')
    expect(scope['own']).toBeUndefined()
    expect(scope['inventory_hostname']).toBe('web1')
  })

  it('for localhost outside the inventory, are the implicit localhost’s (local connection)', () => {
    const scope = manager().scope('localhost', PLAY, undefined, {}, 'web1')
    expect(scope['ansible_connection']).toBe('local')
    expect(scope['inventory_hostname']).toBe('web1')
  })

  it('take a task’s connection keyword below the ansible_connection variable', () => {
    const vars = manager()
    expect(vars.scope('web1', PLAY, { vars: {}, connection: 'local' })['ansible_connection']).toBe(
      'local'
    )
    expect(
      vars.scope('localhost', PLAY, { vars: {}, connection: 'ssh' }, {}, 'web1')[
        'ansible_connection'
      ]
    ).toBe('local')
  })
})

describe('the console label of a delegated result', () => {
  function line(result: Record<PropertyKey, unknown>, host = 'web1'): string {
    let text = ''
    const console = new ConsoleReporter((chunk) => (text += chunk), { color: false, verbosity: 0 })
    const outcome: HostTaskOutcome = {
      host,
      status: 'changed',
      ignored: false,
      result: result as Record<string, unknown>,
      durationMs: 1
    }
    console.hostResult({ name: 't', module: 'shell', noLog: false }, outcome)
    return text.trim()
  }

  it('names the delegate, and its address when that differs, as Ansible prints it', () => {
    expect(line({ changed: true, [DELEGATED_TO]: { name: 'db1', address: '10.0.0.9' } })).toBe(
      'changed: [web1 -> db1(10.0.0.9)]'
    )
    expect(
      line({ changed: true, [DELEGATED_TO]: { name: 'localhost', address: 'localhost' } })
    ).toBe('changed: [web1 -> localhost]')
    expect(line({ changed: true, [DELEGATED_TO]: { name: 'web1', address: '10.0.0.1' } })).toBe(
      'changed: [web1]'
    )
    expect(line({ changed: true })).toBe('changed: [web1]')
  })

  it('names the delegate in a retry line too', () => {
    let text = ''
    const console = new ConsoleReporter((chunk) => (text += chunk), { color: false, verbosity: 0 })
    console.retrying({ name: 'wait', module: 'async_status', noLog: false }, 'web1', 2, {
      [DELEGATED_TO]: { name: 'db1', address: 'db1' }
    } as unknown as Record<string, unknown>)
    expect(text.trim()).toBe('FAILED - RETRYING: [web1 -> db1]: wait (2 retries left).')
  })
})
