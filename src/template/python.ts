import { ansibleBoolean } from '../ansible-boolean.js'
import { JinjaError, TemplateError } from '../errors.js'
import { Undefined, assertDefined } from './undefined.js'
import { isRecord } from '../values/records.js'
import {
  PyFloat,
  pyFloat,
  pyFloatRepr as floatRepr,
  pyNumberRepr as pyNumber
} from '../values/py-float.js'

export { PyFloat, plainNumber, pyFloat } from '../values/py-float.js'

/**
 * A value of a Python class of ours (to_datetime's datetime and timedelta): its type name, repr(), an
 * ordering key for `==`/`<` between two of the same type, and binary operators (undefined: not supported).
 */
export interface PyObject {
  readonly pyType: string
  pyRepr(): string
  pyOrderKey(): number
  pyBinOp(op: string, other: unknown): unknown
}

/** Whether a value is one of our Python class instances (PyObject). */
export function isPyObject(value: unknown): value is PyObject {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<PyObject>).pyType === 'string' &&
    typeof (value as Partial<PyObject>).pyBinOp === 'function'
  )
}

/** Whether a list or dict holds a PyObject at any depth (its repr is then no Python literal). */
export function holdsPyObject(value: unknown): boolean {
  if (isPyObject(value)) return true
  if (Array.isArray(value)) return value.some(holdsPyObject)
  if (isRecord(value)) return Object.values(value).some(holdsPyObject)
  return false
}

const samePyType = (a: unknown, b: unknown): [PyObject, PyObject] | undefined =>
  isPyObject(a) && isPyObject(b) && a.pyType === b.pyType ? [a, b] : undefined

/** A Python tuple (what re.findall, os.path.splitext … return): a list everywhere, printed `(a, b)`. */
export class PyTuple<T = unknown> extends Array<T> {
  // What map, filter, slice… make of a tuple is a list: a filter's result is a tuple only where it says so.
  static override get [Symbol.species](): ArrayConstructor {
    return Array
  }

  /** A tuple of the given items (`new PyTuple(n)` would make n empty slots, as Array does). */
  static of<T>(...items: T[]): PyTuple<T> {
    const tuple = new PyTuple<T>()
    tuple.push(...items)
    return tuple
  }
}

/** Whether a value is a Python float: a PyFloat, or a number with a fraction (or inf, nan). */
export function isPyFloat(value: unknown): boolean {
  return value instanceof PyFloat || (typeof value === 'number' && !Number.isInteger(value))
}

/**
 * A value as it leaves a task (its result, its facts, a loop's items): every tuple (PyTuple) at any depth
 * of lists and dicts a list, as Ansible's task results hold lists (`zip`'s pairs set by set_fact print
 * `[[1, 2]]` afterwards, where the same expression inside one template prints `[(1, 2)]`). Copies only
 * the containers on the way to a tuple, and keeps a mapping's symbol-keyed marks; the rest is shared.
 */
export function tuplesAsLists<T>(value: T): T {
  return listsWith(value, new Map()) as T
}

/**
 * tuplesAsLists' walk. Each list or mapping is looked at once (`seen` holds what it became): values that
 * YAML aliases share (a "billion laughs" of nested aliases in an inventory) stay a small graph, not a tree
 * walked exponentially often.
 */
function listsWith(value: unknown, seen: Map<object, unknown>): unknown {
  if (value === null || typeof value !== 'object') return value
  if (seen.has(value)) return seen.get(value)
  seen.set(value, value)
  let out: unknown = value
  if (Array.isArray(value)) {
    const items = value.map((item: unknown) => listsWith(item, seen))
    if (value instanceof PyTuple || items.some((item, i) => item !== value[i])) out = items
  } else if (isRecord(value)) {
    const keys = Object.keys(value).filter((key) => listsWith(value[key], seen) !== value[key])
    if (keys.length > 0) {
      const copy = Object.create(Object.getPrototypeOf(value) as object | null) as Record<
        string,
        unknown
      >
      Object.defineProperties(copy, Object.getOwnPropertyDescriptors(value))
      for (const key of keys) copy[key] = seen.get(value[key] as object)
      out = copy
    }
  }
  seen.set(value, out)
  return out
}

/** A value with every PyFloat, at any depth of lists and dicts, made a plain number again. */
export function plainNumbers(value: unknown): unknown {
  if (value instanceof PyFloat) return value.valueOf()
  if (Array.isArray(value)) {
    if (!value.some((item) => plainNumbers(item) !== item)) return value
    const out = value instanceof PyTuple ? new PyTuple<unknown>() : ([] as unknown[])
    for (const item of value) out.push(plainNumbers(item))
    return out
  }
  if (isRecord(value)) {
    const keys = Object.keys(value)
    if (!keys.some((k) => plainNumbers(value[k]) !== value[k])) return value
    const out: Record<string, unknown> = Object.create(
      Object.getPrototypeOf(value) as object | null
    )
    for (const k of keys) out[k] = plainNumbers(value[k])
    return out
  }
  return value
}

