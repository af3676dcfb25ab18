import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { shellQuote } from '../connection/shell-quote.js'
import { fromHex } from '../facts/probe.js'
import { factsFor, type ExistingPath, type PathState, type TargetFacts } from '../facts/index.js'
import {
  FileFailure,
  existsFollowing,
  isDirFollowing,
  octalText,
  osErrorText,
  pathInfo,
  reportedChange,
  runActs,
  stateOf,
  timeSpec,
  walkList,
  wantedMode,
  type ActOp,
  type PrevState,
  type TimeSpec
} from './file-support.js'
import expandArgsScript from './expand-args.sh'
import type { ModuleContext, ModuleDefinition, ModuleResult } from './module.js'

const STATES = ['absent', 'directory', 'file', 'hard', 'link', 'touch'] as const
type State = (typeof STATES)[number]

/** SELinux and attribute options: Ansible's file common arguments that we do not apply yet. */
const NOT_YET = 'use a command task (chcon, chattr) for it'

/**
 * `file`: a path's state (file, directory, link, hard, touch, absent) and its owner, group, mode and
 * timestamps, as Ansible's file module decides them. One round trip reads the state (the path fact,
 * with the link source and the owner/group names read alongside), a second makes every change and
 * reads the result path again (file-act.sh); nothing is run when nothing differs.
 */
export const fileModule: ModuleDefinition = {
  name: 'file',
  supportsCheckMode: true,
  args: {
    options: {
      path: { type: 'path', required: true, aliases: ['dest', 'name'] },
      state: { choices: STATES },
      recurse: { type: 'bool', default: false },
      force: { type: 'bool', default: false },
      follow: { type: 'bool', default: true },
      src: { type: 'path' },
      mode: { type: 'raw' },
      owner: { type: 'str' },
      group: { type: 'str' },
      modification_time: { type: 'str' },
      modification_time_format: { type: 'str', default: '%Y%m%d%H%M.%S' },
      access_time: { type: 'str' },
      access_time_format: { type: 'str', default: '%Y%m%d%H%M.%S' },
      attributes: { type: 'str', aliases: ['attr'], notImplemented: NOT_YET },
      seuser: { type: 'str', notImplemented: NOT_YET },
      serole: { type: 'str', notImplemented: NOT_YET },
      setype: { type: 'str', notImplemented: NOT_YET },
      selevel: { type: 'str', notImplemented: NOT_YET },
      unsafe_writes: { type: 'bool', default: false },
      _original_basename: { type: 'str' },
      _diff_peek: { type: 'bool', notImplemented: 'it is internal to Ansible' }
    }
  },
  async run(ctx) {
    try {
      return await new FileTask(ctx).run()
    } catch (error) {
      if (error instanceof FileFailure) return { changed: false, failed: true, ...error.result }
      throw error
    }
  }
}

type Diff = { before: Record<string, unknown>; after: Record<string, unknown> }

/** A uid or gid wanted: a number, or a name with what the target says of it. */
interface Account {
  spec: string
  id?: number
  /** A numeric id that no account has (looked up in check mode only, for Ansible's warning). */
  unknownId?: boolean
}

class FileTask {
  private readonly facts: TargetFacts
  private readonly args: Record<string, unknown>
  private readonly ops: ActOp[] = []
  private owner?: Account
  private group?: Account
  private readonly warnings: string[] = []

  constructor(private readonly ctx: ModuleContext) {
    this.facts = factsFor(ctx)
    this.args = ctx.args
  }

  private get follow(): boolean {
    return this.args['follow'] === true
  }

  private string(name: string): string | undefined {
    const value = this.args[name]
    return value === undefined || value === null || value === '' ? undefined : String(value)
  }

