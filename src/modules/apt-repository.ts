import {
  formatSourcesFile,
  modeFor,
  parseSourceLine,
  readSources,
  words,
  writeSources,
  type FileChange,
  type SourcesFile,
  type SourcesState
} from './apt-sources.js'
import type { ModuleDefinition, ModuleDiff, ModuleResult } from './module.js'

/**
 * `apt_repository`: adds or removes a one-line apt source (`deb …`/`deb-src …`) as Ansible's module
 * does, reading sources.list and sources.list.d/*.list where apt's configuration puts them:
 *
 * - present: a source already in any file (same words, options included) is enabled where it is (a
 *   commented-out copy is uncommented); otherwise it is added to `filename`.list in sources.list.d, or
 *   to a file named after its URL (`deb http://dl.example.com/apt stable` → dl_example_com_apt.list).
 * - absent: every enabled copy is removed; a file left without lines is removed.
 * - When something changes, every file read is written back in the normal form (spaces collapsed,
 *   `# ` before a disabled line, ` # ` before a comment) and empty files are removed, as Ansible does.
 * - `update_cache`: apt-get update after a change, retried with backoff; when it keeps failing the files
 *   are put back and the task fails.
 * - `ppa:` sources need Launchpad's API (the signing key's fingerprint comes from it), which is not
 *   implemented: refused by name when they would be added; removing one, or one already present, works.
 * Check mode and diff as Ansible's (a diff entry per file, changed or not).
 */
export const aptRepositoryModule: ModuleDefinition = {
  name: 'apt_repository',
  supportsCheckMode: true,
  args: {
    options: {
      repo: { type: 'str', required: true },
      state: { type: 'str', default: 'present', choices: ['absent', 'present'] },
      mode: { type: 'raw' },
      update_cache: { type: 'bool', default: true, aliases: ['update-cache'] },
      update_cache_retries: { type: 'int', default: 5 },
      update_cache_retry_max_delay: { type: 'int', default: 12 },
      filename: { type: 'str' },
      // Ansible installs python3-apt for its own module; ours needs no Python on the target.
      install_python_apt: { type: 'bool', default: true },
      // Used by Ansible only to ask Launchpad about a PPA, which is refused here.
      validate_certs: { type: 'bool', default: true },
      codename: { type: 'str' }
    }
  },
  async run(ctx) {
    const repo = ctx.args['repo'] as string
    const state = ctx.args['state'] as 'present' | 'absent'
    if (!repo) return failed("Please set argument 'repo' to a non-empty value")
    const sources = await readSources(ctx)
    const before = dump(sources.files)
    const files = new Map(
      [...sources.files].map(([path, file]) => [path, { ...file, lines: [...file.lines] }])
    )
    const grown = new Set<string>()
    const codename = (ctx.args['codename'] as string | null | undefined) || sources.codename

    let source: string
    let ppa = false
    if (repo.startsWith('ppa:')) {
      ppa = true
      source = ppaSource(repo, codename)
    } else {
      const line = parseSourceLine(repo)
      if (!line.valid || !line.enabled)
        return failed(`Invalid repository string: ${invalidText(repo)}`)
      source = line.source
    }

    if (state === 'present') {
      const enabledCopy = [...files.values()].some((file) =>
        file.lines.some((line) => line.valid && line.enabled && line.source === source)
      )
      if (ppa && !enabledCopy) {
        return failed(
          `apt_repository cannot add ${repo} yet: a PPA's signing key is found through Launchpad's API, which is not implemented; add the key with apt_key (keyserver: keyserver.ubuntu.com and the PPA's key id, or url, data or file) and the line as 'deb http://ppa.launchpad.net/OWNER/NAME/ubuntu ${codename || 'CODENAME'} main'`
        )
      }
      let found = false
      for (const file of files.values()) {
        file.lines = file.lines.map((line) => {
          if (!line.valid || line.source !== source) return line
          found = true
          return line.enabled ? line : { ...line, enabled: true }
        })
      }
      if (!found) {
        const path = targetPath(sources, ctx.args['filename'] as string | null | undefined, source)
        const file = files.get(path) ?? { path, lines: [] }
        file.lines = [...file.lines, { valid: true, enabled: true, source, comment: '' }]
        files.set(path, file)
        grown.add(path)
      }
    } else {
      for (const file of files.values()) {
        file.lines = file.lines.filter(
          (line) => !(line.valid && line.enabled && line.source === source)
        )
      }
    }

    const after = dump(files)
    const changed = !sameDump(before, after)
    const result: ModuleResult = { changed, repo, state }
    const added = [...after.keys()].filter((path) => !before.has(path)).sort()
    const removed = [...before.keys()].filter((path) => !after.has(path)).sort()
    let diff: ModuleDiff[] | Record<string, never> = {}
    if (changed && ctx.diff) {
      diff = [...new Set([...before.keys(), ...after.keys()])].sort().map((path) => ({
        before: before.get(path) ?? '',
        after: after.get(path) ?? '',
        before_header: before.has(path) ? path : '/dev/null',
        after_header: after.has(path) ? path : '/dev/null'
      }))
    }
    Object.assign(result, { sources_added: added, sources_removed: removed, diff })
    if (!changed || ctx.check) return result

    const changes: FileChange[] = []
    const revert: FileChange[] = []
    let modeFailure: ModuleResult | undefined
    for (const path of files.keys()) {
      const old = sources.files.get(path)
      const text = after.get(path)
      if (text === undefined) {
        if (old) {
          changes.push({ path, remove: true })
          revert.push(revertOf(path, before))
        }
        continue
      }
      const modeArg = ctx.args['mode']
      let mode: number | undefined
      if (grown.has(path) && modeArg !== null && modeArg !== undefined) {
        const wanted = modeFor(modeArg, old?.mode ?? 0o666 & ~sources.umask, sources.umask, path)
        if ('failure' in wanted) modeFailure ??= wanted.failure
        else mode = wanted.mode
      }
      if (old && mode === undefined && text === old.raw) continue
      changes.push({ path, text, ...(mode === undefined ? {} : { mode }) })
      revert.push(old ? revertOf(path, before) : { path, remove: true })
    }
    const outcome = await writeSources(
      ctx,
      changes,
      revert,
      ctx.args['update_cache'] && !modeFailure
        ? {
            retries: ctx.args['update_cache_retries'] as number,
            maxDelay: ctx.args['update_cache_retry_max_delay'] as number
          }
        : undefined
    )
    if (!outcome.ok) return failed(outcome.msg)
    return modeFailure ?? result
  }
}

