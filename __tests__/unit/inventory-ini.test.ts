import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { InventoryError } from '../../src/errors.js'
import { loadInventory } from '../../src/inventory/inventory.js'

const fixture = (name: string): string =>
  fileURLToPath(new URL(`../../__fixtures__/inventory/${name}`, import.meta.url))

/** Loads inline INI and returns the thrown InventoryError's message. */
function errorOf(text: string): string {
  try {
    loadInventory([text])
  } catch (e) {
    expect(e).toBeInstanceOf(InventoryError)
    return (e as Error).message
  }
  throw new Error('expected an InventoryError')
}

describe('INI inventory', () => {
  const inv = loadInventory([fixture('hosts.ini')])

  it('keeps hosts in order of first appearance, expanding ranges', () => {
    expect(inv.hostNames()).toEqual([
      'bastion.example.com',
      'web01.example.com',
      'web02.example.com',
      'web03.example.com',
      'web04.example.com',
      'dba',
      'dbb',
      'dbc',
      'db-extra'
    ])
  })

  it('puts hosts before any section in ungrouped, and every host in all', () => {
    expect(inv.groups.get('ungrouped')!.hosts).toEqual(['bastion.example.com'])
    expect(inv.select('all')).toHaveLength(9)
    expect(inv.hosts.get('dba')!.groups).toContain('all')
    expect(inv.hosts.get('dba')!.groups).not.toContain('ungrouped')
  })

  it('records :children and lists a host ancestor groups in precedence order', () => {
    expect(inv.groups.get('app')!.children).toEqual(['web', 'db'])
    expect(inv.groups.get('prod')!.children).toEqual(['app'])
    expect(inv.groups.get('all')!.children).toEqual(['ungrouped', 'prod'])
    expect(inv.hosts.get('web01.example.com')!.groups).toEqual(['all', 'prod', 'app', 'web'])
  })

  it('reads host-line values as Python literals after shell-style unquoting', () => {
    const vars = inv.hostVars('web04.example.com')
    expect(vars).toMatchObject({
      ansible_port: 2222,
      role: 'front end',
      weight: 2.5,
      enabled: true,
      tags: ['a', 'b']
    })
    expect(vars).not.toHaveProperty('http_port')
    expect(inv.hostVars('web01.example.com')['http_port']).toBe(8080)
    expect(inv.hostVars('bastion.example.com')).toMatchObject({
      ansible_host: '10.0.0.1',
      ansible_port: 2200
    })
  })

  it('reads [group:vars] values as Python literals too; non-literals stay strings', () => {
    const vars = inv.hostVars('web02.example.com')
    expect(vars).toMatchObject({
      retries: 3,
      greeting: 'hello world',
      unquoted: 'some text here',
      literal: 'true', // Python has True, not true: Ansible keeps the string
      app_only: 'yes'
    })
  })

  it('ignores trailing comments on host lines', () => {
    expect(inv.hosts.has('db-extra')).toBe(true)
    expect(Object.keys(inv.hosts.get('db-extra')!.vars)).toEqual([
      'inventory_file',
      'inventory_dir'
    ])
  })

  it('sets inventory_file and inventory_dir for file sources', () => {
    expect(inv.hostVars('dba')['inventory_file']).toBe(fixture('hosts.ini'))
    expect(inv.hostVars('dba')['inventory_dir']).toBe(fixture('').replace(/\/$/, ''))
  })

  it('accepts a child group declared after the :children section that names it', () => {
    const late = loadInventory(['[parent:children]\nkid\n\n[kid]\nk1\n'])
    expect(late.select('parent')).toEqual(['k1'])
    expect(late.groups.get('kid')!.children).toEqual([])
    expect(late.hosts.get('k1')!.groups).toEqual(['all', 'parent', 'kid'])
  })

  it('parses quoting the way shlex does', () => {
    const q = loadInventory([
      `h1 a="x y" b='p q' c=don\\'t d="say \\"hi\\"" f="a#b" g="'quoted'" h=07 i=0x1f j=None k="{'k': [1, (2, 3)]}" e=a#comment l=lost\n`
    ])
    expect(q.hostVars('h1')).toMatchObject({
      a: 'x y',
      b: 'p q',
      c: "don't",
      d: 'say "hi"',
      e: 'a',
      f: 'a#b',
      g: 'quoted',
      h: '07',
      i: 31,
      j: null,
      k: { k: [1, [2, 3]] }
    })
    expect(q.hostVars('h1')).not.toHaveProperty('l') // an unquoted # starts a comment, even inside a word
  })

  it('keeps a host port from its first appearance only, as Ansible does', () => {
    const p = loadInventory(['h1:2201\n[g]\nh1:2202\n'])
    expect(p.hostVars('h1')['ansible_port']).toBe(2201)
  })
})

