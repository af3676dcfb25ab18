import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { closestMatch, PlaybookError, type SourceLocation } from '../errors.js'
import { parseKeyValueArgs } from './kv-args.js'
import {
  BLOCK_KEYWORDS,
  IMPORT_PLAYBOOK_KEYWORDS,
  IMPORT_TASKS_KEYWORDS,
  PLAY_KEYWORDS,
  TASK_KEYWORDS,
  UNSUPPORTED_KEYWORDS
} from './keywords.js'
import type {
  BecomeKeywords,
  BlockFrame,
  Conditional,
  DynamicInclude,
  Play,
  Playbook,
  RoleRef,
  Task
} from './types.js'
import { findRole, ROLE_ENTRY_KEYWORDS, ROLE_IMPORT_ARGS, roleFile } from './roles.js'
import { inheritTags } from './tags.js'
import { parseYaml, type YamlDocument } from './yaml-loader.js'

/** What the loader needs to know about modules: their names and which take a free-form string. */
export interface ModuleCatalog {
  names: ReadonlySet<string>
  freeForm: ReadonlySet<string>
}

const INLINE_LABEL = '<inline playbook>'
/** How many files deep includes may nest (a recursive include_tasks stops here). */
const MAX_INCLUDE_DEPTH = 64
const FQCN_PREFIXES = ['ansible.builtin.', 'ansible.legacy.']

/**
 * Loads a playbook from a file path or from inline YAML text.
 * Text is taken as inline YAML when it holds a newline or starts like a YAML list.
 */
export function loadPlaybook(
  source: string,
  modules: ModuleCatalog,
  cwd = process.cwd()
): Playbook {
  const looksInline = source.includes('\n') || source.trimStart().startsWith('-')
  if (!looksInline) {
    const file = path.resolve(cwd, source)
    if (!existsSync(file)) {
      throw new PlaybookError(
        `the playbook '${source}' could not be found (looked in ${path.dirname(file)}). Pass a playbook file path or inline YAML text.`
      )
    }
    const text = readPlaybookFile(
      file,
      (reason) =>
        `the playbook '${source}' cannot be read: ${reason}. Pass a playbook file path or inline YAML text.`
    )
    return parsePlaybookText(text, source, path.dirname(file), modules)
  }
  return parsePlaybookText(source, INLINE_LABEL, cwd, modules)
}

/** Parses playbook YAML text; `file` is used in every location. */
export function parsePlaybookText(
  text: string,
  file: string,
  baseDir: string,
  modules: ModuleCatalog
): Playbook {
  const doc = parseYaml(text, file)
  // The chain of files being loaded, to refuse an import cycle; an inline playbook has no file to revisit.
  const chain = file === INLINE_LABEL ? [] : [path.resolve(baseDir, path.basename(file))]
  const loader = new Loader(doc, file, baseDir, { modules, ids: { next: 0 } }, chain, baseDir)
  return { file, baseDir, plays: loader.plays() }
}

/** What the blocks around a task hand down to it: their frames and the keywords it inherits. */
interface Inherited {
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
  /** The role whose tasks these are. */
  role?: RoleRef
}

const TOP_LEVEL: Inherited = { frames: [], when: [], vars: {}, environment: [], tags: [] }

/** What every file of one playbook load shares: the module catalog and the block id counter. */
interface LoadContext {
  modules: ModuleCatalog
  ids: { next: number }
  /** While a play loads: the roles, role handlers and role uses it has gathered so far. */
  play?: PlayRoles
}

/** The roles one play gathers as it loads (from `roles:`, their dependencies and import_role). */
interface PlayRoles {
  /** Public roles: their defaults and vars are seen by every task of the play. */
  roles: RoleRef[]
  /** Role handlers, in the order their roles were loaded (they come before the play's own). */
  handlers: Task[]
  /** Role uses already loaded under `roles:` (path and parameters): a repeat is skipped, as in Ansible. */
  seen: Set<string>
  /** Handler files already added. */
  handlerFiles: Set<string>
}

/** A role invocation: the role's name and what the invocation adds. */
interface RoleSpec {
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
interface RoleFrom {
  tasks?: string
  vars?: string
  defaults?: string
  handlers?: string
}

/** What the loader keeps on a dynamic include: the load context and what the included tasks inherit. */
interface IncludeState {
  load: LoadContext
  inherited: Inherited
  /** The role uses of the play (filled as the play loads): a dependency already used is not run again. */
  seen?: Set<string>
}

/** The tasks (and for a role, the handlers and the role) a dynamic include brings in. */
export interface LoadedInclude {
  /** The included task file (absolute). */
  file: string
  tasks: Task[]
  handlers: Task[]
  role?: RoleRef
}

/**
 * Loads what a dynamic include names, with its arguments rendered for one host: include_tasks' file
 * (relative to the file holding the include), or include_role's role. Throws PlaybookError.
 */
export function loadInclude(
  include: DynamicInclude,
  args: Record<string, unknown>,
  location: SourceLocation
): LoadedInclude {
  const state = include.context as IncludeState
  const loader = new Loader(
    undefined,
    include.file,
    include.dir,
    {
      ...state.load,
      play: {
        roles: [],
        handlers: [],
        seen: new Set(state.seen),
        handlerFiles: new Set()
      }
    },
    include.chain,
    include.playDir
  )
  return loader.dynamicInclude(include.kind, args, state, location)
}

/** Loads one YAML file of a playbook: the playbook itself, or a file it imports. */
class Loader {
  private readonly modules: ModuleCatalog