/** Python's type name of a value, for error messages: str, int, float, bool, NoneType, list, dict. */
export function pyTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType'
  if (isPyObject(value)) return value.pyType
  if (value instanceof PyFloat) return 'float'
  if (value instanceof Undefined) return 'AnsibleUndefined'
  if (typeof value === 'boolean') return 'bool'
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float'
  if (typeof value === 'string') return 'str'
  if (value instanceof PyTuple) return 'tuple'
  if (Array.isArray(value)) return 'list'
  if (isRecord(value)) return 'dict'
  if (typeof value === 'function') return 'function'
  return typeof value
}

/** Jinja2's object_type_repr: `'dict object'`, `'list object'`, `None`. */
export function objectTypeRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None'
  return `${pyTypeName(value)} object`
}

/** Python repr() of a string: single quotes unless the text holds a ' and no ". */
export function pyStringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'"
  let out = quote
  for (const ch of text) {
    const code = ch.codePointAt(0)!
    if (ch === '\\') out += '\\\\'
    else if (ch === quote) out += '\\' + quote
    else if (ch === '\n') out += '\\n'
    else if (ch === '\r') out += '\\r'
    else if (ch === '\t') out += '\\t'
    else if (code < 0x20 || code === 0x7f) out += '\\x' + code.toString(16).padStart(2, '0')
    else out += ch
  }
  return out + quote
}

/** Python repr() of a value: strings quoted, True/False/None, lists and dicts as Python prints them. */
export function pyRepr(value: unknown): string {
  if (value instanceof Undefined) value.fail()
  if (isPyObject(value)) return value.pyRepr()
  if (typeof value === 'string') return pyStringRepr(value)
  if (value instanceof PyTuple)
    return '(' + value.map(pyRepr).join(', ') + (value.length === 1 ? ',)' : ')')
  if (Array.isArray(value)) return '[' + value.map(pyRepr).join(', ') + ']'
  if (isRecord(value)) {
    return (
      '{' +
      Object.keys(value)
        .map((k) => `${pyStringRepr(k)}: ${pyRepr(value[k])}`)
        .join(', ') +
      '}'
    )
  }
  return pythonStr(value)
}

/**
 * Python-style str() of a value, as Ansible prints a non-string that lands in a larger string:
 * True/False/None, numbers, lists and dicts in Python repr (`['a', 1]`, `{'k': 'v'}`). Strings are unchanged.
 */
export function pythonStr(value: unknown): string {
  if (typeof value === 'string') return value
  if (value === null || value === undefined) return 'None'
  if (value === true) return 'True'
  if (value === false) return 'False'
  if (typeof value === 'number') return pyNumber(value)
  if (value instanceof PyFloat) return floatRepr(value.valueOf())
  if (value instanceof Undefined) value.fail()
  if (Array.isArray(value) || isRecord(value)) return pyRepr(value)
  return String(value)
}

/** Python truthiness: None, False, 0, '', [] and {} are false. Undefined throws. */
export function pyTruthy(value: unknown): boolean {
  if (value instanceof Undefined) value.fail()
  if (value === null || value === undefined) return false
  if (typeof value === 'boolean') return value
  if (typeof value === 'number') return value !== 0
  if (value instanceof PyFloat) return value.valueOf() !== 0
  if (typeof value === 'string') return value.length > 0
  if (Array.isArray(value)) return value.length > 0
  if (isRecord(value)) return Object.keys(value).length > 0
  return true
}

/**
 * Ansible's `bool` filter: true for true, 1 and the strings 'yes', 'on', '1', 'true' (any case);
 * false for everything else, including unrecognised strings and None. Filters and tests read their
 * boolean options (`ignorecase`, `case_sensitive`…) this way too, as Jinja2 takes any value there.
 */
export function toBoolean(value: unknown): boolean {
  assertDefined(value)
  return ansibleBoolean(value, 'filter')
}

/** Whether a value is a Python number: int, float (plain or PyFloat) or bool. */
export function isNumeric(value: unknown): value is number | boolean | PyFloat {
  return typeof value === 'number' || typeof value === 'boolean' || value instanceof PyFloat
}

