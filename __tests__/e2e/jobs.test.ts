// End to end: jobs that outlive the run, and the ad-hoc form, with the bundled dist/cli.js.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeCompactJobs } from '../../src/async/jobs-encoding.js'
import { sshdInventory } from '../helpers/engine.js'
import { startSshd, type SshdFixture } from '../helpers/sshd.js'

const CLI = path.resolve('dist/cli.js')
let sshd: SshdFixture
let work: string

interface Ran {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Runs the CLI; `killWhen` SIGKILLs it once its stdout so far satisfies it (a point of the run). */
function runCli(
  args: string[],
  options: { killWhen?: (stdout: string) => boolean } = {}
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [CLI, ...args, '-i', 'inventory.ini', '--known-hosts', sshd.knownHostsPath],
      { cwd: work }
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
      if (options.killWhen?.(stdout)) child.kill('SIGKILL')
    })
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
}

beforeAll(async () => {
  sshd = await startSshd({ name: 'e2e-jobs' })
  work = mkdtempSync(path.join(tmpdir(), 'apb-e2e-jobs-'))
  writeFileSync(path.join(work, 'inventory.ini'), sshdInventory(sshd, { hosts: ['web1', 'web2'] }))
})
afterAll(async () => sshd?.stop())

describe('jobs that outlive the run', () => {
  it('run 1 fires jobs, run 2 is SIGKILLed mid-run, run 3 still gathers every true result', async () => {
    writeFileSync(
      path.join(work, 'fire.yml'),
      `- hosts: web
  gather_facts: false
  tasks:
    - name: migrate
      shell: sleep 3; echo migrated {{ inventory_hostname }}; test {{ inventory_hostname }} = web1
      async: 120
      poll: 0
      register: migration
`
    )
    const run1 = await runCli(['fire.yml', '--json', 'run1.json'])
    expect(run1.code).toBe(0)
    const doc1 = JSON.parse(readFileSync(path.join(work, 'run1.json'), 'utf8'))
    expect(Object.keys(doc1.jobs).sort()).toEqual(['web1', 'web2'])
    expect(doc1.jobs.web1.migration).toMatchObject({
      started: 1,
      finished: 0,
      task: 'migrate',
      file: 'fire.yml',
      line: 4,
      async: 120
    })
    expect(doc1.jobs.web1.migration.ansible_job_id).toMatch(/^j\d+\.\d+$/)

    // A later run uses the registered launch records, and is killed with SIGKILL while it waits.
    writeFileSync(
      path.join(work, 'use.yml'),
      `- hosts: web
  gather_facts: false
  tasks:
    - name: the restored record is there
      debug: msg="{{ migration.ansible_job_id }}"
    - name: long
      shell: sleep 30
`
    )
    const run2 = await runCli(['use.yml', '--jobs', 'run1.json'], {
      killWhen: (stdout) => stdout.includes('TASK [long]')
    })
    expect(run2.signal).toBe('SIGKILL')
    expect(run2.stdout).toContain(`"msg": "${doc1.jobs.web1.migration.ansible_job_id}"`)

    const run3 = await runCli(['--jobs', 'run1.json', '--timeout', '60', '--json', 'run3.json'])
    expect(run3.code).toBe(2)
    const doc3 = JSON.parse(readFileSync(path.join(work, 'run3.json'), 'utf8'))
    const gathered = doc3.plays[0].tasks[0]
    expect(gathered.results.web1).toMatchObject({
      status: 'changed',
      result: { rc: 0, stdout: 'migrated web1', finished: 1 }
    })
    expect(gathered.results.web2).toMatchObject({
      status: 'failed',
      result: { rc: 1, stdout: 'migrated web2', finished: 1 }
    })
    expect(doc3.stats.web2).toMatchObject({ failed: 1 })
    expect(doc3.jobs).toEqual({})
  })

  it('hands over every job of a looped launch, and restores the loop result a later run gathers', async () => {
    writeFileSync(
      path.join(work, 'fire-loop.yml'),
      `- hosts: web
  gather_facts: false
  tasks:
    - name: start
      shell: sleep 1; echo done {{ item }} on {{ inventory_hostname }}
      async: 60
      poll: 0
      register: bg
      loop: [a, b]
`
    )
    writeFileSync(
      path.join(work, 'gather-loop.yml'),
      `- hosts: web
  gather_facts: false
  tasks:
    - name: wait
      async_status:
        jid: "{{ item.ansible_job_id }}"
      register: st
      until: st is finished
      retries: 60
      delay: 1
      loop: "{{ bg.results }}"
    - name: show
      debug:
        msg: "{{ st.results | map(attribute='stdout') | join(',') }} / {{ bg.results | map(attribute='item') | join(',') }}"
`
    )
    const fired = await runCli(['fire-loop.yml', '--json', 'loop.json'])
    expect(fired.code).toBe(0)
    const jobs = JSON.parse(readFileSync(path.join(work, 'loop.json'), 'utf8')).jobs
    expect(Object.keys(jobs.web1)).toEqual(['bg[0]', 'bg[1]'])
    expect(jobs.web1['bg[1]']).toMatchObject({ item: 'b', loop_var: 'item' })
    const gathered = await runCli(['gather-loop.yml', '--jobs', 'loop.json'])
    expect(gathered.code).toBe(0)
    expect(gathered.stdout).toContain('"msg": "done a on web1,done b on web1 / a,b"')
    expect(gathered.stdout).toContain('"msg": "done a on web2,done b on web2 / a,b"')
  }, 180_000)

  it('gathers a looped launch without a playbook as one loop result per host, every item kept', async () => {
    writeFileSync(
      path.join(work, 'fire-items.yml'),
      `- hosts: web
  gather_facts: false
  tasks:
    - name: items
      shell: echo {{ item }} on {{ inventory_hostname }}; test "{{ item }}{{ inventory_hostname }}" != cweb2
      async: 60
      poll: 0
      register: many
      loop: [a, b, c]
`
    )
    const fired = await runCli(['fire-items.yml', '--json', 'items.json'])
    expect(fired.code).toBe(0)
    const gathered = await runCli(['--jobs', 'items.json', '--json', 'items-gathered.json'])
    // One item failed on web2: the host fails, and every item's own result is there.
    expect(gathered.code).toBe(2)
    const doc = JSON.parse(readFileSync(path.join(work, 'items-gathered.json'), 'utf8'))
    const task = doc.plays[0].tasks.find((t: { name: string }) => t.name === 'gather many')
    const web1 = task.results.web1.result
    const web2 = task.results.web2.result
    expect(web1.results.map((r: { stdout: string }) => r.stdout)).toEqual([
      'a on web1',
      'b on web1',
      'c on web1'
    ])
    expect(web1.results.map((r: { item: string }) => r.item)).toEqual(['a', 'b', 'c'])
    expect(web1).toMatchObject({ changed: true, msg: 'All items completed' })
    expect(web1.failed).toBeUndefined()
    expect(web2.results.map((r: { rc: number }) => r.rc)).toEqual([0, 0, 1])
    expect(web2).toMatchObject({ failed: true, msg: 'One or more items failed' })
    // One task on each host, as a looped async_status would count it.
    expect(doc.stats.web1).toMatchObject({ ok: 1, changed: 1, failed: 0 })
    expect(doc.stats.web2).toMatchObject({ ok: 0, failed: 1 })
    expect(gathered.stdout).toContain('(item=c)')
  }, 180_000)

  it('fails a gather whose job cannot be found, and refuses a malformed jobs document', async () => {
    writeFileSync(
      path.join(work, 'bogus.json'),
      JSON.stringify({
        web1: { ghost: { ansible_job_id: 'j111111111.222', dir: '/tmp/no-such-dir' } }
      })
    )
    const ghost = await runCli(['--jobs', 'bogus.json', '--timeout', '5'])
    expect(ghost.code).toBe(2)
    expect(ghost.stdout).toContain('could not find job')

    writeFileSync(
      path.join(work, 'evil.json'),
      JSON.stringify({ web1: { x: { ansible_job_id: 'j1.1;reboot', dir: '/tmp' } } })
    )
    const evil = await runCli(['--jobs', 'evil.json'])
    expect(evil.code).toBe(5)
    expect(evil.stderr).toContain("'ansible_job_id' must look like")
  })
})

