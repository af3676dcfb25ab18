// Integration: what another user on the target can do to async jobs, through the engine and a real
// OpenSSH sshd (logged in as the unprivileged apbtest; "another user" is root, who plants and swaps
// files): a shared or foreign-owned async directory is refused, a name planted as a symlink is never
// written through, a swapped record is never reported as the job's result. And what a hostile target
// can make the controller hold: no more than the caps, however much it announces or sends.
import { spawnSync } from 'node:child_process'
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AsyncJobs } from '../../src/async/async-jobs.js'
import { JobRegistry } from '../../src/async/job-registry.js'
import {
  cleanupCommand,
  killCommand,
  launchCommand,
  parseCleanup,
  parseKill,
  parseLaunch,
  statusCommand
} from '../../src/async/job-commands.js'
import { OUTPUT_CAP_BYTES, newJidPrefix } from '../../src/async/job-protocol.js'
import { parseStatus } from '../../src/async/job-status-reader.js'
import { statusResult } from '../../src/async/job-results.js'
import { openConnection } from '../../src/connection/index.js'
import type { Connection, RunOptions } from '../../src/connection/connection.js'
import { resultOf, runCaptured, sshdInventory, sshdSettings } from '../helpers/engine.js'
import { sshdConnectionSettings, startSshd, type SshdFixture } from '../helpers/sshd.js'

const asRoot = process.getuid?.() === 0

let sshd: SshdFixture
let inventory: string
let base: string
let uid: number
let gid: number
let conn: Connection

beforeAll(async () => {
  sshd = await startSshd({ name: 'async-trust' })
  inventory = sshdInventory(sshd, { hosts: ['web1'] })
  base = mkdtempSync(join(tmpdir(), 'apb-trust-int-'))
  chmodSync(base, 0o755)
  uid = Number(spawnSync('id', ['-u', sshd.user], { encoding: 'utf8' }).stdout.trim())
  gid = Number(spawnSync('id', ['-g', sshd.user], { encoding: 'utf8' }).stdout.trim())
  conn = await openConnection(sshdConnectionSettings(sshd))
})
afterAll(async () => {
  await conn?.close()
  await sshd?.stop()
  if (base) rmSync(base, { recursive: true, force: true })
})

let counter = 0
/** A directory under the test's base, owned by `owner` (uid) with `mode`. */
function dirOf(owner: number, mode: number): string {
  const dir = join(base, `dir${++counter}`)
  mkdirSync(dir)
  chownSync(dir, owner, owner === 0 ? 0 : gid)
  chmodSync(dir, mode)
  return dir
}

const play = (dir: string, tasks: string): string =>
  `- hosts: web1\n  gather_facts: false\n  vars:\n    ansible_async_dir: ${dir}\n  tasks:\n${tasks}`

const FORGED =
  'state=finished\nrc=0\npid=4242\npgid=4242\nsupervisor=4241\nboot_id=x\nstart=1\nend=2\ntimeout=0\n'

