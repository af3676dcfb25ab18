import { ansibleBoolean, VALID_BOOLEANS } from '../ansible-boolean.js'
import { ModuleArgumentError, type ModuleDefinition } from './module.js'
import { dict } from '../values/dict.js'

/**
 * Marks a set_fact result whose facts are `cacheable`: the executor keeps them as host facts too. A symbol
 * key: never registered or shown.
 */
export const CACHEABLE_FACTS = Symbol('cacheable facts')
/**
 * On a set_fact result whose arguments were rendered from trusted variables only (no registered result,
 * fact, loop item of a lookup or lookup result in them): its facts hold no data of the targets.
 */
export const SAFE_FACTS = Symbol('facts from trusted variables')

/** Python's keywords: not valid variable names (Ansible's isidentifier refuses them). */
const PYTHON_KEYWORDS = new Set([
  'False',
  'None',
  'True',
  'and',
  'as',
  'assert',
  'async',
  'await',
  'break',
  'class',
  'continue',
  'def',
  'del',
  'elif',
  'else',
  'except',
  'finally',
  'for',
  'from',
  'global',
  'if',
  'import',
  'in',
  'is',
  'lambda',
  'nonlocal',
  'not',
  'or',
  'pass',
  'raise',
  'return',
  'try',
  'while',
  'with',
  'yield'
])

/** The strings set_fact turns into booleans (any case); every other value is kept as it is. */
const BOOLEAN_STRINGS = ['true', 'false', 'yes', 'no']

/** Whether a name can be a variable, as Ansible's isidentifier says: an ASCII Python identifier, no keyword. */
export function isVariableName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !PYTHON_KEYWORDS.has(name)
}

/** `cacheable`, read strictly as Ansible's boolean() reads it. */
function cacheableFlag(value: unknown): boolean {
  if (value === undefined) return false
  try {
    return ansibleBoolean(value, 'strict')
  } catch {
    throw new ModuleArgumentError(
      `The value '${String(value)}' of 'cacheable' is not a valid boolean. Valid booleans include: ${VALID_BOOLEANS}`
    )
  }
}

/**
 * `set_fact`: sets host variables; the executor stores `ansible_facts` from the result. As in Ansible 2.14:
 * the names are templated, and a string value that says true/false/yes/no (any case) becomes a boolean,
 * in the `k=v` form and the mapping form alike; numbers and everything else stay as they are.
 */
export const setFactModule: ModuleDefinition = {
  name: 'set_fact',
  // Changes nothing on the target: runs as usual in check mode.
  supportsCheckMode: true,
  local: true,
  // Any name is a fact to set; `cacheable` is read below, with Ansible's message.
  args: { side: 'action', unknown: 'any', options: { cacheable: { type: 'raw' } } },
  async run(ctx) {
    const facts: Record<string, unknown> = dict()
    const cacheable = cacheableFlag(ctx.args['cacheable'])
    for (const [rawKey, rawValue] of Object.entries(ctx.args)) {
      if (rawKey === 'cacheable') continue
      const key = ctx.render(rawKey)
      if (!isVariableName(key)) {
        throw new ModuleArgumentError(
          `The variable name '${key}' is not valid. Variables must start with a letter or underscore character, and contain only letters, numbers and underscores.`
        )
      }
      // As Ansible's set_fact: these four words (any case) are read with boolean(value, strict=False).
      facts[key] =
        typeof rawValue === 'string' && BOOLEAN_STRINGS.includes(rawValue.toLowerCase())
          ? ansibleBoolean(rawValue, 'lenient')
          : rawValue
    }
    if (Object.keys(facts).length === 0) {
      throw new ModuleArgumentError(
        'No key/value pairs provided, at least one is required for this action to succeed'
      )
    }
    const result: Record<PropertyKey, unknown> = { ansible_facts: facts, changed: false }
    if (cacheable) result[CACHEABLE_FACTS] = true
    return result as Record<string, unknown>
  }
}
