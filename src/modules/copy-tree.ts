/**
 * `copy` of a whole controller directory: `src: dir` puts the directory itself into dest, `src: dir/`
 * only what is in it (as Ansible and rsync read the trailing slash). One round trip reads everything
 * at dest that the copy concerns (copy-act.sh probe); one more, only when something differs, creates
 * the missing directories, sends the new and changed files as one tar stream (extracted into a private
 * 0700 directory beside them, then each file moved into place on its own), makes the links and sets
 * owner, group and modes that differ (file-act.sh for everything but the files).
 */
import { createHash, randomBytes } from 'node:crypto'
import { lstatSync, readdirSync, readlinkSync, realpathSync, statSync } from 'node:fs'
import { readSourceFile } from './controller-files.js'
import path from 'node:path'
import { CommandTimeoutError } from '../errors.js'
import { parsePathAnswer, type PathState } from '../facts/path.js'
import { ProbeAnswer, fromHex, probeCommand, type ProbeScript } from '../facts/probe.js'
import type { TargetFacts } from '../facts/index.js'
import pathSource from '../facts/path.sh'
import copyActSource from './copy-act.sh'
import fileActSource from './file-act.sh'
import {
  actFailure,
  octalText,
  osErrorText,
  pathInfo,
  wantedMode,
  type ActOp,
  type PrevState
} from './file-support.js'
import { initialDiff, setDiff } from './file-task.js'
import { applySymbolicMode, boolArg, fileFields, normaliseMode } from './file-transfer.js'
import { ModuleArgumentError, type ModuleResult } from './module.js'

const COPY_ACT: ProbeScript = { name: 'apb-copy', source: copyActSource }
const FILE_ACT: ProbeScript = { name: 'apb-file', source: fileActSource }
const PATH_PROBE: ProbeScript = { name: 'apb-path', source: pathSource }

/** What the walk of the source directory found, with paths relative to dest. */
export interface SourceTree {
  files: Array<{ local: string; rel: string }>
  directories: string[]
  links: Array<{ target: string; rel: string }>
}

/**
 * The source directory as Ansible's copy walks it: with `localFollow` (its default), links to files
 * are copied as the files and links to directories are walked, unless they lead back into a
 * directory being copied (then they stay links, as do links that lead nowhere); without it, every
 * link is copied as a link. `source` ending in `/` names the contents, else the directory itself.
 */
export function walkSource(source: string, localFollow: boolean): SourceTree {
  const tree: SourceTree = { files: [], directories: [], links: [] }
  const top = source.replace(/\/+$/, '') || '/'
  const base = source.endsWith('/') ? '' : `${path.basename(top)}/`
  if (!localFollow && lstatSync(top).isSymbolicLink()) {
    tree.links.push({ target: readlinkSync(top), rel: path.basename(top) })
    return tree
  }
  const identity = (p: string): string => {
    const st = statSync(p)
    return `${st.dev}:${st.ino}`
  }
  const walk = (dir: string, prefix: string, parents: ReadonlySet<string>): void => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0
    )
    for (const entry of entries) {
      const full = path.join(dir, entry.name)
      const rel = `${prefix}${entry.name}`
      if (entry.isSymbolicLink()) {
        let target: ReturnType<typeof statSync> | undefined
        try {
          target = statSync(full)
        } catch {
          target = undefined
        }
        if (localFollow && target?.isDirectory()) {
          const id = `${target.dev}:${target.ino}`
          if (parents.has(id)) {
            tree.links.push({ target: readlinkSync(full), rel })
          } else {
            tree.directories.push(rel)
            walk(realpathSync(full), `${rel}/`, new Set([...parents, id]))
          }
        } else if (localFollow && target?.isFile()) {
          tree.files.push({ local: realpathSync(full), rel })
        } else {
          tree.links.push({ target: readlinkSync(full), rel })
        }
      } else if (entry.isDirectory()) {
        tree.directories.push(rel)
        walk(full, `${rel}/`, new Set([...parents, identity(full)]))
      } else {
        tree.files.push({ local: full, rel })
      }
    }
  }
  walk(top, base, new Set([identity(top)]))
  return tree
}

/**
 * What Ansible's copy ends on when the source has exactly one file: its result is that of the last
 * module it ran, which is the file module on the last link when there are links, else on the last
 * directory (in the order its walk lists them: each visited directory's subdirectories, visited
 * depth first), else the copy of the file itself (undefined here).
 */
