// Faults against a real OpenSSH sshd: a target dying mid-task, hosts that cannot be reached or refuse the
// key, a job directory that cannot be written or is full, two runs on one host at once, and job records
// corrupted under a running job. Each test bounds its run so that a hang fails instead of waiting forever.
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunOutcome } from '../../src/engine.js'
import { resultOf, runCaptured, sshdInventory, sshdSettings } from '../helpers/engine.js'
import { startSshd, unreachablePort, type SshdFixture } from '../helpers/sshd.js'

const isRoot = process.getuid?.() === 0
let primary: SshdFixture
let secondary: SshdFixture
const scratch = path.join(tmpdir(), `apb-faults-${randomBytes(4).toString('hex')}`)

beforeAll(async () => {
  ;[primary, secondary] = await Promise.all([
    startSshd({ name: 'faults-a' }),
    startSshd({ name: 'faults-b' })
  ])
  mkdirSync(scratch, { recursive: true, mode: 0o755 })
  chmodSync(scratch, 0o755)
})
afterAll(async () => {
  await Promise.all([primary?.stop(), secondary?.stop()])
  for (const dir of mounted) spawnSync('umount', ['-l', dir])
  rmSync(scratch, { recursive: true, force: true })
  for (const dir of cleanup) {
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 })
  }
})

const mounted: string[] = []
const cleanup: string[] = []
const marker = (): string => `apb-fault-${randomBytes(6).toString('hex')}`

/** Runs with a hard deadline: a run that hangs fails the test with what it printed so far. */
async function bounded(
  promise: Promise<RunOutcome & { output: string }>,
  ms: number
): Promise<RunOutcome & { output: string }> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the run did not finish within ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([promise, deadline])
  } finally {
    clearTimeout(timer)
  }
}

/** Processes of the login user whose command line holds `text`. */
function processesWith(user: string, text: string): number[] {
  const r = spawnSync('pgrep', ['-u', user, '-f', text], { encoding: 'utf8' })
  return r.stdout.split('\n').filter(Boolean).map(Number)
}

