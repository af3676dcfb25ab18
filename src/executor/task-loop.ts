// A task's `loop` on one host, as Ansible's TaskExecutor runs one: the items rendered, `loop_control`
// (loop_var, index_var, label, pause, extended), each item run in turn with what earlier items registered,
// and the loop's result (`results`, with the task's changed/failed/skipped from its items).
import { TemplateError, UndefinedVariableError } from '../errors.js'
import { LookupFailure, runLoopLookup } from '../template/index.js'
import { ActionPluginError, ModuleArgumentError, type ModuleResult } from '../modules/module.js'
import { pythonStr, tuplesAsLists, untrustedReadCount } from '../template/index.js'
import { SAFE_LOCALS } from './variables.js'
import { hasTemplateSyntax } from '../values/unsafe.js'
import { dict } from '../values/dict.js'
import { TaskTemplateError } from './task-errors.js'
import { evaluateConditional, isUndefinedError } from './task-fields.js'
import { isRecord } from '../values/records.js'
import { classify, failureFromError } from './task-outcome.js'
import type { TaskHostContext } from './task-runner.js'

/** The result of a task (or loop item) that its `when` skipped. */
export function skippedByWhen(condition: unknown): ModuleResult {
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

/**
 * A `with_first_found` loop's terms: each templated on its own, those that use an undefined variable left
 * out (Ansible templates them without failing, then drops what is still a template).
 */
function firstFoundTerms(ctx: TaskHostContext): unknown {
  const value = ctx.task.loop!.value
  const scope = ctx.scope()
  const terms = Array.isArray(value) ? value : [typeof value === 'string' ? value.trim() : value]
  const kept: unknown[] = []
  for (const term of terms) {
    try {
      kept.push(ctx.templar.render(term, scope))
    } catch (error) {
      if (!isUndefinedError(error)) throw error
    }
  }
  // A single templated string that gave a list is that list (Ansible's listify of the loop's value).
  return !Array.isArray(value) && kept.length === 1 ? kept[0] : kept
}

/** The folder first_found searches in a loop, from the task's action as Ansible picks it. */
function lookupSubdir(action: string): string {
  for (const kind of ['template', 'var', 'file']) if (action.includes(kind)) return `${kind}s`
  return 'files'
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

/** One item run on the host (when, then until/retries); `executed` is false when `when` skipped it. */
export type ItemRun = (
  locals: Record<string, unknown>
) => Promise<{ result: ModuleResult; executed: boolean }>

/** Runs the task's loop on the host: each item through `runItem`, with its loop variables in `locals`. */
export async function runLoop(ctx: TaskHostContext, runItem: ItemRun): Promise<ModuleResult> {
  const { task } = ctx
  const loop = task.loop!
  let rendered: unknown
  // Whether the items come from trusted variables only (see SAFE_LOCALS): a `loop:` whose rendering read
  // no data of the targets and ran no lookup. A with_<lookup>'s items are a lookup's, which Ansible marks
  // unsafe. Rendering is synchronous: nothing else reads meanwhile.
  const readsBefore = untrustedReadCount()
  try {
    rendered =
      loop.lookup === 'first_found'
        ? firstFoundTerms(ctx)
        : ctx.templar.render(
            loop.lookup !== undefined && typeof loop.value === 'string'
              ? loop.value.trim()
              : loop.value,
            ctx.scope()
          )
  } catch (error) {
    if (isUndefinedError(error)) return undefinedLoop(ctx, error)
    // As Ansible's TaskExecutor: another template error fails the task with failed and msg only.
    if (error instanceof TemplateError) return { failed: true, msg: error.message }
    throw error
  }
  const itemsSafe =
    loop.lookup === undefined && loop.viaLookup !== true && untrustedReadCount() === readsBefore
  let items: unknown[]
  if (loop.lookup !== undefined) {
    // As Ansible's TaskExecutor: the lookup runs before `when` is looked at, and its error fails the task
    // with the plugin's own words.
    try {
      items = runLoopLookup(loop.lookup, rendered, ctx.scope(), lookupSubdir(task.module))
    } catch (error) {
      if (error instanceof LookupFailure) return { failed: true, msg: error.message }
      if (!isUndefinedError(error)) throw error
      return undefinedLoop(ctx, error)
    }
  } else if (Array.isArray(rendered))
    items = loop.flatten ? rendered.flatMap((i) => (Array.isArray(i) ? i : [i])) : rendered
  else if (loop.viaLookup === true) {
    // with_items and with_list are the items and list lookups on Ansible's listified terms: anything
    // but a list or a mapping is one term; with_items walks a mapping's keys, with_list refuses it.
    if (isRecord(rendered)) {
      if (!loop.flatten) return { failed: true, msg: 'with_list expects a list' }
      items = Object.keys(rendered)
    } else {
      items = [rendered ?? null]
    }
  } else {
    // As Ansible: the task fails before any module runs, with failed and msg only.
    return {
      failed: true,
      msg: `Invalid data passed to 'loop', it requires a list, got this instead: ${pythonStr(rendered)}. Hint: If you passed a list/dict of just one element, try adding wantlist=True to your lookup invocation or use q/query instead of lookup.`
    }
  }
  // As in Ansible, an item that was a tuple (`zip`'s pairs) is a list by the time the task sees it.
  items = items.map(tuplesAsLists)
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
    // What earlier items registered is carried in: then the items' variables are not all trusted data.
    if (itemsSafe && Object.keys(carried).length === 0) SAFE_LOCALS.add(locals)
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
      ;({ result: itemResult, executed } = await runItem(locals))
    } catch (error) {
      // As in Ansible, an item that cannot be templated ends the loop: the task fails with its message.
      if (
        error instanceof TaskTemplateError ||
        error instanceof UndefinedVariableError ||
        error instanceof ActionPluginError
      )
        throw error
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
    const included = 'include' in ctx ? ctx.include.includedFile(itemResult) : undefined
    ctx.events.itemResult(ctx.info, {
      host: ctx.host,
      status: outcome.status,
      ignored: outcome.ignored,
      result: itemResult,
      durationMs: 0,
      item: { label },
      ...(included === undefined ? {} : { included })
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
  // As Ansible: the items' warnings and deprecations move to the loop's result, in item order.
  for (const key of ['warnings', 'deprecations']) {
    for (const result of results) {
      const own = result[key]
      if (own === undefined || own === null || (Array.isArray(own) && own.length === 0)) continue
      const gathered = Array.isArray(aggregate[key]) ? (aggregate[key] as unknown[]) : []
      aggregate[key] = [...gathered, ...(Array.isArray(own) ? own : [own])]
      delete result[key]
    }
  }
  return aggregate
}

/**
 * The context with the task's `loop_control` templated for this host, as Ansible templates loop_var,
 * index_var and pause before it loops (label is rendered per item).
 */
export function withLoopControl(ctx: TaskHostContext): TaskHostContext {
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
