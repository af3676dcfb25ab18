// One task on one host, as Ansible's TaskExecutor runs it: `when`, then attempts with until/retries/delay,
// the module (with its arguments checked, under the task's timeout, as an async job when asked) or an
// include's load. The loop is task-loop.ts'; the keywords rendered for the host, task-fields.ts'; what the
// result comes to (changed/failed/ignored), task-outcome.ts'.
import type { ModuleContext, ModuleDefinition, ModuleResult } from '../modules/module.js'
import {
  ACTION_RAISED,
  ActionPluginError,
  ModuleArgumentError,
  UNEXPECTED_FAILURE
} from '../modules/module.js'
import { timeoutResult } from '../modules/command-runner.js'
import {
  NORMAL_RUN,
  prepareModuleRun,
  expressionArgs,
  runModule,
  type RunFlags
} from '../modules/invoke.js'
import { ansibleBoolean } from '../ansible-boolean.js'
import type { Play, Task } from '../playbook/types.js'
import type { EnvironmentOnStdin } from '../modules/task-environment.js'
import { pythonStr, untrustedReadCount, type Templar } from '../template/index.js'
import { DELEGATED_TO, type RunEvents, type TaskInfo } from './events.js'
import { DEFAULT_ASYNC_DIR, type AsyncJobs, type JobHostAccess } from '../async/async-jobs.js'
import type { TaskConnection } from './host-connections.js'
import { INCLUDE_RAW_ARGS, type IncludeLoads } from './includes.js'
import { jobsAccess } from '../async/jobs-access.js'
import { pollJob } from '../async/poller.js'
import { dict } from '../values/dict.js'
import { renderField, TaskTemplateError } from './task-errors.js'
import { evaluateConditional, postValidate, renderArgs, toInt } from './task-fields.js'
import { isRecord } from '../values/records.js'
import { withModuleDefaults } from './module-defaults.js'
import { MODULES } from '../modules/registry.js'
import { SAFE_FACTS, setFactModule } from '../modules/set-fact.js'
import { runLoop, skippedByWhen, withLoopControl } from './task-loop.js'
import {
  classify,
  failureFromError,
  judge,
  timedOut,
  type TaskHostOutcome
} from './task-outcome.js'
import { isNumeric } from '../values/py-float.js'

export { failureFromError, isFailedResult, type TaskHostOutcome } from './task-outcome.js'

/**
 * What a task runs on a host: a module, or an include, which the runner loads itself (includes.ts): as
 * Ansible's TaskExecutor, it templates an include like any task, then returns its result without a module.
 */
export type TaskAction = { module: ModuleDefinition } | { include: IncludeLoads }

/** What running one task on one host needs from the play. */
export type TaskHostContext = TaskHostBase & TaskAction

/** The part of TaskHostContext that every task needs, whatever it runs. */
export interface TaskHostBase {
  task: Task
  info: TaskInfo
  host: string
  templar: Templar
  events: RunEvents
  /** A fresh variable scope for this host and task, with extra untrusted locals (loop vars, register). */
  scope(locals?: Record<string, unknown>): Record<string, unknown>
  /** How the task reaches the host: under its become, or as an async job's user. */
  connection: TaskConnection
  /** Drops `omit` placeholders from rendered arguments. */
  stripOmitted(args: Record<string, unknown>): Record<string, unknown>
  /** Play-level `environment`, merged under the task's. */
  playEnvironment: unknown
  commandTimeoutMs: number
  baseDir: string
  sleep(ms: number): Promise<void>
  /** The run's background jobs. */
  asyncJobs: AsyncJobs
  /** True once the run is being cancelled. */
  aborted(): boolean
  /** -C/--check and -D/--diff: for tasks whose `check_mode` / `diff` (or their blocks', play's) say nothing. */
  runFlags?: RunFlags
  /**
   * The play's keywords its tasks inherit (the outermost level: a block's or the task's own win). Absent
   * for the engine's own tasks.
   */
  play?: Pick<Play, 'ignoreErrors' | 'ignoreUnreachable'>
  /**
   * For a task with `delegate_to`: where it runs for these loop variables (rendered with the host's
   * variables and the item), or undefined without delegation. Throws when delegate_to cannot be rendered.
   */
  delegate?(locals: Record<string, unknown>): Delegation | undefined
  /** Set once the delegate of this attempt is known: its connection replaces the host's. */
  delegation?: Delegation
  /**
   * Takes in a module's result (each loop item's) before changed_when, failed_when and the status are
   * decided: the executor applies add_host and group_by there.
   */
  takeResult?(result: ModuleResult): void
}

