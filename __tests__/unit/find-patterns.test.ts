// find's pattern languages: globs as Python's fnmatch reads them, and Python `re` patterns for
// `contains` as the POSIX ERE grep -E runs on the target (or a refusal naming the construct).
import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { globRegex, pythonEre, pythonGrep } from '../../src/modules/find-patterns.js'

/** Whether grep -E matches `line` with the ERE made from `pattern` (the target's view). */
function grepMatches(pattern: string, line: string): boolean {
  return (
    spawnSync('grep', ['-q', '-E', '-e', pythonEre(pattern)], { input: `${line}\n` }).status === 0
  )
}

describe('globRegex (fnmatch)', () => {
  it.each([
    ['*.txt', 'a.txt', true],
    ['*.txt', 'a.txt.bak', false],
    ['*', '.hidden', true],
    ['?.log', 'a.log', true],
    ['?.log', 'ab.log', false],
    ['[ab]*', 'beta', true],
    ['[!ab]*', 'beta', false],
    ['[!ab]*', 'gamma', true],
    ['[a-c]x', 'bx', true],
    ['[a-c]x', 'dx', false],
    ['[]]x', ']x', true],
    ['[x', '[x', true],
    ['a.b', 'axb', false],
    ['a+(b)', 'a+(b)', true],
    ['[\\]', '\\', true]
  ])('%s against %s is %s', (glob, name, expected) => {
    expect(globRegex(glob).test(name)).toBe(expected)
  })
})

describe('pythonEre (contains)', () => {
  it.each([
    ['needle', 'needle here', true],
    ['needle', 'a needle', false],
    ['.*needle', 'a needle', true],
    ['[Nn]eedle \\d+', 'Needle 42', true],
    ['[Nn]eedle \\d+', 'Needle x', false],
    ['deep|one', 'one', true],
    ['deep|one', 'x deep', false],
    ['(?:ab)+c', 'ababc', true],
    ['a{2,}', 'aa', true],
    ['a{2,}', 'a', false],
    ['\\w+\\s\\w+$', 'two words', true],
    ['x.*?y', 'xzzy', true],
    ['[]a-]+z', ']-az', true],
    ['[^0-9]', '5', false],
    ['\\.conf$', '.conf', true],
    ['\\.conf$', 'xconf', false],
    ['a\\+b', 'a+b', true],
    ['[\\w.]+@', 'me.you@x', true]
  ])('%s against %s is %s', (pattern, line, expected) => {
    expect(grepMatches(pattern, line)).toBe(expected)
  })

  it.each([
    ['(?=a)b', '(?='],
    ['(a)\\1', '\\1'],
    ['(?P<x>a)', '(?P'],
    ['(?i)abc', '(?i'],
    ['\\bword', '\\b'],
    ['a*+', 'possessive'],
    ['\\Aabc', '\\A']
  ])('refuses %s naming %s', (pattern, named) => {
    expect(() => pythonEre(pattern)).toThrow(named)
  })
})

describe('pythonGrep', () => {
  it('runs a leading (?i) as grep -i', () => {
    expect(pythonGrep('(?i)ab+c')).toEqual({ ere: '^(ab+c)', ignoreCase: true })
    const r = spawnSync('grep', ['-q', '-E', '-i', '-e', pythonGrep('(?i)ab+c').ere], {
      input: 'ABBC\n'
    })
    expect(r.status).toBe(0)
    expect(pythonGrep('ab')).toEqual({ ere: '^(ab)', ignoreCase: false })
  })
})
