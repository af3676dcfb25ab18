/**
 * An object for keys that come from inventories, playbooks, targets or documents handed between runs (host
 * names, register names). It has no prototype, so `__proto__`, `constructor` or `toString` are plain keys:
 * setting one never changes a prototype, and reading a missing one gives undefined, not a built-in.
 * JSON.stringify, Object.entries and `in` treat it as any other object.
 */
export function dict<T>(entries?: Iterable<readonly [string, T]>): Record<string, T> {
  const out = Object.create(null) as Record<string, T>
  if (entries) for (const [key, value] of entries) out[key] = value
  return out
}
