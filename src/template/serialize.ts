import { TemplateError } from '../errors.js'
import { pyTypeName } from './python.js'
import { Undefined } from './undefined.js'
import { isRecord } from '../values/records.js'
import { dumpYaml, loadYaml } from '../values/yaml.js'

/** Options of Python's json.dumps that Ansible's to_json/to_nice_json pass through. */
export interface JsonOptions {
  indent?: number | null
  sortKeys?: boolean
}

function jsonString(text: string): string {
  // Python's json.dumps(ensure_ascii=True) escapes everything outside printable ASCII.
  return JSON.stringify(text).replace(
    /[^\x20-\x7e]/g,
    (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')
  )
}

function jsonNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN'
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity'
  return String(n).replace(/e([+-])(\d)$/, 'e$10$2')
}

/** Python json.dumps as Ansible's to_json/to_nice_json call it: `{"a": 1, "b": [1, 2]}`. */
export function pyJsonDumps(value: unknown, options: JsonOptions = {}): string {
  const indent =
    options.indent === null || options.indent === undefined ? null : ' '.repeat(options.indent)
  const itemSep = indent === null ? ', ' : ','
  const walk = (v: unknown, level: number): string => {
    if (v instanceof Undefined) v.fail()
    if (v === null || v === undefined) return 'null'
    if (typeof v === 'boolean') return v ? 'true' : 'false'
    if (typeof v === 'number') return jsonNumber(v)
    if (typeof v === 'string') return jsonString(v)
    let entries: string[]
    let open: string
    let close: string
    if (Array.isArray(v)) {
      entries = v.map((item) => walk(item, level + 1))
      ;[open, close] = ['[', ']']
    } else if (isRecord(v)) {
      const keys = Object.keys(v)
      if (options.sortKeys) keys.sort()
      entries = keys.map((k) => `${jsonString(k)}: ${walk(v[k], level + 1)}`)
      ;[open, close] = ['{', '}']
    } else {
      throw new TemplateError(`Object of type ${pyTypeName(v)} is not JSON serializable`)
    }
    if (entries.length === 0) return open + close
    if (indent === null) return open + entries.join(itemSep) + close
    const inner = '\n' + indent.repeat(level + 1)
    return open + inner + entries.join(itemSep + inner) + '\n' + indent.repeat(level) + close
  }
  return walk(value, 0)
}

/** json.loads with a TemplateError on bad input. */
export function fromJson(text: unknown): unknown {
  try {
    return JSON.parse(String(text)) as unknown
  } catch (err) {
    throw new TemplateError(`from_json: ${(err as Error).message}`)
  }
}

function plainData(value: unknown): unknown {
  if (value instanceof Undefined) value.fail()
  if (Array.isArray(value)) return value.map(plainData)
  if (isRecord(value))
    return Object.fromEntries(Object.keys(value).map((k) => [k, plainData(value[k])]))
  return value
}

/**
 * Ansible's to_yaml / to_nice_yaml (PyYAML dump: keys sorted, lists not indented under their key).
 * `nice` uses block style with the given indent; plain to_yaml uses flow style for leaf collections.
 */
export function toYaml(value: unknown, nice: boolean, indent = nice ? 4 : 2): string {
  try {
    return dumpYaml(plainData(value), {
      indent,
      sortKeys: true,
      noArrayIndent: true,
      flowLevel: nice ? -1 : leafFlowLevel(value)
    })
  } catch (err) {
    if (err instanceof TemplateError) throw err
    throw new TemplateError(`to_yaml: ${(err as Error).message}`)
  }
}

// PyYAML's default_flow_style=None writes collections holding only scalars in flow style. js-yaml can only
// switch to flow style at a depth, so use the depth of the shallowest leaf collection.
function leafFlowLevel(value: unknown): number {
  const depth = (v: unknown): number => {
    const children = Array.isArray(v) ? v : isRecord(v) ? Object.values(v) : null
    if (!children) return -1
    const nested = children.map(depth).filter((d) => d >= 0)
    return nested.length === 0 ? 0 : Math.min(...nested) + 1
  }
  const d = depth(value)
  return d < 0 ? -1 : d
}

/** Ansible's from_yaml: YAML 1.1 as PyYAML's SafeLoader reads it (src/values/yaml.ts). */
export function fromYaml(text: unknown): unknown {
  try {
    return loadYaml(String(text), { schema: 'safe' })
  } catch (err) {
    throw new TemplateError(`from_yaml: ${(err as Error).message}`)
  }
}
