import { createHash } from 'node:crypto'
import {
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
  type Stats
} from 'node:fs'
import { homedir } from 'node:os'
import path from 'node:path'

/**
 * V8's compiled code for the bundle, kept between runs so that a run does not compile its 3 MB of code again
 * (compiling was about a third of a short run). The data is code, so:
 * - it is read only from a file owned by the user running us that no one else may write, checked on the
 *   open file itself (no symbolic link followed), in a folder of that user no one else may write;
 * - each file carries a SHA-256 of its data, checked before V8 sees it (V8 checks no sum of its own, and
 *   damaged data can crash node or run wrong code);
 * - it is keyed by the bundle's content hash (set at build time), the bundle file's size, time and inode
 *   (an edit to it after the build has its own data: V8 itself compares only the source's length), node's
 *   version, the CPU architecture and node's options.
 *
 * Three tiers per key, by how much of the code a run compiled: `light` (no playbook ran: `--version`, a
 * syntax error), `run` (a playbook ran, with no SSH login) and `full` (a playbook ran and logged in over SSH:
 * the engine's, the modules' and ssh2's code). A run reads the best tier kept and, at its exit, writes its
 * own tier if that is better than what it read.
 */

/** Where the data goes: `ASYNC_PLAYBOOK_COMPILE_CACHE` (`off` turns it off), else the user's cache folder. */
export function compileCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const chosen = env['ASYNC_PLAYBOOK_COMPILE_CACHE']
  if (chosen !== undefined && chosen !== '') {
    if (/^(?:off|0|false|no)$/i.test(chosen)) return undefined
    return path.resolve(chosen)
  }
  const xdg = env['XDG_CACHE_HOME']
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'async-playbook')
  let home: string
  try {
    home = env['HOME'] || homedir()
  } catch {
    return undefined
  }
  return home && path.isAbsolute(home) ? path.join(home, '.cache', 'async-playbook') : undefined
}

export const CACHE_TIERS = ['light', 'run', 'full'] as const
export type CacheTier = (typeof CACHE_TIERS)[number]

/** The data read for a key, with the tier it came from. */
export interface CachedCode {
  readonly tier: CacheTier
  readonly data: Buffer
}

/** Files of other builds not written for this long are removed when a new file is written. */
const STALE_MS = 7 * 24 * 3600 * 1000
/** A temporary file this old was left by a writer that died. */
const DEAD_TEMPORARY_MS = 3600 * 1000

const FILE_SUFFIX = '.v8cache'
/** A file: MAGIC, the SHA-256 of the data, the data. */
const MAGIC = Buffer.from('APBV8C01')
const HEADER_BYTES = MAGIC.length + 32

export class CompileCache {
  readonly #dir: string
  /** `BUILD-STAMP-`: this build as loaded from this very file. */
  readonly #copy: string
  readonly #build: string
  readonly #key: string

  /**
   * @param dir the folder (made with mode 0700 when missing, under a folder of this user)
   * @param bundleHash the bundle's content hash (made at build time)
   * @param bundleStat the bundle file's stat, read as it was loaded
   */
  constructor(
    dir: string,
    bundleHash: string,
    bundleStat: Pick<Stats, 'size' | 'mtimeMs' | 'ino'>
  ) {
    this.#dir = dir
    this.#build = `${safeName(bundleHash)}-`
    const stamp = shortHash([bundleStat.size, bundleStat.mtimeMs, bundleStat.ino].join('\0'))
    this.#copy = `${this.#build}${stamp}-`
    // V8 refuses data made under other flags: node's options (NODE_OPTIONS too) have their own data rather
    // than rewriting one file in turn.
    const options = shortHash([...process.execArgv, process.env['NODE_OPTIONS'] ?? ''].join('\0'))
    this.#key = safeName(`${this.#copy}${options}-${process.version}-${process.arch}`)
  }

