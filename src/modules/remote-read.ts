/**
 * Reading a whole file from the target for slurp and fetch: its path expanded on the target as
 * Ansible's `path` type does (only when it could expand: one round trip otherwise), then streamed
 * through Connection.getFile under a cap.
 */
import { FileTooLargeError, RemoteFileError } from '../connection/get-file.js'
import { runProbe, fromHex, type ProbeScript } from '../facts/probe.js'
import expandArgsSource from './expand-args.sh'
import expandPathSource from './expand-path.sh'
import type { ModuleContext } from './module.js'

/** The largest file slurp and fetch read from a target: what the controller holds of it at once. */
export const READ_MAX_BYTES = 64 * 1024 * 1024

const EXPAND_PROBE: ProbeScript = {
  name: 'apb-expand',
  source: `${expandArgsSource}\n${expandPathSource}\necho end=1\n`
}

/** Whether Python's expandvars/expanduser could change `path`. */
export function mayExpand(path: string): boolean {
  return path.startsWith('~') || path.includes('$')
}

/** `path` with $VAR and ~ expanded on the target; itself, without a round trip, when nothing could expand. */
export async function expandOnTarget(
  ctx: Pick<ModuleContext, 'connection' | 'timeoutMs'>,
  path: string
): Promise<string> {
  if (!mayExpand(path)) return path
  const connection = await ctx.connection()
  const answer = await runProbe(
    { connection, timeoutMs: ctx.timeoutMs, fact: 'path', subject: path },
    EXPAND_PROBE,
    [path]
  )
  const hex = answer.get('expanded_hex')
  return hex === undefined ? path : fromHex(hex).toString('utf8')
}

/** Why a whole file could not be read, in the words of Ansible's slurp. */
export type ReadFailure =
  | { problem: 'not-found' | 'permission-denied' | 'not-a-file' | 'failed'; msg: string }
  | { problem: 'too-large'; msg: string }

/**
 * The bytes of `path` (already expanded), or why they could not be read with Ansible's slurp message.
 * Errors other than the file's own (connection lost, deadline) are thrown.
 */
export async function readWholeFile(
  ctx: Pick<ModuleContext, 'connection' | 'timeoutMs'>,
  path: string
): Promise<{ bytes: Buffer } | { failure: ReadFailure }> {
  const connection = await ctx.connection()
  try {
    return {
      bytes: await connection.getFile(path, {
        maxBytes: READ_MAX_BYTES,
        // The same deadline as copy's putFile: one remote call's.
        timeoutMs: ctx.timeoutMs
      })
    }
  } catch (error) {
    if (error instanceof FileTooLargeError) {
      return { failure: { problem: 'too-large', msg: error.message } }
    }
    if (!(error instanceof RemoteFileError)) throw error
    switch (error.problem) {
      case 'not-found':
        return { failure: { problem: error.problem, msg: `file not found: ${path}` } }
      case 'permission-denied':
        return { failure: { problem: error.problem, msg: `file is not readable: ${path}` } }
      case 'not-a-file':
        return {
          failure: {
            problem: error.problem,
            msg: `source is a directory and must be a file: ${path}`
          }
        }
      default:
        return {
          failure: { problem: error.problem, msg: `unable to slurp file: ${error.message}` }
        }
    }
  }
}
