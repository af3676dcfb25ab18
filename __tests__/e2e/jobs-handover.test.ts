// End to end: handing many jobs from one step to the next the way the runner does it. The runner passes
// every input (INPUT_JOBS) and every saved state value (STATE_*) as an environment variable, and Linux
// refuses to start a process with one variable over 128 KiB (E2BIG): so the `jobs` output must fit one
// input, and the post step's saved state must not hold the jobs themselves.
import { randomBytes } from 'node:crypto'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseCommandFile, runAction } from '../helpers/action.js'
import { sshdInventory } from '../helpers/engine.js'
import { startSshd, type SshdFixture } from '../helpers/sshd.js'

/** The longest value one environment variable named INPUT_JOBS can carry (MAX_ARG_STRLEN with its NUL). */
const INPUT_JOBS_LIMIT = 128 * 1024 - 'INPUT_JOBS='.length - 1

let sshd: SshdFixture
let work: string
let inventory: string
let asyncDir: string | undefined

const HOSTS = Array.from({ length: 50 }, (_, i) => `node${String(i + 1).padStart(2, '0')}`)

beforeAll(async () => {
  sshd = await startSshd({ name: 'e2e-handover' })
  work = mkdtempSync(path.join(tmpdir(), 'apb-e2e-handover-'))
  // 50 inventory hosts, all the test sshd. Their jobs go to a directory of their own (created by the
  // login user on first launch), removed afterwards: thousands of job files stay out of the shared one.
  asyncDir = path.join(tmpdir(), `apb-handover-${randomBytes(6).toString('hex')}`)
  inventory = sshdInventory(sshd, {
    hosts: HOSTS,
    group: 'fleet',
    // 50 logins at once to one sshd: on a loaded machine the handshakes queue for the CPU for longer
    // than the 10 s default, which would test the machine's load, not the handover.
    extra: `ansible_async_dir=${asyncDir}/jobs\nansible_timeout=60`
  })
  writeFileSync(
    path.join(work, 'fan-out.yml'),
    `- hosts: fleet
  gather_facts: false
  tasks:
    - name: fan out
      command: "true"
      async: 600
      poll: 0
      loop: "{{ range(40) | list }}"
      register: fan
`
  )
})
afterAll(async () => {
  await sshd?.stop()
  if (asyncDir) rmSync(asyncDir, { recursive: true, force: true })
})

const common = (): Record<string, string> => ({
  inventory,
  'known-hosts': readFileSync(sshd.knownHostsPath, 'utf8'),
  forks: '50'
})

describe('2,000 outstanding jobs (50 hosts × 40 looped jobs)', () => {
  it('fire, gather in a fresh step through the jobs input, and the post step: each starts and succeeds', async () => {
    const fire = await runAction(work, {
      ...common(),
      playbook: 'fan-out.yml',
      'on-cancel': 'kill'
    })
    expect(fire.code, fire.stdout.slice(-2000)).toBe(0)
    const stats = JSON.parse(fire.outputs['stats']!)
    expect(Object.keys(stats)).toHaveLength(50)
    const results = JSON.parse(readFileSync(fire.outputs['results-file']!, 'utf8'))
    const launched = Object.values(results.jobs as Record<string, object>).reduce(
      (n: number, byHost) => n + Object.keys(byHost).length,
      0
    )
    expect(launched).toBe(2000)
    const handover = fire.outputs['jobs']!

    // A fresh process, as a later job would run it: the jobs come in through INPUT_JOBS (before the
    // fix, the step could not even be started: spawn E2BIG). Every job ended at once (`true`): the
    // timeout only catches a hang, well before their async time.
    const gather = await runAction(work, { ...common(), jobs: handover, timeout: '600' })
    expect(gather.code, gather.stdout.slice(-2000)).toBe(0)
    const gathered = JSON.parse(gather.outputs['stats']!)
    expect(Object.keys(gathered).sort()).toEqual(HOSTS)
    // Each host's 40 jobs come back as one loop result (counted once, as a looped async_status), item
    // by item: every job's own result is kept.
    for (const host of HOSTS) expect(gathered[host]).toMatchObject({ ok: 1, changed: 1, failed: 0 })
    const gatheredDoc = JSON.parse(readFileSync(gather.outputs['results-file']!, 'utf8'))
    for (const task of gatheredDoc.plays[0].tasks)
      for (const host of HOSTS) {
        const items = task.results[host]?.result?.results ?? []
        expect(items).toHaveLength(40)
        expect(new Set(items.map((r: { ansible_job_id: string }) => r.ansible_job_id)).size).toBe(
          40
        )
      }
    const changedLines = gather.stdout.split('\n').filter((l) => /changed: \[node\d\d\]/.test(l))
    expect(changedLines).toHaveLength(2000)
    expect(JSON.parse(gather.outputs['jobs']!)).toEqual({})
    // The jobs output fits in one input, with room to spare.
    expect(Buffer.byteLength(handover)).toBeLessThanOrEqual(INPUT_JOBS_LIMIT)

    // The saved state holds the path of a 0600 file, not the jobs. The post step starts with it (before
    // the fix: spawn E2BIG), succeeds, and removes that file.
    const state = readFileSync(fire.state, 'utf8')
    const saved = parseCommandFile(state)['launchedJobsFile']
    const mode = saved && existsSync(saved) ? statSync(saved).mode & 0o777 : undefined
    const post = await runAction(
      work,
      { ...common(), 'on-cancel': 'kill' },
      { entry: 'post', stateFrom: fire.state }
    )
    expect(post.code).toBe(0)
    expect(post.stdout).not.toContain('::warning')
    expect(state.length).toBeLessThan(4096)
    expect(mode).toBe(0o600)
    expect(existsSync(saved!)).toBe(false)
  }, 1_800_000)
})

