import { TemplateError } from '../errors.js'
import { pyTruthy, pyTypeName } from './python.js'
import { represent } from './yaml-represent.js'
import { Undefined } from './undefined.js'
import { parseJsonKeepingFloats } from '../values/json-floats.js'
import { pythonJsonDumps } from '../values/python-json.js'
import { loadYaml } from '../values/yaml.js'
import { emitYaml } from '../values/yaml-emitter.js'

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
    return parseJsonKeepingFloats(String(text))
  } catch (err) {
    throw new TemplateError(`from_json: ${(err as Error).message}`)
  }
}

/** yaml.dump's keyword arguments that Ansible's to_yaml / to_nice_yaml pass through and ours writes. */
const SUPPORTED_KWARGS = new Set([
  'indent',
  'width',
  'sort_keys',
  'explicit_start',
  'explicit_end',
  'default_flow_style'
])
// yaml.dump's other options: known to PyYAML, not written by ours.
const UNSUPPORTED_KWARGS = new Set([
  'default_style',
  'canonical',
  'line_break',
  'encoding',
  'version',
  'tags',
  'Dumper',
  'stream'
])

function intArgument(filter: string, name: string, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined
  const n = Number(value)
  if (typeof value === 'boolean' || !Number.isInteger(n))
    throw new TemplateError(`${filter} - ${name} must be an integer, got ${pyTypeName(value)}`)
  return n
}

/**
 * Ansible's to_yaml / to_nice_yaml: PyYAML's dump through Ansible's dumper (libyaml's emitter), with
 * allow_unicode. `nice` is to_nice_yaml: block style, indent 4 unless given.
 */
export function toYaml(
  value: unknown,
  nice: boolean,
  kwargs: Record<string, unknown> = {}
): string {
  const filter = nice ? 'to_nice_yaml' : 'to_yaml'
  for (const name of Object.keys(kwargs)) {
    if (name === 'allow_unicode' || (nice && name === 'default_flow_style'))
      throw new TemplateError(
        `${filter} - dump_all() got multiple values for keyword argument '${name}'`
      )
    if (UNSUPPORTED_KWARGS.has(name))
      throw new TemplateError(
        `${filter}: the ${name} option is not supported; leave it out (supported: ${[...SUPPORTED_KWARGS].join(', ')})`
      )
    if (!SUPPORTED_KWARGS.has(name))
      throw new TemplateError(`${filter} - dump_all() got an unexpected keyword argument '${name}'`)
  }
  const flow = kwargs['default_flow_style']
  const node = represent(value, {
    defaultFlowStyle: nice ? false : flow === undefined || flow === null ? null : pyTruthy(flow),
    sortKeys: kwargs['sort_keys'] === undefined ? true : pyTruthy(kwargs['sort_keys'])
  })
  return emitYaml(node, {
    indent: intArgument(filter, 'indent', kwargs['indent']) ?? (nice ? 4 : 2),
    width: intArgument(filter, 'width', kwargs['width']),
    explicitStart: pyTruthy(kwargs['explicit_start'] ?? false),
    explicitEnd: pyTruthy(kwargs['explicit_end'] ?? false)
  })
}

/** Ansible's from_yaml: YAML 1.1 as PyYAML's SafeLoader reads it (src/values/yaml.ts). */
export function fromYaml(text: unknown): unknown {
  try {
    return loadYaml(String(text), { schema: 'safe' })
  } catch (err) {
    throw new TemplateError(`from_yaml: ${(err as Error).message}`)
  }
}
