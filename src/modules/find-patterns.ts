/**
 * The two pattern languages of Ansible's find, brought to what we can run: shell globs as Python's
 * fnmatch reads them (to a JavaScript RegExp matching the whole name), and Python `re` patterns for
 * `contains` (to a POSIX ERE that `grep -E` runs on the target, anchored as Python's match() is).
 * A construct ERE cannot express is refused by name, never approximated.
 */
import { fnmatchSource } from '../values/fnmatch.js'
import { ModuleArgumentError } from './module.js'

/** A glob as fnmatch.fnmatch reads it: `*`, `?`, `[seq]`, `[!seq]`; the whole name must match. */
export function globRegex(glob: string): RegExp {
  return new RegExp(`^${fnmatchSource(glob)}$`)
}

const ERE_SPECIAL = new Set(['.', '[', ']', '(', ')', '*', '+', '?', '{', '}', '|', '^', '$', '\\'])

/**
 * A Python `re` pattern, matched from the start of a line (Python's match()), as a POSIX ERE for
 * `grep -E`. Supported: literals and escaped punctuation, `.`, `^`, `$`, `* + ? {m,n}` (lazy forms
 * too: only whether a line matches counts), groups `( )` and `(?: )`, `|`, classes `[...]`, and `\d \D
 * \w \W \s \S \t`.
 * @throws ModuleArgumentError naming a construct that ERE cannot express (lookaround, backreference,
 *   named group, inline flag, `\b`, `\A`, `\Z` …)
 */
export function pythonEre(pattern: string): string {
  return translateEre(pattern, pattern)
}

/**
 * As pythonEre, also taking a leading `(?i)` (Python's IGNORECASE), which grep runs as `-i`.
 * @throws ModuleArgumentError as pythonEre
 */
export function pythonGrep(pattern: string): { ere: string; ignoreCase: boolean } {
  const flags = /^\(\?i\)/.exec(pattern)
  return {
    ere: translateEre(flags ? pattern.slice(flags[0].length) : pattern, pattern),
    ignoreCase: flags !== null
  }
}

function translateEre(pattern: string, written: string): string {
  const refuse = (what: string): never => {
    throw new ModuleArgumentError(
      `find: contains ${JSON.stringify(written)} uses ${what}, which cannot be run on the target ` +
        '(grep -E); write the pattern without it'
    )
  }
  let out = ''
  let i = 0
  let afterAtom = false
  while (i < pattern.length) {
    const ch = pattern[i]!
    if (ch === '\\') {
      const next = pattern[i + 1]
      if (next === undefined) refuse('a trailing backslash')
      const mapped = escapeOutsideClass(next!)
      if (mapped === undefined) refuse(`\\${next}`)
      out += mapped
      i += 2
      afterAtom = true
    } else if (ch === '[') {
      const end = classEnd(pattern, i)
      if (end < 0) refuse('an unterminated character class')
      out += bracket(pattern.slice(i + 1, end), refuse)
      i = end + 1
      afterAtom = true
    } else if (ch === '(') {
      if (pattern[i + 1] === '?') {
        if (pattern[i + 2] === ':') {
          out += '('
          i += 3
        } else refuse(`the group (?${pattern[i + 2] ?? ''}`)
      } else {
        out += '('
        i++
      }
      afterAtom = false
    } else if ('*+?'.includes(ch) || (ch === '{' && /^\{\d*(,\d*)?\}/.test(pattern.slice(i)))) {
      if (!afterAtom) refuse(`a repeat ${ch} with nothing to repeat`)
      if (ch === '{') {
        const quantifier = /^\{\d*(,\d*)?\}/.exec(pattern.slice(i))![0]
        out += quantifier.startsWith('{,') ? `{0${quantifier.slice(1)}` : quantifier
        i += quantifier.length
      } else {
        out += ch
        i++
      }
      if (pattern[i] === '?')
        i++ // lazy: the same lines match
      else if (pattern[i] === '+') refuse('a possessive repeat')
    } else {
      out += ch === '{' || ch === '}' ? `\\${ch}` : ch
      afterAtom = ch !== '|' && ch !== '^'
      i++
    }
  }
  return `^(${out})`
}

function escapeOutsideClass(next: string): string | undefined {
  switch (next) {
    case 'd':
      return '[0-9]'
    case 'D':
      return '[^0-9]'
    case 'w':
      return '[[:alnum:]_]'
    case 'W':
      return '[^[:alnum:]_]'
    case 's':
      return '[[:space:]]'
    case 'S':
      return '[^[:space:]]'
    case 't':
      return '\t'
  }
  if (/[A-Za-z0-9]/.test(next)) return undefined
  return ERE_SPECIAL.has(next) ? `\\${next}` : next
}

/** Where the class opened at `start` ends (Python: a `]` first is literal; `\]` is escaped). */
function classEnd(pattern: string, start: number): number {
  let j = start + 1
  if (pattern[j] === '^') j++
  if (pattern[j] === ']') j++
  while (j < pattern.length) {
    if (pattern[j] === '\\') j += 2
    else if (pattern[j] === ']') return j
    else j++
  }
  return -1
}

/** A Python class body as a POSIX bracket expression (`]` first, `-` last, backslash literal). */
function bracket(body: string, refuse: (what: string) => never): string {
  let negate = false
  if (body.startsWith('^')) {
    negate = true
    body = body.slice(1)
  }
  const singles = new Set<string>()
  const ranges: string[] = []
  const classes: string[] = []
  const chars: string[] = []
  for (let k = 0; k < body.length; k++) {
    let c = body[k]!
    if (c === '\\') {
      const next = body[k + 1]!
      k++
      if (next === 'd') {
        classes.push('0-9')
        continue
      }
      if (next === 'w') {
        classes.push('[:alnum:]_')
        continue
      }
      if (next === 's') {
        classes.push('[:space:]')
        continue
      }
      if (next === 't') c = '\t'
      else if (/[A-Za-z0-9]/.test(next)) refuse(`\\${next} in a character class`)
      else c = next
    } else if (c === '[' && body[k + 1] === ':') refuse('[: in a character class')
    chars.push(c)
  }
  for (let k = 0; k < chars.length; k++) {
    if (chars[k + 1] === '-' && k + 2 < chars.length) {
      const from = chars[k]!
      const to = chars[k + 2]!
      if (from === ']' || to === ']' || from === '-' || to === '-' || from === '^' || to === '^')
        refuse('a range that starts or ends with ], - or ^')
      ranges.push(`${from}-${to}`)
      k += 2
    } else singles.add(chars[k]!)
  }
  const close = singles.delete(']') ? ']' : ''
  const dash = singles.delete('-') ? '-' : ''
  const caret = singles.delete('^') ? '^' : ''
  const inner = close + [...singles].join('') + ranges.join('') + classes.join('') + caret + dash
  if (inner === '') refuse('an empty character class')
  // A lone ^ (or one left first) would negate: put it after something else, or escape it by a class.
  const safe = inner === '^' ? '\\^' : inner.startsWith('^') ? `${inner.slice(1)}^` : inner
  return inner === '^' && !negate ? '\\^' : `[${negate ? '^' : ''}${safe}]`
}
