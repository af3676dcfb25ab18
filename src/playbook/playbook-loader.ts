// The playbook loader: loadPlaybook, parsePlaybookText and loadInclude, and the Loader class that walks a
// playbook file into plays, blocks, imports and handlers. Over 400 lines for a reason: Loader is one recursive
// walk (a block holds tasks, imports and blocks; a handler list holds the same) over one load state, the last
// layer of TaskParser -> RoleLoader -> Loader. What stands apart already lives apart: task entries
// (task-parser.ts), roles (role-loader.ts), a play's own fields (play-fields.ts), shared helpers
// (loader-support.ts). Splitting the walk itself (plays from blocks and handlers) is the next step, left until
// the includes rework that also edits it has settled.
import { existsSync } from 'node:fs'
import path from 'node:path'
import { closestMatch, PlaybookError, type SourceLocation } from '../errors.js'
import {
  BLOCK_KEYWORDS,
  IMPORT_PLAYBOOK_KEYWORDS,
  IMPORT_TASKS_KEYWORDS,
  INCLUDE_KEYWORDS,
  PLAY_KEYWORDS,
  PLAY_REFUSED,
  TASK_KEYWORDS
} from './keywords.js'
import {
  asList,
  becomeKeywords,
  canonicalModule,
  collectionsList,
  describe,
  implicitFlush,
  importKey,
  inherit,
  normaliseTags,
  readPlaybookFile,
  TOP_LEVEL,
  union,
  type IncludeState,
  type Inherited,
  type LoadContext,
  type ModuleCatalog,
  type PlayRoles,
  type RoleSpec
} from './loader-support.js'
import { isRecord } from '../values/records.js'
import { noDuplicatesOf, RoleLoader } from './role-loader.js'
import { roleFile, type RoleSearch } from './roles.js'
import type {
  BlockFrame,
  DynamicInclude,
  ModuleDefaults,
  Play,
  Playbook,
  RoleRef,
  Task
} from './types.js'
import { loadModuleDefaults } from './module-defaults.js'
import { loadVarsPrompt } from './vars-prompt.js'
import {
  INCLUDE_DEPRECATION,
  LEGACY_INCLUDE,
  LEGACY_INCLUDE_PARAMS,
  rewriteLegacyInclude
} from './legacy-include.js'
import { parseYaml, type YamlDocument } from './yaml-loader.js'
import { VaultError } from '../vault/index.js'
import { literalChoice, playHosts } from './play-fields.js'

export {
  becomeMethodProblem,
  canonicalBecomeMethod,
  canonicalModule,
  META_ACTIONS,
  type ModuleCatalog
} from './loader-support.js'
export { PLAY_ORDERS, PLAY_STRATEGIES, playChoiceProblem } from './play-fields.js'

const INLINE_LABEL = '<inline playbook>'
/** How many files deep includes may nest (a recursive include_tasks stops here). */
const MAX_INCLUDE_DEPTH = 64
/**
 * Loads a playbook from a file path or from inline YAML text.
 * Text is taken as inline YAML when it holds a newline or starts like a YAML list.
 */
export function loadPlaybook(
  source: string,
  modules: ModuleCatalog,
  cwd = process.cwd(),
  roles: RoleSearch = {}
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
    return parsePlaybookText(text, source, path.dirname(file), modules, roles)
  }
  return parsePlaybookText(source, INLINE_LABEL, cwd, modules, roles)
}

/** Parses playbook YAML text; `file` is used in every location. */
export function parsePlaybookText(
  text: string,
  file: string,
  baseDir: string,
  modules: ModuleCatalog,
  roles: RoleSearch = {}
): Playbook {
  const doc = parseYaml(text, file)
  // The chain of files being loaded, to refuse an import cycle; an inline playbook has no file to revisit.
  const chain = file === INLINE_LABEL ? [] : [path.resolve(baseDir, path.basename(file))]
  const context: LoadContext = { modules, ids: { next: 0 }, documents: new Map(), roles }
  const loader = new Loader(doc, file, baseDir, context, chain, baseDir)
  const plays = loader.plays()
  return {
    file,
    baseDir,
    plays,
    ...(context.warnings ? { warnings: [...context.warnings] } : {}),
    ...(context.deprecations ? { deprecations: [...context.deprecations] } : {})
  }
}

