import { createHash, randomBytes } from 'node:crypto'
import path from 'node:path'
import type { Connection } from '../connection/connection.js'
import { ansibleBoolean } from '../ansible-boolean.js'
import { putCommand } from '../connection/become.js'
import { shellQuote } from '../connection/shell-quote.js'
import type { ExistingPath, TargetFacts } from '../facts/index.js'
import { AsyncPlaybookError } from '../errors.js'
import {
  actFailure,
  osErrorText,
  pathInfo,
  runActs,
  type ActOp,
  type ActOutcome
} from './file-support.js'
import copyActSource from './copy-act.sh'
import { probeCommand, type ProbeScript } from '../facts/probe.js'
import { ModuleArgumentError, type ModuleDiff, type ModuleResult } from './module.js'

const COPY_ACT: ProbeScript = { name: 'apb-copy', source: copyActSource }

/**
 * What is on the target at a destination path, from the path fact: nothing, a directory (or a link
 * to one), a regular file with its SHA-1, or something else that a file replaces (a link, a fifo…).
 * `umask` is the target's (what a new file's mode and a symbolic mode without `u`/`g`/`o` are based on).
 */
export type RemoteState =
  | { kind: 'none'; umask: number }
  | { kind: 'dir'; umask: number }
  | { kind: 'file'; umask: number; checksum: string; stat: ExistingPath }
  | { kind: 'other'; umask: number; stat: ExistingPath }

/** A file already on the target that `copy` with `remote_src` copies (its SHA-1 from the path fact). */
export interface RemoteSource {
  remotePath: string
  checksum: string
}

/** How to put bytes in place on the target (copy, template). */
export interface TransferRequest {
  dest: string
  /** The bytes to write, or a file on the target to copy (`remote_src`). */
  content: Buffer | RemoteSource
  /** As normaliseMode returns it: octal text or a symbolic mode, or undefined to keep/let umask decide. */
  mode?: string
  /** Owner and group to give dest (a name or a numeric id), changed only when they differ. */
  owner?: string
  group?: string
  /** Replace a file whose contents differ (Ansible's default); false only writes missing files. */
  force: boolean
  /** Keep a timestamped copy of the file being replaced, named as Ansible names it. */
  backup: boolean
  /** A command with `%s`, run on the candidate file before it replaces dest; non-zero refuses it. */
  validate?: string
  /** The SHA-1 the content must have (`checksum`), checked before anything is written. */
  expectedChecksum?: string
  /** What is at dest now (from inspectRemote). */
  state: RemoteState
  /** Check mode: change nothing, say what would change (default false). */
  check?: boolean
  /** Diff mode: return Ansible's `diff` (the bytes before and after, or the attributes). */
  diff?: boolean
  /** What the diff calls the new bytes (Ansible names its temporary copy of them). */
  afterHeader?: string
  timeoutMs: number
}

/**
 * Writes `content` to `dest` when it is missing or differs (by SHA-1, as Ansible compares), applies
 * `mode`, `owner` and `group`, and returns the result fields of Ansible's copy/template: changed,
 * checksum, dest, mode, owner, size, … With `validate` the candidate goes to a temporary file beside
 * dest and is moved over it only once the command succeeds. Anything that is not a regular file or a
 * directory at dest (a symbolic link, a fifo) is replaced by the file, as Ansible does when it does
 * not follow links. One round trip reads dest (before this call); when the bytes are the same and the
 * attributes too, nothing else runs; otherwise one more writes the bytes, sets the attributes and
 * reads dest again, all in one command (`validate`, `backup`, `remote_src` and diff mode add theirs).
 */
