// module_defaults at run time: the task's mappings merged as Ansible 2.14 merges them, templated with the
// host's variables, under the task's own arguments.
import type { ModuleDefinition } from '../modules/module.js'
import { MODULES } from '../modules/registry.js'
import { groupModules } from '../playbook/module-defaults.js'
import type { Task } from '../playbook/types.js'
import type { Templar } from '../template/index.js'
import { isRecord } from '../values/records.js'
import { taskFieldError, TaskTemplateError } from './task-errors.js'

/**
 * The arguments `module` runs with: the defaults of the groups that hold it, then its own defaults, then
 * the task's arguments (which win). As Ansible: the task's mappings (the play's first, the task's last) are
 * merged key by key, a later entry for a module replacing an earlier one whole; only then are they templated.
 */
export function withModuleDefaults(
  task: Task,
  module: ModuleDefinition,
  args: Record<string, unknown>,
  templar: Templar,
  scope: Record<string, unknown>
): Record<string, unknown> {
  const written = task.moduleDefaults
  if (!written || written.length === 0) return args
  const merged = new Map<string, unknown>()
  for (const mapping of written)
    for (const [key, value] of Object.entries(mapping)) merged.set(key, value)
  // As Ansible: every entry is templated for every task (an undefined variable in any of them fails the
  // task), then the group defaults that hold the module apply, then the module's own.
  const rendered = new Map<string, unknown>()
  for (const [key, value] of merged) {
    let out: unknown
    try {
      out = templar.render(value, scope)
    } catch (error) {
      throw taskFieldError(error, 'module_defaults', task)
    }
    if (out !== undefined && out !== null && !isRecord(out))
      throw new TaskTemplateError(
        `module_defaults for '${key}' must be a mapping of the module's arguments, found ${typeof out}`
      )
    rendered.set(key, out)
  }
  let out: Record<string, unknown> = {}
  const apply = (value: unknown): void => {
    // Spread, not assignment: an argument named __proto__ stays an argument.
    if (isRecord(value)) out = { ...out, ...value }
  }
  for (const [key, value] of rendered)
    if (key.startsWith('group/') && groupModules(key).some((m) => sameModule(m, module)))
      apply(value)
  for (const [key, value] of rendered)
    if (!key.startsWith('group/') && sameModule(key, module)) apply(value)
  return { ...out, ...args }
}

function sameModule(name: string, module: ModuleDefinition): boolean {
  return name === module.name || MODULES.get(name) === module
}
