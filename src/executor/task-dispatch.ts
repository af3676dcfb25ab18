// Running one task on a group of hosts and taking in the results, as Ansible's task queue manager and its
// result processing do: each host's run (bounded by forks), its recap counters, where a failure leaves it
// (its blocks' verdict), what it registers and its facts. The strategy (linear-strategy.ts) decides which
// task runs on which hosts, and reads back what the task left behind (TaskRun).
import { AsyncPlaybookError, PlaybookError } from '../errors.js'
import { MODULE_CATALOG, MODULES } from '../modules/registry.js'
import { UNEXPECTED_FAILURE, type ModuleDefinition, type ModuleResult } from '../modules/module.js'
import { isRecord } from '../values/records.js'
import { CACHEABLE_FACTS, SAFE_FACTS } from '../modules/set-fact.js'
import { INCLUDED_VARS } from '../modules/include-vars.js'
import { FACT_MODULES } from '../modules/gather-facts.js'
import type { Inventory } from '../inventory/inventory.js'
import { roleQualifiedName, type Play, type Task, type TemplatedAction } from '../playbook/types.js'
import { resolveModuleName } from '../playbook/loader-support.js'
import { pythonStr, pyTypeName } from '../template/index.js'
import type { AsyncJobs } from '../async/async-jobs.js'
import type { FailureVerdict } from './block-tracker.js'
import { resolveBecome } from './become.js'
import { DELEGATED_TO, type TaskInfo } from './events.js'
import type { HostConnections } from './host-connections.js'
import { INCLUDE_ACTIONS, IncludeLoads } from './includes.js'
import { mapWithLimit, sleep } from './parallel.js'
import type { EngineOptions } from './playbook-runner.js'
import type { RunHostStates } from './run-state.js'
import type { Stats } from './stats.js'
import type { TaskHostOutcome } from './task-outcome.js'
import { runTaskOnHost, type Delegation } from './task-runner.js'
import { renderField } from './task-errors.js'
import { ModuleArgumentError } from '../modules/module.js'
import { LOCALHOST_NAMES } from '../inventory/host-pattern.js'
import type { HostMemory, PlayContext, VariableManager } from './variables.js'
import { isNumeric } from '../values/py-float.js'

/** What running one task left behind: hosts that failed or became unreachable, and hosts it changed. */
export interface TaskRun {
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
  /** For an include: what it loaded on each host. */
  includes?: IncludeLoads
}

/** A templated action's hosts whose rendering names no module we run (see runTemplatedAction). */
const NO_SUCH_MODULE = '(no such module)'

/** What those hosts run: the failure Ansible gives when it finds no module by the name (no `changed`). */
const noSuchModule: ModuleDefinition = {
  name: NO_SUCH_MODULE,
  supportsCheckMode: true,
  args: { options: { msg: { type: 'str' } } },
  run: async (ctx) => ({ failed: true, msg: ctx.args['msg'], [UNEXPECTED_FAILURE]: true })
}

/** Runs tasks on hosts for the strategy, and keeps what they leave behind (see the top of this file). */
export class TaskDispatcher {
  constructor(
    private readonly options: EngineOptions,
    /** The playbook's directory (`playbook_dir`; relative `src` paths start there). */
    private readonly baseDir: string,
    private readonly variables: VariableManager,
    private readonly connections: HostConnections,
    private readonly asyncJobs: AsyncJobs,
    private readonly stats: Stats,
    private readonly state: RunHostStates,
    /** The run's inventory as it is now: add_host and group_by change it. */
    private readonly inventory: () => Inventory
  ) {}

