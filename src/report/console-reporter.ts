import { includedOf } from '../modules/include.js'
import type { SourceLocation } from '../errors.js'
import type { HostStats, HostTaskOutcome, RunEvents, TaskInfo } from '../executor/events.js'
import { NO_LOG_MESSAGE } from './censor.js'
import { visibleControls } from './inert-text.js'
import { pythonJson } from './python-json.js'

const COLORS = {
  ok: '32',
  changed: '33',
  failed: '31',
  skipped: '36',
  unreachable: '31',
  warn: '35',
  retry: '31'
} as const
const BANNER_WIDTH = 79
/** Status keys Ansible's callbacks never see (TaskResult.clean_copy): the event type already says it. */
const STATUS_KEYS = new Set(['failed', 'skipped'])
/** Keys a censored (no_log) result keeps, as in TaskResult.clean_copy. */
const NO_LOG_PRESERVED = ['attempts', 'changed', 'retries']

const DEBUG_HIDDEN = new Set(['changed', 'failed', 'skipped', 'invocation', 'skip_reason'])

/**
 * Console output in the shape of ansible-playbook's default callback. Names, labels, messages and output
 * come from playbooks and targets: every text goes through visibleControls before we paint it, so the
 * only escape sequences this reporter writes are its own colours (see inert-text.ts).
 */
export class ConsoleReporter implements RunEvents {
  constructor(
    private readonly write: (text: string) => void,
    private readonly options: { color: boolean; verbosity: number }
  ) {}

  playStart(name: string, _location: SourceLocation | undefined): void {
    this.banner(`PLAY [${name}]`)
  }

  taskStart(task: TaskInfo): void {
    this.banner(`${task.handler ? 'RUNNING HANDLER' : 'TASK'} [${task.name}]`)
  }

  itemResult(task: TaskInfo, outcome: HostTaskOutcome): void {
    const result = outcome.result
    const item = `(item=${outcome.item?.label ?? ''})`
    const host = `[${outcome.host}]`
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
    const loaded = includedOf(outcome.result)
    if (task.module !== 'include_tasks' || !loaded?.tasks.length) return
    this.line(`included: ${loaded.file} for ${outcome.host}${suffix}`, 'ok')
  }

  hostResult(task: TaskInfo, outcome: HostTaskOutcome): void {
    const result = outcome.result
    const host = `[${outcome.host}]`
    const isLoop = Array.isArray(outcome.result['results'])
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
        if (!isLoop) this.line(`skipping: ${host}`, 'skipped')
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
    let line = `FAILED - RETRYING: [${host}]: ${task.name} (${retriesLeft} retries left).`
    if (this.options.verbosity >= 2) line += `Result was: ${this.dump(result, task)}`
    this.line(line, 'retry')
  }

  noMoreHosts(): void {
    this.banner('NO MORE HOSTS LEFT')
  }

  log(host: string, task: TaskInfo | undefined, line: string): void {
    const prefix = host ? `[${host}]${task ? ` ${task.name}` : ''} | ` : ''
    for (const l of line.split('\n')) this.write(`${visibleControls(prefix + l)}\n`)
  }

  warning(message: string): void {
    this.line(`[WARNING]: ${message}`, 'warn')
  }

  recap(stats: Record<string, HostStats>): void {
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
  }

  private details(result: Record<string, unknown>, task: TaskInfo): string {
    const always = task.module === 'debug'
    if (!always && this.options.verbosity < 1) return ''
    return ` => ${this.dump(result, task)}`
  }

  private dump(result: Record<string, unknown>, task: TaskInfo): string {
    const shown: Record<string, unknown> = task.noLog ? { censored: NO_LOG_MESSAGE } : {}
    if (task.noLog) {
      for (const k of NO_LOG_PRESERVED) if (k in result) shown[k] = result[k]
    } else {
      for (const [k, v] of Object.entries(result)) {
        if (STATUS_KEYS.has(k) || (k === 'invocation' && this.options.verbosity < 3)) continue
        if (!k.startsWith('_ansible_')) shown[k] = stripInternalKeys(v)
      }
    }
    if (task.module === 'debug') {
      // As Ansible's callback: debug shows only what it was asked to show.
      const allowed = new Set(['msg', 'exception', 'warnings', 'deprecations'])
      for (const key of Object.keys(shown)) {
        if ('msg' in shown ? !allowed.has(key) : DEBUG_HIDDEN.has(key)) delete shown[key]
      }
    }
    const indent = task.module === 'debug' || this.options.verbosity >= 3 ? 4 : undefined
    return pythonJson(shown, indent)
  }

  private banner(text: string): void {
    const title = visibleControls(text)
    const stars = '*'.repeat(Math.max(3, BANNER_WIDTH - title.length))
    this.write(`\n${title} ${stars}\n`)
  }

  private line(text: string, color: keyof typeof COLORS): void {
    this.write(`${this.paint(visibleControls(text), color)}\n`)
  }

  private paint(text: string, color: keyof typeof COLORS | undefined): string {
    if (!this.options.color || !color) return text
    return `\x1b[0;${COLORS[color]}m${text}\x1b[0m`
  }
}

/** Drops `_ansible_*` keys at every depth, as Ansible's strip_internal_keys does before printing. */
function stripInternalKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripInternalKeys)
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return value
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value))
    if (!k.startsWith('_ansible_')) out[k] = stripInternalKeys(v)
  return out
}
