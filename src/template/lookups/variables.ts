/** The lookups that read the task's variables (vars, varnames) and the inventory (inventory_hostnames). */
import { UndefinedVariableError } from '../../errors.js'
import { pyTypeName } from '../python.js'
import { PythonRegexError, pythonSearch, translatePythonRegex } from '../../values/python-regex.js'
import { isRecord } from '../../values/records.js'
import { LookupFailure, type LookupPlugin } from './lookup-support.js'

function settingName(term: unknown, verb: string): string {
  if (typeof term !== 'string')
    throw new LookupFailure(
      `Invalid setting identifier, "${String(term)}" is not a string, ${verb} a <class '${pyTypeName(term)}'>`
    )
  return term
}

const vars: LookupPlugin = {
  run: (call) => {
    const fallback = call.options['default']
    return call.terms.map((term) => {
      const name = settingName(term, 'its')
      try {
        if (Object.prototype.hasOwnProperty.call(call.vars, name) || name in call.vars) {
          const value = call.vars[name]
          if (value !== undefined) return value
        }
        const hostvars = call.vars['hostvars']
        const host = call.vars['inventory_hostname']
        const own = isRecord(hostvars) && typeof host === 'string' ? hostvars[host] : undefined
        if (isRecord(own) && name in own && own[name] !== undefined) return own[name]
        throw new UndefinedVariableError(`No variable found with this name: ${name}`)
      } catch (error) {
        if (error instanceof UndefinedVariableError && fallback !== undefined && fallback !== null)
          return fallback
        throw error
      }
    })
  }
}

const varnames: LookupPlugin = {
  run: (call) => {
    const names = Object.keys(call.vars)
    return call.terms.flatMap((term) => {
      const pattern = settingName(term, 'it is')
      let regex
      try {
        regex = translatePythonRegex(pattern, 'text')
      } catch (error) {
        const reason = error instanceof PythonRegexError ? error.message : String(error)
        throw new LookupFailure(`Unable to use "${pattern}" as a search parameter: ${reason}`)
      }
      return names.filter((name) => pythonSearch(regex, name) !== null)
    })
  }
}

/**
 * Hosts matching host patterns in an inventory known only by its `groups` variable (group name to host
 * names). The engine installs the inventory's own pattern evaluation (templating does not import the
 * inventory); until then, plain host and group names, `!` and `&` are understood.
 */
export type HostPatternEvaluator = (
  patterns: string[],
  groups: Readonly<Record<string, readonly string[]>>
) => string[]

const plainPatterns: HostPatternEvaluator = (patterns, groups) => {
  const words = patterns
    .flatMap((p) => p.split(/[,:]/))
    .map((w) => w.trim())
    .filter(Boolean)
  const match = (word: string): string[] =>
    Object.hasOwn(groups, word)
      ? [...groups[word]!]
      : (groups['all'] ?? []).includes(word)
        ? [word]
        : []
  const plain = words.filter((w) => w[0] !== '!' && w[0] !== '&')
  let selected = (plain.length > 0 ? plain : ['all']).flatMap(match)
  for (const w of words.filter((w) => w[0] === '&')) {
    const wanted = new Set(match(w.slice(1)))
    selected = selected.filter((h) => wanted.has(h))
  }
  for (const w of words.filter((w) => w[0] === '!')) {
    const unwanted = new Set(match(w.slice(1)))
    selected = selected.filter((h) => !unwanted.has(h))
  }
  return [...new Set(selected)]
}

let evaluateHostPatterns: HostPatternEvaluator = plainPatterns

/** Installs the inventory's host pattern evaluation for inventory_hostnames. */
export function setHostPatternEvaluator(evaluator: HostPatternEvaluator): void {
  evaluateHostPatterns = evaluator
}

const inventoryHostnames: LookupPlugin = {
  run: (call) => {
    const raw = call.vars['groups']
    if (!isRecord(raw)) return []
    const groups: Record<string, string[]> = Object.create(null) as Record<string, string[]>
    for (const [name, hosts] of Object.entries(raw))
      groups[name] = Array.isArray(hosts) ? hosts.map(String) : []
    try {
      return evaluateHostPatterns(call.terms.map(String), groups)
    } catch {
      // As Ansible: a pattern that cannot be matched gives no hosts.
      return []
    }
  }
}

export const VARIABLE_LOOKUPS: Record<string, LookupPlugin> = {
  vars,
  varnames,
  inventory_hostnames: inventoryHostnames
}
