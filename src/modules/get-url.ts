/**
 * `get_url`: downloads a file over HTTP(S) on the target (curl or GNU wget, see src/http/transport.ts)
 * and puts it in place as Ansible 2.14 decides:
 *
 * - an existing `dest` file with a matching `checksum` (and no `force`) is not downloaded: only its
 *   attributes are set ("file already exists");
 * - otherwise the request carries `If-Modified-Since` (the file's mtime) when `dest` exists and `force`
 *   is off, `Cache-Control: no-cache` with `force`; a 304 answer ends the task unchanged;
 * - the body lands in a 0600 temporary file beside `dest` (or in `tmp_dest`), is compared by sha1 with
 *   `dest`, and replaces it with a rename only when it differs (keeping the old file's mode and owner;
 *   a new file gets 0666 less the umask); `backup` keeps a copy under Ansible's name;
 * - a `checksum` is checked on the result, which is removed when it does not match;
 * - `mode`, `owner` and `group` are then applied with the `file` module's code (FileTask).
 *
 * Round trips: the state of `dest` (one), then the download, then the move with the checksums and the
 * new state (plus one more when attributes differ). Check mode sends a HEAD request and moves nothing.
 */
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { ProbeAnswer, probeCommand, type ProbeScript } from '../facts/probe.js'
import { parsePathAnswer, type PathState } from '../facts/path.js'
import pathSource from '../facts/path.sh'
import { CommandTimeoutError } from '../errors.js'
import {
  DEFAULT_HTTP_AGENT,
  fetchUrlMessage,
  httpRequest,
  statusMessage,
  type HttpRequest,
  type HttpResponse
} from '../http/transport.js'
import finishSource from './get-url-finish.sh'
import localSource from './get-url-local.sh'
import {
  checksumFromList,
  cleanChecksum,
  dispositionFilename,
  httpDate,
  pythonDirname,
  isChecksumUrl,
  isSupportedAlgorithm,
  sha1Hex,
  splitChecksum,
  unsupportedAlgorithmMessage,
  urlFilename
} from './get-url-support.js'
import { FileFailure, existsFollowing, isDirFollowing, pathInfo } from './file-support.js'
import { FileTask } from './file-task.js'
import {
  ModuleArgumentError,
  type ModuleContext,
  type ModuleDefinition,
  type ModuleResult
} from './module.js'

const FINISH: ProbeScript = { name: 'apb-get-url', source: finishSource }
const PATH_PROBE: ProbeScript = { name: 'apb-path', source: pathSource }
const SELINUX =
  'SELinux contexts and file attributes are not supported; set them with a command task'

/** A failure with Ansible's result: the task ends with it. */
class GetUrlFailure extends Error {
  constructor(readonly result: ModuleResult) {
    super(String(result['msg']))
  }
}

