/**
 * Python floats in templates: an integral float (`4 / 2`, `1.0`, `3 | float`) stays a float inside the
 * engine (printed `2.0`, `type_debug` float) and behaves as a number everywhere; what leaves the engine
 * in a list or dict, or from `{{ name }}`, stays a float (a lone expression gives the text Ansible gives).
 */
import { describe, expect, it } from 'vitest'
import { Templar } from '../../src/template/index.js'
import { pythonStr } from '../../src/template/python.js'
import { PyFloat } from '../../src/values/py-float.js'

const t = new Templar()
const render = (value: string, vars: Record<string, unknown> = {}) => t.render(value, vars)

describe('integral floats', () => {
  it('prints them as Python does', () => {
    expect(render('{{ 4 / 2 }}')).toBe('2.0')
    expect(render('{{ 1.0 }}|{{ 1e3 }}|{{ -0.0 }}|{{ 1e16 }}|{{ 10.0 ** 17 }}')).toBe(
      '1.0|1000.0|-0.0|1e+16|1e+17'
    )
    expect(
      render('{{ 3 | float }} {{ 2.5 | round }} {{ 7 | round }} {{ 3 | round(0, "ceil") }}')
    ).toBe('3.0 2.0 7 3.0')
    expect(render('{{ [4 / 2, 1] | string }}')).toBe('[2.0, 1]')
    expect(render("{{ '%s %d %.1f %r' % (4 / 2, 4 / 2, 4 / 2, 4 / 2) }}")).toBe('2.0 2 2.0 2.0')
  })

  it('says float, and never int, for them', () => {
    expect(render('{{ (4 / 2) | type_debug }} {{ 1.0 is float }} {{ 1.0 is integer }}')).toBe(
      'float True False'
    )
    expect(render('{{ (4 / 2) is number }} {{ ((4 / 2) | int) | type_debug }}')).toBe('True int')
  })

  it('computes and compares them as numbers', () => {
    expect(render('{{ 4 / 2 == 2 }} {{ 4 / 2 > 1 }} {{ 2 in [4 / 2] }} {{ 1.0 + 1 }}')).toBe(
      'True True True 2.0'
    )
    expect(render('{{ range((4 / 2) | int) | list }}')).toEqual([0, 1])
    expect(render("{{ 'abc'[(4 / 2) | int] }}")).toBe('c')
    expect(render('{{ [1.5, 2.5] | sum }} {{ -7.0 % 3 }} {{ -2.0 | abs }}')).toBe('4.0 2.0 2.0')
  })

  it('judges their truth as Python does', () => {
    expect(t.isTrue('0.0', {})).toBe(false)
    expect(t.isTrue('4 / 2', {})).toBe(true)
    expect(t.isTrue('(4 / 2) == 2', {})).toBe(true)
  })

  it('hands floats out of the engine as floats, and Python text for a lone float', () => {
    const list = render('{{ [4 / 2, 0.5] }}') as unknown[]
    expect(list).toStrictEqual([new PyFloat(2), 0.5])
    expect(pythonStr(list)).toBe('[2.0, 0.5]')
    expect(render("{{ {'a': 3 | float, 'b': 3} }}")).toStrictEqual({ a: new PyFloat(3), b: 3 })
    expect(t.evaluate('4 / 2', {})).toStrictEqual(new PyFloat(2))
    expect(render('{{ x }}', { x: 2 })).toBe(2)
    // `{{ name }}` hands a float over as it is, as Ansible's single-variable shortcut does.
    const float = new PyFloat(1)
    expect(render('{{ x }}', { x: float })).toBe(float)
    expect(render('echo {{ x }}', { x: float })).toBe('echo 1.0')
  })

  it('writes them as Python does in JSON', () => {
    expect(render("{{ {'a': 4 / 2, 'b': 1e16} | to_json }}")).toBe('{"a": 2.0, "b": 1e+16}')
  })
})
