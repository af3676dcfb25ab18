import { closestMatch, PlaybookError, type SourceLocation } from '../errors.js'
import { parseKeyValueArgs } from './kv-args.js'
import { LOOKUPS_NOT_RUN, TASK_KEYWORDS, UNSUPPORTED_KEYWORDS, WITH_LOOKUPS } from './keywords.js'
import {
  becomeKeywords,
  canonicalModule,
  resolveModuleName,
  unsupportedCollectionModule,
  describe,
  metaAction,
  normaliseLoop,
  normaliseTags,
  type ModuleCatalog
} from './loader-support.js'
import { isRecord } from '../values/records.js'
import {
  TEMPLATED_ACTION,
  type Conditional,
  type ModuleDefaults,
  type Task,
  type TemplatedAction
} from './types.js'
import { loadModuleDefaults } from './module-defaults.js'
import type { YamlDocument } from './yaml-loader.js'
import { isMarkedUnsafe, markUnsafeDeep, unsafeText } from '../values/unsafe.js'
import { isNumeric } from '../values/py-float.js'

/**
 * Modules Ansible's loader lets take free-form words without being free-form modules: the words reach
 * the action as `_raw_params`, which set_fact reads as key=value text and add_host and group_by refuse
 * when the task runs (a failure `ignore_errors` can take), not at load.
 */
const RAW_AT_RUN = new Set(['set_fact', 'add_host', 'group_by'])

/** Python's keywords: Ansible refuses them as variable names (ansible.utils.vars.isidentifier). */
const PYTHON_KEYWORDS = new Set(
  (
    'False None True and as assert async await break class continue def del elif else except finally for ' +
    'from global if import in is lambda nonlocal not or pass raise return try while with yield'
  ).split(' ')
)