  /**
   * @param file  the file's label in locations (as the user would find it)
   * @param dir   the absolute directory that imports and vars_files in this file resolve against
   * @param chain the absolute paths of the files importing this one, this one last
   */
  constructor(
    private readonly doc: YamlDocument | undefined,
    private readonly file: string,
    private readonly dir: string,
    private readonly context: LoadContext,
    private readonly chain: readonly string[],
    /** The playbook's directory: roles are looked up under its `roles/`. */
    private readonly playDir: string
  ) {
    this.modules = context.modules
  }

  plays(): Play[] {
    const data = this.doc?.data
    if (data === null || data === undefined) {
      throw new PlaybookError('the playbook is empty: expected a list of plays', this.at(undefined))
    }
    if (!Array.isArray(data)) {
      throw new PlaybookError(
        'a playbook must be a list of plays (each starting with `- hosts: …`), but this file holds a ' +
          describe(data),
        this.at(data)
      )
    }
    return data.flatMap((entry) => {
      if (isMapping(entry)) {
        const key = importKey(entry, 'import_playbook')
        if (key) return this.importPlaybook(entry, key)
      }
      return [this.play(entry, data)]
    })
  }

  /** `- import_playbook: other.yml`: the other playbook's plays, inlined here (with this entry's vars and tags). */
  private importPlaybook(raw: Record<string, unknown>, key: string): Play[] {
    const location = this.at(raw)
    if (raw.when !== undefined) {
      throw new PlaybookError(
        "'when' on import_playbook is not supported yet; put the condition on the imported plays' tasks (or in a block)",
        location
      )
    }
    this.checkKeys(raw, new Set([...IMPORT_PLAYBOOK_KEYWORDS, key]), 'import_playbook', location)
    const child = this.importedFile(raw[key], key, location, true)
    const vars = this.mapping(raw.vars, 'vars', location)
    const tags = normaliseTags(raw.tags)
    return child.plays().map((play) => ({
      ...play,
      // As Ansible: the import's vars override the imported plays' own.
      vars: { ...play.vars, ...vars },
      tags: union(play.tags, tags),
      tasks: play.tasks.map((task) => ({ ...task, tags: union(task.tags, tags) }))
    }))
  }

  /** `- import_tasks: file.yml`: the file's tasks, inlined here with this entry's keywords inherited. */
  private importTasks(raw: Record<string, unknown>, key: string, outer: Inherited): Task[] {
    const location = this.at(raw)
    this.checkKeys(raw, new Set([...IMPORT_TASKS_KEYWORDS, key]), 'import_tasks', location)
    const base = this.extend(outer, raw, location)
    const child = this.importedFile(raw[key], key, location)
    return child.tasksOfFile('import_tasks', base)
  }

  /** The tasks of this file (a list of tasks, or empty), each inheriting `base`. */
  private tasksOfFile(keyword: string, base: Inherited): Task[] {
    const data = this.doc?.data
    if (data === null || data === undefined) return []
    if (!Array.isArray(data)) {
      throw new PlaybookError(
        `a file loaded by ${keyword} must be a list of tasks, but it holds ${describe(data)}`,
        this.at(data)
      )
    }
    return data.flatMap((entry) => this.taskOrBlock(entry, data, base))
  }

  /**
   * Reads and parses a file named by an import keyword, relative to this file; refuses cycles. An imported
   * playbook looks up its roles next to itself; imported tasks, next to the playbook.
   */
  private importedFile(
    spec: unknown,
    keyword: string,
    location: SourceLocation,
    playbook = false
  ): Loader {
    let name = spec
    if (isMapping(spec) && Object.keys(spec).length === 1 && typeof spec['file'] === 'string') {
      name = spec['file']
    }
    if (typeof name !== 'string' || name.trim() === '') {
      throw new PlaybookError(
        `'${keyword}' must name a file, such as \`${keyword}: other.yml\`, found ${describe(spec)}`,
        location
      )
    }
    if (name.includes('{{') || name.includes('{%')) {
      throw new PlaybookError(
        `'${keyword}: ${name}': templated file names are not supported yet; write the path literally`,
        location
      )
    }
    // As Ansible: relative to the file that names it, else to the playbook's directory.
    let absolute = path.resolve(this.dir, name)
    if (!playbook && !existsSync(absolute) && existsSync(path.resolve(this.playDir, name)))
      absolute = path.resolve(this.playDir, name)
    const label =
      this.file === INLINE_LABEL || path.isAbsolute(name) ? name : this.labelOf(absolute)
    // A dynamic include may include itself (recursion that a `when` ends), as in Ansible, up to a depth.
    if (keyword === 'include_tasks' && this.chain.length >= MAX_INCLUDE_DEPTH) {
      throw new PlaybookError(
        `'include_tasks: ${name}' is nested ${MAX_INCLUDE_DEPTH} files deep; an include that includes itself needs a \`when\` that ends the recursion`,
        location
      )
    }
    if (keyword !== 'include_tasks' && this.chain.includes(absolute)) {
      const cycle = [...this.chain, absolute].map((f) => path.relative(this.dir, f) || f)
      throw new PlaybookError(
        `'${keyword}: ${name}' makes an import cycle (${cycle.join(' → ')}); remove one of the imports`,
        location
      )
    }
    const text = readPlaybookFile(
      absolute,
      (reason) =>
        `'${keyword}: ${name}' cannot be read: ${reason}. Paths are relative to the file that imports them`,
      location
    )
    const doc = parseYaml(text, label)
    const dir = path.dirname(absolute)
    return new Loader(
      doc,
      label,
      dir,
      this.context,
      [...this.chain, absolute],
      playbook ? dir : this.playDir
    )
  }

  /** A loader for a file this one refers to by absolute path (a role's files), labelled relative to this one. */
  private fileLoader(absolute: string, location: SourceLocation): Loader {
    const label = this.labelOf(absolute)
    const text = readPlaybookFile(
      absolute,
      (reason) => `'${label}' cannot be read: ${reason}`,
      location
    )
    return new Loader(
      parseYaml(text, label),
      label,
      path.dirname(absolute),
      this.context,
      [...this.chain, absolute],
      this.playDir
    )
  }

