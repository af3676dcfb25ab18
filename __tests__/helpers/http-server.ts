/**
 * A test HTTP and HTTPS server on 127.0.0.1 (random ports) for the HTTP modules' tests (uri, get_url,
 * unarchive). The test sshd is this machine, so targets reach it at the same addresses.
 *
 *   const server = await startHttpServer()
 *   server.url('/status/404')          // http://127.0.0.1:PORT/status/404
 *   server.httpsUrl('/files/hello.txt') // the self-signed listener (validate_certs)
 *   await server.close()
 *
 * Routes (every one answers GET, HEAD and any other method):
 * - `/status/CODE`: that status, with its standard reason and a body `status CODE\n`.
 * - `/redirect/CODE/N?to=PATH`: a chain of N redirects with status CODE (`Location` relative to the
 *   server), ending at PATH (default `/echo`). `/redirect/CODE/0` redirects straight to PATH.
 * - `/redirect-abs/CODE?to=URL`: one redirect to an absolute URL (another host, scheme or path).
 * - `/redirect-loop`: a 302 to itself, forever.
 * - `/echo[/...]`: 200 with a JSON body {method, path, query, headers (lower-cased names), body (text),
 *   body_base64} describing the request.
 * - `/basic/USER/PASS`: 200 `{"authenticated": true, "user": USER}` with those credentials; otherwise
 *   401 with `WWW-Authenticate: Basic realm="test"`. `/basic-noprompt/USER/PASS` gives its 401 without
 *   the challenge (a client must send credentials unasked: force_basic_auth).
 * - `/slow/SECONDS`: waits before answering (a timeout); `/slow-body/SECONDS` sends its headers, then
 *   waits before the body.
 * - `/files/NAME`: one of `files` (known content and checksums), `application/octet-stream`, with
 *   `Last-Modified: FILES_LAST_MODIFIED`; a GET with an If-Modified-Since at or after it gets 304.
 * - `/gzip/NAME`: the file gzip-compressed, with `Content-Encoding: gzip`.
 * - `/disposition/NAME?filename=F`: the file NAME with `Content-Disposition: attachment; filename="F"`.
 * - `/sums/ALGO` (sha1, sha256, sha512, md5): a `HEX  NAME` checksum list of the files (SHA256SUMS form);
 *   `/sums-dot/ALGO` the same with `./NAME` names.
 * - `/headers?Name=value&Name=value2`: 200 with those response headers (repeated names repeated, as
 *   Set-Cookie), body `headers\n`.
 * - `/json`: `{"name": "apb", "items": [1, 2, 3], "nested": {"ok": true}}` as application/json.
 * - `/text`: a text/plain body with a charset.
 * - `/hold/NAME[/...]`: answers 200 `released NAME` only once the test calls `release(NAME)`; `arrived(NAME)`
 *   resolves when it comes in (a test looks at the target while the request is under way).
 * - anything else: 404.
 * A third listener (`mtlsBase`) serves the same routes only to a client that presents `caPath`/`keyPath`.
 * Every request is recorded in `requests` (method, path, headers, body), so tests can see what was sent.
 */
import { createHash } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** A file the server serves under `/files/NAME`, with its checksums (hex). */
export interface ServedFile {
  content: Buffer
  sha1: string
  sha256: string
  sha512: string
  md5: string
}

/** What the server saw of one request. */
export interface RecordedRequest {
  method: string
  path: string
  headers: Record<string, string | string[] | undefined>
  body: Buffer
  tls: boolean
}

