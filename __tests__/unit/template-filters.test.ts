import { describe, expect, it } from 'vitest'
import { TemplateError } from '../../src/errors.js'
import { Templar } from '../../src/template/index.js'
import { PyFloat } from '../../src/values/py-float.js'

const t = new Templar()
const ev = (expression: string, vars: Record<string, unknown> = {}) => t.evaluate(expression, vars)
const errorOf = (fn: () => unknown): string => {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(TemplateError)
    return (err as Error).message
  }
  throw new Error('expected a TemplateError')
}

describe('default / d', () => {
  it('replaces undefined values, and falsy ones with boolean=true', () => {
    expect(ev("nope | default('x')")).toBe('x')
    expect(ev("'' | default('x')")).toBe('')
    expect(ev("'' | default('x', true)")).toBe('x')
    expect(ev("0 | d('x', true)")).toBe('x')
    expect(ev("None | default('x')")).toBeNull()
    expect(ev('nope | default')).toBe('')
    expect(ev('v | default(nope)', { v: 1 })).toBe(1)
  })
})

describe('type conversion filters', () => {
  it('bool follows Ansible', () => {
    expect(ev("'yes' | bool")).toBe(true)
    expect(ev("'On' | bool")).toBe(true)
    expect(ev("'TRUE' | bool")).toBe(true)
    expect(ev("'1' | bool")).toBe(true)
    expect(ev('1 | bool')).toBe(true)
    expect(ev("'no' | bool")).toBe(false)
    expect(ev("'banana' | bool")).toBe(false)
    // Ansible 2.14's bool hands None back (printed as nothing), as the Jinja2 table checks.
    expect(ev('None | bool')).toBe(null)
  })

  it('int and float fall back to their default on failure', () => {
    expect(ev("'42' | int")).toBe(42)
    expect(ev("'3.9' | int")).toBe(3)
    expect(ev("'abc' | int")).toBe(0)
    expect(ev("'abc' | int(7)")).toBe(7)
    expect(ev("'ff' | int(base=16)")).toBe(255)
    expect(ev('True | int')).toBe(1)
    expect(ev('None | int')).toBe(0)
    expect(ev("'2.5' | float")).toBe(2.5)
    // An integral float stays a float: 0.0, as Python prints it.
    expect(ev("'x' | float")).toStrictEqual(new PyFloat(0))
    expect(ev("'x' | float")).not.toStrictEqual(new PyFloat(1))
  })

  it('string prints Python str()', () => {
    expect(ev('True | string')).toBe('True')
    expect(ev("['a'] | string")).toBe("['a']")
    expect(ev('None | string')).toBe('None')
  })
})

describe('serialisation filters', () => {
  const data = { b: [1, 'x'], a: { c: true, d: null } }

  it('to_json uses Python json.dumps spacing and escapes non-ASCII', () => {
    expect(ev('data | to_json', { data })).toBe('{"b": [1, "x"], "a": {"c": true, "d": null}}')
    expect(ev("'é' | to_json")).toBe('"\\u00e9"')
  })

  it('to_nice_json indents by 4 and sorts keys', () => {
    expect(ev('data | to_nice_json', { data })).toBe(
      '{\n    "a": {\n        "c": true,\n        "d": null\n    },\n    "b": [\n        1,\n        "x"\n    ]\n}'
    )
    expect(ev('data | to_nice_json(indent=2)', { data: { a: 1 } })).toBe('{\n  "a": 1\n}')
  })

  it('from_json parses and reports bad input as TemplateError', () => {
    expect(ev('s | from_json', { s: '{"a": [1, 2]}' })).toEqual({ a: [1, 2] })
    expect(errorOf(() => ev("'{' | from_json"))).toContain('from_json')
  })

  it('to_yaml and to_nice_yaml write PyYAML-like YAML; from_yaml reads YAML 1.1 booleans', () => {
    expect(ev('data | to_nice_yaml', { data })).toBe('a:\n    c: true\n    d: null\nb:\n- 1\n- x\n')
    expect(ev('{"a": 1} | to_yaml')).toBe('{a: 1}\n')
    expect(ev('{"a": [1, 2]} | to_yaml')).toBe('a: [1, 2]\n')
    expect(ev('s | from_yaml', { s: 'a: yes\nb: [1, two]\nc: "on"' })).toEqual({
      a: true,
      b: [1, 'two'],
      c: 'on'
    })
    expect(ev("{'k': 'yes'} | to_nice_yaml")).toBe("k: 'yes'\n")
  })
})

