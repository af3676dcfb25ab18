import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { InventoryError } from '../../src/errors.js'
import { splitHostPattern } from '../../src/inventory/host-pattern.js'
import { applyLimit, defaultInventory, loadInventory } from '../../src/inventory/inventory.js'

const fixture = (name: string): string =>
  fileURLToPath(new URL(`../../__fixtures__/inventory/${name}`, import.meta.url))

const inv = loadInventory([fixture('hosts.ini')])
const WEB = ['web01.example.com', 'web02.example.com', 'web03.example.com', 'web04.example.com']
const DB = ['dba', 'dbb', 'dbc', 'db-extra']

describe('host patterns', () => {
  it('selects everything with all and *', () => {
    expect(inv.select('all')).toEqual(['bastion.example.com', ...WEB, ...DB])
    expect(inv.select('*')).toEqual(inv.select('all'))
  })

  it('selects a group with its descendants, and single hosts', () => {
    expect(inv.select('web')).toEqual(WEB)
    expect(inv.select('prod')).toEqual([...WEB, ...DB])
    expect(inv.select('ungrouped')).toEqual(['bastion.example.com'])
    expect(inv.select('dbb')).toEqual(['dbb'])
  })

  it('unions with : and , in the order the patterns name hosts, without duplicates (as Ansible)', () => {
    expect(inv.select('db:web')).toEqual([...DB, ...WEB])
    expect(inv.select('dba,web,dba, bastion.example.com')).toEqual([
      'dba',
      ...WEB,
      'bastion.example.com'
    ])
    expect(inv.select(['db', 'web01.example.com'])).toEqual([...DB, 'web01.example.com'])
    // An intersection or an exclusion keeps that order.
    expect(inv.select('db:web:!dba')).toEqual([...DB.filter((h) => h !== 'dba'), ...WEB])
    expect(inv.select('db:web:&all')).toEqual([...DB, ...WEB])
  })

  it('intersects with :&', () => {
    expect(inv.select('prod:&db')).toEqual(DB)
    expect(inv.select('web:&db')).toEqual([])
  })

  it('excludes with :!', () => {
    expect(inv.select('prod:!web')).toEqual(DB)
    expect(inv.select('all:!prod')).toEqual(['bastion.example.com'])
  })

  it('applies unions first, then intersections, then exclusions, whatever the written order', () => {
    expect(inv.select('!dba:&db:prod')).toEqual(['dbb', 'dbc', 'db-extra'])
    expect(inv.select('!web')).toEqual(['bastion.example.com', ...DB]) // only exclusions: start from all
    expect(inv.select('&db')).toEqual(DB)
  })

  it('matches globs against groups and host names', () => {
    expect(inv.select('web0*')).toEqual(WEB)
    expect(inv.select('*.example.com')).toEqual(['bastion.example.com', ...WEB])
    expect(inv.select('db?')).toEqual(['dba', 'dbb', 'dbc'])
    expect(inv.select('db[!a]')).toEqual(['dbb', 'dbc'])
    expect(inv.select('pro*')).toEqual([...WEB, ...DB]) // the group prod
  })

  it('matches ~regex from the start of the name', () => {
    expect(inv.select('~web0[12]')).toEqual(WEB.slice(0, 2))
    expect(inv.select('~db\\w$')).toEqual(['dba', 'dbb', 'dbc'])
    expect(inv.select('~example')).toEqual([]) // re.match, not re.search
  })

  it('takes subscripts of a group', () => {
    expect(inv.select('web[0]')).toEqual(['web01.example.com'])
    expect(inv.select('web[-1]')).toEqual(['web04.example.com'])
    expect(inv.select('web[1:2]')).toEqual(WEB.slice(1, 3))
    expect(inv.select('web[2:]')).toEqual(WEB.slice(2))
    expect(inv.select('prod:!web[0]')).toEqual([...WEB.slice(1), ...DB])
    expect(() => inv.select('web[9]')).toThrow(
      /web\[9\]' asks for host number 9, but 'web' matches only 4 host/
    )
  })

  it('returns nothing for a pattern that matches nothing', () => {
    expect(inv.select('nosuch')).toEqual([])
    expect(inv.select('nosuch:!web')).toEqual([])
  })

  it('rejects an invalid regex with an InventoryError', () => {
    expect(() => inv.select('~web(')).toThrow(InventoryError)
  })

  it('splits patterns like Ansible', () => {
    expect(splitHostPattern('a:b:&c:!d')).toEqual(['a', 'b', '&c', '!d'])
    expect(splitHostPattern('web[0:2]:db')).toEqual(['web[0:2]', 'db'])
    expect(splitHostPattern(' a , b ,')).toEqual(['a', 'b'])
    expect(splitHostPattern('host:22')).toEqual(['host:22'])
    expect(splitHostPattern('fe80::1')).toEqual(['fe80::1'])
  })
})

describe('implicit localhost', () => {
  it('matches localhost even when it is not in the inventory, but not as part of all', () => {
    const i = loadInventory(['[web]\nw1\n[all:vars]\nx=1\n'])
    expect(i.select('localhost')).toEqual(['localhost'])
    expect(i.select('all')).toEqual(['w1'])
    expect(i.select('all:localhost')).toEqual(['w1', 'localhost'])
    expect(i.hostNames()).toEqual(['w1'])
    expect(i.hostVars('localhost')).toMatchObject({
      ansible_connection: 'local',
      x: 1,
      inventory_hostname: 'localhost',
      group_names: []
    })
  })

  it('resolves 127.0.0.1 to an inventory localhost', () => {
    const i = loadInventory(['localhost ansible_connection=local\nw1\n'])
    expect(i.select('127.0.0.1')).toEqual(['localhost'])
  })
})

describe('default inventory', () => {
  const d = defaultInventory()

  it('has one local host in ungrouped, matched by all, localhost and 127.0.0.1', () => {
    expect(d.hostNames()).toEqual(['localhost'])
    expect(d.select('all')).toEqual(['localhost'])
    expect(d.select('ungrouped')).toEqual(['localhost'])
    expect(d.select('localhost')).toEqual(['localhost'])
    expect(d.select('127.0.0.1')).toEqual(['localhost'])
    expect(d.hostVars('localhost')).toMatchObject({
      ansible_connection: 'local',
      group_names: ['ungrouped']
    })
  })
})

describe('applyLimit', () => {
  const all = inv.select('all')

  it('keeps everything without a limit', () => {
    expect(applyLimit(all, inv, undefined)).toEqual(all)
    expect(applyLimit(all, inv, '')).toEqual(all)
  })

  it('intersects with a pattern, keeping the given order', () => {
    expect(applyLimit(['dbb', 'web02.example.com', 'dba'], inv, 'db')).toEqual(['dbb', 'dba'])
    expect(applyLimit(all, inv, 'web:!web02*')).toEqual([
      'web01.example.com',
      'web03.example.com',
      'web04.example.com'
    ])
    expect(applyLimit(all, inv, 'dba,dbc')).toEqual(['dba', 'dbc'])
    expect(applyLimit(all, inv, '!prod')).toEqual(['bastion.example.com'])
    expect(applyLimit(inv.select('web'), inv, 'db')).toEqual([])
  })

  it('reads @file as one pattern per line', () => {
    expect(applyLimit(all, inv, `@${fixture('limit-hosts.txt')}`)).toEqual([
      'web02.example.com',
      'dba'
    ])
  })

  it('fails clearly on a missing limit file', () => {
    expect(() => applyLimit(all, inv, '@/nonexistent/retry')).toThrow(
      /cannot read limit file '\/nonexistent\/retry' \(no such file\)/
    )
  })
})
