import { describe, expect, it } from 'vitest'
import { TemplateError, UnsafeConditionalError } from '../../src/errors.js'
import { setLookupWarningSink, Templar, type ScopeEntry } from '../../src/template/index.js'

const t = new Templar()
const render = (value: unknown, vars: Record<string, unknown> = {}) => t.render(value, vars)
const evaluate = (expression: string, vars: Record<string, unknown> = {}) =>
  t.evaluate(expression, vars)

function templateError(fn: () => unknown): TemplateError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(TemplateError)
    return err as TemplateError
  }
  throw new Error('expected a TemplateError')
}

describe('Templar.render', () => {
  it('returns strings without {{ or {% as they are', () => {
    expect(render('plain $HOME ${#arr[@]} }}')).toBe('plain $HOME ${#arr[@]} }}')
  })

  it('renders mixed text to a string', () => {
    expect(render('a {{ x }} b', { x: 'X' })).toBe('a X b')
    expect(render('{{ x }}-{{ y }}', { x: 1, y: 2 })).toBe('1-2')
  })

  it('prints non-strings inside text the way Python str() does, None as nothing (Ansible finalize)', () => {
    const vars = {
      t: true,
      f: false,
      n: null,
      l: ['a', 'b'],
      d: { k: 'v' },
      nested: [1, { a: [true, null] }]
    }
    expect(render('{{ t }} {{ f }} {{ n }}.', vars)).toBe('True False .')
    expect(render('l={{ l }} d={{ d }}', vars)).toBe("l=['a', 'b'] d={'k': 'v'}")
    expect(render('x {{ nested }}', vars)).toBe("x [1, {'a': [True, None]}]")
  })

  it('returns what Ansible 2.14 does for a template that is a single expression (checked with ansible-playbook)', () => {
    const vars = { l: [1, 2], d: { a: 1 }, n: 3, b: false, z: null }
    // Lists, dicts and booleans keep their type.
    expect(render('{{ l }}', vars)).toEqual([1, 2])
    expect(render('{{ d }}\n', vars)).toEqual({ a: 1 })
    expect(render('{{ b }}', vars)).toBe(false)
    expect(render('{{ {"k": n} }}', vars)).toEqual({ k: 3 })
    // `{{ name }}` alone hands a number or None over as it is (also with one newline after it); with a
    // trim marker it is no longer Templar's single variable, and a number comes out as text.
    expect(render('{{ n }}', vars)).toBe(3)
    expect(render('{{ z }}', vars)).toBeNull()
    expect(render('{{ z }}\n', vars)).toBeNull()
    expect(render('{{- n -}}', vars)).toBe('3')
    // Anything else is text: numbers as Python prints them, None as nothing.
    expect(render('{{ n + 1 }}', vars)).toBe('4')
    expect(render('{{ 2.50 }}', vars)).toBe('2.5')
    expect(render('{{ none }}', vars)).toBe('')
    expect(render('x{{ none }}y', vars)).toBe('xy')
  })

  it('keeps the text around a single expression and the newlines that end a template (Ansible 2.14 Templar)', () => {
    const vars = { v: '1.2.0', n: 5, l: [1], d: { a: 1 } }
    // Any text around the expression, even a space, makes the result text.
    expect(render('  {{ d }} ', vars)).toBe("  {'a': 1} ")
    expect(render(' {{ l }}', vars)).toBe(' [1]')
    expect(render(' {{ n }}', vars)).toBe(' 5')
    expect(render('{{ n }} ', vars)).toBe('5 ')
    expect(render(' {{ v }} ', vars)).toBe(' 1.2.0 ')
    // A trim marker takes the whitespace on its side only.
    expect(render('{{- v }} ', vars)).toBe('1.2.0 ')
    expect(render('  {{- n -}}  ', vars)).toBe('5')
    expect(render('  {{- l -}}  ', vars)).toEqual([1])
    // Jinja2 drops one newline at the end; Ansible gives text results back the ones the template ended with.
    expect(render('{{ v }}\n', vars)).toBe('1.2.0\n')
    expect(render('{{ v }}\n\n', vars)).toBe('1.2.0\n\n')
    expect(render(' {{ v }}\n', vars)).toBe(' 1.2.0\n')
    expect(render('{{ n }}\n', vars)).toBe(5)
    expect(render('{{ n }}\n\n', vars)).toBe('5\n\n')
    expect(render('{{ l }}\n', vars)).toEqual([1])
    expect(render('{{ l }}\n\n', vars)).toEqual([1])
    expect(render('{% if 1 %}[1]{% endif %}\n', vars)).toEqual([1])
    expect(render('{% if 1 %}x{% endif %}\n', vars)).toBe('x\n')
    expect(render('\n{{ v }}', vars)).toBe('\n1.2.0')
    // Line breaks read as Jinja2 reads them: each one becomes \n.
    expect(render('{{ v }}\r\n', vars)).toBe('1.2.0\n')
    expect(render('a\r\nb{{ v }}', vars)).toBe('a\nb1.2.0')
  })

  it('turns text that reads as a list, dict or boolean back into one, as Ansible does', () => {
    expect(render('{{ "1" }}')).toBe('1')
    expect(render("{{ '[1, 2]' }}")).toEqual([1, 2])
    expect(render('[{{ 3 }}, 2]')).toEqual([3, 2])
    expect(render("{{ 'True' }}")).toBe(true)
    expect(render('{{ [1, "2"] }}')).toEqual([1, '2'])
    // Not a Python literal: stays text.
    expect(render("{{ '[not a list' }}")).toBe('[not a list')
  })

  it('renders lists and dicts recursively, keys included', () => {
    const vars = { x: 'X', n: 2 }
    expect(render({ a: ['{{ x }}', 1, { b: '{{ n * 2 }}' }], '{{ x }}_key': true }, vars)).toEqual({
      a: ['X', 1, { b: '4' }],
      X_key: true
    })
    expect(render(5, vars)).toBe(5)
    expect(render(null, vars)).toBeNull()
  })

  it('supports statements in mixed templates', () => {
    expect(render('{% for i in items %}{{ i }},{% endfor %}', { items: [1, 2] })).toBe('1,2,')
    expect(render('{% if l %}yes{% else %}no{% endif %}', { l: [] })).toBe('no')
    expect(render('{% for k in d %}{{ k }}={{ d[k] }} {% endfor %}', { d: { a: 1, b: 2 } })).toBe(
      'a=1 b=2 '
    )
  })
})