async function waitFor(what: string, condition: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** Two hosts on the primary sshd, one on the secondary, as one inventory. */
function twoSshdInventory(extra = ''): string {
  const a = sshdInventory(primary, { hosts: ['web1', 'web2'] })
  return [
    a.split('[all:vars]')[0]!.trimEnd(),
    '[other]',
    `web3 ansible_host=${secondary.host} ansible_port=${secondary.port} ansible_ssh_private_key_file=${secondary.clientKeyPath}`,
    '[all:vars]',
    `ansible_user=${primary.user}`,
    `ansible_ssh_private_key_file=${primary.clientKeyPath}`,
    extra
  ].join('\n')
}

function knownHostsFile(): string {
  const file = path.join(scratch, `known_hosts-${randomBytes(3).toString('hex')}`)
  writeFileSync(file, `${primary.knownHostsLine}\n${secondary.knownHostsLine}\n`)
  return file
}

describe('a target dies mid-task', () => {
  it('hosts on a killed sshd become unreachable; a host on another sshd finishes its later tasks', async () => {
    const tag = marker()
    const run = runCaptured(
      sshdSettings(
        primary,
        `- hosts: all
  gather_facts: false
  tasks:
    - name: long
      shell: sleep 5; echo ${tag}-{{ inventory_hostname }}
    - name: after
      command: echo after-{{ inventory_hostname }}
      register: after
    - name: last
      debug: msg=done
`,
        twoSshdInventory(),
        {
          connection: {
            knownHostsPath: knownHostsFile(),
            hostKeyChecking: 'strict',
            connectTimeoutMs: 30_000
          }
        }
      )
    )
    await waitFor('the sleeps on web1 and web2', () =>
      ['web1', 'web2'].every((h) => processesWith(primary.user, `${tag}-${h}`).length > 0)
    )
    const started = Date.now()
    primary.kill()
    const out = await bounded(run, 30_000)
    try {
      expect(Date.now() - started).toBeLessThan(25_000)
      for (const host of ['web1', 'web2']) {
        const result = resultOf(out, 'long', host)
        expect(result['unreachable']).toBe(true)
        expect(String(result['msg'])).toMatch(/connection|closed|reset|lost|unreachable/i)
        expect(out.document.stats[host]).toMatchObject({ unreachable: 1, failed: 0 })
      }
      expect(resultOf(out, 'after', 'web3')['stdout']).toBe('after-web3')
      expect(out.document.stats['web3']).toMatchObject({
        ok: 3,
        changed: 2,
        unreachable: 0,
        failed: 0
      })
      expect(out.output).toMatch(/fatal: \[web1\]: UNREACHABLE!/)
      expect(out.output).toMatch(/web3\s+: ok=3\s+changed=2\s+unreachable=0\s+failed=0/)
      expect(out.output).toMatch(/web1\s+: ok=0\s+changed=0\s+unreachable=1\s+failed=0/)
      expect(out.exitCode).not.toBe(0)
    } finally {
      await primary.restart()
    }
  }, 360_000)
})

describe('hosts that cannot be reached or refuse the key', () => {
  it('are reported per host, and the other hosts proceed', async () => {
    const deadPort = await unreachablePort()
    const wrongKey = path.join(scratch, `wrong-key-${randomBytes(3).toString('hex')}`)
    const keygen = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', wrongKey])
    expect(keygen.status).toBe(0)
    const inventory = sshdInventory(primary, {
      hosts: ['good'],
      unreachable: [{ name: 'down', port: deadPort }],
      extra: `[badkey]\nrefused ansible_host=${primary.host} ansible_port=${primary.port} ansible_ssh_private_key_file=${wrongKey}`
    })
    const out = await bounded(
      runCaptured(
        sshdSettings(
          primary,
          `- hosts: all
  gather_facts: false
  tasks:
    - name: hello
      command: echo hello-{{ inventory_hostname }}
      register: hello
    - name: again
      command: echo again
`,
          inventory
        )
      ),
      90_000
    )
    expect(resultOf(out, 'hello', 'good')['stdout']).toBe('hello-good')
    expect(resultOf(out, 'again', 'good')['stdout']).toBe('again')
    const down = resultOf(out, 'hello', 'down')
    expect(down['unreachable']).toBe(true)
    expect(String(down['msg'])).toMatch(/refused|ECONNREFUSED|connect/i)
    // The result names the host only (results reach outputs and annotations); the log has the port.
    expect(String(down['msg'])).toContain('connection refused by down')
    expect(String(down['msg'])).not.toContain(String(deadPort))
    expect(out.output).toContain(`[down] | down is 127.0.0.1:${deadPort}: `)
    const refused = resultOf(out, 'hello', 'refused')
    expect(refused['unreachable']).toBe(true)
    expect(String(refused['msg'])).toMatch(/auth|permission denied|key/i)
    expect(String(refused['msg'])).toContain(primary.user)
    expect(out.document.stats['good']).toMatchObject({ ok: 2, unreachable: 0 })
    expect(out.document.stats['down']).toMatchObject({ unreachable: 1 })
    expect(out.document.stats['refused']).toMatchObject({ unreachable: 1 })
  }, 360_000)
})

describe('the job directory on the target', () => {
  it.skipIf(!isRoot)('not writable: the async task fails naming the directory', async () => {
    const dir = path.join(scratch, `root-owned-${randomBytes(3).toString('hex')}`)
    mkdirSync(dir, { mode: 0o755 })
    chmodSync(dir, 0o755)
    expect(statSync(dir).uid).toBe(0)
    const out = await bounded(
      runCaptured(
        sshdSettings(
          primary,
          `- hosts: web1
  gather_facts: false
  tasks:
    - name: fire
      shell: echo never
      async: 30
      poll: 0
    - name: polled
      shell: echo never
      async: 30
      poll: 1
`,
          sshdInventory(primary, { hosts: ['web1'], extra: `ansible_async_dir=${dir}` })
        )
      ),
      90_000
    )
    const result = resultOf(out, 'fire', 'web1')
    expect(result['failed']).toBe(true)
    expect(String(result['msg'])).toContain(dir)
    expect(String(result['msg'])).toMatch(/not writable|permission denied/i)
    expect(readdirSync(dir)).toEqual([])
  })

  it.skipIf(!isRoot)('full: the async task fails with a message that says so', async (ctx) => {
    const dir = path.join(scratch, `tiny-${randomBytes(3).toString('hex')}`)
    mkdirSync(dir)
    const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0777', 'tmpfs', dir], {
      encoding: 'utf8'
    })
    if (mount.status !== 0) ctx.skip() // no CAP_SYS_ADMIN here: cannot make a full disk
    mounted.push(dir)
    const jobs = path.join(dir, 'jobs')
    mkdirSync(jobs, { mode: 0o777 })
    chmodSync(jobs, 0o777)
    // Fill it: the launcher must still say why it cannot write, not hang or claim success.
    spawnSync('sh', ['-c', `head -c 1048576 /dev/zero > ${dir}/filler`])
    const out = await bounded(
      runCaptured(
        sshdSettings(
          primary,
          `- hosts: web1
  gather_facts: false
  tasks:
    - name: fire
      shell: echo "{{ 'x' * 4000 }}"
      async: 30
      poll: 0
      register: fired
    - name: gather
      async_status: jid={{ fired.ansible_job_id }}
      register: job
      until: job.finished
      retries: 300
      delay: 0.2
      when: fired.ansible_job_id is defined
`,
          sshdInventory(primary, { hosts: ['web1'], extra: `ansible_async_dir=${jobs}` })
        )
      ),
      90_000
    )
    const failed = [resultOf(out, 'fire', 'web1')]
    try {
      failed.push(resultOf(out, 'gather', 'web1'))
    } catch {
      // The launch itself failed: there is nothing to gather.
    }
    const last = failed.at(-1)!
    expect(last['failed']).toBe(true)
    expect(String(last['msg'])).toMatch(/no space left|disk full|ENOSPC|not writable|write failed/i)
  })
})

