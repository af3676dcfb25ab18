import { pythonShellJoin } from '../connection/shell-quote.js'
import { ProbeAnswer } from '../facts/probe.js'
import { pyStringRepr } from '../template/python.js'
import { splitLines } from './command-runner.js'
import script from './git.sh'
import type { ModuleContext, ModuleDefinition } from './module.js'
import type { ModuleResult } from './module.js'
import { ModuleScript } from './module-script.js'

/**
 * `git`: brings a checkout on the target to the version asked with the target's own git, deciding as
 * Ansible's git module does: clone when `dest` holds no repository (or, with `clone: false` or in check
 * mode, only ask the remote with ls-remote), keep an existing checkout as it is with `update: false`,
 * otherwise refuse local modifications unless `force` (which resets them), point the remote at `repo`,
 * fetch, switch to `version` (a branch, a tag, a commit id or HEAD) and update submodules; `before` and
 * `after` are the commit ids, `changed` is true when the commit, the remote URL, the submodules or the
 * working tree changed. All of it runs in one POSIX sh script (git.sh): one round trip.
 * `verify_commit`/`gpg_whitelist` are refused: GPG verification is not done.
 */
export const gitModule: ModuleDefinition = {
  name: 'git',
  supportsCheckMode: true,
  args: {
    options: {
      dest: { type: 'path' },
      repo: { type: 'str', required: true, aliases: ['name'] },
      version: { type: 'str', default: 'HEAD' },
      remote: { type: 'str', default: 'origin' },
      refspec: { type: 'str' },
      reference: { type: 'str' },
      force: { type: 'bool', default: false },
      depth: { type: 'int' },
      clone: { type: 'bool', default: true },
      update: { type: 'bool', default: true },
      verify_commit: {
        type: 'bool',
        default: false,
        notImplemented:
          'GPG signatures are not verified; run `git verify-commit` in a command task after the checkout'
      },
      gpg_whitelist: {
        type: 'list',
        elements: 'str',
        default: [],
        notImplemented:
          'GPG signatures are not verified; run `git verify-commit --raw` in a command task after the checkout'
      },
      accept_hostkey: { type: 'bool', default: false },
      accept_newhostkey: { type: 'bool', default: false },
      key_file: { type: 'path' },
      ssh_opts: { type: 'str' },
      executable: { type: 'path' },
      bare: { type: 'bool', default: false },
      recursive: { type: 'bool', default: true },
      single_branch: { type: 'bool', default: false },
      track_submodules: { type: 'bool', default: false },
      umask: { type: 'raw' },
      archive: { type: 'path' },
      archive_prefix: { type: 'str' },
      separate_git_dir: { type: 'path' }
    },
    mutuallyExclusive: [
      ['separate_git_dir', 'bare'],
      ['accept_hostkey', 'accept_newhostkey']
    ],
    requiredBy: { archive_prefix: ['archive'] }
  },
  async run(ctx) {
    const args = ctx.args
    const text = (name: string): string => {
      const value = args[name]
      return value === undefined || value === null ? '' : String(value)
    }
    const flag = (name: string): string => (args[name] === true ? '1' : '0')
    const umask = umaskArg(args['umask'])
    if (typeof umask === 'object') return { changed: false, failed: true, ...umask }
    const depth = args['depth'] as number | null | undefined
    const argv = [
      text('executable'),
      text('repo'),
      text('dest'),
      text('version'),
      text('remote'),
      text('refspec'),
      flag('force'),
      // Ansible ignores a depth of 0, as it ignores none.
      depth === null || depth === undefined || depth === 0 ? '' : String(depth),
      flag('clone'),
      flag('update'),
      flag('bare'),
      flag('recursive'),
      flag('track_submodules'),
      flag('single_branch'),
      text('separate_git_dir'),
      umask,
      ctx.check ? '1' : '0',
      ctx.diff ? '1' : '0',
      args['ssh_opts'] === undefined || args['ssh_opts'] === null ? '0' : '1',
      text('ssh_opts'),
      flag('accept_hostkey'),
      flag('accept_newhostkey'),
      text('key_file'),
      text('reference'),
      text('archive'),
      args['archive_prefix'] === undefined || args['archive_prefix'] === null ? '0' : '1',
      text('archive_prefix'),
      text('repo')
    ]
    return resultOf(await runGitScript(ctx, argv))
  }
}

