import { TemplateError } from '../errors.js'

/** Options Ansible's regex filters and tests accept. */
export interface RegexOptions {
  ignorecase?: boolean
  multiline?: boolean
}

const regexCache = new Map<string, RegExp>()

/**
 * Compiles a Python `re` pattern as a JavaScript RegExp: `(?P<n>` → `(?<n>`, `(?P=n)` → `\k<n>`,
 * `\A`/`\Z` anchors, and leading inline flags `(?ims)`.
 */
export function pythonRegex(pattern: string, options: RegexOptions = {}, extraFlags = ''): RegExp {
  const cacheKey = `${options.ignorecase ? 'i' : ''}${options.multiline ? 'm' : ''}${extraFlags}:${pattern}`
  const cached = regexCache.get(cacheKey)
  if (cached) {
    cached.lastIndex = 0
    return cached
  }
  const flags = new Set(extraFlags.split('').filter(Boolean))
  if (options.ignorecase) flags.add('i')
  if (options.multiline) flags.add('m')
  let source = pattern
  const inline = /^\(\?([aiLmsux]+)\)/.exec(source)
  if (inline) {
    for (const f of inline[1]!) {
      if (f === 'i' || f === 'm' || f === 's') flags.add(f)
      else if (f === 'x')
        throw new TemplateError(`verbose regular expressions (?x) are not supported: ${pattern}`)
    }
    source = source.slice(inline[0].length)
  }
  let out = ''
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!
    if (ch === '\\' && i + 1 < source.length) {
      const next = source[i + 1]!
      if (next === 'A') out += '(?<![\\s\\S])'
      else if (next === 'Z') out += '(?![\\s\\S])'
      else out += ch + next
      i++
    } else if (source.startsWith('(?P<', i)) {
      out += '(?<'
      i += 3
    } else if (source.startsWith('(?P=', i)) {
      const end = source.indexOf(')', i)
      out += `\\k<${source.slice(i + 4, end)}>`
      i = end
    } else {
      out += ch
    }
  }
  let regex: RegExp
  try {
    regex = new RegExp(out, [...flags].join(''))
  } catch (err) {
    throw new TemplateError(
      `invalid regular expression '${pattern}': ${(err as Error).message}`,
      pattern
    )
  }
  if (regexCache.size > 1000) regexCache.clear()
  regexCache.set(cacheKey, regex)
  return regex
}

type ReplacementPart = string | { group: number | string }

/** Parses a Python re.sub replacement (`\1`, `\g<1>`, `\g<name>`, `\n`, `\\`) into literal and group parts. */
function parseReplacement(template: string): ReplacementPart[] {
  const parts: ReplacementPart[] = []
  let literal = ''
  const escapes: Record<string, string> = {
    n: '\n',
    t: '\t',
    r: '\r',
    f: '\f',
    v: '\v',
    a: '\x07',
    b: '\b',
    '\\': '\\'
  }
  for (let i = 0; i < template.length; i++) {
    const ch = template[i]!
    if (ch !== '\\' || i + 1 >= template.length) {
      literal += ch
      continue
    }
    const next = template[i + 1]!
    const digits = /^\d{1,2}/.exec(template.slice(i + 1))
    const named = /^g<(\w+)>/.exec(template.slice(i + 1))
    let group: number | string | undefined
    if (digits) {
      group = Number(digits[0])
      i += digits[0].length
    } else if (named) {
      group = /^\d+$/.test(named[1]!) ? Number(named[1]) : named[1]!
      i += named[0].length
    } else {
      literal += escapes[next] ?? ch + next
      i++
      continue
    }
    if (literal) parts.push(literal)
    literal = ''
    parts.push({ group })
  }
  if (literal) parts.push(literal)
  return parts
}

/** Python re.sub(pattern, replacement, value, count) with Python replacement syntax. */
export function regexReplace(
  value: string,
  pattern: string,
  replacement: string,
  options: RegexOptions,
  count = 0
): string {
  const regex = pythonRegex(pattern, options, 'g')
  const parts = parseReplacement(replacement)
  let done = 0
  return value.replace(regex, (...args: unknown[]) => {
    if (count > 0 && done >= count) return args[0] as string
    done++
    const hasNamed = typeof args[args.length - 1] === 'object' && args[args.length - 1] !== null
    const named = (hasNamed ? args[args.length - 1] : {}) as Record<string, string | undefined>
    const groups = args.slice(0, hasNamed ? -3 : -2) as (string | undefined)[]
    return parts
      .map((part) => {
        if (typeof part === 'string') return part
        const text = typeof part.group === 'number' ? groups[part.group] : named[part.group]
        if (typeof part.group === 'number' && part.group >= groups.length) {
          throw new TemplateError(`invalid group reference ${part.group} in '${replacement}'`)
        }
        return text ?? ''
      })
      .join('')
  })
}

/**
 * Ansible's regex_search: the first match, or None. With group arguments (`'\\1'`, `'\\g<name>'`) it returns
 * the list of those groups instead.
 */
export function regexSearch(
  value: string,
  pattern: string,
  groupArgs: unknown[],
  options: RegexOptions
): unknown {
  const match = pythonRegex(pattern, options).exec(value)
  if (!match) return null
  if (groupArgs.length === 0) return match[0]
  return groupArgs.map((arg) => {
    const spec = String(arg)
    const numbered = /^\\(\d+)$/.exec(spec)
    if (numbered) return match[Number(numbered[1])] ?? null
    const named = /^\\g<(\w+)>$/.exec(spec)
    if (named) return match.groups?.[named[1]!] ?? null
    throw new TemplateError(
      `Unknown argument '${spec}' to regex_search: expected '\\\\1' or '\\\\g<name>'`
    )
  })
}

/** Python re.findall: whole matches, or the single group, or lists of all groups. */
export function regexFindall(value: string, pattern: string, options: RegexOptions): unknown[] {
  const out: unknown[] = []
  for (const match of value.matchAll(pythonRegex(pattern, options, 'g'))) {
    if (match.length === 1) out.push(match[0])
    else if (match.length === 2) out.push(match[1] ?? '')
    else out.push(match.slice(1).map((g) => g ?? ''))
  }
  return out
}
