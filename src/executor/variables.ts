import { randomBytes } from 'node:crypto'
import { accessSync, constants as fsConstants } from 'node:fs'
import { delimiter, join } from 'node:path'
import type { Inventory } from '../inventory/inventory.js'
import { LOCALHOST_NAMES } from '../inventory/host-pattern.js'
import type { RoleRef } from '../playbook/types.js'
import { noteUntrustedRead, type Templar } from '../template/index.js'
import { dict } from '../values/dict.js'

/** A variable and whether its value may be templated (false for values that came from a target). */
interface Entry {
  value: unknown
  trusted: boolean
  safe?: boolean
}

/** Per-host state that outlives a play: facts, registered results and set_fact values. */
export interface HostMemory {
  /** Gathered facts, without the `ansible_` prefix (the `ansible_facts` variable). */
  facts: Record<string, unknown>
  /** Registered results and set_fact values, highest precedence below extra vars. */
  registered: Record<string, unknown>
  /**
   * Host facts by their own names: set by `set_fact` with `cacheable: true` (Ansible keeps them as host
   * facts too; the set_fact values above them still win as variables), or returned by a module other
   * than setup and set_fact (hostname's, getent's). Also in `ansible_facts`, without an `ansible_` prefix.
   */
  cachedFacts: Record<string, unknown>
  /** Variables from include_vars: above task vars, below registered and set_fact values (Ansible's vars cache). */
  includedVars: Record<string, unknown>
  /**
   * Names in `registered` set by set_fact from trusted variables only: no data of the targets in them, so
   * a conditional may be rendered from them (Ansible leaves such facts unmarked by its unsafe flag).
   */
  safe: Set<string>
}

/**
 * Loop variables (a task's `locals`) rendered from trusted variables only, by a `loop:` with no lookup:
 * no data of the targets in them, as Ansible leaves such items unmarked by its unsafe flag.
 */
export const SAFE_LOCALS = new WeakSet<object>()

/** Play-wide values that every host's scope sees. */
export interface PlayContext {
  /** The play's `connection` / `remote_user` keywords as variables: below every other variable. */
  keywordVars?: Record<string, unknown>
  playVars: Record<string, unknown>
  /** The play's vars_files variables: above play vars, below block and task vars. */
  varsFilesVars?: Record<string, unknown>
  /** The defaults of the play's public roles, merged in order: below everything else. */
  roleDefaults?: Record<string, unknown>
  /** The vars/main.yml of the play's public roles, merged in order: above vars_files, below a role's own vars. */
  roleExports?: Record<string, unknown>
  /** `ansible_role_names` (every role of the play, dependencies included) and `ansible_play_role_names`. */
  roleNames?: { all: string[]; listed: string[] }
  /** `ansible_play_hosts_all`: every host the play targets (after --limit), those failed earlier too. */
  playHosts: string[]
  /** The hosts of the current `serial` batch. */
  playBatch: string[]
  playbookDir: string
  /**
   * The directory whose group_vars/ and host_vars/ hold the play's playbook-adjacent variables (the directory
   * of the playbook file the play is written in); none for ad hoc commands, as in Ansible.
   */
  varsDir?: string
  /** `ansible_play_name`. */
  playName?: string
  /**
   * Hosts out of the play (failed, unreachable, ended by `meta: end_host`): not in `ansible_play_hosts`
   * nor `ansible_play_batch`, as in Ansible.
   */
  removed?: { has(host: string): boolean }
}

/**
 * The special variables of a run (Ansible's options vars): set from the command line, the same for every
 * host and task.
 */
export interface RunMagicVars {
  /** --tags (['all'] when not given) and --skip-tags. */
  runTags: readonly string[]
  skipTags: readonly string[]
  /** --limit as given, when given. */
  limit?: string
  forks: number
  verbosity: number
  /** Each -i: a file as its absolute path, a host list as written, inline inventory text as `<inventory text>`. */
  inventorySources: readonly string[]
  /** The ansible.cfg read, if any (`ansible_config_file`). */
  configFile?: string
  /** -C/--check (`ansible_check_mode`): what the command line said, whatever a task's `check_mode`. */
  check?: boolean
  /** -D/--diff (`ansible_diff_mode`). */
  diff?: boolean
}

