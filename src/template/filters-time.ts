/**
 * Date filters: `strftime` (Python's time.strftime on the controller's clock) and `to_datetime` (a
 * datetime with Python's attributes, printed as Python prints it; two of them subtract to a timedelta).
 */
import { TemplateError } from '../errors.js'
import { type FilterFunction, toText } from './filter-args.js'
import { type PyObject, pyTypeName, toBoolean } from './python.js'

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']
const MONTHS = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December'
] // prettier-ignore

/** The calendar fields strftime formats, in one time zone. */
interface Fields {
  year: number
  month: number // 1-12
  day: number
  hour: number
  minute: number
  second: number
  microsecond: number
  weekday: number // 0 = Sunday
  yearDay: number // 1-366
  offsetMinutes: number | null // east of UTC; null for a naive datetime
  zoneName: string
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0')

function weekOfYear(f: Fields, firstDay: 0 | 1): number {
  const weekday = (f.weekday - firstDay + 7) % 7
  return Math.floor((f.yearDay + 6 - weekday) / 7)
}

/** Python's strftime directives (glibc's, as CPython on Linux passes them through). */
function strftime(format: string, f: Fields): string {
  return format.replace(/%([a-zA-Z%])/g, (whole, d: string) => {
    switch (d) {
      case 'a': return DAYS[f.weekday]!.slice(0, 3)
      case 'A': return DAYS[f.weekday]!
      case 'b': case 'h': return MONTHS[f.month - 1]!.slice(0, 3)
      case 'B': return MONTHS[f.month - 1]!
      case 'c': return `${strftime('%a %b', f)} ${String(f.day).padStart(2, ' ')} ${strftime('%H:%M:%S %Y', f)}`
      case 'C': return pad(Math.floor(f.year / 100))
      case 'd': return pad(f.day)
      case 'D': return strftime('%m/%d/%y', f)
      case 'e': return String(f.day).padStart(2, ' ')
      case 'F': return strftime('%Y-%m-%d', f)
      case 'f': return pad(f.microsecond, 6)
      case 'H': return pad(f.hour)
      case 'I': return pad(f.hour % 12 || 12)
      case 'j': return pad(f.yearDay, 3)
      case 'k': return String(f.hour).padStart(2, ' ')
      case 'l': return String(f.hour % 12 || 12).padStart(2, ' ')
      case 'm': return pad(f.month)
      case 'M': return pad(f.minute)
      case 'n': return '\n'
      case 'p': return f.hour < 12 ? 'AM' : 'PM'
      case 'R': return strftime('%H:%M', f)
      case 'S': return pad(f.second)
      case 's': return String(Math.floor(Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second) / 1000 - (f.offsetMinutes ?? 0) * 60))
      case 't': return '\t'
      case 'T': return strftime('%H:%M:%S', f)
      case 'u': return String(f.weekday || 7)
      case 'U': return pad(weekOfYear(f, 0))
      case 'w': return String(f.weekday)
      case 'W': return pad(weekOfYear(f, 1))
      case 'x': return strftime('%m/%d/%y', f)
      case 'X': return strftime('%H:%M:%S', f)
      case 'y': return pad(f.year % 100)
      case 'Y': return String(f.year)
      case 'z': {
        if (f.offsetMinutes === null) return ''
        const m = Math.abs(f.offsetMinutes)
        return `${f.offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(m / 60))}${pad(m % 60)}`
      }
      case 'Z': return f.zoneName
      case '%': return '%'
      default: return whole
    }
  }) // prettier-ignore
}

function dayOfYear(year: number, month: number, day: number): number {
  return (Date.UTC(year, month - 1, day) - Date.UTC(year, 0, 1)) / 86_400_000 + 1
}

/** The fields of an instant in UTC, or in the controller's zone (as Python's localtime). */
function instantFields(epochSeconds: number, utc: boolean): Fields {
  const date = new Date(Math.floor(epochSeconds) * 1000)
  const [year, month, day, hour, minute, second, weekday] = utc
    ? [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds(), date.getUTCDay()]
    : [date.getFullYear(), date.getMonth() + 1, date.getDate(), date.getHours(), date.getMinutes(), date.getSeconds(), date.getDay()] // prettier-ignore
  const zoneName = utc
    ? 'GMT'
    : (new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' })
        .formatToParts(date)
        .find((p) => p.type === 'timeZoneName')?.value ?? '')
  return {
    year, month, day, hour, minute, second, weekday, zoneName,
    microsecond: 0,
    yearDay: dayOfYear(year, month, day),
    offsetMinutes: utc ? 0 : -date.getTimezoneOffset()
  } // prettier-ignore
}