describe('past what fits one input', () => {
  it('fails the step pointing to results-file and an artifact; that file, given to the jobs input by path, gathers every job', async () => {
    // 40 jobs whose loop items nobody can compress: their document cannot fit in one input.
    const blobs = Array.from({ length: 40 }, () => randomBytes(4096).toString('base64'))
    writeFileSync(
      path.join(work, 'blobs.yml'),
      `blobs:\n${blobs.map((b) => `  - ${b}`).join('\n')}\n`
    )
    writeFileSync(
      path.join(work, 'blobs-play.yml'),
      `- hosts: node01
  gather_facts: false
  vars_files: [blobs.yml]
  tasks:
    - name: one job per blob
      command: "true"
      async: 600
      poll: 0
      loop: "{{ blobs }}"
      register: per_blob
`
    )
    mkdirSync(path.join(work, 'handover'), { recursive: true })
    const fire = await runAction(work, {
      ...common(),
      playbook: 'blobs-play.yml',
      'results-file': 'handover/results.json'
    })
    expect(fire.code).toBe(1)
    expect(fire.outputs['jobs']).toBe('')
    expect(fire.outputs['ok']).toBe('true')
    expect(fire.stdout).toMatch(
      /^::error::The 40 background jobs still running do not fit in the 'jobs' output/m
    )
    expect(fire.stdout).toMatch(/results file .*handover\/results\.json.*actions\/upload-artifact/)
    expect(fire.stdout).toMatch(/give the file's path to the 'jobs' input/)

    // The artifact route: the results file, by its path in the workspace.
    const gather = await runAction(work, {
      ...common(),
      jobs: 'handover/results.json',
      timeout: '300'
    })
    expect(gather.code, gather.stdout.slice(-2000)).toBe(0)
    expect(JSON.parse(gather.outputs['stats']!).node01).toMatchObject({ ok: 1, failed: 0 })
    const results = JSON.parse(readFileSync(gather.outputs['results-file']!, 'utf8'))
    expect(results.plays[0].tasks[0].results.node01.result.results).toHaveLength(40)
  }, 300_000)

  it('refuses a jobs input that is neither a document nor a file, naming the input', async () => {
    const step = await runAction(work, { ...common(), jobs: 'handover/missing.json' })
    expect(step.code).toBe(1)
    expect(step.stdout).toMatch(
      /::error::Input 'jobs': 'handover\/missing\.json' is not a jobs document, and there is no such file/
    )
  })
})

describe('the post step', () => {
  it('copes with a saved jobs file that is gone: a warning, and the step still succeeds', async () => {
    const state = path.join(work, 'state-gone')
    writeFileSync(
      state,
      `cancelled<<EOF\ntrue\nEOF\nlaunchedJobsFile<<EOF\n${path.join(work, 'no-such-file.json')}\nEOF\n`
    )
    const post = await runAction(
      work,
      { ...common(), 'on-cancel': 'kill' },
      { entry: 'post', stateFrom: state }
    )
    expect(post.code).toBe(0)
    expect(post.stdout).toMatch(
      /::warning::post step: cannot read the jobs this step launched from .*no-such-file\.json.*so they were not stopped/
    )
  })
})
