/**
 * Ansible's `key=value` argument strings (`copy: src=a dest=b`, `shell: chdir=/tmp make`).
 * Splitting keeps quoted text and Jinja2 blocks whole, like Ansible's split_args().
 */
import { decodePythonEscapes } from '../inventory/python-literal.js'

/** Arguments that free-form modules accept inside their free-form string, as Ansible's parse_kv does. */
export const RAW_PARAM_OPTIONS = new Set([
  'chdir',
  'creates',
  'removes',
  'executable',
  'warn',
  'stdin',
  'stdin_add_newline',
  'strip_empty_ends'
])

interface Token {
  text: string
  start: number
  end: number
}

/** Splits on whitespace outside quotes and outside `{{ }}`, `{% %}`, `{# #}`. */
export function splitArgs(input: string): Token[] {
  const tokens: Token[] = []
  let start = -1
  let quote: string | null = null
  let jinjaDepth = 0
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!
    const pair = input.slice(i, i + 2)
    if (start < 0 && !/\s/.test(c)) start = i
    if (quote) {
      if (c === '\\' && quote === '"') i++
      else if (c === quote) quote = null
      continue
    }
    if (pair === '{{' || pair === '{%' || pair === '{#') {
      jinjaDepth++
      i++
      continue
    }
    if (jinjaDepth > 0 && (pair === '}}' || pair === '%}' || pair === '#}')) {
      jinjaDepth--
      i++
      continue
    }
    if (jinjaDepth === 0 && (c === '"' || c === "'")) {
      quote = c
      continue
    }
    if (jinjaDepth === 0 && /\s/.test(c) && start >= 0) {
      tokens.push({ text: input.slice(start, i), start, end: i })
      start = -1
    }
  }
  if (start >= 0) tokens.push({ text: input.slice(start), start, end: input.length })
  return tokens
}

/** Removes one pair of matching outer quotes. */
export function unquote(value: string): string {
  if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0])) {
    return value.slice(1, -1)
  }
  return value
}

/**
 * Where a `key=value` token splits, as Ansible's parse_kv finds it: the first `=` after the first character
 * that no backslash escapes. The key may be anything before it (`{{ name }}=v` names a templated key);
 * -1 when there is none.
 */
function keySeparator(text: string): number {
  for (let i = 1; i < text.length; i++) if (text[i] === '=' && text[i - 1] !== '\\') return i
  return -1
}

/**
 * Parses `k=v k2="v 2"` into a dict. With `freeForm`, only RAW_PARAM_OPTIONS are extracted and the rest
 * of the string, with its original spacing and newlines, becomes `_raw_params`.
 */
export function parseKeyValueArgs(input: string, freeForm: boolean): Record<string, unknown> {
  const result: Record<string, unknown> = {}
  const rawSpans: Array<[number, number]> = []
  for (const token of splitArgs(input)) {
    const eq = keySeparator(token.text)
    const key = eq > 0 ? token.text.slice(0, eq).trim() : ''
    if (key !== '' && (!freeForm || RAW_PARAM_OPTIONS.has(key))) {
      // As Ansible's parse_kv: escapes are decoded, then one pair of outer quotes is removed.
      result[key] = unquote(decodePythonEscapes(token.text.slice(eq + 1)).trim())
    } else {
      rawSpans.push([token.start, token.end])
    }
  }
  if (rawSpans.length > 0) {
    const first = rawSpans[0]![0]
    const last = rawSpans[rawSpans.length - 1]![1]
    const extracted = Object.keys(result).length > 0
    // Keep the user's text verbatim (multi-line scripts) unless options were cut out of it.
    result['_raw_params'] = extracted
      ? rawSpans.map(([s, e]) => input.slice(s, e)).join(' ')
      : input.slice(first, last)
  }
  return result
}
