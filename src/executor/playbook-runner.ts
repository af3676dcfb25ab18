import { ansibleBoolean } from '../ansible-boolean.js'
import type { Connection, ConnectionSettings } from '../connection/connection.js'
import type { ConnectionDefaults } from '../connection/host-settings.js'
import { PlaybookError } from '../errors.js'
import { applyLimit, type Inventory } from '../inventory/inventory.js'
import { MODULES } from '../modules/registry.js'
import { ALL_TAGS, shouldRunTags, type TagSelection } from '../playbook/tags.js'
import { plainTask, type Play, type Playbook, type RoleRef, type Task } from '../playbook/types.js'
import { pythonStr, type Templar } from '../template/index.js'
import { AsyncJobs } from '../async/async-jobs.js'
import { JobRegistry, type KnownJob } from '../async/job-registry.js'
import { BlockTracker, type FailureVerdict, type NextState } from './block-tracker.js'
import { HostConnections } from './host-connections.js'
import type { HostStats, RunEvents, TaskInfo } from './events.js'
import { Stats } from './stats.js'
import { resolveBecome, type BecomeDefaults } from './become.js'
import { runMetaAction } from './meta-actions.js'
import { mapWithLimit, sleep } from './parallel.js'
import { runTaskOnHost, type TaskHostOutcome } from './task-runner.js'
import { includeAbort, includedOf, includeLoadFailed } from '../modules/include.js'
import { Handlers } from './handlers.js'
import type { LoadedInclude } from '../playbook/playbook-loader.js'
import { hasTemplateSyntax } from '../values/unsafe.js'
import { orderedHosts, renderedTags, templatedPlay } from './play-keywords.js'
import type { ModuleResult } from '../modules/module.js'
import { CACHEABLE_FACTS } from '../modules/set-fact.js'
import { mergeRoleVars } from '../playbook/roles.js'
import { VariableManager, type PlayContext } from './variables.js'

/** Everything the engine needs; the CLI and the action both build this. */
export interface EngineOptions {
  inventory: Inventory
  templar: Templar
  extraVars: Record<string, unknown>
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
  /** ANSIBLE_NO_LOG: the `no_log` of tasks that do not set it (default false). */
  defaultNoLog?: boolean
  /** ANSIBLE_ERROR_ON_MISSING_HANDLER: false makes a notify that reaches no handler a warning (default true). */
  errorOnMissingHandler?: boolean
  /** Reads the inventory sources again (`meta: refresh_inventory`); absent: the inventory stays as it is. */
  reloadInventory?: () => Inventory
}

/** What running one task left behind: hosts that failed or became unreachable, and hosts it changed. */
interface TaskRun {
  /** Hosts out of the play now: failed with no rescue or always left for them, or unreachable. */
  newlyFailed: string[]
  /** Hosts whose failure Ansible's iterator deems final right away (what any_errors_fatal reacts to). */
  failedNow: string[]
  /** Hosts that became unreachable. */
  unreachable: string[]
  /** Whether a failure here fails every host (any_errors_fatal of the task, its blocks or play; run_once). */
  anyErrorsFatal: boolean
  changed: string[]
  /** Each host's result, in the order the hosts were given. */
  results: Map<string, ModuleResult>
}

/** What one batch's task lists share while they run. */
interface BatchRun {
  play: Play
  batch: string[]
  playContext: PlayContext
  handlers: Handlers
  /**
   * Hosts that ran `meta: end_host` (or `end_play`, `end_batch`): done with the play, neither failed nor
   * active.
   */
  ended: Set<string>
  blocks: BlockTracker
  anyErrorsFatal: boolean
  maxFailPercentage?: number
  /** The task lists being run, outermost first, each with the position of its current task. */
  stack: Array<{ tasks: readonly Task[]; index: number }>
  /** While handlers run at a flush: the hosts flushing (Ansible's HANDLERS state). */
  flushing?: readonly string[]
  isFailed(host: string): boolean
  isActive(host: string): boolean
}

/** One file (or role) a dynamic include brings in for a group of hosts. */
interface IncludeInstance {
  key: string
  loaded: LoadedInclude
  /** The include's loop variables for this item. */
  loop: Record<string, unknown>
  /** include_role's `public`: the role's defaults and vars are seen by the rest of the play. */
  public: boolean
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
}

