// The one fnmatch translation (find's patterns, host patterns) against Python's fnmatch itself.
import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { fnmatchSource } from '../../src/values/fnmatch.js'

const CASES: Array<[string, string]> = [
  ['web*', 'web1'],
  ['web*', 'db1'],
  ['w?b', 'web'],
  ['*.log', 'a.log'],
  ['*.log', 'a.logx'],
  ['[a-c]x', 'bx'],
  ['[!a-c]x', 'bx'],
  ['[!a-c]x', 'dx'],
  ['[z-a]x', 'zx'],
  ['[]]x', ']x'],
  ['[!]]x', 'ax'],
  ['[x', '[x'],
  ['a-b', 'a-b'],
  ['a/b.c', 'a/b.c'],
  ['***a', 'xxa'],
  ['*', 'line\nbreak'],
  ['[^a]', '^'],
  ['[\\]', '\\']
]

const python = spawnSync('python3', ['--version']).status === 0

describe.skipIf(!python)('fnmatchSource', () => {
  it('matches what Python fnmatch.fnmatchcase matches', () => {
    const script =
      'import fnmatch, json, sys\n' +
      'print(json.dumps([fnmatch.fnmatchcase(n, p) for p, n in json.load(sys.stdin)]))'
    const run = spawnSync('python3', ['-c', script], {
      input: JSON.stringify(CASES),
      encoding: 'utf8'
    })
    expect(run.status, run.stderr).toBe(0)
    const expected = JSON.parse(run.stdout) as boolean[]
    const ours = CASES.map(([p, n]) => new RegExp(`^(?:${fnmatchSource(p)})$`).test(n))
    expect(ours).toEqual(expected)
  })
})
