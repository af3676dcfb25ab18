/**
 * The remote job wrapper, run for real: each command job-protocol builds goes to the local
 * `/bin/sh -c`, exactly as OpenSSH hands it to a login shell, against a temporary async directory.
 */
import { spawn, spawnSync } from 'node:child_process'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { shellJoin } from '../../src/connection/shell-quote.js'
import {
  awaitProcess,
  childrenOf,
  findProcess,
  isAlive,
  processesMatching,
  signalGroup,
  signalProcess
} from '../helpers/processes.js'
import {
  JOB_WRAPPER_SCRIPT,
  cleanupCommand,
  killCommand,
  launchCommand,
  parseCleanup,
  parseKill,
  parseLaunch,
  statusCommand
} from '../../src/async/job-commands.js'
import {
  JobProtocolError,
  OUTPUT_CAP_BYTES,
  isValidJid,
  newJidPrefix
} from '../../src/async/job-protocol.js'
import type { JobSnapshot } from '../../src/async/job-snapshot.js'
import { parseStatus } from '../../src/async/job-status-reader.js'

interface Ran {
  code: number | null
  stdout: Buffer
  stderr: Buffer
  ms: number
}

/** Runs a command line the way sshd does: `/bin/sh -c <command>`. */
function sh(
  command: string,
  env: NodeJS.ProcessEnv = process.env,
  deadlineMs = 30_000
): Promise<Ran> {
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (c: Buffer) => out.push(c))
    child.stderr.on('data', (c: Buffer) => err.push(c))
    const deadline = setTimeout(() => child.kill('SIGKILL'), deadlineMs)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(deadline)
      resolve({
        code,
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err),
        ms: Date.now() - started
      })
    })
  })
}

let root: string
let dir: string

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'apb-job-wrapper-'))
  dir = join(root, 'async')
})
afterAll(() => {
  rmSync(root, { recursive: true, force: true })
})

async function launch(
  command: string,
  opts: { asyncSeconds?: number; asyncDir?: string; meta?: string; env?: NodeJS.ProcessEnv } = {}
): Promise<{ jid: string; dir: string; ms: number }> {
  const ran = await sh(
    launchCommand({
      jidPrefix: newJidPrefix(),
      asyncSeconds: opts.asyncSeconds ?? 0,
      asyncDir: opts.asyncDir ?? dir,
      meta: opts.meta ?? '{"task":"test"}',
      command
    }),
    opts.env
  )
  const answer = parseLaunch(ran)
  if (!answer.ok) throw new Error(`launch failed: ${answer.message}`)
  return { jid: answer.jid, dir: answer.dir, ms: ran.ms }
}

async function status(
  jobDir: string,
  jids: string[],
  waitSeconds = 0,
  capBytes?: number
): Promise<JobSnapshot[]> {
  const ran = await sh(statusCommand({ dir: jobDir, jids, waitSeconds, capBytes }))
  expect(ran.code).toBe(0)
  return parseStatus(ran.stdout)
}

async function one(jobDir: string, jid: string, waitSeconds = 0): Promise<JobSnapshot> {
  const [snapshot] = await status(jobDir, [jid], waitSeconds)
  return snapshot!
}

/** Long-polls until the job is no longer running (bounded: a hang fails the test). */
async function settled(jobDir: string, jid: string, limitSeconds = 45): Promise<JobSnapshot> {
  const deadline = Date.now() + limitSeconds * 1000
  for (;;) {
    const snapshot = await one(jobDir, jid, 5)
    if (snapshot.state !== 'running' || Date.now() > deadline) return snapshot
  }
}

/**
 * Polls a condition that cannot be awaited as an event (file contents, the process table). The limit
 * only catches a hang: a loaded machine may take many times longer than an idle one.
 */
async function eventually<T>(
  probe: () => Promise<T> | T,
  ok: (v: T) => boolean,
  ms = 20_000
): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await probe()
    if (ok(value) || Date.now() > deadline) return value
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

let gates = 0
/**
 * A gate a job waits at until the test opens it: the job is then surely still running while the test
 * looks, however slow the machine. `wait` is shell text for the job; `open()` lets it through.
 */
function gate(): { wait: string; open: () => void; path: string } {
  const path = join(root, `gate-${++gates}`)
  return {
    path,
    wait: `while [ ! -e ${shellJoin([path])} ]; do sleep 0.05; done`,
    open: () => writeFileSync(path, '')
  }
}

