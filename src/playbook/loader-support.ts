// What the playbook loader's files share: the state of one load, the keywords blocks hand down, and small
// helpers for reading YAML values.
import { readFileSync } from 'node:fs'
import { PlaybookError, type SourceLocation } from '../errors.js'
import type { YamlDocument } from './yaml-loader.js'
import type { RoleSearch } from './roles.js'
import { unsafeText } from '../values/unsafe.js'
import {
  plainTask,
  type BecomeKeywords,
  type BlockFrame,
  type Conditional,
  type ModuleDefaults,
  type RoleRef,
  type Task
} from './types.js'
import { isRecord } from '../values/records.js'
import { PyFloat } from '../values/py-float.js'

/** What the loader needs to know about modules: their names and which take a free-form string. */
export interface ModuleCatalog {
  names: ReadonlySet<string>
  freeForm: ReadonlySet<string>
  /**
   * Free-form modules whose `key=value` words are all arguments (include_vars: `file=x name=y`): Ansible
   * keeps only the words without `=` as the free-form text, as it does for any action but command and
   * its kin.
   */
  keyValueFreeForm?: ReadonlySet<string>
  /**
   * Fully qualified names outside ansible.builtin that a module answers to (`ansible.posix.authorized_key`),
   * mapped to the module's name.
   */
  fqcns?: ReadonlyMap<string, string>
}

const FQCN_PREFIXES = ['ansible.builtin.', 'ansible.legacy.']

/** What the blocks around a task hand down to it: their frames and the keywords it inherits. */
export interface Inherited {
  frames: BlockFrame[]
  when: Conditional[]
  vars: Record<string, unknown>
  /** Each block's `environment`, outermost first; a task's own is merged over them. */
  environment: unknown[]
  tags: string[]
  become?: BecomeKeywords
  ignoreErrors?: unknown
  ignoreUnreachable?: unknown
  noLog?: unknown
  checkMode?: unknown
  diff?: unknown
  timeout?: unknown
  anyErrorsFatal?: unknown
  delegateTo?: unknown
  delegateFacts?: unknown
  connection?: unknown
  remoteUser?: unknown
  port?: unknown
  /** The nearest enclosing run_once (a block's, a role's, the play's), as written. */
  runOnce?: unknown
  /** The nearest enclosing throttle, as written. */
  throttle?: unknown
  /**
   * Include params a static bare `include` hands down (its `vars:`): Ansible's include params, above the
   * included tasks' own vars and set_fact (Task.params). The innermost include's win.
   */
  params?: Record<string, unknown>
  /** Set within a file a dynamic include brought in (a bare `include` there is dynamic too, as in Ansible). */
  dynamic?: boolean
  /** The enclosing module_defaults, outermost first (the play's, then each block's or role's). */
  moduleDefaults?: ModuleDefaults[]
  /** The nearest enclosing `notify` (a block's, an import's, an include's `apply`): for tasks without their own. */
  notify?: string[]
  /** The role whose tasks these are. */
  role?: RoleRef
  /** The play's (or the role's) `collections:`: where a short module name is looked for first. */
  collections?: readonly string[]
}

export const TOP_LEVEL: Inherited = { frames: [], when: [], vars: {}, environment: [], tags: [] }

/** What every file of one playbook load shares: the module catalog and the block id counter. */
export interface LoadContext {
  modules: ModuleCatalog
  ids: { next: number }
  /**
   * The files already read and parsed in this run, by absolute path: a dynamic include loads its file (or
   * role) for every host and loop item, and reads it once.
   */
  documents: Map<string, YamlDocument>
  /** Warnings of the load, each once. */
  warnings?: Set<string>
  /** Deprecations of the load (the bare `include`), each once. */
  deprecations?: Set<string>
  /** While a play loads: the roles, role handlers and role uses it has gathered so far. */
  play?: PlayRoles
  /** Where roles are looked for beyond the playbook's roles/ (the run's settings). */
  roles?: RoleSearch
}

/** The roles one play gathers as it loads (from `roles:`, their dependencies and import_role). */
export interface PlayRoles {
  /** Public roles: their defaults and vars are seen by every task of the play. */
  roles: RoleRef[]
  /** Handlers of the roles under `roles:` (and their dependencies): they come before the play's own. */
  handlers: Task[]
  /** Handlers of roles brought in by import_role: as Ansible appends them, they come after the play's. */
  imported: Task[]
  /** The names of the roles listed under `roles:` (not their dependencies). */
  listed: string[]
}

