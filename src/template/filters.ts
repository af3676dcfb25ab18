import { TemplateError } from '../errors.js'
import { type Kwargs, getAttribute, pySplit } from './attributes.js'
import {
  pyBinOp,
  pyEquals,
  pyFormat,
  pyIn,
  pyOrder,
  pyTruthy,
  pyTypeName,
  pythonStr,
  toBoolean
} from './python.js'
import { regexFindall, regexReplace, regexSearch } from './regex.js'
import { fromJson, fromYaml, pyJsonDumps, toYaml } from './serialize.js'
import { Undefined, assertDefined, isPlainObject } from './undefined.js'

/** A Jinja2 filter (`value | name(args)`): receives the value, positional and keyword arguments. */
export type FilterFunction = (value: unknown, args: unknown[], kwargs: Kwargs) => unknown

/** Filters that accept Undefined arguments (everything else throws the undefined error). */
export const UNDEFINED_SAFE_FILTERS = new Set(['default', 'd', 'mandatory'])

/** What map/select/selectattr need from the environment: other filters and tests by name. */
export interface FilterDependencies {
  callFilter(name: string, value: unknown, args: unknown[], kwargs: Kwargs): unknown
  callTest(name: string, value: unknown, args: unknown[], kwargs: Kwargs): boolean
}

function iterableItems(value: unknown, filter: string): unknown[] {
  if (Array.isArray(value)) return value
  if (typeof value === 'string') return [...value]
  if (isPlainObject(value)) return Object.keys(value)
  throw new TemplateError(`The '${filter}' filter expects a list, got ${pyTypeName(value)}`)
}

function dictArg(value: unknown, filter: string): Record<string, unknown> {
  if (!isPlainObject(value))
    throw new TemplateError(`${filter} expects a dictionary, got ${pyTypeName(value)}`)
  return value
}

function toText(value: unknown): string {
  return pythonStr(value)
}

/** Looks up a dotted attribute path (`'a.b'`, `'0'`) as Jinja2's make_attrgetter does. */
export function attributePath(item: unknown, path: unknown): unknown {
  if (typeof path === 'number') return getAttribute(item, path)
  return String(path)
    .split('.')
    .reduce<unknown>(
      (obj, key) => getAttribute(obj, /^\d+$/.test(key) && Array.isArray(obj) ? Number(key) : key),
      item
    )
}

function toInt(value: unknown, dflt: unknown, base: number): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : dflt
  if (typeof value === 'string') {
    const text = value.trim().replace(/_/g, '')
    const digits =
      base === 16
        ? /^[+-]?(0x)?[0-9a-f]+$/i
        : base === 8
          ? /^[+-]?(0o)?[0-7]+$/i
          : base === 2
            ? /^[+-]?(0b)?[01]+$/i
            : /^[+-]?\d+$/
    if (digits.test(text)) return parseInt(text.replace(/^([+-]?)0[xob]/i, '$1'), base)
    const asFloat = toFloat(text, null)
    if (typeof asFloat === 'number' && Number.isFinite(asFloat)) return Math.trunc(asFloat)
  }
  return dflt
}

function toFloat(value: unknown, dflt: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value === 'number') return value
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase()
    if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(text)) return Number(text)
    if (/^[+-]?(inf|infinity)$/.test(text)) return text.startsWith('-') ? -Infinity : Infinity
    if (/^[+-]?nan$/.test(text)) return NaN
  }
  return dflt
}

/** Python's round() for the 'common' method: half to even on the binary value. */
function roundHalfEven(value: number, precision: number): number {
  const factor = 10 ** precision
  const scaled = value * factor
  const floor = Math.floor(scaled)
  const diff = scaled - floor
  const rounded =
    Math.abs(diff - 0.5) < 1e-9 ? (floor % 2 === 0 ? floor : floor + 1) : Math.round(scaled)
  return rounded / factor
}

