import { pythonShellJoin, shellJoin, shellQuote, shlexSplit } from '../connection/shell-quote.js'
import { pythonStr } from '../template/python.js'
import { checkCreatesRemoves, execScript, optionalString, runCommand } from './command-runner.js'
import { untypedOptions, type ArgSpec } from './arg-spec.js'
import { boolArg } from './file-transfer.js'
import {
  ModuleArgumentError,
  type ModuleContext,
  type ModuleDefinition,
  type ModuleResult
} from './module.js'

/**
 * The arguments of Ansible's command module, which runs both `command` and `shell` (shell sets
 * `_uses_shell`): what Ansible lists when it refuses another one. `cmd` is accepted too, as Ansible moves
 * it into `_raw_params`.
 */
const COMMAND_ARGS: ArgSpec = {
  // Values are read by runCommandModule and command-runner.ts, with the messages they give today.
  options: untypedOptions(
    '_raw_params',
    '_uses_shell',
    'argv',
    'chdir',
    'creates',
    'executable',
    'removes',
    'stdin',
    'stdin_add_newline',
    'strip_empty_ends'
  ),
  hidden: ['cmd'],
  reportedAs: 'ansible.legacy.command'
}

/** What command and shell share: both are Ansible's command module. */
export const commandFamily = {
  // In check mode creates/removes decide as in a real run, and nothing runs (checkModeResult).
  supportsCheckMode: true,
  freeForm: true,
  supportsAsync: true,
  ownTimeout: true,
  args: COMMAND_ARGS
} as const

/** `command`: runs argv on the target without a shell; every argument is quoted, so nothing is interpreted. */
export const commandModule: ModuleDefinition = {
  name: 'command',
  ...commandFamily,
  run: (ctx) => runCommandModule(ctx, boolArg(ctx.args['_uses_shell'], '_uses_shell', false))
}

/** Ansible's command module: `usesShell` is what shell adds to it. */
export async function runCommandModule(
  ctx: ModuleContext,
  usesShell: boolean
): Promise<ModuleResult> {
  const { args } = ctx
  const warnings: string[] = []
  const withWarnings = (result: ModuleResult): ModuleResult => {
    if (warnings.length > 0) result['warnings'] = warnings
    return result
  }
  if (args['cmd'] !== undefined && optionalString(args['_raw_params']) !== undefined) {
    throw new ModuleArgumentError(
      "The 'cmd' argument cannot be used when other raw parameters are specified. Please put everything in one or the other place."
    )
  }
  const raw = optionalString(args['_raw_params']) ?? optionalString(args['cmd'])
  let executable = optionalString(args['executable'])
  if (!usesShell && executable !== undefined) {
    warnings.push(
      `As of Ansible 2.4, the parameter 'executable' is no longer supported with the 'command' module. Not using '${executable}'.`
    )
    executable = undefined
  }
  const argv = argvArg(args['argv'])
  if ((raw === undefined || raw.trim() === '') && argv.length === 0)
    return withWarnings(notRun('no command given'))
  if (raw !== undefined && argv.length > 0)
    return withWarnings(notRun('only command or argv can be given, not both'))
  const options = {
    chdir: optionalString(args['chdir']),
    stdin: stdinArg(args),
    moduleName: usesShell ? 'shell' : 'command',
    stripEmptyEnds: boolArg(args['strip_empty_ends'], 'strip_empty_ends', true)
  }
  if (usesShell) {
    // A list under a shell is quoted word by word into one command line, as Ansible's run_command does.
    const line = raw ?? shellJoin(argv)
    const cmd = raw ?? argv
    const skipped = await checkCreatesRemoves(ctx, cmd)
    if (skipped) return withWarnings(skipped)
    if (ctx.check) return withWarnings(checkModeResult(ctx, cmd))
    const shell = executable ?? '/bin/sh'
    return withWarnings(
      await runCommand(ctx, `${shellQuote(shell)} -c ${shellQuote(line)}`, cmd, {
        ...options,
        runsUnderSh: shell === '/bin/sh',
        // A missing `executable` fails as Python's subprocess does, with the shell's path as the program.
        ...(executable === undefined
          ? {}
          : {
              checkedScript: execScript([shell, '-c', line], { checked: true }),
              cmdIfNotStarted: pythonShellJoin(cleanArgs([shell, '-c', line]))
            })
      })
    )
  }
  let words = argv
  if (raw !== undefined) {
    try {
      words = shlexSplit(raw)
    } catch (error) {
      throw new ModuleArgumentError(
        `could not split the command into arguments (${(error as Error).message}): check the quoting, or use shell:`
      )
    }
  }
  const skipped = await checkCreatesRemoves(ctx, words)
  if (skipped) return withWarnings(skipped)
  if (ctx.check) return withWarnings(checkModeResult(ctx, words))
  return withWarnings(
    await runCommand(ctx, execScript(words), words, {
      ...options,
      checkedScript: execScript(words, { checked: true }),
      cmdIfNotStarted: pythonShellJoin(cleanArgs(words))
    })
  )
}

/**
 * Ansible's command module in check mode, once creates/removes did not skip it: nothing runs. With
 * creates or removes it predicts a change (they say the command would do something); without them it
 * cannot predict, and the task is skipped.
 */
function checkModeResult(ctx: ModuleContext, cmd: unknown): ModuleResult {
  const predicts =
    optionalString(ctx.args['creates']) !== undefined ||
    optionalString(ctx.args['removes']) !== undefined
  return {
    changed: predicts,
    cmd,
    delta: null,
    end: null,
    msg: 'Command would have run if not in check mode',
    rc: 0,
    start: null,
    stderr: '',
    stderr_lines: [],
    stdout: '',
    stdout_lines: [],
    ...(predicts ? {} : { skipped: true })
  }
}

/** The command module's result when it has nothing to run: rc 256, nothing started. */
function notRun(msg: string): ModuleResult {
  return {
    changed: false,
    cmd: null,
    delta: null,
    end: null,
    failed: true,
    msg,
    rc: 256,
    start: null,
    stderr: '',
    stderr_lines: [],
    stdout: '',
    stdout_lines: []
  }
}

/** `argv`: a list whose items become strings as Python's str() writes them. */
function argvArg(value: unknown): string[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value))
    throw new ModuleArgumentError(
      `argv must be a list of strings, got ${pythonStr(value)}: write it as a YAML list`
    )
  return value.map((item) => pythonStr(item))
}

/** The `stdin` argument, with Ansible's trailing newline unless stdin_add_newline is false. */
export function stdinArg(args: Record<string, unknown>): string | undefined {
  const stdin = args['stdin']
  if (stdin === undefined || stdin === null) return undefined
  const addNewline = boolArg(args['stdin_add_newline'], 'stdin_add_newline', true)
  return pythonStr(stdin) + (addNewline ? '\n' : '')
}

/**
 * The words of a command as Ansible reports them: the value of a password argument (`--password=x`,
 * or the word after `--password`) is masked.
 */
function cleanArgs(words: readonly string[]): string[] {
  const out: string[] = []
  let maskNext = false
  for (const word of words) {
    if (maskNext) {
      out.push('********')
      maskNext = false
      continue
    }
    if (/^-{0,2}pass-?(word|wd)?/.test(word)) {
      const eq = word.indexOf('=')
      if (eq > -1) out.push(`${word.slice(0, eq)}=********`)
      else {
        out.push(word)
        maskNext = true
      }
      continue
    }
    out.push(word)
  }
  return out
}
