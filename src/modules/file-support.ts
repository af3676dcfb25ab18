/**
 * What the `file` module (file.ts and its state families, file-*.ts) needs besides its decisions:
 * Ansible's result fields for a path, its modes and timestamps as Ansible reads them, Python's error
 * texts, and the one round trip that makes the changes (file-act.sh) and reads the result path again
 * (the path fact's probe), with what its failures mean.
 */
import path from 'node:path'
import type { Connection } from '../connection/connection.js'
import { shellJoin } from '../connection/shell-quote.js'
import { CommandTimeoutError } from '../errors.js'
import { parsePathAnswer, type ExistingPath, type PathState } from '../facts/path.js'
import { ProbeAnswer, fromHex, probeCommand, type ProbeScript } from '../facts/probe.js'
import pathSource from '../facts/path.sh'
import actSource from './file-act.sh'
import { applySymbolicMode } from './file-transfer.js'
import { ModuleArgumentError, type ModuleResult } from './module.js'

const ACT: ProbeScript = { name: 'apb-file', source: actSource }
const PATH_PROBE: ProbeScript = { name: 'apb-path', source: pathSource }

/** The states the `file` module's `state` option takes. */
export const STATES = ['absent', 'directory', 'file', 'hard', 'link', 'touch'] as const
export type State = (typeof STATES)[number]

/** Ansible's name for what is at a path (its get_state): absent, link, directory, hard or file. */
export type PrevState = 'absent' | 'link' | 'directory' | 'hard' | 'file'

export function stateOf(st: PathState): PrevState {
  if (!st.exists) return 'absent'
  if (st.type === 'link') return 'link'
  if (st.type === 'directory') return 'directory'
  return st.nlink > 1 ? 'hard' : 'file'
}

/** Whether something is at the path once links are followed (os.path.exists). */
export function existsFollowing(st: PathState): st is ExistingPath {
  return st.exists && (st.type !== 'link' || st.linkTo !== 'missing')
}

/** Whether the path is a directory once links are followed (os.path.isdir). */
export function isDirFollowing(st: PathState): boolean {
  return st.exists && (st.type === 'directory' || (st.type === 'link' && st.linkTo === 'directory'))
}

/** Ansible's octal text of permission bits: `0644`, `04755`. */
export function octalText(permissions: number): string {
  return `0${permissions.toString(8).padStart(3, '0')}`
}

/**
 * The fields Ansible adds to a result naming a `path` (or `dest`) that exists once links are followed
 * (its add_path_info): uid, gid, owner, group, mode and size of the path itself, and its state.
 */
export function pathInfo(st: PathState | undefined): ModuleResult {
  if (st === undefined || !existsFollowing(st)) return {}
  return {
    uid: st.uid,
    gid: st.gid,
    owner: st.owner ?? String(st.uid),
    group: st.group ?? String(st.gid),
    mode: octalText(st.permissions),
    state: stateOf(st),
    size: st.size
  }
}

/** A module failure with Ansible's result fields. */
export class FileFailure extends Error {
  constructor(readonly result: ModuleResult) {
    super(String(result['msg']))
  }
}

/**
 * The mode `mode` gives a path whose permissions are `current` (Ansible's reading: an int as is, text
 * as octal if it is, else symbolic against the current mode and the umask; `X` counts a directory).
 * @throws Error with Ansible's `details` for a mode that is neither
 */
export function wantedMode(
  mode: unknown,
  current: number,
  umask: number,
  isDirectory: boolean
): number {
  if (typeof mode === 'number') return mode
  const text = String(mode)
  const octal = /^\s*[+]?(?:0[oO])?([0-7]+)\s*$/.exec(text)
  if (octal) return parseInt(octal[1]!, 8)
  // On a directory `X` is `x` (Ansible's symbolic modes give X wherever a directory is concerned).
  const symbolic = isDirectory ? text.replace(/X/g, 'x') : text
  return applySymbolicMode(current, symbolic, umask)
}

