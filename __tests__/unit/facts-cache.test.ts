// Unit: the per-task facts cache (TargetFacts). A module asking twice pays one round trip; anything it
// runs or writes drops what was read.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CommandResult, Connection, RunOptions } from '../../src/connection/connection.js'
import type { GetFileOptions } from '../../src/connection/get-file.js'
import { openLocalConnection } from '../../src/connection/local-connection.js'
import { TargetFacts, factsFor, type ExistingPath } from '../../src/facts/index.js'

/** A local connection that counts the probes it runs. */
class Counting implements Connection {
  readonly host = 'local'
  probes = 0
  failNext = false
  private readonly inner = openLocalConnection('local')

  async run(command: string, options: RunOptions): Promise<CommandResult> {
    if (command.includes(' apb-path ')) {
      this.probes++
      if (this.failNext) {
        this.failNext = false
        return {
          code: 2,
          signal: null,
          stdout: Buffer.alloc(0),
          stderr: Buffer.from('boom'),
          timedOut: false
        }
      }
    }
    return this.inner.run(command, options)
  }

  getFile(path: string, options: GetFileOptions): Promise<Buffer> {
    return this.inner.getFile(path, options)
  }

  putFile(
    path: string,
    content: Buffer,
    options: { mode?: number; timeoutMs: number }
  ): Promise<void> {
    return this.inner.putFile(path, content, options)
  }

  close(): Promise<void> {
    return this.inner.close()
  }
}

describe('facts cache', () => {
  let dir: string
  let file: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'apb-facts-cache-'))
    file = join(dir, 'f')
    writeFileSync(file, 'one\n')
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  const factsOver = (connection: Counting): TargetFacts =>
    new TargetFacts({ connection: async () => connection, timeoutMs: 20_000 })

  it('asks the target once for the same question, and once for a question an answer covers', async () => {
    const connection = new Counting()
    const facts = factsOver(connection)
    const [a, b] = await Promise.all([facts.path(file), facts.path(file)])
    expect(a).toBe(b)
    expect(connection.probes).toBe(1)
    // A new question (with a checksum) costs a probe; its answer then serves the plain question too.
    const summed = (await facts.path(file, { checksum: 'sha1' })) as ExistingPath
    expect(summed.checksum).toBeDefined()
    expect(await facts.path(file, { checksum: true })).toBe(summed)
    expect(connection.probes).toBe(2)
    // Following links is another question; so is another checksum.
    await facts.path(file, { follow: true })
    await facts.path(file, { checksum: 'md5' })
    expect(connection.probes).toBe(4)
  })

  it('anything run or written through its connection drops what was read', async () => {
    const connection = new Counting()
    const facts = factsOver(connection)
    expect(await facts.path(file)).toMatchObject({ size: 4 })
    const tracked = await facts.connection()
    await tracked.run(`printf 'longer\\n' > ${file}`, { timeoutMs: 20_000 })
    expect(await facts.path(file)).toMatchObject({ size: 7 })
    await tracked.putFile(file, Buffer.from('x'), { timeoutMs: 20_000 })
    expect(await facts.path(file)).toMatchObject({ size: 1 })
    expect(connection.probes).toBe(3)
    // invalidate() does the same for changes made some other way.
    writeFileSync(file, 'one\n')
    facts.invalidate()
    expect(await facts.path(file)).toMatchObject({ size: 4 })
  })

  it('does not remember a failed read', async () => {
    const connection = new Counting()
    const facts = factsOver(connection)
    connection.failNext = true
    await expect(facts.path(file)).rejects.toThrow(/cannot read the path fact/)
    expect(await facts.path(file)).toMatchObject({ exists: true })
    expect(connection.probes).toBe(2)
  })

  it('factsFor gives one cache per module context: per host and task run', async () => {
    const connection = new Counting()
    const ctx = { connection: async () => connection, timeoutMs: 20_000 }
    const other = { connection: async () => connection, timeoutMs: 20_000 }
    expect(factsFor(ctx)).toBe(factsFor(ctx))
    expect(factsFor(other)).not.toBe(factsFor(ctx))
    await factsFor(ctx).path(file)
    await factsFor(ctx).path(file)
    await factsFor(other).path(file)
    expect(connection.probes).toBe(2)
  })
})