  /** How a file is named in locations: relative to this file's label when this file has a path. */
  private labelOf(absolute: string): string {
    if (this.file === INLINE_LABEL) return path.relative(process.cwd(), absolute) || absolute
    return path.join(path.dirname(this.file), path.relative(this.dir, absolute))
  }

  /** A play's `vars_files`: each file a mapping of variables, merged in order (later files win). */
  private varsFiles(raw: unknown, location: SourceLocation): Record<string, unknown> {
    if (raw === undefined || raw === null) return {}
    const list = Array.isArray(raw) ? raw : [raw]
    const out: Record<string, unknown> = {}
    for (const entry of list) {
      if (typeof entry !== 'string') {
        throw new PlaybookError(
          `'vars_files' must be a list of file paths, found ${describe(entry)} in it` +
            (Array.isArray(entry) ? ' (first-found lists are not supported yet)' : ''),
          location
        )
      }
      if (entry.includes('{{') || entry.includes('{%')) {
        throw new PlaybookError(
          `'vars_files: ${entry}': templated file names are not supported yet; write the path literally`,
          location
        )
      }
      const absolute = path.resolve(this.dir, entry)
      const text = readPlaybookFile(
        absolute,
        (reason) =>
          `the vars file '${entry}' cannot be read: ${reason}. Paths are relative to the playbook`,
        location
      )
      const label =
        this.file === INLINE_LABEL || path.isAbsolute(entry)
          ? entry
          : path.join(path.dirname(this.file), entry)
      const data = parseYaml(text, label).data
      if (data === null || data === undefined) continue
      if (!isMapping(data)) {
        throw new PlaybookError(
          `the vars file '${entry}' must hold a mapping of variable names to values, found ${describe(data)}`,
          { file: label, line: 1 }
        )
      }
      Object.assign(out, data)
    }
    return out
  }

  private play(raw: unknown, parent: object): Play {
    if (!isMapping(raw)) {
      throw new PlaybookError(
        `each play must be a mapping with \`hosts:\`, found ${describe(raw)}`,
        this.at(parent)
      )
    }
    const location = this.at(raw)
    this.checkKeys(raw, PLAY_KEYWORDS, 'play', location)
    if (raw.hosts === undefined || raw.hosts === null || raw.hosts === '') {
      throw new PlaybookError("the play has no 'hosts': add `hosts: all` or a group name", location)
    }
    const hosts = raw.hosts
    if (
      typeof hosts !== 'string' &&
      !(Array.isArray(hosts) && hosts.every((h) => typeof h === 'string'))
    ) {
      throw new PlaybookError(
        `'hosts' must be a host pattern string or a list of them, found ${describe(hosts)}`,
        location
      )
    }
    if (raw.strategy !== undefined && raw.strategy !== 'linear') {
      throw new PlaybookError(
        `strategy ${typeof raw.strategy === 'string' ? `'${raw.strategy}'` : describe(raw.strategy)} is not supported; only 'linear' is`,
        location
      )
    }
    const become = becomeKeywords(raw, location)
    if (raw.check_mode !== undefined && raw.check_mode !== false) {
      throw new PlaybookError(
        "'check_mode' is not supported yet; remove it or set it to false",
        location
      )
    }
    const vars = this.mapping(raw.vars, 'vars', location)
    const varsFiles = this.varsFiles(raw.vars_files, location)
    if (raw.connection !== undefined) vars['ansible_connection'] = raw.connection
    if (raw.remote_user !== undefined) vars['ansible_user'] = raw.remote_user
    const tags = normaliseTags(raw.tags)
    const roles: PlayRoles = { roles: [], handlers: [], seen: new Set(), handlerFiles: new Set() }
    this.context.play = roles
    // A play's tags apply to each of its tasks, as Ansible's tag inheritance does.
    // As Ansible: handlers notified in a section run when it ends (an implicit `meta: flush_handlers`);
    // the roles run after pre_tasks, before tasks, in the same section as tasks.
    const tasks = [
      ...this.taskList(raw.pre_tasks, 'pre_tasks', location),
      implicitFlush(location),
      ...this.playRoles(raw.roles, location),
      ...this.taskList(raw.tasks, 'tasks', location),
      implicitFlush(location),
      ...this.taskList(raw.post_tasks, 'post_tasks', location),
      implicitFlush(location)
    ].map((task) => ({ ...task, tags: inheritTags(task.tags, tags) }))
    // As Ansible: the roles' handlers come before the play's own.
    const handlers = [...roles.handlers, ...this.handlerList(raw.handlers, location)].map(
      (task) => ({ ...task, tags: inheritTags(task.tags, tags) })
    )
    this.context.play = undefined
    return {
      name:
        raw.name === undefined || raw.name === null
          ? typeof hosts === 'string'
            ? hosts
            : hosts.join(',')
          : this.nameOf(raw.name, location),
      hosts,
      vars,
      ...(Object.keys(varsFiles).length > 0 ? { varsFiles } : {}),
      gatherFacts: raw.gather_facts ?? true,
      tasks,
      handlers,
      ...(raw.force_handlers === undefined ? {} : { forceHandlers: raw.force_handlers }),
      tags,
      anyErrorsFatal: raw.any_errors_fatal ?? false,
      maxFailPercentage: raw.max_fail_percentage,
      serial: raw.serial,
      ignoreErrors: raw.ignore_errors,
      environment: raw.environment,
      ...(become ? { become } : {}),
      ...(roles.roles.length > 0 ? { roles: roles.roles } : {}),
      location
    }
  }

