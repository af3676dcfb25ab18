/**
 * What the Jinja2 table (__tests__/jinja-table, run against Ansible's Templar) found and we fixed, checked
 * here without Ansible so that machines without it still cover these paths.
 */
import { describe, expect, it } from 'vitest'
import { TemplateError } from '../../src/errors.js'
import { Templar } from '../../src/template/index.js'

const t = new Templar()
const render = (value: string, vars: Record<string, unknown> = {}) => t.render(value, vars)

describe('string-type filters keep their text', () => {
  it('gives to_json/to_nice_json/to_yaml/string text, never the value read back', () => {
    expect(render('{{ d | to_json }}', { d: { a: 1 } })).toBe('{"a": 1}')
    expect(render('{{ [] | to_nice_json }}')).toBe('[]')
    expect(render('{{ {} | to_yaml }}')).toBe('{}\n')
    expect(render('{{ x | string }}', { x: [1, 'a'] })).toBe("[1, 'a']")
    expect(render('{{ true | string }}')).toBe('True')
  })

  it('reads a text another filter handed back unchanged as a value again', () => {
    expect(render('{{ d | to_json | trim }}', { d: { a: 1 } })).toEqual({ a: 1 })
    expect(render('{{ "[1, 2]" }}')).toEqual([1, 2])
  })
})

describe('statements', () => {
  it('templates a string whose only template is a comment', () => {
    expect(render('a {# note #} b')).toBe('a  b')
    expect(render('echo ${#arr[@]}')).toBe('echo ${#arr[@]}')
  })

  it('filters a loop with if: loop.index, loop.length and else count the kept items', () => {
    const vars = { nums: [1, 2, 3, 4, 5] }
    expect(
      render(
        '{% for x in nums if x > 2 %}{{ loop.index }}/{{ loop.length }}:{{ x }} {% endfor %}',
        vars
      )
    ).toBe('1/3:3 2/3:4 3/3:5 ')
    expect(render('{% for x in nums if x > 9 %}{{ x }}{% else %}none{% endfor %}', vars)).toBe(
      'none'
    )
    expect(
      render('{% for k, v in pairs if v %}{{ k }}{% endfor %}', {
        pairs: [
          ['a', 1],
          ['b', 0]
        ]
      })
    ).toBe('a')
  })

  it("gives Jinja2's loop attributes", () => {
    const vars = { items: ['a', 'b', 'c'] }
    expect(render("{% for x in items %}{{ loop.previtem | default('-') }}{% endfor %}", vars)).toBe(
      '-ab'
    )
    expect(render("{% for x in items %}{{ loop.nextitem | default('-') }}{% endfor %}", vars)).toBe(
      'bc-'
    )
    expect(render("{% for x in items %}{{ loop.cycle('o', 'e') }}{% endfor %}", vars)).toBe('oeo')
    expect(
      render('{% for x in [1, 1, 2] %}{% if loop.changed(x) %}{{ x }}{% endif %}{% endfor %}')
    ).toBe('12')
  })

  it('assigns to a namespace, and only to one', () => {
    expect(
      render(
        '{% set ns = namespace(n=0) %}{% for i in [1, 2, 3] %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}'
      )
    ).toBe('6')
    expect(() => render('{% set d = {} %}{% set d.x = 1 %}{{ d }}')).toThrow(TemplateError)
  })

  it('fails to loop over None or a number', () => {
    expect(() => render('{% for x in n %}{{ x }}{% endfor %}', { n: null })).toThrow(
      /NoneType' object is not iterable/
    )
    expect(() => render('{% for x in 5 %}{{ x }}{% endfor %}')).toThrow(
      /'int' object is not iterable/
    )
  })

  it('chains conditional expressions', () => {
    expect(render("{{ 'a' if 0 else 'b' if 1 else 'c' }}")).toBe('b')
  })
})

