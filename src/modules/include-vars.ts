// include_vars: variables from YAML/JSON files on the controller, found as Ansible's include_vars action
// finds them, loaded with the playbook's own YAML reader (Ansible's schema, `!unsafe` kept, `!vault`
// refused). The executor keeps the result's `ansible_facts` at include_vars' precedence (variables.ts).
import { readdirSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { AsyncPlaybookError } from '../errors.js'
import { dict } from '../values/dict.js'
import { parseYaml } from '../playbook/yaml-loader.js'
import { pythonJsonDumps } from '../values/python-json.js'
import { isRecord, mergeHash } from '../values/records.js'
import { unsafeText } from '../values/unsafe.js'
import { pythonClass } from './arg-types.js'
import {
  ActionPluginError,
  ModuleArgumentError,
  type ModuleContext,
  type ModuleDefinition
} from './module.js'
import { isFile, kindOf } from '../file-kinds.js'

const DIR_ARGS = new Set([
  'dir',
  'depth',
  'files_matching',
  'ignore_files',
  'extensions',
  'ignore_unknown_extensions'
])
const FILE_ARGS = new Set(['file', '_raw_params'])
const ANY_ARGS = new Set(['name', 'hash_behaviour'])
const DEFAULT_EXTENSIONS = ['yaml', 'yml', 'json']

/**
 * The variables an include_vars result sets (with their `!unsafe` marks): the executor keeps them at
 * include_vars' precedence (above task vars, below set_fact and registered values, as Ansible's vars
 * cache). A symbol key: never registered or shown; the result's `ansible_facts` is the plain copy.
 */
export const INCLUDED_VARS = Symbol('included vars')

/** A failure that still returns the result's facts and file list, with Ansible's `message` field. */
class LoadFailure extends Error {}

/** What loading gathered: the variables, and the files they came from in order. */
interface Loaded {
  vars: Record<string, unknown>
  files: string[]
}

/**
 * The directories a relative `file` is looked for in, as Ansible's task search path: the task's role and
 * the roles around it (nearest first), the directory of the task's file, and last the playbook's directory
 * (always, even when it was already searched).
 */
function searchDirs(ctx: Pick<ModuleContext, 'task' | 'baseDir'>): string[] {
  const dirs: string[] = []
  const role = ctx.task.role
  if (role) dirs.push(role.path, ...[...(role.ancestors ?? [])].reverse())
  const taskDir = ctx.task.dir ?? ctx.baseDir
  if (!dirs.includes(taskDir)) dirs.push(taskDir)
  dirs.push(ctx.baseDir)
  return dirs
}

function expandHome(file: string): string {
  return file === '~' || file.startsWith('~/') ? path.join(os.homedir(), file.slice(1)) : file
}

/** The file a `file:` names: `vars/NAME` then `NAME` in each search directory; Ansible's message if none. */
function findVarsFile(file: string, ctx: Pick<ModuleContext, 'task' | 'baseDir'>): string {
  const wanted = expandHome(file)
  if (path.isAbsolute(wanted)) {
    if (isFile(wanted)) return wanted
    throw new LoadFailure(notFound(file, [wanted]))
  }
  const inVars = wanted.split('/')[0] === 'vars'
  const candidates = searchDirs(ctx).flatMap((dir) => [
    ...(inVars ? [] : [path.join(dir, 'vars', wanted)]),
    path.join(dir, wanted)
  ])
  const found = candidates.find(isFile)
  if (found) return found
  throw new LoadFailure(notFound(file, candidates))
}

function notFound(file: string, candidates: string[]): string {
  return (
    `Could not find or access '${file}'\nSearched in:\n${candidates.map((c) => `\t${c}`).join('\n')} on the Ansible Controller.\n` +
    'If you are using a module and expect the file to exist on the remote, see the remote_src option'
  )
}

/** Reads one vars file into `loaded`: a mapping (or nothing); anything else fails as Ansible says. */
function loadFile(file: string, loaded: Loaded): void {
  let data: unknown
  try {
    data = parseYaml(readFileSync(file, 'utf8'), file).data
  } catch (error) {
    if (error instanceof AsyncPlaybookError) throw new LoadFailure(error.message)
    throw new LoadFailure(`${file} cannot be read: ${(error as Error).message}`)
  }
  if (data === null || data === undefined || data === false || data === '' || data === 0) data = {}
  if (Array.isArray(data) && data.length === 0) data = {}
  if (!isRecord(data)) throw new LoadFailure(`${file} must be stored as a dictionary/hash`)
  loaded.files.push(file)
  // Spread, not Object.assign: a variable named __proto__ stays a variable.
  loaded.vars = { ...loaded.vars, ...data }
}

/** The directories under `root` with their files, in the order Ansible's include_vars walks them. */
function walk(root: string): Array<{ dir: string; files: string[] }> {
  const out: Array<{ dir: string; files: string[] }> = []
  const visit = (dir: string): void => {
    let entries: import('node:fs').Dirent[]
    try {
      entries = readdirSync(dir, { withFileTypes: true })
    } catch {
      return
    }
    const files: string[] = []
    const subdirs: string[] = []
    for (const entry of entries) {
      // As os.walk: a symbolic link to a directory is listed as a directory but not entered.
      if (entry.isDirectory()) subdirs.push(entry.name)
      else if (entry.isSymbolicLink() && kindOf(path.join(dir, entry.name)) === 'directory')
        continue
      else files.push(entry.name)
    }
    out.push({ dir, files })
    for (const sub of subdirs) visit(path.join(dir, sub))
  }
  visit(root)
  // Ansible sorts the walk by directory path and counts `depth` along that order.
  return out.sort((a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0))
}

/** Python's re.search for the patterns users write (Python and JS regexes agree on the common syntax). */
function compile(pattern: string): RegExp {
  try {
    return new RegExp(pattern)
  } catch {
    throw new ModuleArgumentError(
      `files_matching/ignore_files: '${pattern}' is not a regular expression this engine can read`
    )
  }
}

/** `ignore_files` as Ansible reads it: a string is split on white space; a mapping gives its keys. */
function stringList(value: unknown): string[] {
  if (value === undefined || value === null || value === '') return []
  if (typeof value === 'string') return value.split(/\s+/).filter(Boolean)
  if (Array.isArray(value)) return value.map((v) => String(v))
  if (isRecord(value)) return Object.keys(value)
  return [String(value)]
}

/** `dir:` and its options. */
function loadDir(args: Record<string, unknown>, ctx: ModuleContext, loaded: Loaded): void {
  const dir = expandHome(String(args['dir']))
  let root: string
  const role = ctx.task.role
  if (path.isAbsolute(dir)) root = dir
  else if (role) {
    // In a role: under its vars/ (a path that starts with vars/ is the role's own, when it exists).
    const own = path.join(role.path, dir)
    root = dir.split('/')[0] === 'vars' && kindOf(own) ? own : path.join(role.path, 'vars', dir)
  } else root = path.join(ctx.task.dir ?? ctx.baseDir, dir)
  const kind = kindOf(root)
  if (kind === undefined) throw new LoadFailure(`${root} directory does not exist`)
  if (kind !== 'directory') throw new LoadFailure(`${root} is not a directory`)
  const depthRaw = args['depth']
  const depth =
    depthRaw === undefined || depthRaw === null || depthRaw === '' ? 0 : Number(depthRaw)
  if (!Number.isInteger(depth))
    throw new ModuleArgumentError(`depth must be a whole number, got ${pythonJsonDumps(depthRaw)}`)
  const matcher =
    typeof args['files_matching'] === 'string' && args['files_matching'] !== ''
      ? compile(args['files_matching'])
      : undefined
  const ignored = stringList(args['ignore_files']).map((p) => compile(`${p}$`))
  const extensionsRaw = args['extensions'] ?? DEFAULT_EXTENSIONS
  if (!Array.isArray(extensionsRaw) && typeof extensionsRaw !== 'string')
    throw new ModuleArgumentError('Invalid type for "extensions" option, it must be a list')
  // As Ansible: a string is taken letter by letter.
  const extensions = (Array.isArray(extensionsRaw) ? extensionsRaw : [...extensionsRaw]).map(String)
  const skipUnknown = args['ignore_unknown_extensions'] === true
  // As Ansible (os.path.splitext): a name without an extension has the extension '', valid when listed.
  const validExtension = (name: string): boolean => extensions.includes(path.extname(name).slice(1))
  const walked = walk(root)
  for (let i = 0; i < walked.length; i++) {
    if (depth > 0 && i >= depth) break
    const { dir: current, files } = walked[i]!
    // As Ansible: a directory's variables count only once all its files loaded.
    const staged: Loaded = { vars: dict(), files: loaded.files }
    for (const name of [...files].sort()) {
      if (matcher && !matcher.test(name)) continue
      if (ignored.some((re) => re.test(name))) continue
      if (skipUnknown && !validExtension(name)) continue
      const file = path.join(current, name)
      if (!validExtension(name))
        throw new LoadFailure(`${file} does not have a valid extension: ${extensions.join(', ')}`)
      loadFile(file, staged)
    }
    loaded.vars = { ...loaded.vars, ...staged.vars }
  }
}

/** A copy with `!unsafe` strings as their plain text. */
function plainCopy(value: unknown): unknown {
  if (typeof value === 'string') return unsafeText(value)
  if (Array.isArray(value)) return value.map(plainCopy)
  if (isRecord(value)) {
    const out: Record<string, unknown> = dict()
    for (const [k, v] of Object.entries(value)) out[k] = plainCopy(v)
    return out
  }
  return value
}

/** `hash_behaviour` other than replace: each variable combined with its current value, as Ansible's combine_vars. */
function combineWithCurrent(
  vars: Record<string, unknown>,
  current: Record<string, unknown>,
  merge: boolean
): Record<string, unknown> {
  const out: Record<string, unknown> = dict()
  for (const [key, value] of Object.entries(vars)) {
    const old = Object.hasOwn(current, key) ? current[key] : null
    if (!isRecord(old) || !isRecord(value)) {
      throw new ActionPluginError(
        `failed to combine variables, expected dicts but got a '${pythonClass(old)}' and a '${pythonClass(value)}': \n${pythonJsonDumps(old)}\n${pythonJsonDumps(value)}`
      )
    }
    out[key] = merge ? mergeHash(old, value) : Object.assign(dict(), old, value)
  }
  return out
}

/**
 * `include_vars`: variables from a file (`file`, or the free-form path) or the files of a directory (`dir`
 * with `depth`, `files_matching`, `ignore_files`, `extensions`, `ignore_unknown_extensions`), under one
 * variable (`name`) or each on its own; `hash_behaviour: merge` merges them into the current mappings.
 * Runs on the controller, once per host, as Ansible's action does.
 */
export const includeVarsModule: ModuleDefinition = {
  name: 'include_vars',
  supportsCheckMode: true,
  local: true,
  freeForm: 'key-value',
  // Ansible's action checks the names itself, with its own message (below).
  args: { side: 'action', unknown: 'any', options: {} },
  async run(ctx) {
    const args = ctx.args
    let dirs = 0
    let files = 0
    for (const key of Object.keys(args)) {
      if (DIR_ARGS.has(key)) dirs++
      else if (FILE_ARGS.has(key)) files++
      else if (!ANY_ARGS.has(key))
        throw new ActionPluginError(`${key} is not a valid option in include_vars`)
    }
    if (dirs > 0 && files > 0)
      throw new ActionPluginError(
        'You are mixing file only and dir only arguments, these are incompatible'
      )
    const name = args['name']
    const hashBehaviour = args['hash_behaviour']
    const loaded: Loaded = { vars: dict(), files: [] }
    let message: string | undefined
    try {
      if (args['dir']) loadDir(args, ctx, loaded)
      else {
        let file = args['file'] || args['_raw_params']
        if (typeof file === 'string') file = file.replace(/\n+$/, '')
        if (!file) {
          ctx.displayWarning('Invalid request to find a file that matches a "null" value')
          throw new LoadFailure(
            'Could not find file on the Ansible Controller.\nIf you are using a module and expect the file to exist on the remote, see the remote_src option'
          )
        }
        loadFile(findVarsFile(String(file), ctx), loaded)
      }
    } catch (error) {
      if (!(error instanceof LoadFailure)) throw error
      message = error.message
    }
    let facts: Record<string, unknown> = loaded.vars
    if (name !== undefined && name !== null && name !== '') {
      facts = dict()
      facts[String(name)] = loaded.vars
    }
    if (
      message === undefined &&
      hashBehaviour !== undefined &&
      hashBehaviour !== null &&
      hashBehaviour !== 'replace'
    )
      facts = combineWithCurrent(facts, ctx.vars, hashBehaviour === 'merge')
    const result: Record<PropertyKey, unknown> = {
      [INCLUDED_VARS]: message === undefined ? facts : dict(),
      changed: false,
      ansible_included_var_files: loaded.files,
      // What is registered and shown: the values as written (registered values are never templated).
      ansible_facts: plainCopy(facts)
    }
    if (message !== undefined) {
      result['failed'] = true
      result['message'] = message
    }
    return result as Record<string, unknown>
  }
}
