import path from 'node:path'
import { CommandTimeoutError } from '../errors.js'
import { fileType, permissionFlags, typeFlags, type FileType } from '../facts/index.js'
import { FactError, fromHex, probeCommand, type ProbeScript } from '../facts/probe.js'
import {
  PythonRegexError,
  pythonSearch,
  translatePythonRegex,
  type PythonRegex
} from '../values/python-regex.js'
import { shellQuote } from '../connection/shell-quote.js'
import type { Connection } from '../connection/connection.js'
import { pyStringRepr } from '../template/python.js'
import expandArgsSource from './expand-args.sh'
import walkSource from './find-walk.sh'
import { ModuleArgumentError, type ModuleDefinition, type ModuleResult } from './module.js'
import { globRegex, pythonGrep } from './find-patterns.js'

/** At most this much of a walk's listing is kept (about 400 bytes an entry). */
const WALK_OUTPUT_CAP_BYTES = 64 * 1024 * 1024

const WALK_PROBE: ProbeScript = { name: 'apb-find', source: `${expandArgsSource}\n${walkSource}` }

const SECONDS_PER_UNIT: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }
const BYTES_PER_UNIT: Record<string, number> = {
  b: 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4
}

/**
 * `find`: the files under `paths` that pass its filters, with the stat fields Ansible's find returns,
 * in os.walk's order, from one round trip: find-walk.sh lists each tree with a few `find` passes
 * (`stat -c` batched, never a process per directory) and this file rebuilds os.walk's top-down order
 * from the listing, then applies the filters. Changes nothing, so it runs in check mode.
 */
