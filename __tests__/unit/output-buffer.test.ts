import { describe, expect, it } from 'vitest'
import { openLocalConnection } from '../../src/connection/local-connection.js'
import { SYNC_OUTPUT_CAP_BYTES, TailBuffer } from '../../src/connection/output-buffer.js'

describe('TailBuffer', () => {
  it('keeps everything up to the cap, untruncated', () => {
    const b = new TailBuffer(10)
    b.push(Buffer.from('hello'))
    b.push(Buffer.from('world'))
    expect(b.contents().toString()).toBe('helloworld')
    expect(b.truncated).toBe(false)
    expect(b.totalBytes).toBe(10)
  })

  it('keeps the last cap bytes across chunk boundaries and counts every byte', () => {
    const b = new TailBuffer(7)
    for (const piece of ['abc', 'defg', 'hi', 'jklmn', 'o']) b.push(Buffer.from(piece))
    expect(b.contents().toString()).toBe('ijklmno')
    expect(b.truncated).toBe(true)
    expect(b.totalBytes).toBe(15)
  })

  it('keeps the tail of a single chunk larger than the cap', () => {
    const b = new TailBuffer(3)
    b.push(Buffer.from('abcdefgh'))
    expect(b.contents().toString()).toBe('fgh')
    expect(b.totalBytes).toBe(8)
  })

  it('holds about the cap, not the total, however many chunks arrive', () => {
    const b = new TailBuffer(1000)
    const chunk = Buffer.alloc(64, 0x78)
    for (let i = 0; i < 10_000; i++) b.push(chunk)
    // The chunk list never grows beyond what covers the cap plus one chunk.
    expect((b as unknown as { held: number }).held).toBeLessThan(1000 + 64)
    expect(b.contents().length).toBe(1000)
    expect(b.totalBytes).toBe(640_000)
  })

  it('keeps everything with an Infinity cap', () => {
    const b = new TailBuffer(Infinity)
    b.push(Buffer.alloc(5))
    b.push(Buffer.alloc(7))
    expect(b.contents().length).toBe(12)
    expect(b.truncated).toBe(false)
  })
})

describe('local connection output cap', () => {
  it('keeps the tail of each stream and reports the full sizes', async () => {
    const conn = openLocalConnection('localhost')
    const expected = Array.from({ length: 300_000 }, (_, i) => `${i + 1}\n`).join('')
    const r = await conn.run('seq 1 300000; seq 1 300000 >&2', { timeoutMs: 30_000 })
    expect(r.stdout.toString()).toBe(expected.slice(-SYNC_OUTPUT_CAP_BYTES))
    expect(r.stdoutTruncated).toEqual({ totalBytes: expected.length })
    expect(r.stderr.length).toBe(SYNC_OUTPUT_CAP_BYTES)
    expect(r.stderrTruncated).toEqual({ totalBytes: expected.length })
    const small = await conn.run('echo hi', { timeoutMs: 10_000 })
    expect(small.stdoutTruncated).toBeUndefined()
    const capped = await conn.run('printf 0123456789', { timeoutMs: 10_000, outputCapBytes: 4 })
    expect(capped.stdout.toString()).toBe('6789')
    expect(capped.stdoutTruncated).toEqual({ totalBytes: 10 })
    await conn.close()
  })
})