  /** The play's `roles:`: each role's tasks (its dependencies first), a repeated role only once. */
  private playRoles(raw: unknown, location: SourceLocation): Task[] {
    if (raw === undefined || raw === null) return []
    if (!Array.isArray(raw)) {
      throw new PlaybookError(
        `'roles' must be a list of role names or \`- role: name\` entries, found ${describe(raw)}`,
        this.at(raw, location)
      )
    }
    return raw.flatMap((entry) => {
      const spec = this.roleSpec(entry, this.at(isMapping(entry) ? entry : raw))
      return this.role(spec, TOP_LEVEL, { dedupe: true, from: {} })
    })
  }

  /** A `roles:` or `dependencies:` entry: a name, or a mapping with `role:` and keywords/parameters. */
  private roleSpec(entry: unknown, location: SourceLocation): RoleSpec {
    if (typeof entry === 'string' && entry.trim() !== '') {
      return { name: entry.trim(), vars: {}, params: {}, keywords: {}, location }
    }
    const name = isMapping(entry) ? (entry.role ?? entry.name) : undefined
    if (!isMapping(entry) || typeof name !== 'string' || name.trim() === '') {
      throw new PlaybookError(
        `a role must be given as a name or as \`- role: <name>\` (with optional vars, tags, when), found ${describe(entry)}`,
        location
      )
    }
    const keywords: Record<string, unknown> = {}
    const params: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(entry)) {
      if (key === 'role' || (key === 'name' && entry.role === undefined) || key === 'vars') continue
      if (ROLE_ENTRY_KEYWORDS.has(key)) keywords[key] = value
      else if (Object.hasOwn(UNSUPPORTED_KEYWORDS, key))
        throw new PlaybookError(`'${key}' is not supported: ${UNSUPPORTED_KEYWORDS[key]}`, location)
      else params[key] = value
    }
    const vars = this.mapping(entry.vars, 'vars', location)
    return { name: name.trim(), vars, params, keywords, location }
  }

  /**
   * Loads one use of a role: its meta dependencies' tasks, then its own, each inheriting the invocation's
   * keywords. Its handlers go to the play (loaded statically) or come back in `handlers`.
   */
  private role(
    spec: RoleSpec,
    outer: Inherited,
    options: { dedupe: boolean; from: RoleFrom; handlers?: Task[]; loaded?: (ref: RoleRef) => void }
  ): Task[] {
    const dir = findRole(spec.name, this.playDir, spec.location)
    const play = this.context.play
    const meta = this.roleMapping(dir, 'meta', undefined, spec.location)
    const key = `${dir}\0${stableJson(spec.params)}\0${stableJson(spec.vars)}`
    if (options.dedupe && meta['allow_duplicates'] !== true && play) {
      if (play.seen.has(key)) return []
      play.seen.add(key)
    }
    // As Ansible: the invocation's `vars:` merge below the role's vars/main.yml, and both are exported.
    const vars = {
      ...spec.vars,
      ...this.roleMapping(dir, 'vars', options.from.vars, spec.location)
    }
    const ref: RoleRef = {
      name: path.basename(dir),
      path: dir,
      defaults: this.roleMapping(dir, 'defaults', options.from.defaults, spec.location),
      vars,
      params: spec.params
    }
    const base: Inherited = { ...this.extend(outer, spec.keywords, spec.location), role: ref }
    options.loaded?.(ref)
    const tasks: Task[] = []
    const dependencies = meta['dependencies']
    if (dependencies !== undefined && dependencies !== null) {
      if (!Array.isArray(dependencies)) {
        throw new PlaybookError(
          `'dependencies' in ${this.labelOf(roleFile(dir, 'meta')!)} must be a list of roles, found ${describe(dependencies)}`,
          spec.location
        )
      }
      for (const dependency of dependencies) {
        const depSpec = this.roleSpec(dependency, spec.location)
        tasks.push(
          ...this.role(depSpec, base, { dedupe: true, from: {}, handlers: options.handlers })
        )
      }
    }
    if (play && !play.roles.some((r) => r.path === ref.path && r === ref)) play.roles.push(ref)
    const tasksFile = roleFile(dir, 'tasks', options.from.tasks ?? 'main')
    if (tasksFile) {
      tasks.push(
        ...this.fileLoader(tasksFile, spec.location).tasksOfFile(`role '${ref.name}'`, base)
      )
    } else if (options.from.tasks !== undefined) {
      throw new PlaybookError(
        `the role '${ref.name}' has no tasks file '${options.from.tasks}' (looked in ${path.join(dir, 'tasks')})`,
        spec.location
      )
    }
    const handlersFile = roleFile(dir, 'handlers', options.from.handlers ?? 'main')
    const sink = options.handlers ?? play?.handlers
    if (handlersFile && sink && !play?.handlerFiles.has(handlersFile)) {
      play?.handlerFiles.add(handlersFile)
      const loader = this.fileLoader(handlersFile, spec.location)
      const data = loader.doc?.data
      for (const handler of loader.handlerList(data, spec.location))
        sink.push({ ...handler, role: ref, tags: union(base.tags, handler.tags) })
    }
    return tasks
  }

  /** A role's defaults, vars or meta file as a mapping (empty when the role has none). */
  private roleMapping(
    dir: string,
    sub: string,
    from: string | undefined,
    location: SourceLocation
  ): Record<string, unknown> {
    const file = roleFile(dir, sub, from ?? 'main')
    if (!file) {
      if (from === undefined) return {}
      throw new PlaybookError(
        `the role '${path.basename(dir)}' has no ${sub} file '${from}' (looked in ${path.join(dir, sub)})`,
        location
      )
    }
    const loader = this.fileLoader(file, location)
    const data = loader.doc?.data
    if (data === null || data === undefined) return {}
    if (!isMapping(data)) {
      throw new PlaybookError(
        `${loader.file} must hold a mapping, found ${describe(data)}`,
        loader.at(data)
      )
    }
    return { ...data }
  }