describe('expressions', () => {
  it('knows True/False/None in both cases', () => {
    expect(evaluate('True')).toBe(true)
    expect(evaluate('False')).toBe(false)
    expect(evaluate('None')).toBeNull()
    expect(evaluate('true and not false')).toBe(true)
    expect(evaluate('none')).toBeNull()
  })

  it('concatenates with ~ using Python str()', () => {
    expect(evaluate("'a' ~ 1 ~ True ~ None ~ [1]")).toBe('a1TrueNone[1]')
  })

  it('implements in and not in', () => {
    expect(evaluate("'b' in ['a', 'b']")).toBe(true)
    expect(evaluate("'c' not in ['a', 'b']")).toBe(true)
    expect(evaluate("'ell' in 'hello'")).toBe(true)
    expect(evaluate("'k' in d", { d: { k: 1 } })).toBe(true)
    expect(evaluate('{"a": 1} in l', { l: [{ a: 1 }] })).toBe(true)
  })

  it('implements inline if with Python truthiness', () => {
    expect(evaluate("'y' if l else 'n'", { l: [] })).toBe('n')
    expect(evaluate("'y' if d else 'n'", { d: { a: 1 } })).toBe('y')
    expect(evaluate("'y' if s else 'n'", { s: '' })).toBe('n')
  })

  it('builds list and dict literals, evaluating dict keys like Jinja2', () => {
    expect(evaluate("[1, 'two', [3]]")).toEqual([1, 'two', [3]])
    expect(evaluate('{\'a\': 1, "b": [2]}')).toEqual({ a: 1, b: [2] })
    expect(evaluate('{item.key: item.value}', { item: { key: 'k', value: 'v' } })).toEqual({
      k: 'v'
    })
    expect(evaluate('{}')).toEqual({})
  })

  it('chains filters with arguments', () => {
    expect(evaluate("x | upper | replace('A', 'b') | length", { x: 'aaa' })).toBe(3)
    expect(evaluate("l | map('upper') | join(',')", { l: ['a', 'b'] })).toBe('A,B')
  })

  it('returns operands from and/or with Python truthiness', () => {
    expect(evaluate("[] or 'fallback'")).toBe('fallback')
    expect(evaluate("'' or 0 or None")).toBeNull()
    expect(evaluate("'a' and 'b'")).toBe('b')
    expect(evaluate('0 and nope')).toBe(0)
    expect(evaluate('not []')).toBe(true)
    expect(evaluate('not {}')).toBe(true)
  })

  it('compares like Python', () => {
    expect(evaluate('[1, 2] == [1, 2]')).toBe(true)
    expect(evaluate("{'a': [1]} == {'a': [1]}")).toBe(true)
    expect(evaluate("'1' == 1")).toBe(false)
    expect(evaluate('True == 1')).toBe(true)
    expect(evaluate('1 < 2 < 3')).toBe(true)
    expect(evaluate('3 > 2 > 2')).toBe(false)
    expect(evaluate("'abc' < 'abd'")).toBe(true)
    expect(evaluate('x != y', { x: 1, y: 2 })).toBe(true)
    expect(templateError(() => evaluate("'a' < 1")).message).toContain(
      "'<' not supported between instances of 'str' and 'int'"
    )
  })

  it('does Python arithmetic on lists and strings', () => {
    expect(evaluate('[1] + [2, 3]')).toEqual([1, 2, 3])
    expect(evaluate("'-' * 3")).toBe('---')
    expect(evaluate('7 // 2')).toBe(3)
    expect(evaluate('-7 % 3')).toBe(2)
    expect(evaluate('2 ** 10')).toBe(1024)
    expect(evaluate('7 / 2')).toBe(3.5)
    expect(templateError(() => evaluate("'a' + 1")).message).toContain(
      "unsupported operand type(s) for +: 'str' and 'int'"
    )
    expect(templateError(() => evaluate('1 / 0')).message).toContain('division by zero')
  })

  it('indexes and slices lists and strings, negative indexes included', () => {
    const vars = { l: [10, 20, 30, 40], s: 'hello', r: { results: [{ stdout: 'first' }] } }
    expect(evaluate('l[-1]', vars)).toBe(40)
    expect(evaluate('l[1:3]', vars)).toEqual([20, 30])
    expect(evaluate('l[::-1]', vars)).toEqual([40, 30, 20, 10])
    expect(evaluate('s[:2] ~ s[-3:]', vars)).toBe('hello')
    expect(evaluate('s[0]', vars)).toBe('h')
    expect(evaluate('r.results.0.stdout', vars)).toBe('first')
    expect(evaluate("r['results'][0]['stdout']", vars)).toBe('first')
  })

  it('reads Python string literal escapes (unknown escapes keep the backslash)', () => {
    expect(evaluate("'a\\nb'")).toBe('a\nb')
    expect(evaluate("'\\d+'")).toBe('\\d+')
    expect(evaluate("'\\x41\\u00e9'")).toBe('Aé')
    expect(evaluate("'it\\'s'")).toBe("it's")
  })

  it('calls functions stored in variables and the range/dict globals', () => {
    expect(evaluate('greet("x")', { greet: (n: string) => `hi ${n}` })).toBe('hi x')
    expect(evaluate('range(3) | list')).toEqual([0, 1, 2])
    expect(evaluate('dict(a=1, b=2)')).toEqual({ a: 1, b: 2 })
  })
})

