/**
 * Python tuples in templates: `(1, 2)` is a tuple inside the engine (printed `(1, 2)`, never equal to a
 * list); what leaves the engine is text for a lone tuple (as Ansible gives it) and, inside a list or dict,
 * an array that JSON and modules read as a list.
 */
import { describe, expect, it } from 'vitest'
import { Templar } from '../../src/template/index.js'
import { PyTuple, tuplesAsLists } from '../../src/template/python.js'

const t = new Templar()
const render = (value: unknown, vars: Record<string, unknown> = {}) => t.render(value, vars)

describe('tuples', () => {
  it('parses a comma (even a trailing one) or empty parentheses as a tuple, one expression as itself', () => {
    expect(render('{{ (1, 2) }}|{{ (1,) }}|{{ () }}|{{ (1) }}|{{ ((1)) + 1 }}|{{ (1, 2,) }}')).toBe(
      '(1, 2)|(1,)|()|1|2|(1, 2)'
    )
    expect(() => render('{{ (1 2) }}')).toThrow(/expected ',' or '\)'/)
    expect(() => render('{{ (1,,) }}')).toThrow()
  })

  it('leaves the engine as text alone, and as an array inside a list or dict', () => {
    expect(render('{{ (1, 2) }}')).toBe('(1, 2)')
    const inList = render("{{ [(1, 'a')] }}") as unknown[]
    expect(Array.isArray(inList[0])).toBe(true)
    expect(JSON.stringify(inList)).toBe('[[1,"a"]]')
    expect(JSON.stringify(render('{{ {"k": (1, 2)} }}'))).toBe('{"k":[1,2]}')
    expect(JSON.stringify(render('{{ {"b": 2, "a": 1} | dictsort }}'))).toBe('[["a",1],["b",2]]')
  })

  it('keeps its kind through + * and slicing, and lists come out of map and select', () => {
    expect(render('{{ (1, 2) + (3,) }} {{ (1,) * 2 }} {{ (1, 2, 3)[1:] }}')).toBe(
      '(1, 2, 3) (1, 1) (2, 3)'
    )
    expect(render('{{ (1, 2) | map("string") | list | string }}')).toBe("['1', '2']")
    expect(render('{{ (1, 2, 3) | select("odd") | list | string }}')).toBe('[1, 3]')
    expect(() => render('{{ [1] + (2,) }}')).toThrow(
      'can only concatenate list (not "tuple") to list'
    )
  })

  it('never equals a list, and orders only against tuples', () => {
    expect(render('{{ (1, 2) == (1, 2) }} {{ (1, 2) == [1, 2] }} {{ (1, 2) < (1, 3) }}')).toBe(
      'True False True'
    )
    expect(() => render('{{ (1, 2) < [1, 3] }}')).toThrow(/'<' not supported.*'tuple' and 'list'/)
  })

  it('spreads in %-formatting where a list is one argument', () => {
    expect(
      render("{{ '%s' % [1, 2] }}|{{ '%s-%s' % (1, 2) }}|{{ '%%' % () }}|{{ 'x' % [1] }}")
    ).toBe('[1, 2]|1-2|%|x')
    expect(() => render("{{ '%s' % (1, 2) }}")).toThrow('not all arguments converted')
    expect(() => render("{{ '%s %s' % [1, 2] }}")).toThrow('not enough arguments')
    expect(() => render("{{ '%(k)s' % [1] }}")).toThrow('list indices must be integers')
  })

  it('is what partition, items() and the itertools filters give', () => {
    expect(render("{{ 'a=b=c'.partition('=') }}|{{ 'a=b=c'.rpartition('=') }}")).toBe(
      "('a', '=', 'b=c')|('a=b', '=', 'c')"
    )
    expect(render("{{ 'ab'.partition('=') }}|{{ 'ab'.rpartition('=') }}")).toBe(
      "('ab', '', '')|('', '', 'ab')"
    )
    const vars = { d: { a: 1 } }
    for (const template of [
      '{{ d.items() | list }}',
      '{{ d | items | list }}',
      '{{ d | dictsort }}',
      '{{ [1] | zip(["a"]) | list }}',
      '{{ [1] | product(["a"]) | list }}',
      '{{ [1] | zip_longest(["a"]) | list }}'
    ]) {
      const [first] = render(template, vars) as unknown[]
      expect(first, template).toBeInstanceOf(PyTuple)
    }
    expect(render('{{ [1, 2] | combinations(2) | list | string }}')).toBe('[(1, 2)]')
    expect(render("{{ 'abc'.startswith(('x', 'a')) }}")).toBe(true)
    expect(() => render("{{ 'abc'.startswith(['a']) }}")).toThrow(/not list/)
  })
})

describe('tuplesAsLists (a value leaving a task)', () => {
  it('makes every tuple a list at any depth, copying only what leads to one', () => {
    const untouched = { a: [1, 2] }
    const marked = Symbol('mark')
    const value: Record<PropertyKey, unknown> = {
      pairs: [PyTuple.of(1, 2), PyTuple.of<unknown>('a', PyTuple.of(3))],
      untouched
    }
    value[marked] = true
    const out = tuplesAsLists(value)
    expect(out).not.toBe(value)
    expect(out['pairs']).toEqual([
      [1, 2],
      ['a', [3]]
    ])
    const pairs = out['pairs'] as unknown[][]
    expect(pairs.some((p) => p instanceof PyTuple || p[1] instanceof PyTuple)).toBe(false)
    expect(out['untouched']).toBe(untouched)
    expect(out[marked]).toBe(true)
    // The original keeps its tuples.
    expect((value['pairs'] as unknown[])[0]).toBeInstanceOf(PyTuple)
  })

  it('looks at a value shared by many others once (nested YAML aliases), converting it once', () => {
    // 30 levels, each holding the level below twice: 2**30 paths, one tuple at the bottom.
    let level: unknown = [PyTuple.of(1, 2)]
    for (let i = 0; i < 30; i++) level = { a: level, b: [level] }
    const out = tuplesAsLists(level) as { a: unknown; b: unknown[] }
    expect(out.a).toBe(out.b[0])
    let inner: unknown = out
    for (let i = 0; i < 30; i++) inner = (inner as { a: unknown }).a
    expect(inner).toEqual([[1, 2]])
    expect((inner as unknown[])[0]).not.toBeInstanceOf(PyTuple)
  })

  it('hands back a value without tuples as it is', () => {
    const value = { a: [1, { b: 'c' }] }
    expect(tuplesAsLists(value)).toBe(value)
    expect(tuplesAsLists('x')).toBe('x')
  })
})
