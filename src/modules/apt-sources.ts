/**
 * What apt_repository and deb822_repository share: running their scripts on the target (the task's
 * environment applied, so APT_CONFIG counts; a deadline), reading the one-line sources files apt uses,
 * and writing files followed by an optional `apt-get update` that puts the files back when it fails.
 *
 * The one-line model follows what Ansible's apt_repository does to the files it reads (learned from its
 * documentation and by running it): every line is read as enabled or disabled (`#` first), a source
 * (`deb`/`deb-src` then words, spaces collapsed), and a comment after a later `#`; a file is written
 * back from that reading, so lines come out in that normal form.
 */
import { fromHex, type ProbeAnswer } from '../facts/probe.js'
import { httpRequest, type HttpResponse } from '../http/transport.js'
import { wantedMode } from './file-support.js'
import { ModuleScript } from './module-script.js'
import { ModuleArgumentError, type ModuleContext, type ModuleResult } from './module.js'
import actScript from './apt-sources-act.sh'
import probeScript from './apt-sources-probe.sh'

/** Source types a one-line source starts with. */
const SOURCE_TYPES = new Set(['deb', 'deb-src'])

/** One line of a one-line sources file, as read. */
export interface SourceLine {
  /** Starts with deb or deb-src. */
  valid: boolean
  /** Not commented out. */
  enabled: boolean
  /** The line without its comment (the source, spaces collapsed, when valid). */
  source: string
  comment: string
}

/** Python's str.split(): words between runs of whitespace. */
export function words(text: string): string[] {
  return text.split(/\s+/).filter((word) => word !== '')
}

/** Reads one line of a sources file (without its line end). */
export function parseSourceLine(raw: string): SourceLine {
  let line = raw.trim()
  let enabled = true
  if (line.startsWith('#')) {
    enabled = false
    line = line.slice(1)
  }
  let comment = ''
  const hash = line.indexOf('#')
  if (hash > 0) {
    comment = line.slice(hash + 1).trim()
    line = line.slice(0, hash)
  }
  let source = line.trim()
  let valid = false
  if (source !== '') {
    const chunks = words(source)
    if (SOURCE_TYPES.has(chunks[0]!)) {
      valid = true
      source = chunks.join(' ')
    }
  }
  return { valid, enabled, source, comment }
}

/** The text of one line as written back. */
export function formatSourceLine(line: SourceLine): string {
  return `${line.enabled ? '' : '# '}${line.source}${line.comment ? ` # ${line.comment}` : ''}\n`
}

/** The lines of a text as Python's universal newlines read them (the last may lack its line end). */
export function textLines(text: string): string[] {
  return (text.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? []).map((line) =>
    line.replace(/(?:\r\n|\r|\n)$/, '')
  )
}

/** A sources file as read: its lines, and how it was found. */
export interface SourcesFile {
  path: string
  /** Permission bits, or undefined for a file not there yet. */
  mode?: number
  lines: SourceLine[]
  /** Its text as read from the target (undefined for a file not there yet). */
  raw?: string
}

/** The target's one-line sources: where apt keeps them, every file read, and the target's umask. */
export interface SourcesState {
  listPath: string
  partsDir: string
  umask: number
  codename: string
  /** By path, in the order read: sources.list first, then sources.list.d/*.list by name. */
  files: Map<string, SourcesFile>
}

/** The text a file is written back with (its normal form); empty for a file without lines. */
export function formatSourcesFile(file: SourcesFile): string {
  return file.lines.map(formatSourceLine).join('')
}

/**
 * GETs a key (apt_key's url and keyserver, deb822_repository's signed_by URL) from the target, as
 * Ansible's fetch_url does for them: a 10 s timeout, urllib2's redirects, the task's environment.
 */
export async function fetchKey(
  ctx: ModuleContext,
  url: string,
  validateCerts: boolean
): Promise<HttpResponse> {
  return httpRequest(await ctx.connection(), {
    url,
    timeoutSeconds: 10,
    validateCerts,
    followRedirects: 'urllib2',
    environment: ctx.environment,
    deadlineMs: ctx.timeoutMs
  })
}

const scripts = new Map<string, ModuleScript>()

/** Runs one of the apt sources scripts with the task's environment and a deadline. */
export async function runAptScript(
  ctx: ModuleContext,
  name: string,
  source: string,
  args: readonly string[],
  stdin: Buffer,
  deadlineMs = ctx.timeoutMs
): Promise<ProbeAnswer> {
  const connection = await ctx.connection()
  let runner = scripts.get(name)
  if (runner === undefined) {
    runner = new ModuleScript(name, source)
    scripts.set(name, runner)
  }
  const answer = await runner.run(connection, args, {
    timeoutMs: deadlineMs,
    stdin,
    environment: ctx.environment
  })
  const tool = answer.get('missing_tool')
  if (tool !== undefined) {
    throw new ModuleArgumentError(
      `${ctx.task.action ?? name}: the target ${connection.host} has no ${tool} command: it is no apt system (install apt, or use the module of its package manager)`
    )
  }
  return answer
}

