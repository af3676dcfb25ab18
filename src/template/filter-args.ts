/** What a filter is, and how filters read their arguments (list, dict, text, attribute path). */
import { JinjaError, TemplateError } from '../errors.js'
import { type Kwargs, getAttribute } from './attributes.js'
import { pyTypeName, pythonStr } from './python.js'
import { isRecord } from '../values/records.js'

/** A Jinja2 filter (`value | name(args)`): receives the value, positional and keyword arguments. */
export type FilterFunction = (value: unknown, args: unknown[], kwargs: Kwargs) => unknown

/** What map/select/selectattr need from the environment: other filters and tests by name. */
export interface FilterDependencies {
  callFilter(name: string, value: unknown, args: unknown[], kwargs: Kwargs): unknown
  callTest(name: string, value: unknown, args: unknown[], kwargs: Kwargs): boolean
}

/**
 * The items of a list, the characters of a string, the keys of a dict; else Python's TypeError (Ansible
 * reports it naming the template), or the filter's own words when `refusal` gives them.
 */
export function iterableItems(
  value: unknown,
  refusal = `'${pyTypeName(value)}' object is not iterable`
): unknown[] {
  if (Array.isArray(value)) return value
  if (typeof value === 'string') return [...value]
  if (isRecord(value)) return Object.keys(value)
  throw new JinjaError(refusal, 'type')
}

/** The value as a dict (refused otherwise, naming the filter). */
export function dictArg(value: unknown, filter: string): Record<string, unknown> {
  if (!isRecord(value))
    throw new TemplateError(`${filter} expects a dictionary, got ${pyTypeName(value)}`)
  return value
}

/** The value as Python's str() shows it. */
export function toText(value: unknown): string {
  return pythonStr(value)
}

/** Looks up a dotted attribute path (`'a.b'`, `'0'`) as Jinja2's make_attrgetter does. */
export function attributePath(item: unknown, path: unknown): unknown {
  if (typeof path === 'number') return getAttribute(item, path)
  return String(path)
    .split('.')
    .reduce<unknown>(
      (obj, key) => getAttribute(obj, /^\d+$/.test(key) && Array.isArray(obj) ? Number(key) : key),
      item
    )
}
