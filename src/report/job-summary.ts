import { ganttSection } from './gantt.js'
import {
  cleanText,
  code,
  fenced,
  finite,
  formatDuration,
  formatUtc,
  html,
  mdText,
  oneLine,
  plural,
  tail,
  truncateUtf8,
  utf8Length
} from './markdown.js'
import { buildPlan, renderPlan } from './plan.js'
import type { ResultsDocument } from './results-document.js'
import { pythonJson } from '../values/python-json.js'
import { asRecord, clip, messageText, withItems } from './text.js'
import {
  isFailure,
  normalize,
  STAT_KEYS,
  type Cell,
  type Model,
  type Record_,
  type Row,
  type Status
} from './summary-model.js'

/** What renderJobSummary needs besides the results document. */
export interface JobSummaryOptions {
  /** Shown in the heading; defaults to `async-playbook`. */
  title?: string
  /** How to gather jobs still running (the `jobs:` input, or a `--jobs` CLI line), shown in a code block. */
  gatherCommand?: string
  /** Upper bound of the summary in UTF-8 bytes; GitHub rejects a step summary over 1 MiB. */
  maxBytes?: number
  /** Where bars of jobs still running end (epoch ms); defaults to now. */
  now?: number
  /**
   * The jobs still running are stopped by the action's post step (a cancelled run with `on-cancel: kill`):
   * the jobs section says so instead of telling how to gather them.
   */
  jobsStopped?: boolean
  /**
   * A check-mode run (`check: true`): the summary starts with the plan (what would change, with diffs),
   * then the run's summary below it.
   */
  plan?: boolean
  /**
   * Texts never shown (what Ansible Vault decrypted): each is replaced by `***` wherever the document
   * holds it, before anything is drawn. GitHub masks the log, not the pull-request comment.
   */
  secrets?: readonly string[]
  /** Lines of context around each change in the plan's diffs (ANSIBLE_DIFF_CONTEXT; default 3). */
  diffContext?: number
}

export const DEFAULT_SUMMARY_MAX_BYTES = 1_000_000
/** How much of the summary the plan may take in a check-mode run; the run's own summary has the rest. */
const PLAN_SHARE = 0.7
export const SUMMARY_TRUNCATED_NOTE =
  "Summary truncated to fit GitHub's 1 MiB limit; the full results are in the results file."
/** Large gantt charts fail to render in the browser; the table is the complete view. */
const MAX_JOB_ROWS = 200
const MAX_SUMMARY_MSG_CHARS = 300
const MAX_MSG_BLOCK_CHARS = 4000

/** How much detail a rendering keeps; later plans trade detail for size. */
interface Plan {
  tailLines: number
  lineChars: number
  maxFailures: number
  maxRows: number
  gantt: boolean
  /** Recap and running jobs only. */
  minimal: boolean
}

// Detail is dropped in this order: output tails, matrix rows, the gantt chart, then everything but the
// recap and the jobs still running (which the user needs to gather them).
const PLANS: Plan[] = [
  {
    tailLines: 20,
    lineChars: 1000,
    maxFailures: 200,
    maxRows: Infinity,
    gantt: true,
    minimal: false
  },
  {
    tailLines: 5,
    lineChars: 200,
    maxFailures: 200,
    maxRows: Infinity,
    gantt: true,
    minimal: false
  },
  { tailLines: 0, lineChars: 0, maxFailures: 100, maxRows: Infinity, gantt: true, minimal: false },
  { tailLines: 0, lineChars: 0, maxFailures: 100, maxRows: 200, gantt: true, minimal: false },
  { tailLines: 0, lineChars: 0, maxFailures: 50, maxRows: 200, gantt: false, minimal: false },
  { tailLines: 0, lineChars: 0, maxFailures: 50, maxRows: 100, gantt: false, minimal: false },
  { tailLines: 0, lineChars: 0, maxFailures: 20, maxRows: 50, gantt: false, minimal: false },
  { tailLines: 0, lineChars: 0, maxFailures: 10, maxRows: 20, gantt: false, minimal: false },
  { tailLines: 0, lineChars: 0, maxFailures: 0, maxRows: 0, gantt: false, minimal: true }
]

