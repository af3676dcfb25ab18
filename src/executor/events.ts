import type { SourceLocation } from '../errors.js'

/** How one task ended on one host. */
export type HostStatus = 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable'

/** Per-host counters for the play recap, as Ansible keeps them. */
export interface HostStats {
  ok: number
  changed: number
  failed: number
  unreachable: number
  skipped: number
  rescued: number
  ignored: number
}

/**
 * set_stats' custom statistics as Ansible's json callback shows them: per host by inventory name, and the
 * run's own under `_run`.
 */
export type CustomStats = Record<string, Record<string, unknown>>

/** A task as reporters see it. */
export interface TaskInfo {
  name: string
  module: string
  location?: SourceLocation
  /** Results are censored in every report (no_log). */
  noLog: boolean
  /** The task runs in diff mode (its `diff`, or -D/--diff): reporters show its results' diffs. */
  diff?: boolean
  /** A handler run at a flush (Ansible's `RUNNING HANDLER` banner). */
  handler?: boolean
  /**
   * The task this one goes on with (the hosts of a templated action's next module): it has no banner
   * of its own, and its results are reported under that task's.
   */
  sameAs?: TaskInfo
}

/** The outcome of one task on one host. */
export interface HostTaskOutcome {
  host: string
  status: HostStatus
  /** A failure that ignore_errors turned into a warning. */
  ignored: boolean
  /** Exactly what `register` holds (censored when no_log). */
  result: Record<string, unknown>
  durationMs: number
  /** Set when the result shown is for a loop item. */
  item?: { label: string }
  /**
   * For an include_tasks result (or loop item) that brought in a file with tasks: that file, absolute, as
   * the console names it (`included: <file> for <host>`).
   */
  included?: string
}

/**
 * What the executor tells reporters, in order. Reporters never run commands; the executor never prints.
 */
export interface RunEvents {
  playStart(name: string, location: SourceLocation | undefined): void
  taskStart(task: TaskInfo): void
  /** One loop item finished (before the task's final hostResult for that host). */
  itemResult(task: TaskInfo, outcome: HostTaskOutcome): void
  /** The task finished on one host. */
  hostResult(task: TaskInfo, outcome: HostTaskOutcome): void
  /** An until-loop failed an attempt and will retry. */
  retrying(task: TaskInfo, host: string, retriesLeft: number, result: Record<string, unknown>): void
  /** Every host of the play has failed: the play stops. */
  noMoreHosts(): void
  /** A line of live output or a notice from a module. */
  log(host: string, task: TaskInfo | undefined, line: string): void
  /**
   * A message of Ansible's display: `[WARNING]:` by default, `[DEPRECATION WARNING]:` (shown once per
   * run, and not at all with deprecation_warnings off) or `[ERROR]:` (a run-level error that does not change
   * the exit code, such as --start-at-task's task not found).
   */
  warning(message: string, level?: NoticeLevel): void
  /** The run is over: the recap, and set_stats' custom statistics when a task set any. */
  recap(stats: Record<string, HostStats>, custom?: CustomStats): void
}

/** How a display message is shown: see RunEvents.warning. */
export type NoticeLevel = 'warning' | 'deprecation' | 'error'

/** Ansible's sentence after each deprecation warning. */
export const DEPRECATION_FOOTER =
  'Deprecation warnings can be disabled by setting deprecation_warnings=False in ansible.cfg.'

/**
 * The line Ansible's display prints for a message of `level` (without its end of line); none for a
 * deprecation when deprecation warnings are off.
 */
export function noticeLine(
  message: string,
  level: NoticeLevel = 'warning',
  deprecationWarnings = true
): string | undefined {
  if (level === 'error') return `[ERROR]: ${message}`
  if (level === 'warning') return `[WARNING]: ${message}`
  return deprecationWarnings ? `[DEPRECATION WARNING]: ${message} ${DEPRECATION_FOOTER}` : undefined
}

/** Fresh counters. */
export function emptyStats(): HostStats {
  return { ok: 0, changed: 0, failed: 0, unreachable: 0, skipped: 0, rescued: 0, ignored: 0 }
}

/** Fans events out to several reporters. */
export function combineEvents(...targets: RunEvents[]): RunEvents {
  const call =
    <K extends keyof RunEvents>(key: K) =>
    (...args: Parameters<RunEvents[K]>): void => {
      for (const target of targets)
        (target[key] as (...a: Parameters<RunEvents[K]>) => void)(...args)
    }
  return {
    playStart: call('playStart'),
    taskStart: call('taskStart'),
    itemResult: call('itemResult'),
    hostResult: call('hostResult'),
    retrying: call('retrying'),
    noMoreHosts: call('noMoreHosts'),
    log: call('log'),
    warning: call('warning'),
    recap: call('recap')
  }
}

/**
 * On a delegated task's result (each loop item's): where it ran, as executor/task-runner.ts' Delegation
 * (name, host, address). The console shows `[web1 -> db1]`; delegate_facts sends facts there. A symbol
 * key: never registered or shown.
 */
export const DELEGATED_TO = Symbol('delegated to')
