import type { Connection } from '../connection/connection.js'
import { CommandTimeoutError } from '../errors.js'
import { fromHex, probeCommand, ProbeAnswer, runProbe, type ProbeScript } from '../facts/probe.js'
import {
  DEFAULT_CAPTURE_BYTES,
  httpRequest,
  HttpRequestError,
  type FollowRedirects,
  type HttpResponse
} from '../http/transport.js'
import { findControllerFile } from './controller-files.js'
import { readControllerFile } from '../vault/index.js'
import expandArgsSource from './expand-args.sh'
import { normaliseMode } from './file-transfer.js'
import {
  ModuleArgumentError,
  type ModuleContext,
  type ModuleDefinition,
  type ModuleResult
} from './module.js'
import pathInfoSource from './path-info.sh'
import { pathInfoFields } from './path-info.js'
import { readWholeFile } from './remote-read.js'
import actSource from './uri-act.sh'
import probeSource from './uri-probe.sh'
import { buildRequest, methodError, urlProblem, type UriRequestArgs } from './uri-request.js'
import { looksLikeJson, parseContentType, shapeResult, type UriExchange } from './uri-result.js'

const PROBE: ProbeScript = { name: 'apb-uri-probe', source: `${expandArgsSource}\n${probeSource}` }
const ACT: ProbeScript = { name: 'apb-uri-act', source: `${pathInfoSource}\n${actSource}` }

const FILE_ATTRIBUTES = 'SELinux contexts, file attributes and unsafe_writes are not supported'

/** Options of Ansible's uri this module does not do: refused by name when set. */
const NOT_DONE = {
  unix_socket: { type: 'path', notImplemented: 'requests over a Unix socket are not supported' },
  ciphers: {
    type: 'list',
    elements: 'str',
    notImplemented: 'choosing TLS ciphers is not supported'
  },
  use_gssapi: {
    type: 'bool',
    default: false,
    notImplemented: 'GSSAPI (Kerberos) authentication is not supported'
  },
  attributes: { type: 'str', aliases: ['attr'], notImplemented: FILE_ATTRIBUTES },
  seuser: { type: 'str', notImplemented: FILE_ATTRIBUTES },
  serole: { type: 'str', notImplemented: FILE_ATTRIBUTES },
  selevel: { type: 'str', notImplemented: FILE_ATTRIBUTES },
  setype: { type: 'str', notImplemented: FILE_ATTRIBUTES },
  unsafe_writes: { type: 'bool', default: false, notImplemented: FILE_ATTRIBUTES }
} as const

/**
 * `uri`: one HTTP(S) request made on the target by curl or wget (src/http/transport.ts), as Ansible's
 * uri makes it (uri-request.ts) and with its result as Ansible shapes it (uri-result.ts): `status`,
 * `msg`, `url`, `redirected`, every response header, `cookies`, `json`, `content`; a status outside
 * `status_code` fails. `dest` writes the response body to a file on the target (atomically, through a
 * private temporary file next to it) and reports the file; `creates`/`removes` skip the request. One
 * round trip for a plain request; with dest, creates or removes, a look before it and, for dest, the
 * write after. Not run in check mode, as in Ansible.
 */
export const uriModule: ModuleDefinition = {
  name: 'uri',
  supportsCheckMode: false,
  args: {
    reportedAs: 'ansible.legacy.uri',
    options: {
      url: { type: 'str', required: true },
      dest: { type: 'path' },
      url_username: { type: 'str', aliases: ['user'] },
      url_password: { type: 'str', aliases: ['password'], noLog: true },
      body: { type: 'raw' },
      body_format: {
        type: 'str',
        default: 'raw',
        choices: ['form-urlencoded', 'json', 'raw', 'form-multipart']
      },
      src: { type: 'path' },
      method: { type: 'str', default: 'GET' },
      return_content: { type: 'bool', default: false },
      follow_redirects: {
        type: 'str',
        default: 'safe',
        choices: ['all', 'no', 'none', 'safe', 'urllib2', 'yes']
      },
      creates: { type: 'path' },
      removes: { type: 'path' },
      status_code: { type: 'list', elements: 'int', default: [200] },
      timeout: { type: 'int', default: 30 },
      headers: { type: 'dict', default: {} },
      remote_src: { type: 'bool', default: false },
      ca_path: { type: 'path' },
      unredirected_headers: { type: 'list', elements: 'str', default: [] },
      decompress: { type: 'bool', default: true },
      force: { type: 'bool', default: false },
      http_agent: { type: 'str', default: 'ansible-httpget' },
      use_proxy: { type: 'bool', default: true },
      use_netrc: { type: 'bool', default: true },
      validate_certs: { type: 'bool', default: true },
      force_basic_auth: { type: 'bool', default: false },
      client_cert: { type: 'path' },
      client_key: { type: 'path' },
      mode: { type: 'raw' },
      owner: { type: 'str' },
      group: { type: 'str' },
      ...NOT_DONE
    },
    mutuallyExclusive: [['body', 'src']]
  },
  async run(ctx) {
    return runUri(ctx)
  }
}

