import { ModuleArgumentError } from '../errors.js'
import type { Connection } from '../connection/connection.js'
import type { TemplateFileOptions } from '../template/index.js'
import type { ArgSpec } from './arg-spec.js'
import type { Task } from '../playbook/types.js'
import type { EnvironmentOnStdin } from './task-environment.js'

/** What Ansible registers for a task: a plain JSON-like dictionary. */
export type ModuleResult = Record<string, unknown>

/**
 * Ansible's `diff` of a result (one, or a list of them): what `--diff` shows. `before`/`after` are the
 * contents (text, or a mapping for state such as a file's mode); the headers name each side (a path,
 * `dynamically generated`).
 */
export interface ModuleDiff {
  before?: string | Record<string, unknown>
  after?: string | Record<string, unknown>
  before_header?: string
  after_header?: string
  /** Text shown as it is (unarchive's itemized changes of a zip archive). */
  prepared?: string
}

/**
 * What a module sees of its task: its name and action for messages, where it was written (controller
 * files are looked up from its role and directory), and what an include needs. The rest of the task
 * (when, loop, register, retries, become …) is the runner's.
 */
export type ModuleTask = Pick<
  Task,
  'name' | 'action' | 'module' | 'args' | 'location' | 'role' | 'dir' | 'include' | 'loop'
>

/**
 * Everything a module may use, and all of it: its validated arguments and run flags, the host's
 * connection, the host's variables and templating, deadlines, logging and the host's background jobs.
 * Modules never read CLI options, action inputs or the runner's state; the runner builds this once per
 * task (task-runner.ts), tests build it through __tests__/helpers/module-harness.ts.
 */
export interface ModuleContext {
  /** Inventory name of the host. */
  host: string
  /** Module arguments: rendered, then validated against the module's spec (converted, defaults in). */
  args: Record<string, unknown>
  /**
   * Check mode: report what would change, change nothing. Only a module that declares
   * `supportsCheckMode` is ever run with it; the others are skipped with Ansible's message.
   */
  check: boolean
  /** Diff mode: return a `diff` (ModuleDiff) of what changed, or would change in check mode. */
  diff: boolean
  task: ModuleTask
  /**
   * The task's module_defaults for another module (rendered; empty when none apply): what an action that
   * hands the task to another module (package to apt, …) puts under the arguments, as Ansible's do.
   */
  moduleDefaults?: (module: string) => Record<string, unknown>
  /** The host's connection, opened on first use. Rejects with ConnectionError when unreachable. */
  connection(): Promise<Connection>
  /**
   * Drops the host's connection (it may be dead after a reboot or a network drop) and opens a new one.
   * Rejects with ConnectionError when the host cannot be reached yet.
   */
  reconnect(): Promise<Connection>
  /** The host's variables, for modules that evaluate expressions (debug var, assert). */
  vars: Record<string, unknown>
  /** Evaluates a conditional against `vars` (for assert). */
  isTrue(condition: unknown): boolean
  /** Evaluates a bare expression against `vars` (for debug var). */
  evaluate(expression: string): unknown
  /** Templates a value as arguments are templated (a lone `{{ expr }}` keeps its type), for assert. */
  template(value: unknown): unknown
  /**
   * Renders template text against `vars` to a string. With `templateFile` (the template module), the text
   * is a template file rendered as Ansible's template action does: these Jinja2 settings over Ansible's
   * defaults, a `#jinja2:` header line, newlines in `newline_sequence`.
   */
  render(text: string, templateFile?: TemplateFileOptions): string
  /** Deadline for each remote call the module makes, in milliseconds. */
  timeoutMs: number
  /** The task's `timeout` keyword in seconds, if set: the command is killed on the target after it. */
  taskTimeoutSeconds?: number
  /** The task's `environment`, rendered. */
  environment: Record<string, string>
  /** Directory that relative local paths (script, copy src) resolve against. */
  baseDir: string
  /** Writes a line to the console under the task (live output, pause notices). */
  log(line: string): void
  /**
   * The module's own warning, as Ansible's `module.warn`: kept in the result's `warnings` (what `register`
   * sees) and printed as a `[WARNING]:` line with the result.
   */
  warn(message: string): void
  /**
   * Prints a `[WARNING]:` line at once, as an Ansible action plugin's display warnings: not part of the
   * result.
   */
  displayWarning(message: string): void
  /** Resolves after `ms`, or earlier when the run is being cancelled. */
  sleep(ms: number): Promise<void>
  /**
   * Set when the task has `async`: the module hands its POSIX sh script to this instead of running it,
   * and returns the launch record it gets back. The executor then polls (poll > 0) or moves on (poll 0).
   * `environment` is read from stdin by the launcher and applied by the script (see task-environment.ts).
   */
  launchJob?: (
    script: string,
    cmd: unknown,
    environment?: Pick<EnvironmentOnStdin, 'receive' | 'stdin'>
  ) => Promise<ModuleResult>
  /** The run's background jobs on this host, for async_status. */
  jobs: JobsAccess
}

