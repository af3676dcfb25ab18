// Unit: the poller shows a job's live output from byte offsets — every line once, whole and in
// order, a partial line held until it is complete — and asks only for what it has not shown yet.
import { describe, expect, it } from 'vitest'
import type { AsyncJobs } from '../../src/async/async-jobs.js'
import type { StreamOffsets } from '../../src/async/job-commands.js'
import { OUTPUT_CAP_BYTES } from '../../src/async/job-protocol.js'
import type { JobSnapshot } from '../../src/async/job-snapshot.js'
import { pollJob } from '../../src/async/poller.js'

/**
 * A job whose stdout grows by one scripted append before each check, answered as the wrapper does:
 * the window [max(from, size - cap), size) while it runs, the final tail once it has ended.
 */
function scriptedJob(appends: string[]) {
  let file = Buffer.alloc(0)
  let checks = 0
  const asked: StreamOffsets[] = []
  const jobs = {
    async status(
      _access: unknown,
      jid: string,
      _dir: string,
      _wait: number,
      _become: unknown,
      from?: StreamOffsets
    ): Promise<JobSnapshot> {
      asked.push(from ?? { stdout: 0, stderr: 0 })
      const append = appends[checks++]
      if (append !== undefined) file = Buffer.concat([file, Buffer.from(append)])
      const running = checks < appends.length
      const size = file.length
      const start = Math.max(running ? (from?.stdout ?? 0) : 0, size - OUTPUT_CAP_BYTES, 0)
      return {
        jid,
        state: running ? 'running' : 'finished',
        rc: 0,
        pid: 5,
        start: 1,
        end: 2,
        stdout: file.subarray(start),
        stdoutStart: start,
        stdoutSize: size,
        stderr: Buffer.alloc(0),
        stderrStart: 0,
        stderrSize: 0
      }
    },
    forget() {},
    async cleanup() {
      return true
    }
  }
  return { jobs: jobs as unknown as AsyncJobs, asked }
}

async function poll(
  jobs: AsyncJobs
): Promise<{ lines: string[]; result: Record<string, unknown> }> {
  const lines: string[] = []
  const result = await pollJob({
    access: { host: 'web1', connection: () => Promise.reject(new Error('unused')) },
    jobs,
    reconnect: () => Promise.resolve(),
    launch: { ansible_job_id: 'j1.5', results_file: '/d/j1.5' },
    dir: '/d',
    asyncSeconds: 600,
    pollSeconds: 1,
    launchedAt: Date.now(),
    onOutput: (stream, line) => lines.push(`${stream}: ${line}`),
    onNotice: () => undefined,
    sleep: () => Promise.resolve(),
    aborted: () => false
  })
  return { lines, result }
}

describe('pollJob live output', () => {
  it('holds a partial line until its newline, and asks only for bytes not shown yet', async () => {
    const { jobs, asked } = scriptedJob(['one\ntw', 'o\nthr', 'ee', '\nfour\nfi', 've'])
    const { lines, result } = await poll(jobs)
    expect(lines).toEqual(['one', 'two', 'three', 'four', 'five'].map((l) => `stdout: ${l}`))
    expect(asked.map((a) => a.stdout)).toEqual([0, 4, 8, 8, 19])
    expect(result['stdout']).toBe('one\ntwo\nthree\nfour\nfive')
  })

  it('says how much was skipped when more than the cap arrived between two checks', async () => {
    const line = `${'x'.repeat(1023)}\n`
    const flood = line.repeat(2048) // 2 MiB of whole lines
    const { jobs } = scriptedJob(['first\n', flood, 'last\n'])
    const { lines } = await poll(jobs)
    expect(lines[0]).toBe('stdout: first')
    expect(lines[1]).toBe(
      `stdout: [… ${flood.length - OUTPUT_CAP_BYTES} bytes of output not shown: more than ${OUTPUT_CAP_BYTES} arrived between two checks …]`
    )
    expect(lines.slice(2, -1)).toEqual(Array(1024).fill(`stdout: ${'x'.repeat(1023)}`))
    expect(lines.at(-1)).toBe('stdout: last')
  })
})
