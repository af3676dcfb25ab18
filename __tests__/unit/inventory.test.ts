import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { InventoryError } from '../../src/errors.js'
import { expandHostRange, parseHostEntry } from '../../src/inventory/host-range.js'
import { loadInventory } from '../../src/inventory/inventory.js'
import { parsePythonLiteral } from '../../src/values/python-literal.js'
import { PyFloat } from '../../src/values/py-float.js'

const at = { file: 'inv', line: 7 }

describe('host ranges', () => {
  it('expands numeric ranges, padding to the width of a leading-zero begin', () => {
    expect(expandHostRange('web[1:3]', at)).toEqual(['web1', 'web2', 'web3'])
    expect(expandHostRange('web[08:11].lan', at)).toEqual([
      'web08.lan',
      'web09.lan',
      'web10.lan',
      'web11.lan'
    ])
    expect(expandHostRange('web[9:10]', at)).toEqual(['web9', 'web10'])
    expect(expandHostRange('n[:2]', at)).toEqual(['n0', 'n1', 'n2'])
  })

  it('expands letter ranges and strides', () => {
    expect(expandHostRange('db[a:d]', at)).toEqual(['dba', 'dbb', 'dbc', 'dbd'])
    expect(expandHostRange('web[1:10:4]', at)).toEqual(['web1', 'web5', 'web9'])
    expect(expandHostRange('x[a:e:2]', at)).toEqual(['xa', 'xc', 'xe'])
  })

  it('multiplies out several ranges', () => {
    expect(expandHostRange('r[1:2]-[a:b]', at)).toEqual(['r1-a', 'r1-b', 'r2-a', 'r2-b'])
  })

  it('rejects malformed ranges with file, line and a fix', () => {
    const cases: Array<[string, RegExp]> = [
      ['web[01:100]', /same width/],
      ['web[1:]', /end value is missing/],
      ['web[1:5:0]', /step must be a positive whole number/],
      ['web[a:3]', /both be numbers or both be single letters/],
      ['web[z:a]', /begin must come before end/],
      ['web[1:2:3:4]', /two or three parts/],
      ['web[1:3', /without a closing '\]'/]
    ]
    for (const [pattern, why] of cases) {
      expect(() => expandHostRange(pattern, at)).toThrow(InventoryError)
      expect(() => expandHostRange(pattern, at)).toThrow(why)
      expect(() => expandHostRange(pattern, at)).toThrow(/^inv:7: /)
    }
  })

  it('splits a port off, but not a range', () => {
    expect(parseHostEntry('web[1:2]:2222', at)).toEqual({ names: ['web1', 'web2'], port: 2222 })
    expect(parseHostEntry('web[1:2]', at)).toEqual({ names: ['web1', 'web2'] })
    expect(parseHostEntry('10.0.0.1:22', at)).toEqual({ names: ['10.0.0.1'], port: 22 })
  })
})

describe('INI values as Python literals', () => {
  it.each([
    ['22', 22],
    ['-5', -5],
    ['1_000', 1000],
    ['0o17', 15],
    ['0b101', 5],
    ['2.5', 2.5],
    // A float, printed 1000.0 as Python prints it (ansible-inventory --host shows 1000.0).
    ['1e3', new PyFloat(1000)],
    ['1.0', new PyFloat(1)],
    ['True', true],
    ['False', false],
    ['None', null],
    ["'a b'", 'a b'],
    ['"tab\\there"', 'tab\there'],
    ["r'\\d+'", '\\d+'],
    ["'a' 'b'", 'ab'],
    ['[1, "two", [3]]', [1, 'two', [3]]],
    ['(1, 2)', [1, 2]],
    ['(1)', 1],
    ["{'a': 1, 'b': {'c': None}}", { a: 1, b: { c: null } }],
    ['1 # comment', 1]
  ])('%s is a literal', (text, value) => {
    expect(parsePythonLiteral(text)).toStrictEqual(value)
  })

  it.each(['true', 'yes', '07', 'a b', '{{ x }}', '1abc', '{1, 2}', "'open", '1j', '', '[1, 2'])(
    '%s stays a string',
    (text) => {
      expect(parsePythonLiteral(text)).toBe(text)
    }
  )
})

