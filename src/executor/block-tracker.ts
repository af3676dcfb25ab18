import type { BlockFrame, Task } from '../playbook/types.js'

/** Which lists of one block have failed on one host. */
interface BlockFailures {
  /** A task of the `block` list failed: the rest of that list is skipped, the rescue runs. */
  block: boolean
  rescue: boolean
  always: boolean
  /**
   * A handler failed while the host flushed handlers inside this block's `always` list (Ansible's HANDLERS
   * fail state): the always list goes on, then the block has failed.
   */
  handler: boolean
  /**
   * `meta: clear_host_errors` ran since: the failures above no longer fail the block when it ends (a rescue
   * or always list that was running goes on). A new failure in the block counts again.
   */
  cleared: boolean
}

/** How a failure counts and where it leaves the host. */
export interface FailureVerdict {
  /** 'rescued' when a rescue will handle it (Ansible counts `rescued`, not `failed`). */
  counted: 'rescued' | 'failed'
  /** The host is out of the play now (no rescue or always list left for it to run). */
  fatal: boolean
  /**
   * Ansible's iterator deems the host failed right after this failure (is_failed): what any_errors_fatal
   * reacts to. True when fatal, and also when only an always list of an outer block is left to run.
   */
  failedNow: boolean
}

/** The list the next task a host runs sits in, as Ansible's iterator names its state. */
export type NextState = 'tasks' | 'rescue' | 'always' | 'complete'

/**
 * Ansible's block/rescue/always semantics over a flattened task list, per host.
 *
 * Blocks are flattened by the loader: each task carries its enclosing block frames. All hosts walk the same
 * list (linear strategy); this decides which hosts take part in a task, records failures, and, as the list
 * leaves a block, carries an unrescued failure out to the enclosing block (or fails the host at the top).
 */
export class BlockTracker {
  private state = new Map<string, Map<number, BlockFailures>>()
  /** Blocks with at least one rescue task in the list (a rescue emptied by tag filtering does not rescue). */
  private readonly rescuable = new Set<number>()
  /** Blocks with at least one always task in the list. */
  private readonly withAlways = new Set<number>()

  constructor(tasks: readonly Task[]) {
    this.add(tasks)
  }

  /** Takes in tasks a dynamic include brought into the list (their blocks may have rescues). */
  add(tasks: readonly Task[]): void {
    for (const task of tasks) {
      // Every frame counts, not only the innermost: a rescue made of a nested block is a rescue.
      for (const frame of task.blocks ?? []) {
        if (frame.section === 'rescue') this.rescuable.add(frame.id)
        else if (frame.section === 'always') this.withAlways.add(frame.id)
      }
    }
  }

  /** A copy with the same failures, to look ahead without changing this one. */
  clone(): BlockTracker {
    const copy = new BlockTracker([])
    for (const id of this.rescuable) copy.rescuable.add(id)
    for (const id of this.withAlways) copy.withAlways.add(id)
    copy.state = new Map(
      [...this.state].map(([host, blocks]) => [
        host,
        new Map([...blocks].map(([id, failures]) => [id, { ...failures }]))
      ])
    )
    return copy
  }

  /** Whether the host runs this task: it is in every list the task sits in (Ansible gives it a no-op otherwise). */
  runs(host: string, task: Task): boolean {
    for (const frame of task.blocks ?? []) {
      const failures = this.failures(host, frame.id)
      if (frame.section === 'block' && failures.block) return false
      if (frame.section === 'rescue' && (!failures.block || failures.rescue)) return false
      if (frame.section === 'always' && failures.always) return false
    }
    return true
  }

  /**
   * Records that the task failed on the host. Counted 'rescued' when an enclosing block's rescue will run for
   * it (Ansible's is_any_block_rescuing); fatal for a task outside any block (the host fails now). Otherwise
   * the host fails, if nothing rescues it, once the list leaves the block.
   */
  fail(host: string, task: Task): FailureVerdict {
    const frames = task.blocks ?? []
    const inner = frames.at(-1)
    if (!inner) return { counted: 'failed', fatal: true, failedNow: true }
    const failures = this.failures(host, inner.id)
    failures[inner.section] = true
    failures.cleared = false
    return {
      counted: this.willRescue(frames) ? 'rescued' : 'failed',
      fatal: false,
      failedNow: this.failedAfter(frames)
    }
  }

