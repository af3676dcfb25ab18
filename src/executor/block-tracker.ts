import type { BlockFrame, Task } from '../playbook/types.js'

/** Which lists of one block have failed on one host. */
interface BlockFailures {
  block: boolean
  rescue: boolean
  always: boolean
}

/**
 * Ansible's block/rescue/always semantics over a flattened task list, per host.
 *
 * Blocks are flattened by the loader: each task carries its enclosing block frames. All hosts walk the same
 * list (linear strategy); this decides which hosts take part in a task, records failures, and, as the list
 * leaves a block, carries an unrescued failure out to the enclosing block (or fails the host at the top).
 */
export class BlockTracker {
  private readonly state = new Map<string, Map<number, BlockFailures>>()
  /** Blocks with at least one rescue task in the list (a rescue emptied by tag filtering does not rescue). */
  private readonly rescuable = new Set<number>()

  constructor(tasks: readonly Task[]) {
    this.add(tasks)
  }

  /** Takes in tasks a dynamic include brought into the list (their blocks may have rescues). */
  add(tasks: readonly Task[]): void {
    for (const task of tasks) {
      const inner = task.blocks?.at(-1)
      if (inner?.section === 'rescue') this.rescuable.add(inner.id)
    }
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
   * Records that the task failed on the host. Returns 'rescued' when an enclosing block's rescue will run
   * for it (Ansible then counts `rescued`, not `failed`), 'failed' when the host will fail once its
   * `always` lists have run, and 'fatal' for a task outside any block (the host fails now).
   */
  fail(host: string, task: Task): 'rescued' | 'failed' | 'fatal' {
    const frames = task.blocks ?? []
    const inner = frames.at(-1)
    if (!inner) return 'fatal'
    this.failures(host, inner.id)[inner.section] = true
    return this.willRescue(frames) ? 'rescued' : 'failed'
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
        if (parent) this.failures(host, parent.id)[parent.section] = true
        else {
          failed.push(host)
          break
        }
      }
    }
    return failed
  }

  /** A block fails when its always failed, or its block failed without a rescue that completed. */
  private blockFailed(host: string, frame: BlockFrame): boolean {
    const failures = this.failures(host, frame.id)
    return failures.always || (failures.block && (!this.rescuable.has(frame.id) || failures.rescue))
  }

  /** Whether a failure in the innermost of these frames reaches a rescue (Ansible's is_any_block_rescuing). */
  private willRescue(frames: readonly BlockFrame[]): boolean {
    for (let depth = frames.length - 1; depth >= 0; depth--) {
      const frame = frames[depth]!
      if (frame.section === 'block' && this.rescuable.has(frame.id)) return true
    }
    return false
  }

  private failures(host: string, id: number): BlockFailures {
    let blocks = this.state.get(host)
    if (!blocks) {
      blocks = new Map()
      this.state.set(host, blocks)
    }
    let failures = blocks.get(id)
    if (!failures) {
      failures = { block: false, rescue: false, always: false }
      blocks.set(id, failures)
    }
    return failures
  }
}
