// FileTask: what every state family of the `file` module shares (accounts, attributes, acting).
import { shellQuote } from '../connection/shell-quote.js'
import { fromHex } from '../facts/probe.js'
import { factsFor, type PathState, type TargetFacts } from '../facts/index.js'
import {
  FAILED_OP,
  FileFailure,
  actFailure,
  epochOf,
  octalText,
  osErrorText,
  pathInfo,
  reportedChange,
  runActs,
  timeSpec,
  wantedMode,
  type ActOp,
  type PrevState,
  type State,
  type TimeSpec
} from './file-support.js'
import expandArgsScript from './expand-args.sh'
import type { ModuleContext, ModuleResult } from './module.js'

type Diff = { before: Record<string, unknown>; after: Record<string, unknown> }

/** A uid or gid wanted: a number, or a name with what the target says of it. */
interface Account {
  spec: string
  id?: number
  /** A numeric id that no account has (looked up in check mode only, for Ansible's warning). */
  unknownId?: boolean
}

export class FileTask {
  readonly facts: TargetFacts
  readonly args: Record<string, unknown>
  readonly ops: ActOp[] = []
  owner?: Account
  group?: Account
  readonly warnings: string[] = []

  constructor(readonly ctx: ModuleContext) {
    this.facts = factsFor(ctx)
    this.args = ctx.args
  }

  get follow(): boolean {
    return this.args['follow'] === true
  }

  string(name: string): string | undefined {
    const value = this.args[name]
    return value === undefined || value === null || value === '' ? undefined : String(value)
  }

  /**
   * `path` and `src` with `$VAR` and a leading `~` expanded on the target, as Ansible's path arguments
   * are (a round trip only when one holds either).
   */
  async expand(values: Array<string | undefined>): Promise<Array<string | undefined>> {
    const needs = (value: string | undefined): value is string =>
      value !== undefined && (value.includes('$') || value.startsWith('~'))
    if (!values.some(needs)) return values
    const connection = await this.facts.connection()
    const lines = [expandArgsScript]
    for (const value of values.filter(needs))
      lines.push(`apb_expand ${shellQuote(value)} | od -An -v -tx1 | tr -d ' \\n'; echo`)
    const result = await connection.run(lines.join('\n'), { timeoutMs: this.ctx.timeoutMs })
    const answers = result.stdout.toString('utf8').split('\n')
    let next = 0
    return values.map((value) => {
      if (!needs(value)) return value
      const text = fromHex(answers[next++] ?? '').toString('utf8')
      return text.endsWith('x') ? text.slice(0, -1) : value
    })
  }

  /** A user or group as asked: numeric ids as they are, names looked up on the target. */
  async account(kind: 'user' | 'group', spec: string): Promise<Account> {
    if (/^\d+$/.test(spec)) {
      if (!this.ctx.check) return { spec, id: Number(spec) }
      // getent looks a number up as an id: check mode warns when no account has it.
      const found = await (kind === 'user' ? this.facts.user(spec) : this.facts.group(spec)).catch(
        () => undefined
      )
      return { spec, id: Number(spec), unknownId: found?.exists !== true }
    }
    try {
      const found = kind === 'user' ? await this.facts.user(spec) : await this.facts.group(spec)
      if (!found.exists) return { spec }
      return { spec, id: kind === 'user' ? (found as { uid: number }).uid : found.gid }
    } catch {
      // Not a name an account can have: no account has it.
      return { spec }
    }
  }

  warnMissingAccounts(): void {
    if (this.owner?.unknownId)
      this.warnings.push(
        `failed to look up user with uid ${this.owner.spec}. Create user up to this point in real play`
      )
    if (this.group?.unknownId)
      this.warnings.push(
        `failed to look up group with gid ${this.group.spec}. Create group up to this point in real play`
      )
    if (this.owner && this.owner.id === undefined)
      this.warnings.push(
        `failed to look up user ${this.owner.spec}. Create user up to this point in real play`
      )
    if (this.group && this.group.id === undefined)
      this.warnings.push(
        `failed to look up group ${this.group.spec}. Create group up to this point in real play`
      )
  }

  /** Fails the task with Ansible's result: `path` (or `dest`) described as Ansible adds it. */
  fail(result: ModuleResult, st?: PathState): never {
    throw new FileFailure({ ...result, ...pathInfo(st) })
  }

