import { becomeIdentity, withBecome } from '../connection/become.js'
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
import { BlockTracker } from './block-tracker.js'
import { ConnectionPool } from './connection-pool.js'
import { emptyStats, type HostStats, type RunEvents, type TaskInfo } from './events.js'
import { resolveBecome, settingsFor, type BecomeDefaults } from './become.js'
import { mapWithLimit, sleep } from './parallel.js'
import { runTaskOnHost, type TaskHostOutcome } from './task-runner.js'
import { includedOf } from '../modules/include.js'
import type { LoadedInclude } from '../playbook/playbook-loader.js'
import { hasTemplateSyntax } from '../template/unsafe.js'
import { orderedHosts, renderedTags, templatedPlay } from './play-keywords.js'
import type { ModuleResult } from '../modules/module.js'
import { CACHEABLE_FACTS } from '../modules/set-fact.js'
import { mergeRoleVars } from '../playbook/roles.js'
import { VariableManager, type PlayContext } from './variables.js'
import { dict } from '../dict.js'

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
  /** --force-handlers: a failed host still runs its notified handlers (a play's `force_handlers` wins). */
  forceHandlers?: boolean
  /** -v count (`ansible_verbosity`). */
  verbosity?: number
  /** The inventories given (`ansible_inventory_sources`): files as absolute paths. */
  inventorySources?: string[]
  /** ANSIBLE_NO_LOG: the `no_log` of tasks that do not set it (default false). */
  defaultNoLog?: boolean
}

/** The handler state of one batch: who was notified of what, and which hosts ended the play. */
interface HandlerState {
  /** The play's handlers, and those of roles included since (in the order they run at a flush). */
  list: Task[]
  /** Per handler (by its task object), the hosts it was notified on since the last flush. */
  notified: Map<Task, Set<string>>
  /** Hosts that ran `meta: end_host` (or `end_play`): done with the play, neither failed nor active. */
  ended: Set<string>
  /** Whether failed hosts still run their notified handlers (force_handlers). */
  force: boolean
}

/** What running one task left behind: hosts that failed or became unreachable, and hosts it changed. */
interface TaskRun {
  newlyFailed: string[]
  changed: string[]
  /** Each host's result, in the order the hosts were given. */
  results: Map<string, ModuleResult>
}

/** What one batch's task lists share while they run. */
interface BatchRun {
  play: Play
  batch: string[]
  playContext: PlayContext
  handlers: HandlerState
  blocks: BlockTracker
  isFailed(host: string): boolean
  isActive(host: string): boolean
  /** After hosts failed: whether any_errors_fatal or max_fail_percentage ends the play. */
  endsPlay(newlyFailed: string[]): boolean
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
  private readonly stats = new Map<string, HostStats>()
  /** Every host of the run's plays, in the order the plays named them: the order of the recap. */
  private readonly hostOrder = new Set<string>()
  /** Hosts that failed or were failed by any_errors_fatal/max_fail_percentage: out of later plays. */
  private readonly failed = new Set<string>()
  private readonly unreachable = new Set<string>()
  private readonly variables: VariableManager
  private readonly pool: ConnectionPool
  private readonly asyncJobs: AsyncJobs
  /** Set by `meta: end_play`: no further batch of the current play runs. */
  private playEnded = false
  /** Per host, the role uses (by dedup key) that ran a task there in this play: a repeat is skipped. */
  private rolesRun = new Map<string, Map<string, RoleRef>>()

  constructor(
    private readonly playbook: Playbook,
    private readonly options: EngineOptions
  ) {
    this.variables = new VariableManager(options.inventory, options.templar, options.extraVars, {
      runTags: options.tags?.only ?? [],
      skipTags: options.tags?.skip ?? [],
      ...(options.limit === undefined ? {} : { limit: options.limit }),
      forks: options.forks,
      verbosity: options.verbosity ?? 0,
      inventorySources: options.inventorySources ?? []
    })
    this.pool = new ConnectionPool(options.connectionDefaults, options.openConnection)
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
    const counted = [...this.hostOrder].filter((h) => this.stats.has(h))
    const stats = dict(counted.map((h) => [h, this.stats.get(h)!]))
    this.options.events.recap(stats)
    const failedHosts = counted.filter((h) => this.stats.get(h)!.failed > 0)
    const unreachableHosts = [...this.unreachable]
    const exitCode =
      unreachableHosts.length > 0 ? 4 : failedHosts.length > 0 || this.failed.size > 0 ? 2 : 0
    return {
      stats,
      failedHosts,
      unreachableHosts,
      exitCode,
      jobs: this.asyncJobs.registry.allOutstanding()
    }
  }