export const findModule: ModuleDefinition = {
  name: 'find',
  supportsCheckMode: true,
  args: {
    options: {
      paths: { type: 'list', elements: 'str', required: true, aliases: ['name', 'path'] },
      patterns: { type: 'list', elements: 'str', default: [], aliases: ['pattern'] },
      excludes: { type: 'list', elements: 'str', aliases: ['exclude'] },
      contains: { type: 'str' },
      read_whole_file: { type: 'bool', default: false },
      file_type: { type: 'str', default: 'file', choices: ['any', 'directory', 'file', 'link'] },
      age: { type: 'str' },
      age_stamp: { type: 'str', default: 'mtime', choices: ['atime', 'ctime', 'mtime'] },
      size: { type: 'str' },
      recurse: { type: 'bool', default: false },
      hidden: { type: 'bool', default: false },
      follow: { type: 'bool', default: false },
      get_checksum: { type: 'bool', default: false },
      use_regex: { type: 'bool', default: false },
      depth: { type: 'int' }
    }
  },
  async run(ctx) {
    const args = ctx.args
    const useRegex = args['use_regex'] === true
    let patterns = (args['patterns'] as string[] | null) ?? []
    if (patterns.length === 0) patterns = [useRegex ? '.*' : '*']
    const excludes = (args['excludes'] as string[] | null) ?? []
    const compile = (pattern: string): RegExp =>
      useRegex ? pythonRegexOrRefuse(pattern) : globRegex(pattern)
    const patternRes = patterns.map(compile)
    const excludeRes = excludes.map(compile)

    let age: number | undefined
    if (args['age'] !== undefined && args['age'] !== null) {
      const m = /^(-?\d+)(s|m|h|d|w)?$/.exec(String(args['age']).toLowerCase())
      if (!m)
        return { changed: false, failed: true, age: args['age'], msg: 'failed to process age' }
      age = Number(m[1]) * (SECONDS_PER_UNIT[m[2] ?? 's'] ?? 1)
    }
    let size: number | undefined
    if (args['size'] !== undefined && args['size'] !== null) {
      const m = /^(-?\d+)(b|k|m|g|t)?$/.exec(String(args['size']).toLowerCase())
      if (!m)
        return { changed: false, failed: true, size: args['size'], msg: 'failed to process size' }
      size = Number(m[1]) * (BYTES_PER_UNIT[m[2] ?? 'b'] ?? 1)
    }
    const contains = args['contains'] as string | null | undefined
    // read_whole_file: the pattern is searched in each candidate's whole text on the controller (Python's
    // re.search over the file read as text), not matched line by line by grep on the target.
    const wholeFile =
      args['read_whole_file'] === true && contains !== undefined && contains !== null
        ? wholeFileRegex(contains)
        : undefined
    const grep =
      contains === undefined || contains === null || wholeFile !== undefined
        ? { ere: '', ignoreCase: false }
        : pythonGrep(contains)
    const ere = grep.ere
    const depth =
      typeof args['depth'] === 'number' && args['depth'] !== 0 ? args['depth'] : undefined
    const recurse = args['recurse'] === true
    // Directory levels below each path to list: entries of a directory at the depth limit are still
    // examined (os.walk lists it before find drops what lies too deep).
    const levels = !recurse ? 0 : depth === undefined ? -1 : Math.max(0, depth)
    const fileType = args['file_type'] as string
    const getChecksum = args['get_checksum'] === true
    const hidden = args['hidden'] === true
    const ageStamp = args['age_stamp'] as 'atime' | 'mtime' | 'ctime'

    const connection = await ctx.connection()
    const paths = (args['paths'] as string[]).map(String)
    const subject = paths.join(', ')
    const run = await connection.run(
      probeCommand(WALK_PROBE, [
        args['follow'] === true ? '1' : '0',
        String(levels),
        getChecksum ? '1' : '0',
        grep.ignoreCase ? '1' : '0',
        ere,
        ...paths
      ]),
      { timeoutMs: ctx.timeoutMs, outputCapBytes: WALK_OUTPUT_CAP_BYTES }
    )
    if (run.timedOut) {
      throw new CommandTimeoutError(
        `find: walking ${subject} on ${connection.host} took longer than ${ctx.timeoutMs} ms`,
        connection.host,
        ctx.timeoutMs
      )
    }
    const text = run.stdout.toString('utf8')
    if (run.stdoutTruncated) {
      throw new FactError(
        `find: the listing of ${subject} on ${connection.host} is over ${WALK_OUTPUT_CAP_BYTES} bytes: ` +
          'narrow paths, depth or recurse',
        connection.host,
        'path',
        subject
      )
    }
    if (run.code !== 0 || !/(^|\n)end=1\n?$/.test(text)) {
      throw new FactError(
        `find: walking ${subject} on ${connection.host} failed (exit code ${String(run.code ?? run.signal)}): ` +
          run.stderr.toString('utf8').trim().slice(-400),
        connection.host,
        'path',
        subject
      )
    }
    const missing = /(^|\n)missing_tool=(\w+)/.exec(text)?.[2]
    if (missing !== undefined) {
      throw new FactError(
        `find cannot walk directories on ${connection.host}: the target has no ${missing === 'stat' ? 'stat command that takes -c (GNU coreutils or busybox)' : 'sha1sum command (coreutils or busybox), needed for get_checksum'}: install it`,
        connection.host,
        'path',
        subject,
        missing
      )
    }
    const now = Number(/(^|\n)now=(\d+)/.exec(text)?.[2] ?? Date.now() / 1000)

    let files: ModuleResult[] = []
    /** Files that pass every filter but `contains`, with read_whole_file (searched after the walk). */
    const wholeFileCandidates: ModuleResult[] = []
    const skipped: Record<string, string> = Object.create(null) as Record<string, string>
    let examined = 0
    const walks = parseWalk(text, levels, args['follow'] === true)
    const newline = walks.find((walk) => walk.newline)
    if (newline !== undefined) {
      throw new FactError(
        `find: a name under ${newline.top} on ${connection.host} holds a newline, ` +
          'which find cannot list: rename it or leave it out of paths',
        connection.host,
        'path',
        subject
      )
    }
    for (const walk of walks) {
      if (walk.notDirectory) {
        skipped[walk.top] = `'${walk.top}' is not a directory`
        ctx.warn(`Skipped '${walk.top}' path due to this access issue: ${skipped[walk.top]}\n`)
        continue
      }
      const wpathSeparators = (walk.top.replace(/\/+$/, '') + '/').split('/').length - 1
      for (const dir of walk.dirs) {
        // os.walk's order: the files of a directory, then its subdirectories (links to them too).
        const ordered = [
          ...dir.entries.filter((e) => !dir.dirNames.has(e.name)),
          ...dir.entries.filter((e) => dir.dirNames.has(e.name))
        ]
        examined += ordered.length
        for (const entry of ordered) {
          const fsname = normpath(`${dir.path}/${entry.name}`)
          if (depth !== undefined) {
            const level = fsname.split('/').length - 1 - wpathSeparators + 1
            if (level > depth) continue
          }
          if (entry.name.startsWith('.') && !hidden) continue
          const named = matches(entry.name, patternRes, excludeRes)
          const old = agePasses(entry, now, age, ageStamp)
          const result: ModuleResult = { path: fsname }
          if (fileType === 'any') {
            if (named && old) {
              Object.assign(result, statInfo(entry))
              if (entry.type === 'file' && getChecksum && dir.sums.has(entry.name))
                result['checksum'] = dir.sums.get(entry.name)
              if (entry.type !== 'file' || sizePasses(entry, size)) files.push(result)
            }
          } else if (entry.type === 'directory' && fileType === 'directory') {
            if (named && old) files.push(Object.assign(result, statInfo(entry)))
          } else if (entry.type === 'file' && fileType === 'file') {
            if (
              named &&
              old &&
              sizePasses(entry, size) &&
              (ere === '' || dir.grepped.has(entry.name))
            ) {
              Object.assign(result, statInfo(entry))
              if (getChecksum && dir.sums.has(entry.name))
                result['checksum'] = dir.sums.get(entry.name)
              files.push(result)
              if (wholeFile !== undefined) wholeFileCandidates.push(result)
            }
          } else if (entry.type === 'link' && fileType === 'link') {
            if (named && old) files.push(Object.assign(result, statInfo(entry)))
          }
        }
      }
      if (walk.error !== undefined) {
        skipped[walk.top] = walk.error
        ctx.warn(`Skipped '${walk.top}' path due to this access issue: ${walk.error}\n`)
      }
    }
    if (wholeFile !== undefined && wholeFileCandidates.length > 0) {
      const texts = await readTexts(
        connection,
        wholeFileCandidates.map((f) => String(f['path'])),
        ctx.timeoutMs
      )
      const unmatched = new Set(
        wholeFileCandidates.filter((f) => {
          const text = texts.get(String(f['path']))
          return text === undefined || pythonSearch(wholeFile, text) === null
        })
      )
      files = files.filter((f) => !unmatched.has(f))
    }
    const warned = Object.keys(skipped).length > 0
    return {
      files,
      changed: false,
      msg: warned ? 'Not all paths examined, check warnings for details' : 'All paths examined',
      matched: files.length,
      examined,
      skipped_paths: skipped
    }
  }
}

