// Turning host key checking off from the inventory works as in Ansible, and is always loud: one warning per
// host, naming the host and what turned checking off, and a list for the job summary. UserKnownHostsFile
// replaces ~/.ssh/known_hosts, never the known_hosts the run was given.
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { forgetAcceptedHostKeys, unverifiedHosts } from '../../src/connection/index.js'
import { runCaptured, sshdInventory, sshdSettings } from '../helpers/engine.js'
import { startSshd, type SshdFixture } from '../helpers/sshd.js'

let sshd: SshdFixture
let emptyKnownHosts: string

const PLAY = `- hosts: all
  gather_facts: false
  tasks:
    - shell: echo one
    - shell: echo two
`

/** One INI host line for the test sshd with extra variables. */
function hostLine(name: string, vars: string): string {
  return `${name} ansible_host=${sshd.host} ansible_port=${sshd.port} ${vars}`
}

function inventory(...lines: string[]): string {
  return sshdInventory(sshd, { hosts: [] }).replace('[web]\n', `[web]\n${lines.join('\n')}\n`)
}

const warningsAbout = (output: string, host: string): string[] =>
  output.split('\n').filter((l) => l.startsWith('[WARNING]: ') && l.includes(`host ${host}:`))

beforeAll(async () => {
  sshd = await startSshd({ name: 'host-key-checking' })
  emptyKnownHosts = path.join(sshd.tmpDir, 'known_hosts.none')
  writeFileSync(emptyKnownHosts, '')
})
afterAll(async () => sshd?.stop())
beforeEach(() => forgetAcceptedHostKeys())

describe('host key checking turned off in the inventory', () => {
  it('connects, and warns once per affected host, naming it and the variable', async () => {
    const out = await runCaptured(
      sshdSettings(
        sshd,
        PLAY,
        inventory(
          hostLine('web1', `ansible_ssh_common_args='-o StrictHostKeyChecking=no'`),
          hostLine('web2', 'ansible_host_key_checking=false'),
          hostLine('web3', `ansible_ssh_extra_args='-oStrictHostKeyChecking=off'`),
          hostLine('web4', 'ansible_ssh_host_key_checking=False'),
          hostLine('pinned', '')
        ),
        // Nothing in known_hosts: only the hosts whose checking is off can connect.
        {
          connection: {
            knownHostsPath: emptyKnownHosts,
            hostKeyChecking: 'strict',
            connectTimeoutMs: 30_000
          }
        }
      )
    )
    expect(out.document.stats['web1']).toMatchObject({ ok: 2, unreachable: 0 })
    expect(out.document.stats['web2']).toMatchObject({ ok: 2, unreachable: 0 })
    expect(out.document.stats['web3']).toMatchObject({ ok: 2, unreachable: 0 })
    expect(out.document.stats['web4']).toMatchObject({ ok: 2, unreachable: 0 })
    expect(out.document.stats['pinned']).toMatchObject({ unreachable: 1 })
    const expected: Record<string, string> = {
      web1: 'ansible_ssh_common_args (-o StrictHostKeyChecking=no)',
      web2: 'ansible_host_key_checking: false',
      web3: 'ansible_ssh_extra_args (-o StrictHostKeyChecking=off)',
      web4: 'ansible_ssh_host_key_checking: false'
    }
    for (const [host, source] of Object.entries(expected)) {
      const warnings = warningsAbout(out.output, host)
      expect(warnings, host).toHaveLength(1)
      expect(warnings[0]).toContain(`host key checking is off (${source})`)
      // Named by inventory name: the address is not in the warning.
      expect(warnings[0]).not.toContain(String(sshd.port))
    }
    expect(warningsAbout(out.output, 'pinned')).toEqual([])
    expect(unverifiedHosts().map((u) => [u.host, u.reason, u.source])).toEqual(
      Object.entries(expected).map(([host, source]) => [host, 'off', source])
    )
  })

  it('a second run in the same process warns again', async () => {
    const settings = sshdSettings(
      sshd,
      PLAY,
      inventory(hostLine('web1', 'ansible_host_key_checking=no')),
      {
        connection: {
          knownHostsPath: emptyKnownHosts,
          hostKeyChecking: 'strict',
          connectTimeoutMs: 30_000
        }
      }
    )
    await runCaptured(settings)
    const again = await runCaptured(settings)
    expect(warningsAbout(again.output, 'web1')).toHaveLength(1)
  })

  it('warns about the run-wide setting too, per host', async () => {
    const out = await runCaptured(
      sshdSettings(sshd, PLAY, inventory(hostLine('web1', '')), {
        connection: {
          knownHostsPath: emptyKnownHosts,
          hostKeyChecking: 'off',
          hostKeyCheckingSource: '--host-key-checking off',
          connectTimeoutMs: 30_000
        }
      })
    )
    expect(out.exitCode).toBe(0)
    expect(warningsAbout(out.output, 'web1')).toEqual([
      expect.stringContaining('host key checking is off (--host-key-checking off)')
    ])
  })

  it('says nothing for a host whose pins still verify its key', async () => {
    const out = await runCaptured(
      sshdSettings(
        sshd,
        PLAY,
        inventory(
          hostLine(
            'web1',
            `ansible_host_key_checking=false ansible_ssh_host_key_fingerprints=${sshd.hostKeyFingerprint}`
          )
        )
      )
    )
    expect(out.exitCode).toBe(0)
    expect(warningsAbout(out.output, 'web1')).toEqual([])
    expect(unverifiedHosts()).toEqual([])
  })

  it('refuses a value Ansible would silently read as false', async () => {
    const out = await runCaptured(
      sshdSettings(sshd, PLAY, inventory(hostLine('web1', 'ansible_host_key_checking=maybe')))
    )
    expect(out.exitCode).not.toBe(0)
    expect(JSON.stringify(out.document)).toContain(
      "ansible_host_key_checking must be true or false (or accept-new), got 'maybe'"
    )
  })
})

