// Handlers as Ansible 2.14 finds, notifies and flushes them: which handler a `notify` name reaches, templated
// handler names, who is notified of what, and in which order a flush runs them. Running a handler is the
// strategy's (linear-strategy.ts); what to run, on which hosts, is kept here.
import { PlaybookError } from '../errors.js'
import { roleQualifiedName, type Task } from '../playbook/types.js'
import { pythonStr, type Templar } from '../template/index.js'
import type { PlayContext, VariableManager } from './variables.js'

/** A handler due at a flush, and the hosts that run it. */
export interface DueHandler {
  handler: Task
  hosts: string[]
}

/**
 * The handlers of one batch: the play's and those includes brought in since, which hosts were notified of
 * each, and the order a flush runs them in.
 */
export class Handlers {
  /** The play's handlers, and those of roles included since (in the order they run at a flush). */
  private list: Task[]
  /** Per handler (by its task object), the hosts it was notified on and that have not run it since. */
  private readonly notified = new Map<Task, Set<string>>()
  /**
   * Each templated handler name as rendered once with the play's variables (as Ansible does, without any
   * host's); null when it cannot be rendered (a host variable): that handler answers to no name.
   */
  private readonly names = new Map<Task, string | null>()

  /**
   * @param force whether failed hosts still run their notified handlers (force_handlers)
   */
  constructor(
    handlers: readonly Task[],
    readonly force: boolean,
    private readonly context: NotifyContext
  ) {
    this.list = [...handlers]
  }

  /** Records the handlers `task` notifies on the hosts where it changed something (`changed`). */
  notify(task: Task, changed: readonly string[]): void {
    if (!task.notify || changed.length === 0) return
    const { context } = this
    const nameOf = handlerNames(this.names, context)
    for (const [name, hosts] of notifyNames(task, changed, context)) {
      if (!this.record(name, hosts, nameOf, task)) context.warning(missingHandlerMessage(name))
    }
  }

  /**
   * Adds a handler an include brought in. Copies of the same handler already in the play (the role under
   * `roles:`, an import_role of it, an earlier include) give way to it, their pending notifications
   * included: it runs once, with this include's keywords and variables. Ansible behaves so because its
   * uses of a role share one handler object, which each include_role re-parents.
   */
  add(handler: Task): void {
    const same = (h: Task): boolean =>
      h.location.file === handler.location.file &&
      h.location.line === handler.location.line &&
      h.role?.path === handler.role?.path
    const first = this.list.findIndex(same)
    if (first < 0) {
      this.list.push(handler)
      return
    }
    const pending = new Set<string>()
    for (const earlier of this.list.filter(same)) {
      for (const host of this.notified.get(earlier) ?? []) pending.add(host)
      this.notified.delete(earlier)
    }
    this.list = this.list.filter((h) => !same(h))
    this.list.splice(first, 0, handler)
    if (pending.size > 0) this.notified.set(handler, pending)
  }

  /**
   * The handlers a flush runs, in the order they are defined, each with the hosts of `batch` notified of it
   * (only those in `only`, when given) that may run it (`eligible`). Each is worked out when the previous
   * one has run: a handler may notify another, and one defined later then runs in this flush, an earlier
   * one at the next. A host that may not run a handler is no longer notified of it; nor, once it ran, are
   * its hosts (even if it notified itself meanwhile), as in Ansible.
   */
  *due(
    batch: readonly string[],
    only: readonly string[] | undefined,
    eligible: (host: string) => boolean
  ): Generator<DueHandler, void, undefined> {
    const flushing = (host: string): boolean => only === undefined || only.includes(host)
    for (const handler of this.list) {
      const pending = this.notified.get(handler)
      if (!pending || pending.size === 0) continue
      const hosts = batch.filter((h) => pending.has(h) && flushing(h) && eligible(h))
      for (const host of batch) if (flushing(host) && !hosts.includes(host)) pending.delete(host)
      // As Ansible 2.14: tags do not apply to handlers; a notified handler runs whatever its tags.
      if (hosts.length === 0) continue
      try {
        yield { handler, hosts }
      } finally {
        for (const host of hosts) pending.delete(host)
      }
    }
  }

  /**
   * Records that `hosts` notified `name` (from `task`). Returns false when no handler answers: an error by
   * default; with ANSIBLE_ERROR_ON_MISSING_HANDLER off, the caller warns instead.
   */
  private record(name: string, hosts: readonly string[], nameOf: HandlerName, task: Task): boolean {
    const matching = matchHandlers(this.list, name, nameOf)
    if (matching.length === 0) {
      if (!this.context.errorOnMissing) return false
      const unusable = [...this.names].filter(([, n]) => n === null).map(([h]) => `'${h.name}'`)
      throw new PlaybookError(
        `${missingHandlerMessage(name)} (notified by task '${task.name}'); add a handler with that name or \`listen: ${name}\` under the play's \`handlers:\`` +
          (unusable.length > 0
            ? `. Handler names that use host variables cannot be rendered (${unusable.join(', ')}): give them \`listen:\` topics`
            : ''),
        task.location
      )
    }
    for (const handler of matching) {
      let notified = this.notified.get(handler)
      if (!notified) this.notified.set(handler, (notified = new Set()))
      for (const host of hosts) notified.add(host)
    }
    return true
  }
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
    return own === name || roleQualifiedName(handler, own) === name
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

/**
 * How `notify` reaches each handler: its name, or for a templated one, the name rendered once with the play's
 * variables (no host's, as in Ansible). A name that needs a host variable cannot be rendered: that handler
 * answers to its `listen` topics only (a warning says so when it has none).
 */
function handlerNames(names: Map<Task, string | null>, context: NotifyContext): HandlerName {
  return (handler) => {
    if (!isTemplated(handler.name)) return handler.name
    const known = names.get(handler)
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
    names.set(handler, name)
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

/** Ansible's words for a notify that reaches no handler (users grep for them). */
export function missingHandlerMessage(name: string): string {
  return `The requested handler '${name}' was not found in either the main handlers list nor in the listening handlers list`
}
