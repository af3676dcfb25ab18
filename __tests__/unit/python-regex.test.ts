/**
 * The Python regex translator, checked against Python itself: every case runs through python3's `re`
 * and through the translated RegExp, and the matches (spans and groups), substitutions and refusals
 * must agree.
 */
import { spawnSync } from 'node:child_process'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  PythonRegexError,
  UnsupportedRegexError,
  pythonSubn,
  translatePythonRegex,
  type RegexMode
} from '../../src/values/python-regex.js'

interface Case {
  pattern: string
  subject: string
  mode: RegexMode
  repl?: string
}

type Outcome =
  | { error: true }
  | {
      matches: Array<{ span: [number, number]; groups: Array<string | null> }>
      sub?: [string, number]
    }

const PYTHON = `
import json, re, sys
out = []
for case in json.load(sys.stdin):
    enc = (lambda s: s.encode('utf-8')) if case['mode'] == 'bytes' else (lambda s: s)
    dec = (lambda b: b.decode('latin-1')) if case['mode'] == 'bytes' else (lambda s: s)
    try:
        rx = re.compile(enc(case['pattern']))
        subject = enc(case['subject'])
        matches = [{'span': list(m.span()), 'groups': [None if g is None else dec(g) for g in m.groups()]}
                   for m in rx.finditer(subject)]
        res = {'matches': matches}
        if case.get('repl') is not None:
            text, n = rx.subn(enc(case['repl']), subject)
            res['sub'] = [dec(text), n]
        out.append(res)
    except (re.error, IndexError):
        out.append({'error': True})
json.dump(out, sys.stdout)
`

function python(cases: Case[]): Outcome[] {
  const res = spawnSync('python3', ['-c', PYTHON], {
    input: JSON.stringify(cases),
    encoding: 'utf8'
  })
  if (res.status !== 0) throw new Error(`python3 failed: ${res.stderr}`)
  return JSON.parse(res.stdout) as Outcome[]
}

function ours(c: Case): Outcome | { refused: string } {
  const subject = c.mode === 'bytes' ? Buffer.from(c.subject, 'utf8').toString('latin1') : c.subject
  const pattern = c.mode === 'bytes' ? Buffer.from(c.pattern, 'utf8').toString('latin1') : c.pattern
  try {
    const rx = translatePythonRegex(pattern, c.mode)
    const matches: Array<{ span: [number, number]; groups: Array<string | null> }> = []
    // finditer: Python's rule for empty matches, as subn applies it.
    let pos = 0
    let mustAdvance = false
    while (pos <= subject.length) {
      rx.regexp.lastIndex = pos
      let m = rx.regexp.exec(subject)
      if (m && mustAdvance && m.index === pos && m[0].length === 0) {
        if (pos >= subject.length) break
        rx.regexp.lastIndex = pos + 1
        m = rx.regexp.exec(subject)
      }
      if (!m) break
      matches.push({
        span: [m.index, m.index + m[0].length],
        groups: m.slice(1).map((g) => g ?? null)
      })
      mustAdvance = m[0].length === 0
      pos = m.index + m[0].length
    }
    const outcome: Outcome = { matches }
    if (c.repl !== undefined) {
      const repl = c.mode === 'bytes' ? Buffer.from(c.repl, 'utf8').toString('latin1') : c.repl
      const { text, count } = pythonSubn(rx, repl, subject)
      outcome.sub = [text, count]
    }
    return outcome
  } catch (error) {
    if (error instanceof UnsupportedRegexError) return { refused: error.message }
    if (error instanceof PythonRegexError) return { error: true }
    throw error
  }
}

/**
 * The one known difference: after an empty match, Python retries at the same place for a non-empty
 * match (a lazy `.*?` then grows); JavaScript cannot ask for that, so we move on one character.
 */
function retriesNonEmptyAfterEmpty(outcome: Outcome): boolean {
  if (!('matches' in outcome)) return false
  const m = outcome.matches
  return m.some(
    (x, k) => k > 0 && x.span[0] === m[k - 1]!.span[1] && m[k - 1]!.span[0] === m[k - 1]!.span[1]
  )
}