/** Python's errno names for the reasons tools print, for Ansible's `[Errno 13] Permission denied: b'…'`. */
const ERRNO: Readonly<Record<string, number>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, number>, {
    'Operation not permitted': 1,
    'No such file or directory': 2,
    'Permission denied': 13,
    'File exists': 17,
    'Not a directory': 20,
    'Is a directory': 21,
    'Read-only file system': 30,
    'Directory not empty': 39,
    'Too many levels of symbolic links': 40,
    'No space left on device': 28,
    'Invalid argument': 22
  })
)

/** Python's repr of a path as bytes: `b'/tmp/x'`. */
function bytesRepr(text: string): string {
  const body = [...Buffer.from(text, 'utf8')]
    .map((byte) => {
      if (byte === 0x5c) return '\\\\'
      if (byte === 0x27) return "\\'"
      if (byte === 0x09) return '\\t'
      if (byte === 0x0a) return '\\n'
      if (byte === 0x0d) return '\\r'
      if (byte < 0x20 || byte >= 0x7f) return `\\x${byte.toString(16).padStart(2, '0')}`
      return String.fromCharCode(byte)
    })
    .join('')
  return `b'${body}'`
}

/**
 * Python's text of an OSError from a tool's message (`mkdir: cannot create directory 'x': Permission
 * denied` → `[Errno 13] Permission denied: b'x'`); the tool's message itself when its reason is unknown.
 */
export function osErrorText(message: string, file: string): string {
  const line = message.trim().split('\n').pop() ?? ''
  const said = line.slice(line.lastIndexOf(': ') + 2).trim()
  // dash's word for ENOENT when a file cannot be created.
  const reason = said === 'Directory nonexistent' ? 'No such file or directory' : said
  const errno = ERRNO[reason]
  return errno === undefined ? line : `[Errno ${errno}] ${reason}: ${bytesRepr(file)}`
}

/** A `*_time` option resolved: keep it, set it to now, or a stamp for `touch -t`. */
export type TimeSpec = 'preserve' | 'now' | { stamp: string }

const STRPTIME: Readonly<Record<string, { pattern: string; field: string }>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, { pattern: string; field: string }>, {
    Y: { pattern: '(\\d{4})', field: 'Y' },
    y: { pattern: '(\\d{1,2})', field: 'y' },
    m: { pattern: '(\\d{1,2})', field: 'm' },
    d: { pattern: '(\\d{1,2})', field: 'd' },
    H: { pattern: '(\\d{1,2})', field: 'H' },
    M: { pattern: '(\\d{1,2})', field: 'M' },
    S: { pattern: '(\\d{1,2})', field: 'S' }
  })
)

/**
 * An access_time/modification_time value read as Ansible reads it (`preserve`, `now`, or a time in
 * `format`, Python's strptime directives %Y %y %m %d %H %M %S and %%), as a `touch -t` stamp in the
 * target's local time (which is how Ansible's time.mktime reads it).
 * @throws FileFailure with Ansible's message for a time that does not match its format
 * @throws ModuleArgumentError for a directive we do not read
 */
