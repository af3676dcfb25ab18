// The apt and package modules on this machine's dpkg database (local connection, as root) against the
// local apt repository: what the differential cannot reach (check mode, diff mode), and decisions a
// user would notice. Skipped unless root (the repository changes the machine's apt sources).
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  aptRepoUnusableReason,
  aptRepoUsable,
  createAptRepo,
  type AptRepo
} from '../helpers/apt-repo.js'
import type { Connection } from '../../src/connection/connection.js'
import { openLocalConnection } from '../../src/connection/local-connection.js'
import { countingConnection } from '../helpers/counting-connection.js'
import { runModuleOn } from '../helpers/module-harness.js'

const required = process.env['APB_REQUIRE_SSHD'] === '1' && process.getuid?.() === 0

function version(name: string): string {
  const out = spawnSync('dpkg-query', ['-W', '-f=${db:Status-Status} ${Version}', '--', name], {
    encoding: 'utf8'
  }).stdout
  return out.startsWith('installed ') ? out.slice('installed '.length) : ''
}

/** A process's command line (NUL after each word), or undefined once it ended. */
function commandLine(pid: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
  } catch {
    return undefined
  }
}

/** The parent pid of a process, from /proc/PID/stat (after the command name's closing paren). */
function parentOf(pid: string): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]
  } catch {
    return undefined
  }
}

/**
 * Resolves once apt-act.sh is seen waiting for the dpkg lock: a `sleep 1` it started, which it does
 * only after apt-get failed on the held lock. Rejects after a generous deadline (a hang guard).
 */