  /**
   * Records that a handler failed on the host while it flushed handlers at `flush` (a `meta: flush_handlers`
   * task). As Ansible 2.14 does, the failure moves the outermost block around the flush: into its rescue when
   * it has one (the rest of the block is skipped), else through its always list to a failure; a flush inside
   * that block's rescue or always list goes on with it. It counts as rescued only when a block nested inside
   * the outermost one could rescue it.
   */
  failHandler(host: string, flush: Task): FailureVerdict {
    const frames = flush.blocks ?? []
    const top = frames[0]
    if (!top) return { counted: 'failed', fatal: true, failedNow: true }
    const counted = this.willRescue(frames.slice(1)) ? 'rescued' : 'failed'
    const failures = this.failures(host, top.id)
    failures.cleared = false
    if (top.section === 'block') {
      if (!this.rescuable.has(top.id) && !this.withAlways.has(top.id))
        return { counted, fatal: true, failedNow: true }
      failures.block = true
    } else if (top.section === 'always' && !this.rescuable.has(top.id)) {
      failures.handler = true
    }
    // In the rescue list (or the always list of a block with a rescue), Ansible goes back to that list and,
    // once it ends, clears the failure: the host carries on.
    return { counted, fatal: false, failedNow: false }
  }

  /**
   * Whether, right after a task at `frames` failed on the host, Ansible's iterator deems the host failed
   * (is_failed): no rescue or always list of the innermost block is left for it, and no enclosing block whose
   * list it is in could rescue it. This is what any_errors_fatal looks at.
   */
  private failedAfter(frames: readonly BlockFrame[]): boolean {
    const inner = frames.at(-1)
    if (!inner) return true
    let failed =
      inner.section === 'always' ||
      (inner.section === 'rescue'
        ? !this.withAlways.has(inner.id)
        : !this.rescuable.has(inner.id) && !this.withAlways.has(inner.id))
    for (let depth = frames.length - 2; depth >= 0 && failed; depth--) {
      const frame = frames[depth]!
      if (frame.section === 'block' && this.rescuable.has(frame.id)) failed = false
    }
    return failed
  }

  /** `meta: clear_host_errors`: the host's failures in the blocks it is in no longer fail them. */
  clear(host: string): void {
    for (const failures of this.state.get(host)?.values() ?? []) failures.cleared = true
  }

  /**
   * Closes the blocks the list leaves between `previous` and `next` (undefined at the end of the list).
   * Returns the hosts whose failure left the outermost block unrescued: they have failed.
   */
  leave(previous: Task | undefined, next: Task | undefined, hosts: readonly string[]): string[] {
    const before = previous?.blocks ?? []
    const after = next?.blocks ?? []
    let common = 0
    while (
      common < before.length &&
      common < after.length &&
      before[common]!.id === after[common]!.id
    )
      common++
    if (common === before.length) return []
    const failed: string[] = []
    for (const host of hosts) {
      for (let depth = before.length - 1; depth >= common; depth--) {
        const frame = before[depth]!
        if (!this.blockFailed(host, frame)) continue
        const parent = before[depth - 1]
        if (parent) {
          const failures = this.failures(host, parent.id)
          failures[parent.section] = true
          failures.cleared = false
        } else {
          failed.push(host)
          break
        }
      }
    }
    return failed
  }

  /** The list the host's next task sits in, `task` being that task (undefined: none is left). */
  static stateOf(task: Task | undefined): NextState {
    if (!task) return 'complete'
    const inner = task.blocks?.at(-1)
    return inner === undefined || inner.section === 'block' ? 'tasks' : inner.section
  }

  /** A block fails when its always failed, or its block failed without a rescue that completed. */
  private blockFailed(host: string, frame: BlockFrame): boolean {
    const failures = this.failures(host, frame.id)
    if (failures.cleared) return false
    return (
      failures.always ||
      failures.handler ||
      (failures.block && (!this.rescuable.has(frame.id) || failures.rescue))
    )
  }

  /** Whether a failure in the innermost of these frames reaches a rescue (Ansible's is_any_block_rescuing). */
  private willRescue(frames: readonly BlockFrame[]): boolean {
    return frames.some((frame) => frame.section === 'block' && this.rescuable.has(frame.id))
  }

  private failures(host: string, id: number): BlockFailures {
    let blocks = this.state.get(host)
    if (!blocks) {
      blocks = new Map()
      this.state.set(host, blocks)
    }
    let failures = blocks.get(id)
    if (!failures) {
      failures = { block: false, rescue: false, always: false, handler: false, cleared: false }
      blocks.set(id, failures)
    }
    return failures
  }
}
