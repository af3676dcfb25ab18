/**
 * Inventory aliases of one host share its SSH login (src/connection/shared-logins.ts), as
 * ansible-playbook's ControlPersist master does, against a real sshd: `$SSH_CONNECTION` names the
 * login's client port, the same for aliases on one login and different across logins. Each alias keeps
 * its own sessions, its own messages and its own end; a reset logs in afresh.
 */
import { chmodSync, copyFileSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { join } from 'node:path'
import { setTimeout as sleepMs } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openConnection } from '../../src/connection/index.js'
import type { Connection, ConnectionSettings } from '../../src/connection/connection.js'
import { SEATS_PER_LOGIN } from '../../src/connection/shared-logins.js'
import { ConnectionError } from '../../src/errors.js'
import { sshdConnectionSettings, startSshd, type SshdFixture } from '../helpers/sshd.js'

/** The client port of the connection's login, as sshd tells the session. */
async function loginPort(conn: Connection, sharedShell = true): Promise<string> {
  const r = await conn.run('printf %s "$SSH_CONNECTION"', { timeoutMs: 20_000, sharedShell })
  expect(r.code).toBe(0)
  const port = r.stdout.toString().split(' ')[1]
  expect(port).toMatch(/^\d+$/)
  return port!
}

describe('aliases of one host share its login', () => {
  let sshd: SshdFixture
  const settings = (host: string, extra: Partial<ConnectionSettings> = {}): ConnectionSettings =>
    sshdConnectionSettings(sshd, { host, ...extra })

  beforeAll(async () => {
    // OpenSSH's default session limit, which a full login's aliases must fit in.
    sshd = await startSshd({ name: 'shared-logins', extraConfig: ['MaxSessions 10'] })
  })
  afterAll(async () => {
    await sshd?.stop()
  })

  it('opens one login for aliases that arrive together, up to its seats, each alias on its own sessions', async (ctx) => {
    if (sshd.kind === 'ssh2') ctx.skip()
    const names = Array.from({ length: SEATS_PER_LOGIN + 1 }, (_, i) => `alias${i + 1}`)
    const conns = await Promise.all(names.map((name) => openConnection(settings(name))))
    try {
      const ports = await Promise.all(conns.map((c) => loginPort(c)))
      expect(new Set(ports.slice(0, SEATS_PER_LOGIN)).size).toBe(1)
      expect(ports[SEATS_PER_LOGIN]).not.toBe(ports[0])
      // Every alias at once, each with two commands for its shell, one on a session of its own and a
      // file read over SFTP: more sessions than the server's 10 at once, so some ask again until
      // others end.
      const work = conns.flatMap((c) => [
        c.run('sleep 0.3; echo a', { timeoutMs: 20_000, sharedShell: true }),
        c.run('sleep 0.3; echo b', { timeoutMs: 20_000, sharedShell: true }),
        c.run('sleep 0.3; echo c', { timeoutMs: 20_000 }),
        c.getFile('/etc/hostname', { maxBytes: 1 << 20, timeoutMs: 20_000 })
      ])
      const results = await Promise.all(work)
      for (let i = 0; i < conns.length; i++) {
        const [a, b, c] = results.slice(i * 4, i * 4 + 3) as Array<{ stdout: Buffer }>
        expect([a!.stdout.toString(), b!.stdout.toString(), c!.stdout.toString()]).toEqual([
          'a\n',
          'b\n',
          'c\n'
        ])
      }
    } finally {
      await Promise.all(conns.map((c) => c.close()))
    }
  })

  it('never shares between different users, keys or host key settings', async (ctx) => {
    if (sshd.kind === 'ssh2') ctx.skip()
    // The same key and known_hosts under other paths: the same login would work, but the settings
    // differ, so the logins do.
    const key = join(sshd.tmpDir, 'client-key-copy')
    copyFileSync(sshd.clientKeyPath, key)
    chmodSync(key, 0o600)
    const known = join(sshd.tmpDir, 'known_hosts-copy')
    copyFileSync(sshd.knownHostsPath, known)
    const base = await openConnection(settings('base'))
    const others = await Promise.all([
      openConnection(settings('other-key', { privateKeyPath: key })),
      openConnection(settings('other-known-hosts', { knownHostsPath: known })),
      openConnection(settings('accept-new', { hostKeyChecking: 'accept-new' })),
      openConnection(settings('other-timeout', { connectTimeoutMs: 29_000 }))
    ])
    try {
      const port = await loginPort(base)
      const ports = await Promise.all(others.map((c) => loginPort(c)))
      for (const other of ports) expect(other).not.toBe(port)
      expect(new Set(ports).size).toBe(ports.length)
    } finally {
      await Promise.all([base, ...others].map((c) => c.close()))
    }
  })

  it('ends an alias alone: its commands end, the others go on, and it logs in afresh when opened again', async (ctx) => {
    if (sshd.kind === 'ssh2') ctx.skip()
    const [a, b] = await Promise.all([
      openConnection(settings('web1')),
      openConnection(settings('web2'))
    ])
    const port = await loginPort(a)
    expect(await loginPort(b)).toBe(port)
    const marker = `${30 + (Date.now() % 1000) / 10000}`
    const running = a.run(`sleep ${marker}`, { timeoutMs: 60_000 })
    const inShell = a.run(`sleep ${marker}1`, { timeoutMs: 60_000, sharedShell: true })
    const sleeping = async (): Promise<string> =>
      (await b.run(`ps -eo args | grep -c '^sleep ${marker}'`, { timeoutMs: 10_000 })).stdout
        .toString()
        .trim()
    // Both have started before web1 closes.
    for (let i = 0; i < 100 && (await sleeping()) !== '2'; i++) await sleepMs(50)
    expect(await sleeping()).toBe('2')
    await a.close()
    await expect(running).rejects.toThrow(/^connection to web1 was closed$/)
    await expect(inShell).rejects.toThrow(/^connection to web1 was closed$/)
    await expect(a.run('true', { timeoutMs: 5_000 })).rejects.toThrow(/web1 was closed/)
    // Its commands were killed, not left running on the login web2 still uses.
    for (let i = 0; i < 100 && (await sleeping()) !== '0'; i++) await sleepMs(50)
    expect(await sleeping()).toBe('0')
    // web2 is still on the login, and a reset web1 (closed, then opened) gets a login of its own.
    expect(await loginPort(b)).toBe(port)
    const again = await openConnection(settings('web1'))
    try {
      expect(await loginPort(again)).not.toBe(port)
      // The login web2 holds takes no one new.
      const third = await openConnection(settings('web3'))
      expect(await loginPort(third)).not.toBe(port)
      await third.close()
    } finally {
      await Promise.all([again.close(), b.close()])
    }
    // Its last alias closed the first login: no TCP connection from its port is left.
    const check = await openConnection(settings('check'))
    try {
      const r = await check.run(`ss -Htn state established '( sport = :${port} )'`, {
        timeoutMs: 10_000
      })
      expect(r.code).toBe(0)
      expect(r.stdout.toString()).toBe('')
    } finally {
      await check.close()
    }
  })
})

