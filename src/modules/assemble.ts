import { createHash } from 'node:crypto'
import { readSourceFile } from './controller-files.js'
import { readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { shellJoin } from '../connection/shell-quote.js'
import { factsFor } from '../facts/index.js'
import { fromHex, probeCommand, ProbeAnswer, type ProbeScript } from '../facts/probe.js'
import { CommandTimeoutError } from '../errors.js'
import { pythonSearch, translatePythonRegex, type PythonRegex } from '../values/python-regex.js'
import { regexReason } from './wait-for.js'
import script from './assemble.sh'
import {
  MAX_DIFF_BYTES,
  inspectRemote,
  normaliseMode,
  transferFile,
  ValidationError,
  validationFailure
} from './file-transfer.js'
import pathInfoScript from './path-info.sh'
import {
  ModuleArgumentError,
  type ModuleContext,
  type ModuleDefinition,
  type ModuleResult
} from './module.js'

const PROBE: ProbeScript = { name: 'apb-assemble', source: `${pathInfoScript}\n${script}` }

/** Fragments larger than this in all are refused (they travel to the controller to be joined). */
const FRAGMENTS_CAP_BYTES = 16 * 1024 * 1024

/** One entry of the fragments directory. */
interface Fragment {
  name: string
  /** A regular file (or a link to one) whose contents could be read. */
  file: boolean
  /** A regular file that could not be read. */
  unreadable?: boolean
  content?: Buffer
}

const SELINUX_AND_MORE = 'SELinux contexts, attributes and unsafe_writes are not supported'

/**
 * `assemble`: joins the fragments of a directory (on the target, or on the controller with
 * `remote_src: false`) in string order, with an optional `delimiter` between them, keeping those whose
 * name matches `regexp` and skipping hidden ones with `ignore_hidden`, and writes the result to `dest`
 * only when it differs, through file-transfer.ts (atomic, `backup`, `validate`, `mode`), then applies
 * `owner`/`group`. Not run in check mode, as in Ansible.
 */
export const assembleModule: ModuleDefinition = {
  name: 'assemble',
  supportsCheckMode: false,
  args: {
    side: 'action',
    reportedAs: 'ansible.legacy.assemble',
    // The action plugin takes (and drops) `decrypt`: its module never lists it. Vault-encrypted fragments
    // from the controller are decrypted unless it is false.
    hidden: ['decrypt'],
    options: {
      src: { type: 'path', required: true },
      dest: { type: 'path', required: true },
      delimiter: { type: 'str' },
      backup: { type: 'bool', default: false },
      remote_src: { type: 'bool', default: true },
      regexp: { type: 'str' },
      ignore_hidden: { type: 'bool', default: false },
      validate: { type: 'str' },
      mode: { type: 'raw' },
      owner: { type: 'str' },
      group: { type: 'str' },
      attributes: { type: 'str', aliases: ['attr'], notImplemented: SELINUX_AND_MORE },
      seuser: { type: 'str', notImplemented: SELINUX_AND_MORE },
      serole: { type: 'str', notImplemented: SELINUX_AND_MORE },
      selevel: { type: 'str', notImplemented: SELINUX_AND_MORE },
      setype: { type: 'str', notImplemented: SELINUX_AND_MORE },
      unsafe_writes: { type: 'bool', default: false, notImplemented: SELINUX_AND_MORE }
    }
  },
  async run(ctx) {
    const a = ctx.args
    const src = a['src'] as string
    // A dest under ~ is expanded on the target, as Ansible's `path` type does (one more round trip).
    const dest = await expandHome(ctx, a['dest'] as string)
    const remote = a['remote_src'] as boolean
    const delimiter = (a['delimiter'] as string | null | undefined) ?? null
    const regexpText = (a['regexp'] as string | null | undefined) ?? null
    const ignoreHidden = a['ignore_hidden'] as boolean
    const validate = (a['validate'] as string | null | undefined) || undefined
    const mode = normaliseMode(a['mode'])
    const owner = (a['owner'] as string | null | undefined) || undefined
    const group = (a['group'] as string | null | undefined) || undefined
    const failed = (msg: string): ModuleResult => ({ changed: false, failed: true, msg })

    const facts = factsFor(ctx)
    // The fragments and what is at dest, read side by side: one round trip's wait when nothing changes.
    const [listing, destState] = await Promise.all([
      remote ? readRemoteFragments(ctx, src, ignoreHidden) : readLocalFragments(ctx, src),
      inspectRemote(facts, dest)
    ])
    if ('error' in listing) return failed(listing.error)
    let regexp: PythonRegex | undefined
    if (regexpText !== null) {
      try {
        // Matched against the fragments' names, which Ansible lists as text.
        regexp = translatePythonRegex(regexpText, 'text')
      } catch (error) {
        return failed(`Invalid Regexp (${regexReason(error)}) in "${regexpText}"`)
      }
    }
    if (validate !== undefined && !validate.includes('%s'))
      return failed(`validate must contain %s: ${validate}`)
    const content = join(listing.fragments, {
      delimiter,
      regexp,
      ignoreHidden,
      // Ansible's controller-side join always adds a newline after the delimiter (it compares a byte
      // with a one-byte string, which never matches); its module adds one only when it is missing.
      newlineAfterDelimiter: remote ? 'when-missing' : 'always'
    })
    if (destState.kind === 'dir') return failed(`attempted to take checksum of directory: ${dest}`)

    let result: ModuleResult
    try {
      result = await transferFile(facts, {
        dest,
        content,
        mode,
        force: true,
        backup: a['backup'] as boolean,
        validate,
        state: destState,
        // The controller-side join (remote_src: false) shows its diff, as Ansible's action does.
        ...(!remote && ctx.diff ? { diff: true, afterHeader: listing.src } : {}),
        timeoutMs: ctx.timeoutMs
      })
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      // The module reports the validation its own way; the copy module behind remote_src: false, as copy.
      if (!remote) return validationFailure(error)
      return failed(`failed to validate: rc:${error.exitStatus} error:${error.stderr}`)
    }
    if (owner !== undefined || group !== undefined) {
      result = await applyOwnership(ctx, result, dest, owner, group)
    }
    if (result['failed'] === true) return result
    if (!remote) result = withActionDiff(result, ctx.diff, dest, content, listing.src)
    const md5sum = createHash('md5').update(content).digest('hex')
    return remote
      ? { ...result, md5sum, msg: 'OK', src: listing.src }
      : { ...result, md5sum, src: listing.src }
  }
}

/**
 * The `diff` of a controller-side join, as Ansible's assemble action gives it: none out of diff mode; in
 * diff mode one mapping of the bytes before and after, also when nothing changed (the action always hands
 * the joined bytes to copy: it compares the checksum of their temporary file's name, never equal to
 * dest's).
 */
function withActionDiff(
  result: ModuleResult,
  diffMode: boolean,
  dest: string,
  content: Buffer,
  src: string
): ModuleResult {
  const { diff, ...rest } = result
  if (!diffMode) return rest
  const written = Array.isArray(diff) ? (diff[0] as Record<string, unknown> | undefined) : undefined
  if (written !== undefined) return { ...rest, diff: written }
  // Unchanged: dest holds the joined bytes (shown as Ansible shows large or binary files).
  if (content.length > MAX_DIFF_BYTES)
    return { ...rest, diff: { dst_larger: MAX_DIFF_BYTES, src_larger: MAX_DIFF_BYTES } }
  if (content.includes(0)) return { ...rest, diff: { dst_binary: 1, src_binary: 1 } }
  const text = content.toString('utf8')
  return { ...rest, diff: { before_header: dest, before: text, after_header: src, after: text } }
}

/** Joins the fragments as Ansible does. */
function join(
  fragments: Fragment[],
  options: {
    delimiter: string | null
    regexp?: PythonRegex
    ignoreHidden: boolean
    newlineAfterDelimiter: 'always' | 'when-missing'
  }
): Buffer {
  const delimiter = options.delimiter ? pythonEscapeDecode(options.delimiter) : undefined
  const parts: Buffer[] = []
  let first = true
  let addNewline = false
  // Python sorts names by code point: UTF-16 order differs only beyond the BMP, compared here as such.
  const sorted = [...fragments].sort((x, y) => compareCodePoints(x.name, y.name))
  for (const fragment of sorted) {
    if (options.regexp) {
      if (pythonSearch(options.regexp, fragment.name) === null) continue
    }
    if (!fragment.file && !fragment.unreadable) continue
    if (options.ignoreHidden && fragment.name.startsWith('.')) continue
    if (fragment.unreadable) {
      throw new ModuleArgumentError(
        `assemble: cannot read the fragment ${fragment.name}: Permission denied`
      )
    }
    const content = fragment.content ?? Buffer.alloc(0)
    if (addNewline) parts.push(Buffer.from('\n'))
    if (!first && delimiter) {
      parts.push(delimiter)
      if (
        options.newlineAfterDelimiter === 'always' ||
        delimiter.length === 0 ||
        delimiter[delimiter.length - 1] !== 0x0a
      )
        parts.push(Buffer.from('\n'))
    }
    parts.push(content)
    first = false
    addNewline = !(content.length > 0 && content[content.length - 1] === 0x0a)
  }
  return Buffer.concat(parts)
}

function compareCodePoints(x: string, y: string): number {
  const a = [...x].map((c) => c.codePointAt(0)!)
  const b = [...y].map((c) => c.codePointAt(0)!)
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return a.length - b.length
}

/**
 * Python's codecs.escape_decode: `\n`, `\t`, `\r`, `\\`, `\'`, `\"`, `\a`, `\b`, `\f`, `\v`, `\xhh`,
 * octal `\ooo` and an escaped newline; any other backslash stays as written. Text is UTF-8.
 */
export function pythonEscapeDecode(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8')
  const out: number[] = []
  const simple: Record<string, number> = {
    n: 0x0a,
    t: 0x09,
    r: 0x0d,
    '\\': 0x5c,
    "'": 0x27,
    '"': 0x22,
    a: 0x07,
    b: 0x08,
    f: 0x0c,
    v: 0x0b
  }
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!
    if (byte !== 0x5c || i + 1 >= bytes.length) {
      if (byte === 0x5c) throw new ModuleArgumentError('delimiter: Trailing \\ in string')
      out.push(byte)
      continue
    }
    const next = String.fromCharCode(bytes[i + 1]!)
    if (next in simple) {
      out.push(simple[next]!)
      i++
    } else if (next === '\n') {
      i++
    } else if (next === 'x') {
      const hex = String.fromCharCode(...bytes.subarray(i + 2, i + 4))
      if (!/^[0-9a-fA-F]{2}$/.test(hex))
        throw new ModuleArgumentError(`delimiter: invalid \\x escape at position ${i}`)
      out.push(parseInt(hex, 16))
      i += 3
    } else if (/[0-7]/.test(next)) {
      let digits = ''
      let j = i + 1
      while (
        j < bytes.length &&
        digits.length < 3 &&
        /[0-7]/.test(String.fromCharCode(bytes[j]!))
      ) {
        digits += String.fromCharCode(bytes[j]!)
        j++
      }
      out.push(parseInt(digits, 8) & 0xff)
      i = j - 1
    } else {
      out.push(byte)
    }
  }
  return Buffer.from(out)
}