/** Reads sources.list and sources.list.d/*.list on the target (one round trip). */
export async function readSources(ctx: ModuleContext): Promise<SourcesState> {
  const answer = await runAptScript(ctx, 'apb-apt-sources', probeScript, [], Buffer.alloc(0))
  const files = new Map<string, SourcesFile>()
  const unreadable: string[] = []
  const entries = answer.all('file').map((line) => {
    const [pathHex = '', mode = '', text = '-'] = line.split(' ')
    return { path: fromHex(pathHex).toString('utf8'), mode, text }
  })
  const listPath = answer.bytes('list_hex')?.toString('utf8') ?? '/etc/apt/sources.list'
  // sources.list first, then the parts in name order (apt reads them in that order too).
  const [list, parts] = [
    entries.filter((entry) => entry.path === listPath),
    entries.filter((entry) => entry.path !== listPath).sort((a, b) => cmp(a.path, b.path))
  ]
  for (const entry of [...list, ...parts]) {
    if (entry.text === '-') {
      unreadable.push(entry.path)
      continue
    }
    const text = fromHex(entry.text).toString('utf8')
    files.set(entry.path, {
      path: entry.path,
      mode: parseInt(entry.mode, 8),
      lines: textLines(text).map(parseSourceLine),
      raw: text
    })
  }
  if (unreadable.length > 0) {
    throw new ModuleArgumentError(
      `cannot read ${unreadable.join(', ')}: [Errno 13] Permission denied (run the task with become: true)`
    )
  }
  return {
    listPath,
    partsDir: (answer.bytes('parts_hex')?.toString('utf8') ?? '/etc/apt/sources.list.d').replace(
      /\/+$/,
      ''
    ),
    umask: parseInt(answer.get('umask') ?? '022', 8),
    codename: answer.get('codename') ?? '',
    files
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** One change to the target's files: write a text (with a mode to set, if any), or remove. */
export type FileChange =
  | { path: string; remove?: false; text: string | Buffer; mode?: number }
  | { path: string; remove: true }

/** How `apt-get update` is run after the files are written. */
export interface UpdatePolicy {
  retries: number
  maxDelay: number
}

/** What writing gave: nothing (it worked), or Ansible's failure message. */
export type WriteOutcome = { ok: true } | { ok: false; msg: string }

/**
 * Writes `changes`, then runs apt-get update when `update` says so; if writing or the update fails, the
 * files are put back as `revert` says (new files removed, changed ones rewritten).
 */
export async function writeSources(
  ctx: ModuleContext,
  changes: readonly FileChange[],
  revert: readonly FileChange[],
  update: UpdatePolicy | undefined
): Promise<WriteOutcome> {
  const chunks: Buffer[] = []
  let offset = 0
  const ops = (list: readonly FileChange[], write: string, remove: string): string[] =>
    list.map((change) => {
      if (change.remove) return `${remove}:${change.path}`
      const bytes = Buffer.isBuffer(change.text) ? change.text : Buffer.from(change.text, 'utf8')
      chunks.push(bytes)
      const op = `${write}:${offset}:${bytes.length}:${change.mode === undefined ? '' : change.mode.toString(8)}:${change.path}`
      offset += bytes.length
      return op
    })
  const args = [
    String(update?.retries ?? 0),
    String(update?.maxDelay ?? 0),
    update ? '1' : '0',
    ...ops(changes, 'w', 'd'),
    ...ops(revert, 'r', 'x')
  ]
  // Each attempt of the update gets the module's deadline, and the waits between them are added.
  const retries = Math.max(0, update?.retries ?? 0)
  let waits = 0
  for (let attempt = 0; attempt < retries; attempt++)
    waits += Math.min(2 ** attempt, update!.maxDelay) + 1
  const answer = await runAptScript(
    ctx,
    'apb-apt-sources-act',
    actScript,
    args,
    Buffer.concat(chunks),
    ctx.timeoutMs * (1 + retries) + waits * 1000
  )
  const failed = answer.get('failed')
  if (failed === 'write') {
    return { ok: false, msg: answer.bytes('error_hex')?.toString('utf8').trim() ?? 'write failed' }
  }
  if (failed === 'update') {
    return {
      ok: false,
      msg: `Failed to update apt cache: ${updateErrors(answer.bytes('update_err_hex')?.toString('utf8') ?? '')}`
    }
  }
  return { ok: true }
}

/**
 * What apt said when the update failed, as python-apt's exception puts it: its `E:` lines joined
 * with `, `; `unknown reason` when there were none (only sources the network could not reach, which
 * apt reports as warnings) or no attempt was made (update_cache_retries: 0).
 */
export function updateErrors(stderr: string): string {
  const errors = textLines(stderr)
    .filter((line) => line.startsWith('E: '))
    .map((line) => `E:${line.slice(3)}`)
  return errors.length > 0 ? errors.join(', ') : 'unknown reason'
}

/**
 * The mode `mode` gives a file (see wantedMode), or Ansible's failure for one that is neither octal
 * nor symbolic (its module writes the file first, then fails setting the mode).
 */
export function modeFor(
  mode: unknown,
  current: number,
  umask: number,
  path: string
): { mode: number } | { failure: ModuleResult } {
  try {
    return { mode: wantedMode(mode, current, umask, false) }
  } catch (error) {
    return {
      failure: {
        changed: false,
        failed: true,
        path,
        msg: 'mode must be in octal or symbolic form',
        details: error instanceof Error ? error.message : String(error)
      }
    }
  }
}
