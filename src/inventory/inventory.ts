import { openSync, readFileSync, readSync, closeSync, readdirSync, statSync } from 'node:fs'
import { dirname, extname, join, resolve } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { closestMatch, InventoryError } from '../errors.js'
import { parseHostEntry } from './host-range.js'
import {
  evaluatePatterns,
  LOCALHOST_NAMES,
  splitHostPattern,
  type PatternTarget
} from './host-pattern.js'
import { parseIniInventory, type InventorySource } from './ini-parser.js'
import { readInventoryScript } from './script-inventory.js'
import { InventoryData } from './inventory-data.js'
import { parseYamlInventory } from './yaml-parser.js'
import { loadYaml } from '../values/yaml.js'
import { decryptTextIfVaulted, vaultKeyring, vaultValueDecryptor } from '../vault/index.js'
import { VarsDirectories } from './vars-dirs.js'
import { dict } from '../values/dict.js'
import { byCodePoint } from '../values/code-points.js'
import { cloneData } from '../values/records.js'

/** A host as loaded. `vars` are its own variables only; see {@link Inventory.hostVars} for the merged view. */
export interface InventoryHost {
  name: string
  vars: Record<string, unknown>
  /** Every group the host is in, including 'all' and ancestor groups, in variable precedence order (lowest first). */
  groups: string[]
}

export interface InventoryGroup {
  name: string
  /** Hosts listed directly in this group. */
  hosts: string[]
  children: string[]
  vars: Record<string, unknown>
}

/** One change add_host or group_by made to the inventory while the run went on. */
export type DynamicChange =
  | { kind: 'host'; host: string; groups: string[]; vars: Record<string, unknown> }
  | { kind: 'group'; host: string; group: string; parents: string[] }

export interface LoadInventoryOptions {
  /** Names inline inventory text in error messages. Default `<inventory text>`. */
  label?: string
  /** Run executable inventory files (`--list`); without it they are refused naming the flag. */
  allowScripts?: boolean
}

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/
const IPV6 = /^[0-9a-fA-F:]*:[0-9a-fA-F:.]*$/

/** A loaded inventory: hosts, groups, merged variables and host pattern selection. */
export class Inventory implements PatternTarget {
  readonly hosts = new Map<string, InventoryHost>()
  readonly groups = new Map<string, InventoryGroup>()
  /** Problems Ansible would only warn about; the caller should show them. */
  readonly warnings: readonly string[]
  private readonly groupHostCache = new Map<string, string[]>()
  private implicitLocalhost: string | undefined
  /** What add_host and group_by changed, in order (replayed on an inventory read again). */
  readonly dynamicChanges: DynamicChange[] = []
  /** Hosts add_host made, in the order it made them. */
  private readonly dynamicHosts = new Set<string>()
  /** Groups add_host or group_by put hosts in: listed in the order hosts joined them, as Ansible lists them. */
  private readonly dynamicGroups = new Set<string>()
  /** group_vars/host_vars files, each read once (and only when a host's variables need it). */
  private readonly varsDirs = new VarsDirectories()

  /** Use {@link loadInventory} or {@link defaultInventory}; this finishes what the parsers collected. */
  constructor(private readonly data: InventoryData) {
    const warnings = [...data.warnings]
    for (const host of data.hosts.keys()) {
      if (data.groups.has(host)) warnings.push(`found both a group and a host named '${host}'`)
    }
    for (const base of data.varsBases)
      for (const folder of ['group_vars', 'host_vars']) {
        const path = join(base, folder)
        if (fileKind(path) === 'file')
          warnings.push(`Found ${folder} that is not a directory, skipping: ${path}`)
      }
    this.warnings = warnings
    this.reconcile()
  }

