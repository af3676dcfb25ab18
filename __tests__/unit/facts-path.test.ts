// Unit: the path fact. Its parser on answers captured from GNU coreutils, busybox and BSD stat, and
// its probe run for real by /bin/sh through a LocalConnection, with GNU tools and with busybox's.
import { createHash } from 'node:crypto'
import { spawnSync } from 'node:child_process'
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CommandResult, Connection, RunOptions } from '../../src/connection/connection.js'
import { openLocalConnection } from '../../src/connection/local-connection.js'
import { shellQuote } from '../../src/connection/shell-quote.js'
import {
  CHECKSUM_ALGORITHMS,
  FactError,
  readPath,
  type ExistingPath,
  type PathState
} from '../../src/facts/index.js'
import { parsePathAnswer } from '../../src/facts/path.js'
import { ProbeAnswer, runProbe } from '../../src/facts/probe.js'

const hex = (text: string): string => Buffer.from(text).toString('hex')
const parse = (lines: string[], options = {}): PathState =>
  parsePathAnswer(new ProbeAnswer(`${lines.join('\n')}\nend=1\n`), '/etc/app.conf', options, 'web1')

/** What path.sh printed for a regular file on Debian 12 (GNU coreutils 9.1). */
const GNU_FILE = [
  'umask=0022',
  'flavour=gnu',
  'mode_hex=81a4',
  'uid=0',
  'gid=0',
  'owner=root',
  'group=root',
  'size=3',
  'blocks=8',
  'block_unit=512',
  'block_size=4096',
  'inode=2245166',
  'dev=65024',
  'nlink=1',
  'rdev_major_hex=0',
  'rdev_minor_hex=0',
  'atime=1796483424',
  'mtime=1796483423',
  'ctime=1796483423',
  'atime_text=2026-12-05 15:10:24.288773512 +0000',
  'mtime_text=2026-12-05 15:10:23.252380800 +0000',
  'ctime_text=2026-12-05 15:10:23.252380800 +0000',
  'exists=1',
  'readable=1',
  'writeable=1',
  'executable=0',
  'checksum_tool=sha1sum',
  'checksum=55ca6286e3e4f4fba5d0448333fa99fc5a404a73'
]

/** The same kind of answer from FreeBSD's stat -f (a setuid file owned by a uid without a name). */
const BSD_FILE = [
  'umask=0027',
  'flavour=bsd',
  'mode_octal=104755',
  'uid=1234',
  'gid=0',
  'owner=(1234)',
  'group=wheel',
  'size=12',
  'blocks=8',
  'block_unit=512',
  'block_size=32768',
  'inode=88',
  'dev=1895890688',
  'nlink=2',
  'rdev=4294967295',
  'atime=1767322245',
  'mtime=1767322245',
  'ctime=1767322245',
  'atime_text=1767322245.123456789',
  'mtime_text=1767322245.123456789',
  'ctime_text=1767322245.123456789',
  'exists=1',
  'readable=1',
  'writeable=0',
  'executable=1'
]

