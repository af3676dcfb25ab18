/** List filters: length, join, first, last, set operations, sort, min, max, sum, map, select. */
import { JinjaError, TemplateError } from '../errors.js'
import type { Kwargs } from './attributes.js'
import {
  type FilterDependencies,
  type FilterFunction,
  attributePath,
  iterableItems,
  toText
} from './filter-args.js'
import {
  PyTuple,
  pyBinOp,
  pyEquals,
  pyIn,
  pyOrder,
  pyTruthy,
  pyTypeName,
  toBoolean
} from './python.js'
import { Undefined, assertDefined } from './undefined.js'
import { isRecord } from '../values/records.js'

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

/** The list filters; map, select and their kin call other filters and tests through `deps`. */
export function listFilters(deps: FilterDependencies): Record<string, FilterFunction> {
  return {
    length: (v) => {
      // Python counts characters (code points), not UTF-16 units.
      if (typeof v === 'string') return [...v].length
      if (Array.isArray(v)) return v.length
      if (isRecord(v)) return Object.keys(v).length
      throw new JinjaError(`object of type '${pyTypeName(v)}' has no len()`, 'type')
    },
    join: (v, [sep = '', attribute], kw) => {
      const attr = kw.attribute ?? attribute
      return iterableItems(v)
        .map((item) =>
          toText(
            attr === undefined || attr === null ? item : assertDefined(attributePath(item, attr))
          )
        )
        .join(toText(kw.d ?? sep))
    },
    first: (v) => {
      const items = iterableItems(v)
      return items.length ? items[0] : new Undefined('No first item, sequence was empty.', 'first')
    },
    last: (v) => {
      const items = iterableItems(v, `'${pyTypeName(v)}' object is not reversible`)
      return items.length
        ? items[items.length - 1]
        : new Undefined('No last item, sequence was empty.', 'last')
    },
    list: (v) => [...iterableItems(v)],
    reverse: (v) =>
      typeof v === 'string' ? [...v].reverse().join('') : [...iterableItems(v)].reverse(),
    unique: (v, [caseSensitive = null, attribute], kw) => {
      // Jinja2's do_unique, which Ansible 2.14 calls: strings compared without case unless asked.
      const sensitive = kw.case_sensitive ?? caseSensitive
      const by = kw.attribute ?? attribute
      const key = sortKey(toBoolean(sensitive ?? false), by)
      const seen: unknown[] = []
      return iterableItems(v).filter((item) => {
        const k = key(item)
        // do_unique keeps a set of what it saw: a list or dict there fails, and Ansible's fallback
        // (equality, which the filter below is) takes over only without case_sensitive=False or attribute.
        if (
          (sensitive === false || (by !== undefined && by !== null)) &&
          ((Array.isArray(k) && !(k instanceof PyTuple)) || isRecord(k))
        )
          throw new TemplateError(
            `Jinja2's unique filter failed and we cannot fall back to Ansible's version as it does not support the parameters supplied. unhashable type: '${pyTypeName(k)}'`
          )
        if (seen.some((x) => pyEquals(x, k))) return false
        seen.push(k)
        return true
      })
    },
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
      return flat(iterableItems(v), 0)
    },
    union: (v, [other]) => uniqueList([...iterableItems(v), ...iterableItems(other)]),
    intersect: (v, [other]) =>
      uniqueList(iterableItems(v).filter((x) => pyIn(x, iterableItems(other)))),
    difference: (v, [other]) =>
      uniqueList(iterableItems(v).filter((x) => !pyIn(x, iterableItems(other)))),
    symmetric_difference: (v, [other]) => {
      const a = iterableItems(v)
      const b = iterableItems(other)
      return uniqueList([...a.filter((x) => !pyIn(x, b)), ...b.filter((x) => !pyIn(x, a))])
    },
    zip: (v, others) => {
      const lists = [iterableItems(v), ...others.map((o) => iterableItems(o))]
      const n = Math.min(...lists.map((l) => l.length))
      return Array.from({ length: n }, (_, i) => PyTuple.of(...lists.map((l) => l[i])))
    },
    sort: (v, [reverse = false, caseSensitive = false, attribute], kw) => {
      const key = sortKey(toBoolean(kw.case_sensitive ?? caseSensitive), kw.attribute ?? attribute)
      const sign = pyTruthy(kw.reverse ?? reverse) ? -1 : 1
      return [...iterableItems(v)].sort((a, b) => pyOrder(key(a), key(b)) * sign)
    },
    min: (v, _a, kw) => minMax(iterableItems(v), kw, 1),
    max: (v, _a, kw) => minMax(iterableItems(v), kw, -1),
    sum: (v, [attribute, start = 0], kw) => {
      const attr = kw.attribute ?? attribute
      return iterableItems(v).reduce<unknown>(
        (acc, item) =>
          pyBinOp('+', acc, attr === undefined || attr === null ? item : attributePath(item, attr)),
        kw.start ?? start
      )
    },
    map: (v, args, kw) => {
      const items = iterableItems(v)
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
    select: (v, args, kw) => selectWith(deps, iterableItems(v), args, kw, true),
    reject: (v, args, kw) => selectWith(deps, iterableItems(v), args, kw, false),
    selectattr: (v, [attr, ...args], kw) =>
      selectWith(deps, iterableItems(v), args, kw, true, attr),
    rejectattr: (v, [attr, ...args], kw) =>
      selectWith(deps, iterableItems(v), args, kw, false, attr)
  }
}
