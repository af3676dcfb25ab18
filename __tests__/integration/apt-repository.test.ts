// apt_repository against the real apt tools of this machine, on the local connection, with apt's
// sources and lists moved into a temporary tree by APT_CONFIG (as the module reads them through
// apt-config, and apt-get update through apt itself): nothing under /etc/apt is touched. Check mode
// and diff, which the differential suite cannot run yet, are covered here; the ssh path and become are
// covered by __fixtures__/differential/modules-apt-repo.yml.
import { spawnSync } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { openConnection } from '../../src/connection/index.js'
import type { Connection } from '../../src/connection/connection.js'
import { runModuleOn } from '../helpers/module-harness.js'
import { startSshd, sshdConnectionSettings, type SshdFixture } from '../helpers/sshd.js'

const hasApt = spawnSync('sh', ['-c', 'command -v apt-config && command -v apt-get']).status === 0

let root: string
let environment: Record<string, string>
let parts: string

/** A tree with its own sources.list(.d), lists and cache, and an apt.conf that points apt at it. */
function aptTree(): void {
  root = mkdtempSync(path.join(tmpdir(), 'apb-apt-repository-'))
  parts = path.join(root, 'sources.list.d')
  mkdirSync(parts)
  mkdirSync(path.join(root, 'lists/partial'), { recursive: true })
  mkdirSync(path.join(root, 'cache'))
  // A repository apt-get update can read: a flat file: repository with one package stanza.
  mkdirSync(path.join(root, 'repo'))
  writeFileSync(
    path.join(root, 'repo/Packages'),
    'Package: apb-dummy\nVersion: 1.0\nArchitecture: all\nMaintainer: apb <apb@example.com>\nFilename: ./apb-dummy_1.0_all.deb\nSize: 1\nDescription: a stanza only\n'
  )
  writeFileSync(
    path.join(root, 'apt.conf'),
    [
      `Dir::Etc::sourcelist "${root}/sources.list";`,
      `Dir::Etc::sourceparts "${parts}";`,
      `Dir::State::Lists "${root}/lists";`,
      `Dir::Cache "${root}/cache";`,
      ''
    ].join('\n')
  )
  environment = { APT_CONFIG: path.join(root, 'apt.conf') }
}

async function aptRepository(
  args: Record<string, unknown>,
  flags = { check: false, diff: false }
): Promise<Record<string, unknown>> {
  const { result } = await runModuleOn('apt_repository', args, { environment, flags })
  return result
}

function listFiles(): Record<string, string> {
  return Object.fromEntries(
    readdirSync(parts)
      .sort()
      .map((name) => [name, readFileSync(path.join(parts, name), 'utf8')])
  )
}