export function timeSpec(value: string, format: string): TimeSpec {
  if (value === 'preserve' || value === 'now') return value
  const fields: string[] = []
  let pattern = ''
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!
    if (c !== '%') {
      pattern += /\s/.test(c) ? '\\s+' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      continue
    }
    const directive = format[++i] ?? ''
    if (directive === '%') {
      pattern += '%'
      continue
    }
    const known = STRPTIME[directive]
    if (!known)
      throw new ModuleArgumentError(
        `file: the time format directive %${directive} is not supported; use %Y %y %m %d %H %M %S`
      )
    pattern += known.pattern
    fields.push(known.field)
  }
  const match = new RegExp(`^${pattern}$`).exec(value)
  const mismatch = (): never => {
    throw new FileFailure({
      msg:
        `Error while obtaining timestamp for time ${value} using format ${format}: ` +
        `time data ${pyRepr(value)} does not match format ${pyRepr(format)}`
    })
  }
  if (!match) return mismatch()
  const got: Record<string, number> = { Y: 1900, m: 1, d: 1, H: 0, M: 0, S: 0 }
  fields.forEach((field, index) => {
    const n = Number(match[index + 1])
    if (field === 'y') got['Y'] = n < 69 ? 2000 + n : 1900 + n
    else got[field] = n
  })
  const { Y, m, d, H, M, S } = got as Record<'Y' | 'm' | 'd' | 'H' | 'M' | 'S', number>
  if (m < 1 || m > 12 || d < 1 || d > 31 || H > 23 || M > 59 || S > 61) return mismatch()
  const two = (n: number): string => String(n).padStart(2, '0')
  return { stamp: `${String(Y).padStart(4, '0')}${two(m)}${two(d)}${two(H)}${two(M)}.${two(S)}` }
}

function pyRepr(text: string): string {
  return text.includes("'") && !text.includes('"') ? `"${text}"` : `'${text.replace(/'/g, "\\'")}'`
}

/** One operation for file-act.sh: its name and operands. */
export type ActOp = readonly string[]

/** What file-act.sh did, and the state of the result path afterwards. */
export interface ActOutcome {
  answer: ProbeAnswer
  /** The failure it stopped at: what failed and the tool's message. */
  failure?: { what: string; message: string; at?: string }
  /** The result path read again after the changes (absent when not asked for). */
  after?: PathState
}

/**
 * A command run before the operations, in the same round trip (copy's write of new bytes, fed
 * `stdin`): the operations run only when it succeeds; when it fails, nothing else runs and the
 * outcome's failure is `prelude`, with the command's stderr for message.
 */
export interface ActPrelude {
  command: string
  stdin?: Buffer
}

/**
 * Runs the operations in one round trip, then reads `describe` with the path fact's probe in the same
 * round trip (the state the result fields describe).
 */
export async function runActs(
  connection: Connection,
  ops: readonly ActOp[],
  describe: string | undefined,
  timeoutMs: number,
  prelude?: ActPrelude
): Promise<ActOutcome> {
  // With nothing to do, file-act.sh would only say so: saying it here spares the target a process.
  const commands = [ops.length === 0 ? 'echo act=done' : probeCommand(ACT, ops.flat())]
  if (describe !== undefined) {
    commands.push('echo apb-split')
    commands.push(probeCommand(PATH_PROBE, [describe, '0', '', '0', '0']))
  }
  const command =
    prelude === undefined
      ? commands.join('; ')
      : `${prelude.command} || { echo fail=prelude; exit 1; }; ${commands.join('; ')}`
  const result = await connection.run(command, {
    timeoutMs,
    sharedShell: true,
    ...(prelude?.stdin === undefined ? {} : { stdin: prelude.stdin })
  })
  if (result.timedOut) {
    throw new CommandTimeoutError(
      `file: changing ${describe ?? 'the target'} on ${connection.host} took longer than ${timeoutMs} ms`,
      connection.host,
      timeoutMs
    )
  }
  const text = result.stdout.toString('utf8')
  const split = text.indexOf('apb-split\n')
  const answer = new ProbeAnswer(split < 0 ? text : text.slice(0, split))
  const outcome: ActOutcome = { answer }
  // A prelude that fails may print its own fail= lines before the one that says it failed.
  const what =
    prelude !== undefined && answer.all('fail').includes('prelude') ? 'prelude' : answer.get('fail')
  if (what !== undefined) {
    const message =
      what === 'prelude'
        ? result.stderr.toString('utf8').trim()
        : fromHex(answer.get('fail_hex') ?? '').toString('utf8')
    outcome.failure = { what, message }
    const at = answer.bytes('fail_at_hex')?.toString('utf8')
    if (at) outcome.failure.at = at
  } else if (answer.get('act') !== 'done') {
    throw new ModuleArgumentError(
      `file: the changes on ${connection.host} stopped before their end: ` +
        (result.stderr.toString('utf8').trim().slice(-400) || `exit code ${String(result.code)}`)
    )
  }
  if (describe !== undefined && split >= 0) {
    const probe = new ProbeAnswer(text.slice(split + 'apb-split\n'.length))
    if (probe.complete) outcome.after = parsePathAnswer(probe, describe, {}, connection.host)
  }
  return outcome
}

