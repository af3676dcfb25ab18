/**
 * replace on the local connection, through the module harness: every match replaced with Python's
 * templates, the after/before section, encodings, failures, check mode and diff, and a second run that
 * changes nothing (the file's inode and mtime stay).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runModuleOn } from '../helpers/module-harness.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'apb-replace-'))
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

const file = (name: string, text: string | Buffer): string => {
  const p = path.join(dir, name)
  writeFileSync(p, text)
  return p
}
const read = (p: string): string => readFileSync(p, 'utf8')
const run = async (args: Record<string, unknown>, flags = { check: false, diff: false }) =>
  (await runModuleOn('replace', args, { flags })).result

async function twice(args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const first = await run(args)
  const p = String(args['path'])
  const before = statSync(p)
  const second = await run(args)
  expect(second).toEqual({ changed: false, msg: '', rc: 0 })
  const after = statSync(p)
  expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs])
  return first
}

describe('replace', () => {
  it('replaces every match, multiline, with numbered and named groups', async () => {
    const p = file('a.conf', 'host = a\nport = 80\nport = 81\n')
    const r = await twice({ path: p, regexp: '^(?P<k>port) = (8\\d)$', replace: '\\g<k> = 9\\2' })
    expect(r).toEqual({ changed: true, msg: '2 replacements made', rc: 0 })
    expect(read(p)).toBe('host = a\nport = 980\nport = 981\n')
  })

  it('replaces only between after and before', async () => {
    const p = file('a.conf', 'x=1\n# start\nx=2\n# end\nx=3\n')
    await twice({ path: p, regexp: '^x=\\d$', replace: 'x=0', after: '# start', before: '# end' })
    expect(read(p)).toBe('x=1\n# start\nx=0\n# end\nx=3\n')
    await twice({ path: p, regexp: '^x=\\d$', replace: 'x=9', after: '# end' })
    expect(read(p)).toBe('x=1\n# start\nx=0\n# end\nx=9\n')
    await twice({ path: p, regexp: '^x=\\d$', replace: 'x=7', before: '# start' })
    expect(read(p)).toBe('x=7\n# start\nx=0\n# end\nx=9\n')
  })

  it('says when the section is not found', async () => {
    const p = file('a.conf', 'x\n')
    expect(await run({ path: p, regexp: 'x', after: 'nothing' })).toEqual({
      changed: false,
      rc: 0,
      msg: 'Pattern for before/after params did not match the given file: nothing(?P<subsection>.*)'
    })
  })

  it('works on Unicode text and other encodings', async () => {
    const p = file('u.txt', 'caf\u00e9 na\u00efve\n')
    // \w is Unicode on text, as in Python 3 (not a second run: the result matches again).
    await run({ path: p, regexp: '\\w+', replace: '<\\g<0>>' })
    expect(read(p)).toBe('<caf\u00e9> <na\u00efve>\n')
    const l = file('l.txt', Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]))
    await twice({ path: l, regexp: '\u00e9', replace: 'e', encoding: 'latin-1' })
    expect(read(l)).toBe('cafe\n')
    const bad = file('b.txt', Buffer.from([0xff, 0x0a]))
    expect(await run({ path: bad, regexp: 'x' })).toMatchObject({
      failed: true,
      msg: expect.stringContaining('utf-8')
    })
  })

  it('fails as Ansible does', async () => {
    expect(await run({ path: path.join(dir, 'none'), regexp: 'x' })).toEqual({
      changed: false,
      failed: true,
      rc: 257,
      msg: `Path ${path.join(dir, 'none')} does not exist !`
    })
    expect(await run({ path: dir, regexp: 'x' })).toMatchObject({ failed: true, rc: 256 })
    expect(await run({ path: file('a', 'x\n') })).toMatchObject({
      failed: true,
      msg: 'missing required arguments: regexp'
    })
    expect(await run({ path: file('b', 'x\n'), regexp: '(?>x)' })).toMatchObject({
      failed: true,
      msg: expect.stringContaining('atomic group')
    })
    expect(await run({ path: file('c', 'x\n'), regexp: '(x)', replace: '\\2' })).toMatchObject({
      failed: true,
      msg: expect.stringContaining('invalid group reference 2')
    })
  })

  it('backs up as backup_file, validates, and sets the mode', async () => {
    const p = file('a.conf', 'a\n')
    const r = await run({ path: p, regexp: 'a', replace: 'b', backup: true, mode: '0600' })
    expect(r).toMatchObject({
      changed: true,
      msg: '1 replacements made and ownership, perms or SE linux context changed'
    })
    expect(read(String(r['backup_file']))).toBe('a\n')
    expect(statSync(p).mode & 0o777).toBe(0o600)
    expect(await run({ path: p, regexp: 'b', replace: 'c', validate: 'grep -q zzz %s' })).toEqual({
      changed: false,
      failed: true,
      msg: 'failed to validate: rc:1 error:'
    })
    expect(read(p)).toBe('b\n')
    expect(readdirSync(dir)).toHaveLength(2)
  })

  it('in check mode reports the change and its diff, writing nothing', async () => {
    const p = file('a.conf', 'a\n')
    expect(await run({ path: p, regexp: 'a', replace: 'b' }, { check: true, diff: true })).toEqual({
      changed: true,
      rc: 0,
      msg: '1 replacements made',
      diff: { before_header: p, before: 'a\n', after_header: p, after: 'b\n' }
    })
    expect(read(p)).toBe('a\n')
  })
})