describe('list filters', () => {
  const users = [
    { name: 'b', age: 30, admin: true },
    { name: 'a', age: 20, admin: false },
    { name: 'c', age: 40, admin: true }
  ]

  it('length/count, join, first, last, list, reverse', () => {
    expect(ev('[1, 2] | length')).toBe(2)
    expect(ev("'abc' | count")).toBe(3)
    expect(ev("{'a': 1} | length")).toBe(1)
    expect(ev("[1, 'a', True] | join(', ')")).toBe('1, a, True')
    expect(ev('[1, 2, 3] | first')).toBe(1)
    expect(ev('[1, 2, 3] | last')).toBe(3)
    expect(ev("'ab' | list")).toEqual(['a', 'b'])
    expect(ev("{'k': 1} | list")).toEqual(['k'])
    expect(ev('[1, 2] | reverse | list')).toEqual([2, 1])
  })

  it('unique, sort, min, max, sum', () => {
    expect(ev('[1, 2, 1, [1], [1]] | unique')).toEqual([1, 2, [1]])
    expect(ev("['b', 'A', 'c'] | sort")).toEqual(['A', 'b', 'c'])
    expect(ev('[3, 1, 2] | sort(reverse=true)')).toEqual([3, 2, 1])
    expect(ev("users | sort(attribute='age') | map(attribute='name') | list", { users })).toEqual([
      'a',
      'b',
      'c'
    ])
    expect(ev('[3, 1, 2] | min')).toBe(1)
    expect(ev('[3, 1, 2] | max')).toBe(3)
    expect(ev("users | max(attribute='age')", { users })).toEqual(users[2])
    expect(ev('[1, 2, 3] | sum')).toBe(6)
    expect(ev('[[1], [2, 3]] | sum(start=[])')).toEqual([1, 2, 3])
    expect(ev("users | sum(attribute='age')", { users })).toBe(90)
  })

  it('map by attribute or by filter name with arguments', () => {
    expect(ev("users | map(attribute='name') | list", { users })).toEqual(['b', 'a', 'c'])
    expect(ev("['1', '2'] | map('int') | list")).toEqual([1, 2])
    expect(ev("['a', 'b'] | map('regex_replace', '^', '-') | list")).toEqual(['-a', '-b'])
    expect(ev("users | map(attribute='missing', default='?') | list", { users })).toEqual([
      '?',
      '?',
      '?'
    ])
  })

  it('select/reject with tests, selectattr/rejectattr', () => {
    expect(ev('[0, 1, 2, None, ""] | select | list')).toEqual([1, 2])
    expect(ev("[1, 2, 3, 4] | select('even') | list")).toEqual([2, 4])
    expect(ev("[1, 2, 3, 4] | reject('==', 2) | list")).toEqual([1, 3, 4])
    expect(ev("['a1', 'b2'] | select('match', 'a') | list")).toEqual(['a1'])
    expect(ev("users | selectattr('admin') | map(attribute='name') | list", { users })).toEqual([
      'b',
      'c'
    ])
    expect(ev("users | rejectattr('admin') | map(attribute='name') | list", { users })).toEqual([
      'a'
    ])
    expect(
      ev("users | selectattr('age', '>', 25) | map(attribute='name') | list", { users })
    ).toEqual(['b', 'c'])
    expect(ev("users | selectattr('name', 'equalto', 'a') | list | length", { users })).toBe(1)
    expect(ev("users | selectattr('nick', 'defined') | list", { users })).toEqual([])
  })

  it('dict2items, items2dict, combine', () => {
    expect(ev("{'a': 1} | dict2items")).toEqual([{ key: 'a', value: 1 }])
    expect(ev("{'a': 1} | dict2items(key_name='k', value_name='v')")).toEqual([{ k: 'a', v: 1 }])
    expect(ev("[{'key': 'a', 'value': 1}] | items2dict")).toEqual({ a: 1 })
    expect(ev("{'a': 1, 'n': {'x': 1}} | combine({'b': 2, 'n': {'y': 2}})")).toEqual({
      a: 1,
      b: 2,
      n: { y: 2 }
    })
    expect(ev("{'n': {'x': 1}} | combine({'n': {'y': 2}}, recursive=True)")).toEqual({
      n: { x: 1, y: 2 }
    })
    expect(ev("{'l': [1]} | combine({'l': [2]}, list_merge='append')")).toEqual({ l: [1, 2] })
    expect(ev("{'a': 1} | combine({'b': 2}, {'c': 3})")).toEqual({ a: 1, b: 2, c: 3 })
  })

  it('flatten, union, intersect, difference, zip', () => {
    expect(ev('[1, [2, [3]]] | flatten')).toEqual([1, 2, 3])
    expect(ev('[1, [2, [3]]] | flatten(1)')).toEqual([1, 2, [3]])
    expect(ev('[1, 2] | union([2, 3])')).toEqual([1, 2, 3])
    expect(ev('[1, 2] | intersect([2, 3])')).toEqual([2])
    expect(ev('[1, 2] | difference([2, 3])')).toEqual([1])
    expect(ev("[1, 2] | zip(['a', 'b']) | list")).toEqual([
      [1, 'a'],
      [2, 'b']
    ])
  })
})