/** What the probe before the request found. */
interface Before {
  dest?: { path: string; kind: 'dir' | 'file' | 'other' | 'none'; mtime?: number; tmp?: string }
  tmpError?: string
}

async function runUri(ctx: ModuleContext): Promise<ModuleResult> {
  const a = ctx.args
  const url = a['url'] as string
  const bodyFormat = a['body_format'] as string
  const statusCode = a['status_code'] as number[]
  const returnContent = a['return_content'] as boolean
  const decompress = a['decompress'] as boolean
  const given = (name: string): string | undefined => {
    const value = a[name]
    return value === null || value === undefined ? undefined : String(value)
  }
  if (bodyFormat === 'form-multipart')
    return {
      changed: false,
      failed: true,
      msg:
        'body_format form-multipart is not supported: send the body as json or form-urlencoded, or ' +
        'build the multipart body yourself and send it raw with its Content-Type header'
    }
  const mode = normaliseMode(a['mode'])
  const owner = given('owner')
  const group = given('group')

  let body: unknown = a['body']
  const src = given('src')
  if (src !== undefined) {
    const read = await readSource(ctx, src, a['remote_src'] as boolean)
    if ('failed' in read) return read
    body = read.text
  }
  const requestArgs: UriRequestArgs = {
    url,
    method: a['method'] as string,
    body,
    bodyFormat,
    headers: a['headers'] as Record<string, unknown>,
    httpAgent: given('http_agent') ?? null,
    username: given('url_username') ?? null,
    password: given('url_password') ?? null,
    forceBasicAuth: a['force_basic_auth'] as boolean,
    force: a['force'] as boolean
  }
  // Ansible checks the method and encodes the body before it looks at creates, removes and dest.
  const checked = buildRequest(requestArgs)
  if ('error' in checked) {
    const failure: ModuleResult = { changed: false, failed: true, msg: checked.error }
    // The method's message comes without elapsed; the body's with 0.
    if (methodError(requestArgs.method.toUpperCase()) === undefined) failure['elapsed'] = 0
    return failure
  }

  const connection = await ctx.connection()
  const before = await lookBefore(
    ctx,
    connection,
    given('creates'),
    given('removes'),
    given('dest')
  )
  if ('skipped' in before) return before.skipped
  const built = buildRequest({
    ...requestArgs,
    ...(before.dest?.mtime === undefined
      ? {}
      : { lastModified: new Date(before.dest.mtime * 1000) })
  })
  if ('error' in built) throw new Error(`uri: the request could not be built twice: ${built.error}`)
  const problem = urlProblem(built.request.url, built.request.method)
  if (problem !== undefined) {
    await discard(ctx, connection, before.dest?.tmp)
    if (problem.kind === 'urlopen' || problem.kind === 'unknown') {
      const shaped = shapeResult(
        {
          outcome: {
            failure: {
              kind: 'other',
              stage: 'connect',
              reason: problem.kind === 'urlopen' ? problem.reason : '',
              detail: ''
            }
          },
          finalUrl: url
        },
        { url, statusCode, returnContent, elapsed: 0 }
      ).result
      if (problem.kind === 'unknown') {
        const unknown = `An unknown error occurred: ${problem.msg}`
        shaped['msg'] = statusCode.includes(-1)
          ? unknown
          : `Status code was -1 and not [${statusCode.join(', ')}]: ${unknown}`
      }
      return shaped
    }
    return problem.kind === 'value'
      ? { changed: false, failed: true, msg: problem.msg, status: -1, url }
      : { changed: false, failed: true, msg: problem.msg }
  }
  const request = built.request
  const credentials = built.challenge

  let response: HttpResponse
  try {
    response = await httpRequest(connection, {
      url: request.url,
      method: request.method,
      headers: Object.fromEntries(request.headers),
      ...(request.body === undefined ? {} : { body: request.body }),
      ...(credentials === undefined
        ? {}
        : { username: credentials.username, password: credentials.password }),
      forceBasicAuth: false,
      timeoutSeconds: a['timeout'] as number,
      validateCerts: a['validate_certs'] as boolean,
      followRedirects: a['follow_redirects'] as FollowRedirects,
      useProxy: a['use_proxy'] as boolean,
      useNetrc: a['use_netrc'] as boolean,
      decompress,
      unredirectedHeaders: a['unredirected_headers'] as string[],
      ...(given('ca_path') === undefined ? {} : { caPath: given('ca_path')! }),
      ...(given('client_cert') === undefined ? {} : { clientCert: given('client_cert')! }),
      ...(given('client_key') === undefined ? {} : { clientKey: given('client_key')! }),
      ...(before.dest?.tmp === undefined ? {} : { outputPath: before.dest.tmp }),
      environment: ctx.environment,
      // The transport's own waits are bounded by `timeout`; the call as a whole gets the larger of
      // that (with room for a slow body) and the usual deadline.
      deadlineMs: Math.max(ctx.timeoutMs, ((a['timeout'] as number) * 2 + 30) * 1000)
    })
  } catch (error) {
    await discard(ctx, connection, before.dest?.tmp)
    if (error instanceof HttpRequestError)
      return { changed: false, failed: true, msg: error.message, elapsed: 0 }
    throw error
  }

  // A body that stopped coming (a timeout, a closed connection) after the status and headers came:
  // Ansible notices only when it reads the body (json, return_content, a refused status, dest).
  const bodyFailure =
    response.status !== undefined && response.failure?.stage === 'body'
      ? response.failure
      : undefined
  const came =
    response.status !== undefined && (response.failure === undefined || bodyFailure !== undefined)
  // A response to HEAD has no body, whatever a tool may have left where it would be.
  const headRequest = response.method === 'HEAD'
  if (headRequest) response.body = Buffer.alloc(0)
  const exchange: UriExchange = {
    outcome:
      came && response.status !== undefined
        ? {
            response: {
              status: response.status,
              reason: response.reason,
              headers: response.headerPairs,
              body: response.body ?? Buffer.alloc(0)
            }
          }
        : {
            failure: response.failure ?? {
              kind: 'other',
              stage: 'connect',
              reason: 'no response',
              detail: ''
            }
          },
    finalUrl: response.url,
    redirectLoop: response.redirectLoop
  }
  const options = { url, statusCode, returnContent, elapsed: response.elapsedSeconds }
  const headers = response.headerPairs
  const readsBody = (accepted: boolean): boolean =>
    looksLikeJson(parseContentType(headers).subtype) || returnContent || !accepted

  if (before.dest === undefined) {
    const shaped = shapeResult(exchange, options)
    if (bodyFailure !== undefined && readsBody(shaped.accepted))
      return {
        ...shaped.result,
        failed: true,
        msg: `the body of the response could not be read: ${bodyFailure.reason}`
      }
    if (response.bodyTruncated) ctx.warn(truncationWarning(url))
    return shaped.result
  }
  if (bodyFailure !== undefined) {
    // Ansible fails copying the body into its temporary file; dest is left as it was.
    await discard(ctx, connection, before.dest.tmp)
    return {
      ...shapeResult(exchange, options).result,
      failed: true,
      msg: `Failed to create temporary content file: ${bodyFailure.reason}`
    }
  }

  // dest: the response was written to a temporary file next to it.
  const dest = before.dest
  if (!came || dest.tmp === undefined) {
    await discard(ctx, connection, dest.tmp)
    const shaped = shapeResult(exchange, options)
    // Ansible fails in its atomic move, with nothing of the response in the result.
    if (came && dest.tmp === undefined)
      return {
        changed: false,
        failed: true,
        msg: `Could not replace file: the response to ${dest.path}: ${before.tmpError ?? 'no temporary file'}`
      }
    return shaped.result
  }
  const status = response.status!
  const accepted = statusCode.includes(status)
  const write = accepted && status !== 304
  let final = dest.path
  if (dest.kind === 'dir') {
    const name = responseFilename(headers, response.url)
    if (name.includes('/') || name === '..' || name === '.') {
      await discard(ctx, connection, dest.tmp)
      return {
        changed: false,
        failed: true,
        msg: `the server named the file ${JSON.stringify(name)}, which is no file name in ${dest.path}: give dest a file path`
      }
    }
    final = `${dest.path.replace(/\/+$/, '')}/${name}`
  }
  // urllib raises anything but a 2xx as an HTTPError, which Ansible reads (for `body`) before it writes
  // dest from the spent response: dest gets no content then, as it does for HEAD.
  const success = status >= 200 && status < 300 && !response.redirectLoop
  const wantsBody = readsBody(accepted) || !success
  const act = await runAct(ctx, connection, {
    tmp: dest.tmp,
    final,
    write,
    mode: write ? mode : undefined,
    owner: write ? owner : undefined,
    group: write ? group : undefined,
    wantsBody,
    empty: headRequest || !success
  })
  if ('response' in exchange.outcome && !headRequest) {
    exchange.outcome.response.body = act.body
  }
  const shaped = shapeResult(exchange, options)
  const result: ModuleResult = { ...shaped.result, path: final }
  if (write) result['changed'] = true
  Object.assign(result, act.pathInfo)
  if (act.error !== undefined) {
    return { ...result, failed: true, msg: act.error }
  }
  return result
}

