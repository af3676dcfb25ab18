import { describe, expect, it } from 'vitest'
import {
  checkHostKey,
  entryMatchesHost,
  fingerprintSha256,
  formatKnownHostsLine,
  keyTypeOfBlob,
  knownHostsName,
  knownKeyTypes,
  parseKnownHosts,
  wildcardMatch
} from '../../src/connection/known-hosts.js'

// Real keys from ssh-keygen; fingerprints as `ssh-keygen -lf` printed them.
const ED_A = 'AAAAC3NzaC1lZDI1NTE5AAAAIHciEt/e7Zs5gBkf+EhbQ3dNu5LLlRtxc/TojSrriiEu'
const ED_A_FINGERPRINT = 'SHA256:vZsCFk7hnyBw6TfPSHFbuxRngzZ4R5DT9AAGcFbXN5o'
const ED_B = 'AAAAC3NzaC1lZDI1NTE5AAAAIBEPOGYaCaF6d1V7x6+ClatrET//tUibLdeMv6V4fMWp'
const RSA =
  'AAAAB3NzaC1yc2EAAAADAQABAAAAgQC5UJo8Vqo4WvEVzSt7MtijSppsO/70tn72IK3ylDmt7ODLuiNGGLR0vmw980DTv' +
  'EXiX5vXii39PpxJ8fowqNwNcyP5m0+d0TluvosZDivgzo4Tx1G3pWEGntmFpjACHPkjEfRNa5EW6Uxa8sK1TnC2Zti64PzC' +
  'r2/ZNPzCV4eojw=='
const RSA_FINGERPRINT = 'SHA256:rmloQo13555izt7LDs0CPv2sDe9ZZK9orlxznFjLZvg'
// `ssh-keygen -H` of "example.com ED_A" and "[db.example.com]:2222 ED_A".
const HASHED_EXAMPLE = '|1|6w7z5qIbqMRBTVCbwR0DnkX+xaM=|AlOUjXhukSuXfSanoG4xp9WYATw='
const HASHED_DB_2222 = '|1|TQDwNDdJBJLowyTdM6sEYvMCTBY=|vUSRui+1isH5zZG7DePYslWkoUg='

const blob = (b64: string): Buffer => Buffer.from(b64, 'base64')

describe('fingerprints and names', () => {
  it('computes the fingerprint ssh-keygen prints', () => {
    expect(fingerprintSha256(blob(ED_A))).toBe(ED_A_FINGERPRINT)
    expect(fingerprintSha256(blob(RSA))).toBe(RSA_FINGERPRINT)
  })

  it('reads the key type from the blob', () => {
    expect(keyTypeOfBlob(blob(ED_A))).toBe('ssh-ed25519')
    expect(keyTypeOfBlob(blob(RSA))).toBe('ssh-rsa')
    expect(keyTypeOfBlob(Buffer.from([0, 0, 0, 200, 1]))).toBeUndefined()
  })

  it('looks hosts up by address on port 22, [address]:port otherwise', () => {
    expect(knownHostsName('10.0.0.1', 22)).toBe('10.0.0.1')
    expect(knownHostsName('127.0.0.1', 2222)).toBe('[127.0.0.1]:2222')
    expect(formatKnownHostsLine('[127.0.0.1]:2222', blob(ED_A))).toBe(
      `[127.0.0.1]:2222 ssh-ed25519 ${ED_A}`
    )
  })
})

describe('wildcard patterns', () => {
  it.each([
    ['*', 'anything', true],
    ['*.example.com', 'web1.example.com', true],
    ['*.example.com', 'example.com', false],
    ['web?', 'web1', true],
    ['web?', 'web12', false],
    ['[127.0.0.1]:*', '[127.0.0.1]:2222', true],
    ['a*b*c', 'aXXbYYc', true],
    ['a*b*c', 'aXXbYY', false],
    ['', '', true]
  ])('%s against %s is %s', (pattern, text, expected) => {
    expect(wildcardMatch(pattern, text)).toBe(expected)
  })
})

