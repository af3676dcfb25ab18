// The job summary's model: the results document arranged as the sections draw it (a task × host matrix of
// cells, the recap, the jobs still running). Split from job-summary.ts, which renders it, and read by gantt.ts.
import { finite, nonNegative } from './markdown.js'
import type { HostStats, HostStatus } from '../executor/events.js'
import type { ResultsDocument } from './results-document.js'
import { launchedJobs } from './text.js'

export type Status = HostStatus
export const STAT_KEYS = [
  'ok',
  'changed',
  'unreachable',
  'failed',
  'skipped',
  'rescued',
  'ignored'
] as const
export type Record_ = Record<string, unknown>

export interface Cell {
  status: Status
  ignored: boolean
  startMs?: number
  durationMs?: number
  result: Record_
  /** A background job launched by this task (poll: 0). */
  launched: boolean
}

export interface Row {
  play: string
  name: string
  module: string
  file?: string
  line?: number
  cells: Map<string, Cell>
  /** Hosts this task was running on when the run was cancelled (they have no cell). */
  interrupted: Set<string>
}

export interface RunningJob {
  host: string
  key: string
  task: string
  jid: string
  file?: string
  line?: number
  launchedMs?: number
  asyncSeconds?: number
}

export interface Model {
  ok: boolean
  /** The run was cancelled: hosts that did not fail did not finish either. */
  cancelled: boolean
  stats: Array<[string, Record<(typeof STAT_KEYS)[number], number>]>
  hosts: string[]
  rows: Row[]
  running: RunningJob[]
  now: number
  /** set_stats' values: per host, the run's under `_run` (absent when no task set any). */
  custom?: Record<string, Record<string, unknown>>
}

// The model: the results document (built by ResultsCollector in this run) arranged for the sections.

/** The model of a results document, with bars of jobs still running ending at `now` (epoch ms). */
export function normalize(doc: ResultsDocument, now: number): Model {
  const stats: Model['stats'] = Object.entries(doc.stats).map(([host, s]) => [host, statCounts(s)])
  const hosts: string[] = stats.map(([host]) => host)
  const seen = new Set(hosts)
  const addHost = (host: string): void => {
    if (!seen.has(host)) {
      seen.add(host)
      hosts.push(host)
    }
  }
  const rows: Row[] = []
  for (const play of doc.plays) {
    for (const task of play.tasks) {
      const module = shortModule(task.module)
      const cells = new Map<string, Cell>()
      for (const [host, entry] of Object.entries(task.results)) {
        const started = Date.parse(entry.started_at)
        cells.set(host, {
          status: entry.status,
          ignored: entry.ignored === true,
          startMs: Number.isFinite(started) ? started : undefined,
          durationMs: nonNegative(entry.duration_ms),
          result: entry.result,
          launched: module !== 'async_status' && launchedJobs(entry.result).length > 0
        })
        addHost(host)
      }
      rows.push({
        play: play.name,
        name: task.name || module || '(unnamed task)',
        module,
        file: task.file,
        line: finite(task.line),
        cells,
        interrupted: new Set()
      })
    }
  }
  const running: RunningJob[] = []
  for (const [host, jobs] of Object.entries(doc.jobs)) {
    for (const [key, job] of Object.entries(jobs)) {
      // A job's entry is the launch record of async/jobs-document.ts: its fields are read as they are typed there.
      const launched = Date.parse(String(job['launched_at']))
      running.push({
        host,
        key,
        task: typeof job['task'] === 'string' ? job['task'] : key,
        jid: String(job['ansible_job_id'] ?? ''),
        file: typeof job['file'] === 'string' ? job['file'] : undefined,
        line: finite(job['line']),
        launchedMs: Number.isFinite(launched) ? launched : undefined,
        asyncSeconds: nonNegative(job['async'])
      })
      addHost(host)
    }
  }
  const cancelled = doc.cancelled === true
  const ok = !cancelled && doc.ok
  if (cancelled) markInterrupted(doc, rows, stats)
  const custom =
    doc.custom_stats && typeof doc.custom_stats === 'object' ? doc.custom_stats : undefined
  return { ok, cancelled, stats, hosts, rows, running, now, ...(custom ? { custom } : {}) }
}

function statCounts(s: HostStats): Record<(typeof STAT_KEYS)[number], number> {
  const counts = {} as Record<(typeof STAT_KEYS)[number], number>
  for (const key of STAT_KEYS) counts[key] = s[key]
  return counts
}

/**
 * In a cancelled run, the last task started was cut short on the hosts of its play that had not failed
 * and had no result for it yet.
 */
function markInterrupted(doc: ResultsDocument, rows: Row[], stats: Model['stats']): void {
  const lastPlay = doc.plays[doc.plays.length - 1]?.tasks.length ?? 0
  const last = rows[rows.length - 1]
  if (!last || lastPlay === 0) return
  const failed = new Set(
    stats.filter(([, s]) => s.failed > 0 || s.unreachable > 0).map(([host]) => host)
  )
  for (const row of rows.slice(rows.length - lastPlay)) {
    for (const [host, cell] of row.cells) {
      if (isFailure(cell)) failed.add(host)
      else if (!failed.has(host) && !last.cells.has(host)) last.interrupted.add(host)
    }
  }
}

function shortModule(name: string): string {
  return name.replace(/^ansible\.(builtin|legacy)\./, '')
}

/** A failure or unreachable host that no ignore_errors / ignore_unreachable let through. */
export function isFailure(cell: Cell): boolean {
  return (cell.status === 'unreachable' || cell.status === 'failed') && !cell.ignored
}