function shellQuote(value: unknown): string {
  const text = toText(value)
  if (text === '') return "''"
  if (/^[\w@%+=:,./-]+$/.test(text)) return text
  return "'" + text.replace(/'/g, `'"'"'`) + "'"
}

function combineTwo(
  a: Record<string, unknown>,
  b: Record<string, unknown>,
  recursive: boolean,
  listMerge: string
) {
  const out: Record<string, unknown> = { ...a }
  for (const key of Object.keys(b)) {
    const left = out[key]
    const right = b[key]
    if (recursive && isPlainObject(left) && isPlainObject(right)) {
      out[key] = combineTwo(left, right, recursive, listMerge)
    } else if (Array.isArray(left) && Array.isArray(right) && listMerge !== 'replace') {
      if (listMerge === 'keep') out[key] = left
      else if (listMerge === 'append') out[key] = [...left, ...right]
      else if (listMerge === 'prepend') out[key] = [...right, ...left]
      else if (listMerge === 'append_rp')
        out[key] = [...left.filter((x) => !pyIn(x, right)), ...right]
      else if (listMerge === 'prepend_rp')
        out[key] = [...right, ...left.filter((x) => !pyIn(x, right))]
      else throw new TemplateError(`combine: unknown list_merge '${listMerge}'`)
    } else {
      out[key] = right
    }
  }
  return out
}

function uniqueList(items: unknown[]): unknown[] {
  const out: unknown[] = []
  for (const item of items) if (!out.some((x) => pyEquals(x, item))) out.push(item)
  return out
}

function sortKey(caseSensitive: boolean, attribute: unknown) {
  return (item: unknown): unknown => {
    const v =
      attribute === undefined || attribute === null
        ? item
        : assertDefined(attributePath(item, attribute))
    return !caseSensitive && typeof v === 'string' ? v.toLowerCase() : v
  }
}

function minMax(items: unknown[], kw: Kwargs, sign: number): unknown {
  if (items.length === 0) return new Undefined('No aggregated item, sequence was empty.', 'min/max')
  const key = sortKey(toBoolean(kw.case_sensitive ?? false), kw.attribute)
  return items.reduce((best, item) => (pyOrder(key(item), key(best)) * sign < 0 ? item : best))
}

function base64Decode(value: unknown): string {
  return Buffer.from(toText(value), 'base64').toString('utf8')
}

function selectWith(
  deps: FilterDependencies,
  items: unknown[],
  args: unknown[],
  kwargs: Kwargs,
  keep: boolean,
  attr?: unknown
) {
  const [testName, ...testArgs] = args
  return items.filter((item) => {
    const v = attr === undefined ? item : attributePath(item, attr)
    const ok =
      testName === undefined ? pyTruthy(v) : deps.callTest(String(testName), v, testArgs, kwargs)
    return ok === keep
  })
}

/** Ansible's and Jinja2's filters, by name. */
export function createFilters(deps: FilterDependencies): Record<string, FilterFunction> {
  const filters: Record<string, FilterFunction> = {
    default: (v, [dflt = '', boolean = false], kw) => {
      const useFalsy = pyTruthy(kw.boolean ?? boolean)
      if (v instanceof Undefined || (useFalsy && !pyTruthy(v))) return kw.default_value ?? dflt
      return v
    },
    mandatory: (v, [msg], kw) => {
      if (!(v instanceof Undefined)) return v
      const message = kw.msg ?? msg
      throw new TemplateError(
        message !== undefined && message !== null
          ? toText(message)
          : `Mandatory variable '${v.name}' not defined.`
      )
    },
    bool: (v) => (v === null ? false : toBoolean(v)),
    int: (v, [dflt = 0, base = 10], kw) => toInt(v, kw.default ?? dflt, Number(kw.base ?? base)),
    float: (v, [dflt = 0], kw) => toFloat(v, kw.default ?? dflt),
    string: (v) => toText(v),
    abs: (v) => Math.abs(Number(pyBinOp('+', v, 0))),
    round: (v, [precision = 0, method = 'common'], kw) => {
      const n = Number(pyBinOp('+', v, 0))
      const p = Number(kw.precision ?? precision)
      const m = String(kw.method ?? method)
      if (m === 'ceil') return Math.ceil(n * 10 ** p) / 10 ** p
      if (m === 'floor') return Math.floor(n * 10 ** p) / 10 ** p
      if (m !== 'common') throw new TemplateError('method must be common, ceil or floor')
      return roundHalfEven(n, p)
    },
    to_json: (v, _a, kw) =>
      pyJsonDumps(v, {
        indent: kw.indent as number | undefined,
        sortKeys: toBoolean(kw.sort_keys ?? false)
      }),
    to_nice_json: (v, [indent = 4], kw) =>
      pyJsonDumps(v, {
        indent: Number(kw.indent ?? indent),
        sortKeys: pyTruthy(kw.sort_keys ?? true)
      }),
    from_json: (v) => fromJson(v),
    to_yaml: (v, _a, kw) => toYaml(v, false, kw.indent === undefined ? 2 : Number(kw.indent)),
    to_nice_yaml: (v, [indent = 4], kw) => toYaml(v, true, Number(kw.indent ?? indent)),
    from_yaml: (v) => fromYaml(v),
    length: (v) => {
      if (typeof v === 'string' || Array.isArray(v)) return v.length
      if (isPlainObject(v)) return Object.keys(v).length
      throw new TemplateError(`object of type '${pyTypeName(v)}' has no len()`)
    },
    join: (v, [sep = '', attribute], kw) => {
      const attr = kw.attribute ?? attribute
      return iterableItems(v, 'join')
        .map((item) =>
          toText(
            attr === undefined || attr === null ? item : assertDefined(attributePath(item, attr))
          )
        )
        .join(toText(kw.d ?? sep))
    },
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
    first: (v) => {
      const items = iterableItems(v, 'first')
      return items.length ? items[0] : new Undefined('No first item, sequence was empty.', 'first')
    },
    last: (v) => {
      const items = iterableItems(v, 'last')
      return items.length
        ? items[items.length - 1]
        : new Undefined('No last item, sequence was empty.', 'last')
    },
    list: (v) => [...iterableItems(v, 'list')],
    reverse: (v) =>
      typeof v === 'string'
        ? [...v].reverse().join('')
        : [...iterableItems(v, 'reverse')].reverse(),
    unique: (v) => uniqueList(iterableItems(v, 'unique')),
    flatten: (v, [levels], kw) => {
      const depth = kw.levels ?? levels
      const flat = (items: unknown[], level: number): unknown[] =>
        items.flatMap((x) =>
          Array.isArray(x) && (depth === undefined || depth === null || level < Number(depth))
            ? flat(x, level + 1)
            : x === null && toBoolean(kw.skip_nulls ?? true)
              ? []
              : [x]
        )
      return flat(iterableItems(v, 'flatten'), 0)
    },
    union: (v, [other]) =>
      uniqueList([...iterableItems(v, 'union'), ...iterableItems(other, 'union')]),
    intersect: (v, [other]) =>
      uniqueList(
        iterableItems(v, 'intersect').filter((x) => pyIn(x, iterableItems(other, 'intersect')))
      ),
    difference: (v, [other]) =>
      uniqueList(
        iterableItems(v, 'difference').filter((x) => !pyIn(x, iterableItems(other, 'difference')))
      ),
    symmetric_difference: (v, [other]) => {
      const a = iterableItems(v, 'symmetric_difference')
      const b = iterableItems(other, 'symmetric_difference')
      return uniqueList([...a.filter((x) => !pyIn(x, b)), ...b.filter((x) => !pyIn(x, a))])
    },
    zip: (v, others) => {
      const lists = [iterableItems(v, 'zip'), ...others.map((o) => iterableItems(o, 'zip'))]
      const n = Math.min(...lists.map((l) => l.length))
      return Array.from({ length: n }, (_, i) => lists.map((l) => l[i]))
    },
    sort: (v, [reverse = false, caseSensitive = false, attribute], kw) => {
      const key = sortKey(toBoolean(kw.case_sensitive ?? caseSensitive), kw.attribute ?? attribute)
      const sign = pyTruthy(kw.reverse ?? reverse) ? -1 : 1
      return [...iterableItems(v, 'sort')].sort((a, b) => pyOrder(key(a), key(b)) * sign)
    },
    min: (v, _a, kw) => minMax(iterableItems(v, 'min'), kw, 1),
    max: (v, _a, kw) => minMax(iterableItems(v, 'max'), kw, -1),
    sum: (v, [attribute, start = 0], kw) => {
      const attr = kw.attribute ?? attribute
      return iterableItems(v, 'sum').reduce<unknown>(
        (acc, item) =>
          pyBinOp('+', acc, attr === undefined || attr === null ? item : attributePath(item, attr)),
        kw.start ?? start
      )
    },
    map: (v, args, kw) => {
      const items = iterableItems(v, 'map')
      if (args.length === 0 && kw.attribute !== undefined) {
        return items.map((item) => {
          const found = attributePath(item, kw.attribute)
          return found instanceof Undefined && Object.hasOwn(kw, 'default') ? kw.default : found
        })
      }
      const [name, ...rest] = args
      if (name === undefined)
        throw new TemplateError("map: expected a filter name or attribute='...'")
      return items.map((item) => deps.callFilter(String(name), item, rest, kw))
    },
    select: (v, args, kw) => selectWith(deps, iterableItems(v, 'select'), args, kw, true),
    reject: (v, args, kw) => selectWith(deps, iterableItems(v, 'reject'), args, kw, false),
    selectattr: (v, [attr, ...args], kw) =>
      selectWith(deps, iterableItems(v, 'selectattr'), args, kw, true, attr),
    rejectattr: (v, [attr, ...args], kw) =>
      selectWith(deps, iterableItems(v, 'rejectattr'), args, kw, false, attr),
    dict2items: (v, _a, kw) => {
      const d = dictArg(v, 'dict2items')
      const [k, val] = [String(kw.key_name ?? 'key'), String(kw.value_name ?? 'value')]
      return Object.keys(d).map((key) => ({ [k]: key, [val]: d[key] }))
    },
    items2dict: (v, _a, kw) => {
      const [k, val] = [String(kw.key_name ?? 'key'), String(kw.value_name ?? 'value')]
      return Object.fromEntries(
        iterableItems(v, 'items2dict').map((item) => [
          toText(assertDefined(getAttribute(item, k))),
          assertDefined(getAttribute(item, val))
        ])
      )
    },
    dict: (v) =>
      Object.fromEntries(
        iterableItems(v, 'dict').map((pair) => [
          toText((pair as unknown[])[0]),
          (pair as unknown[])[1]
        ])
      ),
    items: (v) => Object.entries(dictArg(v, 'items')),
    combine: (v, others, kw) => {
      const dicts = [v, ...others]
        .flatMap((d) => (Array.isArray(d) ? d : [d]))
        .map((d) => dictArg(d, 'combine'))
      const recursive = pyTruthy(kw.recursive ?? false)
      const listMerge = String(kw.list_merge ?? 'replace')
      return dicts.reduce((acc, d) => combineTwo(acc, d, recursive, listMerge), {})
    },
    regex_search: (v, [pattern, ...groups], kw) =>
      regexSearch(toText(v), toText(pattern), groups, {
        ignorecase: toBoolean(kw.ignorecase ?? false),
        multiline: toBoolean(kw.multiline ?? false)
      }),
    regex_replace: (
      v,
      [pattern = '', replacement = '', ignorecase = false, multiline = false],
      kw
    ) =>
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
    regex_escape: (v) => toText(v).replace(/[^A-Za-z0-9_]/g, '\\$&'),
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
    quote: (v) => shellQuote(v),
    ternary: (v, [whenTrue, whenFalse, whenNone]) => {
      if ((v === null || v === undefined) && whenNone !== undefined) return whenNone
      return pyTruthy(v) ? whenTrue : whenFalse
    },
    type_debug: (v) => pyTypeName(v),
    format: (v, args) => pyFormat(toText(v), args)
  }
  filters.d = filters.default!
  filters.count = filters.length!
  return filters
}