describe('path fact: reading the answers of GNU, busybox and BSD stat', () => {
  it('reads a GNU answer field by field, times as the floats Python gives Ansible', () => {
    expect(parse(GNU_FILE, { checksum: true })).toEqual({
      path: '/etc/app.conf',
      exists: true,
      umask: 0o022,
      type: 'file',
      permissions: 0o644,
      mode: '0644',
      uid: 0,
      gid: 0,
      owner: 'root',
      group: 'root',
      size: 3,
      blocks: 8,
      blockSize: 4096,
      inode: 2245166,
      dev: 65024,
      nlink: 1,
      deviceType: 0,
      // repr(1796483424 + 288773512 * 1e-9) in Python, as os.stat's st_atime.
      atime: 1796483424.2887735,
      mtime: 1796483423.2523808,
      ctime: 1796483423.2523808,
      readable: true,
      writeable: true,
      executable: false,
      checksum: '55ca6286e3e4f4fba5d0448333fa99fc5a404a73',
      checksumAlgorithm: 'sha1'
    })
  })

  it('reads a BSD answer: octal raw mode, setuid, a nameless owner, float times, raw rdev', () => {
    const state = parse(BSD_FILE) as ExistingPath
    expect(state).toMatchObject({
      type: 'file',
      mode: '4755',
      permissions: 0o4755,
      uid: 1234,
      group: 'wheel',
      umask: 0o027,
      nlink: 2,
      deviceType: 4294967295,
      mtime: 1767322245.1234567,
      writeable: false,
      executable: true
    })
    expect(state).not.toHaveProperty('owner')
    expect(state).not.toHaveProperty('checksum')
  })

  it('knows every file type from the mode bits', () => {
    const typeOf = (modeHex: string): string =>
      (
        parse(
          GNU_FILE.map((l) => (l.startsWith('mode_hex=') ? `mode_hex=${modeHex}` : l))
        ) as ExistingPath
      ).type
    expect(typeOf('41ed')).toBe('directory')
    expect(typeOf('a1ff')).toBe('link')
    expect(typeOf('11a4')).toBe('fifo')
    expect(typeOf('c1ed')).toBe('socket')
    expect(typeOf('21b6')).toBe('char')
    expect(typeOf('6180')).toBe('block')
    expect(typeOf('81a4')).toBe('file')
  })

  it('puts major and minor together as Linux st_rdev (os.makedev)', () => {
    const rdev = (major: string, minor: string): number =>
      (
        parse(
          GNU_FILE.map((l) =>
            l.startsWith('rdev_major_hex=')
              ? `rdev_major_hex=${major}`
              : l.startsWith('rdev_minor_hex=')
                ? `rdev_minor_hex=${minor}`
                : l
          )
        ) as ExistingPath
      ).deviceType
    // Python: os.makedev(1, 3), os.makedev(259, 0x10000), os.makedev(0x1234, 0x56789).
    expect(rdev('1', '3')).toBe(259)
    expect(rdev('103', '10000')).toBe(268501760)
    expect(rdev('1234', '56789')).toBe(17593636369545)
  })

  it('leaves out owner and group names stat could not find (GNU prints UNKNOWN)', () => {
    const state = parse(
      GNU_FILE.map((l) =>
        l === 'owner=root' ? 'owner=UNKNOWN' : l === 'group=root' ? 'group=UNKNOWN' : l
      )
    )
    expect(state).not.toHaveProperty('owner')
    expect(state).not.toHaveProperty('group')
    expect(state).toMatchObject({ uid: 0, gid: 0 })
  })

  it('a missing path does not exist; one stat cannot see says why', () => {
    expect(
      parse([
        'umask=0002',
        `error_hex=${hex("stat: cannot statx '/etc/app.conf': No such file or directory\n")}`,
        'exists=0'
      ])
    ).toEqual({ path: '/etc/app.conf', exists: false, umask: 0o002 })
    expect(
      parse([
        'umask=0022',
        `error_hex=${hex("stat: can't stat '/root/x': Permission denied\n")}`,
        'exists=0'
      ])
    ).toEqual({ path: '/etc/app.conf', exists: false, error: 'Permission denied', umask: 0o022 })
    expect(
      parse(['umask=0022', `error_hex=${hex('stat: /a/b: stat: Not a directory\n')}`, 'exists=0'])
    ).toMatchObject({ exists: false, error: 'Not a directory' })
    expect(parse(['umask=0022', 'exists=0', 'error=dangling'], { follow: true })).toEqual({
      path: '/etc/app.conf',
      exists: false,
      umask: 0o022
    })
  })

  it('reads a link: its target as written, where it resolves, and what is there', () => {
    const state = parse([
      ...GNU_FILE.filter((l) => !l.startsWith('checksum') && !l.startsWith('mode_hex')),
      'mode_hex=a1ff',
      `link_target_hex=${hex('../x y\n\n')}`,
      `link_source_hex=${hex('/etc/x y\n\n')}`,
      'link_to=missing'
    ])
    // A target ending in a newline keeps it: only the line end readlink adds is dropped.
    expect(state).toMatchObject({
      type: 'link',
      mode: '0777',
      linkTarget: '../x y\n',
      linkSource: '/etc/x y\n',
      linkTo: 'missing'
    })
  })

  it('names the tool the target lacks: stat, readlink, or any tool for the checksum asked for', () => {
    const error = (lines: string[], options = {}): FactError => {
      try {
        parse(lines, options)
      } catch (caught) {
        return caught as FactError
      }
      throw new Error('no FactError')
    }
    const noStat = error(['umask=0022', 'missing_tool=stat'])
    expect(noStat).toBeInstanceOf(FactError)
    expect(noStat.missingTool).toBe('stat')
    expect(noStat.message).toContain('cannot read the state of /etc/app.conf on web1')
    expect(noStat.message).toContain('no stat command')

    const noSum = error(
      [...GNU_FILE.filter((l) => !l.startsWith('checksum')), 'missing_tool=checksum'],
      { checksum: 'sha256' }
    )
    expect(noSum.missingTool).toBe('sha256sum')
    expect(noSum.message).toMatch(
      /no tool for sha256 checksums: install one of sha256sum .*shasum .*openssl/
    )

    const noReadlink = error([
      ...GNU_FILE.filter((l) => !l.startsWith('mode_hex')),
      'mode_hex=a1ff',
      'missing_tool=readlink'
    ])
    expect(noReadlink.missingTool).toBe('readlink')
  })

  it('refuses a checksum that is not one (a tool printing an error on stdout)', () => {
    expect(() =>
      parse(
        [
          ...GNU_FILE.filter((l) => !l.startsWith('checksum')),
          'checksum_tool=openssl dgst -md5',
          'checksum=Error'
        ],
        { checksum: 'md5' }
      )
    ).toThrow(/`openssl dgst -md5` gave no md5 checksum/)
  })

  it('reads mime and lsattr output as Ansible does, unknown where they say nothing usable', () => {
    const withExtras = (extra: string[]): ExistingPath =>
      parse([...GNU_FILE, ...extra], { mime: true, attributes: true }) as ExistingPath
    const file = withExtras([
      `mime_hex=${hex('/tmp/a:b: text/plain; charset=us-ascii')}`,
      `lsattr_hex=${hex('1979365867 --------------e----i-- /tmp/a:b')}`
    ])
    expect(file).toMatchObject({
      mimeType: 'text/plain',
      charset: 'us-ascii',
      attributes: { version: '1979365867', flags: 'ei', names: ['extents', 'immutable'] }
    })
    // A dangling link: `file` prints no charset, lsattr fails: as Ansible, unknown and nothing.
    expect(withExtras([`mime_hex=${hex('/tmp/l: inode/symlink')}`])).toMatchObject({
      mimeType: 'unknown',
      charset: 'unknown',
      attributes: { version: null, flags: '', names: [] }
    })
  })

  it('a probe cut short (no end=1) or failing is an error naming the fact, not a state', async () => {
    const answering = (stdout: string, code: number | null): Connection => ({
      host: 'web1',
      run: async (): Promise<CommandResult> => ({
        code,
        signal: code === null ? 'SIGKILL' : null,
        stdout: Buffer.from(stdout),
        stderr: Buffer.from(code === 0 ? '' : 'sh: 1: od: not found'),
        timedOut: false
      }),
      putFile: async () => undefined,
      getFile: async () => Buffer.alloc(0),
      close: async () => undefined
    })
    const target = { timeoutMs: 5_000, fact: 'path' as const, subject: '/x' }
    const probe = { name: 'apb-path', source: 'echo end=1' }
    await expect(
      runProbe({ ...target, connection: answering('umask=0022\nexists=0\n', 0) }, probe, [])
    ).rejects.toThrow(
      /cannot read the path fact of "\/x" on web1: its probe \(\/bin\/sh apb-path\) stopped with exit code 0/
    )
    await expect(
      runProbe({ ...target, connection: answering('', 127) }, probe, [])
    ).rejects.toThrow(/exit code 127: sh: 1: od: not found/)
  })
})

