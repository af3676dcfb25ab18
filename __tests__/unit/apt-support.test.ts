import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import {
  compareDebianVersions,
  fnmatch,
  isPattern,
  parsePolicies,
  splitSpec
} from '../../src/modules/apt-support.js'
import { expandDpkgOptions, preparedDiff } from '../../src/modules/apt.js'

describe('Debian version comparison', () => {
  const pairs: Array<[string, string]> = [
    ['1.0-1', '1.0-2'],
    ['1.0', '1.0-1'],
    ['1.0~rc1', '1.0'],
    ['1:0.9', '2.0'],
    ['2.0a', '2.0+b1'],
    ['1.10', '1.9'],
    ['1.0-1ubuntu1', '1.0-1'],
    ['0.0009', '0.01'],
    ['1.2.3', '1.2.3'],
    ['5.2.15-2+b8', '5.2.15-2+b10']
  ]
  const hasDpkg = spawnSync('sh', ['-c', 'command -v dpkg']).status === 0
  it.skipIf(!hasDpkg).each(pairs)('%s vs %s as dpkg --compare-versions', (a, b) => {
    const ours = compareDebianVersions(a, b)
    const dpkg = (op: string): boolean =>
      spawnSync('dpkg', ['--compare-versions', a, op, b]).status === 0
    expect(ours < 0).toBe(dpkg('lt'))
    expect(ours === 0).toBe(dpkg('eq'))
    expect(ours > 0).toBe(dpkg('gt'))
  })
})

describe('apt package specs and patterns', () => {
  it('splits name=version and name>=version on the first operator', () => {
    expect(splitSpec('nginx')).toEqual({ name: 'nginx', cmp: null, version: null })
    expect(splitSpec('nginx=1.2-3')).toEqual({ name: 'nginx', cmp: '=', version: '1.2-3' })
    expect(splitSpec('nginx>=1.2')).toEqual({ name: 'nginx', cmp: '>=', version: '1.2' })
    expect(splitSpec('nginx=1.*')).toEqual({ name: 'nginx', cmp: '=', version: '1.*' })
  })
  it('matches globs as Python fnmatch', () => {
    expect(fnmatch('1.1-1', '1.*')).toBe(true)
    expect(fnmatch('2.0-1', '1.*')).toBe(false)
    expect(fnmatch('libc6', 'lib?6')).toBe(true)
    expect(fnmatch('libc6', 'lib[!c]6')).toBe(false)
    expect(fnmatch('a.b', 'a?b')).toBe(true)
    expect(fnmatch('axb', 'a.b')).toBe(false)
    // Python drops a reversed range; a class left empty matches nothing (no error).
    expect(fnmatch('9.0-1', '[9-1]*')).toBe(false)
    expect(fnmatch('1:2.0-1', '1:2.[0-9]-*')).toBe(true)
    expect(isPattern('apt*')).toBe(true)
    expect(isPattern('apt')).toBe(false)
  })
  it('reads apt-cache policy sections', () => {
    const text = [
      'hello:',
      '  Installed: 1.0-1',
      '  Candidate: 2.0-1',
      '  Version table:',
      '     2.0-1 500',
      '        500 file:/tmp/repo ./ Packages',
      ' *** 1.0-1 100',
      '        100 /var/lib/dpkg/status',
      'virtual:',
      '  Installed: (none)',
      '  Candidate: (none)',
      '  Version table:'
    ].join('\n')
    const policies = parsePolicies(text)
    expect(policies['hello']).toEqual({
      installed: '1.0-1',
      candidate: '2.0-1',
      versions: [
        { version: '2.0-1', priority: 500 },
        { version: '1.0-1', priority: 100 }
      ]
    })
    expect(policies['virtual']).toEqual({ installed: null, candidate: null, versions: [] })
  })
  it("builds Ansible's dpkg options and prepared diff", () => {
    expect(expandDpkgOptions('force-confdef,force-confold')).toBe(
      '-o "Dpkg::Options::=--force-confdef" -o "Dpkg::Options::=--force-confold"'
    )
    const out = [
      'Reading package lists...',
      'Building dependency tree...',
      'Reading state information...',
      'The following NEW packages will be installed:',
      '  hello',
      '0 upgraded, 1 newly installed, 0 to remove and 0 not upgraded.',
      'Inst hello (1.0)'
    ].join('\n')
    expect(preparedDiff(out)).toEqual({
      prepared:
        'The following NEW packages will be installed:\n  hello\n0 upgraded, 1 newly installed, 0 to remove and 0 not upgraded.'
    })
  })
})