export interface TestHttpServer {
  /** `http://127.0.0.1:PORT` */
  readonly base: string
  /** `https://127.0.0.1:PORT` (self-signed: clients must not validate, or trust `caPath`). */
  readonly httpsBase: string
  /** The self-signed certificate (PEM file) the HTTPS listener presents. */
  readonly caPath: string
  /**
   * `https://127.0.0.1:PORT` of a listener that requires a client certificate: the one in `caPath`
   * with the key in `keyPath` (the server's own pair, which it trusts).
   */
  readonly mtlsBase: string
  /** The private key (PEM file) of `caPath`. */
  readonly keyPath: string
  readonly files: Readonly<Record<string, ServedFile>>
  readonly requests: RecordedRequest[]
  /** Resolves when a request for `/hold/NAME` has arrived (and is being held). */
  arrived(name: string): Promise<void>
  /** Lets the held `/hold/NAME` requests (and later ones) be answered. */
  release(name: string): void
  /** `base + path` */
  url(path: string): string
  /** `httpsBase + path` */
  httpsUrl(path: string): string
  close(): Promise<void>
}

const ALGORITHMS = ['sha1', 'sha256', 'sha512', 'md5'] as const

function served(content: Buffer): ServedFile {
  const digest = (algorithm: string): string => createHash(algorithm).update(content).digest('hex')
  return {
    content,
    sha1: digest('sha1'),
    sha256: digest('sha256'),
    sha512: digest('sha512'),
    md5: digest('md5')
  }
}

/** Bytes 0..255 repeated: every byte value, NUL and CR/LF included. */
function binaryContent(length: number): Buffer {
  const bytes = Buffer.alloc(length)
  for (let i = 0; i < length; i++) bytes[i] = i % 256
  return bytes
}

/** The files every server serves. */
export const SERVED_FILES: Readonly<Record<string, ServedFile>> = {
  'hello.txt': served(Buffer.from('hello from the test server\n')),
  'other.txt': served(Buffer.from('another file, other content\n')),
  'binary.bin': served(binaryContent(70_000)),
  'empty.txt': served(Buffer.alloc(0)),
  // Public keys as a forge serves them (https://github.com/USER.keys), for authorized_key's URL keys.
  'user.keys': served(
    Buffer.from(
      'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHttpKeyOneForAuthorizedKeyTests0000001\n' +
        'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQHttpKeyTwoForAuthorizedKeyTests000002\n'
    )
  ),
  'app.tar.gz': served(Buffer.from('not really a tarball, but bytes all the same\n')),
  // Real archives for unarchive with a URL src (the differential fixtures' own, files/app.*).
  'unarchive-app.tar.gz': served(readFileSync(fixtureFile('app.tar.gz'))),
  'unarchive-app.zip': served(readFileSync(fixtureFile('app.zip'))),
  // Public keys for apt_key with a URL (modules-apt-repo.yml).
  'apt-key-one.asc': served(readFileSync(fixtureFile('apt-key-one.asc'))),
  'apt-key-two.gpg': served(readFileSync(fixtureFile('apt-key-two.gpg')))
}

function fixtureFile(name: string): string {
  return path.join(
    path.dirname(fileURLToPath(import.meta.url)),
    '../../__fixtures__/differential/files',
    name
  )
}

/** When the served files last changed (their Last-Modified): a fixed day in the past. */
export const FILES_LAST_MODIFIED = 'Tue, 01 Jan 2019 00:00:00 GMT'