/** Where a delegated task runs: the delegate's name, variables and connection (see TaskDispatcher). */
export interface Delegation {
  /** delegate_to as rendered (the console shows it: `web1 -> db1`). */
  name: string
  /** The host whose variables, facts and connection are the delegate's (an alias of localhost: the inventory's localhost). */
  host: string
  /** The delegate's ansible_host as Ansible's console shows it after the name when it differs. */
  address: string
  /** The delegate's variables (Ansible's `ansible_delegated_vars[name]`): its own, with the task's and play's. */
  vars: Record<string, unknown>
  /** The connection variables the task's templates see when the host has none of its own (Ansible's update_vars). */
  connectionVars: Record<string, unknown>
  connection: TaskConnection
}

/** Ansible's DEFAULT_POLL_INTERVAL, used when a task has `async` but no `poll`. */
const DEFAULT_POLL_SECONDS = 15
const DEFAULT_UNTIL_RETRIES = 3
const DEFAULT_DELAY_SECONDS = 5

/** Runs a task on one host: loop, when, until/retries/delay, changed_when/failed_when, ignore_errors. */
export async function runTaskOnHost(ctx: TaskHostContext): Promise<TaskHostOutcome> {
  const { task } = ctx
  let result: ModuleResult
  try {
    if (task.loop) {
      const looping = withLoopControl(ctx)
      result = await runLoop(looping, (locals) => runSingle(looping, locals))
    } else result = (await runSingle(ctx, {})).result
    // A task given up on at its timeout still says `changed`, as in Ansible (its loop items do not).
    if (!task.loop && timedOut(result)) result['changed'] = false
  } catch (error) {
    result = failureFromError(error)
  }
  return classify(ctx, result)
}

/**
 * One item (or the whole task without a loop): when, then attempts with until/retries. `executed` is false
 * when `when` skipped it.
 */
async function runSingle(
  ctx: TaskHostContext,
  locals: Record<string, unknown>
): Promise<{ result: ModuleResult; executed: boolean }> {
  const { task, templar } = ctx
  for (const condition of task.when) {
    if (!evaluateConditional(templar, condition, ctx.scope(locals), task))
      return { result: skippedByWhen(condition), executed: false }
  }
  const delegation = ctx.delegate?.(locals)
  if (delegation) {
    const outcome = await runAttempts(delegated(ctx, delegation, locals), locals)
    ;(outcome.result as Record<PropertyKey, unknown>)[DELEGATED_TO] = delegation
    return outcome
  }
  return runAttempts(ctx, locals)
}

/**
 * The context of one delegated attempt: the delegate's connection (and job host), and the host's own scope
 * with `ansible_delegated_vars` and, where the host has none, the delegate's connection variables.
 */
function delegated(
  ctx: TaskHostContext,
  delegation: Delegation,
  locals: Record<string, unknown>
): TaskHostContext {
  const base = ctx.scope(locals)
  const extra: Record<string, unknown> = dict()
  for (const [name, value] of Object.entries(delegation.connectionVars))
    if (base[name] === undefined) extra[name] = value
  extra['ansible_delegated_vars'] = Object.assign(dict(), { [delegation.name]: delegation.vars })
  return {
    ...ctx,
    delegation,
    connection: delegation.connection,
    scope: (more: Record<string, unknown> = {}) => ctx.scope({ ...extra, ...more })
  }
}

