import type { ResultsDocument, TaskEntry } from './results-document.js'
import { asRecord, clip, messageText } from './text.js'

/** One workflow annotation, as `core.error`/`core.warning`/`core.notice` take it. */
export interface Annotation {
  level: 'error' | 'warning' | 'notice'
  message: string
  title?: string
  file?: string
  line?: number
  /** Column (1-based), with line. */
  col?: number
}

export interface AnnotationOptions {
  /** The playbook came from an input, not a file of the repository: no file/line to point at. */
  inlinePlaybook: boolean
  /** GitHub shows at most 10 error and 10 warning annotations per step. */
  maxPerLevel?: number
}

export const DEFAULT_MAX_ANNOTATIONS_PER_LEVEL = 10
const MAX_HOST_MESSAGE_CHARS = 500
const MAX_HOSTS_PER_ANNOTATION = 20
const MAX_TITLE_CHARS = 200

type Record_ = Record<string, unknown>

interface HostFailure {
  host: string
  unreachable: boolean
  result: Record_
}

/**
 * One error annotation per task that failed or was unreachable on some host, one warning per task whose
 * failure was ignored, each pointing at the task's line of the playbook. At most maxPerLevel per level:
 * beyond that, the last one of the level counts the rest. Never throws on a malformed document.
 */
export function buildAnnotations(doc: ResultsDocument, options: AnnotationOptions): Annotation[] {
  const max = Math.max(0, Math.floor(options.maxPerLevel ?? DEFAULT_MAX_ANNOTATIONS_PER_LEVEL))
  const errors: Annotation[] = []
  const warnings: Annotation[] = []
  try {
    for (const play of doc.plays) {
      for (const task of play.tasks) {
        const failing: HostFailure[] = []
        const ignored: HostFailure[] = []
        for (const [host, entry] of Object.entries(task.results)) {
          // ignore_errors, and ignore_unreachable, turn a failure into a warning.
          if (entry.status === 'unreachable' || entry.status === 'failed')
            (entry.ignored === true ? ignored : failing).push({
              host,
              unreachable: entry.status === 'unreachable',
              result: entry.result
            })
        }
        const name = oneLine(task.name) || oneLine(task.module) || 'task'
        const at = options.inlinePlaybook ? {} : location(task)
        if (failing.length > 0) {
          const verb = failing.some((f) => !f.unreachable) ? 'failed' : 'unreachable'
          errors.push({
            level: 'error',
            title: clip(`Task ${verb}: ${name}`, MAX_TITLE_CHARS),
            message: hostsMessage(failing),
            ...at
          })
        }
        if (ignored.length > 0) {
          warnings.push({
            level: 'warning',
            title: clip(
              `Task ${ignored.some((f) => !f.unreachable) ? 'failed' : 'unreachable'} (ignored): ${name}`,
              MAX_TITLE_CHARS
            ),
            message: hostsMessage(ignored),
            ...at
          })
        }
      }
    }
  } catch {
    // A document that is not what its type says (a bug, a throwing getter): annotate what was read so far.
  }
  return [
    ...limit(errors, max, 'error', 'failed tasks'),
    ...limit(warnings, max, 'warning', 'tasks with ignored failures')
  ]
}

/** `::error file=deploy.yml,line=7,title=Task failed%3A migrate::message`, escaped as @actions/core does. */
export function formatAnnotationCommand(a: Annotation): string {
  const properties: Array<[string, unknown]> = [
    ['file', a.file],
    ['line', a.line],
    ['col', a.line ? a.col : undefined],
    ['title', a.title]
  ]
  const props = properties
    // Like @actions/core: a property with an empty value is left out.
    .filter(([, value]) =>
      typeof value === 'number' ? Number.isFinite(value) && value !== 0 : !!value
    )
    .map(([key, value]) => `${key}=${escapeProperty(String(value))}`)
  return `::${a.level}${props.length > 0 ? ` ${props.join(',')}` : ''}::${escapeData(a.message)}`
}

function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C')
}

function limit(
  annotations: Annotation[],
  max: number,
  level: Annotation['level'],
  what: string
): Annotation[] {
  if (annotations.length <= max) return annotations
  if (max === 0) return []
  const kept = annotations.slice(0, max - 1)
  const left = annotations.length - kept.length
  const message =
    kept.length > 0
      ? `… and ${left} more ${what}: see the job summary`
      : `${left} ${what}: see the job summary`
  return [...kept, { level, title: `${left} more ${what}`, message }]
}

function location(task: TaskEntry): { file?: string; line?: number } {
  const { file, line } = task
  // `<inline playbook>`, `<ad-hoc>`: no file in the repository to point at.
  if (file === undefined || file === '' || file.startsWith('<')) return {}
  return line !== undefined && Number.isInteger(line) && line > 0 ? { file, line } : { file }
}

/** `web1: non-zero return code (rc=2): last stderr line`, one line per host. */
function hostsMessage(failures: HostFailure[]): string {
  const lines = failures.slice(0, MAX_HOSTS_PER_ANNOTATION).map((f) => {
    // A failed loop keeps rc and output in its items.
    const items = Array.isArray(f.result['results']) ? f.result['results'].map(asRecord) : []
    const detail =
      items.find((item) => item['failed'] === true || item['unreachable'] === true) ?? f.result
    const line = (value: unknown): string =>
      oneLine(messageText(value).slice(0, 4 * MAX_HOST_MESSAGE_CHARS))
    // An include that could not load its file says why in `reason`, as in Ansible.
    let msg = line(f.result['msg'] ?? f.result['reason'])
    // A loop with an unreachable item says only 'All items completed' (as Ansible's does): the item says why.
    if (f.unreachable && detail !== f.result && detail['unreachable'] === true) {
      msg = line(detail['msg']) || msg
    }
    const rc = detail['rc'] ?? f.result['rc']
    let text = [f.unreachable ? 'unreachable' : '', msg].filter((p) => p !== '').join(': ')
    if (text === '') text = 'failed'
    if (typeof rc === 'number' && !f.unreachable) text += ` (rc=${rc})`
    const stderr = lastLine(detail['stderr'])
    const itemMsg = detail !== f.result ? line(detail['msg']) : ''
    if (stderr !== '' && !msg.includes(stderr)) text += `: ${stderr}`
    // A failed item without output (fail, assert, a module's own error) says why in its msg.
    else if (stderr === '' && itemMsg !== '' && !msg.includes(itemMsg)) text += `: ${itemMsg}`
    return `${f.host}: ${clip(text, MAX_HOST_MESSAGE_CHARS)}`
  })
  if (failures.length > MAX_HOSTS_PER_ANNOTATION)
    lines.push(`… and ${failures.length - MAX_HOSTS_PER_ANNOTATION} more hosts`)
  return lines.join('\n')
}

function lastLine(value: unknown): string {
  if (typeof value !== 'string') return ''
  // Only the end matters; avoid splitting megabytes of output.
  const lines = value.slice(-4096).split(/\r?\n|\r/)
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = oneLine(lines[i] ?? '').trim()
    if (line !== '') return clip(line, MAX_HOST_MESSAGE_CHARS)
  }
  return ''
}

function oneLine(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, '')
      // eslint-disable-next-line no-control-regex
      .replace(/[\x00-\x1f\x7f]+/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
  )
}