  /** `import_role:` (static): the role's tasks here, inheriting this entry's keywords. */
  private importRole(raw: Record<string, unknown>, key: string, outer: Inherited): Task[] {
    const location = this.at(raw)
    this.checkKeys(raw, new Set([...IMPORT_TASKS_KEYWORDS, key]), 'import_role', location)
    const args = this.roleArgs(raw[key], 'import_role', location)
    if (typeof args.name !== 'string' || args.name.includes('{{')) {
      throw new PlaybookError(
        "'import_role' needs a literal `name:` (a templated role name needs include_role)",
        location
      )
    }
    const { vars, ...keywords } = raw
    delete keywords[key]
    const spec: RoleSpec = {
      name: args.name,
      vars: this.mapping(vars, 'vars', location),
      params: {},
      keywords,
      location
    }
    return this.role(spec, outer, { dedupe: false, from: args.from })
  }

  /** The arguments of import_role / include_role, checked. */
  private roleArgs(
    raw: unknown,
    keyword: string,
    location: SourceLocation
  ): { name: unknown; from: RoleFrom; rest: Record<string, unknown> } {
    const args = this.moduleArgs(raw, keyword, location)
    const allowed =
      keyword === 'include_role' ? [...ROLE_IMPORT_ARGS, 'apply', 'public'] : [...ROLE_IMPORT_ARGS]
    for (const key of Object.keys(args)) {
      if (allowed.includes(key)) continue
      const guess = closestMatch(key, new Set(allowed))
      throw new PlaybookError(
        `'${key}' is not a valid argument of ${keyword}${guess ? ` (did you mean '${guess}'?)` : ''}. It takes: ${allowed.join(', ')}`,
        location
      )
    }
    const from: RoleFrom = {}
    for (const part of ['tasks', 'vars', 'defaults', 'handlers'] as const) {
      const value = args[`${part}_from`]
      if (value !== undefined && value !== null) from[part] = String(value)
    }
    return { name: args['name'], from, rest: args }
  }

  /** Runs at include time: loads what an include_tasks / include_role names for one host. */
  dynamicInclude(
    kind: 'tasks' | 'role',
    args: Record<string, unknown>,
    state: IncludeState,
    location: SourceLocation
  ): LoadedInclude {
    const apply = args['apply']
    let base = state.inherited
    if (apply !== undefined && apply !== null) {
      if (!isMapping(apply)) {
        throw new PlaybookError(
          `'apply' must be a mapping of keywords for the included tasks, found ${describe(apply)}`,
          location
        )
      }
      this.checkKeys(apply, IMPORT_TASKS_KEYWORDS, 'apply', location)
      base = this.extend(base, apply, location)
    }
    if (kind === 'tasks') {
      const { _raw_params: rawParams, file, apply: _apply, ...rest } = args
      const name = file ?? rawParams
      for (const key of Object.keys(rest)) {
        throw new PlaybookError(
          `'${key}' is not a valid argument of include_tasks: it takes a file name (or \`file:\`) and \`apply:\`. Put variables under the task's \`vars:\``,
          location
        )
      }
      const child = this.importedFile(name, 'include_tasks', location)
      const tasks = child.tasksOfFile('include_tasks', base)
      return { file: path.resolve(child.dir, path.basename(child.file)), tasks, handlers: [] }
    }
    const { name, from } = this.roleArgs(args, 'include_role', location)
    if (typeof name !== 'string' || name.trim() === '') {
      throw new PlaybookError("'include_role' needs `name:` naming the role", location)
    }
    const spec: RoleSpec = { name, vars: {}, params: {}, keywords: {}, location }
    const handlers: Task[] = []
    let role: RoleRef | undefined
    const tasks = this.role(spec, base, {
      dedupe: false,
      from,
      handlers,
      loaded: (ref) => (role = ref)
    })
    return {
      file: roleFile(role!.path, 'tasks', from.tasks ?? 'main') ?? role!.path,
      tasks,
      handlers,
      role: role!
    }
  }

  /** The play's `handlers:`: plain tasks (no blocks) that may also carry `listen:`. */
  private handlerList(raw: unknown, playLocation: SourceLocation): Task[] {
    if (raw === undefined || raw === null) return []
    if (!Array.isArray(raw)) {
      throw new PlaybookError(
        `'handlers' must be a list of tasks, found ${describe(raw)}`,
        this.at(raw, playLocation)
      )
    }
    return raw.map((entry) => {
      if (
        isMapping(entry) &&
        (entry.block !== undefined ||
          ['import_tasks', 'include_tasks', 'import_role', 'include_role'].some((k) =>
            importKey(entry, k)
          ))
      ) {
        throw new PlaybookError(
          'blocks, imports and includes under `handlers:` are not supported yet; write each handler as a task',
          this.at(entry)
        )
      }
      const { listen, ...rest } = isMapping(entry) ? entry : { listen: undefined }
      const task = this.task(isMapping(entry) ? rest : entry, raw)
      if (task.module === 'meta') {
        throw new PlaybookError(
          `'meta' cannot be used as a handler ('${task.name}'); make it a task`,
          task.location
        )
      }
      const topics = this.nameList(listen, 'listen', task.location)
      return topics.length > 0 ? { ...task, listen: topics } : task
    })
  }

  /** `notify` / `listen`: a name or a list of names. */
  private nameList(raw: unknown, keyword: string, location: SourceLocation): string[] {
    if (raw === undefined || raw === null) return []
    const list = Array.isArray(raw) ? raw : [raw]
    return list.map((item) => {
      if (typeof item === 'string' || typeof item === 'number') return String(item)
      throw new PlaybookError(
        `'${keyword}' must be a handler name or a list of them, found ${describe(item)}`,
        location
      )
    })
  }

