/**
 * How a module is called, in one place for the task runner and the module test harness: check mode is
 * refused to a module that does not support it, its arguments are validated against its spec, then it
 * runs, then what validation noticed is added to its result.
 */
import type { Task } from '../playbook/types.js'
import { hasTemplateSyntax } from '../values/unsafe.js'
import { maskNoLogValues, validateArgs, type ArgValidation } from './arg-spec.js'
import {
  ACTION_RAISED,
  type ModuleContext,
  type ModuleDefinition,
  type ModuleResult
} from './module.js'
import { maskVaultTextInDiff } from './vaulted-diff.js'
import { tuplesAsLists } from '../template/python.js'

/** How the task asks the module to run: `--check`/`check_mode` and `--diff`/`diff`. */
export interface RunFlags {
  check: boolean
  diff: boolean
}

/** What the runner passes until the check-mode issue reads --check, --diff and the task keywords. */
export const NORMAL_RUN: RunFlags = Object.freeze({ check: false, diff: false })

/** Arguments ready for `run`, or the result the task ends with instead (refused, or skipped). */
export type PreparedRun = { validation: ArgValidation } | { result: ModuleResult }

/**
 * Everything before `run`, in Ansible's order: a module checked on the controller (`side: 'action'`)
 * that does not support check mode is skipped before its arguments are read ('check mode is not
 * supported for this task.'); otherwise the arguments are validated (errors fail the task even in check
 * mode), then a module checked on the target is skipped ('remote module (ping) does not support check
 * mode'). (Ansible also fails check mode with `async`: the check-mode issue adds it with --check.)
 */
export function prepareModuleRun(
  module: ModuleDefinition,
  args: Record<string, unknown>,
  task: Pick<Task, 'action' | 'module' | 'args'>,
  flags: RunFlags
): PreparedRun {
  const side = module.args.side ?? 'module'
  if (flags.check && !module.supportsCheckMode && side === 'action')
    return { result: actionSkip('check mode is not supported for this task.') }
  const validation = validateModuleArgs(module, args, task)
  if (validation.error !== undefined) return { result: argumentFailure(validation.error) }
  if (flags.check && !module.supportsCheckMode)
    return {
      result: checkModeSkip(
        `remote module (${module.args.reportedAs ?? task.action ?? task.module}) does not support check mode`
      )
    }
  return { validation }
}

function checkModeSkip(msg: string): ModuleResult {
  return { changed: false, skipped: true, msg }
}

/**
 * An action plugin's AnsibleActionSkip: registered without the `failed` a module's result gets. The
 * marker is not enumerable: the result reads (and compares) as Ansible's three fields.
 */
export function actionSkip(msg: string): ModuleResult {
  return Object.defineProperty(checkModeSkip(msg), ACTION_RAISED, { value: true })
}

/**
 * The task's rendered arguments validated against the module's spec. The task gives the names in
 * messages and tells which strings were written as is.
 */
export function validateModuleArgs(
  module: ModuleDefinition,
  args: Record<string, unknown>,
  task: Pick<Task, 'action' | 'module' | 'args'>
): ArgValidation {
  return validateArgs(module.args, args, {
    action: task.action ?? task.module,
    // A string written in the playbook without a template is Ansible's YAML string in its messages.
    writtenAsIs: (name) => {
      const written = task.args[name]
      return typeof written === 'string' && !hasTemplateSyntax(written)
    }
  })
}

/** The result of a task whose arguments were refused: Ansible's message, nothing run. */
export function argumentFailure(message: string): ModuleResult {
  return { changed: false, failed: true, msg: message }
}

/** The names of the arguments a module evaluates itself: handed over as written (see ArgOption). */
export function expressionArgs(module: ModuleDefinition): string[] {
  return Object.entries(module.args.options)
    .filter(([, option]) => option.expression)
    .map(([name]) => name)
}

/**
 * Runs a module whose arguments passed validation (`ctx.args` holds the validated ones), and adds what
 * validation noticed to its result, as Ansible's modules do.
 */
export async function runModule(
  module: ModuleDefinition,
  ctx: ModuleContext,
  validation: ArgValidation
): Promise<ModuleResult> {
  // The module's own warnings join its result, after any it put there itself (Ansible's module.warn).
  const warned: string[] = []
  const result = await module.run({ ...ctx, warn: (message) => warned.push(message) })
  if (warned.length > 0) {
    const own = Array.isArray(result['warnings']) ? (result['warnings'] as unknown[]) : []
    result['warnings'] = [...own, ...warned]
  }
  // A result leaves the template engine's types behind: its tuples are lists, as Ansible's are.
  return withValidationNotes(tuplesAsLists(result), validation)
}

/**
 * Hands a task over to another module, as Ansible's package and gather_facts actions run the module they
 * pick: `given` (the arguments, that module's module_defaults under them) validated against its spec and
 * run with the task seen as that module's under the name it was asked by (`yum` for dnf), `args` as
 * written.
 */
export async function handOff(
  module: ModuleDefinition,
  ctx: ModuleContext,
  given: Record<string, unknown>,
  args: Record<string, unknown>,
  action = module.name
): Promise<ModuleResult> {
  const task = { ...ctx.task, action, module: action, args }
  const prepared = prepareModuleRun(module, given, task, { check: ctx.check, diff: ctx.diff })
  if ('result' in prepared) return prepared.result
  return runModule(module, { ...ctx, args: prepared.validation.args, task }, prepared.validation)
}

/**
 * Validation's warnings before the module's own, its deprecations, no_log values masked, and decrypted
 * vault text masked in the diff.
 */
function withValidationNotes(result: ModuleResult, validation: ArgValidation): ModuleResult {
  let out = result
  if (validation.warnings.length > 0) {
    const own = Array.isArray(out['warnings']) ? (out['warnings'] as unknown[]) : []
    out['warnings'] = [...validation.warnings, ...own]
  }
  if (validation.deprecations.length > 0) {
    const own = Array.isArray(out['deprecations']) ? (out['deprecations'] as unknown[]) : []
    out['deprecations'] = [...validation.deprecations, ...own]
  }
  if (validation.noLogValues.length > 0) out = maskNoLogValues(out, validation.noLogValues)
  return maskVaultTextInDiff(out)
}
