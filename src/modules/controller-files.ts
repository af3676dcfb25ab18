import { statSync } from 'node:fs'
import path from 'node:path'
import { ModuleArgumentError, type ModuleContext } from './module.js'

/**
 * The controller file a `src` names, searched as Ansible does: an absolute path as given; else `<kind>/`
 * and then the directory itself, in the task's role, in the directory of the file the task is written in
 * (a role's `tasks/`, an included file's directory), and in the playbook's directory. `kind` is `templates`
 * (template) or `files` (copy, script).
 */
export function findControllerFile(
  src: string,
  kind: 'templates' | 'files',
  ctx: Pick<ModuleContext, 'baseDir' | 'task'>
): string {
  const dirs = [ctx.task.role?.path, ctx.task.dir, ctx.baseDir].filter(
    (dir, i, all): dir is string => dir !== undefined && all.indexOf(dir) === i
  )
  const candidates = path.isAbsolute(src)
    ? [src]
    : dirs.flatMap((dir) => [path.resolve(dir, kind, src), path.resolve(dir, src)])
  let directory: string | undefined
  for (const candidate of candidates) {
    try {
      const stat = statSync(candidate)
      if (stat.isFile()) return candidate
      if (stat.isDirectory()) directory ??= candidate
    } catch {
      // Not here; try the next place.
    }
  }
  if (directory) {
    throw new ModuleArgumentError(
      `src '${src}' is a directory (${directory}); copying directories is not supported yet`
    )
  }
  throw new ModuleArgumentError(
    `Could not find or access '${src}'\nSearched in:\n${candidates.map((c) => `\t${c}`).join('\n')} on the Ansible Controller.`
  )
}
