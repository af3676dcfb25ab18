import path from 'node:path'
import { ansibleBoolean } from '../ansible-boolean.js'
import { closestMatch, PlaybookError, type SourceLocation } from '../errors.js'
import { IMPORT_TASKS_KEYWORDS, UNSUPPORTED_KEYWORDS } from './keywords.js'
import {
  collectionsList,
  describe,
  inherit,
  stableJson,
  type Inherited,
  type LoadContext,
  type RoleFrom,
  type RoleSpec
} from './loader-support.js'
import { isRecord } from '../values/records.js'
import {
  findRole,
  mergeRoleVars,
  ROLE_ENTRY_KEYWORDS,
  ROLE_ENTRY_REFUSED,
  ROLE_IMPORT_ARGS,
  roleFile,
  roleVarsFiles
} from './roles.js'
import { hasTemplateSyntax } from '../values/unsafe.js'
import { TaskParser } from './task-parser.js'
import type { RoleRef, Task } from './types.js'
import type { YamlDocument } from './yaml-loader.js'

/**
 * Loads roles: `roles:` entries, their meta dependencies, import_role, and include_role when it runs. A role's
 * tasks inherit the invocation's keywords; its handlers go to the play; its variables ride on its tasks.
 */
export abstract class RoleLoader extends TaskParser {
  constructor(
    doc: YamlDocument | undefined,
    file: string,
    protected readonly context: LoadContext,
    /** The playbook's directory: roles are looked up under its `roles/`. */
    protected readonly playDir: string
  ) {
    super(doc, file, context.modules)
  }

  /** A loader for a file this one refers to by absolute path, labelled relative to this one. */
  protected abstract fileLoader(absolute: string, location: SourceLocation): RoleLoader
  /** The tasks of this file (a list of tasks, or empty), each inheriting `base`. */
  protected abstract tasksOfFile(keyword: string, base: Inherited): Task[]
  /** A list of handlers. */
  protected abstract handlerList(raw: unknown, playLocation: SourceLocation): Task[]
  /** The keywords a block or an import hands down: its own merged over those it inherits. */
  protected abstract extend(
    outer: Inherited,
    raw: Record<string, unknown>,
    location: SourceLocation
  ): Inherited
  /** How a file is named in locations. */
  protected abstract labelOf(absolute: string): string
  /** Whether a file is being loaded already (this file, or one that brought it in). */
  protected abstract inChain(file: string): boolean

  /** The play's `roles:`: each role's tasks (its dependencies first). */
  protected playRoles(raw: unknown, location: SourceLocation, base: Inherited): Task[] {
    if (raw === undefined || raw === null) return []
    if (!Array.isArray(raw)) {
      throw new PlaybookError(
        `'roles' must be a list of role names or \`- role: name\` entries, found ${describe(raw)}`,
        this.at(raw, location)
      )
    }
    return raw.flatMap((entry) => {
      const spec = this.roleSpec(entry, this.at(isRecord(entry) ? entry : raw))
      const { tasks, ref } = this.role(spec, base, { dedupe: true, from: {} })
      this.context.play?.listed.push(ref.name)
      return tasks
    })
  }

  /** A `roles:` or `dependencies:` entry: a name, or a mapping with `role:` and keywords/parameters. */
  protected roleSpec(entry: unknown, location: SourceLocation): RoleSpec {
    if (typeof entry === 'string' && entry.trim() !== '') {
      return { name: entry.trim(), vars: {}, params: {}, keywords: {}, location }
    }
    const name = isRecord(entry) ? (entry.role ?? entry.name) : undefined
    if (!isRecord(entry) || typeof name !== 'string' || name.trim() === '') {
      throw new PlaybookError(
        `a role must be given as a name or as \`- role: <name>\` (with optional vars, tags, when), found ${describe(entry)}`,
        location
      )
    }
    // Entries, not assignments: a parameter named __proto__ stays a parameter.
    const keywords: Array<[string, unknown]> = []
    const params: Array<[string, unknown]> = []
    for (const [key, value] of Object.entries(entry)) {
      if (key === 'role' || (key === 'name' && entry.role === undefined) || key === 'vars') continue
      if (ROLE_ENTRY_REFUSED.has(key))
        throw new PlaybookError(
          `'${key}' on a role is an Ansible keyword, not a role parameter, and is not supported on a role yet. To pass a variable of that name, put it under the role's \`vars:\`; to set the keyword, set it on the play (ansible_connection, ansible_user and ansible_port work as variables too)`,
          location
        )
      if (ROLE_ENTRY_KEYWORDS.has(key)) keywords.push([key, value])
      else if (Object.hasOwn(UNSUPPORTED_KEYWORDS, key))
        throw new PlaybookError(`'${key}' is not supported: ${UNSUPPORTED_KEYWORDS[key]}`, location)
      else params.push([key, value])
    }
    const vars = this.varsOf(entry.vars, 'Role', location)
    return {
      name: name.trim(),
      vars,
      params: Object.fromEntries(params),
      keywords: Object.fromEntries(keywords),
      location
    }
  }

