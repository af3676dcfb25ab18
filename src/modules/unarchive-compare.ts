/**
 * How the unarchive module decides whether an archive is already unpacked in `dest`, as Ansible 2.14's
 * handlers decide it (learned from its documentation and by running it): a tar archive by what
 * `tar --diff` says (only missing files, mode time, and mode, owner and group where they are not set by
 * the task count), a zip archive by its own comparison of each entry with what is on disk (type, mtime,
 * size, CRC-32, permissions, owner, group). Pure functions over what unarchive.sh printed.
 */
import { wantedMode } from './file-support.js'

/** What unarchive.sh's describe_entry printed of one path under dest. */
export interface EntryStat {
  type: 'f' | 'd' | 'l' | 'o'
  /** Permission bits (with setuid/setgid/sticky). */
  mode: number
  uid: number
  gid: number
  size: number
  /** CRC-32 of a regular file, as 8 hex digits (zip only). */
  crc?: string
  owner?: string
  group?: string
  /** The mtime in the target's local time as `YYYYMMDD.HHMMSS` (zipinfo -T's form). */
  mtime: string
  /** Whether the mtime has a fraction of a second. */
  fraction: boolean
}

/**
 * The `st=` lines of an answer (describe_paths: mode, uid, gid, size, type, owner, group, mtime and the
 * path, tab-separated), by path (`./` dropped), with the CRC-32 of regular files from `crcs`. A path
 * without a line does not exist.
 */