function pgrep(pattern: string): string {
  return spawnSync('pgrep', ['-fx', pattern], { encoding: 'utf8' }).stdout.trim()
}

function record(jobDir: string, jid: string): Map<string, string> {
  const text = readFileSync(join(jobDir, jid), 'utf8')
  return new Map(
    text
      .trim()
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])
  )
}

describe.concurrent('job wrapper: launch and status', () => {
  it('returns from launch at once while the job runs, with an absolute directory', async () => {
    // The job ends only when the test opens its gate: a launch that waited for it would never return.
    // (How fast launch returns is measured by `npm run bench`.)
    const { wait, open } = gate()
    const launched = await launch(wait, { meta: '{"module":"shell","n":1}' })
    expect(isValidJid(launched.jid)).toBe(true)
    expect(launched.dir).toBe(realpathSync(dir))
    const snapshot = await one(launched.dir, launched.jid)
    expect(snapshot.state).toBe('running')
    expect(snapshot.meta).toBe('{"module":"shell","n":1}')
    expect(snapshot.pid).toBeGreaterThan(1)
    expect(snapshot.start).toBeGreaterThan(1_600_000_000)
    expect(snapshot.rc).toBeUndefined()
    expect(snapshot.timeoutSeconds).toBeUndefined()
    open()
    expect(await settled(launched.dir, launched.jid)).toMatchObject({ state: 'finished', rc: 0 })
  })

  it('shows output while the job still runs, then all of it', async () => {
    const { wait, open } = gate()
    const { jid, dir: d } = await launch(`printf 'a\\n'; ${wait}; printf 'b'`)
    const early = await eventually(
      () => one(d, jid),
      (s) => s.stdout.length > 0
    )
    expect(early.state).toBe('running')
    expect(early.stdout.toString()).toBe('a\n')
    expect(early.stdoutSize).toBe(2)
    open()
    const done = await settled(d, jid)
    expect(done.state).toBe('finished')
    expect(done.stdout.toString()).toBe('a\nb')
  })

  it('returns binary output and stderr byte for byte, with rc 0', async () => {
    const { jid, dir: d } = await launch("printf '\\000\\377\\376'; printf 'e\\001' >&2")
    const done = await settled(d, jid)
    expect(done.state).toBe('finished')
    expect(done.rc).toBe(0)
    expect(done.stdout).toEqual(Buffer.from([0, 0xff, 0xfe]))
    expect(done.stdoutSize).toBe(3)
    expect(done.stderr).toEqual(Buffer.from('e\u0001'))
    expect(done.end).toBeGreaterThanOrEqual(done.start!)
  })

  it('reports a non-zero exit status', async () => {
    const { jid, dir: d } = await launch('echo oops >&2; exit 7')
    const done = await settled(d, jid)
    expect(done).toMatchObject({ state: 'finished', rc: 7 })
    expect(done.stderr.toString()).toBe('oops\n')
  })

  it('runs the job with stdin at EOF and the login umask, not the wrapper private one', async () => {
    const { jid, dir: d } = await launch('cat; umask', { env: { ...process.env } })
    const done = await settled(d, jid)
    const expected = spawnSync('/bin/sh', ['-c', 'umask'], { encoding: 'utf8' }).stdout
    expect(done.stdout.toString()).toBe(expected)
  })

  it('keeps the tail of output beyond the cap, with the full size', async () => {
    const { jid, dir: d } = await launch('seq 1 100000')
    await settled(d, jid)
    const full = spawnSync('seq', ['1', '100000']).stdout
    const [capped] = await status(d, [jid], 0, 1000)
    expect(capped!.stdoutSize).toBe(full.length)
    expect(capped!.stdout).toEqual(full.subarray(full.length - 1000))
    const [whole] = await status(d, [jid], 0)
    expect(whole!.stdout).toEqual(full)
    expect(OUTPUT_CAP_BYTES).toBe(1024 * 1024)
  })

  it('launches 20 jobs at once and reads all of them in one round trip', async () => {
    const jobs = await Promise.all(
      Array.from({ length: 20 }, (_, i) => launch(`printf ${i}; sleep 1`))
    )
    expect(new Set(jobs.map((j) => j.jid)).size).toBe(20)
    const snapshots = await status(
      jobs[0]!.dir,
      jobs.map((j) => j.jid)
    )
    expect(snapshots.map((s) => s.jid)).toEqual(jobs.map((j) => j.jid))
    for (const s of snapshots) expect(['running', 'finished']).toContain(s.state)
    for (const job of jobs) await settled(job.dir, job.jid)
    const after = await status(
      jobs[0]!.dir,
      jobs.map((j) => j.jid)
    )
    expect(after.map((s) => s.stdout.toString())).toEqual(jobs.map((_, i) => String(i)))
  })

  it('reports a job that ends between reading its record and checking its supervisor as finished, not died', async () => {
    // The supervisor writes its final record, then exits. A status read can see the record still say
    // running and then find the supervisor gone (a busy machine stalls it between the two): the record
    // on disk is then the supervisor's last word and must be read again. A `cat` that lets the job end
    // right after it hands the record over puts the read exactly there.
    const { wait, open, path: gateFile } = gate()
    const { jid, dir: d } = await launch(wait)
    const shims = join(root, `shim-${jid}`)
    mkdirSync(shims)
    const mark = join(shims, 'used')
    writeFileSync(
      join(shims, 'cat'),
      [
        '#!/bin/sh',
        '# Only the first read of the record: hand it over, then let the job end and wait until its',
        '# supervisor has written the final record and is gone (exited or a zombie).',
        `if [ "$2" = ${shellJoin([join(d, jid)])} ] && [ ! -e ${shellJoin([mark])} ]; then`,
        `  : >${shellJoin([mark])}`,
        '  /bin/cat -- "$2"',
        `  : >${shellJoin([gateFile])}`,
        '  i=0',
        '  while [ "$i" -lt 600 ]; do',
        '    sup=$(sed -n \'s/^supervisor=//p\' "$2")',
        '    state=$(sed -n \'s/^state=//p\' "$2")',
        '    if [ "$state" != running ]; then',
        '      s=$(cut -d\\) -f2 "/proc/$sup/stat" 2>/dev/null | cut -d" " -f2)',
        '      [ -n "$s" ] && [ "$s" != Z ] || exit 0',
        '    fi',
        '    sleep 0.02',
        '    i=$((i + 1))',
        '  done',
        '  exit 0',
        'fi',
        'exec /bin/cat "$@"'
      ].join('\n') + '\n',
      { mode: 0o755 }
    )
    const ran = await sh(statusCommand({ dir: d, jids: [jid], waitSeconds: 0 }), {
      ...process.env,
      PATH: `${shims}:${process.env['PATH'] ?? '/usr/bin:/bin'}`
    })
    open()
    expect(existsSync(mark)).toBe(true)
    const [snapshot] = parseStatus(ran.stdout)
    expect(snapshot!.state).toBe('finished')
    expect(snapshot!.rc).toBe(0)
  })

  it('answers a long-poll status when the job ends, not when the wait runs out', async () => {
    const { wait, open } = gate()
    const { jid, dir: d } = await launch(wait)
    // Long enough that a loaded machine cannot blur the two outcomes: a poll that waited it out
    // answers after 120 s, one that saw the end answers soon after the gate opens.
    const waitSeconds = 120
    const polling = sh(
      statusCommand({ dir: d, jids: [jid], waitSeconds }),
      process.env,
      (waitSeconds + 30) * 1000
    )
    // Opened only once the poll is waiting (its sleep between checks is running), so the job ends
    // during the wait, not before it.
    const poller = new RegExp(
      `apb-job status [0-9]+ ${waitSeconds} \\S+ ${jid.replace('.', '\\.')}$`
    )
    const waiting = (): boolean =>
      processesMatching(poller).some((p) => childrenOf(p).some((c) => /^sleep /.test(c.command)))
    // (A loaded machine may take long to start the poll: the limit only catches a hang.)
    const seen = await eventually(waiting, (w) => w, 60_000)
    open()
    expect(seen).toBe(true)
    const ran = await polling
    const [done] = parseStatus(ran.stdout)
    expect(done!.state).toBe('finished')
    // The answer came while the poll still had a good part of its 120 s to wait: it saw the end, it
    // did not wait it out. (That it answers within a fraction of a second is `npm run bench`'s claim.)
    expect(ran.ms).toBeLessThan(waitSeconds * 1000 - 30_000)
  }, 200_000)

  it('reports lengths in bytes under a shell that counts characters (bash in a UTF-8 locale) and dash', async () => {
    const meta = '{"task":"déjà vu ✓"}'
    const { jid, dir: jobDir } = await launch("printf 'ünïcødé\\n'", { meta })
    const done = await settled(jobDir, jid)
    const command = statusCommand({ dir: jobDir, jids: [jid], waitSeconds: 0 })
    expect(command.startsWith('/bin/sh ')).toBe(true)
    const env = { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' }
    // The same status through bash, which counts characters in this locale: the wrapper must notice.
    const underBash = await sh(`bash ${command.slice('/bin/sh '.length)}`, env)
    const underSh = await sh(command, env)
    for (const ran of [underBash, underSh]) {
      expect(ran.code, ran.stderr.toString()).toBe(0)
      const [snapshot] = parseStatus(ran.stdout)
      expect(snapshot).toMatchObject({ jid, meta, stdout: done.stdout })
      expect(snapshot!.stdout.toString()).toBe('ünïcødé\n')
    }
  })

  it('reports an unknown job as missing', async () => {
    mkdirSync(dir, { recursive: true })
    const snapshot = await one(dir, 'j1.99999')
    expect(snapshot.state).toBe('missing')
    expect(snapshot.detail).toMatch(/no job record/)
  })
})

describe.concurrent('job wrapper: timeouts, kills and lost jobs', () => {
  it('stops a job at its async limit: TERM to its process group, nothing left behind', async () => {
    const { jid, dir: d } = await launch('sleep 31.25 & sleep 31.25', { asyncSeconds: 1 })
    const done = await settled(d, jid)
    expect(done.state).toBe('timeout')
    expect(done.rc).toBe(143)
    expect(done.timeoutSeconds).toBe(1)
    // The record's own times: not stopped before the limit, and stopped by the watchdog long before the
    // 31 s the job would take (the bound only has to tell those apart; a loaded machine may be slow).
    // How soon after the limit it stops (Ansible: 5 + 5·ceil(T/5) s) is measured by `npm run bench`.
    expect(done.end! - done.start!).toBeGreaterThanOrEqual(1)
    expect(done.end! - done.start!).toBeLessThan(20)
    // The supervisor (whose argv holds the command) exits right after its final record.
    expect(
      await eventually(
        () => pgrep('sleep 31.25'),
        (p) => p === ''
      )
    ).toBe('')
    expect(existsSync(join(d, `${jid}.timedout`))).toBe(false)
  })

  it('KILLs a job that ignores TERM after the 2 s grace', async () => {
    const { jid, dir: d } = await launch("trap '' TERM; sleep 32.5", { asyncSeconds: 1 })
    const done = await settled(d, jid)
    expect(done).toMatchObject({ state: 'timeout', rc: 137 })
    // The record's own times: the 1 s limit plus the whole 2 s grace, and far less than the 32.5 s sleep.
    expect(done.end! - done.start!).toBeGreaterThan(2.8)
    expect(done.end! - done.start!).toBeLessThan(20)
    expect(
      await eventually(
        () => pgrep('sleep 32.5'),
        (p) => p === ''
      )
    ).toBe('')
  })

  it('leaves no watchdog sleep behind when the job finishes first', async () => {
    const { wait, open } = gate()
    const { jid, dir: d } = await launch(wait, { asyncSeconds: 7.25 })
    // The watchdog is asleep before the job ends (it is held at its gate until then).
    expect(
      await eventually(
        () => pgrep('sleep 7.25'),
        (p) => p !== ''
      )
    ).not.toBe('')
    open()
    const done = await settled(d, jid)
    expect(done).toMatchObject({ state: 'finished', rc: 0, timeoutSeconds: 7.25 })
    expect(
      await eventually(
        () => pgrep('sleep 7.25'),
        (p) => p === ''
      )
    ).toBe('')
  })

  it('records a job killed by signal 9 as finished with rc 137', async () => {
    const { jid, dir: d } = await launch('exec sleep 33.5')
    // Signalled only if the recorded pid is still that job (see helpers/processes.ts).
    const job = await awaitProcess(Number(record(d, jid).get('pid')), /sleep 33\.5/)
    expect(job && signalProcess(job, 'SIGKILL')).toBe(true)
    const done = await settled(d, jid)
    expect(done).toMatchObject({ state: 'finished', rc: 137 })
    expect(pgrep('sleep 33.5')).toBe('')
  })

  it('reports died when the supervisor was killed with the job', async () => {
    const { jid, dir: d } = await launch('sleep 34.5')
    const rec = record(d, jid)
    const supervisor = findProcess(
      Number(rec.get('supervisor')),
      new RegExp(`apb-job supervise ${jid.replace('.', '\\.')} `)
    )
    const job = await awaitProcess(Number(rec.get('pgid')), /sleep 34\.5/, { leader: true })
    expect(supervisor && signalProcess(supervisor, 'SIGKILL')).toBe(true)
    expect(job && signalGroup(job, 'SIGKILL')).toBe(true)
    const snapshot = await eventually(
      () => one(d, jid),
      (s) => s.state !== 'running'
    )
    expect(snapshot.state).toBe('died')
    expect(snapshot.detail).toMatch(/supervisor/)
  })

  it('reports rebooted when the boot id changed under a running record', async () => {
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()
    // The job runs until the test opens its gate: on a loaded machine a timed job could end before
    // the status is read, and a finished record is not a running one.
    const { wait, open } = gate()
    const { jid, dir: d } = await launch(wait)
    const path = join(d, jid)
    const edited = readFileSync(path, 'utf8').replace(
      /^boot_id=.*$/m,
      'boot_id=00000000-0000-0000-0000-000000000000'
    )
    writeFileSync(path, edited)
    try {
      const snapshot = await one(d, jid)
      expect(snapshot.state).toBe('rebooted')
      expect(snapshot.detail).toContain(bootId)
    } finally {
      // The kill mode refuses to signal a pid from another boot: the job ends through its gate.
      open()
    }
    const done = await settled(d, jid)
    expect(done).toMatchObject({ state: 'finished', rc: 0 })
  })

  it('kills a running job on request: TERM to its group, recorded as rc 143', async () => {
    const { jid, dir: d } = await launch('sleep 36.5 & sleep 36.5')
    const killed = await sh(killCommand(d, jid))
    expect(parseKill(killed.stdout)).toEqual({ jid, wasRunning: true })
    const done = await settled(d, jid)
    expect(done).toMatchObject({ state: 'finished', rc: 143 })
    expect(
      await eventually(
        () => pgrep('sleep 36.5'),
        (p) => p === ''
      )
    ).toBe('')
    const again = await sh(killCommand(d, jid))
    expect(parseKill(again.stdout)).toEqual({ jid, wasRunning: false })
  })

  it('reads a garbled or truncated record as corrupt', async () => {
    mkdirSync(dir, { recursive: true })
    const cases: Record<string, string> = {
      'j7.1': 'state=running\n\u0001garbage\n',
      'j7.2': 'state=finished\npid=12',
      'j7.3': 'state=finished\npid=12\n',
      'j7.4': 'pid=12\n',
      'j7.5': ''
    }
    for (const [jid, text] of Object.entries(cases)) writeFileSync(join(dir, jid), text)
    const snapshots = await status(dir, Object.keys(cases))
    expect(snapshots.map((s) => s.state)).toEqual(Array(5).fill('corrupt'))
    expect(snapshots.map((s) => s.detail)).toEqual([
      expect.stringMatching(/unreadable line/),
      expect.stringMatching(/truncated/),
      expect.stringMatching(/no valid rc/),
      expect.stringMatching(/no state/),
      expect.stringMatching(/empty/)
    ])
  })
})

describe.concurrent('job wrapper: directories, cleanup and hostile input', () => {
  it('erases a job on cleanup and says whether it existed', async () => {
    const { jid, dir: d } = await launch('echo hi')
    await settled(d, jid)
    const first = await sh(cleanupCommand(d, jid))
    expect(parseCleanup(first.stdout)).toEqual({ jid, existed: true })
    for (const suffix of ['', '.out', '.err', '.meta'])
      expect(existsSync(join(d, jid + suffix))).toBe(false)
    const second = await sh(cleanupCommand(d, jid))
    expect(parseCleanup(second.stdout)).toEqual({ jid, existed: false })
  })

  it('does not bring back the record of a job cleaned up while it ran', async () => {
    const { wait, open } = gate()
    const { jid, dir: d } = await launch(wait)
    const supervisor = findProcess(
      Number(record(d, jid).get('supervisor')),
      new RegExp(`apb-job supervise ${jid.replace('.', '\\.')} `)
    )
    expect(supervisor).toBeDefined()
    await sh(cleanupCommand(d, jid))
    expect((await one(d, jid)).state).toBe('missing')
    open()
    // The supervisor writes its final record (or not) before it exits: wait for that, not for a time.
    expect(
      await eventually(
        () => isAlive(supervisor!),
        (alive) => !alive,
        20_000
      )
    ).toBe(false)
    for (const suffix of ['', '.out', '.err', '.meta'])
      expect(existsSync(join(d, jid + suffix))).toBe(false)
  })

  it('expands ~ to $HOME and creates the directory 0700', async () => {
    const home = join(root, 'home with space')
    mkdirSync(home)
    const env = { ...process.env, HOME: home }
    const { jid, dir: d } = await launch('true', { asyncDir: '~/.ansible_async/deeper', env })
    expect(d).toBe(join(realpathSync(home), '.ansible_async', 'deeper'))
    expect(statSync(d).mode & 0o777).toBe(0o700)
    expect(statSync(join(d, `${jid}.meta`)).mode & 0o777).toBe(0o600)
    const done = await settled(d, jid)
    expect(done.state).toBe('finished')
  })

  it('names the directory and the reason when it cannot be created', async () => {
    const file = join(root, 'plain-file')
    writeFileSync(file, '')
    const ran = await sh(
      launchCommand({
        jidPrefix: 'j1',
        asyncSeconds: 0,
        asyncDir: `${file}/sub`,
        meta: '{}',
        command: 'true'
      })
    )
    expect(ran.code).toBe(1)
    expect(parseLaunch(ran)).toEqual({
      ok: false,
      message: `could not create directory: ${file}/sub - Not a directory`
    })
  })

  it('refuses a directory it cannot write to', async () => {
    const locked = join(root, 'locked')
    mkdirSync(locked, { mode: 0o555 })
    chmodSync(locked, 0o555)
    chmodSync(root, 0o755)
    const command = launchCommand({
      jidPrefix: 'j1',
      asyncSeconds: 0,
      asyncDir: locked,
      meta: '{}',
      command: 'true'
    })
    // root writes anywhere: run as nobody then.
    const ran =
      process.getuid?.() === 0
        ? await sh(
            shellJoin([
              'setpriv',
              '--reuid=65534',
              '--regid=65534',
              '--clear-groups',
              '/bin/sh',
              '-c',
              command
            ])
          )
        : await sh(command)
    const answer = parseLaunch(ran)
    expect(answer.ok).toBe(false)
    expect(answer.ok === false && answer.message).toBe(
      `async directory is not writable: ${locked} - Permission denied`
    )
  })

  it.skipIf(process.getuid?.() !== 0)(
    'says the disk is full, and leaves no half-written job',
    async () => {
      const mnt = join(root, 'full')
      mkdirSync(mnt)
      const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt])
      if (mounted.status !== 0) return // no CAP_SYS_ADMIN (an unprivileged container): nothing to test
      try {
        spawnSync('/bin/sh', [
          '-c',
          `head -c 1048576 /dev/zero > ${shellJoin([join(mnt, 'filler')])}`
        ])
        const ran = await sh(
          launchCommand({
            jidPrefix: 'j1',
            asyncSeconds: 0,
            asyncDir: mnt,
            meta: '{}',
            command: 'true'
          })
        )
        const answer = parseLaunch(ran)
        expect(answer.ok).toBe(false)
        expect(answer.ok === false && answer.message).toMatch(/No space left on device/)
        expect(answer.ok === false && answer.message).toContain(mnt)
        expect(spawnSync('ls', ['-A', mnt], { encoding: 'utf8' }).stdout.trim()).toBe('filler')
      } finally {
        spawnSync('umount', [mnt])
      }
    }
  )

  it('refuses hostile job ids in the controller and again on the target', async () => {
    const canary = join(root, 'canary')
    const victim = join(root, 'victim')
    writeFileSync(victim, 'keep')
    mkdirSync(dir, { recursive: true })
    const hostile = [`j1.1; touch ${canary}`, '../victim', '../../etc/passwd', 'j1.1\nj2.2', '']
    for (const jid of hostile) {
      expect(isValidJid(jid)).toBe(false)
      expect(() => statusCommand({ dir, jids: [jid], waitSeconds: 0 })).toThrow(JobProtocolError)
      expect(() => cleanupCommand(dir, jid)).toThrow(JobProtocolError)
      expect(() => killCommand(dir, jid)).toThrow(JobProtocolError)
    }
    expect(() =>
      launchCommand({
        jidPrefix: `j1; touch ${canary}`,
        asyncSeconds: 0,
        asyncDir: dir,
        meta: '',
        command: 'true'
      })
    ).toThrow(JobProtocolError)

    // The target, called directly (as a buggy or hostile controller would).
    const wrapper = (...args: string[]): Promise<Ran> =>
      sh(shellJoin(['/bin/sh', '-c', JOB_WRAPPER_SCRIPT, 'apb-job', ...args]))
    const statusRan = await wrapper('status', '0', '0', dir, ...hostile, 'j1.1')
    const snapshots = parseStatus(statusRan.stdout)
    expect(snapshots.map((s) => s.jid)).toEqual([...hostile, 'j1.1'])
    expect(snapshots.map((s) => s.state)).toEqual(Array(hostile.length + 1).fill('missing'))
    expect(snapshots[0]!.detail).toMatch(/refused/)
    for (const jid of hostile) {
      for (const mode of ['cleanup', 'kill']) {
        const ran = await wrapper(mode, dir, jid)
        expect(ran.code).toBe(1)
        expect(ran.stdout.toString()).toMatch(/^APB-ERROR refusing job id/)
      }
    }
    const launched = await wrapper(
      'launch',
      `j1; touch ${canary}`,
      '0',
      dir,
      '{}',
      'true',
      JOB_WRAPPER_SCRIPT
    )
    expect(launched.stdout.toString()).toMatch(/^APB-ERROR refusing job id prefix/)
    expect(existsSync(canary)).toBe(false)
    expect(readFileSync(victim, 'utf8')).toBe('keep')
  })
})

