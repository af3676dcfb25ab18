/**
 * Shared machinery of the fuzz tests: the "typed error or a result, quickly, without pollution" check,
 * and mutations of valid inputs (character flips, truncation, duplication, re-indentation).
 */
import fc from 'fast-check'
import { AsyncPlaybookError } from '../../src/errors.js'

/**
 * Most CPU time any single parser call may use before we call it a hang. CPU time, not wall time: on a
 * loaded machine a call may wait seconds for a core without doing more work, while a real hang (a
 * runaway loop or regex) burns CPU all the same.
 */
export const CALL_BUDGET_MS = 2_000

/** CPU time (user + system) this process has used since `start`, in ms. */
function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start)
  return (used.user + used.system) / 1000
}

/** How many inputs each property tries; APB_FUZZ_RUNS scales them up for a long local session. */
export function runs(base: number): number {
  const scale = Number(process.env.APB_FUZZ_RUNS_SCALE ?? '1')
  return Math.max(1, Math.round(base * (Number.isFinite(scale) && scale > 0 ? scale : 1)))
}

/** The slowest call (CPU ms) seen by {@link checkCall}, per label: printed so timings are visible. */
export const slowest = new Map<string, { ms: number; input: string }>()

/** What a parser call came to: its value, or the typed error it threw. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: AsyncPlaybookError }

/**
 * Calls `parse(input)` and throws (failing the property, with the input shown) unless it returned, or
 * threw one of our typed errors with a message a user can read and a well-formed location; and unless it
 * used less than {@link CALL_BUDGET_MS} of CPU time and left Object.prototype untouched.
 */
export function checkCall<I, T>(label: string, input: I, parse: (input: I) => T): Outcome<T> {
  const started = process.cpuUsage()
  let outcome: Outcome<T>
  try {
    outcome = { ok: true, value: parse(input) }
  } catch (error) {
    if (!(error instanceof AsyncPlaybookError)) {
      const full = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
      const what = full.length > 500 ? `${full.slice(0, 500)}…` : full
      throw new Error(`${label}: untyped ${what}\n  input: ${preview(input)}`, { cause: error })
    }
    assertReadable(label, error, input)
    outcome = { ok: false, error }
  }
  const ms = cpuMsSince(started)
  const worst = slowest.get(label)
  if (!worst || ms > worst.ms) slowest.set(label, { ms, input: preview(input) })
  if (ms > CALL_BUDGET_MS) {
    throw new Error(
      `${label}: one call used ${Math.round(ms)} ms of CPU\n  input: ${preview(input)}`
    )
  }
  assertNoPollution(label, input)
  return outcome
}

/** The message is non-empty and the location, where the error has one, names a file and a line ≥ 1. */
export function assertReadable(label: string, error: AsyncPlaybookError, input: unknown): void {
  const problems: string[] = []
  if (error.message.trim() === '') problems.push('empty message')
  // The whole input, not its preview: a message may quote a line from anywhere in it.
  let given: string
  try {
    given =
      typeof input === 'string'
        ? input
        : Buffer.isBuffer(input)
          ? input.toString('latin1')
          : (JSON.stringify(input) ?? String(input))
  } catch {
    given = String(input)
  }
  for (const leak of ['undefined', '[object Object]', 'NaN', '[native code]']) {
    if (error.message.includes(leak) && !given.includes(leak))
      problems.push(`message shows an internal value (${leak})`)
  }
  const loc = error.location
  if (loc !== undefined) {
    if (typeof loc.file !== 'string' || loc.file === '') problems.push('location without file')
    if (!Number.isInteger(loc.line) || loc.line < 1) problems.push(`bad line ${loc.line}`)
    if (loc.column !== undefined && (!Number.isInteger(loc.column) || loc.column < 1))
      problems.push(`bad column ${loc.column}`)
  }
  if (problems.length > 0) {
    throw new Error(
      `${label}: ${error.name} ${problems.join(', ')}: ${JSON.stringify(error.message.slice(0, 300))}\n  input: ${preview(input)}`
    )
  }
}

/** Object.prototype has gained nothing (`__proto__` keys must never reach it). */
export function assertNoPollution(label: string, input?: unknown): void {
  const probe = {} as Record<string, unknown>
  const own = Object.getOwnPropertyNames(Object.prototype).filter((k) => !BUILTIN_KEYS.has(k))
  if (probe['polluted'] !== undefined || own.length > 0) {
    throw new Error(
      `${label}: Object.prototype was polluted (${own.join(', ') || 'polluted'})\n  input: ${preview(input)}`
    )
  }
}

const BUILTIN_KEYS = new Set(Object.getOwnPropertyNames(Object.prototype))

function preview(input: unknown): string {
  const text = Buffer.isBuffer(input)
    ? `<${input.length} bytes> ${JSON.stringify(input.subarray(0, 300).toString('latin1'))}`
    : JSON.stringify(input)
  return text === undefined ? String(input) : text.length > 600 ? `${text.slice(0, 600)}…` : text
}

/** Characters that matter to YAML, INI, JSON, Jinja2 and host patterns: likelier to hit parser edges. */
const SPECIAL = [
  ...':-[]{}&*!|>\'"%@`#,?=~\\/\t \n\r\0.$()<;',
  '\u00a0',
  '\ufeff',
  '\u2028',
  '\ud800',
  'é',
  '💥',
  '__proto__',
  'constructor',
  '{{',
  '}}',
  '<<: ',
  '&a ',
  '*a',
  '!!python/object ',
  '- ',
  ': ',
  '\n  ',
  '\n- '
]

