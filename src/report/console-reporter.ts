import { SHOW_RESULT } from '../modules/module.js'
import { MODULES } from '../modules/registry.js'
import { DELEGATED_TO, noticeLine, type NoticeLevel } from '../executor/events.js'
import type { SourceLocation } from '../errors.js'
import type {
  CustomStats,
  HostStats,
  HostTaskOutcome,
  RunEvents,
  TaskInfo
} from '../executor/events.js'
import { NO_LOG_MESSAGE } from './censor.js'
import { visibleControls } from '../values/inert-text.js'
import { pythonJson } from '../values/python-json.js'
import { isRecord } from '../values/records.js'
import { diffPieces, type DiffPaint } from './diff-text.js'
import { pyTruthy } from '../template/python.js'

const COLORS = {
  ok: '32',
  changed: '33',
  failed: '31',
  skipped: '36',
  unreachable: '31',
  warn: '35',
  retry: '31'
} as const
/** Ansible's COLOR_DIFF_ADD, COLOR_DIFF_REMOVE and COLOR_DIFF_LINES. */
const DIFF_COLORS: Record<NonNullable<DiffPaint>, string> = {
  add: '32',
  remove: '31',
  lines: '36'
}
const BANNER_WIDTH = 79
/** Status keys Ansible's callbacks never see (TaskResult.clean_copy): the event type already says it. */
const STATUS_KEYS = new Set(['failed', 'skipped'])
/** Keys a censored (no_log) result keeps, as in TaskResult.clean_copy. */
const NO_LOG_PRESERVED = ['attempts', 'changed', 'retries']

/** What the console shows, as ansible-playbook's default callback options. */
export interface ConsoleOptions {
  color: boolean
  verbosity: number
  /** Print `ok:` lines (ANSIBLE_DISPLAY_OK_HOSTS; default true). */
  displayOkHosts?: boolean
  /** Print `skipping:` lines (ANSIBLE_DISPLAY_SKIPPED_HOSTS; default true). */
  displaySkippedHosts?: boolean
  /** Print set_stats' values after the recap (ANSIBLE_SHOW_CUSTOM_STATS; default false). */
  showCustomStats?: boolean
  /** -D/--diff: print the `diff` of every changed result (a task's own `diff: true` does it for that task). */
  diff?: boolean
  /** Lines of context around each change in a diff (ANSIBLE_DIFF_CONTEXT; default 3). */
  diffContext?: number
  /** Print `[DEPRECATION WARNING]:` lines (ANSIBLE_DEPRECATION_WARNINGS; default true). */
  deprecationWarnings?: boolean
  /**
   * Where `[ERROR]:` lines go (the CLI: stderr, as ansible-playbook prints them); without it, with the rest
   * (the action's log is one stream).
   */
  writeError?: (text: string) => void
}

/**
 * Console output in the shape of ansible-playbook's default callback. Names, labels, messages and output
 * come from playbooks and targets: every text goes through visibleControls before we paint it, so the
 * only escape sequences this reporter writes are its own colours (see inert-text.ts).
 */
export class ConsoleReporter implements RunEvents {
  /** A task banner not printed yet: when ok or skipped lines are hidden, it waits for a line to show. */
  private pendingBanner: string | undefined
  private readonly deprecationsShown = new Set<string>()

  constructor(
    private readonly write: (text: string) => void,
    private readonly options: ConsoleOptions
  ) {}

  /** As Ansible, a banner waits for its first line only when some results are hidden. */
  private get filtering(): boolean {
    return this.options.displayOkHosts === false || this.options.displaySkippedHosts === false
  }

  playStart(name: string, _location: SourceLocation | undefined): void {
    this.pendingBanner = undefined
    this.banner(`PLAY [${name}]`)
  }

  taskStart(task: TaskInfo): void {
    const title = `${task.handler ? 'RUNNING HANDLER' : 'TASK'} [${task.name}]`
    if (this.filtering) this.pendingBanner = title
    else this.banner(title)
  }

