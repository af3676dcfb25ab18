// The group and user modules on this machine through the local connection, as root (CI runs as root;
// elsewhere these are skipped): check mode, which the differential fixture cannot use yet, and what
// only a unit of the module shows. Every account made here is removed afterwards.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Connection } from '../../src/connection/connection.js'
import { openLocalConnection } from '../../src/connection/local-connection.js'
import { Gatekeeper } from '../helpers/cmdline-watch.js'
import { runModuleOn } from '../helpers/module-harness.js'

const asRoot = process.getuid?.() === 0
const id = `${process.pid % 10000}${Date.now() % 100000}`
const groupName = (n: number): string => `apbtg${id}-${n}`
const userName = (n: number): string => `apbtu${id}-${n}`

const run = (module: string, args: Record<string, unknown>, check = false) =>
  runModuleOn(module, args, { flags: { check, diff: false } })

const entryIn = (file: string, name: string): string | undefined =>
  readFileSync(file, 'utf8')
    .split('\n')
    .find((line) => line.startsWith(`${name}:`))
const groupEntry = (name: string): string | undefined => entryIn('/etc/group', name)

afterAll(() => {
  if (!asRoot) return
  for (const [file, tool, extra] of [
    ['/etc/passwd', 'userdel', ['-r', '-f']],
    ['/etc/group', 'groupdel', []]
  ] as const) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const name = line.split(':')[0] ?? ''
      if (name.includes(id)) spawnSync(tool, [...extra, '--', name], { stdio: 'ignore' })
    }
  }
})

describe.skipIf(!asRoot)('group', () => {
  it('in check mode reports the group it would add, and adds nothing', async () => {
    const { result } = await run('group', { name: groupName(1) }, true)
    expect(result).toEqual({ changed: true })
    expect(groupEntry(groupName(1))).toBeUndefined()
  })

  it('in check mode reports a gid change and a removal without making them', async () => {
    await run('group', { name: groupName(2), gid: 42_101 })
    const change = await run('group', { name: groupName(2), gid: 42_102 }, true)
    expect(change.result).toMatchObject({
      changed: true,
      name: groupName(2),
      state: 'present',
      gid: 42_101,
      system: false
    })
    const removal = await run('group', { name: groupName(2), state: 'absent' }, true)
    expect(removal.result).toEqual({ changed: true })
    expect(groupEntry(groupName(2))).toBe(`${groupName(2)}:x:42101:`)
    const unchanged = await run('group', { name: groupName(2), gid: 42_101 }, true)
    expect(unchanged.result).toMatchObject({ changed: false, gid: 42_101 })
  })

  it('refuses local by name', async () => {
    const { result, ran } = await run('group', { name: groupName(3), local: true })
    expect(ran).toBe(false)
    expect(result['failed']).toBe(true)
    expect(String(result['msg'])).toContain('local')
    expect(groupEntry(groupName(3))).toBeUndefined()
  })
})

