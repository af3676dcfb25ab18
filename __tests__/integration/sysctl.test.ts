// The sysctl module on this machine through the local connection: check mode, which the differential
// fixture (modules-system.yml) cannot use yet. No kernel value is changed: check mode only reports.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runModuleOn } from '../helpers/module-harness.js'

const sysctl = spawnSync('sysctl', ['-n', 'vm.swappiness'], { encoding: 'utf8' })
const swappiness = sysctl.status === 0 ? sysctl.stdout.trim() : undefined

describe.skipIf(swappiness === undefined)('sysctl module', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'apb-sysctl-'))
  })
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
  })
  const check = (args: Record<string, unknown>) =>
    runModuleOn('sysctl', args, { flags: { check: true, diff: false } })

  it('in check mode reports a file change and a kernel change without making them', async () => {
    const file = path.join(dir, 'check.conf')
    writeFileSync(file, '# kept\nvm.swappiness = 1\n')
    const other = String(Number(swappiness) + 1)
    const { result } = await check({
      name: 'vm.swappiness',
      value: other,
      sysctl_file: file,
      sysctl_set: true
    })
    expect(result).toEqual({ changed: true })
    expect(readFileSync(file, 'utf8')).toBe('# kept\nvm.swappiness = 1\n')
    expect(spawnSync('sysctl', ['-n', 'vm.swappiness'], { encoding: 'utf8' }).stdout.trim()).toBe(
      swappiness
    )
  })

  it('in check mode makes no file and reports none to remove', async () => {
    const file = path.join(dir, 'none.conf')
    expect(
      (await check({ name: 'a.b', value: '1', sysctl_file: file, reload: false })).result
    ).toEqual({ changed: true })
    expect(existsSync(file)).toBe(false)
    expect(
      (await check({ name: 'a.b', state: 'absent', sysctl_file: file, reload: false })).result
    ).toEqual({ changed: false })
  })

  it('in check mode is ok when the file and the kernel already agree', async () => {
    const file = path.join(dir, 'same.conf')
    writeFileSync(file, `vm.swappiness=${swappiness}\n`)
    const { result } = await check({
      name: 'vm.swappiness',
      value: swappiness,
      sysctl_file: file,
      sysctl_set: true
    })
    expect(result).toEqual({ changed: false })
  })
})