/** Python `==`: deep for lists and dicts, True == 1, never coerces strings to numbers. Undefined throws. */
export function pyEquals(a: unknown, b: unknown): boolean {
  assertDefined(a)
  assertDefined(b)
  if (isNumeric(a) && isNumeric(b)) return Number(a) === Number(b)
  if (a === undefined) a = null
  if (b === undefined) b = null
  if (a === b) return true
  const objects = samePyType(a, b)
  if (objects) return objects[0].pyOrderKey() === objects[1].pyOrderKey()
  if (Array.isArray(a) && Array.isArray(b)) {
    // A tuple never equals a list: (1, 2) == [1, 2] is False.
    if (a instanceof PyTuple !== b instanceof PyTuple) return false
    return a.length === b.length && a.every((item, i) => pyEquals(item, b[i]))
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a)
    return (
      keys.length === Object.keys(b).length &&
      keys.every((k) => Object.hasOwn(b, k) && pyEquals(a[k], b[k]))
    )
  }
  return false
}

function orderError(op: string, a: unknown, b: unknown): TemplateError {
  return new TemplateError(
    `'${op}' not supported between instances of '${pyTypeName(a)}' and '${pyTypeName(b)}'`
  )
}

/** Python ordering: -1, 0 or 1. Numbers with numbers, strings with strings, lists lexicographically. */
export function pyOrder(a: unknown, b: unknown, op = '<'): number {
  assertDefined(a)
  assertDefined(b)
  if (isNumeric(a) && isNumeric(b)) return Math.sign(Number(a) - Number(b))
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0
  const objects = samePyType(a, b)
  if (objects) return Math.sign(objects[0].pyOrderKey() - objects[1].pyOrderKey())
  if (Array.isArray(a) && Array.isArray(b) && a instanceof PyTuple === b instanceof PyTuple) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (!pyEquals(a[i], b[i])) return pyOrder(a[i], b[i], op)
    }
    return Math.sign(a.length - b.length)
  }
  throw orderError(op, a, b)
}

/** Applies one Jinja2 comparison operator with Python semantics. */
export function pyCompare(op: string, a: unknown, b: unknown): boolean {
  switch (op) {
    case '==':
    case '===':
      return pyEquals(a, b)
    case '!=':
    case '!==':
      return !pyEquals(a, b)
    case '<':
      return pyOrder(a, b, op) < 0
    case '<=':
      return pyOrder(a, b, op) <= 0
    case '>':
      return pyOrder(a, b, op) > 0
    case '>=':
      return pyOrder(a, b, op) >= 0
    default:
      throw new TemplateError(`unknown comparison operator '${op}'`)
  }
}

/** Python `in`: substring for strings, deep membership for lists, key membership for dicts. */
export function pyIn(item: unknown, container: unknown): boolean {
  assertDefined(item)
  assertDefined(container)
  if (typeof container === 'string') {
    if (typeof item !== 'string') {
      throw new JinjaError(
        `'in <string>' requires string as left operand, not ${pyTypeName(item)}`,
        'type'
      )
    }
    return container.includes(item)
  }
  if (Array.isArray(container)) return container.some((x) => pyEquals(x, item))
  if (isRecord(container)) {
    return (
      (typeof item === 'string' || typeof item === 'number') &&
      Object.hasOwn(container, String(item))
    )
  }
  throw new JinjaError(`argument of type '${pyTypeName(container)}' is not iterable`, 'type')
}

function binOpError(op: string, a: unknown, b: unknown): TemplateError {
  return new JinjaError(
    `unsupported operand type(s) for ${op}: '${pyTypeName(a)}' and '${pyTypeName(b)}'`,
    'type'
  )
}

function repeat<T>(seq: T, times: number): T {
  const n = Math.max(0, Math.trunc(times))
  if (typeof seq === 'string') return seq.repeat(n) as T
  const out: unknown[] = seq instanceof PyTuple ? new PyTuple() : []
  for (let i = 0; i < n; i++) out.push(...(seq as unknown[]))
  return out as T
}

function numericOp(op: string, x: number, y: number): number | undefined {
  switch (op) {
    case '+':
      return x + y
    case '-':
      return x - y
    case '*':
      return x * y
    case '/':
      return x / y
    case '//':
      return Math.floor(x / y)
    case '%': {
      const r = x % y
      return r !== 0 && r < 0 !== y < 0 ? r + y : r
    }
    case '**':
      return x ** y
  }
  return undefined
}

