// Unit: the service and package facts' parsers on answers captured from targets this machine is not:
// systemd running the system (systemctl show), and rpm-based hosts. The sysvinit and dpkg branches
// run for real in __tests__/integration/facts-target.test.ts.
import { describe, expect, it } from 'vitest'
import { FactError, parsePackageAnswer, parseServiceAnswer } from '../../src/facts/index.js'
import { ProbeAnswer } from '../../src/facts/probe.js'

const hex = (text: string): string => Buffer.from(text, 'utf8').toString('hex')

/** What service.sh prints on a systemd host for `systemctl show` output `shown`. */
const systemd = (shown: string): ProbeAnswer =>
  new ProbeAnswer(`manager=systemd\nshow_hex=${hex(shown)}\nend=1\n`)

describe('the service fact on systemd', () => {
  it('reads a running, enabled unit', () => {
    const state = parseServiceAnswer(
      systemd('LoadState=loaded\nActiveState=active\nSubState=running\nUnitFileState=enabled\n'),
      'ssh',
      'web1'
    )
    expect(state).toEqual({
      name: 'ssh',
      manager: 'systemd',
      exists: true,
      state: 'running',
      enabled: true,
      systemd: {
        loadState: 'loaded',
        activeState: 'active',
        subState: 'running',
        unitFileState: 'enabled'
      }
    })
  })

  it('reads a stopped, disabled unit and a static one (enabled, as systemctl is-enabled says)', () => {
    expect(
      parseServiceAnswer(
        systemd('ActiveState=inactive\nSubState=dead\nLoadState=loaded\nUnitFileState=disabled\n'),
        'cron',
        'web1'
      )
    ).toMatchObject({ exists: true, state: 'stopped', enabled: false })
    expect(
      parseServiceAnswer(
        systemd('LoadState=loaded\nActiveState=failed\nSubState=failed\nUnitFileState=static\n'),
        'x',
        'web1'
      )
    ).toMatchObject({ state: 'stopped', enabled: true })
    expect(
      parseServiceAnswer(
        systemd('LoadState=masked\nActiveState=inactive\nSubState=dead\nUnitFileState=masked\n'),
        'x',
        'web1'
      )
    ).toMatchObject({ exists: true, enabled: false })
  })

  it('reads a unit that is not there as not existing, and refuses an answer without states', () => {
    expect(
      parseServiceAnswer(
        systemd('LoadState=not-found\nActiveState=inactive\nSubState=dead\nUnitFileState=\n'),
        'nope',
        'web1'
      )
    ).toMatchObject({ exists: false, state: 'stopped', enabled: null })
    expect(() => parseServiceAnswer(systemd('Failed to connect to bus\n'), 'x', 'web1')).toThrow(
      FactError
    )
  })

  it('reads the LSB status of an init script: 4 and no status action are unknown', () => {
    const sysv = (status: string): ProbeAnswer =>
      new ProbeAnswer(`manager=sysvinit\nexists=1\nstatus=${status}\nenabled=0\nend=1\n`)
    expect(parseServiceAnswer(sysv('0'), 'x', 'web1').state).toBe('running')
    expect(parseServiceAnswer(sysv('3'), 'x', 'web1').state).toBe('stopped')
    expect(parseServiceAnswer(sysv('1'), 'x', 'web1').state).toBe('stopped')
    expect(parseServiceAnswer(sysv('4'), 'x', 'web1').state).toBe('unknown')
    expect(parseServiceAnswer(sysv('unknown'), 'x', 'web1').state).toBe('unknown')
  })
})

describe('the package fact on rpm', () => {
  const rpm = (queries: Array<[string, string, number]>): ProbeAnswer =>
    new ProbeAnswer(
      [
        'manager=dnf',
        'database=rpm',
        ...queries.flatMap(([name, out, status]) => [
          `package_hex=${hex(name)}`,
          `query_hex=${hex(out)}`,
          `query_status=${status}`
        ]),
        'end=1'
      ].join('\n')
    )

  it('reads version-release and architectures, and a package that is not installed', () => {
    const state = parsePackageAnswer(
      rpm([
        ['bash', '5.1.8-9.el9|x86_64', 0],
        ['glibc', '2.34-100.el9|x86_64\n2.34-100.el9|i686', 0],
        ['nope', 'package nope is not installed', 1]
      ]),
      ['bash', 'glibc', 'nope'],
      'web1'
    )
    expect(state.manager).toBe('dnf')
    expect(state.database).toBe('rpm')
    expect(state.packages['bash']).toEqual({
      name: 'bash',
      installed: true,
      version: '5.1.8-9.el9',
      architectures: ['x86_64']
    })
    expect(state.packages['glibc']!.architectures).toEqual(['x86_64', 'i686'])
    expect(state.packages['nope']).toEqual({ name: 'nope', installed: false, architectures: [] })
  })

  it('names the missing tools on a target with neither dpkg-query nor rpm', () => {
    const error = (() => {
      try {
        return parsePackageAnswer(new ProbeAnswer('database=none\nend=1\n'), ['x'], 'web1')
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(FactError)
    expect((error as Error).message).toContain('neither dpkg-query (dpkg) nor rpm')
  })

  it('dpkg: a package removed with its configuration kept is not installed', () => {
    const answer = new ProbeAnswer(
      `manager=apt-get\ndatabase=dpkg\npackage_hex=${hex('old')}\nquery_hex=${hex('rc |1.0|amd64')}\nquery_status=0\nend=1\n`
    )
    expect(parsePackageAnswer(answer, ['old'], 'web1').packages['old']).toMatchObject({
      installed: false
    })
  })
})
