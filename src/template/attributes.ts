import { pyStrFormat } from './str-format.js'
import { TemplateError } from '../errors.js'
import { PyTuple, objectTypeRepr, pyEquals, pyTypeName, pythonStr } from './python.js'
import { Undefined, assertDefined } from './undefined.js'
import { isRecord } from '../values/records.js'

/** Keyword arguments of a call, e.g. `maxsplit=1`. */
export type Kwargs = Record<string, unknown>

/** Reads a variable from a vars object, ignoring what every object inherits (`constructor`, `toString`). */
export function hasKey(obj: object, key: string): boolean {
  if (key in Object.prototype || key === '__proto__') return Object.hasOwn(obj, key)
  return key in obj
}

function missing(obj: unknown, key: unknown): Undefined {
  const reason =
    typeof key === 'string'
      ? `'${objectTypeRepr(obj)}' has no attribute '${key}'`
      : `${objectTypeRepr(obj)} has no element ${pythonStr(key)}`
  return new Undefined(reason, String(key))
}

function indexOf(length: number, key: unknown): number | undefined {
  const n =
    typeof key === 'number'
      ? key
      : typeof key === 'string' && /^-?\d+$/.test(key)
        ? Number(key)
        : NaN
  if (!Number.isInteger(n)) return undefined
  const i = n < 0 ? n + length : n
  return i >= 0 && i < length ? i : undefined
}

/** Named-tuple fields read as attributes of a list (groupby's groups). */
const NAMED_FIELDS = new Set(['grouper', 'list'])

/**
 * Jinja2's `obj.key` / `obj[key]`: dict keys, list and string indexes (negative too). A missing key or
 * index gives an Undefined that says `'dict object' has no attribute 'key'`; Undefined chains.
 */
export function getAttribute(obj: unknown, key: unknown): unknown {
  if (obj instanceof Undefined) return obj
  if (key instanceof Undefined) key.fail()
  if (Array.isArray(obj) || typeof obj === 'string') {
    const i = indexOf(obj.length, key)
    // A named tuple's fields (groupby's `.grouper`, `.list`) are the array's own non-index properties.
    if (i === undefined && Array.isArray(obj) && typeof key === 'string' && NAMED_FIELDS.has(key))
      if (Object.hasOwn(obj, key)) return (obj as unknown as Record<string, unknown>)[key]
    return i === undefined ? missing(obj, key) : obj[i]
  }
  if (obj !== null && typeof obj === 'object') {
    const name = String(key)
    if (hasKey(obj, name)) {
      const value = (obj as Record<string, unknown>)[name]
      return value === undefined ? missing(obj, key) : value
    }
  }
  return missing(obj, key)
}

/** Python slicing `seq[start:stop:step]` for lists, tuples (a slice of a tuple is a tuple) and strings. */
export function sliceValue(obj: unknown, start: unknown, stop: unknown, step: unknown): unknown {
  assertDefined(obj)
  if (!Array.isArray(obj) && typeof obj !== 'string') {
    throw new TemplateError(`'${pyTypeName(obj)}' object is not subscriptable`)
  }
  const items: unknown[] = typeof obj === 'string' ? [...obj] : obj
  const len = items.length
  const by = step === null || step === undefined ? 1 : Number(step)
  if (by === 0) throw new TemplateError('slice step cannot be zero')
  const clamp = (v: unknown, dflt: number, lo: number, hi: number): number => {
    if (v === null || v === undefined) return dflt
    let n = Number(assertDefined(v))
    if (n < 0) n += len
    return Math.min(Math.max(n, lo), hi)
  }
  const out: unknown[] = []
  if (by > 0) {
    const from = clamp(start, 0, 0, len)
    const to = clamp(stop, len, 0, len)
    for (let i = from; i < to; i += by) out.push(items[i])
  } else {
    const from = clamp(start, len - 1, -1, len - 1)
    const to = clamp(stop, -1, -1, len - 1)
    for (let i = from; i > to; i += by) out.push(items[i])
  }
  if (obj instanceof PyTuple) return PyTuple.of(...out)
  return typeof obj === 'string' ? out.join('') : out
}

const WHITESPACE = ' \t\n\r\v\f'

function stripChars(text: string, chars: unknown, left: boolean, right: boolean): string {
  const set = chars === undefined || chars === null ? WHITESPACE : String(chars)
  let from = 0
  let to = text.length
  while (left && from < to && set.includes(text[from]!)) from++
  while (right && to > from && set.includes(text[to - 1]!)) to--
  return text.slice(from, to)
}

