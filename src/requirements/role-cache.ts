// The requirements cache's entries: what an install records, and the checks an entry passes before it is
// used (its digest, and nothing in it that another user could change), and how a bad one is removed.
import { createHash, randomBytes } from 'node:crypto'
import {
  chmodSync,
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync
} from 'node:fs'
import path from 'node:path'

/** What an install records beside the role (`.apb-install.json`). */
export interface CacheRecord {
  src: string
  version: string | null
  name: string
  digest: string
}

/**
 * A cache entry checked before it is used: its record readable, its role's tree matching the recorded digest,
 * and nothing in it that another user could change (owned by someone else, or writable by group or others).
 * The record lives beside the tree, so the digest catches a damaged or edited copy, not one forged by someone
 * able to write the cache as this user: the cache must be as private as the user's own files.
 */
export function verifiedEntry(
  entry: string,
  roleDir: string,
  recordFile: string
): { ok: true; record: CacheRecord } | { ok: false; reason: string } {
  const record = readRecord(recordFile)
  if (!record || !existsSync(roleDir))
    return { ok: false, reason: 'is incomplete (no install record or no role directory)' }
  const unsafe = writableByOthers(entry, true)
  if (unsafe) return { ok: false, reason: `could have been changed by another user (${unsafe})` }
  if (treeDigest(roleDir) !== record.digest)
    return { ok: false, reason: 'does not match what was installed' }
  return { ok: true, record }
}

/**
 * Why another user could change `root` (or, with `deep`, anything below it): the first path owned by someone
 * else or writable by its group or others; undefined when there is none.
 */
export function writableByOthers(root: string, deep = false): string | undefined {
  const uid = process.getuid?.()
  const check = (file: string): string | undefined => {
    const stat = lstatSync(file)
    // A link's own mode means nothing: what it points to inside the tree is checked on its own.
    if (stat.isSymbolicLink()) return undefined
    if (uid !== undefined && stat.uid !== uid) return `${file} is owned by uid ${stat.uid}`
    if (stat.mode & 0o022) return `${file} is writable by its group or others`
    if (deep && stat.isDirectory())
      for (const name of readdirSync(file)) {
        const found = check(path.join(file, name))
        if (found) return found
      }
    return undefined
  }
  return check(root)
}

/** Clears the group and others write bits of a tree (links left alone: chmod would follow them). */
export function withoutWriteForOthers(root: string): void {
  const stat = lstatSync(root)
  if (stat.isSymbolicLink()) return
  if (stat.mode & 0o022) chmodSync(root, stat.mode & 0o7755)
  if (stat.isDirectory())
    for (const name of readdirSync(root)) withoutWriteForOthers(path.join(root, name))
}

/** Removes a cache entry by renaming it aside first (atomic), then deleting the renamed tree. */
export function removeAside(cacheDir: string, entry: string): void {
  const aside = path.join(cacheDir, `.stale-${process.pid}-${randomBytes(6).toString('hex')}`)
  try {
    renameSync(entry, aside)
  } catch (error) {
    // Another run moved it aside first.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
    throw error
  }
  rmSync(aside, { recursive: true, force: true })
}

function readRecord(file: string): CacheRecord | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<CacheRecord>
    return typeof parsed.digest === 'string' ? (parsed as CacheRecord) : undefined
  } catch {
    return undefined
  }
}

/** A digest of a directory tree: every path, its kind, its executable bit, and its content or link target. */
export function treeDigest(root: string): string {
  const hash = createHash('sha256')
  const walk = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name)
      const relative = rel === '' ? name : `${rel}/${name}`
      const stat = lstatSync(full)
      if (stat.isSymbolicLink()) hash.update(`l ${relative} ${readlinkSync(full)}\0`)
      else if (stat.isDirectory()) {
        hash.update(`d ${relative}\0`)
        walk(full, relative)
      } else if (stat.isFile()) {
        const content = createHash('sha256').update(readFileSync(full)).digest('hex')
        hash.update(`f ${relative} ${stat.mode & 0o111 ? 'x' : '-'} ${content}\0`)
      } else hash.update(`o ${relative}\0`)
    }
  }
  walk(root, '')
  return hash.digest('hex')
}
