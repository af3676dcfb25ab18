// npm run local-action [-- ENV_FILE]
//
// Runs the action from its TypeScript sources with @github/local-action (a pinned devDependency, so
// nothing is downloaded and nothing asks a question), from whatever directory npm was started in:
// - src/**/*.sh are imported as text through scripts/sh-text-loader.mjs, given to Node by absolute URL;
// - ENV_FILE (relative to where you ran npm) defaults to .env, and to .env.example when there is no .env,
//   which runs examples/hello.yml on localhost: a first run from a fresh clone needs no setup.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const bin = path.join(root, 'node_modules', '@github', 'local-action', 'bin', 'local-action.js')
if (!existsSync(bin)) {
  process.stderr.write(
    'local-action: @github/local-action is not installed. Run `npm ci` (it is a devDependency) first.\n'
  )
  process.exit(1)
}

// npm runs scripts in the package root; INIT_CWD is where the user ran npm.
const userCwd = process.env.INIT_CWD ?? process.cwd()
let envFile = process.argv[2] ? path.resolve(userCwd, process.argv[2]) : path.join(root, '.env')
if (!existsSync(envFile)) {
  if (process.argv[2]) {
    process.stderr.write(`local-action: no such env file: ${envFile}\n`)
    process.exit(1)
  }
  envFile = path.join(root, '.env.example')
  process.stderr.write(
    'local-action: no .env, using .env.example (copy it to .env and edit it to run your own playbook)\n'
  )
}

const loader = pathToFileURL(path.join(root, 'scripts', 'sh-text-loader.mjs')).href
const env = {
  ...process.env,
  // A file: URL has no blanks to quote, wherever the clone lives.
  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${loader}`.trim(),
  // local-action starts its TypeScript runner with `npm exec`: never let that prompt or download.
  npm_config_yes: 'false'
}
const ran = spawnSync(process.execPath, [bin, 'run', root, 'src/main.ts', envFile], {
  cwd: root,
  env,
  stdio: 'inherit'
})
if (ran.error) {
  process.stderr.write(`local-action: ${ran.error.message}\n`)
  process.exit(1)
}
process.exit(ran.status ?? 1)
