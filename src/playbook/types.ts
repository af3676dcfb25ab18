import type { SourceLocation } from '../errors.js'
import type { IncludeState } from './loader-support.js'
import type { VarsPrompt } from './vars-prompt.js'

/** A conditional as written: a bare Jinja2 expression, a boolean, or a list of them (all must hold). */
export type Conditional = string | boolean | number

/** The become keywords of a play or task, as written (templated per host at run time). */
export interface BecomeKeywords {
  become?: unknown
  becomeUser?: unknown
  becomeMethod?: unknown
  becomeFlags?: unknown
  becomeExe?: unknown
}

/** The `module` of a task whose action is a template (Task.moduleTemplate): no module has this name. */
export const TEMPLATED_ACTION = '(templated action)'

/** A task's action written as a template (Task.moduleTemplate). */
export interface TemplatedAction {
  /** `{{ ansible_pkg_mgr }}`: renders to a module name. */
  template: string
  /** The play's or role's `collections:`, for the name's lookup. */
  collections: readonly string[]
}

/** One task, as loaded. Values are raw: templates are rendered per host at run time. */
export interface Task {
  /** The task's name, or `module` plus its free-form argument as Ansible shows it when unnamed. */
  name: string
  /** Whether the user gave the name (Ansible shows unnamed tasks by their action). */
  named: boolean
  /** Canonical module name, without the `ansible.builtin.` prefix (TEMPLATED_ACTION with moduleTemplate). */
  module: string
  /**
   * `action: "{{ ansible_pkg_mgr }} name=git"`: the module's name is a template, rendered with each
   * host's variables when the task runs (as Ansible 2.14 does); `args` hold its key=value words.
   */
  moduleTemplate?: TemplatedAction
  /** The module as the task wrote it (`ansible.builtin.ping`), for Ansible's messages that quote it. */
  action?: string
  /** How the task is shown when unnamed, where that is not its action: a templated action's template. */
  shownAs?: string
  /** Module arguments; a free-form argument is `_raw_params`. */
  args: Record<string, unknown>
  location: SourceLocation
  /** The absolute directory of the file the task is written in (templates and files are looked up there too). */
  dir?: string
  register?: string
  when: Conditional[]
  /**
   * The loop's items (raw), whether they are flattened one level (`with_items`), and the lookup a
   * `with_<lookup>` loop runs on them (not with_items/with_list, which need none).
   */
  loop?: { value: unknown; flatten: boolean; lookup?: string; viaLookup?: boolean }
  loopControl: {
    loopVar: string
    label?: unknown
    indexVar?: string
    pause?: unknown
    /** `extended` / `extended_allitems`: the `ansible_loop` variable (with `allitems` unless the latter is false). */
    extended?: unknown
    extendedAllitems?: unknown
  }
  until: Conditional[]
  retries?: unknown
  delay?: unknown
  failedWhen: Conditional[]
  changedWhen: Conditional[]
  ignoreErrors?: unknown
  ignoreUnreachable?: unknown
  vars: Record<string, unknown>
  environment?: unknown
  noLog?: unknown
  /** `check_mode` as written (its own or its blocks', role's, play's); absent: --check decides. */
  checkMode?: unknown
  /** `diff` as written (its own or its blocks', role's, play's); absent: --diff decides. */
  diff?: unknown
  timeout?: unknown
  runOnce?: unknown
  /**
   * `delegate_to` as written (templated per host and loop item when the task runs); `local_action` sets it
   * to `localhost`. The task then reaches the delegate with the delegate's connection variables.
   */
  delegateTo?: unknown
  /** `delegate_facts`: the facts a delegated task returns go to the delegate instead of the host. */
  delegateFacts?: unknown
  /** The task's (or its blocks') `connection` keyword: below every variable, as Ansible's ansible_connection wins. */
  connection?: unknown
  /** The task's (or its blocks') `remote_user` keyword: ansible_user below every variable, as `connection`. */
  remoteUser?: unknown
  /** The task's (or its blocks') `port` keyword: ansible_port below every variable, as `connection`. */
  port?: unknown
  /** At most this many hosts run the task at once (with forks), as written; 0 or absent: no limit. */
  throttle?: unknown
  /**
   * module_defaults of the play, blocks, roles and task, outermost first, keys resolved (our module names,
   * `group/<fully qualified group>`); values as written, templated when the task runs.
   */
  moduleDefaults?: ModuleDefaults[]
  /** The task's (or its blocks') any_errors_fatal, as written; absent: the play's. */
  anyErrorsFatal?: unknown
  async?: unknown
  poll?: unknown
  tags: string[]
  /** become, become_user, become_method, become_flags, become_exe: override the play's. */
  become?: BecomeKeywords
  /**
   * The blocks this task sits in, outermost first (absent outside any block). A block's keywords are
   * already merged into the task; the executor only needs these frames for rescue/always.
   */
  blocks?: BlockFrame[]
  /** Handler names or `listen` topics to notify when the task reports changed (plain, untemplated). */
  notify?: string[]
  /** On a handler: the topics it also answers to besides its name. */
  listen?: string[]
  /**
   * On a handler: the block of handlers it was loaded in (the play's bare handlers, a `block:` under
   * `handlers:`, a role's handlers file). A notified name reaches the first handler of the last block that
   * has one, as in Ansible.
   */
  handlerBlock?: number
  /** Added by the engine, not written by the user (the flush_handlers after each task section). */
  implicit?: boolean
  /** The role the task comes from (its defaults, vars and params are in scope; its files are looked up first). */
  role?: RoleRef
  /**
   * Ansible's include params: what the dynamic includes that brought the task in hand down, above registered
   * values and below extra vars. `vars` are the includes' `vars:` as written; `loop` their loop variables,
   * already rendered (never templated again).
   */
  params?: { vars: Record<string, unknown>; loop: Record<string, unknown> }
  /** On an `include_tasks` / `include_role` task: what to load when it runs. */
  include?: DynamicInclude
}

