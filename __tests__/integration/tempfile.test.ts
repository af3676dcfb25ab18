// tempfile on a real target (the local connection runs /bin/sh here).
import { lstatSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runModuleOn } from '../helpers/module-harness.js'

let dir: string
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'apb-tempfile-'))
})
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

const tempfile = (args: Record<string, unknown>, check = false) =>
  runModuleOn('tempfile', args, { flags: { check, diff: false } })

describe('tempfile', () => {
  it('creates a private file named ansible.XXXXXXXX, changed, with the path fields', async () => {
    const { result } = await tempfile({ path: dir })
    expect(result).toMatchObject({ changed: true, state: 'file', mode: '0600', size: 0 })
    const created = result['path'] as string
    expect(path.dirname(created)).toBe(dir)
    expect(path.basename(created)).toMatch(/^ansible\.[a-z0-9_]{8}$/)
    expect(lstatSync(created).isFile()).toBe(true)
    expect(lstatSync(created).mode & 0o777).toBe(0o600)
    // Always changed, and a new name each time.
    const again = await tempfile({ path: dir })
    expect(again.result['changed']).toBe(true)
    expect(again.result['path']).not.toBe(created)
  })

  it('creates a 0700 directory with prefix and suffix', async () => {
    const { result } = await tempfile({
      path: `${dir}/`,
      state: 'directory',
      prefix: 'build-',
      suffix: '.d'
    })
    const created = result['path'] as string
    expect(result).toMatchObject({ changed: true, state: 'directory', mode: '0700' })
    expect(path.basename(created)).toMatch(/^build-[a-z0-9_]{8}\.d$/)
    expect(path.dirname(created)).toBe(dir)
    expect(lstatSync(created).isDirectory()).toBe(true)
  })

  it('uses the target temporary directory when no path is given, and ~ in path', async () => {
    const { result } = await tempfile({ suffix: '.apb-test' })
    const created = result['path'] as string
    try {
      expect(path.dirname(created)).toBe(process.env['TMPDIR'] ?? '/tmp')
    } finally {
      rmSync(created, { force: true })
    }
    const home = await tempfile({ path: '~', prefix: '.apb-test-' })
    try {
      expect(path.dirname(home.result['path'] as string)).toBe(homedir())
    } finally {
      rmSync(home.result['path'] as string, { force: true })
    }
  })

  it("fails with Python's errno message where the directory is missing or a file", async () => {
    const { result } = await tempfile({ path: `${dir}/missing` })
    expect(result).toMatchObject({ changed: false, failed: true })
    expect(result['msg']).toMatch(
      new RegExp(
        `^\\[Errno 2\\] No such file or directory: '${dir}/missing/ansible\\.[a-z0-9_]{8}'$`
      )
    )
    writeFileSync(path.join(dir, 'plain'), '')
    const file = await tempfile({ path: `${dir}/plain`, state: 'directory' })
    expect(file.result['msg']).toMatch(
      /^\[Errno 20\] Not a directory: '.*\/plain\/ansible\.[a-z0-9_]{8}'$/
    )
  })

  it('is skipped in check mode, as Ansible skips it', async () => {
    const { result, ran } = await tempfile({ path: dir }, true)
    expect(ran).toBe(false)
    expect(result).toMatchObject({
      skipped: true,
      msg: 'remote module (tempfile) does not support check mode'
    })
  })

  it('refuses unknown options and bad states with Ansible messages', async () => {
    expect((await tempfile({ state: 'link' })).result['msg']).toBe(
      'value of state must be one of: file, directory, got: link'
    )
    expect((await tempfile({ mode: '0644' })).result['msg']).toMatch(
      /^Unsupported parameters for \(tempfile\) module: mode/
    )
  })
})
