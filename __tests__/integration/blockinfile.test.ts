/**
 * blockinfile on the local connection, through the module harness: inserting, replacing and removing
 * the block, markers, insertafter/insertbefore, create, failures, check mode and diff, and a second run
 * that changes nothing (the file's inode and mtime stay).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runModuleOn } from '../helpers/module-harness.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'apb-blockinfile-'))
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

const file = (name: string, text?: string): string => {
  const p = path.join(dir, name)
  if (text !== undefined) writeFileSync(p, text)
  return p
}
const read = (p: string): string => readFileSync(p, 'utf8')
const run = async (args: Record<string, unknown>, flags = { check: false, diff: false }) =>
  (await runModuleOn('blockinfile', args, { flags })).result

async function twice(args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const first = await run(args)
  const p = String(args['path'])
  const before = statSync(p)
  const second = await run(args)
  expect(second).toMatchObject({ changed: false, msg: '' })
  const after = statSync(p)
  expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs])
  return first
}

const B = '# BEGIN ANSIBLE MANAGED BLOCK\n'
const E = '# END ANSIBLE MANAGED BLOCK\n'

describe('blockinfile', () => {
  it('appends the block, then replaces it in place, then removes it', async () => {
    const p = file('a.conf', 'one\ntwo')
    expect(await twice({ path: p, block: 'x=1\ny=2' })).toMatchObject({
      changed: true,
      msg: 'Block inserted'
    })
    expect(read(p)).toBe(`one\ntwo\n${B}x=1\ny=2\n${E}`)
    writeFileSync(p, `head\n${B}old\n${E}tail\n`)
    await twice({ path: p, content: 'new' })
    expect(read(p)).toBe(`head\n${B}new\n${E}tail\n`)
    expect(await twice({ path: p, state: 'absent' })).toMatchObject({ msg: 'Block removed' })
    expect(read(p)).toBe('head\ntail\n')
  })

  it('an empty block removes the block', async () => {
    const p = file('a.conf', `a\n${B}x\n${E}`)
    expect(await run({ path: p, block: '' })).toMatchObject({ changed: true, msg: 'Block removed' })
    expect(read(p)).toBe('a\n')
  })

  it('uses marker, marker_begin and marker_end', async () => {
    const p = file('a.conf', 'a\n')
    await twice({
      path: p,
      block: 'x',
      marker: '<!-- {mark} managed -->',
      marker_begin: 'start',
      marker_end: 'stop'
    })
    expect(read(p)).toBe('a\n<!-- start managed -->\nx\n<!-- stop managed -->\n')
  })

  it('inserts after or before the last line a regex matches, or at BOF', async () => {
    const p = file('a.conf', '[a]\nk\n[a]\nz\n')
    await twice({ path: p, block: 'x', insertafter: '^\\[a\\]' })
    expect(read(p)).toBe(`[a]\nk\n[a]\n${B}x\n${E}z\n`)
    const q = file('b.conf', 'k\nz\n')
    await twice({ path: q, block: 'x', insertbefore: 'BOF' })
    expect(read(q)).toBe(`${B}x\n${E}k\nz\n`)
    const r = file('c.conf', 'k\nz\n')
    await twice({ path: r, block: 'x', insertbefore: '^z' })
    expect(read(r)).toBe(`k\n${B}x\n${E}z\n`)
  })

  it('a (?m) regex is searched over the whole file', async () => {
    const p = file('a.conf', 'a\nb\nc\n')
    await twice({ path: p, block: 'x', insertafter: '(?m)^b\\nc$' })
    expect(read(p)).toBe(`a\nb\nc\n${B}x\n${E}`)
  })

  it('creates the file with create, and fails without', async () => {
    const missing = path.join(dir, 'sub', 'new.conf')
    expect(await run({ path: missing, block: 'x' })).toEqual({
      changed: false,
      failed: true,
      rc: 257,
      msg: `Path ${missing} does not exist !`
    })
    expect(await twice({ path: missing, block: 'x', create: true })).toMatchObject({
      changed: true,
      msg: 'File created'
    })
    expect(read(missing)).toBe(`${B}x\n${E}`)
    // As Ansible: a missing file is an error before state is looked at, unless create is set.
    expect(await run({ path: file('none'), state: 'absent' })).toMatchObject({ rc: 257 })
    expect(await run({ path: file('none'), state: 'absent', create: true })).toEqual({
      changed: false,
      msg: `File ${path.join(dir, 'none')} not present`
    })
    expect(await run({ path: dir, block: 'x' })).toMatchObject({ failed: true, rc: 256 })
  })

  it('backs up as backup_file and validates', async () => {
    const p = file('a.conf', 'a\n')
    const r = await run({ path: p, block: 'x', backup: true })
    expect(read(String(r['backup_file']))).toBe('a\n')
    expect(await run({ path: p, block: 'y', validate: 'grep -q zzz %s' })).toEqual({
      changed: false,
      failed: true,
      msg: 'failed to validate: rc:1 error:'
    })
  })

  it('in check mode reports the change and its diff, writing nothing', async () => {
    const p = file('a.conf', 'a\n')
    expect(await run({ path: p, block: 'x' }, { check: true, diff: true })).toEqual({
      changed: true,
      msg: 'Block inserted',
      diff: [
        {
          before: 'a\n',
          after: `a\n${B}x\n${E}`,
          before_header: `${p} (content)`,
          after_header: `${p} (content)`
        },
        { before_header: `${p} (file attributes)`, after_header: `${p} (file attributes)` }
      ]
    })
    expect(read(p)).toBe('a\n')
    const n = path.join(dir, 'n.conf')
    expect(
      await run({ path: n, block: 'x', create: true }, { check: true, diff: false })
    ).toMatchObject({
      changed: true,
      msg: 'File created'
    })
    expect(existsSync(n)).toBe(false)
  })
})
