/**
 * The path fact: everything about one path on the target in one round trip (path.sh), enough for
 * Ansible's `stat` field for field and for what `copy`, `template`, `file` and `lineinfile` decide on.
 */
import { FactError, ProbeAnswer, runProbe, type FactTarget, type ProbeScript } from './probe.js'
import source from './path.sh'

const PROBE: ProbeScript = { name: 'apb-path', source }

/** The checksums Ansible's stat offers (`checksum_algorithm`). */
export const CHECKSUM_ALGORITHMS = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'] as const
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number]

/** Hex digits of each checksum: an answer of another length is not a checksum. */
const CHECKSUM_LENGTH: Record<ChecksumAlgorithm, number> = {
  md5: 32,
  sha1: 40,
  sha224: 56,
  sha256: 64,
  sha384: 96,
  sha512: 128
}

/** What a path is. */
export type FileType =
  'file' | 'directory' | 'link' | 'fifo' | 'socket' | 'char' | 'block' | 'unknown'

/** What to read about a path beyond its stat. */
export interface PathOptions {
  /** Describe what a symbolic link points to instead of the link (Ansible's `follow`); default false. */
  follow?: boolean
  /**
   * Checksum a regular file the user can read: an algorithm, or true for sha1 (Ansible's default).
   * A link is checksummed only with `follow`. Default: no checksum.
   */
  checksum?: ChecksumAlgorithm | boolean
  /** Run `file --mime-type --mime-encoding` (Ansible's `get_mime`); default false. */
  mime?: boolean
  /** Run `lsattr -vd` (Ansible's `get_attributes`); default false. */
  attributes?: boolean
}

/** Nothing is at the path (or it cannot be seen: `error` then says why, as the system said it). */
export interface MissingPath {
  path: string
  exists: false
  /** Why the path could not be read when it is not simply missing: `Permission denied`, `Not a directory`. */
  error?: string
  /** The umask of the shell that looked (the become user's under become): what a new file gets. */
  umask: number
}

/** Ansible's `version`, `attr_flags` and `attributes` (lsattr -vd). */
export interface FileAttributes {
  /** The file's generation number, or null where lsattr cannot tell (a link, a fifo). */
  version: string | null
  /** The flag letters set, without the dashes (`e`). */
  flags: string
  /** The flags by Ansible's names (`extents`), in the order of `flags`. */
  names: string[]
}

/** Something is at the path: its stat, and what was asked for besides. */
export interface ExistingPath {
  path: string
  exists: true
  /** The umask of the shell that looked (the become user's under become). */
  umask: number
  type: FileType
  /** Permission bits with setuid, setgid and sticky, as a number (0o4755). */
  permissions: number
  /** The same in octal text, four digits at least, as Ansible shows it: `0644`, `4755`. */
  mode: string
  uid: number
  gid: number
  /** The owner's name; absent when the uid has no name on the target. */
  owner?: string
  /** The group's name; absent when the gid has no name on the target. */
  group?: string
  size: number
  /** 512-byte blocks allocated (st_blocks). */
  blocks: number
  /** The preferred I/O size (st_blksize). */
  blockSize: number
  inode: number
  dev: number
  nlink: number
  /** The device number of a character or block device (st_rdev); 0 for anything else. */
  deviceType: number
  /** Seconds since the epoch, with the fraction the target's stat gives (nanoseconds on Linux). */
  atime: number
  mtime: number
  ctime: number
  /** What the user running the probe (the become user under become) may do with it, as access(2). */
  readable: boolean
  writeable: boolean
  executable: boolean
  /** For a symbolic link: what it holds, as written (relative targets stay relative). */
  linkTarget?: string
  /** For a symbolic link: the absolute path it resolves to, where the target can tell. */
  linkSource?: string
  /** For a symbolic link (not followed): what is at its far end. */
  linkTo?: 'file' | 'directory' | 'other' | 'missing'
  /** When asked for and the path is a regular file the user can read. */
  checksum?: string
  checksumAlgorithm?: ChecksumAlgorithm
  /** With `mime`: Ansible's `mimetype` and `charset` (`unknown` when `file` cannot tell). */
  mimeType?: string
  charset?: string
  /** With `attributes`. */
  attributes?: FileAttributes
}