/** The variables a task brings to its scope: its own and its blocks' `vars`, its role's, its include's. */
export interface TaskVarSources {
  vars: Record<string, unknown>
  role?: RoleRef
  params?: { vars: Record<string, unknown>; loop: Record<string, unknown> }
  /** The directory of the file the task is written in (for `ansible_search_path`). */
  dir?: string
  /** The task's `connection` keyword: ansible_connection below every variable (above the play's keyword). */
  connection?: unknown
  /** The task's `remote_user` keyword: ansible_user, as `connection`. */
  remoteUser?: unknown
  /** The task's `port` keyword: ansible_port, as `connection`. */
  port?: unknown
}

/** The version of Ansible whose behaviour this engine follows (`ansible_version`). */
const ANSIBLE_VERSION = { full: '2.14.0', major: 2, minor: 14, revision: 0, string: '2.14.0' }

/**
 * Builds variable scopes with Ansible's precedence for the sources we support:
 * play connection keywords < role defaults < inventory group vars < inventory host vars < facts < play vars < vars_files
 * < role vars < block and task vars < include_vars < registered/set_fact < role params < include params
 * < extra vars < loop variables.
 */
export class VariableManager {
  /** Placeholder that `default(omit)` renders to; arguments equal to it are dropped. */
  readonly omit = `__omit_place_holder__${randomBytes(20).toString('hex')}`
  private readonly memory = new Map<string, HostMemory>()
  private readonly views = new WeakMap<
    PlayContext,
    { generation: number; view: Record<string, unknown> }
  >()
  /** Bumped whenever facts or registered values change, so cached hostvars views are rebuilt. */
  private generation = 0

  /** Says that some host's facts or registered values changed. */
  changed(): void {
    this.generation++
  }

  /** The run-wide special variables (ansible_run_tags, ansible_forks…), rebuilt only by the constructor. */
  private readonly runVars: Record<string, unknown>

  constructor(
    private inventory: Inventory,
    private readonly templar: Templar,
    private readonly extraVars: Record<string, unknown>,
    run?: RunMagicVars
  ) {
    this.runVars = runMagicVars(run)
  }

  /** The host's persistent memory (created on first use). */
  hostMemory(host: string): HostMemory {
    let m = this.memory.get(host)
    if (!m) {
      // Register and fact names are keys: a register named __proto__ is a variable like any other.
      m = {
        facts: dict(),
        registered: dict(),
        cachedFacts: dict(),
        includedVars: dict(),
        safe: new Set()
      }
      this.memory.set(host, m)
    }
    return m
  }

  /**
   * Inventory variables of a host, including the implicit localhost, with group_vars/host_vars next to the
   * inventory and next to `varsDir` (the play's playbook directory).
   */
  inventoryVars(host: string, varsDir?: string): Record<string, unknown> {
    return this.inventory.hostVars(host, varsDir)
  }

