/**
 * The two written forms of a jobs document, and the limits that hold before either is believed.
 *
 * - Plain JSON: `{ host: { key: entry } }`, or a whole results document (its `jobs` is used).
 * - Compact (`apb1:` + base64): the same jobs laid out in columns (each repeated host, directory, task,
 *   file or user string once), compressed with brotli. It exists because the runner hands inputs to a
 *   step as environment variables, and one variable holds at most 128 KiB on Linux: 2,000 jobs take
 *   about 800 KB as JSON and about 35 KB in this form.
 *
 * Both are turned into the same plain object, which jobs-document.ts validates field by field: the compact
 * form is exactly as strict as JSON. Nesting, size and the inflated size are capped before any parsing, so
 * a hostile document ends in an OptionError, never in a stack overflow or an out-of-memory crash.
 */
import { readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib'
import { dict } from '../values/dict.js'
import { OptionError } from '../errors.js'
import { isRecord } from '../values/records.js'

/** Per host, each job not gathered yet, keyed by register name (`name[i]` for a loop's items) or jid. */
export type JobsDocument = Record<string, Record<string, Record<string, unknown>>>

/** The compact form's prefix: format version 1 (columns, brotli, standard base64). */
export const COMPACT_PREFIX = 'apb1:'
/** Largest jobs document read as text; a whole results document carries every task's output too. */
export const MAX_JOBS_TEXT_BYTES = 64 * 1024 * 1024
/** Largest compact document once inflated: a decompression bomb stops here. */
export const MAX_INFLATED_BYTES = 16 * 1024 * 1024
/** Deepest nesting of arrays and objects a jobs document may have (a results document is about 10 deep). */
export const MAX_NESTING = 100
/** Most jobs one document may hand over. */
export const MAX_JOBS = 100_000

const MiB = 1024 * 1024

/** Whether text is meant as the compact form (any version). */
export function isCompactJobs(text: string): boolean {
  return /^apb\d+:/.test(text)
}

/**
 * Refuses text larger than MAX_JOBS_TEXT_BYTES.
 * @throws OptionError naming `source`
 */
export function checkJobsTextSize(bytes: number, source: string): void {
  if (bytes > MAX_JOBS_TEXT_BYTES) {
    throw new OptionError(
      `${source}: the jobs document is ${(bytes / MiB).toFixed(1)} MiB, more than the ${MAX_JOBS_TEXT_BYTES / MiB} MiB read: hand over only its "jobs" (for example jq '.jobs' results.json > jobs.json)`
    )
  }
}

/**
 * Refuses JSON text whose arrays and objects nest deeper than MAX_NESTING, before JSON.parse: what reads
 * or writes the document later recurses, and a document thousands of levels deep would overflow the stack.
 * Linear, without recursion; strings (and their escapes) are skipped.
 * @throws OptionError naming `source`
 */
export function checkNesting(text: string, source: string): void {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_NESTING) {
        throw new OptionError(
          `${source}: the jobs document nests arrays or objects more than ${MAX_NESTING} levels deep; a jobs document written by async-playbook never does: hand over the "jobs" output or results file as it was written`
        )
      }
    } else if (c === 0x5d || c === 0x7d) depth = Math.max(0, depth - 1)
  }
}

/**
 * A jobs document given on the command line or as an input: the document itself (JSON, or the compact
 * form), or the path of a file holding one (a results file handed over as an artifact, a saved `jobs`
 * output). Files are size-checked before they are read; `source` is then the path as given.
 * @param label how errors name the argument (`--jobs`, `Input 'jobs'`)
 * @throws OptionError naming `label`
 */
export function readJobsArgument(
  value: string,
  baseDir: string,
  label: string
): { text: string; source: string; file?: string } {
  const trimmed = value.trim()
  if (trimmed.startsWith('{') || isCompactJobs(trimmed)) return { text: value, source: label }
  const notDocument = (why: string): never => {
    throw new OptionError(
      `${label}: ${why}. Give the \`jobs\` output of the run that launched the jobs (JSON or apb1:…), or the path of a file holding it or that run's results document`
    )
  }
  if (trimmed === '' || trimmed.includes('\n') || /\p{Cc}/u.test(trimmed))
    notDocument('this is neither a jobs document nor a file path')
  const file = path.resolve(baseDir, trimmed)
  const shown = trimmed.length > 200 ? `${trimmed.slice(0, 199)}…` : trimmed
  let size: number
  try {
    const stats = statSync(file)
    if (!stats.isFile()) notDocument(`'${shown}' is not a file`)
    size = stats.size
  } catch (error) {
    if (error instanceof OptionError) throw error
    notDocument(`'${shown}' is not a jobs document, and there is no such file`)
  }
  checkJobsTextSize(size!, `${label} (${shown})`)
  try {
    return { text: readFileSync(file, 'utf8'), source: shown, file: shown }
  } catch (error) {
    throw new OptionError(`${label}: cannot read '${shown}' (${(error as Error).message})`)
  }
}

