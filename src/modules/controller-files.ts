import { statSync } from 'node:fs'
import path from 'node:path'
import { ModuleArgumentError, type ModuleContext } from './module.js'

/**
 * The controller file a `src` names, searched as Ansible does: an absolute path as given; else, for a role's
 * task, the role's `<kind>/`, the role itself and its `tasks/`, then the playbook's `<kind>/` and the
 * playbook's directory. `kind` is `templates` (template) or `files` (copy, script).
 */
export function findControllerFile(
  src: string,
  kind: 'templates' | 'files',
  ctx: Pick<ModuleContext, 'baseDir' | 'task'>
): string {
  const role = ctx.task.role?.path
  const candidates = path.isAbsolute(src)
    ? [src]
    : [
        ...(role
          ? [
              path.resolve(role, kind, src),
              path.resolve(role, src),
              path.resolve(role, 'tasks', kind, src),
              path.resolve(role, 'tasks', src)
            ]
          : []),
        path.resolve(ctx.baseDir, kind, src),
        path.resolve(ctx.baseDir, src)
      ]
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