async function waitingForLock(): Promise<void> {
  const giveUp = Date.now() + 120_000
  for (;;) {
    for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
      if (commandLine(pid) !== 'sleep\u00001\u0000') continue
      const parent = parentOf(pid)
      if (parent === undefined) continue
      if (commandLine(parent)?.includes('apb-apt-act')) return
    }
    if (Date.now() > giveUp) throw new Error('apt-act.sh was never seen waiting for the dpkg lock')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe.skipIf(!aptRepoUsable() && !required)('apt module (local connection)', () => {
  let repo: AptRepo
  beforeAll(() => {
    if (!aptRepoUsable()) throw new Error(aptRepoUnusableReason())
    repo = createAptRepo()
    repo.enable()
  }, 1_300_000)
  afterAll(() => repo?.cleanup(), 300_000)
  beforeEach(() => repo.purgeAll(), 300_000)

  const apt = (
    args: Record<string, unknown>,
    flags: { check?: boolean; diff?: boolean } = {},
    module = 'apt'
  ) =>
    runModuleOn(module, args, {
      environment: { APT_CONFIG: repo.aptConfig },
      flags: { check: flags.check ?? false, diff: flags.diff ?? false }
    }).then((outcome) => outcome.result)

  it('installs, then is ok; a pinned version needs allow_downgrade; latest upgrades', async () => {
    const first = await apt({ name: repo.names.hello })
    expect(first['failed'], JSON.stringify(first)).toBeFalsy()
    expect(first['changed']).toBe(true)
    expect(first['cache_updated']).toBe(false)
    expect(first['diff']).toEqual({})
    expect(version(repo.names.hello)).toBe('2.0-1')
    expect(await apt({ name: repo.names.hello })).toMatchObject({ changed: false })

    const refused = await apt({ name: `${repo.names.hello}=1.1-1` })
    expect(refused['failed']).toBe(true)
    expect(refused['msg']).toMatch(
      /^'\/usr\/bin\/apt-get -y -o "Dpkg::Options::=--force-confdef" .*install '.*-hello=1\.1-1'' failed: E: Packages were downgraded/
    )
    expect(version(repo.names.hello)).toBe('2.0-1')
    expect(await apt({ name: `${repo.names.hello}=1.*`, allow_downgrade: true })).toMatchObject({
      changed: true
    })
    expect(version(repo.names.hello)).toBe('1.1-1')
    expect(await apt({ name: repo.names.hello, state: 'latest' })).toMatchObject({
      changed: true
    })
    expect(version(repo.names.hello)).toBe('2.0-1')
  })

  it('check mode simulates: changed, apt-get output, nothing installed', async () => {
    const result = await apt({ name: repo.names.app }, { check: true })
    expect(result).toMatchObject({ changed: true })
    expect(String(result['stdout'])).toContain(`Inst ${repo.names.app}`)
    expect(version(repo.names.app)).toBe('')
    expect(version(repo.names.lib)).toBe('')
    // Removing in check mode changes nothing either.
    repo.aptGet(['install', '-y', repo.names.conf])
    const removal = await apt({ name: repo.names.conf, state: 'absent' }, { check: true })
    expect(removal).toMatchObject({ changed: true })
    expect(version(repo.names.conf)).toBe('1.0-1')
    // update_cache in check mode: reported as updated, lists untouched.
    const update = await apt({ update_cache: true }, { check: true })
    expect(update).toMatchObject({ changed: true, cache_updated: true })
  })

  it('diff mode returns apt-get plan as diff.prepared', async () => {
    const result = await apt({ name: repo.names.rec, install_recommends: false }, { diff: true })
    expect(result['changed']).toBe(true)
    const prepared = (result['diff'] as { prepared: string }).prepared
    expect(prepared).toContain('The following NEW packages will be installed:')
    expect(prepared).toMatch(/0 upgraded, 1 newly installed/)
    expect(version(repo.names.extra)).toBe('')
  })

  it('purge removes the conffile that remove keeps', async () => {
    await apt({ name: repo.names.conf })
    expect(await apt({ name: repo.names.conf, state: 'absent' })).toMatchObject({
      changed: true
    })
    expect(existsSync(repo.conffile)).toBe(true)
    expect(await apt({ name: repo.names.conf, state: 'absent' })).toMatchObject({
      changed: false
    })
    expect(await apt({ name: repo.names.conf, state: 'absent', purge: true })).toMatchObject({
      changed: true
    })
    expect(existsSync(repo.conffile)).toBe(false)
  })

  it('installs a .deb with its dependency, then is ok', async () => {
    const result = await apt({ deb: repo.debPath('solo') })
    expect(result['failed'], JSON.stringify(result)).toBeFalsy()
    expect(result['changed']).toBe(true)
    expect(version(repo.names.solo)).toBe('1.0-1')
    expect(version(repo.names.lib)).toBe('1.0-1')
    expect(await apt({ deb: repo.debPath('solo') })).toMatchObject({ changed: false })
  })

  it('reads a .deb and apt in one round trip when nothing changes', async () => {
    const counting = countingConnection(openLocalConnection('localhost'))
    try {
      const connect = (): Promise<Connection> => Promise.resolve(counting.connection)
      const viaCounting = (args: Record<string, unknown>) =>
        runModuleOn('apt', args, {
          environment: { APT_CONFIG: repo.aptConfig },
          connect
        }).then((outcome) => outcome.result)
      expect(await viaCounting({ deb: repo.debPath('solo') })).toMatchObject({ changed: true })
      counting.reset()
      expect(await viaCounting({ deb: repo.debPath('solo') })).toMatchObject({ changed: false })
      expect(counting.roundTrips()).toBe(1)
    } finally {
      await counting.connection.close()
    }
  })

  it('installs a .deb from a URL, fetched on the target', async () => {
    const server = createServer((request, response) => {
      if (request.url === '/lib.deb') response.end(readFileSync(repo.debPath('lib')))
      else response.writeHead(404).end('no')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    try {
      const result = await apt({ deb: `http://127.0.0.1:${port}/lib.deb` })
      expect(result['failed'], JSON.stringify(result)).toBeFalsy()
      expect(result['changed']).toBe(true)
      expect(version(repo.names.lib)).toBe('1.0-1')
      const missing = await apt({ deb: `http://127.0.0.1:${port}/missing.deb` })
      expect(missing['failed']).toBe(true)
      expect(String(missing['msg'])).toContain('missing.deb')
    } finally {
      server.close()
    }
  })

  it('waits for a held dpkg lock up to lock_timeout', async () => {
    // A process holding dpkg's frontend lock as apt-get does (fcntl), until its stdin closes.
    const holder = spawn(
      '/usr/bin/python3',
      [
        '-c',
        'import fcntl,sys\nf=open("/var/lib/dpkg/lock-frontend","w")\nfcntl.lockf(f,fcntl.LOCK_EX)\nprint("locked",flush=True)\nsys.stdin.read()'
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] }
    )
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.once('data', () => resolve())
        holder.once('exit', () => reject(new Error('the lock holder ended')))
      })
      const refused = await apt({ name: repo.names.extra, lock_timeout: 0 })
      expect(refused['failed']).toBe(true)
      expect(String(refused['stderr'])).toContain('Could not get lock /var/lib/dpkg/lock-frontend')
      expect(version(repo.names.extra)).toBe('')

      let releasedAt = 0
      const waiting = apt({ name: repo.names.extra, lock_timeout: 120 }).then((result) => ({
        result,
        endedAt: Date.now()
      }))
      // The probe runs first (no lock needed); the install then meets the held lock and waits: the
      // lock is released only once apt-act.sh is seen waiting (its sleep between two attempts).
      await waitingForLock()
      releasedAt = Date.now()
      holder.stdin.end()
      const { result, endedAt } = await waiting
      expect(result['failed'], JSON.stringify(result)).toBeFalsy()
      expect(result['changed']).toBe(true)
      expect(endedAt).toBeGreaterThan(releasedAt)
      expect(version(repo.names.extra)).toBe('1.0-1')
    } finally {
      if (holder.exitCode === null) holder.stdin.end()
    }
  })

  it('says what apt refuses in a default_release no source has', async () => {
    const result = await apt({ name: repo.names.hello, default_release: 'nosuch' })
    expect(result['failed']).toBe(true)
    expect(result['msg']).toContain("The value 'nosuch' is invalid for APT::Default-Release")
  })

  it('refuses an option it does not implement by name', async () => {
    const result = await apt({ name: repo.names.hello, policy_rc_d: 101 })
    expect(result['failed']).toBe(true)
    expect(String(result['msg'])).toContain('policy_rc_d')
    expect(version(repo.names.hello)).toBe('')
  })
})

