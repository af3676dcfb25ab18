/**
 * The login requests our client sends, seen by an in-process ssh2 server that records each one: the
 * methods we have credentials for come first, and `none` (a round trip that ssh2 would otherwise spend
 * on every connection, learning nothing it uses) only after them, so that a server asking for no
 * credentials still lets us in.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ssh2 from 'ssh2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openConnection } from '../../src/connection/index.js'
import type { ConnectionSettings } from '../../src/connection/connection.js'
import { ConnectionError } from '../../src/errors.js'

interface Recorder {
  port: number
  knownHostsPath: string
  clientKeyPath: string
  /** `method` or `method+signature` for publickey requests that carry one, in arrival order. */
  requests: string[]
  close(): Promise<void>
}

/** A server that accepts what `accepts` says, recording every login request. */
async function recordingServer(
  dir: string,
  name: string,
  accepts: (ctx: ssh2.AuthContext) => boolean
): Promise<Recorder> {
  const hostKeys = ssh2.utils.generateKeyPairSync('ed25519')
  const clientKeys = ssh2.utils.generateKeyPairSync('ed25519')
  const clientKeyPath = join(dir, `${name}_client`)
  writeFileSync(clientKeyPath, clientKeys.private, { mode: 0o600 })
  const requests: string[] = []
  const clients = new Set<ssh2.Connection>()
  const server = new ssh2.Server({ hostKeys: [hostKeys.private] }, (client) => {
    clients.add(client)
    client.on('close', () => clients.delete(client))
    client.on('error', () => undefined)
    client.on('authentication', (ctx) => {
      requests.push(
        ctx.method === 'publickey' && ctx.signature ? 'publickey+signature' : ctx.method
      )
      if (accepts(ctx)) ctx.accept()
      else ctx.reject(['publickey', 'password'])
    })
    client.on('session', (acceptSession) => {
      acceptSession().on('exec', (accept) => {
        const channel = accept()
        channel.exit(0)
        channel.end()
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const port = (server.address() as AddressInfo).port
  const knownHostsPath = join(dir, `${name}_known_hosts`)
  writeFileSync(
    knownHostsPath,
    `[127.0.0.1]:${port} ${hostKeys.public.split(' ').slice(0, 2).join(' ')}\n`
  )
  return {
    port,
    knownHostsPath,
    clientKeyPath,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of clients) client.end()
        server.close(() => resolve())
      })
  }
}

function settings(server: Recorder, extra: Partial<ConnectionSettings> = {}): ConnectionSettings {
  return {
    host: 'web1',
    transport: 'ssh',
    address: '127.0.0.1',
    port: server.port,
    user: 'deploy',
    privateKeyPath: server.clientKeyPath,
    knownHostsPath: server.knownHostsPath,
    hostKeyChecking: 'strict',
    connectTimeoutMs: 10_000,
    ...extra
  }
}

describe('ssh login requests', () => {
  let dir: string
  const servers: Recorder[] = []

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'apb-auth-order-'))
  })

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()))
    rmSync(dir, { recursive: true, force: true })
  })

  it('logs in with a key without a `none` request first', async () => {
    const server = await recordingServer(dir, 'key', (ctx) => ctx.method === 'publickey')
    servers.push(server)
    const conn = await openConnection(settings(server))
    try {
      expect((await conn.run('true', { timeoutMs: 10_000 })).code).toBe(0)
    } finally {
      await conn.close()
    }
    expect(server.requests).toEqual(['publickey', 'publickey+signature'])
  })

  it('tries the password, then the key, before `none`', async () => {
    const server = await recordingServer(dir, 'refuse', () => false)
    servers.push(server)
    const error = await openConnection(settings(server, { password: 'not-this-one' })).then(
      () => undefined,
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(ConnectionError)
    expect((error as Error).message).toMatch(/Permission denied \(publickey,password\)/)
    expect(server.requests).toEqual(['password', 'publickey', 'none'])
  })

  it('still logs in to a server that asks for no credentials', async () => {
    const server = await recordingServer(dir, 'open', (ctx) => ctx.method === 'none')
    servers.push(server)
    const conn = await openConnection(settings(server))
    try {
      expect((await conn.run('true', { timeoutMs: 10_000 })).code).toBe(0)
    } finally {
      await conn.close()
    }
    expect(server.requests).toEqual(['publickey', 'none'])
  })
})