const both = (pattern: string, subject: string, repl?: string): Case[] => [
  { pattern, subject, mode: 'bytes', repl },
  { pattern, subject, mode: 'text', repl }
]

const CASES: Case[] = [
  ...both('^a=', 'a=1\nb=2\na=3\n'),
  ...both('^a=.*$', 'a=1\nb=2\na=3\n'),
  ...both('(?m)^a=.*$', 'a=1\nb=2\na=3\n', 'X'),
  ...both(
    '(?m)^\\s*#?\\s*PermitRootLogin\\s+.*$',
    '#PermitRootLogin yes\nPermitRootLogin no\n',
    'PermitRootLogin no'
  ),
  ...both('x$', 'x\n'),
  ...both('x$', 'x\r\n'),
  ...both('x\\Z', 'x\n'),
  ...both('\\Ax', 'x\nx'),
  ...both('(?s)a.b', 'a\nb'),
  ...both('a.b', 'a\nb a\rb'),
  ...both('(?m)b$', 'ab\r\nab\n'),
  ...both('(?i)HELLO', 'hello Hello'),
  ...both('(?P<key>\\w+)=(?P<val>.*)', 'k=v', '\\g<val>=\\g<key>'),
  ...both('(?P<q>[\'"])(.*?)(?P=q)', 'say "hi" and \'yo\''),
  ...both('(\\d+)\\.(\\d+)', 'v1.22 v3.4', '\\2.\\1'),
  ...both('(\\d+)', 'a1b22', '<\\g<1>0>'),
  ...both('(\\d)', 'a1b2', '\\10'),
  ...both('(a)|(b)', 'ab', '[\\1\\2]'),
  ...both('x*', 'abxd', '-'),
  ...both('', 'abc', '-'),
  ...both('a{2,}', 'a aa aaa'),
  ...both('a{,2}', 'aaa'),
  ...both('a{2}', 'aaa'),
  ...both('a{x}', 'a{x}'),
  ...both('{', '{'),
  ...both('a{3,2}', 'aaa'),
  ...both('[]a]', ']a'),
  ...both('[^]a]+', 'xy]z'),
  ...both('[a-c-]+', 'abc-d'),
  ...both('[\\w.-]+@[\\w.-]+', 'me@example.org'),
  ...both('[\\d\\s]+', '1 2\t3'),
  ...both('\\bfoo\\b', 'foo food afoo foo'),
  ...both('\\Bo\\B', 'foo'),
  ...both('(?x) a \\  b # comment\n c', 'a bc'),
  ...both('a(?#comment)b', 'ab'),
  ...both('(?<=a)b', 'ab cb'),
  ...both('(?<!a)b', 'ab cb'),
  ...both('a(?=b)', 'ab ac'),
  ...both('a(?!b)', 'ab ac'),
  ...both('\\x41\\101\\0', 'AA\0'),
  ...both('\\t\\n', '\t\n'),
  ...both('\\$\\.\\*', '$.*'),
  ...both('a|b|', 'abc', '-'),
  ...both('(a', 'a'),
  ...both('a)', 'a'),
  ...both('*a', 'a'),
  ...both('a**', 'a'),
  ...both('\\q', 'q'),
  ...both('(a)\\2', 'aa'),
  ...both('[b-a]', 'a'),
  ...both('a/b', 'a/b'),
  ...both('(?:ab)+', 'ababab'),
  ...both('(ab)*?c', 'ababc'),
  ...both('.*', 'caf\u00e9\n'),
  ...both('\\w+', 'caf\u00e9 na\u00efve'),
  ...both('[\u00e9]', '\u00e9'),
  ...both('\\s+', 'a \u00a0b'),
  ...both('x', 'x', '\\n\\t\\\\.\\&'),
  ...both('(x)', 'x', '\\q'),
  ...both('(x)', 'x', '\\3'),
  ...both('(?P<n>x)', 'x', '\\g<m>'),
  ...both('(?<=ab)c', 'abc xbc'),
  ...both('(?<=a|bc)d', 'ad bcd'),
  ...both('(?<=a|b)d', 'ad bd'),
  ...both('(?<=a+)b', 'aab'),
  ...both('(?<=a{2})b', 'aab ab'),
  ...both('(?<=(a)b)c', 'abc'),
  ...both('(?<!\\d{3})x', '123x 12x'),
  ...both('(?<=(ab)\\1)c', 'ababc'),
  ...both('(a*)(?<=\\1)b', 'aab'),
  ...both('(a)(?<=\\1)b', 'ab'),
  ...both('(a\\1)', 'aa'),
  ...both('(?P<x>a(?P=x))', 'aa'),
  // Python's whitespace, exactly: U+FEFF is not, \x1c-\x1f and \x85 are (JavaScript's \s differs).
  ...both('\\s+', 'a\ufeffb\x1c\x1f\x85c\u3000\u2028d'),
  ...both('\\S+', 'a\ufeffb\x1c\x1f\x85c\u3000\u2028d\xa0e'),
  // \S inside a class (Ansible's own replace test: everything between two anchors).
  ...both('^([\\S\\s]+)$', 'line one\n\tline two\n', '"\\1"'),
  ...both('[\\S]+', 'a\ufeffb \x1c\x85c\u3000\xa0d\uffee'),
  ...both('[^\\S\\n]+', 'a \t\nb\x0bc\u3000d'),
  ...both('[\\Sx]+', 'ab \u2029cd')
]