  times(state: State): { atime: TimeSpec; mtime: TimeSpec } {
    const read = (name: string, format: string): TimeSpec => {
      const value = this.string(name) ?? (state === 'touch' ? 'now' : 'preserve')
      return timeSpec(value, this.string(format)!)
    }
    return {
      mtime: read('modification_time', 'modification_time_format'),
      atime: read('access_time', 'access_time_format')
    }
  }

  /** The path a link leads to when following it (realpath), and its state. */
  async followed(target: string, st: PathState): Promise<[string, PathState]> {
    if (!this.follow || !st.exists || st.type !== 'link') return [target, st]
    const real = st.linkSource ?? target
    return [real, await this.facts.path(real)]
  }

  /**
   * Plans owner, group, mode and timestamps for `target` whose state is `st` (for a path created in
   * this run: the umask it is created under, with `fresh`). Returns whether something differs; the
   * operations go to the act list, the differences to `diff`.
   */
  attributes(
    target: string,
    st: PathState,
    diff: Diff,
    times: { atime: TimeSpec; mtime: TimeSpec },
    fresh?: 'file' | 'directory'
  ): boolean {
    let changed = false
    if (this.owner) {
      if (this.owner.id === undefined && !(this.ctx.check && !st.exists))
        this.fail(
          { msg: `chown failed: failed to look up user ${this.owner.spec}`, path: target },
          st
        )
      if (!st.exists) this.ops.push(['owner', target, this.owner.spec])
      else if (st.uid !== this.owner.id) {
        setDiff(diff, 'owner', st.uid, this.owner.id)
        this.ops.push(['owner', target, this.owner.spec])
        changed = true
      }
    }
    if (this.group) {
      if (this.group.id === undefined && !(this.ctx.check && !st.exists))
        this.fail(
          { msg: `chgrp failed: failed to look up group ${this.group.spec}`, path: target },
          st
        )
      if (!st.exists) this.ops.push(['group', target, this.group.spec])
      else if (st.gid !== this.group.id) {
        setDiff(diff, 'group', st.gid, this.group.id)
        this.ops.push(['group', target, this.group.spec])
        changed = true
      }
    }
    const mode = this.args['mode']
    if (mode !== undefined && mode !== null && (st.exists || fresh || !this.ctx.check)) {
      const isDirectory = st.exists ? st.type === 'directory' : fresh === 'directory'
      const current = st.exists ? st.permissions : (isDirectory ? 0o777 : 0o666) & ~st.umask
      let wanted: number
      try {
        wanted = wantedMode(mode, current, st.umask, isDirectory)
      } catch (error) {
        this.fail(
          {
            msg: 'mode must be in octal or symbolic form',
            details: error instanceof Error ? error.message : String(error),
            path: target
          },
          st
        )
      }
      // Octal text or an int is taken as it is (chmod keeps the permission bits of it); what the
      // mode changes is what counts as a change, as Ansible compares the mode before and after.
      if (wanted !== current) {
        setDiff(diff, 'mode', octalText(current), octalText(wanted))
        if (this.ctx.check) changed = true
        else if ((wanted & 0o7777) !== current) {
          this.ops.push(['mode', target, (wanted & 0o7777).toString(8)])
          changed = true
        }
      }
    }
    return this.timeOps(target, times) || changed
  }

  /** Owner and group of a link itself (follow: false); its mode is always 0777 on Linux. */
  linkAttributes(target: string, st: PathState, diff: Diff, created: boolean): boolean {
    const linkState: PathState =
      created || !st.exists ? { exists: false, path: target, umask: st.umask } : st
    let changed = false
    const mode = this.args['mode']
    if (mode !== undefined && mode !== null) {
      const wanted = wantedMode(mode, 0o777, st.umask, false)
      // chmod cannot change a link's own mode: Ansible shows the difference, and no change (but
      // a change in check mode, where it does not try).
      if (wanted !== 0o777) {
        setDiff(diff, 'mode', '0777', octalText(wanted))
        if (this.ctx.check) changed = true
      }
    }
    const saved = this.args['mode']
    this.args['mode'] = undefined
    try {
      changed =
        this.attributes(target, linkState, diff, { atime: 'preserve', mtime: 'preserve' }) ||
        changed
    } finally {
      this.args['mode'] = saved
    }
    return changed
  }

