import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { openConnection } from '../../src/connection/index.js'
import type { ConnectionSettings } from '../../src/connection/connection.js'
import {
  acceptedHostKeys,
  forgetAcceptedHostKeys,
  onHostKeyAccepted,
  type AcceptedHostKey
} from '../../src/connection/host-key-check.js'
import { HostKeyError } from '../../src/errors.js'
import { sshdConnectionSettings, startSshd, type SshdFixture } from '../helpers/sshd.js'

/*
 * Host key checking against real sshd instances: known_hosts forms, accept-new and pinned
 * fingerprints. (Unknown, changed, @revoked and hashed entries in strict mode: connection.test.ts.)
 */

function settingsFor(
  sshd: SshdFixture,
  extra: Partial<ConnectionSettings> = {}
): ConnectionSettings {
  return sshdConnectionSettings(sshd, extra)
}

/** Connects, runs `echo ok`, closes: resolves to the output, or rejects with the connect error. */
async function echoOk(settings: ConnectionSettings): Promise<string> {
  const conn = await openConnection(settings)
  try {
    return (await conn.run('echo ok', { timeoutMs: 10_000 })).stdout.toString()
  } finally {
    await conn.close()
  }
}

function refusal(settings: ConnectionSettings): Promise<HostKeyError> {
  return openConnection(settings).then(
    async (conn) => {
      await conn.close()
      throw new Error('expected the host key to be refused')
    },
    (error: unknown) => {
      expect(error).toBeInstanceOf(HostKeyError)
      return error as HostKeyError
    }
  )
}

