/**
 * The job wrapper trusts only an async directory that is its user's alone, writes every file so that
 * a name planted by someone else is replaced and never written through, believes only records it
 * owns, and signals only processes that are still the job's. Run for real with the local /bin/sh, as
 * OpenSSH would run it; "another user" is modelled with chown/lchown and setpriv, so the cases that
 * need two users run only as root (CI runs the suite as root).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import {
  chmodSync,
  chownSync,
  existsSync,
  lchownSync,
  lstatSync,
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
import {
  cleanupCommand,
  killCommand,
  launchCommand,
  parseCleanup,
  parseKill,
  parseLaunch,
  statusCommand
} from '../../src/async/job-commands.js'
import { newJidPrefix } from '../../src/async/job-protocol.js'
import type { JobSnapshot } from '../../src/async/job-snapshot.js'
import { parseStatus } from '../../src/async/job-status-reader.js'

const asRoot = process.getuid?.() === 0
/** "Another user": nobody, whose uid exists on every Debian-like system. */
const OTHER_UID = 65534
const OTHER_GID = 65534

interface Ran {
  code: number | null
  stdout: Buffer
  stderr: Buffer
}

/** Runs a command line the way sshd does (`/bin/sh -c`), as us or as uid `as`. */
function sh(command: string, as?: number): Promise<Ran> {
  const argv =
    as === undefined
      ? ['/bin/sh', '-c', command]
      : ['setpriv', `--reuid=${as}`, `--regid=${as}`, '--clear-groups', '/bin/sh', '-c', command]
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (c: Buffer) => out.push(c))
    child.stderr.on('data', (c: Buffer) => err.push(c))
    const deadline = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(deadline)
      resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err) })
    })
  })
}

let root: string

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'apb-trust-'))
  // Reachable by the unprivileged user of the two-user cases; each case makes its own directory.
  chmodSync(root, 0o755)
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

let counter = 0
function freshDir(mode = 0o700): string {
  const dir = join(root, `d${++counter}`)
  mkdirSync(dir)
  chmodSync(dir, mode)
  return dir
}

async function launch(dir: string, command: string, as?: number): Promise<Ran> {
  return sh(
    launchCommand({
      jidPrefix: newJidPrefix(),
      asyncSeconds: 0,
      asyncDir: dir,
      meta: '{"cmd":"x"}',
      command
    }),
    as
  )
}

async function launched(dir: string, command: string): Promise<{ jid: string; dir: string }> {
  const answer = parseLaunch(await launch(dir, command))
  if (!answer.ok) throw new Error(answer.message)
  return answer
}

async function status(dir: string, jid: string, waitSeconds = 0): Promise<JobSnapshot> {
  const ran = await sh(statusCommand({ dir, jids: [jid], waitSeconds }))
  return parseStatus(ran.stdout)[0]!
}

async function settled(dir: string, jid: string): Promise<JobSnapshot> {
  const deadline = Date.now() + 30_000
  for (;;) {
    const snapshot = await status(dir, jid, 5)
    if (snapshot.state !== 'running' || Date.now() > deadline) return snapshot
  }
}

const FORGED =
  'state=finished\nrc=0\npid=4242\npgid=4242\nsupervisor=4241\nboot_id=x\nstart=1\nend=2\ntimeout=0\n'

/** Every mode the controller uses, against `dir`: each must refuse with `message`. */
async function expectEveryModeRefused(dir: string, message: RegExp): Promise<void> {
  const launchAnswer = parseLaunch(await launch(dir, 'echo should-not-run'))
  expect(launchAnswer.ok).toBe(false)
  expect(!launchAnswer.ok && launchAnswer.message).toMatch(message)
  const statusRan = await sh(statusCommand({ dir, jids: ['j1.2'], waitSeconds: 0 }))
  expect(() => parseStatus(statusRan.stdout)).toThrow(message)
  const cleanupRan = await sh(cleanupCommand(dir, 'j1.2'))
  expect(() => parseCleanup(cleanupRan.stdout)).toThrow(message)
  const killRan = await sh(killCommand(dir, 'j1.2'))
  expect(() => parseKill(killRan.stdout)).toThrow(message)
}

