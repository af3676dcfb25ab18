// The dnf module on this machine (the local connection, as root: dnf refuses other users), for check
// mode, which the differential fixture cannot reach until the engine has check_mode: the expected
// results are what ansible-playbook 2.14's dnf module gave for the same steps (`check_mode: true`)
// against the same kind of local repository. Skipped where dnf, rpmbuild or createrepo_c are missing,
// or when not root; CI installs them (.ci/run) and runs as root.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runModuleOn } from '../helpers/module-harness.js'
import { buildRpmRepo, rpmToolsPresent, type RpmRepo } from '../helpers/rpm-repo.js'
import { nevra, transactionPlan } from '../../src/modules/dnf.js'

const runnable = rpmToolsPresent() && process.getuid?.() === 0
const required = process.env['APB_REQUIRE_SSHD'] === '1' && process.env['CI'] !== undefined

let repo: RpmRepo
let work: string
let common: Record<string, unknown>

describe.skipIf(!runnable && !required)('dnf check mode against a local repository', () => {
  beforeAll(() => {
    repo = buildRpmRepo()
    work = mkdtempSync(path.join(tmpdir(), 'apb-dnf-test-'))
    mkdirSync(path.join(work, 'repos.d'))
    mkdirSync(path.join(work, 'root'))
    writeFileSync(
      path.join(work, 'dnf.conf'),
      `[main]\nreposdir=${work}/repos.d\ncachedir=${work}/cache\ngpgcheck=0\n`
    )
    writeFileSync(
      path.join(work, 'repos.d', 'local.repo'),
      `[local]\nname=local\nbaseurl=file://${repo.dir}\ngpgcheck=0\n`
    )
    common = { installroot: `${work}/root`, conf_file: `${work}/dnf.conf`, releasever: '1' }
  }, 360_000)
  afterAll(() => {
    repo?.remove()
    if (work) rmSync(work, { recursive: true, force: true })
  })

  const installed = (): string =>
    execFileSync('rpm', ['--root', `${work}/root`, '-qa', '--qf', '%{NAME}-%{VERSION}\n'], {
      encoding: 'utf8'
    }).trim()
  const check = { flags: { check: true, diff: false } }
  const wouldChange = 'Check mode: No changes made, but would have if not in check mode'

  it('reports what it would install, upgrade and remove, and changes nothing', async () => {
    const first = await runModuleOn('dnf', { ...common, name: 'apbrpm-1.0' }, check)
    expect(first.result).toMatchObject({
      changed: true,
      msg: wouldChange,
      rc: 0,
      results: ['Installed: apbrpm-1.0-1.noarch']
    })
    expect(installed()).toBe('')

    const real = await runModuleOn('dnf', { ...common, name: 'apbrpm-1.0' })
    expect(real.result).toMatchObject({
      changed: true,
      results: ['Installed: apbrpm-1.0-1.noarch']
    })

    const latest = await runModuleOn('dnf', { ...common, name: 'apbrpm', state: 'latest' }, check)
    expect(latest.result).toMatchObject({
      changed: true,
      msg: wouldChange,
      results: ['Installed: apbrpm-1.1-1.noarch', 'Removed: apbrpm-1.0-1.noarch']
    })
    const absent = await runModuleOn('yum', { ...common, name: 'apbrpm', state: 'absent' }, check)
    expect(absent.result).toMatchObject({
      changed: true,
      msg: wouldChange,
      results: ['Removed: apbrpm-1.0-1.noarch']
    })
    const present = await runModuleOn('dnf', { ...common, name: 'apbrpm' }, check)
    expect(present.result).toMatchObject({ changed: false, msg: 'Nothing to do', results: [] })
    expect(installed()).toBe('apbrpm-1.0')
    expect(readdirSync(repo.dir).some((f) => f.endsWith('.rpm'))).toBe(true)
  }, 180_000)
})

describe('dnf output', () => {
  it('reads the transaction table, long names wrapped included', () => {
    const table = [
      'Dependencies resolved.',
      '=====',
      ' Package           Architecture   Version        Repository   Size',
      '=====',
      'Upgrading:',
      ' apbrpm            noarch         1.1-1          local        5.9 k',
      'Installing dependencies:',
      ' a-package-with-a-name-longer-than-the-column',
      '                   x86_64         1:2.0-3.el9    local        10 k',
      'Removing:',
      ' old               noarch         0.1-1          @local       4',
      '',
      'Transaction Summary'
    ].join('\n')
    expect(
      transactionPlan(table, new Set(['apbrpm-0:1.0-1.noarch', 'apbrpm-dep-0:2.0-1.noarch']))
    ).toEqual({
      installed: [
        'a-package-with-a-name-longer-than-the-column-1:2.0-3.el9.x86_64',
        'apbrpm-1.1-1.noarch'
      ],
      removed: ['apbrpm-1.0-1.noarch', 'old-0.1-1.noarch']
    })
  })

  it('refuses by name what it does not drive', async () => {
    const refused = async (module: string, args: Record<string, unknown>) =>
      (await runModuleOn(module, args)).result['msg']
    expect(await refused('dnf', { list: 'installed' })).toBe(
      "dnf: 'list' is not supported yet; run dnf through the command module for it"
    )
    expect(await refused('yum', { name: 'x', autoremove: true })).toMatch(
      /'autoremove' is not supported/
    )
    expect(await refused('dnf', { name: 'x', use_backend: 'dnf' })).toMatch(
      /^Unsupported parameters for \(dnf\) module: use_backend\./
    )
    await expect(runModuleOn('dnf', { name: '@development' })).rejects.toThrow(
      /groups and modules \(@development\) are not driven yet/
    )
  })

  it('names packages as dnf does: the epoch only when it is not 0', () => {
    expect(nevra('bash-0:5.2-1.x86_64')).toBe('bash-5.2-1.x86_64')
    expect(nevra('perl-lib-4:5.36-2.noarch')).toBe('perl-lib-4:5.36-2.noarch')
  })
})
