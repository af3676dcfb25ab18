import { createHash, randomBytes } from 'node:crypto'
import path from 'node:path'
import type { Connection } from '../connection/connection.js'
import { ansibleBoolean } from '../ansible-boolean.js'
import { shellQuote } from '../connection/shell-quote.js'
import type { ExistingPath, TargetFacts } from '../facts/index.js'
import { ModuleArgumentError, type ModuleResult } from './module.js'

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

/** How to put bytes in place on the target (copy, template). */
export interface TransferRequest {
  dest: string
  content: Buffer
  /** As normaliseMode returns it: octal text or a symbolic mode, or undefined to keep/let umask decide. */
  mode?: string
  /** Replace a file whose contents differ (Ansible's default); false only writes missing files. */
  force: boolean
  /** Keep a timestamped copy of the file being replaced, named as Ansible names it. */
  backup: boolean
  /** A command with `%s`, run on the candidate file before it replaces dest; non-zero refuses it. */
  validate?: string
  /** What is at dest now (from inspectRemote). */
  state: RemoteState
  timeoutMs: number
}

/**
 * Writes `content` to `dest` when it is missing or differs (by SHA-1, as Ansible compares), applies `mode`,
 * and returns the result fields of Ansible's copy/template: changed, checksum, dest, mode, owner, size, …
 * With `validate` the candidate goes to a temporary file beside dest and is moved over it only once the
 * command succeeds. Anything that is not a regular file or a directory at dest (a symbolic link, a
 * fifo) is replaced by the file, as Ansible does when it does not follow links. One round trip reads
 * dest; it is read again only when something changed.
 */
export async function transferFile(
  facts: TargetFacts,
  request: TransferRequest
): Promise<ModuleResult> {
  const { dest, content, mode, state, timeoutMs } = request
  const checksum = createHash('sha1').update(content).digest('hex')
  // The mode the file ends with, known before a byte is written, so that it is created private and
  // only opened up to that mode once complete (a symbolic mode is resolved here, as Ansible does).
  const finalMode = resolveMode(mode, state)
  if (state.kind === 'dir') throw new ModuleArgumentError(`destination ${dest} is a directory`)
  // Through this connection, every change drops what the facts read of the target.
  const connection = await facts.connection()
  let written = false
  let backupFile: string | undefined
  if (
    state.kind === 'none' ||
    (request.force && (state.kind === 'other' || state.checksum !== checksum))
  ) {
    const candidate =
      request.validate === undefined
        ? undefined
        : await writeValidated(connection, request, request.validate, finalMode)
    // A link to a file is backed up as the file it leads to (cp follows it), as Ansible does.
    const replacesFile =
      state.kind === 'file' || (state.kind === 'other' && state.stat.linkTo === 'file')
    if (request.backup && replacesFile) backupFile = await backupRemote(connection, dest, timeoutMs)
    if (candidate !== undefined) {
      await moveIntoPlace(connection, candidate, dest, timeoutMs)
    } else {
      await connection.putFile(dest, content, { timeoutMs, mode: finalMode })
    }
    written = true
  }
  let chmodded = false
  if (!written && mode && state.kind === 'file' && state.stat.permissions !== finalMode) {
    const res = await connection.run(
      `chmod ${finalMode.toString(8).padStart(4, '0')} ${shellQuote(dest)}`,
      { timeoutMs }
    )
    if (res.code !== 0) {
      throw new ModuleArgumentError(
        `could not set the mode of ${dest}: ${res.stderr.toString('utf8').trim()}`
      )
    }
    chmodded = true
  }
  // Unchanged: what was read before is still true. Changed: what the target says now (the owner of
  // a new file, a mode bit chmod may have refused).
  let final: ExistingPath
  if (written || chmodded || state.kind === 'none') {
    const now = await facts.path(dest)
    if (!now.exists) {
      throw new ModuleArgumentError(
        `could not set the mode of ${dest}: ${now.error ?? 'it is gone'}`
      )
    }
    final = now
  } else {
    final = state.stat
  }
  const changed =
    written || (chmodded && state.kind === 'file' && final.permissions !== state.stat.permissions)
  const result: ModuleResult = {
    changed,
    checksum,
    dest,
    gid: final.gid,
    group: final.group ?? String(final.gid),
    mode: `0${final.permissions.toString(8).padStart(3, '0')}`,
    owner: final.owner ?? String(final.uid),
    size: final.size,
    state: 'file',
    uid: final.uid
  }
  if (backupFile !== undefined) result['backup_file'] = backupFile
  return result
}

/** Writes the candidate beside dest (same filesystem, so the final move is atomic) and validates it. */
async function writeValidated(
  connection: Connection,
  request: TransferRequest,
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

/** Mode as chmod understands it. A YAML int such as 0644 (read as octal, as Ansible does) becomes '0644'. */
export function normaliseMode(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined
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

/**
 * Writes `content` to `dest` with the file arguments copy and template share (`force`, `backup`,
 * `validate`), turning a failed validation into Ansible's result.
 */
export async function transferWithArgs(
  facts: TargetFacts,
  args: Record<string, unknown>,
  file: {
    dest: string
    content: Buffer
    mode: string | undefined
    state: RemoteState
    timeoutMs: number
  }
): Promise<ModuleResult> {
  try {
    return await transferFile(facts, {
      ...file,
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