  /**
   * Loads one use of a role: its meta dependencies' tasks, then its own, each inheriting the invocation's
   * keywords. Its handlers (inheriting those keywords too) go to the play being loaded.
   */
  protected role(
    spec: RoleSpec,
    outer: Inherited,
    options: {
      /** A `roles:` entry or a dependency: a later use with the same key does not run again on a host. */
      dedupe: boolean
      from: RoleFrom
      /** The roles this one is a dependency of, outermost first (a role among them is a recursion). */
      parents?: readonly string[]
      /**
       * What the roles this one is a dependency of (or included from) hand down, outermost first: as Ansible's
       * dependency chain, their parameters, vars and defaults are seen under the role's own.
       */
      chain?: readonly RoleLink[]
      /** Brought in by import_role (itself or as a dependency): its handlers go after the play's. */
      imported?: boolean
      /**
       * import_role's / include_role's `allow_duplicates` when it is not true: every such use of the role with
       * the same `*_from` files runs once per host (a templated value is decided when the play runs).
       */
      noDuplicates?: { allow: unknown }
    }
  ): { tasks: Task[]; ref: RoleRef } {
    const parents = options.parents ?? []
    const near = parents.length > 0 ? [path.dirname(parents.at(-1)!)] : []
    const found = findRole(spec.name, this.playDir, spec.location, near, this.context.roles)
    const dir = found.dir
    const tasksFile = roleFile(dir, 'tasks', options.from.tasks)
    if (parents.includes(dir) || (tasksFile !== undefined && this.inChain(tasksFile))) {
      // A dependency chain back to the role, or the role's tasks importing the role itself.
      const chain = parents.includes(dir) ? [...parents, dir] : [...parents, dir, dir]
      const names = chain.map((d) => path.basename(d))
      throw new PlaybookError(
        `A recursion loop was detected with the roles specified (${names.join(' → ')}); a role cannot depend on or import itself`,
        spec.location
      )
    }
    const meta = this.roleData(dir, 'meta', undefined, spec.location)
    const ownDefaults = this.roleVars(dir, 'defaults', options.from.defaults, spec.location)
    const ownVars = this.roleVars(dir, 'vars', options.from.vars, spec.location)
    const chain = options.chain ?? (outer.role ? [linkOf(outer.role)] : [])
    const handedDown = (part: keyof RoleLink): Record<string, unknown> =>
      chain.reduce<Record<string, unknown>>((out, link) => ({ ...out, ...link[part] }), {})
    // The keywords of this use (and of the uses around it) reach the dependencies, the tasks and the handlers.
    const inherited = this.extend(outer, spec.keywords, spec.location)
    const tasks: Task[] = []
    const dependencyRefs: RoleRef[] = []
    const dependencies = meta.data['dependencies']
    if (dependencies !== undefined && dependencies !== null) {
      const at = meta.loader?.at(dependencies, spec.location) ?? spec.location
      if (!Array.isArray(dependencies)) {
        throw new PlaybookError(
          `'dependencies' must be a list of roles, found ${describe(dependencies)}`,
          at
        )
      }
      const link: RoleLink = {
        params: { ...handedDown('params'), ...spec.params },
        vars: { ...handedDown('vars'), ...spec.vars, ...ownVars },
        defaults: { ...handedDown('defaults'), ...ownDefaults }
      }
      for (const dependency of dependencies) {
        const depSpec = this.roleSpec(dependency, meta.loader?.at(dependency, at) ?? at)
        const loaded = this.role(depSpec, inherited, {
          dedupe: true,
          from: {},
          parents: [...parents, dir],
          chain: [link],
          imported: options.imported === true
        })
        tasks.push(...loaded.tasks)
        dependencyRefs.push(loaded.ref)
      }
    }
    // As Ansible: a role sees its dependencies' defaults and vars under its own, and those of the roles it is a
    // dependency of between the two; the invocation's `vars:` merge below the role's vars/main.yml, and both
    // are exported; the parameters of the roles it depends from are seen under its own.
    const enclosing = outer.role ? [...(outer.role.ancestors ?? []), outer.role.path] : []
    const ancestors = [...enclosing, ...parents]
    const ref: RoleRef = {
      name: found.name,
      path: dir,
      ...(ancestors.length > 0 ? { ancestors } : {}),
      defaults: {
        ...mergeRoleVars(dependencyRefs, 'defaults'),
        ...handedDown('defaults'),
        ...ownDefaults
      },
      vars: {
        ...handedDown('vars'),
        ...mergeRoleVars(dependencyRefs, 'vars'),
        ...spec.vars,
        ...ownVars
      },
      params: { ...handedDown('params'), ...spec.params, ...parentRoleParams(outer, options) }
    }
    if (options.noDuplicates) {
      // As Ansible: the uses of a role by import_role / include_role with the same `*_from` files share one
      // role, whatever their keywords; allow_duplicates false runs it once per host.
      ref.dedupKey = ['include_role', dir, options.from].map(stableJson).join('\0')
      const allow = options.noDuplicates.allow
      if (typeof allow === 'string' && hasTemplateSyntax(allow)) ref.allowDuplicates = allow
    } else if (options.dedupe && meta.data['allow_duplicates'] !== true) {
      // As Ansible: a use with other parameters, vars or keywords is another role; the same one runs once.
      ref.dedupKey = [dir, spec.params, spec.vars, spec.keywords].map(stableJson).join('\0')
    }
    const base: Inherited = { ...inherited, role: ref }
    // As Ansible: a role's tasks look for short module names in its own meta/main.yml `collections`, not
    // in the play's.
    const roleCollections = collectionsList(
      meta.data['collections'],
      meta.loader?.at(meta.data, spec.location) ?? spec.location
    )
    if (roleCollections) base.collections = roleCollections
    else delete base.collections
    const play = this.context.play
    play?.roles.push(ref)
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
    const handlersFile = roleFile(dir, 'handlers', options.from.handlers)
    // Uses that run once per host (same dedup key) share their handlers, as Ansible's uses share one role.
    const shared =
      ref.dedupKey !== undefined &&
      [...(play?.handlers ?? []), ...(play?.imported ?? [])].some(
        (h) => h.role?.dedupKey === ref.dedupKey
      )
    if (handlersFile && play && !shared) {
      const loader = this.fileLoader(handlersFile, spec.location)
      // Handlers take the use's keywords (when, become, vars, tags…) but not the blocks around it.
      const sink = options.imported ? play.imported : play.handlers
      for (const handler of loader.handlerList(loader.doc?.data, spec.location))
        sink.push(inherit(handler, { ...base, frames: [] }))
    }
    return { tasks, ref }
  }