/** The columns of format 1, each with one value per job. */
interface Columns {
  /** Index into `hosts`. */
  h: number[]
  /** Key (register name, `name[i]` or jid): index into `s`. */
  k: number[]
  /** Job id. */
  j: string[]
  /** Job directory: index into `s`. */
  d: number[]
  /** Task name, file: index into `s`, or -1. */
  n: number[]
  f: number[]
  /** Line, async seconds, launch time (ms after `t0`): a number, or null. */
  l: Array<number | null>
  a: Array<number | null>
  t: Array<number | null>
  /** A loop job's loop variable (index into `s`, or -1) and its item. */
  o: number[]
  i: unknown[]
  /** Become user, method, exe, flags: index into `s`, or -1. */
  u: number[]
  m: number[]
  x: number[]
  g: number[]
}

// prettier-ignore
const COLUMN_NAMES = ['h', 'k', 'j', 'd', 'n', 'f', 'l', 'a', 't', 'o', 'i', 'u', 'm', 'x', 'g'] as const

/** The compact form of a jobs document (as jobsDocument writes it). */
export function encodeCompactJobs(document: JobsDocument): string {
  const strings: string[] = []
  const index = new Map<string, number>()
  const intern = (value: unknown): number => {
    if (typeof value !== 'string') return -1
    let at = index.get(value)
    if (at === undefined) {
      at = strings.push(value) - 1
      index.set(value, at)
    }
    return at
  }
  const columns: Columns = {
    h: [],
    k: [],
    j: [],
    d: [],
    n: [],
    f: [],
    l: [],
    a: [],
    t: [],
    o: [],
    i: [],
    u: [],
    m: [],
    x: [],
    g: []
  }
  const hosts = Object.keys(document)
  let t0: number | undefined
  hosts.forEach((host, hostIndex) => {
    for (const [key, entry] of Object.entries(document[host] ?? {})) {
      columns.h.push(hostIndex)
      columns.k.push(intern(key))
      columns.j.push(String(entry['ansible_job_id']))
      columns.d.push(intern(entry['dir']))
      columns.n.push(intern(entry['task']))
      columns.f.push(intern(entry['file']))
      columns.l.push(numberOrNull(entry['line']))
      columns.a.push(numberOrNull(entry['async']))
      const launched = Date.parse(String(entry['launched_at'] ?? ''))
      if (Number.isFinite(launched)) t0 ??= launched
      columns.t.push(Number.isFinite(launched) ? launched - t0! : null)
      const looped = typeof entry['loop_var'] === 'string'
      columns.o.push(looped ? intern(entry['loop_var']) : -1)
      columns.i.push(looped ? (entry['item'] ?? null) : null)
      const become = entry['become'] as Record<string, unknown> | undefined
      columns.u.push(intern(become?.['user']))
      columns.m.push(intern(become?.['method']))
      columns.x.push(intern(become?.['exe']))
      columns.g.push(intern(become?.['flags']))
    }
  })
  // Delegated jobs (delegate_to) add two columns: the host each ran for, and its register name. A
  // document without them leaves them out, byte for byte as before.
  const delegated: { r: number[]; e: number[] } = { r: [], e: [] }
  for (const host of hosts)
    for (const entry of Object.values(document[host] ?? {})) {
      delegated.r.push(intern(entry['delegated_for']))
      delegated.e.push(intern(entry['register']))
    }
  const json = JSON.stringify({
    v: 1,
    hosts,
    s: strings,
    t0: t0 ?? 0,
    ...columns,
    ...(delegated.r.some((at) => at !== -1) ? delegated : {})
  })
  const packed = brotliCompressSync(Buffer.from(json), {
    params: {
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: json.length
    }
  })
  return COMPACT_PREFIX + packed.toString('base64')
}

/**
 * Reads the compact form back into a plain jobs document (null-prototype objects), for the same validation
 * as JSON. Only its shape is checked here; the values are checked by the caller.
 * @throws OptionError naming `source`
 */
