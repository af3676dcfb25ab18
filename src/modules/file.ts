// The `file` module: its definition, argument spec and the dispatch to one state family per file.
import path from 'node:path'
import { FileFailure, STATES, isDirFollowing, stateOf, type State } from './file-support.js'
import { absentState } from './file-absent.js'
import { directoryState } from './file-directory.js'
import { hardState, linkState } from './file-links.js'
import { FileTask } from './file-task.js'
import { fileState, touchState } from './file-touch.js'
import type { ModuleDefinition, ModuleResult } from './module.js'

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
      return await runFile(new FileTask(ctx))
    } catch (error) {
      if (error instanceof FileFailure) return { changed: false, failed: true, ...error.result }
      throw error
    }
  }
}

async function runFile(task: FileTask): Promise<ModuleResult> {
  let state = task.string('state') as State | undefined
  const [expandedPath, src] = await task.expand([task.string('path')!, task.string('src')])
  let target = expandedPath!
  const recurse = task.args['recurse'] === true
  const ownerSpec = task.string('owner')
  const groupSpec = task.string('group')
  const linkSrc = src === undefined ? undefined : path.posix.join(path.posix.dirname(target), src)
  // One round trip: the path, the link source, and the accounts asked for.
  const [first, srcNear, srcFollowed, owner, group] = await Promise.all([
    task.facts.path(target),
    linkSrc === undefined || state === 'hard'
      ? undefined
      : task.facts.path(src!.startsWith('/') ? src! : linkSrc),
    src === undefined || state === 'link' ? undefined : task.facts.path(src, { follow: true }),
    ownerSpec === undefined ? undefined : task.account('user', ownerSpec),
    groupSpec === undefined ? undefined : task.account('group', groupSpec)
  ])
  task.owner = owner
  task.group = group
  let st = first
  if (state !== 'link' && state !== 'absent' && isDirFollowing(st)) {
    const basename = task.string('_original_basename') ?? (src && path.posix.basename(src))
    if (basename) {
      target = path.posix.join(target, basename)
      st = await task.facts.path(target)
    }
  }
  const prev = stateOf(st)
  if (state === undefined) state = prev !== 'absent' ? prev : recurse ? 'directory' : 'file'
  if (recurse && state !== 'directory')
    task.fail({ msg: "recurse option requires state to be 'directory'", path: target }, st)
  if (src !== undefined && state !== 'link' && state !== 'hard')
    task.fail({ msg: "src option requires state to be 'link' or 'hard'", path: target }, st)
  if (task.ctx.check && state !== 'absent') task.warnMissingAccounts()

  let result: ModuleResult
  switch (state) {
    case 'absent':
      result = await absentState(task, target, st)
      break
    case 'file':
      result = await fileState(task, target, st)
      break
    case 'directory':
      result = await directoryState(task, target, st, recurse)
      break
    case 'touch':
      result = await touchState(task, target, st)
      break
    case 'link':
      result = await linkState(task, target, st, src, srcNear)
      break
    case 'hard':
      result = await hardState(task, target, st, src, srcFollowed)
      break
  }
  if (task.warnings.length > 0) result['warnings'] = task.warnings
  return result
}