export async function transferFile(
  facts: TargetFacts,
  request: TransferRequest
): Promise<ModuleResult> {
  const { dest, content, mode, state, timeoutMs } = request
  const checksum = Buffer.isBuffer(content)
    ? createHash('sha1').update(content).digest('hex')
    : content.checksum
  // The mode the file ends with, known before a byte is written, so that it is created private and
  // only opened up to that mode once complete (a symbolic mode is resolved here, as Ansible does).
  const finalMode = resolveMode(mode, state)
  if (state.kind === 'dir') throw new ModuleArgumentError(`destination ${dest} is a directory`)
  const writes =
    state.kind === 'none' ||
    (request.force && (state.kind === 'other' || state.checksum !== checksum))
  if (!writes && !request.force) {
    // force: no and something is there: Ansible's copy action leaves it, attributes and all.
    return { changed: false, dest }
  }
  if (writes && request.expectedChecksum !== undefined && request.expectedChecksum !== checksum) {
    return {
      changed: false,
      failed: true,
      msg: 'Copied file does not match the expected checksum. Transfer failed.',
      checksum,
      expected_checksum: request.expectedChecksum
    }
  }
  // Through this connection, every change drops what the facts read of the target.
  const connection = await facts.connection()
  const contentDiff =
    writes && request.diff === true ? await bytesDiff(connection, request) : undefined
  // Check mode: what would be written is a change (Ansible's copy action says no more about it; its
  // list of diffs is empty out of diff mode).
  if (writes && request.check === true)
    return contentDiff || Buffer.isBuffer(content)
      ? { changed: true, diff: contentDiff ? [contentDiff] : [] }
      : { changed: true }
  // Owner and group: by id as given, or by name as the target names the current owner; a name that
  // differs is looked up by the target (an alias of the same id then changes nothing).
  const ops: ActOp[] = []
  const before = state.kind === 'file' ? state.stat : undefined
  if (request.owner !== undefined && (writes || differs(request.owner, before?.uid, before?.owner)))
    ops.push(['owner', dest, request.owner])
  if (request.group !== undefined && (writes || differs(request.group, before?.gid, before?.group)))
    ops.push(['group', dest, request.group])
  if (!writes && mode !== undefined && before && before.permissions !== finalMode)
    ops.push(['mode', dest, finalMode.toString(8).padStart(4, '0')])
  let backupFile: string | undefined
  // The outcome of the write when it also applied `ops` and read dest back (same round trip).
  let written: ActOutcome | undefined
  if (writes) {
    try {
      ;({ backupFile, outcome: written } = await writeFile(connection, request, finalMode, ops))
    } catch (error) {
      if (error instanceof TransferFailure)
        return { changed: false, failed: true, ...error.result, checksum }
      throw error
    }
  }
  const attributeDiff =
    !writes && request.diff === true && before ? attributesDiff(dest, before, ops) : undefined
  if (!writes && request.check === true) {
    const failure = await checkAccounts(facts, request, before!)
    if (failure) return failure
    const fields: ModuleResult = { ...fileFields(dest, checksum, before!), changed: ops.length > 0 }
    if (attributeDiff) fields['diff'] = attributeDiff
    return Buffer.isBuffer(content) ? { ...fields, path: dest } : fields
  }
  let final: ExistingPath | undefined = before
  let attributesChanged = false
  const outcome =
    written ?? (ops.length > 0 ? await runActs(connection, ops, dest, timeoutMs) : undefined)
  if (outcome !== undefined) {
    const after = outcome.after?.exists ? outcome.after : undefined
    if (outcome.failure) {
      const { what, message } = outcome.failure
      const text = osErrorText(message, dest)
      return {
        changed: false,
        failed: true,
        checksum,
        ...actFailure(what, message, dest, text),
        ...pathInfo(after)
      }
    }
    const answer = outcome.answer
    attributesChanged = ['owner', 'group', 'mode'].some((key) => answer.get(key) !== undefined)
    final = after
  } else if (writes) {
    const now = await facts.path(dest)
    final = now.exists ? now : undefined
  }
  if (final === undefined) {
    throw new ModuleArgumentError(`${dest} is gone from ${connection.host} after it was written`)
  }
  const result: ModuleResult = {
    ...fileFields(dest, checksum, final),
    changed: writes || attributesChanged
  }
  // Bytes from the controller already there: Ansible's copy action hands over to its file module,
  // which names `path` too (remote_src stays in the copy module, which does not).
  if (!writes && Buffer.isBuffer(content)) result['path'] = dest
  if (!Buffer.isBuffer(content)) result['src'] = content.remotePath
  if (backupFile !== undefined) result['backup_file'] = backupFile
  if (contentDiff) result['diff'] = [contentDiff]
  else if (attributeDiff) result['diff'] = attributeDiff
  // As Ansible's copy action: bytes written out of diff mode leave its list of diffs empty.
  else if (writes && Buffer.isBuffer(content)) result['diff'] = []
  return result
}

/** Ansible's largest file it shows in a diff (max_file_size_for_diff). */
export const MAX_DIFF_BYTES = 104_448