export function decodeCompactJobs(text: string, source: string): JobsDocument {
  function fail(what: string): never {
    throw new OptionError(`${source}: the compact jobs document ${what}`)
  }
  if (!text.startsWith(COMPACT_PREFIX)) {
    const version = /^apb(\d+):/.exec(text)?.[1] ?? '?'
    fail(
      `is format ${version}, which this version of async-playbook cannot read (it reads ${COMPACT_PREFIX}): gather with the version that launched the jobs, or a newer one`
    )
  }
  const body = text.slice(COMPACT_PREFIX.length).replace(/\s+/g, '')
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 !== 0)
    fail(
      'is not valid base64: was it cut short or edited? Pass the `jobs` output as it was written'
    )
  let json: string
  try {
    json = brotliDecompressSync(Buffer.from(body, 'base64'), {
      maxOutputLength: MAX_INFLATED_BYTES
    }).toString('utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      fail(`inflates to more than ${MAX_INFLATED_BYTES / MiB} MiB; refused`)
    fail(`does not decompress (${(error as Error).message}): was it cut short or edited?`)
  }
  checkNesting(json, source)
  let data: unknown
  try {
    data = JSON.parse(json)
  } catch {
    fail('does not hold valid JSON: was it edited?')
  }
  if (!isRecord(data) || data['v'] !== 1) fail('has no format version 1 header')
  const root = data as Record<string, unknown>
  const hosts = stringArray(root['hosts']) ?? fail("has no list of 'hosts'")
  const strings = stringArray(root['s']) ?? fail("has no list of strings 's'")
  const t0 = root['t0']
  if (typeof t0 !== 'number' || !Number.isFinite(t0)) fail("has no launch time base 't0'")
  const columns = {} as Record<(typeof COLUMN_NAMES)[number], unknown[]>
  for (const name of COLUMN_NAMES) {
    const column = root[name]
    if (!Array.isArray(column)) fail(`has no column '${name}'`)
    columns[name] = column as unknown[]
  }
  const count = columns.h.length
  if (count > MAX_JOBS) fail(`holds ${count} jobs, more than the ${MAX_JOBS} read`)
  for (const name of COLUMN_NAMES)
    if (columns[name].length !== count)
      fail(`column '${name}' has ${columns[name].length} values for ${count} jobs`)
  const ref = (
    name: (typeof COLUMN_NAMES)[number],
    at: number,
    table: string[]
  ): string | undefined => {
    const value = columns[name][at]
    if (value === -1) return undefined
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= table.length)
      fail(`column '${name}' refers to a value that is not there (job ${at + 1})`)
    return table[value as number]
  }
  const optional = (name: 'r' | 'e'): unknown[] | undefined => {
    const column = root[name]
    if (column === undefined) return undefined
    if (!Array.isArray(column) || column.length !== count)
      fail(`column '${name}' does not have one value per job`)
    return column as unknown[]
  }
  const delegatedFor = optional('r')
  const registers = optional('e')
  const optionalRef = (
    column: unknown[] | undefined,
    name: string,
    at: number
  ): string | undefined => {
    const value = column?.[at]
    if (value === undefined || value === -1) return undefined
    if (
      typeof value !== 'number' ||
      !Number.isInteger(value) ||
      value < 0 ||
      value >= strings.length
    )
      fail(`column '${name}' refers to a value that is not there (job ${at + 1})`)
    return strings[value as number]
  }
  const document: JobsDocument = dict()
  for (let at = 0; at < count; at++) {
    const host = ref('h', at, hosts) ?? fail(`job ${at + 1} has no host`)
    const key = ref('k', at, strings) ?? fail(`job ${at + 1} on host '${host}' has no key`)
    const jobs = (document[host] ??= dict())
    if (key in jobs) fail(`names job '${key}' on host '${host}' twice`)
    const jid = columns.j[at]
    const dir = ref('d', at, strings)
    const entry: Record<string, unknown> = {
      ansible_job_id: jid,
      changed: true,
      failed: 0,
      finished: 0,
      ...(typeof jid === 'string' && dir !== undefined ? { results_file: `${dir}/${jid}` } : {}),
      started: 1
    }
    const loopVar = ref('o', at, strings)
    if (loopVar !== undefined) {
      entry['item'] = columns.i[at]
      entry['loop_var'] = loopVar
    }
    const task = ref('n', at, strings)
    if (task !== undefined) entry['task'] = task
    const file = ref('f', at, strings)
    if (file !== undefined) entry['file'] = file
    if (columns.l[at] !== null) entry['line'] = columns.l[at]
    const launched = columns.t[at]
    if (launched !== null) {
      const ms = typeof launched === 'number' ? t0 + launched : NaN
      // Date's range: beyond it toISOString throws.
      if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15)
        fail(`job '${key}' on host '${host}' has no valid launch time`)
      entry['launched_at'] = new Date(ms).toISOString()
    }
    if (columns.a[at] !== null) entry['async'] = columns.a[at]
    if (dir !== undefined) entry['dir'] = dir
    const user = ref('u', at, strings)
    if (user !== undefined) {
      const exe = ref('x', at, strings)
      const flags = ref('g', at, strings)
      entry['become'] = {
        user,
        method: ref('m', at, strings),
        ...(exe !== undefined ? { exe } : {}),
        ...(flags !== undefined ? { flags } : {})
      }
    }
    const ranFor = optionalRef(delegatedFor, 'r', at)
    if (ranFor !== undefined) entry['delegated_for'] = ranFor
    const register = optionalRef(registers, 'e', at)
    if (register !== undefined) entry['register'] = register
    jobs[key] = entry
  }
  return document
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}

function stringArray(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined
}
