/**
 * The lookups that only reshape their terms (Ansible's items, list, flattened, indexed_items, dict,
 * nested, together, subelements, random_choice, sequence): what `with_items`, `with_nested`,
 * `with_dict`... loop over.
 */
import { randomInt } from 'node:crypto'
import { pyFormat, pyRepr, pythonStr, pyTypeName, toBoolean } from '../python.js'
import { isRecord } from '../../values/records.js'
import { parseKeyValueArgs } from '../../playbook/kv-args.js'
import {
  flattenOnce,
  listify,
  LookupFailure,
  parseIntBase0,
  termText,
  type LookupPlugin
} from './lookup-support.js'

/** Python's iteration of a value: a list's items, a string's characters, a mapping's keys. */
function iterate(value: unknown): unknown[] {
  if (Array.isArray(value)) return value
  if (typeof value === 'string') return [...value]
  if (isRecord(value)) return Object.keys(value)
  throw new LookupFailure(`'${pyTypeName(value)}' object is not iterable`, false, 'TypeError')
}

/** A listified term as a list (a mapping's keys, as Python iterates it). */
function termList(term: unknown): unknown[] {
  const listed = listify(term)
  return Array.isArray(listed) ? listed : Object.keys(listed)
}

const items: LookupPlugin = { run: ({ terms }) => flattenOnce(terms) }

const list: LookupPlugin = { run: ({ terms }) => terms }

/** community.general.flattened: every level opened; a `None`/`null` term ends the list there. */
function flattenDeep(terms: unknown[]): unknown[] {
  const out: unknown[] = []
  for (let term of terms) {
    // A list holding one list is that list (Ansible's _check_list_of_one_list).
    while (Array.isArray(term) && term.length === 1 && Array.isArray(term[0])) term = term[0]
    if (term === 'None' || term === 'null') break
    if (Array.isArray(term)) out.push(...flattenDeep(term))
    else out.push(term)
  }
  return out
}
const flattened: LookupPlugin = { run: ({ terms }) => flattenDeep(terms) }

const indexedItems: LookupPlugin = {
  refusesMapping: 'with_indexed_items expects a list',
  run: ({ terms }) => flattenOnce(terms).map((item, index) => [index, item])
}

const dictLookup: LookupPlugin = {
  takesMapping: true,
  run: ({ terms }) => {
    const mappings = Array.isArray(terms) ? terms : [terms]
    return mappings.flatMap((term) => {
      if (!isRecord(term)) throw new LookupFailure('with_dict expects a dict')
      return Object.keys(term).map((key) => ({ key, value: term[key] }))
    })
  }
}

const nested: LookupPlugin = {
  run: ({ terms }) => {
    if (terms.length === 0)
      throw new LookupFailure('with_nested requires at least one element in the nested list')
    const lists = terms.map(termList)
    let result: unknown[] = lists[0]!
    for (const next of lists.slice(1)) {
      const combined: unknown[] = []
      for (const x of result) for (const y of next) combined.push(flattenOnce([x, y]))
      result = combined
    }
    return result.map((x) => flattenOnce(iterate(x)))
  }
}

const together: LookupPlugin = {
  run: ({ terms }) => {
    if (terms.length === 0)
      throw new LookupFailure('with_together requires at least one element in each list')
    const lists = terms.map(termList)
    const length = Math.max(...lists.map((l) => l.length))
    const out: unknown[] = []
    for (let i = 0; i < length; i++)
      out.push(flattenOnce(lists.map((l) => (i < l.length ? l[i] : null))))
    return out
  }
}

const SUBELEMENT_FLAGS = ['skip_missing']

/** A copy of `item` with the list at `keys` taken out (Ansible pops it from the item it yields). */
function withoutSubkey(item: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const copy = { ...item }
  let at = copy
  for (const key of keys.slice(0, -1)) {
    const inner = { ...(at[key] as Record<string, unknown>) }
    at[key] = inner
    at = inner
  }
  delete at[keys[keys.length - 1]!]
  return copy
}