export const getUrlModule: ModuleDefinition = {
  name: 'get_url',
  supportsCheckMode: true,
  args: {
    options: {
      url: { type: 'str', required: true },
      dest: { type: 'path', required: true },
      backup: { type: 'bool', default: false },
      checksum: { type: 'str', default: '' },
      timeout: { type: 'int', default: 10 },
      headers: { type: 'dict' },
      tmp_dest: { type: 'path' },
      unredirected_headers: { type: 'list', elements: 'str', default: [] },
      decompress: { type: 'bool', default: true },
      ciphers: {
        type: 'list',
        elements: 'str',
        notImplemented: 'curl and wget on the target choose the TLS ciphers'
      },
      use_netrc: { type: 'bool', default: true },
      force: { type: 'bool', default: false },
      http_agent: { type: 'str', default: DEFAULT_HTTP_AGENT },
      use_proxy: { type: 'bool', default: true },
      validate_certs: { type: 'bool', default: true },
      url_username: { type: 'str', aliases: ['username'] },
      url_password: { type: 'str', aliases: ['password'], noLog: true },
      force_basic_auth: { type: 'bool', default: false },
      client_cert: { type: 'path' },
      client_key: { type: 'path' },
      use_gssapi: {
        type: 'bool',
        default: false,
        notImplemented:
          'Kerberos (GSSAPI) authentication is not available through curl or wget here'
      },
      mode: { type: 'raw' },
      owner: { type: 'str' },
      group: { type: 'str' },
      seuser: { type: 'str', notImplemented: SELINUX },
      serole: { type: 'str', notImplemented: SELINUX },
      setype: { type: 'str', notImplemented: SELINUX },
      selevel: { type: 'str', notImplemented: SELINUX },
      attributes: { type: 'str', aliases: ['attr'], notImplemented: SELINUX },
      unsafe_writes: { type: 'bool', default: false }
    }
  },
  async run(ctx) {
    const task = new FileTask(ctx)
    try {
      return await runGetUrl(task)
    } catch (error) {
      if (error instanceof GetUrlFailure) {
        // As Ansible's fail_json: a result naming an existing `dest` gets its path fields.
        const result: ModuleResult = { changed: false, ...error.result, failed: true }
        const dest = result['dest']
        if (typeof dest === 'string' && !('uid' in result)) {
          const st = await task.facts.path(dest, { follow: true }).catch(() => undefined)
          Object.assign(result, pathInfo(st))
        }
        return result
      }
      if (error instanceof FileFailure) return { changed: false, failed: true, ...error.result }
      throw error
    }
  }
}

/** What every request of the task shares. */
interface Download {
  ctx: ModuleContext
  /** The facts' connection: what runs through it drops the facts read before. */
  task: FileTask
  base: Omit<HttpRequest, 'url' | 'deadlineMs'>
}

