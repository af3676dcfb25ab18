import {
  AsyncPlaybookError,
  ConnectionError,
  TemplateError,
  UndefinedVariableError
} from '../errors.js'
import type { ModuleContext, ModuleDefinition, ModuleResult } from '../modules/module.js'
import { ModuleArgumentError, NOT_IGNORABLE, TIMED_OUT } from '../modules/module.js'
import { timeoutResult } from '../modules/command-runner.js'
import { NORMAL_RUN, prepareModuleRun, expressionArgs, runModule } from '../modules/invoke.js'
import type { Play, Task } from '../playbook/types.js'
import type { EnvironmentOnStdin } from '../modules/task-environment.js'
import { pyTruthy, pythonStr, type Templar } from '../template/index.js'
import type { HostStatus, RunEvents, TaskInfo } from './events.js'
import { DEFAULT_ASYNC_DIR, type AsyncJobs, type JobHostAccess } from '../async/async-jobs.js'
import type { TaskConnection } from './host-connections.js'
import { jobsAccess } from '../async/jobs-access.js'
import { pollJob } from '../async/poller.js'
import { dict } from '../dict.js'
import { hasTemplateSyntax } from '../values/unsafe.js'
import {
  positionDetails,
  renderField,
  TaskTemplateError,
  taskFieldError,
  undefinedReason
} from './task-errors.js'
import { isRecord } from '../values/records.js'

/** What running one task on one host needs from the play. */
export interface TaskHostContext {
  task: Task
  info: TaskInfo
  host: string
  module: ModuleDefinition
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
  /**
   * The play's keywords its tasks inherit (the outermost level: a block's or the task's own win). Absent
   * for the engine's own tasks.
   */
  play?: Pick<Play, 'ignoreErrors' | 'ignoreUnreachable'>
}

/** The outcome of a task on one host, before stats. */
export interface TaskHostOutcome {
  status: HostStatus
  ignored: boolean
  result: ModuleResult
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
    result = task.loop ? await runLoop(withLoopControl(ctx)) : (await runSingle(ctx, {})).result
    // A task given up on at its timeout still says `changed`, as in Ansible (its loop items do not).
    if (!task.loop && timedOut(result)) result['changed'] = false
  } catch (error) {
    result = failureFromError(error)
  }
  return classify(ctx, result)
}

/** Whether the task was given up on at its timeout (see TIMED_OUT). */
function timedOut(result: ModuleResult): boolean {
  return (result as Record<PropertyKey, unknown>)[TIMED_OUT] === true
}

/** Whether a failure (or a loop item's) is one that ignore_errors cannot cover. */
function notIgnorable(result: ModuleResult): boolean {
  const items = Array.isArray(result['results']) ? (result['results'] as unknown[]) : []
  return [result, ...items].some(
    (r) => r !== null && typeof r === 'object' && (r as Record<PropertyKey, unknown>)[NOT_IGNORABLE]
  )
}

/**
 * Whether a result counts as failed, as Ansible's TaskResult.is_failed decides: where failed_when gave a
 * verdict (on the result or on any loop item), that verdict and not `failed` decides. So a task whose
 * until-retries ran out but whose failed_when is false succeeds, though its registered `failed` is true.
 */
export function isFailedResult(result: ModuleResult): boolean {
  const items = Array.isArray(result['results']) ? (result['results'] as unknown[]) : []
  if ('failed_when_result' in result) return pyTruthy(result['failed_when_result'])
  const judged = items.filter((r): r is ModuleResult => isRecord(r) && 'failed_when_result' in r)
  if (judged.length > 0) return judged.some((r) => pyTruthy(r['failed_when_result']))
  if ('failed' in result) return pyTruthy(result['failed'])
  return items.some((r) => isRecord(r) && pyTruthy(r['failed']))
}

/** A task keyword that its blocks or the play may also set: the innermost value given, if any. */
function inherited(ctx: TaskHostContext, keyword: 'ignoreErrors' | 'ignoreUnreachable'): unknown {
  return ctx.task[keyword] ?? ctx.play?.[keyword]
}