describe('a shared login whose server has few sessions', () => {
  it("waits for a session another alias's busy shell holds, rather than fail", async (ctx) => {
    // MaxSessions 2: the two aliases' shared shells fill it.
    const sshd = await startSshd({ name: 'shared-logins-tight', extraConfig: ['MaxSessions 2'] })
    try {
      if (sshd.kind === 'ssh2') ctx.skip()
      const [a, b] = await Promise.all(
        ['tight1', 'tight2'].map((host) => openConnection(sshdConnectionSettings(sshd, { host })))
      )
      try {
        expect(await loginPort(a!)).toBe(await loginPort(b!))
        const busyA = a!.run('sleep 1; echo a', { timeoutMs: 20_000, sharedShell: true })
        const busyB = b!.run('sleep 1; echo b', { timeoutMs: 20_000, sharedShell: true })
        // No session is free and no shell is idle: the command asks again until one is.
        const own = await a!.run('echo own', { timeoutMs: 20_000 })
        expect(own.stdout.toString()).toBe('own\n')
        expect((await busyA).stdout.toString()).toBe('a\n')
        expect((await busyB).stdout.toString()).toBe('b\n')
        // Both still work in their shells afterwards.
        expect(
          (await b!.run('echo again', { timeoutMs: 20_000, sharedShell: true })).stdout.toString()
        ).toBe('again\n')
        expect(
          (await a!.run('echo again', { timeoutMs: 20_000, sharedShell: true })).stdout.toString()
        ).toBe('again\n')
      } finally {
        await Promise.all([a!.close(), b!.close()])
      }
    } finally {
      await sshd.stop()
    }
  })
})