  /**
   * The scope a task sees on a host. `task` (its vars, role and include params) and `locals` (loop
   * variables, untrusted) are optional.
   */
  scope(
    host: string,
    play: PlayContext,
    task?: TaskVarSources,
    locals: Record<string, unknown> = {},
    /**
     * Set for the variables of a delegate_to target, as Ansible builds them: `inventory_hostname` stays the
     * host the task runs for, and a target outside the inventory gets the 'all' group's variables.
     */
    delegatedFor?: string
  ): Record<string, unknown> {
    const entries = new Map<string, Entry>()
    const put = (
      vars: Record<string, unknown>,
      trusted: boolean,
      safe?: (name: string) => boolean
    ): void => {
      for (const [k, v] of Object.entries(vars))
        entries.set(k, safe?.(k) ? { value: v, trusted, safe: true } : { value: v, trusted })
    }
    const role = task?.role
    if (play.keywordVars) put(play.keywordVars, true)
    // The task's `connection` keyword: as Ansible, the ansible_connection variable wins over it.
    if (task?.connection !== undefined) put({ ansible_connection: task.connection }, true)
    if (task?.remoteUser !== undefined) put({ ansible_user: task.remoteUser }, true)
    if (task?.port !== undefined) put({ ansible_port: task.port }, true)
    if (play.roleDefaults) put(play.roleDefaults, true)
    // As Ansible: a role's own defaults win over the other roles' defaults.
    if (role) put(role.defaults, true)
    const unlisted =
      delegatedFor !== undefined &&
      !this.inventory.hasHost(host) &&
      !(LOCALHOST_NAMES.includes(host) && this.inventory.localhostFor(host) === host)
    put(this.inventory.hostVars(host, play.varsDir, unlisted), true)
    const memory = this.hostMemory(host)
    const facts = factsOf(memory)
    if (Object.keys(memory.facts).length > 0) {
      const prefixed: Record<string, unknown> = dict()
      for (const [k, v] of Object.entries(memory.facts))
        prefixed[k.startsWith('ansible_') ? k : `ansible_${k}`] = v
      put(prefixed, false)
    }
    put(memory.cachedFacts, false)
    put({ ansible_facts: facts }, false)
    put(play.playVars, true)
    if (play.varsFilesVars) put(play.varsFilesVars, true)
    if (play.roleExports) put(play.roleExports, true)
    if (role) put(role.vars, true)
    if (task) put(task.vars, true)
    put(memory.includedVars, true)
    put(memory.registered, false, (name) => memory.safe.has(name))
    if (role) put(role.params, true)
    if (task?.params) {
      put(task.params.vars, true)
      put(task.params.loop, false)
    }
    put(this.extraVars, true)
    const active = (hosts: string[]): string[] =>
      play.removed ? hosts.filter((h) => !play.removed!.has(h)) : [...hosts]
    const batch = active(play.playBatch)
    put(this.runVars, false)
    put(
      {
        inventory_hostname: delegatedFor ?? host,
        inventory_hostname_short: host.split('.')[0],
        ansible_play_hosts: active(play.playHosts),
        ansible_play_hosts_all: [...play.playHosts],
        play_hosts: batch,
        ansible_play_batch: batch,
        ...(play.playName === undefined ? {} : { ansible_play_name: play.playName }),
        playbook_dir: play.playbookDir,
        ansible_search_path: searchPath(task, play.playbookDir),
        omit: this.omit,
        hostvars: this.hostvarsView(play),
        ansible_role_names: play.roleNames?.all ?? [],
        ansible_dependent_role_names: (play.roleNames?.all ?? []).filter(
          (name) => !play.roleNames?.listed.includes(name)
        ),
        ansible_play_role_names: play.roleNames?.listed ?? [],
        role_names: play.roleNames?.listed ?? [],
        ...(role
          ? { role_name: role.name, role_path: role.path, ansible_role_name: role.name }
          : {})
      },
      false
    )
    // As Ansible's PlayContext.update_vars: the address the connection uses, under both its names,
    // when neither is set: the inventory name (of the delegate_to target, for its variables).
    // Not in the `vars` view, as there.
    const connectionNames: string[] = []
    const address = entries.get('ansible_host') ?? entries.get('ansible_ssh_host')
    const addressEntry = address ?? { value: host, trusted: false }
    for (const name of ['ansible_host', 'ansible_ssh_host']) {
      if (entries.has(name) || Object.hasOwn(locals, name)) continue
      entries.set(name, addressEntry)
      connectionNames.push(name)
    }
    put(locals, false, SAFE_LOCALS.has(locals) ? () => true : undefined)
    entries.delete('vars')
    return withVarsView(this.templar.scope(entries), entries, connectionNames)
  }

