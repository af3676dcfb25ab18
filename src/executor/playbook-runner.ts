// A playbook run: its plays in order, each play's hosts (pattern, --limit, shard, order) cut into batches
// that the linear strategy runs (linear-strategy.ts), and the recap and exit code at the end. Tasks run
// through the task dispatch (task-dispatch.ts); hosts' connections are HostConnections'.
import type { Connection, ConnectionSettings } from '../connection/connection.js'
import type { ConnectionDefaults } from '../connection/host-settings.js'
import { applyLimit, type Inventory } from '../inventory/inventory.js'
import type { TagSelection } from '../playbook/tags.js'
import type { Play, Playbook } from '../playbook/types.js'
import type { Templar } from '../template/index.js'
import { AsyncJobs } from '../async/async-jobs.js'
import { JobRegistry, type KnownJob } from '../async/job-registry.js'
import { batches, inShard } from './batches.js'
import type { BecomeDefaults } from './become.js'
import type { CustomStats, HostStats, RunEvents } from './events.js'
import { HostConnections } from './host-connections.js'
import { replayHandedOverJobs } from './job-replay.js'
import { LinearStrategy } from './linear-strategy.js'
import { orderedHosts, templatedPlay } from './play-keywords.js'
import { RunHostStates } from './run-state.js'
import { Stats } from './stats.js'
import { TaskDispatcher } from './task-dispatch.js'
import { mergeRoleVars } from '../playbook/roles.js'
import { checkPromptsAnswerable, promptedVars, type VarsPrompter } from './vars-prompt.js'
import { VariableManager, type PlayContext } from './variables.js'

/** Everything the engine needs; the CLI and the action both build this. */
export interface EngineOptions {
  /**
   * --start-at-task: the run starts at the first task whose name (or `role : name`, or action when unnamed)
   * is this or matches it as a glob; plays before it run nothing. `found` is set once it is reached.
   */
  startAtTask?: { pattern: string; found: boolean }
  /**
   * Called before the recap with the hosts that failed or were unreachable (sorted, once each), as
   * ansible-playbook writes its retry file then.
   */
  beforeRecap?: (retryHosts: string[]) => void
  inventory: Inventory
  templar: Templar
  extraVars: Record<string, unknown>
  /** Asks a play's vars_prompt on a terminal (the CLI on one); absent: no terminal (the action). */
  varsPrompter?: VarsPrompter
  limit?: string
  forks: number
  connectionDefaults: ConnectionDefaults
  openConnection: (settings: ConnectionSettings) => Promise<Connection>
  events: RunEvents
  /** Deadline for each remote command of a task without its own `timeout`. */
  commandTimeoutMs: number
  /** Aborts sleeps, retries and pauses (cancellation). */
  signal?: AbortSignal
  /** Background jobs: those handed over by --jobs, and those this run launches. */
  jobs?: JobRegistry
  /** Run only the hosts of this shard (1-based index of count): each host is in exactly one shard. */
  shard?: { index: number; count: number }
  /** -b, --become-user, --become-method and the become password (-K, env, action input). */
  become?: BecomeDefaults
  /** --tags / --skip-tags: which tasks run (default: all but those tagged `never`). */
  tags?: TagSelection
  /**
   * --force-handlers (or ANSIBLE_FORCE_HANDLERS): a failed host still runs its notified handlers (a play's
   * `force_handlers` wins).
   */
  forceHandlers?: boolean
  /** -v count (`ansible_verbosity`). */
  verbosity?: number
  /** The inventories given (`ansible_inventory_sources`): files as absolute paths. */
  inventorySources?: string[]
  /** The ansible.cfg read (`ansible_config_file`). */
  configFile?: string
  /** When plays without `gather_facts` gather facts (default implicit: always). */
  gathering?: 'implicit' | 'explicit' | 'smart'
  /** ANSIBLE_NO_LOG: the `no_log` of tasks that do not set it (default false). */
  defaultNoLog?: boolean
  /** -C/--check: the `check_mode` of tasks that do not set it (default false). */
  check?: boolean
  /** -D/--diff: the `diff` of tasks that do not set it (default false); the console prints diffs. */
  diff?: boolean
  /** ANSIBLE_ERROR_ON_MISSING_HANDLER: false makes a notify that reaches no handler a warning (default true). */
  errorOnMissingHandler?: boolean
  /** Reads the inventory sources again (`meta: refresh_inventory`); absent: the inventory stays as it is. */
  reloadInventory?: () => Inventory
}

