/**
 * Unified diffs as Python's difflib writes them, so that `--diff` shows the same hunks as ansible-playbook:
 * the lines are matched by the longest common block first (then recursively on each side of it), which is
 * not what a minimal-edit (Myers) diff finds, and the hunk boundaries follow from that matching.
 */

/** One stretch of the two sequences: equal, or lines of `a` replaced by (deleted for, inserted as) lines of `b`. */
interface Opcode {
  tag: 'equal' | 'replace' | 'delete' | 'insert'
  i1: number
  i2: number
  j1: number
  j2: number
}

/** A block of `size` equal lines starting at a[i] and b[j]. */
type Match = [i: number, j: number, size: number]

/**
 * Where each line of `b` occurs. As difflib's autojunk: in a sequence of 200 lines or more, a line that
 * occurs in more than 1% of it (plus one) is "popular" and never starts a match (matches still grow over it).
 */
function lineIndex(b: readonly string[]): Map<string, number[]> {
  const index = new Map<string, number[]>()
  b.forEach((line, j) => {
    const list = index.get(line)
    if (list) list.push(j)
    else index.set(line, [j])
  })
  if (b.length >= 200) {
    const limit = Math.floor(b.length / 100) + 1
    for (const [line, list] of [...index]) if (list.length > limit) index.delete(line)
  }
  return index
}

/** The longest block equal in a[alo:ahi] and b[blo:bhi]: the earliest in `a`, then in `b`, on ties. */
function longestMatch(
  a: readonly string[],
  b: readonly string[],
  index: Map<string, number[]>,
  alo: number,
  ahi: number,
  blo: number,
  bhi: number
): Match {
  let [besti, bestj, bestsize] = [alo, blo, 0]
  let lengths = new Map<number, number>()
  for (let i = alo; i < ahi; i++) {
    const next = new Map<number, number>()
    for (const j of index.get(a[i]!) ?? []) {
      if (j < blo) continue
      if (j >= bhi) break
      const k = (lengths.get(j - 1) ?? 0) + 1
      next.set(j, k)
      if (k > bestsize) [besti, bestj, bestsize] = [i - k + 1, j - k + 1, k]
    }
    lengths = next
  }
  // Grow the block over equal lines the index left out (popular ones).
  while (besti > alo && bestj > blo && a[besti - 1] === b[bestj - 1]) {
    besti--
    bestj--
    bestsize++
  }
  while (
    besti + bestsize < ahi &&
    bestj + bestsize < bhi &&
    a[besti + bestsize] === b[bestj + bestsize]
  )
    bestsize++
  return [besti, bestj, bestsize]
}

/** The equal blocks of `a` and `b`, in order, adjacent ones merged, ending with (len a, len b, 0). */
function matchingBlocks(a: readonly string[], b: readonly string[]): Match[] {
  const index = lineIndex(b)
  const queue: [number, number, number, number][] = [[0, a.length, 0, b.length]]
  const found: Match[] = []
  while (queue.length > 0) {
    const [alo, ahi, blo, bhi] = queue.pop()!
    const match = longestMatch(a, b, index, alo, ahi, blo, bhi)
    const [i, j, k] = match
    if (k === 0) continue
    found.push(match)
    if (alo < i && blo < j) queue.push([alo, i, blo, j])
    if (i + k < ahi && j + k < bhi) queue.push([i + k, ahi, j + k, bhi])
  }
  found.sort((x, y) => x[0] - y[0] || x[1] - y[1] || x[2] - y[2])
  const merged: Match[] = []
  for (const block of found) {
    const last = merged[merged.length - 1]
    if (last && last[0] + last[2] === block[0] && last[1] + last[2] === block[1])
      last[2] += block[2]
    else merged.push([...block])
  }
  merged.push([a.length, b.length, 0])
  return merged
}