export function parseStats(
  lines: readonly string[],
  crcs: ReadonlyMap<string, string> = new Map()
): Map<string, EntryStat | 'missing'> {
  const stats = new Map<string, EntryStat | 'missing'>()
  for (const line of lines) {
    const parts = line.split('\t')
    if (parts.length < 9) continue
    const [mode, uid, gid, size, kind, owner, group, mtime] = parts
    const name = parts.slice(8).join('\t').replace(/^\.\//, '')
    const [date, time] = (mtime ?? '').split(' ')
    const fraction = /\.(\d+)/.exec(time ?? '')?.[1] ?? ''
    const type: EntryStat['type'] =
      kind === 'directory'
        ? 'd'
        : kind === 'symbolic link'
          ? 'l'
          : /^regular (empty )?file$/.test(kind ?? '')
            ? 'f'
            : 'o'
    const crc = type === 'f' ? crcs.get(name) : undefined
    stats.set(name, {
      type,
      mode: parseInt(mode ?? '0', 8),
      uid: Number(uid),
      gid: Number(gid),
      size: Number(size),
      ...(crc !== undefined ? { crc } : {}),
      ...(owner && owner !== 'UNKNOWN' ? { owner } : {}),
      ...(group && group !== 'UNKNOWN' ? { group } : {}),
      mtime: `${(date ?? '').replace(/-/g, '')}.${(time ?? '').slice(0, 8).replace(/:/g, '')}`,
      fraction: /[1-9]/.test(fraction)
    })
  }
  return stats
}

/**
 * The CRC-32 of each path from describe_all's `paths_hex` (the paths, one a line) and `filecrc_hex`
 * (gzip's 8-byte trailer of each, in the same order: the CRC-32 little-endian, then the size).
 */
export function fileCrcs(paths: string, trailers: string): Map<string, string> {
  const crcs = new Map<string, string>()
  const names = paths === '' ? [] : paths.replace(/\n$/, '').split('\n')
  names.forEach((name, i) => {
    const trailer = trailers.slice(i * 16, i * 16 + 8)
    if (trailer.length === 8) crcs.set(name, littleEndianCrc(trailer))
  })
  return crcs
}

/** gzip's trailer holds the CRC-32 little-endian: as the 8 hex digits unzip -v prints. */
function littleEndianCrc(bytes: string): string {
  const pairs = bytes.match(/../g) ?? []
  return pairs.reverse().join('').toLowerCase()
}

/** An account as the target knows it: `name:id`, or undefined when there is none. */
export interface Account {
  name: string
  id: number
}

export function parseAccount(text: string | undefined): Account | undefined {
  const match = /^([^:]+):(\d+)$/.exec(text ?? '')
  return match ? { name: match[1]!, id: Number(match[2]) } : undefined
}

/** Who runs the module on the target, and what the task asks of the extracted files. */
export interface RunContext {
  runUid: number
  runGid: number
  runGroups: number[]
  runUser: string
  runGroup: string
  umask: number
  /** The task's owner and group as given, and the accounts they name (if any). */
  owner?: string
  ownerAccount?: Account
  group?: string
  groupAccount?: Account
  /** The ids chown and chgrp would set: the account's, or a number as given (undefined: no such account). */
  ownerId?: number
  groupId?: number
  /** The task's mode as given (an int, octal text or a symbolic mode). */
  mode?: unknown
  keepNewer: boolean
}

/** The outcome of a comparison. */
export interface Comparison {
  unarchived: boolean
  /** The zip handler's itemized changes (Ansible's `diff.prepared`). */
  diff?: string
  /** Entries the zip handler excludes from extraction (newer on disk, with keep_newer). */
  excludes: string[]
  /** A comparison the module cannot make (Ansible's handler raises): its message. */
  error?: string
}

/** Python's str.split(None, maxsplit). */
function splitFields(line: string, max: number): string[] {
  const fields: string[] = []
  let rest = line.replace(/^\s+/, '')
  while (rest !== '' && fields.length < max) {
    const match = /^(\S+)\s*/.exec(rest)!
    fields.push(match[1]!)
    rest = rest.slice(match[0].length)
  }
  if (rest !== '') fields.push(rest)
  return fields
}

/** The CRC-32 of each entry, from `unzip -v`. */
export function parseCrcs(text: string): Map<string, string> {
  const crcs = new Map<string, string>()
  for (const line of text.split('\n')) {
    const fields = splitFields(line, 7)
    if (fields.length === 8 && /^[0-9a-f]{8}$/.test(fields[6]!) && /^\d+$/.test(fields[0]!))
      crcs.set(fields[7]!, fields[6]!)
  }
  return crcs
}

function permissionsOf(permstr: string): number {
  let mode = 0
  const reversed = [...permstr].reverse()
  for (let i = 0; i < 9; i++) if ('rwxst'.includes(reversed[i] ?? '-')) mode |= 1 << i
  return mode
}

/** The mode the task's `mode` asks of a path whose permissions are `current`. */
export function modeWanted(ctx: RunContext, current: number, isDirectory: boolean): number {
  const mode = ctx.mode
  if (typeof mode === 'number') return mode
  return wantedMode(mode, current, ctx.umask, isDirectory)
}

/** The owner and group the extracted files should end with (the run user's where none is asked). */
function futureAccounts(ctx: RunContext): { owner: Account; group: Account } {
  const runOwner = { name: ctx.runUser, id: ctx.runUid }
  const runGroup = { name: ctx.runGroup, id: ctx.runGid }
  return {
    owner: ctx.owner ? (ctx.ownerAccount ?? runOwner) : runOwner,
    group: ctx.group ? (ctx.groupAccount ?? runGroup) : runGroup
  }
}

/**
 * The zip handler's comparison: zipinfo's entries (`zipinfo -T -s`, its exit status), their CRC-32s
 * and what is on disk for each.
 */
export function compareZip(
  zipinfo: string,
  zipinfoRc: number,
  crcs: ReadonlyMap<string, string>,
  stats: ReadonlyMap<string, EntryStat | 'missing'>,
  excludes: readonly string[],
  ctx: RunContext
): Comparison {
  let unarchived = zipinfoRc === 0
  const changed: string[] = []
  const excluded = [...excludes]
  let diff = ''
  const future = futureAccounts(ctx)
  for (const line of zipinfo.split('\n')) {
    const pcs = splitFields(line, 7)
    if (pcs.length !== 8) continue
    const [perms, , , sizeText, , , stamp, path] = pcs as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string
    ]
    if (perms.length !== 7 && perms.length !== 10) continue
    if (stamp.length !== 15) continue
    if (!'dl-?'.includes(perms[0]!) || ![...perms.slice(1)].every((c) => 'rwxstah-'.includes(c)))
      continue
    const ztype = perms[0]!
    let permstr = perms.slice(1)
    const size = Number(sizeText)
    if (excludes.includes(path)) continue
    const ftype = path.endsWith('/') ? 'd' : ztype === 'l' ? 'L' : 'f'
    let fileUmask = 0
    if (permstr.length === 6) {
      permstr = path.endsWith('/') || permstr === 'rwx---' ? 'rwxrwxrwx' : 'rw-rw-rw-'
      fileUmask = ctx.umask
    }
    const st = stats.get(path) ?? stats.get(path.replace(/\/$/, ''))
    if (st === undefined || st === 'missing') {
      changed.push(path)
      diff += `>${ftype}++++++.?? ${path}\n`
      continue
    }
    if (
      (ftype === 'd' && st.type !== 'd') ||
      (ftype === 'f' && st.type !== 'f') ||
      (ftype === 'L' && st.type !== 'l')
    ) {
      if (ftype === 'f') unarchived = false
      changed.push(path)
      diff += `c${ftype}++++++.?? ${path}\n`
      continue
    }
    let change = false
    const itemized = [...`.${ftype}.......??`]
    if (st.type === 'f') {
      // zipinfo's time against the file's mtime, both in the target's local time.
      const newer = stamp > st.mtime
      const same = stamp === st.mtime && !st.fraction
      if (ctx.keepNewer) {
        if (newer) {
          change = true
          changed.push(path)
          itemized[4] = 't'
        } else if (!same) {
          excluded.push(path)
          continue
        }
      } else if (!same) {
        change = true
        changed.push(path)
        itemized[4] = 't'
      }
      if (size !== st.size) {
        change = true
        itemized[3] = 's'
      }
      if (crcs.get(path) !== st.crc) {
        change = true
        itemized[2] = 'c'
      }
    }
    if (ftype !== 'L') {
      let mode: number
      if (ctx.mode !== undefined) mode = modeWanted(ctx, st.mode, st.type === 'd')
      else mode = permissionsOf(permstr) & ~(ztype === '?' ? 0 : fileUmask)
      if (mode !== st.mode) {
        change = true
        itemized[5] = 'p'
      }
    }
    if (ctx.runUid !== 0 && (future.owner.name !== ctx.runUser || future.owner.id !== ctx.runUid)) {
      return {
        unarchived: false,
        excludes: excluded,
        error: `Cannot change ownership of ${path} to ${future.owner.name}, as user ${ctx.runUser}`
      }
    }
    if (st.owner !== undefined ? st.owner !== future.owner.name : st.uid !== future.owner.id) {
      change = true
      itemized[6] = 'o'
    }
    if (
      ctx.runUid !== 0 &&
      (future.group.name !== ctx.runGroup || future.group.id !== ctx.runGid) &&
      !ctx.runGroups.includes(future.group.id)
    ) {
      return {
        unarchived: false,
        excludes: excluded,
        error: `Cannot change group ownership of ${path} to ${future.group.name}, as user ${ctx.runUser}`
      }
    }
    if (st.group !== undefined ? st.group !== future.group.name : st.gid !== future.group.id) {
      change = true
      itemized[6] = 'g'
    }
    if (change) {
      if (!changed.includes(path)) changed.push(path)
      diff += `${itemized.join('')} ${path}\n`
    }
  }
  if (changed.length > 0) unarchived = false
  return { unarchived, diff, excludes: excluded }
}

