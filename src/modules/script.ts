import path from 'node:path'
import { shellQuote, shlexSplit } from '../connection/shell-quote.js'
import { optionalString, splitLines, timeoutResult } from './command-runner.js'
import { findControllerFile, readSourceFile } from './controller-files.js'
import { untypedOptions } from './arg-spec.js'
import { ModuleArgumentError, type ModuleContext, type ModuleDefinition } from './module.js'
import { commandWithEnvironment } from './task-environment.js'

/**
 * `script`: uploads a local script to a private temp dir on the target, runs it with its arguments, removes
 * it. As Ansible's script action: `creates`/`removes` are tested first (the task is skipped), the rest
 * of the line after the script's path is shell text, and the output is kept as the script printed it.
 */
export const scriptModule: ModuleDefinition = {
  name: 'script',
  // As Ansible's script action in check mode: creates/removes decide, then nothing runs (see run).
  supportsCheckMode: true,
  freeForm: true,
  ownTimeout: true,
  // Ansible's script action takes `cmd` as `_raw_params`, and never lists it.
  args: {
    options: untypedOptions('_raw_params', 'chdir', 'creates', 'executable', 'removes'),
    hidden: ['cmd']
  },
  async run(ctx) {
    if (ctx.args['cmd'] !== undefined && optionalString(ctx.args['_raw_params']) !== undefined) {
      throw new ModuleArgumentError(
        "The 'cmd' argument cannot be used when other raw parameters are specified. Please put everything in one or the other place."
      )
    }
    const creates = optionalString(ctx.args['creates'])
    const removes = optionalString(ctx.args['removes'])
    if (creates !== undefined && (await remoteExists(ctx, creates)))
      return { changed: false, skipped: true, msg: `${creates} exists, matching creates option` }
    if (removes !== undefined && !(await remoteExists(ctx, removes)))
      return {
        changed: false,
        skipped: true,
        msg: `${removes} does not exist, matching removes option`
      }
    const chdir = optionalString(ctx.args['chdir'])
    if (chdir !== undefined && !chdir.startsWith('/'))
      throw new ModuleArgumentError(
        `chdir ${chdir} must be an absolute path for a Unix-aware remote node`
      )
    const line = (
      optionalString(ctx.args['_raw_params']) ??
      optionalString(ctx.args['cmd']) ??
      ''
    ).trim()
    if (line === '')
      throw new ModuleArgumentError('no script given: write `script: path/to/script.sh [args]`')
    let words: string[]
    try {
      words = shlexSplit(line)
    } catch (error) {
      throw new ModuleArgumentError(
        `could not split '${line}' into a path and arguments: ${(error as Error).message}`
      )
    }
    const localName = words[0]!
    const localPath = findControllerFile(localName, 'files', ctx)
    const content = readSourceFile(localPath, ctx.args)
    if (ctx.check) {
      // With creates or removes the script would change something (they did not skip it); without them
      // nothing tells what it would do, so the task is skipped, as Ansible's script action does.
      if (creates !== undefined || removes !== undefined) return { changed: true }
      return { changed: false, skipped: true, msg: 'Check mode is not supported for this task.' }
    }
    const connection = await ctx.connection()
    const mk = await connection.run(
      'umask 077 && mktemp -d "${TMPDIR:-/tmp}/async-playbook.XXXXXXXX"',
      { timeoutMs: ctx.timeoutMs }
    )
    const dir = mk.stdout.toString('utf8').trim()
    if (mk.code !== 0 || !dir.startsWith('/')) {
      throw new ModuleArgumentError(
        `could not create a temporary directory on the target: ${mk.stderr.toString('utf8').trim()}`
      )
    }
    const remote = `${dir}/${path.basename(localPath).replace(/[^A-Za-z0-9._-]/g, '_')}`
    try {
      await connection.putFile(remote, content, { mode: 0o700, timeoutMs: ctx.timeoutMs })
      // As Ansible: the script's path is replaced by the uploaded copy and the rest of the line is shell
      // text (its quoting, variables and redirections are the shell's); `executable` comes first.
      const target = line.split(localName).join(shellQuote(remote))
      const executable = optionalString(ctx.args['executable'])
      let commandLine = `${executable ? `${executable} ` : ''}${target}`
      if (chdir !== undefined) commandLine = `cd ${shellQuote(chdir)} && ${commandLine}`
      const timeout = ctx.taskTimeoutSeconds
      if (timeout !== undefined && timeout > 0)
        commandLine = `exec timeout -k 5 ${Math.ceil(timeout)} /bin/sh -c ${shellQuote(commandLine)}`
      // The task's environment, as Ansible applies it to scripts: on stdin, never on the command line.
      const sent = commandWithEnvironment(commandLine, ctx.environment)
      const res = await connection.run(
        sent.stdin === undefined ? `/bin/sh -c ${shellQuote(sent.command)}` : sent.command,
        {
          timeoutMs: timeout !== undefined && timeout > 0 ? (timeout + 10) * 1000 : ctx.timeoutMs,
          ...(sent.stdin !== undefined ? { stdin: sent.stdin } : {})
        }
      )
      const rc = res.code ?? -1
      if (timeout !== undefined && timeout > 0 && rc === 124)
        return timeoutResult(ctx.task.action ?? 'script', timeout)
      const stdout = res.stdout.toString('utf8')
      const stderr = res.stderr.toString('utf8')
      return {
        changed: true,
        rc,
        stdout,
        stdout_lines: splitLines(stdout),
        stderr,
        stderr_lines: splitLines(stderr),
        ...(rc !== 0 ? { failed: true, msg: 'non-zero return code' } : {})
      }
    } finally {
      await connection
        .run(`rm -rf ${shellQuote(dir)}`, { timeoutMs: ctx.timeoutMs })
        .catch(() => undefined)
    }
  }
}

/** Whether a path exists on the target, as Ansible's script action tests it: `test -e`, no glob. */
async function remoteExists(ctx: ModuleContext, file: string): Promise<boolean> {
  const connection = await ctx.connection()
  const res = await connection.run(`test -e ${shellQuote(file)}`, { timeoutMs: ctx.timeoutMs })
  return res.code === 0
}