  itemResult(task: TaskInfo, outcome: HostTaskOutcome): void {
    const result = outcome.result
    const item = `(item=${outcome.item?.label ?? ''})`
    const host = `[${hostLabel(outcome)}]`
    // As Ansible: an item's diff is shown (when the task is in diff mode) even if ok lines are hidden.
    if (task.diff && (outcome.status === 'ok' || outcome.status === 'changed'))
      this.fileDiff(result, task)
    if (this.hidden(outcome.status, task)) return
    this.notices(result, task)
    switch (outcome.status) {
      case 'failed':
        this.line(`failed: ${host} ${item} => ${this.dump(result, task)}`, 'failed')
        break
      case 'skipped':
        this.line(`skipping: ${host} => ${item} `, 'skipped')
        break
      case 'unreachable':
        this.line(
          `fatal: ${host}: UNREACHABLE! => ${item} => ${this.dump(result, task)}`,
          'unreachable'
        )
        break
      default:
        if (task.module === 'include_tasks' || task.module === 'include_role') {
          this.included(task, outcome, ` => ${item}`)
          break
        }
        this.line(
          `${outcome.status}: ${host} => ${item}${this.details(result, task)}`,
          outcome.status
        )
    }
  }

  /** As Ansible: `included: <file> for <host>` for include_tasks (unless the file has no tasks); nothing for include_role. */
  private included(task: TaskInfo, outcome: HostTaskOutcome, suffix: string): void {
    if (task.module !== 'include_tasks' || outcome.included === undefined) return
    this.line(`included: ${outcome.included} for ${outcome.host}${suffix}`, 'ok')
  }

  hostResult(task: TaskInfo, outcome: HostTaskOutcome): void {
    const result = outcome.result
    const host = `[${hostLabel(outcome)}]`
    const isLoop = Array.isArray(outcome.result['results'])
    if (
      (this.options.diff || task.diff) &&
      (outcome.status === 'ok' || outcome.status === 'changed')
    )
      this.fileDiff(result, task)
    if (this.hidden(outcome.status, task)) return
    if (!isLoop) this.notices(result, task)
    switch (outcome.status) {
      case 'failed':
        if (!isLoop) this.line(`fatal: ${host}: FAILED! => ${this.dump(result, task)}`, 'failed')
        if (outcome.ignored) this.line('...ignoring', 'skipped')
        break
      case 'unreachable':
        if (!isLoop)
          this.line(`fatal: ${host}: UNREACHABLE! => ${this.dump(result, task)}`, 'unreachable')
        // ignore_unreachable
        if (outcome.ignored) this.line('...ignoring', 'skipped')
        break
      case 'skipped':
        // After a loop's items too (an empty loop has none), as Ansible's default callback prints it.
        this.line(`skipping: ${host}`, 'skipped')
        break
      default:
        if (isLoop) break
        if (task.module === 'include_tasks' || task.module === 'include_role')
          this.included(task, outcome, '')
        else this.line(`${outcome.status}: ${host}${this.details(result, task)}`, outcome.status)
    }
  }

  retrying(
    task: TaskInfo,
    host: string,
    retriesLeft: number,
    result: Record<string, unknown>
  ): void {
    const label = hostLabel({ host, result } as HostTaskOutcome)
    let line = `FAILED - RETRYING: [${label}]: ${task.name} (${retriesLeft} retries left).`
    if (this.options.verbosity >= 2) line += `Result was: ${this.dump(result, task)}`
    this.line(line, 'retry')
  }

  /** Whether lines of this status are hidden (ANSIBLE_DISPLAY_OK_HOSTS / _SKIPPED_HOSTS). */
  private hidden(status: HostTaskOutcome['status'], task: TaskInfo): boolean {
    // `included:` lines are Ansible's include event, which these options do not hide.
    if (task.module === 'include_tasks' || task.module === 'include_role') return false
    if (status === 'ok') return this.options.displayOkHosts === false
    if (status === 'skipped') return this.options.displaySkippedHosts === false
    return false
  }

