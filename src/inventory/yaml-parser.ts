import { closestMatch, InventoryError, type SourceLocation } from '../errors.js'
import {
  chainListeners,
  findCycle,
  loadYaml,
  refusingListener,
  YamlSyntaxError,
  type YamlListener
} from '../values/yaml.js'
import { vaultValueDecryptor } from '../vault/index.js'
import { parseHostEntry } from './host-range.js'
import type { InventorySource } from './ini-parser.js'
import type { InventoryData } from './inventory-data.js'
import { isRecord } from '../values/records.js'

/** 1-based line of each key of each mapping, recorded while js-yaml parses (it keeps no positions itself). */
type KeyLines = WeakMap<object, Map<string, number>>

interface ParsedNode {
  line: number
  result: unknown
}

function recordKeyLines(keyLines: KeyLines): YamlListener {
  const stack: ParsedNode[][] = []
  return (event, state) => {
    if (event === 'open') {
      stack.push([])
      return
    }
    const children = stack.pop() ?? []
    const result: unknown = state.result
    if (isRecord(result) && children.length % 2 === 0) {
      const lines = new Map<string, number>()
      for (let i = 0; i < children.length; i += 2)
        lines.set(String(children[i]!.result), children[i]!.line + 1)
      keyLines.set(result, lines)
    }
    stack.at(-1)?.push({ line: state.line, result })
  }
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
    // Ansible's YAML (src/values/yaml.ts): YAML 1.1 scalars, `!unsafe` strings never templated.
    document = loadYaml(source.text, {
      filename: source.label,
      decryptVault: vaultValueDecryptor(source.label),
      listener: chainListeners(
        // A list or mapping as a key (a host, group or variable name) is refused, as Ansible refuses it.
        refusingListener((message, line, column) => {
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
    if (!(e instanceof YamlSyntaxError)) throw e
    throw new InventoryError(
      `YAML syntax error: ${e.reason}. Check the indentation and quoting on this line.`,
      {
        file: source.label,
        line: e.line + 1,
        column: e.column + 1
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
  if (!isRecord(document)) {
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
    if (definition !== null && !isRecord(definition)) {
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
      if (!isRecord(section)) {
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
      if (!isRecord(vars)) {
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
