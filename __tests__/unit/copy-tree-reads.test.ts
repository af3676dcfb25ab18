// copy of a controller directory reads (and decrypts) each source file once, whatever it then
// reports: the checksum of the one file copied comes from that read, not from reading it again.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

const reads: string[] = []
vi.mock('../../src/modules/controller-files.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/modules/controller-files.js')>()
  return {
    ...original,
    readSourceFile: (file: string, args: Record<string, unknown>) => {
      reads.push(file)
      return original.readSourceFile(file, args)
    }
  }
})

const { runModuleOn } = await import('../helpers/module-harness.js')

let dir: string
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'apb-copy-reads-'))
  reads.length = 0
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe('copy of a directory', () => {
  it('reads each source file once, for one file and for several', async () => {
    mkdirSync(path.join(dir, 'one'))
    writeFileSync(path.join(dir, 'one', 'a.txt'), 'a\n')
    const single = await runModuleOn('copy', {
      src: `${path.join(dir, 'one')}/`,
      dest: path.join(dir, 'out1')
    })
    expect(single.result).toMatchObject({
      changed: true,
      checksum: '3f786850e387550fdab836ed7e6dc881de23001b'
    })
    expect(readFileSync(path.join(dir, 'out1', 'a.txt'), 'utf8')).toBe('a\n')
    expect(reads).toEqual([path.join(dir, 'one', 'a.txt')])

    reads.length = 0
    mkdirSync(path.join(dir, 'two'))
    writeFileSync(path.join(dir, 'two', 'b.txt'), 'b\n')
    writeFileSync(path.join(dir, 'two', 'c.txt'), 'c\n')
    const several = await runModuleOn('copy', {
      src: `${path.join(dir, 'two')}/`,
      dest: path.join(dir, 'out2')
    })
    expect(several.result).toMatchObject({ changed: true })
    expect([...reads].sort()).toEqual([
      path.join(dir, 'two', 'b.txt'),
      path.join(dir, 'two', 'c.txt')
    ])
  })
})