/** One edit of a text; positions are fractions so they fit any length. */
type Edit =
  | { kind: 'flip'; at: number; text: string }
  | { kind: 'truncate'; at: number }
  | { kind: 'duplicate'; from: number; to: number; at: number }
  | { kind: 'indent'; line: number; by: number }
  | { kind: 'delete'; from: number; to: number }
  | { kind: 'swapLines'; a: number; b: number }

const fraction = fc.double({ min: 0, max: 1, noNaN: true })

const editArb: fc.Arbitrary<Edit> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('flip' as const),
      at: fraction,
      text: fc.oneof(fc.constantFrom(...SPECIAL), fc.string({ maxLength: 3, unit: 'binary' }))
    }),
    weight: 4
  },
  { arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fraction }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('duplicate' as const),
      from: fraction,
      to: fraction,
      at: fraction
    }),
    weight: 2
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('indent' as const),
      line: fraction,
      by: fc.integer({ min: -4, max: 6 })
    }),
    weight: 3
  },
  {
    arbitrary: fc.record({ kind: fc.constant('delete' as const), from: fraction, to: fraction }),
    weight: 1
  },
  {
    arbitrary: fc.record({ kind: fc.constant('swapLines' as const), a: fraction, b: fraction }),
    weight: 1
  }
)

function pos(f: number, length: number): number {
  return Math.min(length, Math.floor(f * (length + 1)))
}

function applyEdit(text: string, edit: Edit): string {
  switch (edit.kind) {
    case 'flip': {
      const at = pos(edit.at, text.length - 1)
      return text.slice(0, at) + edit.text + text.slice(at + 1)
    }
    case 'truncate':
      return text.slice(0, pos(edit.at, text.length))
    case 'duplicate': {
      const [a, b] = [pos(edit.from, text.length), pos(edit.to, text.length)].sort((x, y) => x - y)
      const at = pos(edit.at, text.length)
      return text.slice(0, at) + text.slice(a, b) + text.slice(at)
    }
    case 'delete': {
      const [a, b] = [pos(edit.from, text.length), pos(edit.to, text.length)].sort((x, y) => x - y)
      return text.slice(0, a) + text.slice(b)
    }
    case 'indent': {
      const lines = text.split('\n')
      const i = pos(edit.line, lines.length - 1)
      const line = lines[i] ?? ''
      lines[i] =
        edit.by >= 0 ? ' '.repeat(edit.by) + line : line.replace(/^ +/, (s) => s.slice(-edit.by))
      return lines.join('\n')
    }
    case 'swapLines': {
      const lines = text.split('\n')
      const a = pos(edit.a, lines.length - 1)
      const b = pos(edit.b, lines.length - 1)
      ;[lines[a], lines[b]] = [lines[b]!, lines[a]!]
      return lines.join('\n')
    }
  }
}

/** Valid `seeds`, each put through one to six random edits. */
export function mutatedText(seeds: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...seeds), fc.array(editArb, { minLength: 1, maxLength: 6 }))
    .map(([seed, edits]) => edits.reduce(applyEdit, seed))
}

/** Valid `seeds` as bytes, with bit flips, truncation, duplicated or deleted spans. */
export function mutatedBytes(seeds: readonly Buffer[]): fc.Arbitrary<Buffer> {
  const byteEdit = fc.oneof(
    fc.record({
      kind: fc.constant('bit' as const),
      at: fraction,
      bit: fc.integer({ min: 0, max: 7 })
    }),
    fc.record({
      kind: fc.constant('byte' as const),
      at: fraction,
      value: fc.integer({ min: 0, max: 255 })
    }),
    fc.record({ kind: fc.constant('truncate' as const), at: fraction }),
    fc.record({
      kind: fc.constant('duplicate' as const),
      from: fraction,
      to: fraction,
      at: fraction
    }),
    fc.record({
      kind: fc.constant('digit' as const),
      at: fraction,
      digits: fc.stringMatching(/^\d{1,25}$/)
    })
  )
  return fc
    .tuple(fc.constantFrom(...seeds), fc.array(byteEdit, { minLength: 1, maxLength: 4 }))
    .map(([seed, edits]) =>
      edits.reduce((buf: Buffer, edit): Buffer => {
        const at = pos(edit.at, Math.max(0, buf.length - 1))
        switch (edit.kind) {
          case 'bit': {
            const copy = Buffer.from(buf)
            if (copy.length > 0) copy[at] = copy[at]! ^ (1 << edit.bit)
            return copy
          }
          case 'byte': {
            const copy = Buffer.from(buf)
            if (copy.length > 0) copy[at] = edit.value
            return copy
          }
          case 'truncate':
            return buf.subarray(0, pos(edit.at, buf.length))
          case 'duplicate': {
            const [a, b] = [pos(edit.from, buf.length), pos(edit.to, buf.length)].sort(
              (x, y) => x - y
            )
            return Buffer.concat([buf.subarray(0, at), buf.subarray(a, b), buf.subarray(at)])
          }
          case 'digit':
            // Replaces a run of digits (a length field, most likely) with another number.
            return Buffer.from(
              buf
                .toString('latin1')
                .replace(/\d+/g, (m, offset: number) =>
                  offset >= at && offset < at + 40 ? edit.digits : m
                ),
              'latin1'
            )
        }
      }, seed)
    )
}

/** Random text: printable ASCII, full Unicode (lone surrogates included) and raw bytes read as UTF-8. */
export const anyText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ maxLength: 200, unit: 'binary' }),
  fc.string({ maxLength: 100, unit: 'grapheme' }),
  fc.array(fc.constantFrom(...SPECIAL), { maxLength: 40 }).map((parts) => parts.join('')),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('utf8'))
)
