/**
 * The HTTP transport of the HTTP modules (get_url, uri, unarchive with a URL): one request made ON THE
 * TARGET by `curl` (preferred) or GNU `wget`, in one round trip, with redirects followed one hop at a
 * time as Ansible's `follow_redirects` decides (so both tools behave as Ansible's urllib does).
 *
 * Usage (in a module):
 *
 *   const response = await httpRequest(await facts.connection(), {   // ctx.connection() will do too
 *     url, method: 'GET', headers, body, username, password, forceBasicAuth,
 *     timeoutSeconds: 10, validateCerts: true, followRedirects: 'safe',
 *     outputPath: '/dest/dir/.file.tmp',     // or leave out to capture the body (capped)
 *     environment: ctx.environment, deadlineMs: ctx.timeoutMs
 *   })
 *   if (response.failure) → fetchUrlMessage(response.failure): Ansible's `Request failed: <urlopen
 *     error …>` / `Connection failure: timed out` (see HttpFailure)
 *   else response.status, response.reason, response.headers (lower-cased names, repeated headers
 *   joined with ', ' as Ansible's fetch_url does), response.url (after redirects), response.body …;
 *   statusMessage(response) is fetch_url's `msg` for it (`OK (27 bytes)`, `HTTP Error 404: Not Found`).
 *
 * Also: `keepOutputFor: 200` (keep outputPath only for that status), `decompress` (gzip bodies),
 * `unredirectedHeaders`, `useNetrc`, `useProxy`, `clientCert`/`clientKey`/`caPath`, `tool` (pin curl or
 * wget, for tests). HEAD reads no body. Ansible sends `Accept-Encoding: identity`, `Connection: close`
 * and its User-Agent; curl is told to do the same (and not to add `Accept` or `Expect`).
 *
 * What a module gets back is HttpResponse; what it must handle:
 * - `failure` set: no response came whole (connection refused, DNS, TLS, timeout…); its `reason` is
 *   Python's text and `stage` says where it happened, which decides Ansible's message (fetchUrlMessage;
 *   a failure while reading the body is `stage: 'body'`, which get_url reports in its own words).
 * - `status` 3xx with `location` set: a redirect that the policy did not follow (Ansible raises an
 *   HTTPError for it); `redirectLoop` when urllib's limits (10 hops, 4 visits of one URL) stopped it.
 * - HttpToolError is thrown when the target has neither curl nor GNU wget (or only busybox wget, or
 *   wget cannot carry a value): the message names what to install.
 *
 * SECURITY: the URL, headers, credentials and body never appear on a command line: they travel on
 * stdin and are written by the script into a private 0700 directory that it removes on exit; curl reads
 * them with `-K FILE`, wget with `--config=FILE`. Only non-secret values (method, redirect policy,
 * timeout, output path) are arguments, quoted by shellJoin.
 */
import { compactScript, shellJoin } from '../connection/shell-quote.js'
import type { Connection } from '../connection/connection.js'
import { AsyncPlaybookError, CommandTimeoutError } from '../errors.js'
import { ProbeAnswer } from '../facts/probe.js'
import { commandWithEnvironment } from '../connection/task-environment.js'
import script from './http-request.sh'

/** Ansible's follow_redirects values. */
export const FOLLOW_REDIRECTS = ['safe', 'all', 'none', 'urllib2', 'yes', 'no'] as const
export type FollowRedirects = (typeof FOLLOW_REDIRECTS)[number]

/** The User-Agent Ansible's HTTP modules send unless told otherwise (http_agent). */
export const DEFAULT_HTTP_AGENT = 'ansible-httpget'

/** Body bytes returned by default when no outputPath is given (more is cut off, see bodyTruncated). */
export const DEFAULT_CAPTURE_BYTES = 16 * 1024 * 1024