describe('names Jinja2 allows after a dot', () => {
  const d = {
    null: 'n',
    true: 't',
    false: 'f',
    none: 'o',
    True: 'T',
    in: 'i',
    if: 'x',
    not: '!',
    is: '='
  }

  it('reads keys named like literals and keywords as attributes (nunjucks would not parse them)', () => {
    expect(render('{{ d.null }}{{ d.true }}{{ d.false }}{{ d.none }}{{ d.True }}', { d })).toBe(
      'ntfoT'
    )
    expect(render('{{ d.in }}{{ d.if }}{{ d.not }}{{ d.is }}', { d })).toBe('ix!=')
    expect(evaluate("d.true == 't' and d.null is defined and d.none | upper == 'O'", { d })).toBe(
      true
    )
    expect(evaluate("d.null.x | default('dflt')", { d })).toBe('dflt')
  })

  it('takes null alone for a variable, undefined unless set: Jinja2 has no null literal', () => {
    expect(templateError(() => render('{{ null }}')).message).toBe("'null' is undefined")
    expect(evaluate('null is defined')).toBe(false)
    expect(evaluate('null', { null: 3 })).toBe(3)
    expect(evaluate('[none, true, false, None, True, False]')).toEqual([
      null,
      true,
      false,
      null,
      true,
      false
    ])
  })
})