type Listing = { src: string; fragments: Fragment[] } | { error: string }

/** `~` and `~/…` with the target user's home directory; other paths as given. */
async function expandHome(ctx: ModuleContext, value: string): Promise<string> {
  if (value !== '~' && !value.startsWith('~/')) return value
  const connection = await ctx.connection()
  const res = await connection.run(`printf '%s' "$HOME"`, { timeoutMs: ctx.timeoutMs })
  const home = res.stdout.toString('utf8')
  if (res.code !== 0 || !home.startsWith('/')) {
    throw new ModuleArgumentError(`assemble: cannot expand ${value}: the target user has no HOME`)
  }
  return `${home}${value.slice(1)}`
}

/** The fragments of a directory on the target, in one round trip (assemble.sh). */
async function readRemoteFragments(
  ctx: ModuleContext,
  src: string,
  ignoreHidden: boolean
): Promise<Listing> {
  const connection = await ctx.connection()
  const res = await connection.run(probeCommand(PROBE, [src, ignoreHidden ? '1' : '0']), {
    timeoutMs: ctx.timeoutMs,
    // Hex doubles the bytes; the cap is checked below.
    outputCapBytes: FRAGMENTS_CAP_BYTES * 2 + 1024 * 1024
  })
  if (res.timedOut) {
    throw new CommandTimeoutError(
      `assemble: reading ${src} on ${connection.host} took longer than ${ctx.timeoutMs} ms`,
      connection.host,
      ctx.timeoutMs
    )
  }
  const answer = new ProbeAnswer(res.stdout.toString('latin1'))
  if (res.stdoutTruncated) {
    throw new ModuleArgumentError(
      `assemble: the fragments in ${src} are over ${FRAGMENTS_CAP_BYTES} bytes in all; join them with a shell task`
    )
  }
  if (res.code !== 0 || !answer.complete) {
    throw new ModuleArgumentError(
      `assemble: could not read ${src} on ${connection.host}: ${res.stderr.toString('utf8').trim().slice(-400)}`
    )
  }
  const expanded = Buffer.from(answer.get('src') ?? src, 'latin1').toString('utf8')
  const state = answer.get('state')
  if (state === 'missing') return { error: `Source (${expanded}) does not exist` }
  if (state === 'notdir') return { error: `Source (${expanded}) is not a directory` }
  const fragments = answer.all('entry').map((line): Fragment => {
    const [kind, nameHex, contentHex] = line.split(':')
    const name = fromHex(nameHex ?? '').toString('utf8')
    if (kind === 'f') return { name, file: true, content: fromHex(contentHex ?? '') }
    return { name, file: false, unreadable: kind === 'u' }
  })
  return { src: expanded, fragments }
}