/** `contains` for read_whole_file: Python's regex over text, or the task's refusal naming the construct. */
function wholeFileRegex(pattern: string): PythonRegex {
  try {
    return translatePythonRegex(pattern, 'text')
  } catch (error) {
    if (!(error instanceof PythonRegexError)) throw error
    throw new ModuleArgumentError(
      `find: cannot use the regular expression ${JSON.stringify(pattern)}: ${error.problem}`
    )
  }
}

/** At most this many bytes of files are read for read_whole_file, in all. */
const WHOLE_FILE_CAP_BYTES = 64 * 1024 * 1024

/**
 * The text of each file, as Python's open() reads it (UTF-8, universal newlines), from one command that
 * prints each file's size and bytes in turn; a file that cannot be read, or is not UTF-8, has none (Ansible's
 * find then does not match it).
 */
async function readTexts(
  connection: Connection,
  paths: string[],
  timeoutMs: number
): Promise<Map<string, string>> {
  const script =
    'for f in "$@"; do if [ -f "$f" ] && [ -r "$f" ]; then n=$(wc -c < "$f") && n=$((n)) && ' +
    'printf "%s\\n" "$n" && head -c "$n" < "$f"; else printf "%s\\n" -; fi; done'
  const run = await connection.run(
    `/bin/sh -c ${shellQuote(script)} apb-find-read ${paths.map(shellQuote).join(' ')}`,
    { timeoutMs, outputCapBytes: WHOLE_FILE_CAP_BYTES }
  )
  if (run.timedOut)
    throw new CommandTimeoutError(
      `find: reading ${paths.length} files on ${connection.host} for read_whole_file took longer than ${timeoutMs} ms`,
      connection.host,
      timeoutMs
    )
  if (run.stdoutTruncated)
    throw new FactError(
      `find: the files to search with read_whole_file on ${connection.host} hold over ${WHOLE_FILE_CAP_BYTES} bytes: narrow paths, patterns or size`,
      connection.host,
      'path',
      paths.join(', ')
    )
  const texts = new Map<string, string>()
  const out = run.stdout
  let at = 0
  const decoder = new TextDecoder('utf-8', { fatal: true })
  for (const file of paths) {
    const end = out.indexOf(0x0a, at)
    if (end < 0) break
    const header = out.subarray(at, end).toString('latin1')
    at = end + 1
    if (header === '-') continue
    const size = Number(header)
    if (!Number.isSafeInteger(size) || at + size > out.length) break
    try {
      texts.set(file, decoder.decode(out.subarray(at, at + size)).replace(/\r\n?/g, '\n'))
    } catch {
      // Not UTF-8: Python's read raises, and find's content filter takes that as no match.
    }
    at += size
  }
  return texts
}

/**
 * A Python pattern as a JavaScript RegExp that matches at the start of a name only (Ansible's
 * `re.match` on the file names, which are text), or the task's refusal naming the construct.
 */
