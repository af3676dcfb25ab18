import { dict } from './dict.js'
import { PyFloat } from './py-float.js'

/**
 * A mapping in the Python sense (a dict): a plain object whose prototype chain ends in Object.prototype or
 * null. That covers what YAML and JSON parsers build, null-prototype maps (values/dict.ts) and layered variable
 * scopes (Object.create(parentScope)); it excludes lists and class instances (Date, Map, Uint8Array, the
 * templar's Undefined), which are values, not mappings. The one check of its kind: the loaders, the inventory,
 * templating, the executor and the job documents all use it.
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false
  let proto = Object.getPrototypeOf(value) as object | null
  while (proto !== null && proto !== Object.prototype) {
    // A prototype that owns `constructor` is a class's: the value is an instance, not a plain mapping.
    if (Object.prototype.hasOwnProperty.call(proto, 'constructor')) return false
    proto = Object.getPrototypeOf(proto) as object | null
  }
  return true
}

/**
 * Ansible's merge_hash (lists replaced): `b` over `a`, mappings merged key by key, into a new mapping
 * without a prototype (a key `__proto__` of the data stays a key). For set_stats' aggregation and
 * include_vars' `hash_behaviour: merge`.
 */
export function mergeHash(
  a: Record<string, unknown>,
  b: Record<string, unknown>
): Record<string, unknown> {
  const out: Record<string, unknown> = dict()
  Object.assign(out, a)
  for (const [key, value] of Object.entries(b)) {
    const old = Object.hasOwn(out, key) ? out[key] : undefined
    out[key] = isRecord(old) && isRecord(value) ? mergeHash(old, value) : value
  }
  return out
}

/**
 * A deep copy of a variable's value that a caller may change freely: lists and mappings copied (a mapping as
 * a plain object, as structuredClone makes one; a key `__proto__` stays a key), an integral float (PyFloat,
 * immutable) kept as it is, where structuredClone would make it a bare Number and lose its `1.0`. Anything
 * else (text, numbers, binary data) as structuredClone copies it.
 */
export function cloneData<T>(value: T): T {
  return cloneWith(value, new Map())
}

/**
 * cloneData's walk. A list or mapping met again (YAML aliases share one node) is copied once and shared
 * in the copy too, as structuredClone does: a document of nested aliases (a "billion laughs") stays as
 * small as it was instead of growing exponentially.
 */
function cloneWith<T>(value: T, copies: Map<object, unknown>): T {
  if (value === null || typeof value !== 'object' || value instanceof PyFloat) return value
  const known = copies.get(value)
  if (known !== undefined) return known as T
  if (Array.isArray(value)) {
    const out: unknown[] = []
    copies.set(value, out)
    for (const item of value as unknown[]) out.push(cloneWith(item, copies))
    return out as T
  }
  if (isRecord(value)) {
    const out: Record<string, unknown> = {}
    copies.set(value, out)
    for (const key of Object.keys(value)) {
      Object.defineProperty(out, key, {
        value: cloneWith(value[key], copies),
        enumerable: true,
        writable: true,
        configurable: true
      })
    }
    return out as T
  }
  return structuredClone(value)
}
