// The `file` module's state=file (an existing file's attributes) and state=touch (created if missing).
import type { ExistingPath, PathState } from '../facts/index.js'
import { stateOf } from './file-support.js'
import { initialDiff, type FileTask } from './file-task.js'
import type { ModuleResult } from './module.js'

export async function fileState(
  task: FileTask,
  given: string,
  first: PathState
): Promise<ModuleResult> {
  const times = task.times('file')
  let [target, st] = [given, first]
  if (stateOf(st) !== 'file') [target, st] = await task.followed(given, first)
  const prev = stateOf(st)
  if (prev !== 'file' && prev !== 'hard')
    task.fail(
      { msg: `file (${target}) is ${prev}, cannot continue`, path: target, state: prev },
      st
    )
  const diff = initialDiff(target, 'file', prev)
  const changed = task.attributes(target, st as ExistingPath, diff, times)
  return task.finish({ path: target }, target, changed, diff, st)
}

export async function touchState(
  task: FileTask,
  given: string,
  first: PathState
): Promise<ModuleResult> {
  const times = task.times('touch')
  const prev = stateOf(first)
  if (prev === 'absent') {
    if (task.ctx.check) return { dest: given, changed: true }
    task.ops.push(['create', given])
  }
  const diff = initialDiff(given, 'touch', prev)
  const [target, st] = await task.followed(given, first)
  const fresh = prev === 'absent'
  const changed = task.attributes(
    target,
    fresh ? { path: target, exists: false, umask: first.umask } : st,
    diff,
    times,
    fresh ? 'file' : undefined
  )
  return task.finish({ dest: given }, given, changed || fresh, diff, first, (failure) =>
    failure.op === 'create'
      ? { msg: `Error, could not touch target: ${failure.text}`, path: given }
      : undefined
  )
}
