// Integration: async/poll, async_status and jobs that outlive the run, against a real OpenSSH sshd.
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  entryOf,
  recordedEndMs,
  resultOf,
  runCaptured,
  sshdInventory,
  sshdSettings,
  timestampMs,
  whenPrinted
} from '../helpers/engine.js'
import { awaitProcess, findProcess, signalGroup, signalProcess } from '../helpers/processes.js'
import { startSshd, type SshdFixture } from '../helpers/sshd.js'

let sshd: SshdFixture
let inventory: string

/** Processes of the test user whose command line contains `text`. */
function remoteProcesses(text: string): string {
  return spawnSync('pgrep', ['-u', sshd.user, '-af', text], { encoding: 'utf8' }).stdout.trim()
}

beforeAll(async () => {
  sshd = await startSshd({ name: 'async' })
  inventory = sshdInventory(sshd, { hosts: ['web1', 'web2'] })
})
afterAll(async () => sshd?.stop())

const play = (tasks: string, hosts = 'web'): string =>
  `- hosts: ${hosts}\n  gather_facts: false\n  tasks:\n${tasks}`

/**
 * A gate a job waits at until a later task opens it (`touch`), so the job is surely still running when
 * that task looks, however slow the machine: `wait` is shell text for the job, `path` the file to
 * create (append `-{{ inventory_hostname }}` for one gate per host). In /tmp, where the login user can
 * write; `remove()` cleans up.
 */
function gate(): { path: string; remove: () => void } {
  const path = `/tmp/apb-gate-${randomBytes(6).toString('hex')}`
  return {
    path,
    remove: () => {
      for (const host of ['', '-web1', '-web2']) rmSync(`${path}${host}`, { force: true })
    }
  }
}

describe('async with poll > 0', () => {
  it('seed example 1: the job is killed on the target at the async limit and the task fails as in Ansible', async () => {
    const tag = `apbseed1${Date.now()}`
    const out = await runCaptured(
      sshdSettings(
        sshd,
        play(`    - name: first task sleep 10
      shell: sleep 10 # ${tag}
      async: 5
      poll: 3
    - name: second task sleep 5
      shell: sleep 5
`),
        inventory
      )
    )
    expect(out.exitCode).toBe(2)
    const r = resultOf(out, 'first task sleep 10', 'web1')
    expect(r).toMatchObject({
      failed: true,
      changed: false,
      msg: 'async task did not complete within the requested time - 5s'
    })
    expect(r['async_result']).toMatchObject({ msg: 'Timeout exceeded', finished: 1, failed: true })
    // The controller's record, not the test's clock: it waited for the whole 5 s limit. (That the job
    // was stopped there, not by its sleep's end, is what 'Timeout exceeded' and the empty process table
    // say.)
    expect(entryOf(out, 'first task sleep 10', 'web1').duration_ms).toBeGreaterThanOrEqual(5_000)
    expect(
      out.document.plays[0]!.tasks.find((t) => t.name === 'second task sleep 5')
    ).toBeUndefined()
    expect(out.document.stats['web2']).toMatchObject({ failed: 1, ok: 0 })
    expect(remoteProcesses(tag)).toBe('')
  })

  it('returns the job result as soon as it ends, streams its output live, and removes its files', async () => {
    const out = await runCaptured(
      sshdSettings(
        sshd,
        play(
          `    - name: slow job
      shell: echo first; sleep 1; echo second >&2; sleep 1; echo third; exit 0
      async: 30
      poll: 10
      register: r
`,
          'web1'
        ),
        inventory
      )
    )
    expect(out.exitCode).toBe(0)
    const r = resultOf(out, 'slow job', 'web1')
    // poll is 10 s, but completion is noticed at once: the controller recorded the task done soon after
    // the job's own recorded end (a check every 10 s would come ~8 s after it). The latency itself is
    // `npm run bench`'s to measure.
    expect(recordedEndMs(out, 'slow job', 'web1') - timestampMs(r['end'])).toBeLessThan(5_000)
    expect(r).toMatchObject({
      rc: 0,
      stdout: 'first\nthird',
      stderr: 'second',
      finished: 1,
      started: 1,
      changed: true,
      failed: false
    })
    expect(r['ansible_job_id']).toMatch(/^j\d+\.\d+$/)
    expect(r['cmd']).toBe('echo first; sleep 1; echo second >&2; sleep 1; echo third; exit 0')
    expect(existsSync(String(r['results_file']))).toBe(false)
    expect(out.output).toContain('[web1] slow job | first')
    expect(out.output).toContain('[web1] slow job | stderr: second')
  })
})