/** Whether `ignore_errors` / `ignore_unreachable` holds; one that cannot be evaluated does not. */
function ignoring(
  ctx: TaskHostContext,
  keyword: 'ignoreErrors' | 'ignoreUnreachable',
  locals: Record<string, unknown>
): boolean {
  const value = inherited(ctx, keyword)
  if (value === undefined || value === null) return false
  try {
    return ctx.templar.isTrue(value, ctx.scope(locals))
  } catch {
    return false
  }
}

function classify(
  ctx: TaskHostContext,
  result: ModuleResult,
  locals: Record<string, unknown> = {}
): TaskHostOutcome {
  if (result['unreachable']) {
    return {
      status: 'unreachable',
      ignored: ignoring(ctx, 'ignoreUnreachable', locals),
      result
    }
  }
  if (isFailedResult(result)) {
    const ignored = !notIgnorable(result) && ignoring(ctx, 'ignoreErrors', locals)
    return { status: 'failed', ignored, result }
  }
  if (result['skipped']) return { status: 'skipped', ignored: false, result }
  return { status: result['changed'] ? 'changed' : 'ok', ignored: false, result }
}

/**
 * Whether a template error comes from an undefined value (Ansible's AnsibleUndefinedVariable): a missing
 * variable, attribute or key.
 */
function isUndefinedError(error: unknown): boolean {
  return (
    error instanceof TemplateError &&
    /\bis undefined\b|\bhas no attribute\b|has no element|no such element/.test(error.message)
  )
}

/** The result of a task (or loop item) that its `when` skipped. */
function skippedByWhen(condition: unknown): ModuleResult {
  return {
    changed: false,
    false_condition: condition,
    skip_reason: 'Conditional result was False',
    skipped: true
  }
}

/**
 * As Ansible: a loop whose items are undefined fails the task only if its `when` (evaluated without the
 * loop variable) does not skip it first. A `when` that needs the loop variable, or that cannot be
 * evaluated, reports the loop's error.
 */
function undefinedLoop(ctx: TaskHostContext, error: unknown): ModuleResult {
  for (const condition of ctx.task.when) {
    let holds: boolean
    try {
      holds = evaluateConditional(ctx.templar, condition, ctx.scope())
    } catch {
      throw error
    }
    if (!holds) return skippedByWhen(condition)
  }
  throw error
}

/** `loop_control.extended`: the `ansible_loop` variable of item `index`. */
function extendedLoopInfo(
  items: unknown[],
  index: number,
  allItems: boolean
): Record<string, unknown> {
  const length = items.length
  const info: Record<string, unknown> = {
    index: index + 1,
    index0: index,
    first: index === 0,
    last: index + 1 === length,
    length,
    revindex: length - index,
    revindex0: length - index - 1
  }
  if (allItems) info['allitems'] = items
  if (index + 1 < length) info['nextitem'] = items[index + 1]
  if (index > 0) info['previtem'] = items[index - 1]
  return info
}