/**
 * A task's name as Ansible shows it: `role : name` for a role's task, but an include_role task's name alone
 * (Ansible's IncludeRole names itself without its role).
 */
export function roleQualifiedName(task: Pick<Task, 'role' | 'include'>, own: string): string {
  return task.role && task.include?.kind !== 'role' ? `${task.role.name} : ${own}` : own
}

/** A task with only the fields given and no keywords (the engine's own tasks: fact gathering, ad hoc, flushes). */
export function plainTask(
  fields: Pick<Task, 'name' | 'named' | 'module' | 'args' | 'location'> & Partial<Task>
): Task {
  return {
    when: [],
    loopControl: { loopVar: 'item' },
    until: [],
    failedWhen: [],
    changedWhen: [],
    vars: {},
    tags: [],
    ...fields
  }
}

/** One use of a role: where it lives and the variables it brings. */
export interface RoleRef {
  name: string
  /** Absolute directory of the role. */
  path: string
  /**
   * The directories of the roles this use sits in, outermost first: those it is a dependency of and those
   * whose tasks import or include it (Ansible's dependency chain, for `ansible_search_path`).
   */
  ancestors?: string[]
  /** defaults/main.yml: the lowest precedence of all. */
  defaults: Record<string, unknown>
  /**
   * The invocation's `vars:` with vars/main.yml over them (as Ansible merges them): above vars_files, below
   * block vars. A public role exports them to the whole play.
   */
  vars: Record<string, unknown>
  /** The invocation's inline parameters (`- { role: web, port: 8080 }`): above registered values. */
  params: Record<string, unknown>
  /**
   * Set on a use under `roles:` or `dependencies:` (without allow_duplicates): once a use with this key has
   * run a task on a host, later uses with the same key are skipped there, as Ansible runs a role once.
   */
  dedupKey?: string
  /**
   * import_role's / include_role's templated `allow_duplicates`: rendered with the play's variables when a task
   * of the use runs; when it is true, the use runs again after all.
   */
  allowDuplicates?: unknown
}

