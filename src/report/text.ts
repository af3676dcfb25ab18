/** Small text and value helpers shared by the job summary and the annotations. */

type Record_ = Record<string, unknown>

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : []
}

export function asRecord(value: unknown): Record_ {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record_)
    : {}
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
