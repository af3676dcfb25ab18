// apt_key with this machine's apt-key and gpg, on the local connection, into a keyring of the test's
// own (never apt's trusted keys): keys made here by gpg (no network), given by file, data and url (a
// local HTTP server), removed by short and long id; check mode. The ssh path, become and the default
// keyring are covered by __fixtures__/differential/modules-apt-repo.yml against ansible-playbook.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runModuleOn } from '../helpers/module-harness.js'

const hasTools = spawnSync('sh', ['-c', 'command -v apt-key && command -v gpg']).status === 0

let dir: string
let server: Server
let base: string
const lookups: string[] = []
const keys: Record<'one' | 'two', { id: string; armored: string; binary: string }> = {
  one: { id: '', armored: '', binary: '' },
  two: { id: '', armored: '', binary: '' }
}

/** Makes a signing key with gpg in a throwaway home, and exports its public key both ways. */
function makeKey(name: 'one' | 'two', algo: string): void {
  const home = path.join(dir, 'gnupg')
  mkdirSync(home, { recursive: true, mode: 0o700 })
  const gpg = (...args: string[]): string => {
    const run = spawnSync('gpg', ['--homedir', home, '--batch', ...args], { encoding: 'utf8' })
    if (run.status !== 0) throw new Error(`gpg ${args.join(' ')}: ${run.stderr}`)
    return run.stdout
  }
  gpg(
    '--passphrase',
    '',
    '--quick-gen-key',
    `APB ${name} <${name}@apb.test>`,
    algo,
    'sign',
    'never'
  )
  const colons = gpg('--with-colons', '--list-keys', `${name}@apb.test`)
  keys[name].id = colons
    .split('\n')
    .find((line) => line.startsWith('pub:'))!
    .split(':')[4]!
  keys[name].armored = path.join(dir, `${name}.asc`)
  keys[name].binary = path.join(dir, `${name}.gpg`)
  gpg('--armor', '--output', keys[name].armored, '--export', `${name}@apb.test`)
  gpg('--output', keys[name].binary, '--export', `${name}@apb.test`)
}

async function aptKey(
  args: Record<string, unknown>,
  flags = { check: false, diff: false }
): Promise<Record<string, unknown>> {
  return (await runModuleOn('apt_key', args, { flags })).result
}

