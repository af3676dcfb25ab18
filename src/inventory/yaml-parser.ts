import { DEFAULT_SCHEMA, load, Type, YAMLException, type State } from 'js-yaml'
import { closestMatch, InventoryError, type SourceLocation } from '../errors.js'
import { complexKeyListener, findCycle, UNSAFE_TYPES } from '../playbook/yaml-loader.js'
import { parseHostEntry } from './host-range.js'
import type { InventorySource } from './ini-parser.js'
import type { InventoryData } from './inventory-data.js'

/*
 * Ansible reads YAML 1.1 (PyYAML), js-yaml reads YAML 1.2. Inventories differ mostly in scalars: `yes`/`on`
 * are booleans, `0755` is octal, `1_000` and `1:30` are ints, and `1e3` or `08` stay strings. These three types
 * replace js-yaml's bool/int/float (same tag, so `extend` swaps them in place) with PyYAML's resolver rules.
 */
const YAML11_BOOL =
  /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/
const YAML11_TRUE = /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/
const YAML11_INT =
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/
const YAML11_FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/

function sexagesimal(text: string): number {
  return text.split(':').reduce((total, part) => total * 60 + Number(part), 0)
}

function signed(text: string, magnitude: (unsigned: string) => number): number {
  const clean = text.replace(/_/g, '')
  const negative = clean.startsWith('-')
  const value = magnitude(clean.replace(/^[-+]/, ''))
  return negative ? -value : value
}

const ANSIBLE_YAML_SCHEMA = DEFAULT_SCHEMA.extend({
  implicit: [
    new Type('tag:yaml.org,2002:bool', {
      kind: 'scalar',
      resolve: (data: string | null) => data !== null && YAML11_BOOL.test(data),
      construct: (data: string) => YAML11_TRUE.test(data)
    }),
    new Type('tag:yaml.org,2002:int', {
      kind: 'scalar',
      resolve: (data: string | null) => data !== null && YAML11_INT.test(data),
      construct: (data: string) =>
        signed(data, (u) => {
          if (u.startsWith('0b')) return parseInt(u.slice(2), 2)
          if (u.startsWith('0x')) return parseInt(u.slice(2), 16)
          if (u.includes(':')) return sexagesimal(u)
          if (u.length > 1 && u.startsWith('0')) return parseInt(u, 8)
          return parseInt(u, 10)
        })
    }),
    new Type('tag:yaml.org,2002:float', {
      kind: 'scalar',
      resolve: (data: string | null) => data !== null && YAML11_FLOAT.test(data),
      construct: (data: string) =>
        signed(data, (u) => {
          if (/^\.inf$/i.test(u)) return Infinity
          if (/^\.nan$/i.test(u)) return NaN
          if (u.includes(':')) return sexagesimal(u)
          return parseFloat(u)
        })
    })
  ],
  // `!unsafe`: strings never templated, as in playbooks.
  explicit: UNSAFE_TYPES
})

/** 1-based line of each key of each mapping, recorded while js-yaml parses (it keeps no positions itself). */
type KeyLines = WeakMap<object, Map<string, number>>

interface ParsedNode {
  line: number
  result: unknown
}

function recordKeyLines(
  keyLines: KeyLines
): (this: State, event: 'open' | 'close', state: State) => void {
  const stack: ParsedNode[][] = []
  return (event, state) => {
    if (event === 'open') {
      stack.push([])
      return
    }
    const children = stack.pop() ?? []
    const result: unknown = state.result
    if (isMapping(result) && children.length % 2 === 0) {
      const lines = new Map<string, number>()
      for (let i = 0; i < children.length; i += 2)
        lines.set(String(children[i]!.result), children[i]!.line + 1)
      keyLines.set(result, lines)
    }
    stack.at(-1)?.push({ line: state.line, result })
  }
}

function chainListeners(
  ...listeners: Array<(this: State, event: 'open' | 'close', state: State) => void>
): (this: State, event: 'open' | 'close', state: State) => void {
  return function (this: State, event, state) {
    for (const listener of listeners) listener.call(this, event, state)
  }
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date)
  )
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list'
  if (value === null) return 'nothing'
  return `a ${typeof value} (${JSON.stringify(value)})`
}

const GROUP_SECTIONS = ['vars', 'children', 'hosts']

/**
 * Reads a YAML inventory into `data`, following ansible-core's yaml plugin: top-level keys are groups, each with
 * optional `hosts` (host name or range → variables), `vars` and `children` (nested groups of the same shape).
 */
