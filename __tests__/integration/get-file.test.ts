// Integration: Connection.getFile (target → controller, capped, streamed, with a deadline) over a
// real OpenSSH sshd as the unprivileged login user (SFTP), and under become with sudo (a file only
// root can read, streamed by head over the channel).
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withBecome } from '../../src/connection/become.js'
import type { Connection } from '../../src/connection/connection.js'
import { FileTooLargeError, RemoteFileError } from '../../src/connection/get-file.js'
import { openConnection } from '../../src/connection/index.js'
import { CommandTimeoutError } from '../../src/errors.js'
import { sshdConnectionSettings, startSshd, type SshdFixture } from '../helpers/sshd.js'

const SUDO = '/usr/bin/sudo'
const SUDOERS_FILE = '/etc/sudoers.d/apbtest-get-file-test'
const asRoot = process.getuid?.() === 0
const required = process.env.APB_REQUIRE_SSHD === '1'

let sshd: SshdFixture
let conn: Connection
let dir: string
/** 300 KiB of random bytes: several SFTP read requests, every byte value. */
const BIG = randomBytes(300 * 1024)

beforeAll(async () => {
  sshd = await startSshd({ name: 'get-file' })
  conn = await openConnection(sshdConnectionSettings(sshd))
  dir = mkdtempSync(join(tmpdir(), 'apb-get-file-'))
  chmodSync(dir, 0o755)
  writeFileSync(join(dir, 'big.bin'), BIG, { mode: 0o644 })
  writeFileSync(join(dir, 'empty'), '', { mode: 0o644 })
  writeFileSync(join(dir, 'secret'), 'root only\n', { mode: 0o600 })
  symlinkSync('big.bin', join(dir, 'link'))
  mkdirSync(join(dir, 'sub'))
  spawnSync('mkfifo', [join(dir, 'fifo')])
})
afterAll(async () => {
  await conn?.close()
  await sshd?.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('getFile over SFTP as the login user', () => {
  it('returns the exact bytes of a file, through a link too, and of an empty file', async () => {
    const got = await conn.getFile(join(dir, 'big.bin'), { maxBytes: 1 << 20, timeoutMs: 20_000 })
    expect(got.equals(BIG)).toBe(true)
    const viaLink = await conn.getFile(join(dir, 'link'), {
      maxBytes: BIG.length,
      timeoutMs: 20_000
    })
    expect(viaLink.equals(BIG)).toBe(true)
    const empty = await conn.getFile(join(dir, 'empty'), { maxBytes: 0, timeoutMs: 20_000 })
    expect(empty.length).toBe(0)
  })

  it('refuses a file one byte over the cap with FileTooLargeError naming its size and the cap', async () => {
    const error = await conn
      .getFile(join(dir, 'big.bin'), { maxBytes: BIG.length - 1, timeoutMs: 20_000 })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(FileTooLargeError)
    expect(error).toMatchObject({ host: 'web1', maxBytes: BIG.length - 1, sizeBytes: BIG.length })
    expect((error as Error).message).toContain(join(dir, 'big.bin'))
  })

  it('says why a file cannot be read: missing, not readable by the login user, not a regular file', async () => {
    const problem = (path: string): Promise<unknown> =>
      conn.getFile(path, { maxBytes: 1024, timeoutMs: 20_000 }).then(
        () => 'read',
        (e: unknown) => (e instanceof RemoteFileError ? e.problem : e)
      )
    expect(await problem(join(dir, 'missing'))).toBe('not-found')
    expect(await problem(join(dir, 'sub'))).toBe('not-a-file')
    if (asRoot) expect(await problem(join(dir, 'secret'))).toBe('permission-denied')
    // The connection is still usable after each refusal.
    const got = await conn.getFile(join(dir, 'big.bin'), {
      maxBytes: BIG.length,
      timeoutMs: 20_000
    })
    expect(got.length).toBe(BIG.length)
  })

  it('gives up at the deadline on a read that never ends (a FIFO without a writer), and reads again after', async () => {
    const error = await conn
      .getFile(join(dir, 'fifo'), { maxBytes: 1024, timeoutMs: 1_500 })
      .catch((e: unknown) => e)
    // sftp-server blocks opening a FIFO with no writer: only the deadline ends the read.
    expect(
      error instanceof CommandTimeoutError ||
        (error instanceof RemoteFileError && error.problem === 'not-a-file')
    ).toBe(true)
    const got = await conn.getFile(join(dir, 'empty'), { maxBytes: 10, timeoutMs: 20_000 })
    expect(got.length).toBe(0)
  }, 180_000)
})

describe('getFile on the local connection', () => {
  let local: Connection
  beforeAll(async () => {
    local = await openConnection({ ...sshdConnectionSettings(sshd), transport: 'local' })
  })
  afterAll(async () => {
    await local?.close()
  })

  it('returns the bytes, refuses over the cap, and names what is wrong', async () => {
    const got = await local.getFile(join(dir, 'big.bin'), {
      maxBytes: BIG.length,
      timeoutMs: 20_000
    })
    expect(got.equals(BIG)).toBe(true)
    await expect(
      local.getFile(join(dir, 'big.bin'), { maxBytes: 1000, timeoutMs: 20_000 })
    ).rejects.toMatchObject({ name: 'FileTooLargeError', maxBytes: 1000, sizeBytes: BIG.length })
    await expect(
      local.getFile(join(dir, 'missing'), { maxBytes: 10, timeoutMs: 20_000 })
    ).rejects.toMatchObject({ name: 'RemoteFileError', problem: 'not-found' })
    await expect(
      local.getFile(join(dir, 'sub'), { maxBytes: 10, timeoutMs: 20_000 })
    ).rejects.toMatchObject({ name: 'RemoteFileError', problem: 'not-a-file' })
    // A FIFO is refused at once, not waited on for a writer.
    await expect(
      local.getFile(join(dir, 'fifo'), { maxBytes: 10, timeoutMs: 20_000 })
    ).rejects.toMatchObject({ name: 'RemoteFileError', problem: 'not-a-file' })
  })
})

describe.skipIf(!(asRoot && existsSync(SUDO)) && !required)('getFile under become (sudo)', () => {
  let root: Connection
  beforeAll(() => {
    if (!asRoot || !existsSync(SUDO)) {
      throw new Error(`APB_REQUIRE_SSHD=1 but getFile under become needs root and ${SUDO}`)
    }
    writeFileSync(SUDOERS_FILE, `${sshd.user} ALL=(root) NOPASSWD: ALL\n`, { mode: 0o440 })
    root = withBecome(conn, { user: 'root', method: 'sudo' })
  })
  afterAll(() => {
    rmSync(SUDOERS_FILE, { force: true })
  })

  it('reads a file only root can read, streamed over the channel, byte for byte', async () => {
    const secret = await root.getFile(join(dir, 'secret'), { maxBytes: 100, timeoutMs: 20_000 })
    expect(secret.toString('utf8')).toBe('root only\n')
    const big = await root.getFile(join(dir, 'big.bin'), {
      maxBytes: BIG.length,
      timeoutMs: 20_000
    })
    expect(big.equals(BIG)).toBe(true)
    // Exactly at the cap: accepted.
    const exact = await root.getFile(join(dir, 'secret'), { maxBytes: 10, timeoutMs: 20_000 })
    expect(exact.length).toBe(10)
  })

  it('refuses over the cap, and names missing files and what is not a regular file', async () => {
    await expect(
      root.getFile(join(dir, 'secret'), { maxBytes: 9, timeoutMs: 20_000 })
    ).rejects.toMatchObject({ name: 'FileTooLargeError', maxBytes: 9 })
    await expect(
      root.getFile(join(dir, 'missing'), { maxBytes: 10, timeoutMs: 20_000 })
    ).rejects.toMatchObject({ name: 'RemoteFileError', problem: 'not-found' })
    await expect(
      root.getFile(join(dir, 'fifo'), { maxBytes: 10, timeoutMs: 20_000 })
    ).rejects.toMatchObject({ name: 'RemoteFileError', problem: 'not-a-file' })
    await expect(
      root.getFile(join(dir, 'sub'), { maxBytes: 10, timeoutMs: 20_000 })
    ).rejects.toMatchObject({ name: 'RemoteFileError', problem: 'not-a-file' })
  })

  it('as another user, the file root alone may read is refused with permission-denied', async () => {
    const nobody = withBecome(conn, { user: 'nobody', method: 'sudo' })
    // root and nobody only: (ALL) would also let it become the user that become.test.ts, running in
    // parallel, expects to ask for a password.
    writeFileSync(SUDOERS_FILE, `${sshd.user} ALL=(root, nobody) NOPASSWD: ALL\n`, { mode: 0o440 })
    await expect(
      nobody.getFile(join(dir, 'secret'), { maxBytes: 100, timeoutMs: 20_000 })
    ).rejects.toMatchObject({ name: 'RemoteFileError', problem: 'permission-denied' })
  })
})