describe.skipIf(!hasTools)('apt_key', () => {
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'apb-apt-key-'))
    makeKey('one', 'rsa2048')
    makeKey('two', 'ed25519')
    server = createServer((request, response) => {
      const name = request.url?.slice(1) ?? ''
      // A key server's HKP lookup: the armored key whose long id is searched for.
      const lookup = new URL(request.url ?? '/', 'http://keyserver')
      if (lookup.pathname === '/pks/lookup') {
        lookups.push(lookup.search)
        const wanted = lookup.searchParams.get('search')?.replace(/^0x/i, '').toUpperCase()
        const key = (['one', 'two'] as const).find((k) => keys[k].id === wanted)
        if (lookup.searchParams.get('op') === 'get' && key) {
          response.end(readFileSync(keys[key].armored))
        } else {
          response.statusCode = 404
          response.end('No results found\n')
        }
        return
      }
      if (name === 'one.asc' || name === 'two.gpg') {
        response.end(readFileSync(path.join(dir, name)))
      } else {
        response.statusCode = 404
        response.end('no such key\n')
      }
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  }, 360_000)

  afterAll(async () => {
    if (server) await new Promise((resolve) => server.close(resolve))
    if (!dir) return
    // gpg started an agent for the throwaway home: stop it before the home goes.
    spawnSync('gpgconf', ['--homedir', path.join(dir, 'gnupg'), '--kill', 'gpg-agent'])
    rmSync(dir, { recursive: true, force: true })
  })

  it('adds a key from a file, is ok the second time, and removes it by short id', async () => {
    const keyring = path.join(dir, 'file.gpg')
    const one = keys.one.id
    const added = await aptKey({ file: keys.one.armored, keyring })
    expect(added).toEqual({
      changed: true,
      id: one,
      short_id: one.slice(-8),
      fp: one,
      key_id: one,
      before: [],
      after: [one]
    })
    const again = await aptKey({ file: keys.one.armored, keyring })
    expect(again).toEqual({
      changed: false,
      id: one,
      short_id: one.slice(-8),
      fp: one,
      key_id: one,
      before: [one]
    })
    const removed = await aptKey({
      id: `0x${one.slice(-8).toLowerCase()}`,
      keyring,
      state: 'absent'
    })
    expect(removed).toEqual({
      changed: true,
      id: `0x${one.slice(-8).toLowerCase()}`,
      short_id: one.slice(-8),
      fp: one.slice(-8),
      key_id: one.slice(-8),
      before: [one.slice(-8)],
      after: []
    })
    const gone = await aptKey({ id: one, keyring, state: 'absent' })
    expect(gone).toMatchObject({ changed: false, before: [] })
  })

  it('adds a key given as data and a binary key by url; check mode changes nothing', async () => {
    const keyring = path.join(dir, 'data.gpg')
    const data = readFileSync(keys.one.armored, 'utf8')
    const checked = await aptKey({ data, keyring }, { check: true, diff: false })
    expect(checked).toMatchObject({ changed: true, id: keys.one.id, before: [] })
    expect(checked['after']).toBeUndefined()
    // apt-key's listing leaves an empty keyring file behind, as under Ansible; the key is not in it.
    expect(await aptKey({ data, keyring })).toMatchObject({
      changed: true,
      before: [],
      after: [keys.one.id]
    })
    const byUrl = await aptKey({ url: `${base}/two.gpg`, keyring })
    expect(byUrl).toMatchObject({
      changed: true,
      id: keys.two.id,
      before: [keys.one.id],
      after: [keys.one.id, keys.two.id]
    })
    // With an id, the url is fetched only when the key is missing.
    const known = await aptKey({ id: keys.two.id, url: `${base}/missing`, keyring })
    expect(known).toMatchObject({ changed: false })
    const missing = await aptKey({ url: `${base}/missing`, keyring })
    expect(missing).toEqual({
      changed: false,
      failed: true,
      msg: `Failed to download key at ${base}/missing: HTTP Error 404: Not Found`
    })
  })

  it('fails as Ansible does: bad data, a bad id, an id with nothing to add', async () => {
    const keyring = path.join(dir, 'fail.gpg')
    const garbage = await aptKey({ data: 'garbage', keyring })
    expect(garbage).toMatchObject({
      changed: false,
      failed: true,
      msg: "Unable to extract key from 'inline data'",
      stdout: ''
    })
    expect(String(garbage['stderr'])).toContain('no valid OpenPGP data found')
    expect(await aptKey({ id: '123', keyring, state: 'absent' })).toEqual({
      changed: false,
      failed: true,
      id: '123',
      msg: 'Invalid key_id'
    })
    expect(await aptKey({ id: keys.two.id, keyring })).toMatchObject({
      changed: true,
      failed: true,
      msg: 'No key to add ... how did i get here?!?!',
      before: []
    })
    expect(await aptKey({ keyserver: 'keyserver.ubuntu.com', keyring })).toEqual({
      changed: false,
      failed: true,
      msg: 'Missing key_id, required with keyserver.'
    })
  })

  it('receives a key from a key server over HKP, then is ok; an unknown id is not found', async () => {
    const keyring = path.join(dir, 'keyserver.gpg')
    const keyserver = `hkp://${base.slice('http://'.length)}`
    const two = keys.two.id
    lookups.length = 0
    const checked = await aptKey({ id: two, keyserver, keyring }, { check: true, diff: false })
    expect(checked).toMatchObject({ changed: true, before: [] })
    expect(lookups).toEqual([])
    const added = await aptKey({ id: two, keyserver, keyring })
    expect(added).toEqual({
      changed: true,
      id: two,
      short_id: two.slice(-8),
      fp: two,
      key_id: two,
      before: [],
      after: [two]
    })
    expect(lookups).toEqual([`?op=get&options=mr&search=0x${two}`])
    expect(await aptKey({ id: two, keyserver, keyring })).toMatchObject({
      changed: false,
      before: [two]
    })
    expect(lookups).toHaveLength(1)
    const unknown = await aptKey({ id: 'DEADBEEFDEADBEEF', keyserver, keyring })
    expect(unknown).toMatchObject({
      changed: false,
      failed: true,
      msg: `Key DEADBEEFDEADBEEF not found on keyserver ${keyserver}`
    })
    const nothing = await aptKey({
      id: two,
      keyserver: 'hkp://127.0.0.1:9',
      keyring: path.join(dir, 'none.gpg')
    })
    expect(nothing).toMatchObject({
      failed: true,
      msg: `Error fetching key ${two} from keyserver: hkp://127.0.0.1:9`
    })
  })
})