/** Runs every play of a playbook against the inventory with Ansible's linear strategy. */
export async function runPlaybook(playbook: Playbook, options: EngineOptions): Promise<RunSummary> {
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
  /** Hosts that failed or were failed by any_errors_fatal/max_fail_percentage: out of later plays. */
  private readonly failed = new Set<string>()
  /**
   * Hosts Ansible counts as failed without stopping them in the play (its task queue's failed hosts): those
   * any_errors_fatal marked while they were in a rescue or always list, or whose include could not be
   * loaded. They are out of later plays (and then fail the run); the play they are in goes on for them.
   */
  private readonly marked = new Set<string>()
  /**
   * Set when any_errors_fatal marked a host, or max_fail_percentage failed the batch: once the batch ends,
   * no further batch or play runs, and the run exits 2.
   */
  private breakPlay = false
  private readonly unreachable = new Set<string>()
  private readonly variables: VariableManager
  private readonly connections: HostConnections
  private readonly asyncJobs: AsyncJobs
  /** Set by `meta: end_play`: no further batch of the current play runs. */
  private playEnded = false
  /** Per host, the role uses (by dedup key) that ran a task there in this play: a repeat is skipped. */
  private rolesRun = new Map<string, Map<string, RoleRef>>()

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
      inventorySources: options.inventorySources ?? []
    })
    this.connections = new HostConnections(
      options.connectionDefaults,
      options.openConnection,
      options.become
    )
    this.asyncJobs = new AsyncJobs(options.jobs ?? new JobRegistry())
    // Jobs handed over from an earlier run: their registered launch records are back on their hosts, a
    // loop's as the loop result they were items of.
    for (const job of this.asyncJobs.registry.allOutstanding()) {
      if (!job.register) continue
      const registered = this.variables.hostMemory(job.host).registered
      if (!job.loop) {
        registered[job.register] = job.launch
        continue
      }
      const item = {
        ...job.launch,
        [job.loop.loopVar]: job.loop.item,
        ansible_loop_var: job.loop.loopVar
      }
      const earlier = registered[job.register] as { results?: unknown } | undefined
      if (earlier && Array.isArray(earlier.results)) earlier.results.push(item)
      else
        registered[job.register] = {
          changed: true,
          msg: 'All items completed',
          results: [item],
          skipped: false
        }
    }
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
    this.options.events.recap(stats)
    const failedHosts = Object.keys(stats).filter((h) => this.stats.failed(h))
    const unreachableHosts = [...this.unreachable]
    // As ansible-playbook: 2 when any_errors_fatal or max_fail_percentage broke a play (even with a host
    // unreachable), else 4 when a host is unreachable, else 2 when a host is failed at the end (a handler
    // failure a rescue handled, or an error meta: clear_host_errors cleared, counts in the recap only).
    const exitCode = this.breakPlay
      ? 2
      : unreachableHosts.length > 0
        ? 4
        : this.failed.size > 0
          ? 2
          : 0
    return {
      stats,
      failedHosts,
      unreachableHosts,
      exitCode,
      jobs: this.asyncJobs.registry.allOutstanding()
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
      playbookDir: this.playbook.baseDir
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
      for (const host of this.marked) this.failed.add(host)
      this.marked.clear()
    }
    // ansible_play_hosts_all: the hosts failed in earlier plays too, in the pattern's order (`order` sorts
    // only the order the hosts run in, as in Ansible).
    const targeted = hosts
    hosts = orderedHosts(hosts, play.order)
    hosts = hosts.filter((h) => !this.failed.has(h) && !this.unreachable.has(h))
    events.playStart(play.name, play.location)
    if (hosts.length === 0) {
      if (patterns.length > 0)
        events.warning(`Could not match supplied host pattern, ignoring: ${String(patterns)}`)
      return false
    }
    // As Ansible: a host is in the recap once a task counted on it (not merely for being in the play).
    for (const host of hosts) this.hostOrder.add(host)
    this.playEnded = false
    this.rolesRun = new Map()
    for (const batch of batches(hosts, play.serial, play)) {
      if (this.playEnded) break
      const playContext: PlayContext = {
        ...playContextBase,
        playHosts: targeted,
        playName: play.name,
        playBatch: batch
      }
      if (await this.runBatch(play, batch, playContext)) return true
      if (this.breakPlay) return true
    }
    return false
  }

  /** Runs the play's tasks on one batch. Returns true when the playbook must stop. */
  private async runBatch(play: Play, batch: string[], playContext: PlayContext): Promise<boolean> {
    const { templar } = this.options
    const gather = templar.isTrue(play.gatherFacts, this.variables.scope(batch[0]!, playContext))
    // --tags/--skip-tags drop tasks before the run, as Ansible does: no banner, no stats. The implicit fact
    // gathering is tagged `always` unless the play has tags of its own, which it then runs with.
    const selection = this.options.tags ?? ALL_TAGS
    const gatherTask = plainTask({
      name: 'Gathering Facts',
      named: true,
      module: 'setup',
      args: {},
      tags: play.tags.length > 0 ? play.tags : ['always'],
      location: play.location
    })
    // The implicit flush_handlers after each section runs whatever the tags, as in Ansible.
    const tasks: Task[] = (gather ? [gatherTask, ...play.tasks] : play.tasks).filter(
      (task) => task.implicit === true || this.runsByTags(task, selection, playContext)
    )
    const anyErrorsFatal = templar.isTrue(
      play.anyErrorsFatal ?? false,
      this.variables.scope(batch[0]!, playContext)
    )
    const maxFail =
      play.maxFailPercentage === undefined || play.maxFailPercentage === null
        ? undefined
        : Number(play.maxFailPercentage)
    if (maxFail !== undefined && !Number.isFinite(maxFail)) {
      throw new PlaybookError(
        `'max_fail_percentage' must be a number, got '${String(play.maxFailPercentage)}'`,
        play.location
      )
    }
    const forceHandlers =
      play.forceHandlers === undefined || play.forceHandlers === null
        ? this.options.forceHandlers === true
        : templar.isTrue(play.forceHandlers, this.variables.scope(batch[0]!, playContext))
    const handlers = new Handlers(play.handlers, forceHandlers, {
      templar,
      variables: this.variables,
      playContext,
      warning: (message) => this.options.events.warning(message),
      errorOnMissing: this.options.errorOnMissingHandler !== false
    })
    const ended = new Set<string>()
    const isFailed = (h: string): boolean => this.failed.has(h) || this.unreachable.has(h)
    const isActive = (h: string): boolean => !isFailed(h) && !ended.has(h)
    playContext.removed = { has: (h) => !isActive(h) }
    const run: BatchRun = {
      play,
      batch,
      playContext,
      handlers,
      ended,
      blocks: new BlockTracker(tasks),
      anyErrorsFatal,
      ...(maxFail === undefined ? {} : { maxFailPercentage: maxFail }),
      stack: [],
      isFailed,
      isActive
    }
    const stop = await this.runList(tasks, batch, undefined, run)
    if (stop !== undefined) return stop
    // As ansible-playbook: once every host of the batch failed, no further batch or play runs.
    return batch.every((h) => isFailed(h) || this.marked.has(h))
  }

  /**
   * After a task (or a handler) ran: any_errors_fatal and max_fail_percentage, as Ansible's linear strategy
   * applies them. `escaped` are hosts that failed by leaving a block unrescued. Returns true when the play ends.
   */
  private endsPlay(
    run: BatchRun,
    outcome: Pick<TaskRun, 'newlyFailed' | 'failedNow' | 'unreachable' | 'anyErrorsFatal'>
  ): boolean {
    const { batch, isFailed } = run
    const left = batch.filter((h) => !this.unreachable.has(h))
    if (outcome.anyErrorsFatal && outcome.failedNow.length + outcome.unreachable.length > 0) {
      // As Ansible: every host whose next task is not in a rescue or always list is failed; if that is
      // every host left, the play ends now, else the others carry on and no later play runs.
      const marked = left.filter((h) => {
        const next = this.nextState(h, run)
        return next !== 'rescue' && next !== 'always'
      })
      if (marked.length > 0) {
        this.breakPlay = true
        for (const host of marked) if (!this.failed.has(host)) this.marked.add(host)
        if (left.every((h) => this.failed.has(h) || this.marked.has(h))) {
          for (const host of left) {
            this.failed.add(host)
            this.marked.delete(host)
          }
          this.options.events.noMoreHosts()
          return true
        }
      }
    }
    if (outcome.newlyFailed.length === 0 || run.maxFailPercentage === undefined) return false
    const failedInBatch = batch.filter(isFailed).length
    if ((failedInBatch / batch.length) * 100 <= run.maxFailPercentage) return false
    this.breakPlay = true
    for (const h of batch) this.failed.add(h)
    this.options.events.noMoreHosts()
    return true
  }

  /**
   * Where the host's next task is (Ansible's peek at its iterator state): in a rescue or always list, in a
   * task list, or none left. Hosts running handlers at a flush are in neither list.
   */
  private nextState(host: string, run: BatchRun): NextState {
    if (!run.isActive(host)) return 'complete'
    if (run.flushing?.includes(host)) return 'tasks'
    const blocks = run.blocks.clone()
    const top = run.stack.at(-1)
    let previous = top?.tasks[top.index]
    for (let level = run.stack.length - 1; level >= 0; level--) {
      const { tasks, index } = run.stack[level]!
      for (const task of tasks.slice(index + 1)) {
        if (blocks.leave(previous, task, [host]).length > 0) return 'complete'
        previous = task
        if (blocks.runs(host, task)) return BlockTracker.stateOf(task)
      }
    }
    return 'complete'
  }

  /**
   * Runs a list of tasks on those of `hosts` still active: the play's tasks, or (below `parent`, the
   * include that brought them in) an included file's. Returns true or false when the batch is over (true:
   * the playbook stops), undefined when the list ran to its end.
   */
  private async runList(
    tasks: readonly Task[],
    hosts: readonly string[],
    parent: Task | undefined,
    run: BatchRun
  ): Promise<boolean | undefined> {
    const level = { tasks, index: -1 }
    run.stack.push(level)
    try {
      return await this.runListLevel(tasks, hosts, parent, run, level)
    } finally {
      run.stack.pop()
    }
  }

  private async runListLevel(
    tasks: readonly Task[],
    hosts: readonly string[],
    parent: Task | undefined,
    run: BatchRun,
    level: { index: number }
  ): Promise<boolean | undefined> {
    const { play, batch, playContext, blocks, isFailed, isActive } = run
    let previous = parent
    for (const task of [...tasks, parent]) {
      if (this.options.signal?.aborted) return true
      // Leaving a block: a failure that no rescue handled fails the host once its always lists have run.
      const escaped = blocks.leave(previous, task, hosts.filter(isActive))
      for (const h of escaped) this.failed.add(h)
      // As Ansible: any_errors_fatal looks at task failures, not at a block that ends failed.
      const left = { newlyFailed: escaped, failedNow: [], unreachable: [], anyErrorsFatal: false }
      if (this.endsPlay(run, left)) return true
      if (!task || task === parent) break
      level.index++
      previous = task
      const active = hosts.filter(isActive)
      if (active.length === 0) {
        // An included list ends here; the list that included it decides what happens next.
        if (parent) return undefined
        // Every host ended the play with meta: end_host / end_play: the play is over, not failed.
        if (!batch.every(isFailed)) return false
        if (run.handlers.force) await this.flushHandlers(run, undefined, undefined)
        this.options.events.noMoreHosts()
        return true
      }
      // Hosts outside the list this task is in (a rescue they need not, a block they left) skip it
      // silently, as in Ansible; a task no host takes part in is not shown.
      const taking = active.filter(
        (h) => blocks.runs(h, task) && !this.roleRanBefore(h, task, playContext)
      )
      if (taking.length === 0) continue
      if (task.module === 'meta') {
        if (await this.runMeta(task, taking, run)) return true
        continue
      }
      const result = await this.runTask(task, taking, play, playContext, {
        failure: (host) => blocks.fail(host, task),
        anyErrorsFatal: run.anyErrorsFatal
      })
      this.noteRoleRun(task, result.results)
      run.handlers.notify(task, result.changed)
      if (this.endsPlay(run, result)) return true
      if (task.include) {
        const stop = await this.runIncluded(task, taking, result.results, run)
        if (stop !== undefined) return stop
      }
    }
    return undefined
  }

  /**
   * Whether another use of the task's role (same role, parameters, vars and keywords) already ran on the
   * host: Ansible runs such a role once per host and play, unless its meta says allow_duplicates.
   */
  private roleRanBefore(host: string, task: Task, playContext: PlayContext): boolean {
    const key = task.role?.dedupKey
    if (key === undefined) return false
    const ran = this.rolesRun.get(host)?.get(key)
    if (ran === undefined || ran === task.role) return false
    // import_role / include_role with a templated allow_duplicates: decided with the play's variables.
    const allow = task.role?.allowDuplicates
    if (allow === undefined) return true
    try {
      return !this.options.templar.isTrue(allow, this.variables.playScope(playContext, task))
    } catch (error) {
      throw new PlaybookError(
        `allow_duplicates '${String(allow)}' of role '${task.role!.name}' cannot be rendered: ${(error as Error).message}`,
        task.location
      )
    }
  }

  /**
   * Whether a task runs under --tags/--skip-tags. Templated tags are rendered first, as Ansible's
   * evaluate_tags does: with the play's variables (and, for the tasks an include brought in, the include's),
   * never a host's; a tag that renders to a list gives each of its items.
   */
  private runsByTags(
    task: Task,
    selection: TagSelection,
    playContext: PlayContext,
    include?: Task
  ): boolean {
    if (!task.tags.some(hasTemplateSyntax)) return shouldRunTags(task.tags, selection)
    const tags = renderedTags(task, displayName(task), this.options.templar, () =>
      this.variables.playScope(playContext, include)
    )
    return shouldRunTags(tags, selection)
  }

  /** Records, on each host where the task was not skipped, that its role use has run there. */
  private noteRoleRun(task: Task, results: Map<string, ModuleResult>): void {
    const role = task.role
    if (role?.dedupKey === undefined) return
    for (const [host, result] of results) {
      if (result['skipped'] === true) continue
      let ran = this.rolesRun.get(host)
      if (!ran) this.rolesRun.set(host, (ran = new Map()))
      if (!ran.has(role.dedupKey)) ran.set(role.dedupKey, role)
    }
  }

  /**
   * Runs what a dynamic include brought in on each host, as Ansible's linear strategy does: each host runs
   * its included files in order (one per loop item); hosts that included the same file with the same loop
   * item run it together.
   */
  private async runIncluded(
    include: Task,
    hosts: readonly string[],
    results: Map<string, ModuleResult>,
    run: BatchRun
  ): Promise<boolean | undefined> {
    const selection = this.options.tags ?? ALL_TAGS
    const queues = new Map<string, IncludeInstance[]>()
    for (const host of hosts) {
      const result = results.get(host)
      if (result) queues.set(host, includeInstances(result))
    }
    for (let round = 0; ; round++) {
      const groups = new Map<string, { instance: IncludeInstance; hosts: string[] }>()
      for (const [host, queue] of queues) {
        const instance = queue[round]
        if (!instance || !run.isActive(host)) continue
        const group = groups.get(instance.key)
        if (group) group.hosts.push(host)
        else groups.set(instance.key, { instance, hosts: [host] })
      }
      if (groups.size === 0) return undefined
      for (const { instance, hosts: members } of groups.values()) {
        const { loaded, loop } = instance
        if (instance.public && loaded.role) {
          // As Ansible's `public: true`: the role's defaults and vars reach the tasks after the include.
          const context = run.playContext
          context.roleDefaults = { ...context.roleDefaults, ...loaded.role.defaults }
          context.roleExports = { ...context.roleExports, ...loaded.role.vars }
          this.variables.changed()
        }
        const params = {
          vars: { ...include.params?.vars, ...include.include?.vars },
          loop: { ...include.params?.loop, ...loop }
        }
        for (const handler of loaded.handlers) run.handlers.add({ ...handler, params })
        const tasks = loaded.tasks
          .map((task) => ({ ...task, params }))
          .filter((task) => this.runsByTags(task, selection, run.playContext, include))
        run.blocks.add(tasks)
        const stop = await this.runList(tasks, members, include, run)
        if (stop !== undefined) return stop
      }
    }
  }

  /**
   * The name a task is shown and reported by: templated as Ansible does, with the first host's variables
   * (left as written when it cannot be rendered), and prefixed with its role.
   */
  private shownName(task: Task, host: string, playContext: PlayContext): string {
    let name = task.name
    if (task.named && (name.includes('{{') || name.includes('{%'))) {
      try {
        name = pythonStr(
          this.options.templar.render(name, this.variables.scope(host, playContext, task))
        )
      } catch {
        // Ansible renders names with undefined variables left as they are: keep the text as written.
      }
    }
    return task.role ? `${task.role.name} : ${name}` : name
  }

  /**
   * Runs a `meta:` task (or a meta handler; see meta-actions.ts). Returns true when the play ends. As in
   * Ansible, a meta task counts in no recap counter; a host whose `when` is false gets a skipped result.
   */
  private async runMeta(
    task: Task,
    hosts: string[],
    run: BatchRun,
    asHandler = false
  ): Promise<boolean> {
    const { events, templar } = this.options
    const { batch, playContext } = run
    const action = String(task.args['_raw_params'])
    if (task.implicit) return this.flushHandlers(run, undefined, undefined)
    const info: TaskInfo = {
      name: this.shownName(task, hosts[0]!, playContext),
      module: task.module,
      location: task.location,
      noLog: false,
      ...(asHandler ? { handler: true } : {})
    }
    events.taskStart(info)
    const holds = (host: string): boolean =>
      task.when.every((c) => templar.isTrue(c, this.variables.scope(host, playContext, task)))
    const skip = (host: string, msg: string, reason: string): void =>
      events.hostResult(info, {
        host,
        status: 'skipped',
        ignored: false,
        result: {
          msg,
          skipped: true,
          skip_reason: `${action} conditional evaluated to False, ${reason}`
        },
        durationMs: 0
      })
    return runMetaAction(action, task.when.length > 0, {
      hosts,
      batch,
      ended: run.ended,
      blocks: run.blocks,
      failed: this.failed,
      marked: this.marked,
      unreachable: this.unreachable,
      holds,
      skip,
      warning: (message) => events.warning(message),
      flushHandlers: (flushing) => this.flushHandlers(run, flushing, task),
      endPlay: () => (this.playEnded = true),
      clearFacts: (host) => {
        const memory = this.variables.hostMemory(host)
        for (const key of Object.keys(memory.facts)) delete memory.facts[key]
        this.variables.changed()
      },
      resetConnection: (host) =>
        this.connections.reset(host, this.variables.scope(host, playContext, task)),
      refreshInventory: () => {
        // The hosts of this batch stay; later tasks and plays see the inventory as it is now.
        if (!this.options.reloadInventory) return
        this.inventory = this.options.reloadInventory()
        this.variables.useInventory(this.inventory)
      }
    })
  }

  /**
   * Runs the notified handlers, in the order they are defined, each once on the hosts notified of it
   * (limited to `only` when given). A failed host runs them only with force_handlers; a host that ended
   * the play never does. `flush` is the `meta: flush_handlers` task that runs them, if any: a handler that
   * fails inside a block moves that block to its rescue, as in Ansible. Returns true when the play ends.
   */
  private async flushHandlers(
    run: BatchRun,
    only: string[] | undefined,
    flush: Task | undefined
  ): Promise<boolean> {
    const { batch, handlers } = run
    const eligible = (h: string): boolean =>
      !run.ended.has(h) && !this.unreachable.has(h) && (handlers.force || !this.failed.has(h))
    const previous = run.flushing
    run.flushing = only ?? batch
    try {
      for (const { handler, hosts } of handlers.due(batch, only, eligible))
        if (await this.runHandler(handler, hosts, run, flush, eligible)) return true
      return false
    } finally {
      run.flushing = previous
    }
  }

  /**
   * Runs one handler on `hosts`; an include_tasks handler then runs the handlers its file brings in, on the
   * hosts that included it. A handler may notify another: one defined later runs in this flush, an earlier
   * one at the next. Returns true when the play ends.
   */
  private async runHandler(
    handler: Task,
    hosts: string[],
    run: BatchRun,
    flush: Task | undefined,
    eligible: (host: string) => boolean
  ): Promise<boolean> {
    if (handler.module === 'meta') return this.runMeta(handler, hosts, run, true)
    const result = await this.runTask(handler, hosts, run.play, run.playContext, {
      handler: true,
      anyErrorsFatal: run.anyErrorsFatal,
      failure: (host) =>
        flush
          ? run.blocks.failHandler(host, flush)
          : { counted: 'failed', fatal: true, failedNow: true }
    })
    run.handlers.notify(handler, result.changed)
    if (this.endsPlay(run, result)) return true
    if (!handler.include) return false
    // Each file the include brought in, in order; hosts that included the same file run it together.
    const queues = new Map<string, IncludeInstance[]>()
    for (const host of hosts) {
      const included = result.results.get(host)
      if (included) queues.set(host, includeInstances(included))
    }
    for (let round = 0; ; round++) {
      const groups = new Map<string, { instance: IncludeInstance; hosts: string[] }>()
      for (const [host, queue] of queues) {
        const instance = queue[round]
        if (!instance) continue
        const group = groups.get(instance.key)
        if (group) group.hosts.push(host)
        else groups.set(instance.key, { instance, hosts: [host] })
      }
      if (groups.size === 0) return false
      for (const { instance, hosts: members } of groups.values()) {
        const params = {
          vars: { ...handler.params?.vars, ...handler.include.vars },
          loop: { ...handler.params?.loop, ...instance.loop }
        }
        for (const task of instance.loaded.tasks) {
          const taking = members.filter(eligible)
          if (taking.length === 0) break
          if (await this.runHandler({ ...task, params }, taking, run, flush, eligible)) return true
        }
      }
    }
  }

  /**
   * Runs a task on the active hosts (bounded by forks); returns the hosts that failed or became unreachable.
   * `failure` decides where a failure leaves a host (its blocks, or the flush a handler runs in);
   * `anyErrorsFatal` is the play's, for a task whose blocks and own keywords do not say.
   */
  private async runTask(
    task: Task,
    hosts: string[],
    play: Play,
    playContext: PlayContext,
    options: {
      handler?: boolean
      failure: (host: string) => FailureVerdict
      anyErrorsFatal: boolean
    }
  ): Promise<TaskRun> {
    const handler = options.handler === true
    const { events, templar } = this.options
    const module = MODULES.get(task.module)
    if (!module) throw new PlaybookError(`module '${task.module}' is not available`, task.location)
    let noLog: boolean
    try {
      noLog =
        task.noLog === undefined
          ? (this.options.defaultNoLog ?? false)
          : templar.isTrue(task.noLog, this.variables.scope(hosts[0]!, playContext, task))
    } catch {
      noLog = true
    }
    const info: TaskInfo = {
      name: this.shownName(task, hosts[0]!, playContext),
      module: task.module,
      location: task.location,
      noLog,
      ...(handler ? { handler: true } : {})
    }
    events.taskStart(info)
    let targets = hosts
    const runOnce =
      task.runOnce !== undefined &&
      templar.isTrue(task.runOnce, this.variables.scope(hosts[0]!, playContext, task))
    if (runOnce) targets = hosts.slice(0, 1)
    const anyErrorsFatal = this.anyErrorsFatal(task, hosts[0]!, playContext, options.anyErrorsFatal)
    // As Ansible: a run_once task that fails fails every host it was meant for.
    let runOnceFailed = false
    const newlyFailed: string[] = []
    const failedNow: string[] = []
    const unreachable: string[] = []
    const changed: string[] = []
    const results = new Map<string, ModuleResult>()
    let abort: PlaybookError | undefined
    await mapWithLimit(targets, this.options.forks, async (host) => {
      const started = Date.now()
      const scope = (locals: Record<string, unknown> = {}): Record<string, unknown> =>
        this.variables.scope(host, playContext, task, locals)
      const outcome = await runTaskOnHost({
        task,
        info,
        host,
        module,
        templar,
        events,
        scope,
        // The task's keywords override the play's (gather_facts runs with the play's, as in Ansible).
        connection: this.connections.forTask(host, scope, (vars) =>
          resolveBecome([task.become, play.become], vars, templar, this.options.become)
        ),
        stripOmitted: (args) => this.variables.stripOmitted(args),
        playEnvironment: play.environment,
        commandTimeoutMs: this.options.commandTimeoutMs,
        baseDir: this.playbook.baseDir,
        sleep: (ms) => sleep(ms, this.options.signal),
        asyncJobs: this.asyncJobs,
        aborted: () => this.options.signal?.aborted === true,
        play
      })
      const durationMs = Date.now() - started
      // As ansible-playbook: what an include brought in is not valid: the run stops (exit 4), unreported.
      const invalid = task.include ? includeAbort(outcome.result) : undefined
      if (invalid) {
        abort ??= invalid
        return
      }
      const recipients = runOnce ? hosts : [host]
      for (const target of recipients) this.remember(task, target, outcome)
      // Only the host that ran it: a run_once include brings its tasks to that host alone, as in Ansible.
      results.set(host, outcome.result)
      const { stats } = this
      stats.enter(host)
      switch (outcome.status) {
        case 'unreachable':
          // As Ansible: ignore_unreachable counts the host ok (and ignored) and keeps it in the play.
          if (outcome.ignored) {
            stats.ignored(host, false)
            break
          }
          stats.increment(host, 'unreachable')
          this.unreachable.add(host)
          newlyFailed.push(host)
          unreachable.push(host)
          break
        case 'failed':
          if (outcome.ignored) {
            stats.ignored(host, Boolean(outcome.result['changed']))
            break
          }
          if (task.include && includeLoadFailed(outcome.result)) {
            // As Ansible: an include whose file (or role) cannot be found counts as failed (include_role
            // in no counter), never as rescued, and sets no ansible_failed_*; the host goes to the rescue
            // like any failed one, and is out of later plays even when a rescue handles it.
            if (task.include.kind === 'tasks') stats.increment(host, 'failed')
            const verdict = options.failure(host)
            if (verdict.fatal) {
              this.failed.add(host)
              newlyFailed.push(host)
            } else this.marked.add(host)
            if (verdict.failedNow) failedNow.push(host)
            break
          }
          {
            runOnceFailed = runOnce
            const verdict = options.failure(host)
            if (verdict.counted === 'rescued') {
              // As Ansible: a failure a rescue will handle counts as rescued, not failed, and the
              // rescue (and always) tasks see what failed.
              stats.increment(host, 'rescued')
              const memory = this.variables.hostMemory(host)
              memory.registered['ansible_failed_task'] = failedTaskVar(task)
              memory.registered['ansible_failed_result'] = outcome.result
              this.variables.changed()
            } else stats.increment(host, 'failed')
            if (verdict.fatal) {
              this.failed.add(host)
              newlyFailed.push(host)
            }
            if (verdict.failedNow) failedNow.push(host)
          }
          break
        case 'skipped':
          stats.increment(host, 'skipped')
          break
        case 'changed':
          stats.ok(host, true)
          changed.push(host)
          break
        default:
          // As Ansible: include_role counts in no counter; include_tasks once per included file.
          if (task.include)
            stats.increment(
              host,
              'ok',
              task.include.kind === 'role' ? 0 : includeCount(outcome.result)
            )
          else stats.ok(host, false)
      }
      events.hostResult(info, {
        host,
        status: outcome.status,
        ignored: outcome.ignored,
        result: outcome.result,
        durationMs
      })
    })
    if (abort) throw abort
    if (runOnceFailed) {
      // The other hosts fail where they are (into a rescue they may have), counted in no counter.
      for (const host of hosts.slice(1)) {
        const verdict = options.failure(host)
        if (verdict.fatal) {
          this.failed.add(host)
          newlyFailed.push(host)
        }
        if (verdict.failedNow) failedNow.push(host)
      }
    }
    // The results in the order the hosts were given (the include rounds follow it).
    const ordered = new Map<string, ModuleResult>()
    for (const host of hosts) {
      const result = results.get(host)
      if (result) ordered.set(host, result)
    }
    return { newlyFailed, failedNow, unreachable, anyErrorsFatal, changed, results: ordered }
  }

  /**
   * Whether a failure of the task fails every host, as Ansible's linear strategy decides it: the task's
   * any_errors_fatal (its own, else its blocks', else the play's), or run_once; never with ignore_errors.
   */
  private anyErrorsFatal(
    task: Task,
    host: string,
    playContext: PlayContext,
    playDefault: boolean
  ): boolean {
    const { templar } = this.options
    const scope = this.variables.scope(host, playContext, task)
    const fatal =
      task.anyErrorsFatal === undefined ? playDefault : templar.isTrue(task.anyErrorsFatal, scope)
    const runOnce = task.runOnce !== undefined && templar.isTrue(task.runOnce, scope)
    let ignored = false
    try {
      ignored = task.ignoreErrors !== undefined && templar.isTrue(task.ignoreErrors, scope)
    } catch {
      // An ignore_errors that cannot be rendered fails the task; it ignores nothing.
    }
    return (fatal || runOnce) && !ignored
  }

  /**
   * Stores what a task leaves behind on a host: its registered result and, unless it failed, was
   * unreachable or skipped, its facts (a loop's from each item in turn, as Ansible applies them).
   */
  private remember(task: Task, host: string, outcome: TaskHostOutcome): void {
    const { result } = outcome
    const memory = this.variables.hostMemory(host)
    this.variables.changed()
    if (task.register) memory.registered[task.register] = result
    if (outcome.status !== 'ok' && outcome.status !== 'changed') return
    const items = Array.isArray(result['results']) ? (result['results'] as unknown[]) : [result]
    for (const item of items) {
      if (item === null || typeof item !== 'object') continue
      const facts = (item as Record<PropertyKey, unknown>)['ansible_facts']
      if (!facts || typeof facts !== 'object') continue
      if (task.module === 'setup') {
        for (const [k, v] of Object.entries(facts)) memory.facts[k.replace(/^ansible_/, '')] = v
        continue
      }
      Object.assign(memory.registered, facts)
      // set_fact's `cacheable`: the facts are host facts too (`ansible_facts.name`), as in Ansible.
      if ((item as Record<PropertyKey, unknown>)[CACHEABLE_FACTS] === true)
        for (const [k, v] of Object.entries(facts)) memory.cachedFacts[k] = v
    }
  }
}