/** One request. Paths are on the target. */
export interface HttpRequest {
  url: string
  /** Upper-cased by the transport; default GET. */
  method?: string
  /** Request headers, sent as given (a later name replaces none: give each name once). */
  headers?: Readonly<Record<string, string>>
  /** Request body; undefined sends none. */
  body?: Buffer | string
  /** url_username / url_password. Without forceBasicAuth they are sent only when the server asks. */
  username?: string
  password?: string
  forceBasicAuth?: boolean
  /** Ansible's `timeout`: for the connection and for each wait on the server (not the whole transfer). */
  timeoutSeconds: number
  validateCerts: boolean
  followRedirects: FollowRedirects
  /** User-Agent (http_agent); a User-Agent header in `headers` wins, as in Ansible. */
  httpAgent?: string
  /** false: ignore the target's proxy variables (use_proxy: no). */
  useProxy?: boolean
  /** Client certificate and key (PEM files on the target), and CA bundle to trust (ca_path). */
  clientCert?: string
  clientKey?: string
  caPath?: string
  /** Write the body to this file on the target (created 0600, replaced if present). Else capture it. */
  outputPath?: string
  /**
   * Keep outputPath only when the final status is this one (get_url keeps only a 200's body); it is
   * removed whenever the request fails.
   */
  keepOutputFor?: number
  /** Most body bytes to return when capturing (default DEFAULT_CAPTURE_BYTES). */
  captureBytes?: number
  /** The task's environment (proxy variables…), sent on stdin as every module's. */
  environment?: Readonly<Record<string, string>>
  /** Deadline of the whole remote call, in milliseconds (every remote call has one). */
  deadlineMs: number
  /** Headers (names from `headers`) sent on the first request only, not after a redirect. */
  unredirectedHeaders?: readonly string[]
  /** Decode a gzip Content-Encoding (Ansible's `decompress`); default false. */
  decompress?: boolean
  /** Read credentials from ~/.netrc when none are given (Ansible's `use_netrc`); default true. */
  useNetrc?: boolean
  /** Which tool to use; `auto` (default) prefers curl. Tests pin one. */
  tool?: 'auto' | 'curl' | 'wget'
}

/** Why no response came: the transport's error, in the words Python's urllib uses. */
export interface HttpFailure {
  kind: 'refused' | 'dns' | 'timeout' | 'tls' | 'closed' | 'reset' | 'unreachable' | 'other'
  /**
   * Where: `connect` before a connection (and TLS handshake) was made, which urllib wraps in a URLError
   * (`Request failed: <urlopen error REASON>`); `response` connected but no response (came whole), which
   * it does not (`Connection failure: REASON`); `body` while reading the body (get_url: `failed to
   * create temporary content file: REASON`). fetchUrlMessage() gives the first two.
   */
  stage: 'connect' | 'response' | 'body'
  /** Python's reason: `[Errno 111] Connection refused`, `timed out`, `[SSL: CERTIFICATE_VERIFY_FAILED] …` */
  reason: string
  /** The tool's own message (curl's stderr, wget's log), for `-v` and debugging. */
  detail: string
}

export interface HttpResponse {
  tool: 'curl' | 'wget'
  /** Status code of the last response, undefined when none came (see failure). */
  status?: number
  /** Reason phrase of the last response (`Not Found`), empty when none. */
  reason: string
  /** The last response's headers in order, names as the server sent them. */
  headerPairs: Array<[string, string]>
  /** Lower-cased names; repeated headers joined with ', ' (Ansible's fetch_url). */
  headers: Record<string, string>
  /** The URL of the last request (after the redirects that were followed). */
  url: string
  /** Redirects followed. */
  redirects: number
  /** A redirect the policy did not follow: its (absolute) target. */
  location?: string
  /** urllib's redirect limits were hit (10 redirects, or 4 visits of one URL). */
  redirectLoop: boolean
  /** The method of the last request (a 301/302/303 turns POST into GET). */
  method: string
  /** Bytes of the body received (in outputPath or captured), -1 when there was none (or it was removed). */
  bodySize: number
  /** The captured body (no outputPath). */
  body?: Buffer
  bodyTruncated: boolean
  /** Whole seconds the request took on the target (Ansible's `elapsed`). */
  elapsedSeconds: number
  failure?: HttpFailure
}

/** The target cannot make the request: no curl nor GNU wget, or wget cannot carry a value. */
export class HttpToolError extends AsyncPlaybookError {
  constructor(
    message: string,
    readonly host: string,
    /** The tools that would do: `curl or wget`, `curl`. */
    readonly missingTool: string
  ) {
    super(message)
  }
}

/** A request that cannot be sent as given (a header with a newline…): the module fails with it. */
export class HttpRequestError extends AsyncPlaybookError {}

/** Headers urllib drops when a redirect drops the body. */
const ENTITY_HEADERS = new Set(['content-type', 'content-length', 'transfer-encoding'])

const compacted = compactScript(script)