/** A connection that changes every command before running it. */
function rewriting(inner: Connection, rewrite: (command: string) => string): Connection {
  return {
    host: inner.host,
    run: (command: string, options: RunOptions) => inner.run(rewrite(command), options),
    putFile: (path, content, options) => inner.putFile(path, content, options),
    getFile: (path, options) => inner.getFile(path, options),
    close: () => inner.close()
  }
}

/** A connection whose commands find the tools in `dir` first (busybox's applets, or a chosen few). */
function withPath(inner: Connection, dir: string): Connection {
  return rewriting(inner, (command) => `PATH=${shellQuote(dir)}; export PATH; ${command}`)
}

const BUSYBOX = ['/usr/bin/busybox', '/bin/busybox'].find((p) => existsSync(p))
const ON_CI = process.env['APB_REQUIRE_SSHD'] === '1'

/** Files of every type in a fresh directory. */
function playground(): { dir: string; server: Server } {
  const dir = mkdtempSync(join(tmpdir(), 'apb-facts-path-'))
  writeFileSync(join(dir, 'file'), 'hi\n')
  chmodSync(join(dir, 'file'), 0o640)
  writeFileSync(join(dir, 'odd name \'q\' "d" $x\nline'), 'odd\n')
  writeFileSync(join(dir, '-dash'), 'dash\n')
  writeFileSync(join(dir, 'empty'), '')
  mkdirSync(join(dir, 'sub'))
  symlinkSync('file', join(dir, 'link'))
  symlinkSync('sub', join(dir, 'dirlink'))
  symlinkSync('nowhere at all\n', join(dir, 'dangling'))
  spawnSync('mkfifo', [join(dir, 'fifo')])
  const server = createServer().listen(join(dir, 'sock'))
  return { dir, server }
}

