import { isRecord } from './records.js'
import { byCodePoint } from './code-points.js'

/**
 * Python's json.dumps, the one writer of JSON as Ansible prints it: results on the console (sort_keys=True,
 * ensure_ascii=False) and the to_json/to_nice_json filters (ensure_ascii=True, sort_keys as asked). `{"a": 1,
 * "b": [1, 2]}` on one line, or indented by `indent` spaces with `,` line ends; numbers as Python writes them
 * (1e-07, NaN, Infinity); keys sorted by code point, as Python sorts str; keys whose value is JS `undefined`
 * left out, as a field a module did not return is absent in Ansible.
 */
export interface PythonJsonOptions {
  /** json.dumps' indent: null or absent for one line. */
  indent?: number | null
  /** json.dumps' sort_keys. */
  sortKeys?: boolean
  /** json.dumps' ensure_ascii: everything outside printable ASCII as \uXXXX. */
  ensureAscii?: boolean
  /**
   * A value JSON has no form for (bytes, a date, a class instance): what to write instead, or throw. Default:
   * its text.
   */
  other?: (value: unknown) => unknown
}

/** Python's json.dumps(value, …) with the options above. */
export function pythonJsonDumps(value: unknown, options: PythonJsonOptions = {}): string {
  const indent =
    options.indent === null || options.indent === undefined ? null : ' '.repeat(options.indent)
  const itemSep = indent === null ? ', ' : ','
  const string = options.ensureAscii ? asciiJsonString : JSON.stringify
  const other = options.other ?? ((v: unknown) => String(v))
  const walk = (v: unknown, level: number): string => {
    if (v === null || v === undefined) return 'null'
    if (typeof v === 'boolean') return v ? 'true' : 'false'
    if (typeof v === 'number') return pythonJsonNumber(v)
    // A Number object is the template engine's integral float (PyFloat): its text is Python's (`2.0`).
    if (v instanceof Number) return String(v)
    if (typeof v === 'string') return string(v)
    let entries: string[]
    let open: string
    let close: string
    if (Array.isArray(v)) {
      entries = v.map((item) => walk(item, level + 1))
      ;[open, close] = ['[', ']']
    } else if (isRecord(v)) {
      const keys = Object.keys(v).filter((k) => v[k] !== undefined)
      if (options.sortKeys) keys.sort(byCodePoint)
      entries = keys.map((k) => `${string(k)}: ${walk(v[k], level + 1)}`)
      ;[open, close] = ['{', '}']
    } else {
      return walk(other(v), level)
    }
    if (entries.length === 0) return open + close
    if (indent === null) return open + entries.join(itemSep) + close
    const inner = '\n' + indent.repeat(level + 1)
    return open + inner + entries.join(itemSep + inner) + '\n' + indent.repeat(level) + close
  }
  return walk(value, 0)
}

/**
 * JSON the way Ansible prints results (json.dumps with sort_keys=True and ensure_ascii=False), one line or
 * indented by `indent` spaces; bytes are written as their UTF-8 text.
 */
export function pythonJson(value: unknown, indent?: number): string {
  return pythonJsonDumps(value, {
    indent: indent ?? null,
    sortKeys: true,
    other: (v) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v))
  })
}

/** A number as Python's json writes a float or int: NaN, Infinity, and a two-digit exponent (1e-07). */
function pythonJsonNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN'
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity'
  return String(n).replace(/e([+-])(\d)$/, 'e$10$2')
}

/** json.dumps(ensure_ascii=True): everything outside printable ASCII escaped. */
function asciiJsonString(text: string): string {
  return JSON.stringify(text).replace(
    /[^\x20-\x7e]/g,
    (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')
  )
}
