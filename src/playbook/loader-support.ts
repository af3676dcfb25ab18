// What the playbook loader's files share: the state of one load, the keywords blocks hand down, and small
// helpers for reading YAML values.
import { readFileSync } from 'node:fs'
import { PlaybookError, type SourceLocation } from '../errors.js'
import type { YamlDocument } from './yaml-loader.js'
import { unsafeText } from '../values/unsafe.js'
import {
  plainTask,
  type BecomeKeywords,
  type BlockFrame,
  type Conditional,
  type RoleRef,
  type Task
} from './types.js'
import { isRecord } from '../values/records.js'

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
  timeout?: unknown
  anyErrorsFatal?: unknown
  /** The nearest enclosing `notify` (a block's, an import's, an include's `apply`): for tasks without their own. */
  notify?: string[]
  /** The role whose tasks these are. */
  role?: RoleRef
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
  /** While a play loads: the roles, role handlers and role uses it has gathered so far. */
  play?: PlayRoles
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
  for (const key of ['loop', 'with_items', 'with_list', 'register', 'until']) {
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
  out.ignoreErrors = task.ignoreErrors ?? from.ignoreErrors
  out.ignoreUnreachable = task.ignoreUnreachable ?? from.ignoreUnreachable
  out.noLog = task.noLog ?? from.noLog
  out.timeout = task.timeout ?? from.timeout
  out.anyErrorsFatal = task.anyErrorsFatal ?? from.anyErrorsFatal
  // As Ansible: a task's own notify replaces the enclosing one (the lists are not merged).
  out.notify = task.notify ?? from.notify
  for (const key of [
    'ignoreErrors',
    'ignoreUnreachable',
    'noLog',
    'timeout',
    'notify',
    'anyErrorsFatal'
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

export function normaliseLoop(raw: unknown, keyword: string): { value: unknown; flatten: boolean } {
  // with_items flattens one level, as in Ansible; loop and with_list do not.
  return { value: raw, flatten: keyword === 'with_items' }
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
  if (typeof value === 'object') return 'a mapping'
  return `the ${typeof value} ${JSON.stringify(value)}`
}
