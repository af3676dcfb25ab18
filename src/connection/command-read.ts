/**
 * Reading a file with a command on the target (`head -c`, become-get.sh), its bytes streamed over the
 * command's stdout: how getFile works under become (SFTP reads as the login user), and a read that
 * costs one exec instead of an SFTP session's start (a `sftp-server` process and several round trips)
 * for a module that reads a small file before every run (lineinfile, replace, blockinfile).
 */
import { CommandTimeoutError } from '../errors.js'
import type { Connection } from './connection.js'
import {
  CappedFile,
  checkMaxBytes,
  RemoteFileError,
  type GetFileOptions,
  type RemoteFileProblem
} from './get-file.js'
import { compactScript, shellJoin } from './shell-quote.js'
import getSource from './become-get.sh'

const GET_SCRIPT = compactScript(getSource)

/** What getFile keeps of stderr at least (and of stdout: head sends no more than the cap + 1). */
const MIN_GET_OUTPUT_CAP_BYTES = 64 * 1024

/**
 * Connection.getFile's contract through `connection.run`: at most maxBytes + 1 bytes leave the target,
 * and no more than that is kept here. `who` names the reading user in messages (` as root`), or ''.
 * @throws FileTooLargeError, RemoteFileError, CommandTimeoutError as getFile does
 */
export async function readFileByCommand(
  connection: Pick<Connection, 'host' | 'run'>,
  remotePath: string,
  options: GetFileOptions,
  who = ''
): Promise<Buffer> {
  checkMaxBytes(options.maxBytes)
  const limit = options.maxBytes + 1
  const command = shellJoin(['/bin/sh', '-c', GET_SCRIPT, 'apb-get', remotePath, String(limit)])
  // head sends at most `limit` bytes; the cap also bounds what a target that sends more could
  // cost, and leaves room for the whole of head's message on stderr when the cap is small.
  const res = await connection.run(command, {
    timeoutMs: options.timeoutMs,
    outputCapBytes: Math.max(limit, MIN_GET_OUTPUT_CAP_BYTES),
    sharedShell: true
  })
  if (res.timedOut) {
    throw new CommandTimeoutError(
      `reading ${remotePath} on ${connection.host}${who} took longer than ${options.timeoutMs} ms`,
      connection.host,
      options.timeoutMs
    )
  }
  if (res.code !== 0) {
    const said = res.stderr.toString('utf8').trim()
    const problem: RemoteFileProblem =
      res.code === 3
        ? 'not-a-file'
        : res.code === 4 && /no such file|not a directory/i.test(said)
          ? 'not-found'
          : res.code === 4 && /permission denied/i.test(said)
            ? 'permission-denied'
            : 'failed'
    throw new RemoteFileError(
      `cannot read ${remotePath} on ${connection.host}${who}: ${said || `exit code ${String(res.code ?? res.signal)}`}`,
      connection.host,
      remotePath,
      problem
    )
  }
  const file = new CappedFile(connection.host, remotePath, options.maxBytes)
  if (res.stdoutTruncated) file.tooLarge()
  file.push(res.stdout)
  return file.bytes()
}