  /**
   * Like Ansible's reconcile_inventory: top-level groups hang under 'all', 'ungrouped' holds exactly the
   * hosts that are in no group but 'all', and each host's groups are listed in variable precedence order.
   * Run once when loaded, and again after add_host or group_by changed the inventory.
   */
  private reconcile(): void {
    const data = this.data
    this.hosts.clear()
    this.groups.clear()
    this.groupHostCache.clear()
    for (const group of data.groups.values()) {
      if (group.name !== 'all' && group.parents.length === 0) data.addChildGroup('all', group.name)
    }
    const directGroups = new Map<string, string[]>([...data.hosts.keys()].map((h) => [h, []]))
    for (const g of data.groups.values()) for (const h of g.hosts) directGroups.get(h)?.push(g.name)
    const ungrouped = data.groups.get('ungrouped')!
    const inOtherGroups = new Set(
      [...directGroups]
        .filter(([, groups]) => groups.some((g) => g !== 'all' && g !== 'ungrouped'))
        .map(([h]) => h)
    )
    ungrouped.hosts = [...data.hosts.keys()].filter((h) => !inOtherGroups.has(h))
    for (const h of ungrouped.hosts)
      if (!directGroups.get(h)!.includes('ungrouped')) directGroups.get(h)!.push('ungrouped')

    const depth = new Map<string, number>()
    const depthOf = (name: string): number => {
      let d = depth.get(name)
      if (d === undefined) {
        d = Math.max(0, ...data.groups.get(name)!.parents.map((p) => depthOf(p) + 1))
        depth.set(name, d)
      }
      return d
    }
    const precedence = (a: string, b: string): number =>
      depthOf(a) - depthOf(b) ||
      data.groups.get(a)!.priority - data.groups.get(b)!.priority ||
      (a < b ? -1 : a > b ? 1 : 0)

    for (const g of data.groups.values()) {
      this.groups.set(g.name, {
        name: g.name,
        hosts: [...g.hosts],
        children: [...g.children],
        vars: g.vars
      })
    }
    for (const h of data.hosts.values()) {
      const groups = new Set<string>()
      const visit = (name: string): void => {
        if (groups.has(name)) return
        groups.add(name)
        for (const parent of data.groups.get(name)!.parents) visit(parent)
      }
      for (const g of directGroups.get(h.name)!)
        if (g !== 'ungrouped' || !inOtherGroups.has(h.name)) visit(g)
      this.hosts.set(h.name, { name: h.name, vars: h.vars, groups: [...groups].sort(precedence) })
    }
  }

  /**
   * `add_host`: adds the host (to 'all') unless it exists, merges `vars` over its own variables and puts it
   * in `groups` (made when missing), as Ansible's add_dynamic_host. Returns whether anything changed.
   */
  addDynamicHost(change: {
    host: string
    groups: string[]
    vars: Record<string, unknown>
  }): boolean {
    const data = this.data
    let changed = false
    if (!data.hosts.has(change.host)) {
      data.addHost(change.host, 'all', undefined, undefined)
      // A host made at run time comes from no inventory file: it has no inventory_file/inventory_dir.
      const own = data.hosts.get(change.host)!.vars
      delete own['inventory_file']
      delete own['inventory_dir']
      this.dynamicHosts.add(change.host)
      changed = true
    }
    const host = data.hosts.get(change.host)!
    const merged = { ...host.vars, ...change.vars }
    if (!isDeepStrictEqual(merged, host.vars)) {
      host.vars = merged
      changed = true
    }
    for (const group of change.groups) {
      if (!data.groups.get(group)?.hosts.includes(change.host)) {
        data.addHost(change.host, group, undefined, undefined)
        this.dynamicGroups.add(group)
        changed = true
      }
    }
    this.dynamicChanges.push({ kind: 'host', ...change })
    if (changed) this.reconcile()
    return changed
  }

  /**
   * `group_by`: puts `host` in `group` (made when missing) and makes the group a child of each of `parents`
   * (made when missing), as Ansible's add_dynamic_group. Returns whether anything changed; a parent that
   * would make a loop is an InventoryError.
   */
  addDynamicGroup(change: { host: string; group: string; parents: string[] }): boolean {
    const data = this.data
    let changed = false
    for (const parent of change.parents) {
      if (!data.groups.has(parent)) changed = true
    }
    const group = data.addGroup(change.group)
    for (const parent of change.parents) {
      if (!group.parents.includes(parent)) {
        data.addChildGroup(parent, change.group)
        if (parent !== 'all') this.dynamicGroups.add(parent)
        changed = true
      }
    }
    if (!group.hosts.includes(change.host)) {
      if (data.hosts.has(change.host)) {
        data.addHost(change.host, change.group, undefined, undefined)
        this.dynamicGroups.add(change.group)
      }
      changed = true
    }
    this.dynamicChanges.push({ kind: 'group', ...change })
    if (changed) this.reconcile()
    return changed
  }

