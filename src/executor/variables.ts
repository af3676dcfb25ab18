import { randomBytes } from 'node:crypto'
import type { Inventory } from '../inventory/inventory.js'
import type { RoleRef } from '../playbook/types.js'
import type { Templar } from '../template/index.js'
import { dict } from '../dict.js'

/** A variable and whether its value may be templated (false for values that came from a target). */
interface Entry {
  value: unknown
  trusted: boolean
}

/** Per-host state that outlives a play: facts, registered results and set_fact values. */
export interface HostMemory {
  /** Gathered facts, without the `ansible_` prefix (the `ansible_facts` variable). */
  facts: Record<string, unknown>
  /** Registered results and set_fact values, highest precedence below extra vars. */
  registered: Record<string, unknown>
}

/** Play-wide values that every host's scope sees. */
export interface PlayContext {
  playVars: Record<string, unknown>
  /** The play's vars_files variables: above play vars, below block and task vars. */
  varsFilesVars?: Record<string, unknown>
  /** The defaults of the play's public roles, merged in order: below everything else. */
  roleDefaults?: Record<string, unknown>
  /** The vars/main.yml of the play's public roles, merged in order: above vars_files, below a role's own vars. */
  roleExports?: Record<string, unknown>
  /** `ansible_role_names` (every role of the play, dependencies included) and `ansible_play_role_names`. */
  roleNames?: { all: string[]; listed: string[] }
  playHosts: string[]
  playBatch: string[]
  playbookDir: string
}

/** The variables a task brings to its scope: its own and its blocks' `vars`, its role's, its include's. */
export interface TaskVarSources {
  vars: Record<string, unknown>
  role?: RoleRef
  params?: { vars: Record<string, unknown>; loop: Record<string, unknown> }
}

/**
 * Builds variable scopes with Ansible's precedence for the sources we support:
 * role defaults < inventory group vars < inventory host vars < facts < play vars < vars_files
 * < role vars < block and task vars < registered/set_fact < role params < include params
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

  constructor(
    private inventory: Inventory,
    private readonly templar: Templar,
    private readonly extraVars: Record<string, unknown>
  ) {}

  /** The host's persistent memory (created on first use). */
  hostMemory(host: string): HostMemory {
    let m = this.memory.get(host)
    if (!m) {
      // Register and fact names are keys: a register named __proto__ is a variable like any other.
      m = { facts: dict(), registered: dict() }
      this.memory.set(host, m)
    }
    return m
  }

  /** Inventory variables of a host, including the implicit localhost. */
  inventoryVars(host: string): Record<string, unknown> {
    return this.inventory.hostVars(host)
  }

  /**
   * The scope a task sees on a host. `task` (its vars, role and include params) and `locals` (loop
   * variables, untrusted) are optional.
   */
  scope(
    host: string,
    play: PlayContext,
    task?: TaskVarSources,
    locals: Record<string, unknown> = {}
  ): Record<string, unknown> {
    const entries = new Map<string, Entry>()
    const put = (vars: Record<string, unknown>, trusted: boolean): void => {
      for (const [k, v] of Object.entries(vars)) entries.set(k, { value: v, trusted })
    }
    const role = task?.role
    if (play.roleDefaults) put(play.roleDefaults, true)
    // As Ansible: a role's own defaults win over the other roles' defaults.
    if (role) put(role.defaults, true)
    put(this.inventoryVars(host), true)
    const memory = this.hostMemory(host)
    const facts = memory.facts
    if (Object.keys(facts).length > 0) {
      const prefixed: Record<string, unknown> = dict()
      for (const [k, v] of Object.entries(facts))
        prefixed[k.startsWith('ansible_') ? k : `ansible_${k}`] = v
      put(prefixed, false)
    }
    put({ ansible_facts: facts }, false)
    put(play.playVars, true)
    if (play.varsFilesVars) put(play.varsFilesVars, true)
    if (play.roleExports) put(play.roleExports, true)
    if (role) put(role.vars, true)
    if (task) put(task.vars, true)
    put(memory.registered, false)
    if (role) put(role.params, true)
    if (task?.params) {
      put(task.params.vars, true)
      put(task.params.loop, false)
    }
    put(this.extraVars, true)
    put(
      {
        inventory_hostname: host,
        inventory_hostname_short: host.split('.')[0],
        ansible_play_hosts: play.playHosts,
        ansible_play_hosts_all: play.playHosts,
        play_hosts: play.playHosts,
        ansible_play_batch: play.playBatch,
        playbook_dir: play.playbookDir,
        ansible_check_mode: false,
        ansible_diff_mode: false,
        ansible_version: { full: '2.14.0', major: 2, minor: 14, revision: 0, string: '2.14.0' },
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
    put(locals, false)
    return this.templar.scope(entries)
  }

  /** `meta: refresh_inventory`: later scopes read this inventory (read again from its sources). */
  useInventory(inventory: Inventory): void {
    this.inventory = inventory
    this.changed()
  }

  /**
   * The scope without a host, as Ansible renders handler names: the play's, the task's and its role's
   * variables, extra vars, and the magic variables that need no host (no inventory, facts or registered
   * values: a name that uses them cannot be rendered here).
   */
  playScope(play: PlayContext, task?: TaskVarSources): Record<string, unknown> {
    const entries = new Map<string, Entry>()
    const put = (vars: Record<string, unknown>): void => {
      for (const [k, v] of Object.entries(vars)) entries.set(k, { value: v, trusted: true })
    }
    const role = task?.role
    if (play.roleDefaults) put(play.roleDefaults)
    if (role) put(role.defaults)
    put(play.playVars)
    if (play.varsFilesVars) put(play.varsFilesVars)
    if (play.roleExports) put(play.roleExports)
    if (role) put(role.vars)
    if (task) put(task.vars)
    if (role) put(role.params)
    if (task?.params) put(task.params.vars)
    put(this.extraVars)
    for (const [k, v] of Object.entries({
      ansible_play_hosts: play.playHosts,
      ansible_play_hosts_all: play.playHosts,
      play_hosts: play.playHosts,
      ansible_play_batch: play.playBatch,
      playbook_dir: play.playbookDir,
      omit: this.omit,
      hostvars: this.hostvarsView(play),
      ...(role ? { role_name: role.name, role_path: role.path, ansible_role_name: role.name } : {})
    }))
      entries.set(k, { value: v, trusted: false })
    return this.templar.scope(entries)
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

  private scopeWithoutHostvars(host: string, _play: PlayContext): Record<string, unknown> {
    const entries = new Map<string, Entry>()
    for (const [k, v] of Object.entries(this.inventoryVars(host)))
      entries.set(k, { value: v, trusted: true })
    const memory = this.hostMemory(host)
    for (const [k, v] of Object.entries(memory.facts))
      entries.set(k.startsWith('ansible_') ? k : `ansible_${k}`, { value: v, trusted: false })
    entries.set('ansible_facts', { value: memory.facts, trusted: false })
    for (const [k, v] of Object.entries(memory.registered))
      entries.set(k, { value: v, trusted: false })
    for (const [k, v] of Object.entries(this.extraVars)) entries.set(k, { value: v, trusted: true })
    entries.set('inventory_hostname', { value: host, trusted: false })
    return this.templar.scope(entries)
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
