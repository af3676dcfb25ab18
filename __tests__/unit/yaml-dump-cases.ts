/**
 * Inputs for the to_yaml / to_nice_yaml differential (yaml-dump.test.ts): hand-picked strings that probe
 * quoting, escaping and folding, and data generated from a fixed seed (the same cases on every run).
 */
import { PyFloat } from '../../src/template/python.js'

export interface DumpCase {
  filter: 'to_yaml' | 'to_nice_yaml'
  value: unknown
  kwargs: Record<string, unknown>
}

/** Strings whose style (plain, single, double quotes) or folding is worth checking one by one. */
export const TRICKY_STRINGS: string[] = [
  ...[
    '',
    ' ',
    'a',
    'yes',
    'No',
    'ON',
    'off',
    'y',
    'n',
    'true',
    'False',
    'null',
    'Null',
    '~',
    'NULL'
  ],
  ...[
    '0',
    '12',
    '-3',
    '+4',
    '0644',
    '0o17',
    '0x1F',
    '0x_',
    '0b101',
    '1_000',
    '1:30',
    '1:30.5',
    '08'
  ],
  ...['1.0', '.5', '-.5', '1.', '1e3', '1.0e+3', '1.0e3', '.inf', '-.Inf', '.NaN', 'nan', 'inf'],
  ...['2001-12-14', '2001-12-14 21:59:43.10 -5', '2001-1-1T1:00:00Z', '=', '<<', '<', '=='],
  ...['- a', '-a', '-', '--', '---', '--- a', '...', '....', '? a', '?a', '?', ': a', ':a', ':'],
  ...['a:', 'a: b', 'a:b', 'a :b', 'a #b', 'a#b', '#a', ',a', 'a,b', '[a]', 'a[b]', '{a}', 'a{b}'],
  ...['&a', '*a', '!a', '|a', '>a', "'a", '"a', '%a', '@a', '`a', 'a!', 'a&b', 'a*', 'a|b', 'a>b'],
  ...["it's", "''", 'say "hi"', '\\', 'C:\\path', 'a\\nb', 'a  b', ' lead', 'trail ', '  ', 'a\tb'],
  ...[
    '\t',
    'a\nb',
    'a\nb\n',
    '\n',
    '\n\n',
    'a\n\nb',
    'a\n\n\nb\n',
    '\na',
    'a \nb',
    'a\n b',
    'a\r\nb'
  ],
  ...[
    'é',
    'naïve café',
    '日本語',
    'emoji 😀',
    '\u00a0',
    'a\u00a0b',
    '\u0085',
    'a\u2028b',
    '\ufeff'
  ],
  ...['\u0000', '\u0007', '\u001b[0m', '\u007f', '\u0080', '\ufffe', 'tab\tin\tit', 'bell\u0007'],
  ...[
    '{{ x }}',
    '{% if %}',
    "{{ 'a' }}",
    '$HOME',
    '%(x)s',
    'key=value',
    'a=b',
    'http://x.y/z?a=1#f'
  ],
  'word '.repeat(30).trim(),
  'word '.repeat(30),
  'x'.repeat(100),
  `${'x'.repeat(85)} ${'y'.repeat(10)}`,
  `${'w '.repeat(45)}\t${'w '.repeat(10)}`,
  `${'a '.repeat(41)}  ${'b '.repeat(20)}`,
  `${'a'.repeat(79)} b c`,
  `${'a'.repeat(80)} b c`,
  `${'a'.repeat(81)} b c`,
  `line one is long ${'z '.repeat(40)}\nline two`,
  `'${'q '.repeat(50)}'`,
  `${'é '.repeat(50)}`,
  `${'😀 '.repeat(50)}`
]