/** The tar handlers' comparison: what `tar --diff` printed (stdout and stderr). */
export function compareTar(out: string, err: string, ctx: RunContext): Comparison {
  const counted = (line: string): boolean => {
    if (/: : Warning: Cannot stat: No such file or directory$/.test(line)) return false
    return (
      (ctx.runUid === 0 && !ctx.owner && /: Uid differs$/.test(line)) ||
      (ctx.runUid === 0 && !ctx.group && /: Gid differs$/.test(line)) ||
      (ctx.mode === undefined && /: Mode differs$/.test(line)) ||
      /: Mod time differs$/.test(line) ||
      /: Warning: Cannot stat: No such file or directory$/.test(line) ||
      /: Invalid owner/.test(line) ||
      /: Invalid group/.test(line)
    )
  }
  const lines = [...splitLines(out), ...splitLines(err)]
  return { unarchived: !lines.some(counted), excludes: [] }
}

function splitLines(text: string): string[] {
  if (text === '') return []
  return text.replace(/\n$/, '').split(/\r\n|\n|\r/)
}

/** What the attribute step must do for one path: the mode to set (or none) and whether anything differs. */
export interface AttributeChange {
  path: string
  mode?: number
  differs: boolean
}

/**
 * Owner, group and mode of each path against what the task asks (Ansible sets them on every extracted
 * path and each top folder, after extracting or not). `stats` is keyed by the path relative to dest.
 */
export function attributeChanges(
  names: readonly string[],
  stats: ReadonlyMap<string, EntryStat | 'missing'>,
  ctx: RunContext,
  dest: string
): AttributeChange[] {
  return names.map((name) => {
    const path = `${dest.replace(/\/+$/, '')}/${name}`
    const st = stats.get(name) ?? stats.get(name.replace(/\/$/, ''))
    if (st === undefined || st === 'missing') return { path, differs: false }
    let differs = false
    if (ctx.owner !== undefined && ctx.ownerId !== st.uid) differs = true
    if (ctx.group !== undefined && ctx.groupId !== st.gid) differs = true
    let mode: number | undefined
    if (ctx.mode !== undefined && st.type !== 'l') {
      mode = modeWanted(ctx, st.mode, st.type === 'd')
      if (mode !== st.mode) differs = true
    }
    return { path, ...(mode === undefined ? {} : { mode }), differs }
  })
}

/** Python's codecs.escape_decode of a name tar listed (it escapes what it cannot print). */
export function tarName(line: string): string {
  if (!line.includes('\\')) return line
  const bytes: number[] = []
  const raw = Buffer.from(line, 'utf8')
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i]!
    if (byte !== 0x5c || i + 1 >= raw.length) {
      bytes.push(byte)
      continue
    }
    const next = String.fromCharCode(raw[i + 1]!)
    const simple: Record<string, number> = {
      n: 10,
      t: 9,
      r: 13,
      '\\': 92,
      a: 7,
      b: 8,
      f: 12,
      v: 11
    }
    if (next in simple) {
      bytes.push(simple[next]!)
      i++
    } else if (/[0-7]/.test(next)) {
      let digits = ''
      let j = i + 1
      while (j < raw.length && digits.length < 3 && /[0-7]/.test(String.fromCharCode(raw[j]!))) {
        digits += String.fromCharCode(raw[j]!)
        j++
      }
      bytes.push(parseInt(digits, 8) & 0xff)
      i = j - 1
    } else {
      bytes.push(byte)
    }
  }
  return Buffer.from(bytes).toString('utf8')
}
