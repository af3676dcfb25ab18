import { InventoryError, type SourceLocation } from '../errors.js'
import { parseHostEntry } from './host-range.js'
import type { InventoryData } from './inventory-data.js'
import { parsePythonLiteral } from '../values/python-literal.js'

/** Inventory text and where it came from. */
export interface InventorySource {
  text: string
  /** Names the source in error messages: a file path or a label such as `<inventory text>`. */
  label: string
  /** Absolute path when the source is a file (becomes `inventory_file`), undefined for inline text. */
  file?: string
}

// The same expressions as Ansible's ini plugin.
const SECTION = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$/
const GROUP_NAME = /^([^:\]\s]+)\s*(?:#.*)?$/
const SECTION_KINDS = ['hosts', 'children', 'vars']

interface PendingDeclaration {
  line: number
  kind: 'children' | 'vars'
  parents: string[]
}

/**
 * Reads an INI inventory into `data`, following ansible-core's ini plugin: lines before any section are
 * ungrouped hosts; `[g]` lists hosts, `[g:children]` subgroups, `[g:vars]` variables; values are read as Python
 * literals; a group named in `:children` or `:vars` must be declared somewhere in the same file.
 */
export function parseIniInventory(source: InventorySource, data: InventoryData): void {
  const pending = new Map<string, PendingDeclaration>()
  let group = 'ungrouped'
  let kind = 'hosts'
  const lines = source.text.split(/\r\n|\r|\n/)
  for (let i = 0; i < lines.length; i++) {
    const location: SourceLocation = { file: source.label, line: i + 1 }
    const line = lines[i]!.trim()
    if (!line || line.startsWith('#') || line.startsWith(';')) continue

    const section = SECTION.exec(line)
    if (section) {
      group = section[1]!
      kind = section[2] ?? 'hosts'
      if (!SECTION_KINDS.includes(kind)) {
        throw new InventoryError(
          `section [${group}:${kind}] has unknown type '${kind}'. Use [${group}] for hosts, [${group}:children] for ` +
            `subgroups or [${group}:vars] for variables.`,
          location
        )
      }
      if (!data.groups.has(group)) {
        // [g:vars] alone does not declare g; [g] or [g:children] must appear somewhere in the file.
        if (kind === 'vars' && !pending.has(group))
          pending.set(group, { line: i + 1, kind: 'vars', parents: [] })
        data.addGroup(group)
      }
      const declaration = pending.get(group)
      if (declaration && kind !== 'vars') {
        if (declaration.kind === 'children')
          resolvePendingChildren(group, pending, data, source.label)
        else pending.delete(group)
      }
      continue
    }
    if (line.startsWith('[') && line.endsWith(']')) {
      throw new InventoryError(
        `invalid section header '${line}'. Section names cannot contain spaces; write [group], [group:children] ` +
          'or [group:vars].',
        location
      )
    }

    if (kind === 'hosts') {
      parseHostLine(line, group, location, source, data)
    } else if (kind === 'vars') {
      const eq = line.indexOf('=')
      if (eq < 0) {
        throw new InventoryError(
          `expected 'key=value' in [${group}:vars], got '${line}'. Write one variable per line, e.g. ansible_user=deploy.`,
          location
        )
      }
      data.setGroupVar(
        group,
        line.slice(0, eq).trim(),
        parsePythonLiteral(line.slice(eq + 1).trim()),
        location
      )
    } else {
      const child = GROUP_NAME.exec(line)?.[1]
      if (child === undefined) {
        throw new InventoryError(
          `expected a group name in [${group}:children], got '${line}'. List one group name per line; hosts ` +
            `belong in [${group}].`,
          location
        )
      }
      if (data.groups.has(child)) {
        data.addChildGroup(group, child, location)
      } else {
        const declaration = pending.get(child)
        if (declaration) declaration.parents.push(group)
        else pending.set(child, { line: i + 1, kind: 'children', parents: [group] })
      }
    }
  }

  for (const [name, declaration] of pending) {
    const location = { file: source.label, line: declaration.line }
    if (declaration.kind === 'vars') {
      throw new InventoryError(
        `section [${name}:vars] sets variables for group '${name}', which is never declared. Add a [${name}] ` +
          `section listing its hosts (it may be empty), or fix the group name.`,
        location
      )
    }
    throw new InventoryError(
      `section [${declaration.parents.at(-1)}:children] includes group '${name}', which is never declared. Add a ` +
        `[${name}] section listing its hosts (it may be empty), or fix the group name.`,
      location
    )
  }
}

function resolvePendingChildren(
  group: string,
  pending: Map<string, PendingDeclaration>,
  data: InventoryData,
  label: string
): void {
  const declaration = pending.get(group)
  if (!declaration) return
  pending.delete(group)
  for (const parent of declaration.parents) {
    data.addChildGroup(parent, group, { file: label, line: declaration.line })
    if (pending.get(parent)?.kind === 'children')
      resolvePendingChildren(parent, pending, data, label)
  }
}

function parseHostLine(
  line: string,
  group: string,
  location: SourceLocation,
  source: InventorySource,
  data: InventoryData
): void {
  let tokens: string[]
  try {
    tokens = shellSplit(line)
  } catch (e) {
    throw new InventoryError(
      `cannot read host line '${line}': ${(e as Error).message}. Close the quote, or escape it with a backslash.`,
      location
    )
  }
  if (tokens.length === 0) return // only a comment after all
  const vars: Record<string, unknown> = {}
  for (const token of tokens.slice(1)) {
    const eq = token.indexOf('=')
    if (eq < 0) {
      throw new InventoryError(
        `expected key=value after the host name, got '${token}'. Put one host per line, followed by ` +
          'variables such as ansible_host=10.0.0.5; quote values that contain spaces.',
        location
      )
    }
    vars[token.slice(0, eq)] = parsePythonLiteral(token.slice(eq + 1))
  }
  const entry = parseHostEntry(tokens[0]!, location)
  for (const name of entry.names) {
    data.addHost(name, group, entry.port, source.file)
    for (const [k, v] of Object.entries(vars)) data.setHostVar(name, k, v)
  }
}

class ShellSplitError extends Error {}

/** Python's `shlex.split(line, comments=True)` in POSIX mode, which Ansible uses for host lines. */
export function shellSplit(line: string): string[] {
  // Most host lines have no quotes, escapes or comments: plain whitespace splitting gives the same words.
  if (!/['"\\#]/.test(line)) return line.split(/\s+/).filter((w) => w !== '')
  const tokens: string[] = []
  let token: string | undefined
  let i = 0
  while (i < line.length) {
    const c = line[i]!
    if (/\s/.test(c)) {
      if (token !== undefined) tokens.push(token)
      token = undefined
      i++
    } else if (c === '#') {
      break
    } else if (c === '\\') {
      if (i + 1 >= line.length) throw new ShellSplitError('no character after the final backslash')
      token = (token ?? '') + line[i + 1]
      i += 2
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1)
      if (end < 0) throw new ShellSplitError('no closing quotation')
      token = (token ?? '') + line.slice(i + 1, end)
      i = end + 1
    } else if (c === '"') {
      let value = ''
      i++
      for (;;) {
        if (i >= line.length) throw new ShellSplitError('no closing quotation')
        const d = line[i]!
        if (d === '"') break
        if (d === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) {
          value += line[i + 1]
          i += 2
        } else {
          value += d
          i++
        }
      }
      token = (token ?? '') + value
      i++
    } else {
      token = (token ?? '') + c
      i++
    }
  }
  if (token !== undefined) tokens.push(token)
  return tokens
}
