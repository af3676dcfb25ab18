/**
 * What our client sends while it logs in, seen by an in-process ssh2 server that records each login
 * request: the methods we have credentials for come first, and `none` (a round trip that ssh2 would
 * otherwise spend on every connection, learning nothing it uses) only after them, so that a server
 * asking for no credentials still lets us in; and Nagle's algorithm is off from the first byte.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { Socket, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ssh2 from 'ssh2'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
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
    connectTimeoutMs: 30_000,
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

describe('ssh handshake on the wire', () => {
  let dir: string
  let server: Recorder

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apb-nodelay-'))
    server = await recordingServer(dir, 'nodelay', (ctx) => ctx.method === 'publickey')
  })

  afterAll(async () => {
    await server.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it("turns Nagle's algorithm off before the key exchange, not after the login", async () => {
    // With Nagle on during the handshake, each message sent right after another (NEWKEYS then the
    // service request, ...) waits for the server's delayed ACK: tens of ms per connection.
    const states: { enable: boolean; beforeFirstByte: boolean }[] = []
    const original = Socket.prototype.setNoDelay
    const spy = vi.spyOn(Socket.prototype, 'setNoDelay').mockImplementation(function (
      this: Socket,
      enable?: boolean
    ) {
      states.push({ enable: enable !== false, beforeFirstByte: this.bytesWritten === 0 })
      return original.call(this, enable)
    })
    try {
      const conn = await openConnection(settings(server))
      await conn.close()
    } finally {
      spy.mockRestore()
    }
    expect(states[0]).toEqual({ enable: true, beforeFirstByte: true })
  })
})