/** A role invocation: the role's name and what the invocation adds. */
export interface RoleSpec {
  name: string
  /** The invocation's `vars:` (role vars, above the role's vars/main.yml). */
  vars: Record<string, unknown>
  /** Inline parameters. */
  params: Record<string, unknown>
  /** Keywords its tasks inherit (when, tags, become, …). */
  keywords: Record<string, unknown>
  location: SourceLocation
}

/** Which files of a role to load instead of `main` (tasks_from, vars_from, …). */
export interface RoleFrom {
  tasks?: string
  vars?: string
  defaults?: string
  handlers?: string
}

/** What the loader keeps on a dynamic include: the load context and what the included tasks inherit. */
export interface IncludeState {
  load: LoadContext
  inherited: Inherited
  /** An include_tasks under `handlers:`: the file's tasks are loaded as handlers. */
  handler?: boolean
}

const BECOME_KEYS: Array<[keyword: string, field: keyof BecomeKeywords]> = [
  ['become', 'become'],
  ['become_user', 'becomeUser'],
  ['become_method', 'becomeMethod'],
  ['become_flags', 'becomeFlags'],
  ['become_exe', 'becomeExe']
]

/** The become keywords of a play or task (undefined when it has none); a literal method is checked here. */
export function becomeKeywords(
  raw: Record<string, unknown>,
  location: SourceLocation
): BecomeKeywords | undefined {
  const out: BecomeKeywords = {}
  for (const [keyword, field] of BECOME_KEYS) {
    const value = raw[keyword]
    if (value === undefined || value === null) continue
    if (keyword !== 'become' && typeof value !== 'string') {
      throw new PlaybookError(`'${keyword}' must be a string, found ${describe(value)}`, location)
    }
    out[field] = value
  }
  const method = out.becomeMethod
  if (typeof method === 'string' && !method.includes('{{')) {
    const problem = becomeMethodProblem(method)
    if (problem) throw new PlaybookError(problem, location)
  }
  return Object.keys(out).length > 0 ? out : undefined
}

/** The become method a name stands for (`sudo`, `ansible.builtin.su`, …), or undefined if unsupported. */
export function canonicalBecomeMethod(method: string): 'sudo' | 'su' | undefined {
  const name = canonicalModule(method.trim())
  return name === 'sudo' || name === 'su' ? name : undefined
}

/** Why a become_method cannot be used, or undefined when it can. */
export function becomeMethodProblem(method: string): string | undefined {
  if (canonicalBecomeMethod(method)) return undefined
  return `become_method '${method}' is not supported: use 'sudo' (the default) or 'su'. Methods such as doas, pbrun, pfexec, runas or machinectl are not available`
}

/**
 * Reads a playbook, imported or vars file; a failure is a PlaybookError whose text `message` builds
 * from a plain reason (not found, a directory, or the system's message).
 */
export function readPlaybookFile(
  file: string,
  message: (reason: string) => string,
  location?: SourceLocation
): string {
  try {
    return readFileSync(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT')
      throw new PlaybookError(message(`it could not be found (looked for ${file})`), location, true)
    const reason = code === 'EISDIR' ? 'it is a directory' : (error as Error).message
    throw new PlaybookError(message(reason), location)
  }
}

/** A collection's name as Ansible requires it: `namespace.collection`. */
const COLLECTION_NAME = /^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/

/**
 * A play's or role's `collections:` as a list of collection names (a single name is a list of one, as in
 * Ansible); anything else is refused at its line.
 */
export function collectionsList(raw: unknown, location: SourceLocation): string[] | undefined {
  if (raw === undefined || raw === null) return undefined
  const list = Array.isArray(raw) ? raw : [raw]
  return list.map((entry) => {
    if (typeof entry !== 'string' || !COLLECTION_NAME.test(entry))
      throw new PlaybookError(
        `'collections' must list collection names written namespace.collection (such as community.general), found ${describe(entry)}`,
        location
      )
    return entry
  })
}

/**
 * The module a task's key names, as Ansible resolves action names: a fully qualified name (ours under
 * ansible.builtin / ansible.legacy, or one a module declares), or a short name looked for in each of the
 * `collections` first, then among ansible.builtin's. Undefined when the key names no module we have.
 */
export function resolveModuleName(
  key: string,
  catalog: ModuleCatalog,
  collections: readonly string[] = []
): string | undefined {
  const canonical = canonicalModule(key)
  if (canonical !== key) return catalog.names.has(canonical) ? canonical : undefined
  if (isFullyQualified(key)) return catalog.fqcns?.get(key)
  for (const collection of collections) {
    if (FQCN_PREFIXES.includes(`${collection}.`)) {
      if (catalog.names.has(key)) return key
      continue
    }
    const found = catalog.fqcns?.get(`${collection}.${key}`)
    if (found) return found
  }
  return catalog.names.has(key) ? key : undefined
}

/** `namespace.collection.module`. */
export function isFullyQualified(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_.]*$/.test(name)
}

