// The local apt repository test bed (__tests__/helpers/apt-repo.ts) serves what the apt tests rely on:
// several versions, a dependency, a recommends, a conffile, a failing postinst, a source package, and
// it leaves the machine's apt sources as it found them.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  aptRepoUnusableReason,
  aptRepoUsable,
  createAptRepo,
  type AptRepo
} from '../helpers/apt-repo.js'

const required = process.env['APB_REQUIRE_SSHD'] === '1' && process.getuid?.() === 0

describe.skipIf(!aptRepoUsable() && !required)('local apt repository test bed', () => {
  let repo: AptRepo
  const listsBefore = readdirSync('/var/lib/apt/lists').sort()

  beforeAll(() => {
    if (!aptRepoUsable()) throw new Error(aptRepoUnusableReason())
    repo = createAptRepo()
    repo.enable()
    // enable() waits for the machine-wide apt test lock (another test file may hold it).
  }, 1_300_000)
  afterAll(() => repo?.cleanup(), 300_000)

  const policy = (name: string): string =>
    spawnSync('apt-cache', ['policy', name], { encoding: 'utf8' }).stdout

  it('serves every version of hello, the newest as candidate', () => {
    const text = policy(repo.names.hello)
    expect(text).toContain('Candidate: 2.0-1')
    for (const version of repo.versions.hello) expect(text).toContain(version)
  })

  it('installs a dependency and a recommends with apt-get, keeps a conffile until purge', () => {
    const install = repo.aptGet(['install', '-y', repo.names.app, repo.names.rec, repo.names.conf])
    expect(install.status, install.stderr).toBe(0)
    expect(repo.installed().sort()).toEqual(
      [repo.names.app, repo.names.lib, repo.names.rec, repo.names.extra, repo.names.conf].sort()
    )
    expect(existsSync(repo.conffile)).toBe(true)
    expect(repo.aptGet(['remove', '-y', repo.names.conf]).status).toBe(0)
    expect(existsSync(repo.conffile)).toBe(true)
    repo.purgeAll()
    expect(existsSync(repo.conffile)).toBe(false)
    expect(repo.installed()).toEqual([])
  })

  it('has a package whose postinst fails, and a source package for build-dep', () => {
    const broken = repo.aptGet(['install', '-y', repo.names.broken])
    expect(broken.status).not.toBe(0)
    expect(broken.stdout + broken.stderr).toContain('postinst fails on purpose')
    repo.purgeAll()
    expect(repo.installed()).toEqual([])
    const buildDep = repo.aptGet(['build-dep', '-s', repo.sourceName])
    expect(buildDep.status, buildDep.stderr).toBe(0)
    expect(buildDep.stdout).toContain(`Inst ${repo.names.lib}`)
  })

  it('keeps solo out of the index but builds its .deb', () => {
    expect(policy(repo.names.solo)).not.toContain('Candidate')
    expect(existsSync(repo.debPath('solo'))).toBe(true)
  })

  it('removes its sources file and lists on cleanup', () => {
    const other = createAptRepo()
    other.enable()
    expect(existsSync(other.sourcesFile)).toBe(true)
    other.cleanup()
    expect(existsSync(other.sourcesFile)).toBe(false)
    expect(existsSync(other.dir)).toBe(false)
    const lists = readdirSync('/var/lib/apt/lists')
    expect(lists.filter((f) => f.includes(other.dir.replace(/\//g, '_')))).toEqual([])
    // The machine's other lists are untouched (test repositories of other files come and go).
    const machineLists = (files: string[]): string[] =>
      files.filter((f) => !f.startsWith('_tmp_apb-aptrepo-')).sort()
    expect(machineLists(lists)).toEqual(machineLists(listsBefore))
  })
})