describe.skipIf(!asRoot)('a shared or foreign async directory is refused', () => {
  it('refuses a shared /tmp-like directory owned by another user, and never reports a record forged there', async () => {
    const shared = dirOf(0, 0o1777)
    writeFileSync(join(shared, 'j1.2'), FORGED)
    writeFileSync(join(shared, 'j1.2.out'), 'forged output\n')
    const canary = join(base, `canary${++counter}`)
    const out = await runCaptured(
      sshdSettings(
        sshd,
        play(
          shared,
          `    - name: fire
      shell: touch ${canary}
      async: 30
      poll: 0
      ignore_errors: true
    - name: forged
      async_status: jid=j1.2
      ignore_errors: true
`
        ),
        inventory
      )
    )
    const refusal = `refusing the async directory ${shared} (owner root, uid 0; mode 0777, drwxrwxrwt): it is not owned by ${sshd.user} (uid ${uid}) who runs the job, and group or others can write in it`
    const fire = resultOf(out, 'fire', 'web1')
    expect(fire['failed']).toBe(true)
    expect(String(fire['msg'])).toContain(refusal)
    expect(String(fire['msg'])).toContain('Fix: ')
    const forged = resultOf(out, 'forged', 'web1')
    expect(forged['failed']).toBe(true)
    expect(String(forged['msg'])).toContain(refusal)
    expect(forged['rc']).toBeUndefined()
    expect(JSON.stringify(forged)).not.toContain('forged output')
    expect(existsSync(canary)).toBe(false)
    expect(readdirSync(shared).sort()).toEqual(['j1.2', 'j1.2.out'])
  })

  it('refuses a directory of the login user that its group can write, in every mode', async () => {
    const grouped = dirOf(uid, 0o770)
    const out = await runCaptured(
      sshdSettings(
        sshd,
        play(grouped, `    - name: fire\n      shell: echo hi\n      async: 30\n      poll: 0\n`),
        inventory
      )
    )
    expect(out.exitCode).toBe(2)
    expect(String(resultOf(out, 'fire', 'web1')['msg'])).toContain(
      `refusing the async directory ${grouped} (owner ${sshd.user}, uid ${uid}; mode 0770, drwxrwx---): group or others can write in it`
    )
    const run = async (command: string): Promise<Buffer> =>
      (await conn.run(command, { timeoutMs: 15_000 })).stdout
    const refused =
      /refusing the async directory .*mode 0770, drwxrwx---\): group or others can write/
    await run(statusCommand({ dir: grouped, jids: ['j1.2'], waitSeconds: 0 })).then((o) =>
      expect(() => parseStatus(o)).toThrow(refused)
    )
    await run(cleanupCommand(grouped, 'j1.2')).then((o) =>
      expect(() => parseCleanup(o)).toThrow(refused)
    )
    await run(killCommand(grouped, 'j1.2')).then((o) => expect(() => parseKill(o)).toThrow(refused))
    expect(readdirSync(grouped)).toEqual([])
  })
})

describe.skipIf(!asRoot)('files another user plants or swaps', () => {
  it('never writes through a symlink planted at a job file name', async () => {
    const dir = dirOf(uid, 0o700)
    const victim = join(base, `victim${++counter}`)
    writeFileSync(victim, 'precious\n')
    chownSync(victim, uid, gid)
    const prefix = newJidPrefix()
    // The names the wrapper used to write, which follow the launcher's pid: plant the next few
    // thousand pids' worth, as a local attacker watching the process table could.
    const next = Number(readFileSync('/proc/sys/kernel/ns_last_pid', 'utf8'))
    for (let pid = next + 1; pid <= next + 4000; pid++) {
      for (const name of [`.apb-probe.${pid}`, `${prefix}.${pid}.meta`, `${prefix}.${pid}.err`])
        symlinkSync(victim, join(dir, name))
    }
    const launched = parseLaunch(
      await conn.run(
        launchCommand({
          jidPrefix: prefix,
          asyncSeconds: 0,
          asyncDir: dir,
          meta: '{"cmd":"echo ran"}',
          command: 'echo ran'
        }),
        { timeoutMs: 30_000 }
      )
    )
    expect(launched.ok).toBe(true)
    if (!launched.ok) return
    const [done] = parseStatus(
      (
        await conn.run(statusCommand({ dir, jids: [launched.jid], waitSeconds: 10 }), {
          timeoutMs: 30_000
        })
      ).stdout
    )
    expect(done).toMatchObject({ state: 'finished', rc: 0 })
    expect(done!.meta).toBe('{"cmd":"echo ran"}')
    expect(readFileSync(victim, 'utf8')).toBe('precious\n')
  })

  it('never reports a swapped record as the job’s result', async () => {
    const dir = dirOf(uid, 0o700)
    const first = await runCaptured(
      sshdSettings(
        sshd,
        play(
          dir,
          `    - name: fire
      shell: echo real; exit 3
      async: 30
      poll: 0
      register: j
    - name: fire2
      shell: echo real too; exit 4
      async: 30
      poll: 0
      register: k
`
        ),
        inventory
      )
    )
    expect(first.exitCode).toBe(0)
    const files = ['fire', 'fire2'].map((t) => String(resultOf(first, t, 'web1')['results_file']))
    for (const file of files) {
      const deadline = Date.now() + 30_000
      while (!/^state=finished$/m.test(readIfThere(file)) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50))
    }
    // Root (another user) swaps the first record for a forged one it owns, the second for a symlink.
    writeFileSync(`${files[0]}.swap`, FORGED)
    spawnSync('mv', ['-f', `${files[0]}.swap`, files[0]!])
    const forged = join(base, `forged${++counter}`)
    writeFileSync(forged, FORGED)
    rmSync(files[1]!)
    symlinkSync(forged, files[1]!)

    const second = await runCaptured(
      sshdSettings(
        sshd,
        play(
          dir,
          `    - name: check
      async_status: jid={{ j.ansible_job_id }}
      ignore_errors: true
    - name: check2
      async_status: jid={{ k.ansible_job_id }}
      ignore_errors: true
`
        ),
        inventory,
        { jobs: { text: JSON.stringify(first.document), source: 'first.json' } }
      )
    )
    const check = resultOf(second, 'check', 'web1')
    expect(check).toMatchObject({ failed: true, finished: 1 })
    expect(check['rc']).toBeUndefined()
    expect(String(check['msg'])).toBe(
      `Could not parse job output: the job record ${files[0]} is owned by root (uid 0), not by ${sshd.user} (uid ${uid}) who runs the job: refusing to believe it`
    )
    const check2 = resultOf(second, 'check2', 'web1')
    expect(check2).toMatchObject({ failed: true, finished: 1 })
    expect(check2['rc']).toBeUndefined()
    expect(String(check2['msg'])).toBe(
      `Could not parse job output: the job record ${files[1]} is a symbolic link: refusing to believe it`
    )
  })
})