describe('fire and forget (poll: 0) and async_status', () => {
  it('seed example 2: the play moves on while the job sleeps; the launch record is Ansible’s', async () => {
    // The job runs until the second task opens its gate: the second task can only run, and find the
    // job's record saying running, if the play moved on without waiting for the job.
    const { path: gatePath, remove } = gate()
    const out = await runCaptured(
      sshdSettings(
        sshd,
        play(`    - name: first task sleep 10
      shell: while [ ! -e ${gatePath}-{{ inventory_hostname }} ]; do sleep 0.1; done
      async: 20
      poll: 0
      register: launched
    - name: second task
      shell: "grep -x state=running {{ launched.results_file }}; touch ${gatePath}-{{ inventory_hostname }}"
      register: seen
`),
        inventory
      )
    ).finally(remove)
    expect(out.exitCode).toBe(0)
    const launch = resultOf(out, 'first task sleep 10', 'web1')
    expect(Object.keys(launch).sort()).toEqual([
      'ansible_job_id',
      'changed',
      'failed',
      'finished',
      'results_file',
      'started'
    ])
    expect(launch).toMatchObject({ started: 1, finished: 0, changed: true, failed: 0 })
    expect(String(launch['results_file'])).toMatch(/^\/.*\/\.ansible_async\/j\d+\.\d+$/)
    expect(resultOf(out, 'second task', 'web1')['stdout']).toBe('state=running')
    expect(out.document.jobs['web1']?.['launched']).toMatchObject({
      ansible_job_id: launch['ansible_job_id'],
      async: 20
    })
  })

  it('seed example 3: async_status with until gathers the job, with Ansible fields, promptly', async () => {
    const out = await runCaptured(
      sshdSettings(
        sshd,
        play(`    - name: first task
      shell: sleep 4; echo done
      async: 20
      poll: 0
      register: first_task_status
    - name: second task
      shell: sleep 1
    - name: until_async_status
      async_status:
        jid: "{{ first_task_status.ansible_job_id }}"
      register: job_result
      until: job_result is finished
      delay: 15
`),
        inventory
      )
    )
    expect(out.exitCode).toBe(0)
    const r = resultOf(out, 'until_async_status', 'web2')
    // Promptly: the controller recorded the task done soon after the job's own recorded end, not a
    // 15 s delay later (the delay is long so that the two cannot be confused on a slow machine).
    expect(recordedEndMs(out, 'until_async_status', 'web2') - timestampMs(r['end'])).toBeLessThan(
      7_500
    )
    expect(r).toMatchObject({
      finished: 1,
      started: 1,
      rc: 0,
      stdout: 'done',
      stdout_lines: ['done'],
      cmd: 'sleep 4; echo done',
      failed: false
    })
    for (const field of [
      'start',
      'end',
      'delta',
      'stderr',
      'stderr_lines',
      'msg',
      'results_file',
      'ansible_job_id'
    ]) {
      expect(r, field).toHaveProperty(field)
    }
    expect(out.document.jobs).toEqual({})
  })

  it('returns the output so far for a job that is still running', async () => {
    // The job waits at a gate after its first line until the play has peeked.
    const { path: gatePath, remove } = gate()
    const out = await runCaptured(
      sshdSettings(
        sshd,
        play(
          `    - shell: echo early; while [ ! -e ${gatePath} ]; do sleep 0.1; done; echo late
      async: 30
      poll: 0
      register: j
    - name: peek
      async_status: jid={{ j.ansible_job_id }}
      register: p
      until: p.stdout == 'early'
      retries: 100
      delay: 0
    - name: open the gate
      command: touch ${gatePath}
    - name: gather
      async_status: jid={{ j.ansible_job_id }}
      register: g
      until: g is finished
      retries: 60
      delay: 1
`,
          'web1'
        ),
        inventory
      )
    ).finally(remove)
    expect(out.exitCode).toBe(0)
    expect(resultOf(out, 'peek', 'web1')).toMatchObject({
      finished: 0,
      started: 1,
      stdout: 'early',
      stdout_lines: ['early']
    })
    expect(resultOf(out, 'gather', 'web1')).toMatchObject({ finished: 1, stdout: 'early\nlate' })
  })

  it('fails the async_status task when the job failed, with its rc and output', async () => {
    const out = await runCaptured(
      sshdSettings(
        sshd,
        play(
          `    - shell: echo out; echo err >&2; exit 3
      async: 10
      poll: 0
      register: j
    - name: gather
      async_status:
        jid: "{{ j.ansible_job_id }}"
      register: g
      until: g.finished
      retries: 60
      delay: 1
`,
          'web1'
        ),
        inventory
      )
    )
    expect(out.exitCode).toBe(2)
    expect(resultOf(out, 'gather', 'web1')).toMatchObject({
      failed: true,
      finished: 1,
      rc: 3,
      stdout: 'out',
      stderr: 'err',
      msg: 'non-zero return code'
    })
  })

  it('reports an unknown job id, refuses a hostile one, and cleans up', async () => {
    const marker = `/tmp/apb-pwned-${Date.now()}`
    const out = await runCaptured(
      sshdSettings(
        sshd,
        play(
          `    - name: unknown
      async_status: jid=j123456.789
      ignore_errors: true
    - name: hostile
      async_status:
        jid: "j1.1; touch ${marker}"
      ignore_errors: true
    - shell: echo hi
      async: 10
      poll: 0
      register: j
    - name: wait
      async_status: jid={{ j.ansible_job_id }}
      register: w
      until: w is finished
      retries: 60
      delay: 1
    - name: cleanup
      async_status:
        jid: "{{ j.ansible_job_id }}"
        mode: cleanup
      register: c
    - name: after cleanup
      async_status: jid={{ j.ansible_job_id }}
      ignore_errors: true
`,
          'web1'
        ),
        inventory
      )
    )
    expect(resultOf(out, 'unknown', 'web1')).toMatchObject({
      failed: true,
      msg: 'could not find job',
      finished: 1,
      started: 1
    })
    expect(String(resultOf(out, 'hostile', 'web1')['msg'])).toContain("invalid job id 'j1.1; touch")
    expect(existsSync(marker)).toBe(false)
    if (!out.output.includes('TASK [cleanup]')) console.log(out.output)
    const c = resultOf(out, 'cleanup', 'web1')
    expect(c).toMatchObject({ changed: false, started: 0, finished: 0 })
    expect(c['erased']).toBe(resultOf(out, 'wait', 'web1')['results_file'])
    expect(existsSync(String(c['erased']))).toBe(false)
    expect(resultOf(out, 'after cleanup', 'web1')).toMatchObject({
      failed: true,
      msg: 'could not find job'
    })
    expect(out.exitCode).toBe(0)
  })

  it('reads a job killed with kill -9 as finished and failed, never as running', async () => {
    const tag = `apbkill${Date.now()}`
    const first = await runCaptured(
      sshdSettings(
        sshd,
        play(
          `    - shell: sleep 60 # ${tag}\n      async: 120\n      poll: 0\n      register: j\n`,
          'web1'
        ),
        inventory
      )
    )
    const file = String(resultOf(first, 'shell', 'web1')['results_file'])
    const record = readFileSync(file, 'utf8')
    const supervisor = /supervisor=(\d+)/.exec(record)![1]!
    const pgid = /pgid=(\d+)/.exec(record)![1]!
    // Signalled only while the recorded pids are still that supervisor and job (helpers/processes.ts).
    const supervisorProcess = findProcess(Number(supervisor), /apb-job supervise /)
    const jobProcess = await awaitProcess(Number(pgid), /sleep 60/, { leader: true })
    expect(supervisorProcess && signalProcess(supervisorProcess, 'SIGKILL')).toBe(true)
    expect(jobProcess && signalGroup(jobProcess, 'SIGKILL')).toBe(true)
    const doc = JSON.stringify(first.document)
    const second = await runCaptured(
      sshdSettings(
        sshd,
        play(
          `    - name: check\n      async_status: jid={{ j.ansible_job_id }}\n      register: s\n      until: s is finished\n      retries: 2\n      delay: 1\n`,
          'web1'
        ),
        inventory,
        {
          jobs: { text: doc, source: 'first.json' }
        }
      )
    )
    const s = resultOf(second, 'check', 'web1')
    expect(s).toMatchObject({ failed: true, finished: 1, died: true })
    expect(String(s['msg'])).toContain('died')
    expect(remoteProcesses(tag)).toBe('')
  })

  it('honours ansible_async_dir, creating it 0700, and finds the job there whatever HOME is', async () => {
    const dir = `${sshd.tmpDir}/jobs-${Date.now()}`
    spawnSync('chmod', ['777', sshd.tmpDir])
    const out = await runCaptured(
      sshdSettings(
        sshd,
        `- hosts: web1
  gather_facts: false
  vars:
    ansible_async_dir: ${dir}/nested
  tasks:
    - shell: echo x
      async: 10
      poll: 0
      register: j
    - name: gather
      async_status: jid={{ j.ansible_job_id }}
      environment:
        HOME: /nonexistent
      register: g
      until: g is finished
      retries: 60
      delay: 1
`,
        inventory
      )
    )
    if (out.exitCode !== 0) console.log(out.output)
    expect(out.exitCode).toBe(0)
    expect(resultOf(out, 'gather', 'web1')['results_file']).toMatch(
      new RegExp(`^${dir}/nested/j\\d+\\.\\d+$`)
    )
    expect(statSync(`${dir}/nested`).mode & 0o777).toBe(0o700)
  })

  it('gathers many concurrent jobs on one host', async () => {
    const out = await runCaptured(
      sshdSettings(
        sshd,
        play(
          `    - shell: sleep 1; echo {{ item }}
      async: 30
      poll: 0
      loop: "{{ range(20) | list }}"
      register: launched
    - name: gather
      async_status:
        jid: "{{ item.ansible_job_id }}"
      loop: "{{ launched.results }}"
      register: done
      until: done is finished
      retries: 60
      delay: 1
`,
          'web1'
        ),
        inventory
      )
    )
    expect(out.exitCode).toBe(0)
    const results = resultOf(out, 'gather', 'web1')['results'] as Array<Record<string, unknown>>
    expect(results.map((r) => r['stdout'])).toEqual(Array.from({ length: 20 }, (_, i) => String(i)))
  })

  it('keeps an async_status until-loop going through an sshd stop and start, and gets the true result', async () => {
    // The sshd goes down once the until-loop has begun (not at a time the launch might not have
    // reached on a slow machine) and stays down for 2 s.
    const gathering = whenPrinted((output) => output.includes('TASK [gather]'))
    const bounce = gathering.printed.then(async () => {
      sshd.kill()
      await new Promise((resolve) => setTimeout(resolve, 2000))
      await sshd.restart()
    })
    const out = await runCaptured(
      sshdSettings(
        sshd,
        play(
          `    - shell: sleep 5; echo through
      async: 60
      poll: 0
      register: j
    - name: gather
      async_status: jid={{ j.ansible_job_id }}
      register: g
      until: g is finished
      retries: 60
      delay: 1
`,
          'web1'
        ),
        inventory
      ),
      { onOutput: gathering.onOutput }
    )
    await bounce
    if (out.exitCode !== 0) console.log(out.output)
    expect(out.exitCode).toBe(0)
    expect(resultOf(out, 'gather', 'web1')).toMatchObject({ rc: 0, stdout: 'through', finished: 1 })
    expect(out.document.stats['web1']).toMatchObject({ unreachable: 0, failed: 0 })
  })

  it('keeps polling through an sshd restart and still gets the true result', async () => {
    // Restarted once the job is launched and being polled (its first poll answered "running").
    const polling = whenPrinted((output) => output.includes('ASYNC POLL on web1'))
    const restart = polling.printed.then(() => sshd.restart())
    const out = await runCaptured(
      sshdSettings(
        sshd,
        play(
          `    - name: survives
      shell: sleep 4; echo survived
      async: 30
      poll: 1
`,
          'web1'
        ),
        inventory
      ),
      { onOutput: polling.onOutput }
    )
    await restart
    if (out.exitCode !== 0) console.log(out.output)
    expect(out.exitCode).toBe(0)
    expect(resultOf(out, 'survives', 'web1')).toMatchObject({
      rc: 0,
      stdout: 'survived',
      finished: 1
    })
  })
})