/** Performs one request on the target. */
export async function httpRequest(
  connection: Connection,
  request: HttpRequest
): Promise<HttpResponse> {
  const method = (request.method ?? 'GET').toUpperCase()
  if (!/^[A-Z][A-Z0-9_-]*$/.test(method)) {
    throw new HttpRequestError(`HTTP method ${JSON.stringify(method)} is not a valid method name`)
  }
  const url = request.url
  if (/[\r\n\0]/.test(url)) throw new HttpRequestError(`the URL holds a newline or NUL: ${url}`)
  const configs = buildConfigs(request)
  const body = request.body === undefined ? undefined : Buffer.from(request.body)
  const sections = [
    configs.curl,
    configs.curlEntity,
    configs.curlFirst,
    configs.wget,
    configs.wgetEntity,
    configs.wgetFirst,
    Buffer.from(url)
  ]
  const cap = request.captureBytes ?? DEFAULT_CAPTURE_BYTES
  const timeout = Math.max(1, Math.ceil(request.timeoutSeconds))
  const argv = [
    '/bin/sh',
    '-c',
    compacted,
    'apb-http',
    request.tool ?? 'auto',
    request.followRedirects,
    method,
    body === undefined ? '0' : '1',
    request.outputPath ?? '',
    String(cap),
    String(timeout),
    request.decompress ? '1' : '0',
    request.keepOutputFor === undefined ? '' : String(request.keepOutputFor),
    ...sections.map((section) => String(section.length))
  ]
  const { command, stdin } = commandWithEnvironment(
    shellJoin(argv),
    request.environment ?? {},
    Buffer.concat([...sections, body ?? Buffer.alloc(0)])
  )
  const res = await connection.run(command, {
    stdin: stdin ?? '',
    timeoutMs: request.deadlineMs,
    outputCapBytes: cap + 1024 * 1024
  })
  if (res.timedOut) {
    throw new CommandTimeoutError(
      `the HTTP request to ${url} on ${connection.host} did not end within ${request.deadlineMs} ms`,
      connection.host,
      request.deadlineMs
    )
  }
  return parseAnswer(res.stdout, connection.host, res.stderr.toString('utf8'), request)
}

/** Reads the script's answer: key=value lines to `end=1`, then the header block and the body. */
export function parseAnswer(
  stdout: Buffer,
  host: string,
  stderr: string,
  request: Pick<HttpRequest, 'url' | 'tool'>
): HttpResponse {
  const marker = Buffer.from('\nend=1\n')
  const at = stdout.indexOf(marker)
  const head = at < 0 ? stdout.toString('utf8') : stdout.subarray(0, at + marker.length).toString()
  const answer = new ProbeAnswer(head)
  if (!answer.complete) {
    throw new HttpToolError(
      `the HTTP request script failed on ${host}: ${stderr.trim().slice(-400) || 'no answer'}`,
      host,
      'sh'
    )
  }
  const missing = answer.get('missing')
  if (missing !== undefined) {
    throw new HttpToolError(
      missing === 'auto'
        ? `neither curl nor wget is installed on ${host}: the HTTP modules need one of them on the target (install curl, or GNU wget)`
        : `${missing} is not installed on ${host}: install it, or let the module pick curl or wget`,
      host,
      missing === 'auto' ? 'curl or wget' : missing
    )
  }
  const error = answer.get('error')
  if (error !== undefined) throw new HttpToolError(`${error} on ${host}`, host, 'mktemp')
  if (answer.get('busybox_wget') !== undefined) {
    throw new HttpToolError(
      `only busybox wget is installed on ${host}, and it cannot make this request safely: it takes ` +
        'headers, credentials and bodies only on its command line (where every user of the host sees ' +
        'them), and does not report response headers. Install curl (or GNU wget) on the target',
      host,
      'curl or GNU wget'
    )
  }
  if (answer.get('wget_refused') !== undefined) {
    throw new HttpToolError(
      `wget on ${host} cannot send this request: a header, user name or password starts or ends ` +
        'with a space or holds a newline, which a wgetrc value cannot carry. Install curl on the target',
      host,
      'curl'
    )
  }
  const tool = answer.get('tool') === 'wget' ? 'wget' : 'curl'
  const headersLength = answer.int('headers_len') ?? 0
  const bodyLength = answer.int('body_len') ?? 0
  const rest = at < 0 ? Buffer.alloc(0) : stdout.subarray(at + marker.length)
  const headerBlock = lastHeaderBlock(rest.subarray(0, headersLength).toString('latin1'))
  const statusText = answer.get('status') ?? ''
  const status = /^\d{3}$/.test(statusText) ? Number(statusText) : undefined
  const bodySize = answer.int('body_size') ?? -1
  const rc = answer.int('rc') ?? 0
  const detail = (answer.bytes('err_hex') ?? Buffer.alloc(0)).toString('utf8').trim()
  const response: HttpResponse = {
    tool,
    reason: headerBlock.reason,
    headerPairs: headerBlock.pairs,
    headers: joinHeaders(headerBlock.pairs),
    url: answer.get('url') ?? request.url,
    redirects: answer.int('hops') ?? 0,
    redirectLoop: answer.get('redirect_loop') === '1',
    method: answer.get('method') ?? 'GET',
    bodySize,
    bodyTruncated: false,
    elapsedSeconds: answer.int('elapsed') ?? 0
  }
  if (status !== undefined) response.status = status
  const location = answer.all('location').at(-1)
  if (location !== undefined && location !== response.url) response.location = location
  if (bodyLength > 0 || (bodySize === 0 && status !== undefined)) {
    response.body = Buffer.from(rest.subarray(headersLength, headersLength + bodyLength))
    response.bodyTruncated = bodySize > bodyLength
  }
  const failure = classifyFailure(
    tool,
    rc,
    detail,
    status !== undefined,
    connectedBeforeFailure(answer.get('connect_times') ?? '', response.url)
  )
  if (failure) response.failure = failure
  return response
}