describe('Python methods', () => {
  it('splits like str.split', () => {
    expect(evaluate("'  a b\\tc  '.split()")).toEqual(['a', 'b', 'c'])
    expect(evaluate("'a,b,,c'.split(',')")).toEqual(['a', 'b', '', 'c'])
    expect(evaluate("'a,b,c'.split(',', 1)")).toEqual(['a', 'b,c'])
    expect(evaluate("'a b c'.split(None, 1)")).toEqual(['a', 'b c'])
    expect(evaluate("''.split()")).toEqual([])
    expect(evaluate("'a,b,c'.rsplit(',', 1)")).toEqual(['a,b', 'c'])
  })

  it('strips, tests prefixes and replaces', () => {
    expect(evaluate("'  x  '.strip()")).toBe('x')
    expect(evaluate("'xxaxx'.strip('x')")).toBe('a')
    expect(evaluate("'  x'.lstrip() ~ '|' ~ 'x  '.rstrip() ~ '|' ~ 'x\\n'.rstrip('\\n')")).toBe(
      'x|x|x'
    )
    expect(evaluate("'foobar'.startswith('foo')")).toBe(true)
    expect(evaluate("'foobar'.endswith(('baz', 'bar'))")).toBe(true)
    expect(evaluate("'foobar'.startswith(('x', 'y'))")).toBe(false)
    // Python takes a tuple of prefixes, never a list (Ansible fails on one too).
    expect(templateError(() => evaluate("'foobar'.startswith(['foo'])")).message).toContain(
      'startswith/endswith first arg must be str or a tuple of str, not list'
    )
    expect(evaluate("'a-b-c'.replace('-', '+')")).toBe('a+b+c')
    expect(evaluate("'a-b-c'.replace('-', '+', 1)")).toBe('a+b-c')
  })

  it('changes case, splits lines and joins', () => {
    expect(evaluate("'MiXed'.lower() ~ 'MiXed'.upper()")).toBe('mixedMIXED')
    expect(evaluate("'a\\nb\\r\\nc\\n'.splitlines()")).toEqual(['a', 'b', 'c'])
    expect(evaluate("', '.join(l)", { l: ['a', 'b'] })).toBe('a, b')
    expect(templateError(() => evaluate("','.join([1])")).message).toContain(
      'expected str instance, int found'
    )
  })

  it('offers dict get/keys/values/items, preferring methods for calls and data for attributes', () => {
    const vars = { d: { a: 1, b: 2, items: 'data' } }
    expect(evaluate("d.get('a')", vars)).toBe(1)
    expect(evaluate("d.get('zz', 'dflt')", vars)).toBe('dflt')
    expect(evaluate("d.get('zz')", vars)).toBeNull()
    expect(evaluate('d.keys() | list', vars)).toEqual(['a', 'b', 'items'])
    expect(evaluate('d.values() | list', vars)).toEqual([1, 2, 'data'])
    expect(evaluate('d.items() | list', vars)).toEqual([
      ['a', 1],
      ['b', 2],
      ['items', 'data']
    ])
    expect(evaluate('d.items', vars)).toBe('data')
    expect(render('{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}', vars)).toBe(
      'a=1;b=2;items=data;'
    )
  })
})