/** The tasks (and for a role, the handlers and the role) a dynamic include brings in. */
export interface LoadedInclude {
  /** The included task file (absolute). */
  file: string
  tasks: Task[]
  handlers: Task[]
  role?: RoleRef
  /** The deprecations of the load so far (a bare `include` in what it brought in among them). */
  deprecations?: string[]
}

/**
 * Loads what a dynamic include names, with its arguments rendered for one host: include_tasks' file
 * (relative to the file holding the include), or include_role's role. Throws PlaybookError.
 */
export function loadInclude(
  include: DynamicInclude,
  args: Record<string, unknown>,
  location: SourceLocation,
  /** The role the include is in (a role's handlers carry it only once loaded). */
  role?: RoleRef
): LoadedInclude {
  const state = include.loader
  const context: LoadContext = {
    ...state.load,
    // What the included file or role gathers: its handlers (and public roles, unused at run time).
    play: { roles: [], handlers: [], imported: [], listed: [] }
  }
  const loader = new Loader(
    undefined,
    include.file,
    include.dir,
    context,
    include.chain,
    include.playDir
  )
  const loaded = loader.dynamicInclude(include.kind, args, state, location, role)
  return context.deprecations ? { ...loaded, deprecations: [...context.deprecations] } : loaded
}

/** Loads one YAML file of a playbook: the playbook itself, or a file it imports. */
class Loader extends RoleLoader {
  /**
   * @param file  the file's label in locations (as the user would find it)
   * @param dir   the absolute directory that imports and vars_files in this file resolve against
   * @param chain the absolute paths of the files importing this one, this one last
   */
  constructor(
    doc: YamlDocument | undefined,
    file: string,
    protected readonly dir: string,
    context: LoadContext,
    private readonly chain: readonly string[],
    playDir: string
  ) {
    super(doc, file, context, playDir)
  }

  /** The plays of this playbook file; `tags` are those of the import_playbook entries that brought it in. */
  plays(tags: string[] = []): Play[] {
    const data = this.doc?.data
    // As ansible-playbook (exit 4): a file with no document, or an empty list, is refused.
    if (data === null || data === undefined) {
      throw new PlaybookError(
        `Empty playbook, nothing to do: ${this.file}. A playbook is a list of plays, each starting with \`- hosts: …\``,
        this.at(undefined)
      )
    }
    if (!Array.isArray(data)) {
      throw new PlaybookError(
        'a playbook must be a list of plays (each starting with `- hosts: …`), but this file holds ' +
          describe(data),
        this.at(data)
      )
    }
    if (data.length === 0) {
      throw new PlaybookError(
        `A playbook must contain at least one play: ${this.file}. Add a play such as \`- hosts: all\` with its tasks`,
        this.at(data)
      )
    }
    return data.flatMap((entry) => {
      if (isRecord(entry)) {
        const key = importKey(entry, 'import_playbook')
        if (key) return this.importPlaybook(entry, key, tags)
      }
      return [this.play(entry, data, tags)]
    })
  }

  /** `- import_playbook: other.yml`: the other playbook's plays, inlined here (with this entry's vars and tags). */
  private importPlaybook(raw: Record<string, unknown>, key: string, outerTags: string[]): Play[] {
    const location = this.at(raw)
    if (raw.when !== undefined) {
      throw new PlaybookError(
        "'when' on import_playbook is not supported yet; put the condition on the imported plays' tasks (or in a block)",
        location
      )
    }
    this.checkKeys(raw, new Set([...IMPORT_PLAYBOOK_KEYWORDS, key]), 'import_playbook', location)
    const child = this.importedFile(raw[key], key, location, true)
    const vars = this.varsOf(raw.vars, 'PlaybookInclude', location)
    const tags = union(outerTags, normaliseTags(raw.tags))
    // The imported plays take the import's tags (play() hands them down to every task, included ones too).
    // As Ansible: the import's vars override the imported plays' own.
    return child.plays(tags).map((play) => ({
      ...play,
      vars: { ...play.vars, ...vars },
      playbookFileDir: play.playbookFileDir ?? child.dir
    }))
  }