/** How a run ended. */
export interface RunSummary {
  stats: Record<string, HostStats>
  failedHosts: string[]
  unreachableHosts: string[]
  /** ansible-playbook's exit code: 0 ok, 2 a host failed, 4 a host was unreachable. */
  exitCode: number
  /** Background jobs launched (or handed over) and not gathered: the results document's `jobs`. */
  jobs: KnownJob[]
  /** set_stats' custom statistics, when a task set any. */
  customStats?: CustomStats
}

/** Runs every play of a playbook against the inventory with Ansible's linear strategy. */
export async function runPlaybook(playbook: Playbook, options: EngineOptions): Promise<RunSummary> {
  // A prompt nothing can answer stops the run before any play starts (not halfway through a deploy).
  checkPromptsAnswerable(playbook.plays, options.extraVars, options.varsPrompter)
  const runner = new PlaybookRunner(playbook, options)
  try {
    return await runner.run()
  } finally {
    await runner.close()
  }
}

class PlaybookRunner {
  private readonly stats = new Stats()
  /** Every host of the run's plays, in the order the plays named them: the order of the recap. */
  private readonly hostOrder = new Set<string>()
  private readonly state = new RunHostStates()
  private readonly variables: VariableManager
  private readonly connections: HostConnections
  private readonly asyncJobs: AsyncJobs
  private readonly strategy: LinearStrategy

  /** The inventory (read again by `meta: refresh_inventory`). */
  private inventory: Inventory

  constructor(
    private readonly playbook: Playbook,
    private readonly options: EngineOptions
  ) {
    this.inventory = options.inventory
    this.variables = new VariableManager(this.inventory, options.templar, options.extraVars, {
      runTags: options.tags?.only ?? [],
      skipTags: options.tags?.skip ?? [],
      ...(options.limit === undefined ? {} : { limit: options.limit }),
      forks: options.forks,
      verbosity: options.verbosity ?? 0,
      inventorySources: options.inventorySources ?? [],
      ...(options.configFile !== undefined ? { configFile: options.configFile } : {}),
      check: options.check === true,
      diff: options.diff === true
    })
    this.connections = new HostConnections(
      options.connectionDefaults,
      options.openConnection,
      options.become
    )
    this.asyncJobs = new AsyncJobs(options.jobs ?? new JobRegistry())
    replayHandedOverJobs(this.asyncJobs.registry, this.variables)
    const tasks = new TaskDispatcher(
      options,
      playbook.baseDir,
      this.variables,
      this.connections,
      this.asyncJobs,
      this.stats,
      this.state,
      () => this.inventory
    )
    this.strategy = new LinearStrategy(
      options,
      this.variables,
      this.connections,
      tasks,
      this.state,
      () => {
        // The hosts of this batch stay; later tasks and plays see the inventory as it is now.
        if (!options.reloadInventory) return
        const reloaded = options.reloadInventory()
        // As Ansible: what add_host and group_by did is applied again to the inventory read again.
        reloaded.replayDynamicChanges(this.inventory)
        this.inventory = reloaded
        this.variables.useInventory(this.inventory)
      }
    )
  }

