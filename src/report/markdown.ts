/** Markdown, text and time helpers of the job summary. */
import { clip } from './text.js'

export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8')
}

export function truncateUtf8(text: string, maxBytes: number): string {
  const buffer = Buffer.from(text, 'utf8')
  if (buffer.length <= maxBytes) return text
  let end = Math.max(0, maxBytes)
  // Never cut a multi-byte character in half: back up to the start of the character.
  while (end > 0 && ((buffer[end] ?? 0) & 0xc0) === 0x80) end--
  return buffer.subarray(0, end).toString('utf8')
}

/** The last `lines` lines of command output, cleaned of terminal escapes, each clipped to lineChars. */
export function tail(
  text: string,
  lines: number,
  lineChars: number
): { text: string; more: boolean } {
  const body = text.replace(/[\r\n]+$/, '')
  if (body === '' || lines <= 0) return { text: '', more: false }
  let end = body.length
  const picked: string[] = []
  while (picked.length < lines && end >= 0) {
    const newline = end > 0 ? body.lastIndexOf('\n', end - 1) : -1
    picked.push(body.slice(newline + 1, end))
    if (newline < 0) {
      end = -1
      break
    }
    end = newline
  }
  const out = picked.reverse().map((line) => {
    // What a terminal shows of a progress line rewritten with carriage returns.
    const shown = line.replace(/\r+$/, '')
    return clip(cleanText(shown.slice(shown.lastIndexOf('\r') + 1)), lineChars)
  })
  return { text: out.join('\n'), more: end >= 0 }
}

/** Removes terminal escape sequences and control characters other than tab and newline. */
export function cleanText(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)?/g, '')
      .replace(/\r\n?/g, '\n')
      // eslint-disable-next-line no-control-regex
      .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '')
  )
}

/** A fenced code block whose fence is longer than any run of backticks in the content. */
export function fenced(content: string, info = ''): string {
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(content) + 1))
  return `${fence}${info}\n${content}\n${fence}`
}

/** An inline code span that survives backticks and pipes inside a table cell. */
export function code(text: string): string {
  const value = oneLine(text)
  if (value === '') return ''
  const ticks = '`'.repeat(longestBacktickRun(value) + 1)
  const pad = value.startsWith('`') || value.endsWith('`') ? ' ' : ''
  return `${ticks}${pad}${value.replace(/\|/g, '\\|')}${pad}${ticks}`
}

/** Markdown text that renders literally, on one line, safe in a table cell. */
export function mdText(text: string): string {
  return inertReferences(
    oneLine(text).replace(/[\\`*_[\]|~#<>&]/g, (c) =>
      c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : `\\${c}`
    )
  )
}

/**
 * Text that GitHub cannot turn into a mention (`@user`, `@org/team`: a notification), an issue reference
 * (`#12`, `owner/repo#12`, `GH-12`: a cross-reference on that issue, in any repository) or a commit
 * reference (`owner/repo@sha`, `user@sha`): a zero-width space after the `@`, the `#` or the `GH-`. GitHub
 * finds them in rendered text, so Markdown escapes do not stop them; code spans and blocks are never
 * searched and keep their text.
 */
export function inertReferences(text: string): string {
  return text
    .replace(/@(?=[A-Za-z0-9])/g, '@\u200B')
    .replace(/#(?=[0-9])/g, '#\u200B')
    .replace(/\b(gh-)(?=[0-9])/gi, '$1\u200B')
}

const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;'
}

export function html(text: string): string {
  return inertReferences(oneLine(text).replace(/[&<>]/g, (c) => HTML_ENTITIES[c] ?? c))
}

/** The longest run of backticks in text (a loop: a spread of many matches would overflow the stack). */
export function longestBacktickRun(text: string): number {
  let longest = 0
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length)
  return longest
}

export function oneLine(text: string): string {
  return cleanText(text).replace(/\s*\n\s*/g, ' ')
}

/** `0.8s`, `2m 05s`, `1h 02m`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return ''
  if (ms < 59_950) return `${(ms / 1000).toFixed(1)}s`
  const seconds = Math.round(ms / 1000)
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${pad2(seconds % 60)}s`
  return `${Math.floor(seconds / 3600)}h ${pad2(Math.floor((seconds % 3600) / 60))}m`
}

export function formatUtc(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC')
}

/**
 * Reads `YYYY-MM-DD HH:MM:SS.ffffff` (Ansible's `start`/`end`) as local wall time, in epoch ms. Callers only
 * use differences of two such times.
 */
export function localTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(
    value.trim()
  )
  if (!m) return undefined
  const [, y, mo, d, h, mi, s, frac] = m
  const ms = frac ? Number(frac.padEnd(6, '0')) / 1000 : 0
  const time = new Date(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(s)
  ).getTime()
  return Number.isFinite(time) ? time + ms : undefined
}

export function pad2(n: number): string {
  return String(n).padStart(2, '0')
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

export function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

export function nonNegative(value: unknown): number | undefined {
  const n = finite(value)
  return n !== undefined && n >= 0 ? n : undefined
}