describe('INI inventory errors', () => {
  it('rejects an unknown section type and names the line', () => {
    expect(errorOf('h1\n\n[web:hots]\nh2\n')).toMatch(
      /^<inventory text>:3: section \[web:hots\] has unknown type 'hots'.*\[web:children\]/
    )
  })

  it('rejects a section header with spaces', () => {
    expect(errorOf('[web servers]\n')).toMatch(
      /^<inventory text>:1: invalid section header '\[web servers\]'.*spaces/
    )
  })

  it('rejects a host variable without =', () => {
    expect(errorOf('[db]\ndb1 ansible_user=pg ; note\n')).toMatch(
      /^<inventory text>:2: expected key=value .*got ';'/
    )
  })

  it('rejects an unclosed quote', () => {
    expect(errorOf('[db]\n\ndb1 x="oops\n')).toMatch(
      /^<inventory text>:3: cannot read host line .*no closing quotation/
    )
  })

  it('rejects a :vars line without =', () => {
    expect(errorOf('[db]\ndb1\n[db:vars]\nport\n')).toMatch(
      /^<inventory text>:4: expected 'key=value' in \[db:vars\]/
    )
  })

  it('rejects :vars for a group that is never declared', () => {
    expect(errorOf('h1\n[nosuch:vars]\nx=1\n')).toMatch(
      /^<inventory text>:2: section \[nosuch:vars\] sets variables for group 'nosuch', which is never declared/
    )
  })

  it('rejects a :children entry naming a group that is never declared (as ansible-core does)', () => {
    expect(errorOf('[web]\nw1\n[site:children]\nweb\nwbe\n')).toMatch(
      /^<inventory text>:5: section \[site:children\] includes group 'wbe', which is never declared/
    )
  })

  it('rejects a child that is not a single group name', () => {
    expect(errorOf('[site:children]\nweb db\n')).toMatch(
      /^<inventory text>:2: expected a group name in \[site:children\]/
    )
  })

  it('rejects a group loop', () => {
    expect(errorOf('[a:children]\nb\n[b:children]\na\n')).toMatch(
      /^<inventory text>:4: making 'a' a child of 'b' creates a loop/
    )
  })

  it('rejects a bad range with the fix', () => {
    expect(errorOf('[web]\nweb[1-3]\n')).toMatch(
      /^<inventory text>:2: bad host range '\[1-3\]'.*web\[01:20\]/
    )
  })

  it('rejects a host ending in ":" and YAML read as INI', () => {
    expect(errorOf('[web]\nweb1:\n')).toMatch(/^<inventory text>:2: host 'web1:' ends with ':'/)
    expect(errorOf('[web]\n---\n')).toMatch(/^<inventory text>:2: host '---' found.*\.yml/)
  })

  it('names the file for file sources', () => {
    try {
      loadInventory([fixture('hosts.ini'), '[x:bogus]\n'])
      expect.unreachable()
    } catch (e) {
      expect((e as Error).message).toMatch(/^<inventory text> #2:1: section \[x:bogus\]/)
    }
  })
})
