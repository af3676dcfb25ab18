// set_stats: custom statistics for the recap. The module only checks and returns them (`ansible_stats`, as
// Ansible's action does); the executor keeps them per host or for the run, adding up or replacing
// (stats.ts), and the reporters show them (the recap's CUSTOM STATS, the results document's
// `custom_stats`, the job summary).
import { ansibleBoolean } from '../ansible-boolean.js'
import { dict } from '../values/dict.js'
import { isRecord } from '../values/records.js'
import type { ModuleDefinition } from './module.js'
import { isVariableName } from './set-fact.js'

/**
 * `set_stats`: `data` (a mapping of names to values), `per_host` (default false: the run's stats),
 * `aggregate` (default true: added to what is there; false replaces it).
 */
export const setStatsModule: ModuleDefinition = {
  name: 'set_stats',
  supportsCheckMode: true,
  local: true,
  args: {
    side: 'action',
    unknown: 'names',
    options: { data: { type: 'raw' }, per_host: { type: 'raw' }, aggregate: { type: 'raw' } }
  },
  async run(ctx) {
    const data = ctx.args['data'] ?? {}
    if (!isRecord(data)) {
      return { failed: true, msg: "The 'data' option needs to be a dictionary/hash" }
    }
    const flag = (name: string, fallback: boolean): boolean => {
      const value = ctx.args[name]
      return value === undefined || value === null ? fallback : ansibleBoolean(value, 'lenient')
    }
    const stats = {
      data: dict() as Record<string, unknown>,
      per_host: flag('per_host', false),
      aggregate: flag('aggregate', true)
    }
    for (const [rawKey, value] of Object.entries(data)) {
      const key = ctx.render(rawKey)
      if (!isVariableName(key)) {
        return {
          failed: true,
          msg: `The variable name '${key}' is not valid. Variables must start with a letter or underscore character, and contain only letters, numbers and underscores.`
        }
      }
      stats.data[key] = value
    }
    return { changed: false, ansible_stats: stats }
  }
}
