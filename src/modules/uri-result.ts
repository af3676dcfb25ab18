/**
 * The response side of the `uri` module, pure: how Ansible 2.14's uri turns what the server answered
 * into the task's result (learned from `ansible-doc uri` and from running it against a test server):
 * `status`, `msg`, `url`, `redirected`, every response header under its lower-cased, `_`-joined name,
 * `cookies`/`cookies_string`, `content` and `json` by Ansible's rules, and the failure for a status not
 * in `status_code`.
 */
import { dict } from '../values/dict.js'
import { fetchUrlMessage, type HttpFailure } from '../http/transport.js'
import type { ModuleResult } from './module.js'

/** The final response, as the transport read it. */
export interface UriResponse {
  status: number
  /** The reason phrase of the status line (`Not Found`), as the server wrote it. */
  reason: string
  /** Every header line, in order, names as the server wrote them. */
  headers: Array<[string, string]>
  body: Buffer
}

/** What a request ended in: the final response, or why none came. */
export interface UriExchange {
  outcome: { response: UriResponse } | { failure: HttpFailure }
  /** The URL of the last request (after the redirects that were followed). */
  finalUrl: string
  /** urllib's redirect limits stopped it (the response is the last 3xx). */
  redirectLoop?: boolean
}

/** A cookie as Python's cookie jar keeps it, enough to order and report it. */
export interface Cookie {
  name: string
  value: string
  domain: string
  path: string
}

/** urllib's message when its redirect limits stop it. */
export const REDIRECT_LOOP_MESSAGE =
  'The HTTP server returned a redirect error that would lead to an infinite loop.\n' +
  'The last 30x error message was:\n'

/** Python's `repr` of the status_code list (`[200, 201]`). */
function statusList(codes: readonly number[]): string {
  return `[${codes.join(', ')}]`
}

/**
 * The media type of a response as Python's email headers read it (lower-cased; `text/plain` when the
 * header is missing or is no `type/subtype`) and its charset (utf-8 when not given). A Content-Type
 * written twice is read from its first line.
 */
export function parseContentType(headers: Array<[string, string]>): {
  type: string
  subtype: string
  charset: string
} {
  const raw = headers.find(([name]) => name.toLowerCase() === 'content-type')?.[1]
  let full = 'text/plain'
  let charset = 'utf-8'
  if (raw !== undefined) {
    const [main, ...params] = raw.split(';')
    const candidate = (main ?? '').trim().toLowerCase()
    if (/^[^/\s]+\/[^/\s]+$/.test(candidate)) full = candidate
    for (const param of params) {
      const eq = param.indexOf('=')
      if (eq < 0) continue
      if (param.slice(0, eq).trim().toLowerCase() !== 'charset') continue
      charset = param
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1')
      break
    }
  }
  const typeText = full.split(',')[0] ?? full
  const [type, subtype] = typeText.split('/') as [string, string | undefined]
  return { type, subtype: subtype ?? '', charset: charset.split(',')[0] ?? 'utf-8' }
}

/** Ansible's rule for parsing the body as JSON: a subtype (or its `+suffix`) of json or javascript. */
export function looksLikeJson(subtype: string): boolean {
  const plus = subtype.indexOf('+')
  const name = (plus >= 0 ? subtype.slice(plus + 1) : subtype).toLowerCase()
  return name === 'json' || name === 'javascript'
}

/**
 * The body as text in its charset, as Ansible's to_text decodes it: UTF-8 (the default, or an unknown
 * charset) with Python's surrogateescape, each byte that is no valid UTF-8 becoming U+DC80–U+DCFF;
 * another charset through TextDecoder.
 */
export function decodeBody(body: Buffer, charset: string): string {
  const name = charset.trim().toLowerCase()
  if (name !== 'utf-8' && name !== 'utf8') {
    try {
      return new TextDecoder(name).decode(body)
    } catch {
      // A charset unknown here: read as UTF-8.
    }
  }
  return utf8SurrogateEscape(body)
}

