// Unit: what copy reads of a controller directory (walkSource: the trailing slash, local_follow, links
// that lead back into the tree) and the tar stream it sends (read back by the system's tar).
import { spawnSync } from 'node:child_process'
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { tarOf, walkSource } from '../../src/modules/copy-tree.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'apb-copy-tree-'))
  mkdirSync(path.join(dir, 'tree/sub/deeper'), { recursive: true })
  writeFileSync(path.join(dir, 'tree/a'), 'a\n')
  writeFileSync(path.join(dir, 'tree/sub/b'), 'b\n')
  writeFileSync(path.join(dir, 'tree/sub/deeper/c'), 'c\n')
  symlinkSync('a', path.join(dir, 'tree/to-a'))
  symlinkSync('sub', path.join(dir, 'tree/to-sub'))
  symlinkSync('..', path.join(dir, 'tree/sub/up'))
  symlinkSync('nowhere', path.join(dir, 'tree/dangling'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe('walkSource', () => {
  it('names the directory itself without a trailing slash, only its contents with one', () => {
    const itself = walkSource(path.join(dir, 'tree'), true)
    expect(itself.files.map((f) => f.rel)).toContain('tree/a')
    const contents = walkSource(`${path.join(dir, 'tree')}/`, true)
    expect(contents.files.map((f) => f.rel)).toContain('a')
    expect(contents.files.map((f) => f.rel)).not.toContain('tree/a')
  })

  it('with local_follow, copies what links lead to, but keeps links back into the tree and dangling ones', () => {
    const tree = walkSource(`${path.join(dir, 'tree')}/`, true)
    expect(tree.files).toContainEqual({ local: path.join(dir, 'tree/a'), rel: 'to-a' })
    expect(tree.directories).toEqual(expect.arrayContaining(['sub', 'to-sub', 'to-sub/deeper']))
    expect(tree.files.map((f) => f.rel)).toContain('to-sub/deeper/c')
    expect(tree.links).toEqual(
      expect.arrayContaining([
        { target: '..', rel: 'sub/up' },
        { target: 'nowhere', rel: 'dangling' }
      ])
    )
  })

  it('without local_follow, every link stays a link', () => {
    const tree = walkSource(`${path.join(dir, 'tree')}/`, false)
    expect(tree.links.map((l) => l.rel).sort()).toEqual(['dangling', 'sub/up', 'to-a', 'to-sub'])
    expect(tree.directories.sort()).toEqual(['sub', 'sub/deeper'])
    expect(tree.files.map((f) => f.rel).sort()).toEqual(['a', 'sub/b', 'sub/deeper/c'])
  })
})

describe('tarOf', () => {
  it('makes an archive that tar extracts to the same bytes, private (0600)', () => {
    const big = Buffer.alloc(70_000, 7)
    const archive = tarOf([
      { index: 0, content: Buffer.from('hello\n') },
      { index: 3, content: big },
      { index: 5, content: Buffer.alloc(0) }
    ])
    const out = path.join(dir, 'out')
    mkdirSync(out)
    const res = spawnSync('tar', ['-x', '-m', '-o', '-f', '-', '-C', out], { input: archive })
    expect(res.status, res.stderr.toString()).toBe(0)
    expect(readFileSync(path.join(out, 'f0'), 'utf8')).toBe('hello\n')
    expect(readFileSync(path.join(out, 'f3')).equals(big)).toBe(true)
    expect(readFileSync(path.join(out, 'f5')).length).toBe(0)
    expect(statSync(path.join(out, 'f0')).mode & 0o777).toBe(0o600)
  })
})