/** Runs the probe when there is something to look at before the request. */
async function lookBefore(
  ctx: ModuleContext,
  connection: Connection,
  creates: string | undefined,
  removes: string | undefined,
  dest: string | undefined
): Promise<Before | { skipped: ModuleResult }> {
  if (creates === undefined && removes === undefined && dest === undefined) return {}
  const flag = (value: string | undefined): string => (value === undefined ? '-' : `+${value}`)
  const answer = await runProbe(
    { connection, timeoutMs: ctx.timeoutMs, fact: 'path', subject: dest ?? creates ?? removes! },
    PROBE,
    [flag(creates), flag(removes), flag(dest)]
  )
  const text = (key: string): string | undefined => {
    const hex = answer.get(key)
    return hex === undefined ? undefined : fromHex(hex).toString('utf8')
  }
  const skip = answer.get('skip')
  if (skip !== undefined) {
    const stdout =
      skip === 'creates'
        ? `skipped, since '${text('creates_hex') ?? ''}' exists`
        : `skipped, since '${text('removes_hex') ?? ''}' does not exist`
    return { skipped: { changed: false, stdout, stdout_lines: [stdout] } }
  }
  const destPath = text('dest_hex')
  if (destPath === undefined) return {}
  const kind = (answer.get('dest_kind') ?? 'none') as 'dir' | 'file' | 'other' | 'none'
  const mtime = answer.int('dest_mtime')
  const tmp = text('tmp_hex')
  const tmpError = text('tmp_error_hex')
  return {
    dest: {
      path: destPath,
      kind,
      ...(mtime === undefined ? {} : { mtime }),
      ...(tmp === undefined ? {} : { tmp })
    },
    ...(tmpError === undefined ? {} : { tmpError })
  }
}