describe('two runs on one host at once', () => {
  it('keep their jobs apart: every job id distinct, every result its own', async () => {
    const playbook = (run: string): string => `- hosts: web1
  gather_facts: false
  tasks:
    - name: launch
      shell: sleep 0.{{ item }}; echo ${run}-{{ item }}
      async: 60
      poll: 0
      loop: [1, 2, 3, 4, 5]
      register: launched
    - name: gather
      async_status: jid={{ item.ansible_job_id }}
      loop: '{{ launched.results }}'
      register: gathered
      until: gathered.finished
      retries: 600
      delay: 0.1
`
    const inventory = sshdInventory(primary, { hosts: ['web1'] })
    const [a, b] = await bounded(
      Promise.all([
        runCaptured(sshdSettings(primary, playbook('run-a'), inventory)),
        runCaptured(sshdSettings(primary, playbook('run-b'), inventory))
      ]).then((both) => ({ ...both[0], both }) as never),
      135_000
    ).then((x) => (x as unknown as { both: Array<RunOutcome & { output: string }> }).both)
    const jids: string[] = []
    for (const [out, run] of [
      [a!, 'run-a'],
      [b!, 'run-b']
    ] as const) {
      expect(out.exitCode, out.output.slice(-2000)).toBe(0)
      const launched = resultOf(out, 'launch', 'web1')['results'] as Array<Record<string, unknown>>
      const gathered = resultOf(out, 'gather', 'web1')['results'] as Array<Record<string, unknown>>
      jids.push(...launched.map((r) => String(r['ansible_job_id'])))
      expect(gathered.map((r) => r['stdout'])).toEqual([1, 2, 3, 4, 5].map((i) => `${run}-${i}`))
      expect(gathered.every((r) => r['finished'] === 1 && r['rc'] === 0)).toBe(true)
    }
    expect(new Set(jids).size).toBe(10)
  }, 180_000)
})

describe('a job record corrupted while the job runs', () => {
  for (const [how, damage] of [
    ['overwritten with garbage', "printf '\\000\\377 not a record\\n'"],
    ['truncated mid-line', "printf 'state=runn'"],
    ['emptied', ':']
  ] as const) {
    it.skipIf(!isRoot)(
      `${how}: async_status reports finished and failed, promptly`,
      async () => {
        const tag = marker()
        // Created by the login user on the target (in /tmp, as scratch is root's): as a real job directory is.
        const jobs = path.join(tmpdir(), `apb-fault-jobs-${randomBytes(4).toString('hex')}`)
        cleanup.push(jobs)
        const flag = path.join(scratch, `${tag}.go`)
        const run = runCaptured(
          sshdSettings(
            primary,
            `- hosts: web1
  gather_facts: false
  tasks:
    - name: launch
      shell: sleep 3; echo ${tag}
      async: 60
      poll: 0
      register: job
    - name: wait for the test
      shell: while [ ! -e ${flag} ]; do sleep 0.05; done
    - name: status
      async_status: jid={{ job.ansible_job_id }}
      register: st
      until: st.finished
      retries: 50
      delay: 0.2
`,
            sshdInventory(primary, { hosts: ['web1'], extra: `ansible_async_dir=${jobs}` })
          )
        )
        let record = ''
        await waitFor('the job record', () => {
          if (!existsSync(jobs)) return false
          const name = readdirSync(jobs).find((f) => /^j\d+\.\d+$/.test(f))
          if (name) record = path.join(jobs, name)
          return name !== undefined && processesWith(primary.user, tag).length > 0
        })
        expect(spawnSync('sh', ['-c', `${damage} > '${record}'`]).status).toBe(0)
        writeFileSync(flag, '')
        const out = await bounded(run, 30_000)
        const st = resultOf(out, 'status', 'web1')
        expect(st, out.output.slice(-2000)).toMatchObject({ finished: 1, failed: true })
        expect(String(st['msg'])).toMatch(/record/i)
        expect(String(st['msg'])).not.toMatch(/running/)
        // Read once and answered: not polled until the retries ran out (the until-loop's own count, not
        // the time it took).
        expect(st['attempts'] ?? 1).toBeLessThanOrEqual(2)
        // The job (and its supervisor, which writes the last record) outlives the run: let it end
        // before the directory is removed, or the removal races its last write.
        await waitFor('the job to end', () => processesWith(primary.user, tag).length === 0, 30_000)
      },
      210_000
    )
  }
})