async function runGetUrl(task: FileTask): Promise<ModuleResult> {
  const ctx = task.ctx
  const args = ctx.args
  const url = String(args['url'])
  const [expandedDest, expandedTmpDest] = await task.expand([
    String(args['dest']),
    task.string('tmp_dest')
  ])
  let dest = expandedDest!
  const tmpDest = expandedTmpDest
  let force = args['force'] === true
  const backup = args['backup'] === true
  const scheme = urlScheme(url)
  if (scheme === undefined) {
    throw new GetUrlFailure({ msg: `unknown url type: '${url}'`, status: -1, url })
  }
  if (scheme === 'ftp') {
    throw new ModuleArgumentError(
      `get_url: ftp:// URLs are not supported here (curl or wget on the target); use http(s):// or file://, got ${JSON.stringify(url)}`
    )
  }
  if (scheme !== 'http' && scheme !== 'https' && scheme !== 'file') {
    throw new GetUrlFailure({
      msg: `Request failed: <urlopen error unknown url type: ${scheme}>`,
      url,
      dest,
      elapsed: 0
    })
  }
  const result: ModuleResult = {
    changed: false,
    checksum_dest: null,
    checksum_src: null,
    dest,
    elapsed: 0,
    url
  }
  const download: Download = { ctx, task, base: requestBase(ctx) }

  // The checksum: `ALGORITHM:HEX`, or `ALGORITHM:URL` of a checksum list to look the file up in.
  let algorithm = ''
  let expected = ''
  const checksumArg = String(args['checksum'] ?? '')
  if (checksumArg !== '') {
    const split = splitChecksum(checksumArg)
    if (!split) {
      throw new GetUrlFailure({
        ...result,
        msg: 'The checksum parameter has to be in format <algorithm>:<checksum>'
      })
    }
    algorithm = split.algorithm
    let value = split.value
    if (isChecksumUrl(value)) {
      const list = await fetchChecksumList(download, value, dest, force)
      const filename = urlFilename(url)
      const found = checksumFromList(list, filename)
      if (found === undefined) {
        throw new GetUrlFailure({
          msg: `Unable to find a checksum for file '${filename}' in '${value}'`
        })
      }
      value = found
    }
    const cleaned = cleanChecksum(value)
    if (cleaned === undefined) {
      throw new GetUrlFailure({ ...result, msg: 'The checksum format is invalid' })
    }
    expected = cleaned
  }
  const supported = checksumArg === '' || isSupportedAlgorithm(algorithm)

  // One round trip: dest (with its digest when a checksum may spare the download), tmp_dest, accounts.
  const ownerSpec = task.string('owner')
  const groupSpec = task.string('group')
  const wantDigest = expected !== '' && !force && supported && isSupportedAlgorithm(algorithm)
  // The directory the download lands in is read at the same time (when dest is a file).
  const [st, tmpDestState, parentState, owner, group] = await Promise.all([
    task.facts.path(
      dest,
      wantDigest ? { follow: true, checksum: algorithm as 'sha1' } : { follow: true }
    ),
    tmpDest === undefined ? undefined : task.facts.path(tmpDest, { follow: true }),
    tmpDest === undefined
      ? task.facts.path(pythonDirname(dest) || '.', { follow: true })
      : undefined,
    ownerSpec === undefined ? undefined : task.account('user', ownerSpec),
    groupSpec === undefined ? undefined : task.account('group', groupSpec)
  ])
  task.owner = owner
  task.group = group
  const destIsDir = isDirFollowing(st)
  let lastModified: number | undefined
  if (!destIsDir && existsFollowing(st)) {
    let mismatch = false
    if (!force && expected !== '') {
      if (!supported) throw new GetUrlFailure({ msg: unsupportedAlgorithmMessage(dest, algorithm) })
      if (st.checksum !== expected) mismatch = true
    }
    if (!force && expected !== '' && !mismatch) {
      const attributes = await applyAttributes(task, dest, st)
      return {
        ...result,
        ...attributes,
        msg: attributes['changed']
          ? 'file already exists but file attributes changed'
          : 'file already exists'
      }
    }
    lastModified = st.mtime
    if (mismatch) force = true
  }

  // The download: a HEAD request in check mode (nothing is written), else GET into a private file.
  const headers: Record<string, string> = Object.create(null) as Record<string, string>
  if (force) headers['Cache-control'] = 'no-cache'
  else if (lastModified !== undefined) headers['If-modified-since'] = httpDate(lastModified)
  for (const [name, value] of Object.entries(userHeaders(ctx))) {
    for (const existing of Object.keys(headers))
      if (existing.toLowerCase() === name.toLowerCase()) delete headers[existing]
    headers[name] = value
  }
  const landingDir = tmpDest ?? (destIsDir ? dest : pythonDirname(dest) || '.')
  const landingState = tmpDest !== undefined ? tmpDestState : destIsDir ? st : parentState
  const tmpName = path.posix.join(landingDir, `.apb-get_url.${randomBytes(6).toString('hex')}.tmp`)
  const canLand =
    !ctx.check &&
    landingState !== undefined &&
    isDirFollowing(landingState) &&
    landingState.exists &&
    landingState.writeable
  const response =
    scheme === 'file'
      ? await readLocalUrl(task, url, canLand ? tmpName : undefined)
      : await request(download, {
          url,
          method: ctx.check ? 'HEAD' : 'GET',
          headers,
          ...(canLand ? { outputPath: tmpName, keepOutputFor: 200 } : {})
        })
  result['elapsed'] = response.elapsedSeconds
  const failWith = (fields: ModuleResult): never => {
    throw new GetUrlFailure(fields)
  }
  if (response.failure) {
    if (response.failure.stage === 'body') {
      throw new GetUrlFailure({
        msg: `failed to create temporary content file: ${response.failure.reason}`,
        elapsed: response.elapsedSeconds
      })
    }
    failWith({ msg: fetchUrlMessage(response.failure), url, dest, elapsed: result['elapsed'] })
  }
  const status = response.status!
  if (status === 304) {
    return {
      url,
      dest,
      changed: false,
      msg: statusMessage(response),
      status_code: 304,
      elapsed: result['elapsed'],
      ...pathInfo(st)
    }
  }
  if (status !== 200) {
    failWith({
      msg: 'Request failed',
      status_code: status,
      response: statusMessage(response),
      url,
      dest,
      elapsed: result['elapsed']
    })
  }
  if (tmpDest !== undefined && (tmpDestState === undefined || !isDirFollowing(tmpDestState))) {
    throw new GetUrlFailure({
      msg: existsFollowing(tmpDestState!)
        ? `${tmpDest} is a file but should be a directory.`
        : `${tmpDest} directory does not exist.`,
      elapsed: result['elapsed']
    })
  }

  // The name in a directory: Content-Disposition's, else the last part of the final URL.
  if (destIsDir) {
    dest = path.posix.join(dest, dispositionFilename(response.headers) ?? urlFilename(response.url))
    result['dest'] = dest
  }
  result['src'] = tmpName
  const okMessage = statusMessage(response)
  if (!canLand) return await withoutLanding(task, response, dest, result, okMessage)

  // The move, the checksums and the new state of dest, in one round trip.
  const connection = await task.facts.connection()
  const finishAlgorithm = expected !== '' && supported ? algorithm : ''
  const command = [
    probeCommand(FINISH, [tmpName, dest, backup ? '1' : '0', finishAlgorithm, expected]),
    'echo apb-split',
    probeCommand(PATH_PROBE, [dest, '0', '', '0', '0'])
  ].join('; ')
  const run = await connection.run(command, { timeoutMs: ctx.timeoutMs })
  if (run.timedOut) {
    throw new CommandTimeoutError(
      `get_url: putting ${dest} in place on ${connection.host} took longer than ${ctx.timeoutMs} ms`,
      connection.host,
      ctx.timeoutMs
    )
  }
  const text = run.stdout.toString('utf8')
  const split = text.indexOf('apb-split\n')
  const answer = new ProbeAnswer(split < 0 ? text : text.slice(0, split))
  if (!answer.complete) {
    throw new ModuleArgumentError(
      `get_url: putting ${dest} in place on ${connection.host} failed: ${run.stderr.toString('utf8').trim().slice(-400) || `exit code ${String(run.code)}`}`
    )
  }
  result['checksum_src'] = answer.get('checksum_src') ?? null
  const checksumDest = answer.get('checksum_dest')
  if (checksumDest !== undefined) result['checksum_dest'] = checksumDest
  const error = answer.get('error')
  if (error !== undefined) throw new GetUrlFailure({ ...result, msg: error })
  const moved = answer.get('moved') === '1'
  result['changed'] = moved
  const after = parsePathAnswer(
    new ProbeAnswer(split < 0 ? '' : text.slice(split + 'apb-split\n'.length)),
    dest,
    {},
    connection.host
  )
  if (expected !== '') {
    if (!supported) throw new GetUrlFailure({ msg: unsupportedAlgorithmMessage(dest, algorithm) })
    const digest = answer.get('digest') ?? ''
    if (digest !== expected) {
      throw new GetUrlFailure({
        ...result,
        msg: `The checksum for ${dest} did not match ${expected}; it was ${digest}.`
      })
    }
  }
  const attributes = await applyAttributes(task, dest, after)
  const backupFile = answer.get('backup')
  return {
    ...result,
    ...attributes,
    changed: moved || attributes['changed'] === true,
    md5sum: answer.get('md5') ?? null,
    ...(backupFile !== undefined ? { backup_file: backupFile } : {}),
    msg: okMessage,
    // urllib's file handler gives no status.
    status_code: scheme === 'file' ? null : 200
  }
}