  /** Applies what add_host and group_by did to another inventory (one read again by refresh_inventory). */
  replayDynamicChanges(from: Inventory): void {
    for (const change of from.dynamicChanges) {
      try {
        if (change.kind === 'host') this.addDynamicHost(change)
        else this.addDynamicGroup(change)
      } catch {
        // A host the new inventory no longer has, or a group that would now make a loop: left out, as
        // Ansible skips what it cannot apply again.
      }
    }
  }

  /** All hosts in inventory order (order of first appearance). */
  hostNames(): string[] {
    return [...this.hosts.keys()]
  }

  groupNames(): string[] {
    return [...this.groups.keys()]
  }

  hasHost(name: string): boolean {
    return this.hosts.has(name)
  }

  /** Hosts of a group and of all its descendants, in inventory order. */
  groupHosts(group: string): string[] {
    let cached = this.groupHostCache.get(group)
    if (!cached) {
      const members = new Set<string>()
      const visit = (name: string): void => {
        const g = this.groups.get(name)
        if (!g) return
        for (const h of g.hosts) members.add(h)
        for (const child of g.children) visit(child)
      }
      visit(group)
      cached = this.dynamicGroups.has(group)
        ? this.hostsInJoiningOrder(group)
        : this.hostNames().filter((h) => members.has(h))
      // As Ansible lists a group's own hosts before its children's: add_host's hosts are in 'all' itself.
      if (group === 'all' && this.dynamicHosts.size > 0)
        cached = [
          ...[...this.dynamicHosts].filter((h) => members.has(h)),
          ...cached.filter((h) => !this.dynamicHosts.has(h))
        ]
      this.groupHostCache.set(group, cached)
    }
    return [...cached]
  }

  /** A group's hosts as Ansible's get_hosts lists them: its own in the order they joined, then its children's. */
  private hostsInJoiningOrder(group: string): string[] {
    const out = new Set<string>()
    const seen = new Set<string>()
    const visit = (name: string): void => {
      if (seen.has(name)) return
      seen.add(name)
      const g = this.groups.get(name)
      if (!g) return
      for (const h of g.hosts) out.add(h)
      for (const child of g.children) visit(child)
    }
    visit(group)
    return [...out]
  }

  /** The host a localhost-like pattern means: a localhost-like inventory host, else Ansible's implicit localhost. */
  localhostFor(name: string): string {
    const inInventory = this.hostNames().find((h) => LOCALHOST_NAMES.includes(h))
    if (inInventory !== undefined) return inInventory
    this.implicitLocalhost ??= name
    return this.implicitLocalhost
  }