const SCRIPT = new ModuleScript('apb-git', script, 'git')

async function runGitScript(ctx: ModuleContext, argv: string[]): Promise<ProbeAnswer> {
  return SCRIPT.run(await ctx.connection(), argv, {
    timeoutMs: ctx.timeoutMs,
    environment: ctx.environment
  })
}

/** Ansible's umask: a string holding an octal number (Python's int(text, 8)); '' for none. */
function umaskArg(value: unknown): string | { msg: string; details?: string } {
  if (value === undefined || value === null) return ''
  if (typeof value !== 'string') return { msg: 'umask must be defined as a quoted octal integer' }
  const match = /^\s*([+-]?)(?:0[oO]_?)?([0-7](?:_?[0-7])*)\s*$/.exec(value)
  if (!match || match[1] === '-') {
    return {
      msg: 'umask must be an octal integer',
      details: `invalid literal for int() with base 8: ${pyStringRepr(value)}`
    }
  }
  const mask = parseInt(match[2]!.replace(/_/g, ''), 8)
  return (mask & 0o7777).toString(8).padStart(4, '0')
}

/**
 * A password written into a URL (`https://user:secret@host/…`) shown as `********`, as Ansible's
 * heuristic_log_sanitize shows it in a failed command and its message.
 */
function sanitize(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:)[^\s/@]+@/gi, '$1********@')
}

function textOf(answer: ProbeAnswer, key: string): string | undefined {
  return answer.bytes(key)?.toString('utf8')
}

function resultOf(answer: ProbeAnswer): ModuleResult {
  const warnings = answer.all('warn_hex').map((hex) => Buffer.from(hex, 'hex').toString('utf8'))
  const withWarnings = (result: ModuleResult): ModuleResult =>
    warnings.length > 0 ? { ...result, warnings } : result
  if (answer.get('missing_tool') !== undefined) {
    return {
      changed: false,
      failed: true,
      msg: `Failed to find required executable "git" in paths: ${textOf(answer, 'path_hex') ?? ''}`
    }
  }
  const failure = textOf(answer, 'fail_hex')
  const cmdKind = answer.get('cmd')
  if (failure !== undefined || cmdKind !== undefined) {
    const result: ModuleResult = { changed: false, failed: true }
    const stdout = textOf(answer, 'out_hex')
    const stderr = textOf(answer, 'err_hex')
    result['msg'] = failure ?? sanitize((stderr ?? '').trimEnd())
    const rc = answer.int('rc')
    if (rc !== undefined) result['rc'] = rc
    if (stdout !== undefined) Object.assign(result, { stdout, stdout_lines: splitLines(stdout) })
    if (stderr !== undefined) Object.assign(result, { stderr, stderr_lines: splitLines(stderr) })
    const words = answer
      .all('arg_hex')
      .map((hex) => sanitize(Buffer.from(hex, 'hex').toString('utf8')))
    if (cmdKind === 'string') result['cmd'] = pythonShellJoin(words)
    else if (cmdKind === 'raw') result['cmd'] = words.join(' ')
    else if (cmdKind === 'list') result['cmd'] = words
    const details = textOf(answer, 'details_hex')
    if (details !== undefined) result['details'] = details
    if (answer.get('with_result') === '1') {
      result['before'] = commitOf(answer.get('before'))
    }
    return withWarnings(result)
  }
  const result: ModuleResult = {
    changed: answer.get('changed') === '1',
    before: commitOf(answer.get('before')),
    after: commitOf(answer.get('after'))
  }
  const urlChanged = answer.get('remote_url_changed')
  if (urlChanged !== undefined) result['remote_url_changed'] = urlChanged === 'true'
  const msg = textOf(answer, 'msg_hex')
  if (msg !== undefined) result['msg'] = msg
  const dirBefore = textOf(answer, 'git_dir_before_hex')
  if (dirBefore !== undefined) {
    result['git_dir_before'] = dirBefore
    result['git_dir_now'] = textOf(answer, 'git_dir_now_hex') ?? ''
  }
  if (answer.get('submodules_changed') === '1') result['submodules_changed'] = true
  const diff = textOf(answer, 'diff_hex')
  if (diff !== undefined) result['diff'] = { prepared: diff }
  return withWarnings(result)
}

function commitOf(value: string | undefined): string | null {
  return value === undefined || value === 'null' ? null : value
}
