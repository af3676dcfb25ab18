/**
 * Ansible's `key=value` argument strings (`copy: src=a dest=b`, `shell: chdir=/tmp make`).
 * Splitting keeps quoted text and Jinja2 blocks whole, like Ansible's split_args().
 */
import { PlaybookError } from '../errors.js'
import { decodePythonEscapes } from '../values/python-literal.js'

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
 * The words of an argument string as Ansible's split_args() makes them, each keeping the whitespace that
 * follows it, so that joinWords() gives back the user's text (multi-line scripts, their indentation and
 * trailing newline). Lines are split on single spaces: a run of n spaces leaves n - 1 of them on the word
 * before it (the join puts one back), and a newline stays on the last word of its line. Text inside
 * quotes or `{{ }}`, `{% %}`, `{# #}` stays in one word. A lone `\` at the end of a line joins it to the
 * next. A quote or a Jinja2 block left open is refused, as Ansible refuses it; leading whitespace, which
 * Ansible also fails on, is accepted.
 */
export function splitWords(input: string): string[] {
  const words: string[] = []
  const appendToLast = (text: string): void => {
    if (words.length > 0) words[words.length - 1] += text
  }
  let quote: string | null = null
  const depth = { print: 0, block: 0, comment: 0 }
  const inJinja = (): boolean => depth.print > 0 || depth.block > 0 || depth.comment > 0
  const lines = input.split('\n')
  lines.forEach((line, lineIndex) => {
    const pieces = line.split(' ')
    let continued = false
    pieces.forEach((piece, index) => {
      if (piece === '' && index !== 0) {
        appendToLast(' ')
        return
      }
      if (piece === '\\' && quote === null) {
        continued = true
        return
      }
      const wasQuoted = quote !== null
      quote = quoteAfter(piece, quote)
      let placed = false
      if (quote !== null && !wasQuoted && !inJinja()) {
        words.push(piece)
        placed = true
      } else if (inJinja() || quote !== null || wasQuoted) {
        if (words.length === 0) words.push(piece)
        else if (index === 0 && wasQuoted) appendToLast(piece)
        else if (pieces.length > 1) appendToLast(`${index > 0 ? ' ' : ''}${piece}`)
        else appendToLast(`\n${piece}`)
        placed = true
      }
      for (const [kind, open, close] of [
        ['print', '{{', '}}'],
        ['block', '{%', '%}'],
        ['comment', '{#', '#}']
      ] as const) {
        const before = depth[kind]
        const change = piece.split(open).length - piece.split(close).length
        depth[kind] = Math.max(0, before + change)
        if (depth[kind] !== before && !placed) {
          words.push(piece)
          placed = true
        }
      }
      if (!inJinja() && quote === null && !placed && piece !== '') words.push(piece)
    })
    if (lines.length > 1 && lineIndex !== lines.length - 1 && !continued) appendToLast('\n')
  })
  // As Ansible's split_args: a quote or a Jinja2 block left open is an error, not a guess.
  if (quote !== null || inJinja())
    throw new PlaybookError(
      `failed at splitting arguments, either an unbalanced jinja2 block or quotes: ${input}`
    )
  return words
}

/** The quote a word leaves open, given the one open before it (a backslash escapes a quote). */
function quoteAfter(word: string, open: string | null): string | null {
  let quote = open
  for (let i = 0; i < word.length; i++) {
    const c = word[i]!
    if ((c === '"' || c === "'") && word[i - 1] !== '\\') {
      if (quote === null) quote = c
      else if (c === quote) quote = null
    }
  }
  return quote
}

/** Ansible's join_args(): words back into text, a space between them unless one ends its line. */
export function joinWords(words: readonly string[]): string {
  let text = ''
  for (const word of words) text += text === '' || text.endsWith('\n') ? word : ` ${word}`
  return text
}

/**
 * Parses `k=v k2="v 2"` into a dict, as Ansible's parse_kv: values have their escapes decoded, their
 * surrounding whitespace and one pair of outer quotes removed. With `freeForm`, only RAW_PARAM_OPTIONS
 * are taken out; the other words, as written, become `_raw_params` (see splitWords).
 */
export function parseKeyValueArgs(input: string, freeForm: boolean): Record<string, unknown> {
  const result: Record<string, unknown> = {}
  const raw: string[] = []
  for (const word of splitWords(input)) {
    const decoded = decodePythonEscapes(word)
    // The first `=` after the first character that no backslash escapes, as Ansible looks for it.
    let eq = -1
    for (let i = decoded.indexOf('=', 1); i > 0; i = decoded.indexOf('=', i + 1)) {
      if (decoded[i - 1] !== '\\') {
        eq = i
        break
      }
    }
    if (eq < 0 && decoded.includes('=')) {
      // Only escaped `\=`: Ansible keeps the word decoded, with its `\=` turned into `=`.
      raw.push(decoded.replace(/\\=/g, '='))
      continue
    }
    // The key may be anything before it (`{{ name }}=v` names a templated key), as in parse_kv.
    const key = eq > 0 ? decoded.slice(0, eq) : ''
    if (eq > 0 && (!freeForm || RAW_PARAM_OPTIONS.has(key))) {
      result[key.trim()] = unquote(decoded.slice(eq + 1).trim())
    } else {
      raw.push(word)
    }
  }
  if (raw.length > 0) result['_raw_params'] = joinWords(raw)
  return result
}
