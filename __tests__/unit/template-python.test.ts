import { describe, expect, it } from 'vitest'
import { TemplateError } from '../../src/errors.js'
import { Templar, pythonStr, toBoolean } from '../../src/template/index.js'

describe('pythonStr', () => {
  it('prints scalars as Python does', () => {
    expect(pythonStr('text')).toBe('text')
    expect(pythonStr(true)).toBe('True')
    expect(pythonStr(false)).toBe('False')
    expect(pythonStr(null)).toBe('None')
    expect(pythonStr(undefined)).toBe('None')
    expect(pythonStr(42)).toBe('42')
    expect(pythonStr(0.5)).toBe('0.5')
    expect(pythonStr(1e-7)).toBe('1e-07')
    expect(pythonStr(Infinity)).toBe('inf')
  })

  it('prints lists and dicts in Python repr', () => {
    expect(pythonStr(['a', 1])).toBe("['a', 1]")
    expect(pythonStr({ k: 'v', n: [true, null] })).toBe("{'k': 'v', 'n': [True, None]}")
    expect(pythonStr([])).toBe('[]')
    expect(pythonStr({})).toBe('{}')
  })

  it('quotes strings inside containers like repr()', () => {
    expect(pythonStr(["it's"])).toBe(`["it's"]`)
    expect(pythonStr(['a\nb', 'back\\slash'])).toBe("['a\\nb', 'back\\\\slash']")
    expect(pythonStr([`both ' and "`])).toBe(`['both \\' and "']`)
  })
})

describe('toBoolean', () => {
  it('is true for true, 1 and yes/on/1/true in any case', () => {
    for (const v of [true, 1, 'yes', 'YES', 'on', 'On', '1', 'true', 'True'])
      expect(toBoolean(v)).toBe(true)
  })

  it('is false for everything else, unrecognised strings included', () => {
    for (const v of [
      false,
      0,
      2,
      'no',
      'off',
      'false',
      '0',
      'banana',
      '',
      null,
      undefined,
      [],
      {}
    ]) {
      expect(toBoolean(v)).toBe(false)
    }
  })
})

describe('nested braces and statements', () => {
  const t = new Templar()

  it('keeps }} inside a dict literal inside the expression', () => {
    expect(t.render("{{ {'a': {'b': 1}} }}", {})).toEqual({ a: { b: 1 } })
    expect(t.render("{{ x | combine({'n': {'y': 2}}) }}", { x: { n: { x: 1 } } })).toEqual({
      n: { y: 2 }
    })
    expect(t.render("{% set d = {'a': {'b': 1}} %}{{ d.a.b }}", {})).toBe('1')
  })

  it('treats two expressions as text, not one native value', () => {
    expect(t.render('{{ a }} and {{ b }}', { a: 1, b: [2] })).toBe('1 and [2]')
    expect(t.render('{{ a }}{{ b }}', { a: 1, b: 2 })).toBe('12')
  })

  it('does not let vars shadow Object.prototype names or leak them', () => {
    expect(() => t.evaluate('constructor', {})).toThrow(TemplateError)
    expect(() => t.evaluate('d.toString', { d: {} })).toThrow(
      "'dict object' has no attribute 'toString'"
    )
    expect(t.evaluate('d.constructor', { d: { constructor: 'mine' } })).toBe('mine')
  })

  it('reads layered scopes (Object.create) like plain dicts', () => {
    const base = { a: 1 }
    const layered = Object.create(base) as Record<string, unknown>
    layered.b = 2
    expect(t.evaluate('a + b', layered)).toBe(3)
  })
})

describe('Python formatting and tuples', () => {
  const t = new Templar()

  it('supports the % operator and the format filter', () => {
    expect(t.evaluate("'%s-%02d' % ('web', 7)", {})).toBe('web-07')
    expect(t.evaluate("'%s' % x", { x: { a: 1 } })).toBe("{'a': 1}")
    expect(t.evaluate("'%.2f|%5s|%-3d|%x|%%' | format(3.14159, 'ab', 7, 255)", {})).toBe(
      '3.14|   ab|7  |ff|%'
    )
    expect(() => t.evaluate("'%d' % 'x'", {})).toThrow('a number is required')
  })

  it('evaluates (a, b) as a tuple (list)', () => {
    expect(t.evaluate('(1, 2)', {})).toEqual([1, 2])
    expect(t.evaluate('(1 + 2) * 3', {})).toBe(9)
  })

  it('accepts Python spellings of the none/true/false tests', () => {
    expect(t.evaluate('x is None', { x: null })).toBe(true)
    expect(t.evaluate('x is True', { x: true })).toBe(true)
    expect(t.evaluate('x is false', { x: 0 })).toBe(false)
  })
})