/**
 * The diff of new bytes: what dest holds now (empty when nothing is there) and what it will hold.
 * Bytes that are not text, or too many of them, are said so instead, as Ansible says it.
 */
async function bytesDiff(connection: Connection, request: TransferRequest): Promise<ModuleDiff> {
  const diff: ModuleDiff = { before: '' }
  const { dest, state, content } = request
  if (state.kind === 'file') {
    diff.before_header = dest
    if (state.stat.size > MAX_DIFF_BYTES) {
      diff.before = ''
      ;(diff as Record<string, unknown>)['dst_larger'] = MAX_DIFF_BYTES
    } else {
      const bytes = await connection
        .getFile(dest, { maxBytes: MAX_DIFF_BYTES, timeoutMs: request.timeoutMs })
        .catch(() => undefined)
      if (bytes === undefined || bytes.includes(0)) {
        ;(diff as Record<string, unknown>)['dst_binary'] = 1
      } else diff.before = bytes.toString('utf8')
    }
  }
  if (Buffer.isBuffer(content)) {
    diff.after_header = request.afterHeader ?? 'dynamically generated'
    if (content.length > MAX_DIFF_BYTES)
      (diff as Record<string, unknown>)['src_larger'] = MAX_DIFF_BYTES
    else if (content.includes(0)) (diff as Record<string, unknown>)['src_binary'] = 1
    else diff.after = content.toString('utf8')
  }
  return diff
}

/** The file module's diff of attributes that change: `path`, and `mode`, `owner`, `group` as asked. */
function attributesDiff(dest: string, st: ExistingPath, ops: readonly ActOp[]): ModuleDiff {
  const before: Record<string, unknown> = { path: dest }
  const after: Record<string, unknown> = { path: dest }
  for (const [what, , value] of ops) {
    if (what === 'mode') {
      before['mode'] = `0${st.permissions.toString(8).padStart(3, '0')}`
      after['mode'] = `0${parseInt(value!, 8).toString(8).padStart(3, '0')}`
    } else if (what === 'owner') {
      before['owner'] = st.uid
      after['owner'] = /^\d+$/.test(value!) ? Number(value) : value
    } else if (what === 'group') {
      before['group'] = st.gid
      after['group'] = /^\d+$/.test(value!) ? Number(value) : value
    }
  }
  return { before, after }
}

/** Whether an owner or group asked for (`spec`, a name or an id) differs from the current one. */
function differs(spec: string, id: number | undefined, name: string | undefined): boolean {
  if (id === undefined) return true
  return /^\d+$/.test(spec) ? Number(spec) !== id : spec !== name
}

/** The fields Ansible's copy returns about the file at dest. */
export function fileFields(
  dest: string,
  checksum: string,
  st: Pick<ExistingPath, 'gid' | 'uid' | 'group' | 'owner' | 'permissions' | 'size'>
): ModuleResult {
  return {
    checksum,
    dest,
    gid: st.gid,
    group: st.group ?? String(st.gid),
    mode: `0${st.permissions.toString(8).padStart(3, '0')}`,
    owner: st.owner ?? String(st.uid),
    size: st.size,
    state: 'file',
    uid: st.uid
  }
}

/**
 * Check mode on a file whose bytes are the same: an owner or group name that differs must name an
 * account on the target, as Ansible looks it up before deciding (Ansible's failure otherwise).
 */
async function checkAccounts(
  facts: TargetFacts,
  request: TransferRequest,
  st: ExistingPath
): Promise<ModuleResult | undefined> {
  const fail = (msg: string): ModuleResult => ({
    changed: false,
    failed: true,
    msg,
    path: request.dest,
    checksum: st.checksum,
    ...pathInfo(st)
  })
  const known = async (kind: 'user' | 'group', name: string): Promise<boolean> => {
    try {
      return (kind === 'user' ? await facts.user(name) : await facts.group(name)).exists
    } catch {
      return false
    }
  }
  const { owner, group } = request
  if (owner !== undefined && !/^\d+$/.test(owner) && owner !== st.owner) {
    if (!(await known('user', owner))) return fail(`chown failed: failed to look up user ${owner}`)
  }
  if (group !== undefined && !/^\d+$/.test(group) && group !== st.group) {
    if (!(await known('group', group)))
      return fail(`chgrp failed: failed to look up group ${group}`)
  }
  return undefined
}