/** Python str.split(sep=None, maxsplit=-1). */
export function pySplit(text: string, sep: unknown = null, maxsplit: unknown = -1): string[] {
  const limit = maxsplit === null || maxsplit === undefined ? -1 : Number(maxsplit)
  const out: string[] = []
  if (sep === null || sep === undefined) {
    let rest = stripChars(text, null, true, false)
    while (rest.length > 0) {
      if (limit >= 0 && out.length === limit) {
        out.push(rest)
        break
      }
      const m = /\s+/.exec(rest)
      if (!m) {
        out.push(rest)
        break
      }
      out.push(rest.slice(0, m.index))
      rest = rest.slice(m.index + m[0].length)
    }
    return out
  }
  const separator = String(sep)
  if (separator === '') throw new TemplateError('empty separator')
  let rest = text
  for (;;) {
    const at = rest.indexOf(separator)
    if (at < 0 || (limit >= 0 && out.length === limit)) break
    out.push(rest.slice(0, at))
    rest = rest.slice(at + separator.length)
  }
  out.push(rest)
  return out
}

/** Python str.splitlines(keepends=False). */
export function pySplitlines(text: string, keepends = false): string[] {
  const out: string[] = []
  // Python's line boundaries include the file/group/record separators \x1c-\x1e.
  // eslint-disable-next-line no-control-regex
  const re = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/g
  let last = 0
  for (const m of text.matchAll(re)) {
    const end = m.index + m[0].length
    out.push(text.slice(last, keepends ? end : m.index))
    last = end
  }
  if (last < text.length) out.push(text.slice(last))
  return out
}

function pyReplace(text: string, old: string, replacement: string, count: unknown): string {
  const parts = text.split(old)
  const n = count === undefined || count === null || Number(count) < 0 ? Infinity : Number(count)
  if (n >= parts.length - 1) return parts.join(replacement)
  return parts.slice(0, n + 1).join(replacement) + old + parts.slice(n + 1).join(old)
}

function prefixes(arg: unknown): string[] {
  // Python takes a tuple of prefixes, never a list.
  return (arg instanceof PyTuple ? arg : [arg]).map((p) => {
    if (typeof p !== 'string')
      throw new TemplateError(
        `startswith/endswith first arg must be str or a tuple of str, not ${pyTypeName(p)}`
      )
    return p
  })
}

/** Python str.partition / str.rpartition: a (head, separator, tail) tuple. */
function partition(text: string, sep: unknown, last: boolean): PyTuple<string> {
  if (typeof sep !== 'string') throw new TemplateError(`must be str, not ${pyTypeName(sep)}`)
  if (sep === '') throw new TemplateError('empty separator')
  const at = last ? text.lastIndexOf(sep) : text.indexOf(sep)
  if (at < 0) return last ? PyTuple.of('', '', text) : PyTuple.of(text, '', '')
  return PyTuple.of(text.slice(0, at), sep, text.slice(at + sep.length))
}

type Method<T> = (self: T, args: unknown[], kwargs: Kwargs) => unknown

