/**
 * Where the hosts of a run stand, across its plays and batches: what the runner, the linear strategy and
 * the task dispatch (Ansible's task queue manager, strategy and result processing) all read and update.
 */
export class RunHostStates {
  /** Hosts that failed or were failed by any_errors_fatal/max_fail_percentage: out of later plays. */
  readonly failed = new Set<string>()
  /**
   * Hosts Ansible counts as failed without stopping them in the play (its task queue's failed hosts): those
   * any_errors_fatal marked while they were in a rescue or always list, or whose include could not be
   * loaded. They are out of later plays (and then fail the run); the play they are in goes on for them.
   */
  readonly marked = new Set<string>()
  readonly unreachable = new Set<string>()
  /**
   * Set when any_errors_fatal marked a host, or max_fail_percentage failed the batch: once the batch ends,
   * no further batch or play runs, and the run exits 2.
   */
  breakPlay = false
  /** Set by `meta: end_play`: no further batch of the current play runs. */
  playEnded = false
}
