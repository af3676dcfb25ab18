import { TemplateError } from '../errors.js'
import { pyTypeName } from './python.js'
import { Undefined } from './undefined.js'
import { isRecord } from '../values/records.js'
import { pythonJsonDumps } from '../values/python-json.js'
import { dumpYaml, loadYaml } from '../values/yaml.js'

/** Options of Python's json.dumps that Ansible's to_json/to_nice_json pass through. */
export interface JsonOptions {
  indent?: number | null
  sortKeys?: boolean
  /** Python's ensure_ascii (default true): non-ASCII as \\uXXXX. */
  ensureAscii?: boolean
}

/** Python json.dumps as Ansible's to_json/to_nice_json call it (ensure_ascii on): `{"a": 1, "b": [1, 2]}`. */
export function pyJsonDumps(value: unknown, options: JsonOptions = {}): string {
  return pythonJsonDumps(value, {
    indent: options.indent ?? null,
    sortKeys: options.sortKeys ?? false,
    ensureAscii: options.ensureAscii ?? true,
    other: (v) => {
      if (v instanceof Undefined) v.fail()
      throw new TemplateError(`Object of type ${pyTypeName(v)} is not JSON serializable`)
    }
  })
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
  // Keys sorted here too: js-yaml's sortKeys leaves flow-style mappings in their order.
  if (isRecord(value))
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, plainData(value[k])])
    )
  return value
}

/**
 * PyYAML starts a mapping or list that is an item of a block list on the dash's line, padded to the
 * indent (`-   k: v` at indent 4); js-yaml puts it on the next line.
 */
function dashLines(text: string, indent: number): string {
  if (indent < 2) return text
  const pad = ' '.repeat(indent - 1)
  let out = text
  for (let previous = ''; previous !== out;) {
    previous = out
    out = out.replace(/^( *)-\n\1 {2,}(?=\S)/gm, (whole, lead: string) =>
      whole.length === lead.length * 2 + 2 + indent ? `${lead}-${pad}` : whole
    )
  }
  return out
}

/**
 * Ansible's to_yaml / to_nice_yaml (PyYAML dump: keys sorted, lists not indented under their key).
 * `nice` uses block style with the given indent; plain to_yaml uses flow style for leaf collections.
 */
export function toYaml(
  value: unknown,
  nice: boolean,
  indent = nice ? 4 : 2,
  defaultFlowStyle: boolean | null = nice ? false : null
): string {
  try {
    const text = dumpYaml(plainData(value), {
      indent,
      sortKeys: true,
      noArrayIndent: true,
      flowLevel:
        defaultFlowStyle === false ? -1 : defaultFlowStyle === true ? 0 : leafFlowLevel(value)
    })
    return dashLines(text, indent)
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