/** A failure of the write itself, with Ansible's result fields. */
class TransferFailure extends Error {
  constructor(readonly result: ModuleResult) {
    super(String(result['msg']))
  }
}

/**
 * Puts the new bytes at dest: validated first when asked, the replaced file backed up when asked.
 * Bytes written straight to dest go over the command's stdin to become-put.sh, which `ops`
 * and a read of dest follow in the same command: the write, the owner and group, and the state the
 * result describes cost one round trip (`outcome`). Returns the backup's name too.
 */
async function writeFile(
  connection: Connection,
  request: TransferRequest,
  finalMode: number,
  ops: readonly ActOp[]
): Promise<{ backupFile?: string; outcome?: ActOutcome }> {
  const { dest, content, state, timeoutMs } = request
  let backupFile: string | undefined
  if (!Buffer.isBuffer(content)) {
    // remote_src: the target copies its own file (a validate or backup applies as for bytes).
    const replacesFile =
      state.kind === 'file' || (state.kind === 'other' && state.stat.linkTo === 'file')
    if (request.backup && replacesFile) backupFile = await backupRemote(connection, dest, timeoutMs)
    const outcome = await copyOnTarget(
      connection,
      dest,
      content.remotePath,
      finalMode,
      ops,
      timeoutMs
    )
    return backupFile === undefined ? { outcome } : { backupFile, outcome }
  }
  const candidate =
    request.validate === undefined
      ? undefined
      : await writeValidated(connection, { ...request, content }, request.validate, finalMode)
  // A link to a file is backed up as the file it leads to (cp follows it), as Ansible does.
  const replacesFile =
    state.kind === 'file' || (state.kind === 'other' && state.stat.linkTo === 'file')
  if (request.backup && replacesFile) backupFile = await backupRemote(connection, dest, timeoutMs)
  const backup = backupFile === undefined ? {} : { backupFile }
  if (candidate !== undefined) {
    await moveIntoPlace(connection, candidate, dest, timeoutMs)
    return backup
  }
  const put = { command: putCommand(dest, finalMode), stdin: content }
  const outcome = await runActs(connection, ops, dest, timeoutMs, put)
  const failure = outcome.failure
  if (failure?.what === 'prelude') {
    if (state.kind === 'none') await explainMissingDestination(connection, dest, timeoutMs)
    throw new AsyncPlaybookError(
      `cannot write ${dest} on ${connection.host}: ${failure.message || 'the write failed'}`
    )
  }
  return { ...backup, outcome }
}

/**
 * remote_src: copies `source` to `dest` on the target through a private temporary file beside dest
 * (its mtime kept, as Ansible's copystat keeps it), given `mode`, then moved over dest; `ops` and a
 * read of dest follow in the same command.
 * @throws TransferFailure with Ansible's message when dest's directory is missing or not writable
 */
async function copyOnTarget(
  connection: Connection,
  dest: string,
  source: string,
  mode: number,
  ops: readonly ActOp[],
  timeoutMs: number
): Promise<ActOutcome> {
  const command = probeCommand(COPY_ACT, [
    'rcopy',
    source,
    dest,
    mode.toString(8).padStart(4, '0'),
    randomBytes(8).toString('hex')
  ])
  const outcome = await runActs(connection, ops, dest, timeoutMs, { command })
  if (outcome.failure?.what !== 'prelude') return outcome
  await explainMissingDestination(connection, dest, timeoutMs)
  throw new TransferFailure({
    msg: `failed to copy: ${source} to ${dest}`,
    details: outcome.failure.message
  })
}

/**
 * Ansible's messages when a new file cannot be written: its directory is missing, cannot be reached,
 * or cannot be written to (one round trip, only once the write has failed).
 * @throws TransferFailure with the message that applies
 */
async function explainMissingDestination(
  connection: Connection,
  dest: string,
  timeoutMs: number
): Promise<void> {
  const dir = path.posix.dirname(dest)
  const q = shellQuote(dir)
  const res = await connection.run(
    `if [ -d ${q} ]; then if [ -w ${q} ]; then echo ok; else echo ro; fi; ` +
      `elif ls -d ${q} 2>&1 | grep -q 'Permission denied'; then echo denied; else echo missing; fi`,
    { timeoutMs }
  )
  const answer = res.stdout.toString('utf8').trim()
  if (answer === 'missing')
    throw new TransferFailure({ msg: `Destination directory ${dir} does not exist` })
  if (answer === 'denied')
    throw new TransferFailure({ msg: `Destination directory ${dir} is not accessible` })
  if (answer === 'ro') throw new TransferFailure({ msg: `Destination ${dir} not writable` })
}

