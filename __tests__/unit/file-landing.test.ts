// Files land with their final mode: the temporary file of an upload is private (0600, or stricter when
// the final mode is) from its first byte, created exclusively, and opened up only once complete.
import { spawn, spawnSync } from 'node:child_process'
import {
  closeSync,
  constants,
  existsSync,
  openSync,
  readSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import putSource from '../../src/connection/become-put.sh'

/** What the local connection's writes saw: the mode of the temporary file when its bytes went in. */
const modesAtWrite: number[] = []

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>()
  return {
    ...fs,
    open: async (...args: Parameters<typeof fs.open>) => {
      const handle = await fs.open(...args)
      const writeFile = handle.writeFile.bind(handle)
      handle.writeFile = async (...rest: Parameters<typeof handle.writeFile>) => {
        modesAtWrite.push((await handle.stat()).mode & 0o7777)
        return writeFile(...rest)
      }
      return handle
    }
  }
})

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'apb-landing-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Temporary files left next to `name` in the test directory. */
const leftovers = (): string[] => readdirSync(dir).filter((f) => f.includes('.apb-'))

/**
 * Runs become-put.sh with a stdin the test holds open: returns once the temporary file exists, with
 * its mode at that moment, and a function that sends the rest and waits for the script to end.
 */
async function putHalfway(
  dest: string,
  mode: string,
  suffix: string,
  umask = '022'
): Promise<{ tempMode: number; finish(): Promise<{ code: number | null; stderr: string }> }> {
  const child = spawn('/bin/sh', [
    '-c',
    `umask ${umask}; ${putSource}`,
    'apb-put',
    dest,
    mode,
    suffix
  ])
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
  child.stdin.write('first half of the secret, ')
  const temp = join(dir, `.${dest.split('/').pop()}.apb-${suffix}.tmp`)
  const giveUp = Date.now() + 30_000
  while (!existsSync(temp)) {
    if (child.exitCode !== null || Date.now() > giveUp)
      throw new Error(`the temporary file never appeared: ${stderr}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  const tempMode = lstatSync(temp).mode & 0o7777
  return {
    tempMode,
    async finish() {
      child.stdin.end('second half\n')
      return { code: await exited, stderr }
    }
  }
}

describe('become-put.sh (writes as the become user)', () => {
  it.each([
    ['0644', 0o600, 0o644],
    ['0600', 0o600, 0o600],
    ['0755', 0o600, 0o755],
    ['0400', 0o400, 0o400],
    ['4750', 0o600, 0o4750]
  ])(
    'mode %s: the partly written temp file is %o, the file lands %o',
    async (mode, temp, final) => {
      const dest = join(dir, `mode-${mode}`)
      const put = await putHalfway(dest, mode, `m${mode}`)
      expect(put.tempMode.toString(8)).toBe(temp.toString(8))
      expect(await put.finish()).toEqual({ code: 0, stderr: '' })
      expect(statSync(dest).mode & 0o7777).toBe(final)
      expect(readFileSync(dest, 'utf8')).toBe('first half of the secret, second half\n')
      expect(leftovers()).toEqual([])
    }
  )

  it('without a mode: private while written, then the mode of the file it replaces', async () => {
    const dest = join(dir, 'kept')
    writeFileSync(dest, 'old', { mode: 0o640 })
    const put = await putHalfway(dest, '', 'kept', '077')
    expect(put.tempMode).toBe(0o600)
    expect((await put.finish()).code).toBe(0)
    expect(statSync(dest).mode & 0o7777).toBe(0o640)
  })

  it('without a mode, a new file: private while written, then what the login umask leaves', async () => {
    const dest = join(dir, 'fresh')
    const put = await putHalfway(dest, '', 'fresh', '002')
    expect(put.tempMode).toBe(0o600)
    expect((await put.finish()).code).toBe(0)
    expect(statSync(dest).mode & 0o7777).toBe(0o664)
  })

  it('refuses a temp name that exists (a planted symlink) and writes nothing through it', async () => {
    const victim = join(dir, 'victim')
    writeFileSync(victim, 'untouched', { mode: 0o644 })
    symlinkSync(victim, join(dir, '.planted.apb-fixed.tmp'))
    const child = spawn('/bin/sh', [
      '-c',
      putSource,
      'apb-put',
      join(dir, 'planted'),
      '0600',
      'fixed'
    ])
    // Refused before stdin is read: the script may be gone before our write (EPIPE).
    child.stdin.on('error', () => undefined)
    child.stdin.end('secret\n')
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    expect(code).not.toBe(0)
    expect(readFileSync(victim, 'utf8')).toBe('untouched')
    expect(existsSync(join(dir, 'planted'))).toBe(false)
    // What was under the name is not ours: it is left alone.
    expect(lstatSync(join(dir, '.planted.apb-fixed.tmp')).isSymbolicLink()).toBe(true)
    rmSync(join(dir, '.planted.apb-fixed.tmp'))
  })

  it('refuses a temp name that leads to a FIFO someone reads: not a byte goes into it', async () => {
    const fifo = join(dir, 'listener')
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0)
    symlinkSync(fifo, join(dir, '.tapped.apb-fifo.tmp'))
    // The listener holds the read end open, as an attacker would.
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK)
    try {
      const child = spawn('/bin/sh', [
        '-c',
        putSource,
        'apb-put',
        join(dir, 'tapped'),
        '0600',
        'fifo'
      ])
      // Refused before stdin is read: the script may be gone before our write (EPIPE).
      child.stdin.on('error', () => undefined)
      child.stdin.end('secret for the fifo\n')
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
      expect(code).not.toBe(0)
      const buffer = Buffer.alloc(100)
      let got = 0
      try {
        got = readSync(reader, buffer, 0, 100, null)
      } catch {
        // EAGAIN: nothing was written.
      }
      expect(buffer.subarray(0, got).toString()).toBe('')
      expect(existsSync(join(dir, 'tapped'))).toBe(false)
    } finally {
      closeSync(reader)
      rmSync(join(dir, '.tapped.apb-fifo.tmp'), { force: true })
      rmSync(fifo, { force: true })
    }
  })

  it.each([
    ['a name with no directory (relative to the working directory)', 'plain', 'plain'],
    ['a name ending with a newline', 'nl\n', 'nl\n'],
    ['a name in a subdirectory, with a doubled slash', 'sub//deep', 'sub/deep']
  ])('lands %s where it should, through a temp file beside it', async (_, name, landed) => {
    mkdirSync(join(dir, 'sub'), { recursive: true })
    const child = spawn('/bin/sh', ['-c', putSource, 'apb-put', name, '0640', 'rel'], { cwd: dir })
    child.stdin.end('content\n')
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' })
    expect(readFileSync(join(dir, landed), 'utf8')).toBe('content\n')
    expect(statSync(join(dir, landed)).mode & 0o7777).toBe(0o640)
    rmSync(join(dir, landed))
    expect(leftovers()).toEqual([])
  })

  it('refuses a mode that is not octal', async () => {
    const child = spawn('/bin/sh', ['-c', putSource, 'apb-put', join(dir, 'bad'), 'u+x', 'bad'])
    // The script refuses before it reads a byte: it may be gone before our write (EPIPE), which is fine.
    child.stdin.on('error', () => undefined)
    child.stdin.end('x')
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    expect(code).toBe(2)
    expect(stderr).toContain("mode must be octal, got 'u+x'")
  })
})

describe('local connection putFile', () => {
  it.each([
    [0o644, 0o600],
    [0o755, 0o600],
    [0o600, 0o600],
    [0o400, 0o400]
  ])(
    'mode %o: the bytes go into a file of mode %o, which then lands with its mode',
    async (mode, atWrite) => {
      const { openConnection } = await import('../../src/connection/index.js')
      const conn = await openConnection({
        host: 'localhost',
        transport: 'local',
        address: 'localhost',
        port: 22,
        hostKeyChecking: 'strict',
        connectTimeoutMs: 1_000
      })
      modesAtWrite.length = 0
      const dest = join(dir, `local-${mode.toString(8)}`)
      await conn.putFile(dest, Buffer.from('secret\n'), { mode, timeoutMs: 10_000 })
      expect(modesAtWrite.map((m) => m.toString(8))).toEqual([atWrite.toString(8)])
      expect(statSync(dest).mode & 0o7777).toBe(mode)
      expect(leftovers()).toEqual([])
      await conn.close()
    }
  )

  it('without a mode, a new file is private while written and lands with the umask mode', async () => {
    const { openConnection } = await import('../../src/connection/index.js')
    const conn = await openConnection({
      host: 'localhost',
      transport: 'local',
      address: 'localhost',
      port: 22,
      hostKeyChecking: 'strict',
      connectTimeoutMs: 1_000
    })
    modesAtWrite.length = 0
    const dest = join(dir, 'local-umask')
    await conn.putFile(dest, Buffer.from('x'), { timeoutMs: 10_000 })
    expect(modesAtWrite).toEqual([0o600])
    const umask = parseInt(
      /^Umask:\s*([0-7]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]!,
      8
    )
    expect(statSync(dest).mode & 0o7777).toBe(0o666 & ~umask)
    await conn.close()
  })
})

describe('symbolic modes, applied as Ansible applies them', () => {
  /** [current mode, symbolic mode, umask, what ansible-core 2.14's _symbolic_mode_to_octal gives]. */
  const CASES: Array<[number, string, number, number]> = [
    [0o644, 'u=rw,g=,o=', 0o022, 0o600],
    [0o644, '+x', 0o022, 0o755],
    [0o755, 'go-rwx', 0o022, 0o700],
    [0o644, '=r', 0o027, 0o440],
    [0o644, 'u=rw-x+X', 0o022, 0o644],
    [0o755, 'u=rw-x+X', 0o022, 0o755],
    [0o755, 'g=u', 0o022, 0o775],
    [0o644, 'a=rwx', 0o077, 0o777],
    [0o644, 'u+s,g+s,o+t', 0o022, 0o7644],
    [0o644, '=rw,+X', 0o002, 0o664],
    [0o644, 'o=g,g=o', 0o022, 0o644],
    [0o2755, 'u-s,g=,o+w', 0o022, 0o707],
    [0o000, '+t', 0o022, 0o1000],
    [0o644, '=', 0o022, 0o000],
    [0o644, '-w', 0o007, 0o444]
  ]

  it.each(CASES)('%o with %s (umask %o) gives %o', async (current, symbolic, umask, expected) => {
    const { applySymbolicMode } = await import('../../src/modules/file-transfer.js')
    expect(applySymbolicMode(current, symbolic, umask).toString(8)).toBe(expected.toString(8))
  })

  it('a mode that is neither octal nor symbolic is refused with the value named', async () => {
    const { normaliseMode } = await import('../../src/modules/file-transfer.js')
    expect(() => normaliseMode('rw-r--r--')).toThrow(/mode must be octal .* got 'rw-r--r--'/)
    expect(normaliseMode('u=rw-x+X,g=u')).toBe('u=rw-x+X,g=u')
  })
})