/**
 * Check mode, or a destination directory that is missing or not writable: the body was captured (a
 * HEAD request has none), so the checks Ansible makes before its move are made on the facts read.
 */
async function withoutLanding(
  task: FileTask,
  response: HttpResponse & { localSha1?: string },
  dest: string,
  result: ModuleResult,
  okMessage: string
): Promise<ModuleResult> {
  result['checksum_src'] = response.localSha1 ?? sha1Hex(response.body ?? Buffer.alloc(0))
  const st = await task.facts.path(dest, { follow: true, checksum: 'sha1' })
  if (existsFollowing(st)) {
    if (!st.writeable)
      throw new GetUrlFailure({ ...result, msg: `Destination ${dest} is not writable` })
    if (!st.readable)
      throw new GetUrlFailure({ ...result, msg: `Destination ${dest} is not readable` })
    if (st.type === 'directory')
      throw new GetUrlFailure({
        ...result,
        msg: `attempted to take checksum of directory: ${dest}`
      })
    result['checksum_dest'] = st.checksum ?? null
  } else {
    const parent = pythonDirname(dest)
    // os.path.exists('') is false: a bare relative name has no directory Ansible finds.
    const parentState = parent === '' ? undefined : await task.facts.path(parent, { follow: true })
    if (parentState === undefined || !existsFollowing(parentState))
      throw new GetUrlFailure({ ...result, msg: `Destination ${parent} does not exist` })
    if (!parentState.writeable)
      throw new GetUrlFailure({ ...result, msg: `Destination ${parent} is not writable` })
  }
  if (!task.ctx.check) {
    // Only a directory we could not write to gets here outside check mode, and it was refused above.
    throw new GetUrlFailure({
      ...result,
      msg: `Destination ${pythonDirname(dest)} is not writable`
    })
  }
  return {
    ...result,
    changed: result['checksum_src'] !== result['checksum_dest'],
    msg: okMessage,
    ...pathInfo(st)
  }
}

