// The service modules on a real target (the local connection): systemd against the stand-in systemctl
// (check mode, round trips, a host without systemctl), service against a real /etc/init.d script
// (check mode, round trips; root only, as it installs one), and the refusals (OpenRC, the sysvinit
// module). The differential fixtures modules-systemd.yml and modules-service.yml compare the rest with
// ansible-playbook.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Connection } from '../../src/connection/connection.js'
import { openLocalConnection } from '../../src/connection/local-connection.js'
import { countingConnection } from '../helpers/counting-connection.js'
import { installInitService, removeInitService } from '../helpers/initd-service.js'
import { runModuleOn } from '../helpers/module-harness.js'
import { installSystemctlStandin, type SystemctlStandin } from '../helpers/systemctl-standin.js'

const asRoot = process.getuid?.() === 0
/** systemd runs this machine: Ansible's service module takes systemd's path before any other. */
const HOST_RUNS_SYSTEMD = existsSync('/run/systemd/system')

const UNIT = `[Unit]
Description=APB test daemon
[Service]
ExecStart=/usr/sbin/apbd
[Install]
WantedBy=multi-user.target
`

describe('systemd against the stand-in systemctl', () => {
  let standin: SystemctlStandin
  let root: string
  let environment: Record<string, string>
  let n = 0

  beforeAll(() => {
    standin = installSystemctlStandin()
  })
  afterAll(() => standin?.remove())

  /** A fresh state with one installable unit, apbd.service. */
  const freshState = (): void => {
    root = path.join(standin.stateBase, `case-${++n}`)
    mkdirSync(path.join(root, 'system/lib'), { recursive: true })
    writeFileSync(path.join(root, 'system/lib/apbd.service'), UNIT)
    environment = { PATH: standin.path, SYSTEMCTL_STANDIN_ROOT: root }
  }
  const runFile = (name: string): string => path.join(root, 'system/run', name)

  it('in check mode reports the start, enabling and masking it would do, and does none of them', async () => {
    freshState()
    const started = await runModuleOn(
      'systemd',
      { name: 'apbd', state: 'started', enabled: true, daemon_reload: true },
      { flags: { check: true, diff: false }, environment }
    )
    expect(started.result).toMatchObject({
      changed: true,
      name: 'apbd',
      state: 'started',
      enabled: true
    })
    expect((started.result['status'] as Record<string, string>)['ActiveState']).toBe('inactive')
    expect(existsSync(runFile('apbd.service.starts'))).toBe(false)
    expect(existsSync(runFile('daemon-reloads'))).toBe(false)
    expect(existsSync(path.join(root, 'system/etc/multi-user.target.wants/apbd.service'))).toBe(
      false
    )
    const masked = await runModuleOn(
      'systemd',
      { name: 'apbd', masked: true },
      { flags: { check: true, diff: false }, environment }
    )
    expect(masked.result).toMatchObject({ changed: true })
    expect(existsSync(path.join(root, 'system/etc/apbd.service'))).toBe(false)
  })

  it('reads in one round trip when nothing changes, and changes in a second', async () => {
    freshState()
    const counting = countingConnection(openLocalConnection('localhost'))
    try {
      const connect = (): Promise<typeof counting.connection> =>
        Promise.resolve(counting.connection)
      const first = await runModuleOn(
        'systemd',
        { name: 'apbd', state: 'started', enabled: true },
        { environment, connect }
      )
      expect(first.result).toMatchObject({ changed: true, state: 'started', enabled: true })
      expect(counting.roundTrips()).toBe(2)
      expect(readFileSync(runFile('apbd.service.state'), 'utf8')).toBe('active running success 0\n')
      counting.reset()
      const again = await runModuleOn(
        'systemd',
        { name: 'apbd', state: 'started', enabled: true },
        { environment, connect }
      )
      expect(again.result).toMatchObject({ changed: false, state: 'started', enabled: true })
      expect(counting.roundTrips()).toBe(1)
    } finally {
      await counting.connection.close()
    }
  })

  it('unmasks and enables in two round trips (enabling decided on the target after unmasking)', async () => {
    freshState()
    const masked = await runModuleOn('systemd', { name: 'apbd', masked: true }, { environment })
    expect(masked.result).toMatchObject({ changed: true })
    const counting = countingConnection(openLocalConnection('localhost'))
    try {
      const connect = (): Promise<Connection> => Promise.resolve(counting.connection)
      const args = { name: 'apbd', masked: false, enabled: true }
      const first = await runModuleOn('systemd', args, { environment, connect })
      expect(first.result).toMatchObject({ changed: true, name: 'apbd', enabled: true })
      expect(Object.keys(first.result)).toEqual(['name', 'changed', 'status', 'enabled'])
      expect(counting.roundTrips()).toBe(2)
      expect(existsSync(path.join(root, 'system/etc/multi-user.target.wants/apbd.service'))).toBe(
        true
      )
      counting.reset()
      const again = await runModuleOn('systemd', args, { environment, connect })
      expect(again.result).toMatchObject({ changed: false, enabled: true })
      expect(counting.roundTrips()).toBe(1)
      // Masking while disabling: is-enabled then says masked, which Ansible reads as disabled.
      counting.reset()
      const off = await runModuleOn(
        'systemd',
        { name: 'apbd', masked: true, enabled: false },
        { environment, connect }
      )
      expect(off.result).toMatchObject({ changed: true, enabled: false })
      expect(counting.roundTrips()).toBe(2)
    } finally {
      await counting.connection.close()
    }
  })

  it('names systemctl and where it looked when the host has none', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'apb-nosystemctl-'))
    try {
      const { result } = await runModuleOn(
        'systemd',
        { name: 'apbd', state: 'started' },
        { environment: { PATH: empty } }
      )
      expect(result['failed']).toBe(true)
      expect(String(result['msg'])).toMatch(
        new RegExp(`^Failed to find required executable "systemctl" in paths: ${empty}:/sbin:`)
      )
    } finally {
      rmSync(empty, { recursive: true, force: true })
    }
  })

  it('service without facts reads a systemd host in one round trip, as with facts', async () => {
    freshState()
    // This machine may not run systemd: its service manager, as the service probe reads it, is
    // made systemd's; everything else is read for real (the stand-in systemctl).
    const local = openLocalConnection('localhost')
    const systemdHost: Connection = {
      host: local.host,
      run: async (command, options) => {
        const result = await local.run(command, options)
        if (!command.includes('apb-service')) return result
        const text = result.stdout
          .toString('utf8')
          .replace(
            /^service_mgr_hex=.*$/m,
            `service_mgr_hex=${Buffer.from('systemd').toString('hex')}`
          )
        return { ...result, stdout: Buffer.from(text) }
      },
      putFile: (p, c, o) => local.putFile(p, c, o),
      getFile: (p, o) => local.getFile(p, o),
      close: () => local.close()
    }
    const counting = countingConnection(systemdHost)
    const args = { name: 'apbd', state: 'started', enabled: true }
    try {
      const connect = (): Promise<Connection> => Promise.resolve(counting.connection)
      const first = await runModuleOn('service', args, { environment, connect })
      expect(first.result).toMatchObject({ changed: true, state: 'started', enabled: true })
      expect(counting.roundTrips()).toBe(2)
      counting.reset()
      const again = await runModuleOn('service', args, { environment, connect })
      expect(again.result).toMatchObject({ changed: false, state: 'started', enabled: true })
      expect(counting.roundTrips()).toBe(1)
      // The same result as with the facts saying systemd.
      const withFacts = await runModuleOn('service', args, {
        environment,
        vars: { ansible_facts: { service_mgr: 'systemd' } }
      })
      expect(again.result).toEqual(withFacts.result)
    } finally {
      await counting.connection.close()
    }
  })

  it('service hands a systemd host to the systemd logic, warning about what systemd ignores', async () => {
    freshState()
    const logged: string[] = []
    const { result } = await runModuleOn(
      'service',
      { name: 'apbd', state: 'started', pattern: 'apbd' },
      { environment, vars: { ansible_facts: { service_mgr: 'systemd' } }, logged }
    )
    expect(result).toMatchObject({ changed: true, name: 'apbd', state: 'started' })
    expect(result['status']).toMatchObject({ LoadState: 'loaded', Id: 'apbd.service' })
    expect(logged).toContain('[WARNING]: Ignoring "pattern" as it is not used in "systemd"')
    expect(readFileSync(runFile('apbd.service.state'), 'utf8')).toBe('active running success 0\n')
  })
})

