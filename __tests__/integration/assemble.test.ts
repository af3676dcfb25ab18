// assemble on a real target (the local connection runs /bin/sh here), fragments on the target and on
// the controller.
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { pythonEscapeDecode } from '../../src/modules/assemble.js'
import { runModuleOn } from '../helpers/module-harness.js'

let root: string
let frags: string
let n = 0
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'apb-assemble-'))
  frags = path.join(root, `frags${n++}`)
  mkdirSync(frags)
  writeFileSync(path.join(frags, '10-b'), 'b\n')
  writeFileSync(path.join(frags, '02-a'), 'a') // no final newline: one is added before the next
  writeFileSync(path.join(frags, '.hidden'), 'h\n')
  writeFileSync(path.join(frags, 'Z-upper'), 'Z\n')
  mkdirSync(path.join(frags, 'subdir'))
})
afterAll(() => {
  rmSync(root, { recursive: true, force: true })
})

const assemble = (args: Record<string, unknown>, baseDir?: string, check = false) =>
  runModuleOn('assemble', args, { flags: { check, diff: false }, baseDir }).then((r) => r.result)

describe('assemble', () => {
  it('joins fragments in string order, hidden included, directories skipped; ok the second time', async () => {
    const dest = path.join(root, 'out')
    const first = await assemble({ src: frags, dest })
    expect(readFileSync(dest, 'utf8')).toBe('h\na\nb\nZ\n')
    expect(first).toMatchObject({
      changed: true,
      dest,
      src: frags,
      msg: 'OK',
      state: 'file',
      size: 8,
      checksum: expect.stringMatching(/^[0-9a-f]{40}$/),
      md5sum: expect.stringMatching(/^[0-9a-f]{32}$/)
    })
    const mtime = statSync(dest).mtimeMs
    const second = await assemble({ src: frags, dest })
    expect(second).toMatchObject({ changed: false, checksum: first['checksum'] })
    expect(statSync(dest).mtimeMs).toBe(mtime)
  })

  it('delimiter between fragments (escapes decoded, a newline after it), regexp, ignore_hidden', async () => {
    const dest = path.join(root, 'delimited')
    await assemble({
      src: frags,
      dest,
      delimiter: '# --\\t--',
      ignore_hidden: true,
      regexp: '^\\d'
    })
    expect(readFileSync(dest, 'utf8')).toBe('a\n# --\t--\nb\n')
  })

  it('backup, validate and mode', async () => {
    const dest = path.join(root, 'validated')
    writeFileSync(dest, 'old\n')
    const refused = await assemble({ src: frags, dest, validate: 'grep -q nothing-like-this %s' })
    expect(refused).toMatchObject({ failed: true, msg: 'failed to validate: rc:1 error:' })
    expect(readFileSync(dest, 'utf8')).toBe('old\n')
    const done = await assemble({
      src: frags,
      dest,
      validate: 'grep -q b %s',
      backup: true,
      mode: '0640'
    })
    expect(done).toMatchObject({ changed: true, mode: '0640' })
    expect(readFileSync(done['backup_file'] as string, 'utf8')).toBe('old\n')
    expect(statSync(dest).mode & 0o777).toBe(0o640)
    expect(await assemble({ src: frags, dest, mode: '0600' })).toMatchObject({
      changed: true,
      mode: '0600'
    })
  })

  it('fragments on the controller with remote_src: false, found under files/', async () => {
    const base = path.join(root, 'playbook')
    mkdirSync(path.join(base, 'files', 'parts'), { recursive: true })
    writeFileSync(path.join(base, 'files', 'parts', 'a'), 'one\n')
    writeFileSync(path.join(base, 'files', 'parts', 'b'), 'two\n')
    const dest = path.join(root, 'local')
    const result = await assemble(
      { src: 'parts', dest, remote_src: false, delimiter: '--\n' },
      base
    )
    // Ansible's controller-side join puts a newline after the delimiter even when it has one.
    expect(readFileSync(dest, 'utf8')).toBe('one\n--\n\ntwo\n')
    expect(result).toMatchObject({ changed: true, dest })
    expect(result['msg']).toBeUndefined()
    expect(
      await assemble({ src: 'parts', dest, remote_src: false, delimiter: '--\n' }, base)
    ).toMatchObject({ changed: false })
  })

  it('fails with Ansible messages', async () => {
    expect(
      await assemble({ src: path.join(root, 'none'), dest: path.join(root, 'x') })
    ).toMatchObject({
      failed: true,
      msg: `Source (${path.join(root, 'none')}) does not exist`
    })
    expect(
      await assemble({ src: path.join(frags, '10-b'), dest: path.join(root, 'x') })
    ).toMatchObject({
      failed: true,
      msg: `Source (${path.join(frags, '10-b')}) is not a directory`
    })
    expect(await assemble({ src: frags, dest: root })).toMatchObject({
      failed: true,
      msg: `attempted to take checksum of directory: ${root}`
    })
    expect(
      await assemble({ src: frags, dest: path.join(root, 'x'), validate: 'true' })
    ).toMatchObject({
      failed: true,
      msg: 'validate must contain %s: true'
    })
    expect(await assemble({ src: frags, dest: path.join(root, 'x'), seuser: 'u' })).toMatchObject({
      failed: true
    })
    expect(await assemble({ src: frags, dest: path.join(root, 'x'), bogus: 1 })).toMatchObject({
      failed: true,
      msg: expect.stringMatching(
        /^Unsupported parameters for \(ansible\.legacy\.assemble\) module: bogus/
      )
    })
  })

  it('refuses an unreadable fragment by name', async () => {
    if (process.getuid?.() === 0) return // root reads everything
    chmodSync(path.join(frags, '10-b'), 0)
    await expect(assemble({ src: frags, dest: path.join(root, 'y') })).rejects.toThrow(
      /cannot read the fragment 10-b/
    )
  })

  it('expands ~ in src and dest on the target', async () => {
    const name = `.apb-assemble-${process.pid}`
    try {
      const result = await assemble({ src: `~/${name}-frags`, dest: `~/${name}` })
      expect(result).toMatchObject({
        failed: true,
        msg: `Source (${homedir()}/${name}-frags) does not exist`
      })
      mkdirSync(path.join(homedir(), `${name}-frags`))
      writeFileSync(path.join(homedir(), `${name}-frags`, 'a'), 'home\n')
      expect(await assemble({ src: `~/${name}-frags`, dest: `~/${name}` })).toMatchObject({
        changed: true,
        dest: path.join(homedir(), name)
      })
      expect(readFileSync(path.join(homedir(), name), 'utf8')).toBe('home\n')
    } finally {
      rmSync(path.join(homedir(), name), { force: true })
      rmSync(path.join(homedir(), `${name}-frags`), { recursive: true, force: true })
    }
  })

  it('is skipped in check mode, as Ansible skips it', async () => {
    expect(
      await assemble({ src: frags, dest: path.join(root, 'c') }, undefined, true)
    ).toMatchObject({
      skipped: true,
      msg: 'check mode is not supported for this task.'
    })
  })

  it("decodes delimiters as Python's escape_decode", () => {
    expect(pythonEscapeDecode('a\\nb\\x41\\101\\\\\\q').toString('latin1')).toBe('a\nbAA\\\\q')
  })
})