  /** `- import_tasks: file.yml`: the file's tasks, inlined here with this entry's keywords inherited. */
  private importTasks(raw: Record<string, unknown>, key: string, outer: Inherited): Task[] {
    const location = this.at(raw)
    this.checkKeys(raw, new Set([...IMPORT_TASKS_KEYWORDS, key]), 'import_tasks', location)
    const base = this.extend(outer, raw, location)
    const child = this.importedFile(raw[key], key, location, false, outer.role?.path)
    return child.tasksOfFile('import_tasks', base)
  }

  /**
   * This file's entries: a list of tasks, or none for an empty file. As Ansible: a file that holds no list
   * fails the hosts that include it (include_tasks); imported, it fails the load.
   */
  private fileEntries(keyword: string): unknown[] {
    const data = this.doc?.data
    if (data === null || data === undefined) return []
    if (!Array.isArray(data)) {
      throw new PlaybookError(
        `a file loaded by ${keyword} must be a list of tasks, but it holds ${describe(data)}`,
        this.at(data),
        keyword === 'include_tasks'
      )
    }
    return data
  }

  /** The tasks of this file (a list of tasks, or empty), each inheriting `base`. */
  protected tasksOfFile(keyword: string, base: Inherited): Task[] {
    const data = this.fileEntries(keyword)
    return data.flatMap((entry) => this.taskOrBlock(entry, data, base))
  }