function readIfThere(file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return ''
  }
}

describe('a hostile target cannot make the controller hold more than the caps', () => {
  /** The real connection, but every command replaced by what a hostile target would answer. */
  function hostile(script: string): Connection {
    return {
      host: 'web1',
      run: (_command: string, options: RunOptions) => conn.run(script, options),
      putFile: () => Promise.resolve(),
      getFile: () => Promise.resolve(Buffer.alloc(0)),
      close: () => Promise.resolve()
    }
  }

  // Frames in the wrapper's first form (the window is each stream's tail), which is still read.
  const RECORD = 'state=finished\nrc=0\npid=7\npgid=7\nsupervisor=6\nboot_id=b\nstart=1\nend=2\n'

  it('reads a stream announced and sent as 48 MiB to the 1 MiB cap, with the truncation marker', async () => {
    const size = 48 * 1024 * 1024
    const target = hostile(
      `printf 'APB-JOB j1.5 1 0 b ${RECORD.length} ${size} ${size} 0 0 0\\n${RECORD.replace(/\n/g, '\\n')}'; ` +
        `head -c ${size} /dev/zero | tr '\\000' A; printf 'APB-END 1\\n'`
    )
    const jobs = new AsyncJobs(new JobRegistry())
    const snapshot = await jobs.status(
      { host: 'web1', connection: async () => target },
      'j1.5',
      '/d'
    )
    expect(snapshot.stdout.length).toBe(OUTPUT_CAP_BYTES)
    expect(snapshot.stdoutSize).toBe(size)
    expect(jobs.statusPeakBytes.get('web1')).toBeLessThanOrEqual(2 * OUTPUT_CAP_BYTES)
    expect(String(statusResult(snapshot, '/d/j1.5')['stdout'])).toMatch(
      /^\[output truncated: showing 1048576 bytes from byte 0 of 50331648 \(cap 1048576\)/
    )
  })

  it('fails cleanly when a frame announces far more than the target then sends', async () => {
    const target = hostile(
      `printf 'APB-JOB j1.5 1 0 b ${RECORD.length} 1099511627776 1099511627776 0 0 0\\n${RECORD.replace(/\n/g, '\\n')}'; ` +
        `head -c 3000000 /dev/zero`
    )
    const jobs = new AsyncJobs(new JobRegistry())
    await expect(
      jobs.status({ host: 'web1', connection: async () => target }, 'j1.5', '/d')
    ).rejects.toThrow(
      'the job status answer was cut off inside the stdout of j1.5 (announced 1099511627776 bytes, got 3000000)'
    )
    expect(jobs.statusPeakBytes.get('web1')).toBeLessThanOrEqual(2 * OUTPUT_CAP_BYTES)
  })
})
