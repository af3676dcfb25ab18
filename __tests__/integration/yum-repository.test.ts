// yum_repository on this machine (the local connection): check mode and the INI reading that the
// differential fixture (modules-yum-repository.yml) does not reach; the engine has no check_mode yet.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runModuleOn } from '../helpers/module-harness.js'
import { parseIni } from '../../src/modules/yum-repository.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'apb-yumrepo-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const repo = (args: Record<string, unknown> = {}) => ({
  name: 'epel',
  description: 'EPEL',
  baseurl: 'https://example.org/epel',
  reposdir: dir,
  ...args
})

describe('yum_repository in check mode', () => {
  it('reports the new repository with its diff, and writes nothing', async () => {
    const { result } = await runModuleOn('yum_repository', repo({ enabled: true }), {
      flags: { check: true, diff: true }
    })
    expect(result).toMatchObject({
      changed: true,
      repo: 'epel',
      state: 'present',
      diff: {
        before: '',
        after: '[epel]\nbaseurl = https://example.org/epel\nenabled = 1\nname = EPEL\n\n',
        before_header: `${dir}/epel.repo`
      }
    })
    expect(existsSync(path.join(dir, 'epel.repo'))).toBe(false)
  })

  it('reports a mode to change on a file that says the same, and changes nothing', async () => {
    const file = path.join(dir, 'epel.repo')
    writeFileSync(file, '[epel]\nname=EPEL\nbaseurl=https://example.org/epel\n')
    chmodSync(file, 0o644)
    const same = await runModuleOn('yum_repository', repo(), {
      flags: { check: true, diff: false }
    })
    expect(same.result['changed']).toBe(false)
    const moded = await runModuleOn('yum_repository', repo({ mode: '0600' }), {
      flags: { check: true, diff: false }
    })
    expect(moded.result['changed']).toBe(true)
    expect(readFileSync(file, 'utf8')).toBe('[epel]\nname=EPEL\nbaseurl=https://example.org/epel\n')
  })

  it('reports removing the last repository, and keeps the file', async () => {
    const file = path.join(dir, 'epel.repo')
    writeFileSync(file, '[epel]\nname = EPEL\n')
    const { result } = await runModuleOn('yum_repository', repo({ state: 'absent' }), {
      flags: { check: true, diff: false }
    })
    expect(result).toMatchObject({
      changed: true,
      diff: { before: '[epel]\nname = EPEL\n\n', after: '' }
    })
    expect(existsSync(file)).toBe(true)
  })
})

describe('yum_repository with a password', () => {
  it('writes it into the file and masks it in the result', async () => {
    const { result } = await runModuleOn('yum_repository', repo({ password: 's3cret-pw' }))
    expect(result['changed']).toBe(true)
    expect(JSON.stringify(result)).not.toContain('s3cret-pw')
    expect((result['diff'] as Record<string, string>)['after']).toContain('password = ********')
    expect(readFileSync(path.join(dir, 'epel.repo'), 'utf8')).toContain('password = s3cret-pw\n')
  })
})

describe('yum_repository reading a .repo file', () => {
  it('reads it as configparser does', () => {
    expect(parseIni('# c\n[a]\nKey = v\nmulti: one\n  two\n\n  three\n\n; c\n[b]\nx=1\n')).toEqual([
      {
        name: 'a',
        entries: [
          ['key', 'v'],
          ['multi', 'one\ntwo\n\nthree']
        ]
      },
      { name: 'b', entries: [['x', '1']] }
    ])
  })

  it('refuses a file it cannot read, naming it', async () => {
    writeFileSync(path.join(dir, 'epel.repo'), 'name = before any section\n')
    await expect(runModuleOn('yum_repository', repo())).rejects.toThrow(
      /cannot read .*epel\.repo: line 1 comes before any \[section\] header/
    )
  })
})
