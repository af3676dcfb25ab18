/**
 * The lookups that ask the controller's system: pipe and lines (a local command through /bin/sh, in the
 * playbook's directory), env (the controller's environment) and url (an HTTP(S) GET from the controller).
 *
 * Templates render synchronously, so the commands and the HTTP request run as child processes waited for
 * with spawnSync; the request runs in a child Node (this same executable) given its settings on stdin.
 */
import { inertText } from '../../values/inert-text.js'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { UndefinedVariableError } from '../../errors.js'
import { isSecretVariable, targetEnvironment } from '../../connection/local-connection.js'
import { Undefined } from '../undefined.js'
import { pythonStr, toBoolean } from '../python.js'
import { isRecord } from '../../values/records.js'
import {
  baseDir,
  boolOption,
  LookupFailure,
  type LookupCall,
  type LookupPlugin,
  option,
  stringOption,
  termText
} from './lookup-support.js'

/** Runs `command` through /bin/sh in the playbook's directory: its stdout, or the failure Ansible gives. */
function runShell(call: LookupCall, plugin: string, command: string): Buffer {
  // As Ansible: stdin is an empty pipe, stderr goes to the controller's own (the run's log), made inert
  // there first: no command's output may issue a workflow command or a terminal escape.
  const run = spawnSync('/bin/sh', ['-c', command], {
    cwd: baseDir(call.vars),
    input: '',
    // As a local command: without the action's inputs, saved state and tokens (SECURITY.md).
    env: targetEnvironment(process.env),
    stdio: ['pipe', 'pipe', 'pipe'],
    maxBuffer: 256 * 1024 * 1024
  })
  if (run.stderr?.length) process.stderr.write(inertText(run.stderr.toString('utf8')))
  if (run.error)
    throw new LookupFailure(`lookup_plugin.${plugin}(${command}): ${run.error.message}`)
  // A command killed by a signal: Python's returncode is minus the signal's number.
  const code = run.status ?? -signalNumber(run.signal)
  if (code !== 0) throw new LookupFailure(`lookup_plugin.${plugin}(${command}) returned ${code}`)
  return run.stdout
}

function signalNumber(signal: NodeJS.Signals | null): number {
  const names: Record<string, number> = {
    SIGHUP: 1,
    SIGINT: 2,
    SIGQUIT: 3,
    SIGKILL: 9,
    SIGPIPE: 13,
    SIGTERM: 15
  }
  return signal ? (names[signal] ?? 1) : 1
}

const pipe: LookupPlugin = {
  run: (call) =>
    call.terms.map((term) =>
      runShell(call, 'pipe', termText(term)).toString('utf8').replace(/\s+$/, '')
    )
}

const lines: LookupPlugin = {
  run: (call) =>
    call.terms.flatMap((term) => {
      const text = runShell(call, 'lines', termText(term)).toString('utf8')
      // Python's bytes.splitlines: \n, \r\n and \r end a line; no empty last line.
      const split = text.split(/\r\n|\r|\n/)
      if (split[split.length - 1] === '') split.pop()
      return split
    })
}

const env: LookupPlugin = {
  run: (call) => {
    const fallback = call.options['default'] === undefined ? '' : call.options['default']
    return call.terms.map((term) => {
      const name = termText(term).split(/\s+/).filter(Boolean)[0] ?? ''
      // The action's inputs (secrets among them), saved state and tokens are not the playbook's to read.
      const value =
        Object.hasOwn(process.env, name) && !isSecretVariable(name) ? process.env[name] : fallback
      if (value instanceof Undefined)
        throw new UndefinedVariableError(`The "env" lookup, found an undefined variable: ${name}`)
      return value
    })
  }
}

/** What the child process is asked for and answers. */
interface UrlRequest {
  url: string
  headers: Record<string, string>
  validateCerts: boolean
  caPath?: string
  timeoutMs: number
  followRedirects: 'all' | 'safe' | 'none'
  username?: string
  password?: string
  forceBasicAuth: boolean
}
type UrlAnswer =
  { body: string } | { status: number; reason: string } | { error: string; tls?: boolean }