/** Python's timedelta, as two datetimes subtract to: days, seconds, microseconds, total_seconds(). */
export class PyTimedelta implements PyObject {
  readonly pyType = 'timedelta'
  readonly days: number
  readonly seconds: number
  readonly microseconds: number
  readonly total_seconds: () => number
  constructor(totalMicroseconds: number) {
    this.days = Math.floor(totalMicroseconds / 86_400_000_000)
    const rest = totalMicroseconds - this.days * 86_400_000_000
    this.seconds = Math.floor(rest / 1_000_000)
    this.microseconds = rest - this.seconds * 1_000_000
    this.total_seconds = () => totalMicroseconds / 1_000_000
  }
  pyOrderKey(): number {
    return this.total_seconds()
  }
  pyBinOp(): unknown {
    return undefined
  }
  pyRepr(): string {
    const parts = [
      this.days ? `days=${this.days}` : '',
      this.seconds ? `seconds=${this.seconds}` : '',
      this.microseconds ? `microseconds=${this.microseconds}` : ''
    ].filter(Boolean)
    return `datetime.timedelta(${parts.join(', ')})`
  }
  toString(): string {
    const h = Math.floor(this.seconds / 3600)
    const clock = `${h}:${pad(Math.floor((this.seconds % 3600) / 60))}:${pad(this.seconds % 60)}`
    const micro = this.microseconds ? `.${pad(this.microseconds, 6)}` : ''
    const days = this.days ? `${this.days} day${Math.abs(this.days) === 1 ? '' : 's'}, ` : ''
    return days + clock + micro
  }
}

/** A naive Python datetime (what `to_datetime` returns): its attributes, str() and subtraction. */
export class PyDateTime implements PyObject {
  readonly pyType = 'datetime'
  readonly year: number
  readonly month: number
  readonly day: number
  readonly hour: number
  readonly minute: number
  readonly second: number
  readonly microsecond: number
  readonly strftime: (format: unknown) => string
  readonly timestamp: () => number
  readonly weekday: () => number
  readonly isoweekday: () => number
  readonly isoformat: (sep?: unknown) => string
  constructor(fields: Omit<Fields, 'weekday' | 'yearDay' | 'offsetMinutes' | 'zoneName'>) {
    ;({
      year: this.year, month: this.month, day: this.day, hour: this.hour,
      minute: this.minute, second: this.second, microsecond: this.microsecond
    } = fields) // prettier-ignore
    this.strftime = (format) => strftime(toText(format), this.fields())
    this.timestamp = () => {
      const local = new Date(
        this.year,
        this.month - 1,
        this.day,
        this.hour,
        this.minute,
        this.second
      )
      return local.getTime() / 1000 + this.microsecond / 1_000_000
    }
    this.weekday = () => (this.fields().weekday + 6) % 7
    this.isoweekday = () => this.fields().weekday || 7
    this.isoformat = (sep = 'T') =>
      strftime(`%Y-%m-%d${toText(sep)}%H:%M:%S`, this.fields()) +
      (this.microsecond ? `.${pad(this.microsecond, 6)}` : '')
  }
  pyOrderKey(): number {
    return this.micros()
  }
  pyRepr(): string {
    const fields = [this.year, this.month, this.day, this.hour, this.minute]
    if (this.second || this.microsecond) fields.push(this.second)
    if (this.microsecond) fields.push(this.microsecond)
    return `datetime.datetime(${fields.join(', ')})`
  }
  private fields(): Fields {
    return {
      ...this,
      weekday: new Date(Date.UTC(this.year, this.month - 1, this.day)).getUTCDay(),
      yearDay: dayOfYear(this.year, this.month, this.day),
      offsetMinutes: null,
      zoneName: ''
    }
  }
  /** Microseconds since 0001-01-01 as if UTC (naive datetimes subtract field by field). */
  private micros(): number {
    const ms = Date.UTC(this.year, this.month - 1, this.day, this.hour, this.minute, this.second)
    return ms * 1000 + this.microsecond
  }
  pyBinOp(op: string, other: unknown): unknown {
    if (op === '-' && other instanceof PyDateTime)
      return new PyTimedelta(this.micros() - other.micros())
    return undefined
  }
  toString(): string {
    const micro = this.microsecond ? `.${pad(this.microsecond, 6)}` : ''
    return `${strftime('%Y-%m-%d %H:%M:%S', this.fields())}${micro}`
  }
}