/** A fresh ed25519 public key (type and base64) and its fingerprint, trusted by nothing. */
function otherKey(
  dir: string,
  name: string,
  type = 'ed25519'
): { key: string; fingerprint: string } {
  const path = join(dir, name)
  spawnSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', path])
  const key = readFileSync(`${path}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')
  const fingerprint = /SHA256:\S+/.exec(
    spawnSync('ssh-keygen', ['-lf', `${path}.pub`], { encoding: 'utf8' }).stdout
  )?.[0]
  if (!fingerprint) throw new Error(`ssh-keygen -lf ${path}.pub printed no fingerprint`)
  return { key, fingerprint }
}

/**
 * A TCP relay on its own port that forwards to whichever sshd is current: the same host name and port
 * answering with a different host key, as a man in the middle (or a rebuilt host) would.
 */
async function startRelay(): Promise<{ port: number; to: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>()
  const relay = { port: 0, to: 0, close: (): Promise<void> => Promise.resolve() }
  const server: Server = createServer((inbound) => {
    const outbound = connect({ host: '127.0.0.1', port: relay.to })
    sockets.add(inbound).add(outbound)
    inbound.pipe(outbound).pipe(inbound)
    const drop = (): void => {
      inbound.destroy()
      outbound.destroy()
    }
    inbound.on('error', drop).on('close', drop)
    outbound.on('error', drop).on('close', drop)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  relay.port = (server.address() as AddressInfo).port
  relay.close = () => {
    for (const socket of sockets) socket.destroy()
    return new Promise<void>((resolve) => server.close(() => resolve()))
  }
  return relay
}

describe('host keys against a real sshd', () => {
  let sshd: SshdFixture
  let other: SshdFixture
  let emptyKnownHosts: string

  beforeAll(async () => {
    ;[sshd, other] = await Promise.all([
      startSshd({ name: 'host-keys' }),
      startSshd({ name: 'host-keys-other' })
    ])
    emptyKnownHosts = join(sshd.tmpDir, 'known_hosts.empty')
    writeFileSync(emptyKnownHosts, '')
  })
  afterAll(async () => {
    await Promise.all([sshd?.stop(), other?.stop()])
  })
  beforeEach(() => forgetAcceptedHostKeys())

  describe('known_hosts names', () => {
    it('trusts a [127.0.0.1]:PORT entry for a server on a non-standard port', async () => {
      expect(sshd.knownHostsLine.startsWith(`[127.0.0.1]:${sshd.port} `)).toBe(true)
      expect(await echoOk(settingsFor(sshd))).toBe('ok\n')
    })

    it('does not apply an entry without a port (port 22) to another port', async () => {
      const portless = join(sshd.tmpDir, 'known_hosts.portless')
      writeFileSync(portless, `127.0.0.1 ${sshd.knownHostsLine.split(' ').slice(1).join(' ')}\n`)
      const error = await refusal(settingsFor(sshd, { knownHostsPath: portless }))
      expect(error.message).toContain(`no key for it in ${portless}`)
      expect(error.detail).toContain(`known to known_hosts as [127.0.0.1]:${sshd.port}`)
    })
  })

  describe('accept-new', () => {
    it('trusts an unknown host for the rest of the run, recording and announcing it once', async () => {
      const announced: AcceptedHostKey[] = []
      const stop = onHostKeyAccepted((a) => announced.push(a))
      try {
        const settings = settingsFor(sshd, {
          knownHostsPath: emptyKnownHosts,
          hostKeyChecking: 'accept-new'
        })
        expect(await echoOk(settings)).toBe('ok\n')
        expect(await echoOk({ ...settings, host: 'web1-again' })).toBe('ok\n')
      } finally {
        stop()
      }
      const expected = {
        host: 'web1',
        name: `[127.0.0.1]:${sshd.port}`,
        keyType: 'ssh-ed25519',
        fingerprint: sshd.hostKeyFingerprint,
        line: sshd.knownHostsLine
      }
      expect(acceptedHostKeys()).toEqual([expect.objectContaining(expected)])
      expect(announced).toEqual([expect.objectContaining(expected)])
      expect(announced[0]!.warning).toContain(
        `trusting ssh-ed25519 ${sshd.hostKeyFingerprint} for web1`
      )
      expect(announced[0]!.warning).toContain(sshd.knownHostsLine)
      // The file itself is left alone: accept-new remembers for this run only.
      expect(readFileSync(emptyKnownHosts, 'utf8')).toBe('')
      // strict still refuses the host: the run's memory serves accept-new only.
      await refusal(settingsFor(sshd, { knownHostsPath: emptyKnownHosts }))
    })

    it('still refuses a key that differs from the one in known_hosts', async () => {
      const changed = join(sshd.tmpDir, 'known_hosts.changed-accept-new')
      writeFileSync(changed, `[127.0.0.1]:${sshd.port} ${otherKey(sshd.tmpDir, 'changed').key}\n`)
      const error = await refusal(
        settingsFor(sshd, { knownHostsPath: changed, hostKeyChecking: 'accept-new' })
      )
      expect(error.message).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED')
      expect(error.fingerprint).toBe(sshd.hostKeyFingerprint)
      expect(acceptedHostKeys()).toEqual([])
    })

    it('refuses a different key later in the run for a host it accepted', async () => {
      const relay = await startRelay()
      try {
        const viaRelay = settingsFor(sshd, {
          port: relay.port,
          knownHostsPath: emptyKnownHosts,
          hostKeyChecking: 'accept-new'
        })
        relay.to = sshd.port
        expect(await echoOk(viaRelay)).toBe('ok\n')
        // The same name and port now answer with another server's key.
        relay.to = other.port
        const error = await refusal({ ...viaRelay, privateKeyPath: other.clientKeyPath })
        expect(error.message).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED')
        expect(error.message).toContain('accepted earlier in this run for web1 (accept-new)')
        expect(error.message).toContain(sshd.hostKeyFingerprint)
        expect(error.fingerprint).toBe(other.hostKeyFingerprint)
        expect(acceptedHostKeys().map((a) => a.fingerprint)).toEqual([sshd.hostKeyFingerprint])
      } finally {
        await relay.close()
      }
    })

    it('adds no new key type to a host known with other key types', async () => {
      const ecdsaOnly = join(sshd.tmpDir, 'known_hosts.ecdsa-only')
      const ecdsa = otherKey(sshd.tmpDir, 'ecdsa', 'ecdsa')
      writeFileSync(ecdsaOnly, `[127.0.0.1]:${sshd.port} ${ecdsa.key}\n`)
      const error = await refusal(
        settingsFor(sshd, { knownHostsPath: ecdsaOnly, hostKeyChecking: 'accept-new' })
      )
      expect(error.message).toContain('only keys of type ecdsa-sha2-nistp256 are recorded')
      expect(error.message).toContain('accept-new adds no new key type to a known host')
    })

    it('still refuses a key marked @revoked', async () => {
      const revoked = join(sshd.tmpDir, 'known_hosts.revoked-accept-new')
      writeFileSync(revoked, `@revoked * ${sshd.knownHostsLine.split(' ').slice(1).join(' ')}\n`)
      const error = await refusal(
        settingsFor(sshd, { knownHostsPath: revoked, hostKeyChecking: 'accept-new' })
      )
      expect(error.message).toContain('@revoked')
    })
  })

  describe('pinned fingerprints', () => {
    it('trusts a host whose key matches a pin, without a known_hosts entry', async () => {
      const pinned = settingsFor(sshd, {
        knownHostsPath: emptyKnownHosts,
        hostKeyFingerprints: [
          otherKey(sshd.tmpDir, 'unused-pin').fingerprint,
          sshd.hostKeyFingerprint
        ]
      })
      expect(await echoOk(pinned)).toBe('ok\n')
    })

    it('lets a matching pin outrank a known_hosts entry that expects another key', async () => {
      const stale = join(sshd.tmpDir, 'known_hosts.stale')
      writeFileSync(stale, `[127.0.0.1]:${sshd.port} ${otherKey(sshd.tmpDir, 'stale').key}\n`)
      expect(
        await echoOk(
          settingsFor(sshd, {
            knownHostsPath: stale,
            hostKeyFingerprints: [sshd.hostKeyFingerprint]
          })
        )
      ).toBe('ok\n')
    })

    it('refuses a key that matches no pin even though known_hosts trusts it, naming pins and key', async () => {
      const pin = otherKey(sshd.tmpDir, 'wrong-pin').fingerprint
      const error = await refusal(settingsFor(sshd, { hostKeyFingerprints: [pin] }))
      expect(error.message).toContain(
        `Host key verification failed for web1: the host presented ` +
          `ssh-ed25519 ${sshd.hostKeyFingerprint}, which matches none of the fingerprints pinned in ` +
          `ansible_ssh_host_key_fingerprints (${pin})`
      )
      expect(error.fingerprint).toBe(sshd.hostKeyFingerprint)
    })

    it('enforces pins in accept-new and off modes too', async () => {
      const pin = otherKey(sshd.tmpDir, 'wrong-pin-2').fingerprint
      for (const mode of ['accept-new', 'off'] as const) {
        const error = await refusal(
          settingsFor(sshd, {
            knownHostsPath: emptyKnownHosts,
            hostKeyChecking: mode,
            hostKeyFingerprints: [pin]
          })
        )
        expect(error.message).toContain('matches none of the fingerprints pinned')
      }
      expect(acceptedHostKeys()).toEqual([])
    })

    it('refuses a pinned key that known_hosts marks @revoked', async () => {
      const revoked = join(sshd.tmpDir, 'known_hosts.revoked-pinned')
      writeFileSync(revoked, `@revoked * ${sshd.knownHostsLine.split(' ').slice(1).join(' ')}\n`)
      const error = await refusal(
        settingsFor(sshd, {
          knownHostsPath: revoked,
          hostKeyFingerprints: [sshd.hostKeyFingerprint]
        })
      )
      expect(error.message).toContain('@revoked')
    })
  })
})
