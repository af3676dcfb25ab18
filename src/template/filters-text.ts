/** Text filters: case, trim, replace, split, format, regexes, base64, paths, shell quoting. */
import { pySplit } from './attributes.js'
import { type FilterFunction, toText } from './filter-args.js'
import { pyFormat, toBoolean } from './python.js'
import { regexFindall, regexReplace, regexSearch } from './regex-filters.js'

function shellQuote(value: unknown): string {
  const text = toText(value)
  if (text === '') return "''"
  if (/^[\w@%+=:,./-]+$/.test(text)) return text
  return "'" + text.replace(/'/g, `'"'"'`) + "'"
}

function base64Decode(value: unknown): string {
  return Buffer.from(toText(value), 'base64').toString('utf8')
}

/** The text filters, by name. */
export const TEXT_FILTERS: Record<string, FilterFunction> = {
  lower: (v) => toText(v).toLowerCase(),
  upper: (v) => toText(v).toUpperCase(),
  capitalize: (v) => toText(v).charAt(0).toUpperCase() + toText(v).slice(1).toLowerCase(),
  trim: (v, [chars]) => {
    const text = toText(v)
    if (chars === undefined || chars === null) return text.trim()
    const set = toText(chars)
    let [from, to] = [0, text.length]
    while (from < to && set.includes(text[from]!)) from++
    while (to > from && set.includes(text[to - 1]!)) to--
    return text.slice(from, to)
  },
  replace: (v, [old, replacement, count]) => {
    const parts = toText(v).split(toText(old))
    const n = count === undefined || count === null ? Infinity : Number(count)
    if (n >= parts.length - 1) return parts.join(toText(replacement))
    return (
      parts.slice(0, n + 1).join(toText(replacement)) +
      toText(old) +
      parts.slice(n + 1).join(toText(old))
    )
  },
  split: (v, [sep, max]) => pySplit(toText(v), sep, max),
  regex_search: (v, [pattern, ...groups], kw) =>
    regexSearch(toText(v), toText(pattern), groups, {
      ignorecase: toBoolean(kw.ignorecase ?? false),
      multiline: toBoolean(kw.multiline ?? false)
    }),
  regex_replace: (v, [pattern = '', replacement = '', ignorecase = false, multiline = false], kw) =>
    regexReplace(
      toText(v),
      toText(pattern),
      toText(replacement),
      {
        ignorecase: toBoolean(kw.ignorecase ?? ignorecase),
        multiline: toBoolean(kw.multiline ?? multiline)
      },
      Number(kw.count ?? 0)
    ),
  regex_findall: (v, [pattern, multiline = false, ignorecase = false], kw) =>
    regexFindall(toText(v), toText(pattern), {
      ignorecase: toBoolean(kw.ignorecase ?? ignorecase),
      multiline: toBoolean(kw.multiline ?? multiline)
    }),
  b64encode: (v) => Buffer.from(toText(v), 'utf8').toString('base64'),
  b64decode: (v) => base64Decode(v),
  basename: (v) => {
    const text = toText(v)
    return text.slice(text.lastIndexOf('/') + 1)
  },
  dirname: (v) => {
    const text = toText(v)
    const head = text.slice(0, text.lastIndexOf('/') + 1)
    return /^\/+$/.test(head) ? head : head.replace(/\/+$/, '')
  },
  quote: (v) => shellQuote(v === null || v === undefined ? '' : v),
  // Jinja2's format: positional values, or keyword ones for `%(name)s`.
  format: (v, args, kw) =>
    Object.keys(kw).length ? pyFormat(toText(v), [kw], kw) : pyFormat(toText(v), args)
}