/** Strict UTF-8 decoding with Python's surrogateescape error handler. */
export function utf8SurrogateEscape(bytes: Uint8Array): string {
  const out: number[] = []
  let text = ''
  const flush = (): void => {
    text += String.fromCharCode(...out)
    out.length = 0
  }
  let i = 0
  while (i < bytes.length) {
    const b = bytes[i]!
    let length = 0
    let min = 0
    let code = 0
    if (b < 0x80) {
      length = 1
      code = b
    } else if (b >= 0xc2 && b <= 0xdf) {
      length = 2
      code = b & 0x1f
      min = 0x80
    } else if (b >= 0xe0 && b <= 0xef) {
      length = 3
      code = b & 0x0f
      min = 0x800
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4
      code = b & 0x07
      min = 0x10000
    }
    let valid = length > 0 && i + length <= bytes.length
    for (let k = 1; valid && k < length; k++) {
      const c = bytes[i + k]!
      if ((c & 0xc0) !== 0x80) valid = false
      else code = (code << 6) | (c & 0x3f)
    }
    if (
      valid &&
      length > 1 &&
      (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
    )
      valid = false
    if (!valid) {
      out.push(0xdc00 + b)
      i += 1
    } else {
      if (code >= 0x10000) {
        const v = code - 0x10000
        out.push(0xd800 + (v >> 10), 0xdc00 + (v & 0x3ff))
      } else out.push(code)
      i += length
    }
    if (out.length >= 8192) flush()
  }
  flush()
  return text
}

/** Python's json.loads, or undefined when the text is no JSON (NaN and ±Infinity are taken). */
export function parseJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown }
  } catch {
    // Python reads NaN, Infinity and -Infinity outside strings; JSON.parse does not.
    if (!/\b(NaN|Infinity)\b/.test(text)) return undefined
    const marked = text.replace(
      /("(?:[^"\\]|\\.)*")|(-?Infinity|NaN)/g,
      (whole, string: string | undefined, special: string) =>
        string !== undefined ? whole : `{"\\u0000special":"${special}"}`
    )
    try {
      return {
        value: JSON.parse(marked, (_key, value: unknown) => {
          if (
            value !== null &&
            typeof value === 'object' &&
            Object.keys(value).length === 1 &&
            '\u0000special' in value
          ) {
            const name = (value as Record<string, string>)['\u0000special']
            return name === 'NaN' ? NaN : name === 'Infinity' ? Infinity : -Infinity
          }
          return value
        }) as unknown
      }
    } catch {
      return undefined
    }
  }
}

/**
 * The cookies a response sets, added to the jar as Python's cookie jar keeps them: by domain, path and
 * name; one with Max-Age 0 or less or an Expires in the past removes its namesake.
 */
export function collectCookies(
  jar: Cookie[],
  headers: Array<[string, string]>,
  requestUrl: string,
  now: Date = new Date()
): Cookie[] {
  let url: URL
  try {
    url = new URL(requestUrl)
  } catch {
    return jar
  }
  const out = [...jar]
  for (const [name, value] of headers) {
    if (name.toLowerCase() !== 'set-cookie') continue
    const [pair, ...attributes] = value.split(';')
    const eq = (pair ?? '').indexOf('=')
    if (eq <= 0) continue
    const cookie: Cookie = {
      name: pair!.slice(0, eq).trim(),
      value: pair!.slice(eq + 1).trim(),
      domain: url.hostname,
      path: defaultCookiePath(url.pathname)
    }
    let expired = false
    for (const attribute of attributes) {
      const at = attribute.indexOf('=')
      const key = (at < 0 ? attribute : attribute.slice(0, at)).trim().toLowerCase()
      const val = at < 0 ? '' : attribute.slice(at + 1).trim()
      if (key === 'path' && val.startsWith('/')) cookie.path = val
      else if (key === 'domain' && val !== '') {
        const domain = val.toLowerCase()
        cookie.domain = domain.startsWith('.') ? domain : `.${domain}`
      } else if (key === 'max-age' && /^-?\d+$/.test(val)) expired = Number(val) <= 0
      else if (key === 'expires') {
        const when = Date.parse(val)
        if (!Number.isNaN(when) && when <= now.getTime()) expired = true
      }
    }
    const index = out.findIndex(
      (c) => c.name === cookie.name && c.domain === cookie.domain && c.path === cookie.path
    )
    if (index >= 0) out.splice(index, 1)
    if (!expired) out.push(cookie)
  }
  return out
}

/** RFC 2965's default path: the request path up to its last `/` (`/` when that leaves nothing). */
function defaultCookiePath(pathname: string): string {
  const slash = pathname.lastIndexOf('/')
  return slash <= 0 ? '/' : pathname.slice(0, slash)
}