/**
 * Why a fully qualified module (or a short name looked for in `collections`) cannot run: the collection
 * is one we do not implement, or we implement other modules of it.
 */
export function unsupportedCollectionModule(
  key: string,
  catalog: ModuleCatalog,
  collections: readonly string[] = []
): string | undefined {
  const candidates = isFullyQualified(key)
    ? [key]
    : collections.filter((c) => !FQCN_PREFIXES.includes(`${c}.`)).map((c) => `${c}.${key}`)
  const first = candidates[0]
  if (first === undefined || FQCN_PREFIXES.some((prefix) => first.startsWith(prefix)))
    return undefined
  const collection = first.split('.').slice(0, 2).join('.')
  const ours = [...(catalog.fqcns?.keys() ?? [])].filter((name) =>
    name.startsWith(`${collection}.`)
  )
  const looked = isFullyQualified(key)
    ? ''
    : ` (looked for ${candidates.join(', ')}, from the play's or role's collections, and ansible.builtin.${key})`
  const what =
    ours.length > 0
      ? `of the collection ${collection}, async-playbook implements only ${ours.sort().join(', ')}`
      : `async-playbook does not implement the collection ${collection}; it runs ansible.builtin's modules listed in its README`
  return (
    `${first} is not supported: ${what}${looked}. ` +
    'Use a supported module, or `command`/`shell` to run the tool on the target'
  )
}

/** Strips `ansible.builtin.` / `ansible.legacy.`. */
export function canonicalModule(name: string): string {
  for (const prefix of FQCN_PREFIXES) if (name.startsWith(prefix)) return name.slice(prefix.length)
  return name
}

/** The meta actions this engine implements (all of Ansible 2.14's but role_complete, which is internal). */
export const META_ACTIONS = new Set([
  'flush_handlers',
  'end_play',
  'end_host',
  'end_batch',
  'noop',
  'clear_host_errors',
  'clear_facts',
  'reset_connection',
  'refresh_inventory'
])

/** The action of a `meta:` task, checked: one of META_ACTIONS, without a loop. */
export function metaAction(
  value: unknown,
  raw: Record<string, unknown>,
  location: SourceLocation
): string {
  const action = typeof value === 'string' ? value.trim() : undefined
  if (action === undefined || !META_ACTIONS.has(action)) {
    const shown = typeof value === 'string' ? `'${value}'` : describe(value)
    throw new PlaybookError(
      `meta ${shown} is not supported: use one of ${[...META_ACTIONS].join(', ')}`,
      location
    )
  }
  for (const key of ['loop', 'until', ...Object.keys(raw).filter((k) => k.startsWith('with_'))]) {
    if (raw[key] !== undefined) {
      throw new PlaybookError(`'${key}' cannot be used on a 'meta: ${action}' task`, location)
    }
  }
  return action
}

/** The `meta: flush_handlers` Ansible adds after pre_tasks, tasks and post_tasks. */
export function implicitFlush(location: SourceLocation): Task {
  return plainTask({
    name: 'meta',
    named: false,
    module: 'meta',
    args: { _raw_params: 'flush_handlers' },
    location,
    implicit: true
  })
}