  /** The file of a tier. */
  file(tier: CacheTier): string {
    return path.join(this.#dir, `${this.#key}.${tier}${FILE_SUFFIX}`)
  }

  /** The best data kept for this key, or undefined (none, damaged, or a file others could have written). */
  read(): CachedCode | undefined {
    if (!ownedAndPrivate(this.#dir, 'directory')) return undefined
    for (const tier of [...CACHE_TIERS].reverse()) {
      const data = readPrivateFile(this.file(tier))
      if (data === undefined) continue
      const payload = checkedPayload(data)
      if (payload) return { tier, data: payload }
    }
    return undefined
  }

  /**
   * Keeps the data of a tier: written to a temporary file of this process and flushed to disk, then renamed
   * over the tier's file (a reader sees the old data or the new, never a part). Never throws: a cache that
   * cannot be written is only a slower next start.
   */
  write(tier: CacheTier, data: Buffer): boolean {
    try {
      if (!ensurePrivateDir(this.#dir)) return false
      const file = this.file(tier)
      const temporary = `${file}.${process.pid}.tmp`
      const sum = createHash('sha256').update(data).digest()
      let fd: number | undefined
      try {
        fd = openSync(temporary, 'wx', 0o600)
        for (const part of [MAGIC, sum, data]) writeAll(fd, part)
        fsyncSync(fd)
        closeSync(fd)
        fd = undefined
        renameSync(temporary, file)
      } catch {
        if (fd !== undefined) closeSync(fd)
        try {
          unlinkSync(temporary)
        } catch {
          // Never made.
        }
        return false
      }
      this.#removeStale()
      return true
    } catch {
      return false
    }
  }

  /**
   * Removes what is no longer of use: this build's data under another key (the bundle file was replaced:
   * a new checkout of the same release), other builds' data not written for a week, and temporary files
   * a writer that died left.
   */
  #removeStale(): void {
    const now = Date.now()
    for (const name of readdirSync(this.#dir)) {
      const temporary = name.endsWith('.tmp')
      if (!temporary && !name.endsWith(FILE_SUFFIX)) continue
      if (!temporary && name.startsWith(`${this.#key}.`)) continue
      const file = path.join(this.#dir, name)
      try {
        const stat = lstatSync(file)
        if (!stat.isFile()) continue
        // The same build from a bundle file since replaced (a new checkout of the same release).
        const superseded =
          !temporary && name.startsWith(this.#build) && !name.startsWith(this.#copy)
        if (superseded || now - stat.mtimeMs > (temporary ? DEAD_TEMPORARY_MS : STALE_MS))
          unlinkSync(file)
      } catch {
        // Gone already.
      }
    }
  }
}

/** A key's characters, kept to those safe in a file name. */
const safeName = (text: string): string => text.replace(/[^\w.-]/g, '_')

const shortHash = (text: string): string =>
  createHash('sha256').update(text).digest('hex').slice(0, 12)

function writeAll(fd: number, data: Buffer): void {
  for (let done = 0; done < data.length;) done += writeSync(fd, data, done, data.length - done)
}

/** The data of a file with a good header, or undefined. */
function checkedPayload(file: Buffer): Buffer | undefined {
  if (file.length <= HEADER_BYTES || !file.subarray(0, MAGIC.length).equals(MAGIC)) return undefined
  const payload = file.subarray(HEADER_BYTES)
  const sum = createHash('sha256').update(payload).digest()
  return sum.equals(file.subarray(MAGIC.length, HEADER_BYTES)) ? payload : undefined
}

/**
 * A file's bytes when it is a regular file (not a symbolic link) owned by this process's user and writable
 * by no one else, checked on the file opened (what is read is what was checked).
 */
function readPrivateFile(file: string): Buffer | undefined {
  let fd: number
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0))
  } catch {
    return undefined
  }
  try {
    if (!privateStat(fstatSync(fd), 'file')) return undefined
    return readFileSync(fd)
  } catch {
    return undefined
  } finally {
    closeSync(fd)
  }
}

/**
 * Makes the folder (mode 0700) when missing, but only under a folder this user owns: run as root with
 * another user's HOME (sudo without -H), it makes nothing in that user's home. True when the folder is
 * then this user's and private.
 */
function ensurePrivateDir(dir: string): boolean {
  if (ownedAndPrivate(dir, 'directory')) return true
  let existing = path.dirname(dir)
  for (;;) {
    try {
      lstatSync(existing)
      break
    } catch {
      const parent = path.dirname(existing)
      if (parent === existing) return false
      existing = parent
    }
  }
  if (!ownedBy(existing)) return false
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
  } catch {
    return false
  }
  return ownedAndPrivate(dir, 'directory')
}

function ownedBy(file: string): boolean {
  try {
    const stat = lstatSync(file)
    return stat.isDirectory() && ours(stat)
  } catch {
    return false
  }
}

/**
 * True when `file` is a `kind` (not a symbolic link) owned by this process's user and writable by no one
 * else. Where the platform has no user ids (Windows), the folder's place under the user's own profile is
 * what protects it.
 */
export function ownedAndPrivate(file: string, kind: 'file' | 'directory'): boolean {
  try {
    return privateStat(lstatSync(file), kind)
  } catch {
    return false
  }
}

function privateStat(stat: Stats, kind: 'file' | 'directory'): boolean {
  if (kind === 'file' ? !stat.isFile() : !stat.isDirectory()) return false
  return ours(stat) && (typeof process.getuid !== 'function' || (stat.mode & 0o022) === 0)
}

/** Owned by this process's user (true where the platform has no user ids). */
function ours(stat: Stats): boolean {
  return typeof process.getuid !== 'function' || stat.uid === process.getuid()
}