/** mode, owner and group on `dest` with the file module's code: `changed` and the path's fields. */
async function applyAttributes(task: FileTask, dest: string, st: PathState): Promise<ModuleResult> {
  const diff = { before: { path: dest }, after: { path: dest } }
  const planned = task.attributes(dest, st, diff, { atime: 'preserve', mtime: 'preserve' })
  const outcome = await task.finish({}, dest, planned, diff, st)
  delete outcome['diff']
  return outcome
}

/** Downloads the checksum list of `checksum: ALGORITHM:URL`; its failures are get_url's. */
async function fetchChecksumList(
  download: Download,
  listUrl: string,
  dest: string,
  force: boolean
): Promise<string> {
  if (!/^https?:\/\//i.test(listUrl)) {
    throw new ModuleArgumentError(
      `get_url: only http:// and https:// checksum URLs are supported here, got ${JSON.stringify(listUrl)}`
    )
  }
  const headers: Record<string, string> = Object.create(null) as Record<string, string>
  if (force) headers['Cache-control'] = 'no-cache'
  Object.assign(headers, userHeaders(download.ctx))
  const response = await request(download, { url: listUrl, headers })
  if (response.failure) {
    throw new GetUrlFailure({
      msg: fetchUrlMessage(response.failure),
      url: listUrl,
      dest,
      elapsed: response.elapsedSeconds
    })
  }
  if (response.status !== 200) {
    throw new GetUrlFailure({
      msg: 'Request failed',
      status_code: response.status,
      response: statusMessage(response),
      url: listUrl,
      dest,
      elapsed: response.elapsedSeconds
    })
  }
  return (response.body ?? Buffer.alloc(0)).toString('utf8')
}

/** The task's headers, as strings. */
function userHeaders(ctx: ModuleContext): Record<string, string> {
  const given = ctx.args['headers']
  const headers: Record<string, string> = Object.create(null) as Record<string, string>
  if (given && typeof given === 'object') {
    for (const [name, value] of Object.entries(given as Record<string, unknown>))
      headers[name] = typeof value === 'string' ? value : JSON.stringify(value)
  }
  return headers
}

