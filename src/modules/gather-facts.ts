import { handOff } from './invoke.js'
import type { ModuleDefinition } from './module.js'
import { setupModule } from './setup.js'

/** Modules whose `ansible_facts` are the host's gathered facts (`ansible_` names without the prefix too). */
export const FACT_MODULES: ReadonlySet<string> = new Set(['setup', 'gather_facts'])

/**
 * `gather_facts` (and the implicit "Gathering Facts" task): Ansible's action that runs the fact module
 * (`setup`) with the task's arguments, the setup module_defaults under them, and returns its facts with
 * the `warnings` and `deprecations` lists it collected (empty ones too, as Ansible's registered result
 * shows). `parallel` is accepted: there is one fact module here, so there is nothing to run in parallel.
 */
export const gatherFactsModule: ModuleDefinition = {
  name: 'gather_facts',
  supportsCheckMode: true,
  args: {
    options: {
      ...setupModule.args.options,
      parallel: { type: 'bool' }
    }
  },
  async run(ctx) {
    const given: Record<string, unknown> = Object.create(null) as Record<string, unknown>
    for (const [key, value] of Object.entries(ctx.moduleDefaults?.('setup') ?? {}))
      given[key] = value
    // Only what the task gave is handed on (setup fills in its own defaults).
    for (const key of Object.keys(ctx.task.args))
      if (key !== 'parallel' && key in ctx.args) given[key] = ctx.args[key]
    const result = await handOff(setupModule, ctx, given, given)
    if (result['failed']) return result
    const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : [])
    return {
      ansible_facts: result['ansible_facts'] ?? {},
      warnings: list(result['warnings']),
      deprecations: list(result['deprecations']),
      changed: false
    }
  }
}