/** The status line and headers of the last response in a header dump (curl -D keeps every one). */
export function lastHeaderBlock(text: string): {
  status?: number
  reason: string
  pairs: Array<[string, string]>
} {
  const lines = text.split(/\r?\n/)
  let block: { status?: number; reason: string; pairs: Array<[string, string]> } = {
    reason: '',
    pairs: []
  }
  for (const line of lines) {
    const statusLine = /^HTTP\/[\d.]+ (\d{3})(?: (.*))?$/.exec(line)
    if (statusLine) {
      block = { status: Number(statusLine[1]), reason: (statusLine[2] ?? '').trim(), pairs: [] }
      continue
    }
    if (line === '') continue
    const colon = line.indexOf(':')
    if (/^[ \t]/.test(line) && block.pairs.length > 0) {
      // An obsolete folded continuation line: part of the previous value.
      const last = block.pairs[block.pairs.length - 1]!
      last[1] = `${last[1]} ${line.trim()}`
      continue
    }
    if (colon <= 0) continue
    block.pairs.push([line.slice(0, colon), line.slice(colon + 1).trim()])
  }
  return block
}

/** Lower-cased names, repeated ones joined with ', ' (as Ansible's fetch_url reports them). */
export function joinHeaders(
  pairs: ReadonlyArray<readonly [string, string]>
): Record<string, string> {
  const joined: Record<string, string> = Object.create(null) as Record<string, string>
  for (const [name, value] of pairs) {
    const key = name.toLowerCase()
    joined[key] = key in joined ? `${joined[key]}, ${value}` : value
  }
  return { ...joined }
}

/**
 * The `msg` Ansible's fetch_url gives a response: `OK (N bytes)` (its Content-Length, else `unknown`)
 * for a 2xx, else urllib's HTTPError text `HTTP Error 404: Not Found` (a redirect not followed is one
 * too; urllib's limits on redirects give their own words).
 */
export function statusMessage(
  response: Pick<HttpResponse, 'status' | 'reason' | 'headers' | 'redirectLoop'>
): string {
  const status = response.status ?? -1
  if (status >= 200 && status < 300)
    return `OK (${response.headers['content-length'] ?? 'unknown'} bytes)`
  const reason = response.redirectLoop
    ? 'The HTTP server returned a redirect error that would lead to an infinite loop.\n' +
      `The last 30x error message was:\n${response.reason}`
    : response.reason
  return `HTTP Error ${status}: ${reason}`
}

/** `<urlopen error REASON>`: how Ansible's modules show a failure to connect. */
export function urlopenError(failure: HttpFailure): string {
  return `<urlopen error ${failure.reason}>`
}

/**
 * The `msg` Ansible's fetch_url gives a request that got no response: `Request failed: <urlopen error
 * …>` when the connection could not be made, `Connection failure: …` when it was made but no response
 * came (a timeout waiting for it, the server closing). A failure in the body is the module's to word.
 */
export function fetchUrlMessage(failure: HttpFailure): string {
  return failure.stage === 'connect'
    ? `Request failed: ${urlopenError(failure)}`
    : `Connection failure: ${failure.reason}`
}

/** curl exit codes that mean a TLS failure. */
const CURL_TLS = new Set([35, 51, 53, 54, 58, 59, 60, 64, 66, 77, 80, 82, 83, 90, 91])