  /**
   * Variables of a host, merged with Ansible 2.14's precedence (lowest first): group 'all' from inventory files
   * < the host's other groups from inventory files < group_vars/all next to each inventory source < group_vars/all
   * next to the playbook < group_vars/GROUP next to each inventory source < group_vars/GROUP next to the playbook
   * < the host's own inventory variables < host_vars/HOST next to each inventory source < next to the playbook.
   * Groups are in precedence order (depth, then ansible_group_priority, then name). Then inventory_hostname,
   * inventory_hostname_short, group_names (sorted, without 'all') and groups (group → hosts). Values are raw
   * (templates not rendered) and the result is a copy the caller may change. `localhost`/`127.0.0.1` work even
   * when not in the inventory. `playbookDir` is the directory of the play's playbook, whose group_vars/ and
   * host_vars/ are read too (none for ad hoc commands, as in Ansible).
   */
  hostVars(
    name: string,
    playbookDir?: string,
    /** A delegate_to target outside the inventory: the 'all' group's variables and its own host_vars, as Ansible's host made on the fly. */
    unlisted = false
  ): Record<string, unknown> {
    const host = this.hosts.get(name)
    const merged: Record<string, unknown> = dict()
    const bases = this.data.varsBases
    const put = (vars: Record<string, unknown>): void => {
      for (const [k, v] of Object.entries(vars)) merged[k] = v
    }
    const fromDirs = (kind: 'group_vars' | 'host_vars', names: readonly string[]): void => {
      for (const base of bases) for (const n of names) put(this.varsDirs.varsFor(base, kind, n))
      if (playbookDir !== undefined)
        for (const n of names) put(this.varsDirs.varsFor(playbookDir, kind, n))
    }
    let groupNames: string[]
    if (host) {
      const others = host.groups.filter((g) => g !== 'all')
      put(this.groups.get('all')!.vars)
      for (const g of others) put(this.groups.get(g)!.vars)
      fromDirs('group_vars', ['all'])
      fromDirs('group_vars', others)
      put(host.vars)
      fromDirs('host_vars', [name])
      groupNames = [...others].sort()
    } else if (LOCALHOST_NAMES.includes(name) && this.localhostFor(name) === name) {
      // Ansible's implicit localhost: the 'all' group's variables, then its own (connection local).
      put(this.groups.get('all')!.vars)
      fromDirs('group_vars', ['all'])
      put({ ansible_connection: 'local' })
      fromDirs('host_vars', [name])
      groupNames = []
    } else if (unlisted) {
      put(this.groups.get('all')!.vars)
      fromDirs('group_vars', ['all'])
      fromDirs('host_vars', [name])
      groupNames = []
    } else {
      const hint = closestMatch(name, this.hosts.keys())
      throw new InventoryError(
        `host '${name}' is not in the inventory${hint ? `; did you mean '${hint}'?` : '.'} ` +
          'Add it to the inventory, or check the spelling in the play or task.'
      )
    }
    merged['inventory_hostname'] = name
    merged['inventory_hostname_short'] =
      IPV4.test(name) || IPV6.test(name) ? name : name.split('.')[0]
    merged['group_names'] = groupNames
    merged['groups'] = Object.fromEntries(this.groupNames().map((g) => [g, this.groupHosts(g)]))
    return cloneData(merged)
  }

  /**
   * Reads every group_vars/host_vars file the inventory's hosts and groups use (next to the inventory
   * sources, and next to `playbookDir` when given), so that a broken file stops the run before anything runs.
   * @throws InventoryError or PlaybookError naming the file (and line)
   */
  preloadVars(playbookDir?: string): void {
    const bases = [...this.data.varsBases, ...(playbookDir === undefined ? [] : [playbookDir])]
    for (const base of bases) {
      for (const group of this.groupNames()) this.varsDirs.varsFor(base, 'group_vars', group)
      for (const host of this.hostNames()) this.varsDirs.varsFor(base, 'host_vars', host)
    }
  }

  /** Hosts matching an Ansible host pattern (or a list of them), in inventory order, without duplicates. */
  select(pattern: string | readonly string[]): string[] {
    return evaluatePatterns(splitHostPattern(pattern), this)
  }
}

/**
 * Loads and merges inventory sources, in order. Each source is a file path (INI, or YAML by a .yml/.yaml/.json
 * extension or by its content), a comma-separated host list such as `web1,web2:2222,` (Ansible's `-i a,b,`), or
 * inline inventory text (anything containing a newline, or a single line that names no existing file).
 */
export function loadInventory(
  sources: readonly string[],
  options: LoadInventoryOptions = {}
): Inventory {
  const data = new InventoryData()
  const label = options.label ?? '<inventory text>'
  sources.forEach((source, i) =>
    readSource(source, sources.length > 1 ? `${label} #${i + 1}` : label, data, options)
  )
  return new Inventory(data)
}

/**
 * The inventory used when none is given: one host `localhost` with ansible_connection=local, in 'ungrouped',
 * so `hosts: all`, `localhost` and `127.0.0.1` all select it.
 */
export function defaultInventory(): Inventory {
  const data = new InventoryData()
  data.addHost('localhost', 'ungrouped', undefined, undefined)
  data.setHostVar('localhost', 'ansible_connection', 'local')
  return new Inventory(data)
}

/**
 * Applies `--limit`: keeps the hosts (in their order) that also match `limit`, a host pattern in the same
 * syntax, where an `@file` item lists further patterns one per line.
 */
