import { readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import path from 'node:path'
import { BaseSequencer, type TestSpecification } from 'vitest/node'
import { defineConfig } from 'vitest/config'

/**
 * Files that take longest (jobs that sleep, ansible-playbook, sshd restarts), slowest first. They start
 * first, so that the many short files fill the other workers meanwhile instead of one slow file ending
 * the run alone. Vitest's own order needs a results cache from an earlier run, which CI does not have.
 */
const SLOW_FILES = [
  // 2,000 async jobs launched and gathered: minutes of short processes on the target.
  'e2e/jobs-handover.test.ts',
  // The differential fixtures, in five parts that run at once (each mostly waits on ansible-playbook).
  'differential/differential-modules.test.ts',
  'differential/differential-packages.test.ts',
  'differential/differential-check-mode.test.ts',
  'differential/differential.test.ts',
  'integration/async.test.ts',
  'differential/differential-semantics.test.ts',
  'integration/reboot.test.ts',
  'integration/become.test.ts',
  'e2e/action.test.ts',
  'e2e/jobs.test.ts',
  'integration/faults.test.ts',
  'fuzz/playbook.fuzz.test.ts'
]

class SlowFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification): number => {
      const index = SLOW_FILES.findIndex((slow) =>
        file.moduleId.replace(/\\/g, '/').endsWith(`/__tests__/${slow}`)
      )
      return index === -1 ? SLOW_FILES.length : index
    }
    // Array.prototype.sort is stable: the other files keep the order Vitest chose.
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b))
  }
}

export default defineConfig({
  plugins: [
    {
      // Remote shell scripts live in src/**/*.sh and are imported as text, as esbuild does in the bundle.
      name: 'shell-script-as-text',
      transform(_code: string, id: string) {
        if (!id.endsWith('.sh')) return null
        return { code: `export default ${JSON.stringify(readFileSync(id, 'utf8'))}`, map: null }
      }
    }
  ],
  test: {
    include: ['__tests__/**/*.test.ts'],
    // Hang guards only: tests assert what runs recorded (job records, results documents, event order),
    // never how long they took, and must pass with every core busy. Speed is `npm run bench`'s.
    testTimeout: 180_000,
    hookTimeout: 300_000,
    // Most files spend their time waiting (sshd round trips, jobs that sleep, ansible-playbook), not on
    // a core, so more files run at once than there are cores (Vitest's default is one fewer). Files are
    // independent: each starts its own sshd on a free port and keeps its files and job ids apart.
    // VITEST_MAX_WORKERS or --maxWorkers overrides (1 runs the files one at a time).
    maxWorkers: availableParallelism() + 2,
    // The CLI and action runs of the tests keep their compiled code (src/startup/) in the checkout's
    // .tmp/, not in the user's cache folder; tests of the cache itself name folders of their own.
    env: { ASYNC_PLAYBOOK_COMPILE_CACHE: path.resolve('.tmp', 'test-compile-cache') },
    sequence: { sequencer: SlowFilesFirst }
  }
})