  /** A role's meta file as a mapping (empty when the role has none), and its loader. */
  protected roleData(
    dir: string,
    sub: string,
    from: string | undefined,
    location: SourceLocation
  ): { data: Record<string, unknown>; loader?: RoleLoader } {
    const file = roleFile(dir, sub, from)
    if (!file) {
      if (from === undefined) return { data: {} }
      throw new PlaybookError(
        `the role '${path.basename(dir)}' has no ${sub} file '${from}' (looked in ${path.join(dir, sub)})`,
        location
      )
    }
    return { data: this.mappingFile(file, location), loader: this.fileLoader(file, location) }
  }

  /**
   * A role's defaults or vars: its `main` (or `*_from`) file, or every file of such a directory merged in
   * lexical order (later files win), as Ansible 2.14 loads `defaults/main/` and `vars/main/`.
   */
  protected roleVars(
    dir: string,
    sub: 'defaults' | 'vars',
    from: string | undefined,
    location: SourceLocation
  ): Record<string, unknown> {
    const files = roleVarsFiles(dir, sub, from)
    if (files.length === 0 && from !== undefined) {
      throw new PlaybookError(
        `the role '${path.basename(dir)}' has no ${sub} file '${from}' (looked in ${path.join(dir, sub)})`,
        location
      )
    }
    // Spread, not Object.assign: a variable named __proto__ stays a variable.
    return files.reduce<Record<string, unknown>>(
      (out, file) => ({ ...out, ...this.mappingFile(file, location) }),
      {}
    )
  }