async function runLoop(ctx: TaskHostContext): Promise<ModuleResult> {
  const { task } = ctx
  const loop = task.loop!
  let rendered: unknown
  try {
    rendered = ctx.templar.render(loop.value, ctx.scope())
  } catch (error) {
    if (!isUndefinedError(error)) throw error
    return undefinedLoop(ctx, error)
  }
  let items: unknown[]
  if (Array.isArray(rendered))
    items = loop.flatten ? rendered.flatMap((i) => (Array.isArray(i) ? i : [i])) : rendered
  else if (
    loop.flatten &&
    rendered !== null &&
    rendered !== undefined &&
    typeof rendered !== 'object'
  )
    items = [rendered]
  else {
    return {
      failed: true,
      changed: false,
      msg: `Invalid data passed to 'loop', it requires a list, got this instead: ${pythonStr(rendered)}. Hint: If you passed a list/dict of just one element, try adding wantlist=True to your lookup invocation or use q/query instead of lookup.`
    }
  }
  if (items.length === 0) {
    return { changed: false, skipped: true, skipped_reason: 'No items in the list', results: [] }
  }
  const results: ModuleResult[] = []
  const { loopVar, indexVar, extended } = task.loopControl
  const pause = task.loopControl.pause === undefined ? 0 : Number(task.loopControl.pause)
  const withExtended =
    extended !== undefined && extended !== null && ctx.templar.isTrue(extended, ctx.scope())
  const allItems =
    withExtended &&
    (task.loopControl.extendedAllitems === undefined ||
      task.loopControl.extendedAllitems === null ||
      ctx.templar.isTrue(task.loopControl.extendedAllitems, ctx.scope()))
  // As Ansible: what an item registers, and the facts a set_fact item sets, are seen by the items after it
  // (the accumulating `set_fact: x="{{ x + [item] }}"` idiom depends on it).
  const carried: Record<string, unknown> = dict()
  for (const [index, item] of items.entries()) {
    if (index > 0 && pause > 0) await ctx.sleep(pause * 1000)
    const locals: Record<string, unknown> = Object.assign(dict(), carried)
    locals[loopVar] = item
    locals['ansible_loop_var'] = loopVar
    if (indexVar) {
      locals[indexVar] = index
      locals['ansible_index_var'] = indexVar
    }
    if (withExtended) locals['ansible_loop'] = extendedLoopInfo(items, index, allItems)
    let itemResult: ModuleResult
    let executed = false
    try {
      ;({ result: itemResult, executed } = await runSingle(ctx, locals))
    } catch (error) {
      // As in Ansible, an item that cannot be templated ends the loop: the task fails with its message.
      if (error instanceof TaskTemplateError || error instanceof UndefinedVariableError) throw error
      itemResult = failureFromError(error)
    }
    itemResult[loopVar] = item
    itemResult['ansible_loop_var'] = loopVar
    if (indexVar) {
      itemResult[indexVar] = index
      itemResult['ansible_index_var'] = indexVar
    }
    if (withExtended) itemResult['ansible_loop'] = locals['ansible_loop']
    if (executed) {
      if (task.register) carried[task.register] = itemResult
      if (task.module === 'set_fact' && isRecord(itemResult['ansible_facts']))
        Object.assign(carried, itemResult['ansible_facts'])
    }
    const label = itemLabel(ctx, item, locals)
    results.push(itemResult)
    const outcome = classify(ctx, itemResult, locals)
    ctx.events.itemResult(ctx.info, {
      host: ctx.host,
      status: outcome.status,
      ignored: outcome.ignored,
      result: itemResult,
      durationMs: 0,
      item: { label }
    })
    if (itemResult['unreachable']) break
  }
  const aggregate: ModuleResult = { results }
  aggregate['changed'] = results.some((r) => r['changed'] === true)
  const failed = results.some((r) => r['failed'])
  const skipped = results.every((r) => r['skipped'])
  if (results.some((r) => r['unreachable'])) aggregate['unreachable'] = true
  if (failed) {
    aggregate['failed'] = true
    aggregate['msg'] = 'One or more items failed'
  } else {
    aggregate['msg'] = 'All items completed'
  }
  aggregate['skipped'] = skipped
  if (skipped) aggregate['msg'] = 'All items skipped'
  return aggregate
}

/**
 * The context with the task's `loop_control` templated for this host, as Ansible templates loop_var,
 * index_var and pause before it loops (label is rendered per item).
 */
function withLoopControl(ctx: TaskHostContext): TaskHostContext {
  const control = ctx.task.loopControl
  const templated = [control.loopVar, control.indexVar, control.pause].some(
    (v) => typeof v === 'string' && hasTemplateSyntax(v)
  )
  if (!templated) return ctx
  const scope = ctx.scope()
  const name = (keyword: string, value: string): string => {
    const rendered = ctx.templar.render(value, scope)
    if (typeof rendered !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(rendered)) {
      throw new ModuleArgumentError(
        `loop_control's ${keyword} '${value}' must render to a variable name, got ${pythonStr(rendered)}`
      )
    }
    return rendered
  }
  const loopControl = {
    ...control,
    loopVar: name('loop_var', control.loopVar),
    ...(control.indexVar === undefined ? {} : { indexVar: name('index_var', control.indexVar) }),
    ...(control.pause === undefined ? {} : { pause: ctx.templar.render(control.pause, scope) })
  }
  return { ...ctx, task: { ...ctx.task, loopControl } }
}

