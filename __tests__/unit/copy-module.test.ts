// Unit: copy and template on the local connection where the case data cannot say it: attributes that
// change on a file the user owns (diff and check mode), follow through a link, a tree copy that needs
// tar on a target without it, and a chown the target refuses.
import {
  chmodSync,
  lstatSync,
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
import type { Connection } from '../../src/connection/connection.js'
import { openLocalConnection } from '../../src/connection/local-connection.js'
import { runModuleOn } from '../helpers/module-harness.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'apb-copy-module-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe('copy', () => {
  it('only the mode differs: changed, with the file module diff, and check mode leaves the mode', async () => {
    const file = path.join(dir, 'x')
    writeFileSync(file, 'same\n')
    chmodSync(file, 0o644)
    const args = { content: 'same\n', dest: file, mode: '0600' }
    const checked = await runModuleOn('copy', args, { flags: { check: true, diff: true } })
    expect(checked.result).toMatchObject({ changed: true, mode: '0644' })
    expect(statSync(file).mode & 0o777).toBe(0o644)
    const { result } = await runModuleOn('copy', args, { flags: { check: false, diff: true } })
    expect(result).toMatchObject({
      changed: true,
      mode: '0600',
      diff: { before: { path: file, mode: '0644' }, after: { path: file, mode: '0600' } }
    })
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const again = await runModuleOn('copy', args)
    expect(again.result).toMatchObject({ changed: false, mode: '0600', path: file })
  })

  it('follow writes through a link at dest and leaves the link; without it the link is replaced', async () => {
    writeFileSync(path.join(dir, 'real'), 'old\n')
    symlinkSync('real', path.join(dir, 'link'))
    const followed = await runModuleOn('copy', {
      content: 'new\n',
      dest: path.join(dir, 'link'),
      follow: true
    })
    expect(followed.result).toMatchObject({ changed: true, dest: path.join(dir, 'real') })
    expect(lstatSync(path.join(dir, 'link')).isSymbolicLink()).toBe(true)
    expect(readFileSync(path.join(dir, 'real'), 'utf8')).toBe('new\n')
    await runModuleOn('copy', { content: 'own\n', dest: path.join(dir, 'link') })
    expect(lstatSync(path.join(dir, 'link')).isFile()).toBe(true)
    expect(readFileSync(path.join(dir, 'real'), 'utf8')).toBe('new\n')
  })

  it('a directory copy names tar when the target has none', async () => {
    mkdirSync(path.join(dir, 'tree'))
    writeFileSync(path.join(dir, 'tree', 'a'), 'a\n')
    writeFileSync(path.join(dir, 'tree', 'b'), 'b\n')
    const bin = path.join(dir, 'bin')
    mkdirSync(bin)
    // A PATH with every tool of the system but tar.
    for (const tool of [
      'sh',
      'mkdir',
      'od',
      'tr',
      'sed',
      'cat',
      'stat',
      'sha1sum',
      'cut',
      'readlink',
      'rm',
      'chmod',
      'mv',
      'dirname',
      'basename',
      'find',
      'head',
      'grep',
      'id',
      'getent',
      'chown',
      'chgrp',
      'awk',
      'printf',
      'umask'
    ])
      try {
        symlinkSync(`/usr/bin/${tool}`, path.join(bin, tool))
      } catch {
        // Not every name is a program everywhere.
      }
    // The local connection, with that PATH for every command the module runs.
    const local = openLocalConnection('localhost')
    const withoutTar: Connection = {
      host: local.host,
      run: (command, options) => local.run(`PATH=${bin}; export PATH; ${command}`, options),
      putFile: (p, content, options) => local.putFile(p, content, options),
      getFile: (p, options) => local.getFile(p, options),
      close: () => local.close()
    }
    const { result } = await runModuleOn(
      'copy',
      { src: `${path.join(dir, 'tree')}/`, dest: path.join(dir, 'out') },
      { connect: async () => withoutTar }
    )
    expect(result).toMatchObject({ failed: true })
    expect(result['msg']).toBe(
      'copy: copying a directory needs tar on the target: tar is not installed on the target'
    )
    await local.close()
  })

  it('refuses the options it does not do by name', async () => {
    for (const [name, value] of [
      ['attributes', '+i'],
      ['unsafe_writes', true],
      ['seuser', 'system_u']
    ] as const) {
      const { result, ran } = await runModuleOn('copy', {
        content: 'x\n',
        dest: path.join(dir, 'x'),
        [name]: value
      })
      expect(ran).toBe(false)
      expect(result).toMatchObject({ failed: true })
      expect(String(result['msg'])).toContain(`'${name}' is not supported yet`)
    }
  })
})