/** The attempts of one item once `when` holds (and the delegate, if any, is known). */
async function runAttempts(
  ctx: TaskHostContext,
  locals: Record<string, unknown>
): Promise<{ result: ModuleResult; executed: boolean }> {
  const { task, templar } = ctx
  const scope = ctx.scope(locals)
  const hasUntil = task.until.length > 0
  const retriesRaw =
    task.retries === undefined
      ? undefined
      : renderField(templar, task, 'retries', task.retries, scope)
  let retries = 0
  if (retriesRaw !== undefined && retriesRaw !== null)
    retries = Math.max(0, toInt(retriesRaw, 'retries'))
  else if (hasUntil) retries = DEFAULT_UNTIL_RETRIES
  const delayRaw =
    task.delay === undefined
      ? DEFAULT_DELAY_SECONDS
      : renderField(templar, task, 'delay', task.delay, scope)
  let delay = isNumeric(delayRaw) || typeof delayRaw === 'string' ? Number(delayRaw) : NaN
  if (!Number.isFinite(delay))
    throw new ModuleArgumentError(`'delay' must be a number of seconds, got ${pythonStr(delayRaw)}`)
  if (delay < 0) delay = 1
  const attempts = retries + 1
  let result: ModuleResult = {}
  for (let attempt = 1; attempt <= attempts; attempt++) {
    result =
      'include' in ctx
        ? await runIncludeOnce(ctx, ctx.include, locals)
        : await runModuleOnce(ctx, locals)
    // Each attempt's result says where it ran (the console's `[web1 -> db1]`, retries included).
    if (ctx.delegation) (result as Record<PropertyKey, unknown>)[DELEGATED_TO] = ctx.delegation
    if (result['unreachable'] || timedOut(result)) return { result, executed: true }
    // An include's result is registered as it is, without the `failed`/`changed` defaults (its loop items
    // have neither, as in Ansible).
    // Nor does a result an action plugin raises (AnsibleActionSkip), which Ansible returns as it is.
    if ('include' in ctx ? false : !ctx.module.bareResult) {
      if (
        result['failed'] === undefined &&
        !(result as Record<PropertyKey, unknown>)[ACTION_RAISED]
      )
        result['failed'] = 'rc' in result && result['rc'] !== 0 && result['rc'] !== '0'
      if (
        result['changed'] === undefined &&
        !(result as Record<PropertyKey, unknown>)[UNEXPECTED_FAILURE]
      )
        result['changed'] = false
    }
    if (hasUntil || retries > 0) result['attempts'] = attempt
    const withResult = (): Record<string, unknown> => {
      const extra: Record<string, unknown> = Object.assign(dict(), locals)
      if (task.register) extra[task.register] = result
      if (task.module === 'set_fact' && isRecord(result['ansible_facts']))
        Object.assign(extra, result['ansible_facts'])
      return ctx.scope(extra)
    }
    judge(ctx, result, withResult)
    if (attempts === 1) return { result, executed: true }
    const done = hasUntil
      ? task.until.every((c) => evaluateConditional(templar, c, withResult()))
      : result['failed'] !== true
    if (done) return { result, executed: true }
    if (attempt < attempts) {
      ctx.events.retrying(ctx.info, ctx.host, attempts - attempt, result)
      if ('module' in ctx && ctx.module.waitBeforeRetry)
        await ctx.module.waitBeforeRetry(
          moduleContext(ctx, locals, scope, {}),
          result,
          delay * 1000
        )
      else await ctx.sleep(delay * 1000)
    }
  }
  // Out of attempts: the registered result says failed, but a failed_when verdict still decides the
  // task's status (isFailedResult), as in Ansible.
  result['attempts'] = retries
  result['failed'] = true
  return { result, executed: true }
}

/**
 * One include_tasks / include_role on the host. As Ansible's TaskExecutor, the task is templated and its
 * keywords checked (arguments, environment, timeout) as any task's; then the runner loads what it names
 * instead of running a module.
 */
async function runIncludeOnce(
  ctx: TaskHostBase,
  loads: IncludeLoads,
  locals: Record<string, unknown>
): Promise<ModuleResult> {
  const scope = ctx.scope(locals)
  const args = ctx.stripOmitted(renderArgs(ctx, scope, INCLUDE_RAW_ARGS))
  postValidate(ctx, scope)
  try {
    return loads.load(ctx.task, args)
  } catch (error) {
    if (error instanceof TaskTemplateError) throw error
    return failureFromError(error)
  }
}