  /**
   * A task whose action is a template (`action: "{{ ansible_pkg_mgr }} name=git"`): each host's module
   * is its rendering, as Ansible 2.14 decides it per host; the hosts of each module then run the task
   * as a task of that module, one module after the other (most often all hosts get the same one).
   * A template that cannot be rendered stops the run, and a name no module answers to fails its hosts,
   * as in Ansible.
   */
  private async runTemplatedAction(
    task: Task,
    action: TemplatedAction,
    hosts: string[],
    play: Play,
    playContext: PlayContext,
    options: Parameters<TaskDispatcher['run']>[4]
  ): Promise<TaskRun> {
    const groups = new Map<string, string[]>()
    /** Each module as the first of its hosts wrote it (`ansible.builtin.apt`). */
    const written = new Map<string, string>()
    for (const host of hosts) {
      let name: string
      try {
        name = pythonStr(
          this.options.templar.render(
            action.template,
            this.variables.scope(host, playContext, task)
          )
        ).trim()
      } catch (error) {
        // As Ansible: an action that cannot be rendered ends the run (exit 1), not the host.
        throw new AsyncPlaybookError(
          `the action ${action.template} cannot be rendered for ${host}: ${error instanceof Error ? error.message : String(error)}`,
          task.location
        )
      }
      const found = resolveModuleName(name, MODULE_CATALOG, action.collections)
      // A name no module answers to fails the host, with Ansible's message (noSuchModule).
      const module = found !== undefined && MODULES.has(found) ? found : NO_SUCH_MODULE
      const group = groups.get(module)
      if (group) group.push(host)
      else {
        groups.set(module, [host])
        written.set(module, name)
      }
    }
    const merged: TaskRun = {
      newlyFailed: [],
      failedNow: [],
      unreachable: [],
      anyErrorsFatal: false,
      changed: [],
      results: new Map()
    }
    const results = new Map<string, ModuleResult>()
    const shared: { info?: TaskInfo } = {}
    for (const [module, group] of groups) {
      const { moduleTemplate: _template, ...plain } = task
      const args =
        module === NO_SUCH_MODULE
          ? { msg: `The module ${written.get(module)!} was not found in configured module paths` }
          : task.args
      // Messages name the module as rendered (`Invalid options for debug`); the task is shown by its
      // template when unnamed (`TASK [{{ m }}]`), as Ansible shows it.
      const run = await this.run(
        {
          ...plain,
          module,
          action: written.get(module)!,
          shownAs: action.template,
          args
        },
        group,
        play,
        playContext,
        { ...options, shared }
      )
      merged.newlyFailed.push(...run.newlyFailed)
      merged.failedNow.push(...run.failedNow)
      merged.unreachable.push(...run.unreachable)
      merged.changed.push(...run.changed)
      merged.anyErrorsFatal ||= run.anyErrorsFatal
      for (const [host, result] of run.results) results.set(host, result)
    }
    for (const host of hosts) {
      const result = results.get(host)
      if (result) merged.results.set(host, result)
    }
    return merged
  }

  /**
   * The name a task is shown and reported by: templated as Ansible does, with the first host's variables
   * (left as written when it cannot be rendered), and prefixed with its role.
   */
  shownName(task: Task, host: string, playContext: PlayContext): string {
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
    return roleQualifiedName(task, name)
  }