/** Writes the candidate beside dest (same filesystem, so the final move is atomic) and validates it. */
async function writeValidated(
  connection: Connection,
  request: TransferRequest & { content: Buffer },
  validate: string,
  finalMode: number
): Promise<string> {
  const { dest, timeoutMs } = request
  if (!validate.includes('%s'))
    throw new ModuleArgumentError(`validate must contain %s: ${validate}`)
  const candidate = path.posix.join(
    path.posix.dirname(dest),
    `.${path.posix.basename(dest)}.apb-${randomBytes(8).toString('hex')}.tmp`
  )
  await connection.putFile(candidate, request.content, { timeoutMs, mode: finalMode })
  // %s becomes the quoted candidate path; the rest of the command is the user's shell text, as in Ansible.
  const command = validate.split('%s').join(shellQuote(candidate))
  const res = await connection.run(command, { timeoutMs })
  if (res.code !== 0) {
    await connection.run(`rm -f ${shellQuote(candidate)}`, { timeoutMs })
    throw new ValidationError(
      res.code ?? -1,
      res.stdout.toString('utf8'),
      res.stderr.toString('utf8')
    )
  }
  return candidate
}

async function moveIntoPlace(
  connection: Connection,
  candidate: string,
  dest: string,
  timeoutMs: number
): Promise<void> {
  const c = shellQuote(candidate)
  const d = shellQuote(dest)
  // The candidate already has the final mode (an existing dest's, as Ansible's atomic_move keeps it,
  // unless `mode` sets one): it is never opened wider than that, not even for a moment.
  const res = await connection.run(`mv -f ${c} ${d}`, { timeoutMs })
  if (res.code !== 0) {
    await connection.run(`rm -f ${c}`, { timeoutMs })
    throw new ModuleArgumentError(
      `could not move the validated file to ${dest}: ${res.stderr.toString('utf8').trim()}`
    )
  }
}

/** Copies dest to `dest.<pid>.<YYYY-MM-DD@HH:MM:SS~>` (its mtime), Ansible's backup name; returns the name. */
async function backupRemote(
  connection: Connection,
  dest: string,
  timeoutMs: number
): Promise<string> {
  const d = shellQuote(dest)
  // Stamped with the time of the backup, as Ansible's are (not the file's mtime).
  // --remove-destination: cp then creates the backup exclusively (O_EXCL), so a symlink planted
  // under the name is never written through; -p creates it without group and other bits until the
  // copy is complete.
  const res = await connection.run(
    `b=${d}.$$.$(date +%Y-%m-%d@%H:%M:%S~) && cp -p --remove-destination ${d} "$b" && printf '%s' "$b"`,
    { timeoutMs }
  )
  if (res.code !== 0) {
    throw new ModuleArgumentError(
      `Could not make a backup of ${dest}: ${res.stderr.toString('utf8').trim()}`
    )
  }
  return res.stdout.toString('utf8')
}

/** `validate` refused the candidate: Ansible's message and the command's output. */
export class ValidationError extends ModuleArgumentError {
  constructor(
    readonly exitStatus: number,
    readonly stdout: string,
    readonly stderr: string
  ) {
    super('failed to validate')
  }
}

/** Ansible's result for a failed validation: `failed to validate` with exit_status, stdout and stderr. */
export function validationFailure(error: ValidationError): ModuleResult {
  return {
    changed: false,
    failed: true,
    msg: error.message,
    exit_status: error.exitStatus,
    stdout: error.stdout,
    stderr: error.stderr
  }
}

/**
 * Mode as chmod understands it. A YAML int such as 0644 (read as octal, as Ansible does) becomes '0644'.
 * `preserve` (copy, template) takes the mode of `source`, the file the bytes come from.
 */
