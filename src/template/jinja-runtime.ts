/** Runtime patches: strict Undefined lookups, Python str()/in/iteration, compiled-code helpers. */
import { JinjaError, TemplateError } from '../errors.js'
import { type Kwargs, findMethod, getAttribute, hasKey, sliceValue } from './attributes.js'
import { type NunjucksContext, type NunjucksFrame, runtime } from './nunjucks-internals.js'
import {
  PyFloat,
  PyTuple,
  isPyFloat,
  pyBinOp,
  plainNumber,
  pyFloat,
  pyCompare,
  pyIn,
  pyTruthy,
  pyTypeName,
  pythonStr
} from './python.js'
import { TESTS, UNDEFINED_SAFE_TESTS } from './tests.js'
import { Undefined, assertDefined, undefinedVariable } from './undefined.js'
import { isRecord } from '../values/records.js'
import { callLoop, isLoopObject } from './jinja-for.js'

/** Context key holding the caller's variables (nunjucks copies its context, which would run every getter). */
export const VARS_KEY = '__ap_vars__'

/** Splits nunjucks' trailing keyword-arguments object (`__keywords`) off the positional arguments. */
export function splitKeywordArgs(raw: unknown[]): { args: unknown[]; kwargs: Kwargs } {
  const last = raw[raw.length - 1]
  if (isRecord(last) && Object.hasOwn(last, '__keywords')) {
    const { __keywords: _ignored, ...kwargs } = last
    return { args: raw.slice(0, -1), kwargs }
  }
  return { args: raw, kwargs: {} }
}

/** Throws the undefined-variable error of the value or any argument that is Undefined. */
export function assertArgumentsDefined(value: unknown, args: unknown[], kwargs: Kwargs): void {
  assertDefined(value)
  for (const arg of args) assertDefined(arg)
  for (const key of Object.keys(kwargs)) assertDefined(kwargs[key])
}

/** Tests that judge a value's type, so they see an integral float (PyFloat) as one. */
const FLOAT_AWARE_TESTS = new Set(['float', 'integer', 'number'])

/** The environment a template runs in, as the `filter` test reads it (nunjucks' filter table). */
export interface FilterTable {
  filters: Record<string, unknown>
}

/**
 * Jinja2 3.x's `filter` and `test` tests: whether a filter or test of that name exists. Ansible 2.14
 * answers True or fails (its plugin loader raises on a name it cannot load), never False: so do we.
 */
function nameTest(kind: 'filter' | 'test', value: unknown, env: FilterTable | undefined): boolean {
  assertDefined(value)
  if (typeof value !== 'string')
    throw new TemplateError(
      `the '${kind}' test needs a ${kind} name (a string), got ${pyTypeName(value)}`
    )
  const known =
    kind === 'test'
      ? Object.hasOwn(TESTS, value) || value === 'filter' || value === 'test'
      : env !== undefined && Object.hasOwn(env.filters, value)
  if (!known)
    throw new TemplateError(
      `Could not load "${value}": no ${kind} of that name (Ansible fails here too, it never answers False)`
    )
  return true
}

/** Runs the Jinja2/Ansible test `name` (`x is name(args)`) with Python truthiness. */
export function callTest(
  name: string,
  value: unknown,
  args: unknown[],
  kwargs: Kwargs,
  env?: FilterTable
): boolean {
  if (name === 'filter' || name === 'test') return nameTest(name, value, env)
  const test = Object.hasOwn(TESTS, name) ? TESTS[name] : undefined
  if (!test) throw new JinjaError(`Could not load "${name}": '${name}'`, 'syntax')
  if (!UNDEFINED_SAFE_TESTS.has(name)) assertArgumentsDefined(value, args, kwargs)
  // Tests other than the type tests see an integral float (PyFloat) as a plain number.
  if (!FLOAT_AWARE_TESTS.has(name)) {
    value = plainNumber(value)
    args = args.map(plainNumber)
  }
  return pyTruthy(test(value, args, kwargs))
}