/** The request options every request of the task shares. */
function requestBase(ctx: ModuleContext): Download['base'] {
  const args = ctx.args
  const optional = (name: string): string | undefined => {
    const value = args[name]
    return value === undefined || value === null || value === '' ? undefined : String(value)
  }
  const base: Download['base'] = {
    timeoutSeconds: Number(args['timeout'] ?? 10),
    validateCerts: args['validate_certs'] !== false,
    // get_url has no follow_redirects: Ansible's fetch_url then follows as urllib does.
    followRedirects: 'urllib2',
    httpAgent: optional('http_agent') ?? '',
    useProxy: args['use_proxy'] !== false,
    forceBasicAuth: args['force_basic_auth'] === true,
    decompress: args['decompress'] !== false,
    useNetrc: args['use_netrc'] !== false,
    unredirectedHeaders: (args['unredirected_headers'] as string[] | undefined) ?? [],
    environment: ctx.environment
  }
  const username = optional('url_username')
  const password = optional('url_password')
  const cert = optional('client_cert')
  const key = optional('client_key')
  if (username !== undefined) base.username = username
  if (password !== undefined) base.password = password
  if (cert !== undefined) base.clientCert = cert
  if (key !== undefined) base.clientKey = key
  return base
}

async function request(
  download: Download,
  extra: Pick<HttpRequest, 'url'> & Partial<HttpRequest>
): Promise<HttpResponse> {
  const connection = await download.task.facts.connection()
  return httpRequest(connection, {
    ...download.base,
    deadlineMs: download.ctx.timeoutMs,
    ...extra
  })
}

/** The URL's scheme, lower-cased; undefined when it has none (`example.com/x`). */
function urlScheme(url: string): string | undefined {
  return /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase()
}

const LOCAL_FILE: ProbeScript = { name: 'apb-get-url-file', source: localSource }

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  '2': 'No such file or directory',
  '13': 'Permission denied',
  '21': 'Is a directory'
}

/**
 * A `file://` URL, read on the target as urllib's file handler reads it on the host: copied into
 * `outputPath` (0600), or only measured and hashed (check mode, or no place to land). Shaped as a
 * response: status 200 (reported as no status), Content-length the file's size.
 */
async function readLocalUrl(
  task: FileTask,
  url: string,
  outputPath: string | undefined
): Promise<HttpResponse & { localSha1?: string }> {
  const rest = url.slice('file:'.length)
  let host = ''
  let encoded = rest
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2)
    host = slash < 0 ? rest.slice(2) : rest.slice(2, slash)
    encoded = slash < 0 ? '' : rest.slice(slash)
  }
  const base: HttpResponse = {
    tool: 'curl',
    reason: '',
    headerPairs: [],
    headers: {},
    url,
    redirects: 0,
    redirectLoop: false,
    method: 'GET',
    bodySize: -1,
    bodyTruncated: false,
    elapsedSeconds: 0
  }
  const failure = (reason: string): HttpResponse => ({
    ...base,
    failure: { kind: 'other', stage: 'connect', reason, detail: reason }
  })
  if (host !== '' && host !== 'localhost') return failure('file not on local host')
  let local: string
  try {
    local = decodeURIComponent(encoded.replace(/[?#].*$/, ''))
  } catch {
    local = encoded
  }
  const connection = await task.facts.connection()
  const ctx = task.ctx
  const res = await connection.run(probeCommand(LOCAL_FILE, [local, outputPath ?? '']), {
    timeoutMs: ctx.timeoutMs
  })
  if (res.timedOut) {
    throw new CommandTimeoutError(
      `get_url: reading ${local} on ${connection.host} took longer than ${ctx.timeoutMs} ms`,
      connection.host,
      ctx.timeoutMs
    )
  }
  const answer = new ProbeAnswer(res.stdout.toString('utf8'))
  const errno = answer.get('errno')
  if (errno !== undefined) {
    return failure(`[Errno ${errno}] ${ERRNO_TEXT[errno] ?? 'Error'}: '${local}'`)
  }
  const size = answer.get('size') ?? '0'
  const response: HttpResponse & { localSha1?: string } = {
    ...base,
    status: 200,
    reason: 'OK',
    headers: { 'content-length': size },
    headerPairs: [['Content-length', size]],
    bodySize: Number(size)
  }
  const sha1 = answer.get('sha1')
  if (sha1 !== undefined) response.localSha1 = sha1
  return response
}
