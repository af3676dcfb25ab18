/**
 * How far this process went, for the compile cache (src/startup/load-app.ts): V8's compiled code is worth
 * keeping in the tier of the furthest a run reached, as that holds the code it compiled.
 * 0: nothing run (`--version`, a syntax error); 1: a playbook started its plays; 2: and logged in over SSH
 * (the engine's, the modules' and ssh2's code).
 */
let reach: 0 | 1 | 2 = 0

/** Called by the engine as a run starts its plays. */
export function noteRunStarted(): void {
  if (reach < 1) reach = 1
}

/** Called when an SSH login succeeded. */
export function noteSshLogin(): void {
  reach = 2
}

/** How far this process went (see above). */
export function runReach(): 0 | 1 | 2 {
  return reach
}