  /**
   * The variables of a play without a host, as Ansible templates play keywords (hosts, name, serial, strategy,
   * order), tags and handler names with them: role defaults, play vars, vars_files, the play's role vars,
   * `task`'s (and its role's) vars and parameters when given (the include whose tasks are being filtered, the
   * handler being named), extra vars and the magic variables that need no host. Inventory variables, facts
   * and registered values are not in it: a name that uses them cannot be rendered here.
   */
  playScope(play: PlayContext, task?: TaskVarSources): Record<string, unknown> {
    const entries = new Map<string, Entry>()
    const put = (vars: Record<string, unknown>, trusted: boolean): void => {
      for (const [k, v] of Object.entries(vars)) entries.set(k, { value: v, trusted })
    }
    if (play.keywordVars) put(play.keywordVars, true)
    if (play.roleDefaults) put(play.roleDefaults, true)
    if (task?.role) put(task.role.defaults, true)
    put(play.playVars, true)
    if (play.varsFilesVars) put(play.varsFilesVars, true)
    if (play.roleExports) put(play.roleExports, true)
    if (task?.role) put(task.role.vars, true)
    if (task) put(task.vars, true)
    if (task?.role) put(task.role.params, true)
    if (task?.params) put(task.params.vars, true)
    put(this.extraVars, true)
    const groups: Record<string, unknown> = dict()
    for (const group of this.inventory.groupNames())
      groups[group] = this.inventory.groupHosts(group)
    put(
      {
        groups,
        ansible_play_hosts: play.playHosts,
        ansible_play_hosts_all: play.playHosts,
        play_hosts: play.playHosts,
        ansible_play_batch: play.playBatch,
        playbook_dir: play.playbookDir,
        ansible_check_mode: this.runVars['ansible_check_mode'],
        ansible_diff_mode: this.runVars['ansible_diff_mode'],
        ansible_version: { full: '2.14.0', major: 2, minor: 14, revision: 0, string: '2.14.0' },
        omit: this.omit,
        hostvars: this.hostvarsView(play),
        ansible_role_names: play.roleNames?.all ?? [],
        ansible_play_role_names: play.roleNames?.listed ?? [],
        role_names: play.roleNames?.listed ?? [],
        ...(task?.role
          ? {
              role_name: task.role.name,
              role_path: task.role.path,
              ansible_role_name: task.role.name
            }
          : {})
      },
      false
    )
    return this.templar.scope(entries)
  }

  /** `meta: refresh_inventory`: later scopes read this inventory (read again from its sources). */
  useInventory(inventory: Inventory): void {
    this.inventory = inventory
    this.changed()
  }

  /** `hostvars[name]`: every inventory host's variables, built only when looked up. */
  private hostvarsView(play: PlayContext): Record<string, unknown> {
    // One view per play context and memory generation: every host's scope shares it, so a task on N hosts
    // does not build N×N getters.
    const cached = this.views.get(play)
    if (cached && cached.generation === this.generation) return cached.view
    const view: Record<string, unknown> = dict()
    this.views.set(play, { generation: this.generation, view })
    for (const name of this.inventory.hostNames()) {
      let cached: Record<string, unknown> | undefined
      Object.defineProperty(view, name, {
        enumerable: true,
        get: () => (cached ??= this.scopeWithoutHostvars(name, play))
      })
    }
    return view
  }

  private scopeWithoutHostvars(host: string, play: PlayContext): Record<string, unknown> {
    const entries = new Map<string, Entry>()
    for (const [k, v] of Object.entries(this.inventoryVars(host, play.varsDir)))
      entries.set(k, { value: v, trusted: true })
    const memory = this.hostMemory(host)
    for (const [k, v] of Object.entries(memory.facts))
      entries.set(k.startsWith('ansible_') ? k : `ansible_${k}`, { value: v, trusted: false })
    for (const [k, v] of Object.entries(memory.cachedFacts))
      entries.set(k, { value: v, trusted: false })
    entries.set('ansible_facts', { value: factsOf(memory), trusted: false })
    for (const [k, v] of Object.entries(memory.includedVars))
      entries.set(k, { value: v, trusted: true })
    for (const [k, v] of Object.entries(memory.registered))
      entries.set(k, { value: v, trusted: false })
    for (const [k, v] of Object.entries(this.extraVars)) entries.set(k, { value: v, trusted: true })
    entries.set('inventory_hostname', { value: host, trusted: false })
    // Ansible's magic variables that hostvars shows too (its get_vars without a play or task), last.
    for (const [k, v] of Object.entries(this.runVars)) entries.set(k, { value: v, trusted: true })
    entries.set('omit', { value: this.omit, trusted: true })
    entries.set('playbook_dir', { value: play.playbookDir, trusted: true })
    // As Ansible's HostVarsVars: a value whose template meets an undefined variable is kept as written.
    return this.templar.scope(entries, { keepUndefined: true })
  }