export function parseYamlInventory(source: InventorySource, data: InventoryData): void {
  const keyLines: KeyLines = new WeakMap()
  let document: unknown
  try {
    document = load(source.text, {
      schema: ANSIBLE_YAML_SCHEMA,
      filename: source.label,
      json: true, // a repeated key overrides the earlier one, as in PyYAML, instead of failing
      listener: chainListeners(
        // A list or mapping as a key (a host, group or variable name) is refused, as Ansible refuses it.
        complexKeyListener((message, line, column) => {
          throw new InventoryError(`YAML syntax error: ${message}`, {
            file: source.label,
            line: line + 1,
            column: column + 1
          })
        }),
        recordKeyLines(keyLines)
      )
    })
  } catch (e) {
    if (!(e instanceof YAMLException)) throw e
    throw new InventoryError(
      `YAML syntax error: ${e.reason}. Check the indentation and quoting on this line.`,
      {
        file: source.label,
        line: e.mark.line + 1,
        column: e.mark.column + 1
      }
    )
  }
  const top: SourceLocation = { file: source.label, line: 1 }
  if (document === null || document === undefined) return // empty: no hosts, as Ansible ends up with
  if (findCycle(document)) {
    throw new InventoryError(
      'a YAML alias refers to the node that contains it (like `a: &x [*x]`), which makes an endless value. ' +
        'Copy the values instead of aliasing the enclosing anchor.',
      top
    )
  }
  if (!isMapping(document)) {
    throw new InventoryError(
      `a YAML inventory must be a mapping of group names (for example 'all:' with 'hosts:' under it), ` +
        `but this document is ${describe(document)}.`,
      top
    )
  }
  if ('plugin' in document) {
    throw new InventoryError(
      "this is an inventory plugin configuration ('plugin:' key); inventory plugins are not supported. " +
        'List hosts and groups in an INI or YAML inventory instead.',
      locate(keyLines, document, 'plugin', top)
    )
  }

  const reader = new GroupReader(source, data, keyLines)
  for (const [name, value] of Object.entries(document))
    reader.readGroup(name, value, locate(keyLines, document, name, top))
}

function locate(
  keyLines: KeyLines,
  mapping: object,
  key: string,
  fallback: SourceLocation
): SourceLocation {
  const line = keyLines.get(mapping)?.get(key)
  return line === undefined ? fallback : { file: fallback.file, line }
}

class GroupReader {
  constructor(
    private readonly source: InventorySource,
    private readonly data: InventoryData,
    private readonly keyLines: KeyLines
  ) {}

  readGroup(name: string, definition: unknown, at: SourceLocation): void {
    if (definition !== null && !isMapping(definition)) {
      throw new InventoryError(
        `group '${name}' must be a mapping with 'hosts:', 'children:' and/or 'vars:' (or empty), but it is ` +
          `${describe(definition)}. Hosts go under '${name}: {hosts: {host1: , host2: }}'.`,
        at
      )
    }
    this.data.addGroup(name)
    if (definition === null) return
    for (const [key, raw] of Object.entries(definition)) {
      const keyAt = locate(this.keyLines, definition, key, at)
      if (!GROUP_SECTIONS.includes(key)) {
        const hint = closestMatch(key, GROUP_SECTIONS)
        this.data.warnings.push(
          `${keyAt.file}:${keyAt.line}: skipping unexpected key '${key}' in group '${name}'; only 'hosts', ` +
            `'children' and 'vars' are valid${hint ? ` (did you mean '${hint}'?)` : ''}.`
        )
        continue
      }
      // Like Ansible, `hosts: web1` is short for `hosts: {web1: }`.
      const section = typeof raw === 'string' ? { [raw]: null } : raw
      if (section === null) continue
      if (!isMapping(section)) {
        throw new InventoryError(
          `'${key}' of group '${name}' must be a mapping, but it is ${describe(section)}. Write each entry as ` +
            `a key ending in ':' (e.g. '${key === 'vars' ? 'ansible_user: deploy' : 'web1:'}'), not as a '- ' list item.`,
          keyAt
        )
      }
      if (key === 'vars') this.readVars(name, section, keyAt)
      else if (key === 'children') this.readChildren(name, section, keyAt)
      else this.readHosts(name, section, keyAt)
    }
  }

  private readVars(group: string, vars: Record<string, unknown>, at: SourceLocation): void {
    for (const [k, v] of Object.entries(vars))
      this.data.setGroupVar(group, k, v, locate(this.keyLines, vars, k, at))
  }

  private readChildren(group: string, children: Record<string, unknown>, at: SourceLocation): void {
    for (const [child, definition] of Object.entries(children)) {
      const childAt = locate(this.keyLines, children, child, at)
      this.readGroup(child, definition, childAt)
      this.data.addChildGroup(group, child, childAt)
    }
  }

  private readHosts(group: string, hosts: Record<string, unknown>, at: SourceLocation): void {
    for (const [pattern, raw] of Object.entries(hosts)) {
      const hostAt = locate(this.keyLines, hosts, pattern, at)
      // Ansible accepts any empty value (`web1:`, `web1: ''`) as "no variables".
      const vars = raw === null || raw === '' || raw === false || raw === 0 ? {} : raw
      if (!isMapping(vars)) {
        throw new InventoryError(
          `host '${pattern}' in group '${group}' must map to its variables (or be empty), but it is ` +
            `${describe(vars)}. Write '${pattern}:' alone, or indent 'key: value' lines under it.`,
          hostAt
        )
      }
      const entry = parseHostEntry(pattern, hostAt)
      for (const name of entry.names) {
        this.data.addHost(name, group, entry.port, this.source.file)
        for (const [k, v] of Object.entries(vars)) this.data.setHostVar(name, k, v)
      }
    }
  }
}