/** Python arithmetic: + - * / // % ** (lists and strings concatenate and repeat; division by zero throws). */
export function pyBinOp(op: string, a: unknown, b: unknown): unknown {
  assertDefined(a)
  assertDefined(b)
  if (isPyObject(a)) {
    const result = a.pyBinOp(op, b)
    if (result !== undefined) return result
  }
  if (isNumeric(a) && isNumeric(b)) {
    const x = Number(a)
    const y = Number(b)
    if ((op === '/' || op === '//' || op === '%') && y === 0) {
      throw new TemplateError(op === '%' ? 'integer modulo by zero' : 'division by zero')
    }
    // Python: an operation with a float operand gives a float, so does true division (and an int to a
    // negative power); ints otherwise.
    const float = isPyFloat(a) || isPyFloat(b) || op === '/' || (op === '**' && y < 0)
    const result = numericOp(op, x, y)
    if (result !== undefined) return float ? pyFloat(result) : result
  }
  // Only a tuple spreads into several arguments; a dict or a list is one argument that may also serve
  // as the mapping (Python takes anything subscriptable there, so `'x' % [1]` is no error).
  if (op === '%' && typeof a === 'string') {
    if (b instanceof PyTuple) return pyFormat(a, b)
    return pyFormat(a, [b], isRecord(b) || Array.isArray(b) ? b : undefined)
  }
  if (op === '+') {
    if (typeof a === 'string' && typeof b === 'string') return a + b
    if (Array.isArray(a) && Array.isArray(b)) {
      const tuple = a instanceof PyTuple
      if (tuple !== b instanceof PyTuple) {
        throw new JinjaError(
          `can only concatenate ${pyTypeName(a)} (not "${pyTypeName(b)}") to ${pyTypeName(a)}`,
          'type'
        )
      }
      return tuple ? PyTuple.of(...a, ...b) : [...a, ...b]
    }
  }
  if (op === '*') {
    if ((typeof a === 'string' || Array.isArray(a)) && typeof b === 'number') return repeat(a, b)
    if (typeof a === 'number' && (typeof b === 'string' || Array.isArray(b))) return repeat(b, a)
  }
  throw binOpError(op, a, b)
}

/** Python printf-style formatting (`'%s-%02d' % (a, b)` and the `format` filter): s r d i f e x o c %. */
export function pyFormat(
  format: string,
  values: unknown[],
  mapping?: Record<string, unknown> | unknown[]
): string {
  let next = 0
  const take = (key?: string): unknown => {
    if (key !== undefined) {
      if (!mapping) throw new TemplateError('format requires a mapping')
      if (Array.isArray(mapping))
        throw new TemplateError('list indices must be integers or slices, not str')
      if (!Object.hasOwn(mapping, key)) throw new TemplateError(`KeyError: '${key}'`)
      return assertDefined(mapping[key])
    }
    if (next >= values.length) throw new TemplateError('not enough arguments for format string')
    return assertDefined(values[next++])
  }
  const out = format.replace(
    /%(?:\(([^)]*)\))?([-+ 0#]*)(\d+)?(?:\.(\d+))?([sridfFeExXoc%])/g,
    (
      _m,
      key: string | undefined,
      flags: string,
      width: string | undefined,
      precision: string | undefined,
      conv: string
    ) => {
      if (conv === '%') return '%'
      const value = take(key)
      const prec = precision === undefined ? undefined : Number(precision)
      let text: string
      const num = (): number => {
        if (!isNumeric(value)) {
          throw new TemplateError(`%${conv} format: a number is required, not ${pyTypeName(value)}`)
        }
        return Number(value)
      }
      switch (conv) {
        case 's':
          text = pythonStr(value)
          if (prec !== undefined) text = text.slice(0, prec)
          break
        case 'r':
          text = pyRepr(value)
          break
        case 'd':
        case 'i':
          text = String(Math.trunc(num()))
          break
        case 'f':
        case 'F':
          text = num().toFixed(prec ?? 6)
          break
        case 'e':
        case 'E':
          text = num()
            .toExponential(prec ?? 6)
            .replace(/e([+-])(\d)$/, 'e$10$2')
          if (conv === 'E') text = text.toUpperCase()
          break
        case 'x':
        case 'X':
          text = Math.trunc(num()).toString(16)
          if (conv === 'X') text = text.toUpperCase()
          break
        case 'o':
          text = Math.trunc(num()).toString(8)
          break
        default:
          text = typeof value === 'number' ? String.fromCodePoint(value) : pythonStr(value)
      }
      if (flags.includes('+') && /^[\d]/.test(text) && conv !== 's' && conv !== 'r')
        text = '+' + text
      const w = width === undefined ? 0 : Number(width)
      if (flags.includes('-')) return text.padEnd(w)
      if (flags.includes('0') && conv !== 's' && conv !== 'r') {
        const sign = /^[+-]/.test(text) ? text[0]! : ''
        return sign + text.slice(sign.length).padStart(w - sign.length, '0')
      }
      return text.padStart(w)
    }
  )
  // A mapping argument (`'%(k)s' % d`, or one dict or list printed whole) is never "not all converted".
  if (next < values.length && !mapping)
    throw new TemplateError('not all arguments converted during string formatting')
  return out
}
