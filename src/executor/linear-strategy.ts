// One batch of a play under Ansible's linear strategy: every host takes the same task at a time, walking
// the play's task lists (blocks with their rescue/always state in BlockTracker, and the lists includes
// bring in), with meta tasks, handler flushes, any_errors_fatal and max_fail_percentage.
//
// Over 400 lines on purpose: the walk over task lists, the included lists, the handler flushes and the
// meta tasks all move one shared position (BatchRun: the stack of lists and the block states) and decide
// together when the play ends; split further, each part would hand that position back and forth.
import { fnmatchSource } from '../values/fnmatch.js'
import { PlaybookError } from '../errors.js'
import { ALL_TAGS, shouldRunTags, type TagSelection } from '../playbook/tags.js'
import {
  plainTask,
  roleQualifiedName,
  type Play,
  type RoleRef,
  type Task
} from '../playbook/types.js'
import type { ModuleResult } from '../modules/module.js'
import { hasTemplateSyntax } from '../values/unsafe.js'
import { BlockTracker, type NextState } from './block-tracker.js'
import type { TaskInfo } from './events.js'
import { Handlers } from './handlers.js'
import type { HostConnections } from './host-connections.js'
import { includeRounds } from './includes.js'
import { runMetaAction } from './meta-actions.js'
import { renderedTags } from './play-keywords.js'
import type { EngineOptions } from './playbook-runner.js'
import type { RunHostStates } from './run-state.js'
import type { TaskDispatcher, TaskRun } from './task-dispatch.js'
import type { PlayContext, VariableManager } from './variables.js'

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

/** Runs the batches of a play, one at a time (see the top of this file). */
export class LinearStrategy {
  /** Per host, the role uses (by dedup key) that ran a task there in this play: a repeat is skipped. */
  private rolesRun = new Map<string, Map<string, RoleRef>>()
  /** Hosts whose facts were gathered in this run (ANSIBLE_GATHERING=smart gathers them once). */
  private readonly factsGathered = new Set<string>()

  constructor(
    private readonly options: EngineOptions,
    private readonly variables: VariableManager,
    private readonly connections: HostConnections,
    private readonly tasks: TaskDispatcher,
    private readonly state: RunHostStates,
    /** `meta: refresh_inventory`: reads the inventory sources again, for later tasks and plays. */
    private readonly refreshInventory: () => void
  ) {}

  /** Before a play's first batch: no role has run yet. */
  startPlay(): void {
    this.rolesRun = new Map()
  }

  /**
   * Whether the batch gathers facts, as Ansible's `gathering`: implicit (the default) gathers unless the
   * play says `gather_facts: false`; explicit only when it says `gather_facts: true`; smart as implicit,
   * but not again once this run gathered the facts of every host of the batch.
   */
  private gathers(play: Play, batch: string[], playContext: PlayContext): boolean {
    const gathering = this.options.gathering ?? 'implicit'
    const wanted = this.options.templar.isTrue(
      play.gatherFacts,
      this.variables.scope(batch[0]!, playContext)
    )
    let gather = wanted
    if (gathering === 'explicit' && !play.gatherFactsGiven) gather = false
    if (gathering === 'smart' && wanted && batch.every((host) => this.factsGathered.has(host)))
      gather = false
    if (gather) for (const host of batch) this.factsGathered.add(host)
    return gather
  }

