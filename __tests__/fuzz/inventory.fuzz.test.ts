// Fuzz: INI and YAML inventories and host patterns: an inventory or an InventoryError, quickly, and
// Object.prototype untouched.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { MAX_HOSTS_PER_ENTRY, splitHostPort } from '../../src/inventory/host-range.js'
import { splitHostPattern } from '../../src/inventory/host-pattern.js'
import { loadInventory, type Inventory } from '../../src/inventory/inventory.js'
import { anyText, checkCall, mutatedText, runs, slowest } from './fuzz-helpers.js'

const ROOT = path.resolve(import.meta.dirname, '../..')
const fixture = (name: string): string =>
  readFileSync(path.join(ROOT, '__fixtures__/inventory', name), 'utf8')

const INI_SEEDS = [
  fixture('hosts.ini'),
  `[all:vars]
ansible_user=deploy
__proto__={'polluted': 1}
constructor={'prototype': {'polluted': 1}}
nested=[1, (2, 3), {'a': None, 'b': True}, r'raw\\n', b'x' 'y', 0x1F, 1_000, -3.5e2]

[web]
web[1:3] ansible_port=22 __proto__="{'polluted': 1}"
"quoted host" a='b c' d="e \\"f\\""
[web:children]
`,
  'h1\nh2:2222\n[g]\nh1\n[g:vars]\nx=1\n'
]
const YAML_SEEDS = [
  fixture('hosts.yml'),
  `all:
  vars:
    __proto__: {polluted: 1}
    anchors: &a {x: [1, 2]}
    merged: {<<: *a, y: 0755}
  hosts:
    h[01:03]:
      ansible_port: 22
  children:
    web:
      hosts: {web1: , web2: {__proto__: {polluted: 1}}}
      children:
        app: {hosts: web3}
`,
  '{"all": {"hosts": {"a": {"x": 1}}, "children": {"b": {"hosts": {"c": null}}}}}\n'
]

/** The parts of the inventory the executor relies on hold together. */
function assertSaneInventory(inventory: Inventory): void {
  for (const name of inventory.hostNames()) {
    const host = inventory.hosts.get(name)!
    expect(host.groups).toContain('all')
    for (const g of host.groups) expect(inventory.groups.has(g)).toBe(true)
  }
  expect(inventory.groups.has('all')).toBe(true)
  expect(inventory.hostNames().length).toBeLessThanOrEqual(MAX_HOSTS_PER_ENTRY * 50)
}

/** Inline inventory text: a newline keeps loadInventory from taking a one-line input as a path. */
const load = (text: string): Inventory => loadInventory([`${text}\n`], { label: 'fuzz-inventory' })

describe('inventory loader under fuzz', () => {
  afterAll(() => {
    for (const [label, { ms }] of slowest) console.log(`slowest ${label}: ${ms.toFixed(1)} ms`)
  })

  it('accepts every seed as it is', () => {
    for (const seed of [...INI_SEEDS, ...YAML_SEEDS]) {
      const outcome = checkCall('seed', seed, load)
      expect(outcome.ok, outcome.ok ? '' : outcome.error.message).toBe(true)
    }
  })

  it('random text: an inventory or an InventoryError', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const outcome = checkCall('loadInventory(random)', text, load)
        if (outcome.ok) assertSaneInventory(outcome.value)
        else expect(outcome.error.name).toBe('InventoryError')
      }),
      { numRuns: runs(3000) }
    )
  })

  it('mutated INI inventories', () => {
    fc.assert(
      fc.property(mutatedText(INI_SEEDS), (text) => {
        const outcome = checkCall('loadInventory(mutated INI)', text, load)
        if (outcome.ok) assertSaneInventory(outcome.value)
        else expect(outcome.error.location?.file ?? 'fuzz-inventory').toBe('fuzz-inventory')
      }),
      { numRuns: runs(4000) }
    )
  })

  it('mutated YAML inventories', () => {
    fc.assert(
      fc.property(mutatedText(YAML_SEEDS), (text) => {
        const outcome = checkCall('loadInventory(mutated YAML)', text, load)
        if (outcome.ok) assertSaneInventory(outcome.value)
        else expect(outcome.error.name).toBe('InventoryError')
      }),
      { numRuns: runs(4000) }
    )
  })

  it('host ranges with random bounds: bounded, or an InventoryError', () => {
    const bound = fc.oneof(
      fc.stringMatching(/^[0-9]{1,20}$/),
      fc.stringMatching(/^[a-zA-Z]$/),
      fc.string({ maxLength: 4 })
    )
    fc.assert(
      fc.property(
        fc.array(fc.tuple(bound, bound, fc.option(bound, { nil: undefined })), {
          minLength: 1,
          maxLength: 3
        }),
        (ranges) => {
          const host =
            'h' +
            ranges
              .map(([a, b, step]) => `[${a}:${b}${step === undefined ? '' : `:${step}`}]`)
              .join('-')
          const outcome = checkCall('host range', `[g]\n${host}`, load)
          if (outcome.ok)
            expect(outcome.value.hostNames().length).toBeLessThanOrEqual(MAX_HOSTS_PER_ENTRY)
        }
      ),
      { numRuns: runs(2000) }
    )
  })

  it('a range of a billion hosts, or of numbers past 2^53, is refused at once', () => {
    for (const entry of [
      'h[0:999999999]',
      'h[1:1000][1:1000]',
      `h[0:${'9'.repeat(400)}]`,
      `h[${'9'.repeat(400)}:${'9'.repeat(400)}]`
    ]) {
      const outcome = checkCall('huge range', `[g]\n${entry}`, load)
      expect(outcome.ok).toBe(false)
      if (!outcome.ok) expect(outcome.error.message).toMatch(/more than 100000 hosts|below 2\^53/)
    }
  })

  it('50 000 hosts load in well under the call budget', () => {
    const outcome = checkCall('50k hosts', '[g]\nh[00000:49999]\n[g2]\nh[00000:49999]', load)
    expect(outcome.ok && outcome.value.hostNames().length).toBe(50_000)
  })

  it('INI values nested deeper than Python allows stay strings, as in Ansible', () => {
    const deep = '['.repeat(10_000) + ']'.repeat(10_000)
    const outcome = checkCall('deep INI value', `h x=${deep}\n[all:vars]\ny=${deep}`, load)
    expect(outcome.ok).toBe(true)
    if (outcome.ok) expect(outcome.value.hostVars('h')['x']).toBe(deep)
    const shallow = checkCall('nested INI value', 'h x=[[[1]]]', load)
    expect(shallow.ok && shallow.value.hostVars('h')['x']).toEqual([[[1]]])
  })
})

