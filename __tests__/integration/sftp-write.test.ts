/**
 * How putFile writes over SFTP to a real sshd, watched at ssh2's SFTP client: the chmod of the
 * finished temp file and its close go out together (one round trip, not two), and the file still
 * lands whole, with its final mode, with no temp file left beside it.
 */
import { createHash, randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Connection } from '../../src/connection/connection.js'
import { openConnection } from '../../src/connection/index.js'
import { shellJoin } from '../../src/connection/shell-quote.js'
import { sshdConnectionSettings, startSshd, type SshdFixture } from '../helpers/sshd.js'

type Callback = (...args: unknown[]) => void
interface SftpPrototype {
  fchmod(handle: Buffer, mode: number, cb: Callback): void
  close(handle: Buffer, cb: Callback): void
}
const { SFTP } = createRequire(import.meta.url)('ssh2/lib/protocol/SFTP.js') as {
  SFTP: { prototype: SftpPrototype }
}

describe('putFile over SFTP', () => {
  let sshd: SshdFixture
  let conn: Connection
  let dir: string

  beforeAll(async () => {
    sshd = await startSshd({ name: 'sftp-write' })
    conn = await openConnection(sshdConnectionSettings(sshd))
    dir = `/tmp/apb-sftp-write-${randomBytes(6).toString('hex')}`
    const made = await conn.run(shellJoin(['mkdir', '-p', dir]), { timeoutMs: 10_000 })
    expect(made.code).toBe(0)
  })

  afterAll(async () => {
    await conn?.run(shellJoin(['rm', '-rf', dir]), { timeoutMs: 10_000 }).catch(() => undefined)
    await conn?.close()
    await sshd?.stop()
  })

  it('sends the close with the chmod, and the file lands whole with its mode', async () => {
    const events: string[] = []
    const fchmod = SFTP.prototype.fchmod
    const close = SFTP.prototype.close
    const fchmodSpy = vi.spyOn(SFTP.prototype, 'fchmod').mockImplementation(function (
      this: SftpPrototype,
      handle,
      mode,
      cb
    ) {
      events.push('fchmod sent')
      fchmod.call(this, handle, mode, (...args: unknown[]) => {
        events.push('fchmod answered')
        cb(...args)
      })
    })
    const closeSpy = vi.spyOn(SFTP.prototype, 'close').mockImplementation(function (
      this: SftpPrototype,
      handle,
      cb
    ) {
      events.push('close sent')
      close.call(this, handle, cb)
    })
    const content = Buffer.from('port=8080\n'.repeat(1000))
    try {
      await conn.putFile(`${dir}/app.conf`, content, { mode: 0o640, timeoutMs: 10_000 })
    } finally {
      fchmodSpy.mockRestore()
      closeSpy.mockRestore()
    }
    expect(events).toEqual(['fchmod sent', 'close sent', 'fchmod answered'])
    const landed = await conn.run(
      `stat -c %a ${shellJoin([`${dir}/app.conf`])} && sha1sum < ${shellJoin([`${dir}/app.conf`])} && ls -A ${shellJoin([dir])}`,
      { timeoutMs: 10_000 }
    )
    expect(landed.stdout.toString()).toBe(
      `640\n${createHash('sha1').update(content).digest('hex')}  -\napp.conf\n`
    )
  })
})