function pythonRegexOrRefuse(pattern: string): RegExp {
  try {
    const { regexp } = translatePythonRegex(pattern, 'text')
    return new RegExp(regexp.source, `${regexp.flags.replace('g', '')}y`)
  } catch (error) {
    if (!(error instanceof PythonRegexError)) throw error
    throw new ModuleArgumentError(
      `find: cannot use the regular expression ${JSON.stringify(pattern)}: ${error.problem}`
    )
  }
}

/** Ansible's pfilter: a name passes when a pattern matches it and, if so, no exclude does. */
function matches(name: string, patterns: RegExp[], excludes: RegExp[]): boolean {
  for (const pattern of patterns) {
    pattern.lastIndex = 0
    if (pattern.test(name)) {
      return !excludes.some((exclude) => {
        exclude.lastIndex = 0
        return exclude.test(name)
      })
    }
  }
  return false
}

function agePasses(entry: WalkEntry, now: number, age: number | undefined, stamp: string): boolean {
  if (age === undefined) return true
  const time = entry[stamp as 'atime' | 'mtime' | 'ctime']
  return age >= 0 ? now - time >= Math.abs(age) : now - time <= Math.abs(age)
}

function sizePasses(entry: WalkEntry, size: number | undefined): boolean {
  if (size === undefined) return true
  return size >= 0 ? entry.size >= Math.abs(size) : entry.size <= Math.abs(size)
}

/** Python's os.path.normpath for POSIX paths. */
function normpath(p: string): string {
  if (p === '') return '.'
  const initial = p.startsWith('//') && !p.startsWith('///') ? '//' : p.startsWith('/') ? '/' : ''
  const parts: string[] = []
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue
    if (part !== '..' || (initial === '' && parts.length === 0) || parts.at(-1) === '..')
      parts.push(part)
    else if (parts.length > 0) parts.pop()
  }
  return initial + parts.join('/') || '.'
}

/** The fields of Ansible's find's statinfo for one entry. */
function statInfo(e: WalkEntry): ModuleResult {
  const permissions = e.mode & 0o7777
  return {
    mode: permissions.toString(8).padStart(4, '0'),
    ...typeFlags(e.type),
    uid: e.uid,
    gid: e.gid,
    size: e.size,
    inode: e.inode,
    dev: e.dev,
    nlink: e.nlink,
    atime: e.atime,
    mtime: e.mtime,
    ctime: e.ctime,
    gr_name: e.group,
    pw_name: e.owner,
    ...permissionFlags(e.mode)
  }
}

interface WalkEntry {
  name: string
  type: FileType
  mode: number
  uid: number
  gid: number
  owner: string
  group: string
  size: number
  inode: number
  dev: number
  nlink: number
  atime: number
  mtime: number
  ctime: number
}

interface WalkedDirectory {
  path: string
  entries: WalkEntry[]
  /** Entries that are directories, following links (os.walk's `dirs`). */
  dirNames: Set<string>
  sums: Map<string, string>
  grepped: Set<string>
}

interface PathWalk {
  top: string
  notDirectory: boolean
  newline: boolean
  dirs: WalkedDirectory[]
  error?: string
}

/** One path's listing as the probe printed it. */
interface PathListing {
  top: string
  notDirectory: boolean
  newline: boolean
  entries: Array<WalkEntry & { full: string }>
  unreadable: Set<string>
  linkDirs: Set<string>
  sums: Map<string, string>
  grepped: Set<string>
}

/**
 * The walk of each path in the probe's answer, in os.walk's order (top-down: a directory's entries in
 * the order the directory lists them, then each subdirectory's walk), rebuilt from find's listing.
 */
function parseWalk(text: string, levels: number, follow: boolean): PathWalk[] {
  const listings: PathListing[] = []
  let listing: PathListing | undefined
  let entry: Record<string, string> | undefined
  const finishEntry = (): void => {
    if (entry && listing) {
      const full = entry['name'] ?? ''
      listing.entries.push({ ...toEntry(entry), full })
    }
    entry = undefined
  }
  for (const line of text.split('\n')) {
    const at = line.indexOf('=')
    const key = at < 0 ? line : line.slice(0, at)
    const value = at < 0 ? '' : line.slice(at + 1)
    if (entry && key !== '@' && key in ENTRY_KEYS) {
      entry[key] = value
      continue
    }
    finishEntry()
    if (key === 'top_hex') {
      listing = {
        top: fromHex(value).toString('utf8'),
        notDirectory: false,
        newline: false,
        entries: [],
        unreadable: new Set(),
        linkDirs: new Set(),
        sums: new Map(),
        grepped: new Set()
      }
      listings.push(listing)
      continue
    }
    if (!listing) continue
    switch (key) {
      case 'nodir':
        listing.notDirectory = true
        break
      case 'newline':
        listing.newline = true
        break
      case '@':
        entry = {}
        break
      case 'unreadable_hex':
        listing.unreadable.add(normpath(fromHex(value).toString('utf8')))
        break
      case 'linkdir_hex':
        listing.linkDirs.add(normpath(fromHex(value).toString('utf8')))
        break
      case 'sum': {
        const m = /^([0-9a-f]{40}) [ *](.*)$/.exec(value)
        if (m) listing.sums.set(normpath(m[2]!), m[1]!)
        break
      }
      case 'grep_hex':
        listing.grepped.add(normpath(fromHex(value).toString('utf8')))
        break
    }
  }
  finishEntry()
  return listings.map((l) => walkOf(l, levels, follow))
}