/**
 * Renders the results document as GitHub-flavoured Markdown for `$GITHUB_STEP_SUMMARY`: outcome and play
 * recap, failures with their output tails, jobs still running and how to gather them, a task × host
 * matrix and a Mermaid timeline per host. Stays within `maxBytes` (UTF-8) by dropping detail, and never
 * throws: a document it cannot read yields a minimal summary.
 */
export function renderJobSummary(doc: ResultsDocument, options: JobSummaryOptions = {}): string {
  if (options.secrets !== undefined && options.secrets.length > 0) {
    const { secrets, ...rest } = options
    return renderJobSummary(maskTexts(doc, secrets), rest)
  }
  const maxBytes =
    typeof options.maxBytes === 'number' && options.maxBytes >= 0
      ? Math.floor(options.maxBytes)
      : DEFAULT_SUMMARY_MAX_BYTES
  const title = oneLine(String(options.title ?? '')).trim() || 'async-playbook'
  if (options.plan === true) {
    let planText: string
    try {
      planText = renderPlan(
        buildPlan(doc, options.diffContext),
        title,
        Math.floor(maxBytes * PLAN_SHARE)
      )
    } catch (error) {
      planText = `## 📋 ${mdText(title)}: plan\n\nThe plan could not be drawn (${html(clip(error instanceof Error ? error.message : String(error), 300))}); the results file has every result.\n`
    }
    const rest = renderJobSummary(doc, {
      ...options,
      plan: false,
      title: `${title} (check mode)`,
      maxBytes: maxBytes - utf8Length(planText) - 1
    })
    return fitBytes(`${planText}\n${rest}`, maxBytes)
  }
  try {
    const now = typeof options.now === 'number' ? options.now : Date.now()
    const model = normalize(doc, now)
    const jobs = { gatherCommand: options.gatherCommand, stopped: options.jobsStopped === true }
    let text = ''
    for (const [index, plan] of PLANS.entries()) {
      text = render(model, plan, title, jobs, index > 0)
      if (utf8Length(text) <= maxBytes) return text
    }
    return fitBytes(render(model, PLANS[PLANS.length - 1]!, title, jobs, false), maxBytes)
  } catch (error) {
    return fitBytes(fallbackSummary(doc, title, error), maxBytes)
  }
}

interface JobsAdvice {
  gatherCommand: string | undefined
  stopped: boolean
}

function render(
  model: Model,
  plan: Plan,
  title: string,
  jobs: JobsAdvice,
  truncated: boolean
): string {
  const parts = [heading(model, title, jobs), recapSection(model), customStatsSection(model, plan)]
  if (!plan.minimal) parts.push(failuresSection(model, plan))
  parts.push(jobsSection(model, jobs))
  if (!plan.minimal) parts.push(matrixSection(model, plan.maxRows))
  if (plan.gantt) parts.push(ganttSection(model))
  if (truncated) parts.push(`> [!NOTE]\n> ${SUMMARY_TRUNCATED_NOTE}`)
  return parts.filter((p) => p !== '').join('\n\n') + '\n'
}

// ---------------------------------------------------------------------------------------------------
// Sections

function heading(model: Model, title: string, jobs: JobsAdvice): string {
  const failed = model.stats.filter(([, s]) => hostFailed(s)).length
  const unfinished = model.cancelled ? model.stats.length - failed : 0
  const facts = [
    plural(model.hosts.length, 'host'),
    plural(model.rows.length, 'task'),
    ...(failed > 0 ? [`${plural(failed, 'host')} failed`] : []),
    ...(unfinished > 0 ? [`${plural(unfinished, 'host')} did not finish`] : []),
    ...(model.running.length > 0
      ? [
          `${plural(model.running.length, 'background job')} ${jobs.stopped ? 'stopped by the post step' : 'still running'}`
        ]
      : [])
  ]
  const [icon, outcome] = model.cancelled
    ? ['⏹️', 'cancelled']
    : model.ok
      ? ['✅', 'succeeded']
      : ['❌', 'failed']
  return `## ${icon} ${mdText(title)}: ${outcome}\n\n${facts.join(' · ')}`
}

function hostFailed(s: Record<(typeof STAT_KEYS)[number], number>): boolean {
  return s.failed > 0 || s.unreachable > 0
}