  async run(): Promise<ModuleResult> {
    let state = this.string('state') as State | undefined
    const [expandedPath, src] = await this.expand([this.string('path')!, this.string('src')])
    let target = expandedPath!
    const recurse = this.args['recurse'] === true
    const ownerSpec = this.string('owner')
    const groupSpec = this.string('group')
    const linkSrc = src === undefined ? undefined : path.posix.join(path.posix.dirname(target), src)
    // One round trip: the path, the link source, and the accounts asked for.
    const [first, srcNear, srcFollowed, owner, group] = await Promise.all([
      this.facts.path(target),
      linkSrc === undefined || state === 'hard'
        ? undefined
        : this.facts.path(src!.startsWith('/') ? src! : linkSrc),
      src === undefined || state === 'link' ? undefined : this.facts.path(src, { follow: true }),
      ownerSpec === undefined ? undefined : this.account('user', ownerSpec),
      groupSpec === undefined ? undefined : this.account('group', groupSpec)
    ])
    this.owner = owner
    this.group = group
    let st = first
    if (state !== 'link' && state !== 'absent' && isDirFollowing(st)) {
      const basename = this.string('_original_basename') ?? (src && path.posix.basename(src))
      if (basename) {
        target = path.posix.join(target, basename)
        st = await this.facts.path(target)
      }
    }
    const prev = stateOf(st)
    if (state === undefined) state = prev !== 'absent' ? prev : recurse ? 'directory' : 'file'
    if (recurse && state !== 'directory')
      this.fail({ msg: "recurse option requires state to be 'directory'", path: target }, st)
    if (src !== undefined && state !== 'link' && state !== 'hard')
      this.fail({ msg: "src option requires state to be 'link' or 'hard'", path: target }, st)
    if (this.ctx.check && state !== 'absent') this.warnMissingAccounts()

    let result: ModuleResult
    switch (state) {
      case 'absent':
        result = await this.absent(target, st)
        break
      case 'file':
        result = await this.file(target, st)
        break
      case 'directory':
        result = await this.directory(target, st, recurse)
        break
      case 'touch':
        result = await this.touch(target, st)
        break
      case 'link':
        result = await this.link(target, st, src, srcNear)
        break
      case 'hard':
        result = await this.hard(target, st, src, srcFollowed)
        break
    }
    if (this.warnings.length > 0) result['warnings'] = this.warnings
    return result
  }