describe('undefined variables', () => {
  const vars = { r: { rc: 0 } }

  it("throw TemplateError 'x' is undefined when used", () => {
    expect(templateError(() => render('{{ nope }}', vars)).message).toContain("'nope' is undefined")
    expect(templateError(() => render('a {{ nope }} b', vars)).message).toContain(
      "'nope' is undefined"
    )
    expect(templateError(() => evaluate('nope == 1', vars)).message).toContain(
      "'nope' is undefined"
    )
    expect(templateError(() => evaluate('nope ~ "x"', vars)).message).toContain(
      "'nope' is undefined"
    )
    expect(templateError(() => evaluate('nope | upper', vars)).message).toContain(
      "'nope' is undefined"
    )
    expect(templateError(() => evaluate('[nope]', vars)).message).toContain("'nope' is undefined")
    const inLoop = templateError(() => render('{% for i in nope %}{{ i }}{% endfor %}', vars))
    expect(inLoop.message).toBe("'nope' is undefined")
    expect(inLoop.expression).toBe('{% for i in nope %}{{ i }}{% endfor %}')
  })

  it('run lookup(), query() and q() on the controller, and refuse an unknown plugin by its name', () => {
    const env = { ...vars, playbook_dir: process.cwd() }
    expect(evaluate("lookup('pipe', 'echo hi')", env)).toBe('hi')
    expect(evaluate("query('env', 'APB_SURELY_UNSET', default='d')", env)).toEqual(['d'])
    expect(evaluate("q('items', [1, [2]]) | length", env)).toBe(2)
    for (const call of ["lookup('nosuch', 'x')", "query('nosuch')", "q('nosuch') | length"]) {
      const error = templateError(() => evaluate(call, env))
      expect(error.message).not.toContain('is undefined')
      expect(error.message).toBe('lookup plugin (nosuch) not found')
    }
    expect(templateError(() => render('{{ lookup(name) }}', { name: 3 })).message).toMatch(
      /^lookup\(\) needs the lookup's name first/
    )
  })

  it("report a missing key as 'dict object' has no attribute", () => {
    expect(templateError(() => render('{{ r.nokey }}', vars)).message).toContain(
      "'dict object' has no attribute 'nokey'"
    )
    expect(templateError(() => render("{{ r['nokey'] }}", vars)).message).toContain(
      "'dict object' has no attribute 'nokey'"
    )
    expect(templateError(() => evaluate('l[5]', { l: [] })).message).toContain(
      'list object has no element 5'
    )
  })

  it('are chainable, testable and defaultable', () => {
    expect(evaluate('nope is defined', vars)).toBe(false)
    expect(evaluate('nope is undefined', vars)).toBe(true)
    expect(evaluate('nope is not defined', vars)).toBe(true)
    expect(evaluate("nope | default('x')", vars)).toBe('x')
    expect(evaluate("nope | d('y')", vars)).toBe('y')
    expect(evaluate('r.nokey | default(1)', vars)).toBe(1)
    expect(evaluate('nope.attr | default(2)', vars)).toBe(2)
    expect(evaluate('nope.a.b.c is defined', vars)).toBe(false)
    expect(evaluate('r.rc is defined', vars)).toBe(true)
    expect(templateError(() => evaluate('nope.attr', vars)).message).toContain(
      "'nope' is undefined"
    )
  })

  it('throw on truthiness and membership', () => {
    expect(templateError(() => evaluate('nope or 1', vars)).message).toContain(
      "'nope' is undefined"
    )
    expect(templateError(() => evaluate('not nope', vars)).message).toContain("'nope' is undefined")
    expect(templateError(() => evaluate("'a' in nope", vars)).message).toContain(
      "'nope' is undefined"
    )
  })
})

