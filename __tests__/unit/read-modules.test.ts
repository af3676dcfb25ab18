// The read-only file modules on the local connection: what the differential fixture cannot show
// (check mode, the read cap, where fetch puts a relative dest, a file that changes mid-fetch).
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Connection } from '../../src/connection/connection.js'
import { openLocalConnection } from '../../src/connection/local-connection.js'
import { READ_MAX_BYTES } from '../../src/modules/remote-read.js'
import { runModuleOn } from '../helpers/module-harness.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'apb-read-modules-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const sha1 = (text: string): string => createHash('sha1').update(text).digest('hex')

describe('stat', () => {
  it('reads in check mode and diff mode, changing nothing', async () => {
    writeFileSync(path.join(dir, 'a'), 'hello\n')
    const { result, ran } = await runModuleOn(
      'stat',
      { path: path.join(dir, 'a') },
      { flags: { check: true, diff: true } }
    )
    expect(ran).toBe(true)
    expect(result).toMatchObject({
      changed: false,
      stat: { exists: true, isreg: true, size: 6, checksum: sha1('hello\n') }
    })
    expect(result['diff']).toBeUndefined()
  })
})

describe('slurp', () => {
  it('reads in check mode', async () => {
    writeFileSync(path.join(dir, 'a'), 'hello\n')
    const { result } = await runModuleOn(
      'slurp',
      { src: path.join(dir, 'a') },
      { flags: { check: true, diff: false } }
    )
    expect(result).toMatchObject({
      changed: false,
      content: Buffer.from('hello\n').toString('base64'),
      encoding: 'base64',
      source: path.join(dir, 'a')
    })
  })

  it('refuses a file over the cap, naming the cap, without reading it', async () => {
    const big = path.join(dir, 'big')
    writeFileSync(big, '')
    truncateSync(big, READ_MAX_BYTES + 1)
    const { result } = await runModuleOn('slurp', { src: big })
    expect(result['failed']).toBe(true)
    expect(String(result['msg'])).toContain(`over the limit of ${READ_MAX_BYTES} bytes`)
    expect(result['content']).toBeUndefined()
  })
})

describe('fetch', () => {
  it('is skipped in check mode with Ansible 2.14 message, writing nothing', async () => {
    writeFileSync(path.join(dir, 'a'), 'hello\n')
    const { result } = await runModuleOn(
      'fetch',
      { src: path.join(dir, 'a'), dest: path.join(dir, 'out') },
      { flags: { check: true, diff: false } }
    )
    expect(result).toMatchObject({
      skipped: true,
      msg: 'check mode not (yet) supported for this module'
    })
    expect(existsSync(path.join(dir, 'out'))).toBe(false)
  })

  it('puts a relative dest under the playbook directory, dest/host/src', async () => {
    writeFileSync(path.join(dir, 'a'), 'hello\n')
    const playbookDir = path.join(dir, 'playbook')
    const { result } = await runModuleOn(
      'fetch',
      { src: path.join(dir, 'a'), dest: 'fetched' },
      { baseDir: playbookDir }
    )
    const landed = path.join(playbookDir, 'fetched', 'localhost', dir, 'a')
    expect(result).toMatchObject({ changed: true, dest: landed, checksum: sha1('hello\n') })
    expect(readFileSync(landed, 'utf8')).toBe('hello\n')
  })

  it('fails with "checksum mismatch" when the file changes between its checksum and its read', async () => {
    const src = path.join(dir, 'a')
    writeFileSync(src, 'before\n')
    const local = openLocalConnection('localhost')
    // The file changes after the path probe took its checksum, before getFile reads it.
    const changing: Connection = Object.assign(Object.create(local) as Connection, {
      getFile: async (...args: Parameters<Connection['getFile']>) => {
        writeFileSync(src, 'after\n')
        return local.getFile(...args)
      }
    })
    try {
      const dest = path.join(dir, 'out', 'a')
      const checked = await runModuleOn(
        'fetch',
        { src, dest, flat: true },
        { connect: async () => changing }
      )
      expect(checked.result).toMatchObject({
        failed: true,
        msg: 'checksum mismatch',
        checksum: sha1('after\n'),
        remote_checksum: sha1('before\n')
      })
      writeFileSync(src, 'before\n')
      const unchecked = await runModuleOn(
        'fetch',
        { src, dest, flat: true, validate_checksum: false },
        { connect: async () => changing }
      )
      expect(unchecked.result).toMatchObject({ changed: true, checksum: sha1('after\n') })
      expect(readFileSync(dest, 'utf8')).toBe('after\n')
    } finally {
      await local.close()
    }
  })
})

