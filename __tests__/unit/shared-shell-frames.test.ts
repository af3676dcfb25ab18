import { describe, expect, it } from 'vitest'
import { FrameSplitter } from '../../src/connection/shared-shell.js'

const MARKER = 'APB-SHELL-0f0f'

/** Feeds `chunks` and returns each frame's bytes with the rest of its marker line. */
function split(chunks: Buffer[]): { frames: Array<{ bytes: string; rest: string }>; open: string } {
  const frames: Array<{ bytes: string; rest: string }> = []
  let bytes: Buffer[] = []
  const splitter = new FrameSplitter(
    MARKER,
    (b) => bytes.push(Buffer.from(b)),
    (rest) => {
      frames.push({ bytes: Buffer.concat(bytes).toString('latin1'), rest })
      bytes = []
    }
  )
  for (const chunk of chunks) splitter.push(chunk)
  splitter.flush()
  return { frames, open: Buffer.concat(bytes).toString('latin1') }
}

const STREAM =
  `login noise\n\n${MARKER} 0\n` +
  `out\n\nAPB-SHELL-0f0\n\n${MARKER} 3\n` +
  `\n${MARKER} 0\n` +
  `\u0000\u00ff no newline\n${MARKER} 255\n` +
  `tail\n`

describe('FrameSplitter', () => {
  const expected = [
    { bytes: 'login noise\n', rest: ' 0' },
    { bytes: 'out\n\nAPB-SHELL-0f0\n', rest: ' 3' },
    { bytes: '', rest: ' 0' },
    { bytes: '\u0000\u00ff no newline', rest: ' 255' }
  ]

  it('splits a stream at marker lines, whole', () => {
    const { frames, open } = split([Buffer.from(STREAM, 'latin1')])
    expect(frames).toEqual(expected)
    expect(open).toBe('tail\n')
  })

  it('splits it the same way whatever the chunk boundaries', () => {
    const all = Buffer.from(STREAM, 'latin1')
    for (let size = 1; size <= all.length; size++) {
      const chunks: Buffer[] = []
      for (let at = 0; at < all.length; at += size) chunks.push(all.subarray(at, at + size))
      const { frames, open } = split(chunks)
      expect({ size, frames, open }).toEqual({ size, frames: expected, open: 'tail\n' })
    }
  })

  it('holds back only what could begin a marker line', () => {
    const seen: string[] = []
    const splitter = new FrameSplitter(
      MARKER,
      (b) => seen.push(b.toString()),
      () => undefined
    )
    splitter.push(Buffer.from('started\n'))
    expect(seen.join('')).toBe('started')
    splitter.push(Buffer.from('more\nAPB-SH'))
    expect(seen.join('')).toBe('started\nmore')
    splitter.push(Buffer.from('x'))
    expect(seen.join('')).toBe('started\nmore\nAPB-SHx')
  })
})