describe('the async directory must be ours alone', () => {
  it.skipIf(!asRoot)(
    'refuses an existing directory owned by another user in every mode, naming it, its owner and mode',
    async () => {
      const dir = freshDir(0o700)
      chownSync(dir, OTHER_UID, OTHER_GID)
      // A record the directory's owner forged, and files it wants kept.
      writeFileSync(join(dir, 'j1.2'), FORGED)
      writeFileSync(join(dir, 'j1.2.out'), 'forged output\n')
      await expectEveryModeRefused(
        dir,
        new RegExp(
          `refusing the async directory ${dir} \\(owner nobody, uid ${OTHER_UID}; mode 0700, drwx------\\): it is not owned by root \\(uid 0\\) who runs the job, so another user could plant links .*Fix: have it owned by root .*chmod 700 ${dir}, or set ansible_async_dir`
        )
      )
      // Nothing was written, removed or started there.
      expect(readdirSync(dir).sort()).toEqual(['j1.2', 'j1.2.out'])
      expect(readFileSync(join(dir, 'j1.2'), 'utf8')).toBe(FORGED)
    }
  )

  it.each([
    ['0770', '0770, drwxrwx---'],
    ['0707', '0707, drwx---rwx'],
    ['1777', '0777, drwxrwxrwt'],
    ['0720', '0720, drwx-w----']
  ])(
    'refuses a directory of ours that group or others can write (mode %s)',
    async (octal, shown) => {
      const dir = freshDir(parseInt(octal, 8))
      await expectEveryModeRefused(
        dir,
        new RegExp(
          `refusing the async directory ${dir} \\(owner [^;]+; mode ${shown}\\): group or others can write in it, .*Fix: chmod 700 ${dir}, `
        )
      )
      expect(readdirSync(dir)).toEqual([])
    }
  )

  it('accepts a private directory of ours, and one only readable by others', async () => {
    for (const mode of [0o700, 0o755]) {
      const dir = freshDir(mode)
      const job = await launched(dir, 'echo fine')
      expect(await settled(job.dir, job.jid)).toMatchObject({ state: 'finished', rc: 0 })
    }
  })

  it.skipIf(!asRoot)(
    'follows a symlinked async directory only when the link is ours or root’s',
    async () => {
      const target = freshDir(0o700)
      const link = join(root, `link${++counter}`)
      symlinkSync(target, link)
      lchownSync(link, OTHER_UID, OTHER_GID)
      const answer = parseLaunch(await launch(link, 'true'))
      expect(!answer.ok && answer.message).toMatch(
        new RegExp(`refusing the async directory ${link}: it is a symbolic link owned by nobody`)
      )
      lchownSync(link, 0, 0)
      const job = await launched(link, 'true')
      expect(job.dir).toBe(target)
    }
  )

  it('creates a missing directory, and any missing parent, 0700', async () => {
    const base = join(freshDir(0o700), 'a')
    const job = await launched(join(base, 'b'), 'true')
    expect(lstatSync(base).mode & 0o777).toBe(0o700)
    expect(lstatSync(job.dir).mode & 0o777).toBe(0o700)
  })
})

