/** The Ansible environment: filters and tests that refuse Undefined, globals, lookups. */
import nunjucks from 'nunjucks'
import { JinjaError, TemplateError } from '../errors.js'
import type { FilterFunction } from './filter-args.js'
import { UNDEFINED_SAFE_FILTERS, createFilters } from './filters.js'
import { STRING_TYPE_FILTERS, markNativeText, unmarkNativeText } from './native-text.js'
import {
  type FilterTable,
  VARS_KEY,
  assertArgumentsDefined,
  callTest,
  splitKeywordArgs
} from './jinja-runtime.js'
import { makeNamespace } from './jinja-loops.js'
import { callLookup } from './lookups/index.js'
import { isRecord } from '../values/records.js'
import { plainNumber } from './python.js'
import { VAULT_FAILURE_GLOBAL } from '../vault/keyring.js'
import { nowGlobal } from './filters-time.js'

/**
 * Filters that see an integral float (PyFloat) as one: they keep it, print it or judge its type. Every
 * other filter gets a float value or argument as a plain number (`(4 / 2) | human_readable`).
 */
const FLOAT_AWARE_FILTERS = new Set([
  'float', 'round', 'abs', 'int', 'string', 'type_debug', 'to_json', 'to_nice_json', 'to_yaml',
  'to_nice_yaml', 'tojson', 'pprint', 'default', 'd', 'mandatory', 'ternary', 'format', 'sum'
]) // prettier-ignore

function plainArguments(args: unknown[], kwargs: Record<string, unknown>): void {
  for (let i = 0; i < args.length; i++) args[i] = plainNumber(args[i])
  for (const key of Object.keys(kwargs)) kwargs[key] = plainNumber(kwargs[key])
}

function wrapFilter(name: string, filter: FilterFunction) {
  return function (value: unknown, ...raw: unknown[]): unknown {
    const { args, kwargs } = splitKeywordArgs(raw)
    if (!FLOAT_AWARE_FILTERS.has(name)) {
      value = plainNumber(value)
      plainArguments(args, kwargs)
    }
    if (!UNDEFINED_SAFE_FILTERS.has(name)) assertArgumentsDefined(value, args, kwargs)
    const result = filter(value, args, kwargs)
    if (STRING_TYPE_FILTERS.has(name)) markNativeText(result)
    else unmarkNativeText(result)
    return result
  }
}

/**
 * A fresh nunjucks environment with Ansible's filters, tests and globals (nunjucks must be patched first).
 * `trimBlocks` is Ansible's for playbook strings; the template module renders canonical sources
 * (jinja-lexer.ts) whose whitespace control is already applied, with it off.
 */
export function createEnvironment(
  trimBlocks = true,
  loader: nunjucks.ILoader | null = null
): nunjucks.Environment {
  const env = new nunjucks.Environment(loader, {
    autoescape: false,
    throwOnUndefined: false,
    trimBlocks
  })
  const builtins = env as unknown as { filters: Record<string, (...args: unknown[]) => unknown> }
  // nunjucks' own filters that we do not replace still refuse Undefined and take keyword arguments last.
  for (const [name, fn] of Object.entries(builtins.filters)) {
    env.addFilter(
      name,
      wrapFilter(name, (value, args, kwargs) =>
        fn(value, ...args, ...(Object.keys(kwargs).length ? [kwargs] : []))
      )
    )
  }
  const filters = createFilters({
    callFilter: (name, value, args, kwargs) => {
      const filter = env.getFilter(name) as (...a: unknown[]) => unknown
      return filter(
        value,
        ...args,
        ...(Object.keys(kwargs).length ? [{ ...kwargs, __keywords: true }] : [])
      )
    },
    callTest: (name, value, args, kwargs) =>
      callTest(name, value, args, kwargs, env as unknown as FilterTable)
  })
  for (const [name, fn] of Object.entries(filters)) env.addFilter(name, wrapFilter(name, fn))
  const getFilter = env.getFilter.bind(env)
  env.getFilter = (name: string) => {
    if (!Object.hasOwn(builtins.filters, name))
      throw new JinjaError(`Could not load "${name}": '${name}'`, 'syntax')
    return getFilter(name)
  }
  // Lookups run on the controller (src/template/lookups) with the variables the template is rendered with.
  for (const [name, fn] of [
    ['lookup', 'lookup'],
    ['query', 'query'],
    ['q', 'query']
  ] as const)
    env.addGlobal(name, lookupGlobal(fn))
  // A `!vault` value no password decrypted (src/vault/keyring.ts): the task using it fails.
  env.addGlobal(VAULT_FAILURE_GLOBAL, (message: unknown): never => {
    throw new TemplateError(String(message))
  })
  env.addGlobal('namespace', makeNamespace)
  env.addGlobal('now', (...raw: unknown[]) => {
    const { args, kwargs } = splitKeywordArgs(raw)
    return nowGlobal(kwargs['utc'] ?? args[0] ?? false, kwargs['fmt'] ?? args[1] ?? null)
  })
  env.addGlobal('True', true)
  env.addGlobal('False', false)
  env.addGlobal('None', null)
  env.addGlobal('dict', (...raw: unknown[]) => {
    const { args, kwargs } = splitKeywordArgs(raw)
    const base =
      args[0] === undefined
        ? {}
        : isRecord(args[0])
          ? args[0]
          : Object.fromEntries(args[0] as [string, unknown][])
    return { ...base, ...kwargs }
  })
  return env
}

/** The global `lookup()`, `query()` or `q()`: runs the plugin with the variables being rendered with. */
function lookupGlobal(fn: 'lookup' | 'query') {
  return function (
    this: { ctx?: Record<string, unknown> } | undefined,
    ...raw: unknown[]
  ): unknown {
    const { args, kwargs } = splitKeywordArgs(raw)
    const vars = (this?.ctx?.[VARS_KEY] ?? {}) as Record<string, unknown>
    return callLookup(fn, args[0], args.slice(1), kwargs, vars)
  }
}
