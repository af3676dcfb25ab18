/** `copy` with `remote_src` and a directory as `src`: not done yet, refused with what to use instead. */
import type { TargetFacts } from '../facts/index.js'
import { ModuleArgumentError, type ModuleResult } from './module.js'

export async function copyRemoteTree(
  _facts: TargetFacts,
  _args: Record<string, unknown>,
  request: { src: string; dest: string }
): Promise<ModuleResult> {
  throw new ModuleArgumentError(
    `copy: remote_src with a directory as src (${request.src}) is not supported yet; ` +
      `use a command task such as 'cp -a ${request.src} ${request.dest}'`
  )
}
