// Integration: the `file` module on a real filesystem (the local connection), through the harness the
// runner's path uses: check mode changes nothing and says what would change, `diff` holds Ansible's
// before/after, and the round trips are one when nothing differs and two when something does.
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
  existsSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Connection } from '../../src/connection/connection.js'
import { openLocalConnection } from '../../src/connection/local-connection.js'
import { runModuleOn } from '../helpers/module-harness.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'apb-file-module-'))
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

/**
 * A local connection that counts round trips: commands started while none is running. Commands
 * started together (the probes a module reads in parallel over one ssh connection) count once.
 */
function counting(): { connect: () => Promise<Connection>; runs: () => number } {
  let count = 0
  let running = 0
  const inner = openLocalConnection('localhost')
  const counted: Connection = {
    host: inner.host,
    run: async (command, options) => {
      if (running === 0) count++
      running++
      try {
        return await inner.run(command, options)
      } finally {
        running--
      }
    },
    putFile: (p, c, o) => inner.putFile(p, c, o),
    getFile: (p, o) => inner.getFile(p, o),
    close: () => inner.close()
  }
  return { connect: async () => counted, runs: () => count }
}

async function file(
  args: Record<string, unknown>,
  flags: { check?: boolean; diff?: boolean } = {}
): Promise<{ result: Record<string, unknown>; runs: number }> {
  const target = counting()
  const { result } = await runModuleOn('file', args, {
    connect: target.connect,
    flags: { check: flags.check ?? false, diff: flags.diff ?? false }
  })
  return { result, runs: target.runs() }
}

const mode = (p: string): number => statSync(p).mode & 0o7777

describe('file: round trips', () => {
  it('reads once when nothing differs, and acts in a second round trip when something does', async () => {
    const f = path.join(dir, 'f')
    writeFileSync(f, 'x')
    const first = await file({ path: f, mode: '0600' })
    expect(first.result).toMatchObject({ changed: true, mode: '0600', state: 'file' })
    expect(first.runs).toBe(2)
    const second = await file({ path: f, mode: '0600' })
    expect(second.result).toMatchObject({ changed: false, mode: '0600' })
    expect(second.runs).toBe(1)
  })

  it('a second directory, link and hard link run is one round trip and changes nothing', async () => {
    const d = path.join(dir, 'a/b')
    const l = path.join(dir, 'l')
    const h = path.join(dir, 'h')
    writeFileSync(path.join(dir, 'src'), 'x')
    for (const args of [
      { path: d, state: 'directory', mode: '0750' },
      { path: l, src: 'src', state: 'link' },
      { path: h, src: path.join(dir, 'src'), state: 'hard' }
    ]) {
      expect((await file(args)).result['changed']).toBe(true)
      const ctime = lstatSync(args.path).ctimeMs
      const again = await file(args)
      expect(again.result['changed']).toBe(false)
      expect(again.runs, JSON.stringify(args)).toBe(1)
      expect(lstatSync(args.path).ctimeMs).toBe(ctime)
    }
  })
})

describe('file: check mode', () => {
  it('reports each change without making it', async () => {
    const f = path.join(dir, 'f')
    writeFileSync(f, 'x')
    const before = mode(f)
    const cases: Array<[Record<string, unknown>, Record<string, unknown>]> = [
      [{ path: f, mode: '0600' }, { changed: true }],
      [{ path: path.join(dir, 'd/e'), state: 'directory' }, { changed: true }],
      [
        { path: path.join(dir, 't'), state: 'touch' },
        { changed: true, dest: path.join(dir, 't') }
      ],
      [{ path: path.join(dir, 'l'), src: 'f', state: 'link' }, { changed: true }],
      [{ path: path.join(dir, 'h'), src: f, state: 'hard' }, { changed: true }],
      [
        { path: f, state: 'absent' },
        { changed: true, path: f, state: 'file' }
      ]
    ]
    for (const [args, expected] of cases) {
      const { result } = await file(args, { check: true })
      expect(result, JSON.stringify(args)).toMatchObject(expected)
    }
    expect(mode(f)).toBe(before)
    for (const name of ['d', 't', 'l', 'h']) expect(existsSync(path.join(dir, name))).toBe(false)
  })

  it('reports a directory it would remove with what is in it, and keeps it', async () => {
    const full = path.join(dir, 'full')
    mkdirSync(path.join(full, 'sub'), { recursive: true })
    writeFileSync(path.join(full, 'x'), 'x')
    const { result } = await file({ path: full, state: 'absent' }, { check: true, diff: true })
    expect(result['changed']).toBe(true)
    expect(result['diff']).toEqual({
      before: {
        path: full,
        state: 'directory',
        path_content: { directories: [path.join(full, 'sub')], files: [path.join(full, 'x')] }
      },
      after: { path: full, state: 'absent' }
    })
    expect(existsSync(path.join(full, 'x'))).toBe(true)
  })

  it('fails as a real run would where a link would replace a directory that is not empty', async () => {
    const full = path.join(dir, 'full')
    mkdirSync(full)
    writeFileSync(path.join(full, 'x'), 'x')
    const { result } = await file(
      { path: full, src: 'elsewhere', state: 'link', force: true },
      { check: true }
    )
    expect(result).toMatchObject({
      failed: true,
      msg: `the directory ${full} is not empty, refusing to convert it`,
      state: 'directory'
    })
    const removed = await file({ path: full, state: 'absent' }, { check: true })
    // The path is still there: described as it is, as Ansible's check mode does.
    expect(removed.result).toMatchObject({ changed: true, path: full, state: 'directory' })
  })

  it('reports times it would set and recursion it would do, without touching them', async () => {
    const tree = path.join(dir, 'tree')
    mkdirSync(path.join(tree, 'a'), { recursive: true, mode: 0o755 })
    writeFileSync(path.join(tree, 'a/f'), 'x', { mode: 0o644 })
    utimesSync(path.join(tree, 'a/f'), 1_000_000, 1_000_000)
    const times = await file(
      { path: path.join(tree, 'a/f'), modification_time: '202001021234.56' },
      { check: true }
    )
    expect(times.result['changed']).toBe(true)
    expect(statSync(path.join(tree, 'a/f')).mtimeMs).toBe(1_000_000_000)
    const recurse = await file(
      { path: tree, state: 'directory', recurse: true, mode: 'go-rwx' },
      { check: true }
    )
    expect(recurse.result['changed']).toBe(true)
    expect(mode(path.join(tree, 'a/f'))).toBe(0o644)
  })
})

