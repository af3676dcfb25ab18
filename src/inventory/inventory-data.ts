import { dirname } from 'node:path'
import { InventoryError, type SourceLocation } from '../errors.js'

/** A group while sources are being read. */
export interface GroupData {
  name: string
  hosts: string[]
  children: string[]
  parents: string[]
  vars: Record<string, unknown>
  /** `ansible_group_priority`: among groups of equal depth, a higher priority wins. Never stored as a var. */
  priority: number
}

/** A host while sources are being read. */
export interface HostData {
  name: string
  vars: Record<string, unknown>
}

/**
 * The mutable inventory the INI and YAML parsers fill in, mirroring Ansible's `InventoryData`:
 * groups `all` and `ungrouped` always exist, and several sources add to the same hosts and groups.
 */
export class InventoryData {
  readonly hosts = new Map<string, HostData>()
  readonly groups = new Map<string, GroupData>()
  /** Things Ansible would warn about (skipped YAML keys, a name used for both a host and a group). */
  readonly warnings: string[] = []
  /**
   * Directories whose `group_vars/` and `host_vars/` hold inventory variables: each inventory source's own
   * directory (a directory source itself), in the order the sources were given.
   */
  readonly varsBases: string[] = []
  /** Members of each group's `hosts`, so adding a host stays O(1) for inventories of many thousands. */
  private readonly groupMembers = new Map<string, Set<string>>()

  constructor() {
    this.addGroup('all')
    this.addGroup('ungrouped')
    this.addChildGroup('all', 'ungrouped')
  }

  addGroup(name: string): GroupData {
    let group = this.groups.get(name)
    if (!group) {
      group = { name, hosts: [], children: [], parents: [], vars: {}, priority: 1 }
      this.groups.set(name, group)
    }
    return group
  }

  /**
   * Adds a host (first time only: its port and inventory_file come from where it first appears) and puts it
   * in `group`.
   */
  addHost(
    name: string,
    group: string,
    port: number | undefined,
    sourceFile: string | undefined
  ): void {
    // sourceFile is an absolute path (Ansible's inventory_file), or undefined for inline text.
    let host = this.hosts.get(name)
    if (!host) {
      host = { name, vars: {} }
      if (port !== undefined) host.vars['ansible_port'] = port
      host.vars['inventory_file'] = sourceFile ?? null
      host.vars['inventory_dir'] = sourceFile ? dirname(sourceFile) : null
      this.hosts.set(name, host)
    }
    const g = this.addGroup(group)
    let members = this.groupMembers.get(group)
    if (!members) {
      members = new Set(g.hosts)
      this.groupMembers.set(group, members)
    }
    if (!members.has(name)) {
      members.add(name)
      g.hosts.push(name)
    }
  }

  /** Makes `child` a subgroup of `parent`, refusing loops as Ansible does. */
  addChildGroup(parent: string, child: string, location?: SourceLocation): void {
    const p = this.addGroup(parent)
    const c = this.addGroup(child)
    if (p.children.includes(child)) return
    if (parent === child || this.isDescendant(parent, child)) {
      throw new InventoryError(
        `making '${child}' a child of '${parent}' creates a loop: '${parent}' is already ${
          parent === child ? 'that same group' : `a descendant of '${child}'`
        }. Remove one of the two parent/child declarations.`,
        location
      )
    }
    p.children.push(child)
    if (!c.parents.includes(parent)) c.parents.push(parent)
  }

  setGroupVar(group: string, key: string, value: unknown, location?: SourceLocation): void {
    const g = this.addGroup(group)
    if (key === 'ansible_group_priority') {
      const priority = Number(value)
      if (!Number.isInteger(priority)) {
        throw new InventoryError(
          `ansible_group_priority of group '${group}' must be a whole number, got ${JSON.stringify(value)}.`,
          location
        )
      }
      g.priority = priority
    } else {
      g.vars[key] = value
    }
  }

  setHostVar(host: string, key: string, value: unknown): void {
    const h = this.hosts.get(host)
    if (h) h.vars[key] = value
  }

  private isDescendant(name: string, ofGroup: string): boolean {
    const seen = new Set<string>()
    const stack = [...(this.groups.get(ofGroup)?.children ?? [])]
    while (stack.length > 0) {
      const g = stack.pop()!
      if (g === name) return true
      if (seen.has(g)) continue
      seen.add(g)
      stack.push(...(this.groups.get(g)?.children ?? []))
    }
    return false
  }
}