  private taskList(raw: unknown, keyword: string, playLocation: SourceLocation): Task[] {
    if (raw === undefined || raw === null) return []
    if (!Array.isArray(raw)) {
      throw new PlaybookError(
        `'${keyword}' must be a list of tasks, found ${describe(raw)}`,
        this.at(raw, playLocation)
      )
    }
    return raw.flatMap((entry) => this.taskOrBlock(entry, raw, TOP_LEVEL))
  }

  /** A task, or the tasks of a block (flattened, each carrying its block frames and inherited keywords). */
  private taskOrBlock(raw: unknown, parent: object, inherited: Inherited): Task[] {
    if (isMapping(raw) && raw.block !== undefined) return this.block(raw, inherited)
    const imported = isMapping(raw) ? importKey(raw, 'import_tasks') : undefined
    if (imported) return this.importTasks(raw as Record<string, unknown>, imported, inherited)
    const role = isMapping(raw) ? importKey(raw, 'import_role') : undefined
    if (role) return this.importRole(raw as Record<string, unknown>, role, inherited)
    if (isMapping(raw) && (raw.rescue !== undefined || raw.always !== undefined)) {
      throw new PlaybookError(
        "'rescue' and 'always' belong to a block: put the tasks they guard under `block:` in the same entry",
        this.at(raw)
      )
    }
    const task = this.task(raw, parent)
    const full = inherited === TOP_LEVEL ? task : inherit(task, inherited)
    if (task.module !== 'include_tasks' && task.module !== 'include_role') return [full]
    // A dynamic include: its own when, loop and tags apply to the include alone; its vars (and the
    // enclosing blocks' keywords) reach the tasks it brings in.
    if (task.module === 'include_role') {
      const { name } = this.roleArgs(task.args, 'include_role', task.location)
      // As Ansible shows an unnamed include_role: `include_role : <role>`.
      if (!task.named && typeof name === 'string') full.name = `include_role : ${name}`
    }
    const state: IncludeState = {
      load: this.context,
      inherited,
      ...(this.context.play ? { seen: this.context.play.seen } : {})
    }
    const include: DynamicInclude = {
      kind: task.module === 'include_tasks' ? 'tasks' : 'role',
      dir: this.dir,
      file: this.file,
      playDir: this.playDir,
      chain: this.chain,
      vars: task.vars,
      context: state
    }
    return [{ ...full, include }]
  }

  private block(raw: Record<string, unknown>, outer: Inherited): Task[] {
    const location = this.at(raw)
    for (const key of Object.keys(raw)) {
      if (BLOCK_KEYWORDS.has(key)) continue
      if (key === 'any_errors_fatal') {
        throw new PlaybookError(
          "'any_errors_fatal' is not supported on a block yet; set it on the play",
          location
        )
      }
      const guess = closestMatch(key, BLOCK_KEYWORDS)
      throw new PlaybookError(
        `'${key}' is not a valid keyword for a block${guess ? ` (did you mean '${guess}'?)` : ''}. A block takes: ${[...BLOCK_KEYWORDS].join(', ')}. Put module arguments and task keywords such as loop or register on the tasks inside it`,
        location
      )
    }
    const id = this.context.ids.next++
    const name =
      raw.name === undefined || raw.name === null ? undefined : this.nameOf(raw.name, location)
    const base = this.extend(outer, raw, location)
    const tasks: Task[] = []
    for (const section of ['block', 'rescue', 'always'] as const) {
      const list = raw[section]
      if (list === undefined || list === null) continue
      if (!Array.isArray(list)) {
        throw new PlaybookError(
          `'${section}' must be a list of tasks, found ${describe(list)}`,
          this.at(list, location)
        )
      }
      const frame: BlockFrame = { id, section, location, ...(name === undefined ? {} : { name }) }
      const inner: Inherited = { ...base, frames: [...outer.frames, frame] }
      for (const entry of list) tasks.push(...this.taskOrBlock(entry, list, inner))
    }
    return tasks
  }

  /** The keywords a block or an import hands down: its own merged over those it inherits. */
  private extend(
    outer: Inherited,
    raw: Record<string, unknown>,
    location: SourceLocation
  ): Inherited {
    if (raw.check_mode !== undefined && raw.check_mode !== false) {
      throw new PlaybookError(
        "'check_mode' is not supported yet; remove it or set it to false",
        location
      )
    }
    const become = becomeKeywords(raw, location)
    const ownVars = this.mapping(raw.vars, 'vars', location)
    return {
      frames: outer.frames,
      when: [...outer.when, ...this.conditionals(raw.when, 'when', location)],
      vars: { ...outer.vars, ...ownVars },
      environment:
        raw.environment === undefined || raw.environment === null
          ? outer.environment
          : [...outer.environment, ...asList(raw.environment)],
      tags: union(outer.tags, normaliseTags(raw.tags)),
      ...(outer.become || become ? { become: { ...outer.become, ...become } } : {}),
      ...(outer.role ? { role: outer.role } : {}),
      ignoreErrors: raw.ignore_errors ?? outer.ignoreErrors,
      ignoreUnreachable: raw.ignore_unreachable ?? outer.ignoreUnreachable,
      noLog: raw.no_log ?? outer.noLog,
      timeout: raw.timeout ?? outer.timeout
    }
  }