export function applyLimit(
  hosts: readonly string[],
  inventory: Inventory,
  limit: string | undefined
): string[] {
  if (limit === undefined || limit.trim() === '') return [...hosts]
  const patterns: string[] = []
  for (const item of splitHostPattern(limit)) {
    if (item.startsWith('@')) patterns.push(...readLimitFile(item.slice(1)))
    else patterns.push(item)
  }
  const allowed = new Set(evaluatePatterns(patterns, inventory))
  return hosts.filter((h) => allowed.has(h))
}

function readLimitFile(path: string): string[] {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    throw new InventoryError(
      `cannot read limit file '${path}' (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : String(e)}). ` +
        "'--limit @FILE' needs a file listing one host or pattern per line."
    )
  }
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
}

/**
 * Hands the values of a decrypted inventory to the masker: the `key=value` values of an INI file's lines and
 * the scalars of a YAML one (mapping keys, such as host names, stay visible).
 */
function revealInventoryValues(text: string, label: string): void {
  const keyring = vaultKeyring()
  for (const match of text.matchAll(/[\w.-]+=("[^"]*"|'[^']*'|\S+)/g))
    keyring.reveal(match[1]!.replace(/^(["'])(.*)\1$/, '$2'))
  // YAML: the values as parsed (block scalars, flow mappings, lists, comments dropped).
  let parsed: unknown
  try {
    parsed = loadYaml(text, { filename: label, decryptVault: vaultValueDecryptor(label) })
  } catch {
    return // Not YAML (an INI file): its values are revealed above; the parser reports real errors.
  }
  if (parsed !== null && typeof parsed === 'object') keyring.reveal(parsed)
}

const PATH_LIKE = /[\\/]|\.(?:ini|ya?ml|json|cfg|conf|txt)$/i

function readSource(
  source: string,
  label: string,
  data: InventoryData,
  options: LoadInventoryOptions
): void {
  if (!source.includes('\n')) {
    const kind = fileKind(source)
    if (kind === 'directory') {
      data.varsBases.push(resolve(source))
      readDirectory(resolve(source), source, data, options)
      return
    }
    if (kind === 'file') {
      data.varsBases.push(dirname(resolve(source)))
      readFile(resolve(source), source, data, options)
      return
    }
    if (source.includes(',')) return readHostList(source, label, data)
    if (!/[\s=]/.test(source.trim()) && PATH_LIKE.test(source.trim())) {
      throw new InventoryError(
        `inventory file '${source}' does not exist. Check the path (relative paths start from ${process.cwd()}); ` +
          "for a list of hosts write them comma-separated with a trailing comma, e.g. 'web1,web2,'."
      )
    }
  }
  parseText({ text: source, label }, data)
}

/**
 * What Ansible skips in an inventory directory (INVENTORY_IGNORE_EXTS and its always-ignored names, 2.14
 * defaults): hidden names, group_vars, host_vars, vars_plugins, and names ending in one of these.
 */
const IGNORED_NAMES = /^\.|^host_vars$|^group_vars$|^vars_plugins$/
const IGNORED_ENDINGS = [
  '.pyc',
  '.pyo',
  '.swp',
  '.bak',
  '~',
  '.rpm',
  '.md',
  '.txt',
  '.rst',
  '.orig',
  '.ini',
  '.cfg',
  '.retry'
]

/** Whether Ansible skips this entry of an inventory directory. */
export function ignoredInInventoryDirectory(name: string): boolean {
  return IGNORED_NAMES.test(name) || IGNORED_ENDINGS.some((ending) => name.endsWith(ending))
}

/** An inventory directory: each entry in lexical order, subdirectories read the same way, as Ansible does. */
function readDirectory(
  dir: string,
  shown: string,
  data: InventoryData,
  options: LoadInventoryOptions
): void {
  let entries: string[]
  try {
    entries = readdirSync(dir).sort(byCodePoint)
  } catch (e) {
    throw new InventoryError(`cannot read inventory directory '${shown}': ${(e as Error).message}`)
  }
  for (const entry of entries) {
    if (ignoredInInventoryDirectory(entry)) continue
    const path = join(dir, entry)
    const shownPath = join(shown, entry)
    const kind = fileKind(path)
    if (kind === 'directory') readDirectory(path, shownPath, data, options)
    else if (kind === 'file') readFile(path, shownPath, data, options)
  }
}

/**
 * One inventory file (INI or YAML; vault-encrypted ones decrypted). Executable inventory scripts are run only
 * when the run allows them (options.allowScripts), and refused naming the flag otherwise.
 */
function readFile(
  file: string,
  shown: string,
  data: InventoryData,
  options: LoadInventoryOptions
): void {
  if (isInventoryScript(file)) {
    const executable = (statSync(file).mode & 0o111) !== 0
    if (options.allowScripts && executable) {
      readInventoryScript(file, shown, data)
      return
    }
    if (options.allowScripts)
      throw new InventoryError(
        `inventory '${shown}' starts with '#!' but is not executable: make it executable (chmod +x) to run it as an inventory script, or remove the '#!' line`
      )
    throw new InventoryError(
      `inventory '${shown}' is an executable script (dynamic inventory), which async-playbook does not run unless ` +
        "allowed: pass --allow-inventory-scripts (the action's input allow-inventory-scripts: true) to run it " +
        'on the controller with --list, or write its output to a YAML or INI file and pass that file instead' +
        (shown.includes('/') ? ', or move the script out of the inventory directory.' : '.')
    )
  }
  if (extname(file).toLowerCase() === '.toml') {
    throw new InventoryError(
      `inventory '${shown}' is a TOML inventory, which async-playbook does not read. Write it as YAML or INI.`
    )
  }
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    throw new InventoryError(`cannot read inventory file '${shown}': ${(e as Error).message}`)
  }
  // A vault-encrypted inventory file is decrypted with the run's vault passwords, as Ansible does.
  const decrypted = decryptTextIfVaulted(text, shown, false)
  if (decrypted.vaulted) revealInventoryValues(decrypted.text, shown)
  parseText({ text: decrypted.text, label: shown, file }, data)
}

/**
 * Whether Ansible's script plugin would run this file: it starts with `#!`, or it is an executable binary (an
 * executable text file without `#!` cannot be run and is read as INI/YAML, as Ansible falls back to them).
 */
function isInventoryScript(file: string): boolean {
  const head = Buffer.alloc(4)
  let read: number
  let fd: number | undefined
  try {
    fd = openSync(file, 'r')
    read = readSync(fd, head, 0, 4, 0)
  } catch {
    return false
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
  if (read >= 2 && head[0] === 0x23 && head[1] === 0x21) return true
  const executable = (statSync(file).mode & 0o111) !== 0
  return executable && read === 4 && head.toString('latin1') === '\x7fELF'
}

function fileKind(path: string): 'file' | 'directory' | undefined {
  try {
    const stat = statSync(path)
    return stat.isDirectory() ? 'directory' : 'file'
  } catch {
    return undefined
  }
}

/** Ansible's host_list plugin: `a,b:2222,` are ungrouped hosts; no ranges, no variables. */
function readHostList(list: string, label: string, data: InventoryData): void {
  for (const item of list.split(',')) {
    const name = item.trim()
    if (!name) continue
    const entry = parseHostEntry(name, { file: label, line: 1 }, false)
    for (const host of entry.names)
      if (!data.hosts.has(host)) data.addHost(host, 'ungrouped', entry.port, undefined)
  }
}

function parseText(source: InventorySource, data: InventoryData): void {
  if (isYaml(source)) parseYamlInventory(source, data)
  else parseIniInventory(source, data)
}

/** YAML by extension, else by the first meaningful line (`all:`, `---`, `{`); INI otherwise, as most inline text is. */
function isYaml(source: InventorySource): boolean {
  const ext = source.file ? extname(source.file).toLowerCase() : ''
  if (['.yml', '.yaml', '.json'].includes(ext)) return true
  if (['.ini', '.cfg', '.conf'].includes(ext)) return false
  const first = source.text.split(/\r?\n/).find((l) => l.trim() !== '' && !/^\s*[#;]/.test(l))
  if (first === undefined) return false
  return (
    /^(?:---|%YAML|\{)/.test(first) ||
    (!first.includes('=') && /^[^\s[:][^=]*:(?:\s|$)/.test(first))
  )
}