/** What async_status can do with a job id. */
export interface JobsAccess {
  /** Ansible's async_status result for the job; with `waitSeconds`, the answer waits for the job to end. */
  status(jid: string, waitSeconds?: number): Promise<ModuleResult>
  /** Deletes the job's files on the target and returns Ansible's cleanup result. */
  cleanup(jid: string): Promise<ModuleResult>
  /**
   * Where the job's results file is (or would be): the launch's directory for a job of this run, else
   * `ansible_async_dir` resolved on the target. Reads nothing of the job (check mode names it only).
   */
  resultsFile(jid: string): Promise<string>
}

/**
 * How reporters show a module's results where Ansible's callback treats the module apart (debug): the
 * reporters ask the module, never test its name.
 */
export interface ModuleDisplay {
  /**
   * Whether the console prints this result in full without -v, besides results marked SHOW_RESULT
   * (Ansible's `_ansible_verbose_always`).
   */
  shownInFull?(result: ModuleResult): boolean
  /** The fields the console prints, from those it would print (debug shows only what it was asked). */
  shownFields?(fields: Record<string, unknown>): Record<string, unknown>
}

/** A module: one file per module in src/modules. */
export interface ModuleDefinition {
  name: string
  /**
   * Its arguments, declared once (see arg-spec.ts): validated with Ansible's messages before `run`, which
   * sees them converted to their types, with defaults filled in and aliases resolved. Names outside the
   * spec are refused as the spec says (`unknown`).
   */
  args: ArgSpec
  /**
   * Honours `ctx.check` (changes nothing, reports what it would change). A module that does not is
   * skipped in check mode with Ansible's message, never run.
   */
  supportsCheckMode: boolean
  /**
   * Takes a free-form string (`shell: echo hi`). `key-value`: every `key=value` word of it is an argument
   * and only the other words are the free-form text (`include_vars: vars.yml name=app`).
   */
  freeForm?: boolean | 'key-value'
  /** How reporters show its results, where that differs from other modules'. */
  display?: ModuleDisplay
  /**
   * Fully qualified names outside ansible.builtin it also answers to, as Ansible's collections name it
   * (`ansible.posix.authorized_key`, `community.general.…`). Its `ansible.builtin.` name needs no entry.
   */
  fqcns?: readonly string[]
  /** Needs no connection: debug, set_fact, fail, assert, pause. */
  local?: boolean
  /**
   * Its result is registered as returned, without the `failed`/`changed` defaults other results get (as
   * Ansible's include results, whose loop items have neither).
   */
  bareResult?: boolean
  /**
   * Deals with the task's `timeout` itself: command, shell, script and raw apply it on the target, where
   * the command is killed; pause ignores it, as Ansible's pause does (its own timer replaces the task's).
   * Other modules are given up on by the executor when the time is up.
   */
  ownTimeout?: boolean
  /**
   * Runs once per batch, on its first host, as Ansible's actions that bypass the host loop (add_host): its
   * result is that host's alone.
   */
  bypassHostLoop?: boolean
  /** Can run in the background with `async` (command, shell). */
  supportsAsync?: boolean
  /**
   * Called between attempts of an until-loop instead of a plain sleep: may return early when waiting longer
   * cannot change the outcome (async_status returns as soon as the job ends).
   */
  waitBeforeRetry?(ctx: ModuleContext, result: ModuleResult, delayMs: number): Promise<void>
  run(ctx: ModuleContext): Promise<ModuleResult>
}

/**
 * Marks a result the console prints in full even without -v, as Ansible's `_ansible_verbose_always`
 * (debug, assert unless `quiet`). A symbol key: never registered or shown.
 */
export const SHOW_RESULT = Symbol('show result')

/**
 * Marks a failed result that `ignore_errors` cannot turn into a warning (an include that cannot load its
 * file fails the host whatever ignore_errors says, as in Ansible). A symbol key: never registered or shown.
 */
export const NOT_IGNORABLE = Symbol('not ignorable')

/**
 * Marks the result of a task given up on at its `timeout`. As in Ansible, changed_when, failed_when and
 * until are not evaluated for it, and it gets no `changed` inside a loop. A symbol key: never registered.
 */
export const TIMED_OUT = Symbol('timed out')

/**
 * Marks Ansible's "Unexpected failure during module execution" result (an exception in an action plugin,
 * e.g. template's output_encoding): it has `failed`, `msg` and `stdout`, and no `changed`. A symbol key.
 */
export const UNEXPECTED_FAILURE = Symbol('unexpected failure')

/**
 * Marks a result an Ansible action plugin raises (AnsibleActionSkip: check mode not supported by an
 * action, fetch in check mode): Ansible returns it as it is, without the `failed` default a module's
 * result gets. A symbol key, not enumerable (see actionSkip): never registered.
 */
export const ACTION_RAISED = Symbol('action raised')

/** A module refused its arguments: the task fails with this message (Ansible's wording where it has one). */
export { ModuleArgumentError }

/**
 * What Ansible's action plugins raise as AnsibleError (include_vars' `… is not a valid option`): the task
 * fails with `failed` and `msg` only, no `changed`.
 */
export class ActionPluginError extends ModuleArgumentError {}
