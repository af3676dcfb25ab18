/**
 * lineinfile on the local connection, through the module harness: each option, its failures, check
 * mode and diff, and that a second run changes nothing (no write: the file's inode and mtime stay).
 */
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  symlinkSync,
  chmodSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runModuleOn } from '../helpers/module-harness.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'apb-lineinfile-'))
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
  (await runModuleOn('lineinfile', args, { flags })).result

/** Runs the task twice: the second run must be ok and leave the file untouched. */
async function twice(args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const first = await run(args)
  const p = String(args['path'] ?? args['dest'])
  const before = existsSync(p) ? statSync(p) : undefined
  const second = await run(args)
  expect(second).toMatchObject({ changed: false })
  if (before) {
    const after = statSync(p)
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs])
  }
  return first
}

describe('lineinfile', () => {
  it('replaces the last line matching regexp, then is idempotent', async () => {
    const p = file('a.conf', 'a=1\nb=2\na=2\n')
    const r = await twice({ path: p, regexp: '^a=', line: 'a=3' })
    expect(r).toMatchObject({ changed: true, msg: 'line replaced', backup: '' })
    expect(read(p)).toBe('a=1\nb=2\na=3\n')
  })

  it('with firstmatch replaces the first match', async () => {
    const p = file('a.conf', 'a=1\nb=2\na=2\n')
    await twice({ path: p, regexp: '^a=', line: 'a=3', firstmatch: true })
    expect(read(p)).toBe('a=3\nb=2\na=2\n')
  })

  it('appends at EOF, adding the missing newline first', async () => {
    const p = file('a.conf', 'x=1')
    const r = await twice({ dest: p, line: 'y=2' })
    expect(r).toMatchObject({ changed: true, msg: 'line added' })
    expect(read(p)).toBe('x=1\ny=2\n')
  })

  it('inserts at BOF and before/after a regex', async () => {
    const p = file('a.conf', '[main]\nk=v\n[other]\n')
    await twice({ path: p, line: '# top', insertbefore: 'BOF' })
    await twice({ path: p, line: 'new=1', insertafter: '^\\[main\\]' })
    await twice({ path: p, line: 'before=1', insertbefore: '^\\[other\\]' })
    expect(read(p)).toBe('# top\n[main]\nnew=1\nk=v\nbefore=1\n[other]\n')
  })

  it('inserts after the last match unless firstmatch', async () => {
    const p = file('a.conf', 'x\nx\ny\n')
    await run({ path: p, line: 'L', insertafter: '^x' })
    expect(read(p)).toBe('x\nx\nL\ny\n')
    const q = file('b.conf', 'x\nx\ny\n')
    await run({ path: q, line: 'L', insertafter: '^x', firstmatch: true })
    expect(read(q)).toBe('x\nL\nx\ny\n')
  })

  it('appends when insertafter matches nothing', async () => {
    const p = file('a.conf', 'a\n')
    await twice({ path: p, line: 'L', insertafter: '^nomatch' })
    expect(read(p)).toBe('a\nL\n')
  })

  it('expands backrefs and named groups; changes nothing when backrefs has no match', async () => {
    const p = file('a.conf', 'port = 80\n')
    await twice({
      path: p,
      regexp: '^(?P<key>port) = (?P<value>\\d+)$',
      line: '\\g<key> = 8080',
      backrefs: true
    })
    expect(read(p)).toBe('port = 8080\n')
    const r = await run({ path: p, regexp: '^nothing(.*)$', line: '\\1', backrefs: true })
    expect(r).toMatchObject({ changed: false, msg: '' })
    expect(read(p)).toBe('port = 8080\n')
  })

  it('finds lines by search_string', async () => {
    const p = file('a.conf', 'a.b=1\naxb=2\n')
    await twice({ path: p, search_string: 'a.b', line: 'a.b=9' })
    expect(read(p)).toBe('a.b=9\naxb=2\n')
  })

  it('removes lines by regexp, search_string and exact line, counting them', async () => {
    const p = file('a.conf', '#c1\nk=v\n#c2\nx\n')
    expect(await twice({ path: p, regexp: '^#', state: 'absent' })).toMatchObject({
      changed: true,
      found: 2,
      msg: '2 line(s) removed'
    })
    expect(await run({ path: p, regexp: '^#', state: 'absent' })).toMatchObject({
      found: 0,
      msg: ''
    })
    await twice({ path: p, line: 'x', state: 'absent' })
    await twice({ path: p, search_string: '=', state: 'absent' })
    expect(read(p)).toBe('')
  })

  it('reports a missing file for state=absent', async () => {
    expect(await run({ path: file('none'), line: 'x', state: 'absent' })).toEqual({
      changed: false,
      msg: 'file not present'
    })
  })

  it('fails as Ansible does', async () => {
    const p = file('a.conf', 'a\n')
    expect(await run({ path: file('none'), line: 'x' })).toMatchObject({
      failed: true,
      rc: 257,
      msg: `Destination ${path.join(dir, 'none')} does not exist !`
    })
    expect(await run({ path: dir, line: 'x' })).toMatchObject({
      failed: true,
      rc: 256,
      msg: `Path ${dir} is a directory !`
    })
    expect(await run({ path: p, line: 'x', backrefs: true })).toMatchObject({
      failed: true,
      msg: 'regexp is required with backrefs=true'
    })
    expect(await run({ path: p, regexp: 'a' })).toMatchObject({
      failed: true,
      msg: 'line is required with state=present'
    })
    expect(await run({ path: p, state: 'absent' })).toMatchObject({
      failed: true,
      msg: 'one of line, search_string, or regexp is required with state=absent'
    })
    expect(await run({ path: p, line: 'x', insertafter: 'a', insertbefore: 'b' })).toMatchObject({
      failed: true,
      msg: 'parameters are mutually exclusive: insertbefore|insertafter'
    })
    expect(await run({ path: p, line: 'a', validate: 'true' })).toMatchObject({ changed: false })
    expect(await run({ path: p, line: 'x', validate: 'true' })).toMatchObject({
      failed: true,
      msg: 'validate must contain %s: true'
    })
    expect(await run({ path: p, line: 'x', regexp: 'a++' })).toMatchObject({
      failed: true,
      msg: expect.stringContaining("'a++'")
    })
    expect(await run({ path: p, line: 'x', regexp: '(a' })).toMatchObject({
      failed: true,
      msg: expect.stringContaining('missing )')
    })
    expect(await run({ path: p, line: 'x', selevel: 's0' })).toMatchObject({
      failed: true,
      msg: expect.stringContaining('selevel')
    })
    expect(read(p)).toBe('a\n')
  })

  it('creates the file and its directory with create, with the umask mode or the mode asked', async () => {
    const p = path.join(dir, 'sub', 'new.conf')
    const r = await twice({ path: p, line: 'hello', create: true, mode: '0640' })
    // As Ansible: the new file gets the umask's mode first, then the one asked for.
    expect(r).toMatchObject({
      changed: true,
      msg: 'line added and ownership, perms or SE linux context changed'
    })
    expect(read(p)).toBe('hello\n')
    expect(statSync(p).mode & 0o777).toBe(0o640)
  })

  it('keeps the mode of the file it replaces, and changes it when asked', async () => {
    const p = file('a.conf', 'a\n')
    chmodSync(p, 0o604)
    await run({ path: p, line: 'b' })
    expect(statSync(p).mode & 0o777).toBe(0o604)
    const r = await twice({ path: p, line: 'b', mode: 'u=rw,go=' })
    expect(r).toMatchObject({ changed: true, msg: 'ownership, perms or SE linux context changed' })
    expect(statSync(p).mode & 0o777).toBe(0o600)
    const both = await run({ path: p, line: 'c', mode: '0644' })
    expect(both).toMatchObject({
      msg: 'line added and ownership, perms or SE linux context changed'
    })
  })

  it('writes through a symbolic link to its file', async () => {
    const p = file('real.conf', 'a\n')
    const link = path.join(dir, 'link.conf')
    symlinkSync(p, link)
    await twice({ path: link, line: 'b' })
    expect(read(p)).toBe('a\nb\n')
    expect(readdirSync(dir).sort()).toEqual(['link.conf', 'real.conf'])
  })

  it('makes an Ansible-named backup and returns it', async () => {
    const p = file('a.conf', 'a\n')
    const r = await run({ path: p, line: 'b', backup: true })
    const name = String(r['backup'])
    expect(name).toMatch(
      new RegExp(`^${p.replace(/\./g, '\\.')}\\.\\d+\\.\\d{4}-\\d\\d-\\d\\d@\\d\\d:\\d\\d:\\d\\d~$`)
    )
    expect(read(name)).toBe('a\n')
    expect(read(p)).toBe('a\nb\n')
  })

  it('runs validate on the candidate and keeps the file when it fails', async () => {
    const p = file('a.conf', 'a\n')
    const bad = await run({
      path: p,
      line: 'b',
      validate: 'sh -c \'grep -q zzz "$1" || { echo no >&2; exit 3; }\' _ %s'
    })
    expect(bad).toEqual({
      changed: false,
      failed: true,
      msg: 'failed to validate: rc:3 error:no\n'
    })
    expect(read(p)).toBe('a\n')
    expect(readdirSync(dir)).toEqual(['a.conf'])
    const good = await run({ path: p, line: 'b', validate: 'grep -q b %s' })
    expect(good).toMatchObject({ changed: true })
    expect(read(p)).toBe('a\nb\n')
  })

  it('in check mode reports the change and its diff, writing nothing', async () => {
    const p = file('a.conf', 'a=1\n')
    const r = await run(
      { path: p, regexp: '^a=', line: 'a=2', mode: '0600' },
      { check: true, diff: true }
    )
    expect(r).toEqual({
      changed: true,
      msg: 'line replaced and ownership, perms or SE linux context changed',
      backup: '',
      diff: [
        {
          before: 'a=1\n',
          after: 'a=2\n',
          before_header: `${p} (content)`,
          after_header: `${p} (content)`
        },
        {
          before: { mode: expect.stringMatching(/^0[0-7]{3}$/) },
          after: { mode: '0600' },
          before_header: `${p} (file attributes)`,
          after_header: `${p} (file attributes)`
        }
      ]
    })
    expect(read(p)).toBe('a=1\n')
    const missing = path.join(dir, 'no.conf')
    const created = await run(
      { path: missing, line: 'x', create: true },
      { check: true, diff: true }
    )
    expect(created).toEqual({
      changed: true,
      msg: 'line added',
      backup: '',
      diff: {
        before: '',
        after: 'x\n',
        before_header: `${missing} (content)`,
        after_header: `${missing} (content)`
      }
    })
    expect(existsSync(missing)).toBe(false)
  })

  it('keeps bytes that are not UTF-8 and CRLF line ends', async () => {
    const p = path.join(dir, 'bin.conf')
    writeFileSync(p, Buffer.from([0xff, 0x0d, 0x0a, 0x61, 0x0a]))
    await twice({ path: p, line: 'caf\u00e9' })
    expect(readFileSync(p)).toEqual(
      Buffer.concat([Buffer.from([0xff, 0x0d, 0x0a, 0x61, 0x0a]), Buffer.from('caf\u00e9\n')])
    )
  })
})