  /** Runs the play's tasks on one batch. Returns true when the playbook must stop. */
  async runBatch(play: Play, batch: string[], playContext: PlayContext): Promise<boolean> {
    const { templar } = this.options
    const gather = this.gathers(play, batch, playContext)
    // --tags/--skip-tags drop tasks before the run, as Ansible does: no banner, no stats. The implicit fact
    // gathering is tagged `always` unless the play has tags of its own, which it then runs with.
    const selection = this.options.tags ?? ALL_TAGS
    const gatherTask = plainTask({
      name: 'Gathering Facts',
      named: true,
      module: 'gather_facts',
      args: {},
      tags: play.tags.length > 0 ? play.tags : ['always'],
      location: play.location,
      // As Ansible's gather_facts: the play's module_defaults for setup apply.
      ...(play.moduleDefaults ? { moduleDefaults: play.moduleDefaults } : {})
    })
    // The implicit flush_handlers after each section runs whatever the tags, as in Ansible.
    let tasks: Task[] = (gather ? [gatherTask, ...play.tasks] : play.tasks).filter(
      (task) => task.implicit === true || this.runsByTags(task, selection, playContext)
    )
    const startAt = this.options.startAtTask
    if (startAt && !startAt.found)
      tasks = startingAt(tasks, startAt, gather ? gatherTask : undefined)
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
    const isFailed = (h: string): boolean =>
      this.state.failed.has(h) || this.state.unreachable.has(h)
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
    return batch.every((h) => isFailed(h) || this.state.marked.has(h))
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
    const left = batch.filter((h) => !this.state.unreachable.has(h))
    if (outcome.anyErrorsFatal && outcome.failedNow.length + outcome.unreachable.length > 0) {
      // As Ansible: every host whose next task is not in a rescue or always list is failed; if that is
      // every host left, the play ends now, else the others carry on and no later play runs.
      const marked = left.filter((h) => {
        const next = this.nextState(h, run)
        return next !== 'rescue' && next !== 'always'
      })
      if (marked.length > 0) {
        this.state.breakPlay = true
        for (const host of marked) if (!this.state.failed.has(host)) this.state.marked.add(host)
        if (left.every((h) => this.state.failed.has(h) || this.state.marked.has(h))) {
          for (const host of left) {
            this.state.failed.add(host)
            this.state.marked.delete(host)
          }
          this.options.events.noMoreHosts()
          return true
        }
      }
    }
    if (outcome.newlyFailed.length === 0 || run.maxFailPercentage === undefined) return false
    const failedInBatch = batch.filter(isFailed).length
    if ((failedInBatch / batch.length) * 100 <= run.maxFailPercentage) return false
    this.state.breakPlay = true
    for (const h of batch) this.state.failed.add(h)
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
      for (const h of escaped) this.state.failed.add(h)
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
      const result = await this.tasks.run(task, taking, play, playContext, {
        failure: (host) => blocks.fail(host, task),
        anyErrorsFatal: run.anyErrorsFatal
      })
      this.noteRoleRun(task, result.results)
      run.handlers.notify(task, result.changed)
      if (this.endsPlay(run, result)) return true
      if (result.includes) {
        const stop = await this.runIncluded(task, taking, result, run)
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
    { includes, results }: TaskRun,
    run: BatchRun
  ): Promise<boolean | undefined> {
    const selection = this.options.tags ?? ALL_TAGS
    for (const { file, hosts: members } of includeRounds(includes!, hosts, results, run.isActive)) {
      const { loaded, loop } = file
      if (file.public && loaded.role) {
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
      for (const handler of loaded.handlers)
        run.handlers.add({ ...handler, params: withOwnParams(params, handler) })
      const tasks = loaded.tasks
        .map((task) => ({ ...task, params: withOwnParams(params, task) }))
        .filter((task) => this.runsByTags(task, selection, run.playContext, include))
      run.blocks.add(tasks)
      const stop = await this.runList(tasks, members, include, run)
      if (stop !== undefined) return stop
    }
    return undefined
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
      name: this.tasks.shownName(task, hosts[0]!, playContext),
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
      failed: this.state.failed,
      marked: this.state.marked,
      unreachable: this.state.unreachable,
      holds,
      skip,
      warning: (message) => events.warning(message),
      flushHandlers: (flushing) => this.flushHandlers(run, flushing, task),
      endPlay: () => (this.state.playEnded = true),
      clearFacts: (host) => {
        const memory = this.variables.hostMemory(host)
        // Ansible's fact cache: gathered facts and the host facts of other modules and of cacheable
        // set_fact (whose set_fact values stay).
        for (const key of Object.keys(memory.facts)) delete memory.facts[key]
        for (const key of Object.keys(memory.cachedFacts)) delete memory.cachedFacts[key]
        this.variables.changed()
      },
      resetConnection: (host) =>
        this.connections.reset(host, this.variables.scope(host, playContext, task)),
      refreshInventory: this.refreshInventory
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
      !run.ended.has(h) &&
      !this.state.unreachable.has(h) &&
      (handlers.force || !this.state.failed.has(h))
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
    const result = await this.tasks.run(handler, hosts, run.play, run.playContext, {
      handler: true,
      anyErrorsFatal: run.anyErrorsFatal,
      failure: (host) =>
        flush
          ? run.blocks.failHandler(host, flush)
          : { counted: 'failed', fatal: true, failedNow: true }
    })
    run.handlers.notify(handler, result.changed)
    if (this.endsPlay(run, result)) return true
    if (!result.includes) return false
    // Each file the include brought in, in order; hosts that included the same file run it together.
    for (const { file, hosts: members } of includeRounds(result.includes, hosts, result.results)) {
      const params = {
        vars: { ...handler.params?.vars, ...handler.include?.vars },
        loop: { ...handler.params?.loop, ...file.loop }
      }
      for (const task of file.loaded.tasks) {
        const taking = members.filter(eligible)
        if (taking.length === 0) break
        if (
          await this.runHandler(
            { ...task, params: withOwnParams(params, task) },
            taking,
            run,
            flush,
            eligible
          )
        )
          return true
      }
    }
    return false
  }
}

/**
 * --start-at-task: the tasks from the first one the pattern names (as ansible-playbook matches it: the name as
 * written, `role : name`, or the action of an unnamed task, equal or as a glob), with the fact gathering
 * before them; none when the play has no such task. Tasks of a rescue section are not looked at, as Ansible
 * walks the play without failures.
 */
function startingAt(
  tasks: Task[],
  startAt: { pattern: string; found: boolean },
  gatherTask: Task | undefined
): Task[] {
  const glob = new RegExp(`^(?:${fnmatchSource(startAt.pattern)})$`)
  const matches = (text: string): boolean => text === startAt.pattern || glob.test(text)
  const index = tasks.findIndex((task) => {
    if (task.implicit || task.blocks?.some((frame) => frame.section === 'rescue')) return false
    const own = task.named ? task.name : (task.shownAs ?? task.action ?? task.module)
    const shown = roleQualifiedName(task, own)
    return (task.named && matches(task.name)) || matches(shown)
  })
  if (index < 0) return []
  startAt.found = true
  const rest = tasks.slice(index)
  return gatherTask && tasks[0] === gatherTask && index > 0 ? [gatherTask, ...rest] : rest
}

/** A task's name as Ansible shows it: `role : name` for a role's task. */
function displayName(task: Task): string {
  return roleQualifiedName(task, task.name)
}

/**
 * The include params of a task a dynamic include brought in: the include's, under those a static bare
 * `include` in the included file gave the task when it loaded (the innermost include's win, as in Ansible).
 */
function withOwnParams(params: NonNullable<Task['params']>, task: Task): Task['params'] {
  if (!task.params) return params
  return {
    vars: { ...params.vars, ...task.params.vars },
    loop: { ...params.loop, ...task.params.loop }
  }
}