  private task(raw: unknown, parent: object): Task {
    if (!isMapping(raw)) {
      throw new PlaybookError(
        `each task must be a mapping such as \`- name: … \\n  shell: …\`, found ${describe(raw)}`,
        this.at(parent)
      )
    }
    const location = this.at(raw)
    let moduleKey: string | undefined
    let moduleName: string | undefined
    for (const key of Object.keys(raw)) {
      if (TASK_KEYWORDS.has(key)) continue
      const hint = Object.hasOwn(UNSUPPORTED_KEYWORDS, key) ? UNSUPPORTED_KEYWORDS[key] : undefined
      if (hint) throw new PlaybookError(`'${key}' is not supported: ${hint}`, location)
      const canonical = canonicalModule(key)
      if (this.modules.names.has(canonical) || canonical === 'meta') {
        if (moduleKey) {
          throw new PlaybookError(
            `conflicting action statements: '${moduleKey}' and '${key}'. A task runs exactly one module; split it into two tasks`,
            location
          )
        }
        moduleKey = key
        moduleName = canonical
        continue
      }
      throw new PlaybookError(this.unknownKeyMessage(key, moduleKey !== undefined), location)
    }
    let args: Record<string, unknown>
    if (moduleName === 'meta' && moduleKey) {
      args = { _raw_params: metaAction(raw[moduleKey], raw, location) }
    } else if (moduleKey && moduleName) {
      args = this.moduleArgs(raw[moduleKey], moduleName, location)
    } else if (typeof raw.action === 'string' || isMapping(raw.action)) {
      ;({ moduleName, args } = this.actionKeyword(raw.action, location))
      moduleKey = moduleName
    } else {
      throw new PlaybookError(
        'this task has no module: add one such as `shell: <command>`, `command: <argv>` or `debug: msg=…`',
        location
      )
    }
    if (raw.args !== undefined) {
      const extra = this.mapping(raw.args, 'args', location)
      args = { ...args, ...extra }
    }
    const become = becomeKeywords(raw, location)
    if (raw.check_mode !== undefined && raw.check_mode !== false) {
      throw new PlaybookError(
        "'check_mode' is not supported yet; remove it or set it to false",
        location
      )
    }
    const loopKeys = ['loop', 'with_items', 'with_list'].filter((k) => raw[k] !== undefined)
    if (loopKeys.length > 1) {
      throw new PlaybookError(`use only one of ${loopKeys.join(', ')} on a task`, location)
    }
    const loopKey = loopKeys[0]
    const loopControl = this.mapping(raw.loop_control, 'loop_control', location)
    for (const key of Object.keys(loopControl)) {
      if (!['loop_var', 'label', 'index_var', 'pause', 'extended'].includes(key)) {
        throw new PlaybookError(
          `unknown loop_control option '${key}' (expected loop_var, label, index_var or pause)`,
          location
        )
      }
    }
    if (
      raw.register !== undefined &&
      (typeof raw.register !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(raw.register))
    ) {
      throw new PlaybookError(
        `'register' must be a variable name (letters, digits, underscores), found ${JSON.stringify(raw.register)}`,
        location
      )
    }
    const named = raw.name !== undefined && raw.name !== null && raw.name !== ''
    const loopVar = loopControl['loop_var'] === undefined ? 'item' : String(loopControl['loop_var'])
    return {
      name: named ? this.nameOf(raw.name, location) : moduleKey!,
      named,
      module: moduleName,
      args,
      location,
      register: raw.register as string | undefined,
      when: this.conditionals(raw.when, 'when', location),
      loop: loopKey === undefined ? undefined : normaliseLoop(raw[loopKey], loopKey),
      loopControl: {
        loopVar,
        label: loopControl['label'],
        indexVar:
          loopControl['index_var'] === undefined ? undefined : String(loopControl['index_var']),
        pause: loopControl['pause']
      },
      until: this.conditionals(raw.until, 'until', location),
      retries: raw.retries,
      delay: raw.delay,
      failedWhen: this.conditionals(raw.failed_when, 'failed_when', location),
      changedWhen: this.conditionals(raw.changed_when, 'changed_when', location),
      ignoreErrors: raw.ignore_errors,
      ignoreUnreachable: raw.ignore_unreachable,
      vars: this.mapping(raw.vars, 'vars', location),
      environment: raw.environment,
      noLog: raw.no_log,
      timeout: raw.timeout,
      runOnce: raw.run_once,
      async: raw.async,
      poll: raw.poll,
      tags: normaliseTags(raw.tags),
      ...(become ? { become } : {}),
      ...(raw.notify === undefined || raw.notify === null
        ? {}
        : { notify: this.nameList(raw.notify, 'notify', location) })
    }
  }

  private actionKeyword(
    action: unknown,
    location: SourceLocation
  ): { moduleName: string; args: Record<string, unknown> } {
    if (typeof action === 'string') {
      const match = /^\s*(\S+)\s*([\s\S]*)$/.exec(action)
      const name = canonicalModule(match?.[1] ?? '')
      if (!this.modules.names.has(name))
        throw new PlaybookError(this.unknownKeyMessage(match?.[1] ?? '', false), location)
      return { moduleName: name, args: this.moduleArgs(match?.[2] ?? '', name, location) }
    }
    const mapping = action as Record<string, unknown>
    const moduleRaw = mapping['module']
    const name = canonicalModule(typeof moduleRaw === 'string' ? moduleRaw : '')
    if (!this.modules.names.has(name)) {
      throw new PlaybookError("'action' needs a 'module:' naming a supported module", location)
    }
    const args = { ...mapping }
    delete args['module']
    return { moduleName: name, args }
  }

