/**
 * Template values as YAML nodes, the way PyYAML's SafeRepresenter (under Ansible's dumper) turns Python
 * values into nodes before libyaml writes them (src/values/yaml-emitter.ts).
 */
import { TemplateError } from '../errors.js'
import { PyFloat, isPyObject, pythonStr } from './python.js'
import { Undefined } from './undefined.js'
import { PyDateTime } from './filters-time.js'
import { isRecord } from '../values/records.js'
import { unsafeText } from '../values/unsafe.js'
import type { YamlNode } from '../values/yaml-emitter.js'
import { readsAsOtherType } from '../values/yaml-scalar.js'
import { byCodePoint } from '../values/code-points.js'

/** How collections are laid out: PyYAML's default_flow_style and sort_keys. */
export interface RepresentOptions {
  /** true: all in flow style; false: all in block style; null: flow only for collections of scalars. */
  defaultFlowStyle: boolean | null
  sortKeys: boolean
}

const plain = (text: string): YamlNode => ({ kind: 'scalar', text, plainImplicit: true })

/** A float as PyYAML writes it: repr in lower case, `.inf`/`.nan`, and `1.0e+16` rather than `1e+16`. */
export function yamlFloat(value: number): string {
  if (Number.isNaN(value)) return '.nan'
  if (value === Infinity) return '.inf'
  if (value === -Infinity) return '-.inf'
  const text = pythonStr(new PyFloat(value)).toLowerCase()
  return !text.includes('.') && text.includes('e') ? text.replace('e', '.0e') : text
}

function string(text: string): YamlNode {
  const value = unsafeText(text)
  return { kind: 'scalar', text: value, plainImplicit: !readsAsOtherType(value) }
}

/**
 * The node of a value; fails as Ansible's to_yaml fails on what SafeDumper cannot represent. A list or dict
 * met twice (the same object) is the same node, which the writer gives an anchor, as PyYAML does.
 */
export function represent(value: unknown, options: RepresentOptions): YamlNode {
  return representOnce(value, options, new Map())
}

function representOnce(
  value: unknown,
  options: RepresentOptions,
  seen: Map<object, YamlNode>
): YamlNode {
  if (value instanceof Undefined) value.fail()
  if (value === null || value === undefined) return plain('null')
  if (typeof value === 'boolean') return plain(value ? 'true' : 'false')
  if (value instanceof PyFloat) return plain(yamlFloat(value.valueOf()))
  if (typeof value === 'number') {
    // An integral number is a Python int (digits, even beyond 2**53); -0 is the float -0.0.
    if (Number.isInteger(value) && !Object.is(value, -0)) return plain(BigInt(value).toString())
    return plain(yamlFloat(value))
  }
  if (typeof value === 'string') return string(value)
  if (value instanceof PyDateTime) {
    // SafeRepresenter's timestamp: isoformat with a space; the same datetime twice is one node (an alias).
    const known = seen.get(value)
    if (known) return known
    const text = value.isoformat(' ')
    const node: YamlNode = {
      kind: 'scalar',
      text,
      plainImplicit: readsAsOtherType(text),
      quotedImplicit: false
    }
    seen.set(value, node)
    return node
  }
  // A tuple is a list here, as Ansible's dumper writes it.
  if (isPyObject(value) || !(Array.isArray(value) || isRecord(value)))
    throw new TemplateError(`('cannot represent an object', ${describe(value)})`)
  const known = seen.get(value)
  if (known) return known
  if (Array.isArray(value)) {
    const node: YamlNode = { kind: 'sequence', items: [], flow: false }
    seen.set(value, node)
    for (const item of value as unknown[]) node.items.push(representOnce(item, options, seen))
    node.flow = flowStyle(node.items, options)
    return node
  }
  const node: YamlNode = { kind: 'mapping', pairs: [], flow: false }
  seen.set(value, node)
  const keys = Object.keys(value)
  if (options.sortKeys) keys.sort(byCodePoint)
  for (const k of keys) node.pairs.push([string(k), representOnce(value[k], options, seen)])
  node.flow = flowStyle(node.pairs.flat(), options)
  return node
}

function flowStyle(children: YamlNode[], options: RepresentOptions): boolean {
  if (options.defaultFlowStyle !== null) return options.defaultFlowStyle
  return children.every((child) => child.kind === 'scalar')
}

function describe(value: unknown): string {
  if (isPyObject(value)) return value.pyRepr()
  return typeof value === 'function' ? '<function>' : String(value)
}