/** The files an include_tasks result brought in (one per loop item that was not skipped). */
function includeCount(result: ModuleResult): number {
  const items = Array.isArray(result['results']) ? (result['results'] as unknown[]) : [result]
  // As Ansible: an included file with no tasks is neither shown nor counted.
  return items.filter((item) => includedOf(item)?.tasks.length).length
}

/** The files (or roles) an include's result on one host brought in, in order, with their loop variables. */
function includeInstances(result: ModuleResult): IncludeInstance[] {
  const items = Array.isArray(result['results']) ? (result['results'] as ModuleResult[]) : [result]
  const out: IncludeInstance[] = []
  for (const item of items) {
    const loaded = includedOf(item)
    if (!loaded) continue
    const loop: Record<string, unknown> = {}
    const loopVar = item['ansible_loop_var']
    if (typeof loopVar === 'string') {
      // As Ansible's IncludedFile: the loop (and index) variable reach the included tasks, ansible_loop_var
      // does not.
      loop[loopVar] = item[loopVar]
      const indexVar = item['ansible_index_var']
      if (typeof indexVar === 'string') loop[indexVar] = item[indexVar]
    }
    const args = item['include_args'] as Record<string, unknown> | undefined
    out.push({
      public: isTruthy(args?.['public']),
      key: `${loaded.file}\0${JSON.stringify(item['include_args'] ?? null)}\0${JSON.stringify(loop)}`,
      loaded,
      loop
    })
  }
  return out
}