/** The body a `src` gives: a controller file (found as copy finds it), or with remote_src the target's. */
async function readSource(
  ctx: ModuleContext,
  src: string,
  remote: boolean
): Promise<{ text: string } | ModuleResult> {
  if (!remote) {
    let file: string
    try {
      file = findControllerFile(src, 'files', ctx)
    } catch (error) {
      return { changed: false, failed: true, msg: (error as Error).message }
    }
    return { text: readControllerFile(file).toString('utf8') }
  }
  const read = await readWholeFile(ctx, src)
  if ('failure' in read)
    return { changed: false, failed: true, msg: `Unable to open source file ${src}`, elapsed: 0 }
  return { text: read.bytes.toString('utf8') }
}

/** What the write after the request gave. */
interface ActAnswer {
  pathInfo: ModuleResult
  body: Buffer
  error?: string
}

async function runAct(
  ctx: ModuleContext,
  connection: Connection,
  step: {
    tmp: string
    final: string
    write: boolean
    mode: string | undefined
    owner: string | undefined
    group: string | undefined
    wantsBody: boolean
    /** The response has no body (HEAD): what the transport left in tmp is not one. */
    empty: boolean
  }
): Promise<ActAnswer> {
  const flag = (value: string | undefined): string => (value === undefined ? '-' : `+${value}`)
  const command = probeCommand(ACT, [
    step.tmp,
    step.final,
    step.write ? '1' : '0',
    flag(step.mode),
    flag(step.owner),
    flag(step.group),
    step.wantsBody ? '1' : '0',
    String(DEFAULT_CAPTURE_BYTES),
    step.empty ? '1' : '0'
  ])
  const result = await connection.run(command, {
    timeoutMs: ctx.timeoutMs,
    outputCapBytes: DEFAULT_CAPTURE_BYTES + 64 * 1024
  })
  if (result.timedOut)
    throw new CommandTimeoutError(
      `writing the response to ${step.final} on ${connection.host} took longer than ${ctx.timeoutMs} ms`,
      connection.host,
      ctx.timeoutMs
    )
  const marker = Buffer.from('end=1\n')
  const stdout = result.stdout
  const at = stdout.indexOf(marker)
  if (at < 0)
    throw new ModuleArgumentError(
      `writing the response to ${step.final} on ${connection.host} failed: ${result.stderr.toString('utf8').trim() || 'no answer'}`
    )
  const answer = new ProbeAnswer(stdout.subarray(0, at + marker.length).toString('utf8'))
  const bodyLength = answer.int('body_len') ?? 0
  const start = at + marker.length
  const body = Buffer.from(stdout.subarray(start, start + bodyLength))
  const values = new Map<string, string>()
  for (const key of ['info', 'owner', 'group', 'kind']) {
    const value = answer.get(key)
    if (value !== undefined) values.set(key, value)
  }
  let error: string | undefined
  for (const [key, label] of [
    ['write_error_hex', `failed to write ${step.final}`],
    ['mode_error_hex', 'chmod failed'],
    ['owner_error_hex', 'chown failed'],
    ['group_error_hex', 'chgrp failed']
  ] as const) {
    const hex = answer.get(key)
    if (hex !== undefined) {
      error = `${label}: ${fromHex(hex).toString('utf8').trim()}`
      break
    }
  }
  return { pathInfo: pathInfoFields(values), body, ...(error === undefined ? {} : { error }) }
}

