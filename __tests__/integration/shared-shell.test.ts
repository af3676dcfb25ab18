/**
 * Commands that ask for the host's shared shell (RunOptions.sharedShell) against a real sshd: the same
 * results as on a session of their own, each command in a subshell of one long-lived /bin/sh, and the
 * session of its own whenever the shared shell cannot serve (stdin, all busy, a deadline that killed it).
 *
 * `$$` tells the two apart: in a subshell it is the shared shell's PID, the same from one command to
 * the next, while each session of its own has a shell of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openConnection } from '../../src/connection/index.js'
import type { Connection, RunOptions } from '../../src/connection/connection.js'
import { shellJoin } from '../../src/connection/shell-quote.js'
import { ConnectionError } from '../../src/errors.js'
import { sshdConnectionSettings, startSshd, type SshdFixture } from '../helpers/sshd.js'

const shared = (extra: Partial<RunOptions> = {}): RunOptions => ({
  timeoutMs: 20_000,
  sharedShell: true,
  ...extra
})

async function pidOf(conn: Connection, options: RunOptions = shared()): Promise<string> {
  const r = await conn.run('echo $$', options)
  expect(r.code).toBe(0)
  return r.stdout.toString().trim()
}

async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return true
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return check()
}

describe('shared shell against a real sshd', () => {
  let sshd: SshdFixture
  let conn: Connection

  beforeAll(async () => {
    sshd = await startSshd({ name: 'shared-shell' })
    conn = await openConnection(sshdConnectionSettings(sshd))
  })
  afterAll(async () => {
    await conn?.close()
    await sshd?.stop()
  })

  it('runs one command after another in the same shell', async () => {
    const first = await pidOf(conn)
    expect(await pidOf(conn)).toBe(first)
    expect(await pidOf(conn)).toBe(first)
    // A command of its own has a shell of its own.
    expect(await pidOf(conn, { timeoutMs: 20_000 })).not.toBe(first)
  })

  it('returns what a session of its own returns, byte for byte', async () => {
    const commands = [
      'echo out; echo err >&2; exit 3',
      "printf '\\000\\001\\377\\376abc\\200\\303'",
      "printf 'no newline  '; printf ' e' >&2",
      // Text that starts like the shell's marker lines, in both streams, at the end and in the middle.
      "printf '\\nAPB-SHELL-'; printf '\\nAPB-SHELL-x 0\\n' >&2",
      "printf 'a\\nAPB-SHELL-0123 0\\nb\\n'; exit 0",
      'id -un; pwd; umask',
      'cat; echo "read: $?"',
      'exit 255',
      // A lone /bin/sh -c (as probes are sent) runs in place of the subshell, its script in the
      // subshell itself unless it names $0, $$ or $PPID: the same result.
      shellJoin(['/bin/sh', '-c', 'echo "$0 $1"; echo e >&2; exit 4', 'apb-name', "it's"]),
      shellJoin([
        '/bin/sh',
        '-c',
        'set -u; printf "%s|" "$#" "$@"; echo e >&2; exit 6',
        'apb-name',
        "it's",
        'a  b',
        ''
      ]),
      `${shellJoin(['/bin/sh', '-c', 'exit 5'])} || echo "after $?"`,
      ''
    ]
    for (const command of commands) {
      const own = await conn.run(command, { timeoutMs: 20_000 })
      const inShared = await conn.run(command, shared())
      expect({ command, ...inShared }).toEqual({ command, ...own })
    }
  })

  it('runs a lone /bin/sh -c script in the subshell itself, and a script naming $$ in a shell of its own', async () => {
    // The command line of the shell that runs the script: the shared shell's (`/bin/sh -s`, which the
    // subshell inherits) when no second shell was started. awk is that shell's child.
    const runner = "p=$(awk '{ print $4 }' /proc/self/stat); tr '\\000' ' ' </proc/\"$p\"/cmdline"
    const inPlace = await conn.run(shellJoin(['/bin/sh', '-c', runner, 'apb-x']), shared())
    expect(inPlace.stdout.toString()).toBe('/bin/sh -s ')
    const own = await conn.run(shellJoin(['/bin/sh', '-c', `: "$$"; ${runner}`, 'apb-x']), shared())
    expect(own.stdout.toString()).toMatch(/^\/bin\/sh -c /)
  })

  it('reports text the shell cannot parse with its status, and goes on', async () => {
    // The message differs in its prefix only ('sh: 1: ' on a session, '/bin/sh: 1: eval: ' here).
    const own = await conn.run("echo 'unterminated", { timeoutMs: 20_000 })
    const inShared = await conn.run("echo 'unterminated", shared())
    expect(inShared.code).toBe(own.code)
    expect(inShared.code).toBe(2)
    expect(inShared.stderr.toString()).toMatch(/Syntax error: Unterminated quoted string\n$/)
    expect((await conn.run('echo next', shared())).stdout.toString()).toBe('next\n')
  })

  it('keeps each command to itself: directory, variables, umask, options and exit', async () => {
    const before = await conn.run(
      'pwd; umask; echo "x=${APB_X-unset}"; set +o | grep -c errexit',
      shared()
    )
    await conn.run('cd /tmp; umask 077; APB_X=1; export APB_X; set -e; exit 7', shared())
    await conn.run('apb_fn() { echo defined; }; alias ls=false', shared())
    const after = await conn.run(
      'pwd; umask; echo "x=${APB_X-unset}"; set +o | grep -c errexit',
      shared()
    )
    expect(after.stdout.toString()).toBe(before.stdout.toString())
    const fn = await conn.run('command -v apb_fn || echo none', shared())
    expect(fn.stdout.toString()).toBe('none\n')
  })

  it('streams output to callbacks, all of it and nothing of the shell', async () => {
    const out: Buffer[] = []
    const err: Buffer[] = []
    const r = await conn.run(
      'i=0; while [ $i -lt 200 ]; do echo "line $i"; echo "e$i" >&2; i=$((i+1)); done',
      shared({ onStdout: (c) => out.push(c), onStderr: (c) => err.push(c) })
    )
    expect(Buffer.concat(out)).toEqual(r.stdout)
    expect(Buffer.concat(err)).toEqual(r.stderr)
    expect(r.stdout.toString().split('\n')).toHaveLength(201)
  })

  it('returns 5 MB complete without a cap, and the tail with the full size under one', async () => {
    const size = 5 * 1024 * 1024
    const command = `head -c ${size} /dev/zero | tr '\\0' x; echo end`
    const all = await conn.run(command, shared({ outputCapBytes: Infinity, timeoutMs: 60_000 }))
    expect(all.stdout.length).toBe(size + 4)
    expect(all.stdoutTruncated).toBeUndefined()
    const tail = await conn.run(command, shared({ outputCapBytes: 1000, timeoutMs: 60_000 }))
    expect(tail.stdout.length).toBeGreaterThanOrEqual(1000)
    expect(tail.stdout.subarray(-1000).toString()).toBe(all.stdout.subarray(-1000).toString())
    expect(tail.stdoutTruncated).toEqual({ totalBytes: size + 4 })
  })

  it('takes text input that ends with a line break, byte for byte', async () => {
    const pid = await pidOf(conn)
    const inputs = [
      'input\n',
      '\n',
      'quotes \' " $HOME `id` \\ \\n and EOF\nEOF\n',
      `${'x'.repeat(100_000)}\n\u00e9\u00ff\n`,
      Buffer.from([0xff, 0xfe, 0x80, 0x0a])
    ]
    for (const stdin of inputs) {
      const r = await conn.run('echo $$; od -An -v -tx1 | tr -d " \\n"', shared({ stdin }))
      const [ran, hex] = r.stdout.toString().split('\n')
      expect(ran).toBe(pid)
      expect(hex).toBe(Buffer.from(stdin).toString('hex'))
    }
  })

  it('gives other input a session of its own: without a final line break, with NUL, or large', async () => {
    const pid = await pidOf(conn)
    const inputs = ['no newline', 'nul \u0000 inside\n', `${'y'.repeat(300 * 1024)}\n`]
    for (const stdin of inputs) {
      const r = await conn.run('echo $$; od -An -v -tx1 | tr -d " \\n"', shared({ stdin }))
      const [ran, hex] = r.stdout.toString().split('\n')
      expect(ran).not.toBe(pid)
      expect(hex).toBe(Buffer.from(stdin).toString('hex'))
    }
    expect(await pidOf(conn)).toBe(pid)
  })

  it('runs commands sent at once one after another in the one shared shell, in the order sent', async () => {
    const pid = await pidOf(conn)
    const file = `/tmp/apb-shared-order-${process.pid}-${Date.now()}`
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        conn.run(`sleep 0.1; echo ${i} >> ${file}; echo $$ $(wc -l < ${file})`, shared())
      )
    )
    await conn.run(`rm -f ${file}`, shared())
    // Each saw the lines of those before it: run one at a time, first come first served.
    expect(results.map((r) => r.stdout.toString().trim())).toEqual(
      Array.from({ length: 5 }, (_, i) => `${pid} ${i + 1}`)
    )
  })

  it('ends a command still waiting for the shell at its deadline, never having started it', async () => {
    const pid = await pidOf(conn)
    const file = `/tmp/apb-shared-never-${process.pid}-${Date.now()}`
    const long = conn.run('sleep 1.5; echo long', shared())
    const waited = await conn.run(`touch ${file}`, shared({ timeoutMs: 300 }))
    expect(waited.timedOut).toBe(true)
    expect(waited.code).toBeNull()
    // The command that held the shell was not disturbed, and the one that timed out never ran.
    expect((await long).stdout.toString()).toBe('long\n')
    const check = await conn.run(`test -e ${file} && echo ran || echo never`, shared())
    expect(check.stdout.toString()).toBe('never\n')
    expect(await pidOf(conn)).toBe(pid)
  })

  it('ends a command at its deadline, killing what it started, then starts a new shared shell', async () => {
    const pid = await pidOf(conn)
    const marker = `30.${Date.now() % 100000}`
    const started = Date.now()
    const r = await conn.run(
      `echo begun; sleep ${marker} & sleep ${marker}; wait`,
      shared({ timeoutMs: 1_000 })
    )
    const elapsed = Date.now() - started
    expect(r.timedOut).toBe(true)
    expect(r.code).toBeNull()
    expect(r.stdout.toString()).toBe('begun\n')
    expect(elapsed).toBeGreaterThanOrEqual(900)
    expect(elapsed).toBeLessThan(15_000)
    const gone = await eventually(async () => {
      const ps = await conn.run(`pgrep -f '[s]leep ${marker}' || true`, { timeoutMs: 10_000 })
      return ps.stdout.length === 0
    }, 5_000)
    expect(gone).toBe(true)
    const next = await pidOf(conn)
    expect(next).not.toBe(pid)
    expect(await pidOf(conn)).toBe(next)
  })

  it('gives back an idle shared shell when the server has no session left for a command', async () => {
    // MaxSessions 1 on this server: the shared shell fills it.
    const tight = await startSshd({ name: 'shared-shell-sessions', extraConfig: ['MaxSessions 1'] })
    const c = await openConnection(sshdConnectionSettings(tight))
    try {
      const pid = await pidOf(c)
      const r = await c.run('echo own', { timeoutMs: 10_000 })
      expect(r.stdout.toString()).toBe('own\n')
      // The shell gave its session back: the next shared command starts another.
      const next = await pidOf(c)
      expect(next).not.toBe(pid)
    } finally {
      await c.close()
      await tight.stop()
    }
  })

  it('says the server had no session free when none came before the deadline', async () => {
    // MaxSessions 1 on this server: the shared shell holds it, busy all along.
    const tight = await startSshd({ name: 'shared-shell-full', extraConfig: ['MaxSessions 1'] })
    const c = await openConnection(sshdConnectionSettings(tight))
    try {
      await pidOf(c)
      const busy = c.run('sleep 3; echo busy', shared())
      const error = await c.run('echo own', { timeoutMs: 500 }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(ConnectionError)
      expect((error as Error).message).toMatch(
        /^cannot start a command on web1: the server had no session free for it in 500 ms .*MaxSessions/
      )
      expect((await busy).stdout.toString()).toBe('busy\n')
    } finally {
      await c.close()
      await tight.stop()
    }
  })

  it('waits for a session the server has none left of, while the shell is busy', async () => {
    // MaxSessions 2 on this server: the shared shell and one more session fill it.
    const tight = await startSshd({ name: 'shared-shell-busy', extraConfig: ['MaxSessions 2'] })
    const c = await openConnection(sshdConnectionSettings(tight))
    try {
      await pidOf(c)
      const inShell = c.run('sleep 0.5; echo shell', shared())
      const long = c.run('sleep 1; echo long', { timeoutMs: 20_000 })
      const r = await c.run('echo own', { timeoutMs: 20_000 })
      expect(r.stdout.toString()).toBe('own\n')
      expect((await long).stdout.toString()).toBe('long\n')
      expect((await inShell).stdout.toString()).toBe('shell\n')
      expect((await c.run('echo still', shared())).stdout.toString()).toBe('still\n')
    } finally {
      await c.close()
      await tight.stop()
    }
  })
})

describe('shared shell that cannot start', () => {
  it('sends every command waiting for it to a session of its own', async (ctx) => {
    // Every session runs this instead of what it asks for: the shell never answers.
    const forced = await startSshd({
      name: 'shared-shell-forced',
      extraConfig: ['ForceCommand echo forced']
    })
    try {
      if (forced.kind === 'ssh2') ctx.skip()
      const c = await openConnection(sshdConnectionSettings(forced))
      try {
        const results = await Promise.all(
          Array.from({ length: 5 }, (_, i) => c.run(`echo ${i}`, shared({ timeoutMs: 15_000 })))
        )
        for (const r of results) {
          expect(r.timedOut).toBe(false)
          expect(r.stdout.toString()).toBe('forced\n')
        }
        expect((await c.run('echo later', shared())).stdout.toString()).toBe('forced\n')
      } finally {
        await c.close()
      }
    } finally {
      await forced.stop()
    }
  })
})

describe('shared shell when the host goes away', () => {
  it('rejects the running command with ConnectionError', async (ctx) => {
    const sshd = await startSshd({ name: 'shared-shell-loss' })
    try {
      if (sshd.kind === 'ssh2') ctx.skip()
      const conn = await openConnection(sshdConnectionSettings(sshd))
      await pidOf(conn)
      const running = conn.run('echo started; sleep 30', shared({ onStdout: () => sshd.kill() }))
      await expect(running).rejects.toBeInstanceOf(ConnectionError)
      await expect(running).rejects.toThrow(/^connection to web1 lost: /)
      await conn.close()
    } finally {
      await sshd.stop()
    }
  })
})