/** The fragments of a directory on the controller (`remote_src: false`), found as Ansible finds `src`. */
function controllerCandidates(src: string, ctx: Pick<ModuleContext, 'baseDir' | 'task'>): string[] {
  const dirs = [ctx.task.role?.path, ctx.task.dir, ctx.baseDir].filter(
    (dir, i, all): dir is string => dir !== undefined && all.indexOf(dir) === i
  )
  return path.isAbsolute(src)
    ? [src]
    : dirs.flatMap((dir) => [path.resolve(dir, 'files', src), path.resolve(dir, src)])
}

/**
 * Where a controller `src` is, looked up as controller-files.ts looks up a file (the role's and the
 * task's `files/` and directories, then the playbook's), but taking a directory too.
 */
function findControllerPath(
  src: string,
  ctx: Pick<ModuleContext, 'baseDir' | 'task'>
): string | undefined {
  for (const candidate of controllerCandidates(src, ctx)) {
    try {
      statSync(candidate)
      return candidate
    } catch {
      // Not here; try the next place.
    }
  }
  return undefined
}

async function readLocalFragments(ctx: ModuleContext, src: string): Promise<Listing> {
  const dir = findControllerPath(src, ctx)
  if (dir === undefined) {
    const searched = controllerCandidates(src, ctx)
      .map((c) => `\t${c}`)
      .join('\n')
    return {
      error:
        `Could not find or access '${src}'\nSearched in:\n${searched} on the Ansible Controller.\n` +
        'If you are using a module and expect the file to exist on the remote, see the remote_src option'
    }
  }
  if (!statSync(dir).isDirectory()) return { error: `Source (${dir}) is not a directory` }
  let total = 0
  const fragments = readdirSync(dir).map((name): Fragment => {
    const full = path.join(dir, name)
    let file = false
    try {
      file = statSync(full).isFile()
    } catch {
      // A dangling link is no fragment.
    }
    if (!file) return { name, file: false }
    const content = readSourceFile(full, ctx.args)
    total += content.length
    if (total > FRAGMENTS_CAP_BYTES) {
      throw new ModuleArgumentError(
        `assemble: the fragments in ${dir} are over ${FRAGMENTS_CAP_BYTES} bytes in all`
      )
    }
    return { name, file: true, content }
  })
  return { src: dir, fragments }
}

