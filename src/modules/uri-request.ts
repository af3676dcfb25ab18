/**
 * The request side of the `uri` module, pure: what Ansible 2.14's uri sends for its arguments (learned
 * from `ansible-doc uri` and from running it against a test server), and how it follows a redirect for
 * each `follow_redirects` value. No I/O here: uri.ts hands the requests to the HTTP transport.
 */
import { isRecord } from '../values/records.js'
import { pythonJsonDumps } from '../values/python-json.js'
import { pyStringRepr, pythonStr } from '../template/python.js'

/** One HTTP request as the transport sends it. Header names keep the case they were given in. */
export interface HttpRequest {
  method: string
  url: string
  headers: Array<[string, string]>
  /** Absent: no body (and no Content-Length), as urllib sends a request without data. */
  body?: Buffer
}

/** The body and the headers it adds, or the message the task fails with. */
export type EncodedBody =
  { body: Buffer | undefined; headers: Array<[string, string]> } | { error: string }

/** Python's urllib.parse.quote_plus: UTF-8, everything but letters, digits and `_.-~` escaped, ' ' → '+'. */
export function quotePlus(text: string): string {
  let out = ''
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte)
    if (/[A-Za-z0-9_.\-~]/.test(ch)) out += ch
    else if (ch === ' ') out += '+'
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0')
  }
  return out
}

/** Whether Python sees the value as a sequence (list) or mapping (dict): what uri iterates. */
function isSequenceOrMapping(value: unknown): value is unknown[] | Record<string, unknown> {
  return Array.isArray(value) || isRecord(value)
}

/** Python iterates a dict over its keys and a list over its items. */
function pythonIterate(value: unknown[] | Record<string, unknown>): unknown[] {
  return Array.isArray(value) ? value : Object.keys(value)
}

/**
 * A dict or list body as `body_format: form-urlencoded` sends it: key/value pairs (a dict's items, a
 * list's `[key, value]` pairs), a list value giving one pair per item, None values dropped, other values
 * as Python's str() (`True`, `1.5`), then urlencode. Throws a message naming what is wrong.
 */
export function formUrlencoded(body: unknown[] | Record<string, unknown>): string {
  const pairs: Array<[string, string]> = []
  const entries: Array<[unknown, unknown]> = Array.isArray(body)
    ? body.map((item, index) => pairOf(item, index))
    : Object.entries(body)
  for (const [key, values] of entries) {
    const list = isSequenceOrMapping(values) ? pythonIterate(values) : [values]
    for (const value of list) {
      if (value !== null && value !== undefined) pairs.push([pythonStr(key), pythonStr(value)])
    }
  }
  return pairs.map(([k, v]) => `${quotePlus(k)}=${quotePlus(v)}`).join('&')
}

/** A list body's item as a key/value pair, as Python unpacks it (`for key, value in …`). */
function pairOf(item: unknown, index: number): [unknown, unknown] {
  const parts =
    typeof item === 'string'
      ? [...item]
      : isSequenceOrMapping(item)
        ? pythonIterate(item)
        : undefined
  if (parts === undefined)
    throw new Error(
      `cannot unpack non-iterable ${pythonTypeName(item)} object (item ${index} of the body)`
    )
  if (parts.length !== 2)
    throw new Error(
      parts.length < 2
        ? `not enough values to unpack (expected 2, got ${parts.length})`
        : 'too many values to unpack (expected 2)'
    )
  return [parts[0], parts[1]]
}

function pythonTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType'
  if (typeof value === 'boolean') return 'bool'
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float'
  return typeof value
}

function hasHeader(headers: Array<[string, string]>, name: string): boolean {
  return headers.some(([key]) => key.toLowerCase() === name.toLowerCase())
}

/**
 * The body of the request and the headers it adds, for `body` and `body_format` (raw, json,
 * form-urlencoded; form-multipart is refused by uri.ts). `json`: a non-string body is serialised as
 * Python's json.dumps (ASCII, `", "` and `": "`), Content-Type application/json unless a header gives
 * one; `form-urlencoded`: a dict or list of pairs is urlencoded, Content-Type
 * application/x-www-form-urlencoded unless given; `raw`: a string is sent as it is.
 */