export function lastAnsibleStep(
  tree: SourceTree
): { kind: 'directory' | 'link'; rel: string } | undefined {
  if (tree.files.length !== 1) return undefined
  const parentOf = (rel: string): string => {
    const at = rel.lastIndexOf('/')
    return at < 0 ? '' : rel.slice(0, at)
  }
  const top = tree.files[0]!.rel.split('/')[0]!
  // `src: dir` lists paths below dir's own name, which Ansible's walk does not list itself.
  const start = tree.directories.includes(top) || !tree.files[0]!.rel.includes('/') ? '' : top
  const children = (dir: string): string[] =>
    tree.directories.filter((d) => parentOf(d) === dir).sort()
  const order: string[] = []
  const visited: string[] = [start]
  const visit = (dir: string): void => {
    const subs = children(dir)
    order.push(...subs)
    for (const sub of subs) {
      visited.push(sub)
      visit(sub)
    }
  }
  visit(start)
  if (tree.links.length > 0) {
    const links: string[] = []
    for (const dir of visited)
      links.push(
        ...tree.links
          .map((l) => l.rel)
          .filter((rel) => parentOf(rel) === dir)
          .sort()
      )
    const last = links.at(-1) ?? tree.links.at(-1)!.rel
    return { kind: 'link', rel: last }
  }
  const last = order.at(-1)
  return last === undefined ? undefined : { kind: 'directory', rel: last }
}

/** What the probe found at one path below dest. */
interface Found {
  type: 'F' | 'D' | 'L' | 'O'
  permissions: number
  uid: number
  gid: number
  size: number
  sha1?: string
  owner?: string
  group?: string
  link?: string
}

/** Ansible's path fields (add_path_info, of the path itself) from what the probe found. */
function foundInfo(st: Found): ModuleResult {
  return {
    uid: st.uid,
    gid: st.gid,
    owner: st.owner ?? String(st.uid),
    group: st.group ?? String(st.gid),
    mode: octalText(st.permissions),
    state: st.type === 'L' ? 'link' : st.type === 'D' ? 'directory' : 'file',
    size: st.size
  }
}

/** printf %b escapes for a path: every byte but [A-Za-z0-9._/-] as \0NNN (see copy-act.sh probe). */
function escapeForPrintf(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((byte) => {
      const c = String.fromCharCode(byte)
      return /[A-Za-z0-9._/-]/.test(c) ? c : `\\0${byte.toString(8).padStart(3, '0')}`
    })
    .join('')
}

function parseFound(line: string): Found | undefined {
  if (line === '-') return undefined
  const [type, mode, uid, gid, size, sha1, owner, group, link] = line.split(' ')
  const text = (value: string | undefined): string | undefined =>
    value === undefined || value === '-' ? undefined : fromHex(value).toString('utf8')
  const found: Found = {
    type: (type ?? 'O') as Found['type'],
    permissions: parseInt(mode ?? '0', 8),
    uid: Number(uid),
    gid: Number(gid),
    size: Number(size)
  }
  if (sha1 && sha1 !== '-') found.sha1 = sha1
  const ownerName = text(owner)
  if (ownerName !== undefined && ownerName !== 'UNKNOWN') found.owner = ownerName
  const groupName = text(group)
  if (groupName !== undefined && groupName !== 'UNKNOWN') found.group = groupName
  const linkTarget = text(link)
  if (linkTarget !== undefined) found.link = linkTarget
  return found
}

/** A tar archive (ustar) of regular files `f<index>`, 0600, owned by nobody in particular. */
export function tarOf(files: ReadonlyArray<{ index: number; content: Buffer }>): Buffer {
  const blocks: Buffer[] = []
  const octal = (value: number, width: number): string =>
    value.toString(8).padStart(width - 1, '0') + '\0'
  for (const { index, content } of files) {
    const header = Buffer.alloc(512)
    header.write(`f${index}`, 0, 'utf8')
    header.write(octal(0o600, 8), 100, 'ascii')
    header.write(octal(0, 8), 108, 'ascii')
    header.write(octal(0, 8), 116, 'ascii')
    header.write(octal(content.length, 12), 124, 'ascii')
    header.write(octal(Math.floor(Date.now() / 1000), 12), 136, 'ascii')
    header.write('        ', 148, 'ascii')
    header.write('0', 156, 'ascii')
    header.write('ustar\0', 257, 'ascii')
    header.write('00', 263, 'ascii')
    let sum = 0
    for (const byte of header) sum += byte
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii')
    blocks.push(header, content)
    const pad = (512 - (content.length % 512)) % 512
    if (pad) blocks.push(Buffer.alloc(pad))
  }
  blocks.push(Buffer.alloc(1024))
  return Buffer.concat(blocks)
}