/** Starts both listeners on 127.0.0.1 (random ports). */
export async function startHttpServer(): Promise<TestHttpServer> {
  const certDir = mkdtempSync(path.join(tmpdir(), 'apb-http-cert-'))
  const keyPath = path.join(certDir, 'key.pem')
  const caPath = path.join(certDir, 'cert.pem')
  const made = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      caPath,
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1'
    ],
    { encoding: 'utf8', timeout: 60_000 }
  )
  if (made.status !== 0)
    throw new Error(`openssl could not make a test certificate: ${made.stderr}`)

  const requests: RecordedRequest[] = []
  const sockets = new Set<Socket>()
  const timers = new Set<NodeJS.Timeout>()
  let base = ''
  const holds = new Holds()
  const handler =
    (tls: boolean) =>
    (req: IncomingMessage, res: ServerResponse): void => {
      const chunks: Buffer[] = []
      req.on('data', (chunk: Buffer) => chunks.push(chunk))
      req.on('end', () => {
        const body = Buffer.concat(chunks)
        const url = new URL(req.url ?? '/', 'http://127.0.0.1')
        requests.push({
          method: req.method ?? '',
          path: req.url ?? '',
          headers: { ...req.headers },
          body,
          tls
        })
        route(req, res, url, body, holds, (ms, then) => {
          const timer = setTimeout(() => {
            timers.delete(timer)
            then()
          }, ms)
          timers.add(timer)
        })
      })
    }
  const http = createServer(handler(false))
  const https = createHttpsServer(
    { key: readFileSync(keyPath), cert: readFileSync(caPath) },
    handler(true)
  )
  const mtls = createHttpsServer(
    {
      key: readFileSync(keyPath),
      cert: readFileSync(caPath),
      ca: readFileSync(caPath),
      requestCert: true,
      rejectUnauthorized: true
    },
    handler(true)
  )
  for (const server of [http, https, mtls]) {
    server.on('connection', (socket: Socket) => {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
    })
  }
  const listen = (server: typeof http | typeof https): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port))
    })
  const httpPort = await listen(http)
  const httpsPort = await listen(https)
  const mtlsPort = await listen(mtls)
  base = `http://127.0.0.1:${httpPort}`
  const httpsBase = `https://127.0.0.1:${httpsPort}`
  return {
    base,
    httpsBase,
    caPath,
    mtlsBase: `https://127.0.0.1:${mtlsPort}`,
    keyPath,
    files: SERVED_FILES,
    requests,
    arrived: (name) => holds.arrived(name),
    release: (name) => holds.release(name),
    url: (p) => `${base}${p}`,
    httpsUrl: (p) => `${httpsBase}${p}`,
    close: async () => {
      for (const timer of timers) clearTimeout(timer)
      for (const socket of sockets) socket.destroy()
      await Promise.all(
        [http, https, mtls].map(
          (server) => new Promise<void>((resolve) => server.close(() => resolve()))
        )
      )
      rmSync(certDir, { recursive: true, force: true })
    }
  }
}

type Later = (ms: number, then: () => void) => void

/** Requests held until the test releases them. */
class Holds {
  private readonly waiting = new Map<string, Array<() => void>>()
  private readonly released = new Set<string>()
  private readonly came = new Map<string, { promise: Promise<void>; resolve: () => void }>()

  private entry(name: string): { promise: Promise<void>; resolve: () => void } {
    let found = this.came.get(name)
    if (!found) {
      let resolve = (): void => {}
      const promise = new Promise<void>((r) => (resolve = r))
      found = { promise, resolve }
      this.came.set(name, found)
    }
    return found
  }

  arrived(name: string): Promise<void> {
    return this.entry(name).promise
  }

  hold(name: string, answer: () => void): void {
    this.entry(name).resolve()
    if (this.released.has(name)) return answer()
    const list = this.waiting.get(name) ?? []
    list.push(answer)
    this.waiting.set(name, list)
  }

  release(name: string): void {
    this.released.add(name)
    for (const answer of this.waiting.get(name) ?? []) answer()
    this.waiting.delete(name)
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: string | Buffer,
  headers: Record<string, string | string[]> = {}
): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body
  res.writeHead(status, STATUS_CODES[status] ?? 'Unknown', {
    'Content-Length': String(bytes.length),
    ...headers
  })
  res.end(bytes)
}

