import { ModuleArgumentError, type ModuleDefinition } from './module.js'
import { dict } from '../dict.js'

/** `set_fact`: sets host variables; the executor stores `ansible_facts` from the result. */
export const setFactModule: ModuleDefinition = {
  name: 'set_fact',
  local: true,
  async run(ctx) {
    const facts: Record<string, unknown> = dict()
    for (const [key, value] of Object.entries(ctx.args)) {
      if (key === 'cacheable') continue
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
        throw new ModuleArgumentError(
          `The variable name '${key}' is not valid. Variables must start with a letter or underscore character, and contain only letters, numbers and underscores.`
        )
      }
      facts[key] = value
    }
    if (Object.keys(facts).length === 0) {
      throw new ModuleArgumentError(
        'No key/value pairs provided, at least one is required for this action to succeed'
      )
    }
    return { ansible_facts: facts, changed: false }
  }
}