export function encodeBody(
  body: unknown,
  bodyFormat: string,
  headers: Array<[string, string]>
): EncodedBody {
  const out: Array<[string, string]> = [...headers]
  let text: string | undefined
  if (bodyFormat === 'json') {
    text = typeof body === 'string' ? body : pythonJsonDumps(body ?? null, { ensureAscii: true })
    if (!hasHeader(out, 'content-type')) out.push(['Content-Type', 'application/json'])
  } else if (bodyFormat === 'form-urlencoded') {
    if (typeof body === 'string') text = body
    else if (isSequenceOrMapping(body)) {
      try {
        text = formUrlencoded(body)
      } catch (error) {
        return { error: `failed to parse body as form_urlencoded: ${(error as Error).message}` }
      }
    } else if (body === null || body === undefined) text = undefined
    else
      return {
        error: `body_format form-urlencoded takes a dict, a list of pairs or a string; got ${pythonTypeName(body)}`
      }
    if (!hasHeader(out, 'content-type'))
      out.push(['Content-Type', 'application/x-www-form-urlencoded'])
  } else {
    if (body === null || body === undefined) text = undefined
    else if (typeof body === 'string') text = body
    else
      return {
        error:
          `body_format raw sends a string, and body is a ${pythonTypeName(body) === 'object' ? 'dict or list' : pythonTypeName(body)}: ` +
          'give body_format json or form-urlencoded, or a string body'
      }
  }
  return { body: text === undefined ? undefined : Buffer.from(text, 'utf8'), headers: out }
}

/** Ansible's check of `method`: one word in capitals once upper-cased (GET, POST, PURGE…). */
export function methodError(method: string): string | undefined {
  return /^[A-Z]+$/.test(method)
    ? undefined
    : "Parameter 'method' needs to be a single word in uppercase, like GET or POST."
}

/** The Authorization header of HTTP Basic authentication (a missing password is empty). */
export function basicAuthorization(username: string, password: string | null | undefined): string {
  return 'Basic ' + Buffer.from(`${username}:${password ?? ''}`, 'utf8').toString('base64')
}

/**
 * Credentials written in the URL (`https://user:pass@host/`), as Ansible takes them when url_username
 * is not given: the URL without them, and the user and password. Nothing for a URL without `@` in its
 * authority.
 */
export function credentialsInUrl(
  url: string
): { url: string; username: string; password: string } | undefined {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/s.exec(url)
  if (!match) return undefined
  const [, scheme, netloc, rest] = match as unknown as [string, string, string, string]
  const at = netloc.indexOf('@')
  if (at < 0) return undefined
  const credentials = netloc.slice(0, at)
  const colon = credentials.indexOf(':')
  return {
    url: `${scheme}${netloc.slice(at + 1)}${rest}`,
    username: colon < 0 ? credentials : credentials.slice(0, colon),
    password: colon < 0 ? '' : credentials.slice(colon + 1)
  }
}

/** HTTP's date form (`Sat, 05 Dec 2026 18:23:57 GMT`), as If-Modified-Since carries dest's mtime. */
export function httpDate(date: Date): string {
  return date.toUTCString()
}

/** What the request is built from: the task's arguments, read. */
export interface UriRequestArgs {
  url: string
  method: string
  body: unknown
  bodyFormat: string
  headers: Record<string, unknown>
  httpAgent: string | null
  username: string | null
  password: string | null
  forceBasicAuth: boolean
  /**
   * `force`: Ansible's uri takes it but never passes it to its request (no Cache-Control, and
   * If-Modified-Since all the same); kept here so that this stays written down and tested.
   */
  force: boolean
  /** dest's mtime when dest is a file: sent as If-Modified-Since. */
  lastModified?: Date
}

/** The first request, and the credentials to answer a Basic challenge with, or the task's failure. */
export type BuiltRequest =
  { request: HttpRequest; challenge?: { username: string; password: string } } | { error: string }

/** Methods for which Python's http.client sends `Content-Length: 0` when there is no body. */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH'])

/**
 * The request Ansible's uri sends: its method and URL (credentials written in the URL taken out of it
 * and used, as Ansible does when url_username is not given), the body and its Content-Type, then
 * urllib's headers (User-Agent from http_agent, If-Modified-Since) with the task's
 * `headers` over them (a non-string value as Python's str()), Authorization with force_basic_auth.
 */