  /**
   * Runs a task on the active hosts (bounded by forks); returns the hosts that failed or became unreachable.
   * `failure` decides where a failure leaves a host (its blocks, or the flush a handler runs in);
   * `anyErrorsFatal` is the play's, for a task whose blocks and own keywords do not say.
   */
  async run(
    task: Task,
    hosts: string[],
    play: Play,
    playContext: PlayContext,
    options: {
      handler?: boolean
      failure: (host: string) => FailureVerdict
      anyErrorsFatal: boolean
      /**
       * A templated action's task of one module (runTemplatedAction): the first keeps its TaskInfo
       * here; the later ones go on with it (no banner, results under its entry).
       */
      shared?: { info?: TaskInfo }
    }
  ): Promise<TaskRun> {
    if (task.moduleTemplate !== undefined)
      return this.runTemplatedAction(task, task.moduleTemplate, hosts, play, playContext, options)
    const handler = options.handler === true
    const { events, templar } = this.options
    // include_tasks and include_role are the runner's own (includes.ts); any other action is a module.
    const includes = INCLUDE_ACTIONS.has(task.module)
      ? new IncludeLoads((message) => events.warning(message, 'deprecation'))
      : undefined
    const module = includes
      ? undefined
      : task.module === NO_SUCH_MODULE
        ? noSuchModule
        : MODULES.get(task.module)
    if (!includes && !module)
      throw new PlaybookError(`module '${task.module}' is not available`, task.location)
    const action = includes ? { include: includes } : { module: module! }
    let noLog: boolean
    try {
      noLog =
        task.noLog === undefined
          ? (this.options.defaultNoLog ?? false)
          : templar.isTrue(task.noLog, this.variables.scope(hosts[0]!, playContext, task))
    } catch {
      noLog = true
    }
    // As Ansible's strategy: a task shows its diffs when its own `diff` (or its blocks', play's) says so,
    // else when --diff does; read with the first host's variables, as no_log is.
    let diff = this.options.diff === true
    if (task.diff !== undefined && task.diff !== null) {
      try {
        diff = templar.isTrue(task.diff, this.variables.scope(hosts[0]!, playContext, task))
      } catch {
        // A value that cannot be read fails the task on each host (task-runner's taskRunFlags).
      }
    }
    const info: TaskInfo = {
      name: this.shownName(task, hosts[0]!, playContext),
      module: task.module,
      location: task.location,
      noLog,
      ...(diff ? { diff: true } : {}),
      ...(handler ? { handler: true } : {})
    }
    if (options.shared?.info) info.sameAs = options.shared.info
    else {
      if (options.shared) options.shared.info = info
      events.taskStart(info)
    }
    let targets = hosts
    const runOnce =
      task.runOnce !== undefined &&
      templar.isTrue(task.runOnce, this.variables.scope(hosts[0]!, playContext, task))
    // As Ansible: add_host runs once, on the first host, and its result is that host's alone.
    const bypass = module?.bypassHostLoop === true
    if (runOnce || bypass) targets = hosts.slice(0, 1)
    const anyErrorsFatal = this.anyErrorsFatal(task, hosts[0]!, playContext, options.anyErrorsFatal)
    // As Ansible: a run_once task that fails fails every host it was meant for.
    let runOnceFailed = false
    const newlyFailed: string[] = []
    const failedNow: string[] = []
    const unreachable: string[] = []
    const changed: string[] = []
    const results = new Map<string, ModuleResult>()
    let abort: PlaybookError | undefined
    // As Ansible: throttle lowers forks for this task (ignored with run_once, which runs on one host).
    const throttle = runOnce ? 0 : this.throttleOf(task, hosts[0]!, playContext)
    const lanes = throttle > 0 ? Math.min(throttle, this.options.forks) : this.options.forks
    await mapWithLimit(targets, lanes, async (host) => {
      const started = Date.now()
      const scope = (locals: Record<string, unknown> = {}): Record<string, unknown> =>
        this.variables.scope(host, playContext, task, locals)
      const outcome = await runTaskOnHost({
        task,
        info,
        host,
        ...action,
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
        baseDir: this.baseDir,
        sleep: (ms) => sleep(ms, this.options.signal),
        asyncJobs: this.asyncJobs,
        aborted: () => this.options.signal?.aborted === true,
        runFlags: { check: this.options.check === true, diff: this.options.diff === true },
        takeResult: (result) => this.applyInventoryChange(host, result, playContext),
        ...(task.delegateTo === undefined
          ? {}
          : {
              delegate: (locals: Record<string, unknown>) =>
                this.delegation(task, host, play, playContext, locals)
            }),
        play
      })
      const durationMs = Date.now() - started
      // As ansible-playbook: what an include brought in is not valid: the run stops (exit 4), unreported.
      const invalid = includes?.abortError(outcome.result)
      if (invalid) {
        abort ??= invalid
        return
      }
      const recipients = runOnce && !bypass ? hosts : [host]
      const factsToDelegate = this.delegatesFacts(task, host, playContext)
      for (const target of recipients) this.remember(task, target, outcome, factsToDelegate)
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
          this.state.unreachable.add(host)
          newlyFailed.push(host)
          unreachable.push(host)
          break
        case 'failed':
          if (outcome.ignored) {
            stats.ignored(host, Boolean(outcome.result['changed']))
            break
          }
          if (includes?.loadFailed(outcome.result)) {
            // As Ansible: an include whose file (or role) cannot be found counts as failed (include_role
            // in no counter), never as rescued, and sets no ansible_failed_*; the host goes to the rescue
            // like any failed one, and is out of later plays even when a rescue handles it.
            if (task.module === 'include_tasks') stats.increment(host, 'failed')
            const verdict = options.failure(host)
            if (verdict.fatal) {
              this.state.failed.add(host)
              newlyFailed.push(host)
            } else this.state.marked.add(host)
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
              memory.safe.delete('ansible_failed_task')
              memory.safe.delete('ansible_failed_result')
              this.variables.changed()
            } else stats.increment(host, 'failed')
            if (verdict.fatal) {
              this.state.failed.add(host)
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
              task.include.kind === 'role' ? 0 : includes!.count(outcome.result)
            )
          else stats.ok(host, false)
      }
      if (outcome.status === 'ok' || outcome.status === 'changed')
        this.keepCustomStats(outcome.result, runOnce ? hosts : [host])
      const included = includes?.includedFile(outcome.result)
      events.hostResult(info, {
        host,
        status: outcome.status,
        ignored: outcome.ignored,
        result: outcome.result,
        durationMs,
        ...(included === undefined ? {} : { included })
      })
    })
    if (abort) throw abort
    if (runOnceFailed) {
      // The other hosts fail where they are (into a rescue they may have), counted in no counter.
      for (const host of hosts.slice(1)) {
        const verdict = options.failure(host)
        if (verdict.fatal) {
          this.state.failed.add(host)
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
    return {
      newlyFailed,
      failedNow,
      unreachable,
      anyErrorsFatal,
      changed,
      results: ordered,
      ...(includes ? { includes } : {})
    }
  }

  /**
   * Where a delegated task runs for one host and loop item, as Ansible resolves delegate_to: rendered with
   * the host's variables and the item; an inventory host by name, an alias of localhost (the inventory's
   * localhost, else the implicit one, local connection), or any other name as a host outside the inventory
   * (the 'all' group's variables; reached at that name). The delegate's variables are its own with the
   * play's and the task's over them, `inventory_hostname` staying the host's; its connection and become
   * come from them, through the same pool (and host key checks) as any host's.
   */
  private delegation(
    task: Task,
    host: string,
    play: Play,
    playContext: PlayContext,
    locals: Record<string, unknown>
  ): Delegation {
    const { templar } = this.options
    const rendered = renderField(
      templar,
      task,
      'delegate_to',
      task.delegateTo,
      this.variables.scope(host, playContext, task, locals)
    )
    if (rendered === undefined || rendered === null)
      throw new ModuleArgumentError('Undefined delegate_to host for task')
    if (typeof rendered !== 'string' && !isNumeric(rendered))
      throw new ModuleArgumentError(
        `the field 'delegate_to' has an invalid type (${pyTypeName(rendered)}), and could not be converted to a string type`
      )
    const name = String(rendered)
    if (name.trim() === '') throw new ModuleArgumentError('Undefined delegate_to host for task')
    const inventory = this.inventory()
    const varsHost =
      !inventory.hasHost(name) && LOCALHOST_NAMES.includes(name)
        ? inventory.localhostFor(name)
        : name
    const vars = (): Record<string, unknown> =>
      this.variables.scope(varsHost, playContext, task, locals, host)
    const delegateVars = vars()
    const settings = this.connections.settings(varsHost, delegateVars)
    const address = delegateVars['ansible_host'] ?? delegateVars['ansible_ssh_host']
    return {
      name,
      host: varsHost,
      address: address === undefined || address === null ? name : pythonStr(address),
      vars: delegateVars,
      connectionVars: {
        ansible_host: settings.address,
        ansible_port: settings.port,
        ansible_connection: settings.transport,
        ...(settings.user === undefined ? {} : { ansible_user: settings.user })
      },
      connection: this.connections.forTask(varsHost, vars, (scope) =>
        resolveBecome([task.become, play.become], scope, templar, this.options.become)
      )
    }
  }

  /**
   * What an add_host or group_by result asks of the inventory, applied as Ansible's strategy applies it
   * (before changed_when and failed_when): the result is changed only when the inventory changed, and the
   * variables see the change; a new host joins this play's ansible_play_hosts.
   */
  private applyInventoryChange(host: string, record: ModuleResult, playContext: PlayContext): void {
    const addHost = record['add_host']
    const addGroup = record['add_group']
    if (record['failed'] || (addHost === undefined && addGroup === undefined)) return
    let changed: boolean
    try {
      if (addHost !== undefined) {
        const info = addHost as {
          host_name: string
          groups: string[]
          host_vars: Record<string, unknown>
        }
        changed = this.inventory().addDynamicHost({
          host: info.host_name,
          groups: info.groups,
          vars: info.host_vars
        })
        if (changed && !playContext.playHosts.includes(info.host_name))
          playContext.playHosts.push(info.host_name)
      } else {
        changed = this.inventory().addDynamicGroup({
          host,
          group: String(addGroup),
          parents: (record['parent_groups'] as string[] | undefined) ?? ['all']
        })
      }
    } catch (error) {
      record['failed'] = true
      record['msg'] = (error as Error).message
      changed = false
    }
    record['changed'] = changed
    this.variables.changed()
  }

  /**
   * set_stats' result, kept as Ansible's strategy keeps it: per host (each host the task stood for, all of
   * them for run_once) or for the run, added up unless `aggregate` is false; a loop's items one by one.
   */
  private keepCustomStats(result: ModuleResult, hosts: string[]): void {
    if (Array.isArray(result['results'])) {
      for (const item of result['results'] as unknown[])
        if (item !== null && typeof item === 'object' && !(item as ModuleResult)['failed'])
          this.keepCustomStats(item as ModuleResult, hosts)
      return
    }
    const stats = result['ansible_stats']
    if (!stats || typeof stats !== 'object') return
    const { data, per_host: perHost, aggregate } = stats as Record<string, unknown>
    if (!data || typeof data !== 'object' || Object.keys(data).length === 0) return
    for (const host of perHost === false ? [undefined] : hosts)
      for (const [name, value] of Object.entries(data))
        this.stats.setCustom(name, value, aggregate === true, host)
  }

  /**
   * The task's throttle (its own, else its blocks', role's or play's), templated with the first host's
   * variables: at most that many hosts run the task at once; 0 (the default) leaves forks alone. A value
   * that is no whole number stops the run (exit 1), as ansible-playbook's error does.
   */
  private throttleOf(task: Task, host: string, playContext: PlayContext): number {
    if (task.throttle === undefined || task.throttle === null) return 0
    const { templar } = this.options
    let value: unknown
    try {
      value = templar.render(task.throttle, this.variables.scope(host, playContext, task))
    } catch (error) {
      throw new AsyncPlaybookError(
        `Failed to convert the throttle value to an integer: ${error instanceof Error ? error.message : String(error)}`,
        task.location
      )
    }
    const text = typeof value === 'string' ? value.trim() : value
    const number = isNumeric(text)
      ? Number(text)
      : typeof text === 'string' && /^[-+]?\d+$/.test(text)
        ? Number(text)
        : NaN
    if (!Number.isInteger(number))
      throw new AsyncPlaybookError(
        `Failed to convert the throttle value to an integer: got ${JSON.stringify(value)}. Set \`throttle:\` to a whole number of hosts (0: no limit)`,
        task.location
      )
    return number
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

  /** Whether a delegated task's facts go to its delegate (`delegate_facts`, rendered for the host). */
  private delegatesFacts(task: Task, host: string, playContext: PlayContext): boolean {
    if (task.delegateTo === undefined || task.delegateFacts === undefined) return false
    try {
      return this.options.templar.isTrue(
        task.delegateFacts,
        this.variables.scope(host, playContext, task)
      )
    } catch {
      return false
    }
  }

  /**
   * Stores what a task leaves behind on a host: its registered result and, unless it failed, was
   * unreachable or skipped, its facts (a loop's from each item in turn, as Ansible applies them).
   */
  private remember(
    task: Task,
    host: string,
    outcome: TaskHostOutcome,
    factsToDelegate = false
  ): void {
    const { result } = outcome
    const memory = this.variables.hostMemory(host)
    this.variables.changed()
    if (task.register) {
      memory.registered[task.register] = result
      if (registeredSafe(task, result)) memory.safe.add(task.register)
      else memory.safe.delete(task.register)
    }
    if (outcome.status !== 'ok' && outcome.status !== 'changed') return
    const items = Array.isArray(result['results']) ? (result['results'] as unknown[]) : [result]
    for (const item of items) {
      if (item === null || typeof item !== 'object') continue
      // include_vars: its own level, below set_fact and registered values (as Ansible's vars cache).
      const included = (item as Record<PropertyKey, unknown>)[INCLUDED_VARS]
      if (included && typeof included === 'object') {
        Object.assign(memory.includedVars, included)
        continue
      }
      const facts = (item as Record<PropertyKey, unknown>)['ansible_facts']
      if (!facts || typeof facts !== 'object') continue
      // delegate_facts: the facts are the delegate's (each item's own delegate), not the host's.
      const delegate = factsToDelegate
        ? ((item as Record<PropertyKey, unknown>)[DELEGATED_TO] as Delegation | undefined)
        : undefined
      if (delegate) {
        const target = this.variables.hostMemory(delegate.host)
        if (FACT_MODULES.has(task.module))
          for (const [k, v] of Object.entries(facts)) target.facts[k.replace(/^ansible_/, '')] = v
        else if (task.module !== 'set_fact') Object.assign(target.cachedFacts, facts)
        else {
          Object.assign(target.registered, facts)
          markSafety(target, facts, item)
          if ((item as Record<PropertyKey, unknown>)[CACHEABLE_FACTS] === true)
            Object.assign(target.cachedFacts, facts)
        }
        continue
      }
      if (FACT_MODULES.has(task.module)) {
        for (const [k, v] of Object.entries(facts)) memory.facts[k.replace(/^ansible_/, '')] = v
        continue
      }
      // Any other module's facts (hostname's, getent's) are host facts, as Ansible keeps them: variables
      // by their own names at the facts' precedence, and in `ansible_facts` without an `ansible_` prefix.
      if (task.module !== 'set_fact') {
        Object.assign(memory.cachedFacts, facts)
        continue
      }
      Object.assign(memory.registered, facts)
      markSafety(memory, facts, item)
      // set_fact's `cacheable`: the facts are host facts too (`ansible_facts.name`), as in Ansible.
      if ((item as Record<PropertyKey, unknown>)[CACHEABLE_FACTS] === true)
        for (const [k, v] of Object.entries(facts)) memory.cachedFacts[k] = v
    }
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

/** Records which of the facts a result set hold no data of the targets (see SAFE_FACTS). */
function markSafety(memory: HostMemory, facts: object, item: object): void {
  const safe = (item as Record<PropertyKey, unknown>)[SAFE_FACTS] === true
  for (const name of Object.keys(facts)) {
    if (safe) memory.safe.add(name)
    else memory.safe.delete(name)
  }
}

/**
 * Whether a registered result holds no data of the targets: Ansible marks every task result unsafe but
 * those of include_vars (files of the controller) and set_fact (whose values are unsafe only when made
 * from unsafe data: SAFE_FACTS).
 */
function registeredSafe(task: Task, result: ModuleResult): boolean {
  if (task.module === 'include_vars') return true
  if (task.module !== 'set_fact') return false
  const marked = (item: unknown): boolean =>
    isRecord(item) && (item as Record<PropertyKey, unknown>)[SAFE_FACTS] === true
  const items = result['results']
  return Array.isArray(items) ? items.length > 0 && items.every(marked) : marked(result)
}