export function normaliseMode(value: unknown, source?: () => number): string | undefined {
  if (value === undefined || value === null || value === '') return undefined
  if (value === 'preserve' && source) return `0${(source() & 0o7777).toString(8).padStart(3, '0')}`
  if (typeof value === 'number') return `0${value.toString(8)}`
  const text = String(value)
  if (
    !/^[0-7]{3,4}$/.test(text) &&
    !text.split(',').every((clause) => /^[ugoa]*(?:[-+=][rwxXstugo]*)+$/.test(clause))
  ) {
    throw new ModuleArgumentError(
      `mode must be octal (e.g. '0644') or symbolic (e.g. 'u=rw,g=r'), got '${text}'`
    )
  }
  return text
}

/**
 * The mode a file ends with: `mode` (octal, or symbolic applied to the current mode as Ansible applies
 * it), else the mode of the file it replaces, else what the umask leaves of 0666.
 */
export function resolveMode(mode: string | undefined, state: RemoteState): number {
  const umask = state.umask
  const current = state.kind === 'file' ? state.stat.permissions : 0o666 & ~umask
  if (mode === undefined) return current
  if (/^[0-7]+$/.test(mode)) return parseInt(mode, 8) & 0o7777
  return applySymbolicMode(current, mode, umask)
}

/** Which bits `=` replaces for each class of user. */
const CLASS_BITS: Record<string, number> = { u: 0o4700, g: 0o2070, o: 0o1007 }

/**
 * A symbolic mode (`u=rw,g-w,o=`, `+x`, `a=r`, `u=rw-x+X`, `g=u`) applied to a regular file's mode
 * `current`, as Ansible's file modules apply it: every clause reads the permissions of `current`, and
 * a clause without `u`, `g`, `o` or `a` leaves out the bits `umask` holds.
 * @throws ModuleArgumentError for text that is not a symbolic mode
 */
export function applySymbolicMode(current: number, symbolic: string, umask: number): number {
  const previous = current & 0o7777
  let mode = previous
  for (const clause of symbolic.split(',')) {
    const parsed = /^([ugoa]*)((?:[-+=][rwxXstugo]*)+)$/.exec(clause)
    if (!parsed) throw new ModuleArgumentError(`bad symbolic permission for mode: ${clause}`)
    const who = parsed[1]!
    const useUmask = who === ''
    const classes = who === '' || who.includes('a') ? ['u', 'g', 'o'] : [...new Set(who)]
    for (const [, operator, perms] of parsed[2]!.matchAll(/([-+=])([rwxXstugo]*)/g)) {
      for (const cls of classes) {
        let bits = 0
        for (const perm of perms!) bits |= permissionBits(previous, cls, perm, useUmask, umask)
        if (operator === '=') mode = (mode & ~CLASS_BITS[cls]! & 0o7777) | bits
        else if (operator === '+') mode |= bits
        else mode &= ~bits
      }
    }
  }
  return mode
}

/** The bits one permission letter stands for, for one class (u, g or o). */
function permissionBits(
  previous: number,
  cls: string,
  perm: string,
  useUmask: boolean,
  umask: number
): number {
  const shift = cls === 'u' ? 6 : cls === 'g' ? 3 : 0
  const allowed = useUmask ? ~umask : 0o777
  switch (perm) {
    case 'r':
      return (0o4 << shift) & allowed
    case 'w':
      return (0o2 << shift) & allowed
    case 'x':
      return (0o1 << shift) & allowed
    // X: execute only where some execute bit is already set (these are files, never directories).
    case 'X':
      return (previous & 0o111) !== 0 ? 0o1 << shift : 0
    case 's':
      return cls === 'u' ? 0o4000 : cls === 'g' ? 0o2000 : 0
    case 't':
      return cls === 'o' ? 0o1000 : 0
    default: {
      // u, g or o: a copy of that class's current permissions.
      const from = perm === 'u' ? 6 : perm === 'g' ? 3 : 0
      return ((previous >> from) & 0o7) << shift
    }
  }
}

/** Octal permission digits without leading zeros beyond three (`0644` → `644`). */
export function normaliseOctal(mode: string): string {
  return mode.replace(/^0+(?=\d{3})/, '').padStart(3, '0')
}

/**
 * What is at `dest` on the target, from the path fact (one round trip, cached for the task): nothing,
 * a directory or a link to one, a regular file with its SHA-1, or something a file would replace.
 */
