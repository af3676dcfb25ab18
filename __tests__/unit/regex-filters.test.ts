/**
 * The template's regex filters and tests (regex_search, regex_replace, regex_findall, match, search),
 * checked against python3's `re` doing what Ansible's filters do. The cases are the constructs the old
 * template translator (src/template/regex.ts, a handful of textual rewrites over a JavaScript RegExp)
 * got wrong; they now go through the one translator, src/values/python-regex.ts.
 */
import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { TemplateError } from '../../src/errors.js'
import { Templar } from '../../src/template/index.js'
import {
  regexFindall,
  regexReplace,
  regexSearch,
  regexTest
} from '../../src/template/regex-filters.js'

interface Case {
  /** What it shows, for the test's name. */
  what: string
  fn: 'search' | 'findall' | 'sub' | 'match'
  pattern: string
  value: string
  repl?: string
  ignorecase?: boolean
  multiline?: boolean
}

/** What Ansible's filters do, in Python: re.search / re.findall / re.sub / re.match with the flags. */
const PYTHON = `
import json, re, sys
out = []
for c in json.load(sys.stdin):
    flags = (re.I if c.get('ignorecase') else 0) | (re.M if c.get('multiline') else 0)
    try:
        rx = re.compile(c['pattern'], flags)
        if c['fn'] == 'search':
            m = rx.search(c['value'])
            out.append({'value': m.group() if m else None})
        elif c['fn'] == 'match':
            out.append({'value': rx.match(c['value']) is not None})
        elif c['fn'] == 'findall':
            out.append({'value': [list(x) if isinstance(x, tuple) else x for x in rx.findall(c['value'])]})
        else:
            out.append({'value': rx.sub(c['repl'], c['value'])})
    except (re.error, IndexError):
        out.append({'error': True})
json.dump(out, sys.stdout)
`

const CASES: Case[] = [
  { what: '$ matches before a final newline', fn: 'search', pattern: 'a$', value: 'xa\n' },
  { what: '. matches a carriage return', fn: 'search', pattern: 'a.b', value: 'a\rb' },
  { what: '. matches U+2028', fn: 'search', pattern: 'a.b', value: 'a\u2028b' },
  { what: '\\d is Unicode on text', fn: 'findall', pattern: '\\d+', value: 'x\u0663\u0664y 12' },
  { what: '\\w is Unicode on text', fn: 'findall', pattern: '\\w+', value: 'café naïve' },
  { what: '\\b knows Unicode letters', fn: 'findall', pattern: '\\bé\\w*', value: 'éa aé' },
  { what: '\\s knows \\x1c', fn: 'sub', pattern: '\\s', value: 'a\x1cb', repl: '_' },
  { what: '{,n} is a quantifier', fn: 'search', pattern: 'a{,2}b', value: 'aab' },
  { what: '{,n} with a group', fn: 'findall', pattern: '(ab){,2}c', value: 'ababc' },
  {
    what: '(?m)^ does not start a line after \\r',
    fn: 'findall',
    pattern: '^x',
    value: 'a\rx\nx',
    multiline: true
  },
  {
    what: '(?m)$ does not end a line before \\r',
    fn: 'findall',
    pattern: 'a$',
    value: 'a\ra\n',
    multiline: true
  },
  {
    what: 'verbose (?x) with comments',
    fn: 'search',
    pattern: '(?x) a  b  # the letters\n c',
    value: 'zabc'
  },
  { what: '(?s) lets . match a newline', fn: 'search', pattern: '(?s)a.b', value: 'a\nb' },
  { what: '\\Z is the very end', fn: 'search', pattern: 'a\\Z', value: 'a\n' },
  {
    what: 'named group and (?P=name)',
    fn: 'sub',
    pattern: '(?P<c>\\w)(?P=c)',
    value: 'aabcc',
    repl: '<\\g<c>>'
  },
  { what: "JavaScript's (?<name>) is not Python's", fn: 'search', pattern: '(?<n>a)', value: 'a' },
  { what: 'a bad escape in the replacement', fn: 'sub', pattern: 'a', value: 'a', repl: '\\q' },
  {
    what: 'an octal escape in the replacement',
    fn: 'sub',
    pattern: 'a',
    value: 'a',
    repl: '\\101'
  },
  {
    what: 'a group past the last in the replacement',
    fn: 'sub',
    pattern: '(a)',
    value: 'a',
    repl: '\\2'
  },
  { what: 'match anchors at the start', fn: 'match', pattern: 'b', value: 'ab' },
  { what: 'match is not anchored at the end', fn: 'match', pattern: 'a', value: 'ab' },
  {
    what: 'ignorecase',
    fn: 'findall',
    pattern: 'straße',
    value: 'STRASSE Straße',
    ignorecase: true
  },
  { what: 'findall with two groups', fn: 'findall', pattern: '(a)(b)?', value: 'ab a' },
  { what: 'findall after an empty match', fn: 'findall', pattern: 'a*', value: 'baaac' },
  { what: 'a reversed range is an error', fn: 'search', pattern: '[z-a]', value: 'a' }
]

function python(cases: Case[]): Array<{ value?: unknown; error?: true }> {
  const res = spawnSync('python3', ['-c', PYTHON], {
    input: JSON.stringify(cases),
    encoding: 'utf8'
  })
  if (res.status !== 0) throw new Error(`python3 failed: ${res.stderr}`)
  return JSON.parse(res.stdout) as Array<{ value?: unknown; error?: true }>
}

function ours(c: Case): { value?: unknown; error?: true } {
  const options = { ignorecase: c.ignorecase, multiline: c.multiline }
  try {
    switch (c.fn) {
      case 'search':
        return { value: regexSearch(c.value, c.pattern, [], options) }
      case 'match':
        return { value: regexTest(c.value, c.pattern, options, true) }
      case 'findall':
        return { value: regexFindall(c.value, c.pattern, options) }
      case 'sub':
        return { value: regexReplace(c.value, c.pattern, c.repl ?? '', options) }
    }
  } catch (error) {
    if (error instanceof TemplateError) return { error: true }
    throw error
  }
}

describe('regex filters against python3', () => {
  const expected = python(CASES)
  it.each(CASES.map((c, i) => [c.what, c, i] as const))('%s', (_, c, i) => {
    expect(ours(c)).toEqual(expected[i])
  })
})

describe('regex filters in templates', () => {
  const templar = new Templar()
  const ev = (expression: string, vars: Record<string, unknown> = {}): unknown =>
    templar.evaluate(expression, vars)

  it("gives Python's reason for a pattern it cannot compile", () => {
    expect(() => ev("'x' | regex_search('(')")).toThrow(
      "invalid regular expression '(': missing ), unterminated subpattern at position 0"
    )
  })

  it('refuses a construct it does not translate, naming it', () => {
    expect(() => ev("'x' | regex_search('(?>x)')")).toThrow(/atomic group/)
  })

  it('tests match and search with Python semantics', () => {
    expect(ev("'ab\n' is search('b$')")).toBe(true)
    expect(ev("'ab' is match('b')")).toBe(false)
    expect(ev("'A1' is match('a\\\\d', ignorecase=true)")).toBe(true)
  })

  it('regex_search returns the groups asked for, by number and name', () => {
    expect(ev("'k=v' | regex_search('(?P<k>\\\\w)=(\\\\w)', '\\\\g<k>', '\\\\2')")).toEqual([
      'k',
      'v'
    ])
  })
})