export function buildRequest(a: UriRequestArgs): BuiltRequest {
  const method = a.method.toUpperCase()
  const badMethod = methodError(method)
  if (badMethod !== undefined) return { error: badMethod }
  const given: Array<[string, string]> = Object.entries(a.headers).map(([k, v]) => [
    k,
    pythonStr(v)
  ])
  const encoded = encodeBody(a.body, a.bodyFormat, given)
  if ('error' in encoded) return encoded

  let url = a.url
  let username = a.username
  let password = a.password
  if (!username) {
    const inUrl = credentialsInUrl(url)
    if (inUrl) ({ url, username, password } = inUrl)
  }

  const headers: Array<[string, string]> = []
  const put = (name: string, value: string): void => {
    const at = headers.findIndex(([n]) => n.toLowerCase() === name.toLowerCase())
    if (at >= 0) headers.splice(at, 1)
    headers.push([name, value])
  }
  if (a.httpAgent) put('User-Agent', a.httpAgent)
  // Ansible's uri takes `force` but never hands it to its request: If-Modified-Since goes all the same.
  if (a.lastModified) put('If-Modified-Since', httpDate(a.lastModified))
  let body = encoded.body
  // urllib's default type for a body sent without one.
  if (body !== undefined && !hasHeader(encoded.headers, 'content-type'))
    put('Content-Type', 'application/x-www-form-urlencoded')
  for (const [name, value] of encoded.headers) put(name, value)
  // Ansible writes it into the task's headers: it wins over an Authorization given there.
  if (username && a.forceBasicAuth) put('Authorization', basicAuthorization(username, password))
  if (body === undefined && BODY_METHODS.has(method)) body = Buffer.alloc(0)

  const request: HttpRequest = { method, url, headers, ...(body === undefined ? {} : { body }) }
  return username && !a.forceBasicAuth
    ? { request, challenge: { username, password: password ?? '' } }
    : { request }
}

/** What is wrong with a URL before any request is made, as urllib finds it. */
export type UrlProblem =
  /** urllib's ValueError: the task fails with this message alone (no `Status code was …`). */
  | { kind: 'value'; msg: string }
  /** urllib's URLError: `Request failed: <urlopen error REASON>` like a failed connection. */
  | { kind: 'urlopen'; reason: string }
  /** A scheme Ansible's urllib takes that this module does not. */
  | { kind: 'unsupported'; msg: string }
  /** What http.client raises while it writes the request: `An unknown error occurred: …`. */
  | { kind: 'unknown'; msg: string }

/**
 * urllib's checks of a URL before it connects: a URL without a scheme (`example.com/x`) is a ValueError
 * (`unknown url type: 'example.com/x'`); a scheme it has no handler for (`127.0.0.1:80/x` reads as the
 * scheme `127.0.0.1`, `gopher://…`) and an http(s) URL without a host are URLErrors. `ftp://` and
 * `file://`, which urllib would read, are refused by name.
 */
export function urlProblem(url: string, method = 'GET'): UrlProblem | undefined {
  const match = /^([^/:]+):(.*)$/s.exec(url)
  if (!match) return { kind: 'value', msg: `unknown url type: ${pyStringRepr(url)}` }
  const scheme = match[1]!.toLowerCase()
  if (scheme === 'ftp' || scheme === 'file')
    return {
      kind: 'unsupported',
      msg: `${scheme}:// URLs are not supported by uri here: it makes HTTP and HTTPS requests only`
    }
  if (scheme !== 'http' && scheme !== 'https')
    return { kind: 'urlopen', reason: `unknown url type: ${scheme}` }
  const host = /^\/\/([^/?#]*)/.exec(match[2]!)?.[1] ?? ''
  if (host.replace(/^.*@/, '') === '') return { kind: 'urlopen', reason: 'no host given' }
  // http.client writes the request line `METHOD SELECTOR HTTP/1.1` in ASCII, after refusing control
  // characters and spaces in the selector (the path and query, without the fragment).
  const selector = (/^\/\/[^/?#]*([^#]*)/s.exec(match[2]!)?.[1] ?? '') || '/'
  // eslint-disable-next-line no-control-regex -- http.client's own set of refused characters
  const control = /[\x00-\x20\x7f]/.exec(selector)
  if (control)
    return {
      kind: 'unknown',
      msg: `URL can't contain control characters. ${pyStringRepr(selector)} (found at least ${pyStringRepr(control[0])})`
    }
  const line = `${method} ${selector}`
  // eslint-disable-next-line no-control-regex -- everything outside ASCII
  const wide = /[^\x00-\x7f]/u.exec(line)
  if (wide) {
    const code = wide[0].codePointAt(0)!
    const escaped =
      code <= 0xff
        ? `\\x${code.toString(16).padStart(2, '0')}`
        : code <= 0xffff
          ? `\\u${code.toString(16).padStart(4, '0')}`
          : `\\U${code.toString(16).padStart(8, '0')}`
    const position = [...line.slice(0, wide.index)].length
    return {
      kind: 'value',
      msg: `'ascii' codec can't encode character '${escaped}' in position ${position}: ordinal not in range(128)`
    }
  }
  return undefined
}