/** Whether an owner or group asked for (a name or an id) differs from what the probe found. */
function differs(spec: string, id: number, name: string | undefined): boolean {
  return /^\d+$/.test(spec) ? Number(spec) !== id : spec !== name
}

export interface TreeRequest {
  /** The controller directory; a trailing `/` copies what is in it, not the directory itself. */
  source: string
  dest: string
  check: boolean
  timeoutMs: number
}

/** A failure of the copy, with Ansible's result fields. */
class TreeFailure extends Error {
  constructor(readonly result: ModuleResult) {
    super(String(result['msg']))
  }
}

/**
 * Copies a controller directory to dest as Ansible's copy does: every file whose bytes differ is
 * written (mode, owner and group as for one file), every directory of the source is created or given
 * `directory_mode`, owner and group, links are made where `local_follow: false` keeps them; files
 * already there are left alone with `force: false`. Returns Ansible's `changed`, `dest` (with its
 * trailing slash) and `src`.
 */
export async function copyTree(
  facts: TargetFacts,
  args: Record<string, unknown>,
  request: TreeRequest
): Promise<ModuleResult> {
  try {
    return await copyTreeOrFail(facts, args, request)
  } catch (error) {
    if (error instanceof TreeFailure) return { changed: false, failed: true, ...error.result }
    throw error
  }
}

