import { describe, expect, it } from 'vitest'
import { dict } from '../../src/values/dict.js'
import { parseYaml } from '../../src/playbook/yaml-loader.js'
import { Undefined } from '../../src/template/undefined.js'
import { isRecord } from '../../src/values/records.js'

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
