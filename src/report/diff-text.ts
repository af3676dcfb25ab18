/**
 * What ansible-playbook prints for a result's `diff` with `--diff` (its default callback): per entry, the
 * notes about files not compared, a unified diff of `before` and `after` (mappings written as indented
 * JSON first) under `--- before: <before_header>` / `+++ after: <after_header>`, then any `prepared`
 * text. Only for a changed result (or loop item) whose `diff` is not empty; never for no_log results.
 */
import { isRecord } from '../values/records.js'
import { pythonJsonDumps } from '../values/python-json.js'
import { splitLinesKeepEnds, unifiedDiff } from './unified-diff.js'

/** Ansible's DIFF_CONTEXT default: lines of context around each change ([diff] context). */
export const DIFF_CONTEXT = 3

/** Ansible's MAX_FILE_SIZE_FOR_DIFF is named by the module in `dst_larger`/`src_larger`. */
const NO_NEWLINE = '\n\\ No newline at end of file\n'

/** How a diff line is painted: added, removed, or a hunk header (`@@`); undefined for the rest. */
export type DiffPaint = 'add' | 'remove' | 'lines' | undefined

/** One piece of diff text and how to paint it. */
export interface DiffPiece {
  text: string
  paint: DiffPaint
}

/**
 * The text Ansible's callback builds for a `diff` value (one entry or a list of them), in pieces so the
 * console can colour the diff lines. Empty when there is nothing to show.
 */
export function diffPieces(
  value: unknown,
  options: { blankAfterHunks?: boolean; context?: number } = {}
): DiffPiece[] {
  const blankAfterHunks = options.blankAfterHunks ?? true
  const entries = Array.isArray(value) ? value : [value]
  const out: DiffPiece[] = []
  const plain = (text: string): void => {
    out.push({ text, paint: undefined })
  }
  for (const entry of entries) {
    if (!isRecord(entry)) continue
    if ('dst_binary' in entry) plain('diff skipped: destination file appears to be binary\n')
    if ('src_binary' in entry) plain('diff skipped: source file appears to be binary\n')
    if ('dst_larger' in entry)
      plain(`diff skipped: destination file size is greater than ${String(entry['dst_larger'])}\n`)
    if ('src_larger' in entry)
      plain(`diff skipped: source file size is greater than ${String(entry['src_larger'])}\n`)
    if ('before' in entry && 'after' in entry) {
      const before = splitLinesKeepEnds(sideText(entry['before']))
      const after = splitLinesKeepEnds(sideText(entry['after']))
      markMissingNewline(before)
      markMissingNewline(after)
      const fromFile =
        'before_header' in entry ? `before: ${String(entry['before_header'])}` : 'before'
      const toFile = 'after_header' in entry ? `after: ${String(entry['after_header'])}` : 'after'
      const lines = unifiedDiff(before, after, fromFile, toFile, options.context ?? DIFF_CONTEXT)
      for (const line of lines)
        out.push({
          text: line,
          paint: line.startsWith('+')
            ? 'add'
            : line.startsWith('-')
              ? 'remove'
              : line.startsWith('@@')
                ? 'lines'
                : undefined
        })
      if (lines.length > 0 && blankAfterHunks) plain('\n')
    }
    if ('prepared' in entry && entry['prepared'] !== undefined && entry['prepared'] !== null)
      plain(String(entry['prepared']))
  }
  return out
}

/** The diff text without colours. */
export function diffText(value: unknown): string {
  return diffPieces(value)
    .map((piece) => piece.text)
    .join('')
}

/**
 * One `diff` entry as a unified diff on its own (the plan's blocks): the same text without the blank line
 * the console adds after the hunks; '' when before and after are the same.
 */
export function entryDiffText(entry: unknown, context = DIFF_CONTEXT): string {
  return diffPieces(entry, { blankAfterHunks: false, context })
    .map((piece) => piece.text)
    .join('')
}

/** One side of a diff as text: a mapping as Ansible serialises it (sorted, indented JSON), None as empty. */
function sideText(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (isRecord(value))
    return pythonJsonDumps(value, { indent: 4, sortKeys: true, ensureAscii: true }) + '\n'
  return typeof value === 'string' ? value : String(value)
}

/** As Ansible: a last line without its line end is marked, in both texts. */
function markMissingNewline(lines: string[]): void {
  const last = lines[lines.length - 1]
  if (last !== undefined && !last.endsWith('\n')) lines[lines.length - 1] = last + NO_NEWLINE
}