/** Whether a name can be a variable, as Ansible checks `vars:` keys: an ASCII identifier, not a keyword. */
/** Ansible's test for a string it will template: a Jinja2 block, expression or comment opens in it. */
const JINJA_START = /\{\{|\{%|\{#/

export function isVariableName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !PYTHON_KEYWORDS.has(name)
}

/** The `loop_control` options Ansible 2.14 has. */
const LOOP_CONTROL_OPTIONS = [
  'loop_var',
  'index_var',
  'label',
  'pause',
  'extended',
  'extended_allitems'
]

/**
 * Reads one YAML file of a playbook: where its nodes are, keyword checks, and single tasks (a module and
 * its keywords). The loaders of plays, blocks, imports and roles build on it.
 */
export abstract class TaskParser {
  constructor(
    protected readonly doc: YamlDocument | undefined,
    /** The file's label in locations (as the user would find it). */
    protected readonly file: string,
    protected readonly modules: ModuleCatalog
  ) {}

  /** The absolute directory of this file. */
  protected abstract readonly dir: string

  /** `notify` / `listen`: a name or a list of names. */
  protected nameList(raw: unknown, keyword: string, location: SourceLocation): string[] {
    if (raw === undefined || raw === null) return []
    const list = Array.isArray(raw) ? raw : [raw]
    return list.map((item) => {
      if (typeof item === 'string' || isNumeric(item)) return String(item)
      throw new PlaybookError(
        `'${keyword}' must be a handler name or a list of them, found ${describe(item)}`,
        location
      )
    })
  }

  protected task(raw: unknown, parent: object, collections: readonly string[] = []): Task {
    if (!isRecord(raw)) {
      throw new PlaybookError(
        `each task must be a mapping such as \`- name: … \\n  shell: …\`, found ${describe(raw)}`,
        this.at(parent)
      )
    }
    const location = this.at(raw)
    let moduleKey: string | undefined
    let moduleName: string | undefined
    let moduleTemplate: TemplatedAction | undefined
    for (const key of Object.keys(raw)) {
      if (TASK_KEYWORDS.has(key)) continue
      if (key.startsWith('with_')) {
        const lookup = key.slice('with_'.length).replace(/^ansible\.(builtin|legacy)\./, '')
        if (WITH_LOOKUPS.has(lookup)) continue
        const why = Object.hasOwn(LOOKUPS_NOT_RUN, lookup)
          ? `lookup plugin (${lookup}) is not supported: ${LOOKUPS_NOT_RUN[lookup]}`
          : `lookup plugin (${lookup}) not found`
        throw new PlaybookError(
          `'${key}' is not a valid attribute for a Task: ${why} (the with_<lookup> loops run ${[...WITH_LOOKUPS].join(', ')})`,
          location
        )
      }
      const hint = Object.hasOwn(UNSUPPORTED_KEYWORDS, key) ? UNSUPPORTED_KEYWORDS[key] : undefined
      if (hint) throw new PlaybookError(`'${key}' is not supported: ${hint}`, location)
      const canonical =
        canonicalModule(key) === 'meta' ? 'meta' : resolveModuleName(key, this.modules, collections)
      if (canonical !== undefined) {
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
      const refused =
        moduleKey === undefined && !TASK_KEYWORDS.has(key)
          ? unsupportedCollectionModule(key, this.modules, collections)
          : undefined
      if (refused) throw new PlaybookError(refused, location)
      throw new PlaybookError(this.unknownKeyMessage(key, moduleKey !== undefined), location)
    }
    if (moduleKey !== undefined && (raw.action !== undefined || raw.local_action !== undefined)) {
      throw new PlaybookError(
        `conflicting action statements: '${raw.action !== undefined ? 'action' : 'local_action'}' and '${moduleKey}'. A task runs exactly one module; split it into two tasks`,
        location
      )
    }
    if (
      raw.local_action !== undefined &&
      !(typeof raw.local_action === 'string' || isRecord(raw.local_action))
    )
      throw new PlaybookError(
        `unexpected parameter type in local_action: ${describe(raw.local_action)}; give \`local_action: module args\` or a mapping with \`module:\``,
        location
      )
    let args: Record<string, unknown>
    if (moduleName === 'meta' && moduleKey) {
      args = { _raw_params: metaAction(raw[moduleKey], raw, location) }
    } else if (moduleKey && moduleName) {
      args = this.moduleArgs(raw[moduleKey], moduleName, location)
    } else if (raw.action !== undefined && raw.local_action !== undefined) {
      throw new PlaybookError('action and local_action are mutually exclusive', location)
    } else if (typeof raw.action === 'string' || isRecord(raw.action)) {
      ;({ moduleName, args, moduleTemplate } = this.actionKeyword(
        raw.action,
        location,
        collections
      ))
      moduleKey = moduleTemplate?.template ?? moduleName
    } else if (typeof raw.local_action === 'string' || isRecord(raw.local_action)) {
      ;({ moduleName, args, moduleTemplate } = this.actionKeyword(
        raw.local_action,
        location,
        collections
      ))
      moduleKey = moduleTemplate?.template ?? moduleName
    } else {
      throw new PlaybookError(
        'this task has no module: add one such as `shell: <command>`, `command: <argv>` or `debug: msg=…`',
        location
      )
    }
    if (raw.args !== undefined) {
      if (typeof raw.args === 'string' && !isMarkedUnsafe(raw.args)) {
        // `args: "{{ file_args }}"`: a mapping that only exists at run time (Ansible's variable params).
        if (!JINJA_START.test(raw.args))
          throw new PlaybookError(
            "Complex args containing variables cannot use bare variables (without Jinja2 delimiters), and must use the full variable style ('{{var_name}}')",
            location
          )
        args = { _variable_params: raw.args, ...args }
      } else {
        // The module's own arguments (its words or mapping) win over `args:`, as in Ansible.
        const extra = this.mapping(raw.args, 'args', location)
        args = { ...extra, ...args }
      }
    }
    const become = becomeKeywords(raw, location)
    const loopKeys = Object.keys(raw).filter(
      (k) => (k === 'loop' || k.startsWith('with_')) && raw[k] !== undefined
    )
    if (loopKeys.length > 1) {
      throw new PlaybookError(`use only one of ${loopKeys.join(', ')} on a task`, location)
    }
    const loopKey = loopKeys[0]
    const loopControl = this.mapping(raw.loop_control, 'loop_control', location)
    for (const key of Object.keys(loopControl)) {
      if (!LOOP_CONTROL_OPTIONS.includes(key)) {
        throw new PlaybookError(
          `unknown loop_control option '${key}' (expected ${LOOP_CONTROL_OPTIONS.join(', ')})`,
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
      ...(moduleTemplate === undefined ? {} : { moduleTemplate }),
      action: moduleKey,
      args,
      location,
      dir: this.dir,
      register: raw.register as string | undefined,
      when: this.conditionals(raw.when, 'when', location),
      loop: loopKey === undefined ? undefined : normaliseLoop(raw[loopKey], loopKey),
      loopControl: {
        loopVar,
        label: loopControl['label'],
        indexVar:
          loopControl['index_var'] === undefined ? undefined : String(loopControl['index_var']),
        pause: loopControl['pause'],
        ...(loopControl['extended'] === undefined ? {} : { extended: loopControl['extended'] }),
        ...(loopControl['extended_allitems'] === undefined
          ? {}
          : { extendedAllitems: loopControl['extended_allitems'] })
      },
      until: this.conditionals(raw.until, 'until', location),
      retries: raw.retries,
      delay: raw.delay,
      failedWhen: this.conditionals(raw.failed_when, 'failed_when', location),
      changedWhen: this.conditionals(raw.changed_when, 'changed_when', location),
      ignoreErrors: raw.ignore_errors,
      ignoreUnreachable: raw.ignore_unreachable,
      vars: this.varsOf(raw.vars, 'Task', location),
      environment: raw.environment,
      noLog: raw.no_log,
      ...(raw.check_mode === undefined || raw.check_mode === null
        ? {}
        : { checkMode: raw.check_mode }),
      ...(raw.diff === undefined || raw.diff === null ? {} : { diff: raw.diff }),
      timeout: raw.timeout,
      anyErrorsFatal: raw.any_errors_fatal,
      runOnce: raw.run_once,
      // As Ansible: local_action is its action delegated to localhost, whatever delegate_to says.
      ...(raw.local_action !== undefined
        ? { delegateTo: 'localhost' }
        : raw.delegate_to === undefined || raw.delegate_to === null
          ? {}
          : { delegateTo: raw.delegate_to }),
      ...(raw.delegate_facts === undefined ? {} : { delegateFacts: raw.delegate_facts }),
      ...(raw.connection === undefined || raw.connection === null
        ? {}
        : { connection: raw.connection }),
      ...(raw.remote_user === undefined || raw.remote_user === null
        ? {}
        : { remoteUser: raw.remote_user }),
      ...(raw.port === undefined || raw.port === null ? {} : { port: raw.port }),
      ...(raw.throttle === undefined || raw.throttle === null ? {} : { throttle: raw.throttle }),
      ...this.moduleDefaultsOf(raw.module_defaults, location),
      async: raw.async,
      poll: raw.poll,
      tags: normaliseTags(raw.tags),
      ...(become ? { become } : {}),
      ...(raw.notify === undefined || raw.notify === null
        ? {}
        : { notify: this.nameList(raw.notify, 'notify', location) })
    }
  }

  /** A task's `module_defaults`, loaded (nothing when it has none). */
  protected moduleDefaultsOf(
    raw: unknown,
    location: SourceLocation
  ): { moduleDefaults?: ModuleDefaults[] } {
    const loaded = loadModuleDefaults(raw, this.modules, location)
    return loaded ? { moduleDefaults: loaded } : {}
  }

  protected actionKeyword(
    action: unknown,
    location: SourceLocation,
    collections: readonly string[] = []
  ): { moduleName: string; args: Record<string, unknown>; moduleTemplate?: TemplatedAction } {
    if (typeof action === 'string') {
      const text = unsafeText(action)
      // `action: "{{ ansible_pkg_mgr }} name=git"`: the module is chosen per host at run time.
      const templated = text === action ? /^\s*(\{\{[\s\S]*?\}\})\s*([\s\S]*)$/.exec(text) : null
      if (templated) {
        // As Ansible's loader, which cannot know whether the module takes free-form words: only
        // key=value words (or a template of a mapping) may follow; others are refused here.
        const args = this.withoutExtraParams(
          () => parseKeyValueArgs(templated[2]!, false),
          templated[1]!,
          location
        )
        return {
          moduleName: TEMPLATED_ACTION,
          args,
          moduleTemplate: { template: templated[1]!, collections }
        }
      }
      const match = /^\s*(\S+)\s*([\s\S]*)$/.exec(text)
      const written = match?.[1] ?? ''
      const name = resolveModuleName(written, this.modules, collections)
      if (name === undefined)
        throw new PlaybookError(
          unsupportedCollectionModule(written, this.modules, collections) ??
            this.unknownKeyMessage(written, false),
          location
        )
      const args = this.moduleArgs(match?.[2] ?? '', name, location)
      return { moduleName: name, args: text === action ? args : unsafeArgs(args) }
    }
    const mapping = action as Record<string, unknown>
    const moduleRaw = mapping['module']
    if (typeof moduleRaw === 'string' && /^\s*\{\{[\s\S]*\}\}\s*$/.test(moduleRaw)) {
      const args = { ...mapping }
      delete args['module']
      return {
        moduleName: TEMPLATED_ACTION,
        args,
        moduleTemplate: { template: moduleRaw.trim(), collections }
      }
    }
    // `module: shell echo hi`: the words after the module's name are its arguments, as in the string form.
    const split = /^\s*(\S+)\s*([\s\S]*)$/.exec(typeof moduleRaw === 'string' ? moduleRaw : '')
    const written = split?.[1] ?? ''
    const name = resolveModuleName(written, this.modules, collections)
    if (name === undefined) {
      throw new PlaybookError(
        unsupportedCollectionModule(written, this.modules, collections) ??
          "'action' needs a 'module:' naming a supported module",
        location
      )
    }
    const inline = split?.[2] ? this.moduleArgs(split[2], name, location) : {}
    const args = { ...mapping, ...inline }
    delete args['module']
    return { moduleName: name, args }
  }

  protected moduleArgs(
    raw: unknown,
    module: string,
    location: SourceLocation
  ): Record<string, unknown> {
    if (raw === null || raw === undefined) return {}
    if (isRecord(raw)) return { ...raw }
    if (isMarkedUnsafe(raw)) {
      // `shell: !unsafe "echo {{ x }} chdir=/tmp"`: split as usual, every value still never templated.
      return unsafeArgs(
        this.withoutExtraParams(
          () => parseKeyValueArgs(String(unsafeText(raw)), this.checksRaw(module)),
          module,
          location
        )
      )
    }
    if (typeof raw === 'string' || isNumeric(raw) || typeof raw === 'boolean') {
      return this.withoutExtraParams(
        () => parseKeyValueArgs(String(raw), this.checksRaw(module)),
        module,
        location
      )
    }
    throw new PlaybookError(
      `the arguments of '${module}' must be a mapping or a string, found ${describe(raw)}`,
      location
    )
  }

  /** Whether a free-form string keeps `key=value` words other than command's options as text. */
  private checksRaw(module: string): boolean {
    return this.modules.freeForm.has(module) && !this.modules.keyValueFreeForm?.has(module)
  }

  /**
   * As Ansible's loader: words that are not `key=value` (`fail: msg=in nested rescue` leaves `nested` and
   * `rescue`) are only for the modules that take free-form text; anywhere else the playbook is refused.
   */
  private withoutExtraParams(
    parse: () => Record<string, unknown>,
    module: string,
    location: SourceLocation
  ): Record<string, unknown> {
    let args: Record<string, unknown>
    try {
      args = parse()
    } catch (error) {
      // An unbalanced quote or Jinja2 block: the same message, at the task's line.
      if (error instanceof PlaybookError && !error.location)
        throw new PlaybookError(error.message, location)
      throw error
    }
    if (!('_raw_params' in args) || this.modules.freeForm.has(module) || RAW_AT_RUN.has(module))
      return args
    const { _raw_params: rawParams, ...named } = args
    // `file: "{{ item }}"`: the words left over are a template whose value, a mapping, gives the
    // arguments at run time (under the named ones), as Ansible's variable params.
    if (typeof rawParams === 'string' && JINJA_START.test(rawParams))
      return { _variable_params: rawParams, ...named }
    const allowed = [...this.modules.freeForm, ...RAW_AT_RUN].sort().join(', ')
    throw new PlaybookError(
      `this task '${module}' has extra params, which is only allowed in the following modules: ${allowed}. ` +
        `Quote a value that holds spaces (msg="two words"), or give the arguments as a mapping`,
      location
    )
  }

  protected unknownKeyMessage(key: string, hasModule: boolean): string {
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

  protected mapping(
    raw: unknown,
    keyword: string,
    location: SourceLocation
  ): Record<string, unknown> {
    if (raw === undefined || raw === null) return {}
    if (!isRecord(raw)) {
      throw new PlaybookError(
        `'${keyword}' must be a mapping of names to values, found ${describe(raw)}`,
        this.at(raw, location)
      )
    }
    return { ...raw }
  }

  /**
   * A `vars:` keyword of a play, block, task, role or import: a mapping, or a list of mappings merged in order
   * (as Ansible accepts both). Each name must be a valid variable name.
   */
  protected varsOf(raw: unknown, owner: string, location: SourceLocation): Record<string, unknown> {
    if (raw === undefined || raw === null) return {}
    const at = this.at(raw, location)
    let out: Record<string, unknown> = {}
    for (const part of Array.isArray(raw) ? raw : [raw]) {
      if (!isRecord(part)) {
        throw new PlaybookError(
          `Vars in a ${owner} must be specified as a dictionary, or a list of dictionaries: found ${describe(part)}${Array.isArray(raw) ? ' in the list' : ''}`,
          at
        )
      }
      for (const name of Object.keys(part)) {
        if (!isVariableName(name)) {
          throw new PlaybookError(
            `Invalid variable name in vars specified for ${owner}: '${name}' is not a valid variable name. ` +
              'A variable name is made of ASCII letters, digits and underscores, does not start with a digit and is not a Python keyword',
            at
          )
        }
      }
      // Spread, not Object.assign: a variable named __proto__ stays a variable.
      out = { ...out, ...part }
    }
    return out
  }

  protected conditionals(raw: unknown, keyword: string, location: SourceLocation): Conditional[] {
    if (raw === undefined || raw === null) return []
    const list = Array.isArray(raw) ? raw : [raw]
    for (const item of list) {
      if (typeof item !== 'string' && typeof item !== 'boolean' && !isNumeric(item)) {
        throw new PlaybookError(
          `'${keyword}' must be a Jinja2 expression or a list of them, found ${describe(item)}`,
          location
        )
      }
    }
    return list as Conditional[]
  }

  /** A play or task name: a string, or a number/boolean written without quotes. */
  protected nameOf(raw: unknown, location: SourceLocation): string {
    if (typeof raw === 'string' || isNumeric(raw) || typeof raw === 'boolean') return String(raw)
    throw new PlaybookError(`'name' must be a string, found ${describe(raw)}`, location)
  }

  /** Where a parsed node is; a scalar has no line of its own, so it gets `fallback` (else line 1). */
  protected at(node: unknown, fallback?: SourceLocation): SourceLocation {
    const line = node !== null && typeof node === 'object' ? this.doc?.lineOf(node) : undefined
    if (line === undefined && fallback) return fallback
    return { file: this.file, line: line ?? 1 }
  }

  protected checkKeys(
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

/** Arguments split out of an `!unsafe` free-form string: each value is marked again. */
function unsafeArgs(args: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(args).map(([k, v]) => [k, markUnsafeDeep(v)]))
}
