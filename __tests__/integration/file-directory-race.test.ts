/**
 * file state=directory when another process makes the same directory between our check and our mkdir
 * (hosts that share a filesystem, or two plays at once): as in Ansible (which ignores EEXIST when a
 * directory is there), the task succeeds instead of failing with "File exists". Found by the bench's
 * modules scenario, where ten inventory hosts on one machine create the same parent at once.
 *
 * The race is made deterministic with a `mkdir` first on PATH that loses it: it lets the real mkdir
 * make the directory (the other process), then fails with EEXIST as ours would.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runModuleOn } from '../helpers/module-harness.js'

let dir: string
let savedPath: string | undefined
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'apb-file-race-'))
  savedPath = process.env['PATH']
})
afterEach(() => {
  process.env['PATH'] = savedPath
  rmSync(dir, { recursive: true, force: true })
})

/** Puts a `mkdir` first on PATH that runs `other` (what the other process does), then fails. */
function losingMkdir(other: string): void {
  const bin = path.join(dir, 'bin')
  mkdirSync(bin)
  const fake = path.join(bin, 'mkdir')
  writeFileSync(
    fake,
    `#!/bin/sh\n# the last argument is the directory\nfor p; do :; done\n${other}\n` +
      `echo "mkdir: cannot create directory '$p': File exists" >&2\nexit 1\n`
  )
  chmodSync(fake, 0o755)
  process.env['PATH'] = `${bin}:${savedPath ?? '/usr/bin:/bin'}`
}

describe('file state=directory racing another creator', () => {
  it('succeeds when the directory appears between the check and the mkdir', async () => {
    const target = path.join(dir, 'shared', 'mine')
    losingMkdir('/bin/mkdir -- "$p"')
    const { result } = await runModuleOn('file', { path: target, state: 'directory' })
    expect(result['failed']).toBeUndefined()
    expect(result).toMatchObject({ changed: true, path: target, state: 'directory' })
    expect(statSync(target).isDirectory()).toBe(true)
  })

  it('still fails when what appeared is a file', async () => {
    const target = path.join(dir, 'shared')
    losingMkdir(': > "$p"')
    const { result } = await runModuleOn('file', { path: target, state: 'directory' })
    expect(result).toMatchObject({ failed: true })
    expect(String(result['msg'])).toContain(`There was an issue creating ${target} as requested`)
  })
})