  /** Whether owner, group, mode or a timestamp is asked for. */
  wantsAttributes(times: { atime: TimeSpec; mtime: TimeSpec }): boolean {
    const given = (name: string): boolean =>
      this.args[name] !== undefined && this.args[name] !== null
    return (
      given('owner') ||
      given('group') ||
      given('mode') ||
      times.atime !== 'preserve' ||
      times.mtime !== 'preserve'
    )
  }

  /** Timestamps: a `times` operation when one is asked for (whether it differs is read on the target). */
  timeOps(target: string, times: { atime: TimeSpec; mtime: TimeSpec }): boolean {
    if (times.atime === 'preserve' && times.mtime === 'preserve') return false
    const stamp = (spec: TimeSpec): string => (typeof spec === 'string' ? spec : spec.stamp)
    this.ops.push([
      'times',
      target,
      stamp(times.atime),
      stamp(times.mtime),
      this.ctx.check ? '1' : '0'
    ])
    // Unknown until the target compares: `finish` reads its answer.
    return false
  }

  /**
   * Runs the planned operations (unless nothing differs, or in check mode where only the dry ones
   * run), folds what the target reports into `changed` and `diff`, and adds the result path's fields.
   */
  async finish(
    base: ModuleResult,
    described: string,
    planned: boolean,
    diff: Diff,
    before: PathState,
    failureResult?: (failure: {
      op: string
      where: string
      text: string
      message: string
    }) => ModuleResult | undefined
  ): Promise<ModuleResult> {
    let changed = planned
    let after: PathState | undefined = before
    const decidesOnTarget = this.ops.some((op) => op[0] === 'times' || op[0] === 'recurse')
    const ops = this.ctx.check
      ? this.ops.filter((op) => op[0] === 'times' || op[0] === 'recurse')
      : this.ops
    if (!decidesOnTarget && !planned) {
      return { ...base, changed: false, diff, ...pathInfo(before) }
    }
    if (decidesOnTarget) changed = this.ops.some((op) => op[0] !== 'times' && op[0] !== 'recurse')
    if (ops.length > 0) {
      const outcome = await runActs(
        await this.facts.connection(),
        ops,
        this.ctx.check ? undefined : described,
        this.ctx.timeoutMs
      )
      const answer = outcome.answer
      if (outcome.failure) {
        const failure = outcome.failure
        const op = FAILED_OP[failure.what] ?? failure.what
        const linkOp = this.ops.find(
          (planned) => planned[0] === 'symlink' || planned[0] === 'hardlink'
        )
        const name = op === 'link' ? (linkOp?.[0] ?? 'symlink') : op
        const where = failure.at ?? described
        const text = osErrorText(failure.message, where)
        const custom = failureResult?.({ op: name, where, text, message: failure.message })
        this.fail(
          custom ?? actFailure(failure.what, failure.message, where, text),
          outcome.after ?? before
        )
      }
      if (!this.ctx.check) after = outcome.after
      const owner = reportedChange(answer.get('owner'))
      if (owner) setDiff(diff, 'owner', owner[0], owner[1])
      const group = reportedChange(answer.get('group'))
      if (group) setDiff(diff, 'group', group[0], group[1])
      // The mode's diff is known before acting (from the umask for what is created here).
      const mode = answer.get('mode')
      for (const which of ['mtime', 'atime'] as const) {
        const reported = answer.get(which)
        if (reported === undefined) continue
        const [was, wanted] = reported.split('|')
        setDiff(diff, which, epochOf(was!), wanted === 'now' ? Date.now() / 1000 : Number(wanted))
        changed = true
      }
      if (answer.get('recursed') === '1' || answer.get('created') === '1') changed = true
      if (owner || group || mode !== undefined) changed = true
    }
    return { ...base, changed, diff, ...pathInfo(after) }
  }
}

export function setDiff(diff: Diff, key: string, before: unknown, after: unknown): void {
  diff.before[key] = before
  diff.after[key] = after
}

/** Ansible's first diff: the path on both sides, and the states when they differ. */
export function initialDiff(target: string, state: State, prev: PrevState): Diff {
  const diff: Diff = { before: { path: target }, after: { path: target } }
  if (prev !== state) {
    diff.before['state'] = prev
    diff.after['state'] = state
  }
  return diff
}
