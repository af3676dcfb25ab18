// How unarchive decides that an archive is already unpacked, from what unarchive.sh printed: the tar
// handlers by tar --diff's lines, the zip handler by its own comparison of each entry.
import { describe, expect, it } from 'vitest'
import {
  attributeChanges,
  compareTar,
  compareZip,
  parseCrcs,
  parseStats,
  fileCrcs,
  tarName,
  type RunContext
} from '../../src/modules/unarchive-compare.js'
import { downloadName } from '../../src/modules/unarchive.js'

const user: RunContext = {
  runUid: 1001,
  runGid: 1001,
  runGroups: [1001],
  runUser: 'apb',
  runGroup: 'apb',
  umask: 0o022,
  keepNewer: false
}
const root: RunContext = {
  ...user,
  runUid: 0,
  runGid: 0,
  runGroups: [0],
  runUser: 'root',
  runGroup: 'root'
}

describe('compareTar', () => {
  it('counts missing files and mtimes, not sizes or contents', () => {
    expect(compareTar('a/b: Size differs\na/b: Contents differ\n', '', user).unarchived).toBe(true)
    expect(compareTar('a/b: Mod time differs\n', '', user).unarchived).toBe(false)
    expect(
      compareTar('', 'tar: a/c: Warning: Cannot stat: No such file or directory\n', user).unarchived
    ).toBe(false)
    // A missing symbolic link is not seen (tar says Cannot readlink), as in Ansible.
    expect(
      compareTar('', 'tar: a/l: Warning: Cannot readlink: No such file or directory\n', user)
        .unarchived
    ).toBe(true)
  })

  it('counts a mode only when the task sets none, and owners only as root without owner/group', () => {
    expect(compareTar('a: Mode differs\n', '', user).unarchived).toBe(false)
    expect(compareTar('a: Mode differs\n', '', { ...user, mode: '0644' }).unarchived).toBe(true)
    expect(compareTar('a: Uid differs\n', '', user).unarchived).toBe(true)
    expect(compareTar('a: Uid differs\n', '', root).unarchived).toBe(false)
    expect(compareTar('a: Uid differs\n', '', { ...root, owner: 'x' }).unarchived).toBe(true)
    expect(compareTar('a: Gid differs\n', '', root).unarchived).toBe(false)
    expect(compareTar('a: Gid differs\n', '', { ...root, group: 'x' }).unarchived).toBe(true)
  })
})

/** One path as describe_paths prints it (from `TYPE MODE UID GID SIZE CRC OWNER GROUP MTIME`), or none. */
interface Described {
  line?: string
  name: string
  /** gzip's trailer, little-endian, as describe_all prints it. */
  trailer: string
}
function st(name: string, fields: string): Described {
  if (fields === 'missing') return { name, trailer: '0000000000000000' }
  const [type, mode, uid, gid, size, crc, owner, group, ...mtime] = fields.split(' ')
  const kind = { f: 'regular file', d: 'directory', l: 'symbolic link' }[type as 'f'] ?? 'fifo'
  const line = [mode, uid, gid, size, kind, owner, group, mtime.join(' '), `./${name}`].join('\t')
  // The CRC field is written as the trailer's bytes (little-endian).
  const le = crc && crc !== '-' ? crc : '00000000'
  return { line, name, trailer: `${le}00000000` }
}

/** What the probe makes of the paths: their stats, with the CRC-32s from the trailers. */
function described(entries: Described[]): ReturnType<typeof parseStats> {
  const paths = entries.map((e) => e.name).join('\n') + '\n'
  const crcs = fileCrcs(paths, entries.map((e) => e.trailer).join(''))
  return parseStats(
    entries.flatMap((e) => (e.line === undefined ? [] : [e.line])),
    crcs
  )
}

