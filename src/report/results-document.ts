import type { SourceLocation } from '../errors.js'
import type {
  CustomStats,
  HostStats,
  HostStatus,
  HostTaskOutcome,
  RunEvents,
  TaskInfo
} from '../executor/events.js'
import { censor } from './censor.js'
import { dict } from '../values/dict.js'

/** One host's outcome of one task in the results document. */
export interface HostResultEntry {
  status: HostStatus
  /** When the task started on this host (ISO 8601). */
  started_at: string
  /** A failure that ignore_errors let through. */
  ignored?: boolean
  duration_ms: number
  /** Exactly what `register` holds (censored for no_log tasks). */
  result: Record<string, unknown>
}

/** One task in the results document. */
export interface TaskEntry {
  name: string
  module: string
  file?: string
  line?: number
  /** Set on a handler run at a flush. */
  handler?: boolean
  results: Record<string, HostResultEntry>
}

/**
 * The results document (`--json`, and the action's `results` output). A public contract: hosts are keyed by
 * inventory name, never by address.
 */
export interface ResultsDocument {
  ok: boolean
  /** The run was cancelled (SIGINT/SIGTERM): what is here is what had finished by then. */
  cancelled?: boolean
  stats: Record<string, HostStats>
  plays: Array<{ name: string; file?: string; line?: number; tasks: TaskEntry[] }>
  /** Per host, each background job launched and not gathered yet, keyed by its register name (or jid). */
  jobs: Record<string, Record<string, Record<string, unknown>>>
  /**
   * set_stats' custom statistics, when a task set any: per host by inventory name, the run's under `_run`
   * (Ansible's json callback shows the same, when ANSIBLE_SHOW_CUSTOM_STATS is on).
   */
  custom_stats?: CustomStats
}

/** Builds the results document from run events. */
export class ResultsCollector implements RunEvents {
  // Host names are keys here: null-prototype objects, so __proto__ or constructor is a host like any other.
  readonly document: ResultsDocument = { ok: true, stats: dict(), plays: [], jobs: dict() }
  private currentTasks: TaskEntry[] | undefined
  private readonly entries = new Map<TaskInfo, TaskEntry>()

  playStart(name: string, location: SourceLocation | undefined): void {
    const play = { name, file: location?.file, line: location?.line, tasks: [] as TaskEntry[] }
    this.document.plays.push(play)
    this.currentTasks = play.tasks
  }

  taskStart(task: TaskInfo): void {
    const entry: TaskEntry = {
      name: task.name,
      module: task.module,
      file: task.location?.file,
      line: task.location?.line,
      ...(task.handler ? { handler: true } : {}),
      results: dict()
    }
    this.entries.set(task, entry)
    this.currentTasks?.push(entry)
  }

  itemResult(): void {}

  hostResult(task: TaskInfo, outcome: HostTaskOutcome): void {
    const entry = this.entries.get(task.sameAs ?? task)
    if (!entry) return
    entry.results[outcome.host] = {
      status: outcome.status,
      started_at: new Date(Date.now() - outcome.durationMs).toISOString(),
      ...(outcome.ignored ? { ignored: true } : {}),
      duration_ms: outcome.durationMs,
      result: task.noLog ? censor(outcome.result) : outcome.result
    }
  }

  retrying(): void {}
  noMoreHosts(): void {}
  log(): void {}
  warning(): void {}

  /**
   * The document so far, for a run that is being cancelled: the recap is counted from the results that
   * are in.
   */
  partialDocument(): ResultsDocument {
    const stats: Record<string, HostStats> = dict()
    for (const play of this.document.plays) {
      for (const task of play.tasks) {
        for (const [host, entry] of Object.entries(task.results)) {
          const s = (stats[host] ??= {
            ok: 0,
            changed: 0,
            failed: 0,
            unreachable: 0,
            skipped: 0,
            rescued: 0,
            ignored: 0
          })
          if (entry.status === 'unreachable' && !entry.ignored) s.unreachable++
          else if (entry.status === 'skipped') s.skipped++
          else if (entry.status === 'failed' && !entry.ignored) s.failed++
          else {
            s.ok++
            if (entry.ignored) s.ignored++
            if (entry.status === 'changed' || entry.result['changed'] === true) s.changed++
          }
        }
      }
    }
    return {
      ...this.document,
      ok: false,
      stats: Object.keys(this.document.stats).length > 0 ? this.document.stats : stats
    }
  }

  recap(stats: Record<string, HostStats>, custom?: CustomStats): void {
    this.document.stats = stats
    if (custom) this.document.custom_stats = custom
    this.document.ok = Object.values(stats).every((s) => s.failed === 0 && s.unreachable === 0)
  }
}