  /** A YAML file of a role that must hold a mapping (or nothing). */
  private mappingFile(file: string, location: SourceLocation): Record<string, unknown> {
    const loader = this.fileLoader(file, location)
    const data = loader.doc?.data
    if (data === null || data === undefined) return {}
    if (!isRecord(data)) {
      throw new PlaybookError(
        `${loader.file} must hold a mapping, found ${describe(data)}`,
        loader.at(data)
      )
    }
    return { ...data }
  }

  /** `import_role:` (static): the role's tasks here, inheriting this entry's keywords. */
  protected importRole(raw: Record<string, unknown>, key: string, outer: Inherited): Task[] {
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
      vars: this.varsOf(vars, 'IncludeRole', location),
      params: {},
      keywords,
      location
    }
    const noDuplicates = noDuplicatesOf(args.rest['allow_duplicates'], 'import_role', location)
    return this.role(spec, outer, {
      dedupe: false,
      from: args.from,
      imported: true,
      ...(noDuplicates ? { noDuplicates } : {})
    }).tasks
  }

  /** The arguments of import_role / include_role, checked. */
  protected roleArgs(
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
      const key = `${part}_from`
      if (!(key in args)) continue
      const value = args[key]
      // Ansible takes only text here (a number or null too is refused when the play is loaded).
      if (typeof value !== 'string') {
        throw new PlaybookError(
          `Expected a string for ${key} but got ${describe(value)}: write the file name of the role's ${part}/ folder, for example '${key}: main'`,
          location
        )
      }
      from[part] = value
    }
    // `role` names the role where `name` does not, as Ansible's IncludeRole reads it.
    return { name: args['name'] ?? args['role'], from, rest: args }
  }
}

/** What a role hands down to the roles that depend from it (or that it includes): Ansible's dependency chain. */
interface RoleLink {
  params: Record<string, unknown>
  vars: Record<string, unknown>
  defaults: Record<string, unknown>
}

/**
 * As Ansible's include params of an import_role / include_role in a role's tasks: the including role's name
 * and path go in front of its own `ansible_parent_role_names` / `ansible_parent_role_paths`, seen by the
 * included role's tasks (and its dependencies'). Dependencies and play-level uses add nothing.
 */
function parentRoleParams(
  outer: Inherited,
  options: { dedupe: boolean; chain?: readonly RoleLink[] }
): Record<string, unknown> {
  const parent = outer.role
  if (!parent || options.dedupe || options.chain !== undefined) return {}
  const before = (key: string): unknown[] => {
    const value = parent.params[key]
    return Array.isArray(value) ? value : []
  }
  return {
    ansible_parent_role_names: [parent.name, ...before('ansible_parent_role_names')],
    ansible_parent_role_paths: [parent.path, ...before('ansible_parent_role_paths')]
  }
}

/** The link a role use makes in the chain of a role it includes or imports from its own tasks. */
function linkOf(role: RoleRef): RoleLink {
  return { params: role.params, vars: role.vars, defaults: role.defaults }
}

/**
 * import_role's / include_role's `allow_duplicates` (true when absent, as in Ansible): undefined when duplicates
 * run, else what the role use needs to run once per host (a templated value is decided when the play runs).
 */
export function noDuplicatesOf(
  value: unknown,
  keyword: string,
  location: SourceLocation
): { allow: unknown } | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value === 'string' && hasTemplateSyntax(value)) return { allow: value }
  const flag = booleanOf(value)
  if (flag === undefined) {
    throw new PlaybookError(
      `'allow_duplicates' of ${keyword} must be a boolean (true or false), found ${describe(value)}`,
      location
    )
  }
  return flag ? undefined : { allow: false }
}

/** A boolean as Ansible's `isa: bool` fields read one (yes/no, on/off, 1/0, true/false in any case), if it is one. */
export function booleanOf(value: unknown): boolean | undefined {
  // An empty value reads as false here, where Ansible's boolean() refuses it: kept as it always was.
  if (typeof value === 'string' && value.trim() === '') return false
  try {
    return ansibleBoolean(value, 'strict')
  } catch {
    return undefined
  }
}