  /**
   * Reads and parses a file named by an import keyword, relative to this file; refuses cycles. An imported
   * playbook looks up its roles next to itself; imported tasks, next to the playbook. In a role (`roleDir`),
   * its `tasks/` folder is searched too, as Ansible does: a role's handlers include its task files by name.
   */
  private importedFile(
    spec: unknown,
    keyword: string,
    location: SourceLocation,
    playbook = false,
    roleDir?: string
  ): Loader {
    let name = spec
    if (isRecord(spec) && Object.keys(spec).length === 1 && typeof spec['file'] === 'string') {
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
    // As Ansible: relative to the file that names it (in a role, also to its tasks/ folder), else to the
    // playbook's directory.
    let absolute = path.resolve(this.dir, name)
    if (!playbook && !existsSync(absolute)) {
      const candidates = [
        ...(roleDir === undefined ? [] : [path.resolve(roleDir, 'tasks', name)]),
        path.resolve(this.playDir, name)
      ]
      absolute = candidates.find((candidate) => existsSync(candidate)) ?? absolute
    }
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
    const doc = this.document(
      absolute,
      label,
      (reason) =>
        `'${keyword}: ${name}' cannot be read: ${reason}. Paths are relative to the file that names them, ${roleDir === undefined ? '' : "then to the role's tasks/ folder, "}then to the playbook's directory`,
      location
    )
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
  protected fileLoader(absolute: string, location: SourceLocation): Loader {
    const label = this.labelOf(absolute)
    return new Loader(
      this.document(absolute, label, (reason) => `'${label}' cannot be read: ${reason}`, location),
      label,
      path.dirname(absolute),
      this.context,
      [...this.chain, absolute],
      this.playDir
    )
  }

  /** Reads and parses a file of the playbook, once per run (see LoadContext.documents). */
  private document(
    absolute: string,
    label: string,
    message: (reason: string) => string,
    location: SourceLocation
  ): YamlDocument {
    let doc = this.context.documents.get(absolute)
    if (!doc) {
      try {
        doc = parseYaml(readPlaybookFile(absolute, message, location), label)
      } catch (error) {
        // A vault-encrypted file no password opens: said where the playbook names it.
        if (error instanceof VaultError && !error.location)
          throw new VaultError(error.message, location, error.ansibleMessage)
        throw error
      }
      this.context.documents.set(absolute, doc)
    }
    return doc
  }

  protected inChain(file: string): boolean {
    return this.chain.includes(file)
  }

  /** How a file is named in locations: relative to this file's label when this file has a path. */
  protected labelOf(absolute: string): string {
    if (this.file === INLINE_LABEL) return path.relative(process.cwd(), absolute) || absolute
    return path.join(path.dirname(this.file), path.relative(this.dir, absolute))
  }

  /** A play's `vars_files`: each file a mapping of variables, merged in order (later files win). */
  private varsFiles(raw: unknown, location: SourceLocation): Record<string, unknown> {
    if (raw === undefined || raw === null) return {}
    const list = Array.isArray(raw) ? raw : [raw]
    let out: Record<string, unknown> = {}
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
      const label =
        this.file === INLINE_LABEL || path.isAbsolute(entry) ? entry : this.labelOf(absolute)
      const data = this.document(
        absolute,
        label,
        (reason) =>
          `the vars file '${entry}' cannot be read: ${reason}. Paths are relative to the playbook`,
        location
      ).data
      if (data === null || data === undefined) continue
      // As Ansible: a mapping, or a list of mappings merged in order.
      for (const part of Array.isArray(data) ? data : [data]) {
        if (!isRecord(part)) {
          throw new PlaybookError(
            `variable files must contain either a dictionary of variables, or a list of dictionaries: the vars file '${entry}' holds ${describe(data)}${Array.isArray(data) ? ` with ${describe(part)} in it` : ''}`,
            { file: label, line: 1 }
          )
        }
        // Spread, not Object.assign: a variable named __proto__ stays a variable.
        out = { ...out, ...part }
      }
    }
    return out
  }

  private play(raw: unknown, parent: object, importTags: string[]): Play {
    if (!isRecord(raw)) {
      throw new PlaybookError(
        `each play must be a mapping with \`hosts:\`, found ${describe(raw)}`,
        this.at(parent)
      )
    }
    const location = this.at(raw)
    for (const key of Object.keys(raw)) {
      if (Object.hasOwn(PLAY_REFUSED, key))
        throw new PlaybookError(`'${key}' is not supported: ${PLAY_REFUSED[key]}`, location)
    }
    this.checkKeys(raw, PLAY_KEYWORDS, 'play', location)
    const hosts = playHosts(raw, location)
    const strategy = literalChoice(raw.strategy, 'strategy', location)
    const order = literalChoice(raw.order, 'order', location)
    if (raw.user !== undefined && raw.remote_user !== undefined) {
      throw new PlaybookError(
        "both 'user' and 'remote_user' are set for this play. The use of 'user' is deprecated, and should be removed: keep `remote_user`",
        location
      )
    }
    const become = becomeKeywords(raw, location)
    const vars = this.varsOf(raw.vars, 'Play', location)
    const varsPrompt = loadVarsPrompt(raw.vars_prompt, location, (node, fallback) =>
      this.at(node, fallback)
    )
    const varsFiles = this.varsFiles(raw.vars_files, location)
    // As Ansible: `connection` and `remote_user` (or its old name `user`) give ansible_connection and
    // ansible_user when no variable does: any inventory, play or extra variable of that name wins.
    const connectionVars: Record<string, unknown> = {}
    const remoteUser = raw.remote_user ?? raw.user
    if (raw.connection !== undefined && raw.connection !== null)
      connectionVars['ansible_connection'] = raw.connection
    if (remoteUser !== undefined && remoteUser !== null) connectionVars['ansible_user'] = remoteUser
    if (raw.port !== undefined && raw.port !== null) connectionVars['ansible_port'] = raw.port
    const tags = union(normaliseTags(raw.tags), importTags)
    // What every task of the play inherits, those of its roles and of its dynamic includes too: its tags (as
    // Ansible's tag inheritance does), no_log, ignore_unreachable and timeout.
    const base: Inherited = { ...TOP_LEVEL, tags }
    // As Ansible: the play's collections are where its tasks' short module names are looked for first.
    const collections = collectionsList(raw.collections, location)
    if (collections) base.collections = collections
    if (raw.no_log !== undefined && raw.no_log !== null) base.noLog = raw.no_log
    if (raw.check_mode !== undefined && raw.check_mode !== null) base.checkMode = raw.check_mode
    if (raw.diff !== undefined && raw.diff !== null) base.diff = raw.diff
    if (raw.ignore_unreachable !== undefined && raw.ignore_unreachable !== null)
      base.ignoreUnreachable = raw.ignore_unreachable
    if (raw.timeout !== undefined && raw.timeout !== null) base.timeout = raw.timeout
    if (raw.run_once !== undefined && raw.run_once !== null) base.runOnce = raw.run_once
    if (raw.throttle !== undefined && raw.throttle !== null) base.throttle = raw.throttle
    const moduleDefaults = loadModuleDefaults(raw.module_defaults, this.modules, location)
    if (moduleDefaults) base.moduleDefaults = moduleDefaults
    const roles: PlayRoles = { roles: [], handlers: [], imported: [], listed: [] }
    this.context.play = roles
    // As Ansible: handlers notified in a section run when it ends (an implicit `meta: flush_handlers`);
    // the roles run after pre_tasks, before tasks, in the same section as tasks.
    const tasks = [
      ...this.taskList(raw.pre_tasks, 'pre_tasks', location, base),
      implicitFlush(location),
      ...this.playRoles(raw.roles, location, base),
      ...this.taskList(raw.tasks, 'tasks', location, base),
      implicitFlush(location),
      ...this.taskList(raw.post_tasks, 'post_tasks', location, base),
      implicitFlush(location)
    ]
    // As Ansible: the handlers of the roles under `roles:` come before the play's own, those of imported
    // roles after them (so a name they share finds the imported role's).
    const handlers = [
      ...roles.handlers,
      ...this.handlerList(raw.handlers, location).map((task) => inherit(task, base)),
      ...roles.imported
    ]
    this.context.play = undefined
    return {
      name:
        raw.name === undefined || raw.name === null
          ? typeof hosts === 'string'
            ? hosts
            : hosts.join(',')
          : this.nameOf(raw.name, location),
      named: raw.name !== undefined && raw.name !== null,
      hosts,
      vars,
      ...(Object.keys(connectionVars).length > 0 ? { connectionVars } : {}),
      ...(Object.keys(varsFiles).length > 0 ? { varsFiles } : {}),
      gatherFacts: raw.gather_facts ?? true,
      ...(raw.gather_facts !== undefined && raw.gather_facts !== null
        ? { gatherFactsGiven: true }
        : {}),
      tasks,
      handlers,
      ...(raw.force_handlers === undefined ? {} : { forceHandlers: raw.force_handlers }),
      tags,
      anyErrorsFatal: raw.any_errors_fatal ?? false,
      maxFailPercentage: raw.max_fail_percentage,
      serial: raw.serial,
      ...(strategy === undefined ? {} : { strategy }),
      ...(order === undefined ? {} : { order }),
      ignoreErrors: raw.ignore_errors,
      ignoreUnreachable: raw.ignore_unreachable,
      environment: raw.environment,
      ...(moduleDefaults ? { moduleDefaults } : {}),
      ...(varsPrompt.length > 0 ? { varsPrompt } : {}),
      ...(become ? { become } : {}),
      ...(roles.roles.length > 0 ? { roles: roles.roles, listedRoles: unique(roles.listed) } : {}),
      location
    }
  }

  /** Runs at include time: loads what an include_tasks / include_role names for one host. */
  dynamicInclude(
    kind: 'tasks' | 'role',
    args: Record<string, unknown>,
    state: IncludeState,
    location: SourceLocation,
    role = state.inherited.role
  ): LoadedInclude {
    const apply = args['apply']
    // What a dynamic include brings in is dynamic: a bare `include` in it is too. A role's handler
    // brings in tasks of its role, as the role's tasks do.
    let base: Inherited = { ...state.inherited, dynamic: true, ...(role ? { role } : {}) }
    if (apply !== undefined && apply !== null) {
      if (!isRecord(apply)) {
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
      const unknown = Object.keys(rest)[0]
      if (unknown !== undefined) {
        throw new PlaybookError(
          `'${unknown}' is not a valid argument of include_tasks: it takes a file name (or \`file:\`) and \`apply:\`. Put variables under the task's \`vars:\``,
          location
        )
      }
      const child = this.importedFile(name, 'include_tasks', location, false, role?.path)
      const tasks = state.handler
        ? child.handlersOfFile('include_tasks', base)
        : child.tasksOfFile('include_tasks', base)
      return {
        file: child.chain.at(-1)!,
        tasks,
        handlers: [...(this.context.play?.handlers ?? []), ...(this.context.play?.imported ?? [])]
      }
    }
    const { name, from } = this.roleArgs(args, 'include_role', location)
    if (typeof name !== 'string' || name.trim() === '') {
      throw new PlaybookError("'include_role' needs `name:` naming the role", location)
    }
    const spec: RoleSpec = { name, vars: {}, params: {}, keywords: {}, location }
    const noDuplicates = noDuplicatesOf(args['allow_duplicates'], 'include_role', location)
    const { tasks, ref } = this.role(spec, base, {
      dedupe: false,
      from,
      ...(noDuplicates ? { noDuplicates } : {})
    })
    return {
      file: roleFile(ref.path, 'tasks', from.tasks) ?? ref.path,
      tasks,
      handlers: [...(this.context.play?.handlers ?? []), ...(this.context.play?.imported ?? [])],
      role: ref
    }
  }

  /**
   * A list of handlers (the play's `handlers:`, a role's handlers file), as Ansible 2.14 loads them: tasks
   * that may carry `listen:`, blocks of them, import_tasks (its tasks become handlers here), include_tasks (a
   * handler that brings in more handlers when it runs) and `meta`. Consecutive handlers outside any block form
   * one block of handlers and each `block:` another: a notified name reaches the first handler of the last
   * block that has one.
   */
  protected handlerList(raw: unknown, playLocation: SourceLocation): Task[] {
    if (raw === undefined || raw === null) return []
    if (!Array.isArray(raw)) {
      throw new PlaybookError(
        `'handlers' must be a list of tasks, found ${describe(raw)}`,
        this.at(raw, playLocation)
      )
    }
    return this.handlerEntries(raw, TOP_LEVEL)
  }

  /**
   * The handlers of a list of entries. `within` is the block of handlers they join (a `block:` under handlers,
   * or the block an import_tasks stands in); without it, each run of entries outside blocks is a block.
   */
  private handlerEntries(list: unknown[], base: Inherited, within?: number): Task[] {
    const out: Task[] = []
    let implicit = within
    for (const entry of list) {
      if (isRecord(entry) && entry.block !== undefined) {
        out.push(...this.handlerBlock(entry, base, within))
        implicit = within
        continue
      }
      implicit ??= this.context.ids.next++
      out.push(...this.handlerEntry(entry, list, base, implicit))
    }
    return out
  }

  /** A `block:` under handlers: its tasks are handlers that inherit its keywords. */
  private handlerBlock(raw: Record<string, unknown>, base: Inherited, within?: number): Task[] {
    const location = this.at(raw)
    for (const key of ['rescue', 'always']) {
      if (raw[key] === undefined) continue
      throw new PlaybookError(
        `'${key}' in a block under \`handlers:\` would never run: Ansible 2.14 makes only the tasks under \`block:\` handlers, and a failing handler is not rescued there. Remove it; to handle a failing handler, put a rescue around the \`meta: flush_handlers\` task that runs it`,
        location
      )
    }
    if (raw.listen !== undefined) {
      throw new PlaybookError(
        "'listen' is not valid on a block of handlers: put `listen:` on each handler inside the block",
        location
      )
    }
    this.checkKeys(raw, BLOCK_KEYWORDS, 'block', location)
    const list = raw.block
    if (!Array.isArray(list)) {
      throw new PlaybookError(
        `'block' must be a list of tasks, found ${describe(list)}`,
        this.at(list, location)
      )
    }
    const inherited = this.extend(base, raw, location)
    const id = within ?? this.context.ids.next++
    return list.flatMap((entry) => {
      if (isRecord(entry) && entry.block !== undefined) {
        throw new PlaybookError(
          'Using a block as a handler is not supported (as in Ansible): a block under `handlers:` holds handlers, not blocks; list these handlers in the outer block',
          this.at(entry)
        )
      }
      return this.handlerEntry(entry, list, inherited, id)
    })
  }

  /** One entry of a handlers list that is not a block: a handler, an import_tasks, or an include_tasks. */
  private handlerEntry(entry: unknown, parent: object, base: Inherited, block: number): Task[] {
    entry = this.legacyInclude(entry, base)
    if (!isRecord(entry)) return [this.task(entry, parent)]
    const location = this.at(entry)
    for (const keyword of ['import_role', 'include_role']) {
      if (!importKey(entry, keyword)) continue
      throw new PlaybookError(
        `Using '${keyword}' as a handler is not supported (as in Ansible): notify the role's own handlers, or include a task file with include_tasks`,
        location
      )
    }
    const imported = importKey(entry, 'import_tasks')
    if (imported) {
      if (entry.listen !== undefined) {
        throw new PlaybookError(
          "'listen' on import_tasks under `handlers:` reaches no handler: put `listen:` on the handlers in the imported file",
          location
        )
      }
      this.checkKeys(entry, new Set([...IMPORT_TASKS_KEYWORDS, imported]), 'import_tasks', location)
      const inherited = this.extend(base, entry, location)
      return this.importedFile(
        entry[imported],
        imported,
        location,
        false,
        base.role?.path
      ).handlersOfFile('import_tasks', inherited, block)
    }
    const { listen, ...rest } = entry
    const topics = this.nameList(listen, 'listen', location)
    const task =
      importKey(entry, 'include_tasks') !== undefined
        ? this.handlerInclude(rest, parent, base)
        : inherit(this.task(rest, parent, base.collections), base)
    if (task.module === 'meta' && task.args['_raw_params'] === 'flush_handlers') {
      throw new PlaybookError(
        "'meta: flush_handlers' cannot be used as a handler (Ansible stops with an error when it is notified); notify the handlers themselves",
        task.location
      )
    }
    return [{ ...task, ...(topics.length > 0 ? { listen: topics } : {}), handlerBlock: block }]
  }

  /** A bare `include` entry, as the import_tasks or include_tasks entry it stands for; any other as it is. */
  private legacyInclude(raw: unknown, inherited: Inherited): unknown {
    if (!isRecord(raw)) return raw
    const key = importKey(raw, 'include')
    if (!key) return raw
    this.context.deprecations ??= new Set()
    this.context.deprecations.add(INCLUDE_DEPRECATION)
    return rewriteLegacyInclude(raw, key, inherited.dynamic === true, this.at(raw))
  }

  /** An include_tasks under handlers: when notified, it brings in the file's tasks as handlers. */
  private handlerInclude(raw: Record<string, unknown>, parent: object, base: Inherited): Task {
    const [task] = this.taskOrBlock(raw, parent, base)
    const include = task!.include!
    return { ...task!, include: { ...include, loader: { ...include.loader, handler: true } } }
  }

  /** The handlers of this file (imported or included under `handlers:`), joining block `within` if given. */
  protected handlersOfFile(keyword: string, base: Inherited, within?: number): Task[] {
    return this.handlerEntries(this.fileEntries(keyword), base, within)
  }

  private taskList(
    raw: unknown,
    keyword: string,
    playLocation: SourceLocation,
    base: Inherited
  ): Task[] {
    if (raw === undefined || raw === null) return []
    if (!Array.isArray(raw)) {
      throw new PlaybookError(
        `'${keyword}' must be a list of tasks, found ${describe(raw)}`,
        this.at(raw, playLocation)
      )
    }
    return raw.flatMap((entry) => this.taskOrBlock(entry, raw, base))
  }

  /** A task, or the tasks of a block (flattened, each carrying its block frames and inherited keywords). */
  private taskOrBlock(raw: unknown, parent: object, inherited: Inherited): Task[] {
    raw = this.legacyInclude(raw, inherited)
    if (isRecord(raw) && raw.block !== undefined) return this.block(raw, inherited)
    const imported = isRecord(raw) ? importKey(raw, 'import_tasks') : undefined
    if (imported) return this.importTasks(raw as Record<string, unknown>, imported, inherited)
    const role = isRecord(raw) ? importKey(raw, 'import_role') : undefined
    if (role) return this.importRole(raw as Record<string, unknown>, role, inherited)
    if (isRecord(raw) && (raw.rescue !== undefined || raw.always !== undefined)) {
      throw new PlaybookError(
        "'rescue' and 'always' belong to a block: put the tasks they guard under `block:` in the same entry",
        this.at(raw)
      )
    }
    const task = this.task(raw, parent, inherited.collections)
    const full = inherited === TOP_LEVEL ? task : inherit(task, inherited)
    if (task.module !== 'include_tasks' && task.module !== 'include_role') return [full]
    for (const key of Object.keys(raw as Record<string, unknown>)) {
      if (INCLUDE_KEYWORDS.has(key) || canonicalModule(key) === task.module) continue
      if (!TASK_KEYWORDS.has(key)) continue
      throw new PlaybookError(
        `'${key}' is not a valid keyword for ${task.module} (as in Ansible): it would apply to the include alone. To give it to the included tasks, put it under the include's \`apply:\`, such as \`${task.module}: { ${task.module === 'include_tasks' ? 'file: tasks.yml' : 'name: role'}, apply: { ${key}: … } }\``,
        task.location
      )
    }
    // A dynamic include: its own when, loop and tags apply to the include alone; its vars (and the
    // enclosing blocks' keywords) reach the tasks it brings in.
    if (task.module === 'include_role') {
      const { name } = this.roleArgs(task.args, 'include_role', task.location)
      // As Ansible shows an unnamed include_role: `include_role : <role>`.
      if (!task.named && typeof name === 'string') full.name = `include_role : ${name}`
    }
    const state: IncludeState = { load: this.context, inherited }
    const include: DynamicInclude = {
      kind: task.module === 'include_tasks' ? 'tasks' : 'role',
      dir: this.dir,
      file: this.file,
      playDir: this.playDir,
      chain: this.chain,
      ...((raw as Record<PropertyKey, unknown>)[LEGACY_INCLUDE] === true
        ? { legacy: true as const }
        : {}),
      vars: task.vars,
      loader: state
    }
    return [{ ...full, include }]
  }

  private block(raw: Record<string, unknown>, outer: Inherited): Task[] {
    const location = this.at(raw)
    for (const key of Object.keys(raw)) {
      if (BLOCK_KEYWORDS.has(key)) continue
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
  protected extend(
    outer: Inherited,
    raw: Record<string, unknown>,
    location: SourceLocation
  ): Inherited {
    const become = becomeKeywords(raw, location)
    const ownVars = this.varsOf(raw.vars, 'Block', location)
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
      checkMode: raw.check_mode ?? outer.checkMode,
      diff: raw.diff ?? outer.diff,
      timeout: raw.timeout ?? outer.timeout,
      anyErrorsFatal: raw.any_errors_fatal ?? outer.anyErrorsFatal,
      delegateTo: raw.delegate_to ?? outer.delegateTo,
      delegateFacts: raw.delegate_facts ?? outer.delegateFacts,
      connection: raw.connection ?? outer.connection,
      remoteUser: raw.remote_user ?? outer.remoteUser,
      port: raw.port ?? outer.port,
      ...(outer.dynamic ? { dynamic: true } : {}),
      ...includeParamsOver(outer, raw),
      runOnce: raw.run_once ?? outer.runOnce,
      throttle: raw.throttle ?? outer.throttle,
      ...moduleDefaultsOver(outer, loadModuleDefaults(raw.module_defaults, this.modules, location)),
      ...(raw.notify === undefined || raw.notify === null
        ? outer.notify === undefined
          ? {}
          : { notify: outer.notify }
        : { notify: this.nameList(raw.notify, 'notify', location) })
    }
  }
}

/** The include params an import hands down: the enclosing ones, then a static bare include's own `vars:`. */
function includeParamsOver(
  outer: Inherited,
  raw: Record<PropertyKey, unknown>
): Pick<Inherited, 'params'> {
  const own = raw[LEGACY_INCLUDE_PARAMS] as Record<string, unknown> | undefined
  return outer.params || own ? { params: { ...outer.params, ...own } } : {}
}

/** The module_defaults a block or import hands down: the enclosing ones, then its own. */
function moduleDefaultsOver(
  outer: Inherited,
  own: ModuleDefaults[] | undefined
): Pick<Inherited, 'moduleDefaults'> {
  const all = [...(outer.moduleDefaults ?? []), ...(own ?? [])]
  return all.length > 0 ? { moduleDefaults: all } : {}
}

function unique(names: string[]): string[] {
  return [...new Set(names)]
}