/** `BEFORE:AFTER` of a change file-act.sh reports, as numbers. */
export function reportedChange(value: string | undefined): [number, number] | undefined {
  if (value === undefined) return undefined
  const [before, after] = value.split(':')
  return [Number(before), Number(after)]
}

/**
 * os.walk's `directories` and `files` under `root` from file-act.sh's `entry` lines (a class letter,
 * D for a directory, L for a link to one, F for anything else, then the path in hex), which come in
 * find's order: each directory's entries in the order it reads them, descending as it meets them.
 */
export function walkList(
  root: string,
  entries: readonly string[]
): { directories: string[]; files: string[] } {
  const children = new Map<string, Array<{ kind: string; name: string }>>()
  for (const entry of entries) {
    const name = fromHex(entry.slice(1)).toString('utf8')
    const parent = path.posix.dirname(name)
    const list = children.get(parent) ?? []
    list.push({ kind: entry[0]!, name })
    children.set(parent, list)
  }
  const directories: string[] = []
  const files: string[] = []
  const walk = (dir: string): void => {
    const list = children.get(dir) ?? []
    for (const child of list) if (child.kind !== 'F') directories.push(child.name)
    for (const child of list) if (child.kind === 'F') files.push(child.name)
    for (const child of list) if (child.kind === 'D') walk(child.name)
  }
  walk(root)
  return { directories, files }
}

/** The shell text of one operation list, for traces. */
export function describeOps(ops: readonly ActOp[]): string {
  return shellJoin(ops.flat())
}

/** The operation each failure of file-act.sh comes from. */
export const FAILED_OP: Readonly<Record<string, string>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, string>, {
    replace: 'link',
    link: 'link',
    'owner-lookup': 'owner',
    chown: 'owner',
    'group-lookup': 'group',
    chgrp: 'group',
    chmod: 'mode'
  })
)

/** `[failure key]` → Ansible's message for a failed attribute change. */
export function actFailure(
  what: string,
  message: string,
  where: string,
  text: string
): ModuleResult {
  switch (what) {
    case 'owner-lookup':
      return { msg: `chown failed: failed to look up user ${message}`, path: where }
    case 'group-lookup':
      return { msg: `chgrp failed: failed to look up group ${message}`, path: where }
    case 'chown':
      return { msg: `chown failed: ${text}`, path: where }
    case 'chgrp':
      return { msg: 'chgrp failed', path: where }
    case 'chmod':
      return { msg: 'chmod failed', details: text, path: where }
    case 'times':
      return { msg: `Error while updating modification or access time: ${text}`, path: where }
    default:
      return { msg: `${what} failed: ${text}`, path: where }
  }
}

/** Seconds since the epoch from file-act.sh's `SECONDS TEXT` (the fraction read from the text). */
export function epochOf(reported: string): number {
  const [seconds, ...rest] = reported.split(' ')
  const text = rest.join(' ')
  const float = /^(-?\d+)\.(\d+)$/.exec(text)
  const fraction = float ? float[2]! : (/:\d\d\.(\d+)/.exec(text)?.[1] ?? '')
  const nanoseconds = fraction === '' ? 0 : Number(fraction.slice(0, 9).padEnd(9, '0'))
  return Number(seconds) + nanoseconds * 1e-9
}
