/**
 * Ansible's argument types and how a value is converted to each, as its type checkers do
 * (check_type_str, _bool, _int, _float, _list, _dict), with the reason it gives when it cannot be.
 * Split from arg-spec.ts, which applies them.
 */
import { ansibleBoolean } from '../ansible-boolean.js'
import { dict } from '../values/dict.js'
import { parsePythonLiteral } from '../values/python-literal.js'
import { pyStringRepr, pythonStr } from '../template/python.js'
import { PyFloat, isNumeric } from '../values/py-float.js'

/**
 * Ansible's argument types. `path` is a string here: the `~` and `$VAR` Ansible's module expands on the
 * target are expanded by our module on the target too, never on the controller.
 */
export type ArgType = 'str' | 'bool' | 'int' | 'float' | 'path' | 'list' | 'dict' | 'raw'

/**
 * A conversion of our own, as Ansible allows a callable as a type (pause's `int`, which takes what
 * Python's int() takes). `convert` throws ArgConversionError with the reason shown after "unable to
 * convert to <name>: ".
 */
export interface ArgConverter {
  readonly name: string
  convert(value: unknown): unknown
}

/** A value that cannot be converted to an argument's type: the message is the reason Ansible gives. */
export class ArgConversionError extends Error {}

/**
 * Python's int() as a type (Ansible's pause declares `type: int`, the callable): it takes what int()
 * takes, a float truncated included, and fails with Python's message.
 */
export const pythonIntCall: ArgConverter = {
  name: 'int',
  convert(value) {
    if (typeof value === 'boolean') return value ? 1 : 0
    if (isNumeric(value)) return Math.trunc(Number(value))
    if (typeof value === 'string') {
      if (PYTHON_INT.test(value)) return Number(value.replace(/_/g, '').trim())
      throw new ArgConversionError(`invalid literal for int() with base 10: ${pyStringRepr(value)}`)
    }
    throw new ArgConversionError(
      `int() argument must be a string, a bytes-like object or a real number, not '${pythonClass(value)}'`
    )
  }
}

/** Python's class name of a value as a module sees it (JSON types). */
export function pythonClass(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType'
  if (typeof value === 'boolean') return 'bool'
  if (value instanceof PyFloat) return 'float'
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float'
  if (typeof value === 'string') return 'str'
  if (Array.isArray(value)) return 'list'
  return 'dict'
}

function cannot(value: unknown, what: string): ArgConversionError {
  return new ArgConversionError(`<class '${pythonClass(value)}'> cannot be converted to ${what}`)
}

/** Converts a value as Ansible's type checkers do (check_type_str, _list, _dict, _bool, _int, _float). */
export function convert(type: ArgType | ArgConverter, value: unknown): unknown {
  if (typeof type !== 'string') return type.convert(value)
  switch (type) {
    case 'raw':
      return value
    case 'str':
    case 'path':
      return typeof value === 'string' ? value : pythonStr(value)
    case 'bool':
      if (typeof value === 'boolean') return value
      if (typeof value !== 'string' && !isNumeric(value)) throw cannot(value, 'a bool')
      try {
        return ansibleBoolean(value, 'strict')
      } catch (error) {
        throw new ArgConversionError((error as Error).message)
      }
    case 'int':
      // Python's bool is an int; a float is not, even 3.0 (Ansible 2.14's check_type_int refuses it).
      if (typeof value === 'boolean') return value ? 1 : 0
      if (typeof value === 'number' && Number.isInteger(value)) return value
      if (typeof value === 'string' && PYTHON_INT.test(value))
        return Number(value.replace(/_/g, '').trim())
      throw cannot(value, 'an int')
    case 'float':
      // The module gets the number (a float it is by its type).
      if (isNumeric(value)) return Number(value)
      if (typeof value === 'boolean') return value ? 1 : 0
      if (typeof value === 'string') {
        const n = pythonFloat(value)
        if (n !== undefined) return n
      }
      throw cannot(value, 'a float')
    case 'list':
      if (Array.isArray(value)) return value
      if (typeof value === 'string') return value.split(',')
      if (isNumeric(value) || typeof value === 'boolean') return [pythonStr(value)]
      throw cannot(value, 'a list')
    case 'dict':
      return toDict(value)
  }
}

/** What Python's int() takes from a string: an optional sign, digits (with single underscores), blanks around. */
const PYTHON_INT = /^\s*[+-]?\d+(?:_\d+)*\s*$/

/** Python's float() of a string, or undefined where it raises. */
function pythonFloat(text: string): number | undefined {
  const t = text.trim().toLowerCase()
  if (/^[+-]?(inf|infinity)$/.test(t)) return t.startsWith('-') ? -Infinity : Infinity
  if (/^[+-]?nan$/.test(t)) return NaN
  const digits = String.raw`\d+(?:_\d+)*`
  const number = new RegExp(
    `^[+-]?(?:${digits}(?:\\.(?:${digits})?)?|\\.${digits})(?:e[+-]?${digits})?$`
  )
  return number.test(t) ? Number(t.replace(/_/g, '')) : undefined
}

/**
 * check_type_dict: a mapping as is; a string starting with `{` as JSON or a Python literal; a string with
 * `=` as `k=v` pairs separated by commas or blanks (quotes and backslashes as Ansible reads them).
 */
function toDict(value: unknown): Record<string, unknown> {
  // An integral float is an object here, but no mapping.
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && !isNumeric(value))
    return value as Record<string, unknown>
  if (typeof value !== 'string') throw cannot(value, 'a dict')
  if (value.startsWith('{')) {
    let parsed: unknown
    try {
      parsed = JSON.parse(value)
    } catch {
      parsed = parsePythonLiteral(value)
      if (typeof parsed === 'string')
        throw new ArgConversionError('unable to evaluate string as dictionary')
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new ArgConversionError('unable to evaluate string as dictionary')
    return parsed as Record<string, unknown>
  }
  if (!value.includes('='))
    throw new ArgConversionError('dictionary requested, could not parse JSON or key=value')
  const fields: string[] = []
  let buffer = ''
  let quote: string | undefined
  let escaped = false
  for (const c of value.trim()) {
    if (escaped) {
      buffer += c
      escaped = false
    } else if (c === '\\') escaped = true
    else if (!quote && (c === "'" || c === '"')) quote = c
    else if (quote === c) quote = undefined
    else if (!quote && (c === ',' || c === ' ')) {
      if (buffer) fields.push(buffer)
      buffer = ''
    } else buffer += c
  }
  if (buffer) fields.push(buffer)
  const out: Record<string, unknown> = dict()
  for (const field of fields) {
    const eq = field.indexOf('=')
    // Python's dict() of a field without `=` fails on its length.
    if (eq < 0)
      throw new ArgConversionError(
        'dictionary update sequence element #0 has length 1; 2 is required'
      )
    out[field.slice(0, eq)] = field.slice(eq + 1)
  }
  return out
}
