/**
 * Runs a scenario of pid-reuse-driver.ts in a pid namespace of its own, where the test may hand a chosen
 * pid to a new process (ns_last_pid) without speeding up pid reuse for the rest of the machine.
 *
 *   it.skipIf(!canUsePidNamespace())('…', async () => {
 *     const report = await runPidReuseScenario('identity', [], workDir)
 *   })
 */
import { execFile, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

/** True where a pid namespace can be made (root on Linux, or a capable container). */
export function canUsePidNamespace(): boolean {
  if (process.platform !== 'linux') return false
  const r = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true'], { timeout: 10_000 })
  return r.status === 0
}

/** Bundles the driver into `workDir`, runs `scenario` as PID 1 of a new namespace, returns its report. */
export async function runPidReuseScenario(
  scenario: 'local-connection' | 'identity',
  args: string[],
  workDir: string
): Promise<Record<string, unknown>> {
  const bundle = join(workDir, 'pid-reuse-driver.mjs')
  await build({
    entryPoints: [fileURLToPath(new URL('./pid-reuse-driver.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: bundle,
    logLevel: 'warning'
  })
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(
      'unshare',
      ['--pid', '--fork', '--mount-proc', process.execPath, bundle, scenario, ...args],
      { timeout: 60_000 },
      (error, out, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(out)
    )
  )
  return JSON.parse(stdout) as Record<string, unknown>
}
