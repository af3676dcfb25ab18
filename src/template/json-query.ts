/** JMESPath for the `json_query` filter: the one importer of the jmespath library. */
import jmespath from 'jmespath'
import { dict } from '../values/dict.js'
import { isRecord } from '../values/records.js'

/**
 * The result of a JMESPath expression on data; throws the library's error for a bad expression.
 *
 * The library reads a field as `object[name]`, which on a JavaScript object also finds what it inherits
 * (`constructor`, `toString`, `__proto__`): Ansible's dicts have none of those (None). So the library
 * sees each mapping through a view that has only its own keys (built as the search reaches it: a lazy
 * `hostvars` stays lazy), and what it returns is the data itself again.
 */
export function jmespathSearch(data: unknown, expression: string): unknown {
  const originals = new WeakMap<object, object>()
  const views = new WeakMap<object, object>()
  const view = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return value
    if (Array.isArray(value)) {
      const items = value.map(view)
      originals.set(items, value)
      return items
    }
    if (!isRecord(value)) return value
    const known = views.get(value)
    if (known !== undefined) return known
    const source: Record<string, unknown> = value
    const own = (key: string | symbol): key is string =>
      typeof key === 'string' && Object.prototype.hasOwnProperty.call(source, key)
    // The target is an empty stand-in, so that no invariant of the source (a frozen object) binds the view.
    const shown = new Proxy(Object.create(null) as object, {
      get: (_target, key) => (own(key) ? view(source[key]) : undefined),
      has: (_target, key) => own(key),
      ownKeys: () => Object.keys(source),
      getOwnPropertyDescriptor: (_target, key) =>
        own(key)
          ? { value: view(source[key]), enumerable: true, configurable: true, writable: false }
          : undefined
    })
    views.set(value, shown)
    originals.set(shown, value)
    return shown
  }
  const unview = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return value
    const original = originals.get(value)
    if (original !== undefined) return original
    if (Array.isArray(value)) return value.map(unview)
    if (!isRecord(value)) return value
    // A mapping the library built (a multi-select hash): its values may be views.
    const out = dict<unknown>()
    for (const [key, item] of Object.entries(value)) out[key] = unview(item)
    return out
  }
  // The library's types say `any`: what it returns is JSON-shaped data.
  return unview(jmespath.search(view(data) as object, expression) as unknown)
}