/** Sets owner and/or group where they differ (chown on the target); changed when it did. */
async function applyOwnership(
  ctx: ModuleContext,
  result: ModuleResult,
  dest: string,
  owner: string | undefined,
  group: string | undefined
): Promise<ModuleResult> {
  const differs = (wanted: string | undefined, name: unknown, id: unknown): boolean =>
    wanted !== undefined && wanted !== String(name) && wanted !== String(id)
  const ownerDiffers = differs(owner, result['owner'], result['uid'])
  const groupDiffers = differs(group, result['group'], result['gid'])
  if (!ownerDiffers && !groupDiffers) return result
  const facts = factsFor(ctx)
  const connection = await facts.connection()
  const spec = `${ownerDiffers ? owner! : ''}${groupDiffers ? `:${group!}` : ''}`
  const res = await connection.run(shellJoin(['chown', spec, '--', dest]), {
    timeoutMs: ctx.timeoutMs
  })
  if (res.code !== 0) {
    const stderr = res.stderr.toString('utf8').trim()
    const what = ownerDiffers ? 'chown' : 'chgrp'
    const reason = /invalid (user|group)/i.test(stderr)
      ? `${what} failed: failed to look up ${ownerDiffers && /user/i.test(stderr) ? 'user' : 'group'} ${ownerDiffers && /user/i.test(stderr) ? owner! : group!}`
      : `${what} failed: ${stderr.replace(/^chown: /, '')}`
    return { ...result, changed: result['changed'], failed: true, msg: reason, path: dest }
  }
  const now = await facts.path(dest)
  if (!now.exists) return { ...result, changed: true }
  return {
    ...result,
    changed: true,
    uid: now.uid,
    gid: now.gid,
    owner: now.owner ?? String(now.uid),
    group: now.group ?? String(now.gid)
  }
}
