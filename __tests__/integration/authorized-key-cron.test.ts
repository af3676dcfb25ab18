// authorized_key and cron on a real target (the local connection runs /bin/sh here): check mode and
// diff, which the differential fixtures cannot reach yet (the engine takes no check_mode or --diff).
import { spawnSync } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { userInfo, tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Connection } from '../../src/connection/connection.js'
import { openLocalConnection } from '../../src/connection/local-connection.js'
import { Gatekeeper } from '../helpers/cmdline-watch.js'
import { runModuleOn } from '../helpers/module-harness.js'

const K1 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKeyOne0000000000000000000000000001 one@example'
const K2 = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQKeyTwo00000000000000000000000000002 two@example'
const me = userInfo().username
const NO_USER = 'apb-no-such-user-x'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'apb-akcron-'))
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

const run = (
  module: string,
  args: Record<string, unknown>,
  flags: { check?: boolean; diff?: boolean } = {}
) =>
  runModuleOn(module, args, { flags: { check: flags.check ?? false, diff: flags.diff ?? false } })

describe('authorized_key', () => {
  it('check mode reports the change and its diff, and writes nothing', async () => {
    const keys = path.join(dir, 'ssh', 'keys')
    const { result } = await run(
      'authorized_key',
      { user: me, key: `${K1}\n\n# a comment\n${K2}`, path: keys },
      { check: true, diff: true }
    )
    expect(result).toMatchObject({
      changed: true,
      keyfile: keys,
      diff: { before: '', after: `${K1}\n${K2}\n`, before_header: keys, after_header: keys }
    })
    expect(existsSync(path.join(dir, 'ssh'))).toBe(false)
  })

  it('check mode with a path needs no user; without one, the user must exist', async () => {
    const keys = path.join(dir, 'keys')
    const withPath = await run(
      'authorized_key',
      { user: NO_USER, key: K1, path: keys },
      { check: true }
    )
    expect(withPath.result).toMatchObject({ changed: true, keyfile: keys })
    const withoutPath = await run('authorized_key', { user: NO_USER, key: K1 }, { check: true })
    expect(withoutPath.result).toMatchObject({
      failed: true,
      msg: 'Either user must exist or you must provide full path to key file in check mode'
    })
    const notInCheck = await run('authorized_key', { user: NO_USER, key: K1 })
    expect(notInCheck.result['msg']).toBe(
      `Failed to lookup user ${NO_USER}: "getpwnam(): name not found: '${NO_USER}'"`
    )
  })

  it('writes through a followed link (0600), then is ok; the diff names both paths', async () => {
    const real = path.join(dir, 'real')
    writeFileSync(real, `${K1}\n`)
    const link = path.join(dir, 'link')
    symlinkSync('real', link)
    const args = { user: me, key: K2, path: link, follow: true, manage_dir: false }
    const { result } = await run('authorized_key', args, { diff: true })
    expect(result).toMatchObject({
      changed: true,
      keyfile: link,
      diff: {
        before_header: link,
        after_header: real,
        before: `${K1}\n`,
        after: `${K1}\n${K2}\n`
      }
    })
    expect(readFileSync(real, 'utf8')).toBe(`${K1}\n${K2}\n`)
    expect(statSync(real).mode & 0o777).toBe(0o600)
    const again = await run('authorized_key', args, { diff: true })
    expect(again.result['changed']).toBe(false)
    expect(again.result['diff']).toBeUndefined()
  })

  it('refuses an option it does not have, by name', async () => {
    const { result } = await run('authorized_key', { user: me, key: K1, mode: '0600' })
    expect(result['msg']).toMatch(/^Unsupported parameters for \(authorized_key\) module: mode\./)
  })
})

describe('cron', () => {
  it('check mode reports a new job in a cron file with its diff, and writes nothing', async () => {
    const file = path.join(dir, 'jobs')
    const { result } = await run(
      'cron',
      { name: 'nightly', job: '/bin/true', hour: '2', cron_file: file, user: 'root' },
      { check: true, diff: true }
    )
    expect(result).toMatchObject({
      changed: true,
      jobs: ['nightly'],
      envs: [],
      cron_file: file,
      diff: {
        before: '',
        after: '#Ansible: nightly\n* 2 * * * root /bin/true\n',
        before_header: file,
        after_header: file
      }
    })
    expect(existsSync(file)).toBe(false)
  })

  it('removing the last job of a cron file deletes it (check mode says it would)', async () => {
    const file = path.join(dir, 'jobs')
    writeFileSync(file, '#Ansible: nightly\n* 2 * * * root /bin/true\n')
    const checked = await run(
      'cron',
      { name: 'nightly', cron_file: file, state: 'absent' },
      { check: true, diff: true }
    )
    expect(checked.result).toMatchObject({
      changed: true,
      state: 'absent',
      diff: { after: '', after_header: '/dev/null', before_header: file }
    })
    expect(existsSync(file)).toBe(true)
    const { result } = await run('cron', { name: 'nightly', cron_file: file, state: 'absent' })
    expect(result).toMatchObject({ changed: true, cron_file: file, state: 'absent', diff: {} })
    expect(existsSync(file)).toBe(false)
  })

  it('adds a missing last line end, and puts a new variable first', async () => {
    const file = path.join(dir, 'jobs')
    writeFileSync(file, '#Ansible: a\n* * * * * root /bin/true')
    const { result } = await run('cron', {
      name: 'a',
      job: '/bin/true',
      cron_file: file,
      user: 'root'
    })
    expect(result['changed']).toBe(true)
    expect(readFileSync(file, 'utf8')).toBe('#Ansible: a\n* * * * * root /bin/true\n')
    const env = await run('cron', {
      name: 'MAILTO',
      env: true,
      job: 'ops',
      cron_file: file,
      user: 'root'
    })
    expect(env.result).toMatchObject({ changed: true, envs: ['MAILTO'], jobs: ['a'] })
    expect(readFileSync(file, 'utf8')).toBe('MAILTO="ops"\n#Ansible: a\n* * * * * root /bin/true\n')
  })

  it('refuses an option it does not have, by name', async () => {
    const { result } = await run('cron', { name: 'a', job: 'b', hours: '2' })
    expect(result['msg']).toMatch(/^Unsupported parameters for \(cron\) module: hours\./)
  })
})