/** A task with the keywords of its enclosing blocks applied: the task's own win; `when` and `tags` add up. */
export function inherit(task: Task, from: Inherited): Task {
  const out: Task = {
    ...task,
    ...(from.frames.length > 0 ? { blocks: from.frames } : {}),
    when: [...from.when, ...task.when],
    vars: { ...from.vars, ...task.vars },
    tags: union(from.tags, task.tags)
  }
  if (from.environment.length > 0) {
    // Ansible merges environments outermost first, so the task's own values win.
    out.environment =
      task.environment === undefined || task.environment === null
        ? [...from.environment]
        : [...from.environment, ...asList(task.environment)]
  }
  if (from.become || task.become) out.become = { ...from.become, ...task.become }
  if (from.role) out.role = from.role
  if (from.params)
    out.params = {
      vars: { ...from.params, ...task.params?.vars },
      loop: { ...task.params?.loop }
    }
  out.ignoreErrors = task.ignoreErrors ?? from.ignoreErrors
  out.ignoreUnreachable = task.ignoreUnreachable ?? from.ignoreUnreachable
  out.noLog = task.noLog ?? from.noLog
  out.checkMode = task.checkMode ?? from.checkMode
  out.diff = task.diff ?? from.diff
  out.timeout = task.timeout ?? from.timeout
  out.anyErrorsFatal = task.anyErrorsFatal ?? from.anyErrorsFatal
  out.delegateTo = task.delegateTo ?? from.delegateTo
  out.delegateFacts = task.delegateFacts ?? from.delegateFacts
  out.connection = task.connection ?? from.connection
  out.remoteUser = task.remoteUser ?? from.remoteUser
  out.port = task.port ?? from.port
  out.runOnce = task.runOnce ?? from.runOnce
  out.throttle = task.throttle ?? from.throttle
  // As Ansible: module_defaults add up, the enclosing ones first (a later entry for a module replaces it).
  if (from.moduleDefaults || task.moduleDefaults)
    out.moduleDefaults = [...(from.moduleDefaults ?? []), ...(task.moduleDefaults ?? [])]
  // As Ansible: a task's own notify replaces the enclosing one (the lists are not merged).
  out.notify = task.notify ?? from.notify
  for (const key of [
    'ignoreErrors',
    'ignoreUnreachable',
    'noLog',
    'checkMode',
    'diff',
    'timeout',
    'notify',
    'anyErrorsFatal',
    'delegateTo',
    'delegateFacts',
    'connection',
    'remoteUser',
    'port',
    'runOnce',
    'throttle'
  ] as const)
    if (out[key] === undefined) delete out[key]
  return out
}

/** The key naming an import (`import_tasks`, or its ansible.builtin/legacy name) in an entry, if any. */
export function importKey(raw: Record<string, unknown>, keyword: string): string | undefined {
  return [keyword, ...FQCN_PREFIXES.map((p) => p + keyword)].find((k) => raw[k] !== undefined)
}

/** JSON with sorted keys: equal values give equal text. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    isRecord(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v
  )
}

export function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value]
}

export function union(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])]
}

export function normaliseLoop(
  raw: unknown,
  keyword: string
): { value: unknown; flatten: boolean; lookup?: string } {
  // with_items flattens one level, as in Ansible; loop and with_list do not. The other with_<lookup>
  // forms run their lookup on the templated value.
  if (keyword === 'loop' || keyword === 'with_items' || keyword === 'with_list')
    return {
      value: raw,
      flatten: keyword === 'with_items',
      // with_items and with_list are lookups in Ansible too: their items are marked unsafe.
      ...(keyword === 'loop' ? {} : { viaLookup: true })
    }
  return { value: raw, flatten: false, lookup: keyword.slice('with_'.length) }
}

export function normaliseTags(raw: unknown): string[] {
  if (raw === undefined || raw === null) return []
  // A list's `!unsafe` items stay marked (rendered to their text when tags are templated); an `!unsafe`
  // string is split like any other, which drops the mark in Ansible too.
  if (Array.isArray(raw)) return raw.map(String)
  return String(unsafeText(raw))
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
}

export function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing'
  if (Array.isArray(value)) return 'a list'
  if (value instanceof PyFloat) return `the float ${String(value)}`
  if (typeof value === 'object') return 'a mapping'
  return `the ${typeof value} ${JSON.stringify(value)}`
}