export type PathState = MissingPath | ExistingPath

/**
 * Reads the state of `path` on the target in one round trip.
 * @throws FactError when the target lacks a tool the answer needs (stat; a checksum tool when one is
 *   asked for), naming it, or the probe fails
 */
export async function readPath(
  target: FactTarget,
  path: string,
  options: PathOptions = {}
): Promise<PathState> {
  const answer = await runPathProbe(target, path, options, PROBE)
  return parsePathAnswer(answer, path, options, target.connection.host)
}

/**
 * Runs the path probe, or a script that wraps it with the same arguments (the stat module's, which
 * expands the path first), after checking the path and the checksum asked for; the raw answer.
 */
export async function runPathProbe(
  target: FactTarget,
  path: string,
  options: PathOptions,
  probe: ProbeScript
): Promise<ProbeAnswer> {
  const host = target.connection.host
  if (path === '' || path.includes('\0')) {
    throw new FactError(
      `cannot read the state of ${JSON.stringify(path)} on ${host}: a path must be a non-empty string without NUL`,
      host,
      'path',
      path
    )
  }
  const algorithm = checksumAlgorithm(options.checksum)
  return runProbe({ ...target, fact: 'path', subject: path }, probe, [
    path,
    options.follow ? '1' : '0',
    algorithm ?? '',
    options.mime ? '1' : '0',
    options.attributes ? '1' : '0'
  ])
}

/** The algorithm `checksum` asks for, or undefined for none. */
function checksumAlgorithm(checksum: PathOptions['checksum']): ChecksumAlgorithm | undefined {
  if (checksum === undefined || checksum === false) return undefined
  if (checksum === true) return 'sha1'
  if (!(CHECKSUM_ALGORITHMS as readonly string[]).includes(checksum)) {
    throw new TypeError(
      `checksum must be one of ${CHECKSUM_ALGORITHMS.join(', ')}, got ${String(checksum)}`
    )
  }
  return checksum
}

/**
 * The typed state in a probe's answer (exported for tests on captured answers).
 * @throws FactError for a missing tool or an answer that is not the probe's
 */