describe('compareZip', () => {
  const zipinfo = [
    'Archive:  /x.zip',
    'Zip file size: 739 bytes, number of entries: 3',
    'drwxr-xr-x  3.0 unx        0 bx stor 20240304.050607 d/',
    '-rw-r--r--  3.0 unx        4 tx stor 20240304.050607 d/a.txt',
    'lrwxrwxrwx  3.0 unx        5 bx stor 20240304.050607 d/link',
    '3 files, 9 bytes uncompressed, 9 bytes compressed:  0.0%'
  ].join('\n')
  const crcs = parseCrcs(
    [
      ' Length   Method    Size  Cmpr    Date    Time   CRC-32   Name',
      '--------  ------  ------- ---- ---------- ----- --------  ----',
      '       0  Stored        0   0% 2024-03-04 05:06 00000000  d/',
      '       4  Stored        4   0% 2024-03-04 05:06 c1ebf7ba  d/a.txt',
      '       5  Stored        5   0% 2024-03-04 05:06 11111111  d/link'
    ].join('\n')
  )
  const same = [
    st('d/', 'd 755 1001 1001 4096 - apb apb 2024-03-04 05:06:07.000000000 +0000'),
    st('d/a.txt', 'f 644 1001 1001 4 baf7ebc1 apb apb 2024-03-04 05:06:07.000000000 +0000'),
    st('d/link', 'l 777 1001 1001 5 - apb apb 2024-03-04 05:06:07.000000000 +0000')
  ]

  it('is unpacked when every entry matches on disk', () => {
    const result = compareZip(zipinfo, 0, crcs, described(same), [], user)
    expect(result).toMatchObject({ unarchived: true, diff: '' })
  })

  it("itemizes what differs, as Ansible's diff.prepared", () => {
    const changed = [
      same[0]!,
      st('d/a.txt', 'f 600 1001 1001 5 00000000 apb apb 2024-03-04 05:06:08.500000000 +0000'),
      st('d/link', 'missing')
    ]
    const result = compareZip(zipinfo, 0, crcs, described(changed), [], user)
    expect(result.unarchived).toBe(false)
    expect(result.diff).toBe('.fcstp...?? d/a.txt\n>L++++++.?? d/link\n')
  })

  it('keep_newer leaves out an entry newer on disk, and re-extracts an older one', () => {
    const newer = [
      same[0]!,
      st('d/a.txt', 'f 644 1001 1001 4 baf7ebc1 apb apb 2030-01-01 00:00:00.000000000 +0000'),
      same[2]!
    ]
    const kept = compareZip(zipinfo, 0, crcs, described(newer), [], { ...user, keepNewer: true })
    expect(kept).toMatchObject({ unarchived: true, excludes: ['d/a.txt'] })
    const older = [
      same[0]!,
      st('d/a.txt', 'f 644 1001 1001 4 baf7ebc1 apb apb 2001-01-01 00:00:00.000000000 +0000'),
      same[2]!
    ]
    const replaced = compareZip(zipinfo, 0, crcs, described(older), [], {
      ...user,
      keepNewer: true
    })
    expect(replaced).toMatchObject({ unarchived: false, excludes: [] })
  })

  it("a mode asked for is compared instead of the archive's (symbolic against the current mode)", () => {
    const result = compareZip(zipinfo, 0, crcs, described(same), [], {
      ...user,
      mode: 'u=rwX,go='
    })
    expect(result.diff).toBe('.d...p...?? d/\n.f...p...?? d/a.txt\n')
  })

  it('an owner other than the login user cannot be compared without root (Ansible raises)', () => {
    const result = compareZip(zipinfo, 0, crcs, described(same), [], {
      ...user,
      owner: 'root',
      ownerAccount: { name: 'root', id: 0 }
    })
    expect(result.error).toBe('Cannot change ownership of d/ to root, as user apb')
  })

  it('zipinfo failing (an include that matches nothing) means not unpacked', () => {
    expect(compareZip('', 11, crcs, described(same), [], user).unarchived).toBe(false)
  })
})

describe('attributeChanges', () => {
  it('finds the paths whose owner, group or mode differ; links keep their mode', () => {
    const stats = described([
      st('d/', 'd 755 0 0 4096 - root root 2024-03-04 05:06:07.000000000 +0000'),
      st('d/a.txt', 'f 600 65534 65534 4 - nobody nogroup 2024-03-04 05:06:07.000000000 +0000'),
      st('d/link', 'l 777 65534 65534 5 - nobody nogroup 2024-03-04 05:06:07.000000000 +0000')
    ])
    const changes = attributeChanges(
      ['d/', 'd/a.txt', 'd/link'],
      stats,
      { ...root, owner: 'nobody', ownerId: 65534, mode: '0600' },
      '/t/'
    )
    expect(changes).toEqual([
      { path: '/t/d/', mode: 0o600, differs: true },
      { path: '/t/d/a.txt', mode: 0o600, differs: false },
      { path: '/t/d/link', differs: false }
    ])
  })
})

describe('fileCrcs', () => {
  it("reads each path's CRC-32 from gzip's little-endian trailer, in the order of the paths", () => {
    const crcs = fileCrcs('a\nb/\n', '2030 3a36 0600 0000'.replace(/ /g, '') + '0'.repeat(16))
    expect(crcs.get('a')).toBe('363a3020')
    expect(crcs.get('b/')).toBe('00000000')
  })
})

describe('downloadName', () => {
  const zeros = (): number => 0
  it("names a download as Ansible's fetch_file does: up to two short extensions kept", () => {
    expect(downloadName('https://h/x/app.tar.gz', zeros)).toBe('appaaaaaaaa.tar.gz')
    // Python's rstrip takes a set of characters: 'nothing.tgz' loses its g as well.
    expect(downloadName('http://h/nothing.tgz?x=1', zeros)).toBe('nothinaaaaaaaa.tgz')
    expect(downloadName('http://h/archive.zip', zeros)).toBe('archiveaaaaaaaa.zip')
    expect(downloadName('http://h/file.longext', zeros)).toBe('file.longextaaaaaaaa')
    expect(downloadName('http://h/', zeros)).toBe('aaaaaaaa')
  })
})

describe('tarName', () => {
  it("decodes tar's escapes as Python's escape_decode does", () => {
    expect(tarName('plain name')).toBe('plain name')
    expect(tarName('caf\\303\\251')).toBe('café')
    expect(tarName('a\\\\b')).toBe('a\\b')
  })
})