describe('variable precedence', () => {
  const inv = loadInventory([
    [
      'h1 x=host',
      'h2',
      'h3',
      '[parent:children]',
      'child',
      '[child]',
      'h1',
      'h2',
      '[other]',
      'h3',
      '[child:vars]',
      'x=child',
      'only_child=1',
      '[parent:vars]',
      'x=parent',
      'only_parent=1',
      '[other:vars]',
      'x=other',
      '[all:vars]',
      'x=all',
      'only_all=1'
    ].join('\n')
  ])

  it('merges all < parent < child < host', () => {
    expect(inv.hostVars('h1')).toMatchObject({
      x: 'host',
      only_child: 1,
      only_parent: 1,
      only_all: 1
    })
    expect(inv.hostVars('h2')['x']).toBe('child')
    expect(inv.hostVars('h3')['x']).toBe('other')
  })

  it('sets the magic variables', () => {
    const v = inv.hostVars('h2')
    expect(v['inventory_hostname']).toBe('h2')
    expect(v['group_names']).toEqual(['child', 'parent'])
    expect(v['groups']).toEqual({
      all: ['h1', 'h2', 'h3'],
      ungrouped: [],
      parent: ['h1', 'h2'],
      child: ['h1', 'h2'],
      other: ['h3']
    })
  })

  it('orders groups of equal depth by name, unless ansible_group_priority says otherwise', () => {
    const byName = loadInventory(['[b]\nh\n[a]\nh\n[a:vars]\nx=a\n[b:vars]\nx=b\n'])
    expect(byName.hostVars('h')['x']).toBe('b')
    const byPriority = loadInventory([
      '[b]\nh\n[a]\nh\n[a:vars]\nx=a\nansible_group_priority=10\n[b:vars]\nx=b\n'
    ])
    expect(byPriority.hostVars('h')['x']).toBe('a')
    expect(byPriority.groups.get('a')!.vars).toEqual({ x: 'a' })
  })

  it('lets a deeper group win over a shallower one whatever the names', () => {
    const deep = loadInventory(['[z:children]\na\n[a]\nh\n[b]\nh\n[a:vars]\nx=a\n[b:vars]\nx=b\n'])
    expect(deep.hostVars('h')['x']).toBe('a')
  })

  it('shortens inventory_hostname_short except for IP addresses', () => {
    const i = loadInventory(['web1.example.com\n10.1.2.3\n'])
    expect(i.hostVars('web1.example.com')['inventory_hostname_short']).toBe('web1')
    expect(i.hostVars('10.1.2.3')['inventory_hostname_short']).toBe('10.1.2.3')
  })

  it('returns raw values and a copy the caller may change', () => {
    const i = loadInventory(['[all:vars]\nmsg="{{ greeting }} world"\nlist=[1]\n[g]\nh1\n'])
    const v = i.hostVars('h1')
    expect(v['msg']).toBe('{{ greeting }} world')
    ;(v['list'] as number[]).push(2)
    expect(i.hostVars('h1')['list']).toEqual([1])
  })

  it('rejects an unknown host with a suggestion', () => {
    expect(() => inv.hostVars('h4')).toThrow(
      /host 'h4' is not in the inventory; did you mean 'h1'\?/
    )
  })
})

describe('loading sources', () => {
  it('reads a comma-separated host list into ungrouped, with ports', () => {
    const i = loadInventory(['web1, web2:2222,web1,'])
    expect(i.hostNames()).toEqual(['web1', 'web2'])
    expect(i.select('ungrouped')).toEqual(['web1', 'web2'])
    expect(i.hostVars('web2')['ansible_port']).toBe(2222)
    expect(loadInventory(['single,']).hostNames()).toEqual(['single'])
  })

  it('reads a single line of inline INI', () => {
    const i = loadInventory(['box ansible_host=10.0.0.9 ansible_ssh_private_key_file=/keys/id'])
    expect(i.hostVars('box')).toMatchObject({
      ansible_host: '10.0.0.9',
      ansible_ssh_private_key_file: '/keys/id'
    })
  })

  it('merges several sources into one inventory', () => {
    const i = loadInventory([
      '[web]\nw1 a=1\n',
      'web:\n  hosts:\n    w1: {b: 2}\n    w2:\n',
      'extra1,'
    ])
    expect(i.hostNames()).toEqual(['w1', 'w2', 'extra1'])
    expect(i.hosts.get('w1')!.vars).toMatchObject({ a: 1, b: 2 })
    expect(i.select('web')).toEqual(['w1', 'w2'])
  })

  it('chooses YAML or INI for a file by extension, else by content', () => {
    const dir = mkdtempSync(join(tmpdir(), 'inventory-'))
    writeFileSync(join(dir, 'hosts.yaml'), '{all: {hosts: {y1: }}}\n')
    writeFileSync(join(dir, 'hosts'), '# ini without extension\n[g]\ni1\n')
    writeFileSync(join(dir, 'inventory'), '# yaml without extension\nall:\n  hosts:\n    y2:\n')
    const i = loadInventory([join(dir, 'hosts.yaml'), join(dir, 'hosts'), join(dir, 'inventory')])
    expect(i.hostNames()).toEqual(['y1', 'i1', 'y2'])
  })

  it('names the source in errors: the file path, or the label for inline text', () => {
    const dir = mkdtempSync(join(tmpdir(), 'inventory-'))
    const file = join(dir, 'broken.ini')
    writeFileSync(file, '[web]\nw1\n[web:oops]\n')
    expect(() => loadInventory([file])).toThrow(`${file}:3: section [web:oops]`)
    expect(() => loadInventory(['[web:oops]\n'], { label: '<inventory input>' })).toThrow(
      /^<inventory input>:1: section \[web:oops\]/
    )
  })

  // An inventory directory is read now (issue 15): see inventory-directories.test.ts.
  it('fails clearly on a missing file', () => {
    expect(() => loadInventory(['./inventry.yml'])).toThrow(
      /inventory file '\.\/inventry\.yml' does not exist/
    )
  })

  it('reports a host that is also a group name', () => {
    expect(loadInventory(['[db]\ndb\n']).warnings).toEqual([
      "found both a group and a host named 'db'"
    ])
  })
})
