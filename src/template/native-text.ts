/**
 * Ansible's STRING_TYPE_FILTERS (`string`, `to_json`, `to_nice_json`, `to_yaml`, `to_nice_yaml`): their
 * text is never read back as a list, dict or boolean, even when it is all a template gives
 * (`"{{ d | to_json }}"` is the JSON text, not the dict; `"{{ x | string }}"` stays text). Python marks
 * the text itself (NativeJinjaText); JavaScript strings cannot carry a mark, so the texts these filters
 * returned during one evaluation are remembered here and the templar asks about its result.
 */
export const STRING_TYPE_FILTERS: ReadonlySet<string> = new Set([
  'string',
  'to_json',
  'to_nice_json',
  'to_yaml',
  'to_nice_yaml'
])

let produced: Set<string> | undefined

/** Records a string-type filter's text (a no-op outside `withNativeTexts`). */
export function markNativeText(text: unknown): void {
  if (typeof text === 'string') produced?.add(text)
}

/** Forgets a text another filter gave back unchanged (`d | to_json | trim` is read back as a dict). */
export function unmarkNativeText(text: unknown): void {
  if (typeof text === 'string') produced?.delete(text)
}

/**
 * Runs `render` and tells whether its result is a text a string-type filter returned while it ran.
 * Nested evaluations (variables templated on the way) hand their marks up, as Python's marked text
 * travels with the value.
 */
export function withNativeTexts<T>(render: () => T): { value: T; native: boolean } {
  const outer = produced
  const mine = new Set<string>()
  produced = mine
  try {
    const value = render()
    return { value, native: typeof value === 'string' && mine.has(value) }
  } finally {
    produced = outer
    if (outer) for (const text of mine) outer.add(text)
  }
}