  /** Drops arguments whose value is the omit placeholder (recursively in mappings). */
  stripOmitted(args: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(args)) {
      if (v === this.omit) continue
      out[k] = v
    }
    return out
  }
}

/**
 * Adds Ansible's `vars` variable to a scope: every variable of the scope (`vars['app_' + name]`), built
 * only when a template uses it. As in Ansible 2.14, its values are as written: a variable defined by a
 * template comes out as that template's text, not rendered.
 */
function withVarsView(
  scope: Record<string, unknown>,
  entries: ReadonlyMap<string, { value: unknown }>,
  hidden: readonly string[] = []
): Record<string, unknown> {
  let view: Record<string, unknown> | undefined
  Object.defineProperty(scope, 'vars', {
    enumerable: true,
    configurable: true,
    get: () => {
      // The raw values, data of the targets among them: a conditional rendered from `vars` is refused
      // (which of them the template goes on to read is not known here).
      noteUntrustedRead()
      return (view ??= dict(
        [...entries]
          .filter(([name]) => !hidden.includes(name))
          .map(([name, entry]) => [name, entry.value])
      ))
    }
  })
  return scope
}

/** `ansible_facts`: gathered facts, with cacheable set_fact facts (without an `ansible_` prefix) over them. */
function factsOf(memory: HostMemory): Record<string, unknown> {
  if (Object.keys(memory.cachedFacts).length === 0) return memory.facts
  const facts: Record<string, unknown> = Object.assign(dict(), memory.facts)
  for (const [k, v] of Object.entries(memory.cachedFacts)) facts[k.replace(/^ansible_/, '')] = v
  return facts
}

/**
 * `ansible_search_path`, as Ansible's Task.get_search_path builds it: the paths of the task's role and of
 * the roles above it (nearest first), the directory of the task's file, then the playbook's directory.
 */
function searchPath(task: TaskVarSources | undefined, playbookDir: string): string[] {
  const paths: string[] = []
  if (task?.role) paths.push(task.role.path, ...[...(task.role.ancestors ?? [])].reverse())
  if (task?.dir && !paths.includes(task.dir)) paths.push(task.dir)
  if (!paths.includes(playbookDir)) paths.push(playbookDir)
  return paths
}

/** Ansible's options vars, from what the command line said. */
function runMagicVars(run: RunMagicVars | undefined): Record<string, unknown> {
  const vars: Record<string, unknown> = {
    ansible_check_mode: false,
    ansible_diff_mode: false,
    ansible_version: ANSIBLE_VERSION,
    // Ansible says None when it found no configuration file.
    ansible_config_file: null,
    ansible_playbook_python: (playbookPython ??= controllerPython())
  }
  if (!run) return vars
  if (run.configFile !== undefined) vars['ansible_config_file'] = run.configFile
  vars['ansible_check_mode'] = run.check === true
  vars['ansible_diff_mode'] = run.diff === true
  vars['ansible_run_tags'] = run.runTags.length > 0 ? [...run.runTags] : ['all']
  vars['ansible_skip_tags'] = [...run.skipTags]
  if (run.limit !== undefined) vars['ansible_limit'] = run.limit
  vars['ansible_forks'] = run.forks
  vars['ansible_verbosity'] = run.verbosity
  vars['ansible_inventory_sources'] = [...run.inventorySources]
  return vars
}

/** The controller's Python for ansible_playbook_python, looked up once per process. */
let playbookPython: string | undefined

/**
 * `ansible_playbook_python`: Ansible's is the Python running ansible-playbook. Nothing here runs Python,
 * but inventories name it as localhost's interpreter (`ansible_python_interpreter="{{
 * ansible_playbook_python }}"`, as Ansible's documentation advises), which the python facts and `pip` read:
 * the controller's `python3` (or `python`) on PATH, else where Debian and most systems keep python3.
 */
function controllerPython(env: NodeJS.ProcessEnv = process.env): string {
  for (const name of ['python3', 'python']) {
    for (const dir of (env['PATH'] ?? '').split(delimiter)) {
      if (!dir.startsWith('/')) continue
      const candidate = join(dir, name)
      try {
        accessSync(candidate, fsConstants.X_OK)
        return candidate
      } catch {
        // Not in this directory.
      }
    }
  }
  return '/usr/bin/python3'
}
