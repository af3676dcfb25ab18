/** Small text and value helpers shared by the job summary and the annotations. */

import { isRecord } from '../values/records.js'

type Record_ = Record<string, unknown>

/** A module's result field or loop item as a mapping (results are untyped: modules return what they return). */
export function asRecord(value: unknown): Record_ {
  return isRecord(value) ? value : {}
}

export function clip(text: string, max: number): string {
  if (text.length <= max) return text
  let cut = text.slice(0, Math.max(0, max - 1))
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1)
  return `${cut}…`
}

export function messageText(msg: unknown): string {
  if (msg === undefined || msg === null) return ''
  if (typeof msg === 'string') return msg
  try {
    return JSON.stringify(msg) ?? ''
  } catch {
    return String(msg)
  }
}

/** The job ids a result launched in the background: its own, or its loop items'. */
export function launchedJobs(result: Record_): string[] {
  return withItems(result)
    .filter((r) => typeof r['ansible_job_id'] === 'string' && Number(r['finished']) === 0)
    .map((r) => r['ansible_job_id'] as string)
}

/** A result followed by its loop items' results. */
export function withItems(result: Record_): Record_[] {
  const items = Array.isArray(result['results']) ? result['results'].map(asRecord) : []
  return [result, ...items]
}