/** os.walk over one listing. */
function walkOf(listing: PathListing, levels: number, follow: boolean): PathWalk {
  const walk: PathWalk = {
    top: listing.top,
    notDirectory: listing.notDirectory,
    newline: listing.newline,
    dirs: []
  }
  if (listing.notDirectory || listing.newline) return walk
  const children = new Map<string, Array<WalkEntry & { full: string }>>()
  for (const e of listing.entries) {
    const parent = normpath(path.posix.dirname(e.full))
    const list = children.get(parent)
    if (list) list.push(e)
    else children.set(parent, [e])
  }
  const isDir = (e: WalkEntry & { full: string }): boolean =>
    e.type === 'directory' || (e.type === 'link' && listing.linkDirs.has(normpath(e.full)))
  const visit = (dir: string, level: number): boolean => {
    const key = normpath(dir)
    if (listing.unreadable.has(key)) {
      walk.error = `[Errno 13] Permission denied: ${pyStringRepr(dir)}`
      return false
    }
    const entries = children.get(key) ?? []
    const walked: WalkedDirectory = {
      path: dir,
      entries: [],
      dirNames: new Set(),
      sums: new Map(),
      grepped: new Set()
    }
    const subdirs: string[] = []
    for (const e of entries) {
      walked.entries.push(e)
      const full = normpath(e.full)
      if (isDir(e)) {
        walked.dirNames.add(e.name)
        if (follow || e.type !== 'link') subdirs.push(e.name)
      }
      const sum = listing.sums.get(full)
      if (sum !== undefined) walked.sums.set(e.name, sum)
      if (listing.grepped.has(full)) walked.grepped.add(e.name)
    }
    walk.dirs.push(walked)
    if (levels >= 0 && level + 1 > levels) return true
    for (const name of subdirs) {
      // As os.path.join: no second slash after a path that ends with one.
      if (!visit(dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`, level + 1)) return false
    }
    return true
  }
  visit(listing.top, 0)
  return walk
}

const ENTRY_KEYS: Record<string, true> = Object.assign(
  Object.create(null) as Record<string, true>,
  {
    mode_hex: true,
    uid: true,
    gid: true,
    owner: true,
    group: true,
    size: true,
    inode: true,
    dev: true,
    nlink: true,
    atime: true,
    mtime: true,
    ctime: true,
    atime_text: true,
    mtime_text: true,
    ctime_text: true,
    name: true
  }
)

function toEntry(raw: Record<string, string>): WalkEntry {
  const mode = parseInt(raw['mode_hex'] ?? '0', 16)
  const account = (name: string | undefined): string =>
    name === undefined || name === 'UNKNOWN' ? '' : name
  return {
    name: path.posix.basename(raw['name'] ?? ''),
    type: fileType(mode),
    mode,
    uid: Number(raw['uid']),
    gid: Number(raw['gid']),
    owner: account(raw['owner']),
    group: account(raw['group']),
    size: Number(raw['size']),
    inode: Number(raw['inode']),
    dev: Number(raw['dev']),
    nlink: Number(raw['nlink']),
    atime: epoch(raw['atime'], raw['atime_text']),
    mtime: epoch(raw['mtime'], raw['mtime_text']),
    ctime: epoch(raw['ctime'], raw['ctime_text'])
  }
}

/** Seconds with the nanoseconds of GNU's `%x` text, summed as Python's os.stat does. */
function epoch(seconds: string | undefined, text: string | undefined): number {
  const fraction = /:\d\d\.(\d+)/.exec(text ?? '')?.[1] ?? ''
  const nanoseconds = fraction === '' ? 0 : Number(fraction.slice(0, 9).padEnd(9, '0'))
  return Number(seconds ?? 0) + nanoseconds * 1e-9
}