const REFUSED = ['a++', '(?>a)', '(?(1)a|b)', '(?i:a)', '\\N{DIGIT ONE}']

describe('Python regex translation', () => {
  const expected = python(CASES)
  it.each(
    CASES.map((c, i) => [`${c.mode} /${c.pattern}/ on ${JSON.stringify(c.subject)}`, i] as const)
  )('%s agrees with python3', (_, i) => {
    expect(ours(CASES[i]!)).toEqual(expected[i])
  })

  it.each(REFUSED)('refuses %s, naming the regex and the construct', (pattern) => {
    let error: unknown
    try {
      translatePythonRegex(pattern, 'text')
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(UnsupportedRegexError)
    expect((error as Error).message).toContain(`'${pattern}'`)
    expect((error as Error).message).toMatch(/not supported/)
  })

  it('agrees with python3 on generated expressions', () => {
    const atom = fc.constantFrom(
      'a',
      'b',
      '.',
      '\\d',
      '\\w',
      '\\s',
      '\\S',
      '[ab]',
      '[^a\\n]',
      '\\n',
      'x',
      '^',
      '$',
      '\\b',
      '\\A',
      '\\Z',
      ' '
    )
    const quant = fc.constantFrom('', '', '*', '+', '?', '*?', '{1,2}')
    const piece = fc.tuple(atom, quant).map(([a, q]) => (/^[$^]|\\[bAZ]$/.test(a) ? a : a + q))
    const group = fc.array(piece, { minLength: 1, maxLength: 3 }).map((p) => `(${p.join('')})`)
    const regex = fc
      .tuple(
        fc.constantFrom('', '(?m)', '(?s)', '(?i)', '(?ms)'),
        fc.array(fc.oneof(piece, group), { minLength: 1, maxLength: 5 })
      )
      .map(([flags, parts]) => flags + parts.join(''))
    const subject = fc
      .array(fc.constantFrom('a', 'b', 'A', 'x', ' ', '\n', '\r', '1', '_'), { maxLength: 12 })
      .map((c) => c.join(''))
    const samples = fc.sample(
      fc.tuple(regex, subject, fc.constantFrom<RegexMode>('bytes', 'text')),
      {
        numRuns: 400,
        seed: 12
      }
    )
    const cases: Case[] = samples.map(([pattern, s, mode]) => ({
      pattern,
      subject: s,
      mode,
      repl: '<\\g<0>>'
    }))
    const theirs = python(cases)
    const mismatches = cases
      .map((c, i) => ({ c, ours: ours(c), theirs: theirs[i]! }))
      .filter((r) => JSON.stringify(r.ours) !== JSON.stringify(r.theirs))
      .filter((r) => !retriesNonEmptyAfterEmpty(r.theirs))
      .map((r) => JSON.stringify(r))
    expect(mismatches.slice(0, 3)).toEqual([])
  })
})