describe('job protocol parsing', () => {
  const frame = (header: string, ...parts: string[]): Buffer =>
    Buffer.concat([Buffer.from(`${header}\n`), ...parts.map((p) => Buffer.from(p))])

  it('skips login-shell chatter before the first frame and after the end', () => {
    const rec = 'state=finished\nrc=0\npid=5\nstart=1\nend=2\ntimeout=0\n'
    const out = Buffer.concat([
      Buffer.from('Welcome!\n'),
      frame(`APB-JOB j1.5 1 0 - ${rec.length} 2 2 0 0 2`, rec, 'hi', '{}'),
      Buffer.from('APB-END 1\nbye\n')
    ])
    expect(parseStatus(out)).toEqual([
      expect.objectContaining({
        jid: 'j1.5',
        state: 'finished',
        rc: 0,
        stdout: Buffer.from('hi'),
        meta: '{}'
      })
    ])
  })

  it('throws a JobProtocolError on a cut-off or garbled answer', () => {
    const rec = 'state=running\npid=5\nsupervisor=6\n'
    const whole = Buffer.concat([
      frame(`APB-JOB j1.5 1 1 - ${rec.length} 0 0 0 0 0`, rec),
      Buffer.from('APB-END 1\n')
    ])
    expect(parseStatus(whole)[0]!.state).toBe('running')
    expect(() => parseStatus(whole.subarray(0, 30))).toThrow(JobProtocolError)
    expect(() => parseStatus(whole.subarray(0, whole.length - 10))).toThrow(JobProtocolError)
    expect(() => parseStatus(Buffer.from('APB-JOB j1.5 1 1 - x 0 0 0 0 0\n'))).toThrow(/malformed/)
    expect(() => parseStatus(Buffer.from('nothing here'))).toThrow(JobProtocolError)
    expect(() =>
      parseStatus(Buffer.from('APB-ERROR status: cap-bytes must be a whole number\n'))
    ).toThrow(/cap-bytes/)
  })

  it('explains a launcher that answered nothing', () => {
    expect(
      parseLaunch({
        code: 127,
        stdout: Buffer.alloc(0),
        stderr: Buffer.from('sh: 1: /bin/sh: not found\n')
      })
    ).toEqual({
      ok: false,
      message: 'the async job launcher gave no answer (exit code 127): sh: 1: /bin/sh: not found'
    })
  })

  it('makes jid prefixes of j and 18 digits', () => {
    const prefixes = new Set(Array.from({ length: 50 }, () => newJidPrefix()))
    expect(prefixes.size).toBe(50)
    for (const p of prefixes) expect(p).toMatch(/^j\d{18}$/)
  })
})
