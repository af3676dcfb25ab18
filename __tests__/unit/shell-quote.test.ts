import { execFileSync } from 'node:child_process'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  isShellVariableName,
  shellJoin,
  shellQuote,
  shlexSplit
} from '../../src/connection/shell-quote.js'

/** Runs `script` with the real /bin/sh and returns its stdout, byte for byte as UTF-8. */
function sh(script: string): string {
  return execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8' })
}

// Characters a shell treats specially, weighted in so that every run meets several of them.
const SHELL_SPECIAL = [
  "'",
  '"',
  '\\',
  '$',
  '`',
  '$(id)',
  '${HOME}',
  '`id`',
  '*',
  '?',
  '[a-z]',
  '~',
  '#',
  '!',
  ';',
  '&',
  '|',
  '<',
  '>',
  '(',
  ')',
  '{',
  '}',
  ' ',
  '\t',
  '\n',
  '\r',
  '=',
  '%',
  '-',
  'é',
  '日本',
  '😀',
  '\u00a0',
  "'\\''"
]

const shellText = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...SHELL_SPECIAL) },
      { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 4 }) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) }
    ),
    { maxLength: 12 }
  )
  .map((parts) => parts.join(''))
  // NUL cannot travel in argv; lone surrogates are not valid UTF-8 and cannot reach a shell either.
  .filter((s) => !s.includes('\0') && !/\p{Cs}/u.test(s))

describe('shellQuote', () => {
  it('round-trips any string through a real /bin/sh as one literal word', () => {
    fc.assert(
      fc.property(shellText, (value) => {
        expect(sh(`printf %s ${shellQuote(value)}`)).toBe(value)
      }),
      { numRuns: 300 }
    )
  })

  it('keeps command substitutions, globs and variables inert', () => {
    for (const value of ['$(touch /tmp/pwned)', '`id`', '*', '$HOME', "it's", '~', 'a b']) {
      expect(sh(`printf '%s\\n' ${shellQuote(value)}`)).toBe(`${value}\n`)
    }
  })

  it('writes the empty string as an empty argument, not as nothing', () => {
    expect(sh(`set -- ${shellQuote('')}; printf %s "$#"`)).toBe('1')
  })

  it('leaves plain words readable', () => {
    expect(shellQuote('/usr/bin/env')).toBe('/usr/bin/env')
    expect(shellQuote('KEY=value,a:b@c%d+e')).toBe('KEY=value,a:b@c%d+e')
    expect(shellQuote('a b')).toBe("'a b'")
    expect(shellQuote("it's")).toBe("'it'\\''s'")
  })
})

describe('shellJoin', () => {
  it('reproduces an argv exactly, one argument per element', () => {
    fc.assert(
      fc.property(fc.array(shellText, { maxLength: 5 }), (argv) => {
        const out = sh(`printf '%s\\0' ${shellJoin(argv)}`)
        // printf with no arguments still prints the format once.
        const expected = argv.length === 0 ? ['\0'] : argv.map((a) => `${a}\0`)
        expect(out).toBe(expected.join(''))
      }),
      { numRuns: 100 }
    )
  })
})

describe('isShellVariableName', () => {
  it('accepts shell identifiers only', () => {
    expect(isShellVariableName('PATH')).toBe(true)
    expect(isShellVariableName('_x1')).toBe(true)
    expect(isShellVariableName('1x')).toBe(false)
    expect(isShellVariableName('A-B')).toBe(false)
    expect(isShellVariableName('A;rm')).toBe(false)
    expect(isShellVariableName('')).toBe(false)
  })
})

// Expectations generated once with Python 3: json.dumps(shlex.split(case)).
const SHLEX_CASES: Array<[string, string[]]> = [
  ['echo hello world', ['echo', 'hello', 'world']],
  ['  leading   and trailing  ', ['leading', 'and', 'trailing']],
  ["a'b c'd", ['ab cd']],
  ['say "hi there"', ['say', 'hi there']],
  ['"a\\"b"', ['a"b']],
  ["'a\\b'", ['a\\b']],
  ['"a\\$b"', ['a\\$b']],
  ['"a\\`b"', ['a\\`b']],
  ['"a\\\\b"', ['a\\b']],
  ['"a\\nb"', ['a\\nb']],
  ['"a\\\nb"', ['a\\\nb']],
  ['a\\ b', ['a b']],
  ['a\\\\b', ['a\\b']],
  ["x\\'y", ["x'y"]],
  ["''", ['']],
  ['""', ['']],
  ["a '' b", ['a', '', 'b']],
  ['x=1 y="2 3"', ['x=1', 'y=2 3']],
  ['tab\tsep\nnewline\rcr', ['tab', 'sep', 'newline', 'cr']],
  ['$(rm -rf /)', ['$(rm', '-rf', '/)']],
  ['echo `id`', ['echo', '`id`']],
  ['glob *.txt ?', ['glob', '*.txt', '?']],
  ['a#b # comment', ['a#b', '#', 'comment']],
  ['unicode é ü 日本', ['unicode', 'é', 'ü', '日本']],
  ['a\u00a0b', ['a\u00a0b']],
  ['a\u3000b', ['a\u3000b']],
  ['a\u2028b', ['a\u2028b']],
  ['a\u000bb', ['a\u000bb']],
  ['a\fb', ['a\fb']],
  ['mixed"dq"\'sq\'plain', ['mixeddqsqplain']],
  ['a\\\nb', ['a\nb']],
  ['"multi\nline"', ['multi\nline']],
  ['--opt="a b"', ['--opt=a b']],
  ["'it'\\''s'", ["it's"]],
  ['semi;colon|pipe&amp', ['semi;colon|pipe&amp']],
  ['"a\'b"', ["a'b"]],
  ["'a\"b'", ['a"b']],
  ['{{ var }} {{ other }}', ['{{', 'var', '}}', '{{', 'other', '}}']],
  ['', []]
]

describe('shlexSplit', () => {
  it.each(SHLEX_CASES)('splits %j as Python shlex.split does', (input, expected) => {
    expect(shlexSplit(input)).toEqual(expected)
  })

  it.each([
    ["'unterminated", 'No closing quotation'],
    ['"unterminated', 'No closing quotation'],
    ['trailing\\', 'No escaped character']
  ])('refuses %j with "%s", as Python does', (input, message) => {
    expect(() => shlexSplit(input)).toThrow(message)
  })

  it('inverts shellJoin for any argv', () => {
    fc.assert(
      fc.property(fc.array(shellText, { maxLength: 5 }), (argv) => {
        expect(shlexSplit(shellJoin(argv))).toEqual(argv)
      }),
      { numRuns: 300 }
    )
  })
})