describe('errors', () => {
  it('reports syntax errors as TemplateError with the expression, not a nunjucks stack', () => {
    const err = templateError(() => render('{{ x + }}', { x: 1 }))
    expect(err.expression).toBe('{{ x + }}')
    expect(err.message).toContain('template error while templating string')
    expect(err.message).toContain('{{ x + }}')
    expect(err.message).not.toMatch(/at .*nunjucks/)
    const err2 = templateError(() => render('a {% if %}', {}))
    expect(err2.expression).toBe('a {% if %}')
  })

  it('names unknown filters and tests in Ansible words, with the template', () => {
    expect(templateError(() => render('a {{ 1 | nosuchfilter }}', {})).message).toBe(
      'template error while templating string: Could not load "nosuchfilter": \'nosuchfilter\'. ' +
        'String: a {{ 1 | nosuchfilter }}. Could not load "nosuchfilter": \'nosuchfilter\''
    )
    expect(templateError(() => evaluate('1 is nosuchtest')).message).toBe(
      'template error while templating string: Could not load "nosuchtest": \'nosuchtest\'. ' +
        'String: 1 is nosuchtest. Could not load "nosuchtest": \'nosuchtest\''
    )
  })

  it("reports what Jinja2's lexer refuses in its words, in text and in a lone expression", () => {
    expect(templateError(() => render('a {{ x }', { x: 1 })).message).toBe(
      "template error while templating string: unexpected '}'. String: a {{ x }. unexpected '}'"
    )
    expect(templateError(() => render("{{ 'abc }}", {})).message).toBe(
      'template error while templating string: unexpected char "\'" at 3. String: {{ \'abc }}. ' +
        'unexpected char "\'" at 3'
    )
    expect(templateError(() => render('{{ (1 }}', {})).message).toBe(
      "template error while templating string: unexpected '}', expected ')'. String: {{ (1 }}. " +
        "unexpected '}', expected ')'"
    )
  })

  it("checks statements' nesting as Jinja2's parser does, in its words", () => {
    const reason = (text: string): string => {
      const message = templateError(() => render(text, { x: 1 })).message
      return message.slice(message.lastIndexOf(`String: ${text}. `) + `String: ${text}. `.length)
    }
    expect(reason('{% if x %}a')).toBe(
      "Unexpected end of template. Jinja was looking for the following tags: 'elif' or 'else' or 'endif'. The innermost block that needs to be closed is 'if'."
    )
    expect(reason('{% for i in [1] %}{% if 1 %}{% endfor %}')).toBe(
      "Encountered unknown tag 'endfor'. You probably made a nesting mistake. Jinja is expecting this tag, but currently looking for 'elif' or 'else' or 'endif'. The innermost block that needs to be closed is 'if'."
    )
    expect(reason('{% if 1 %}a{% else %}b{% elif 2 %}{% endif %}')).toBe(
      "Encountered unknown tag 'elif'. Jinja was looking for the following tags: 'endif'. The innermost block that needs to be closed is 'if'."
    )
    // Tags nunjucks knows and Ansible's Jinja2 does not (no extension is enabled by default).
    expect(reason('{% set l = [] %}{% do l.append(1) %}')).toBe("Encountered unknown tag 'do'.")
    expect(reason('{% if x %}a{% elseif 2 %}b{% endif %}')).toBe(
      "Encountered unknown tag 'elseif'. Jinja was looking for the following tags: 'elif' or 'else' or 'endif'. The innermost block that needs to be closed is 'if'."
    )
    expect(reason('{% endif %}')).toBe("Encountered unknown tag 'endif'.")
    // A filtered set block (Jinja2 2.10+), inside a loop too.
    expect(
      render(
        "{% set t | replace('x', 'y=') | upper %}ax{{ 1 }}{% endset %}[{{ t }}] {% for i in [1,2] %}{% set u | trim %}  {{ i }}  {% endset %}<{{ u }}>{% endfor %}",
        {}
      )
    ).toBe('[AY=1] <1><2>')
    // A set with a nested target assigns.
    expect(render('{% set a, (b, c) = [1, [2, 3]] %}{{ a }}{{ c }}', {})).toBe('13')
    // What nests right renders.
    expect(
      render(
        '{% set b %}s{% endset %}{% set n, m = 1, 2 %}{% for i in [1] %}{% if i %}{{ b }}{% elif 0 %}{% else %}{% endif %}{% else %}e{% endfor %}{% with a = 1 %}{{ a }}{% endwith %}{% macro f() %}m{% endmacro %}{{ f() }}{% filter upper %}u{% endfilter %}',
        {}
      )
    ).toBe('s1mU')
  })

  it("reports Python's type errors naming the template, as Ansible does", () => {
    expect(templateError(() => render("{{ x + 'a' }}", { x: 1 })).message).toBe(
      "Unexpected templating type error occurred on ({{ x + 'a' }}): unsupported operand type(s) for +: 'int' and 'str'. " +
        "unsupported operand type(s) for +: 'int' and 'str'"
    )
    // Inside a loop nunjucks re-creates the error from its text: it is still a type error.
    expect(
      templateError(() => render('{% for i in [1] %}{{ i | list }}{% endfor %}', {})).message
    ).toBe(
      "Unexpected templating type error occurred on ({% for i in [1] %}{{ i | list }}{% endfor %}): 'int' object is not iterable. " +
        "'int' object is not iterable"
    )
  })
})

