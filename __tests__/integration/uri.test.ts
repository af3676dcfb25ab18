// The uri module on a real target over ssh (the test sshd is this machine, so the target reaches the
// test HTTP server on 127.0.0.1 and its files are this machine's).
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
import { chmod } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openConnection } from '../../src/connection/index.js'
import { allCommandLines } from '../helpers/cmdline-watch.js'
import { startHttpServer, type TestHttpServer } from '../helpers/http-server.js'
import { runModuleOn } from '../helpers/module-harness.js'
import { startSshd, type SshdFixture, sshdConnectionSettings } from '../helpers/sshd.js'

let sshd: SshdFixture
let server: TestHttpServer
let dir: string

beforeAll(async () => {
  sshd = await startSshd({ name: 'uri' })
  server = await startHttpServer()
  dir = mkdtempSync(path.join(tmpdir(), 'apb-uri-'))
  await chmod(dir, 0o777)
}, 300_000)

afterAll(async () => {
  await server?.close()
  await sshd?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

const uri = (
  args: Record<string, unknown>,
  options: { check?: boolean; baseDir?: string; environment?: Record<string, string> } = {}
) =>
  runModuleOn('uri', args, {
    connect: () => openConnection(sshdConnectionSettings(sshd)),
    flags: { check: options.check ?? false, diff: false },
    ...(options.baseDir === undefined ? {} : { baseDir: options.baseDir }),
    ...(options.environment === undefined ? {} : { environment: options.environment })
  })

/** A directory of links to every program in /usr/bin and /bin but `hidden`, for a PATH without them. */
function pathWithout(hidden: readonly string[]): string {
  const bin = mkdtempSync(path.join(dir, 'bin-'))
  for (const source of ['/usr/bin', '/bin']) {
    for (const name of readdirSync(source)) {
      if (hidden.includes(name)) continue
      try {
        symlinkSync(path.join(source, name), path.join(bin, name))
      } catch {
        // Already linked from the other directory (/bin is often /usr/bin).
      }
    }
  }
  chmodSync(bin, 0o755)
  return bin
}

/** The requests the server saw for a path (with its query). */
const seen = (pathWithQuery: string) => server.requests.filter((r) => r.path === pathWithQuery)

/** Files left in a directory by an interrupted write (the module's temporary files). */
const leftovers = (where: string) =>
  readdirSync(where).filter((name) => name.startsWith('.apb-uri'))

describe('uri over ssh', () => {
  it('GETs JSON and reports it as Ansible does', async () => {
    const { result } = await uri({ url: server.url('/json') })
    expect(result).toMatchObject({
      changed: false,
      status: 200,
      msg: 'OK (52 bytes)',
      url: server.url('/json'),
      redirected: false,
      content_type: 'application/json',
      content_length: '52',
      cookies: {},
      cookies_string: '',
      json: { name: 'apb', items: [1, 2, 3], nested: { ok: true } }
    })
    expect(result['failed']).toBeUndefined()
    expect(result['content']).toBeUndefined()
  })

  it('POSTs a JSON body the server receives as json.dumps wrote it', async () => {
    const { result } = await uri({
      url: server.url('/echo/json-body'),
      method: 'POST',
      body_format: 'json',
      body: { name: 'été', list: [1, 2.5, true, null] }
    })
    expect(result['status']).toBe(200)
    const request = seen('/echo/json-body').at(-1)
    expect(request?.body.toString()).toBe(
      '{"name": "\\u00e9t\\u00e9", "list": [1, 2.5, true, null]}'
    )
    expect(request?.headers['content-type']).toBe('application/json')
    expect(request?.headers['user-agent']).toBe('ansible-httpget')
  })

  it('fails a status outside status_code, and keeps content with return_content', async () => {
    const { result } = await uri({
      url: server.url('/status/503'),
      status_code: [200, '201'],
      return_content: true
    })
    expect(result).toMatchObject({
      failed: true,
      status: 503,
      content: 'status 503\n',
      msg: 'Status code was 503 and not [200, 201]: HTTP Error 503: Service Unavailable'
    })
  })

  it('fails when a body it must read stops coming, and not when it need not read it', async () => {
    const unread = await uri({ url: server.url('/slow-body/6?unread'), timeout: 1 })
    expect(unread.result).toMatchObject({ status: 200, msg: 'OK (8 bytes)' })
    expect(unread.result['failed']).toBeUndefined()
    const read = await uri({
      url: server.url('/slow-body/6?read'),
      timeout: 1,
      return_content: true
    })
    expect(read.result).toMatchObject({
      failed: true,
      status: 200,
      msg: 'the body of the response could not be read: timed out'
    })
  })

  it('trusts a certificate through ca_path, and refuses it without', async () => {
    const refused = await uri({ url: server.httpsUrl('/json') })
    expect(refused.result).toMatchObject({ failed: true, status: -1 })
    expect(String(refused.result['msg'])).toContain('CERTIFICATE_VERIFY_FAILED')
    // The server's certificate where the target's login user can read it.
    const caPath = path.join(dir, 'ca.pem')
    writeFileSync(caPath, readFileSync(server.caPath))
    await chmod(caPath, 0o644)
    const trusted = await uri({ url: server.httpsUrl('/json'), ca_path: caPath })
    expect(trusted.result).toMatchObject({ status: 200, json: { name: 'apb' } })
  })

  it('keeps credentials and the body off every command line', async () => {
    const secret = `s3cret-${process.pid}-${Date.now()}`
    const pending = uri({
      url: server.url('/hold/uri-secrets'),
      method: 'POST',
      url_username: 'alice',
      url_password: secret,
      force_basic_auth: true,
      body: `${secret}-body`,
      headers: { 'X-Secret': `${secret}-header` }
    })
    await server.arrived('uri-secrets')
    const leaks = allCommandLines().filter((line) => line.includes(secret))
    server.release('uri-secrets')
    const { result } = await pending
    expect(result['status']).toBe(200)
    expect(leaks).toEqual([])
    const request = seen('/hold/uri-secrets').at(-1)
    expect(request?.headers['authorization']).toBe(
      `Basic ${Buffer.from(`alice:${secret}`).toString('base64')}`
    )
  })

  it('writes dest atomically: 0644 when new, changed each time it writes, If-Modified-Since once it exists', async () => {
    const where = mkdtempSync(path.join(dir, 'dest-'))
    await chmod(where, 0o777)
    const dest = path.join(where, 'hello.txt')
    const first = await uri({ url: server.url('/files/hello.txt?first'), dest })
    expect(first.result).toMatchObject({
      changed: true,
      status: 200,
      path: dest,
      state: 'file',
      mode: '0644',
      size: 27
    })
    expect(readFileSync(dest, 'utf8')).toBe('hello from the test server\n')
    expect(seen('/files/hello.txt?first').at(-1)?.headers['if-modified-since']).toBeUndefined()

    // The server answers 304 to dest's mtime: a failure unless status_code takes it, and no write.
    const mtime = statSync(dest).mtime
    const notModified = await uri({ url: server.url('/files/hello.txt?again'), dest })
    expect(notModified.result).toMatchObject({
      failed: true,
      changed: false,
      status: 304,
      path: dest,
      msg: 'Status code was 304 and not [200]: HTTP Error 304: Not Modified'
    })
    expect(seen('/files/hello.txt?again').at(-1)?.headers['if-modified-since']).toBe(
      mtime.toUTCString()
    )
    const accepted = await uri({
      url: server.url('/files/hello.txt?accepted'),
      dest,
      status_code: [200, 304],
      mode: '0600'
    })
    expect(accepted.result).toMatchObject({ changed: false, status: 304, mode: '0644' })
    expect(readFileSync(dest, 'utf8')).toBe('hello from the test server\n')

    // A server that ignores If-Modified-Since: written again (changed), with the mode asked for.
    const again = await uri({ url: server.url('/disposition/other.txt'), dest, mode: '0600' })
    expect(again.result).toMatchObject({ changed: true, status: 200, mode: '0600' })
    expect(statSync(dest).mode & 0o777).toBe(0o600)
    expect(readFileSync(dest, 'utf8')).toBe('another file, other content\n')
    expect(leftovers(where)).toEqual([])
  })

  it('decodes a gzip body unless decompress is false', async () => {
    const decoded = await uri({ url: server.url('/gzip/hello.txt'), return_content: true })
    expect(decoded.result).toMatchObject({
      content: 'hello from the test server\n',
      content_encoding: 'gzip'
    })
    const raw = await uri({
      url: server.url('/gzip/hello.txt'),
      return_content: true,
      decompress: false
    })
    expect(String(raw.result['content']).startsWith('\u001f\udc8b')).toBe(true)
  })

  it('names a file in a dest directory after the URL or Content-Disposition, and refuses a path there', async () => {
    const where = mkdtempSync(path.join(dir, 'dir-'))
    await chmod(where, 0o777)
    const byUrl = await uri({ url: server.url('/files/other.txt'), dest: where })
    expect(byUrl.result['path']).toBe(path.join(where, 'other.txt'))
    const named = await uri({
      url: server.url('/disposition/hello.txt?filename=named.txt'),
      dest: where
    })
    expect(named.result['path']).toBe(path.join(where, 'named.txt'))
    expect(readFileSync(path.join(where, 'named.txt'), 'utf8')).toBe('hello from the test server\n')
    const escaping = await uri({
      url: server.url('/disposition/hello.txt?filename=../escaped.txt'),
      dest: where
    })
    expect(escaping.result['failed']).toBe(true)
    expect(String(escaping.result['msg'])).toContain('../escaped.txt')
    expect(existsSync(path.join(dir, 'escaped.txt'))).toBe(false)
    expect(leftovers(where)).toEqual([])
  })

  it('writes nothing for a status outside status_code, and reports the path', async () => {
    const where = mkdtempSync(path.join(dir, 'missing-'))
    await chmod(where, 0o777)
    const dest = path.join(where, 'never.txt')
    const { result } = await uri({ url: server.url('/status/404'), dest })
    expect(result).toMatchObject({ failed: true, changed: false, status: 404, path: dest })
    expect(result['size']).toBeUndefined()
    expect(existsSync(dest)).toBe(false)
    expect(leftovers(where)).toEqual([])
  })

  it('writes an accepted error status into dest without content, as Ansible does, and keeps its body', async () => {
    const where = mkdtempSync(path.join(dir, 'accepted-'))
    await chmod(where, 0o777)
    const dest = path.join(where, 'accepted.txt')
    const { result } = await uri({ url: server.url('/status/404'), dest, status_code: [404] })
    expect(result).toMatchObject({
      changed: true,
      status: 404,
      body: 'status 404\n',
      msg: 'HTTP Error 404: Not Found',
      size: 0
    })
    expect(readFileSync(dest, 'utf8')).toBe('')
    expect(leftovers(where)).toEqual([])
  })

  it('skips the request for creates and removes, as Ansible words it', async () => {
    const marker = path.join(dir, 'marker')
    writeFileSync(marker, '')
    const before = seen('/status/500').length
    const created = await uri({ url: server.url('/status/500'), creates: marker })
    expect(created.result).toEqual({
      changed: false,
      stdout: `skipped, since '${marker}' exists`,
      stdout_lines: [`skipped, since '${marker}' exists`]
    })
    const removed = await uri({ url: server.url('/status/500'), removes: `${marker}-absent` })
    expect(removed.result['stdout']).toBe(`skipped, since '${marker}-absent' does not exist`)
    expect(seen('/status/500').length).toBe(before)
  })

  it('sends the body of src: a controller file, or with remote_src a file of the target', async () => {
    const controller = mkdtempSync(path.join(dir, 'controller-'))
    writeFileSync(path.join(controller, 'payload.txt'), 'from the controller\n')
    await uri(
      { url: server.url('/echo/src-local'), method: 'POST', src: 'payload.txt' },
      { baseDir: controller }
    )
    expect(seen('/echo/src-local').at(-1)?.body.toString()).toBe('from the controller\n')
    const remote = path.join(dir, 'remote-payload.txt')
    writeFileSync(remote, 'from the target\n')
    await chmod(remote, 0o644)
    await uri({ url: server.url('/echo/src-remote'), method: 'PUT', src: remote, remote_src: true })
    expect(seen('/echo/src-remote').at(-1)?.body.toString()).toBe('from the target\n')
  })

  it('works the same through GNU wget where curl is missing', async () => {
    const environment = { PATH: pathWithout(['curl']) }
    const got = await uri({ url: server.url('/json') }, { environment })
    expect(got.result).toMatchObject({
      status: 200,
      msg: 'OK (52 bytes)',
      json: { name: 'apb', items: [1, 2, 3], nested: { ok: true } }
    })
    await uri(
      {
        url: server.url('/echo/wget-body'),
        method: 'POST',
        body_format: 'form-urlencoded',
        body: { a: 'b c' }
      },
      { environment }
    )
    expect(seen('/echo/wget-body').at(-1)?.body.toString()).toBe('a=b+c')
    const where = mkdtempSync(path.join(dir, 'wget-'))
    await chmod(where, 0o777)
    const written = await uri(
      { url: server.url('/files/hello.txt'), dest: path.join(where, 'hello.txt') },
      { environment }
    )
    expect(written.result).toMatchObject({ changed: true, status: 200, size: 27 })
    const missing = await uri({ url: server.url('/status/404') }, { environment })
    expect(missing.result['msg']).toBe(
      'Status code was 404 and not [200]: HTTP Error 404: Not Found'
    )
  })

  it('is skipped in check mode, as Ansible’s uri does not support it', async () => {
    const before = seen('/status/200').length
    const { ran, result } = await uri({ url: server.url('/status/200') }, { check: true })
    expect(ran).toBe(false)
    expect(result).toMatchObject({
      skipped: true,
      msg: 'remote module (ansible.legacy.uri) does not support check mode'
    })
    expect(seen('/status/200').length).toBe(before)
  })

  it('refuses what it does not do by name', async () => {
    const multipart = await uri({
      url: server.url('/echo'),
      method: 'POST',
      body_format: 'form-multipart',
      body: { a: 'b' }
    })
    expect(multipart.result).toMatchObject({ failed: true })
    expect(String(multipart.result['msg'])).toContain('form-multipart')
    const socket = await uri({ url: server.url('/echo'), unix_socket: '/run/docker.sock' })
    expect(String(socket.result['msg'])).toContain('unix_socket')
  })
})
