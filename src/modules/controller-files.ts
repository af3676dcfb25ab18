import { readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { ansibleBoolean } from '../ansible-boolean.js'
import { readControllerFile } from '../vault/index.js'
import { ModuleArgumentError, type ModuleContext } from './module.js'

/**
 * The controller file a `src` names, searched as Ansible does: an absolute path as given; else `<kind>/`
 * and then the directory itself, in the task's role, in the directory of the file the task is written in
 * (a role's `tasks/`, an included file's directory), and in the playbook's directory. `kind` is `templates`
 * (template) or `files` (copy, script). With `directories` (copy), the first directory found is an
 * answer too, as Ansible takes the first path that exists.
 */
export function findControllerFile(
  src: string,
  kind: 'templates' | 'files',
  ctx: Pick<ModuleContext, 'baseDir' | 'task'>,
  options: { directories?: boolean } = {}
): string {
  // Ansible searches the task's directory and the play's, and names both even when they are one.
  const searched = [ctx.task.role?.path, ctx.task.dir, ctx.baseDir].filter(
    (dir): dir is string => dir !== undefined
  )
  const dirs = searched.filter((dir, i, all) => all.indexOf(dir) === i)
  const places = (list: string[]): string[] =>
    path.isAbsolute(src)
      ? [src]
      : list.flatMap((dir) => [path.resolve(dir, kind, src), path.resolve(dir, src)])
  const candidates = places(dirs)
  let directory: string | undefined
  for (const candidate of candidates) {
    try {
      const stat = statSync(candidate)
      if (stat.isFile()) return candidate
      if (stat.isDirectory()) {
        if (options.directories) return candidate
        directory ??= candidate
      }
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
    `Could not find or access '${src}'\nSearched in:\n${places(searched)
      .map((c) => `\t${c}`)
      .join('\n')} on the Ansible Controller.\n` +
      'If you are using a module and expect the file to exist on the remote, see the remote_src option'
  )
}

/**
 * A controller source file's bytes for copy, script, unarchive and assemble: decrypted when it is
 * vault-encrypted, unless the task's `decrypt` is false (then sent as it is), as Ansible's actions do.
 * @throws VaultError when it is vault-encrypted and no vault password decrypts it
 */
export function readSourceFile(file: string, args: Record<string, unknown>): Buffer {
  const decrypt = args['decrypt'] === undefined || ansibleBoolean(args['decrypt'], 'lenient')
  return decrypt ? readControllerFile(file) : readFileSync(file)
}
