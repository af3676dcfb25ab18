// The HTTP transport on a real target over ssh (the test sshd is this machine, so the target reaches the
// test HTTP server on 127.0.0.1), with curl and with GNU wget, and with a PATH that hides them.
import {
  chmodSync,
  copyFileSync,
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
import type { Connection } from '../../src/connection/connection.js'
import {
  HttpToolError,
  httpRequest,
  fetchUrlMessage,
  type HttpRequest
} from '../../src/http/transport.js'
import { allCommandLines } from '../helpers/cmdline-watch.js'
import { startHttpServer, type TestHttpServer } from '../helpers/http-server.js'
import { startSshd, type SshdFixture, sshdConnectionSettings } from '../helpers/sshd.js'

let sshd: SshdFixture
let connection: Connection
let server: TestHttpServer
let dir: string

beforeAll(async () => {
  sshd = await startSshd({ name: 'http-transport' })
  connection = await openConnection(sshdConnectionSettings(sshd))
  server = await startHttpServer()
  dir = mkdtempSync(path.join(tmpdir(), 'apb-http-transport-'))
  await chmod(dir, 0o777)
}, 300_000)

afterAll(async () => {
  await connection?.close()
  await server?.close()
  await sshd?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
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

const base = (tool: 'curl' | 'wget', extra: Partial<HttpRequest>): HttpRequest => ({
  url: '',
  timeoutSeconds: 10,
  validateCerts: true,
  followRedirects: 'safe',
  deadlineMs: 120_000,
  tool,
  ...extra
})

describe.each(['curl', 'wget'] as const)('HTTP transport with %s', (tool) => {
  const request = (extra: Partial<HttpRequest>) => httpRequest(connection, base(tool, extra))

  it('GETs a body with its status, reason and headers', async () => {
    const res = await request({ url: server.url('/files/binary.bin') })
    expect(res.tool).toBe(tool)
    expect(res.failure).toBeUndefined()
    expect(res.status).toBe(200)
    expect(res.reason).toBe('OK')
    expect(res.headers['content-type']).toBe('application/octet-stream')
    expect(res.headers['content-length']).toBe('70000')
    expect(res.body?.equals(server.files['binary.bin']!.content)).toBe(true)
    expect(res.bodyTruncated).toBe(false)
    expect(res.redirects).toBe(0)
    expect(res.url).toBe(server.url('/files/binary.bin'))
  })

  it('sends HEAD without reading a body', async () => {
    const res = await request({ url: server.url('/files/hello.txt'), method: 'HEAD' })
    expect(res).toMatchObject({ status: 200, method: 'HEAD', bodySize: 0 })
    expect(res.headers['content-length']).toBe(String(server.files['hello.txt']!.content.length))
    expect(res.body?.length ?? 0).toBe(0)
    expect(server.requests.at(-1)?.method).toBe('HEAD')
  })

  it('returns error statuses with their body, and joins repeated headers', async () => {
    const missing = await request({ url: server.url('/status/404') })
    expect(missing).toMatchObject({ status: 404, reason: 'Not Found' })
    expect(missing.body?.toString()).toBe('status 404\n')
    const res = await request({
      url: server.url('/headers?Set-Cookie=a%3D1&Set-Cookie=b%3D2&X-One=1')
    })
    expect(res.headers['set-cookie']).toBe('a=1, b=2')
    expect(res.headers['x-one']).toBe('1')
    expect(res.headerPairs.filter(([name]) => name.toLowerCase() === 'set-cookie')).toHaveLength(2)
  })

  it('sends method, headers and body, and the User-Agent Ansible sends', async () => {
    const body = Buffer.from([0, 1, 2, 13, 10, 255, 39, 34])
    const res = await request({
      url: server.url('/echo'),
      method: 'put',
      headers: { 'X-Token': `it's "quoted" \\ $HOME`, 'Content-Type': 'application/x-test' },
      body
    })
    const echo = JSON.parse(res.body!.toString()) as {
      method: string
      headers: Record<string, string>
      body_base64: string
    }
    expect(echo.method).toBe('PUT')
    expect(echo.headers['x-token']).toBe(`it's "quoted" \\ $HOME`)
    expect(echo.headers['content-type']).toBe('application/x-test')
    expect(echo.headers['user-agent']).toBe('ansible-httpget')
    expect(Buffer.from(echo.body_base64, 'base64').equals(body)).toBe(true)
  })

  it('follows redirect chains as follow_redirects says', async () => {
    const chain = await request({ url: server.url('/redirect/301/2?to=/files/hello.txt') })
    expect(chain).toMatchObject({ status: 200, redirects: 3, url: server.url('/files/hello.txt') })
    expect(chain.body?.toString()).toBe(server.files['hello.txt']!.content.toString())
    const none = await request({
      url: server.url('/redirect/302/0?to=/echo'),
      followRedirects: 'none'
    })
    expect(none).toMatchObject({ status: 302, redirects: 0, location: server.url('/echo') })
    // safe follows only GET and HEAD; all turns a POST into a GET on 302 and keeps it on 307.
    const safePost = await request({
      url: server.url('/redirect/302/0'),
      method: 'POST',
      body: 'x=1'
    })
    expect(safePost).toMatchObject({ status: 302, location: server.url('/echo') })
    const all302 = await request({
      url: server.url('/redirect/302/0'),
      method: 'POST',
      body: 'x=1',
      headers: { 'Content-Type': 'text/plain' },
      followRedirects: 'all'
    })
    const echo302 = JSON.parse(all302.body!.toString()) as {
      method: string
      body: string
      headers: Record<string, string>
    }
    expect(echo302).toMatchObject({ method: 'GET', body: '' })
    expect(echo302.headers['content-type']).toBeUndefined()
    const all307 = await request({
      url: server.url('/redirect/307/1'),
      method: 'POST',
      body: 'x=1',
      followRedirects: 'all'
    })
    expect(JSON.parse(all307.body!.toString())).toMatchObject({ method: 'POST', body: 'x=1' })
    const loop = await request({ url: server.url('/redirect-loop') })
    expect(loop).toMatchObject({ status: 302, redirectLoop: true })
  })

  it('sends credentials when challenged, or up front with forceBasicAuth', async () => {
    const challenged = await request({
      url: server.url('/basic/alice/s3cr%20t'),
      username: 'alice',
      password: 's3cr t'
    })
    expect(challenged.status).toBe(200)
    const unasked = await request({
      url: server.url('/basic-noprompt/alice/pw'),
      username: 'alice',
      password: 'pw'
    })
    expect(unasked.status).toBe(401)
    const forced = await request({
      url: server.url('/basic-noprompt/alice/pw'),
      username: 'alice',
      password: 'pw',
      forceBasicAuth: true
    })
    expect(forced.status).toBe(200)
  })

  it("reports connection failures in urllib's words", async () => {
    const refused = await request({ url: 'http://127.0.0.1:1/x' })
    expect(refused.status).toBeUndefined()
    expect(fetchUrlMessage(refused.failure!)).toBe(
      'Request failed: <urlopen error [Errno 111] Connection refused>'
    )
    const slow = await request({ url: server.url('/slow/30'), timeoutSeconds: 1 })
    expect(slow.failure).toMatchObject({ kind: 'timeout', reason: 'timed out', stage: 'response' })
    expect(fetchUrlMessage(slow.failure!)).toBe('Connection failure: timed out')
    const slowBody = await request({ url: server.url('/slow-body/30'), timeoutSeconds: 1 })
    expect(slowBody.failure).toMatchObject({ kind: 'timeout', stage: 'body' })
    const tls = await request({ url: server.httpsUrl('/files/hello.txt') })
    expect(tls.failure?.kind).toBe('tls')
    expect(tls.failure?.reason).toMatch(
      /^\[SSL: CERTIFICATE_VERIFY_FAILED\] certificate verify failed: /
    )
    const insecure = await request({
      url: server.httpsUrl('/files/hello.txt'),
      validateCerts: false
    })
    expect(insecure.status).toBe(200)
  })

  it('presents a client certificate, and trusts a CA file', async () => {
    // Copies the target may read (the server's own files are private to the test process).
    const cert = path.join(dir, `${tool}-client.pem`)
    const key = path.join(dir, `${tool}-client.key`)
    copyFileSync(server.caPath, cert)
    copyFileSync(server.keyPath, key)
    chmodSync(cert, 0o644)
    chmodSync(key, 0o644)
    const url = `${server.mtlsBase}/files/hello.txt`
    const refused = await request({ url, validateCerts: false })
    expect(refused.status).toBeUndefined()
    expect(refused.failure).toBeDefined()
    const presented = await request({ url, caPath: cert, clientCert: cert, clientKey: key })
    expect(presented.failure).toBeUndefined()
    expect(presented.status).toBe(200)
    expect(presented.body?.toString()).toBe(server.files['hello.txt']!.content.toString())
  })

  it('writes the body to a 0600 file on the target, empty bodies included', async () => {
    const out = path.join(dir, `${tool}-out.bin`)
    const res = await request({ url: server.url('/files/binary.bin'), outputPath: out })
    expect(res.body).toBeUndefined()
    expect(res.bodySize).toBe(70_000)
    expect(readFileSync(out).equals(server.files['binary.bin']!.content)).toBe(true)
    expect(statSync(out).mode & 0o777).toBe(0o600)
    const empty = path.join(dir, `${tool}-empty`)
    const none = await request({ url: server.url('/files/empty.txt'), outputPath: empty })
    expect(none.bodySize).toBe(0)
    expect(readFileSync(empty).length).toBe(0)
  })

  it('decodes gzip when asked, and sends unredirected headers on the first request only', async () => {
    const raw = await request({ url: server.url('/gzip/hello.txt') })
    expect(raw.headers['content-encoding']).toBe('gzip')
    expect(raw.body?.equals(server.files['hello.txt']!.content)).toBe(false)
    const decoded = await request({ url: server.url('/gzip/hello.txt'), decompress: true })
    expect(decoded.body?.toString()).toBe(server.files['hello.txt']!.content.toString())
    const res = await request({
      url: server.url('/redirect/302/0?to=/echo'),
      headers: { 'X-Once': 'first', 'X-Always': 'all' },
      unredirectedHeaders: ['x-once']
    })
    const echo = JSON.parse(res.body!.toString()) as { headers: Record<string, string> }
    expect(echo.headers['x-always']).toBe('all')
    expect(echo.headers['x-once']).toBeUndefined()
    const first = server.requests.filter((r) => r.path === '/redirect/302/0?to=/echo').at(-1)
    expect(first?.headers['x-once']).toBe('first')
  })

  it('caps the captured body', async () => {
    const res = await request({ url: server.url('/files/binary.bin'), captureBytes: 1000 })
    expect(res.body?.length).toBe(1000)
    expect(res.bodyTruncated).toBe(true)
    expect(res.bodySize).toBe(70_000)
  })

  it('keeps the password, headers, URL and body off every command line', async () => {
    const secret = `pw-${tool}-${process.pid}-secret`
    const pending = request({
      url: server.url(`/hold/${tool}?token=${secret}-url`),
      method: 'POST',
      username: 'alice',
      password: secret,
      forceBasicAuth: true,
      headers: { 'X-Secret': `${secret}-header` },
      body: `${secret}-body`
    })
    await server.arrived(tool)
    const leaks = allCommandLines().filter((line) => line.includes(secret))
    server.release(tool)
    const res = await pending
    expect(res.status).toBe(200)
    const seen = server.requests.find((r) => r.path.startsWith(`/hold/${tool}`))
    expect(seen?.headers['x-secret']).toBe(`${secret}-header`)
    expect(leaks).toEqual([])
  })
})

describe('HTTP transport: which tool', () => {
  it('uses wget where curl is missing, and names both when neither is there', async () => {
    const noCurl = pathWithout(['curl'])
    const res = await httpRequest(
      connection,
      base('curl', {
        url: server.url('/files/hello.txt'),
        tool: 'auto',
        environment: { PATH: noCurl }
      })
    )
    expect(res).toMatchObject({ tool: 'wget', status: 200 })
    const neither = pathWithout(['curl', 'wget'])
    const failed = httpRequest(
      connection,
      base('curl', {
        url: server.url('/files/hello.txt'),
        tool: 'auto',
        environment: { PATH: neither }
      })
    )
    await expect(failed).rejects.toThrow(HttpToolError)
    await expect(failed).rejects.toThrow(/neither curl nor wget is installed on web1/)
  })

  it('refuses busybox wget, naming what it cannot do, and a value a wgetrc cannot carry', async () => {
    const bin = pathWithout(['curl', 'wget'])
    writeFileSync(
      path.join(bin, 'wget'),
      '#!/bin/sh\necho "BusyBox v1.36.1 (2023-01-01) multi-call binary."\nexit 1\n',
      { mode: 0o755 }
    )
    const busybox = httpRequest(
      connection,
      base('curl', {
        url: server.url('/files/hello.txt'),
        tool: 'auto',
        environment: { PATH: bin }
      })
    )
    await expect(busybox).rejects.toThrow(
      /only busybox wget is installed on web1, and it cannot make this request safely: it takes headers, credentials and bodies only on its command line/
    )
    const spaced = httpRequest(
      connection,
      base('wget', { url: server.url('/echo'), headers: { 'X-Pad': ' padded ' } })
    )
    await expect(spaced).rejects.toThrow(/wget on web1 cannot send this request.*Install curl/)
    const pinned = httpRequest(
      connection,
      base('curl', { url: server.url('/echo'), environment: { PATH: pathWithout(['curl']) } })
    )
    await expect(pinned).rejects.toThrow(/curl is not installed on web1/)
  })
})