describe('parseKnownHosts', () => {
  it('parses comma lists, ports and markers, skipping comments, blanks, malformed lines and CAs', () => {
    const text = [
      '# a comment',
      '',
      `web1,10.0.0.1 ssh-ed25519 ${ED_A} comment words here`,
      `[db]:2222 ssh-rsa ${RSA}`,
      `@revoked * ssh-ed25519 ${ED_B}`,
      `@cert-authority *.example.com ssh-ed25519 ${ED_B}`,
      'just-a-host',
      'host ssh-ed25519',
      'host ssh-ed25519 !!!not-base64!!!',
      `host ssh-rsa ${ED_A}`, // type disagrees with the blob
      '|1|bad|hash ssh-ed25519 ' + ED_A,
      `@unknown-marker host ssh-ed25519 ${ED_A}`,
      `\tindented\tssh-ed25519\t${ED_B}\r`
    ].join('\n')
    const entries = parseKnownHosts(text, '/k')
    expect(entries.map((e) => [e.source, e.marker, e.keyType])).toEqual([
      ['/k:3', undefined, 'ssh-ed25519'],
      ['/k:4', undefined, 'ssh-rsa'],
      ['/k:5', 'revoked', 'ssh-ed25519'],
      ['/k:13', undefined, 'ssh-ed25519']
    ])
    const [first] = entries
    expect(first && entryMatchesHost(first, 'web1')).toBe(true)
    expect(first && entryMatchesHost(first, '10.0.0.1')).toBe(true)
    expect(first && entryMatchesHost(first, 'web2')).toBe(false)
  })

  it('never throws on garbage', () => {
    const garbage = [
      '\u0000\u0001',
      '@',
      '@revoked',
      '| | |',
      ',,, a b',
      'x'.repeat(10_000),
      '\uFFFD ssh-rsa ='
    ]
    expect(parseKnownHosts(garbage.join('\n'))).toEqual([])
  })

  it('matches hostnames case-insensitively', () => {
    const [entry] = parseKnownHosts(`Web1.Example.COM ssh-ed25519 ${ED_A}`)
    expect(entry && entryMatchesHost(entry, 'web1.example.com')).toBe(true)
  })

  it('lets a negated pattern veto the line', () => {
    const [entry] = parseKnownHosts(`*.example.com,!bad.example.com ssh-ed25519 ${ED_A}`)
    expect(entry && entryMatchesHost(entry, 'good.example.com')).toBe(true)
    expect(entry && entryMatchesHost(entry, 'bad.example.com')).toBe(false)
    const [onlyNegated] = parseKnownHosts(`!bad ssh-ed25519 ${ED_A}`)
    expect(onlyNegated && entryMatchesHost(onlyNegated, 'good')).toBe(false)
  })

  it('matches hashed names written by ssh-keygen -H', () => {
    const entries = parseKnownHosts(
      `${HASHED_EXAMPLE} ssh-ed25519 ${ED_A}\n${HASHED_DB_2222} ssh-ed25519 ${ED_A}\n`
    )
    const [example, db] = entries
    expect(example && entryMatchesHost(example, 'example.com')).toBe(true)
    expect(example && entryMatchesHost(example, 'example.org')).toBe(false)
    expect(db && entryMatchesHost(db, '[db.example.com]:2222')).toBe(true)
    expect(db && entryMatchesHost(db, 'db.example.com')).toBe(false)
  })
})

describe('checkHostKey', () => {
  const text = [
    `web1 ssh-ed25519 ${ED_A}`,
    `web1 ssh-rsa ${RSA}`,
    `rsa-only ssh-rsa ${RSA}`,
    `[web1]:2222 ssh-ed25519 ${ED_B}`,
    `${HASHED_EXAMPLE} ssh-ed25519 ${ED_A}`,
    `@revoked *.compromised ssh-ed25519 ${ED_B}`,
    `host.compromised ssh-ed25519 ${ED_B}`
  ].join('\n')
  const entries = parseKnownHosts(text, 'kh')

  it('trusts any recorded key of a host with several keys', () => {
    expect(checkHostKey(entries, 'web1', blob(ED_A)).status).toBe('trusted')
    expect(checkHostKey(entries, 'web1', blob(RSA)).status).toBe('trusted')
    expect(checkHostKey(entries, 'example.com', blob(ED_A)).status).toBe('trusted')
  })

  it('keeps ports apart', () => {
    expect(checkHostKey(entries, '[web1]:2222', blob(ED_B)).status).toBe('trusted')
    expect(checkHostKey(entries, '[web1]:2222', blob(ED_A))).toMatchObject({ status: 'changed' })
  })

  it('reports a different key of a recorded type as changed, with what was expected', () => {
    const verdict = checkHostKey(entries, 'web1', blob(ED_B))
    expect(verdict.status).toBe('changed')
    if (verdict.status === 'changed') {
      expect(verdict.expected.map((e) => e.source)).toEqual(['kh:1'])
    }
  })

  it('reports an unknown host, or only other key types being known', () => {
    expect(checkHostKey(entries, 'web9', blob(ED_A))).toEqual({ status: 'unknown', otherTypes: [] })
    expect(checkHostKey(entries, 'rsa-only', blob(ED_A))).toEqual({
      status: 'unknown',
      otherTypes: ['ssh-rsa']
    })
    expect(checkHostKey([], 'anything', blob(ED_A)).status).toBe('unknown')
  })

  it('refuses a revoked key even where it is also listed as trusted', () => {
    const verdict = checkHostKey(entries, 'host.compromised', blob(ED_B))
    expect(verdict).toMatchObject({ status: 'revoked', entry: { source: 'kh:6' } })
  })

  it('lists the key types known for a host, to prefer them in key exchange', () => {
    expect(knownKeyTypes(entries, 'web1')).toEqual(['ssh-ed25519', 'ssh-rsa'])
    expect(knownKeyTypes(entries, 'nowhere')).toEqual([])
  })
})