/** What went wrong, from the tool's exit code and message; undefined when the request went through. */
export function classifyFailure(
  tool: 'curl' | 'wget',
  rc: number,
  detail: string,
  responded: boolean,
  /** curl: the connection (and TLS handshake) was made before the failure. */
  connected = false
): HttpFailure | undefined {
  const make = (kind: HttpFailure['kind'], reason: string, stage: HttpFailure['stage']) => ({
    kind,
    reason,
    stage,
    detail
  })
  const text = detail.toLowerCase()
  if (tool === 'curl') {
    if (rc === 0) return undefined
    if (rc === 28)
      return make('timeout', 'timed out', responded ? 'body' : connected ? 'response' : 'connect')
    if (responded) {
      // The response came but its body did not arrive whole.
      if (rc === 23) return make('other', detail, 'body')
      return make('closed', detail, 'body')
    }
    if (rc === 6) return make('dns', '[Errno -2] Name or service not known', 'connect')
    if (rc === 7) return connectFailure(text, make)
    if (rc === 52)
      return make('closed', 'Remote end closed connection without response', 'response')
    if (rc === 56)
      return make(
        'reset',
        '[Errno 104] Connection reset by peer',
        connected ? 'response' : 'connect'
      )
    if (CURL_TLS.has(rc)) return make('tls', tlsReason(detail), 'connect')
    return make('other', detail || `curl exited with ${rc}`, 'connect')
  }
  // GNU wget: 8 is "the server answered with an error status", a response like any other.
  if (rc === 0 || (rc === 8 && responded)) return undefined
  if (rc === 5) return make('tls', tlsReason(detail), 'connect')
  if (text.includes('timed out')) {
    const stage = responded ? 'body' : text.includes('in headers') ? 'response' : 'connect'
    return make('timeout', 'timed out', stage)
  }
  if (responded) {
    // wget logs nothing when the body stops coming past its read timeout.
    if (text.includes('reset') || text.includes('closed')) return make('closed', detail, 'body')
    return make('timeout', 'timed out', 'body')
  }
  if (text.includes('unable to resolve host'))
    return make('dns', '[Errno -2] Name or service not known', 'connect')
  if (
    text.includes('connection refused') ||
    text.includes('no route') ||
    text.includes('unreachable')
  )
    return connectFailure(text, make)
  if (text.includes('connection reset'))
    return make('reset', '[Errno 104] Connection reset by peer', 'connect')
  if (text.includes('no data received') || text.includes('closed'))
    return make('closed', 'Remote end closed connection without response', 'response')
  return make('other', detail || `wget exited with ${rc}`, 'connect')
}

/** Whether curl's `%{time_connect} %{time_appconnect}` say the connection (TLS too) was made. */
function connectedBeforeFailure(times: string, url: string): boolean {
  const [tcp, tls] = times.split(' ').map(Number)
  return url.toLowerCase().startsWith('https:') ? (tls ?? 0) > 0 : (tcp ?? 0) > 0
}

function connectFailure(
  text: string,
  make: (kind: HttpFailure['kind'], reason: string, stage: HttpFailure['stage']) => HttpFailure
): HttpFailure {
  if (text.includes('no route to host'))
    return make('unreachable', '[Errno 113] No route to host', 'connect')
  if (text.includes('network is unreachable'))
    return make('unreachable', '[Errno 101] Network is unreachable', 'connect')
  if (text.includes('timed out')) return make('timeout', 'timed out', 'connect')
  return make('refused', '[Errno 111] Connection refused', 'connect')
}

