// The `file` module's state=link (symbolic links) and state=hard (hard links).
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import type { PathState } from '../facts/index.js'
import { existsFollowing, isDirFollowing, pathInfo, runActs, stateOf } from './file-support.js'
import { initialDiff, type FileTask } from './file-task.js'
import type { ModuleResult } from './module.js'

export async function linkState(
  task: FileTask,
  target: string,
  st: PathState,
  given: string | undefined,
  near: PathState | undefined
): Promise<ModuleResult> {
  const times = task.times('link')
  let src = given
  if (src === undefined && task.follow && existsFollowing(st) && st.linkTarget !== undefined)
    src = st.linkTarget
  const prev = stateOf(st)
  const base = prev !== 'link' && isDirFollowing(st) ? target : path.posix.dirname(target)
  const absrc =
    src === undefined ? undefined : src.startsWith('/') ? src : path.posix.join(base, src)
  // The source as read in the first round trip, unless the path turned out a directory.
  let srcState = near
  if (absrc !== undefined && (srcState === undefined || srcState.path !== absrc))
    srcState = await task.facts.path(absrc)
  const force = task.args['force'] === true
  if (!force && given !== undefined && srcState !== undefined && !existsFollowing(srcState))
    task.fail(
      {
        msg: `src file does not exist, use "force=yes" if you really want to create the link: ${absrc}`,
        path: target,
        src: given
      },
      st
    )
  if (prev === 'directory' && force && task.ctx.check) {
    // What a real run learns from rmdir, check mode reads: is anything in it?
    const listed = await runActs(
      await task.facts.connection(),
      [['rm', target, '1', '1']],
      undefined,
      task.ctx.timeoutMs
    )
    if (listed.answer.all('entry').length > 0)
      task.fail(
        { msg: `the directory ${target} is not empty, refusing to convert it`, path: target },
        st
      )
  }
  if (prev === 'directory' && !force)
    task.fail(
      { msg: `refusing to convert from directory to symlink for ${target}`, path: target },
      st
    )
  if ((prev === 'file' || prev === 'hard') && !force)
    task.fail(
      { msg: `refusing to convert from ${prev} to symlink for ${target}`, path: target },
      st
    )
  const diff = initialDiff(target, 'link', prev)
  let changed = false
  if (prev !== 'link') {
    if (src === undefined) task.fail({ msg: 'src is required for creating new symlinks' })
    changed = true
  } else if (src !== undefined && st.exists && st.linkTarget !== src) {
    diff.before['src'] = st.linkTarget
    diff.after['src'] = src
    changed = true
  }
  if (changed) task.ops.push(['symlink', src!, target, prev === 'absent' ? '0' : '1', tempName()])
  if (task.ctx.check && !existsFollowing(st))
    return { dest: target, src: src ?? null, changed, diff }
  // What the attributes apply to: the link's far end when following, else the link itself.
  // A relative src is read against the path when it was a directory (as Ansible does), but the link made
  // in its place points next to it: its far end is read there.
  const pointsAt =
    src === undefined || src.startsWith('/')
      ? absrc
      : path.posix.join(path.posix.dirname(target), src)
  const farEnd =
    srcState !== undefined && changed && !task.ctx.check
      ? pointsAt !== undefined && pointsAt !== srcState.path
        ? await task.facts.path(pointsAt)
        : srcState
      : task.wantsAttributes(times)
        ? (await task.followed(target, st))[1]
        : st
  if (task.follow && !existsFollowing(farEnd)) {
    task.warnings.push(
      'Cannot set fs attributes on a non-existent symlink target. follow should be set to False to avoid this.'
    )
  } else if (task.follow) {
    changed = task.attributes(farEnd.path, farEnd, diff, times) || changed
  } else {
    changed = task.linkAttributes(target, st, diff, changed) || changed
  }
  return task.finish({ dest: target, src: src ?? null }, target, changed, diff, st, (failure) =>
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

export async function hardState(
  task: FileTask,
  target: string,
  st: PathState,
  src: string | undefined,
  read: PathState | undefined
): Promise<ModuleResult> {
  const prev = stateOf(st)
  if (prev !== 'hard' && src === undefined)
    task.fail({ msg: 'src is required for creating new hardlinks' })
  const srcState =
    src === undefined ? undefined : (read ?? (await task.facts.path(src, { follow: true })))
  const times = task.times('hard')
  if (srcState !== undefined && !srcState.exists)
    task.fail({ msg: 'src does not exist', dest: target, src: src! }, st)
  const force = task.args['force'] === true
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
        task.fail(
          { msg: 'Cannot link, different hard link exists at destination', dest: target, src },
          st
        )
    }
  } else if (prev === 'file') {
    changed = true
    if (!force)
      task.fail({ msg: 'Cannot link, file exists at destination', dest: target, src: src! }, st)
  } else if (prev === 'directory') {
    if (sameInode) return { path: target, changed: false, ...pathInfo(st) }
    if (!force)
      task.fail(
        {
          msg: 'Cannot link: different hard link exists at destination',
          dest: target,
          src: src!
        },
        st
      )
    changed = true
  }
  if (changed) task.ops.push(['hardlink', src!, target, prev === 'absent' ? '0' : '1', tempName()])
  if (task.ctx.check && !existsFollowing(st))
    return { dest: target, src: src ?? null, changed, diff }
  // After linking, the path is src's file: its attributes are the ones compared.
  const [attrPath, current] =
    changed && srcState?.exists ? [target, srcState] : await task.followed(target, st)
  changed = task.attributes(attrPath, current, diff, times) || changed
  return task.finish({ dest: target, src: src ?? null }, target, changed, diff, st, (failure) =>
    failure.op === 'hardlink'
      ? {
          msg: `Error while ${prev === 'absent' ? 'linking' : 'replacing'}: ${failure.text}`,
          path: target
        }
      : undefined
  )
}

/** A name for the link made beside the path it replaces: 64 random bits, so nobody can plant it first. */
function tempName(): string {
  return `.apb-file.${randomBytes(8).toString('hex')}.tmp`
}
