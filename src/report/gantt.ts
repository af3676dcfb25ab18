/** The job summary's timeline: a Mermaid gantt chart per host of its tasks and background jobs. */
import type { Model } from './summary-model.js'
import { cleanText, localTime, mdText } from './markdown.js'
import { clip, launchedJobs, withItems } from './text.js'

/** Bars per host chart: the longest are kept. */
export const MAX_GANTT_BARS = 50
const MAX_GANTT_CHARTS = 20
interface Bar {
  name: string
  tags: string[]
  start: number
  end: number
}

export function ganttSection(model: Model): string {
  const charts: string[] = []
  let hostsWithBars = 0
  for (const host of model.hosts) {
    const sync = syncBars(model, host)
    const async = asyncBars(model, host)
    if (sync.length + async.length === 0) continue
    hostsWithBars++
    if (charts.length < MAX_GANTT_CHARTS) charts.push(ganttChart(host, sync, async))
  }
  if (charts.length === 0) return ''
  const parts = ['### Timeline', ...charts]
  if (hostsWithBars > charts.length)
    parts.push(`_Timelines of ${hostsWithBars - charts.length} more hosts left out._`)
  return parts.join('\n\n')
}

function syncBars(model: Model, host: string): Bar[] {
  const bars: Bar[] = []
  for (const row of model.rows) {
    const cell = row.cells.get(host)
    if (!cell || cell.status === 'skipped' || cell.startMs === undefined) continue
    const failed = (cell.status === 'unreachable' || cell.status === 'failed') && !cell.ignored
    bars.push({
      name: row.name,
      tags: failed ? ['crit', 'done'] : ['done'],
      start: cell.startMs,
      end: cell.startMs + (cell.durationMs ?? 0)
    })
  }
  return bars
}

interface Gathering {
  jobStart?: number
  jobEnd?: number
  observedAt?: number
  failed: boolean
}

/**
 * Background jobs of one host, from launch to end. Job `start`/`end` come from the target's clock as local
 * wall time, so only their difference is trusted; it is laid from the launch, never past the moment the
 * end was observed.
 */
function asyncBars(model: Model, host: string): Bar[] {
  const launches = new Map<string, { name: string; at?: number }>()
  const gatherings = new Map<string, Gathering>()
  for (const row of model.rows) {
    const cell = row.cells.get(host)
    if (!cell) continue
    if (row.module === 'async_status') {
      for (const r of withItems(cell.result)) {
        const jid = r['ansible_job_id']
        if (typeof jid !== 'string' || Number(r['finished']) !== 1) continue
        gatherings.set(jid, {
          jobStart: localTime(r['start']),
          jobEnd: localTime(r['end']),
          observedAt:
            cell.startMs !== undefined ? cell.startMs + (cell.durationMs ?? 0) : undefined,
          failed: r['failed'] === true || cell.status === 'failed'
        })
      }
    } else if (cell.launched) {
      for (const jid of launchedJobs(cell.result))
        launches.set(jid, { name: row.name, at: cell.startMs })
    }
  }
  const running = new Map(model.running.filter((j) => j.host === host).map((j) => [j.jid, j]))
  const bars: Bar[] = []
  for (const jid of new Set([...launches.keys(), ...gatherings.keys(), ...running.keys()])) {
    const launch = launches.get(jid)
    const job = running.get(jid)
    const gathered = gatherings.get(jid)
    const name = launch?.name ?? job?.task ?? `job ${jid}`
    const launchedAt = launch?.at ?? job?.launchedMs
    if (!gathered) {
      if (launchedAt === undefined) continue
      bars.push({
        name: `${name} (running)`,
        tags: ['active'],
        start: launchedAt,
        end: Math.max(model.now, launchedAt)
      })
      continue
    }
    const { jobStart, jobEnd, observedAt } = gathered
    const length =
      jobStart !== undefined && jobEnd !== undefined && jobEnd >= jobStart
        ? jobEnd - jobStart
        : undefined
    let start = launchedAt ?? jobStart ?? observedAt
    if (start === undefined) continue
    let end = length !== undefined ? start + length : (observedAt ?? start)
    if (observedAt !== undefined && end > observedAt) {
      end = observedAt
      if (start > end) start = end - (length ?? 0)
    }
    bars.push({ name, tags: gathered.failed ? ['crit', 'done'] : ['done'], start, end })
  }
  return bars
}

function ganttChart(host: string, sync: Bar[], async: Bar[]): string {
  const total = sync.length + async.length
  let keptSync = sync
  let keptAsync = async
  if (total > MAX_GANTT_BARS) {
    const longest = new Set(
      [...async, ...sync]
        .sort((a, b) => b.end - b.start - (a.end - a.start))
        .slice(0, MAX_GANTT_BARS)
    )
    keptSync = sync.filter((b) => longest.has(b))
    keptAsync = async.filter((b) => longest.has(b))
  }
  const all = [...keptSync, ...keptAsync]
  const span = Math.max(...all.map((b) => b.end)) - Math.min(...all.map((b) => b.start))
  const lines = [
    '```mermaid',
    'gantt',
    `  title ${mermaidText(host)}`,
    '  dateFormat x',
    `  axisFormat ${span >= 3_600_000 ? '%H:%M:%S' : '%M:%S'}`,
    '  todayMarker off'
  ]
  let id = 0
  const section = (label: string, bars: Bar[]): void => {
    if (bars.length === 0) return
    lines.push(`  section ${label}`)
    for (const bar of [...bars].sort((a, b) => a.start - b.start)) {
      const start = Math.round(bar.start)
      const end = Math.max(start, Math.round(bar.end))
      lines.push(`  ${mermaidText(bar.name)} :${[...bar.tags, `t${++id}`, start, end].join(', ')}`)
    }
  }
  section('Tasks', keptSync)
  section('Async jobs', keptAsync)
  lines.push('```')
  if (all.length < total)
    lines.push('', `_${mdText(host)}: showing the ${all.length} longest of ${total} bars._`)
  return lines.join('\n')
}

const MERMAID_KEYWORD =
  /^(section|title|dateformat|axisformat|tickinterval|excludes|includes|todaymarker|click|inclusiveenddates|topaxis|weekday|weekend|acctitle|accdescr)\b/i

/** A task name Mermaid reads as plain text: no `:`, `#`, `;`, `%`, backticks or line breaks. */
export function mermaidText(text: string): string {
  let out = cleanText(text)
    .replace(/[:#;%`<>{}\r\n\t]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
  out = clip(out, 80)
  if (out === '') return 'unnamed'
  return MERMAID_KEYWORD.test(out) ? `› ${out}` : out
}
