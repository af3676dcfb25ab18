/**
 * What lineinfile, replace and blockinfile share: reading a file from the target with its state (the
 * path fact and the content, asked for together: one round trip), deciding whether `mode`, `owner`
 * and `group` differ, and putting the edited content in place atomically (a 0600 temp file beside
 * the destination, `validate` run on it, an optional Ansible-named backup, then `mv`), keeping the
 * replaced file's mode and owner as Ansible's atomic move does. The edit itself is computed on the
 * controller by each module.
 */
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { shellJoin, shellQuote } from '../connection/shell-quote.js'
import { readFileByCommand } from '../connection/command-read.js'
import { FileTooLargeError, RemoteFileError } from '../connection/get-file.js'
import { factsFor, type ExistingPath, type PathState, type TargetFacts } from '../facts/index.js'
import type { ArgOption } from './arg-spec.js'
import { normaliseMode, resolveMode } from './file-transfer.js'
import { ModuleArgumentError, type ModuleContext, type ModuleResult } from './module.js'
import actScript from './file-edit-act.sh'

/** The largest file these modules edit: it is held in memory on the controller. */
export const EDIT_MAX_BYTES = 64 * 1024 * 1024

/** A file to edit, as found on the target. */
export interface EditTarget {
  /** The path as the task gave it. */
  dest: string
  /** Where the content is written: dest, or the file a symbolic link at dest leads to. */
  real: string
  /** The state of `real`. */
  state: PathState
  /** Its bytes, when it exists. */
  content?: Buffer
}

/**
 * Reads `dest` on the target: its state and, for a file, its content, in parallel (one round trip).
 * A symbolic link is followed to its file, as Ansible writes through it.
 * @throws ModuleArgumentError when the file cannot be read (permission denied, too large)
 */
export async function readEditTarget(
  ctx: ModuleContext,
  facts: TargetFacts,
  dest: string
): Promise<EditTarget> {
  // Read through a command, not SFTP: these modules read before every run, and an SFTP session's
  // start (a sftp-server process, several round trips) is slower than the probe beside it. The
  // untracked connection: reading changes nothing, so the facts read alongside stay.
  const connection = await ctx.connection()
  const [state, read] = await Promise.all([
    facts.path(dest),
    readFileByCommand(connection, dest, { maxBytes: EDIT_MAX_BYTES, timeoutMs: ctx.timeoutMs })
      .then((content) => ({ content }))
      .catch((error: unknown) => ({ error }))
  ])
  let real = dest
  let finalState: PathState = state
  if (state.exists && state.type === 'link') {
    real = state.linkSource ?? dest
    finalState = await facts.path(real)
  }
  if (!finalState.exists) return { dest, real, state: finalState }
  if (finalState.type !== 'file') return { dest, real, state: finalState }
  if ('error' in read) {
    const error = read.error
    if (error instanceof FileTooLargeError) throw new ModuleArgumentError(error.message)
    if (error instanceof RemoteFileError) {
      throw new ModuleArgumentError(`could not read ${dest}: ${error.message}`)
    }
    throw error
  }
  return { dest, real, state: finalState, content: read.content }
}

/** `mode`, `owner` and `group` as the task gave them (mode normalised), each undefined when not set. */
export interface FileAttributesWanted {
  mode?: string
  owner?: string
  group?: string
}

/** The file attribute arguments of a task. */
export function attributesWanted(args: Record<string, unknown>): FileAttributesWanted {
  const text = (value: unknown): string | undefined =>
    value === undefined || value === null || value === '' ? undefined : String(value)
  return {
    mode: normaliseMode(args['mode']),
    owner: text(args['owner']),
    group: text(args['group'])
  }
}

/** What must change of a file's attributes, and Ansible's attribute diff for it. */
export interface AttributeChanges {
  /** Octal mode to set, when it differs. */
  mode?: string
  owner?: string
  group?: string
  before: Record<string, unknown>
  after: Record<string, unknown>
}

