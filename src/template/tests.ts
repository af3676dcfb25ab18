import { TemplateError } from '../errors.js'
import type { Kwargs } from './attributes.js'
import {
  PyFloat,
  isPyFloat,
  pyCompare,
  pyEquals,
  pyIn,
  pyTruthy,
  pythonStr,
  toBoolean
} from './python.js'
import { regexTest as pythonRegexTest } from './regex-filters.js'
import { compareVersions } from './versions.js'
import { PATH_TESTS } from './tests-paths.js'
import { Undefined } from './undefined.js'
import { isRecord } from '../values/records.js'
import { vaultKeyring } from '../vault/keyring.js'

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

function versionTest(
  value: unknown,
  [version, operator = 'eq', strict = false, versionType]: unknown[],
  kwargs: Kwargs
): boolean {
  const opName = String(kwargs.operator ?? operator)
  const op = VERSION_OPS[opName]
  if (!op)
    throw new TemplateError(
      `Invalid operator type (${opName}). Must be one of ${Object.keys(VERSION_OPS)
        .map((o) => `'${o}'`)
        .join(', ')}`
    )
  const other = pythonStr(kwargs.version ?? version)
  if (other === '' || other === 'None')
    throw new TemplateError('Version parameter to compare against cannot be empty')
  const typeArg = kwargs.version_type ?? versionType
  const type =
    typeArg !== undefined && typeArg !== null
      ? String(typeArg)
      : pyTruthy(kwargs.strict ?? strict)
        ? 'strict'
        : 'loose'
  return pyCompare(op, compareVersions(pythonStr(value), other, type), 0)
}

function iterable(test: string, value: unknown): unknown[] {
  if (Array.isArray(value)) return value
  if (typeof value === 'string') return [...value]
  if (isRecord(value)) return Object.keys(value)
  throw new TemplateError(`The '${test}' test expects a list`)
}

// Python's set(a).issubset(b): any iterables (a string is its characters).
function isSubset(small: unknown, big: unknown): boolean {
  const container = iterable('subset', big)
  return iterable('subset', small).every((x) => pyIn(x, container))
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
  number: (v) => typeof v === 'number' || typeof v === 'boolean' || v instanceof PyFloat,
  integer: (v) => typeof v === 'number' && Number.isInteger(v),
  float: (v) => isPyFloat(v),
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
  subset: (v, [big]) => isSubset(v, big),
  issubset: (v, [big]) => isSubset(v, big),
  superset: (v, [small]) => isSubset(small, v),
  issuperset: (v, [small]) => isSubset(small, v),
  all: (v) => iterable('all', v).every(pyTruthy),
  any: (v) => iterable('any', v).some(pyTruthy),
  nan: (v) => typeof v === 'number' && Number.isNaN(v),
  isnan: (v) => typeof v === 'number' && Number.isNaN(v),
  // A `!vault` value is decrypted when it is loaded, so the test asks the keyring whether the text is one;
  // vault text written as a plain string is no vault value (as in Ansible: only the `!vault` object is).
  vault_encrypted: (v) => vaultKeyring().isVaultValue(v),
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
  version_compare: versionTest,
  ...PATH_TESTS
}

// Ansible's own test plugins answer to `ansible.builtin.NAME` too (Jinja2's builtins do not).
for (const name of [
  'abs',
  'all',
  'any',
  'change',
  'changed',
  'contains',
  'directory',
  'exists',
  'failed',
  'failure',
  'falsy',
  'file',
  'finished',
  'is_abs',
  'is_dir',
  'is_file',
  'is_link',
  'is_mount',
  'is_same_file',
  'isnan',
  'issubset',
  'issuperset',
  'link',
  'link_exists',
  'match',
  'mount',
  'nan',
  'reachable',
  'regex',
  'same_file',
  'search',
  'skip',
  'skipped',
  'started',
  'subset',
  'succeeded',
  'success',
  'successful',
  'superset',
  'truthy',
  'unreachable',
  'uri',
  'url',
  'urn',
  'vault_encrypted',
  'version',
  'version_compare'
])
  // prettier-ignore
  if (TESTS[name]) TESTS[`ansible.builtin.${name}`] = TESTS[name]
