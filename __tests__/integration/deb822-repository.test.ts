// deb822_repository, on the local connection as root: the module writes where Ansible's does
// (/etc/apt/sources.list.d/NAME.sources and /etc/apt/keyrings/NAME.asc|gpg, fixed paths), so these
// tests use names of their own and remove whatever they made. ansible-core 2.14 (the differential
// oracle) has no deb822_repository: the file written, apt's reading of it (apt-get update against a
// local file: repository) and the second run that changes nothing are what is checked here.
import { spawnSync } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runModuleOn } from '../helpers/module-harness.js'

const canWrite =
  process.getuid?.() === 0 &&
  existsSync('/etc/apt/sources.list.d') &&
  spawnSync('sh', ['-c', 'command -v apt-get']).status === 0

const slug = `apb-deb822-${process.pid}`
const made = [
  `/etc/apt/sources.list.d/${slug}.sources`,
  `/etc/apt/sources.list.d/${slug}-url.sources`,
  `/etc/apt/keyrings/${slug}-url.asc`,
  `/etc/apt/keyrings/${slug}-url.gpg`
]
const KEY_BLOCK =
  '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEYCQjIxYJKwYBBAHaRw8BAQdAD/P5Nvvnvk66SxBBHDbhRml9ORg1WV5CvzKY\n=IE0r\n-----END PGP PUBLIC KEY BLOCK-----\n'

let dir: string
let server: Server
let base: string

async function deb822(
  args: Record<string, unknown>,
  flags = { check: false, diff: false }
): Promise<Record<string, unknown>> {
  return (await runModuleOn('deb822_repository', args, { flags })).result
}