/**
 * include_role's `public`: Ansible reads it strictly when it loads the task; read leniently here (a value
 * that is not a boolean is false), as this runner always has, since the task already ran.
 */
function isTruthy(value: unknown): boolean {
  try {
    return ansibleBoolean(value, 'lenient')
  } catch {
    return false
  }
}

/** `ansible_failed_task`: the parts of Ansible's serialized task that rescue tasks use. */
function failedTaskVar(task: Task): Record<string, unknown> {
  return {
    name: task.named ? task.name : '',
    action: task.module,
    args: task.args
  }
}

/**
 * The hosts of one shard. A host's shard follows from its position in the whole inventory, so it is the
 * same in every play, and a matrix of `count` jobs covers every host exactly once.
 */
export function inShard(
  hosts: string[],
  inventoryOrder: string[],
  shard: { index: number; count: number }
): string[] {
  const position = new Map(inventoryOrder.map((h, i) => [h, i]))
  return hosts.filter((h) => ((position.get(h) ?? 0) % shard.count) + 1 === shard.index)
}

/** Splits hosts into batches by `serial` (a number, a percentage, or a list of them). */
export function batches(hosts: string[], serial: unknown, play: Play): string[][] {
  if (serial === undefined || serial === null || serial === 0 || serial === '0') return [hosts]
  const sizes = (Array.isArray(serial) ? serial : [serial]).map((s) => {
    const text = String(s).trim()
    const pct = /^(\d+(?:\.\d+)?)%$/.exec(text)
    const n = pct ? Math.floor((hosts.length * Number(pct[1])) / 100) : Number(text)
    if (!Number.isFinite(n) || n < 0) {
      throw new PlaybookError(
        `'serial' must be a number, a percentage such as '30%' or a list of them, got '${text}'`,
        play.location
      )
    }
    return Math.max(1, n)
  })
  const out: string[][] = []
  let i = 0
  let k = 0
  while (i < hosts.length) {
    const size = sizes[Math.min(k, sizes.length - 1)]!
    out.push(hosts.slice(i, i + size))
    i += size
    k++
  }
  return out
}

/** A task's name as Ansible shows it: `role : name` for a role's task. */
function displayName(task: Task): string {
  return task.role ? `${task.role.name} : ${task.name}` : task.name
}
