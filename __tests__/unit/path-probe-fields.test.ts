/**
 * The path probe prints the tools' words (stat's error, `file`'s mime line, lsattr's line) as they are
 * when they hold only plain characters, and in hex otherwise (od and tr are two more processes, the
 * costliest part of a probe on a busy target): both forms must read the same. Run on this machine's
 * own tools through the local connection, with a name of plain characters and one with other bytes.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CommandResult, Connection, RunOptions } from '../../src/connection/connection.js'
import { openLocalConnection } from '../../src/connection/local-connection.js'
import { readPath, type ExistingPath } from '../../src/facts/index.js'

let dir: string
let local: Connection
/** What the probe printed last. */
let printed = ''
let connection: Connection

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'apb-probe-fields-'))
  local = openLocalConnection('localhost')
  connection = {
    host: local.host,
    run: async (command: string, options: RunOptions): Promise<CommandResult> => {
      const res = await local.run(command, options)
      printed = res.stdout.toString('utf8')
      return res
    },
    putFile: (p, c, o) => local.putFile(p, c, o),
    getFile: (p, o) => local.getFile(p, o),
    close: () => local.close()
  }
})
afterAll(async () => {
  await local.close()
  rmSync(dir, { recursive: true, force: true })
})

const read = (p: string) =>
  readPath({ connection, timeoutMs: 30_000 }, p, { mime: true, attributes: true })

describe('path probe fields, plain or hex', () => {
  it('reads a plain name the same as one that needs hex', async () => {
    const plainDir = path.join(dir, 'plain')
    const otherDir = path.join(dir, 'caf\u00e9 ~x')
    for (const d of [plainDir, otherDir]) {
      mkdirSync(d)
      writeFileSync(path.join(d, 'f.txt'), 'hello\n')
    }
    const plain = (await read(path.join(plainDir, 'f.txt'))) as ExistingPath
    expect(printed).toMatch(/^mime=/m)
    expect(printed).not.toMatch(/^mime_hex=/m)
    const other = (await read(path.join(otherDir, 'f.txt'))) as ExistingPath
    expect(printed).toMatch(/^mime_hex=/m)
    expect(plain.exists && other.exists).toBe(true)
    expect(plain.mimeType).toBe('text/plain')
    expect([other.mimeType, other.charset]).toEqual([plain.mimeType, plain.charset])
    expect(other.attributes?.flags).toBe(plain.attributes?.flags)
  })

  it('says a path in a searchable directory is missing without asking stat why', async () => {
    expect(await read(path.join(dir, 'none'))).toEqual({
      path: path.join(dir, 'none'),
      exists: false,
      umask: expect.any(Number)
    })
    expect(printed).toMatch(/^umask=[0-7]{3,4}\nexists=0\nend=1\n$/)
  })

  it('reads a refused path from the plain error line', async () => {
    // Under a file: "Not a directory", which is an error the caller sees, not a missing path.
    writeFileSync(path.join(dir, 'file'), 'x')
    expect(await read(path.join(dir, 'file', 'below'))).toMatchObject({
      exists: false,
      error: 'Not a directory'
    })
    expect(printed).toMatch(/^error=.*Not a directory$/m)
  })
})