for (const flavour of ['GNU coreutils', 'busybox'] as const) {
  const usable = flavour === 'GNU coreutils' || BUSYBOX !== undefined
  describe.skipIf(!usable && !ON_CI)(`path fact: the probe run by /bin/sh with ${flavour}`, () => {
    let dir: string
    let server: Server
    let connection: Connection
    let bin: string

    beforeAll(() => {
      ;({ dir, server } = playground())
      connection = openLocalConnection('local')
      if (flavour === 'busybox') {
        if (!BUSYBOX)
          throw new Error(
            'APB_REQUIRE_SSHD=1 (CI) but busybox is not installed: apt-get install -y busybox'
          )
        bin = mkdtempSync(join(tmpdir(), 'apb-busybox-'))
        const applets = spawnSync(BUSYBOX, ['--list'], { encoding: 'utf8' }).stdout.split('\n')
        for (const applet of applets.filter(Boolean)) symlinkSync(BUSYBOX, join(bin, applet))
        // The probe runs under busybox's sh, as /bin/sh is on Alpine. Busybox has no shasum nor
        // sha224/sha384 applets: those come from the system's tools after it on PATH.
        connection = rewriting(withPath(connection, `${bin}:/usr/bin:/bin`), (command) =>
          command.replace(/(^|; )\/bin\/sh -c /, `$1${bin}/sh -c `)
        )
      }
    })
    afterAll(async () => {
      server?.close()
      await connection?.close()
      rmSync(dir, { recursive: true, force: true })
      if (bin) rmSync(bin, { recursive: true, force: true })
    })

    const read = (path: string, options = {}): Promise<PathState> =>
      readPath({ connection, timeoutMs: 20_000 }, path, options)

    it('a regular file: what lstat says, with Python-float times and the mode as Ansible shows it', async () => {
      const path = join(dir, 'file')
      const state = (await read(path)) as ExistingPath
      const st = lstatSync(path, { bigint: true })
      const seconds = (ns: bigint): number =>
        Number(ns / 1_000_000_000n) + Number(ns % 1_000_000_000n) * 1e-9
      expect(state).toMatchObject({
        path,
        exists: true,
        type: 'file',
        mode: '0640',
        permissions: 0o640,
        uid: Number(st.uid),
        gid: Number(st.gid),
        size: 3,
        inode: Number(st.ino),
        dev: Number(st.dev),
        nlink: 1,
        blocks: Number(st.blocks),
        blockSize: Number(st.blksize),
        mtime: seconds(st.mtimeNs),
        ctime: seconds(st.ctimeNs),
        readable: true,
        writeable: true,
        executable: false
      })
      expect(state.owner).toBe(
        spawnSync('id', ['-un', String(st.uid)], { encoding: 'utf8' }).stdout.trim()
      )
      const umask = spawnSync('/bin/sh', ['-c', 'umask'], { encoding: 'utf8' }).stdout.trim()
      expect(state.umask).toBe(parseInt(umask, 8))
      expect(state).not.toHaveProperty('checksum')
    })

    it('checksums with each algorithm Ansible offers, as the controller computes them', async () => {
      const path = join(dir, 'file')
      for (const algorithm of CHECKSUM_ALGORITHMS) {
        const state = (await read(path, { checksum: algorithm })) as ExistingPath
        expect(state.checksum, algorithm).toBe(
          createHash(algorithm).update(readFileSync(path)).digest('hex')
        )
        expect(state.checksumAlgorithm).toBe(algorithm)
      }
      const empty = (await read(join(dir, 'empty'), { checksum: true })) as ExistingPath
      expect(empty.checksum).toBe(createHash('sha1').digest('hex'))
    })

    it('every other type: directory, fifo, socket, character device', async () => {
      expect(await read(join(dir, 'sub'))).toMatchObject({ type: 'directory', executable: true })
      expect(await read(join(dir, 'fifo'), { checksum: true })).toMatchObject({ type: 'fifo' })
      expect(await read(join(dir, 'fifo'), { checksum: true })).not.toHaveProperty('checksum')
      expect(await read(join(dir, 'sock'))).toMatchObject({ type: 'socket' })
      expect(await read('/dev/null')).toMatchObject({ type: 'char', mode: '0666', deviceType: 259 })
    })

    it('a link: described itself unless followed; no checksum of a link itself', async () => {
      const link = join(dir, 'link')
      const own = (await read(link, { checksum: true })) as ExistingPath
      expect(own).toMatchObject({
        type: 'link',
        mode: '0777',
        linkTarget: 'file',
        linkSource: join(dir, 'file'),
        linkTo: 'file'
      })
      expect(own).not.toHaveProperty('checksum')
      const followed = (await read(link, { follow: true, checksum: true })) as ExistingPath
      expect(followed).toMatchObject({ type: 'file', mode: '0640', size: 3 })
      expect(followed.checksum).toBe(createHash('sha1').update('hi\n').digest('hex'))
      expect(await read(join(dir, 'dirlink'))).toMatchObject({ type: 'link', linkTo: 'directory' })
      expect(await read(join(dir, 'dirlink'), { follow: true })).toMatchObject({
        type: 'directory'
      })
    })

    it('a dangling link exists, with its target byte for byte; followed, nothing is there', async () => {
      const dangling = join(dir, 'dangling')
      expect(await read(dangling)).toMatchObject({
        exists: true,
        type: 'link',
        linkTarget: 'nowhere at all\n',
        linkTo: 'missing',
        readable: false
      })
      expect(await read(dangling, { follow: true })).toEqual({
        path: dangling,
        exists: false,
        umask: expect.any(Number)
      })
    })

    it('names with quotes, blanks, a newline or a leading dash are read as they are', async () => {
      const odd = join(dir, 'odd name \'q\' "d" $x\nline')
      expect(await read(odd, { checksum: true })).toMatchObject({
        path: odd,
        type: 'file',
        size: 4,
        checksum: createHash('sha1').update('odd\n').digest('hex')
      })
      // Relative to the shell's directory: a name that looks like an option is still a name.
      const inDir = rewriting(connection, (command) => `cd ${shellQuote(dir)} && ${command}`)
      const dash = (await readPath({ connection: inDir, timeoutMs: 20_000 }, '-dash', {
        checksum: 'md5'
      })) as ExistingPath
      expect(dash).toMatchObject({ type: 'file', size: 5 })
      expect(dash.checksum).toBe(createHash('md5').update('dash\n').digest('hex'))
    })

    it('a missing path, and one under a file, do not exist', async () => {
      expect(await read(join(dir, 'missing'))).toEqual({
        path: join(dir, 'missing'),
        exists: false,
        umask: expect.any(Number)
      })
      expect(await read(join(dir, 'file', 'below'))).toMatchObject({
        exists: false,
        error: 'Not a directory'
      })
    })
  })
}