function recapSection(model: Model): string {
  if (model.stats.length === 0) return '### Play recap\n\nNo host ran a task.'
  const lines = [
    '### Play recap',
    '',
    `| Host | ${STAT_KEYS.join(' | ')} |`,
    `| :-- |${' --: |'.repeat(STAT_KEYS.length)}`
  ]
  for (const [host, s] of model.stats) {
    const icon = hostFailed(s) ? '❌' : model.cancelled ? '⏹️' : '✅'
    lines.push(`| ${icon} ${mdText(host)} | ${STAT_KEYS.map((k) => s[k]).join(' | ')} |`)
  }
  if (model.cancelled && model.stats.some(([, s]) => !hostFailed(s)))
    lines.push('', '⏹️ The run was cancelled before this host finished.')
  return lines.join('\n')
}

/** Longest value shown for one scope of the custom stats (the results document has them whole). */
const CUSTOM_STATS_MAX_CHARS = 500

/** set_stats' values: one row per host, then the run's. */
function customStatsSection(model: Model, plan: Plan): string {
  const custom = model.custom
  if (!custom || Object.keys(custom).length === 0) return ''
  const lines = ['### Custom stats', '', '| Scope | Values |', '| :-- | :-- |']
  const shown = (values: unknown): string => {
    const text = pythonJson(values)
    const limit = plan.minimal ? 100 : CUSTOM_STATS_MAX_CHARS
    return code(text.length > limit ? `${text.slice(0, limit)}…` : text)
  }
  for (const [scope, values] of Object.entries(custom)) {
    if (scope === '_run') continue
    lines.push(`| ${mdText(scope)} | ${shown(values)} |`)
  }
  if (custom['_run']) lines.push(`| run | ${shown(custom['_run'])} |`)
  return lines.join('\n')
}

interface Failure {
  row: Row
  host: string
  cell: Cell
}

function failuresSection(model: Model, plan: Plan): string {
  const failures: Failure[] = []
  const ignored: Failure[] = []
  for (const row of model.rows) {
    for (const [host, cell] of row.cells) {
      if (isFailure(cell)) failures.push({ row, host, cell })
      else if (cell.status === 'failed' || cell.status === 'unreachable')
        ignored.push({ row, host, cell })
    }
  }
  const all = [...failures, ...ignored]
  if (all.length === 0) return ''
  const shown = all.slice(0, plan.maxFailures)
  const parts = [
    `### Failures (${failures.length}${ignored.length > 0 ? `, and ${ignored.length} ignored` : ''})`,
    ...shown.map((f) => failureBlock(f, plan))
  ]
  if (shown.length < all.length)
    parts.push(`_… and ${all.length - shown.length} more: see the results file._`)
  return parts.join('\n\n')
}

function failureBlock({ row, host, cell }: Failure, plan: Plan): string {
  const result = cell.result
  // A failed loop has the details in its items.
  const detail =
    withItems(result).find((r) => r['failed'] === true && r !== result && hasOutput(r)) ?? result
  // An include that could not load its file says why in `reason`, as in Ansible.
  const msg = messageText(result['msg'] ?? result['reason'])
  const rc = finite(detail['rc'] ?? result['rc'])
  const icon = cell.ignored ? '⚠️' : cell.status === 'unreachable' ? '🔌' : '❌'
  const label = `${cell.status === 'unreachable' ? 'unreachable' : 'failed'}${cell.ignored ? ' (ignored)' : ''}`
  const shortMsg = oneLine(msg)
  const summary =
    `${icon} <b>${html(host)}</b> ${label}: ${html(taskLabel(row))}${row.file ? ` (${html(where(row))})` : ''}` +
    (rc !== undefined ? ` — rc=${rc}` : '') +
    (shortMsg ? ` — ${html(clip(shortMsg, MAX_SUMMARY_MSG_CHARS))}` : '')
  const body: string[] = []
  if (msg.length > MAX_SUMMARY_MSG_CHARS || /[\r\n]/.test(msg))
    body.push(`msg:\n\n${fenced(clip(cleanText(msg), MAX_MSG_BLOCK_CHARS))}`)
  if (plan.tailLines > 0) {
    const stderr = stringField(detail, 'stderr')
    const which = stderr.trim() !== '' ? 'stderr' : 'stdout'
    const output = which === 'stderr' ? stderr : stringField(detail, 'stdout')
    const t = tail(output, plan.tailLines, plan.lineChars)
    if (t.text !== '')
      body.push(
        `${which}${t.more ? ` (last ${plan.tailLines} lines)` : ''}:\n\n${fenced(t.text, 'text')}`
      )
  }
  return [
    `<details><summary>${summary}</summary>`,
    '',
    ...body.flatMap((b) => [b, '']),
    '</details>'
  ].join('\n')
}

