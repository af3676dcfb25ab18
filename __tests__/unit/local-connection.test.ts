import { spawnSync } from 'node:child_process'
import { mkdtemp, readFile, readdir, rm, stat, writeFile, chmod } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openConnection } from '../../src/connection/index.js'
import type { Connection } from '../../src/connection/connection.js'
import { ConnectionError } from '../../src/errors.js'
import { canUsePidNamespace, runPidReuseScenario } from '../helpers/pid-namespace.js'

describe('local connection', () => {
  let conn: Connection
  let dir: string

  beforeAll(async () => {
    conn = await openConnection({
      host: 'localhost',
      transport: 'local',
      address: 'localhost',
      port: 22,
      hostKeyChecking: 'strict',
      connectTimeoutMs: 1_000
    })
    dir = await mkdtemp(join(tmpdir(), 'apb-local-'))
  })
  afterAll(async () => {
    await conn.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('runs through /bin/sh and returns stdout, stderr and the exit code', async () => {
    const r = await conn.run('echo out; echo err >&2; exit 7', { timeoutMs: 10_000 })
    expect(r).toMatchObject({ code: 7, signal: null, timedOut: false })
    expect(r.stdout.toString()).toBe('out\n')
    expect(r.stderr.toString()).toBe('err\n')
    expect(conn.host).toBe('localhost')
  })

  it('returns raw bytes, invalid UTF-8 and no trailing newline as they are', async () => {
    const r = await conn.run("printf '\\377\\000ab\\200'", { timeoutMs: 10_000 })
    expect(r.stdout).toEqual(Buffer.from([0xff, 0, 0x61, 0x62, 0x80]))
  })

  it('delivers stdin, binary included, then closes it', async () => {
    const data = randomBytes(1024 * 1024)
    const r = await conn.run('cat', { stdin: data, timeoutMs: 10_000 })
    expect(r.stdout.equals(data)).toBe(true)
    const noStdin = await conn.run('cat; echo done', { timeoutMs: 10_000 })
    expect(noStdin.stdout.toString()).toBe('done\n')
  })

  it('survives a command that exits without reading its stdin', async () => {
    const r = await conn.run('exit 0', { stdin: randomBytes(4 * 1024 * 1024), timeoutMs: 10_000 })
    expect(r.code).toBe(0)
  })

  it('kills the whole process group at the deadline', async () => {
    const marker = join(dir, 'still-alive')
    // A sleep of its own length names the background child in the process table.
    const nap = `31.${randomBytes(3).readUIntBE(0, 3)}`
    const started = Date.now()
    const r = await conn.run(`(sleep ${nap}; touch ${marker}) & sleep 30; wait`, {
      timeoutMs: 300
    })
    expect(r.timedOut).toBe(true)
    expect(r.signal).toBe('SIGKILL')
    // Only a hang guard: without the deadline the command would take 30 s.
    expect(Date.now() - started).toBeLessThan(20_000)
    // The background child was killed with its group: it is gone and never creates the marker.
    const pgrep = (): string =>
      spawnSync('pgrep', ['-f', `sleep ${nap}`], { encoding: 'utf8' }).stdout.trim()
    for (let tries = 0; pgrep() !== '' && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    expect(pgrep()).toBe('')
    expect(await stat(marker).catch(() => 'absent')).toBe('absent')
  })

  it('at the deadline also kills what the command left in its group after its shell exited', async () => {
    const nap = `32.${randomBytes(3).readUIntBE(0, 3)}`
    // The shell exits at once; the background sleep keeps the output pipes open.
    const r = await conn.run(`sleep ${nap} & echo started`, { timeoutMs: 300 })
    expect(r.timedOut).toBe(true)
    expect(r.stdout.toString()).toBe('started\n')
    const pgrep = (): string =>
      spawnSync('pgrep', ['-f', `sleep ${nap}`], { encoding: 'utf8' }).stdout.trim()
    for (let tries = 0; pgrep() !== '' && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    expect(pgrep()).toBe('')
  })

  it.skipIf(!canUsePidNamespace())(
    "never signals a process that got the command's group id after its shell exited",
    async () => {
      // The scenario runs in a pid namespace of its own (see the driver): nothing else on the machine
      // has its pids reused.
      const timeoutMs = 15_000
      const report = await runPidReuseScenario('local-connection', [String(timeoutMs)], dir)
      // The setup did what it must: the shell's pid went to the victim before the deadline fired.
      expect(report['victimPid']).toBe(report['shellPid'])
      expect(report['victimSpawnedMs']).toBeLessThan(timeoutMs)
      expect(report['timedOut']).toBe(true)
      // The deadline's kill did not reach the victim's group, which merely has the old id.
      expect(report).toMatchObject({ victimAlive: true, victimSignal: null })
    }
  )

  it('writes files with exact bytes and mode, keeping the old mode on replace, leaving no temp file', async () => {
    const path = join(dir, 'file.bin')
    const content = randomBytes(100_000)
    await conn.putFile(path, content, { mode: 0o640, timeoutMs: 10_000 })
    expect((await readFile(path)).equals(content)).toBe(true)
    expect((await stat(path)).mode & 0o7777).toBe(0o640)

    await conn.putFile(path, Buffer.from('new'), { timeoutMs: 10_000 })
    expect(await readFile(path, 'utf8')).toBe('new')
    expect((await stat(path)).mode & 0o7777).toBe(0o640)
    expect((await readdir(dir)).filter((n) => n.includes('.tmp'))).toEqual([])
  })

  it('applies an explicit mode to an existing file', async () => {
    const path = join(dir, 'script.sh')
    await writeFile(path, 'old')
    await chmod(path, 0o600)
    await conn.putFile(path, Buffer.from('#!/bin/sh\n'), { mode: 0o755, timeoutMs: 10_000 })
    expect((await stat(path)).mode & 0o7777).toBe(0o755)
  })

  it('keeps the variables secrets come from out of a command: become password, inputs, tokens', async () => {
    const secrets = {
      ASYNC_PLAYBOOK_BECOME_PASSWORD: 'become-pw-1',
      ASYNC_PLAYBOOK_SSH_PASSPHRASE: 'passphrase-2',
      'INPUT_BECOME-PASSWORD': 'input-pw-3',
      STATE_jobs: 'state-4',
      GITHUB_TOKEN: 'token-5',
      ACTIONS_RUNTIME_TOKEN: 'token-6',
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'token-7'
    }
    const saved = { ...process.env }
    Object.assign(process.env, secrets, { APB_KEPT_VARIABLE: 'kept-8' })
    try {
      const r = await conn.run('env', { timeoutMs: 10_000 })
      const env = r.stdout.toString()
      // Ordinary variables still pass: the check below is not vacuous.
      expect(env).toContain('APB_KEPT_VARIABLE=kept-8')
      expect(env).toContain('PATH=')
      for (const [name, value] of Object.entries(secrets)) {
        expect(env, name).not.toContain(value)
        expect(env, name).not.toContain(`${name}=`)
      }
    } finally {
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name]
      Object.assign(process.env, saved)
    }
  })

  it('names the path and reason when a file cannot be written', async () => {
    await expect(
      conn.putFile(join(dir, 'missing-dir', 'x'), Buffer.from('x'), { timeoutMs: 10_000 })
    ).rejects.toThrow(/cannot write .*missing-dir\/x on localhost: .*ENOENT/)
  })

  it('refuses to run after close', async () => {
    const other = await openConnection({
      host: 'h',
      transport: 'local',
      address: 'h',
      port: 22,
      hostKeyChecking: 'off',
      connectTimeoutMs: 1_000
    })
    await other.close()
    await other.close()
    await expect(other.run('true', { timeoutMs: 1_000 })).rejects.toBeInstanceOf(ConnectionError)
  })
})