async function runModuleOnce(
  ctx: TaskHostBase & { module: ModuleDefinition },
  locals: Record<string, unknown>
): Promise<ModuleResult> {
  const { task, templar, module } = ctx
  const scope = ctx.scope(locals)
  const flags = taskRunFlags(ctx, scope)
  const asyncSeconds =
    task.async === undefined
      ? 0
      : toInt(renderField(templar, task, 'async_val', task.async, scope), 'async')
  // As Ansible's action base, before the module's arguments are read: an async launch cannot be
  // predicted, so check mode fails it (an action that does not support check mode is skipped first).
  const actionSkips = !module.supportsCheckMode && (module.args.side ?? 'module') === 'action'
  if (flags.check && asyncSeconds > 0 && module.supportsAsync && !actionSkips)
    return {
      changed: false,
      failed: true,
      msg: 'check mode and async cannot be used on same task.',
      // What ansible-core 2.14 reports with this failure (an action error raised without a traceback).
      exception: 'NoneType: None\n'
    }
  // Whether the arguments were rendered from trusted variables only (no data of the targets): for the
  // facts set_fact sets from them (SAFE_FACTS). Rendering is synchronous: nothing else reads meanwhile.
  const readsBefore = untrustedReadCount()
  const rendered = renderArgs(ctx, scope, expressionArgs(module))
  const prepared = prepareModuleRun(
    module,
    // As Ansible: module_defaults go under the task's arguments before omitted ones are dropped.
    ctx.stripOmitted(withModuleDefaults(task, module, rendered, templar, scope)),
    task,
    flags
  )
  const argsSafe = untrustedReadCount() === readsBefore
  if ('result' in prepared) return prepared.result
  const { validation } = prepared
  const finalArgs = validation.args
  const pollSeconds =
    task.poll === undefined
      ? DEFAULT_POLL_SECONDS
      : toInt(renderField(templar, task, 'poll', task.poll, scope), 'poll')
  if (asyncSeconds < 0)
    throw new ModuleArgumentError(
      `'async' must be a positive number of seconds, got ${asyncSeconds}`
    )
  if (pollSeconds < 0)
    throw new ModuleArgumentError(
      `'poll' must be 0 (fire and forget) or a positive number of seconds, got ${pollSeconds}`
    )
  if (asyncSeconds > 0 && !module.supportsAsync) {
    return {
      changed: false,
      failed: true,
      msg: `This action (${module.name}) does not support async.`
    }
  }
  const asyncDir = (): string => {
    // As Ansible's shell option: the async dir of the host the job runs on (a delegate's own).
    const value = (ctx.delegation?.vars ?? scope)['ansible_async_dir']
    return value === undefined || value === null || value === '' ? DEFAULT_ASYNC_DIR : String(value)
  }
  let launchedAt = 0
  let launchDir = ''
  const become = asyncSeconds > 0 ? ctx.connection.identity() : undefined
  const launchJob =
    asyncSeconds > 0
      ? async (
          script: string,
          cmd: unknown,
          environment?: Pick<EnvironmentOnStdin, 'receive' | 'stdin'>
        ): Promise<ModuleResult> => {
          launchedAt = Date.now()
          const record = await ctx.asyncJobs.launch(hostAccess(ctx), {
            command: script,
            ...(environment ? { environment } : {}),
            asyncSeconds,
            watchdogSeconds: pollSeconds > 0 ? asyncSeconds : fireAndForgetLimit(asyncSeconds),
            asyncDir: asyncDir(),
            meta: { cmd, module: module.name, task: task.name },
            register: task.register,
            ...(ctx.delegation ? { delegatedFor: ctx.host } : {}),
            ...(task.loop
              ? {
                  loop: {
                    loopVar: task.loopControl.loopVar,
                    item: locals[task.loopControl.loopVar]
                  }
                }
              : {}),
            location: task.location,
            ...(become ? { become } : {})
          })
          launchDir = String(record['results_file']).replace(/\/[^/]*$/, '')
          return record
        }
      : undefined
  let result: ModuleResult
  const moduleCtx = moduleContext(ctx, locals, scope, { args: finalArgs, launchJob, asyncDir })
  try {
    const running = runModule(module, moduleCtx, validation)
    result = await (asyncSeconds > 0 || module.ownTimeout
      ? running
      : withinTaskTimeout(running, moduleCtx.taskTimeoutSeconds, task.action ?? module.name))
  } catch (error) {
    // A condition the module evaluates (assert's `that`) that cannot be templated fails the task as a
    // templating error, without a module result; so does an action's own error (Ansible's AnsibleError).
    if (error instanceof TaskTemplateError || error instanceof ActionPluginError) throw error
    return failureFromError(error)
  }
  if (argsSafe && module === setFactModule)
    (result as Record<PropertyKey, unknown>)[SAFE_FACTS] = true
  // What the strategy does with a result before judging it (add_host and group_by change the inventory
  // and their `changed`), as Ansible's strategy does before changed_when and failed_when.
  ctx.takeResult?.(result)
  if (
    asyncSeconds > 0 &&
    pollSeconds > 0 &&
    result['ansible_job_id'] &&
    !result['failed'] &&
    !result['skipped']
  ) {
    try {
      result = await pollJob({
        access: hostAccess(ctx),
        jobs: ctx.asyncJobs,
        reconnect: () => ctx.connection.reconnect(),
        launch: result,
        dir: launchDir,
        become,
        asyncSeconds,
        pollSeconds,
        launchedAt,
        onOutput: (stream, line) =>
          ctx.events.log(ctx.host, ctx.info, stream === 'stderr' ? `stderr: ${line}` : line),
        onNotice: (line) => ctx.events.log('', undefined, line),
        sleep: (ms) => ctx.sleep(ms),
        aborted: () => ctx.aborted()
      })
    } catch (error) {
      return failureFromError(error)
    }
  }
  return result
}