describe('regex filters', () => {
  it('regex_search returns the match, None, or the requested groups', () => {
    expect(ev("'abc123' | regex_search('[0-9]+')")).toBe('123')
    expect(ev("'abc' | regex_search('[0-9]+')")).toBeNull()
    expect(ev("'key=val' | regex_search('(\\\\w+)=(\\\\w+)', '\\\\2', '\\\\1')")).toEqual([
      'val',
      'key'
    ])
    expect(ev("'key=val' | regex_search('(?P<k>\\\\w+)=', '\\\\g<k>')")).toEqual(['key'])
    expect(ev("'ABC' | regex_search('abc', ignorecase=True)")).toBe('ABC')
  })

  it('regex_replace uses Python backreferences and replaces every match', () => {
    expect(ev("'a-b-c' | regex_replace('-', '+')")).toBe('a+b+c')
    expect(ev("'john smith' | regex_replace('(\\\\w+) (\\\\w+)', '\\\\2, \\\\1')")).toBe(
      'smith, john'
    )
    expect(
      ev("'k=v' | regex_replace('(?P<key>\\\\w)=(?P<val>\\\\w)', '\\\\g<val>=\\\\g<key>')")
    ).toBe('v=k')
    expect(ev("'cost' | regex_replace('^', '$')")).toBe('$cost')
    expect(ev("'a\\nb' | regex_replace('^', '> ', multiline=True)")).toBe('> a\n> b')
  })

  it('regex_findall returns matches or groups', () => {
    expect(ev("'a1 b2 c3' | regex_findall('[a-z][0-9]')")).toEqual(['a1', 'b2', 'c3'])
    expect(ev("'a1 b2' | regex_findall('([a-z])[0-9]')")).toEqual(['a', 'b'])
    expect(ev("'a1 b2' | regex_findall('([a-z])([0-9])')")).toEqual([
      ['a', '1'],
      ['b', '2']
    ])
  })

  it('reports invalid patterns as TemplateError', () => {
    expect(errorOf(() => ev("'x' | regex_search('(')"))).toContain('invalid regular expression')
  })
})

describe('string and path filters', () => {
  it('b64encode/b64decode round-trip UTF-8', () => {
    expect(ev("'héllo' | b64encode")).toBe('aMOpbGxv')
    expect(ev("'aMOpbGxv' | b64decode")).toBe('héllo')
  })

  it('basename and dirname follow Python posixpath', () => {
    expect(ev("'/etc/ssh/sshd_config' | basename")).toBe('sshd_config')
    expect(ev("'/etc/ssh/' | basename")).toBe('')
    expect(ev("'/etc/ssh/sshd_config' | dirname")).toBe('/etc/ssh')
    expect(ev("'file' | dirname")).toBe('')
    expect(ev("'/file' | dirname")).toBe('/')
  })

  it('quote quotes for POSIX sh like shlex.quote', () => {
    expect(ev("'simple-word.txt' | quote")).toBe('simple-word.txt')
    expect(ev("'two words' | quote")).toBe("'two words'")
    expect(ev('"it\'s" | quote')).toBe(`'it'"'"'s'`)
    expect(ev("'' | quote")).toBe("''")
    expect(ev("'$(id)' | quote")).toBe("'$(id)'")
  })

  it('trim, replace, lower, upper', () => {
    expect(ev("'  x  ' | trim")).toBe('x')
    expect(ev("'aaa' | replace('a', 'b', 2)")).toBe('bba')
    expect(ev("'Ab' | lower ~ 'Ab' | upper")).toBe('abAB')
  })

  it('abs and round (half to even, ceil, floor)', () => {
    expect(ev('-3 | abs')).toBe(3)
    // round of a float is a float: 2.0, as in Jinja2.
    expect(ev('2.5 | round')).toStrictEqual(new PyFloat(2))
    expect(ev('3.14159 | round(2)')).toBe(3.14)
    expect(ev("2.1 | round(0, 'ceil')")).toStrictEqual(new PyFloat(3))
    expect(ev("2.9 | round(method='floor')")).toStrictEqual(new PyFloat(2))
  })
})

describe('mandatory and ternary', () => {
  it('mandatory names the missing variable', () => {
    expect(errorOf(() => ev('nope | mandatory'))).toContain(
      "Mandatory variable 'nope' not defined."
    )
    expect(errorOf(() => ev("nope | mandatory('set nope please')"))).toContain('set nope please')
    expect(ev('1 | mandatory')).toBe(1)
  })

  it('ternary picks by truthiness, with an optional None value', () => {
    expect(ev("True | ternary('y', 'n')")).toBe('y')
    expect(ev("[] | ternary('y', 'n')")).toBe('n')
    expect(ev("None | ternary('y', 'n', 'none')")).toBe('none')
  })
})

describe('undefined arguments', () => {
  it('every filter except default/d/mandatory refuses undefined input', () => {
    for (const filter of [
      'upper',
      'length',
      'to_json',
      'int',
      'bool',
      'join',
      'combine({})',
      'regex_search("x")'
    ]) {
      expect(errorOf(() => ev(`nope | ${filter}`))).toContain("'nope' is undefined")
    }
    expect(errorOf(() => ev('[1] | join(nope)'))).toContain("'nope' is undefined")
  })
})