function route(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: Buffer,
  holds: Holds,
  later: Later
): void {
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent)
  const [head, a, b] = parts
  switch (head) {
    case 'status': {
      const code = Number(a)
      if (!Number.isInteger(code) || code < 100 || code > 599) return send(res, 400, 'bad code\n')
      return send(res, code, `status ${code}\n`, { 'Content-Type': 'text/plain' })
    }
    case 'redirect': {
      const code = Number(a)
      const left = Number(b ?? '0')
      const to = url.searchParams.get('to') ?? '/echo'
      const next = left > 0 ? `/redirect/${code}/${left - 1}${url.search}` : to
      return send(res, code, `redirecting to ${next}\n`, { Location: next })
    }
    case 'redirect-abs': {
      const code = Number(a)
      return send(res, code, 'redirecting\n', { Location: url.searchParams.get('to') ?? '/echo' })
    }
    case 'redirect-loop':
      return send(res, 302, 'again\n', { Location: '/redirect-loop' })
    case 'echo': {
      const answer = {
        method: req.method,
        path: url.pathname,
        query: url.search,
        headers: req.headers,
        body: body.toString('utf8'),
        body_base64: body.toString('base64')
      }
      return send(res, 200, `${JSON.stringify(answer)}\n`, { 'Content-Type': 'application/json' })
    }
    case 'basic':
    case 'basic-noprompt': {
      const expected = `Basic ${Buffer.from(`${a ?? ''}:${b ?? ''}`).toString('base64')}`
      if (req.headers.authorization === expected) {
        return send(res, 200, `${JSON.stringify({ authenticated: true, user: a })}\n`, {
          'Content-Type': 'application/json'
        })
      }
      const challenge: Record<string, string> =
        head === 'basic' ? { 'WWW-Authenticate': 'Basic realm="test"' } : {}
      return send(res, 401, 'who are you?\n', challenge)
    }
    case 'slow':
      return later(Number(a) * 1000, () => send(res, 200, 'finally\n'))
    case 'slow-body': {
      res.writeHead(200, { 'Content-Length': '8' })
      res.flushHeaders()
      return later(Number(a) * 1000, () => res.end('finally\n'))
    }
    case 'files':
    case 'disposition': {
      const file = SERVED_FILES[a ?? '']
      if (!file) return send(res, 404, 'no such file\n')
      const headers: Record<string, string> = {
        'Content-Type': 'application/octet-stream',
        'Last-Modified': FILES_LAST_MODIFIED
      }
      const since = Date.parse(String(req.headers['if-modified-since'] ?? ''))
      if (head === 'files' && since >= Date.parse(FILES_LAST_MODIFIED)) {
        res.writeHead(304, headers)
        return void res.end()
      }
      if (head === 'disposition') {
        headers['Content-Disposition'] =
          `attachment; filename="${url.searchParams.get('filename') ?? a}"`
      }
      if (req.method === 'HEAD') {
        res.writeHead(200, { ...headers, 'Content-Length': String(file.content.length) })
        return void res.end()
      }
      return send(res, 200, file.content, headers)
    }
    case 'gzip': {
      const file = SERVED_FILES[a ?? '']
      if (!file) return send(res, 404, 'no such file\n')
      return send(res, 200, gzipSync(file.content), {
        'Content-Type': 'application/octet-stream',
        'Content-Encoding': 'gzip'
      })
    }
    case 'sums':
    case 'sums-dot': {
      const algorithm = a as (typeof ALGORITHMS)[number]
      if (!ALGORITHMS.includes(algorithm)) return send(res, 404, 'no such algorithm\n')
      const prefix = head === 'sums-dot' ? './' : ''
      const text = Object.entries(SERVED_FILES)
        .map(([name, file]) => `${file[algorithm]}  ${prefix}${name}\n`)
        .join('')
      return send(res, 200, text, { 'Content-Type': 'text/plain' })
    }
    case 'headers': {
      const headers: Record<string, string[]> = {}
      for (const [name, value] of url.searchParams) (headers[name] ??= []).push(value)
      return send(res, 200, 'headers\n', headers)
    }
    case 'json':
      return send(
        res,
        200,
        `${JSON.stringify({ name: 'apb', items: [1, 2, 3], nested: { ok: true } })}\n`,
        { 'Content-Type': 'application/json' }
      )
    case 'hold':
      return holds.hold(a ?? '', () => send(res, 200, `released ${a ?? ''}\n`))
    case 'text':
      return send(res, 200, 'plain text\n', { 'Content-Type': 'text/plain; charset=utf-8' })
    default:
      return send(res, 404, 'not found\n', { 'Content-Type': 'text/plain' })
  }
}