function hasOutput(r: Record_): boolean {
  return stringField(r, 'stderr') !== '' || stringField(r, 'stdout') !== '' || r['rc'] !== undefined
}

function jobsSection(model: Model, jobs: JobsAdvice): string {
  if (model.running.length === 0) return ''
  const lines = [
    jobs.stopped
      ? `### ⏹️ Background jobs stopped (${model.running.length})`
      : `### ⏳ Background jobs still running (${model.running.length})`,
    '',
    '| Host | Key | Task | Job id | Launched | Async budget |',
    '| :-- | :-- | :-- | :-- | :-- | --: |'
  ]
  for (const job of model.running.slice(0, MAX_JOB_ROWS)) {
    const task = mdText(job.task) + (job.file ? ` <sub>${mdText(where(job))}</sub>` : '')
    const launched = job.launchedMs !== undefined ? formatUtc(job.launchedMs) : ''
    const budget = job.asyncSeconds !== undefined ? formatDuration(job.asyncSeconds * 1000) : ''
    lines.push(
      `| ${mdText(job.host)} | ${code(job.key)} | ${task} | ${code(job.jid)} | ${launched} | ${budget} |`
    )
  }
  if (model.running.length > MAX_JOB_ROWS)
    lines.push('', `_… and ${model.running.length - MAX_JOB_ROWS} more: see the results file._`)
  lines.push('')
  const gatherCommand = jobs.gatherCommand
  if (jobs.stopped) {
    lines.push(
      'The run was cancelled with `on-cancel: kill`: the post step of this action stops these jobs ' +
        '(TERM, then KILL), so there is nothing to gather. Its log says which ones it stopped.'
    )
  } else if (gatherCommand !== undefined && gatherCommand.trim() !== '') {
    lines.push('Gather them later with:', '', fenced(gatherCommand.replace(/\s+$/, '')))
  } else {
    lines.push(
      "Gather them later by handing this run's results document to a new run as the jobs to wait for."
    )
  }
  return lines.join('\n')
}

function matrixSection(model: Model, maxRows: number): string {
  if (model.rows.length === 0 || model.hosts.length === 0) return ''
  const rows = pickRows(model.rows, maxRows)
  if (rows.length === 0)
    return `### Tasks\n\n_${plural(model.rows.length, 'task')} left out: see the results file._`
  const lines = [
    '### Tasks',
    '',
    `| Task | ${model.hosts.map(mdText).join(' | ')} |`,
    `| :-- |${' :-- |'.repeat(model.hosts.length)}`
  ]
  for (const row of rows) {
    const name = mdText(taskLabel(row)) + (row.file ? ` <sub>${mdText(where(row))}</sub>` : '')
    const cells = model.hosts.map((host) => {
      const cell = row.cells.get(host)
      return cell ? cellText(cell) : row.interrupted.has(host) ? '⏹️ cancelled' : '·'
    })
    lines.push(`| ${name} | ${cells.join(' | ')} |`)
  }
  if (rows.length < model.rows.length)
    lines.push(
      '',
      `_… and ${plural(model.rows.length - rows.length, 'more task')}: see the results file._`
    )
  return lines.join('\n')
}

/** Up to maxRows rows in document order, those with a failure first in line. */
function pickRows(rows: Row[], maxRows: number): Row[] {
  if (rows.length <= maxRows) return rows
  const failing = rows.filter((r) =>
    [...r.cells.values()].some((c) => c.status === 'failed' || c.status === 'unreachable')
  )
  const keep = new Set(failing.slice(0, maxRows))
  for (const row of rows) {
    if (keep.size >= maxRows) break
    keep.add(row)
  }
  return rows.filter((r) => keep.has(r))
}

const ICONS: Record<Status, string> = {
  ok: '✅',
  changed: '🟡',
  failed: '❌',
  skipped: '⏭️',
  unreachable: '🔌'
}

function cellText(cell: Cell): string {
  if (cell.status === 'skipped') return `${ICONS.skipped} skipped`
  const duration = cell.durationMs !== undefined ? ` ${formatDuration(cell.durationMs)}` : ''
  if ((cell.status === 'failed' || cell.status === 'unreachable') && cell.ignored)
    return `⚠️ ignored${duration}`
  if (cell.launched && (cell.status === 'ok' || cell.status === 'changed'))
    return `🚀 launched${duration}`
  return `${ICONS[cell.status]} ${cell.status}${duration}`
}