function failed(msg: string): ModuleResult {
  return { changed: false, failed: true, msg }
}

/** The files with lines, each with the text it is written with (Ansible's reading of the sources). */
function dump(files: Map<string, SourcesFile>): Map<string, string> {
  const out = new Map<string, string>()
  for (const [path, file] of files)
    if (file.lines.length > 0) out.set(path, formatSourcesFile(file))
  return out
}

function sameDump(a: Map<string, string>, b: Map<string, string>): boolean {
  return a.size === b.size && [...a].every(([path, text]) => b.get(path) === text)
}

/** How a file is put back after a failed update: its text as read, in normal form, or removed. */
function revertOf(path: string, before: Map<string, string>): FileChange {
  const text = before.get(path)
  return text === undefined ? { path, remove: true } : { path, text }
}

/** The text Ansible's message quotes for a repo line it refuses: after a leading `#`, before a comment. */
function invalidText(repo: string): string {
  let line = repo.trim()
  if (line.startsWith('#')) line = line.slice(1)
  const hash = line.indexOf('#')
  return hash > 0 ? line.slice(0, hash) : line
}

/** The line a `ppa:OWNER/NAME` source stands for. */
function ppaSource(repo: string, codename: string): string {
  const ppa = repo.split(':')[1] ?? ''
  const [owner = '', name = 'ppa'] = ppa.split('/')
  return `deb http://ppa.launchpad.net/${owner}/${name}/ubuntu ${codename} main`
}

/**
 * Where a new source goes: `filename`.list (a name with a slash is a path), else a name made of the
 * source's first word after its type, options, scheme and credentials (non-alphanumerics become `_`).
 */
function targetPath(
  sources: SourcesState,
  filename: string | null | undefined,
  source: string
): string {
  const name =
    filename !== null && filename !== undefined ? `${filename}.list` : suggestedFileName(source)
  if (name.includes('/')) return name
  return normalizePath(`${sources.partsDir}/${name}`)
}

/**
 * The file name Ansible gives a source without `filename`: its first word after the type, without
 * options, scheme or credentials, each run of other characters than ASCII letters and digits made `_`
 * (`deb [arch=amd64] https://u:p@dl.example.com/apt/ stable main` → `dl_example_com_apt.list`).
 */
export function suggestedFileName(source: string): string {
  const stripped = source.replace(/\[[^\]]+\]/g, '').replace(/[\p{L}\p{N}_]+:\/\//gu, '')
  const parts = words(stripped).filter((word) => word !== 'deb' && word !== 'deb-src')
  let first = parts[0] ?? ''
  if (first.includes('@')) first = first.slice(first.indexOf('@') + 1)
  return `${words(first.replace(/[^a-zA-Z0-9]/g, ' ')).join('_')}.list`
}

/** os.path.abspath's tidying of an absolute path: `.`, `..` and repeated slashes resolved. */
function normalizePath(path: string): string {
  const out: string[] = []
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..') out.pop()
    else out.push(part)
  }
  return `/${out.join('/')}`
}