describe('Templar.isTrue', () => {
  const vars = {
    yes: true,
    empty: [],
    n: 0,
    s: 'x',
    r: { finished: 1, failed: false, rc: 0 },
    pending: { finished: 0 }
  }

  it('accepts booleans, bare expressions and {{ }}', () => {
    expect(t.isTrue(true, vars)).toBe(true)
    expect(t.isTrue(false, vars)).toBe(false)
    expect(t.isTrue('yes', vars)).toBe(true)
    expect(t.isTrue('{{ yes }}', vars)).toBe(true)
    expect(t.isTrue('r.rc == 0', vars)).toBe(true)
    expect(t.isTrue(['r.rc == 0', 's'], vars)).toBe(true)
    expect(t.isTrue(['r.rc == 0', 'n'], vars)).toBe(false)
  })

  it('uses Python truthiness', () => {
    for (const falsy of ['empty', 'n', "''", '{}', 'None'])
      expect(t.isTrue(falsy, vars)).toBe(false)
    expect(t.isTrue('s', vars)).toBe(true)
  })

  it('throws for undefined variables', () => {
    expect(templateError(() => t.isTrue('nope', vars)).message).toContain("'nope' is undefined")
    expect(templateError(() => t.isTrue('r.stdout == "x"', vars)).message).toContain(
      "'dict object' has no attribute 'stdout'"
    )
  })

  it('evaluates until: r.finished and until: r is finished alike', () => {
    expect(t.isTrue('r.finished', vars)).toBe(true)
    expect(t.isTrue('r is finished', vars)).toBe(true)
    expect(t.isTrue('pending.finished', vars)).toBe(false)
    expect(t.isTrue('pending is finished', vars)).toBe(false)
    expect(t.isTrue('r is not failed', vars)).toBe(true)
  })

  it('renders embedded templates first, with a warning, then evaluates what they gave (Ansible 2.14)', () => {
    const warnings: string[] = []
    const previous = setLookupWarningSink((m) => warnings.push(m))
    try {
      expect(t.isTrue("s == '{{ s }}'", vars)).toBe(true)
      expect(t.isTrue("'{{ s }}' == 'y'", vars)).toBe(false)
      // `{{ s }}` gives the text x, then evaluated as the expression x: a variable, undefined here.
      expect(templateError(() => t.isTrue('{{ s }}', vars)).message).toContain("'x' is undefined")
      expect(t.isTrue('{{ n }} == 0', vars)).toBe(true)
    } finally {
      setLookupWarningSink(previous)
    }
    expect(warnings).toContain(
      "conditional statements should not include jinja2 templating delimiters such as {{ }} or {% %}. Found: s == '{{ s }}'"
    )
  })

  it("refuses one rendered from data of the targets, as Ansible's unsafe mark does", () => {
    const scope = t.scope(
      new Map<string, ScopeEntry>([
        ['out', { value: "' or lookup('env', 'HOME') or '", trusted: false }],
        ['fact', { value: 'x', trusted: false, safe: true }],
        ['written', { value: '{{ fact }}', trusted: true }]
      ])
    )
    const previous = setLookupWarningSink(() => {})
    try {
      expect(() => t.isTrue("'{{ out }}' == 'x'", scope)).toThrow(UnsafeConditionalError)
      expect(() => t.isTrue("'{{ lookup('env', 'HOME') }}' == 'x'", scope)).toThrow(
        UnsafeConditionalError
      )
      // Untrusted but safe (a set_fact value from trusted variables), and a trusted variable that uses it.
      expect(t.isTrue("'{{ fact }}' == 'x'", scope)).toBe(true)
      expect(t.isTrue("'{{ written }}' == 'x'", scope)).toBe(true)
      // A boolean is never re-evaluated: data of the targets may decide it.
      expect(t.isTrue("{{ out == 'x' }}", scope)).toBe(false)
    } finally {
      setLookupWarningSink(previous)
    }
  })
})

