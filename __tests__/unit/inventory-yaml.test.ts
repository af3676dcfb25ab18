import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { InventoryError } from '../../src/errors.js'
import { loadInventory } from '../../src/inventory/inventory.js'
import { PyFloat } from '../../src/values/py-float.js'

const fixture = (name: string): string =>
  fileURLToPath(new URL(`../../__fixtures__/inventory/${name}`, import.meta.url))

function errorOf(text: string): string {
  try {
    loadInventory([text])
  } catch (e) {
    expect(e).toBeInstanceOf(InventoryError)
    return (e as Error).message
  }
  throw new Error('expected an InventoryError')
}

describe('YAML inventory', () => {
  const inv = loadInventory([fixture('hosts.yml')])

  it('reads nested children, ranges in host keys and null host values', () => {
    expect(inv.hostNames()).toEqual([
      'bastion.example.com',
      'web01.example.com',
      'web02.example.com',
      'web03.example.com',
      'web04.example.com',
      'dba',
      'dbb',
      'dbc',
      'db-extra',
      'stage1'
    ])
    expect(inv.groups.get('all')!.children).toEqual(['ungrouped', 'prod', 'staging'])
    expect(inv.groups.get('app')!.children).toEqual(['web', 'db'])
    expect(inv.hosts.get('dbb')!.groups).toEqual(['all', 'prod', 'app', 'db'])
  })

  it('accepts the `hosts: name` shorthand', () => {
    expect(inv.select('staging')).toEqual(['stage1'])
  })

  it('puts hosts listed only under all: in ungrouped', () => {
    expect(inv.groups.get('all')!.hosts).toEqual(['bastion.example.com'])
    expect(inv.groups.get('ungrouped')!.hosts).toEqual(['bastion.example.com'])
    expect(inv.hostVars('bastion.example.com')['group_names']).toEqual(['ungrouped'])
  })

  it('reads host:port keys and host vars', () => {
    expect(inv.hostVars('web04.example.com')).toMatchObject({
      ansible_port: 2222,
      role: 'front end',
      tier: 'web'
    })
    expect(inv.hostVars('dbc')).toMatchObject({ ansible_user: 'postgres', tier: 'app' })
  })

  it('reads scalars as YAML 1.1, like Ansible (not YAML 1.2 like js-yaml)', () => {
    expect(inv.hostVars('dba')).toMatchObject({
      flag_yes: true,
      flag_on: true,
      flag_no: false,
      not_bool: 'y',
      mode: 0o755,
      big: 1000,
      sexa: 90,
      notfloat: '1e3',
      real: 2.5,
      version: '1.10'
    })
    const more = loadInventory([
      'all:\n  vars: {a: off, b: TRUE, c: yEs, d: 0o17, e: 08, f: -0x1F, g: .inf, h: 1.5e+3}\n'
    ])
    expect(more.groups.get('all')!.vars).toEqual({
      a: false,
      b: true,
      c: 'yEs',
      d: '0o17',
      e: '08',
      f: -31,
      g: Infinity,
      // A float, printed 1500.0 as Python prints it.
      h: new PyFloat(1500)
    })
    expect(String(more.groups.get('all')!.vars['h'])).toBe('1500.0')
  })

  it('allows top-level groups other than all, and empty groups', () => {
    const top = loadInventory(['web:\n  hosts:\n    w1:\nempty:\n'])
    expect(top.select('web')).toEqual(['w1'])
    expect(top.groups.get('empty')!.hosts).toEqual([])
    expect(top.groups.get('all')!.children).toEqual(['ungrouped', 'web', 'empty'])
  })

  it('treats an empty document as an empty inventory', () => {
    expect(loadInventory(['---\n# nothing yet\n']).hostNames()).toEqual([])
  })

  it('reads ansible_group_priority as a priority, not a variable', () => {
    const p = loadInventory([
      'a:\n  hosts: {h1: }\n  vars: {x: a, ansible_group_priority: 10}\nb:\n  hosts: {h1: }\n  vars: {x: b}\n'
    ])
    expect(p.hostVars('h1')['x']).toBe('a')
    expect(p.groups.get('a')!.vars).toEqual({ x: 'a' })
  })

  it('warns about, and skips, unexpected keys in a group', () => {
    const w = loadInventory(['web:\n  host:\n    w1:\n'])
    expect(w.hostNames()).toEqual([])
    expect(w.warnings).toEqual([
      "<inventory text>:2: skipping unexpected key 'host' in group 'web'; only 'hosts', 'children' and 'vars' are valid (did you mean 'hosts'?)."
    ])
  })

  it('lets a repeated key win, as PyYAML does', () => {
    expect(
      loadInventory(['all:\n  vars:\n    x: 1\n    x: 2\n']).groups.get('all')!.vars['x']
    ).toBe(2)
  })
})

describe('YAML inventory errors', () => {
  it('rejects hosts given as a list, naming the line and the fix', () => {
    expect(errorOf('all:\n  children:\n    web:\n      hosts:\n        - web1\n')).toMatch(
      /^<inventory text>:4: 'hosts' of group 'web' must be a mapping, but it is a list\. .*'web1:'/
    )
  })

  it('rejects a group that is not a mapping', () => {
    expect(errorOf('all:\n  children:\n    web: [a, b]\n')).toMatch(
      /^<inventory text>:3: group 'web' must be a mapping/
    )
  })

  it('rejects host variables that are not a mapping', () => {
    expect(errorOf('web:\n  hosts:\n    w1: 10.0.0.1\n')).toMatch(
      /^<inventory text>:3: host 'w1' in group 'web' must map to its variables/
    )
  })

  it('rejects a document that is not a mapping', () => {
    expect(errorOf('---\n- all\n- web\n')).toMatch(
      /^<inventory text>:1: a YAML inventory must be a mapping/
    )
  })

  it('reports YAML syntax errors with line and column', () => {
    expect(errorOf('all:\n  hosts:\n    w1:\n   bad: [\n')).toMatch(
      /^<inventory text>:\d+:\d+: YAML syntax error/
    )
  })

  it('rejects bad ranges in host keys', () => {
    expect(errorOf('all:\n  hosts:\n    web[3:1]:\n')).toMatch(
      /^<inventory text>:3: bad host range '\[3:1\]'/
    )
  })

  it('rejects inventory plugin configuration', () => {
    expect(errorOf('plugin: aws_ec2\nregions: [eu-west-1]\n')).toMatch(
      /^<inventory text>:1: .*plugins are not supported/
    )
  })
})
