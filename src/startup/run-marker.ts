/**
 * Whether this process started running a playbook (past loading and listing): the CLI and the action keep
 * V8's compiled code of such a run for the next (src/startup/load-app.ts), as it holds the engine's, the
 * modules' and the connection's code, where a `--version` or a syntax error compiled little.
 */
let started = false

/** Called by the engine as a run starts its plays. */
export function noteRunStarted(): void {
  started = true
}

/** True once a run started in this process. */
export function ranPlaybook(): boolean {
  return started
}