  /**
   * `path` and `src` with `$VAR` and a leading `~` expanded on the target, as Ansible's path arguments
   * are (a round trip only when one holds either).
   */
  private async expand(values: Array<string | undefined>): Promise<Array<string | undefined>> {
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
  private async account(kind: 'user' | 'group', spec: string): Promise<Account> {
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

  private warnMissingAccounts(): void {
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
  private fail(result: ModuleResult, st?: PathState): never {
    throw new FileFailure({ ...result, ...pathInfo(st) })
  }

  private times(state: State): { atime: TimeSpec; mtime: TimeSpec } {
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
  private async followed(target: string, st: PathState): Promise<[string, PathState]> {
    if (!this.follow || !st.exists || st.type !== 'link') return [target, st]
    const real = st.linkSource ?? target
    return [real, await this.facts.path(real)]
  }

  private async absent(target: string, st: PathState): Promise<ModuleResult> {
    const prev = stateOf(st)
    if (prev === 'absent') return { path: target, changed: false, state: 'absent' }
    const diff = initialDiff(target, 'absent', prev)
    const list = prev === 'directory'
    if (list || !this.ctx.check) {
      const outcome = await runActs(
        await this.facts.connection(),
        [['rm', target, list ? '1' : '0', this.ctx.check ? '1' : '0']],
        undefined,
        this.ctx.timeoutMs
      )
      if (outcome.failure) {
        const message = osErrorText(outcome.failure.message, target)
        this.fail(
          prev === 'directory'
            ? { msg: `rmtree failed: ${message}` }
            : { msg: `unlinking failed: ${message} `, path: target },
          st
        )
      }
      if (list) diff.before['path_content'] = walkList(target, outcome.answer.all('entry'))
    }
    // In check mode the path is still there, and described as Ansible describes it.
    return {
      path: target,
      changed: true,
      diff,
      state: 'absent',
      ...(this.ctx.check ? pathInfo(st) : {})
    }
  }

  private async file(given: string, first: PathState): Promise<ModuleResult> {
    const times = this.times('file')
    let [target, st] = [given, first]
    if (stateOf(st) !== 'file') [target, st] = await this.followed(given, first)
    const prev = stateOf(st)
    if (prev !== 'file' && prev !== 'hard')
      this.fail(
        { msg: `file (${target}) is ${prev}, cannot continue`, path: target, state: prev },
        st
      )
    const diff = initialDiff(target, 'file', prev)
    const changed = this.attributes(target, st as ExistingPath, diff, times)
    return this.finish({ path: target }, target, changed, diff, st)
  }

  private async directory(
    given: string,
    first: PathState,
    recurse: boolean
  ): Promise<ModuleResult> {
    const times = this.times('directory')
    const [target, st] = await this.followed(given, first)
    const prev = stateOf(st)
    const diff = initialDiff(target, 'directory', prev)
    if (prev === 'absent') {
      if (this.ctx.check) return { path: target, changed: true, diff }
      // Each missing directory on the way is created with the attributes asked for, as Ansible does.
      const parts = target.replace(/^\/+|\/+$/g, '').split('/')
      let current = ''
      for (const part of parts) {
        current = target.startsWith('/')
          ? `${current}/${part}`
          : current
            ? `${current}/${part}`
            : part
        this.ops.push(['mkdir', current])
        const fresh = { path: current, exists: false as const, umask: st.umask }
        this.attributes(current, fresh, diff, { atime: 'preserve', mtime: 'preserve' }, 'directory')
      }
      this.timeOps(target, times)
      return this.finish({ path: target }, target, true, diff, st, (failure) => ({
        msg: `There was an issue creating ${failure.where} as requested: ${failure.text}`,
        path: target
      }))
    }
    if (prev !== 'directory')
      this.fail({ msg: `${target} already exists as a ${prev}`, path: target }, st)
    let changed = this.attributes(target, st as ExistingPath, diff, times)
    if (recurse) {
      const mode = this.args['mode']
      this.ops.push([
        'recurse',
        target,
        this.follow ? '1' : '0',
        this.owner?.spec ?? '',
        this.group?.spec ?? '',
        recurseMode(mode),
        this.ctx.check ? '1' : '0'
      ])
      // Whether anything below differs is only known on the target.
      changed = true
    }
    return this.finish({ path: target }, target, changed, diff, st)
  }

  private async touch(given: string, first: PathState): Promise<ModuleResult> {
    const times = this.times('touch')
    const prev = stateOf(first)
    if (prev === 'absent') {
      if (this.ctx.check) return { dest: given, changed: true }
      this.ops.push(['create', given])
    }
    const diff = initialDiff(given, 'touch', prev)
    const [target, st] = await this.followed(given, first)
    const fresh = prev === 'absent'
    const changed = this.attributes(
      target,
      fresh ? { path: target, exists: false, umask: first.umask } : st,
      diff,
      times,
      fresh ? 'file' : undefined
    )
    return this.finish({ dest: given }, given, changed || fresh, diff, first, (failure) =>
      failure.op === 'create'
        ? { msg: `Error, could not touch target: ${failure.text}`, path: given }
        : undefined
    )
  }

  private async link(
    target: string,
    st: PathState,
    given: string | undefined,
    near: PathState | undefined
  ): Promise<ModuleResult> {
    const times = this.times('link')
    let src = given
    if (src === undefined && this.follow && existsFollowing(st) && st.linkTarget !== undefined)
      src = st.linkTarget
    const prev = stateOf(st)
    const base = prev !== 'link' && isDirFollowing(st) ? target : path.posix.dirname(target)
    const absrc =
      src === undefined ? undefined : src.startsWith('/') ? src : path.posix.join(base, src)
    // The source as read in the first round trip, unless the path turned out a directory.
    let srcState = near
    if (absrc !== undefined && (srcState === undefined || srcState.path !== absrc))
      srcState = await this.facts.path(absrc)
    const force = this.args['force'] === true
    if (!force && given !== undefined && srcState !== undefined && !existsFollowing(srcState))
      this.fail(
        {
          msg: `src file does not exist, use "force=yes" if you really want to create the link: ${absrc}`,
          path: target,
          src: given
        },
        st
      )
    if (prev === 'directory' && force && this.ctx.check) {
      // What a real run learns from rmdir, check mode reads: is anything in it?
      const listed = await runActs(
        await this.facts.connection(),
        [['rm', target, '1', '1']],
        undefined,
        this.ctx.timeoutMs
      )
      if (listed.answer.all('entry').length > 0)
        this.fail(
          { msg: `the directory ${target} is not empty, refusing to convert it`, path: target },
          st
        )
    }
    if (prev === 'directory' && !force)
      this.fail(
        { msg: `refusing to convert from directory to symlink for ${target}`, path: target },
        st
      )
    if ((prev === 'file' || prev === 'hard') && !force)
      this.fail(
        { msg: `refusing to convert from ${prev} to symlink for ${target}`, path: target },
        st
      )
    const diff = initialDiff(target, 'link', prev)
    let changed = false
    if (prev !== 'link') {
      if (src === undefined) this.fail({ msg: 'src is required for creating new symlinks' })
      changed = true
    } else if (src !== undefined && st.exists && st.linkTarget !== src) {
      diff.before['src'] = st.linkTarget
      diff.after['src'] = src
      changed = true
    }
    if (changed) this.ops.push(['symlink', src!, target, prev === 'absent' ? '0' : '1', tempName()])
    if (this.ctx.check && !existsFollowing(st))
      return { dest: target, src: src ?? null, changed, diff }
    // What the attributes apply to: the link's far end when following, else the link itself.
    const farEnd =
      srcState !== undefined && changed && !this.ctx.check
        ? srcState
        : this.wantsAttributes(times)
          ? (await this.followed(target, st))[1]
          : st
    if (this.follow && !existsFollowing(farEnd)) {
      this.warnings.push(
        'Cannot set fs attributes on a non-existent symlink target. follow should be set to False to avoid this.'
      )
    } else if (this.follow) {
      changed = this.attributes(farEnd.path, farEnd, diff, times) || changed
    } else {
      changed = this.linkAttributes(target, st, diff, changed) || changed
    }
    return this.finish({ dest: target, src: src ?? null }, target, changed, diff, st, (failure) =>
      failure.op === 'symlink'
        ? {
            msg: /not empty/i.test(failure.message)
              ? `the directory ${target} is not empty, refusing to convert it`
              : `Error while ${prev === 'absent' ? 'linking' : 'replacing'}: ${failure.text}`,
            path: target
          }
        : undefined
    )
  }

  private async hard(
    target: string,
    st: PathState,
    src: string | undefined,
    read: PathState | undefined
  ): Promise<ModuleResult> {
    const prev = stateOf(st)
    if (prev !== 'hard' && src === undefined)
      this.fail({ msg: 'src is required for creating new hardlinks' })
    const srcState =
      src === undefined ? undefined : (read ?? (await this.facts.path(src, { follow: true })))
    const times = this.times('hard')
    if (srcState !== undefined && !srcState.exists)
      this.fail({ msg: 'src does not exist', dest: target, src: src! }, st)
    const force = this.args['force'] === true
    const diff = initialDiff(target, 'hard', prev)
    let changed = false
    const srcInode = srcState?.exists ? srcState.inode : undefined
    const sameInode = st.exists && st.inode === srcInode
    if (prev === 'absent') changed = true
    else if (prev === 'link') {
      if (st.exists && st.linkTarget !== src) {
        diff.before['src'] = st.linkTarget
        diff.after['src'] = src
        changed = true
      }
    } else if (prev === 'hard') {
      if (src !== undefined && !sameInode) {
        changed = true
        if (!force)
          this.fail(
            { msg: 'Cannot link, different hard link exists at destination', dest: target, src },
            st
          )
      }
    } else if (prev === 'file') {
      changed = true
      if (!force)
        this.fail({ msg: 'Cannot link, file exists at destination', dest: target, src: src! }, st)
    } else if (prev === 'directory') {
      if (sameInode) return { path: target, changed: false, ...pathInfo(st) }
      if (!force)
        this.fail(
          {
            msg: 'Cannot link: different hard link exists at destination',
            dest: target,
            src: src!
          },
          st
        )
      changed = true
    }
    if (changed)
      this.ops.push(['hardlink', src!, target, prev === 'absent' ? '0' : '1', tempName()])
    if (this.ctx.check && !existsFollowing(st))
      return { dest: target, src: src ?? null, changed, diff }
    // After linking, the path is src's file: its attributes are the ones compared.
    const [attrPath, current] =
      changed && srcState?.exists ? [target, srcState] : await this.followed(target, st)
    changed = this.attributes(attrPath, current, diff, times) || changed
    return this.finish({ dest: target, src: src ?? null }, target, changed, diff, st, (failure) =>
      failure.op === 'hardlink'
        ? {
            msg: `Error while ${prev === 'absent' ? 'linking' : 'replacing'}: ${failure.text}`,
            path: target
          }
        : undefined
    )
  }

  /**
   * Plans owner, group, mode and timestamps for `target` whose state is `st` (for a path created in
   * this run: the umask it is created under, with `fresh`). Returns whether something differs; the
   * operations go to the act list, the differences to `diff`.
   */
  private attributes(
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
  private linkAttributes(target: string, st: PathState, diff: Diff, created: boolean): boolean {
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
  private wantsAttributes(times: { atime: TimeSpec; mtime: TimeSpec }): boolean {
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
  private timeOps(target: string, times: { atime: TimeSpec; mtime: TimeSpec }): boolean {
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
  private async finish(
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

/** The operation each failure of file-act.sh comes from. */
const FAILED_OP: Readonly<Record<string, string>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, string>, {
    replace: 'link',
    link: 'link',
    'owner-lookup': 'owner',
    chown: 'owner',
    'group-lookup': 'group',
    chgrp: 'group',
    chmod: 'mode'
  })
)

/** `[failure key]` → Ansible's message for a failed attribute change. */
function actFailure(what: string, message: string, where: string, text: string): ModuleResult {
  switch (what) {
    case 'owner-lookup':
      return { msg: `chown failed: failed to look up user ${message}`, path: where }
    case 'group-lookup':
      return { msg: `chgrp failed: failed to look up group ${message}`, path: where }
    case 'chown':
      return { msg: `chown failed: ${text}`, path: where }
    case 'chgrp':
      return { msg: 'chgrp failed', path: where }
    case 'chmod':
      return { msg: 'chmod failed', details: text, path: where }
    case 'times':
      return { msg: `Error while updating modification or access time: ${text}`, path: where }
    default:
      return { msg: `${what} failed: ${text}`, path: where }
  }
}

/** Seconds since the epoch from file-act.sh's `SECONDS TEXT` (the fraction read from the text). */
function epochOf(reported: string): number {
  const [seconds, ...rest] = reported.split(' ')
  const text = rest.join(' ')
  const float = /^(-?\d+)\.(\d+)$/.exec(text)
  const fraction = float ? float[2]! : (/:\d\d\.(\d+)/.exec(text)?.[1] ?? '')
  const nanoseconds = fraction === '' ? 0 : Number(fraction.slice(0, 9).padEnd(9, '0'))
  return Number(seconds) + nanoseconds * 1e-9
}

/** The mode for chmod below a directory: octal (its permission bits, as chmod takes them) or symbolic. */
function recurseMode(mode: unknown): string {
  if (mode === undefined || mode === null) return ''
  const octal = typeof mode === 'number' ? mode : /^\s*(?:0[oO])?([0-7]+)\s*$/.exec(String(mode))
  if (octal === null) return String(mode)
  const value = typeof octal === 'number' ? octal : parseInt(octal[1]!, 8)
  return (value & 0o7777).toString(8)
}

/** A name for the link made beside the path it replaces: 64 random bits, so nobody can plant it first. */
function tempName(): string {
  return `.apb-file.${randomBytes(8).toString('hex')}.tmp`
}

function setDiff(diff: Diff, key: string, before: unknown, after: unknown): void {
  diff.before[key] = before
  diff.after[key] = after
}

/** Ansible's first diff: the path on both sides, and the states when they differ. */
function initialDiff(target: string, state: State, prev: PrevState): Diff {
  const diff: Diff = { before: { path: target }, after: { path: target } }
  if (prev !== state) {
    diff.before['state'] = prev
    diff.after['state'] = state
  }
  return diff
}