describe.skipIf(!aptRepoUsable() && !required)('package module (local connection)', () => {
  let repo: AptRepo
  beforeAll(() => {
    if (!aptRepoUsable()) throw new Error(aptRepoUnusableReason())
    repo = createAptRepo()
    repo.enable()
  }, 1_300_000)
  afterAll(() => repo?.cleanup(), 300_000)

  const run = (args: Record<string, unknown>, vars: Record<string, unknown> = {}) =>
    runModuleOn('package', args, {
      environment: { APT_CONFIG: repo.aptConfig },
      vars
    }).then((outcome) => outcome.result)

  it('runs apt on a Debian target, from the target when no facts were gathered', async () => {
    const result = await run({ name: repo.names.extra, state: 'present' })
    expect(result['failed'], JSON.stringify(result)).toBeFalsy()
    expect(result).toMatchObject({ changed: true, cache_updated: false })
    expect(version(repo.names.extra)).toBe('1.0-1')
    expect(await run({ name: repo.names.extra, state: 'absent', use: 'apt' })).toMatchObject({
      changed: true
    })
    expect(version(repo.names.extra)).toBe('')
  })

  it('follows ansible_facts.pkg_mgr, and names a manager it has no module for', async () => {
    const result = await run(
      { name: repo.names.extra, state: 'present' },
      { ansible_facts: { pkg_mgr: 'zypper' } }
    )
    expect(result['failed']).toBe(true)
    expect(result['msg']).toContain("the target's package manager is zypper")
    expect(version(repo.names.extra)).toBe('')
    expect(await run({ name: 'x', use: 'nosuch' })).toMatchObject({
      failed: true,
      msg: 'Could not find a module for nosuch.'
    })
  })

  it('hands the target module its own argument checks', async () => {
    const result = await run({ name: repo.names.extra, use: 'apt', bogus: 1 })
    expect(result['failed']).toBe(true)
    expect(result['msg']).toMatch(/^Unsupported parameters for \(apt\) module: bogus/)
  })
})