describe('service routing and refusals', () => {
  it('hands a host whose facts name sysvinit to the sysvinit module, as Ansible does', async () => {
    const { result } = await runModuleOn(
      'service',
      { name: 'apb-test-nosuch', state: 'started' },
      { vars: { ansible_facts: { service_mgr: 'sysvinit' } } }
    )
    // The sysvinit module's own failure for a missing script (the service module's differs).
    expect(result).toMatchObject({
      failed: true,
      msg: 'Could not find the requested service apb-test-nosuch: '
    })
    // And its options, not service's: `runlevel` is refused by the sysvinit module.
    const { result: refused } = await runModuleOn(
      'service',
      { name: 'apb-test-nosuch', state: 'started', runlevel: '3', use: 'sysvinit' },
      {}
    )
    expect(refused['msg']).toMatch(
      /^Unsupported parameters for \(ansible.legacy.sysvinit\) module: runlevel\./
    )
  })

  it.skipIf(HOST_RUNS_SYSTEMD)('refuses OpenRC by name instead of guessing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'apb-openrc-'))
    try {
      writeFileSync(path.join(dir, 'rc-service'), '#!/bin/sh\nexit 0\n', { mode: 0o755 })
      await expect(
        runModuleOn(
          'service',
          { name: 'apb-test-x', state: 'started', use: 'service' },
          { environment: { PATH: `${dir}:/usr/bin:/bin` } }
        )
      ).rejects.toThrow(/runs OpenRC \(rc-service, rc-update\)/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

// The sysvinit path is the service module's only where systemd does not run the host (on GitHub's
// runner it hands the task to systemd, which the e2e workflow covers).
describe.skipIf(!asRoot || HOST_RUNS_SYSTEMD)('service against a real /etc/init.d script', () => {
  const name = `apb-test-int${process.pid}`
  beforeAll(() => installInitService(name))
  afterAll(() => removeInitService(name))

  const links = (): string[] =>
    ['rc2.d', 'rc3.d']
      .flatMap((dir) => (existsSync(`/etc/${dir}`) ? readdirSync(`/etc/${dir}`) : []))
      .filter((entry) => entry.endsWith(name))

  it('in check mode says it would start and enable it, and does neither', async () => {
    const started = await runModuleOn(
      'service',
      { name, state: 'started' },
      { flags: { check: true, diff: false } }
    )
    expect(started.result).toEqual({ changed: true, msg: 'service state changed' })
    const enabled = await runModuleOn(
      'service',
      { name, enabled: true },
      { flags: { check: true, diff: false } }
    )
    expect(enabled.result).toMatchObject({ changed: true, enabled: true, name })
    expect(existsSync(`/run/${name}.pid`)).toBe(false)
    expect(links()).toEqual([])
  })

  it('starts it in two round trips, then finds it running in one', async () => {
    const counting = countingConnection(openLocalConnection('localhost'))
    try {
      const connect = (): Promise<typeof counting.connection> =>
        Promise.resolve(counting.connection)
      const first = await runModuleOn('service', { name, state: 'started' }, { connect })
      expect(first.result).toEqual({ changed: true, name, state: 'started' })
      expect(counting.roundTrips()).toBe(2)
      counting.reset()
      const again = await runModuleOn('service', { name, state: 'started' }, { connect })
      expect(again.result).toEqual({ changed: false, name, state: 'started' })
      expect(counting.roundTrips()).toBe(1)
      const stopped = await runModuleOn('service', { name, state: 'stopped' }, { connect })
      expect(stopped.result).toEqual({ changed: true, name, state: 'stopped' })
      expect(existsSync(`/run/${name}.pid`)).toBe(false)
    } finally {
      await counting.connection.close()
    }
  })
})
