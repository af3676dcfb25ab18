import { readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openConnection } from '../../src/connection/index.js'
import type { ConnectionSettings } from '../../src/connection/connection.js'
import { connectionSettingsFromVars } from '../../src/connection/host-settings.js'
import { ConnectionError, HostKeyError } from '../../src/errors.js'
import { startSshd, unreachablePort, type SshdFixture } from '../helpers/sshd.js'

/*
 * Jump hosts against two real sshd instances on this machine. Both listen on 127.0.0.1, so the target
 * is reachable directly as well; what these tests verify is that the session does NOT go directly:
 * the target's sshd reports (SSH_CONNECTION) a client socket that this process does not own (it is
 * the bastion sshd's), the only connection this process holds is to the bastion, killing the bastion
 * drops the target session, and closing the target connection closes the bastion one.
 */

interface TcpSocket {
  localPort: number
  remotePort: number
  established: boolean
  inode: string
}

/** IPv4 TCP sockets of this network namespace, from /proc/net/tcp. */
function tcpSockets(): TcpSocket[] {
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f.length > 9)
    .map((f) => ({
      localPort: parseInt(f[1]!.split(':')[1]!, 16),
      remotePort: parseInt(f[2]!.split(':')[1]!, 16),
      established: f[3] === '01',
      inode: f[9]!
    }))
}

/** Socket inodes held open by this process. */
function ownSocketInodes(): Set<string> {
  const inodes = new Set<string>()
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))
      if (m) inodes.add(m[1]!)
    } catch {
      // The descriptor closed while we looked.
    }
  }
  return inodes
}

/** This process's established connections to `port`. */
function ownConnectionsTo(port: number): number {
  const own = ownSocketInodes()
  return tcpSockets().filter((s) => s.established && s.remotePort === port && own.has(s.inode))
    .length
}

/** Polls a socket table (it cannot be awaited as an event). */
async function eventually(check: () => boolean, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (check()) return true
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return check()
}