/** Python's strptime for the common directives; anything else is refused by name. */
function strptime(text: string, format: string): PyDateTime {
  const fields = { year: 1900, month: 1, day: 1, hour: 0, minute: 0, second: 0, microsecond: 0 }
  let pm: boolean | undefined
  const setters: ((v: string) => void)[] = []
  const monthIndex = (v: string) =>
    MONTHS.findIndex((m) => m.toLowerCase().startsWith(v.toLowerCase().slice(0, 3))) + 1
  let pattern = '^'
  for (let i = 0; i < format.length; i++) {
    const ch = format[i]!
    if (ch !== '%') {
      pattern += /\s/.test(ch) ? '\\s+' : ch.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')
      continue
    }
    const d = format[++i]
    const num = (width: string, set: (n: number) => void) => {
      pattern += `(\\d{${width}})`
      setters.push((v) => set(Number(v)))
    }
    switch (d) {
      case 'Y': num('4', (n) => (fields.year = n)); break
      case 'y': num('1,2', (n) => (fields.year = n < 69 ? 2000 + n : 1900 + n)); break
      case 'm': num('1,2', (n) => (fields.month = n)); break
      case 'd': num('1,2', (n) => (fields.day = n)); break
      case 'H': num('1,2', (n) => (fields.hour = n)); break
      case 'I': num('1,2', (n) => (fields.hour = n % 12)); break
      case 'M': num('1,2', (n) => (fields.minute = n)); break
      case 'S': num('1,2', (n) => (fields.second = n)); break
      case 'f': pattern += '(\\d{1,6})'; setters.push((v) => (fields.microsecond = Number(v.padEnd(6, '0')))); break
      case 'j': num('1,3', (n) => { const d = new Date(Date.UTC(fields.year, 0, n)); fields.month = d.getUTCMonth() + 1; fields.day = d.getUTCDate() }); break
      case 'p': pattern += '(AM|PM|am|pm)'; setters.push((v) => (pm = v.toUpperCase() === 'PM')); break
      case 'b': case 'B': case 'h': pattern += '([A-Za-z]+)'; setters.push((v) => (fields.month = monthIndex(v))); break
      case 'a': case 'A': pattern += '[A-Za-z]+'; break
      case '%': pattern += '%'; break
      default:
        throw new TemplateError(`to_datetime: the format directive '%${d ?? ''}' is not supported here; use %Y %y %m %d %H %I %M %S %f %j %p %b %B %a %A`)
    } // prettier-ignore
  }
  const match = new RegExp(pattern + '$').exec(text)
  if (!match || match.slice(1).length !== setters.length)
    throw new TemplateError(`time data '${text}' does not match format '${format}'`)
  match.slice(1).forEach((v, i) => setters[i]!(v!))
  if (pm !== undefined && pm) fields.hour += 12
  const check = new Date(Date.UTC(fields.year, fields.month - 1, fields.day))
  if (
    fields.month < 1 ||
    fields.month > 12 ||
    check.getUTCDate() !== fields.day ||
    fields.hour > 23 ||
    fields.minute > 59 ||
    fields.second > 61
  )
    // prettier-ignore
    throw new TemplateError(`time data '${text}' does not match format '${format}'`)
  return new PyDateTime(fields)
}

function epochSeconds(value: unknown): number {
  if (typeof value === 'number') return value
  const n = Number(toText(value).trim())
  if (toText(value).trim() === '' || Number.isNaN(n))
    throw new TemplateError(`Invalid value for epoch value (${toText(value)})`)
  return n
}

/** The date filters, by name. */
export const TIME_FILTERS: Record<string, FilterFunction> = {
  strftime: (v, [second, utc = false], kw) => {
    const when = kw.second ?? second
    const epoch = when === undefined || when === null ? Date.now() / 1000 : epochSeconds(when)
    return strftime(toText(v), instantFields(epoch, toBoolean(kw.utc ?? utc)))
  },
  to_datetime: (v, [format = '%Y-%m-%d %H:%M:%S'], kw) => {
    if (typeof v !== 'string')
      throw new TemplateError(`strptime() argument 1 must be str, not ${pyTypeName(v)}`)
    return strptime(v, toText(kw.format ?? format))
  }
}

/**
 * The template global `now(utc=False, fmt=None)`: the controller's current time as a naive datetime
 * (local time, or UTC with `utc`), or that time through strftime with `fmt`, as Ansible's templar gives it.
 */
export function nowGlobal(utc: unknown = false, fmt: unknown = null): PyDateTime | string {
  const ms = Date.now()
  const now = new PyDateTime({
    ...instantFields(ms / 1000, toBoolean(utc)),
    microsecond: (ms % 1000) * 1000
  })
  return fmt === null || fmt === undefined || fmt === '' ? now : now.strftime(fmt)
}