const STRING_METHODS: Record<string, Method<string>> = {
  format: (s, args, kw) => pyStrFormat(s, args, kw),
  split: (s, [sep, max], kw) => pySplit(s, kw.sep ?? sep, kw.maxsplit ?? max),
  rsplit: (s, [sep, max], kw) => {
    const limit = Number(kw.maxsplit ?? max ?? -1)
    const all = pySplit(s, kw.sep ?? sep)
    if (limit < 0 || all.length <= limit + 1) return all
    const joiner = sep === null || sep === undefined ? ' ' : String(sep)
    return [all.slice(0, all.length - limit).join(joiner), ...all.slice(all.length - limit)]
  },
  strip: (s, [chars]) => stripChars(s, chars, true, true),
  lstrip: (s, [chars]) => stripChars(s, chars, true, false),
  rstrip: (s, [chars]) => stripChars(s, chars, false, true),
  startswith: (s, [p]) => prefixes(p).some((x) => s.startsWith(x)),
  endswith: (s, [p]) => prefixes(p).some((x) => s.endsWith(x)),
  replace: (s, [old, rep, count]) => pyReplace(s, String(old), String(rep), count),
  lower: (s) => s.toLowerCase(),
  upper: (s) => s.toUpperCase(),
  casefold: (s) => s.toLowerCase(),
  swapcase: (s) =>
    [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join(''),
  capitalize: (s) => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase(),
  title: (s) =>
    s
      .toLowerCase()
      .replace(/(^|[^a-zA-Z])([a-z])/g, (_m, a: string, b: string) => a + b.toUpperCase()),
  expandtabs: (s, [size = 8]) => {
    let column = 0
    let out = ''
    for (const ch of s) {
      if (ch === '\t') {
        const n = Number(size) > 0 ? Number(size) - (column % Number(size)) : 0
        out += ' '.repeat(n)
        column += n
      } else {
        out += ch
        column = ch === '\n' || ch === '\r' ? 0 : column + 1
      }
    }
    return out
  },
  splitlines: (s, [keepends]) => pySplitlines(s, Boolean(keepends)),
  join: (s, [items]) => {
    const list = Array.isArray(items)
      ? items
      : isRecord(items)
        ? Object.keys(items)
        : typeof items === 'string'
          ? [...items]
          : null
    if (!list) throw new TemplateError(`can only join an iterable, not ${pyTypeName(items)}`)
    return list
      .map((item, i) => {
        if (typeof item !== 'string')
          throw new TemplateError(
            `sequence item ${i}: expected str instance, ${pyTypeName(item)} found`
          )
        return item
      })
      .join(s)
  },
  partition: (s, [sep]) => partition(s, sep, false),
  rpartition: (s, [sep]) => partition(s, sep, true),
  find: (s, [sub]) => s.indexOf(String(sub)),
  rfind: (s, [sub]) => s.lastIndexOf(String(sub)),
  index: (s, [sub]) => {
    const i = s.indexOf(String(sub))
    if (i < 0) throw new TemplateError('substring not found')
    return i
  },
  count: (s, [sub]) => (String(sub) === '' ? s.length + 1 : s.split(String(sub)).length - 1),
  isdigit: (s) => /^\d+$/.test(s),
  isalpha: (s) => /^\p{L}+$/u.test(s),
  isalnum: (s) => /^[\p{L}\d]+$/u.test(s),
  isspace: (s) => /^\s+$/.test(s),
  islower: (s) => /[a-z]/.test(s) && s === s.toLowerCase(),
  isupper: (s) => /[A-Z]/.test(s) && s === s.toUpperCase(),
  zfill: (s, [width]) => {
    const sign = /^[+-]/.test(s) ? s[0]! : ''
    return sign + s.slice(sign.length).padStart(Number(width) - sign.length, '0')
  },
  ljust: (s, [width, fill]) => s.padEnd(Number(width), fill === undefined ? ' ' : String(fill)),
  rjust: (s, [width, fill]) => s.padStart(Number(width), fill === undefined ? ' ' : String(fill)),
  center: (s, [width, fill]) => {
    const total = Math.max(0, Number(width) - s.length)
    const pad = fill === undefined ? ' ' : String(fill)
    const left = Math.floor(total / 2) + (total % 2 === 1 && Number(width) % 2 === 1 ? 1 : 0)
    return pad.repeat(left) + s + pad.repeat(total - left)
  }
}

const DICT_METHODS: Record<string, Method<Record<string, unknown>>> = {
  get: (d, [key, dflt = null]) => {
    const name = String(key)
    return hasKey(d, name) && d[name] !== undefined ? d[name] : dflt
  },
  keys: (d) => Object.keys(d),
  values: (d) => Object.keys(d).map((k) => d[k]),
  items: (d) => Object.keys(d).map((k) => PyTuple.of(k, d[k])),
  copy: (d) => ({ ...d })
}

const LIST_METHODS: Record<string, Method<unknown[]>> = {
  index: (l, [x]) => {
    const i = l.findIndex((item) => pyEquals(item, x))
    if (i < 0) throw new TemplateError(`${pythonStr(x)} is not in list`)
    return i
  },
  count: (l, [x]) => l.filter((item) => pyEquals(item, x)).length,
  copy: (l) => [...l]
}

function methodTable(obj: unknown): Record<string, Method<never>> | undefined {
  if (typeof obj === 'string') return STRING_METHODS as Record<string, Method<never>>
  if (Array.isArray(obj)) return LIST_METHODS as Record<string, Method<never>>
  if (isRecord(obj)) return DICT_METHODS as Record<string, Method<never>>
  return undefined
}

/**
 * The Python method `obj.name` as Jinja2 would find it on str, dict and list receivers
 * (`'a b'.split()`, `d.get('k', 1)`, `d.items()`), or undefined when the receiver has no such method.
 */
export function findMethod(
  obj: unknown,
  name: string
): ((args: unknown[], kwargs: Kwargs) => unknown) | undefined {
  const table = methodTable(obj)
  if (!table || !Object.hasOwn(table, name)) return undefined
  const method = table[name]!
  return (args, kwargs) => {
    for (const arg of args) assertDefined(arg)
    return method(obj as never, args, kwargs)
  }
}