function opcodes(a: readonly string[], b: readonly string[]): Opcode[] {
  const codes: Opcode[] = []
  let [i, j] = [0, 0]
  for (const [ai, bj, size] of matchingBlocks(a, b)) {
    const tag = i < ai && j < bj ? 'replace' : i < ai ? 'delete' : j < bj ? 'insert' : undefined
    if (tag) codes.push({ tag, i1: i, i2: ai, j1: j, j2: bj })
    ;[i, j] = [ai + size, bj + size]
    if (size > 0) codes.push({ tag: 'equal', i1: ai, i2: i, j1: bj, j2: j })
  }
  return codes
}

/** The opcodes cut into hunks with `context` equal lines around each change. */
function groupedOpcodes(a: readonly string[], b: readonly string[], context: number): Opcode[][] {
  const codes = opcodes(a, b)
  if (codes.length === 0) codes.push({ tag: 'equal', i1: 0, i2: 1, j1: 0, j2: 1 })
  const first = codes[0]!
  if (first.tag === 'equal') {
    first.i1 = Math.max(first.i1, first.i2 - context)
    first.j1 = Math.max(first.j1, first.j2 - context)
  }
  const last = codes[codes.length - 1]!
  if (last.tag === 'equal') {
    last.i2 = Math.min(last.i2, last.i1 + context)
    last.j2 = Math.min(last.j2, last.j1 + context)
  }
  const groups: Opcode[][] = []
  let group: Opcode[] = []
  for (const code of codes) {
    let { i1, j1 } = code
    const { tag, i2, j2 } = code
    if (tag === 'equal' && i2 - i1 > 2 * context) {
      group.push({ tag, i1, i2: Math.min(i2, i1 + context), j1, j2: Math.min(j2, j1 + context) })
      groups.push(group)
      group = []
      i1 = Math.max(i1, i2 - context)
      j1 = Math.max(j1, j2 - context)
    }
    group.push({ tag, i1, i2, j1, j2 })
  }
  if (group.length > 0 && !(group.length === 1 && group[0]!.tag === 'equal')) groups.push(group)
  return groups
}

/** A hunk's range as unified diffs write it: `start,length`, just `start` for one line. */
function range(start: number, stop: number): string {
  let beginning = start + 1
  const length = stop - start
  if (length === 1) return String(beginning)
  if (length === 0) beginning--
  return `${beginning},${length}`
}

/**
 * The lines of a unified diff of `a` and `b` (lines with their line ends), as difflib.unified_diff writes
 * them with empty dates: the `---`/`+++` headers and each hunk's `@@` line end with a newline; the other
 * lines are the input lines with their one-character prefix. No lines when nothing differs.
 */
export function unifiedDiff(
  a: readonly string[],
  b: readonly string[],
  fromFile: string,
  toFile: string,
  context = 3
): string[] {
  const out: string[] = []
  for (const group of groupedOpcodes(a, b, context)) {
    if (out.length === 0) out.push(`--- ${fromFile}\n`, `+++ ${toFile}\n`)
    const first = group[0]!
    const last = group[group.length - 1]!
    out.push(`@@ -${range(first.i1, last.i2)} +${range(first.j1, last.j2)} @@\n`)
    for (const { tag, i1, i2, j1, j2 } of group) {
      if (tag === 'equal') {
        for (const line of a.slice(i1, i2)) out.push(' ' + line)
        continue
      }
      if (tag === 'replace' || tag === 'delete')
        for (const line of a.slice(i1, i2)) out.push('-' + line)
      if (tag === 'replace' || tag === 'insert')
        for (const line of b.slice(j1, j2)) out.push('+' + line)
    }
  }
  return out
}

/** Python's str.splitlines(keepends=True): every line break Python knows ends a line, kept with it. */
export function splitLinesKeepEnds(text: string): string[] {
  const lines: string[] = []
  // eslint-disable-next-line no-control-regex -- Python's line boundaries include these separators
  const breaks = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/g
  let start = 0
  for (const m of text.matchAll(breaks)) {
    const end = m.index + m[0].length
    lines.push(text.slice(start, end))
    start = end
  }
  if (start < text.length) lines.push(text.slice(start))
  return lines
}