describe('a shared login that fails or is lost', () => {
  it('tells each alias its own failure when the host refuses the login they waited for', async () => {
    const sshd = await startSshd({ name: 'shared-logins-refused' })
    try {
      // A port nothing listens on any more.
      const port = await new Promise<number>((resolve) => {
        const server = createServer().listen(0, '127.0.0.1', () => {
          const { port } = server.address() as AddressInfo
          server.close(() => resolve(port))
        })
      })
      const errors = await Promise.all(
        ['db1', 'db2', 'db3'].map((host) =>
          openConnection(sshdConnectionSettings(sshd, { host, port })).then(
            () => undefined,
            (e: unknown) => e
          )
        )
      )
      for (const [i, error] of errors.entries()) {
        expect(error).toBeInstanceOf(ConnectionError)
        expect((error as ConnectionError).host).toBe(`db${i + 1}`)
        expect((error as Error).message).toMatch(new RegExp(`^connection refused by db${i + 1}: `))
      }
    } finally {
      await sshd.stop()
    }
  })

  it('tells each alias its own host key refusal', async () => {
    const sshd = await startSshd({ name: 'shared-logins-hostkey' })
    try {
      const errors = await Promise.all(
        ['k1', 'k2'].map((host) =>
          openConnection(sshdConnectionSettings(sshd, { host, knownHostsPath: '/dev/null' })).then(
            () => undefined,
            (e: unknown) => e
          )
        )
      )
      expect((errors[0] as Error).message).toMatch(/Host key verification failed for k1\b/)
      expect((errors[1] as Error).message).toMatch(/Host key verification failed for k2\b/)
    } finally {
      await sshd.stop()
    }
  })

  it('fails every alias on it in its own words when the login is lost, and logs in again after', async (ctx) => {
    const sshd = await startSshd({ name: 'shared-logins-loss' })
    try {
      if (sshd.kind === 'ssh2') ctx.skip()
      const [a, b] = await Promise.all(
        ['app1', 'app2'].map((host) => openConnection(sshdConnectionSettings(sshd, { host })))
      )
      expect(await loginPort(a!)).toBe(await loginPort(b!))
      const runningA = a!.run('echo started; sleep 30', {
        timeoutMs: 60_000,
        onStdout: () => sshd.kill()
      })
      const runningB = b!.run('sleep 30', { timeoutMs: 60_000, sharedShell: true })
      await expect(runningA).rejects.toThrow(/^connection to app1 lost: /)
      await expect(runningB).rejects.toThrow(/^connection to app2 lost: /)
      await Promise.all([a!.close(), b!.close()])
      await sshd.restart()
      const [c, d] = await Promise.all(
        ['app1', 'app2'].map((host) => openConnection(sshdConnectionSettings(sshd, { host })))
      )
      expect(await loginPort(c!)).toBe(await loginPort(d!))
      await Promise.all([c!.close(), d!.close()])
    } finally {
      await sshd.stop()
    }
  })
})
