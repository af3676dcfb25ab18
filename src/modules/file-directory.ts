// The `file` module's state=directory: creating the missing directories on the way, and recurse.
import type { ExistingPath, PathState } from '../facts/index.js'
import { stateOf } from './file-support.js'
import { initialDiff, type FileTask } from './file-task.js'
import type { ModuleResult } from './module.js'

export async function directoryState(
  task: FileTask,
  given: string,
  first: PathState,
  recurse: boolean
): Promise<ModuleResult> {
  const times = task.times('directory')
  const [target, st] = await task.followed(given, first)
  const prev = stateOf(st)
  const diff = initialDiff(target, 'directory', prev)
  if (prev === 'absent') {
    if (task.ctx.check) return { path: target, changed: true, diff }
    // Each missing directory on the way is created with the attributes asked for, as Ansible does.
    const parts = target.replace(/^\/+|\/+$/g, '').split('/')
    let current = ''
    for (const part of parts) {
      current = target.startsWith('/')
        ? `${current}/${part}`
        : current
          ? `${current}/${part}`
          : part
      task.ops.push(['mkdir', current])
      const fresh = { path: current, exists: false as const, umask: st.umask }
      task.attributes(current, fresh, diff, { atime: 'preserve', mtime: 'preserve' }, 'directory')
    }
    task.timeOps(target, times)
    return task.finish({ path: target }, target, true, diff, st, (failure) => ({
      msg: `There was an issue creating ${failure.where} as requested: ${failure.text}`,
      path: target
    }))
  }
  if (prev !== 'directory')
    task.fail({ msg: `${target} already exists as a ${prev}`, path: target }, st)
  let changed = task.attributes(target, st as ExistingPath, diff, times)
  if (recurse) {
    const mode = task.args['mode']
    task.ops.push([
      'recurse',
      target,
      task.follow ? '1' : '0',
      task.owner?.spec ?? '',
      task.group?.spec ?? '',
      recurseMode(mode),
      task.ctx.check ? '1' : '0'
    ])
    // Whether anything below differs is only known on the target.
    changed = true
  }
  return task.finish({ path: target }, target, changed, diff, st)
}

/** The mode for chmod below a directory: octal (its permission bits, as chmod takes them) or symbolic. */
function recurseMode(mode: unknown): string {
  if (mode === undefined || mode === null) return ''
  const octal = typeof mode === 'number' ? mode : /^\s*(?:0[oO])?([0-7]+)\s*$/.exec(String(mode))
  if (octal === null) return String(mode)
  const value = typeof octal === 'number' ? octal : parseInt(octal[1]!, 8)
  return (value & 0o7777).toString(8)
}