// The child: one GET (with redirects, basic auth on challenge), its body in base64 on stdout as JSON.
const URL_CHILD = String.raw`
const http = require('node:http'), https = require('node:https');
let input = '';
process.stdin.on('data', (d) => (input += d)).on('end', () => {
  const req = JSON.parse(input);
  const done = (answer) => { process.stdout.write(JSON.stringify(answer)); process.exit(0) };
  const get = (url, redirects, withAuth) => {
    let target;
    try { target = new URL(url) } catch (e) { return done({ error: 'unknown url type: ' + JSON.stringify(url) }) }
    const lib = target.protocol === 'https:' ? https : target.protocol === 'http:' ? http : undefined;
    if (!lib) return done({ error: 'unknown url type: ' + target.protocol.replace(':', '') });
    const headers = Object.assign({}, req.headers);
    if (withAuth) headers['Authorization'] = 'Basic ' + Buffer.from(req.username + ':' + (req.password || '')).toString('base64');
    const options = { method: 'GET', headers, timeout: req.timeoutMs, rejectUnauthorized: req.validateCerts };
    if (req.ca) options.ca = req.ca;
    const r = lib.request(target, options, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const status = res.statusCode;
        if (status === 401 && req.username && !withAuth && /basic/i.test(String(res.headers['www-authenticate'] || '')))
          return get(url, redirects, true);
        if ([301, 302, 303, 307, 308].includes(status) && res.headers.location && req.followRedirects !== 'none') {
          if (redirects >= 10) return done({ status, reason: 'The HTTP server returned a redirect error that would lead to an infinite loop.' });
          return get(new URL(res.headers.location, target).href, redirects + 1, withAuth);
        }
        if (status >= 400 || (status >= 300 && req.followRedirects === 'none')) return done({ status, reason: res.statusMessage || '' });
        done({ body: Buffer.concat(chunks).toString('base64') });
      });
    });
    r.on('timeout', () => r.destroy(new Error('timed out')));
    r.on('error', (e) => done({ error: e.code === 'ECONNREFUSED' ? '[Errno 111] Connection refused' : e.message, tls: /certificate|self.signed|SSL/i.test(e.code + ' ' + e.message) }));
    r.end();
  };
  get(req.url, 0, req.forceBasicAuth && !!req.username);
});
`

function fetchUrl(request: UrlRequest & { ca?: string }): UrlAnswer {
  const run = spawnSync(process.execPath, ['-e', URL_CHILD], {
    input: JSON.stringify(request),
    env: targetEnvironment(process.env),
    stdio: ['pipe', 'pipe', 'pipe'],
    // The request's own timeout ends it first; this only keeps a stuck child from hanging the run.
    timeout: request.timeoutMs + 30_000,
    maxBuffer: 512 * 1024 * 1024
  })
  if (run.error)
    throw new LookupFailure(`Failed lookup url for ${request.url} : ${run.error.message}`)
  try {
    return JSON.parse(run.stdout.toString('utf8')) as UrlAnswer
  } catch {
    throw new LookupFailure(
      `Failed lookup url for ${request.url} : ${run.stderr.toString('utf8').trim() || 'no answer'}`
    )
  }
}

function followRedirects(value: unknown): UrlRequest['followRedirects'] {
  const text = pythonStr(value).toLowerCase()
  if (['urllib2', 'all', 'yes', 'true'].includes(text)) return 'all'
  if (text === 'safe') return 'safe'
  if (['none', 'no', 'false'].includes(text)) return 'none'
  throw new LookupFailure(`Invalid value for follow_redirects: ${pythonStr(value)}`, true)
}

const url: LookupPlugin = {
  refused: ['unix_socket', 'ciphers', 'use_gssapi', 'use_netrc', 'unredirected_headers'],
  run: (call) => {
    const headers: Record<string, string> = {
      'User-Agent': stringOption(call, 'http_agent', 'ansible-httpget')
    }
    const given = option(call, 'headers', {})
    if (!isRecord(given)) throw new LookupFailure('headers must be a dict', true)
    for (const [name, value] of Object.entries(given)) headers[name] = pythonStr(value)
    if (boolOption(call, 'force', false)) {
      headers['cache-control'] = 'no-cache'
      headers['If-Modified-Since'] = 'Thu, 01 Jan 1970 00:00:00 GMT'
    }
    const caPath = call.options['ca_path']
    const timeout = Number(option(call, 'timeout', 10))
    const username = call.options['username']
    const password = call.options['password']
    const request: UrlRequest & { ca?: string } = {
      url: '',
      headers,
      validateCerts: boolOption(call, 'validate_certs', true),
      timeoutMs: Math.max(1, timeout) * 1000,
      followRedirects: followRedirects(option(call, 'follow_redirects', 'urllib2')),
      forceBasicAuth: boolOption(call, 'force_basic_auth', false),
      ...(username === undefined || username === null ? {} : { username: pythonStr(username) }),
      ...(password === undefined || password === null ? {} : { password: pythonStr(password) }),
      ...(typeof caPath === 'string' ? { ca: readFileSync(caPath, 'utf8') } : {})
    }
    const splitLines = toBoolean(option(call, 'split_lines', true))
    return call.terms.flatMap((term) => {
      const target = termText(term)
      const answer = fetchUrl({ ...request, url: target })
      if ('status' in answer)
        throw new LookupFailure(
          `Received HTTP error for ${target} : HTTP Error ${answer.status}: ${answer.reason}`
        )
      if ('error' in answer) {
        if (answer.tls)
          throw new LookupFailure(
            `Error validating the server's certificate for ${target}: ${answer.error}`
          )
        throw new LookupFailure(`Failed lookup url for ${target} : <urlopen error ${answer.error}>`)
      }
      const body = Buffer.from(answer.body, 'base64').toString('utf8')
      if (!splitLines) return [body]
      const split = body.split(/\r\n|\r|\n/)
      if (split[split.length - 1] === '') split.pop()
      return split
    })
  }
}

export const COMMAND_LOOKUPS: Record<string, LookupPlugin> = { pipe, lines, env, url }
