// What add_host and group_by do to the run's inventory (Ansible's add_dynamic_host / add_dynamic_group):
// whether anything changed, the groups and variables the hosts get, the order Ansible lists them in, and
// the replay onto an inventory read again by refresh_inventory.
import { describe, expect, it } from 'vitest'
import { loadInventory } from '../../src/inventory/inventory.js'
import { addHostModule, splitHostPort } from '../../src/modules/add-host.js'
import { groupByModule } from '../../src/modules/group-by.js'
import { runModuleOn } from '../helpers/module-harness.js'

const SOURCE = '[web]\nweb1 ansible_host=10.0.0.1\nweb2\n[all:vars]\nansible_user=deploy\n'

describe('add_host on the inventory', () => {
  it('adds a host with its variables and groups, seen by patterns, groups and group_names', () => {
    const inventory = loadInventory([SOURCE])
    expect(
      inventory.addDynamicHost({
        host: 'db1',
        groups: ['db', 'web'],
        vars: { ansible_host: '10.0.0.9', ansible_port: 2222 }
      })
    ).toBe(true)
    const vars = inventory.hostVars('db1')
    expect(vars['ansible_host']).toBe('10.0.0.9')
    expect(vars['ansible_port']).toBe(2222)
    // all:vars reach it, as in Ansible (its connection user comes from there).
    expect(vars['ansible_user']).toBe('deploy')
    expect(vars['group_names']).toEqual(['db', 'web'])
    expect(inventory.select('db')).toEqual(['db1'])
    expect(inventory.select('web')).toEqual(['web1', 'web2', 'db1'])
    // Ansible lists the hosts add_host made (members of 'all' itself) before the others.
    expect(inventory.select('all')).toEqual(['db1', 'web1', 'web2'])
    expect(vars['inventory_file']).toBeUndefined()
  })

  it('reports no change when the host, its variables and groups are already there', () => {
    const inventory = loadInventory([SOURCE])
    const change = { host: 'db1', groups: ['db'], vars: { x: 1 } }
    expect(inventory.addDynamicHost(change)).toBe(true)
    expect(inventory.addDynamicHost(change)).toBe(false)
    expect(inventory.addDynamicHost({ ...change, vars: { x: 2 } })).toBe(true)
    expect(inventory.addDynamicHost({ host: 'web1', groups: ['web'], vars: {} })).toBe(false)
    expect(inventory.addDynamicHost({ host: 'web1', groups: ['db'], vars: {} })).toBe(true)
  })

  it('puts a host given no group in ungrouped', () => {
    const inventory = loadInventory([SOURCE])
    inventory.addDynamicHost({ host: 'lone', groups: [], vars: {} })
    expect(inventory.select('ungrouped')).toEqual(['lone'])
  })

  it('reads name:port as Ansible parse_address does', () => {
    expect(splitHostPort('db1:2222')).toEqual({ name: 'db1', port: 2222 })
    expect(splitHostPort('10.0.0.1:22')).toEqual({ name: '10.0.0.1', port: 22 })
    expect(splitHostPort('[::1]:2200')).toEqual({ name: '::1', port: 2200 })
    expect(splitHostPort('fe80::1')).toEqual({ name: 'fe80::1' })
    expect(splitHostPort('plain')).toEqual({ name: 'plain' })
  })
})

describe('group_by on the inventory', () => {
  it('makes the group and its parents, lists hosts in the order they joined, and changes nothing twice', () => {
    const inventory = loadInventory([SOURCE])
    expect(inventory.addDynamicGroup({ host: 'web2', group: 'os_x', parents: ['linux'] })).toBe(
      true
    )
    expect(inventory.addDynamicGroup({ host: 'web1', group: 'os_x', parents: ['linux'] })).toBe(
      true
    )
    expect(inventory.addDynamicGroup({ host: 'web1', group: 'os_x', parents: ['linux'] })).toBe(
      false
    )
    expect(inventory.select('os_x')).toEqual(['web2', 'web1'])
    expect(inventory.select('linux')).toEqual(['web2', 'web1'])
    expect(inventory.hostVars('web1')['group_names']).toEqual(['linux', 'os_x', 'web'])
  })

  it('refuses a parent that would make a loop', () => {
    const inventory = loadInventory([SOURCE])
    expect(() =>
      inventory.addDynamicGroup({ host: 'web1', group: 'web', parents: ['web'] })
    ).toThrow(/loop/)
  })

  it('replays onto an inventory read again', () => {
    const first = loadInventory([SOURCE])
    first.addDynamicHost({ host: 'db1', groups: ['db'], vars: { x: 1 } })
    first.addDynamicGroup({ host: 'web1', group: 'picked', parents: ['all'] })
    const again = loadInventory([SOURCE])
    again.replayDynamicChanges(first)
    expect(again.select('db')).toEqual(['db1'])
    expect(again.select('picked')).toEqual(['web1'])
    expect(again.hostVars('db1')['x']).toBe(1)
  })
})

describe('group_by and add_host modules', () => {
  it("describe the change as Ansible's actions do, in check mode too", async () => {
    const check = { check: true, diff: true }
    const byKey = await runModuleOn(
      groupByModule,
      { key: 'os linux', parents: 'base os' },
      {
        flags: check
      }
    )
    expect(byKey.ran).toBe(true)
    expect(byKey.result).toMatchObject({
      changed: false,
      add_group: 'os-linux',
      parent_groups: ['base-os']
    })
    expect((await runModuleOn(groupByModule, {})).result['msg']).toBe(
      "the 'key' param is required when using group_by"
    )
    const added = await runModuleOn(
      addHostModule,
      { name: 'db1:2200', groups: 'a, b,a', group: 'ignored', ansible_user: 'deploy' },
      { flags: check }
    )
    expect(added.result['add_host']).toEqual({
      host_name: 'db1',
      groups: ['a', 'b'],
      host_vars: { group: 'ignored', ansible_user: 'deploy', ansible_ssh_port: 2200 }
    })
    await expect(runModuleOn(addHostModule, { groups: 'a' })).rejects.toThrow(
      'name, host or hostname needs to be provided'
    )
  })
})