describe('formatting', () => {
  it('formats with str.format and with a mapping', () => {
    expect(render("{{ '{}-{:>4}|{name!r}'.format('a', 'b', name='n') }}")).toBe("a-   b|'n'")
    expect(render("{{ '{:05.1f} {:,}'.format(3.14159, 1234567) }}")).toBe('003.1 1,234,567')
    expect(render("{{ '%(k)s=%(v)d' % {'k': 'a', 'v': 2} }}")).toBe('a=2')
    expect(render("{{ '%(k)s' | format(k='v') }}")).toBe('v')
  })

  it('prints numbers as Python does where JavaScript can tell', () => {
    expect(render('{{ 0.00001 }}')).toBe('1e-05')
    expect(render('{{ 1e3 + 1 }}')).toBe('1001.0')
  })
})

describe("Jinja2's builtin filters", () => {
  const users = [
    { name: 'bob', group: 'x' },
    { name: 'al', group: 'y' },
    { name: 'cy', group: 'x' }
  ]

  it('groups with groupby: (grouper, list) pairs', () => {
    expect(
      render("{{ users | groupby('group') | map(attribute='grouper') | list }}", { users })
    ).toEqual(['x', 'y'])
    expect(
      render("{{ (users | groupby('group'))[0].list | map(attribute='name') | list }}", { users })
    ).toEqual(['bob', 'cy'])
  })

  it('sorts dicts by value and in reverse', () => {
    const d = { b: 2, a: 1, C: 3 }
    expect(render("{{ d | dictsort(by='value') }}", { d })).toEqual([
      ['a', 1],
      ['b', 2],
      ['C', 3]
    ])
    expect(render('{{ d | dictsort(reverse=true) }}', { d })).toEqual([
      ['C', 3],
      ['b', 2],
      ['a', 1]
    ])
  })

  it('truncates, centers, indents and wraps as Jinja2', () => {
    expect(render("{{ 'hello world foo' | truncate(11) }}")).toBe('hello world foo')
    expect(render("{{ 'hello world foo bar' | truncate(9, true) }}")).toBe('hello ...')
    expect(render("{{ 'ab' | center(7) }}")).toBe('   ab  ')
    expect(render('{{ text | indent(2, blank=true) }}', { text: 'one\n\ntwo' })).toBe(
      'one\n  \n  two'
    )
    expect(render("{{ 'a b c d e f g' | wordwrap(5) }}")).toBe('a b c\nd e f\ng')
    expect(render('{{ [1, 2, 3, 4] | slice(3, 0) | list }}')).toEqual([
      [1, 2],
      [3, 0],
      [4, 0]
    ])
  })

  it('formats sizes, escapes and encodes', () => {
    expect(render('{{ 1500000 | filesizeformat }}')).toBe('1.5 MB')
    expect(render('{{ 1024 | filesizeformat(true) }}')).toBe('1.0 KiB')
    expect(render('{{ \'<a> "b"\' | escape }}')).toBe('&lt;a&gt; &#34;b&#34;')
    expect(render("{{ {'a': 'x y'} | urlencode }}")).toBe('a=x+y')
    expect(render("{{ {'id': 1, 'n': none} | xmlattr }}")).toBe(' id="1"')
    expect(render("{{ '<x>' | tojson }}")).toBe('"\\u003cx\\u003e"')
  })
})

describe('set inside a loop', () => {
  it('stays in the loop body, each iteration starting from the outside value, as in Jinja2', () => {
    const t2 = new Templar()
    const text = (source: string) => t2.renderText(source, {})
    expect(
      text('{% set x = 1 %}{% for i in [1, 2, 3] %}{% set x = x + 1 %}{{ x }}{% endfor %}|{{ x }}')
    ).toBe('222|1')
    expect(
      text(
        '{% set x = 1 %}{% for i in [1, 2] %}{% if i == 1 %}{% set x = 9 %}{% endif %}{{ x }}{% endfor %}'
      )
    ).toBe('91')
    expect(text('{% for i in [1, 2] %}{% set y = i %}{% endfor %}{{ y is defined }}')).toBe('False')
    expect(text('{% set x = 1 %}{% if true %}{% set x = 2 %}{% endif %}{{ x }}')).toBe('2')
  })
})
