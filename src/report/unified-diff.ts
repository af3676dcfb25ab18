/**
 * Unified diffs of a module's `diff` (before/after), as `ansible-playbook --diff` prints them: headers
 * `--- before: HEADER` / `+++ after: HEADER`, hunks with three lines of context (two hunks closer than
 * six unchanged lines are one), `\ No newline at end of file` after a last line without one, and a mapping
 * (a file's state) shown as JSON with sorted keys and four-space indents.
 */
import type { ModuleDiff } from '../modules/module.js'

/** Lines of context around each change. */
const CONTEXT = 3
/**
 * Above this many cells (lines of one side × lines of the other, after the common head and tail are set
 * aside) the middle is shown as removed then added instead of matched line by line: the matching costs
 * time and memory in that product.
 */
const MAX_MATCH_CELLS = 4_000_000

type Op = { kind: ' ' | '-' | '+'; line: string }

/** The unified diff text of one `diff` entry; '' when before and after are the same. */
export function unifiedDiff(entry: ModuleDiff): string {
  if (typeof entry.prepared === 'string') return entry.prepared
  if (entry.before === undefined && entry.after === undefined) return ''
  const before = sideText(entry.before)
  const after = sideText(entry.after)
  if (before === after) return ''
  const ops = diffLines(splitKeepEnds(before), splitKeepEnds(after))
  const head = [
    `--- ${entry.before_header !== undefined ? `before: ${entry.before_header}` : 'before'}`,
    `+++ ${entry.after_header !== undefined ? `after: ${entry.after_header}` : 'after'}`
  ]
  return [...head, ...hunks(ops)].join('\n') + '\n'
}

function sideText(side: ModuleDiff['before']): string {
  if (side === undefined) return ''
  if (typeof side === 'string') return side
  return `${JSON.stringify(sortKeys(side), null, 4)}\n`
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(value).sort())
      out[key] = sortKeys((value as Record<string, unknown>)[key])
    return out
  }
  return value
}

/** Lines with their line ends (the last may have none). */
function splitKeepEnds(text: string): string[] {
  if (text === '') return []
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? []
}

/** Edit script between two line lists: common head and tail, then a longest common subsequence. */
function diffLines(a: string[], b: string[]): Op[] {
  let start = 0
  while (start < a.length && start < b.length && a[start] === b[start]) start++
  let endA = a.length
  let endB = b.length
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--
    endB--
  }
  const ops: Op[] = a.slice(0, start).map((line) => ({ kind: ' ', line }))
  const midA = a.slice(start, endA)
  const midB = b.slice(start, endB)
  if (midA.length * midB.length > MAX_MATCH_CELLS) {
    for (const line of midA) ops.push({ kind: '-', line })
    for (const line of midB) ops.push({ kind: '+', line })
  } else ops.push(...lcsOps(midA, midB))
  for (const line of a.slice(endA)) ops.push({ kind: ' ', line })
  return ops
}

function lcsOps(a: string[], b: string[]): Op[] {
  const n = a.length
  const m = b.length
  // lengths[i][j]: the longest common subsequence of a[i..] and b[j..].
  const width = m + 1
  const lengths = new Uint32Array((n + 1) * width)
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lengths[i * width + j] =
        a[i] === b[j]
          ? lengths[(i + 1) * width + j + 1]! + 1
          : Math.max(lengths[(i + 1) * width + j]!, lengths[i * width + j + 1]!)
  const ops: Op[] = []
  let i = 0
  let j = 0
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push({ kind: ' ', line: a[i]! })
      i++
      j++
    } else if (lengths[(i + 1) * width + j]! >= lengths[i * width + j + 1]!) {
      ops.push({ kind: '-', line: a[i++]! })
    } else ops.push({ kind: '+', line: b[j++]! })
  }
  while (i < n) ops.push({ kind: '-', line: a[i++]! })
  while (j < m) ops.push({ kind: '+', line: b[j++]! })
  return ops
}

/** The hunks of an edit script, each with its `@@ -a,b +c,d @@` line. */
function hunks(ops: Op[]): string[] {
  const changed = ops.map((op, index) => (op.kind === ' ' ? -1 : index)).filter((i) => i >= 0)
  const out: string[] = []
  let g = 0
  while (g < changed.length) {
    // A group: changes whose unchanged gaps are at most twice the context.
    let last = changed[g]!
    let next = g + 1
    while (next < changed.length && changed[next]! - last - 1 <= 2 * CONTEXT)
      last = changed[next++]!
    const from = Math.max(0, changed[g]! - CONTEXT)
    const to = Math.min(ops.length, last + CONTEXT + 1)
    let lineA = 0
    let lineB = 0
    for (const op of ops.slice(0, from)) {
      if (op.kind !== '+') lineA++
      if (op.kind !== '-') lineB++
    }
    const body = ops.slice(from, to)
    const countA = body.filter((op) => op.kind !== '+').length
    const countB = body.filter((op) => op.kind !== '-').length
    out.push(`@@ -${range(lineA, countA)} +${range(lineB, countB)} @@`)
    for (const op of body) {
      const text = op.line.endsWith('\n') ? op.line.slice(0, -1) : op.line
      out.push(`${op.kind}${text}`)
      if (!op.line.endsWith('\n')) out.push('\\ No newline at end of file')
    }
    g = next
  }
  return out
}

/** difflib's range: `start,count`, `start` alone for one line, `start-1,0` style for none. */
function range(start: number, count: number): string {
  if (count === 1) return `${start + 1}`
  if (count === 0) return `${start},0`
  return `${start + 1},${count}`
}