async function copyTreeOrFail(
  facts: TargetFacts,
  args: Record<string, unknown>,
  request: TreeRequest
): Promise<ModuleResult> {
  const localFollow = boolArg(args['local_follow'], 'local_follow', true)
  const force = boolArg(args['force'], 'force', true)
  // Each source file is read (and decrypted) once: its checksum is kept for the result and failures.
  const sums = new Map<string, string>()
  const sha1Of = (local: string, content?: Buffer): string => {
    let sum = sums.get(local)
    if (sum === undefined) {
      sum = createHash('sha1')
        .update(content ?? readSourceFile(local, args))
        .digest('hex')
      sums.set(local, sum)
    }
    return sum
  }
  const text = (name: string): string | undefined => {
    const value = args[name]
    return value === undefined || value === null || value === '' ? undefined : String(value)
  }
  const owner = text('owner')
  const group = text('group')
  // preserve: each file gets the mode of the controller file it comes from.
  const preserve = args['mode'] === 'preserve'
  const mode = preserve ? undefined : normaliseMode(args['mode'])
  const directoryMode = args['directory_mode'] ?? undefined
  const expectedChecksum = text('checksum')
  const root = request.dest.endsWith('/') ? request.dest : `${request.dest}/`
  const tree = walkSource(request.source, localFollow)
  const base: ModuleResult = { dest: root, src: request.source }
  if (tree.files.length + tree.directories.length + tree.links.length === 0) {
    return { ...base, changed: false }
  }
  // Directories that files and links sit in but that are not in the list themselves (the top one of
  // `src: dir`): created when missing, as Ansible's copy module creates a file's parents.
  const listed = new Set(tree.directories)
  const implicit = new Set<string>()
  for (const rel of [...tree.files.map((f) => f.rel), ...tree.links.map((l) => l.rel)]) {
    for (let dir = path.posix.dirname(rel); dir !== '.'; dir = path.posix.dirname(dir))
      if (!listed.has(dir)) implicit.add(dir)
  }
  const dirs = [...new Set([...implicit, ...tree.directories])].sort()
  const probeLines = [
    ...dirs.map((rel) => `d${escapeForPrintf(rel)}`),
    ...tree.files.map((f) => `f${escapeForPrintf(f.rel)}`),
    ...tree.links.map((l) => `l${escapeForPrintf(l.rel)}`)
  ]
  const connection = await facts.connection()
  const probed = await connection.run(probeCommand(COPY_ACT, ['probe', root]), {
    stdin: `${probeLines.join('\n')}\n`,
    timeoutMs: request.timeoutMs,
    outputCapBytes: Infinity
  })
  if (probed.timedOut) {
    throw new CommandTimeoutError(
      `copy: reading ${root} on ${connection.host} took longer than ${request.timeoutMs} ms`,
      connection.host,
      request.timeoutMs
    )
  }
  const answer = new ProbeAnswer(probed.stdout.toString('utf8'))
  if (!answer.complete) {
    throw new ModuleArgumentError(
      `copy: reading ${root} on ${connection.host} failed: ` +
        (probed.stderr.toString('utf8').trim().slice(-400) || `exit code ${String(probed.code)}`)
    )
  }
  const found = answer.all('e').map(parseFound)
  const umask = parseInt(answer.get('umask') ?? '022', 8)
  const rootType = answer.get('root')
  if (rootType === 'other') {
    throw new TreeFailure({ msg: `Destination ${request.dest} exists and is not a directory` })
  }
  const foundDir = new Map(dirs.map((rel, i) => [rel, found[i]]))
  const foundFile = tree.files.map((_, i) => found[dirs.length + i])
  const foundLink = tree.links.map((_, i) => found[dirs.length + tree.files.length + i])

  const dirOps: ActOp[] = []
  const newDirAttrs: ActOp[] = []
  const attrOps: ActOp[] = []
  const linkOps: ActOp[] = []
  let planned = false
  const account = (target: string, st: Found | undefined, fresh: boolean): void => {
    if (owner !== undefined && (fresh || !st || differs(owner, st.uid, st.owner)))
      attrOps.push(['owner', target, owner])
    if (group !== undefined && (fresh || !st || differs(group, st.gid, st.group)))
      attrOps.push(['group', target, group])
  }
  const dirModeFor = (current: number): number | undefined => {
    if (directoryMode === undefined) return undefined
    try {
      return wantedMode(directoryMode, current, umask, true) & 0o7777
    } catch (error) {
      throw new TreeFailure({
        msg: 'mode must be in octal or symbolic form',
        details: error instanceof Error ? error.message : String(error)
      })
    }
  }
  // The destination itself and the directories above it: created when missing, with directory_mode.
  if (rootType === 'none') {
    const existing = answer.bytes('existing_hex')?.toString('utf8') ?? '/'
    const chain: string[] = []
    for (let dir = root.replace(/\/+$/, ''); dir !== existing && dir.length > existing.length;) {
      chain.unshift(dir)
      dir = path.posix.dirname(dir)
    }
    for (const dir of chain) newDirectory(dir)
  }
  // As Ansible's makedirs: every missing directory is created first, then each is given its
  // owner, group and directory_mode (so a failing chown leaves them all there, as there).
  function newDirectory(target: string): void {
    dirOps.push(['mkdir', target])
    const wanted = dirModeFor(0o777 & ~umask)
    if (owner !== undefined) newDirAttrs.push(['owner', target, owner])
    if (group !== undefined) newDirAttrs.push(['group', target, group])
    if (wanted !== undefined) newDirAttrs.push(['mode', target, wanted.toString(8)])
    planned = true
  }
  for (const rel of dirs) {
    const target = `${root}${rel}`
    const st = foundDir.get(rel)
    if (!st) {
      newDirectory(target)
    } else if (st.type !== 'D' && !(st.type === 'L' && implicit.has(rel))) {
      throw new TreeFailure({
        msg: `there is already a file or link at ${target}: a directory of the source cannot be copied there`,
        path: target
      })
    } else if (listed.has(rel) && st.type === 'D') {
      // Ansible's file module, state=directory, for every directory of the source.
      account(target, st, false)
      const wanted = dirModeFor(st.permissions)
      if (wanted !== undefined && wanted !== st.permissions)
        attrOps.push(['mode', target, wanted.toString(8)])
    }
  }
  const writes: Array<{ index: number; content: Buffer; target: string; mode: number }> = []
  tree.files.forEach((file, index) => {
    const target = `${root}${file.rel}`
    const st = foundFile[index]
    if (st?.type === 'D') {
      throw new TreeFailure({ msg: `destination ${target} is a directory`, path: target })
    }
    if (st && !force) return
    const content = readSourceFile(file.local, args)
    const sha1 = sha1Of(file.local, content)
    const fileModeArg = preserve ? normaliseMode('preserve', () => statSync(file.local).mode) : mode
    if (st?.type === 'F' && st.sha1 === sha1) {
      account(target, st, false)
      if (fileModeArg !== undefined) {
        const wanted = fileMode(fileModeArg, st.permissions, umask)
        if (wanted !== st.permissions) attrOps.push(['mode', target, wanted.toString(8)])
      }
      return
    }
    if (expectedChecksum !== undefined && expectedChecksum !== sha1) {
      throw new TreeFailure({
        msg: 'Copied file does not match the expected checksum. Transfer failed.',
        checksum: sha1,
        expected_checksum: expectedChecksum
      })
    }
    const finalMode = fileMode(fileModeArg, st?.type === 'F' ? st.permissions : undefined, umask)
    writes.push({ index, content, target, mode: finalMode })
    account(target, undefined, true)
    planned = true
  })
  tree.links.forEach((link, index) => {
    const target = `${root}${link.rel}`
    const st = foundLink[index]
    if (st?.type === 'L' && st.link === link.target) {
      account(target, st, false)
      return
    }
    if (st?.type === 'D') {
      throw new TreeFailure({
        msg: `the directory ${target} is in the way of a link`,
        path: target
      })
    }
    // Made beside the path under a random name, then renamed over what is there (file-act.sh).
    linkOps.push([
      'symlink',
      link.target,
      target,
      st ? '1' : '0',
      `.apb-link-${randomBytes(8).toString('hex')}`
    ])
    account(target, undefined, true)
    planned = true
  })
  const single = tree.files.length === 1 && tree.directories.length + tree.links.length === 0
  if (request.check) {
    return { ...base, changed: planned || attrOps.length > 0 }
  }
  // One file with directories or links beside it: Ansible's result is its last file module's, on the
  // path the probe found (nothing changed) or the act's closing probe read (something did).
  const lastStep = lastAnsibleStep(tree)
  const lastStepResult = (info: ModuleResult, permissions: number | undefined): ModuleResult => {
    const step = lastStep!
    const target = `${root}${step.rel}`
    let changed: boolean
    let prev: PrevState
    if (step.kind === 'link') {
      const st = foundLink[tree.links.findIndex((l) => l.rel === step.rel)]
      prev = st === undefined ? 'absent' : st.type === 'L' ? 'link' : 'file'
      changed = linkOps.some((op) => op[2] === target) || attrOps.some((op) => op[1] === target)
    } else {
      prev = foundDir.get(step.rel) === undefined ? 'absent' : 'directory'
      // A directory the file sits in was made by the copy of the file (with the task's owner, group
      // and directory_mode): the file module finds it as it should be. Any other is made by it.
      const made = dirOps.some((op) => op[1] === target)
      if (made && tree.files[0]!.rel.startsWith(`${step.rel}/`)) prev = 'directory'
      changed = made ? prev === 'absent' : attrOps.some((op) => op[1] === target)
    }
    const diff = initialDiff(target, step.kind, prev)
    if (step.kind === 'link' && info['state'] === 'link') {
      const link = tree.links.find((l) => l.rel === step.rel)!
      return { dest: target, changed, diff, src: link.target, ...info }
    }
    // A directory the file module made (mode from the umask), then gave directory_mode.
    const made = 0o777 & ~umask
    if (prev === 'absent' && permissions !== undefined && permissions !== made) {
      setDiff(diff, 'mode', octalText(made), octalText(permissions))
    }
    return { path: target, changed, diff, ...info, dest: target }
  }
  if (!planned && attrOps.length === 0) {
    if (lastStep !== undefined) {
      const st =
        lastStep.kind === 'link'
          ? foundLink[tree.links.findIndex((l) => l.rel === lastStep.rel)]
          : foundDir.get(lastStep.rel)
      if (st) return lastStepResult(foundInfo(st), st.permissions)
    }
    const st = foundFile[0]
    if (!single || !st) return { ...base, changed: false }
    // One file, as it was: Ansible's result is that file's.
    const only = `${root}${tree.files[0]!.rel}`
    return { changed: false, ...fileFields(only, st.sha1 ?? '', st), path: only }
  }

  // One round trip: directories, the staged files, links, then owner, group and modes.
  const stage = `${root}.apb-copy-${randomBytes(8).toString('hex')}`
  const steps: string[] = []
  if (dirOps.length)
    steps.push(`${probeCommand(FILE_ACT, [...dirOps, ...newDirAttrs].flat())} </dev/null`)
  if (writes.length) {
    steps.push(probeCommand(COPY_ACT, ['stage', stage]))
    steps.push(
      `${probeCommand(COPY_ACT, [
        'place',
        stage,
        ...writes.flatMap((w) => [String(w.index), w.target, w.mode.toString(8).padStart(4, '0')])
      ])} </dev/null`
    )
  }
  const laterOps = [...linkOps, ...attrOps]
  if (laterOps.length) steps.push(`${probeCommand(FILE_ACT, laterOps.flat())} </dev/null`)
  let command = steps.join(' && ')
  if (writes.length) command = `${command}; ${probeCommand(COPY_ACT, ['unstage', stage])}`
  const described =
    lastStep !== undefined
      ? `${root}${lastStep.rel}`
      : single
        ? `${root}${tree.files[0]!.rel}`
        : undefined
  if (described !== undefined) {
    command = `${command}; echo apb-split; ${probeCommand(PATH_PROBE, [described, '0', '', '0', '0'])}`
  }
  const result = await connection.run(command, {
    stdin: tarOf(writes),
    timeoutMs: request.timeoutMs
  })
  if (result.timedOut) {
    throw new CommandTimeoutError(
      `copy: writing ${root} on ${connection.host} took longer than ${request.timeoutMs} ms`,
      connection.host,
      request.timeoutMs
    )
  }
  const out = result.stdout.toString('utf8')
  const split = out.indexOf('apb-split\n')
  const acted = new ProbeAnswer(split < 0 ? out : out.slice(0, split))
  let after: PathState | undefined
  if (described !== undefined && split >= 0) {
    const probe = new ProbeAnswer(out.slice(split + 'apb-split\n'.length))
    if (probe.complete) after = parsePathAnswer(probe, described, {}, connection.host)
  }
  const what = acted.get('fail')
  if (what !== undefined) {
    const message = fromHex(acted.get('fail_hex') ?? '').toString('utf8')
    const at = acted.bytes('fail_at_hex')?.toString('utf8') || root
    if (what === 'tar')
      throw new TreeFailure({
        msg: `copy: copying a directory needs tar on the target: ${message}`
      })
    // Ansible's failing module describes the path it stopped at, and the copy module adds the
    // checksum of the file it was copying (the first one below a directory it was creating).
    const st = described === at ? after : await facts.path(at).catch(() => undefined)
    const concerned = tree.files.find(
      (f) => `${root}${f.rel}` === at || `${root}${f.rel}`.startsWith(`${at}/`)
    )
    const sum = concerned ? sha1Of(concerned.local) : undefined
    throw new TreeFailure({
      ...actFailure(what, message, at, osErrorText(message, at)),
      ...pathInfo(st),
      ...(sum === undefined ? {} : { checksum: sum })
    })
  }
  const stepsDone = acted.all('act').length
  if (stepsDone < steps.length) {
    throw new ModuleArgumentError(
      `copy: the changes below ${root} on ${connection.host} stopped before their end: ` +
        (result.stderr.toString('utf8').trim().slice(-400) || `exit code ${String(result.code)}`)
    )
  }
  const changed = planned || ['owner', 'group', 'mode'].some((key) => acted.get(key) !== undefined)
  if (lastStep !== undefined && after !== undefined)
    return lastStepResult(pathInfo(after), after.exists ? after.permissions : undefined)
  if (described !== undefined && after?.exists) {
    // One file: Ansible's result is that file's, as for a single copy.
    const sha1 = sha1Of(tree.files[0]!.local)
    return { changed, ...fileFields(described, sha1, after) }
  }
  return { ...base, changed }
}

/** The mode a file gets: `mode` (octal, or symbolic on the current mode), else the current one, else the umask's. */
function fileMode(mode: string | undefined, current: number | undefined, umask: number): number {
  const now = current ?? 0o666 & ~umask
  if (mode === undefined) return now
  if (/^[0-7]+$/.test(mode)) return parseInt(mode, 8) & 0o7777
  return applySymbolicMode(now, mode, umask)
}
