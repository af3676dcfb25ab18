// The bundle dist/app.cjs: everything the action's steps and the CLI run, loaded by their entry files
// (src/entries/) through src/startup/load-app.ts, which keeps V8's compiled code of it between runs.
export { main as cliMain } from './cli.js'
export { run as actionMain } from './main.js'
export { post as postMain } from './post.js'
export { runReach } from './startup/run-marker.js'