function octalText(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`
}

function sameAccount(wanted: string, id: number, name: string | undefined): boolean {
  return /^[0-9]+$/.test(wanted) ? Number(wanted) === id : wanted === name
}

/**
 * The attributes of an existing file, or of a new one (created by `creator`, with what the umask
 * leaves of 0666), that differ from what the task asks.
 */
export function attributeChanges(
  wanted: FileAttributesWanted,
  state: ExistingPath | { umask: number; uid: number; gid: number; owner?: string; group?: string }
): AttributeChanges {
  const changes: AttributeChanges = { before: {}, after: {} }
  const existing = 'exists' in state
  const current = existing ? state.permissions : 0o666 & ~state.umask
  if (wanted.mode !== undefined) {
    const mode = existing
      ? resolveMode(wanted.mode, {
          kind: 'file',
          umask: state.umask,
          checksum: '',
          stat: state
        })
      : resolveMode(wanted.mode, { kind: 'none', umask: state.umask })
    if (mode !== current) {
      changes.mode = mode.toString(8).padStart(4, '0')
      changes.before['mode'] = octalText(current)
      changes.after['mode'] = octalText(mode)
    }
  }
  if (wanted.owner !== undefined && !sameAccount(wanted.owner, state.uid, state.owner)) {
    changes.owner = wanted.owner
    changes.before['owner'] = state.uid
    changes.after['owner'] = wanted.owner
  }
  if (wanted.group !== undefined && !sameAccount(wanted.group, state.gid, state.group)) {
    changes.group = wanted.group
    changes.before['group'] = state.gid
    changes.after['group'] = wanted.group
  }
  return changes
}

/** Whether any attribute must change. */
export function attributesDiffer(changes: AttributeChanges): boolean {
  return changes.mode !== undefined || changes.owner !== undefined || changes.group !== undefined
}

/** How to put an edited file in place. */
export interface WriteRequest {
  target: EditTarget
  /** The new content; undefined to change only the attributes. */
  content?: Buffer
  /** Attributes to set (from attributeChanges); for a new file, computed against its creator. */
  attributes: FileAttributesWanted
  backup: boolean
  /** A command with `%s`, run on the temp file before it replaces dest. */
  validate?: string
  /** Make the parent directory when it is missing (lineinfile `create`). */
  makeParents?: boolean
}

/** The user and group that wrote the file (a new file's owner before any chown). */
export interface Creator {
  uid: number
  gid: number
  owner: string
  group: string
}

/** What putting the file in place did. */
export type WriteOutcome =
  { ok: true; backup?: string; creator?: Creator } | { ok: false; result: ModuleResult }

/**
 * Runs the act script with the content on its stdin, one round trip: it writes a 0600 temp file
 * beside the destination, validates it, gives back the replaced file's owner, sets the
 * mode/owner/group, backs up, then `mv`s it in place.
 * A refusal of `validate` is Ansible's `failed to validate: rc:N error:…` result.
 */
export async function putEdited(
  ctx: ModuleContext,
  facts: TargetFacts,
  request: WriteRequest
): Promise<WriteOutcome> {
  const { target } = request
  const connection = await facts.connection()
  const timeoutMs = ctx.timeoutMs
  const existing = target.state.exists ? (target.state as ExistingPath) : undefined
  // The content travels on the act's stdin: the temp file is written, validated and moved in one
  // round trip (the act script makes the parent directory first for lineinfile's `create`).
  const tmp =
    request.content === undefined
      ? ''
      : path.posix.join(
          path.posix.dirname(target.real),
          `.${path.posix.basename(target.real)}.apb-${randomBytes(8).toString('hex')}.tmp`
        )
  let mode = request.attributes.mode ?? ''
  if (tmp !== '' && mode === '') {
    // The temp file is 0600: it gets the replaced file's mode, or what the umask leaves of 0666.
    const final = existing ? existing.permissions : 0o666 & ~target.state.umask
    mode = final.toString(8).padStart(4, '0')
  }
  if (request.validate !== undefined && tmp !== '' && !request.validate.includes('%s')) {
    return {
      ok: false,
      result: { changed: false, failed: true, msg: `validate must contain %s: ${request.validate}` }
    }
  }
  const validate =
    request.validate === undefined ? '' : request.validate.split('%s').join(shellQuote(tmp))
  const keep = existing && tmp !== '' ? `${existing.uid}:${existing.gid}` : ''
  const res = await connection.run(
    `/bin/sh -c ${shellQuote(actScript)} ${shellJoin([
      'apb-edit',
      tmp,
      target.real,
      request.backup ? '1' : '0',
      mode,
      keep,
      request.attributes.owner ?? '',
      request.attributes.group ?? '',
      validate,
      !existing && request.makeParents ? '1' : '0'
    ])}; echo "status=$?"${
      // Who made a new file (its owner and group, for the result): a process, so only then. One
      // `id`, in the C locale (its labels are translated in others), read below.
      existing ? '' : '; echo "creator=$(LC_ALL=C id)"'
    }`,
    {
      timeoutMs,
      sharedShell: true,
      ...(request.content === undefined ? {} : { stdin: request.content })
    }
  )
  const stdout = res.stdout.toString('utf8')
  const stderr = res.stderr.toString('utf8')
  const line = (key: string): string | undefined =>
    new RegExp(`^${key}=(.*)$`, 'm').exec(stdout)?.[1]
  const status = line('status')
  const failure = (msg: string): WriteOutcome => ({
    ok: false,
    result: { changed: false, failed: true, msg }
  })
  if (status === '3') {
    return failure(`failed to validate: rc:${line('validate_rc') ?? '?'} error:${stderr}`)
  }
  if (status === '5') return failure(line('error') ?? 'could not write the file')
  if (status !== '0') {
    throw new ModuleArgumentError(
      `could not write ${target.real}: ${stderr.trim() || `the target's shell exited with ${res.code ?? res.signal ?? '?'}`}`
    )
  }
  const creator = creatorOf(line('creator'))
  const backup = line('backup')
  return { ok: true, ...(backup === undefined ? {} : { backup }), ...(creator ? { creator } : {}) }
}

/**
 * The user and group `id` prints (`uid=1000(deploy) gid=1000(deploy) groups=…`; a name is left out
 * where none resolves, and is then empty here), or undefined when it printed nothing of the kind.
 */
export function creatorOf(text: string | undefined): Creator | undefined {
  const m = /^uid=(\d+)(?:\(([^)]*)\))? gid=(\d+)(?:\(([^)]*)\))?/.exec(text ?? '')
  if (!m) return undefined
  return { uid: Number(m[1]), gid: Number(m[3]), owner: m[2] ?? '', group: m[4] ?? '' }
}

/** The `validate` argument, or undefined. Ansible checks for `%s` only when it writes (see putEdited). */
export function validateArgument(args: Record<string, unknown>): string | undefined {
  const value = args['validate']
  if (value === undefined || value === null || value === '') return undefined
  return String(value)
}

/**
 * Bytes as Python's `to_native` shows them in a diff: UTF-8 text (invalid sequences become U+FFFD,
 * where Python would keep surrogates).
 */
export function diffText(bytes: Buffer): string {
  return bytes.toString('utf8')
}

/** The file options every file-editing module takes (Ansible's `add_file_common_args`). */
export const FILE_COMMON_OPTIONS: Record<string, ArgOption> = {
  mode: { type: 'raw' },
  owner: { type: 'str' },
  group: { type: 'str' },
  // Accepted as Ansible accepts it: our writes are always atomic (temp file and mv), which is what
  // Ansible falls back from only when an atomic move is impossible.
  unsafe_writes: { type: 'bool', default: false },
  seuser: {
    type: 'str',
    notImplemented: 'SELinux contexts are not set; use a command task (chcon)'
  },
  serole: {
    type: 'str',
    notImplemented: 'SELinux contexts are not set; use a command task (chcon)'
  },
  setype: {
    type: 'str',
    notImplemented: 'SELinux contexts are not set; use a command task (chcon)'
  },
  selevel: {
    type: 'str',
    notImplemented: 'SELinux contexts are not set; use a command task (chcon)'
  },
  attributes: {
    type: 'str',
    aliases: ['attr'],
    notImplemented: 'file attributes are not set; use a command task (chattr)'
  }
}

/**
 * After the content is decided: the file's attributes, the write, and Ansible's result. Shared by
 * lineinfile, replace and blockinfile (each passes its own content diff and messages).
 */
export async function finishEdit(
  ctx: ModuleContext,
  facts: ReturnType<typeof factsFor>,
  target: EditTarget,
  edit: {
    changed: boolean
    msg: string
    content?: Buffer
    /** The content diff (lineinfile and blockinfile always give one; replace only when it changed). */
    diff?: Record<string, unknown>
    /**
     * `with-attributes`: `diff` is Ansible's list of the content diff and the attribute diff (lineinfile,
     * blockinfile); `content`: the content diff alone (replace).
     */
    diffStyle?: 'with-attributes' | 'content'
    backupField: 'backup' | 'backup_file' | 'none'
    makeParents?: boolean
    extra?: Record<string, unknown>
    /** How the result is shaped in check mode for a file that does not exist (Ansible returns early). */
    checkMissingResult?: (result: ModuleResult) => ModuleResult
  }
): Promise<ModuleResult> {
  const args = ctx.args
  const wanted: FileAttributesWanted = attributesWanted(args)
  const validate = validateArgument(args)
  const backup = args['backup'] === true
  const exists = target.state.exists
  let { changed, msg } = edit
  const diffList = (attrs?: AttributeChanges): Array<Record<string, unknown>> => {
    const attrDiff: Record<string, unknown> = {}
    if (attrs && Object.keys(attrs.before).length > 0) {
      attrDiff['before'] = attrs.before
      attrDiff['after'] = attrs.after
    }
    attrDiff['before_header'] = `${target.dest} (file attributes)`
    attrDiff['after_header'] = `${target.dest} (file attributes)`
    return [edit.diff ?? {}, attrDiff]
  }
  const withDiff = (result: ModuleResult, attrs?: AttributeChanges): ModuleResult => {
    if (edit.diffStyle === 'content') {
      if (edit.diff !== undefined) result['diff'] = edit.diff
    } else {
      result['diff'] = diffList(attrs)
    }
    return result
  }
  const shaped = (fields: ModuleResult): ModuleResult => ({ ...fields, ...edit.extra })
  const withBackup = (result: ModuleResult, name: string | undefined): ModuleResult => {
    if (edit.backupField === 'backup') result['backup'] = name ?? ''
    else if (edit.backupField === 'backup_file' && name !== undefined) result['backup_file'] = name
    return result
  }

  if (ctx.check && !exists) {
    const result = withBackup(shaped({ changed, msg }), undefined)
    if (edit.diff !== undefined) result['diff'] = edit.diff
    return edit.checkMissingResult ? edit.checkMissingResult(result) : result
  }

  const attrs = exists && target.state.exists ? attributeChanges(wanted, target.state) : undefined
  if (ctx.check) {
    if (attrs && attributesDiffer(attrs)) {
      msg = `${changed ? `${msg} and ` : ''}ownership, perms or SE linux context changed`
      changed = true
    }
    return withBackup(withDiff(shaped({ changed, msg }), attrs), undefined)
  }

  let backupName: string | undefined
  let finalAttrs = attrs
  if (edit.changed || (attrs && attributesDiffer(attrs))) {
    // A new file: everything asked for (its owner is known only once written), with the mode
    // resolved against what the umask would give it.
    const toSet: FileAttributesWanted = attrs
      ? { mode: attrs.mode, owner: attrs.owner, group: attrs.group }
      : {
          mode: attributeChanges(
            { mode: wanted.mode },
            { umask: target.state.umask, uid: 0, gid: 0 }
          ).mode,
          owner: wanted.owner,
          group: wanted.group
        }
    const written = await putEdited(ctx, facts, {
      target,
      content: edit.changed ? edit.content : undefined,
      attributes: toSet,
      backup: backup && exists && edit.changed,
      validate: edit.changed ? validate : undefined,
      makeParents: edit.makeParents
    })
    if (!written.ok) return written.result
    backupName = written.backup
    if (!exists && written.creator) {
      finalAttrs = attributeChanges(wanted, { umask: target.state.umask, ...written.creator })
    }
  }
  if (finalAttrs && attributesDiffer(finalAttrs)) {
    msg = `${changed ? `${msg} and ` : ''}ownership, perms or SE linux context changed`
    changed = true
  }
  return withBackup(withDiff(shaped({ changed, msg }), finalAttrs), backupName)
}