describe('host patterns under fuzz', () => {
  // The hand-written scanners replaced these regexes, which overflow the stack on long input.
  const HOST_WITH_PORT = /^((?:[^:[\]]|\[[^\]]*\])*):([0-9]+)$/
  const PATTERN_PIECE = /(?:[^\s:[\]]|\[[^\]]*\])+/g
  const bracketText = fc
    .array(fc.constantFrom('a', 'b', '1', ':', '[', ']', ' ', '\t', ',', '!', '&', '2', '.'), {
      maxLength: 24
    })
    .map((cs) => cs.join(''))

  it('splits host:port and pattern pieces exactly as the regexes they replaced', () => {
    fc.assert(
      fc.property(fc.oneof(bracketText, fc.string({ maxLength: 20 })), (text) => {
        const m = HOST_WITH_PORT.exec(text)
        expect(splitHostPort(text)).toEqual(m ? { host: m[1], port: m[2] } : undefined)
        const single = HOST_WITH_PORT.test(text.trim()) || /^[0-9a-fA-F:]+$/.test(text.trim())
        if (!text.includes(',') && !single) {
          expect(splitHostPattern(text)).toEqual(
            (text.match(PATTERN_PIECE) ?? []).map((p) => p.trim()).filter(Boolean)
          )
        }
      }),
      { numRuns: runs(5000) }
    )
  })

  const inventory = loadInventory([
    INI_SEEDS[0]!,
    'all:\n  children:\n    east: {hosts: {"e[1:3].lan": }}\n    west: {hosts: {"w[a:c]": , "::1": }}\n'
  ])
  const names = [...inventory.hostNames(), ...inventory.groupNames()]
  const piece = fc.oneof(
    fc.constantFrom(
      ...names,
      'all',
      '*',
      'localhost',
      '127.0.0.1',
      '::1',
      'web*',
      'db?',
      'web[0:1]'
    ),
    fc
      .tuple(
        fc.constantFrom(...names),
        fc.integer({ min: -5, max: 20 }),
        fc.option(fc.integer({ min: -2, max: 20 }))
      )
      .map(([n, a, b]) => (b === null ? `${n}[${a}]` : `${n}[${a}:${b}]`)),
    fc.constantFrom('~web\\d+', '~(db|web)', '~[', '~(?<x>a)\\k<y>', '~a{2,1}', '~.*'),
    fc.string({ maxLength: 12 })
  )
  const pattern = fc.oneof(
    fc
      .array(fc.tuple(fc.constantFrom('', '', '&', '!'), piece), { minLength: 1, maxLength: 5 })
      .chain((parts) =>
        fc.constantFrom(',', ':').map((sep) => parts.map(([op, p]) => op + p).join(sep))
      ),
    anyText
  )

  it('selects hosts of the inventory, or throws an InventoryError', () => {
    const all = new Set(inventory.hostNames())
    fc.assert(
      fc.property(pattern, (p) => {
        const outcome = checkCall('select', p, (x) => inventory.select(x))
        if (outcome.ok) {
          const selected = outcome.value
          expect(new Set(selected).size).toBe(selected.length)
          for (const h of selected)
            expect(all.has(h) || ['localhost', '127.0.0.1', '::1'].includes(h)).toBe(true)
        } else {
          expect(outcome.error.name).toBe('InventoryError')
        }
      }),
      { numRuns: runs(4000) }
    )
  })

  it('a list of patterns selects the same hosts as the comma-joined string', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...names, '!web1', '&web', 'db*'), { minLength: 1, maxLength: 4 }),
        (list) => {
          const a = checkCall('select(list)', list, (x) => inventory.select(x))
          const b = checkCall('select(joined)', list.join(','), (x) => inventory.select(x))
          expect(a.ok && b.ok ? a.value : 'error').toEqual(a.ok && b.ok ? b.value : 'error')
        }
      ),
      { numRuns: runs(1000) }
    )
  })
})
