// Integration: an upload over the real sshd (SFTP, and through sudo with become-put.sh) is never
// readable by others while its bytes go in. A watcher process stats the temporary file over and over
// while a large upload is under way, and must see it partly written, never with group or other bits.
import { spawn } from 'node:child_process'
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withBecome } from '../../src/connection/become.js'
import type { Connection } from '../../src/connection/connection.js'
import { openSshConnection } from '../../src/connection/ssh-connection.js'
import { sshdConnectionSettings, startSshd, type SshdFixture } from '../helpers/sshd.js'

const SUDO = '/usr/bin/sudo'
const SUDOERS_FILE = '/etc/sudoers.d/apbtest-file-landing-test'
const required = process.env.APB_REQUIRE_SSHD === '1'
const canBecome = process.getuid?.() === 0 && existsSync(SUDO)
/** Big enough that the upload takes many of the watcher's looks, small enough to stay quick. */
const UPLOAD_BYTES = 48 * 1024 * 1024

let sshd: SshdFixture
let dir: string
let conn: Connection

beforeAll(async () => {
  sshd = await startSshd({ name: 'file-landing' })
  dir = mkdtempSync(join(tmpdir(), 'apb-landing-int-'))
  chmodSync(dir, 0o777)
  if (canBecome) {
    writeFileSync(SUDOERS_FILE, `${sshd.user} ALL=(root) NOPASSWD: ALL\n`, { mode: 0o440 })
  }
  conn = await openSshConnection(sshdConnectionSettings(sshd, { connectTimeoutMs: 30_000 }))
})
afterAll(async () => {
  await conn?.close()
  if (canBecome) rmSync(SUDOERS_FILE, { force: true })
  if (dir) rmSync(dir, { recursive: true, force: true })
  await sshd?.stop()
})

interface Look {
  mode: number
  size: number
}

/**
 * Uploads UPLOAD_BYTES to `dest` with `mode` while a watcher process stats every temporary upload file
 * in the directory as fast as it can; returns what it saw.
 */
async function watchUpload(connection: Connection, dest: string, mode: number): Promise<Look[]> {
  const stop = join(dir, `stop-${Date.now()}`)
  const watcher = spawn(
    '/bin/sh',
    [
      '-c',
      'while [ ! -e "$2" ]; do for f in "$1"/.*.apb-*.tmp; do [ -e "$f" ] && stat -c "%a %s" -- "$f" 2>/dev/null; done; done',
      'watch',
      dir,
      stop
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] }
  )
  let seen = ''
  watcher.stdout.on('data', (chunk: Buffer) => (seen += chunk.toString()))
  const ended = new Promise<void>((resolve) => watcher.on('close', () => resolve()))
  try {
    await connection.putFile(dest, Buffer.alloc(UPLOAD_BYTES, 's'), { mode, timeoutMs: 300_000 })
  } finally {
    writeFileSync(stop, '')
    await ended
  }
  return seen
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [m, size] = line.split(' ')
      return { mode: parseInt(m!, 8), size: Number(size) }
    })
}

function expectPrivateWhileWritten(looks: Look[]): void {
  // The watcher saw the file while its bytes were going in: the check below is not vacuous.
  expect(looks.some((l) => l.size > 0 && l.size < UPLOAD_BYTES)).toBe(true)
  const open = looks.filter((l) => l.size < UPLOAD_BYTES && (l.mode & 0o077) !== 0)
  expect(open.map((l) => `${l.mode.toString(8)} at ${l.size} bytes`)).toEqual([])
}

describe('uploads are private until complete', () => {
  it('over SFTP: mode 0600 and mode 0644 files are 0600 while written, then land with their mode', async () => {
    for (const mode of [0o600, 0o644]) {
      const dest = join(dir, `sftp-${mode.toString(8)}`)
      expectPrivateWhileWritten(await watchUpload(conn, dest, mode))
      expect(statSync(dest).mode & 0o7777).toBe(mode)
      expect(statSync(dest).size).toBe(UPLOAD_BYTES)
    }
    expect(readdirSync(dir).filter((f) => f.includes('.apb-'))).toEqual([])
  })

  it.skipIf(!canBecome && !required)(
    'through sudo (become-put.sh): private while written, then the mode, owned by root',
    async () => {
      if (!canBecome)
        throw new Error(`APB_REQUIRE_SSHD=1 but the become case needs root and ${SUDO}`)
      const asRoot = withBecome(conn, { user: 'root', method: 'sudo' })
      for (const mode of [0o600, 0o644]) {
        const dest = join(dir, `become-${mode.toString(8)}`)
        expectPrivateWhileWritten(await watchUpload(asRoot, dest, mode))
        expect(statSync(dest)).toMatchObject({ uid: 0, size: UPLOAD_BYTES })
        expect(statSync(dest).mode & 0o7777).toBe(mode)
      }
      expect(readdirSync(dir).filter((f) => f.includes('.apb-'))).toEqual([])
    }
  )
})
