import type { SourceLocation } from '../errors.js'

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

/** One task, as loaded. Values are raw: templates are rendered per host at run time. */
export interface Task {
  /** The task's name, or `module` plus its free-form argument as Ansible shows it when unnamed. */
  name: string
  /** Whether the user gave the name (Ansible shows unnamed tasks by their action). */
  named: boolean
  /** Canonical module name, without the `ansible.builtin.` prefix. */
  module: string
  /** Module arguments; a free-form argument is `_raw_params`. */
  args: Record<string, unknown>
  location: SourceLocation
  register?: string
  when: Conditional[]
  /** The loop's items (raw), and whether they are flattened one level (`with_items`). */
  loop?: { value: unknown; flatten: boolean }
  loopControl: { loopVar: string; label?: unknown; indexVar?: string; pause?: unknown }
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
  timeout?: unknown
  runOnce?: unknown
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
  /** Added by the engine, not written by the user (the flush_handlers after each task section). */
  implicit?: boolean
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
  name: string
  hosts: string | string[]
  vars: Record<string, unknown>
  /** The variables of the play's `vars_files`, merged in order (above play vars, below task vars). */
  varsFiles?: Record<string, unknown>
  gatherFacts: unknown
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
  ignoreErrors?: unknown
  environment?: unknown
  /** become, become_user, become_method, become_flags, become_exe of the play. */
  become?: BecomeKeywords
  location: SourceLocation
}

/** A loaded playbook: its plays and where it came from. */
export interface Playbook {
  /** File path as the user gave it, or `<inline playbook>`. */
  file: string
  /** Directory that relative paths in the playbook resolve against. */
  baseDir: string
  plays: Play[]
}