  close(): Promise<void> {
    return this.pool.closeAll()
  }

  private statsOf(host: string): HostStats {
    let s = this.stats.get(host)
    if (!s) {
      s = emptyStats()
      this.stats.set(host, s)
    }
    return s
  }

  /** Runs one play; returns true when the playbook must stop. */
  private async runPlay(written: Play): Promise<boolean> {
    const { inventory, events } = this.options
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
    hosts = orderedHosts(hosts, play.order)
    // ansible_play_hosts_all: the hosts failed in earlier plays too.
    const targeted = hosts
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
    }
    return false
  }

  /** Runs the play's tasks on one batch. Returns true when the playbook must stop. */
  private async runBatch(play: Play, batch: string[], playContext: PlayContext): Promise<boolean> {
    const { templar, events } = this.options
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
    const handlers: HandlerState = {
      list: [...play.handlers],
      notified: new Map(),
      ended: new Set(),
      force:
        play.forceHandlers === undefined || play.forceHandlers === null
          ? this.options.forceHandlers === true
          : templar.isTrue(play.forceHandlers, this.variables.scope(batch[0]!, playContext))
    }
    const isFailed = (h: string): boolean => this.failed.has(h) || this.unreachable.has(h)
    const isActive = (h: string): boolean => !isFailed(h) && !handlers.ended.has(h)
    playContext.removed = { has: (h) => !isActive(h) }
    /** After hosts failed: whether any_errors_fatal or max_fail_percentage ends the play. */
    const endsPlay = (newlyFailed: string[]): boolean => {
      if (newlyFailed.length === 0) return false
      const failedInBatch = batch.filter(isFailed).length
      const overThreshold = maxFail !== undefined && (failedInBatch / batch.length) * 100 > maxFail
      if (!anyErrorsFatal && !overThreshold) return false
      for (const h of batch) this.failed.add(h)
      events.noMoreHosts()
      return true
    }
    const run: BatchRun = {
      play,
      batch,
      playContext,
      handlers,
      blocks: new BlockTracker(tasks),
      isFailed,
      isActive,
      endsPlay
    }
    const stop = await this.runList(tasks, batch, undefined, run)
    if (stop !== undefined) return stop
    return batch.every(isFailed)
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
    const { play, batch, playContext, handlers, blocks, isFailed, isActive, endsPlay } = run
    let previous = parent
    for (const task of [...tasks, parent]) {
      if (this.options.signal?.aborted) return true
      // Leaving a block: a failure that no rescue handled fails the host once its always lists have run.
      const escaped = blocks.leave(previous, task, hosts.filter(isActive))
      for (const h of escaped) this.failed.add(h)
      if (endsPlay(escaped)) return true
      if (!task || task === parent) break
      previous = task
      const active = hosts.filter(isActive)
      if (active.length === 0) {
        // An included list ends here; the list that included it decides what happens next.
        if (parent) return undefined
        // Every host ended the play with meta: end_host / end_play: the play is over, not failed.
        if (!batch.every(isFailed)) return false
        if (handlers.force) await this.flushHandlers(play, batch, playContext, handlers)
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
        const newlyFailed = await this.runMeta(task, taking, batch, play, playContext, handlers)
        if (endsPlay(newlyFailed)) return true
        continue
      }
      const result = await this.runTask(task, taking, play, playContext, blocks)
      this.noteRoleRun(task, result.results)
      this.notify(task, result.changed, handlers, playContext)
      if (endsPlay(result.newlyFailed)) return true
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
        for (const handler of loaded.handlers) this.addHandler(run.handlers, { ...handler, params })
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
   * Adds a handler an include brought in. Copies of the same handler already in the play (the role under
   * `roles:`, an import_role of it, an earlier include) give way to it, their pending notifications
   * included: it runs once, with this include's keywords and variables. Ansible behaves so because its
   * uses of a role share one handler object, which each include_role re-parents.
   */
  private addHandler(state: HandlerState, handler: Task): void {
    const same = (h: Task): boolean =>
      h.location.file === handler.location.file &&
      h.location.line === handler.location.line &&
      h.role?.path === handler.role?.path
    const first = state.list.findIndex(same)
    if (first < 0) {
      state.list.push(handler)
      return
    }
    const pending = new Set<string>()
    for (const earlier of state.list.filter(same)) {
      for (const host of state.notified.get(earlier) ?? []) pending.add(host)
      state.notified.delete(earlier)
    }
    state.list = state.list.filter((h) => !same(h))
    state.list.splice(first, 0, handler)
    if (pending.size > 0) state.notified.set(handler, pending)
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
   * Runs a `meta:` task. Returns the hosts that failed (in handlers it flushed). As in Ansible, a meta task
   * counts in no recap counter; a host whose `when` is false gets a skipped result.
   */
  private async runMeta(
    task: Task,
    hosts: string[],
    batch: string[],
    play: Play,
    playContext: PlayContext,
    handlers: HandlerState
  ): Promise<string[]> {
    const { events, templar } = this.options
    const action = String(task.args['_raw_params'])
    if (task.implicit) return this.flushHandlers(play, batch, playContext, handlers)
    const info: TaskInfo = {
      name: this.shownName(task, hosts[0]!, playContext),
      module: task.module,
      location: task.location,
      noLog: false
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
    switch (action) {
      case 'flush_handlers': {
        const flushing = hosts.filter((host) => {
          if (holds(host)) return true
          skip(host, action, `not running handlers for ${host}`)
          return false
        })
        return this.flushHandlers(play, batch, playContext, handlers, flushing)
      }
      case 'end_host':
        for (const host of hosts) {
          if (holds(host)) handlers.ended.add(host)
          else
            skip(
              host,
              `end_host conditional evaluated to false, continuing execution for ${host}`,
              `continuing execution for ${host}`
            )
        }
        return []
      case 'end_play': {
        // As Ansible: evaluated once, for the first host, and it ends the play on every host.
        const first = hosts[0]!
        if (holds(first)) {
          for (const host of batch) handlers.ended.add(host)
          this.playEnded = true
        } else skip(first, action, 'continuing play')
        return []
      }
      default:
        // noop
        return []
    }
  }

  /** Records the handlers a task notifies on the hosts where it changed something. */
  private notify(
    task: Task,
    changed: string[],
    handlers: HandlerState,
    playContext: PlayContext
  ): void {
    if (!task.notify || changed.length === 0) return
    for (const [name, hosts] of this.notifyNames(task, task.notify, changed, playContext)) {
      const matching = matchHandlers(handlers.list, name)
      if (matching.length === 0) {
        throw new PlaybookError(
          `The requested handler '${name}' was not found in either the main handlers list nor in the listening handlers list (notified by task '${task.name}'); add a handler with that name or \`listen: ${name}\` under the play's \`handlers:\``,
          task.location
        )
      }
      for (const handler of matching) {
        let notified = handlers.notified.get(handler)
        if (!notified) handlers.notified.set(handler, (notified = new Set()))
        for (const host of hosts) notified.add(host)
      }
    }
  }

  /** The handler names a task notifies, each with its hosts: a templated name is rendered per host. */
  private notifyNames(
    task: Task,
    names: readonly string[],
    hosts: string[],
    playContext: PlayContext
  ): Map<string, string[]> {
    const out = new Map<string, string[]>()
    for (const raw of names) {
      for (const host of hosts) {
        let name = raw
        if (raw.includes('{{') || raw.includes('{%')) {
          try {
            name = String(
              this.options.templar.render(raw, this.variables.scope(host, playContext, task))
            )
          } catch (error) {
            throw new PlaybookError(
              `the handler name '${raw}' in 'notify' cannot be rendered for ${host}: ${(error as Error).message}`,
              task.location
            )
          }
        }
        const list = out.get(name)
        if (list) list.push(host)
        else out.set(name, [host])
      }
    }
    return out
  }

  /**
   * Runs the notified handlers, in the order they are defined, each once on the hosts notified of it
   * (limited to `only` when given). A failed host runs them only with force_handlers; a host that ended
   * the play never does. Returns the hosts that failed in a handler.
   */
  private async flushHandlers(
    play: Play,
    batch: string[],
    playContext: PlayContext,
    handlers: HandlerState,
    only?: string[]
  ): Promise<string[]> {
    const newlyFailed: string[] = []
    for (const handler of handlers.list) {
      const pending = handlers.notified.get(handler)
      if (!pending || pending.size === 0) continue
      const hosts = batch.filter(
        (h) =>
          pending.has(h) &&
          (only === undefined || only.includes(h)) &&
          !handlers.ended.has(h) &&
          !this.unreachable.has(h) &&
          (handlers.force || !this.failed.has(h))
      )
      for (const host of batch) if (only === undefined || only.includes(host)) pending.delete(host)
      // As Ansible 2.14: tags do not apply to handlers; a notified handler runs whatever its tags.
      if (hosts.length === 0) continue
      const run = await this.runTask(
        handler,
        hosts,
        play,
        playContext,
        new BlockTracker([handler]),
        true
      )
      newlyFailed.push(...run.newlyFailed)
      // A handler may notify another: one defined later runs in this flush, an earlier one at the next.
      this.notify(handler, run.changed, handlers, playContext)
    }
    return newlyFailed
  }

  /** Runs a task on the active hosts (bounded by forks); returns the hosts that failed or became unreachable. */
  private async runTask(
    task: Task,
    hosts: string[],
    play: Play,
    playContext: PlayContext,
    blocks: BlockTracker,
    handler = false
  ): Promise<TaskRun> {
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
    const newlyFailed: string[] = []
    const changed: string[] = []
    const results = new Map<string, ModuleResult>()
    await mapWithLimit(targets, this.options.forks, async (host) => {
      const started = Date.now()
      const scope = (locals: Record<string, unknown> = {}): Record<string, unknown> =>
        this.variables.scope(host, playContext, task, locals)
      // The task's keywords override the play's (gather_facts runs with the play's, as in Ansible).
      const become = (vars = scope()): ReturnType<typeof resolveBecome> =>
        resolveBecome([task.become, play.become], vars, templar, this.options.become)
      const outcome = await runTaskOnHost({
        task,
        info,
        host,
        module,
        templar,
        events,
        scope,
        connection: async () => {
          const vars = scope()
          const settings = become(vars)
          return withBecome(await this.pool.get(host, vars), settings)
        },
        reconnect: async () => {
          const vars = scope()
          const settings = become(vars)
          await this.pool.reset(host, vars)
          return withBecome(await this.pool.get(host, vars), settings)
        },
        becomeIdentity: () => becomeIdentity(become()),
        connectionAs: async (identity) => {
          const vars = scope()
          return withBecome(
            await this.pool.get(host, vars),
            settingsFor(identity, vars, this.options.become)
          )
        },
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
      const recipients = runOnce ? hosts : [host]
      for (const target of recipients) this.remember(task, target, outcome)
      // Only the host that ran it: a run_once include brings its tasks to that host alone, as in Ansible.
      results.set(host, outcome.result)
      const stats = this.statsOf(host)
      switch (outcome.status) {
        case 'unreachable':
          // As Ansible: ignore_unreachable counts the host ok (and ignored) and keeps it in the play.
          if (outcome.ignored) {
            stats.ok++
            stats.ignored++
            break
          }
          stats.unreachable++
          this.unreachable.add(host)
          newlyFailed.push(host)
          break
        case 'failed':
          if (outcome.ignored) {
            stats.ok++
            stats.ignored++
            if (outcome.result['changed']) stats.changed++
          } else {
            const verdict = blocks.fail(host, task)
            if (verdict === 'rescued') {
              // As Ansible: a failure a rescue will handle counts as rescued, not failed, and the
              // rescue (and always) tasks see what failed.
              stats.rescued++
              const memory = this.variables.hostMemory(host)
              memory.registered['ansible_failed_task'] = failedTaskVar(task)
              memory.registered['ansible_failed_result'] = outcome.result
              this.variables.changed()
            } else stats.failed++
            if (verdict === 'fatal') {
              this.failed.add(host)
              newlyFailed.push(host)
            }
          }
          break
        case 'skipped':
          stats.skipped++
          break
        case 'changed':
          stats.ok++
          stats.changed++
          changed.push(host)
          break
        default:
          // As Ansible: include_role counts in no counter; include_tasks once per included file.
          if (task.include)
            stats.ok += task.include.kind === 'role' ? 0 : includeCount(outcome.result)
          else stats.ok++
      }
      events.hostResult(info, {
        host,
        status: outcome.status,
        ignored: outcome.ignored,
        result: outcome.result,
        durationMs
      })
    })
    // The results in the order the hosts were given (the include rounds follow it).
    const ordered = new Map<string, ModuleResult>()
    for (const host of hosts) {
      const result = results.get(host)
      if (result) ordered.set(host, result)
    }
    return { newlyFailed, changed, results: ordered }
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

/** How a task is shown: a role's tasks as `role : name`, as Ansible does. */
function displayName(task: Task): string {
  return task.role ? `${task.role.name} : ${task.name}` : task.name
}

/**
 * The handlers a `notify` name reaches: the last handler with that name (`role : name` also names a
 * role's handler), as Ansible picks it, and every handler that listens to it.
 */
export function matchHandlers(list: readonly Task[], name: string): Task[] {
  const named = list.filter((h) => h.name === name || (h.role && displayName(h) === name))
  const last = named.at(-1)
  return list.filter((h) => h === last || h.listen?.includes(name))
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

/** A boolean argument as Ansible reads one (true, yes, on, 1, in any case). */
function isTruthy(value: unknown): boolean {
  if (typeof value === 'boolean') return value
  if (typeof value === 'number') return value !== 0
  return typeof value === 'string' && ['true', 'yes', 'on', '1', 'y'].includes(value.toLowerCase())
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