export function parsePathAnswer(
  answer: ProbeAnswer,
  path: string,
  options: PathOptions,
  host: string
): PathState {
  const fail = (message: string, missingTool?: string): never => {
    throw new FactError(
      `cannot read the state of ${path} on ${host}: ${message}`,
      host,
      'path',
      path,
      missingTool
    )
  }
  const umask = octal(answer.get('umask')) ?? 0o022
  if (answer.all('missing_tool').includes('stat')) {
    fail(
      'the target has no stat command (GNU coreutils or busybox `stat -c`, or BSD `stat -f`): install one',
      'stat'
    )
  }
  if (answer.get('exists') !== '1') {
    if (answer.get('error') === 'dangling') return { path, exists: false, umask }
    const reason = systemReason(answer.field('error')?.toString('utf8') ?? '')
    if (reason === '' || /no such file or directory/i.test(reason)) {
      return { path, exists: false, umask }
    }
    return { path, exists: false, error: reason, umask }
  }

  const raw =
    answer.get('mode_hex') !== undefined
      ? parseInt(answer.get('mode_hex')!, 16)
      : parseInt(answer.get('mode_octal') ?? '', 8)
  if (!Number.isFinite(raw)) fail(`its stat printed no mode (${answer.get('flavour') ?? '?'})`)
  const permissions = raw & 0o7777
  const number = (key: string): number => {
    const value = answer.int(key)
    return value === undefined ? fail(`its stat printed no ${key}`) : value
  }
  const state: ExistingPath = {
    path,
    exists: true,
    umask,
    type: fileType(raw),
    permissions,
    mode: permissions.toString(8).padStart(4, '0'),
    uid: number('uid'),
    gid: number('gid'),
    size: number('size'),
    blocks: Math.round((number('blocks') * (answer.int('block_unit') ?? 512)) / 512),
    blockSize: answer.int('block_size') ?? 0,
    inode: number('inode'),
    dev: number('dev'),
    nlink: number('nlink'),
    deviceType: deviceType(answer),
    atime: epoch(answer, 'atime'),
    mtime: epoch(answer, 'mtime'),
    ctime: epoch(answer, 'ctime'),
    readable: answer.get('readable') === '1',
    writeable: answer.get('writeable') === '1',
    executable: answer.get('executable') === '1'
  }
  const owner = accountName(answer.get('owner'))
  if (owner !== undefined) state.owner = owner
  const group = accountName(answer.get('group'))
  if (group !== undefined) state.group = group

  const linkTarget = answer.bytes('link_target_hex')
  if (linkTarget !== undefined) state.linkTarget = withoutNewline(linkTarget)
  else if (answer.all('missing_tool').includes('readlink'))
    fail('it is a symbolic link and the target has no readlink command to read it', 'readlink')
  const linkSource = answer.bytes('link_source_hex')
  if (linkSource !== undefined && linkSource.length > 0)
    state.linkSource = withoutNewline(linkSource)
  const linkTo = answer.get('link_to')
  if (linkTo === 'file' || linkTo === 'directory' || linkTo === 'other' || linkTo === 'missing')
    state.linkTo = linkTo

  const algorithm = checksumAlgorithm(options.checksum)
  if (algorithm !== undefined) {
    if (answer.all('missing_tool').includes('checksum')) {
      fail(
        `the target has no tool for ${algorithm} checksums: install one of ${algorithm}sum ` +
          `(coreutils or busybox)${algorithm === 'md5' ? '' : ', shasum (perl)'}, ${algorithm} (BSD) ` +
          'or openssl, or ask for another checksum algorithm',
        `${algorithm}sum`
      )
    }
    const tool = answer.get('checksum_tool')
    if (tool !== undefined) {
      const sum = (answer.get('checksum') ?? '').toLowerCase()
      if (!new RegExp(`^[0-9a-f]{${CHECKSUM_LENGTH[algorithm]}}$`).test(sum)) {
        fail(`\`${tool}\` gave no ${algorithm} checksum of it (it printed ${JSON.stringify(sum)})`)
      }
      state.checksum = sum
      state.checksumAlgorithm = algorithm
    }
  }
  if (options.mime) Object.assign(state, mimeOf(answer.field('mime')))
  if (options.attributes) state.attributes = attributesOf(answer.field('lsattr'))
  return state
}

/** A file type from the type bits of a raw st_mode. */
export function fileType(raw: number): FileType {
  switch (raw & 0o170000) {
    case 0o100000:
      return 'file'
    case 0o040000:
      return 'directory'
    case 0o120000:
      return 'link'
    case 0o010000:
      return 'fifo'
    case 0o140000:
      return 'socket'
    case 0o020000:
      return 'char'
    case 0o060000:
      return 'block'
    default:
      return 'unknown'
  }
}

/** st_rdev: BSD prints it; GNU prints major and minor in hex, put together as Linux's makedev does. */
function deviceType(answer: ProbeAnswer): number {
  const rdev = answer.int('rdev')
  if (rdev !== undefined) return rdev
  const major = parseInt(answer.get('rdev_major_hex') ?? '', 16)
  const minor = parseInt(answer.get('rdev_minor_hex') ?? '', 16)
  if (!Number.isFinite(major) || !Number.isFinite(minor)) return 0
  // Linux's encoding: the low 8 bits of minor, then 12 of major, then the rest of minor and major.
  return (
    (minor & 0xff) +
    (major & 0xfff) * 2 ** 8 +
    Math.floor(minor / 2 ** 8) * 2 ** 20 +
    Math.floor(major / 2 ** 12) * 2 ** 44
  )
}

/**
 * Seconds since the epoch with their fraction: whole seconds from `<key>`, the fraction from
 * `<key>_text` (GNU's `2026-01-02 03:04:05.123456789 +0000`, BSD's `1767322245.123456789`). Summed as
 * seconds + nanoseconds × 1e-9 in doubles, as Python's os.stat does: the same float Ansible reports.
 */
function epoch(answer: ProbeAnswer, key: string): number {
  const text = answer.get(`${key}_text`) ?? ''
  const float = /^(-?\d+)\.(\d+)$/.exec(text)
  const seconds = float ? Number(float[1]) : (answer.int(key) ?? 0)
  const fraction = float ? float[2]! : (/:\d\d\.(\d+)/.exec(text)?.[1] ?? '')
  const nanoseconds = fraction === '' ? 0 : Number(fraction.slice(0, 9).padEnd(9, '0'))
  return seconds + nanoseconds * 1e-9
}

