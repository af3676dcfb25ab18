// apt-probe.sh reads apt's policy (apt-cache builds its whole cache for it: most of a second on a
// machine that keeps none) only when the module needs it: with plain names to be present, not once
// dpkg has each one installed for apt's architecture or for all; with names to be absent, not when
// dpkg has no record of each or one for those architectures; in both only where apt can read its
// sources. The script runs locally against this machine's real dpkg database; a stand-in apt-cache
// records that it was called.
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import script from '../../src/modules/apt-probe.sh'

const has = (tool: string): boolean =>
  spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0

/** Installed packages of this machine: one for its own architecture (`arch`), one for all. */
function installed(): { native: string; all: string; arch: string } | undefined {
  if (!has('dpkg-query') || !has('apt-get')) return undefined
  const arch = spawnSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).stdout.trim()
  const rows = spawnSync(
    'dpkg-query',
    ['-W', '-f=${Package} ${Architecture} ${db:Status-Status}\\n', 'dpkg', 'debconf'],
    { encoding: 'utf8' }
  ).stdout
  const installedAs = (name: string, wanted: string) =>
    rows.split('\n').some((row) => row === `${name} ${wanted} installed`)
  return installedAs('dpkg', arch) && installedAs('debconf', 'all')
    ? { native: 'dpkg', all: 'debconf', arch }
    : undefined
}

const packages = installed()
let dir: string

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'apb-apt-probe-'))
  const standIn = path.join(dir, 'apt-cache')
  writeFileSync(
    standIn,
    `#!/bin/sh\nprintf '%s\\n' "$*" >>'${dir}/apt-cache.calls'\nfor n in "$@"; do [ "$n" = policy ] || [ "$n" = -- ] || printf '%s:\\n  Installed: (none)\\n  Candidate: (none)\\n  Version table:\\n' "$n"; done\n`
  )
  chmodSync(standIn, 0o755)
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

/** The probe's answer lines for `names`, with `enough` as the dpkg-enough mode. */
function probe(
  enough: 'present' | 'absent' | '',
  names: string[],
  env: Record<string, string> = {}
): string[] {
  const out = spawnSync(
    '/bin/sh',
    ['-c', script, 'apb-apt-probe', '0', '0', '0', '1', '1', '', '0', enough, '0', ...names],
    {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${dir}:/usr/sbin:/usr/bin:/sbin:/bin`, ...env }
    }
  )
  expect(out.status, out.stderr).toBe(0)
  const lines = out.stdout.split('\n')
  expect(lines).toContain('end=1')
  return lines
}

const policyRead = (): boolean => existsSync(path.join(dir, 'apt-cache.calls'))
const policyCalls = (): string =>
  policyRead() ? readFileSync(path.join(dir, 'apt-cache.calls'), 'utf8') : ''

describe.skipIf(packages === undefined)('apt-probe.sh: apt policy read only when needed', () => {
  it('skips the policy when every name is installed (own architecture, and all)', () => {
    const lines = probe('present', [packages!.native, packages!.all])
    expect(lines).toContain('policy_skipped=1')
    expect(lines.some((line) => line.startsWith('policy_hex='))).toBe(false)
    expect(policyRead()).toBe(false)
    // dpkg's state is still read for every name.
    expect(lines.filter((line) => line.startsWith('pkg='))).toHaveLength(2)
  })

  it('reads the policy of every name when one of them is not installed', () => {
    const lines = probe('present', [packages!.native, 'apb-no-such-package-here'])
    expect(lines).not.toContain('policy_skipped=1')
    expect(policyCalls().split('\n')[0]).toBe(
      `policy -- ${packages!.native} apb-no-such-package-here`
    )
  })

  it('reads the policy when the module needs it (not only presence)', () => {
    const lines = probe('', [packages!.native])
    expect(lines).not.toContain('policy_skipped=1')
    expect(policyCalls().split('\n')[0]).toBe(`policy -- ${packages!.native}`)
  })

  it.each(['present', 'absent'] as const)(
    'reads the policy for a name with an architecture (to be %s)',
    (enough) => {
      const lines = probe(enough, [`${packages!.native}:${packages!.arch}`])
      expect(lines).not.toContain('policy_skipped=1')
      expect(policyRead()).toBe(true)
    }
  )

  it('reads the policy when apt cannot read its sources (to fail as Ansible does)', () => {
    const standIn = path.join(dir, 'apt-get')
    writeFileSync(
      standIn,
      `#!/bin/sh\necho 'E: The list of sources could not be read.' >&2\nexit 100\n`
    )
    chmodSync(standIn, 0o755)
    const lines = probe('present', [packages!.native])
    expect(lines).not.toContain('policy_skipped=1')
    expect(policyCalls().split('\n')[0]).toBe(`policy -- ${packages!.native}`)
  })

  it('skips the policy for names to be absent that dpkg has installed or has no record of', () => {
    const lines = probe('absent', [packages!.native, 'apb-no-such-package-here'])
    expect(lines).toContain('policy_skipped=1')
    expect(policyRead()).toBe(false)
  })

  it('reads the policy for a name with a backslash (a pattern to dpkg-query, not to apt)', () => {
    const name = `${packages!.native.slice(0, 2)}\\${packages!.native.slice(2)}`
    const lines = probe('absent', [name])
    expect(lines).not.toContain('policy_skipped=1')
    expect(policyRead()).toBe(true)
  })

  it('reads the policy when apt is told to read another dpkg database', () => {
    const conf = path.join(dir, 'apt.conf')
    writeFileSync(conf, `Dir::State::status "${dir}/status";\n`)
    writeFileSync(path.join(dir, 'status'), '')
    const lines = probe('present', [packages!.native], { APT_CONFIG: conf })
    expect(lines).not.toContain('policy_skipped=1')
    expect(policyRead()).toBe(true)
  })
})
