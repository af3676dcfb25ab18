import { describe, expect, it } from 'vitest'
import { dict } from '../../src/values/dict.js'
import { parseYaml } from '../../src/playbook/yaml-loader.js'
import { Undefined } from '../../src/template/undefined.js'
import { cloneData, isRecord } from '../../src/values/records.js'
import { PyFloat } from '../../src/values/py-float.js'

describe('isRecord: a mapping in the Python sense', () => {
  it('accepts what parsers build, null-prototype maps and layered scopes', () => {
    const parent = { a: 1 }
    expect(isRecord({})).toBe(true)
    expect(isRecord(JSON.parse('{"a": {"b": 1}}'))).toBe(true)
    expect(isRecord(parseYaml('a: 1\n', 'x.yml').data)).toBe(true)
    expect(isRecord(dict([['__proto__', 1]]))).toBe(true)
    expect(isRecord(Object.create(parent))).toBe(true)
    expect(isRecord(Object.create(Object.create(null)))).toBe(true)
  })

  it('refuses lists, scalars and class instances (a date, a map, bytes, an undefined value)', () => {
    class Point {
      x = 1
    }
    const values = [
      null,
      undefined,
      'a',
      1,
      true,
      [],
      [{}],
      new Date(0),
      new Map(),
      new Uint8Array(1),
      Buffer.from('a'),
      new Point(),
      new Undefined("'x' is undefined", 'x')
    ]
    values.forEach((value, index) => expect(isRecord(value), `values[${index}]`).toBe(false))
  })
})

describe('cloneData', () => {
  it('copies a value met twice once, sharing it in the copy as structuredClone does (YAML aliases)', () => {
    // 12 levels of a mapping holding the level below twice: 2**12 leaves if each reference were copied.
    let level: unknown = ['leaf']
    for (let i = 0; i < 12; i++) level = { a: level, b: level }
    const copy = cloneData(level) as { a: unknown; b: unknown }
    expect(copy).not.toBe(level)
    expect(copy.a).toBe(copy.b)
    let inner: unknown = copy
    for (let i = 0; i < 12; i++) inner = (inner as { a: unknown }).a
    expect(inner).toEqual(['leaf'])
  })

  it('keeps an integral float as it is and copies lists and mappings', () => {
    const one = new PyFloat(1)
    const value = { n: one, list: [1, { k: 'v' }] }
    const copy = cloneData(value)
    expect(copy.n).toBe(one)
    expect(copy.list).not.toBe(value.list)
    expect(copy).toEqual(value)
  })
})