/** An owner or group name, or undefined when stat found none (GNU `UNKNOWN`, BSD `(1234)`). */
function accountName(name: string | undefined): string | undefined {
  if (name === undefined || name === '' || name === 'UNKNOWN' || /^\(\d+\)$/.test(name))
    return undefined
  return name
}

/** The reason at the end of a tool's message (`stat: cannot statx 'x': Permission denied`). */
function systemReason(message: string): string {
  const line = message.trim().split('\n').pop() ?? ''
  const at = line.lastIndexOf(': ')
  return (at >= 0 ? line.slice(at + 2) : line).trim()
}

function withoutNewline(bytes: Buffer): string {
  const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0a ? bytes.length - 1 : bytes.length
  return bytes.subarray(0, end).toString('utf8')
}

function octal(text: string | undefined): number | undefined {
  return text !== undefined && /^[0-7]{1,4}$/.test(text) ? parseInt(text, 8) & 0o777 : undefined
}

/**
 * Ansible's `mimetype` and `charset` from `file --mime-type --mime-encoding PATH`: what follows the
 * last colon, split at the semicolon; `unknown` for what cannot be read that way.
 */
function mimeOf(output: Buffer | undefined): { mimeType: string; charset: string } {
  const result = { mimeType: 'unknown', charset: 'unknown' }
  if (output === undefined) return result
  const text = output.toString('utf8')
  const parts = text.slice(text.lastIndexOf(':') + 1).split(';')
  if (text.lastIndexOf(':') < 0 || parts.length !== 2) return result
  result.mimeType = parts[0]!.trim()
  const charset = parts[1]!.split('=')
  if (charset.length > 1) result.charset = charset[1]!.trim()
  return result
}

/** The names Ansible gives lsattr's flag letters. */
const ATTRIBUTE_NAMES: Readonly<Record<string, string>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, string>, {
    A: 'noatime',
    a: 'append',
    c: 'compressed',
    C: 'nocow',
    d: 'nodump',
    D: 'dirsync',
    e: 'extents',
    E: 'encrypted',
    h: 'blocksize',
    i: 'immutable',
    I: 'indexed',
    j: 'journalled',
    N: 'inline',
    s: 'zero',
    S: 'synchronous',
    t: 'notail',
    T: 'blockroot',
    u: 'undelete',
    X: 'compressedraw',
    Z: 'compresseddirty'
  })
)

/** `lsattr -vd PATH` (`1979365867 --------------e------- PATH`) as Ansible reads it. */
function attributesOf(output: Buffer | undefined): FileAttributes {
  const words = output?.toString('utf8').trim().split(/\s+/) ?? []
  if (words.length < 2) return { version: null, flags: '', names: [] }
  const flags = words[1]!.replace(/-/g, '')
  const names = [...flags].flatMap((letter) => {
    const name = ATTRIBUTE_NAMES[letter]
    return name === undefined ? [] : [name]
  })
  return { version: words[0]!, flags, names }
}

/** The file-type flags of Ansible's stat dictionaries (stat's `stat`, find's `files`). */
export function typeFlags(type: FileType): Record<string, boolean> {
  return {
    isdir: type === 'directory',
    ischr: type === 'char',
    isblk: type === 'block',
    isreg: type === 'file',
    isfifo: type === 'fifo',
    islnk: type === 'link',
    issock: type === 'socket'
  }
}

/** The permission-bit flags of Ansible's stat dictionaries, from the mode's low 12 bits. */
export function permissionFlags(mode: number): Record<string, boolean> {
  const has = (bit: number): boolean => (mode & bit) !== 0
  return {
    wusr: has(0o200),
    rusr: has(0o400),
    xusr: has(0o100),
    wgrp: has(0o020),
    rgrp: has(0o040),
    xgrp: has(0o010),
    woth: has(0o002),
    roth: has(0o004),
    xoth: has(0o001),
    isuid: has(0o4000),
    isgid: has(0o2000)
  }
}
