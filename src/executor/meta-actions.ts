// What each `meta:` action does, as Ansible 2.14's linear strategy runs it. flush_handlers, end_host, noop
// and reset_connection act per host; end_play, end_batch, clear_host_errors, clear_facts and
// refresh_inventory once, for the first host that takes part (its `when` decides), on the whole batch.
import type { BlockTracker } from './block-tracker.js'

/** The parts of a running batch a meta action changes, handed over by the executor. */
export interface MetaTarget {
  /** The hosts taking part in the meta task (its `when` is checked here). */
  hosts: string[]
  batch: readonly string[]
  /** Hosts done with the play (meta end_host, end_play, end_batch), neither failed nor active. */
  ended: Set<string>
  blocks: BlockTracker
  /** Hosts out of the play (and of later plays) for a failure; `marked`: counted failed, still in it. */
  failed: Set<string>
  marked: Set<string>
  unreachable: Set<string>
  /** Whether the task's `when` holds on a host. */
  holds(host: string): boolean
  /** Reports the task skipped on a host (`msg`, and the reason after `<action> conditional evaluated to False, `). */
  skip(host: string, msg: string, reason: string): void
  warning(message: string): void
  /** Runs the notified handlers of these hosts; true when the play ends. */
  flushHandlers(hosts: string[]): Promise<boolean>
  /** No further batch of the play runs. */
  endPlay(): void
  clearFacts(host: string): void
  resetConnection(host: string): Promise<void>
  refreshInventory(): void
}

/** Runs one meta action (`action`, with `when` conditions if `conditional`). Returns true when the play ends. */
export async function runMetaAction(
  action: string,
  conditional: boolean,
  target: MetaTarget
): Promise<boolean> {
  const { hosts, batch, ended, holds, skip } = target
  if (['noop', 'reset_connection', 'refresh_inventory'].includes(action) && conditional)
    target.warning(`${action} task does not support when conditional`)
  const first = hosts[0]!
  switch (action) {
    case 'flush_handlers': {
      const flushing = hosts.filter((host) => {
        if (holds(host)) return true
        skip(host, action, `not running handlers for ${host}`)
        return false
      })
      return target.flushHandlers(flushing)
    }
    case 'end_host':
      for (const host of hosts) {
        if (holds(host)) ended.add(host)
        else
          skip(
            host,
            `end_host conditional evaluated to false, continuing execution for ${host}`,
            `continuing execution for ${host}`
          )
      }
      return false
    case 'end_play':
    case 'end_batch':
      // end_play ends the play on every host; end_batch this batch (the next one still runs).
      if (!holds(first)) {
        skip(first, action, action === 'end_play' ? 'continuing play' : 'continuing current batch')
        return false
      }
      for (const host of batch) if (!target.unreachable.has(host)) ended.add(host)
      if (action === 'end_play') target.endPlay()
      return false
    case 'clear_host_errors':
      if (!holds(first)) {
        skip(first, action, `not clearing host error state for ${first}`)
        return false
      }
      // As Ansible: failed and unreachable hosts count as neither any more. A host whose failure ended its
      // part of the play stays done; one in a rescue or always list carries on as if nothing had failed;
      // an unreachable one is tried again.
      for (const host of batch) {
        if (target.failed.delete(host)) ended.add(host)
        target.marked.delete(host)
        target.unreachable.delete(host)
        target.blocks.clear(host)
      }
      return false
    case 'clear_facts':
      if (!holds(first)) {
        skip(first, action, `not clearing facts and fact cache for ${first}`)
        return false
      }
      // Gathered facts only: set_fact values and registered results stay, as in Ansible.
      for (const host of batch) target.clearFacts(host)
      return false
    case 'reset_connection':
      // The next task opens a new connection (a changed user or become then takes effect).
      await Promise.all(hosts.map((host) => target.resetConnection(host)))
      return false
    case 'refresh_inventory':
      target.refreshInventory()
      return false
    default:
      // noop
      return false
  }
}
