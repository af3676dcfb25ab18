// The `file` module's state=absent: removing a path (a directory with what is in it).
import type { PathState } from '../facts/index.js'
import { osErrorText, pathInfo, runActs, stateOf, walkList } from './file-support.js'
import { initialDiff, type FileTask } from './file-task.js'
import type { ModuleResult } from './module.js'

export async function absentState(
  task: FileTask,
  target: string,
  st: PathState
): Promise<ModuleResult> {
  const prev = stateOf(st)
  if (prev === 'absent') return { path: target, changed: false, state: 'absent' }
  const diff = initialDiff(target, 'absent', prev)
  const list = prev === 'directory'
  if (list || !task.ctx.check) {
    const outcome = await runActs(
      await task.facts.connection(),
      [['rm', target, list ? '1' : '0', task.ctx.check ? '1' : '0']],
      undefined,
      task.ctx.timeoutMs
    )
    if (outcome.failure) {
      const message = osErrorText(outcome.failure.message, target)
      task.fail(
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
    ...(task.ctx.check ? pathInfo(st) : {})
  }
}