/** Python's ssl reason for a failed certificate check, from curl's or wget's words. */
function tlsReason(detail: string): string {
  const text = detail.toLowerCase()
  const verify = (why: string): string =>
    `[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: ${why} (_ssl.c:992)`
  if (text.includes('self-signed') || text.includes('self signed'))
    return verify(
      text.includes('in certificate chain')
        ? 'self-signed certificate in certificate chain'
        : 'self-signed certificate'
    )
  if (text.includes('expired')) return verify('certificate has expired')
  if (text.includes('local issuer') || text.includes('known issuer'))
    return verify('unable to get local issuer certificate')
  const mismatch = /(?:host ?name|subject name)[^']*'([^']+)'/i.exec(detail)
  if (mismatch || text.includes('does not match') || text.includes("doesn't match")) {
    const name = mismatch?.[1] ?? ''
    return /^[\d.]+$|:/.test(name)
      ? verify(`IP address mismatch, certificate is not valid for '${name}'.`)
      : verify(`Hostname mismatch, certificate is not valid for '${name}'.`)
  }
  return detail
}

/** curl config and wgetrc text for the request's constant parts (see http-request.sh). */
function buildConfigs(request: HttpRequest): {
  curl: Buffer
  curlEntity: Buffer
  curlFirst: Buffer
  wget: Buffer
  wgetEntity: Buffer
  wgetFirst: Buffer
} {
  const headers = Object.entries(request.headers ?? {})
  for (const [name, value] of headers) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      throw new HttpRequestError(`Invalid header name ${JSON.stringify(name)}`)
    }
    if (/[\r\n\0]/.test(value)) {
      throw new HttpRequestError(`Invalid header value ${JSON.stringify(value)}`)
    }
  }
  const has = (name: string): boolean => headers.some(([n]) => n.toLowerCase() === name)
  const agent =
    headers.find(([n]) => n.toLowerCase() === 'user-agent')?.[1] ??
    request.httpAgent ??
    DEFAULT_HTTP_AGENT
  const curl: string[] = []
  const curlEntity: string[] = []
  const curlFirst: string[] = []
  const wget: string[] = []
  const wgetEntity: string[] = []
  const wgetFirst: string[] = []
  const unredirected = new Set((request.unredirectedHeaders ?? []).map((h) => h.toLowerCase()))
  let wgetRefused = false
  const wgetValue = (value: string): string => {
    if (/^\s|\s$|[\r\n]/.test(value)) wgetRefused = true
    return value
  }
  const q = (value: string): string => `"${value.replace(/[\\"]/g, '\\$&')}"`
  // What urllib sends besides the caller's headers; curl's own Accept and Expect are dropped.
  curl.push(`user-agent = ${q(agent)}`)
  wget.push('tries = 1', `user_agent = ${wgetValue(agent)}`)
  if (!has('accept')) curl.push('header = "Accept:"')
  curl.push('header = "Expect:"')
  if (!has('accept-encoding')) {
    curl.push('header = "Accept-Encoding: identity"')
  }
  if (!has('connection')) curl.push('header = "Connection: close"')
  for (const [name, value] of headers) {
    if (name.toLowerCase() === 'user-agent') continue
    const lower = name.toLowerCase()
    const [curlList, wgetList] = unredirected.has(lower)
      ? [curlFirst, wgetFirst]
      : ENTITY_HEADERS.has(lower)
        ? [curlEntity, wgetEntity]
        : [curl, wget]
    curlList.push(`header = ${q(value === '' ? `${name};` : `${name}: ${value}`)}`)
    wgetList.push(`header = ${name}: ${wgetValue(value)}`)
  }
  const netrc = request.useNetrc !== false
  if (!netrc) wget.push('netrc = off')
  if (request.username !== undefined && request.username !== '') {
    const password = request.password ?? ''
    curl.push(`user = ${q(`${request.username}:${password}`)}`)
    curl.push(request.forceBasicAuth ? 'basic' : 'anyauth')
    wget.push(`http_user = ${wgetValue(request.username)}`)
    wget.push(`http_password = ${wgetValue(password)}`)
    if (request.forceBasicAuth) wget.push('auth_no_challenge = on')
  } else if (netrc) {
    curl.push('netrc-optional')
  }
  if (!request.validateCerts) {
    curl.push('insecure')
    wget.push('check_certificate = off')
  }
  if (request.caPath) {
    curl.push(`cacert = ${q(request.caPath)}`)
    wget.push(`ca_certificate = ${wgetValue(request.caPath)}`)
  }
  if (request.clientCert) {
    curl.push(`cert = ${q(request.clientCert)}`)
    wget.push(`certificate = ${wgetValue(request.clientCert)}`)
  }
  if (request.clientKey) {
    curl.push(`key = ${q(request.clientKey)}`)
    wget.push(`private_key = ${wgetValue(request.clientKey)}`)
  }
  if (request.useProxy === false) {
    curl.push('noproxy = "*"')
    wget.push('use_proxy = off')
  }
  const text = (lines: string[]): Buffer =>
    Buffer.from(lines.length === 0 ? '' : `${lines.join('\n')}\n`)
  return {
    curl: text(curl),
    curlEntity: text(curlEntity),
    curlFirst: text(curlFirst),
    wget: wgetRefused ? Buffer.from('#refuse\n') : text(wget),
    wgetEntity: text(wgetEntity),
    wgetFirst: text(wgetFirst)
  }
}