  private moduleArgs(
    raw: unknown,
    module: string,
    location: SourceLocation
  ): Record<string, unknown> {
    if (raw === null || raw === undefined) return {}
    if (isMapping(raw)) return { ...raw }
    if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') {
      return parseKeyValueArgs(String(raw), this.modules.freeForm.has(module))
    }
    throw new PlaybookError(
      `the arguments of '${module}' must be a mapping or a string, found ${describe(raw)}`,
      location
    )
  }

  private unknownKeyMessage(key: string, hasModule: boolean): string {
    const keyword = closestMatch(key, TASK_KEYWORDS)
    const moduleGuess = closestMatch(key, this.modules.names)
    if (hasModule || (keyword && !moduleGuess)) {
      return `'${key}' is not a valid task keyword${keyword ? ` (did you mean '${keyword}'?)` : ''}`
    }
    const suggestion = moduleGuess ? `did you mean '${moduleGuess}'? ` : ''
    return (
      `couldn't resolve module/action '${key}': ${suggestion}` +
      `Supported modules: ${[...this.modules.names].sort().join(', ')}. To run any command, use \`shell: <command>\``
    )
  }

  private mapping(
    raw: unknown,
    keyword: string,
    location: SourceLocation
  ): Record<string, unknown> {
    if (raw === undefined || raw === null) return {}
    if (!isMapping(raw)) {
      throw new PlaybookError(
        `'${keyword}' must be a mapping of names to values, found ${describe(raw)}`,
        this.at(raw, location)
      )
    }
    return { ...raw }
  }

  private conditionals(raw: unknown, keyword: string, location: SourceLocation): Conditional[] {
    if (raw === undefined || raw === null) return []
    const list = Array.isArray(raw) ? raw : [raw]
    for (const item of list) {
      if (typeof item !== 'string' && typeof item !== 'boolean' && typeof item !== 'number') {
        throw new PlaybookError(
          `'${keyword}' must be a Jinja2 expression or a list of them, found ${describe(item)}`,
          location
        )
      }
    }
    return list as Conditional[]
  }

  /** A play or task name: a string, or a number/boolean written without quotes. */
  private nameOf(raw: unknown, location: SourceLocation): string {
    if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean')
      return String(raw)
    throw new PlaybookError(`'name' must be a string, found ${describe(raw)}`, location)
  }

  /** Where a parsed node is; a scalar has no line of its own, so it gets `fallback` (else line 1). */
  private at(node: unknown, fallback?: SourceLocation): SourceLocation {
    const line = node !== null && typeof node === 'object' ? this.doc?.lineOf(node) : undefined
    if (line === undefined && fallback) return fallback
    return { file: this.file, line: line ?? 1 }
  }

  private checkKeys(
    raw: Record<string, unknown>,
    allowed: ReadonlySet<string>,
    what: string,
    location: SourceLocation
  ): void {
    for (const key of Object.keys(raw)) {
      if (allowed.has(key)) continue
      const hint = Object.hasOwn(UNSUPPORTED_KEYWORDS, key) ? UNSUPPORTED_KEYWORDS[key] : undefined
      if (hint) throw new PlaybookError(`'${key}' is not supported: ${hint}`, location)
      const guess = closestMatch(key, allowed)
      throw new PlaybookError(
        `'${key}' is not a valid ${what} keyword${guess ? ` (did you mean '${guess}'?)` : ''}. Valid keywords: ${[...allowed].join(', ')}`,
        location
      )
    }
  }
}

const BECOME_KEYS: Array<[keyword: string, field: keyof BecomeKeywords]> = [
  ['become', 'become'],
  ['become_user', 'becomeUser'],
  ['become_method', 'becomeMethod'],
  ['become_flags', 'becomeFlags'],
  ['become_exe', 'becomeExe']
]

/** The become keywords of a play or task (undefined when it has none); a literal method is checked here. */
function becomeKeywords(
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
function readPlaybookFile(
  file: string,
  message: (reason: string) => string,
  location?: SourceLocation
): string {
  try {
    return readFileSync(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const reason =
      code === 'ENOENT'
        ? `it could not be found (looked for ${file})`
        : code === 'EISDIR'
          ? 'it is a directory'
          : (error as Error).message
    throw new PlaybookError(message(reason), location)
  }
}

/** Strips `ansible.builtin.` / `ansible.legacy.`. */
export function canonicalModule(name: string): string {
  for (const prefix of FQCN_PREFIXES) if (name.startsWith(prefix)) return name.slice(prefix.length)
  return name
}

/** The meta actions this engine implements. */
export const META_ACTIONS = new Set(['flush_handlers', 'end_play', 'end_host', 'noop'])

/** The action of a `meta:` task, checked: one of META_ACTIONS, without a loop. */
function metaAction(
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
function implicitFlush(location: SourceLocation): Task {
  return {
    name: 'meta',
    named: false,
    module: 'meta',
    args: { _raw_params: 'flush_handlers' },
    location,
    when: [],
    loopControl: { loopVar: 'item' },
    until: [],
    failedWhen: [],
    changedWhen: [],
    vars: {},
    tags: [],
    implicit: true
  }
}

/** A task with the keywords of its enclosing blocks applied: the task's own win; `when` and `tags` add up. */
function inherit(task: Task, from: Inherited): Task {
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
  for (const key of ['ignoreErrors', 'ignoreUnreachable', 'noLog', 'timeout'] as const)
    if (out[key] === undefined) delete out[key]
  return out
}

/** The key naming an import (`import_tasks`, or its ansible.builtin/legacy name) in an entry, if any. */
function importKey(raw: Record<string, unknown>, keyword: string): string | undefined {
  return [keyword, ...FQCN_PREFIXES.map((p) => p + keyword)].find((k) => raw[k] !== undefined)
}

/** JSON with sorted keys: equal values give equal text. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    isMapping(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v
  )
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value]
}

function union(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])]
}

function normaliseLoop(raw: unknown, keyword: string): { value: unknown; flatten: boolean } {
  // with_items flattens one level, as in Ansible; loop and with_list do not.
  return { value: raw, flatten: keyword === 'with_items' }
}

function normaliseTags(raw: unknown): string[] {
  if (raw === undefined || raw === null) return []
  if (Array.isArray(raw)) return raw.map(String)
  return String(raw)
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  return `the ${typeof value} ${JSON.stringify(value)}`
}