describe.skipIf(!hasApt)('apt_repository', () => {
  beforeEach(aptTree)
  afterEach(() => rmSync(root, { recursive: true, force: true }))

  it('adds a source to a file named after its URL, then finds it there', async () => {
    const repo = 'deb [arch=amd64 trusted=yes]  http://user:pw@dl.example.com/apt/  stable main'
    const first = await aptRepository({ repo, update_cache: false })
    expect(first).toMatchObject({
      changed: true,
      repo,
      state: 'present',
      diff: {},
      sources_added: [`${parts}/dl_example_com_apt.list`],
      sources_removed: []
    })
    expect(listFiles()).toEqual({
      'dl_example_com_apt.list':
        'deb [arch=amd64 trusted=yes] http://user:pw@dl.example.com/apt/ stable main\n'
    })
    expect(statSync(path.join(parts, 'dl_example_com_apt.list')).mode & 0o777).toBe(0o644)
    const second = await aptRepository({ repo, update_cache: false })
    expect(second).toMatchObject({ changed: false, diff: {}, sources_added: [] })
    expect(second['failed']).toBeUndefined()
  })

  it('leaves a source that another file already has (other spacing, a comment), and enables a disabled copy', async () => {
    writeFileSync(
      path.join(parts, 'other.list'),
      'deb   http://a.example/debian bookworm main   # ours\n#deb http://b.example/debian bookworm main\n'
    )
    const present = await aptRepository({
      repo: 'deb http://a.example/debian bookworm main',
      update_cache: false
    })
    expect(present['changed']).toBe(false)
    expect(listFiles()).toEqual({
      'other.list':
        'deb   http://a.example/debian bookworm main   # ours\n#deb http://b.example/debian bookworm main\n'
    })
    const enabled = await aptRepository({
      repo: 'deb  http://b.example/debian bookworm main',
      update_cache: false,
      filename: 'unused'
    })
    expect(enabled).toMatchObject({ changed: true, sources_added: [] })
    // Every file is written back in normal form, as Ansible does when anything changes.
    expect(listFiles()).toEqual({
      'other.list':
        'deb http://a.example/debian bookworm main # ours\ndeb http://b.example/debian bookworm main\n'
    })
  })

  it('removes every enabled copy, and the files left empty', async () => {
    writeFileSync(path.join(parts, 'one.list'), 'deb http://c.example/d x main\n')
    writeFileSync(
      path.join(parts, 'two.list'),
      '# keep me\ndeb http://c.example/d x main\n# deb http://c.example/d x main\n'
    )
    writeFileSync(path.join(parts, 'empty.list'), '')
    const removed = await aptRepository({
      repo: 'deb http://c.example/d x main',
      state: 'absent',
      update_cache: false
    })
    expect(removed).toMatchObject({
      changed: true,
      state: 'absent',
      sources_removed: [`${parts}/one.list`]
    })
    expect(listFiles()).toEqual({
      'two.list': '# keep me\n# deb http://c.example/d x main\n'
    })
    const again = await aptRepository({
      repo: 'deb http://c.example/d x main',
      state: 'absent',
      update_cache: false
    })
    expect(again['changed']).toBe(false)
  })

  it('writes to filename.list with mode, and says what it would do in check mode with a diff', async () => {
    writeFileSync(path.join(parts, 'kept.list'), 'deb http://k.example/k k main\n')
    const args = {
      repo: 'deb-src http://e.example/src sid main',
      filename: 'mine',
      mode: '0600',
      update_cache: false
    }
    const checked = await aptRepository(args, { check: true, diff: true })
    expect(checked).toMatchObject({
      changed: true,
      diff: [
        {
          before: 'deb http://k.example/k k main\n',
          after: 'deb http://k.example/k k main\n',
          before_header: `${parts}/kept.list`,
          after_header: `${parts}/kept.list`
        },
        {
          before: '',
          after: 'deb-src http://e.example/src sid main\n',
          before_header: '/dev/null',
          after_header: `${parts}/mine.list`
        }
      ]
    })
    expect(existsSync(path.join(parts, 'mine.list'))).toBe(false)
    expect((await aptRepository(args))['changed']).toBe(true)
    expect(readFileSync(path.join(parts, 'mine.list'), 'utf8')).toBe(
      'deb-src http://e.example/src sid main\n'
    )
    expect(statSync(path.join(parts, 'mine.list')).mode & 0o777).toBe(0o600)
    expect((await aptRepository(args))['changed']).toBe(false)
  })

  it('writes the source, then fails as Ansible does on a mode that is neither octal nor symbolic', async () => {
    const result = await aptRepository({ repo: 'deb http://m.example/x y main', mode: 'abc' })
    expect(result).toMatchObject({
      changed: false,
      failed: true,
      msg: 'mode must be in octal or symbolic form',
      details: 'bad symbolic permission for mode: abc',
      path: `${parts}/m_example_x.list`
    })
    expect(listFiles()).toEqual({ 'm_example_x.list': 'deb http://m.example/x y main\n' })
  })

  it('refuses a line that is no source, with Ansible message', async () => {
    expect(await aptRepository({ repo: 'bad line # c', update_cache: false })).toEqual({
      changed: false,
      failed: true,
      msg: 'Invalid repository string: bad line '
    })
    expect(await aptRepository({ repo: '# deb http://x.example/ y main' })).toMatchObject({
      failed: true,
      msg: 'Invalid repository string:  deb http://x.example/ y main'
    })
    expect(listFiles()).toEqual({})
  })

  it('updates the cache after a change, and puts the files back when the update fails', async () => {
    const good = `deb [trusted=yes] file:${root}/repo ./`
    expect(await aptRepository({ repo: good })).toMatchObject({ changed: true })
    expect(readdirSync(path.join(root, 'lists')).some((name) => name.includes('_Packages'))).toBe(
      true
    )
    const before = listFiles()
    const bad = await aptRepository({
      repo: `deb [trusted=yes] file:${root}/missing ./`,
      update_cache_retries: 1,
      update_cache_retry_max_delay: 0
    })
    expect(bad).toMatchObject({ changed: false, failed: true })
    expect(String(bad['msg'])).toMatch(
      new RegExp(`^Failed to update apt cache: E:Failed to fetch file:${root}/missing/\\./Packages`)
    )
    expect(listFiles()).toEqual(before)
    const none = await aptRepository({
      repo: `deb [trusted=yes] file:${root}/missing ./`,
      update_cache_retries: 0
    })
    expect(none).toEqual({
      changed: false,
      failed: true,
      msg: 'Failed to update apt cache: unknown reason'
    })
    expect(listFiles()).toEqual(before)
  })

  it('removes a PPA offline, and refuses to add one (it needs Launchpad)', async () => {
    writeFileSync(
      path.join(parts, 'ppa.list'),
      'deb http://ppa.launchpad.net/nginx/stable/ubuntu jammy main\n'
    )
    const added = await aptRepository({
      repo: 'ppa:nginx/stable',
      codename: 'jammy',
      update_cache: false
    })
    expect(added['changed']).toBe(false)
    const other = await aptRepository({ repo: 'ppa:nginx/mainline', codename: 'jammy' })
    expect(other).toMatchObject({ failed: true, changed: false })
    expect(String(other['msg'])).toContain("Launchpad's API")
    // The refusal says what is missing (not the network: the HTTP transport exists) and what to do.
    expect(String(other['msg'])).toMatch(
      /^apt_repository cannot add ppa:nginx\/mainline yet: .*not implemented; add the key with apt_key \(keyserver/
    )
    const removed = await aptRepository({
      repo: 'ppa:nginx/stable',
      codename: 'jammy',
      state: 'absent',
      update_cache: false
    })
    expect(removed['changed']).toBe(true)
    expect(listFiles()).toEqual({})
  })

  it('refuses options it does not know by name', async () => {
    const result = await aptRepository({ repo: 'deb http://x.example/ y main', keyring: '/k' })
    expect(result['failed']).toBe(true)
    expect(String(result['msg'])).toMatch(
      /^Unsupported parameters for \(apt_repository\) module: keyring\./
    )
  })
})

describe.skipIf(!hasApt)('apt_repository over ssh without become', () => {
  let sshd: SshdFixture
  let connection: Connection
  beforeAll(async () => {
    sshd = await startSshd({ name: 'apt-repository' })
    connection = await openConnection(sshdConnectionSettings(sshd))
  }, 360_000)
  afterAll(async () => {
    await connection?.close()
    await sshd?.stop()
  })

  it("fails with Ansible's message where the login user cannot write /etc/apt, changing nothing", async () => {
    // As root the write would succeed: this is about a login user without rights (apbtest as root).
    if (sshd.user === 'root') return
    const before = readdirSync('/etc/apt/sources.list.d').sort()
    const { result } = await runModuleOn(
      'apt_repository',
      { repo: `deb http://apb-${process.pid}.example/apt stable main`, update_cache: false },
      { connect: async () => connection }
    )
    expect(result).toMatchObject({ changed: false, failed: true })
    expect(String(result['msg'])).toMatch(
      /^Unable to create temp file at "\/etc\/apt\/sources\.list\.d" for apt source: \[Errno 13\] Permission denied: '\/etc\/apt\/sources\.list\.d\/\.apb-apb_/
    )
    expect(readdirSync('/etc/apt/sources.list.d').sort()).toEqual(before)
  })
})
