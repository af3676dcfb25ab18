import { DEFAULTS } from '../defaults.js'
import { PlaybookError } from '../errors.js'
import { parseKeyValueArgs } from './kv-args.js'
import { resolveModuleName, unsupportedCollectionModule } from './loader-support.js'
import type { ModuleCatalog } from './playbook-loader.js'
import { plainTask, type Playbook } from './types.js'

const AD_HOC_FILE = '<ad-hoc>'

/** Builds the one-task playbook that `PATTERN -m MODULE -a ARGS` runs, as the `ansible` command does. */
export function buildAdhocPlaybook(
  pattern: string,
  moduleName: string,
  args: string,
  modules: ModuleCatalog,
  cwd: string,
  background?: { async?: number; poll?: number }
): Playbook {
  const module = resolveModuleName(moduleName, modules)
  if (module === undefined) {
    throw new PlaybookError(
      unsupportedCollectionModule(moduleName, modules) ??
        `couldn't resolve module '${moduleName}'. Supported modules: ${[...modules.names].sort().join(', ')}`
    )
  }
  const location = { file: AD_HOC_FILE, line: 1 }
  const parsedArgs =
    args.trim() === ''
      ? {}
      : parseKeyValueArgs(
          args,
          modules.freeForm.has(module) && !modules.keyValueFreeForm?.has(module)
        )
  return {
    file: AD_HOC_FILE,
    baseDir: cwd,
    plays: [
      {
        name: `Ansible Ad-Hoc`,
        hosts: pattern,
        vars: {},
        gatherFacts: false,
        handlers: [],
        tags: [],
        anyErrorsFatal: false,
        location,
        tasks: [
          plainTask({
            name: module,
            named: false,
            module,
            args: parsedArgs,
            location,
            ...(background?.async
              ? { async: background.async, poll: background.poll ?? DEFAULTS.adhocPollSeconds }
              : {})
          })
        ]
      }
    ]
  }
}