function itemLabel(ctx: TaskHostContext, item: unknown, locals: Record<string, unknown>): string {
  const label = ctx.task.loopControl.label
  if (label !== undefined) {
    try {
      return pythonStr(ctx.templar.render(label, ctx.scope(locals)))
    } catch {
      return pythonStr(label)
    }
  }
  return pythonStr(item)
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
  let delay = typeof delayRaw === 'number' || typeof delayRaw === 'string' ? Number(delayRaw) : NaN
  if (!Number.isFinite(delay))
    throw new ModuleArgumentError(`'delay' must be a number of seconds, got ${pythonStr(delayRaw)}`)
  if (delay < 0) delay = 1
  const attempts = retries + 1
  let result: ModuleResult = {}
  for (let attempt = 1; attempt <= attempts; attempt++) {
    result = await runModuleOnce(ctx, locals)
    if (result['unreachable'] || timedOut(result)) return { result, executed: true }
    if (!ctx.module.bareResult) {
      if (result['failed'] === undefined)
        result['failed'] = 'rc' in result && result['rc'] !== 0 && result['rc'] !== '0'
      if (result['changed'] === undefined) result['changed'] = false
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
      if (ctx.module.waitBeforeRetry)
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
 * changed_when, then failed_when, on a result that was not skipped. As in Ansible, a condition that cannot
 * be evaluated does not discard the result: it fails the task and its message becomes
 * `changed_when_result` / `failed_when_result`, next to what the module returned.
 */
function judge(
  ctx: TaskHostContext,
  result: ModuleResult,
  scope: () => Record<string, unknown>
): void {
  const { task, templar } = ctx
  if ('skipped' in result) return
  let keyword = 'changed_when_result'
  try {
    if (task.changedWhen.length > 0)
      result['changed'] = task.changedWhen.every((c) => evaluateConditional(templar, c, scope()))
    keyword = 'failed_when_result'
    if (task.failedWhen.length > 0) {
      // A list of failed_when conditions is AND-ed, as in Ansible.
      const failed = task.failedWhen.every((c) => evaluateConditional(templar, c, scope()))
      result['failed_when_result'] = failed
      result['failed'] = failed
    }
  } catch (error) {
    result['failed'] = true
    result[keyword] = error instanceof Error ? error.message : String(error)
  }
}

async function runModuleOnce(
  ctx: TaskHostContext,
  locals: Record<string, unknown>
): Promise<ModuleResult> {
  const { task, templar, module } = ctx
  const scope = ctx.scope(locals)
  const raw = new Set(expressionArgs(module))
  const args: Record<string, unknown> = {}
  try {
    for (const [key, value] of Object.entries(task.args)) {
      const rendered = templar.render(value, scope)
      // Arguments the module evaluates itself are handed over as written, once Ansible's check that
      // every argument can be templated has passed.
      args[key] = raw.has(key) ? value : rendered
    }
  } catch (error) {
    throw taskFieldError(error, 'args', task)
  }
  const prepared = prepareModuleRun(module, ctx.stripOmitted(args), task, NORMAL_RUN)
  if ('result' in prepared) return prepared.result
  const { validation } = prepared
  const finalArgs = validation.args
  const asyncSeconds =
    task.async === undefined
      ? 0
      : toInt(renderField(templar, task, 'async_val', task.async, scope), 'async')
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
    const value = scope['ansible_async_dir']
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
    // templating error, without a module result.
    if (error instanceof TaskTemplateError) throw error
    return failureFromError(error)
  }
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

function hostAccess(ctx: TaskHostContext): JobHostAccess {
  return { host: ctx.host, connection: (become) => ctx.connection.as(become) }
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
  let environment: Record<string, string>
  try {
    environment = renderEnvironment(ctx, scope)
  } catch (error) {
    throw taskFieldError(error, 'environment', task)
  }
  const timeoutRaw =
    task.timeout === undefined
      ? undefined
      : renderField(templar, task, 'timeout', task.timeout, scope)
  const taskTimeoutSeconds =
    timeoutRaw === undefined || timeoutRaw === null ? undefined : toInt(timeoutRaw, 'timeout')
  const asyncDir =
    extra.asyncDir ??
    ((): string => {
      const value = scope['ansible_async_dir']
      return value === undefined || value === null || value === ''
        ? DEFAULT_ASYNC_DIR
        : String(value)
    })
  return {
    host: ctx.host,
    args: extra.args ?? {},
    ...NORMAL_RUN,
    task,
    connection: () => ctx.connection.get(),
    reconnect: () => ctx.connection.reconnect(),
    vars: scope,
    isTrue: (condition) => evaluateConditional(templar, condition, scope),
    evaluate: (expression) => templar.evaluate(expression, scope),
    template: (value) => templar.render(value, scope),
    render: (text) => templar.renderText(text, scope),
    timeoutMs: ctx.commandTimeoutMs,
    taskTimeoutSeconds,
    environment,
    baseDir: ctx.baseDir,
    log: (line) => ctx.events.log(ctx.host, ctx.info, line),
    warn: (message) => ctx.events.warning(message),
    sleep: (ms) => ctx.sleep(ms),
    launchJob: extra.launchJob,
    jobs: jobsAccess(ctx.asyncJobs, hostAccess(ctx), asyncDir, () => ctx.connection.identity())
  }
}

function renderEnvironment(
  ctx: TaskHostContext,
  scope: Record<string, unknown>
): Record<string, string> {
  const out: Record<string, string> = {}
  for (const source of [ctx.playEnvironment, ctx.task.environment]) {
    if (source === undefined || source === null) continue
    for (const written of Array.isArray(source) ? source : [source]) {
      // A mapping is rendered value by value: as Ansible does, a value that needs the `ansible_env` facts
      // before they are gathered (a play's `PATH: "{{ ansible_env.PATH }}:/opt/bin"` on the fact gathering
      // itself, or with gather_facts off) is left out instead of failing the task.
      const entry = isRecord(written)
        ? renderEnvironmentValues(ctx, written, scope)
        : ctx.templar.render(written, scope)
      if (!isRecord(entry)) {
        throw new ModuleArgumentError(
          `'environment' must be a mapping of variable names to values, got ${pythonStr(entry)}`
        )
      }
      for (const [k, v] of Object.entries(entry))
        out[k] = v === null || v === undefined ? '' : typeof v === 'string' ? v : pythonStr(v)
    }
  }
  return out
}

function renderEnvironmentValues(
  ctx: TaskHostContext,
  written: Record<string, unknown>,
  scope: Record<string, unknown>
): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(written)) {
    const name = String(ctx.templar.render(key, scope))
    try {
      out[name] = ctx.templar.render(value, scope)
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      // Ansible's test (Task._post_validate_environment) matches its undefined-variable message this way.
      const needsFacts =
        message.includes('ansible_env') ||
        (ctx.task.module === 'setup' && message.includes('ansible_facts.env'))
      if (isUndefinedError(error) && needsFacts) continue
      throw error
    }
  }
  return out
}

/**
 * Evaluates a conditional; errors name the condition, as Ansible's do. With `task` (a `when`), the error
 * also says where the task is written, as Ansible's does.
 */
function evaluateConditional(
  templar: Templar,
  condition: unknown,
  scope: Record<string, unknown>,
  task?: Task
): boolean {
  try {
    return templar.isTrue(condition, scope)
  } catch (error) {
    const reason =
      error instanceof UndefinedVariableError
        ? undefinedReason(error)
        : error instanceof Error
          ? error.message
          : String(error)
    throw new TaskTemplateError(
      `The conditional check '${String(condition)}' failed. The error was: error while evaluating conditional (${String(condition)}): ${reason}${task ? positionDetails(task) : ''}`
    )
  }
}

/** Turns an exception from templating, a module or a connection into Ansible's result shape. */
export function failureFromError(error: unknown): ModuleResult {
  if (error instanceof ConnectionError) {
    return { changed: false, msg: error.message, unreachable: true }
  }
  // A task that failed before its module ran has only these two fields, as in Ansible.
  if (error instanceof UndefinedVariableError) return { failed: true, msg: undefinedReason(error) }
  if (error instanceof TaskTemplateError) return { failed: true, msg: error.message }
  if (error instanceof ModuleArgumentError || error instanceof AsyncPlaybookError) {
    return { changed: false, failed: true, msg: error.message }
  }
  const message = error instanceof Error ? error.message : String(error)
  return {
    changed: false,
    failed: true,
    msg: `internal error: ${message}. Please report this with the playbook that caused it.`
  }
}

function toInt(value: unknown, keyword: string): number {
  const n =
    typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : NaN
  if (!Number.isFinite(n))
    throw new ModuleArgumentError(`'${keyword}' must be an integer, got ${pythonStr(value)}`)
  return Math.trunc(n)
}
