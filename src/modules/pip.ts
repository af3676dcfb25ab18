import { shlexSplit } from '../connection/shell-quote.js'
import { ProbeAnswer } from '../facts/probe.js'
import { splitLines } from './command-runner.js'
import expandArgs from './expand-args.sh'
import { ModuleArgumentError, type ModuleContext, type ModuleDefinition } from './module.js'
import type { ModuleResult } from './module.js'
import { canonicalName, parseRequirement, regroupNames, satisfies } from './pip-requirement.js'
import script from './pip.sh'
import { ModuleScript } from './module-script.js'

/** pip's words for each state, as Ansible's module runs them. */
const STATE_WORDS: Record<string, readonly string[]> = {
  present: ['install'],
  absent: ['uninstall', '-y'],
  latest: ['install', '-U'],
  forcereinstall: ['install', '-U', '--force-reinstall']
}

const VCS_URL = /^(svn|git|hg|bzr)\+/

const SCRIPT = new ModuleScript('apb-pip', `${expandArgs}\n${script}`, 'pip')

type Mode = 'run' | 'check' | 'setup' | 'check-setup'

/**
 * `pip`: installs, upgrades or removes Python packages on the target with the target's own pip, in a
 * virtualenv it creates when asked (`virtualenv`, `virtualenv_command` such as `python3 -m venv`), as
 * Ansible's pip module does: pip runs every time and `changed` is what pip says it did (`Successfully
 * installed` / `Successfully uninstalled`), or, for a requirements file or a VCS URL, whether the
 * package list differs after the run. Check mode compares `pip list` with the requirements. All of it
 * is one round trip. pip needs Python on the target by nature: without one, the task fails saying so.
 */