  async run(): Promise<RunSummary> {
    for (const play of this.playbook.plays) {
      if (this.options.signal?.aborted) break
      // As ansible-playbook: once a whole batch has failed (or any_errors_fatal / max_fail_percentage
      // ended a play), no further play runs.
      if (await this.runPlay(play)) break
    }
    // In the order the plays named the hosts (not the order their first results came in).
    const stats = this.stats.summary(this.hostOrder)
    const customStats = this.stats.customSummary()
    if (this.options.beforeRecap) {
      const retry = new Set([
        ...Object.keys(stats).filter((h) => this.stats.failed(h)),
        ...this.state.unreachable
      ])
      this.options.beforeRecap([...retry].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)))
    }
    this.options.events.recap(stats, customStats)
    const failedHosts = Object.keys(stats).filter((h) => this.stats.failed(h))
    const unreachableHosts = [...this.state.unreachable]
    // As ansible-playbook: 2 when any_errors_fatal or max_fail_percentage broke a play (even with a host
    // unreachable), else 4 when a host is unreachable, else 2 when a host is failed at the end (a handler
    // failure a rescue handled, or an error meta: clear_host_errors cleared, counts in the recap only).
    const exitCode = this.state.breakPlay
      ? 2
      : unreachableHosts.length > 0
        ? 4
        : this.state.failed.size > 0
          ? 2
          : 0
    return {
      stats,
      failedHosts,
      unreachableHosts,
      exitCode,
      jobs: this.asyncJobs.registry.allOutstanding(),
      ...(customStats ? { customStats } : {})
    }
  }

  close(): Promise<void> {
    return this.connections.closeAll()
  }

  /** Runs one play; returns true when the playbook must stop. */
  private async runPlay(written: Play): Promise<boolean> {
    const { events } = this.options
    const inventory = this.inventory
    const roles = written.roles ?? []
    const playContextBase = {
      ...(roles.length > 0
        ? {
            roleDefaults: mergeRoleVars(roles, 'defaults'),
            roleExports: mergeRoleVars(roles, 'vars'),
            // Ansible builds ansible_role_names from a set: listed roles first here, then the others.
            roleNames: {
              all: [...new Set([...(written.listedRoles ?? []), ...roles.map((r) => r.name)])],
              listed: written.listedRoles ?? []
            }
          }
        : {}),
      ...(written.connectionVars ? { keywordVars: written.connectionVars } : {}),
      playVars: written.vars,
      ...(written.varsFiles ? { varsFilesVars: written.varsFiles } : {}),
      // Ansible's loader basedir for the play: an imported playbook's own directory.
      playbookDir: written.playbookFileDir ?? this.playbook.baseDir,
      varsDir: written.playbookFileDir ?? this.playbook.baseDir
    }
    // As ansible-playbook: the prompts are answered as the play starts; the answers are play variables.
    if (written.varsPrompt && written.varsPrompt.length > 0) {
      const scope = (): Record<string, unknown> =>
        this.variables.playScope({ ...playContextBase, playHosts: [], playBatch: [] })
      if (
        !this.options.varsPrompter &&
        written.varsPrompt.some((p) => !Object.hasOwn(this.options.extraVars, p.name))
      )
        events.warning('Not prompting as we are not in interactive mode')
      const prompted = await promptedVars(
        written,
        this.options.extraVars,
        this.options.templar,
        scope,
        this.options.varsPrompter
      )
      playContextBase.playVars = { ...written.vars, ...prompted }
    }
    // As Ansible: the play's keywords are templated with its variables (no host's) before it runs.
    const play = templatedPlay(written, this.options.templar, () =>
      this.variables.playScope({ ...playContextBase, playHosts: [], playBatch: [] })
    )
    const patterns = play.hosts
    // Hosts that rendered to an empty list match nothing (not `all`, as a list of only exclusions does).
    let hosts = patterns.length === 0 ? [] : inventory.select(patterns)
    hosts = applyLimit(hosts, inventory, this.options.limit)
    if (this.options.shard) hosts = inShard(hosts, inventory.hostNames(), this.options.shard)
    // Hosts Ansible's task queue counted as failed (see `marked`) are failed in the next play that runs.
    if (hosts.length > 0) {
      for (const host of this.state.marked) this.state.failed.add(host)
      this.state.marked.clear()
    }
    // ansible_play_hosts_all: the hosts failed in earlier plays too, in the pattern's order (`order` sorts
    // only the order the hosts run in, as in Ansible).
    const targeted = hosts
    hosts = orderedHosts(hosts, play.order)
    hosts = hosts.filter((h) => !this.state.failed.has(h) && !this.state.unreachable.has(h))
    events.playStart(play.name, play.location)
    if (hosts.length === 0) {
      if (patterns.length > 0)
        events.warning(`Could not match supplied host pattern, ignoring: ${String(patterns)}`)
      return false
    }
    // As Ansible: a host is in the recap once a task counted on it (not merely for being in the play).
    for (const host of hosts) this.hostOrder.add(host)
    this.state.playEnded = false
    this.strategy.startPlay()
    for (const batch of batches(hosts, play.serial, play)) {
      if (this.state.playEnded) break
      const playContext: PlayContext = {
        ...playContextBase,
        playHosts: targeted,
        playName: play.name,
        playBatch: batch
      }
      if (await this.strategy.runBatch(play, batch, playContext)) return true
      if (this.state.breakPlay) return true
    }
    return false
  }
}
