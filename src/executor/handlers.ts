// Handlers as Ansible 2.14 finds and notifies them: which handler a `notify` name reaches, templated
// handler names, and the ANSIBLE_* settings that change what a missing or forced handler does.
import { PlaybookError } from '../errors.js'
import type { Task } from '../playbook/types.js'
import { pythonStr, type Templar } from '../template/index.js'
import type { PlayContext, VariableManager } from './variables.js'

/** The handler state of one batch: who was notified of what, and which hosts ended the play. */
export interface HandlerState {
  /** The play's handlers, and those of roles included since (in the order they run at a flush). */
  list: Task[]
  /** Per handler (by its task object), the hosts it was notified on and that have not run it since. */
  notified: Map<Task, Set<string>>
  /** Hosts that ran `meta: end_host` (or `end_play`, `end_batch`): done with the play, neither failed nor active. */
  ended: Set<string>
  /** Whether failed hosts still run their notified handlers (force_handlers). */
  force: boolean
  /**
   * Each templated handler name as rendered once with the play's variables (as Ansible does, without any
   * host's); null when it cannot be rendered (a host variable): that handler answers to no name.
   */
  names: Map<Task, string | null>
}

/** A handler's name as a `notify` can reach it: rendered when templated (null: unusable). */
export type HandlerName = (handler: Task) => string | null

/** Whether a name holds a template (Ansible renders such handler names before matching them). */
export function isTemplated(name: string): boolean {
  return name.includes('{{') || name.includes('{%')
}

/**
 * The handlers a `notify` name reaches, as Ansible 2.14 picks them: among the handlers answering to the name
 * (`role : name` also names a role's handler), the first one of the last block of handlers that has one (the
 * play's `handlers:` is one block, each role's handlers file another, each `block:` under handlers another);
 * and every handler that listens to it.
 */
export function matchHandlers(
  list: readonly Task[],
  name: string,
  nameOf: HandlerName = (handler) => handler.name
): Task[] {
  const named = list.filter((handler) => {
    const own = nameOf(handler)
    if (own === null) return false
    return own === name || (handler.role !== undefined && `${handler.role.name} : ${own}` === name)
  })
  const last = named.at(-1)
  const picked =
    last === undefined ? undefined : (named.find((h) => sameHandlerBlock(h, last)) ?? last)
  return list.filter((handler) => handler === picked || handler.listen?.includes(name))
}

function sameHandlerBlock(a: Task, b: Task): boolean {
  return a.handlerBlock !== undefined && a.handlerBlock === b.handlerBlock
}

/** What notifying handlers needs from the run. */
export interface NotifyContext {
  templar: Templar
  variables: VariableManager
  playContext: PlayContext
  warning(message: string): void
  /** ANSIBLE_ERROR_ON_MISSING_HANDLER (true unless turned off): a notify that reaches no handler is an error. */
  errorOnMissing: boolean
}

/** Records the handlers `task` notifies on the hosts where it changed something (`changed`). */
export function notifyHandlers(
  task: Task,
  changed: readonly string[],
  state: HandlerState,
  context: NotifyContext
): void {
  if (!task.notify || changed.length === 0) return
  const nameOf = handlerNames(state, context)
  for (const [name, hosts] of notifyNames(task, changed, context)) {
    if (!recordNotification(state, name, hosts, nameOf, task, context.errorOnMissing))
      context.warning(missingHandlerMessage(name))
  }
}

/**
 * How `notify` reaches each handler: its name, or for a templated one, the name rendered once with the play's
 * variables (no host's, as in Ansible). A name that needs a host variable cannot be rendered: that handler
 * answers to its `listen` topics only (a warning says so when it has none).
 */
function handlerNames(state: HandlerState, context: NotifyContext): HandlerName {
  return (handler) => {
    if (!isTemplated(handler.name)) return handler.name
    const known = state.names.get(handler)
    if (known !== undefined) return known
    let name: string | null
    try {
      name = pythonStr(
        context.templar.render(
          handler.name,
          context.variables.playScope(context.playContext, handler)
        )
      )
    } catch (error) {
      name = null
      if (!handler.listen?.length)
        context.warning(
          `Handler '${handler.name}' is unusable because it has no listen topics and the name could not be templated (host-specific variables are not supported in handler names). The error: ${(error as Error).message}`
        )
    }
    state.names.set(handler, name)
    return name
  }
}

/** The handler names a task notifies, each with its hosts: a templated name is rendered per host. */
function notifyNames(
  task: Task,
  hosts: readonly string[],
  context: NotifyContext
): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const raw of task.notify ?? []) {
    for (const host of hosts) {
      let name = raw
      if (isTemplated(raw)) {
        try {
          name = String(
            context.templar.render(raw, context.variables.scope(host, context.playContext, task))
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
 * Records that `hosts` notified `name` (from `task`). Returns false when no handler answers: an error by
 * default; with ANSIBLE_ERROR_ON_MISSING_HANDLER off, the caller warns instead.
 */
export function recordNotification(
  state: HandlerState,
  name: string,
  hosts: readonly string[],
  nameOf: HandlerName,
  task: Task,
  errorOnMissing: boolean
): boolean {
  const matching = matchHandlers(state.list, name, nameOf)
  if (matching.length === 0) {
    if (!errorOnMissing) return false
    throw new PlaybookError(
      `${missingHandlerMessage(name)} (notified by task '${task.name}'); add a handler with that name or \`listen: ${name}\` under the play's \`handlers:\`` +
        (unusableNames(state).length > 0
          ? `. Handler names that use host variables cannot be rendered (${unusableNames(state).join(', ')}): give them \`listen:\` topics`
          : ''),
      task.location
    )
  }
  for (const handler of matching) {
    let notified = state.notified.get(handler)
    if (!notified) state.notified.set(handler, (notified = new Set()))
    for (const host of hosts) notified.add(host)
  }
  return true
}

/** Ansible's words for a notify that reaches no handler (users grep for them). */
export function missingHandlerMessage(name: string): string {
  return `The requested handler '${name}' was not found in either the main handlers list nor in the listening handlers list`
}

function unusableNames(state: HandlerState): string[] {
  return [...state.names].filter(([, name]) => name === null).map(([h]) => `'${h.name}'`)
}