const subelements: LookupPlugin = {
  run: ({ terms }) => {
    const termsError = (msg = ''): LookupFailure =>
      new LookupFailure('subelements lookup expects a list of two or three items, ' + msg)
    if (terms.length < 2 || terms.length > 3) throw termsError()
    const first = listify(terms[0])
    if (typeof terms[1] !== 'string')
      throw termsError('first a dict or a list, second a string pointing to the subkey')
    const subkeys = terms[1].split('.')
    let elements: unknown[]
    if (isRecord(first)) {
      // A registered result that was skipped as a whole gives nothing.
      if (first['skipped'] !== undefined && first['skipped'] !== false) return []
      elements = Object.values(first)
    } else elements = first
    const flags = terms.length === 3 ? terms[2] : {}
    if (!isRecord(flags) || Object.keys(flags).some((k) => !SUBELEMENT_FLAGS.includes(k)))
      throw termsError(
        `the optional third item must be a dict with flags ${pyRepr(SUBELEMENT_FLAGS)}`
      )
    const skipMissing = toBoolean(flags['skip_missing'] ?? false)
    const out: unknown[] = []
    for (const item of elements) {
      if (!isRecord(item))
        throw new LookupFailure(`subelements lookup expects a dictionary, got '${pythonStr(item)}'`)
      if (item['skipped'] !== undefined && item['skipped'] !== false) continue
      let value: Record<string, unknown> = item
      let sublist: unknown[] = []
      let found = true
      for (const [i, key] of subkeys.entries()) {
        const last = i === subkeys.length - 1
        if (!Object.hasOwn(value, key)) {
          if (skipMissing) {
            found = false
            break
          }
          throw new LookupFailure(
            `could not find '${key}' key in iterated item '${pythonStr(value)}'`
          )
        }
        const inner = value[key]
        if (!last) {
          if (!isRecord(inner)) {
            if (skipMissing) {
              found = false
              break
            }
            throw new LookupFailure(
              `the key ${key} should point to a dictionary, got '${pythonStr(inner)}'`
            )
          }
          value = inner
        } else if (!Array.isArray(inner)) {
          throw new LookupFailure(
            `the key ${key} should point to a list, got '${pythonStr(inner)}'`
          )
        } else sublist = inner
      }
      if (!found) continue
      const parent = withoutSubkey(item, subkeys)
      for (const sub of sublist) out.push([parent, sub])
    }
    return out
  }
}

const randomChoice: LookupPlugin = {
  run: ({ terms }) => (terms.length === 0 ? terms : [terms[randomInt(terms.length)]])
}

/** A `with_sequence` term, read: start, end, stride and format as Ansible's sequence lookup has them. */
export interface SequenceSpec {
  start: number
  end: number
  stride: number
  format: string
}

// [start-]end[/stride][:format], numbers in decimal, octal (0o) or hex (0x), as Ansible's shortcut.
const SHORTCUT = /^((0?x?[0-9a-f]+)-)?(0?x?[0-9a-f]+)(\/(0?x?[0-9a-f]+))?(:(.+))?$/i

function integer(name: string, text: string): number {
  const value = parseIntBase0(text)
  if (value === undefined) throw new LookupFailure(`can't parse ${name}=${text} as integer`)
  return value
}

/** Reads one sequence term (either syntax) and checks it as Ansible does. */
export function parseSequence(term: string): SequenceSpec {
  let start = 1
  let end: number | undefined
  let count: number | undefined
  let stride = 1
  let format = '%d'
  const match = SHORTCUT.exec(term)
  if (match) {
    if (match[2] !== undefined) start = integer('start', match[2])
    end = integer('end', match[3]!)
    if (match[5] !== undefined) stride = integer('stride', match[5])
    if (match[7] !== undefined) format = match[7]
  } else {
    const args = parseKeyValueArgs(term, false)
    for (const name of ['start', 'end', 'count', 'stride']) {
      const raw = args[name]
      delete args[name]
      if (raw === undefined || raw === null) continue
      const value = integer(name, String(raw))
      if (name === 'start') start = value
      else if (name === 'end') end = value
      else if (name === 'count') count = value
      else stride = value
    }
    if (args['format'] !== undefined) {
      format = String(args['format'])
      delete args['format']
    }
    const unknown = Object.keys(args)
    if (unknown.length > 0)
      throw new LookupFailure(`unrecognized arguments to with_sequence: ${pyRepr(unknown)}`)
  }
  if (count === undefined && end === undefined)
    throw new LookupFailure('must specify count or end in with_sequence')
  if (count !== undefined && end !== undefined)
    throw new LookupFailure("can't specify both count and end in with_sequence")
  if (count !== undefined) {
    if (count !== 0) end = start + count * stride - 1
    else {
      start = 0
      end = 0
      stride = 0
    }
  }
  if (stride > 0 && end! < start) throw new LookupFailure('to count backwards make stride negative')
  if (stride < 0 && end! > start)
    throw new LookupFailure("to count forward don't make stride negative")
  if ((format.match(/%/g) ?? []).length !== 1)
    throw new LookupFailure(`bad formatting string: ${format}`)
  return { start, end: end!, stride, format }
}

/** The items of a sequence: Python's range(start, end ± 1, stride), each formatted. */
export function sequenceItems(spec: SequenceSpec): string[] {
  const { start, end, stride, format } = spec
  if (stride === 0) return []
  const stop = end + (stride >= 0 ? 1 : -1)
  const out: string[] = []
  for (let i = start; stride > 0 ? i < stop : i > stop; i += stride) {
    try {
      out.push(pyFormat(format, [i]))
    } catch {
      throw new LookupFailure(`problem formatting ${i} with ${pyRepr(format)}`)
    }
  }
  return out
}

const sequence: LookupPlugin = {
  run: ({ terms }) => terms.flatMap((term) => sequenceItems(parseSequence(termText(term))))
}

export const LIST_LOOKUPS: Record<string, LookupPlugin> = {
  items,
  list,
  flattened,
  indexed_items: indexedItems,
  dict: dictLookup,
  nested,
  together,
  subelements,
  random_choice: randomChoice,
  sequence
}