export const pipModule: ModuleDefinition = {
  name: 'pip',
  supportsCheckMode: true,
  args: {
    options: {
      state: { type: 'str', default: 'present', choices: Object.keys(STATE_WORDS) },
      name: { type: 'list', elements: 'str' },
      version: { type: 'str' },
      requirements: { type: 'str' },
      virtualenv: { type: 'path' },
      virtualenv_site_packages: { type: 'bool', default: false },
      virtualenv_command: { type: 'path', default: 'virtualenv' },
      virtualenv_python: { type: 'str' },
      extra_args: { type: 'str' },
      editable: { type: 'bool', default: false },
      chdir: { type: 'path' },
      executable: { type: 'path' },
      umask: { type: 'str' }
    },
    requiredOneOf: [['name', 'requirements']],
    mutuallyExclusive: [
      ['name', 'requirements'],
      ['executable', 'virtualenv']
    ]
  },
  async run(ctx) {
    const a = ctx.args
    const state = a['state'] as string
    const names = (a['name'] as string[] | null | undefined) ?? null
    const version = optional(a['version'])
    const requirements = optional(a['requirements'])
    const venvCommand = (a['virtualenv_command'] as string | undefined) ?? 'virtualenv'
    const venvPython = optional(a['virtualenv_python'])
    let extraArgs = optional(a['extra_args'])

    let umask = ''
    const umaskText = optional(a['umask'])
    if (umaskText !== undefined) {
      const m = /^\s*\+?(?:0o)?([0-7]+)\s*$/i.exec(umaskText)
      if (!m) return { failed: true, changed: false, msg: 'umask must be an octal integer' }
      umask = m[1]!.replace(/^0+(?=.)/, '').padStart(4, '0')
    }
    if (state === 'latest' && version !== undefined)
      return { failed: true, changed: false, msg: 'version is incompatible with state=latest' }

    const venvWords = shlexSplit(venvCommand)
    if (venvWords.length === 0)
      throw new ModuleArgumentError('pip: virtualenv_command is empty: name a command')
    const pyvenv = venvCommand.includes('pyvenv') || venvCommand.includes('-m venv')
    // Ansible refuses virtualenv_python with venv only when it is to create the virtualenv.
    const venvPythonWord = pyvenv
      ? venvPython === undefined
        ? 'venv'
        : 'refuse'
      : (venvPython ?? '')

    // What pip will be given, and the refusals Ansible makes once the virtualenv and pip are found.
    let refusal: string | undefined
    const groups = names && names.length > 0 ? regroupNames(names) : []
    let packages = groups.map((group) => parseRequirement(group))
    if (version !== undefined && groups.length > 0) {
      if (packages.length > 1)
        refusal =
          "'version' argument is ambiguous when installing multiple package distributions. Please specify version restrictions next to each package in 'name' argument."
      else if (packages[0]!.specs.length > 0)
        refusal =
          "The 'version' argument conflicts with any version specifier provided along with a package name. Please keep the version specifier, but remove the 'version' argument."
      else packages = [parseRequirement(packages[0]!.text, version)]
    }
    if (a['editable'] === true) {
      const words = extraArgs ? extraArgs.split(' ') : []
      if (!words.includes('-e')) extraArgs = [...words, '-e'].join(' ')
    }
    const hasName = names !== null && names.length > 0
    const pipArgs = [...STATE_WORDS[state]!, ...(extraArgs ? shlexSplit(extraArgs) : [])]
    if (hasName) pipArgs.push(...packages.map((p) => p.text))
    else if (requirements) pipArgs.push('-r', requirements)
    const nothing = !hasName && !requirements
    const checkDecidedEarly = Boolean(extraArgs || requirements || state === 'latest' || !hasName)
    const freeze = Boolean(requirements) || (names ?? []).some((n) => VCS_URL.test(n))

    let mode: Mode
    if (ctx.check) mode = refusal !== undefined || checkDecidedEarly ? 'check-setup' : 'check'
    else mode = refusal !== undefined || nothing ? 'setup' : 'run'

    const answer = await runPipScript(ctx, mode, [
      pythonInterpreter(ctx.vars),
      optional(a['executable']) ?? '',
      optional(a['virtualenv']) ?? '',
      optional(a['chdir']) ?? '',
      umask,
      a['virtualenv_site_packages'] === true ? '1' : '0',
      venvPythonWord,
      String(venvWords.length),
      ...venvWords,
      freeze ? '1' : '0',
      '--',
      ...pipArgs
    ])
    const text = (key: string): string => answer.bytes(key)?.toString('utf8') ?? ''
    const words = (key: string): string[] =>
      answer.all(key).map((hex) => Buffer.from(hex, 'hex').toString('utf8'))
    const venv = answer.get('venv_hex') !== undefined ? text('venv_hex') : null

    const failure = setupFailure(ctx, answer, text, words, venvWords[0]!, venv)
    if (failure) return failure
    if (answer.get('venv_missing') === '1') return { changed: true }
    const venvCreated = answer.get('venv_rc') !== undefined
    let out = venvCreated ? text('venv_out_hex') : ''
    let err = venvCreated ? text('venv_err_hex') : ''
    if (venvCreated && answer.int('venv_rc') !== 0)
      return pipFailure(words('venv_cmd_hex'), out, err)
    if (refusal !== undefined) return { failed: true, changed: false, msg: refusal }
    const pip = words('pip_hex')

    if (nothing) {
      ctx.warn('No valid name or requirements file found.')
      return { changed: false }
    }
    if (ctx.check) {
      if (checkDecidedEarly) return { changed: true }
      const listCmd = [
        ...pip,
        ...(answer.get('list_freeze') !== undefined ? ['freeze'] : ['list', '--format=freeze'])
      ]
      out += text('list_out_hex')
      err += text('list_err_hex')
      if (answer.int('list_rc') !== 0)
        return pipFailure(listCmd, text('list_out_hex'), text('list_err_hex'))
      const installed = out
        .split('\n')
        .filter(
          (line) =>
            line && !line.startsWith('You are using') && !line.startsWith('You should consider')
        )
      const changed = packages.some((p) => {
        const present = installed.some((line) => {
          if (!line.includes('==')) return false
          const [pkgName, pkgVersion] = line.split('==')
          return (
            p.canonical !== undefined &&
            canonicalName(pkgName!) === p.canonical &&
            satisfies(pkgVersion ?? '', p.specs)
          )
        })
        return (state === 'present' && !present) || (state === 'absent' && present)
      })
      return withOutput({ changed, cmd: listCmd.join(' ') }, out, err)
    }

    const cmd = [...pip, ...pipArgs]
    if (freeze && answer.int('before_list_rc') !== 0)
      return pipFailure(
        [
          ...pip,
          ...(answer.get('before_list_freeze') !== undefined
            ? ['freeze']
            : ['list', '--format=freeze'])
        ],
        text('before_list_out_hex'),
        text('before_list_err_hex')
      )
    const rc = answer.int('rc')
    if (rc === undefined) throw new ModuleArgumentError(`pip: no answer from pip on ${ctx.host}`)
    const pipOut = text('out_hex')
    const pipErr = text('err_hex')
    out += pipOut
    err += pipErr
    const notInstalled = pipOut.includes('not installed') || pipErr.includes('not installed')
    if (rc !== 0 && !(rc === 1 && state === 'absent' && notInstalled))
      return pipFailure(cmd, out, err)
    let changed: boolean
    if (state === 'absent') changed = pipOut.includes('Successfully uninstalled')
    else if (!freeze) changed = pipOut.includes('Successfully installed')
    else changed = text('before_list_out_hex') !== text('after_list_out_hex')
    return withOutput(
      {
        changed: changed || venvCreated,
        cmd,
        name: names,
        version: version ?? null,
        state,
        requirements: requirements ?? null,
        virtualenv: venv
      },
      out,
      err
    )
  }
}