/** Runs a module on the local connection and counts the commands it sent to the target. */
async function countingRun(
  module: string,
  args: Record<string, unknown>
): Promise<{ result: Record<string, unknown>; calls: number }> {
  const inner = openLocalConnection('localhost')
  let calls = 0
  const counting: Connection = {
    get host() {
      return inner.host
    },
    run: (command, options) => {
      calls++
      return inner.run(command, options)
    },
    putFile: (remotePath, content, options) => inner.putFile(remotePath, content, options),
    getFile: (remotePath, options) => inner.getFile(remotePath, options),
    close: () => inner.close()
  }
  try {
    const { result } = await runModuleOn(module, args, { connect: async () => counting })
    return { result, calls }
  } finally {
    await inner.close()
  }
}

describe('round trips', () => {
  it('authorized_key and cron: one when nothing changes, two when something does', async () => {
    const keys = { user: me, key: K1, path: path.join(dir, 'keys'), manage_dir: false }
    expect(await countingRun('authorized_key', keys)).toMatchObject({
      calls: 2,
      result: { changed: true }
    })
    expect(await countingRun('authorized_key', keys)).toMatchObject({
      calls: 1,
      result: { changed: false }
    })
    const job = { name: 'a', job: '/bin/true', cron_file: path.join(dir, 'jobs'), user: 'root' }
    expect(await countingRun('cron', job)).toMatchObject({ calls: 2, result: { changed: true } })
    expect(await countingRun('cron', job)).toMatchObject({ calls: 1, result: { changed: false } })
  })
})

/** A wrapper for `tool` in `bin` that stops at the gate `label` (when its arguments match `when`). */
function gatedTool(bin: string, gates: string, tool: string, label: string, when = '*'): void {
  const real = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim()
  writeFileSync(
    path.join(bin, tool),
    `#!/bin/sh\ncase "$*" in ${when}) touch ${gates}/${label}.ready; while [ ! -e ${gates}/${label}.go ]; do sleep 0.05; done ;; esac\nexec ${real} "$@"\n`,
    { mode: 0o755 }
  )
}

describe.skipIf(process.getuid?.() !== 0)('keys and crontabs never on a command line', () => {
  it('authorized_key writes the keys and cron installs the crontab from stdin', async () => {
    const token = `apbtok${process.pid}x${Date.now() % 100_000}`
    const user = `apbw${process.pid % 10_000}${Date.now() % 100_000}`
    const bin = path.join(dir, 'bin')
    const gates = path.join(dir, 'gates')
    for (const d of [bin, gates]) mkdirSync(d)
    // cat receives the keys in authorized-key.sh; crontab installs the table (not `crontab -l`).
    gatedTool(bin, gates, 'cat', 'keys')
    gatedTool(bin, gates, 'crontab', 'crontab', '*-l*) ;; *')
    const savedPath = process.env['PATH']
    process.env['PATH'] = `${bin}:${savedPath ?? ''}`
    const watch = new Gatekeeper(gates, ['keys', 'crontab'], [token])
    expect(spawnSync('useradd', ['-M', user]).status).toBe(0)
    try {
      const modules = async (): Promise<Array<Record<string, unknown>>> => {
        const keys = await run('authorized_key', {
          user: me,
          key: `ssh-ed25519 AAAA${token} ${token}`,
          path: path.join(dir, 'keys'),
          manage_dir: false
        })
        const cron = await run('cron', { name: token, job: `/bin/echo ${token}`, user })
        return [keys.result, cron.result]
      }
      const [[keys, cron]] = await Promise.all([modules(), watch.run()])
      expect(keys).toMatchObject({ changed: true })
      expect(cron).toMatchObject({ changed: true, jobs: [token] })
    } finally {
      watch.stop()
      if (savedPath === undefined) delete process.env['PATH']
      else process.env['PATH'] = savedPath
      spawnSync('crontab', ['-u', user, '-r'], { stdio: 'ignore' })
      spawnSync('userdel', [user], { stdio: 'ignore' })
    }
    expect(watch.seen).toEqual(['keys', 'crontab'])
    expect(watch.leaks).toEqual([])
    expect(readFileSync(path.join(dir, 'keys'), 'utf8')).toContain(token)
  })
})
