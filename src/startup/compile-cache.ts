import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync
} from 'node:fs'
import { createHash } from 'node:crypto'
import { homedir } from 'node:os'
import path from 'node:path'

/**
 * V8's compiled code for the bundle, kept between runs so that a run does not compile its 3 MB of code again
 * (compiling was about a third of a short run). The data is code: it is read only from a folder and a file
 * of the user running us that no one else may write, and it is keyed by the bundle's content hash, node's
 * version, the CPU architecture and node's options (V8 also refuses data of another V8, of other flags or of
 * a source of another length).
 *
 * Two tiers per key: `light`, written by a run that did not run a playbook (`--version`, a syntax error),
 * and `full`, written by one that did and so compiled the engine, the modules and the connection too. A run
 * reads the full tier if there is one, else the light one, and writes at its exit only what it improves:
 * the full tier if it ran a playbook without one, the light tier if it found no data at all.
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

export type CacheTier = 'full' | 'light'

/** The data read for a key, with the tier it came from. */
export interface CachedCode {
  readonly tier: CacheTier
  readonly data: Buffer
}

/** Files of other keys not written for this long are removed when a new file is written. */
const STALE_MS = 7 * 24 * 3600 * 1000

const FILE_SUFFIX = '.v8cache'

export class CompileCache {
  readonly #dir: string
  readonly #key: string

  /**
   * @param dir the folder (made with mode 0700 when missing)
   * @param bundleHash the bundle's content hash (made at build time)
   */
  constructor(dir: string, bundleHash: string) {
    this.#dir = dir
    // Node's version names its V8, the architecture its code; V8 refuses data made under other flags, so
    // node's options (NODE_OPTIONS too) have their own data rather than rewriting one file in turn.
    const options = [...process.execArgv, process.env['NODE_OPTIONS'] ?? ''].join('\0')
    const flags =
      options === '' ? '' : `-${createHash('sha256').update(options).digest('hex').slice(0, 8)}`
    this.#key = `${bundleHash}-${process.version}-${process.arch}${flags}`.replace(/[^\w.-]/g, '_')
  }

  /** The file of a tier. */
  file(tier: CacheTier): string {
    return path.join(this.#dir, `${this.#key}.${tier}${FILE_SUFFIX}`)
  }

  /** The best data kept for this key, or undefined (none, or a folder or file others could have written). */
  read(): CachedCode | undefined {
    if (!ownedAndPrivate(this.#dir, 'directory')) return undefined
    for (const tier of ['full', 'light'] as const) {
      const file = this.file(tier)
      if (!ownedAndPrivate(file, 'file')) continue
      try {
        return { tier, data: readFileSync(file) }
      } catch {
        // Removed since: the next tier, or none.
      }
    }
    return undefined
  }

  /**
   * Keeps the data of a tier: written to a temporary file of this process, then renamed over the tier's
   * file (a reader sees the old data or the new, never a part). Never throws: a cache that cannot be
   * written is only a slower next start.
   */
  write(tier: CacheTier, data: Buffer): boolean {
    try {
      mkdirSync(this.#dir, { recursive: true, mode: 0o700 })
      if (!ownedAndPrivate(this.#dir, 'directory')) return false
      const file = this.file(tier)
      const temporary = `${file}.${process.pid}.tmp`
      try {
        writeFileSync(temporary, data, { mode: 0o600, flag: 'wx' })
        renameSync(temporary, file)
      } catch {
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

  /** Removes the files of other keys (other builds, other node versions) not written for a week. */
  #removeStale(): void {
    const now = Date.now()
    for (const name of readdirSync(this.#dir)) {
      if (name.startsWith(`${this.#key}.`)) continue
      if (!name.endsWith(FILE_SUFFIX) && !name.endsWith('.tmp')) continue
      const file = path.join(this.#dir, name)
      try {
        const stat = lstatSync(file)
        if (stat.isFile() && now - stat.mtimeMs > STALE_MS) unlinkSync(file)
      } catch {
        // Gone already.
      }
    }
  }
}

/**
 * True when `file` is a `kind` (not a symbolic link) owned by this process's user and writable by no one
 * else: only then is code read from it. Where the platform has no user ids (Windows), the folder's place
 * under the user's own profile is what protects it.
 */
export function ownedAndPrivate(file: string, kind: 'file' | 'directory'): boolean {
  try {
    const stat = lstatSync(file)
    if (kind === 'file' ? !stat.isFile() : !stat.isDirectory()) return false
    if (typeof process.getuid !== 'function') return true
    return stat.uid === process.getuid() && (stat.mode & 0o022) === 0
  } catch {
    return false
  }
}