/** The jar in Python's order (domain, then path, then name): `cookies` and `cookies_string`. */
export function cookieFields(jar: Cookie[]): { cookies: Record<string, string>; string: string } {
  const sorted = [...jar].sort(
    (a, b) => cmp(a.domain, b.domain) || cmp(a.path, b.path) || cmp(a.name, b.name)
  )
  const cookies = dict<string>()
  for (const c of sorted) cookies[c.name] = c.value
  return { cookies, string: sorted.map((c) => `${c.name}=${c.value}`).join('; ') }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * Ansible's absolute_location: a Location with `://` as it is; one starting with `/` appended to the
 * request URL with every occurrence of its path taken out (Ansible's own quirk); any other appended to
 * the URL's directory.
 */
export function absoluteLocation(url: string, location: string): string {
  if (location.includes('://')) return location
  if (location.startsWith('/')) {
    const path = urlsplitPath(url)
    return `${path === '' ? url : url.split(path).join('')}${location}`
  }
  return `${pythonDirname(url)}/${location}`
}

/** urlsplit(url).path. */
function urlsplitPath(url: string): string {
  const match = /^(?:[A-Za-z][A-Za-z0-9+.-]*:)?(?:\/\/[^/?#]*)?([^?#]*)/.exec(url)
  return match?.[1] ?? ''
}

/** os.path.dirname. */
function pythonDirname(path: string): string {
  const i = path.lastIndexOf('/') + 1
  let head = path.slice(0, i)
  if (head !== '' && head !== '/'.repeat(head.length)) head = head.replace(/\/+$/, '')
  return head
}

/** What shaping a result needs besides the exchange. */
export interface UriResultOptions {
  /** The URL as the task gave it (redirected compares with it). */
  url: string
  statusCode: readonly number[]
  returnContent: boolean
  /** Whole seconds the request took. */
  elapsed: number
}

/** The parts of a shaped result uri.ts needs to go on (writing dest). */
export interface ShapedResult {
  result: ModuleResult
  /** The status was one of status_code. */
  accepted: boolean
  /** The body of the response (empty without one). */
  body: Buffer
}

/**
 * The task's result for an exchange, as Ansible's uri shapes it (without what writing `dest` adds).
 *
 * - 2xx: every header (lower-cased names, repeated ones joined with `, `), `cookies`,
 *   `cookies_string`, `msg` `OK (<Content-Length> bytes)` (`unknown` without the header), the final
 *   `url`.
 * - Any other status (urllib's HTTPError): the headers (a repeated one: its last value), no cookies,
 *   `msg` `HTTP Error N: Reason`, the requested `url`; when that status is accepted by status_code and
 *   the body is not otherwise read, the body as `body`, as Ansible leaves it.
 * - No response: `status` -1 and urllib's message.
 *
 * Then names get `-` → `_`, a Location is made absolute, `json` is set when the media type is JSON and
 * the body parses, `content` with return_content; a status not in status_code fails with
 * `Status code was N and not [..]: <msg>`.
 */
export function shapeResult(exchange: UriExchange, options: UriResultOptions): ShapedResult {
  const info: Record<string, unknown> = dict()
  info['url'] = options.url
  info['status'] = -1
  let body: Buffer = Buffer.alloc(0)
  let contentType = { type: 'application', subtype: 'octet-stream', charset: 'utf-8' }
  let errorBody: Buffer | undefined
  const outcome = exchange.outcome
  if ('failure' in outcome) {
    info['msg'] = fetchUrlMessage(outcome.failure)
  } else {
    const response = outcome.response
    body = response.body
    contentType = parseContentType(response.headers)
    if (response.status >= 200 && response.status < 300 && exchange.redirectLoop !== true) {
      const joined = new Map<string, string>()
      for (const [name, value] of response.headers) {
        const key = name.toLowerCase()
        const before = joined.get(key)
        joined.set(key, before === undefined ? value : `${before}, ${value}`)
      }
      for (const [key, value] of joined) info[key] = value
      const jar = cookieFields(collectCookies([], response.headers, exchange.finalUrl))
      info['cookies_string'] = jar.string
      info['cookies'] = jar.cookies
      const length = response.headers.find(([n]) => n.toLowerCase() === 'content-length')?.[1]
      info['msg'] = `OK (${length ?? 'unknown'} bytes)`
      info['url'] = exchange.finalUrl
      info['status'] = response.status
    } else {
      for (const [name, value] of response.headers) info[name.toLowerCase()] = value
      info['msg'] =
        `HTTP Error ${response.status}: ` +
        (exchange.redirectLoop === true ? REDIRECT_LOOP_MESSAGE : '') +
        response.reason
      info['status'] = response.status
      errorBody = response.body
    }
  }

  const status = info['status'] as number
  const accepted = options.statusCode.includes(status)
  const maybeJson = looksLikeJson(contentType.subtype)
  const readsBody = maybeJson || options.returnContent || !accepted
  if (errorBody !== undefined && !readsBody) info['body'] = decodeBody(errorBody, 'utf-8')

  const resp: Record<string, unknown> = dict()
  resp['redirected'] = info['url'] !== options.url
  for (const [key, value] of Object.entries(info)) resp[key] = value
  resp['elapsed'] = options.elapsed
  resp['changed'] = false

  const result: Record<string, unknown> = dict()
  for (const [key, value] of Object.entries(resp))
    result[key.replace(/-/g, '_').toLowerCase()] = value
  if (typeof result['location'] === 'string')
    result['location'] = absoluteLocation(options.url, result['location'])

  const text = readsBody ? decodeBody(body, contentType.charset) : undefined
  if (maybeJson && text !== undefined) {
    const parsed = parseJson(text)
    if (parsed) result['json'] = parsed.value
  }
  if (!accepted) {
    result['msg'] =
      `Status code was ${status} and not ${statusList(options.statusCode)}: ${String(result['msg'] ?? '')}`
    result['failed'] = true
  }
  if (options.returnContent) result['content'] = text ?? ''
  return { result, accepted, body }
}