describe('jump hosts (ProxyJump) against two real sshd instances', () => {
  let target: SshdFixture
  let bastion: SshdFixture
  let knownHosts: string

  function viaBastion(extra: Partial<ConnectionSettings> = {}): ConnectionSettings {
    return {
      host: 'web1',
      transport: 'ssh',
      address: target.host,
      port: target.port,
      user: target.user,
      privateKeyPath: target.clientKeyPath,
      knownHostsPath: knownHosts,
      hostKeyChecking: 'strict',
      connectTimeoutMs: 30_000,
      jumpHosts: [{ address: bastion.host, port: bastion.port, user: bastion.user }],
      // Each test sshd accepts only its own client key: the bastion needs its own.
      jumpPrivateKeyPath: bastion.clientKeyPath,
      ...extra
    }
  }

  beforeAll(async () => {
    ;[target, bastion] = await Promise.all([
      startSshd({ name: 'jump-target' }),
      startSshd({ name: 'jump-bastion' })
    ])
    knownHosts = join(target.tmpDir, 'known_hosts.both')
    writeFileSync(knownHosts, `${target.knownHostsLine}\n${bastion.knownHostsLine}\n`)
  })
  afterAll(async () => {
    await Promise.all([target?.stop(), bastion?.stop()])
  })

  it('runs commands and writes files on the target through the bastion, not directly', async (ctx) => {
    if (target.kind !== 'openssh') ctx.skip()
    const conn = await openConnection(viaBastion())
    try {
      const r = await conn.run('echo "$SSH_CONNECTION"; id -un', { timeoutMs: 10_000 })
      const [connection, user] = r.stdout.toString().trim().split('\n')
      expect(user).toBe(target.user)
      // SSH_CONNECTION = client address, client port, server address, server port.
      const [, clientPort, , serverPort] = (connection ?? '').split(' ').map(Number)
      expect(serverPort).toBe(target.port)
      const clientSocket = tcpSockets().find((s) => s.localPort === clientPort && s.established)
      expect(clientSocket).toBeDefined()
      expect(ownSocketInodes().has(clientSocket!.inode)).toBe(false)
      expect(ownConnectionsTo(target.port)).toBe(0)
      expect(ownConnectionsTo(bastion.port)).toBe(1)

      // SFTP runs through the tunnel too (as the login user, in a directory it owns).
      const dir = (await conn.run('mktemp -d', { timeoutMs: 10_000 })).stdout.toString().trim()
      await conn.putFile(`${dir}/via-bastion.txt`, Buffer.from('tunnelled\n'), {
        timeoutMs: 10_000
      })
      expect(readFileSync(`${dir}/via-bastion.txt`, 'utf8')).toBe('tunnelled\n')
      await conn.run(`rm -rf '${dir}'`, { timeoutMs: 10_000 })
    } finally {
      await conn.close()
    }
    // Closing the target connection closed the bastion connection too.
    expect(await eventually(() => ownConnectionsTo(bastion.port) === 0)).toBe(true)
  })

  it('reads the jump host from ansible_ssh_common_args -o ProxyJump', async () => {
    const vars: Record<string, unknown> = {
      ansible_host: target.host,
      ansible_port: target.port,
      ansible_user: target.user,
      ansible_ssh_private_key_file: target.clientKeyPath,
      ansible_ssh_jump_private_key_file: bastion.clientKeyPath,
      ansible_ssh_common_args: `-o ProxyJump=${bastion.user}@${bastion.host}:${bastion.port}`
    }
    const settings = connectionSettingsFromVars('web1', (name) => vars[name], {
      knownHostsPath: knownHosts,
      hostKeyChecking: 'strict',
      connectTimeoutMs: 30_000
    })
    const conn = await openConnection(settings)
    try {
      expect((await conn.run('echo ok', { timeoutMs: 10_000 })).stdout.toString()).toBe('ok\n')
      expect(ownConnectionsTo(bastion.port)).toBe(1)
    } finally {
      await conn.close()
    }
  })

  it('drops the target session when the bastion dies, naming the route', async () => {
    const doomed = await startSshd({ name: 'jump-doomed' })
    try {
      writeFileSync(knownHosts, `${doomed.knownHostsLine}\n`, { flag: 'a' })
      const conn = await openConnection(
        viaBastion({
          jumpHosts: [{ address: doomed.host, port: doomed.port, user: doomed.user }],
          jumpPrivateKeyPath: doomed.clientKeyPath
        })
      )
      const running = conn.run('sleep 30', { timeoutMs: 60_000 })
      doomed.kill()
      const error = await running.catch((e: unknown) => e)
      expect(error).toBeInstanceOf(ConnectionError)
      expect((error as Error).message).toContain('connection to web1 lost')
      expect((error as ConnectionError).detail).toContain(
        `web1 is 127.0.0.1:${target.port} via ${doomed.user}@127.0.0.1:${doomed.port}: lost`
      )
      await conn.close()
    } finally {
      await doomed.stop()
    }
  })

  it('tells each alias sharing a login through the bastion of its loss in its own words', async () => {
    const doomed = await startSshd({ name: 'jump-doomed-shared' })
    try {
      writeFileSync(knownHosts, `${doomed.knownHostsLine}\n`, { flag: 'a' })
      const route = {
        jumpHosts: [{ address: doomed.host, port: doomed.port, user: doomed.user }],
        jumpPrivateKeyPath: doomed.clientKeyPath
      }
      const [a, b] = await Promise.all([
        openConnection(viaBastion({ ...route, host: 'web1' })),
        openConnection(viaBastion({ ...route, host: 'web2' }))
      ])
      const runningA = a.run('sleep 30', { timeoutMs: 60_000 })
      const runningB = b.run('sleep 30', { timeoutMs: 60_000 })
      doomed.kill()
      const [errorA, errorB] = await Promise.all([
        runningA.then(
          () => new Error('web1 ran on'),
          (e: unknown) => e as Error
        ),
        runningB.then(
          () => new Error('web2 ran on'),
          (e: unknown) => e as Error
        )
      ])
      expect(errorA.message).toMatch(/^connection to web1 lost: /)
      expect(errorB.message).toMatch(/^connection to web2 lost: /)
      // The jump host's part of the message names each alias's own route.
      expect(errorB.message).not.toContain('web1')
      expect(errorA.message.replace(/web1/g, 'web2')).toBe(errorB.message)
      await Promise.all([a.close(), b.close()])
    } finally {
      await doomed.stop()
    }
  })

  it("verifies the bastion's own host key, naming the jump host", async () => {
    const targetOnly = join(target.tmpDir, 'known_hosts.target-only')
    writeFileSync(targetOnly, `${target.knownHostsLine}\n`)
    const error = await openConnection(viaBastion({ knownHostsPath: targetOnly })).catch(
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(HostKeyError)
    const message = (error as Error).message
    expect(message).toContain('Host key verification failed for the jump host of web1')
    expect(message).toContain('ansible_ssh_jump_host_key_fingerprints')
    expect((error as HostKeyError).detail).toContain(
      `the jump host of web1 is ${bastion.user}@127.0.0.1:${bastion.port}, ` +
        `known to known_hosts as [127.0.0.1]:${bastion.port}`
    )
    expect((error as HostKeyError).fingerprint).toBe(bastion.hostKeyFingerprint)
    expect((error as HostKeyError).host).toBe('web1')
  })

  it('checks pins of the bastion separately from the target', async () => {
    const conn = await openConnection(
      viaBastion({
        knownHostsPath: join(target.tmpDir, 'missing'),
        hostKeyFingerprints: [target.hostKeyFingerprint],
        jumpHostKeyFingerprints: [bastion.hostKeyFingerprint]
      })
    )
    await conn.close()
    const error = await openConnection(
      viaBastion({ jumpHostKeyFingerprints: [target.hostKeyFingerprint] })
    ).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(HostKeyError)
    expect((error as Error).message).toContain('ansible_ssh_jump_host_key_fingerprints')
  })

  it("verifies the target's host key through the tunnel, and closes the bastion connection", async () => {
    const wrong = join(target.tmpDir, 'known_hosts.target-wrong')
    // The bastion's key listed under the target's name: the target presents another key.
    const bastionKey = bastion.knownHostsLine.split(' ').slice(1).join(' ')
    writeFileSync(wrong, `${bastion.knownHostsLine}\n[127.0.0.1]:${target.port} ${bastionKey}\n`)
    const error = await openConnection(viaBastion({ knownHostsPath: wrong })).catch(
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(HostKeyError)
    expect((error as Error).message).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED for web1!')
    expect((error as HostKeyError).detail).toContain(
      `web1 is 127.0.0.1:${target.port} via ${bastion.user}@127.0.0.1:${bastion.port}`
    )
    expect(await eventually(() => ownConnectionsTo(bastion.port) === 0)).toBe(true)
  })

  it('logs in to the bastion with the target credentials unless a jump key is given', async () => {
    const error = await openConnection(viaBastion({ jumpPrivateKeyPath: undefined })).catch(
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(ConnectionError)
    expect((error as Error).message).toBe(
      `Permission denied (publickey) for user ${bastion.user} on the jump host ` +
        `of web1 (key: ${target.clientKeyPath}): ` +
        'check the jump host user (user@ in ProxyJump) / ansible_ssh_jump_private_key_file'
    )
    expect((error as ConnectionError).detail).toContain(
      `the jump host of web1 is ${bastion.user}@127.0.0.1:${bastion.port}`
    )
  })

  it('says which hop failed when the bastion cannot reach the target', async () => {
    const port = await unreachablePort()
    const error = await openConnection(viaBastion({ port })).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConnectionError)
    const message = (error as Error).message
    expect(message).toContain('the jump host of web1 cannot connect to web1: ')
    expect(message).not.toContain(String(port))
    expect((error as ConnectionError).detail).toContain(
      `the jump host of web1 was asked to connect to web1 at 127.0.0.1:${port} ` +
        `(127.0.0.1:${port} via ${bastion.user}@127.0.0.1:${bastion.port})`
    )
    expect(message).toContain('AllowTcpForwarding')
    expect(await eventually(() => ownConnectionsTo(bastion.port) === 0)).toBe(true)
  })

  it('says which hop failed when the bastion itself is down', async () => {
    const port = await unreachablePort()
    const error = await openConnection(
      viaBastion({ jumpHosts: [{ address: '127.0.0.1', port, user: bastion.user }] })
    ).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConnectionError)
    expect((error as Error).message).toBe(
      'connection refused by the jump host of web1: is sshd running on its port? ' +
        '(check the jump host port in ProxyJump / -J / ansible_ssh_jump_host; ' +
        'the address and port tried are in the log)'
    )
    expect((error as ConnectionError).detail).toContain(
      `the jump host of web1 is ${bastion.user}@127.0.0.1:${port}`
    )
  })

  it('reports a bastion that refuses forwarding', async (ctx) => {
    const strictBastion = await startSshd({
      name: 'jump-noforward',
      extraConfig: ['AllowTcpForwarding no']
    })
    try {
      if (strictBastion.kind !== 'openssh') ctx.skip()
      writeFileSync(knownHosts, `${strictBastion.knownHostsLine}\n`, { flag: 'a' })
      const error = await openConnection(
        viaBastion({
          jumpHosts: [
            { address: strictBastion.host, port: strictBastion.port, user: strictBastion.user }
          ],
          jumpPrivateKeyPath: strictBastion.clientKeyPath
        })
      ).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(ConnectionError)
      expect((error as Error).message).toMatch(
        /^the jump host of web1 cannot connect to web1: .*open failed.*AllowTcpForwarding/
      )
    } finally {
      await strictBastion.stop()
    }
  })
})