/** Removes the temporary file the probe made, when the response is not written. */
async function discard(
  ctx: ModuleContext,
  connection: Connection,
  tmp: string | undefined
): Promise<void> {
  if (tmp === undefined) return
  await connection.run(probeCommand({ name: 'apb-uri-discard', source: 'rm -f "$1"' }, [tmp]), {
    timeoutMs: ctx.timeoutMs
  })
}

/**
 * The file name dest (a directory) gets, as Ansible's: the filename of Content-Disposition, else the
 * last segment of the final URL's path (unquoted), else index.html.
 */
export function responseFilename(headers: Array<[string, string]>, url: string): string {
  const disposition = headers.find(([n]) => n.toLowerCase() === 'content-disposition')?.[1]
  if (disposition !== undefined) {
    const match = /(?:^|;)\s*filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/i.exec(disposition)
    const name = match?.[1]?.replace(/\\(.)/g, '$1') ?? match?.[2]?.trim()
    if (name) return name
  }
  let path: string
  try {
    path = new URL(url).pathname
  } catch {
    path = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '').replace(/[?#].*$/, '')
  }
  const last = path.replace(/\/+$/, '').split('/').pop() ?? ''
  if (last === '') return 'index.html'
  try {
    return decodeURIComponent(last)
  } catch {
    return last
  }
}

function truncationWarning(url: string): string {
  return `the response of ${url} is larger than ${DEFAULT_CAPTURE_BYTES} bytes: content and json hold only its beginning (use dest to keep it whole)`
}