describe('file: diff', () => {
  it("holds Ansible's before/after for state, mode, owner, group and src", async () => {
    const f = path.join(dir, 'f')
    writeFileSync(f, 'x', { mode: 0o644 })
    const uid = statSync(f).uid
    const gid = statSync(f).gid
    const changed = await file(
      { path: f, mode: 'u+x,o=', owner: String(uid), group: String(gid) },
      { diff: true }
    )
    expect(changed.result['diff']).toEqual({
      before: { path: f, mode: '0644' },
      after: { path: f, mode: '0740' }
    })
    symlinkSync('f', path.join(dir, 'l'))
    const relinked = await file({ path: path.join(dir, 'l'), src: 'g', state: 'link', force: true })
    expect(relinked.result).toMatchObject({
      changed: true,
      dest: path.join(dir, 'l'),
      src: 'g',
      diff: {
        before: { path: path.join(dir, 'l'), src: 'f' },
        after: { path: path.join(dir, 'l'), src: 'g' }
      }
    })
    expect(readlinkSync(path.join(dir, 'l'))).toBe('g')
  })
})

describe('file: recurse', () => {
  it('applies a symbolic mode below the directory as Ansible does (X on directories), then changes nothing', async () => {
    const tree = path.join(dir, 'tree')
    mkdirSync(path.join(tree, 'a/b'), { recursive: true })
    writeFileSync(path.join(tree, 'a/x'), 'x', { mode: 0o755 })
    writeFileSync(path.join(tree, 'a/b/y'), 'y', { mode: 0o666 })
    const args = { path: tree, state: 'directory', recurse: true, mode: 'u=rwX,g=rX,o=' }
    expect((await file(args)).result['changed']).toBe(true)
    expect(mode(path.join(tree, 'a'))).toBe(0o750)
    expect(mode(path.join(tree, 'a/x'))).toBe(0o750)
    expect(mode(path.join(tree, 'a/b/y'))).toBe(0o640)
    const ctime = statSync(path.join(tree, 'a/b/y')).ctimeMs
    const again = await file(args)
    expect(again.result['changed']).toBe(false)
    expect(statSync(path.join(tree, 'a/b/y')).ctimeMs).toBe(ctime)
  })
})

describe('file: arguments', () => {
  it('refuses options it does not apply, by name', async () => {
    const { result } = await file({ path: dir, attributes: '+i' })
    expect(result).toMatchObject({ failed: true })
    expect(String(result['msg'])).toContain("'attributes' is not supported yet")
    const unknown = await file({ path: dir, colour: 'red' })
    expect(unknown.result['msg']).toBe(
      'Unsupported parameters for (file) module: colour. Supported parameters include: _diff_peek, _original_basename, access_time, access_time_format, attributes, follow, force, group, mode, modification_time, modification_time_format, owner, path, recurse, selevel, serole, setype, seuser, src, state, unsafe_writes (attr, dest, name).'
    )
  })

  it('reads a path with quotes, spaces and a leading dash literally', async () => {
    const odd = path.join(dir, `-it's a "file" $(x)`)
    const { result } = await file({ path: odd, state: 'touch', mode: '0600' })
    expect(result).toMatchObject({ changed: true, dest: odd, mode: '0600' })
    expect(mode(odd)).toBe(0o600)
  })
})

describe('file: paths as Ansible reads them', () => {
  it('expands a leading ~ and $VAR on the target', async () => {
    const home = process.env['HOME']!
    const name = `apb-file-home-${process.pid}`
    try {
      const { result } = await file({ path: `~/${name}`, state: 'directory', mode: '0700' })
      expect(result).toMatchObject({ changed: true, path: path.join(home, name), mode: '0700' })
      const again = await file({ path: `$HOME/${name}`, state: 'directory', mode: '0700' })
      expect(again.result).toMatchObject({ changed: false, path: path.join(home, name) })
    } finally {
      rmSync(path.join(home, name), { recursive: true, force: true })
    }
  })
})