describe('Templar.scope', () => {
  const scopeOf = (entries: Record<string, ScopeEntry>) => t.scope(new Map(Object.entries(entries)))

  it('renders trusted entries lazily against the scope itself, through nested values, once', () => {
    let reads = 0
    const counted = {
      get value() {
        reads++
        return '{{ base }}-x'
      },
      trusted: true
    }
    const scope = scopeOf({
      base: { value: 'b', trusted: true },
      derived: counted,
      nested: { value: { list: ['{{ derived }}', '{{ base | upper }}'] }, trusted: true },
      broken: { value: '{{ nope }}', trusted: true }
    })
    expect(reads).toBe(0)
    expect(scope.nested).toEqual({ list: ['b-x', 'B'] })
    expect(scope.derived).toBe('b-x')
    expect(reads).toBe(1)
    expect(templateError(() => scope.broken).message).toContain("'nope' is undefined")
  })

  it('detects recursive definitions', () => {
    const scope = scopeOf({
      a: { value: '{{ b }}', trusted: true },
      b: { value: '{{ a }}', trusted: true }
    })
    expect(templateError(() => scope.a).message).toContain(
      'recursive loop detected in template string: a'
    )
    const self = scopeOf({ x: { value: '{{ x + 1 }}', trusted: true } })
    expect(templateError(() => self.x).message).toContain(
      'recursive loop detected in template string: x'
    )
  })

  it('returns untrusted entries verbatim and never renders what they contain', () => {
    const remote = {
      stdout: "{{ lookup('pipe','id') }}",
      stderr: '{{ nope }}',
      lines: ['{% if %}']
    }
    const scope = scopeOf({
      r: { value: remote, trusted: false },
      out: { value: '{{ r.stdout }}', trusted: true },
      err: { value: '{{ r.stderr }}', trusted: true },
      both: { value: 'out={{ r.stdout }}', trusted: true },
      via: { value: '{{ out }}', trusted: true }
    })
    expect(scope.r).toBe(remote)
    expect(scope.out).toBe("{{ lookup('pipe','id') }}")
    expect(scope.err).toBe('{{ nope }}')
    expect(scope.both).toBe("out={{ lookup('pipe','id') }}")
    expect(scope.via).toBe("{{ lookup('pipe','id') }}")
    expect(t.render('{{ r.lines }}', scope)).toEqual(['{% if %}'])
    expect(t.isTrue('r.stderr == marker', { ...scope, marker: '{{ nope }}' })).toBe(true)
  })

  it('behaves as an object of getters: keys without rendering, redefinition, deletion, no assignment', () => {
    const scope = scopeOf({
      a: { value: 'A', trusted: true },
      broken: { value: '{{ nope }}', trusted: true },
      raw: { value: '{{ x }}', trusted: false }
    })
    expect(Object.getPrototypeOf(scope)).toBeNull()
    // Listing, `in` and descriptors render nothing (a broken entry is only an error when read).
    expect(Object.keys(scope)).toEqual(['a', 'broken', 'raw'])
    expect('broken' in scope && !('missing' in scope)).toBe(true)
    expect(typeof Object.getOwnPropertyDescriptor(scope, 'broken')?.get).toBe('function')
    expect(Object.prototype.hasOwnProperty.call(scope, 'raw')).toBe(true)
    expect(scope['missing']).toBeUndefined()
    // An entry is read-only, as a getter without a setter is (a TypeError in strict code).
    expect(() => {
      scope['a'] = 'changed'
    }).toThrow(TypeError)
    expect(scope['a']).toBe('A')
    // A property defined later takes the entry's place, keeping its position; a new one comes last.
    Object.defineProperty(scope, 'a', {
      get: () => 'redefined',
      enumerable: true,
      configurable: true
    })
    Object.defineProperty(scope, 'vars', {
      get: () => 'view',
      enumerable: true,
      configurable: true
    })
    expect(scope['a']).toBe('redefined')
    expect(scope['vars']).toBe('view')
    expect(Object.keys(scope)).toEqual(['a', 'broken', 'raw', 'vars'])
    scope['extra'] = 1
    expect(scope['extra']).toBe(1)
    expect(delete scope['broken']).toBe(true)
    expect('broken' in scope).toBe(false)
    expect(scope['broken']).toBeUndefined()
    expect({ ...scope }).toEqual({ a: 'redefined', raw: '{{ x }}', vars: 'view', extra: 1 })
    expect(JSON.stringify(scope)).toBe('{"a":"redefined","raw":"{{ x }}","vars":"view","extra":1}')
  })
})

describe('performance', () => {
  it('renders 10,000 small templates quickly thanks to the compile cache', () => {
    const vars = { x: 1, name: 'web', l: [1, 2, 3] }
    const started = process.cpuUsage()
    for (let i = 0; i < 10_000; i++) {
      t.render(`{{ x + ${i % 50} }}`, vars)
      t.render('host {{ name }} has {{ l | length }}', vars)
    }
    // A loose bound that catches a missing cache (each compile costs ~0.1-1 ms), not a benchmark. CPU
    // time, so that a loaded machine (time spent waiting for a core) does not count.
    const used = process.cpuUsage(started)
    expect((used.user + used.system) / 1000).toBeLessThan(3000)
  })
})
