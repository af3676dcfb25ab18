import { describe, expect, it } from 'vitest'
import type { AcceptedHostKey, UnverifiedHost } from '../../src/connection/index.js'
import { renderHostKeySections } from '../../src/report/host-key-summary.js'

const FINGERPRINT = 'SHA256:' + 'A'.repeat(43)

const accepted: AcceptedHostKey = {
  host: 'db1',
  where: 'the jump host of db1',
  name: '[10.20.30.40]:2222',
  keyType: 'ssh-ed25519',
  fingerprint: FINGERPRINT,
  line: '[10.20.30.40]:2222 ssh-ed25519 AAAAC3Nza',
  pinVariable: 'ansible_ssh_jump_host_key_fingerprints',
  warning: 'trusting … for the jump host of db1 (ops@10.20.30.40:2222)'
}

const unverified: UnverifiedHost = {
  host: 'web|1',
  reason: 'off',
  source: 'ansible_ssh_common_args (-o StrictHostKeyChecking=no)',
  warning: 'host web|1: host key checking is off'
}

describe('the job summary host key sections', () => {
  it('are empty when every key was verified against known_hosts', () => {
    expect(renderHostKeySections([], [])).toBe('')
  })

  it('list hosts whose key was not verified, by name, with what turned checking off', () => {
    const text = renderHostKeySections([], [unverified])
    expect(text).toContain('### ⚠️ Host keys not verified')
    expect(text).toContain(
      '| web\\|1 | host key checking is off: `ansible_ssh_common_args (-o StrictHostKeyChecking=no)` |'
    )
  })

  it('give the pin for a key accepted on first use, never the address or port', () => {
    const text = renderHostKeySections([accepted], [])
    expect(text).toContain(
      `| the jump host of db1 | ssh-ed25519 | \`ansible_ssh_jump_host_key_fingerprints: ${FINGERPRINT}\` |`
    )
    expect(text).not.toContain('10.20.30.40')
    expect(text).not.toContain('2222')
  })
})