// ---------------------------------------------------------------------------------------------------
// When the document cannot be read, and fitting the size limit

/**
 * The summary when rendering threw: the document is not what its type says (a bug, or a hostile getter).
 * Only here is it read defensively, for the recap and the outcome.
 */
function fallbackSummary(doc: unknown, title: string, error: unknown): string {
  const cancelled = attempt(() => asRecord(doc)['cancelled'] === true, false)
  const recap = attempt(() => {
    const stats: Model['stats'] = Object.entries(asRecord(asRecord(doc)['stats'])).map(
      ([host, raw]) => {
        const s = asRecord(raw)
        const counts = {} as Record<(typeof STAT_KEYS)[number], number>
        for (const key of STAT_KEYS) counts[key] = finite(s[key]) ?? 0
        return [host, counts]
      }
    )
    return recapSection({ ok: false, cancelled, stats, hosts: [], rows: [], running: [], now: 0 })
  }, '')
  const ok = attempt(() => (cancelled ? 'cancelled' : asRecord(doc)['ok']), undefined)
  const detail = attempt(
    () => (error instanceof Error ? error.message : String(error)),
    'unknown error'
  )
  return [
    `## ${ok === true ? '✅' : ok === false ? '❌' : ok === 'cancelled' ? '⏹️' : '❔'} ${mdText(title)}${ok === 'cancelled' ? ': cancelled' : ''}`,
    recap,
    `The full job summary could not be rendered (${mdText(clip(oneLine(detail), 300))}); the full results are in the results file.`
  ]
    .filter((p) => p !== '')
    .join('\n\n')
    .concat('\n')
}

function attempt<T>(read: () => T, otherwise: T): T {
  try {
    return read()
  } catch {
    return otherwise
  }
}

/** Cuts text to maxBytes of UTF-8 at a line break, with the truncation note. */
function fitBytes(text: string, maxBytes: number): string {
  if (utf8Length(text) <= maxBytes) return text
  const note = `\n\n${SUMMARY_TRUNCATED_NOTE}\n`
  const budget = maxBytes - utf8Length(note)
  if (budget <= 0) return truncateUtf8(SUMMARY_TRUNCATED_NOTE, maxBytes)
  let cut = truncateUtf8(text, budget)
  const newline = cut.lastIndexOf('\n')
  if (newline > 0) cut = cut.slice(0, newline)
  return cut + note
}

function stringField(r: Record_, key: string): string {
  const value = r[key]
  return typeof value === 'string' ? value : ''
}

function taskLabel(row: Row): string {
  return row.play ? `${row.play} › ${row.name}` : row.name
}

function where(at: { file?: string; line?: number }): string {
  return at.line !== undefined ? `${at.file ?? ''}:${at.line}` : (at.file ?? '')
}

export { formatDuration } from './markdown.js'
export { MAX_GANTT_BARS, mermaidText } from './gantt.js'
export type { Cell, Model, Row, RunningJob, Status } from './summary-model.js'

/** Times the summary reads (its timeline and durations): never masked, though a number may be a secret. */
const TIME_KEYS = new Set(['started_at', 'launched_at', 'finished_at', 'start', 'end', 'delta'])

/**
 * A copy of `value` with each of `secrets` (longest first) replaced by `***` in every string of it (keys
 * too), but for the times the summary reads (TIME_KEYS).
 */
function maskTexts<T>(value: T, secrets: readonly string[]): T {
  const ordered = [...secrets].filter((t) => t !== '').sort((a, b) => b.length - a.length)
  const mask = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') {
      let text = v
      for (const secret of ordered) if (text.includes(secret)) text = text.split(secret).join('***')
      return text
    }
    if (depth > 64 || v === null || typeof v !== 'object') return v
    if (Array.isArray(v)) return v.map((item) => mask(item, depth + 1))
    const out: Record<string, unknown> = Object.create(Object.getPrototypeOf(v) as object | null)
    for (const [key, item] of Object.entries(v))
      out[mask(key, depth + 1) as string] = TIME_KEYS.has(key) ? item : mask(item, depth + 1)
    return out
  }
  return mask(value, 0) as T
}