describe('job files are created exclusively and believed only when they are ours', () => {
  it.skipIf(!asRoot)(
    'never writes through a symlink another user planted at a job file name',
    async () => {
      // The async directory belongs to the job's user (nobody); the "other user" is root, who can
      // still plant names in it: where the old wrapper wrote (the probe and job files, named after
      // the launcher's pid), as symlinks to a file of the job's user.
      const dir = freshDir(0o700)
      chownSync(dir, OTHER_UID, OTHER_GID)
      const victim = join(root, `victim${++counter}`)
      writeFileSync(victim, 'precious\n')
      chownSync(victim, OTHER_UID, OTHER_GID)
      const prefix = newJidPrefix()
      const next = Number(readFileSync('/proc/sys/kernel/ns_last_pid', 'utf8'))
      for (let pid = next + 1; pid <= next + 3000; pid++) {
        for (const name of [`.apb-probe.${pid}`, `${prefix}.${pid}.meta`, `${prefix}.${pid}.out`])
          symlinkSync(victim, join(dir, name))
      }
      const ran = await sh(
        launchCommand({
          jidPrefix: prefix,
          asyncSeconds: 0,
          asyncDir: dir,
          meta: '{"cmd":"x"}',
          command: 'echo job output'
        }),
        OTHER_UID
      )
      const answer = parseLaunch(ran)
      expect(answer.ok, ran.stdout.toString()).toBe(true)
      if (!answer.ok) return
      const done = parseStatus(
        (await sh(statusCommand({ dir, jids: [answer.jid], waitSeconds: 5 }), OTHER_UID)).stdout
      )[0]!
      expect(done).toMatchObject({ state: 'finished', rc: 0 })
      expect(done.stdout.toString()).toBe('job output\n')
      expect(readFileSync(victim, 'utf8')).toBe('precious\n')
      for (const suffix of ['', '.meta', '.out', '.err']) {
        const stat = lstatSync(join(dir, answer.jid + suffix))
        expect(stat.isFile()).toBe(true)
        expect(stat.uid).toBe(OTHER_UID)
        expect(stat.mode & 0o777).toBe(0o600)
      }
    }
  )

  it('names no job file after a pid: temporaries are unpredictable and none is left behind', async () => {
    const dir = freshDir(0o700)
    const job = await launched(dir, 'echo hi')
    await settled(job.dir, job.jid)
    expect(readdirSync(dir).sort()).toEqual(
      ['', '.err', '.meta', '.out'].map((s) => job.jid + s).sort()
    )
  })

  it('reports a record that is a symlink as corrupt, never as the forged record it points to', async () => {
    const dir = freshDir(0o700)
    const job = await launched(dir, 'echo real')
    await settled(job.dir, job.jid)
    const forged = join(root, `forged${++counter}`)
    writeFileSync(forged, FORGED.replace('rc=0', 'rc=0\nsupervisor_start=1'))
    rmSync(join(dir, job.jid))
    symlinkSync(forged, join(dir, job.jid))
    const snapshot = await status(job.dir, job.jid)
    expect(snapshot.state).toBe('corrupt')
    expect(snapshot.detail).toBe(
      `the job record ${join(dir, job.jid)} is a symbolic link: refusing to believe it`
    )
    expect(snapshot.stdout.length).toBe(0)
    const kill = await sh(killCommand(job.dir, job.jid))
    expect(() => parseKill(kill.stdout)).toThrow(/refusing to stop job .*is a symbolic link/)
    // Cleanup removes the link, not what it points to.
    expect(parseCleanup((await sh(cleanupCommand(job.dir, job.jid))).stdout).existed).toBe(true)
    expect(readFileSync(forged, 'utf8')).toContain('state=finished')
  })

  it.skipIf(!asRoot)(
    'reports a record swapped for one owned by another user as corrupt',
    async () => {
      const dir = freshDir(0o700)
      const job = await launched(dir, 'echo real; exit 3')
      expect(await settled(job.dir, job.jid)).toMatchObject({ state: 'finished', rc: 3 })
      const path = join(dir, job.jid)
      writeFileSync(`${path}.swap`, FORGED)
      chownSync(`${path}.swap`, OTHER_UID, OTHER_GID)
      spawnSync('mv', ['-f', `${path}.swap`, path])
      const snapshot = await status(job.dir, job.jid)
      expect(snapshot).toMatchObject({
        state: 'corrupt',
        detail: `the job record ${path} is owned by nobody (uid ${OTHER_UID}), not by root (uid 0) who runs the job: refusing to believe it`
      })
      expect(snapshot.rc).toBeUndefined()
    }
  )

  it('refuses output or meta files that are not regular files', async () => {
    const dir = freshDir(0o700)
    const job = await launched(dir, 'echo real')
    await settled(job.dir, job.jid)
    rmSync(join(dir, `${job.jid}.out`))
    symlinkSync('/etc/passwd', join(dir, `${job.jid}.out`))
    const snapshot = await status(job.dir, job.jid)
    expect(snapshot.state).toBe('corrupt')
    expect(snapshot.detail).toMatch(/\.out is a symbolic link/)
    expect(snapshot.stdout.toString()).not.toContain('root:')
  })
})

describe('signals reach only the job’s own processes', () => {
  const strays: ChildProcess[] = []
  afterAll(() => {
    for (const child of strays) if (child.exitCode === null) child.kill('SIGKILL')
  })

  /** A live process in a group of its own: what a recorded pid may belong to once it is reused. */
  function stray(): ChildProcess {
    const child = spawn('sleep', ['600'], { detached: true, stdio: 'ignore' })
    strays.push(child)
    return child
  }

  it('kill leaves alone processes that now hold the pids a record names', async () => {
    const dir = freshDir(0o700)
    const job = stray()
    const supervisor = stray()
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()
    // A record left by a job whose supervisor and job ended long ago: their pids have been reused.
    writeFileSync(
      join(dir, 'j5.1'),
      `state=running\npid=${job.pid}\npgid=${job.pid}\nsupervisor=${supervisor.pid}\nboot_id=${bootId}\nstart=1\ntimeout=0\npid_start=1\nsupervisor_start=1\n`
    )
    const answer = parseKill((await sh(killCommand(dir, 'j5.1'))).stdout)
    expect(answer).toEqual({ jid: 'j5.1', wasRunning: false })
    expect(job.exitCode).toBeNull()
    expect(job.signalCode).toBeNull()
    expect(() => process.kill(job.pid!, 0)).not.toThrow()
    expect(() => process.kill(supervisor.pid!, 0)).not.toThrow()
    // And status calls such a job died, not running (its supervisor is not the one recorded).
    expect((await status(dir, 'j5.1')).state).toBe('died')
  })

  it('kill still stops a running job: its recorded start times match', async () => {
    const dir = freshDir(0o700)
    const job = await launched(dir, 'sleep 41.5')
    const record = readFileSync(join(dir, job.jid), 'utf8')
    expect(record).toMatch(/^pid_start=\S+$/m)
    expect(record).toMatch(/^supervisor_start=\S+$/m)
    expect(parseKill((await sh(killCommand(dir, job.jid))).stdout)).toEqual({
      jid: job.jid,
      wasRunning: true
    })
    expect(await settled(dir, job.jid)).toMatchObject({ state: 'finished', rc: 143 })
    expect(existsSync(join(dir, `${job.jid}.timedout`))).toBe(false)
  })
})
