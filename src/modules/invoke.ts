/**
 * How a module is called, in one place for the task runner and the module test harness: its arguments
 * are validated against its spec, then it runs, then what validation noticed is added to its result.
 */
import type { Task } from '../playbook/types.js'
import { hasTemplateSyntax } from '../template/unsafe.js'
import { maskNoLogValues, validateArgs, type ArgValidation } from './arg-spec.js'
import type { ModuleContext, ModuleDefinition, ModuleResult } from './module.js'

/**
 * The task's rendered arguments validated against the module's spec (a module without one takes them as
 * they are). The task gives the names in messages and tells which strings were written as is.
 */
export function validateModuleArgs(
  module: ModuleDefinition,
  args: Record<string, unknown>,
  task: Pick<Task, 'action' | 'module' | 'args'>
): ArgValidation {
  if (!module.args) return { args, warnings: [], deprecations: [], noLogValues: [] }
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
  if (!module.args) return module.rawArgs ? [...module.rawArgs] : []
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
  const result = await module.run(ctx)
  return withValidationNotes(result, validation)
}

/** Validation's warnings before the module's own, its deprecations, and no_log values masked. */
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
  return out
}
