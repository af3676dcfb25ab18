// Cold start of the bundled CLI: `node dist/cli.js --version`, the cost every CLI run and every action step
// pays before any work, against `node -e 0` (node's own start); with the compile cache a run after the first
// finds (src/startup/), and without it (a first run on a machine). Runs interleaved, so a busy moment of the
// machine lands on every side; reports medians. Needs no sshd.
import { CLI, median, positiveIntFromEnv, printTable, timeChild } from './lib.mjs'

/** The target from issue 11: the shared-chunk bundle must not make the CLI slow to start. */
export const STARTUP_TARGET_MS = 150

/** The startup scenario: median wall time of `node dist/cli.js --version` and of `node -e 0`. */
export async function benchStartup() {
  const repeat = positiveIntFromEnv('BENCH_STARTUP_REPEAT', 15)
  const cli = []
  const cold = []
  const bare = []
  const noCache = { env: { ...process.env, ASYNC_PLAYBOOK_COMPILE_CACHE: 'off' } }
  // One start first, so that the cache holds the bundle's compiled code whatever ran before.
  await timeChild(process.execPath, [CLI, '--version'])
  for (let i = 0; i < repeat; i++) {
    const run = await timeChild(process.execPath, [CLI, '--version'])
    if (run.code !== 0) throw new Error(`dist/cli.js --version exited ${run.code}: ${run.output}`)
    cli.push(run.ms)
    cold.push((await timeChild(process.execPath, [CLI, '--version'], noCache)).ms)
    bare.push((await timeChild(process.execPath, ['-e', '0'])).ms)
  }
  const cliMs = median(cli)
  const bareMs = median(bare)
  console.log('')
  console.log(`startup: median of ${repeat} cold starts each`)
  printTable(
    [
      [
        'node dist/cli.js --version',
        `${cliMs.toFixed(0)} ms`,
        `min ${Math.min(...cli).toFixed(0)} ms`
      ],
      [
        '  with no compile cache',
        `${median(cold).toFixed(0)} ms`,
        `min ${Math.min(...cold).toFixed(0)} ms`
      ],
      [
        'node -e 0 (node alone)',
        `${bareMs.toFixed(0)} ms`,
        `min ${Math.min(...bare).toFixed(0)} ms`
      ]
    ],
    { value: 'median' }
  )
  const met = cliMs < STARTUP_TARGET_MS
  return {
    targets: [
      {
        name: `startup: node dist/cli.js --version under ${STARTUP_TARGET_MS} ms`,
        met,
        detail: `${cliMs.toFixed(0)} ms median (node alone ${bareMs.toFixed(0)} ms)`
      }
    ]
  }
}
