import { randomBytes } from 'node:crypto'
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createServer, type AddressInfo, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openConnection } from '../../src/connection/index.js'
import { SYNC_OUTPUT_CAP_BYTES } from '../../src/connection/output-buffer.js'
import type { Connection, ConnectionSettings } from '../../src/connection/connection.js'
import { ConnectionError, HostKeyError } from '../../src/errors.js'
import {
  sshdConnectionSettings,
  startSshd,
  unreachablePort,
  type SshdFixture
} from '../helpers/sshd.js'

function settingsFor(
  sshd: SshdFixture,
  extra: Partial<ConnectionSettings> = {}
): ConnectionSettings {
  return sshdConnectionSettings(sshd, extra)
}

/** Polls a remote condition (a process table cannot be awaited as an event). */
async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return true
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return check()
}

describe('ssh connection against a real sshd', () => {
  let sshd: SshdFixture
  let conn: Connection

  beforeAll(async () => {
    sshd = await startSshd({ name: 'connection' })
    conn = await openConnection(settingsFor(sshd))
  })
  afterAll(async () => {
    await conn?.close()
    await sshd?.stop()
  })

  it('returns stdout, stderr and the exit code separately', async () => {
    const r = await conn.run('echo out; echo err >&2; exit 3', { timeoutMs: 10_000 })
    expect(r.stdout.toString()).toBe('out\n')
    expect(r.stderr.toString()).toBe('err\n')
    expect(r.code).toBe(3)
    expect(r.signal).toBeNull()
    expect(r.timedOut).toBe(false)
  })

  it('runs as the login user through its shell', async () => {
    const r = await conn.run('id -un', { timeoutMs: 10_000 })
    expect(r.stdout.toString()).toBe(`${sshd.user}\n`)
  })

  it('returns binary output and invalid UTF-8 byte for byte', async () => {
    const r = await conn.run("printf '\\000\\001\\377\\376abc\\200\\303'", { timeoutMs: 10_000 })
    expect(r.stdout).toEqual(Buffer.from([0, 1, 0xff, 0xfe, 0x61, 0x62, 0x63, 0x80, 0xc3]))
  })

  it('keeps output without a trailing newline, and trailing spaces, as they are', async () => {
    const r = await conn.run("printf 'no newline  '; printf ' e' >&2", { timeoutMs: 10_000 })
    expect(r.stdout.toString()).toBe('no newline  ')
    expect(r.stderr.toString()).toBe(' e')
  })

  it('returns 5 MB of output complete when the caller lifts the output cap', async () => {
    const size = 5 * 1024 * 1024
    const r = await conn.run(`head -c ${size} /dev/zero | tr '\\0' x`, {
      timeoutMs: 30_000,
      outputCapBytes: Infinity
    })
    expect(r.code).toBe(0)
    expect(r.stdout.length).toBe(size)
    expect(r.stdout.every((b) => b === 0x78)).toBe(true)
    expect(r.stdoutTruncated).toBeUndefined()
  })

  it('keeps the last SYNC_OUTPUT_CAP_BYTES of each stream and reports the full size', async () => {
    // seq's output ends with its last number: the tail, which is where errors are, must survive.
    const expectedOut = Array.from({ length: 300_000 }, (_, i) => `${i + 1}\n`).join('')
    const r = await conn.run('seq 1 300000; seq 1 300000 >&2; echo done >&2', {
      timeoutMs: 30_000
    })
    expect(r.code).toBe(0)
    expect(r.stdout.length).toBe(SYNC_OUTPUT_CAP_BYTES)
    expect(r.stdout.toString()).toBe(expectedOut.slice(-SYNC_OUTPUT_CAP_BYTES))
    expect(r.stdoutTruncated).toEqual({ totalBytes: expectedOut.length })
    expect(r.stderr.toString().endsWith('299999\n300000\ndone\n')).toBe(true)
    expect(r.stderrTruncated).toEqual({ totalBytes: expectedOut.length + 5 })
  })

  it('keeps memory bounded while a command prints 50 MB', async () => {
    const before = process.memoryUsage.rss()
    let peak = before
    let chunks = 0
    const r = await conn.run("head -c 50000000 /dev/zero | tr '\\0' x", {
      timeoutMs: 60_000,
      onStdout: () => {
        if (++chunks % 16 === 0) peak = Math.max(peak, process.memoryUsage.rss())
      }
    })
    peak = Math.max(peak, process.memoryUsage.rss())
    expect(r.code).toBe(0)
    expect(r.stdout.length).toBe(SYNC_OUTPUT_CAP_BYTES)
    expect(r.stdout.every((b) => b === 0x78)).toBe(true)
    expect(r.stdoutTruncated).toEqual({ totalBytes: 50_000_000 })
    expect(r.stderrTruncated).toBeUndefined()
    expect(peak - before).toBeLessThan(100 * 1024 * 1024)
  })

  it('keeps memory bounded at 200 MB of output too, where keeping it all would not fit the bound', async () => {
    // The capped run grows RSS by ~40 MB of not-yet-collected chunks whatever the size; a run that kept
    // every chunk would grow by at least the 200 MB it received.
    const before = process.memoryUsage.rss()
    let peak = before
    let chunks = 0
    const r = await conn.run("head -c 200000000 /dev/zero | tr '\\0' x", {
      timeoutMs: 60_000,
      onStdout: () => {
        if (++chunks % 16 === 0) peak = Math.max(peak, process.memoryUsage.rss())
      }
    })
    peak = Math.max(peak, process.memoryUsage.rss())
    expect(r.stdoutTruncated).toEqual({ totalBytes: 200_000_000 })
    expect(peak - before).toBeLessThan(100 * 1024 * 1024)
  })

  it('delivers stdin and closes it, byte-exactly, even 5 MB of random bytes', async () => {
    const greeting = await conn.run('read line; echo "got $line"', {
      stdin: 'hello\n',
      timeoutMs: 10_000
    })
    expect(greeting.stdout.toString()).toBe('got hello\n')
    const data = randomBytes(5 * 1024 * 1024)
    const echoed = await conn.run('cat', {
      stdin: data,
      timeoutMs: 30_000,
      outputCapBytes: Infinity
    })
    expect(echoed.stdout.equals(data)).toBe(true)
  })

  it('survives a command that exits without reading its stdin', async () => {
    const r = await conn.run('exit 4', { stdin: randomBytes(4 * 1024 * 1024), timeoutMs: 20_000 })
    expect(r.code).toBe(4)
    expect((await conn.run('echo still here', { timeoutMs: 10_000 })).stdout.toString()).toBe(
      'still here\n'
    )
  })

  it('streams output to callbacks as it arrives', async () => {
    const chunks: Buffer[] = []
    const r = await conn.run('echo a; echo b >&2', {
      timeoutMs: 10_000,
      onStdout: (c) => chunks.push(c),
      onStderr: (c) => chunks.push(c)
    })
    expect(Buffer.concat(chunks).length).toBe(r.stdout.length + r.stderr.length)
  })

  it('ends a command at its deadline, killing its process group, and keeps the connection usable', async () => {
    const marker = `30.${Date.now() % 100000}`
    const started = Date.now()
    const r = await conn.run(`sleep ${marker} & sleep ${marker}; wait`, { timeoutMs: 1_000 })
    const elapsed = Date.now() - started
    expect(r.timedOut).toBe(true)
    expect(r.code).toBeNull()
    expect(elapsed).toBeGreaterThanOrEqual(900)
    expect(elapsed).toBeLessThan(10_000)
    // OpenSSH delivers the signal with killpg(): the background sleep dies too.
    const gone = await eventually(async () => {
      const ps = await conn.run(`pgrep -f '[s]leep ${marker}' || true`, { timeoutMs: 10_000 })
      return ps.stdout.length === 0
    }, 5_000)
    expect(gone).toBe(true)
  })

  it('runs 10 commands at once on one connection', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => conn.run(`sleep 0.2; echo ${i}`, { timeoutMs: 20_000 }))
    )
    expect(results.map((r) => r.stdout.toString())).toEqual(
      Array.from({ length: 10 }, (_, i) => `${i}\n`)
    )
  })

  it('writes a file with exact bytes and mode, atomically replacing an existing one', async (ctx) => {
    // The in-process fallback server has no SFTP.
    if (sshd.kind === 'ssh2') ctx.skip()
    const dir = (await conn.run('mktemp -d', { timeoutMs: 10_000 })).stdout.toString().trim()
    const path = `${dir}/payload.bin`
    const content = randomBytes(300_000)
    await conn.putFile(path, content, { mode: 0o640, timeoutMs: 10_000 })
    expect((await conn.run(`cat ${path}`, { timeoutMs: 10_000 })).stdout.equals(content)).toBe(true)
    expect((await conn.run(`stat -c %a ${path}`, { timeoutMs: 10_000 })).stdout.toString()).toBe(
      '640\n'
    )

    // Replacing without a mode keeps the old mode; no temporary file is left behind.
    await conn.putFile(path, Buffer.from('second'), { timeoutMs: 10_000 })
    const after = await conn.run(`stat -c %a ${path}; cat ${path}; echo; ls -A ${dir}`, {
      timeoutMs: 10_000
    })
    expect(after.stdout.toString()).toBe('640\nsecond\npayload.bin\n')

    // An empty file is a file too.
    await conn.putFile(`${dir}/empty`, Buffer.alloc(0), { mode: 0o600, timeoutMs: 10_000 })
    const empty = await conn.run(`wc -c < ${dir}/empty; stat -c %a ${dir}/empty`, {
      timeoutMs: 10_000
    })
    expect(empty.stdout.toString()).toBe('0\n600\n')
    await conn.run(`rm -rf ${dir}`, { timeoutMs: 10_000 })
  })

  it('reports a file that cannot be written with the path and the reason', async (ctx) => {
    // The in-process fallback server has no SFTP.
    if (sshd.kind === 'ssh2') ctx.skip()
    await expect(
      conn.putFile('/nonexistent-dir/x', Buffer.from('x'), { timeoutMs: 10_000 })
    ).rejects.toThrow(/cannot write \/nonexistent-dir\/x on web1\b.*No such file/)
  })

  it('refuses an unknown host key, naming its SHA256 fingerprint and the line to add', async () => {
    const empty = join(sshd.tmpDir, 'known_hosts.empty')
    writeFileSync(empty, '# nothing here\n')
    const error = await openConnection(settingsFor(sshd, { knownHostsPath: empty })).catch(
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(HostKeyError)
    const { message, detail } = error as HostKeyError
    expect(message).toContain(`Host key verification failed for web1: no key for it in ${empty}`)
    expect(message).toContain(`ssh-ed25519 ${sshd.hostKeyFingerprint}`)
    expect(message).toContain(`ansible_ssh_host_key_fingerprints: ${sshd.hostKeyFingerprint}`)
    // The message names the host by inventory name only; the address, and the line to add (which
    // holds it), are in the detail, for the log.
    expect(message).not.toContain('127.0.0.1')
    expect(message).not.toContain(String(sshd.port))
    expect(detail).toContain(
      `web1 is 127.0.0.1:${sshd.port}, known to known_hosts as [127.0.0.1]:${sshd.port}`
    )
    expect(detail).toContain(`\n${sshd.knownHostsLine}`)
    expect((error as HostKeyError).fingerprint).toBe(sshd.hostKeyFingerprint)
  })

  it('refuses a changed host key, naming both fingerprints', async () => {
    const otherKey = join(sshd.tmpDir, 'other_host_key')
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', otherKey])
    const otherPublic = readFileSync(`${otherKey}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')
    const otherFingerprint = /SHA256:\S+/.exec(
      spawnSync('ssh-keygen', ['-lf', `${otherKey}.pub`], { encoding: 'utf8' }).stdout
    )?.[0]
    const changed = join(sshd.tmpDir, 'known_hosts.changed')
    writeFileSync(changed, `[127.0.0.1]:${sshd.port} ${otherPublic}\n`)
    const error = await openConnection(settingsFor(sshd, { knownHostsPath: changed })).catch(
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(HostKeyError)
    const message = (error as Error).message
    expect(message).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED')
    expect(message).toContain(sshd.hostKeyFingerprint)
    expect(message).toContain(otherFingerprint)
  })

  it('refuses a key marked @revoked even when it is also listed as trusted', async () => {
    const revoked = join(sshd.tmpDir, 'known_hosts.revoked')
    const key = sshd.knownHostsLine.split(' ').slice(1).join(' ')
    writeFileSync(revoked, `${sshd.knownHostsLine}\n@revoked * ${key}\n`)
    await expect(openConnection(settingsFor(sshd, { knownHostsPath: revoked }))).rejects.toThrow(
      /@revoked/
    )
  })

  it('accepts a host listed under a hashed name (ssh-keygen -H)', async () => {
    const hashed = join(sshd.tmpDir, 'known_hosts.hashed')
    writeFileSync(hashed, `${sshd.knownHostsLine}\n`)
    const r = spawnSync('ssh-keygen', ['-H', '-f', hashed], { encoding: 'utf8' })
    expect(r.status).toBe(0)
    expect(readFileSync(hashed, 'utf8')).toMatch(/^\|1\|/)
    const c = await openConnection(settingsFor(sshd, { knownHostsPath: hashed }))
    expect((await c.run('echo ok', { timeoutMs: 10_000 })).stdout.toString()).toBe('ok\n')
    await c.close()
  })

  it('accepts a host key given as known_hosts text, and a private key given as text', async () => {
    const c = await openConnection(
      settingsFor(sshd, {
        knownHostsPath: join(sshd.tmpDir, 'missing-file'),
        knownHosts: sshd.knownHostsLine,
        privateKeyPath: undefined,
        privateKey: sshd.clientKey
      })
    )
    expect((await c.run('echo ok', { timeoutMs: 10_000 })).stdout.toString()).toBe('ok\n')
    await c.close()
  })

  it("accepts any host key with hostKeyChecking 'off'", async () => {
    const c = await openConnection(
      settingsFor(sshd, {
        knownHostsPath: join(sshd.tmpDir, 'missing-file'),
        hostKeyChecking: 'off'
      })
    )
    expect((await c.run('echo ok', { timeoutMs: 10_000 })).code).toBe(0)
    await c.close()
    await c.close()
    await expect(c.run('true', { timeoutMs: 1_000 })).rejects.toThrow(
      /connection to web1 .* closed/
    )
  })

  it('reports a wrong key as an authentication failure naming the user and the fix', async () => {
    const wrongKey = join(sshd.tmpDir, 'wrong_key')
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', wrongKey])
    const error = await openConnection(settingsFor(sshd, { privateKeyPath: wrongKey })).catch(
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(ConnectionError)
    expect(error).not.toBeInstanceOf(HostKeyError)
    expect((error as Error).message).toBe(
      `Permission denied (publickey) for user ${sshd.user} on web1 ` +
        `(key: ${wrongKey}): check ansible_user / --private-key`
    )
    expect((error as ConnectionError).detail).toContain(`web1 is 127.0.0.1:${sshd.port}`)
  })

  it('reports a missing private key file before connecting', async () => {
    await expect(
      openConnection(settingsFor(sshd, { privateKeyPath: '/nonexistent/key' }))
    ).rejects.toThrow(/cannot read private key \/nonexistent\/key for web1\b.*--private-key/)
  })

  it('fails fast with ConnectionError when nothing listens on the port', async () => {
    const port = await unreachablePort()
    const started = Date.now()
    const error = await openConnection(settingsFor(sshd, { port })).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConnectionError)
    expect((error as Error).message).toBe(
      'connection refused by web1: is sshd running on its port? ' +
        '(check ansible_port; the address and port tried are in the log)'
    )
    expect((error as ConnectionError).detail).toContain(`web1 is 127.0.0.1:${port}`)
    expect(Date.now() - started).toBeLessThan(5_000)
  })
})

describe('ssh connection to a port that never answers', () => {
  it('gives up at the connect timeout with an actionable ConnectionError', async () => {
    // Accepts TCP but never sends the SSH banner, like a firewall or a hung daemon.
    const sockets = new Set<Socket>()
    const silent = createServer((socket) => sockets.add(socket))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const port = (silent.address() as AddressInfo).port
    try {
      const started = Date.now()
      const error = await openConnection({
        host: 'web1',
        transport: 'ssh',
        address: '127.0.0.1',
        port,
        user: 'nobody',
        hostKeyChecking: 'off',
        connectTimeoutMs: 500
      }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(ConnectionError)
      expect((error as Error).message).toMatch(/^timed out after 500 ms connecting to web1: /)
      expect((error as Error).message).not.toContain(String(port))
      expect((error as ConnectionError).detail).toContain(`web1 is 127.0.0.1:${port}`)
      expect(Date.now() - started).toBeLessThan(5_000)
    } finally {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => silent.close(resolve))
    }
  })
})

describe('ssh connection when the host goes away', () => {
  let sshd: SshdFixture

  beforeAll(async () => {
    sshd = await startSshd({ name: 'connection-loss' })
  })
  afterAll(async () => {
    await sshd?.stop()
  })

  it('rejects a running command with ConnectionError, and reconnects after a restart', async () => {
    const conn = await openConnection(settingsFor(sshd))
    const running = conn.run('echo started; sleep 30', {
      timeoutMs: 60_000,
      onStdout: () => sshd.kill()
    })
    await expect(running).rejects.toThrow(/^connection to web1 lost: /)
    await expect(running).rejects.toMatchObject({
      detail: expect.stringContaining(`web1 is 127.0.0.1:${sshd.port}: lost: `)
    })
    await expect(running).rejects.toBeInstanceOf(ConnectionError)
    await expect(conn.run('true', { timeoutMs: 1_000 })).rejects.toThrow(/lost/)
    await conn.close()

    await sshd.restart()
    const again = await openConnection(settingsFor(sshd))
    expect((await again.run('echo back', { timeoutMs: 10_000 })).stdout.toString()).toBe('back\n')
    await again.close()
  })
})
