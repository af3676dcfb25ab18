import { TemplateError } from '../errors.js'
import type { Kwargs } from './attributes.js'
import { pyCompare, pyEquals, pyIn, pyTruthy, toBoolean } from './python.js'
import { regexTest as pythonRegexTest } from './regex-filters.js'
import { Undefined } from './undefined.js'
import { isRecord } from '../values/records.js'

/** A Jinja2 test (`x is name(args)`): receives the value, positional and keyword arguments. */
export type TestFunction = (value: unknown, args: unknown[], kwargs: Kwargs) => unknown

/** Tests that accept an Undefined value without failing. */
export const UNDEFINED_SAFE_TESTS = new Set([
  'defined',
  'undefined',
  // Type tests: Jinja2 hands them the Undefined, which is none of these types (no error).
  'none',
  'string',
  'number',
  'integer',
  'float',
  'boolean',
  'true',
  'false',
  'escaped'
])

function resultDict(test: string, value: unknown): Record<string, unknown> {
  if (!isRecord(value)) throw new TemplateError(`The '${test}' test expects a dictionary`)
  return value
}

function failed(value: unknown): boolean {
  const r = resultDict('failed', value)
  return pyTruthy(r.failed ?? false)
}

function changed(value: unknown): boolean {
  const r = resultDict('changed', value)
  if (Object.hasOwn(r, 'changed')) return pyTruthy(r.changed)
  const results = r.results
  return (
    Array.isArray(results) &&
    results.some((item) => isRecord(item) && pyTruthy(item.changed ?? false))
  )
}

function skipped(value: unknown): boolean {
  return pyTruthy(resultDict('skipped', value).skipped ?? false)
}

// Ansible returns true (with a warning) when an async result has no 'finished'/'started' key.
function asyncFlag(test: 'finished' | 'started') {
  return (value: unknown): boolean => {
    const r = resultDict(test, value)
    return Object.hasOwn(r, test) ? pyEquals(r[test], 1) : true
  }
}

function regexTest(value: unknown, pattern: unknown, kwargs: Kwargs, anchored: boolean): boolean {
  const options = {
    ignorecase: toBoolean(kwargs.ignorecase ?? false),
    multiline: toBoolean(kwargs.multiline ?? false)
  }
  return pythonRegexTest(String(value), String(pattern), options, anchored)
}

const VERSION_OPS: Record<string, string> = {
  '==': '==',
  '=': '==',
  eq: '==',
  '<': '<',
  lt: '<',
  '<=': '<=',
  le: '<=',
  '>': '>',
  gt: '>',
  '>=': '>=',
  ge: '>=',
  '!=': '!=',
  '<>': '!=',
  ne: '!='
}

/** LooseVersion-style parts: numbers compare numerically, other runs as strings. */
function versionParts(version: string): (number | string)[] {
  return (version.match(/\d+|[a-z]+/gi) ?? []).map((p) => (/^\d+$/.test(p) ? Number(p) : p))
}

function compareVersions(a: string, b: string): number {
  const x = versionParts(a)
  const y = versionParts(b)
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const p = x[i]
    const q = y[i]
    if (p === undefined) return -1
    if (q === undefined) return 1
    if (p === q) continue
    if (typeof p === 'number' && typeof q === 'number') return p < q ? -1 : 1
    // LooseVersion compares int with str by type in Python 2; treat numbers as newer than letters.
    if (typeof p === 'number') return 1
    if (typeof q === 'number') return -1
    return p < q ? -1 : 1
  }
  return 0
}

function versionTest(
  value: unknown,
  [version, operator = 'eq']: unknown[],
  kwargs: Kwargs
): boolean {
  const op = VERSION_OPS[String(kwargs.operator ?? operator)]
  if (!op)
    throw new TemplateError(`Invalid operator type (${String(operator)}) for the 'version' test`)
  return pyCompare(op, compareVersions(String(value), String(kwargs.version ?? version)), 0)
}

const compareTest =
  (op: string): TestFunction =>
  (value, [other]) =>
    pyCompare(op, value, other)

/** Jinja2's and Ansible's tests, by name. */
export const TESTS: Record<string, TestFunction> = {
  defined: (v) => !(v instanceof Undefined),
  undefined: (v) => v instanceof Undefined,
  none: (v) => v === null || v === undefined,
  true: (v) => v === true,
  false: (v) => v === false,
  failed,
  failure: failed,
  succeeded: (v) => !failed(v),
  success: (v) => !failed(v),
  successful: (v) => !failed(v),
  changed,
  change: changed,
  skipped,
  skip: skipped,
  finished: asyncFlag('finished'),
  started: asyncFlag('started'),
  unreachable: (v) => pyTruthy(resultDict('unreachable', v).unreachable ?? false),
  reachable: (v) => !pyTruthy(resultDict('unreachable', v).unreachable ?? false),
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number' || typeof v === 'boolean',
  integer: (v) => typeof v === 'number' && Number.isInteger(v),
  float: (v) => typeof v === 'number' && !Number.isInteger(v),
  boolean: (v) => typeof v === 'boolean',
  mapping: (v) => isRecord(v),
  sequence: (v) => typeof v === 'string' || Array.isArray(v) || isRecord(v),
  iterable: (v) => typeof v === 'string' || Array.isArray(v) || isRecord(v),
  callable: (v) => typeof v === 'function',
  // Jinja2's `escaped` (markup-safe text): our strings never are.
  escaped: () => false,
  lower: (v) => typeof v === 'string' && v === v.toLowerCase(),
  upper: (v) => typeof v === 'string' && v === v.toUpperCase(),
  even: (v) => Number(v) % 2 === 0,
  odd: (v) => Math.abs(Number(v) % 2) === 1,
  divisibleby: (v, [n]) => Number(v) % Number(n) === 0,
  match: (v, [pattern], kw) => regexTest(v, pattern, kw, true),
  search: (v, [pattern], kw) => regexTest(v, pattern, kw, false),
  regex: (v, [pattern], kw) =>
    regexTest(v, pattern, kw, String(kw.match_type ?? 'search') === 'match'),
  truthy: (v, [convert], kw) =>
    pyTruthy(pyTruthy(kw.convert_bool ?? convert ?? false) ? toBoolean(v) : v),
  falsy: (v, [convert], kw) =>
    !pyTruthy(pyTruthy(kw.convert_bool ?? convert ?? false) ? toBoolean(v) : v),
  in: (v, [seq]) => pyIn(v, seq),
  contains: (v, [item]) => pyIn(item, v),
  subset: (v, [big]) => Array.isArray(v) && v.every((x) => pyIn(x, big)),
  superset: (v, [small]) => Array.isArray(small) && small.every((x) => pyIn(x, v)),
  sameas: (v, [other]) => v === other,
  equalto: compareTest('=='),
  '==': compareTest('=='),
  eq: compareTest('=='),
  '!=': compareTest('!='),
  ne: compareTest('!='),
  '<': compareTest('<'),
  lt: compareTest('<'),
  '<=': compareTest('<='),
  le: compareTest('<='),
  '>': compareTest('>'),
  gt: compareTest('>'),
  '>=': compareTest('>='),
  ge: compareTest('>='),
  version: versionTest,
  version_compare: versionTest
}
