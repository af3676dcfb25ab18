import { readFileSync } from 'node:fs'
import { findControllerFile } from './controller-files.js'
import path from 'node:path'
import { shellQuote, shlexSplit } from '../connection/shell-quote.js'
import {
  checkCreatesRemoves,
  formatDelta,
  formatTimestamp,
  optionalString,
  splitLines
} from './command-runner.js'
import { ModuleArgumentError, type ModuleDefinition } from './module.js'
import { commandWithEnvironment } from './task-environment.js'

/** `script`: uploads a local script to a private temp dir on the target, runs it with its arguments, removes it. */
export const scriptModule: ModuleDefinition = {
  name: 'script',
  freeForm: true,
  argNames: ['_raw_params', 'cmd', 'chdir', 'creates', 'removes', 'executable'],
  async run(ctx) {
    const line = optionalString(ctx.args['_raw_params']) ?? optionalString(ctx.args['cmd'])
    if (line === undefined)
      throw new ModuleArgumentError('no script given: write `script: path/to/script.sh [args]`')
    let words: string[]
    try {
      words = shlexSplit(line)
    } catch (error) {
      throw new ModuleArgumentError(
        `could not split '${line}' into a path and arguments: ${(error as Error).message}`
      )
    }
    const [localName, ...scriptArgs] = words
    const localPath = findControllerFile(localName!, 'files', ctx)
    const content = readFileSync(localPath)
    const skipped = await checkCreatesRemoves(ctx, line)
    if (skipped) return { ...skipped, cmd: undefined }
    const connection = await ctx.connection()
    const mk = await connection.run(
      'umask 077 && mktemp -d "${TMPDIR:-/tmp}/async-playbook.XXXXXXXX"',
      {
        timeoutMs: ctx.timeoutMs
      }
    )
    const dir = mk.stdout.toString('utf8').trim()
    if (mk.code !== 0 || !dir.startsWith('/')) {
      throw new ModuleArgumentError(
        `could not create a temporary directory on the target: ${mk.stderr.toString('utf8').trim()}`
      )
    }
    const remote = `${dir}/${path.basename(localPath).replace(/[^A-Za-z0-9._-]/g, '_')}`
    const start = new Date()
    try {
      await connection.putFile(remote, content, { mode: 0o700, timeoutMs: ctx.timeoutMs })
      const executable = optionalString(ctx.args['executable'])
      const chdir = optionalString(ctx.args['chdir'])
      const argv = [...(executable ? [executable] : []), remote, ...scriptArgs]
        .map(shellQuote)
        .join(' ')
      // The task's environment, as Ansible applies it to scripts: on stdin, never on the command line.
      const sent = commandWithEnvironment(
        `${chdir ? `cd ${shellQuote(chdir)} || exit 1; ` : ''}${argv}`,
        ctx.environment
      )
      const res = await connection.run(sent.command, {
        timeoutMs: ctx.timeoutMs,
        ...(sent.stdin !== undefined ? { stdin: sent.stdin } : {})
      })
      const stdout = res.stdout.toString('utf8')
      const stderr = res.stderr.toString('utf8')
      const rc = res.code ?? -1
      const end = new Date()
      return {
        changed: true,
        rc,
        stdout,
        stdout_lines: splitLines(stdout),
        stderr,
        stderr_lines: splitLines(stderr),
        start: formatTimestamp(start),
        end: formatTimestamp(end),
        delta: formatDelta(end.getTime() - start.getTime()),
        ...(rc !== 0 ? { failed: true, msg: 'non-zero return code' } : {})
      }
    } finally {
      await connection
        .run(`rm -rf ${shellQuote(dir)}`, { timeoutMs: ctx.timeoutMs })
        .catch(() => undefined)
    }
  }
}
