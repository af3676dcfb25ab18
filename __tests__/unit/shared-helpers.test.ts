// The shared helpers that replaced per-folder copies: Python's string order and what a controller path is.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { execFileSync } from 'node:child_process'
import { afterAll, describe, expect, it } from 'vitest'
import { isFile, kindOf } from '../../src/file-kinds.js'
import { byCodePoint } from '../../src/values/code-points.js'

describe('byCodePoint (Python sorted() on str)', () => {
  it('orders by code point, an astral character after U+FF01 (UTF-16 units would put it before)', () => {
    // Python: sorted(['\U0001F600', '\uff01', 'b', 'a', 'ab', '']) == ['', 'a', 'ab', 'b', '！', '😀']
    expect(['\u{1F600}', '\uFF01', 'b', 'a', 'ab', ''].sort(byCodePoint)).toEqual([
      '',
      'a',
      'ab',
      'b',
      '\uFF01',
      '\u{1F600}'
    ])
    expect(byCodePoint('x\u{1F600}', 'x\u{1F601}')).toBeLessThan(0)
    expect(byCodePoint('same', 'same')).toBe(0)
  })
})

describe('kindOf and isFile', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'apb-kinds-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(path.join(dir, 'f'), 'x')
  mkdirSync(path.join(dir, 'd'))
  symlinkSync(path.join(dir, 'd'), path.join(dir, 'link-to-d'))
  execFileSync('mkfifo', [path.join(dir, 'fifo')])

  it('tells a file, a directory (also through a link), something else and nothing apart', () => {
    expect(kindOf(path.join(dir, 'f'))).toBe('file')
    expect(kindOf(path.join(dir, 'd'))).toBe('directory')
    expect(kindOf(path.join(dir, 'link-to-d'))).toBe('directory')
    expect(kindOf(path.join(dir, 'fifo'))).toBe('other')
    expect(kindOf(path.join(dir, 'missing'))).toBeUndefined()
    expect([
      isFile(path.join(dir, 'f')),
      isFile(path.join(dir, 'd')),
      isFile(path.join(dir, 'fifo'))
    ]).toEqual([true, false, false])
  })
})