/** What a dynamic include needs to load its tasks at run time (see loadInclude in playbook-loader.ts). */
export interface DynamicInclude {
  kind: 'tasks' | 'role'
  /** Absolute directory of the file that names the include (relative paths start there). */
  dir: string
  /** That file's label in locations. */
  file: string
  /** The playbook's directory: roles are looked up under its `roles/`. */
  playDir: string
  /** The files including this one, for cycle detection. */
  chain: readonly string[]
  /** A dynamic bare `include`: Ansible shows its run-time deprecation when it brings a file in. */
  legacy?: true
  /** The include's own `vars:` (its blocks' excluded): include params of what it brings in. */
  vars: Record<string, unknown>
  /**
   * The loader's own state, for loading what the include names: the module catalog, the block id counter,
   * the keywords its tasks inherit. Only the loader reads it.
   */
  loader: IncludeState
}

/** Where a task sits in one enclosing block: the block, and which of its lists (block, rescue, always). */
export interface BlockFrame {
  /** Unique within the playbook. */
  id: number
  section: 'block' | 'rescue' | 'always'
  name?: string
  location: SourceLocation
}

/** One play of a playbook. */
export interface Play {
  /** The play's name as written (templated when the play runs), or its host patterns when it has none. */
  name: string
  /** Whether the play has a `name:` (else it is named after its templated hosts when it runs). */
  named?: boolean
  /** Host patterns as written: templated with the play's variables when the play runs. */
  hosts: string | string[]
  vars: Record<string, unknown>
  /**
   * `connection` and `remote_user` (`user`) as ansible_connection and ansible_user: below every variable, as
   * Ansible's connection variables win over these keywords.
   */
  connectionVars?: Record<string, unknown>
  /** The variables of the play's `vars_files`, merged in order (above play vars, below task vars). */
  varsFiles?: Record<string, unknown>
  gatherFacts: unknown
  /** The play sets `gather_facts` itself (ANSIBLE_GATHERING then does not decide). */
  gatherFactsGiven?: boolean
  /** pre_tasks, tasks and post_tasks in order, each section followed by an implicit `meta: flush_handlers`. */
  tasks: Task[]
  /** The play's `handlers:`, in definition order (the order they run in at a flush). */
  handlers: Task[]
  /** The `force_handlers` keyword as written (a failed host still runs its notified handlers). */
  forceHandlers?: unknown
  /** The play's own tags (its tasks carry them too); the implicit fact gathering runs with them. */
  tags: string[]
  anyErrorsFatal: unknown
  maxFailPercentage?: unknown
  serial?: unknown
  /** `strategy` (only linear runs): a literal one was checked at load time, a templated one at run time. */
  strategy?: unknown
  /** `order` of the play's hosts (inventory, reverse_inventory, sorted, reverse_sorted, shuffle). */
  order?: unknown
  ignoreErrors?: unknown
  ignoreUnreachable?: unknown
  environment?: unknown
  /** The play's `vars_prompt`: variables asked for (or taken from extra vars / defaults) as the play starts. */
  varsPrompt?: VarsPrompt[]
  /** The play's module_defaults, loaded: they reach its tasks and the fact gathering (as setup's). */
  moduleDefaults?: ModuleDefaults[]
  /** become, become_user, become_method, become_flags, become_exe of the play. */
  become?: BecomeKeywords
  /** The play's public roles (`roles:` and `import_role`): their defaults and vars are seen by every task. */
  roles?: RoleRef[]
  /** The names of the roles listed under `roles:` (`ansible_play_role_names`). */
  listedRoles?: string[]
  /**
   * The directory of the playbook file the play is written in, when import_playbook brought it from another
   * file: its group_vars/ and host_vars/ are read for the play, as Ansible does.
   */
  playbookFileDir?: string
  location: SourceLocation
}

/** A loaded playbook: its plays and where it came from. */
export interface Playbook {
  /** File path as the user gave it, or `<inline playbook>`. */
  file: string
  /** Directory that relative paths in the playbook resolve against. */
  baseDir: string
  plays: Play[]
  /** What the load warns of, shown when the run starts. */
  warnings?: string[]
  /** Ansible's deprecations the load found (the bare `include`), shown when the run starts. */
  deprecations?: string[]
}

/** One `module_defaults` mapping, keys resolved: a module's canonical name or `group/<fully qualified group>`. */
export type ModuleDefaults = Record<string, unknown>
