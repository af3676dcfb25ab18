/**
 * no_log arguments: the strings a secret stands for, and a module result with them masked, as Ansible's
 * remove_values does. Split from arg-spec.ts, which collects the values.
 */
import { pythonStr } from '../template/python.js'
import { isNumeric } from '../values/py-float.js'

/** The strings a no_log value stands for (every scalar in it), as Ansible collects them. */
export function noLogStrings(value: unknown): string[] {
  if (value === null || value === undefined || typeof value === 'boolean') return []
  if (typeof value === 'string') return value === '' ? [] : [value]
  if (isNumeric(value)) return [pythonStr(value)]
  if (Array.isArray(value)) return value.flatMap(noLogStrings)
  if (typeof value === 'object') return Object.values(value).flatMap(noLogStrings)
  return []
}

/** Ansible's placeholder for a value that equals a no_log argument. */
export const NO_LOG_PLACEHOLDER = 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'

/**
 * A module result with no_log values masked, as Ansible's remove_values does: a string that is one
 * becomes the placeholder, one that contains one has it replaced by `********`; a number or boolean that
 * shows one becomes the placeholder. Keys are kept. Symbol keys (our markers) are kept as they are.
 */
export function maskNoLogValues<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value
  return mask(value, secrets) as T
}

function mask(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') {
    if (secrets.includes(value)) return NO_LOG_PLACEHOLDER
    let text = value
    for (const secret of secrets) text = text.split(secret).join('********')
    return text
  }
  if (isNumeric(value) || typeof value === 'boolean') {
    const text = pythonStr(value)
    return secrets.some((s) => text === s || text.includes(s)) ? NO_LOG_PLACEHOLDER : value
  }
  if (Array.isArray(value)) return value.map((v) => mask(v, secrets))
  if (value !== null && typeof value === 'object') {
    const source = value as Record<PropertyKey, unknown>
    const out: Record<PropertyKey, unknown> = {}
    for (const key of Object.keys(source)) out[key] = mask(source[key], secrets)
    for (const key of Object.getOwnPropertySymbols(source)) {
      const descriptor = Object.getOwnPropertyDescriptor(source, key)!
      Object.defineProperty(out, key, descriptor)
    }
    return out
  }
  return value
}
