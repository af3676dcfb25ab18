// The programs and downloads role installation runs on the controller (never on a target): git and tar as
// argv (no shell), and HTTP(S) downloads, each with a deadline, with credentials in URLs masked in messages.
import { execFile } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { Readable, Transform } from 'node:stream'
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
  const shown = maskUrlCredentials(url)
  let response: Response
  try {
    const { target, headers } = withBasicAuth(url)
    response = await fetch(target, {
      signal: AbortSignal.timeout(deadlineMs),
      redirect: 'follow',
      headers
    })
  } catch (error) {
    throw new ControllerCommandError(
      `failed to download ${shown}: ${maskUrlCredentials(errorText(error))}`
    )
  }
  if (!response.ok || !response.body)
    throw new ControllerCommandError(
      `failed to download ${shown}: HTTP ${response.status} ${response.statusText}`
    )
  try {
    let received = 0
    await pipeline(
      Readable.fromWeb(response.body as import('node:stream/web').ReadableStream),
      new Transform({
        transform(chunk: Buffer, _encoding, done) {
          received += chunk.length
          if (received > maxBytes)
            done(new Error(`it is larger than ${maxBytes} bytes, more than a role archive may be`))
          else done(null, chunk)
        }
      }),
      createWriteStream(file, { mode: 0o600 })
    )
  } catch (error) {
    throw new ControllerCommandError(
      `failed to download ${shown}: ${maskUrlCredentials(errorText(error))}`
    )
  }
}

/**
 * GETs a URL and parses its JSON body, with a deadline.
 * @throws ControllerCommandError naming the URL and the HTTP status, or that the body is not JSON
 */
export async function getJson(url: string, deadlineMs = 60_000): Promise<unknown> {
  const shown = maskUrlCredentials(url)
  let response: Response
  try {
    const { target, headers } = withBasicAuth(url)
    response = await fetch(target, {
      signal: AbortSignal.timeout(deadlineMs),
      headers: { ...headers, accept: 'application/json' }
    })
  } catch (error) {
    throw new ControllerCommandError(
      `failed to reach ${shown}: ${maskUrlCredentials(errorText(error))}`
    )
  }
  if (!response.ok)
    throw new ControllerCommandError(
      `${shown} answered HTTP ${response.status} ${response.statusText}`
    )
  const body = await response.text()
  try {
    return JSON.parse(body) as unknown
  } catch {
    throw new ControllerCommandError(`${shown} did not answer JSON`)
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
