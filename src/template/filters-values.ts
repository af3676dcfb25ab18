/** Value filters: default, mandatory, ternary, type_debug, bool, int, float, string, abs, round. */
import { TemplateError } from '../errors.js'
import { type FilterFunction, toText } from './filter-args.js'
import { PyFloat, isPyFloat, pyBinOp, pyFloat, pyTruthy, pyTypeName, toBoolean } from './python.js'
import { Undefined } from './undefined.js'

function toInt(value: unknown, dflt: unknown, base: number): unknown {
  if (value instanceof PyFloat) value = value.valueOf()
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
  if (value instanceof PyFloat) return value
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

/** default (and its alias d, added by createFilters), mandatory, ternary and the type filters. */
export const VALUE_FILTERS: Record<string, FilterFunction> = {
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
  // Ansible's bool hands None back (printed as nothing; falsy in a condition).
  bool: (v) => (v === null ? null : toBoolean(v)),
  int: (v, [dflt = 0, base = 10], kw) => toInt(v, kw.default ?? dflt, Number(kw.base ?? base)),
  // Python's float(): a float (`3 | float` is 3.0); else the default, 0.0 unless given (returned as it is).
  float: (v, [dflt = new PyFloat(0)], kw) => {
    const n = toFloat(v, null)
    return typeof n === 'number' ? pyFloat(n) : n === null ? (kw.default ?? dflt) : n
  },
  string: (v) => toText(v),
  abs: (v) => {
    const n = pyBinOp('+', v, 0)
    return n instanceof PyFloat ? pyFloat(Math.abs(n.valueOf())) : Math.abs(Number(n))
  },
  round: (v, [precision = 0, method = 'common'], kw) => {
    // Python's round: a float stays a float (`2.5 | round` is 2.0), an int an int; ceil and floor
    // divide, so they always give a float.
    const x = pyBinOp('+', v, 0)
    const n = Number(x)
    const p = Number(kw.precision ?? precision)
    const m = String(kw.method ?? method)
    if (m === 'ceil') return pyFloat(Math.ceil(n * 10 ** p) / 10 ** p)
    if (m === 'floor') return pyFloat(Math.floor(n * 10 ** p) / 10 ** p)
    if (m !== 'common') throw new TemplateError('method must be common, ceil or floor')
    const rounded = roundHalfEven(n, p)
    return isPyFloat(x) ? pyFloat(rounded) : rounded
  },
  ternary: (v, [whenTrue, whenFalse, whenNone], kw) => {
    const none = kw.none_val ?? whenNone
    if ((v === null || v === undefined) && none !== undefined && none !== null) return none
    return pyTruthy(v) ? (kw.true_val ?? whenTrue) : (kw.false_val ?? whenFalse)
  },
  type_debug: (v) => pyTypeName(v)
}