describe('UserKnownHostsFile', () => {
  it('/dev/null drops ~/.ssh/known_hosts but not the known_hosts text the run was given', async () => {
    const out = await runCaptured(
      sshdSettings(
        sshd,
        PLAY,
        inventory(hostLine('web1', `ansible_ssh_common_args='-o UserKnownHostsFile=/dev/null'`)),
        {
          connection: {
            knownHostsPath: sshd.knownHostsPath,
            knownHosts: readFileSync(sshd.knownHostsPath, 'utf8'),
            hostKeyChecking: 'strict',
            connectTimeoutMs: 30_000
          }
        }
      )
    )
    expect(out.exitCode).toBe(0)
    expect(out.document.stats['web1']).toMatchObject({ ok: 2 })
    expect(unverifiedHosts()).toEqual([])
  })

  it('/dev/null keeps the known_hosts file given for the run (--known-hosts)', async () => {
    const out = await runCaptured(
      sshdSettings(
        sshd,
        PLAY,
        inventory(hostLine('web1', `ansible_ssh_common_args='-o UserKnownHostsFile=/dev/null'`)),
        {
          connection: {
            knownHostsPath: sshd.knownHostsPath,
            explicitKnownHostsPath: sshd.knownHostsPath,
            hostKeyChecking: 'strict',
            connectTimeoutMs: 30_000
          }
        }
      )
    )
    expect(out.exitCode).toBe(0)
  })

  it('replaces ~/.ssh/known_hosts: a host known only there is refused, saying why', async () => {
    const out = await runCaptured(
      sshdSettings(
        sshd,
        PLAY,
        inventory(hostLine('web1', `ansible_ssh_common_args='-o UserKnownHostsFile=/dev/null'`))
      )
    )
    expect(out.exitCode).toBe(4)
    const msg = String(out.document.plays[0]!.tasks[0]!.results['web1']!.result['msg'])
    expect(msg).toContain('Host key verification failed for web1')
    expect(msg).toContain(
      'ansible_ssh_common_args (-o UserKnownHostsFile=/dev/null) replaces ~/.ssh/known_hosts'
    )
  })

  it('warns when, with accept-new, it leaves nothing to verify any key against', async () => {
    const out = await runCaptured(
      sshdSettings(
        sshd,
        PLAY,
        inventory(
          hostLine(
            'web1',
            `ansible_ssh_common_args='-o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=accept-new'`
          )
        )
      )
    )
    expect(out.exitCode).toBe(0)
    const warnings = warningsAbout(out.output, 'web1')
    expect(warnings).toEqual([expect.stringContaining('no host key can be verified for web1')])
    expect(unverifiedHosts()).toEqual([
      expect.objectContaining({ host: 'web1', reason: 'no-known-hosts' })
    ])
  })
})