  /**
   * What Ansible prints before a result line: the module's `warnings`, and for a result with an
   * `exception`, its last line (the whole of it at -vvv).
   */
  private notices(result: Record<string, unknown>, task: TaskInfo): void {
    if (task.noLog) return
    const exception = result['exception']
    if (typeof exception === 'string') {
      const text =
        this.options.verbosity < 3
          ? `An exception occurred during task execution. To see the full traceback, use -vvv. The error was: ${exception.trim().split('\n').pop() ?? ''}`
          : `The full traceback is:\n${exception}`
      this.line(text, 'failed')
    }
    const warnings = result['warnings']
    if (Array.isArray(warnings)) for (const w of warnings) this.warning(String(w))
  }

  /**
   * Ansible's file diff for a changed result with a `diff`, before its status line: never for a no_log
   * task (Ansible's callbacks only see the censored result, which has no diff).
   */
  private fileDiff(result: Record<string, unknown>, task: TaskInfo): void {
    if (task.noLog || !result['changed'] || !('diff' in result) || !pyTruthy(result['diff'])) return
    const pieces = diffPieces(
      result['diff'],
      this.options.diffContext !== undefined ? { context: this.options.diffContext } : {}
    )
    if (pieces.length === 0) return
    if (this.pendingBanner !== undefined) this.banner(this.pendingBanner)
    let text = ''
    for (const piece of pieces) {
      // File contents come from targets: made inert line by line, each line end kept.
      const inert = piece.text
        .split('\n')
        .map((part) => visibleControls(part))
        .join('\n')
      text +=
        this.options.color && piece.paint
          ? inert
              .split('\n')
              .map((part) => `\x1b[0;${DIFF_COLORS[piece.paint!]}m${part}\x1b[0m`)
              .join('\n')
          : inert
    }
    this.write(text.endsWith('\n') ? text : text + '\n')
  }

  noMoreHosts(): void {
    this.banner('NO MORE HOSTS LEFT')
  }

  log(host: string, task: TaskInfo | undefined, line: string): void {
    const prefix = host ? `[${host}]${task ? ` ${task.name}` : ''} | ` : ''
    for (const l of line.split('\n')) this.write(`${visibleControls(prefix + l)}\n`)
  }

  warning(message: string, level: NoticeLevel = 'warning'): void {
    // As Ansible's display: a deprecation is shown once per run.
    if (level === 'deprecation') {
      if (this.deprecationsShown.has(message)) return
      this.deprecationsShown.add(message)
    }
    const text = noticeLine(message, level, this.options.deprecationWarnings !== false)
    if (text === undefined) return
    const writeError = this.options.writeError
    if (level === 'error' && writeError)
      writeError(`${this.paint(visibleControls(text), 'failed')}\n`)
    else this.line(text, level === 'error' ? 'failed' : 'warn')
  }

  recap(stats: Record<string, HostStats>, custom?: CustomStats): void {
    this.banner('PLAY RECAP')
    for (const host of Object.keys(stats).sort()) {
      const s = stats[host]!
      const color = s.failed > 0 || s.unreachable > 0 ? 'failed' : s.changed > 0 ? 'changed' : 'ok'
      const cell = (name: string, n: number, c: keyof typeof COLORS): string =>
        this.paint(`${name}=${String(n).padEnd(4)}`, n > 0 ? c : undefined)
      const cells = [
        cell('ok', s.ok, 'ok'),
        cell('changed', s.changed, 'changed'),
        cell('unreachable', s.unreachable, 'unreachable'),
        cell('failed', s.failed, 'failed'),
        cell('skipped', s.skipped, 'skipped'),
        cell('rescued', s.rescued, 'ok'),
        cell('ignored', s.ignored, 'warn')
      ]
      this.write(`${this.paint(visibleControls(host).padEnd(26), color)} : ${cells.join(' ')}\n`)
    }
    this.write('\n')
    if (custom && this.options.showCustomStats) this.customStats(custom)
  }