describe.skipIf(!canWrite)('deb822_repository', () => {
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'apb-deb822-'))
    server = createServer((request, response) => {
      if (request.url === '/key.asc') response.end(KEY_BLOCK)
      else if (request.url === '/key.gpg') response.end(Buffer.from([0x99, 0x00, 0x33, 0xff]))
      else {
        response.statusCode = 404
        response.end('none\n')
      }
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })

  afterAll(async () => {
    for (const file of made) rmSync(file, { force: true })
    if (server) await new Promise((resolve) => server.close(resolve))
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('writes NAME.sources in deb822 form, is ok the second time, changes the mode, and removes it', async () => {
    const dest = `/etc/apt/sources.list.d/${slug}.sources`
    const args = {
      name: `APB deb822_${process.pid}!`,
      uris: ['http://deb.example.org/debian', 'http://mirror.example.org/debian'],
      suites: 'bookworm',
      components: ['main', 'contrib'],
      architectures: 'amd64',
      signed_by: KEY_BLOCK,
      trusted: true,
      enabled: false,
      date_max_future: 10,
      install_python_debian: false
    }
    const expected =
      `Architectures: amd64\nComponents: main contrib\nDate-Max-Future: 10\nEnabled: no\n` +
      `X-Repolib-Name: APB deb822_${process.pid}!\n` +
      'Signed-By:\n    -----BEGIN PGP PUBLIC KEY BLOCK-----\n    .\n' +
      '    mDMEYCQjIxYJKwYBBAHaRw8BAQdAD/P5Nvvnvk66SxBBHDbhRml9ORg1WV5CvzKY\n    =IE0r\n' +
      '    -----END PGP PUBLIC KEY BLOCK-----\n' +
      'Suites: bookworm\nTrusted: yes\nTypes: deb\n' +
      'URIs: http://deb.example.org/debian http://mirror.example.org/debian\n'
    const checked = await deb822(args, { check: true, diff: false })
    expect(checked).toEqual({ changed: true, repo: expected, dest, key_filename: null })
    expect(existsSync(dest)).toBe(false)
    expect(await deb822(args)).toEqual({ changed: true, repo: expected, dest, key_filename: null })
    expect(readFileSync(dest, 'utf8')).toBe(expected)
    expect(statSync(dest).mode & 0o777).toBe(0o644)
    expect(await deb822(args)).toEqual({ changed: false, repo: expected, dest, key_filename: null })
    expect((await deb822({ ...args, mode: '0600' }))['changed']).toBe(true)
    expect(statSync(dest).mode & 0o777).toBe(0o600)
    expect((await deb822({ ...args, mode: '0600' }))['changed']).toBe(false)
    const badMode = await deb822({ ...args, mode: 'u=rw,bad' })
    expect(badMode).toMatchObject({
      failed: true,
      msg: 'mode must be in octal or symbolic form',
      details: 'bad symbolic permission for mode: bad',
      path: dest
    })
    const removed = await deb822({ name: args.name, state: 'absent' })
    expect(removed).toEqual({
      changed: true,
      repo: null,
      dest,
      key_filename: `/etc/apt/keyrings/${slug}.gpg`
    })
    expect(existsSync(dest)).toBe(false)
    expect((await deb822({ name: args.name, state: 'absent' }))['changed']).toBe(false)
  })

  it('fetches a signed_by URL into /etc/apt/keyrings, and names a key file on the target as it is', async () => {
    const name = `${slug}-url`
    const args = {
      name,
      uris: 'http://deb.example.org/debian',
      suites: 'stable',
      components: 'main'
    }
    const armored = await deb822({ ...args, signed_by: `${base}/key.asc` })
    expect(armored).toMatchObject({
      changed: true,
      key_filename: `/etc/apt/keyrings/${name}.asc`
    })
    expect(readFileSync(`/etc/apt/keyrings/${name}.asc`, 'utf8')).toBe(KEY_BLOCK)
    expect(statSync(`/etc/apt/keyrings/${name}.asc`).mode & 0o777).toBe(0o644)
    expect(String(armored['repo'])).toContain(`Signed-By: /etc/apt/keyrings/${name}.asc\n`)
    expect((await deb822({ ...args, signed_by: `${base}/key.asc` }))['changed']).toBe(false)
    const binary = await deb822({ ...args, signed_by: `${base}/key.gpg` })
    expect(binary).toMatchObject({ changed: true, key_filename: `/etc/apt/keyrings/${name}.gpg` })
    expect([...readFileSync(`/etc/apt/keyrings/${name}.gpg`)]).toEqual([0x99, 0x00, 0x33, 0xff])
    const missing = await deb822({ ...args, signed_by: `${base}/nope` })
    expect(missing).toEqual({
      changed: false,
      failed: true,
      msg: 'Could not fetch signed_by key: HTTP Error 404: Not Found'
    })
    const file = path.join(dir, 'local.gpg')
    writeFileSync(file, 'key')
    const local = await deb822({ ...args, signed_by: file })
    expect(local).toMatchObject({ changed: true, key_filename: file })
    expect(String(local['repo'])).toContain(`Signed-By: ${file}\n`)
    const removed = await deb822({ name, state: 'absent' })
    expect(removed['changed']).toBe(true)
    expect(existsSync(`/etc/apt/keyrings/${name}.asc`)).toBe(false)
    expect(existsSync(`/etc/apt/keyrings/${name}.gpg`)).toBe(false)
  })

  // Ansible's module changes nothing in check mode and returns no `diff` (diff mode or not); check-mode
  // differential fixtures cannot cover it (ansible-core 2.14 has no deb822_repository).
  it('in check mode (with diff too) reports each change as Ansible does and writes nothing', async () => {
    const name = `${slug}-check`
    const dest = `/etc/apt/sources.list.d/${name}.sources`
    made.push(dest, `/etc/apt/keyrings/${name}.asc`, `/etc/apt/keyrings/${name}.gpg`)
    const args = {
      name,
      uris: 'http://deb.example.org/debian',
      suites: 'stable',
      components: 'main'
    }
    const expected =
      `Components: main\nX-Repolib-Name: ${name}\nSuites: stable\nTypes: deb\n` +
      'URIs: http://deb.example.org/debian\n'
    const check = { check: true, diff: true }
    // A new file: changed, not written.
    expect(await deb822(args, check)).toEqual({
      changed: true,
      repo: expected,
      dest,
      key_filename: null
    })
    expect(existsSync(dest)).toBe(false)
    // A key by URL: changed, neither the key nor the sources file written.
    const keyed = await deb822({ ...args, signed_by: `${base}/key.asc` }, check)
    expect(keyed).toMatchObject({ changed: true, key_filename: `/etc/apt/keyrings/${name}.asc` })
    expect(String(keyed['repo'])).toContain(`Signed-By: /etc/apt/keyrings/${name}.asc\n`)
    expect(existsSync(`/etc/apt/keyrings/${name}.asc`)).toBe(false)
    expect(existsSync(dest)).toBe(false)
    // Written for real; then the same: ok; other text or another mode: changed, the file kept as it is.
    expect((await deb822(args))['changed']).toBe(true)
    expect(await deb822(args, check)).toEqual({
      changed: false,
      repo: expected,
      dest,
      key_filename: null
    })
    const other = await deb822({ ...args, suites: 'testing' }, check)
    expect(other['changed']).toBe(true)
    expect(String(other['repo'])).toContain('Suites: testing\n')
    expect((await deb822({ ...args, mode: '0600' }, check))['changed']).toBe(true)
    expect(readFileSync(dest, 'utf8')).toBe(expected)
    expect(statSync(dest).mode & 0o777).toBe(0o644)
    // Absent: changed, the file still there; a name with no file: ok.
    expect(await deb822({ name, state: 'absent' }, check)).toEqual({
      changed: true,
      repo: null,
      dest,
      key_filename: `/etc/apt/keyrings/${name}.gpg`
    })
    expect(existsSync(dest)).toBe(true)
    expect((await deb822({ name: `${name}-none`, state: 'absent' }, check))['changed']).toBe(false)
    rmSync(dest)
  })

  it('writes what apt reads: apt-get update fetches the index of the source written', async () => {
    const repo = path.join(dir, 'repo')
    mkdirSync(repo)
    writeFileSync(
      path.join(repo, 'Packages'),
      'Package: apb-dummy\nVersion: 1.0\nArchitecture: all\nMaintainer: apb <apb@example.com>\nFilename: ./apb-dummy_1.0_all.deb\nSize: 1\nDescription: a stanza only\n'
    )
    const result = await deb822({
      name: slug,
      uris: `file:${repo}`,
      suites: './',
      trusted: true
    })
    expect(result['changed']).toBe(true)
    // apt reads a copy of the file alone, with lists of its own: the machine's sources are not asked.
    const parts = path.join(dir, 'parts')
    const lists = path.join(dir, 'lists')
    mkdirSync(parts)
    mkdirSync(path.join(lists, 'partial'), { recursive: true })
    writeFileSync(path.join(parts, `${slug}.sources`), readFileSync(String(result['dest'])))
    const update = spawnSync(
      'apt-get',
      [
        '-o',
        'Dir::Etc::sourcelist=/dev/null',
        '-o',
        `Dir::Etc::sourceparts=${parts}`,
        '-o',
        `Dir::State::Lists=${lists}`,
        '-o',
        `Dir::Cache=${path.join(dir, 'cache')}`,
        'update'
      ],
      { encoding: 'utf8' }
    )
    expect(update.stderr).not.toMatch(/^E:/m)
    expect(update.status).toBe(0)
    expect(readdirSync(lists).some((name) => name.includes('_Packages'))).toBe(true)
    rmSync(String(result['dest']))
  })
})
