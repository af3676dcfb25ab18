// get_url over ssh against the test HTTP(S) server: check mode (which the differential suite cannot run
// yet), second runs that touch nothing, wget where curl is missing, and secrets kept off command lines.
import { createHash } from 'node:crypto'
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openConnection } from '../../src/connection/index.js'
import type { Connection } from '../../src/connection/connection.js'
import { allCommandLines } from '../helpers/cmdline-watch.js'
import { startHttpServer, type TestHttpServer } from '../helpers/http-server.js'
import { runModuleOn } from '../helpers/module-harness.js'
import { startSshd, type SshdFixture, sshdConnectionSettings } from '../helpers/sshd.js'

let sshd: SshdFixture
let connection: Connection
let server: TestHttpServer
let dir: string

beforeAll(async () => {
  sshd = await startSshd({ name: 'get-url' })
  connection = await openConnection(sshdConnectionSettings(sshd))
  server = await startHttpServer()
  dir = mkdtempSync(path.join(tmpdir(), 'apb-get-url-'))
  chmodSync(dir, 0o777)
}, 300_000)

afterAll(async () => {
  await connection?.close()
  await server?.close()
  await sshd?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

const sha1 = (bytes: Buffer | string): string => createHash('sha1').update(bytes).digest('hex')
const EMPTY_SHA1 = sha1('')
const hello = (): Buffer => server.files['hello.txt']!.content

const getUrl = (
  args: Record<string, unknown>,
  options: { check?: boolean; diff?: boolean; environment?: Record<string, string> } = {}
) =>
  runModuleOn('get_url', args, {
    flags: { check: options.check ?? false, diff: options.diff ?? false },
    connect: async () => connection,
    ...(options.environment ? { environment: options.environment } : {})
  }).then((r) => r.result)

/** A file in the test directory that the login user may replace. */
function place(name: string, content: string | Buffer): string {
  const file = path.join(dir, name)
  writeFileSync(file, content)
  chmodSync(file, 0o666)
  return file
}

/** A directory of links to every program in /usr/bin and /bin but `hidden`, for a PATH without them. */
function pathWithout(hidden: readonly string[]): string {
  const bin = mkdtempSync(path.join(dir, 'bin-'))
  for (const source of ['/usr/bin', '/bin']) {
    for (const name of readdirSync(source)) {
      if (hidden.includes(name)) continue
      try {
        symlinkSync(path.join(source, name), path.join(bin, name))
      } catch {
        // Already linked from the other directory.
      }
    }
  }
  chmodSync(bin, 0o755)
  return bin
}

describe('get_url in check mode', () => {
  it('reports a new file as changed and writes nothing', async () => {
    const dest = path.join(dir, 'check-new')
    const result = await getUrl(
      { url: server.url('/files/hello.txt'), dest },
      { check: true, diff: true }
    )
    // Ansible's get_url returns no diff, in diff mode too.
    expect(result['diff']).toBeUndefined()
    expect(result).toMatchObject({
      changed: true,
      dest,
      msg: `OK (${hello().length} bytes)`,
      checksum_src: EMPTY_SHA1,
      checksum_dest: null
    })
    expect(existsSync(dest)).toBe(false)
    expect(readdirSync(dir).filter((name) => name.startsWith('.apb-get_url'))).toEqual([])
    const last = server.requests.at(-1)
    expect(last?.method).toBe('HEAD')
  })

  it('asks with If-Modified-Since for a file that is there, and a forced one is changed', async () => {
    const dest = place('check-there', hello())
    const before = statSync(dest)
    const unmodified = await getUrl({ url: server.url('/files/hello.txt'), dest }, { check: true })
    expect(unmodified).toMatchObject({
      changed: false,
      status_code: 304,
      msg: 'HTTP Error 304: Not Modified'
    })
    expect(server.requests.at(-1)?.headers['if-modified-since']).toMatch(/ GMT$/)
    const forced = await getUrl(
      { url: server.url('/files/hello.txt'), dest, force: true },
      { check: true }
    )
    expect(forced).toMatchObject({
      changed: true,
      checksum_src: EMPTY_SHA1,
      checksum_dest: sha1(hello())
    })
    expect(server.requests.at(-1)?.headers['cache-control']).toBe('no-cache')
    const after = statSync(dest)
    expect(after.mtimeMs).toBe(before.mtimeMs)
    expect(after.ino).toBe(before.ino)
  })

  it('follows a redirect with GET, as urllib turns HEAD into GET, and names a file in a directory', async () => {
    const other = server.files['other.txt']!.content
    const redirected = await getUrl(
      { url: server.url('/redirect/302/0?to=/files/other.txt'), dest: path.join(dir, 'check-r') },
      { check: true }
    )
    expect(redirected).toMatchObject({ changed: true, checksum_src: sha1(other) })
    const sub = mkdtempSync(path.join(dir, 'sub-'))
    chmodSync(sub, 0o777)
    const named = await getUrl(
      { url: server.url('/disposition/hello.txt?filename=given.txt'), dest: sub },
      { check: true }
    )
    expect(named).toMatchObject({ changed: true, dest: path.join(sub, 'given.txt') })
    expect(readdirSync(sub)).toEqual([])
  })

  it('reports a mode change on a file whose checksum matches, without making it', async () => {
    const dest = place('check-mode', hello())
    chmodSync(dest, 0o644)
    const result = await getUrl(
      {
        url: server.url('/files/hello.txt'),
        dest,
        mode: '0600',
        checksum: `sha1:${sha1(hello())}`
      },
      { check: true }
    )
    expect(result).toMatchObject({
      changed: true,
      msg: 'file already exists but file attributes changed',
      mode: '0644'
    })
    expect(statSync(dest).mode & 0o777).toBe(0o644)
  })
})

describe('get_url second runs', () => {
  it('touches nothing when the content is the same, forced or by checksum', async () => {
    const dest = path.join(dir, 'twice')
    const first = await getUrl({ url: server.url('/files/binary.bin'), dest, mode: '0640' })
    expect(first).toMatchObject({ changed: true, mode: '0640', size: 70_000 })
    expect(readFileSync(dest).equals(server.files['binary.bin']!.content)).toBe(true)
    const before = statSync(dest)
    const forced = await getUrl({
      url: server.url('/files/binary.bin'),
      dest,
      mode: '0640',
      force: true
    })
    expect(forced).toMatchObject({ changed: false, checksum_src: forced['checksum_dest'] })
    const byChecksum = await getUrl({
      url: server.url('/files/binary.bin'),
      dest,
      mode: '0640',
      checksum: `sha256:${server.files['binary.bin']!.sha256}`
    })
    expect(byChecksum).toMatchObject({ changed: false, msg: 'file already exists' })
    const after = statSync(dest)
    expect(after.mtimeMs).toBe(before.mtimeMs)
    expect(after.ino).toBe(before.ino)
    expect(readdirSync(dir).filter((name) => name.startsWith('.apb-get_url'))).toEqual([])
  })

  it('keeps the mode of the file it replaces', async () => {
    const dest = place('replaced', 'old content\n')
    chmodSync(dest, 0o606)
    const result = await getUrl({ url: server.url('/files/hello.txt'), dest, force: true })
    expect(result).toMatchObject({
      changed: true,
      mode: '0606',
      checksum_dest: sha1('old content\n')
    })
    expect(readFileSync(dest).equals(hello())).toBe(true)
  })
})

describe('get_url with wget', () => {
  it('downloads, fails and checks the same where curl is missing', async () => {
    const environment = { PATH: pathWithout(['curl']) }
    const dest = path.join(dir, 'by-wget')
    const result = await getUrl({ url: server.url('/files/hello.txt'), dest }, { environment })
    expect(result).toMatchObject({ changed: true, status_code: 200, checksum_src: sha1(hello()) })
    expect(readFileSync(dest).equals(hello())).toBe(true)
    const missing = await getUrl(
      { url: server.url('/status/404'), dest: path.join(dir, 'by-wget-404') },
      { environment }
    )
    expect(missing).toMatchObject({
      failed: true,
      msg: 'Request failed',
      status_code: 404,
      response: 'HTTP Error 404: Not Found'
    })
    const mismatch = await getUrl(
      {
        url: server.url('/files/hello.txt'),
        dest: path.join(dir, 'by-wget-sum'),
        checksum: 'sha1:00'
      },
      { environment }
    )
    expect(mismatch['msg']).toMatch(/^The checksum for .*by-wget-sum did not match 00; it was /)
    expect(existsSync(path.join(dir, 'by-wget-sum'))).toBe(false)
  })

  it('names both tools when neither is there', async () => {
    const environment = { PATH: pathWithout(['curl', 'wget']) }
    await expect(
      getUrl({ url: server.url('/files/hello.txt'), dest: path.join(dir, 'none') }, { environment })
    ).rejects.toThrow(/neither curl nor wget is installed/)
  })
})

describe('get_url secrets', () => {
  it('keeps url_password, headers and the URL off every command line while it downloads', async () => {
    const secret = `gu-${process.pid}-secret`
    const pending = getUrl({
      url: server.url(`/hold/get-url?token=${secret}-url`),
      dest: path.join(dir, 'held'),
      url_username: 'alice',
      url_password: secret,
      force_basic_auth: true,
      headers: { 'X-Secret': `${secret}-header` }
    })
    await server.arrived('get-url')
    const leaks = allCommandLines().filter((line) => line.includes(secret))
    server.release('get-url')
    const result = await pending
    expect(result).toMatchObject({ changed: true, status_code: 200 })
    expect(leaks).toEqual([])
    const seen = server.requests.find((r) => r.path.startsWith('/hold/get-url'))
    expect(seen?.headers['authorization']).toBe(
      `Basic ${Buffer.from(`alice:${secret}`).toString('base64')}`
    )
  })
})
