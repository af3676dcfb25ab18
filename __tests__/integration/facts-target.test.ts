// Integration: the service, package, user and group facts (src/facts/) read over a real OpenSSH
// sshd as the unprivileged login user. This machine has dpkg, getent and useradd; it has no systemd
// running the system, so the service fact is read through its sysvinit branch, with a real init
// script in /etc/init.d (the systemd branch is tested on captured answers in facts-target.test.ts
// under unit/). The accounts and the init script are made here, as root, and removed after.
import { spawnSync } from 'node:child_process'
import { existsSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Connection } from '../../src/connection/connection.js'
import { openConnection } from '../../src/connection/index.js'
import { FactError, TargetFacts } from '../../src/facts/index.js'
import { sshdConnectionSettings, startSshd, type SshdFixture } from '../helpers/sshd.js'

const asRoot = process.getuid?.() === 0
const required = process.env.APB_REQUIRE_SSHD === '1'
const tag = `${process.pid}`
const USER = `apbfacts${tag}`
const GROUP = `apbfactsg${tag}`
const SERVICE = `apb-facts-svc-${tag}`
const RUNNING_FLAG = `/tmp/${SERVICE}.running`

let sshd: SshdFixture
let conn: Connection

function sh(command: string, args: string[]): string {
  const r = spawnSync(command, args, { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${r.stderr}`)
  return r.stdout
}

/** A fresh fact cache, as each task run gets. */
const facts = (): TargetFacts =>
  new TargetFacts({ connection: async () => conn, timeoutMs: 20_000 })

beforeAll(async () => {
  sshd = await startSshd({ name: 'facts-target' })
  conn = await openConnection(sshdConnectionSettings(sshd))
})
afterAll(async () => {
  await conn?.close()
  await sshd?.stop()
})

describe('the package fact', () => {
  it('reads installed packages with their version, missing ones, and the package manager, in one probe', async () => {
    const version = sh('dpkg-query', ['-W', '-f=${Version}', 'dpkg'])
    const state = await facts().packages(['dpkg', 'apb-no-such-package', '__proto__'])
    expect(state.database).toBe('dpkg')
    expect(state.manager).toBe('apt-get')
    expect(state.packages['dpkg']).toMatchObject({ name: 'dpkg', installed: true, version })
    expect(state.packages['dpkg']!.architectures.length).toBeGreaterThan(0)
    expect(state.packages['apb-no-such-package']).toEqual({
      name: 'apb-no-such-package',
      installed: false,
      architectures: []
    })
    // A name is only ever a key of a map without a prototype.
    expect(Object.getPrototypeOf(state.packages)).toBeNull()
    expect(state.packages['__proto__']).toMatchObject({ installed: false })
  })

  it('refuses a name that is not a package name before asking the target', async () => {
    await expect(facts().packages(['--admindir=/tmp'])).rejects.toBeInstanceOf(FactError)
    await expect(facts().packages(['a b'])).rejects.toThrow(/not starting with a sign/)
  })
})

describe.skipIf(!asRoot && !required)('the user and group facts', () => {
  beforeAll(() => {
    if (!asRoot) throw new Error('APB_REQUIRE_SSHD=1 but the user fact tests need root (useradd)')
    sh('groupadd', [GROUP])
    sh('useradd', [
      '-M',
      '-d',
      `/home/${USER}`,
      '-s',
      '/bin/sh',
      '-c',
      'Facts, Test',
      '-G',
      GROUP,
      USER
    ])
  })
  afterAll(() => {
    if (!asRoot) return
    spawnSync('userdel', [USER])
    spawnSync('groupdel', [GROUP])
  })

  it("reads a user's uid, gid, home, shell, comment, primary group and other groups", async () => {
    const uid = Number(sh('id', ['-u', USER]))
    const gid = Number(sh('id', ['-g', USER]))
    expect(await facts().user(USER)).toEqual({
      name: USER,
      exists: true,
      uid,
      gid,
      comment: 'Facts, Test',
      home: `/home/${USER}`,
      shell: '/bin/sh',
      group: USER,
      groups: [GROUP]
    })
    expect(await facts().user('root')).toMatchObject({
      uid: 0,
      gid: 0,
      home: '/root',
      group: 'root'
    })
  })

  it('says a user or group is not there, and reads a group with its members', async () => {
    expect(await facts().user(`apbnosuch${tag}`)).toEqual({
      name: `apbnosuch${tag}`,
      exists: false
    })
    expect(await facts().group(`apbnosuch${tag}`)).toEqual({
      name: `apbnosuch${tag}`,
      exists: false
    })
    const gid = Number(sh('getent', ['group', GROUP]).split(':')[2])
    expect(await facts().group(GROUP)).toEqual({ name: GROUP, exists: true, gid, members: [USER] })
  })

  it('refuses names that are options, paths or numbers', async () => {
    for (const name of ['-x', 'a/b', '123', 'a b', '']) {
      await expect(facts().user(name)).rejects.toBeInstanceOf(FactError)
    }
  })
})

describe.skipIf((!asRoot || existsSync('/run/systemd/system')) && !required)(
  'the service fact through sysvinit',
  () => {
    beforeAll(() => {
      if (!asRoot) throw new Error('APB_REQUIRE_SSHD=1 but the service fact tests need root')
      if (existsSync('/run/systemd/system'))
        throw new Error('systemd runs this machine: the sysvinit branch cannot be tested here')
      writeFileSync(
        `/etc/init.d/${SERVICE}`,
        `#!/bin/sh\ncase "$1" in\n  status) [ -f ${RUNNING_FLAG} ] && exit 0; exit 3 ;;\n  *) exit 1 ;;\nesac\n`,
        { mode: 0o755 }
      )
    })
    afterAll(() => {
      rmSync(`/etc/init.d/${SERVICE}`, { force: true })
      rmSync(`/etc/rc3.d/S01${SERVICE}`, { force: true })
      rmSync(RUNNING_FLAG, { force: true })
    })

    it('reads an init script: exists, stopped or running by its status action, enabled by its rc links', async () => {
      expect(await facts().service(SERVICE)).toEqual({
        name: SERVICE,
        manager: 'sysvinit',
        exists: true,
        state: 'stopped',
        enabled: false
      })
      writeFileSync(RUNNING_FLAG, '')
      symlinkSync(`../init.d/${SERVICE}`, `/etc/rc3.d/S01${SERVICE}`)
      expect(await facts().service(SERVICE)).toMatchObject({ state: 'running', enabled: true })
    })

    it('says a service that has no init script does not exist, and refuses names that are paths', async () => {
      expect(await facts().service(`apb-no-such-${tag}`)).toEqual({
        name: `apb-no-such-${tag}`,
        manager: 'sysvinit',
        exists: false,
        state: 'stopped',
        enabled: null
      })
      await expect(facts().service('../../bin/sh')).rejects.toBeInstanceOf(FactError)
      await expect(facts().service('-x')).rejects.toBeInstanceOf(FactError)
    })
  }
)

describe('the fact cache', () => {
  it('asks the target once per fact until something runs through its connection', async () => {
    let runs = 0
    const counting: Connection = {
      host: conn.host,
      run: (command, options) => {
        runs += 1
        return conn.run(command, options)
      },
      putFile: (path, content, options) => conn.putFile(path, content, options),
      getFile: (path, options) => conn.getFile(path, options),
      close: () => Promise.resolve()
    }
    const cache = new TargetFacts({ connection: async () => counting, timeoutMs: 20_000 })
    await cache.packages(['dpkg'])
    await cache.packages(['dpkg'])
    await cache.user('root')
    await cache.user('root')
    expect(runs).toBe(2)
    // Another package: one more probe, for it alone.
    const both = await cache.packages(['dpkg', 'apb-no-such-package'])
    expect(runs).toBe(3)
    expect(Object.keys(both.packages)).toEqual(['dpkg', 'apb-no-such-package'])
    await (await cache.connection()).run('true', { timeoutMs: 20_000 })
    await cache.user('root')
    expect(runs).toBe(5)
  })
})