/**
 * A module's result, or Ansible's timeout result once the task's `timeout` has passed (the module is
 * then left to finish on its own; its result is dropped).
 */
function withinTaskTimeout(
  running: Promise<ModuleResult>,
  seconds: number | undefined,
  action: string
): Promise<ModuleResult> {
  if (seconds === undefined || seconds <= 0) return running
  running.catch(() => undefined) // a late failure is dropped with the late result
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<ModuleResult>((resolve) => {
    timer = setTimeout(() => resolve(timeoutResult(action, seconds)), seconds * 1000)
  })
  return Promise.race([running, expired]).finally(() => clearTimeout(timer))
}

/**
 * The limit a fire-and-forget (poll: 0) job really gets. Ansible's watchdog checks every 5 s, so `async: N`
 * lets a poll-0 job run about 5 + 5·ceil(N/5) s, and recipes depend on it: the classic reboot
 * (`sleep 2 && shutdown -r now` with `async: 1, poll: 0`) only works because of it. Polled jobs get the
 * precise limit.
 */
export function fireAndForgetLimit(asyncSeconds: number): number {
  return 5 + 5 * Math.ceil(asyncSeconds / 5)
}

/** How jobs reach the host the task runs on: the delegate's, for a delegated task (its jobs live there). */
function hostAccess(ctx: TaskHostContext): JobHostAccess {
  return {
    host: ctx.delegation?.host ?? ctx.host,
    connection: (become) => ctx.connection.as(become)
  }
}

/**
 * Whether this task runs in check mode and diff mode on this host: its `check_mode` / `diff` (or the
 * nearest block's, role's or play's), templated with the host's variables as Ansible's keywords are, else
 * --check / --diff.
 */
export function taskRunFlags(ctx: TaskHostBase, scope: Record<string, unknown>): RunFlags {
  const defaults = ctx.runFlags ?? NORMAL_RUN
  const read = (field: 'check_mode' | 'diff', value: unknown, fallback: boolean): boolean => {
    if (value === undefined || value === null) return fallback
    const rendered = renderField(ctx.templar, ctx.task, field, value, scope)
    if (rendered === undefined || rendered === null) return fallback
    try {
      return ansibleBoolean(rendered, 'strict')
    } catch (error) {
      throw new ModuleArgumentError(
        `the field '${field}' has an invalid value (${pythonStr(rendered)}), and could not be converted to bool. The error was: ${(error as Error).message}`
      )
    }
  }
  return {
    check: read('check_mode', ctx.task.checkMode, defaults.check),
    diff: read('diff', ctx.task.diff, defaults.diff)
  }
}

/** The context a module sees for one attempt. */
function moduleContext(
  ctx: TaskHostContext,
  _locals: Record<string, unknown>,
  scope: Record<string, unknown>,
  extra: {
    args?: Record<string, unknown>
    launchJob?: ModuleContext['launchJob']
    asyncDir?: () => string
  }
): ModuleContext {
  const { task, templar } = ctx
  const { environment, taskTimeoutSeconds } = postValidate(ctx, scope)
  const asyncDir =
    extra.asyncDir ??
    ((): string => {
      const value = (ctx.delegation?.vars ?? scope)['ansible_async_dir']
      return value === undefined || value === null || value === ''
        ? DEFAULT_ASYNC_DIR
        : String(value)
    })
  return {
    host: ctx.host,
    args: extra.args ?? {},
    ...taskRunFlags(ctx, scope),
    task,
    moduleDefaults: (name) => {
      const other = MODULES.get(name)
      return other ? withModuleDefaults(task, other, {}, templar, scope) : {}
    },
    connection: () => ctx.connection.get(),
    reconnect: () => ctx.connection.reconnect(),
    vars: scope,
    isTrue: (condition) => evaluateConditional(templar, condition, scope),
    evaluate: (expression) => templar.evaluate(expression, scope),
    template: (value) => templar.render(value, scope),
    render: (text, templateFile) => templar.renderText(text, scope, templateFile),
    timeoutMs: ctx.commandTimeoutMs,
    taskTimeoutSeconds,
    environment,
    baseDir: ctx.baseDir,
    log: (line) => ctx.events.log(ctx.host, ctx.info, line),
    warn: (message) => ctx.events.warning(message),
    displayWarning: (message) => ctx.events.warning(message),
    sleep: (ms) => ctx.sleep(ms),
    launchJob: extra.launchJob,
    jobs: jobsAccess(ctx.asyncJobs, hostAccess(ctx), asyncDir, () => ctx.connection.identity())
  }
}
