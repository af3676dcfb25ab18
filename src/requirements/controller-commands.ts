// The programs and downloads role installation runs on the controller (never on a target): git and tar as
// argv (no shell), and HTTP(S) downloads, each with a deadline, with credentials in URLs masked in messages.
import { execFile } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { Readable, Transform, Writable } from 'node:stream'
import type { ReadableStream } from 'node:stream/web'
import { pipeline } from 'node:stream/promises'
import { targetEnvironment } from '../connection/local-connection.js'
import { AsyncPlaybookError } from '../errors.js'

/** A controller program or a download failed. */
export class ControllerCommandError extends AsyncPlaybookError {}

/** How long one git/tar command or one download may take before it is stopped. */
export const CONTROLLER_COMMAND_DEADLINE_MS = 10 * 60 * 1000

/**
 * `https://user:token@host/x` → `https://********@host/x`: what logs and errors may show of a URL. The
 * credentials end at the authority's last `@` (as URL parsers read it), so a password holding `@` is masked
 * whole.
 */
export function maskUrlCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/?#\s]*@/gi, '$1********@')
}

/**
 * Runs a program on the controller with argv (no shell), a deadline, git prompts off, only git's network
 * and file transports allowed (no `ext::` commands), and no secret of the action in its environment.
 * Resolves with stdout.
 * @throws ControllerCommandError with the command (credentials masked) and the end of its stderr
 */
export function runController(
  program: 'git' | 'tar',
  args: readonly string[],
  options: { cwd?: string; deadlineMs?: number } = {}
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      program,
      [...args],
      {
        ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
        timeout: options.deadlineMs ?? CONTROLLER_COMMAND_DEADLINE_MS,
        killSignal: 'SIGKILL',
        maxBuffer: 16 * 1024 * 1024,
        // The runner's environment (ssh agent, git config) without the action's inputs, saved state and
        // tokens, which git would hand to ssh, credential helpers and hooks.
        env: {
          ...targetEnvironment(process.env),
          GIT_TERMINAL_PROMPT: '0',
          GIT_ASKPASS: '',
          SSH_ASKPASS: '',
          GIT_ALLOW_PROTOCOL: 'file:git:http:https:ssh',
          LC_ALL: 'C'
        }
      },
      (error, stdout, stderr) => {
        if (!error) {
          resolve(stdout)
          return
        }
        const shown = maskUrlCredentials([program, ...args].join(' '))
        const code = (error as NodeJS.ErrnoException).code
        if (code === 'ENOENT') {
          reject(
            new ControllerCommandError(
              `'${program}' is not installed on the controller; it is needed to install roles (${shown})`
            )
          )
          return
        }
        const why = error.killed
          ? `stopped after ${Math.round((options.deadlineMs ?? CONTROLLER_COMMAND_DEADLINE_MS) / 1000)} s`
          : `exit code ${String(error.code)}`
        const tail = maskUrlCredentials(String(stderr).trim().split('\n').slice(-5).join('\n'))
        reject(new ControllerCommandError(`${shown} failed (${why})${tail ? `: ${tail}` : ''}`))
      }
    )
  })
}

/** At most this many bytes downloaded for one role archive. */
export const MAX_DOWNLOAD_BYTES = 512 * 1024 * 1024
/** At most this many bytes of one Galaxy API answer (a page of versions is a few kilobytes). */
export const MAX_JSON_BYTES = 16 * 1024 * 1024

/**
 * Downloads a URL (redirects followed) into a file, with a deadline and a size cap.
 * @throws ControllerCommandError naming the URL (credentials masked) and the HTTP status or the error
 */
export async function download(
  url: string,
  file: string,
  deadlineMs = CONTROLLER_COMMAND_DEADLINE_MS,
  maxBytes = MAX_DOWNLOAD_BYTES
): Promise<void> {
  const failure = `failed to download ${maskUrlCredentials(url)}`
  const body = await get(url, failure, deadlineMs, {})
  await receive(body, createWriteStream(file, { mode: 0o600 }), maxBytes, failure, 'a role archive')
}

/**
 * GETs a URL and parses its JSON body, with a deadline and a size cap.
 * @throws ControllerCommandError naming the URL and the HTTP status, or that the body is not JSON
 */
export async function getJson(url: string, deadlineMs = 60_000): Promise<unknown> {
  const shown = maskUrlCredentials(url)
  const failure = `failed to reach ${shown}`
  const body = await get(url, failure, deadlineMs, { accept: 'application/json' })
  const chunks: Buffer[] = []
  const collect = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk)
      done()
    }
  })
  await receive(body, collect, MAX_JSON_BYTES, failure, 'an API answer')
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown
  } catch {
    throw new ControllerCommandError(`${shown} did not answer JSON`)
  }
}

/**
 * GETs a URL (user and password sent as basic authentication, redirects followed) and returns its body.
 * @throws ControllerCommandError starting with `failure`: the error, or the HTTP status
 */
async function get(
  url: string,
  failure: string,
  deadlineMs: number,
  extraHeaders: Record<string, string>
): Promise<ReadableStream> {
  let response: Response
  try {
    const { target, headers } = withBasicAuth(url)
    response = await fetch(target, {
      signal: AbortSignal.timeout(deadlineMs),
      redirect: 'follow',
      headers: { ...headers, ...extraHeaders }
    })
  } catch (error) {
    throw new ControllerCommandError(`${failure}: ${maskUrlCredentials(errorText(error))}`)
  }
  if (!response.ok || !response.body)
    throw new ControllerCommandError(`${failure}: HTTP ${response.status} ${response.statusText}`)
  return response.body as ReadableStream
}

/** Streams a body into `sink`, stopped past `maxBytes`. */
async function receive(
  body: ReadableStream,
  sink: Writable,
  maxBytes: number,
  failure: string,
  what: string
): Promise<void> {
  let received = 0
  try {
    await pipeline(
      Readable.fromWeb(body),
      new Transform({
        transform(chunk: Buffer, _encoding, done) {
          received += chunk.length
          if (received > maxBytes)
            done(new Error(`it is larger than ${maxBytes} bytes, more than ${what} may be`))
          else done(null, chunk)
        }
      }),
      sink
    )
  } catch (error) {
    throw new ControllerCommandError(`${failure}: ${maskUrlCredentials(errorText(error))}`)
  }
}

/** `https://user:pass@host/x` → the URL without them and a Basic Authorization header (fetch refuses them in URLs). */
function withBasicAuth(url: string): { target: string; headers: Record<string, string> } {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new ControllerCommandError(`'${maskUrlCredentials(url)}' is not a valid URL`)
  }
  if (parsed.username === '' && parsed.password === '') return { target: url, headers: {} }
  const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`
  parsed.username = ''
  parsed.password = ''
  return {
    target: parsed.toString(),
    headers: { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` }
  }
}

function errorText(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause
  const base = error instanceof Error ? error.message : String(error)
  return cause instanceof Error ? `${base} (${cause.message})` : base
}