/** A small deterministic generator (mulberry32), so the cases are the same on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const FLOATS = [0.5, -1.25, 1e-7, 1e16, 1.5e300, 3.14159, 2, -0, 1e22, Infinity, -Infinity, NaN]
const KEYS = [
  'name',
  'a',
  'B',
  'z',
  '_x',
  '1',
  'with space',
  'yes',
  'é',
  'k'.repeat(130),
  'a\nb',
  '',
  'a: b',
  '- x',
  '#c',
  '@k',
  '0644',
  '~',
  'x'.repeat(128),
  'é'.repeat(65),
  '日本',
  ' k',
  'tab\tkey'
]

function generate(rand: () => number, depth: number, made: object[] = []): unknown {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!
  const roll = rand()
  // The same list or dict again (a variable used twice): PyYAML writes an anchor and an alias.
  if (made.length > 0 && roll < 0.08) return pick(made)
  if (depth > 0 && roll < 0.3) {
    const length = Math.floor(rand() * 5)
    const list = Array.from({ length }, () => generate(rand, depth - 1, made))
    made.push(list)
    return list
  }
  if (depth > 0 && roll < 0.6) {
    const out: Record<string, unknown> = {}
    const size = Math.floor(rand() * 5)
    for (let i = 0; i < size; i++) out[pick(KEYS)] = generate(rand, depth - 1, made)
    made.push(out)
    return out
  }
  const kind = rand()
  if (kind < 0.3) return pick(TRICKY_STRINGS)
  if (kind < 0.45) return randomText(rand)
  if (kind < 0.6) return Math.floor(rand() * 2000) - 1000
  if (kind < 0.75) {
    const f = pick(FLOATS)
    return Number.isInteger(f) || Object.is(f, -0) ? new PyFloat(f) : f
  }
  if (kind < 0.85) return rand() < 0.5
  return null
}

const PIECES = ['word', 'a', 'xy', ' ', ' ', ' ', '  ', '\n', '\n\n', "'", '"', ':', '#', '-', '?']
const RARE = ['\t', 'é', '😀', '\\', ',', '[', '{', '\r', '\u2028', '\u00a0', '\u0085']

/** Text made of words, runs of spaces, line breaks and indicators, up to a few lines long. */
function randomText(rand: () => number): string {
  const length = Math.floor(rand() * rand() * 120)
  let text = ''
  for (let i = 0; i < length; i++) {
    const pool = rand() < 0.9 ? PIECES : RARE
    text += pool[Math.floor(rand() * pool.length)]!
  }
  return text
}

const KWARGS: Array<Record<string, unknown>> = [
  {},
  {},
  {},
  { indent: 2 },
  { indent: 3 },
  { width: 40 },
  { width: 20, indent: 3 },
  { width: 4 },
  { width: -1 },
  { width: 1000 },
  { sort_keys: false },
  { explicit_start: true },
  { explicit_end: true, explicit_start: true },
  { default_flow_style: true },
  { default_flow_style: false }
]

/** The differential's cases: each tricky string alone and in a mapping, then generated data. */
export function dumpCases(count = 1000): DumpCase[] {
  const cases: DumpCase[] = []
  for (const s of TRICKY_STRINGS) {
    cases.push({ filter: 'to_yaml', value: s, kwargs: {} })
    cases.push({ filter: 'to_yaml', value: { k: s, [s]: [s] }, kwargs: {} })
    cases.push({ filter: 'to_nice_yaml', value: { k: s, list: [s, { k: s }] }, kwargs: {} })
  }
  const rand = random(20260601)
  for (let i = 0; i < count; i++) {
    const filter = rand() < 0.5 ? 'to_yaml' : 'to_nice_yaml'
    let kwargs = KWARGS[Math.floor(rand() * KWARGS.length)]!
    if (filter === 'to_nice_yaml' && 'default_flow_style' in kwargs) kwargs = {}
    cases.push({ filter, value: generate(rand, 1 + Math.floor(rand() * 4)), kwargs })
  }
  return cases
}

/**
 * A value as JSON that keeps floats apart from ints (`{"__float__": "2.0"}`) and a list or dict met twice
 * the same object on the Python side (`{"__id__": 1, "__value__": …}`, then `{"__ref__": 1}`).
 */
export function wireValue(value: unknown): unknown {
  const shared = new Map<object, number>()
  const counts = new Map<object, number>()
  const count = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || v instanceof PyFloat) return
    counts.set(v, (counts.get(v) ?? 0) + 1)
    if (counts.get(v)! === 1) Object.values(v).forEach(count)
  }
  count(value)
  const encode = (v: unknown): unknown => {
    if (
      v instanceof PyFloat ||
      (typeof v === 'number' && (!Number.isInteger(v) || Object.is(v, -0)))
    ) {
      const n = Number(v)
      return { __float__: Object.is(n, -0) ? '-0' : String(n) }
    }
    if (v === null || typeof v !== 'object') return v
    const id = shared.get(v)
    if (id !== undefined) return { __ref__: id }
    const body = Array.isArray(v)
      ? v.map(encode)
      : Object.fromEntries(Object.entries(v).map(([k, item]) => [k, encode(item)]))
    if ((counts.get(v) ?? 0) < 2) return body
    shared.set(v, shared.size + 1)
    return { __id__: shared.get(v), __value__: body }
  }
  return encode(value)
}
