/** Python's `str.format` (`'{}-{name:>5}'.format(a, name=b)`), as templates call it on strings. */
import { TemplateError } from '../errors.js'
import { getAttribute } from './attributes.js'
import { PyFloat, pyRepr, pyTypeName, pythonStr } from './python.js'
import { assertDefined } from './undefined.js'

const SPEC = /^(?:(.)?([<>=^]))?([-+ ])?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/su

function group(digits: string, separator: string | undefined): string {
  return separator ? digits.replace(/\B(?=(\d{3})+(?!\d))/g, separator) : digits
}

function formatNumber(value: number, type: string, precision: number | undefined): string {
  switch (type) {
    case 'd':
    case 'n':
      if (!Number.isInteger(value))
        throw new TemplateError(`Unknown format code 'd' for object of type 'float'`)
      return String(Math.abs(value))
    case 'f':
    case 'F':
      return Math.abs(value).toFixed(precision ?? 6)
    case 'e':
    case 'E': {
      const text = Math.abs(value)
        .toExponential(precision ?? 6)
        .replace(/e([+-])(\d)$/, 'e$10$2')
      return type === 'E' ? text.toUpperCase() : text
    }
    case '%':
      return (Math.abs(value) * 100).toFixed(precision ?? 6) + '%'
    case 'x':
    case 'X': {
      const text = Math.abs(Math.trunc(value)).toString(16)
      return type === 'X' ? text.toUpperCase() : text
    }
    case 'o':
      return Math.abs(Math.trunc(value)).toString(8)
    case 'b':
      return Math.abs(Math.trunc(value)).toString(2)
    case 'g':
    case 'G':
      return String(Number(Math.abs(value).toPrecision(precision || 6)))
    default:
      return precision === undefined
        ? pythonStr(Math.abs(value))
        : String(Number(Math.abs(value).toPrecision(precision)))
  }
}

function applySpec(value: unknown, spec: string): string {
  const m = SPEC.exec(spec)
  if (!m) throw new TemplateError(`Invalid format specifier '${spec}'`)
  const [, fillChar, align, sign = '-', alt, zero, widthText, grouping, precisionText, type = ''] =
    m
  const width = widthText === undefined ? 0 : Number(widthText)
  const precision = precisionText === undefined ? undefined : Number(precisionText)
  // An integral float (PyFloat) is formatted as a number once a type is given (`{:.2f}`); with none it
  // prints as Python's str (`2.0`), and an integer type refuses it, as Python does.
  const float = value instanceof PyFloat
  if (float && type !== '' && 'dnxXobc'.includes(type))
    throw new TemplateError(`Unknown format code '${type}' for object of type 'float'`)
  const numeric = typeof value === 'number' || typeof value === 'boolean' || (float && type !== '')
  let body: string
  let prefix = ''
  if (type === 'c') body = String.fromCodePoint(Number(value))
  else if (numeric && type !== 's') {
    const n = Number(value)
    body = formatNumber(n, type, precision)
    const [whole, rest = ''] = body.split(/(?=[.eE%])/, 2) as [string, string?]
    body = group(whole, grouping) + body.slice(whole.length).replace(rest, rest)
    if (alt && 'xXob'.includes(type) && type) prefix = '0' + (type === 'X' ? 'X' : type)
    prefix = (n < 0 || Object.is(n, -0) ? '-' : sign === '-' ? '' : sign) + prefix
  } else {
    if (type !== '' && type !== 's')
      throw new TemplateError(
        `Unknown format code '${type}' for object of type '${pyTypeName(value)}'`
      )
    body = pythonStr(value)
    if (precision !== undefined) body = [...body].slice(0, precision).join('')
  }
  const fill = fillChar ?? (zero && !align ? '0' : ' ')
  const how = align ?? (zero && numeric ? '=' : numeric && type !== 's' ? '>' : '<')
  const room = Math.max(0, width - [...prefix].length - [...body].length)
  switch (how) {
    case '<':
      return prefix + body + fill.repeat(room)
    case '>':
      return fill.repeat(room) + prefix + body
    case '^':
      return fill.repeat(Math.floor(room / 2)) + prefix + body + fill.repeat(Math.ceil(room / 2))
    default:
      return prefix + fill.repeat(room) + body
  }
}

function resolveField(
  name: string,
  args: unknown[],
  kwargs: Record<string, unknown>,
  auto: { next: number }
): unknown {
  const first = /^[^.[]*/.exec(name)![0]
  let value: unknown
  if (first === '') {
    if (auto.next < 0)
      throw new TemplateError(
        'cannot switch from manual field specification to automatic field numbering'
      )
    value = args[auto.next++]
    if (auto.next > args.length)
      throw new TemplateError(
        `Replacement index ${auto.next - 1} out of range for positional args tuple`
      )
  } else if (/^\d+$/.test(first)) {
    if (auto.next > 0)
      throw new TemplateError(
        'cannot switch from automatic field numbering to manual field specification'
      )
    auto.next = -1
    if (Number(first) >= args.length)
      throw new TemplateError(`Replacement index ${first} out of range for positional args tuple`)
    value = args[Number(first)]
  } else {
    if (!Object.hasOwn(kwargs, first)) throw new TemplateError(`KeyError: '${first}'`)
    value = kwargs[first]
  }
  for (const part of name.slice(first.length).matchAll(/\.([^.[]+)|\[([^\]]+)\]/g)) {
    const key = part[1] ?? (/^\d+$/.test(part[2]!) ? Number(part[2]) : part[2]!)
    value = assertDefined(getAttribute(value, key))
  }
  return assertDefined(value)
}

/** `template.format(*args, **kwargs)` as Python formats it. */
export function pyStrFormat(
  template: string,
  args: unknown[],
  kwargs: Record<string, unknown>
): string {
  const auto = { next: 0 }
  let out = ''
  for (let i = 0; i < template.length; i++) {
    const ch = template[i]!
    if (ch === '}') {
      if (template[i + 1] !== '}')
        throw new TemplateError("Single '}' encountered in format string")
      out += '}'
      i++
    } else if (ch === '{') {
      if (template[i + 1] === '{') {
        out += '{'
        i++
        continue
      }
      const close = template.indexOf('}', i)
      if (close === -1) throw new TemplateError("Single '{' encountered in format string")
      const field = template.slice(i + 1, close)
      const m = /^([^!:]*)(?:!([rsa]))?(?::(.*))?$/s.exec(field)
      if (!m) throw new TemplateError(`invalid format field '{${field}}'`)
      let value = resolveField(m[1]!, args, kwargs, auto)
      if (m[2] === 'r' || m[2] === 'a') value = pyRepr(value)
      else if (m[2] === 's') value = pythonStr(value)
      out += applySpec(value, m[3] ?? '')
      i = close
    } else out += ch
  }
  return out
}