function lookupVariable(context: NunjucksContext, frame: NunjucksFrame, name: string): unknown {
  const local = frame.lookup(name)
  if (local !== undefined) return local
  const ctx = context.ctx
  if (Object.hasOwn(ctx, name)) return ctx[name]
  const vars = ctx[VARS_KEY] as Record<string, unknown> | undefined
  if (vars && hasKey(vars, name)) {
    const value = vars[name]
    return value === undefined ? undefinedVariable(name) : value
  }
  if (Object.hasOwn(context.env.globals, name)) return context.env.globals[name]
  return undefinedVariable(name)
}

function callFunction(fn: unknown, name: string, context: unknown, args: unknown[]): unknown {
  if (fn instanceof Undefined) fn.fail()
  if (isLoopObject(fn)) return callLoop(fn, args)
  if (typeof fn !== 'function')
    throw new TemplateError(`'${pyTypeName(fn)}' object is not callable: ${name}`)
  return (fn as (...a: unknown[]) => unknown).apply(context, args)
}

/** Installs the runtime patches and helpers on nunjucks' runtime (once, from installJinjaCompat). */
export function installRuntimePatches(): void {
  Object.assign(runtime, {
    contextOrFrameLookup: lookupVariable,
    memberLookup: (obj: unknown, key: unknown, ...slice: unknown[]) =>
      slice.length === 2 ? sliceValue(obj, key, slice[0], slice[1]) : getAttribute(obj, key),
    callWrap: callFunction,
    // As Ansible's finalize: None prints as nothing.
    suppressValue: (value: unknown) => (value === null ? '' : pythonStr(value)),
    inOperator: (item: unknown, container: unknown) => pyIn(item, container),
    fromIterator: (value: unknown) => {
      assertDefined(value)
      if (typeof value === 'string') return [...value]
      if (isRecord(value)) return Object.keys(value)
      if (value === null || value === undefined)
        throw new JinjaError("'NoneType' object is not iterable", 'type')
      return value
    },
    __apTruthy: pyTruthy,
    __apOr: (left: unknown, right: () => unknown) => (pyTruthy(left) ? left : right()),
    __apAnd: (left: unknown, right: () => unknown) => (pyTruthy(left) ? right() : left),
    __apBinOp: pyBinOp,
    __apFloat: (n: number) => new PyFloat(n),
    __apTuple: (items: unknown[]) => PyTuple.of(...items),
    // Unary minus: `-0.0` is -0.0, as in Python (0 - 0.0 would be 0.0).
    __apNeg: (value: unknown) =>
      isPyFloat(value) ? pyFloat(-Number(value)) : pyBinOp('-', 0, value),
    __apConcat: (left: unknown, right: unknown) => pythonStr(left) + pythonStr(right),
    __apCompare: (first: unknown, ...rest: unknown[]) => {
      let left = first
      for (let i = 0; i < rest.length; i += 2) {
        const right = rest[i + 1]
        if (!pyCompare(String(rest[i]), left, right)) return false
        left = right
      }
      return true
    },
    __apTest: (name: string, value: unknown, raw: unknown[], env: FilterTable) => {
      const { args, kwargs } = splitKeywordArgs(raw)
      return callTest(name, value, args, kwargs, env)
    },
    __apDict: (pairs: [unknown, unknown][]) => {
      const out: Record<string, unknown> = {}
      for (const [key, value] of pairs) out[pythonStr(assertDefined(key))] = value
      return out
    },
    __apCallMember: (
      obj: unknown,
      key: unknown,
      name: string,
      context: unknown,
      raw: unknown[]
    ) => {
      assertDefined(obj)
      const method = typeof key === 'string' ? findMethod(obj, key) : undefined
      if (method) {
        const { args, kwargs } = splitKeywordArgs(raw)
        return method(args, kwargs)
      }
      return callFunction(getAttribute(obj, key), name, context, raw)
    }
  })
}