  /** Ansible's CUSTOM STATS lines: each host's values, then the run's, as one-line JSON. */
  private customStats(custom: CustomStats): void {
    this.banner('CUSTOM STATS:')
    const oneLine = (values: Record<string, unknown>): string =>
      visibleControls(pythonJson(values, 1).replace(/\n/g, ''))
    for (const [host, values] of Object.entries(custom)) {
      if (host === '_run') continue
      this.write(`\t${visibleControls(host)}: ${oneLine(values)}\n`)
    }
    if (custom['_run']) this.write(`\n\tRUN: ${oneLine(custom['_run'])}\n`)
    this.write('\n')
  }

  private details(result: Record<string, unknown>, task: TaskInfo): string {
    if (!shownInFull(result, task) && this.options.verbosity < 1) return ''
    return ` => ${this.dump(result, task)}`
  }

  private dump(result: Record<string, unknown>, task: TaskInfo): string {
    const shown: Record<string, unknown> = task.noLog ? { censored: NO_LOG_MESSAGE } : {}
    if (task.noLog) {
      for (const k of NO_LOG_PRESERVED) if (k in result) shown[k] = result[k]
    } else {
      for (const [k, v] of Object.entries(result)) {
        if (STATUS_KEYS.has(k) || (k === 'invocation' && this.options.verbosity < 3)) continue
        // As Ansible: the diff is shown as a diff (with --diff), not in the result, below -vvv.
        if (k === 'diff' && this.options.verbosity < 3) continue
        // Printed above the result line instead (see notices()); Ansible's dump drops the exception at
        // every verbosity.
        if (k === 'warnings' || k === 'exception') continue
        if (!k.startsWith('_ansible_')) shown[k] = stripInternalKeys(v)
      }
    }
    const display = MODULES.get(task.module)?.display
    const fields = display?.shownFields ? display.shownFields(shown) : shown
    const indent = shownInFull(result, task) || this.options.verbosity >= 3 ? 4 : undefined
    return pythonJson(fields, indent)
  }

  private banner(text: string): void {
    this.pendingBanner = undefined
    const title = visibleControls(text)
    const stars = '*'.repeat(Math.max(3, BANNER_WIDTH - title.length))
    this.write(`\n${title} ${stars}\n`)
  }

  private line(text: string, color: keyof typeof COLORS): void {
    if (this.pendingBanner !== undefined) this.banner(this.pendingBanner)
    this.write(`${this.paint(visibleControls(text), color)}\n`)
  }

  private paint(text: string, color: keyof typeof COLORS | undefined): string {
    if (!this.options.color || !color) return text
    return `\x1b[0;${COLORS[color]}m${text}\x1b[0m`
  }
}

/**
 * Whether a result is printed in full without -v: a module asked for it (Ansible's
 * `_ansible_verbose_always`: debug, assert unless quiet), or the module's display says so (debug's
 * successful results).
 */
function shownInFull(result: Record<string, unknown>, task: TaskInfo): boolean {
  if ((result as Record<PropertyKey, unknown>)[SHOW_RESULT] === true) return true
  return MODULES.get(task.module)?.display?.shownInFull?.(result) ?? false
}

/** Drops `_ansible_*` keys at every depth, as Ansible's strip_internal_keys does before printing. */
function stripInternalKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripInternalKeys)
  // Only mappings are walked: a number object (an integral float, PyFloat), bytes or a date stays itself.
  if (!isRecord(value)) return value
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value))
    if (!k.startsWith('_ansible_')) out[k] = stripInternalKeys(v)
  return out
}

/**
 * The host as Ansible's console names it: `web1 -> db1` for a task delegated to another host, with the
 * delegate's ansible_host after it when that differs (`web1 -> db1(10.0.0.5)`).
 */
function hostLabel(outcome: HostTaskOutcome): string {
  const delegate = (outcome.result as Record<PropertyKey, unknown>)[DELEGATED_TO] as
    { name: string; address: string } | undefined
  if (!delegate || delegate.name === outcome.host) return outcome.host
  const address = delegate.address === delegate.name ? '' : `(${delegate.address})`
  return `${outcome.host} -> ${delegate.name}${address}`
}