describe('path fact: a target without the tools', () => {
  let bin: string
  let connection: Connection
  beforeAll(() => {
    bin = mkdtempSync(join(tmpdir(), 'apb-fewtools-'))
    // Only what the probe needs besides stat and a checksum tool.
    for (const tool of ['od', 'tr', 'readlink', 'realpath']) {
      const found = spawnSync('/bin/sh', ['-c', `command -v ${tool}`], {
        encoding: 'utf8'
      }).stdout.trim()
      symlinkSync(found, join(bin, tool))
    }
    connection = withPath(openLocalConnection('local'), bin)
  })
  afterAll(() => rmSync(bin, { recursive: true, force: true }))

  it('names stat when there is none', async () => {
    const error = await readPath({ connection, timeoutMs: 20_000 }, '/etc/hostname').catch(
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(FactError)
    expect((error as FactError).missingTool).toBe('stat')
    expect((error as FactError).message).toMatch(
      /cannot read the state of \/etc\/hostname on local: the target has no stat command/
    )
  })

  it('names the checksum tools when none is there, and reads the rest without one', async () => {
    const stat = spawnSync('/bin/sh', ['-c', 'command -v stat'], { encoding: 'utf8' }).stdout.trim()
    symlinkSync(stat, join(bin, 'stat'))
    const error = await readPath({ connection, timeoutMs: 20_000 }, '/etc/hostname', {
      checksum: 'sha512'
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(FactError)
    expect((error as FactError).missingTool).toBe('sha512sum')
    expect(await readPath({ connection, timeoutMs: 20_000 }, '/etc/hostname')).toMatchObject({
      exists: true,
      type: 'file'
    })
  })
})