export async function inspectRemote(facts: TargetFacts, dest: string): Promise<RemoteState> {
  const state = await facts.path(dest, { checksum: 'sha1' })
  const umask = state.umask
  if (!state.exists) return { kind: 'none', umask }
  if (state.type === 'directory' || (state.type === 'link' && state.linkTo === 'directory'))
    return { kind: 'dir', umask }
  // A file the user cannot read has no checksum: it differs from anything, as before.
  if (state.type === 'file')
    return { kind: 'file', umask, checksum: state.checksum ?? '', stat: state }
  return { kind: 'other', umask, stat: state }
}

/** A boolean module argument as Ansible reads it (yes/no/true/false/1/0), or `fallback` when absent. */
export function boolArg(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback
  try {
    // A module's `type: bool` argument: Ansible refuses what is not a boolean.
    return ansibleBoolean(value, 'strict')
  } catch {
    throw new ModuleArgumentError(
      `argument '${name}' is of type ${typeof value} and we were unable to convert to bool: The value '${String(value)}' is not a valid boolean.`
    )
  }
}

/** Refuses arguments a file module accepts by name but does not implement yet, naming the module. */
export function refuseUnsupported(
  module: string,
  args: Record<string, unknown>,
  names: readonly string[]
): void {
  for (const name of names) {
    if (args[name] !== undefined && args[name] !== false) {
      throw new ModuleArgumentError(
        `${module}: '${name}' is not supported yet; use a shell task for it`
      )
    }
  }
}

/** A string argument, or undefined when absent or empty (a YAML int such as an id becomes its text). */
function textArg(value: unknown): string | undefined {
  return value === undefined || value === null || value === '' ? undefined : String(value)
}

/**
 * Writes `content` to `dest` with the file arguments copy and template share (`force`, `backup`,
 * `validate`, `owner`, `group`, `follow`, `checksum`), turning a failed validation into Ansible's
 * result. With `follow`, a link at dest is written through: the file it leads to gets the content.
 */
export async function transferWithArgs(
  facts: TargetFacts,
  args: Record<string, unknown>,
  file: {
    dest: string
    content: Buffer | RemoteSource
    mode: string | undefined
    state: RemoteState
    check?: boolean
    diff?: boolean
    afterHeader?: string
    timeoutMs: number
  }
): Promise<ModuleResult> {
  let { dest, state } = file
  const follow = boolArg(args['follow'], 'follow', false)
  if (
    follow &&
    state.kind === 'other' &&
    state.stat.type === 'link' &&
    state.stat.linkTo === 'file' &&
    state.stat.linkSource !== undefined
  ) {
    dest = state.stat.linkSource
    state = await inspectRemote(facts, dest)
  }
  const owner = textArg(args['owner'])
  const group = textArg(args['group'])
  const expectedChecksum = textArg(args['checksum'])
  try {
    return await transferFile(facts, {
      ...file,
      dest,
      state,
      check: file.check ?? false,
      ...(owner === undefined ? {} : { owner }),
      ...(group === undefined ? {} : { group }),
      ...(expectedChecksum === undefined ? {} : { expectedChecksum }),
      force: boolArg(args['force'], 'force', true),
      backup: boolArg(args['backup'], 'backup', false),
      validate:
        args['validate'] === undefined || args['validate'] === null || args['validate'] === ''
          ? undefined
          : String(args['validate'])
    })
  } catch (error) {
    if (error instanceof ValidationError) return validationFailure(error)
    throw error
  }
}

/**
 * A path with a leading `~` or `~user` made absolute on the target, as Ansible's copy and template
 * actions expand `dest` (the user running there: the become user under become). Other paths are
 * returned as they are, without a round trip.
 */
export async function expandUser(
  facts: TargetFacts,
  target: string,
  timeoutMs: number
): Promise<string> {
  const match = /^~([^/]*)(.*)$/s.exec(target)
  if (!match) return target
  const [, user, rest] = match
  // Only account names are looked up; anything else stays as written, as Python's expanduser leaves it.
  if (user !== '' && !/^[A-Za-z0-9_.][A-Za-z0-9_.-]*$/.test(user!)) return target
  const who = user === '' ? '"$(id -un)"' : shellQuote(user!)
  const connection = await facts.connection()
  const res = await connection.run(`getent passwd ${who} | cut -d: -f6`, { timeoutMs })
  const home = res.stdout.toString('utf8').trim()
  return home === '' ? target : `${home.replace(/\/+$/, '') || '/'}${rest!}`
}