describe('find', () => {
  it('walks in check mode, files before subdirectories, as os.walk', async () => {
    writeFileSync(path.join(dir, 'a.txt'), 'needle\n')
    const { result, ran } = await runModuleOn(
      'find',
      { paths: dir, file_type: 'any', recurse: true },
      { flags: { check: true, diff: false } }
    )
    expect(ran).toBe(true)
    expect(result).toMatchObject({
      changed: false,
      matched: 1,
      examined: 1,
      msg: 'All paths examined',
      files: [{ path: path.join(dir, 'a.txt'), isreg: true, size: 7, mode: expect.any(String) }]
    })
  })

  it('refuses a contains pattern grep -E cannot run, naming the construct', async () => {
    // The task runner fails the task with the message of a ModuleArgumentError.
    await expect(runModuleOn('find', { paths: dir, contains: '(?<=a)b' })).rejects.toThrow(
      'uses the group (?<, which cannot be run on the target (grep -E)'
    )
  })

  it('searches whole files with read_whole_file, as Python re.search over the text', async () => {
    writeFileSync(path.join(dir, 'two.txt'), 'first\r\nsecond\n')
    writeFileSync(path.join(dir, 'latin1.txt'), Buffer.from([0x66, 0x69, 0x72, 0x73, 0x74, 0xe9]))
    const found = async (contains: string): Promise<string[]> => {
      const { result } = await runModuleOn('find', { paths: dir, contains, read_whole_file: true })
      return (result['files'] as Array<{ path: string }>).map((f) => path.basename(f.path)).sort()
    }
    // Universal newlines: \r\n reads as \n; `$` matches at the end (before a final newline).
    expect(await found('first\nsecond$')).toEqual(['two.txt'])
    expect(await found('^second')).toEqual([])
    expect(await found('(?m)^second')).toEqual(['two.txt'])
    // A file that is not UTF-8 never matches (Python's read raises, and find takes it as no match).
    expect(await found('first')).toEqual(['two.txt'])
  })
})

describe('fetch destinations', () => {
  it('refuses a src whose expansion on the target would leave dest', async () => {
    writeFileSync(path.join(dir, 'a'), 'hello\n')
    const dest = path.join(dir, 'out')
    // On the target, /../..<dir>/a is <dir>/a; under dest/localhost/ it would climb out of dest.
    process.env['APB_CLIMB'] = `/../..${dir}`
    try {
      const { result } = await runModuleOn('fetch', { src: '$APB_CLIMB/a', dest })
      expect(result).toMatchObject({ failed: true })
      expect(String(result['msg'])).toContain(
        `Detected directory traversal, expected to be contained in '${dest}'`
      )
      expect(existsSync(path.join(dir, dir.slice(1)))).toBe(false)
    } finally {
      delete process.env['APB_CLIMB']
    }
  })
})

describe('find names', () => {
  it('fails naming the path when a name under it holds a newline, instead of misreading it', async () => {
    writeFileSync(path.join(dir, 'two\nlines'), '')
    await expect(runModuleOn('find', { paths: dir })).rejects.toThrow(
      `find: a name under ${dir} on localhost holds a newline`
    )
  })
})
