// Cold start of the bundled CLI: `node dist/cli.js --version`, the cost every CLI run and every action step
// pays before any work, against `node -e 0` (node's own start); with the compile cache a start after the
// first finds (src/startup/), and on a fresh machine (an empty cache, which the start fills at its exit).
// Runs interleaved, so a busy moment of the machine lands on every side; reports medians. Needs no sshd.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CLI, median, positiveIntFromEnv, printTable, timeChild } from './lib.mjs'

/** The target from issue 11: the shared-chunk bundle must not make the CLI slow to start. */
export const STARTUP_TARGET_MS = 150

/** The startup scenario: median wall time of `node dist/cli.js --version` and of `node -e 0`. */
export async function benchStartup() {
  const repeat = positiveIntFromEnv('BENCH_STARTUP_REPEAT', 15)
  const cli = []
  const cold = []
  const bare = []
  // With a cache folder of the bench's own, filled by one start first; and on a fresh machine: a new empty
  // folder for each start, which it fills at its exit (as a first run does).
  const folder = mkdtempSync(join(tmpdir(), 'apb-bench-startup-'))
  const warm = { env: { ...process.env, ASYNC_PLAYBOOK_COMPILE_CACHE: join(folder, 'warm') } }
  try {
    await timeChild(process.execPath, [CLI, '--version'], warm)
    for (let i = 0; i < repeat; i++) {
      const run = await timeChild(process.execPath, [CLI, '--version'], warm)
      if (run.code !== 0) throw new Error(`dist/cli.js --version exited ${run.code}: ${run.output}`)
      cli.push(run.ms)
      const fresh = {
        env: { ...process.env, ASYNC_PLAYBOOK_COMPILE_CACHE: join(folder, `fresh-${i}`) }
      }
      cold.push((await timeChild(process.execPath, [CLI, '--version'], fresh)).ms)
      bare.push((await timeChild(process.execPath, ['-e', '0'])).ms)
    }
  } finally {
    rmSync(folder, { recursive: true, force: true })
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
        '  on a fresh machine (empty compile cache)',
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