describe.skipIf(!asRoot)('user', () => {
  it('in check mode reports the user it would add, and adds nothing', async () => {
    const { result } = await run('user', { name: userName(1), uid: 42_201 }, true)
    expect(result).toEqual({ changed: true })
    expect(entryIn('/etc/passwd', userName(1))).toBeUndefined()
  })

  it('in check mode reports changes, a missing home and a key without making them', async () => {
    const made = await run('user', { name: userName(2), create_home: false, shell: '/bin/sh' })
    expect(made.result).toMatchObject({ changed: true, create_home: false, shell: '/bin/sh' })
    const before = entryIn('/etc/passwd', userName(2))
    const { result } = await run(
      'user',
      {
        name: userName(2),
        shell: '/bin/bash',
        comment: 'changed',
        password: '$6$x$y',
        generate_ssh_key: true
      },
      true
    )
    expect(result).toMatchObject({
      changed: true,
      name: userName(2),
      shell: '/bin/sh',
      comment: '',
      password: 'NOT_LOGGING_PASSWORD',
      ssh_fingerprint: '',
      ssh_key_file: `/home/${userName(2)}/.ssh/id_rsa`,
      ssh_public_key: null
    })
    expect(entryIn('/etc/passwd', userName(2))).toBe(before)
    expect(existsSync(`/home/${userName(2)}`)).toBe(false)
    // Only the home is missing: check mode still reports the change.
    const home = await run('user', { name: userName(2) }, true)
    expect(home.result['changed']).toBe(true)
    expect(existsSync(`/home/${userName(2)}`)).toBe(false)
    const removal = await run('user', { name: userName(2), state: 'absent' }, true)
    expect(removal.result).toEqual({ changed: true })
    expect(entryIn('/etc/passwd', userName(2))).toBe(before)
  })

  it('refuses the options it does not drive by name', async () => {
    for (const [option, value] of [
      ['login_class', 'staff'],
      ['hidden', true],
      ['local', true],
      ['seuser', 'user_u']
    ] as const) {
      const { result, ran } = await run('user', { name: userName(3), [option]: value })
      expect(ran).toBe(false)
      expect(String(result['msg'])).toContain(option)
    }
    expect(entryIn('/etc/passwd', userName(3))).toBeUndefined()
  })

  it('never puts the password hash or the key passphrase on a command line', async () => {
    // Wrappers for chpasswd and ssh-keygen stop at a gate, where every command line on the machine is
    // read, then run the real tool.
    const dir = mkdtempSync(path.join(tmpdir(), 'apb-user-argv-'))
    const token = `apbtok${id}`
    const hash = `$6$${token}$${'a'.repeat(80)}`
    const passphrase = `${token} pass phrase`
    for (const [tool, label] of [
      ['chpasswd', 'chpasswd'],
      ['ssh-keygen', 'keygen']
    ] as const) {
      const real = spawnSync('sh', ['-c', `PATH=$PATH:/usr/sbin:/sbin command -v ${tool}`], {
        encoding: 'utf8'
      }).stdout.trim()
      writeFileSync(
        path.join(dir, tool),
        `#!/bin/sh\ntouch ${dir}/${label}.ready\nwhile [ ! -e ${dir}/${label}.go ]; do sleep 0.05; done\nexec ${real} "$@"\n`,
        { mode: 0o755 }
      )
    }
    const savedPath = process.env['PATH']
    process.env['PATH'] = `${dir}:${savedPath ?? ''}`
    const gates = new Gatekeeper(dir, ['chpasswd', 'keygen'], [token])
    try {
      const [{ result }] = await Promise.all([
        run('user', {
          name: userName(4),
          password: hash,
          generate_ssh_key: true,
          ssh_key_type: 'ed25519',
          ssh_key_passphrase: passphrase
        }),
        gates.run()
      ])
      expect(result).toMatchObject({ changed: true, password: 'NOT_LOGGING_PASSWORD' })
      expect(JSON.stringify(result)).not.toContain(token)
    } finally {
      gates.stop()
      if (savedPath === undefined) delete process.env['PATH']
      else process.env['PATH'] = savedPath
    }
    expect(gates.seen).toEqual(['chpasswd', 'keygen'])
    expect(gates.leaks).toEqual([])
    expect(entryIn('/etc/shadow', userName(4))?.split(':')[1]).toBe(hash)
    // The key opens with the passphrase only.
    const key = `/home/${userName(4)}/.ssh/id_ed25519`
    const opened = spawnSync('ssh-keygen', ['-y', '-P', passphrase, '-f', key], {
      encoding: 'utf8'
    })
    expect(opened.stdout).toMatch(/^ssh-ed25519 /)
    expect(spawnSync('ssh-keygen', ['-y', '-P', '', '-f', key]).status).not.toBe(0)
    rmSync(dir, { recursive: true, force: true })
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

describe.skipIf(!asRoot)('round trips', () => {
  it('group and user: one when nothing differs, two when something does', async () => {
    const group = { name: groupName(9), gid: 42_109 }
    expect(await countingRun('group', group)).toMatchObject({ calls: 2, result: { changed: true } })
    expect(await countingRun('group', group)).toMatchObject({
      calls: 1,
      result: { changed: false }
    })
    const user = {
      name: userName(9),
      group: groupName(9),
      groups: [groupName(9)],
      comment: 'Round Trips',
      password: '$6$x$y',
      generate_ssh_key: true,
      ssh_key_type: 'ed25519'
    }
    expect(await countingRun('user', user)).toMatchObject({ calls: 2, result: { changed: true } })
    expect(await countingRun('user', user)).toMatchObject({ calls: 1, result: { changed: false } })
    expect(await countingRun('user', { ...user, comment: 'Changed' })).toMatchObject({
      calls: 2,
      result: { changed: true, comment: 'Changed' }
    })
    expect(
      await countingRun('user', { name: userName(9), state: 'absent', remove: true })
    ).toMatchObject({ calls: 2, result: { changed: true } })
  })
})