/** The result of a script that stopped before running pip (nothing found to run), if it did. */
function setupFailure(
  ctx: ModuleContext,
  answer: ProbeAnswer,
  text: (key: string) => string,
  words: (key: string) => string[],
  venvTool: string,
  venv: string | null
): ModuleResult | undefined {
  const fail = (msg: string): ModuleResult => ({ failed: true, changed: false, msg })
  switch (answer.get('fail')) {
    case undefined:
      return undefined
    case 'no_chdir':
      return fail(`pip: the chdir directory ${text('chdir_hex')} does not exist on ${ctx.host}`)
    case 'no_tool':
      return fail(
        `Failed to find required executable "${text('venv_tool_hex') || venvTool}" in paths: ${text('path_hex')}`
      )
    case 'help_failed':
      return fail(`Could not get output from ${text('help_cmd_hex')}: ${text('detail_hex')}`)
    case 'venv_python':
      return fail(
        'virtualenv_python should not be used when using the venv module or pyvenv as virtualenv_command'
      )
    case 'no_python': {
      const named = pythonInterpreter(ctx.vars)
      const where = named
        ? `its ansible_python_interpreter ${named} is not there`
        : 'no python3 or python was found on its PATH'
      return fail(
        `pip needs Python on the target, and ${ctx.host} has none: ${where}. Install python3 and` +
          ' python3-pip there (python3-venv for virtualenv_command: python3 -m venv), or name a pip' +
          ' with `executable`.'
      )
    }
    case 'no_pip_in_venv':
      return fail(
        `Unable to find pip in the virtualenv, ${venv ?? ''}, under any of these names: pip3, pip. Make sure pip is present in the virtualenv.`
      )
    case 'no_pip':
      return fail(
        `Unable to find any of ${words('names_hex').join(', ') || 'pip3'} to use.  pip needs to be installed.`
      )
    default:
      throw new ModuleArgumentError(
        `pip: unexpected answer from ${ctx.host}: ${answer.get('fail')}`
      )
  }
}

/** Ansible's failure for a command pip or the virtualenv tool refused: its output in `msg`. */
function pipFailure(cmd: string[], out: string, err: string): ModuleResult {
  let msg = ''
  if (out) msg += `stdout: ${out}`
  if (err) msg += `\n:stderr: ${err}`
  return { failed: true, changed: false, cmd, msg }
}

function withOutput(result: ModuleResult, out: string, err: string): ModuleResult {
  return {
    ...result,
    stdout: out,
    stderr: err,
    stdout_lines: splitLines(out),
    stderr_lines: splitLines(err)
  }
}

function optional(value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : String(value)
}

/** The host's ansible_python_interpreter when it names one ("" to look for python3 there). */
function pythonInterpreter(vars: Record<string, unknown>): string {
  const value = vars['ansible_python_interpreter']
  if (typeof value !== 'string' || value === '' || value.startsWith('auto')) return ''
  return value
}

async function runPipScript(ctx: ModuleContext, mode: Mode, args: string[]): Promise<ProbeAnswer> {
  return SCRIPT.run(await ctx.connection(), [mode, ...args], {
    timeoutMs: ctx.timeoutMs,
    environment: ctx.environment
  })
}
