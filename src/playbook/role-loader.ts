import path from 'node:path'
import { closestMatch, PlaybookError, type SourceLocation } from '../errors.js'
import { IMPORT_TASKS_KEYWORDS, UNSUPPORTED_KEYWORDS } from './keywords.js'
import {
  describe,
  isMapping,
  stableJson,
  TOP_LEVEL,
  union,
  type Inherited,
  type LoadContext,
  type RoleFrom,
  type RoleSpec
} from './loader-support.js'
import { findRole, ROLE_ENTRY_KEYWORDS, ROLE_IMPORT_ARGS, roleFile } from './roles.js'
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

  /** The play's `roles:`: each role's tasks (its dependencies first), a repeated role only once. */
  protected playRoles(raw: unknown, location: SourceLocation): Task[] {
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
  protected roleSpec(entry: unknown, location: SourceLocation): RoleSpec {
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
  protected role(
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
  protected roleMapping(
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
      vars: this.mapping(vars, 'vars', location),
      params: {},
      keywords,
      location
    }
    return this.role(spec, outer, { dedupe: false, from: args.from })
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
      const value = args[`${part}_from`]
      if (value !== undefined && value !== null) from[part] = String(value)
    }
    return { name: args['name'], from, rest: args }
  }
}