describe('the compact jobs form', () => {
  it('--jobs reads the action output form (apb1:), from a file or given inline', async () => {
    writeFileSync(
      path.join(work, 'compact.yml'),
      `- hosts: web
  gather_facts: false
  tasks:
    - name: start
      shell: echo compact {{ inventory_hostname }}
      async: 60
      poll: 0
      register: started
`
    )
    for (const how of ['file', 'inline'] as const) {
      const fired = await runCli(['compact.yml', '--json', `compact-${how}.json`])
      expect(fired.code).toBe(0)
      const jobs = JSON.parse(readFileSync(path.join(work, `compact-${how}.json`), 'utf8')).jobs
      const compact = encodeCompactJobs(jobs)
      writeFileSync(path.join(work, 'compact.txt'), `${compact}\n`)
      const gathered = await runCli([
        '--jobs',
        how === 'file' ? 'compact.txt' : compact,
        '--timeout',
        '60',
        '--json',
        `gathered-${how}.json`
      ])
      expect(gathered.code, gathered.stderr).toBe(0)
      const doc = JSON.parse(readFileSync(path.join(work, `gathered-${how}.json`), 'utf8'))
      expect(doc.plays[0].tasks[0].results.web1.result.stdout).toBe('compact web1')
      expect(doc.plays[0].tasks[0].results.web2.result.stdout).toBe('compact web2')
    }
  })
})

describe('ad-hoc', () => {
  it('fires a job with -B/-P 0 and checks it with -m async_status -a "jid=…"', async () => {
    const fired = await runCli([
      'web1',
      '-m',
      'shell',
      '-a',
      'sleep 1; echo adhoc',
      '-B',
      '30',
      '-P',
      '0'
    ])
    expect(fired.code).toBe(0)
    const jid = /"ansible_job_id": "(j\d+\.\d+)"/.exec(fired.stdout)?.[1]
    expect(fired.stdout).toMatch(/^web1 \| CHANGED => \{/)
    expect(jid).toBeDefined()
    let status: Ran
    const deadline = Date.now() + 45_000
    do {
      status = await runCli(['web1', '-m', 'async_status', '-a', `jid=${jid}`])
    } while (!status.stdout.includes('"finished": 1') && Date.now() < deadline)
    expect(status.code).toBe(0)
    expect(status.stdout).toMatch(/^web1 \| CHANGED => \{/)
    expect(status.stdout).toContain('"stdout": "adhoc"')
  })

  it('polls with -B/-P and prints the command output as `ansible` does', async () => {
    const ran = await runCli(['web', '-m', 'command', '-a', 'echo hi', '-B', '10', '-P', '1'])
    expect(ran.code).toBe(0)
    expect(ran.stdout).toMatch(/web1 \| CHANGED => \{/)
    const plain = await runCli(['web2', '-a', 'echo plain'])
    expect(plain.stdout).toBe('web2 | CHANGED | rc=0 >>\nplain\n')
  })
})
