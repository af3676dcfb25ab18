// Ansible's `!unsafe` YAML tag: a string that is never templated. The YAML loader marks such a string (when it
// holds template syntax at all: plain text needs no mark) by turning it into a Jinja2 expression that renders
// to the text itself, behind a comment no user writes. The templar recognises the mark and hands the text back
// as it is, without templating it or reading it as a list or dict; anything else that renders the marked string
// through Jinja2 gets the same text.

import { isNumeric } from './py-float.js'

const MARK = '{#apb:unsafe#}'
const MARKED = /^\{#apb:unsafe#\}\{\{ '((?:[^'\\]|\\[\s\S])*)' \}\}$/

/** Whether a string holds Jinja2 syntax (`{{`, `{%` or `{#`), the only strings `!unsafe` has to protect. */
export function hasTemplateSyntax(text: string): boolean {
  return text.includes('{{') || text.includes('{%') || text.includes('{#')
}

/** Marks a string as never to be templated (a string without template syntax is returned as it is). */
export function markUnsafe(text: string): string {
  if (!hasTemplateSyntax(text)) return text
  const literal = text
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
  return `${MARK}{{ '${literal}' }}`
}

/** Whether a value is a string marked by markUnsafe. */
export function isMarkedUnsafe(value: unknown): boolean {
  return typeof value === 'string' && value.startsWith(MARK) && MARKED.test(value)
}

/** The text of a marked string; any other value is returned unchanged. */
export function unsafeText<T>(value: T): T | string {
  if (typeof value !== 'string' || !value.startsWith(MARK)) return value
  const match = MARKED.exec(value)
  if (!match) return value
  return match[1]!.replace(/\\([\s\S])/g, (_all, ch: string) =>
    ch === 'n' ? '\n' : ch === 'r' ? '\r' : ch
  )
}

/** Marks every string of a value (list items, mapping keys and values, recursively). */
export function markUnsafeDeep(value: unknown): unknown {
  if (typeof value === 'string') return markUnsafe(value)
  if (Array.isArray(value)) return value.map(markUnsafeDeep)
  if (value !== null && typeof value === 'object' && !isNumeric(value)) {
    // Entries, not assignment: a key named __proto__ stays a key.
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [markUnsafe(k), markUnsafeDeep(v)])
    )
  }
  return value
}
