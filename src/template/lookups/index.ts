/**
 * Ansible's lookup plugins, run on the controller: `lookup()`, `query()`/`q()` in templates and the
 * `with_<lookup>` loops. A plugin returns a list; this file gives it Ansible's calling conventions
 * (wantlist, errors=strict|warn|ignore, the comma-joined string of `lookup()`).
 */
import { setTemplateWarningSink, templateWarning } from '../warnings.js'
import { JinjaError, TemplateError, UndefinedVariableError } from '../../errors.js'
import { LOOKUPS_NOT_RUN } from '../../playbook/keywords.js'
import { assertDeeplyDefined } from '../undefined.js'
import { PyTuple, pythonStr } from '../python.js'
import { currentTemplateSource } from '../engine.js'
import { noteUntrustedRead, Templar } from '../templar.js'
import { isRecord } from '../../values/records.js'
import { COMMAND_LOOKUPS } from './commands.js'
import { FILE_LOOKUPS } from './files.js'
import { LIST_LOOKUPS } from './lists.js'
import { LookupFailure, LookupOptionError, type LookupPlugin } from './lookup-support.js'
import { VARIABLE_LOOKUPS } from './variables.js'

export { LookupFailure } from './lookup-support.js'
export { setHostPatternEvaluator, type HostPatternEvaluator } from './variables.js'

const PLUGINS: Record<string, LookupPlugin> = Object.assign(
  Object.create(null) as Record<string, LookupPlugin>,
  LIST_LOOKUPS,
  FILE_LOOKUPS,
  COMMAND_LOOKUPS,
  VARIABLE_LOOKUPS
)

/** The plugin a lookup name stands for (`file`, `ansible.builtin.file`, `community.general.flattened`). */
function plugin(name: string): LookupPlugin | undefined {
  const short = name.replace(/^ansible\.(builtin|legacy)\./, '')
  if (short === 'community.general.flattened') return PLUGINS['flattened']
  return Object.hasOwn(PLUGINS, short) ? PLUGINS[short] : undefined
}

/** Whether `name` is a lookup this engine runs. */
export function isKnownLookup(name: string): boolean {
  return plugin(name) !== undefined
}

/** Every lookup name this engine runs (short names). */
export function lookupNames(): string[] {
  return Object.keys(PLUGINS).sort()
}

/** The message for a lookup that does not exist or is not run here. */
export function unknownLookupMessage(name: string): string {
  const short = name.replace(/^ansible\.(builtin|legacy)\./, '')
  return Object.hasOwn(LOOKUPS_NOT_RUN, short)
    ? `lookup plugin (${name}) is not supported: ${LOOKUPS_NOT_RUN[short]}`
    : `lookup plugin (${name}) not found`
}

/** Where lookups' (and all templating's) warnings go (the run's display); returns the previous sink. */
export const setLookupWarningSink = setTemplateWarningSink

function refuseOptions(name: string, found: LookupPlugin, options: Record<string, unknown>): void {
  for (const refused of found.refused ?? []) {
    const value = options[refused]
    if (value !== undefined && value !== null && value !== false)
      throw new LookupOptionError(
        `the ${name} lookup's option '${refused}' is not supported by async-playbook; remove it`
      )
  }
}

/**
 * Runs lookup `name` for a `with_<name>` loop: the loop's items, or the plugin's error as Ansible reports
 * it for a loop (its own text). `terms` is the loop's value, templated.
 */
export function runLoopLookup(
  name: string,
  terms: unknown,
  vars: Record<string, unknown>,
  subdir: string
): unknown[] {
  const found = plugin(name)
  if (!found) throw new TemplateError(unknownLookupMessage(name))
  // Ansible's listify: a string (or a scalar) is one term; a mapping is iterated for its keys unless the
  // plugin takes it whole (dict).
  let list: unknown[]
  if (Array.isArray(terms)) list = terms
  else if (isRecord(terms)) {
    if (found.refusesMapping !== undefined) throw new LookupFailure(found.refusesMapping)
    list = found.takesMapping ? [terms] : Object.keys(terms)
  } else list = [terms]
  return found.run({ terms: list, options: {}, vars, subdir, warn: templateWarning })
}

// Made on first use: templar.ts imports this file's importers (a cycle), so not at load time.
let templar: Templar | undefined

/**
 * The terms as Ansible's listify_lookup_plugin_terms gives them: a string term that is itself a template
 * (`lookup('file', '{{ playbook_dir }}/x')`) is templated. Only text the template's author wrote is: a
 * string that came from a variable (a target's output among them) and is not in the template's own text
 * is left as it is, as Ansible leaves its unsafe values.
 */
function templatedTerms(args: unknown[], vars: Record<string, unknown>): unknown[] {
  const source = currentTemplateSource()
  if (source === undefined) return [...args]
  const visit = (term: unknown): unknown => {
    if (Array.isArray(term)) return term.map(visit)
    if (typeof term !== 'string' || !/\{\{|\{%/.test(term) || !source.includes(term)) return term
    return (templar ??= new Templar()).render(term, vars)
  }
  return args.map(visit)
}

/**
 * `lookup(name, *terms, **options)` (`wantlist` false unless given) or `query(...)`/`q(...)` (a list):
 * Ansible's Templar._lookup.
 */
export function callLookup(
  fn: 'lookup' | 'query',
  name: unknown,
  args: unknown[],
  kwargs: Record<string, unknown>,
  vars: Record<string, unknown>
): unknown {
  if (typeof name !== 'string')
    throw new TemplateError(`${fn}() needs the lookup's name first, found ${pythonStr(name)}`)
  const found = plugin(name)
  // Before `errors=` is looked at, as Ansible: an unknown plugin always fails.
  if (!found) throw new LookupFailure(unknownLookupMessage(name), true)
  const options: Record<string, unknown> = { ...kwargs }
  const wantlist = fn === 'query' || options['wantlist'] === true
  const errors = options['errors'] === undefined ? 'strict' : pythonStr(options['errors'])
  // Ansible wraps only when allow_unsafe `is False` (its default).
  const wrap = options['allow_unsafe'] === undefined || options['allow_unsafe'] === false
  delete options['wantlist']
  delete options['errors']
  delete options['allow_unsafe']
  assertDeeplyDefined(args)
  refuseOptions(name, found, options)
  const terms = templatedTerms(args, vars)
  let ran: unknown[]
  try {
    ran = found.run({ terms, options, vars, warn: templateWarning })
  } catch (error) {
    if (error instanceof UndefinedVariableError || error instanceof LookupOptionError) throw error
    let message: string
    let shown: string
    if (error instanceof LookupFailure && error.handled) {
      message = error.message
      shown = `Lookup failed but the error is being ignored: ${message}`
    } else {
      const original = error instanceof Error ? error.message : String(error)
      const pythonClass =
        error instanceof LookupFailure
          ? error.pythonClass
          : error instanceof JinjaError
            ? 'ansible.errors.AnsibleError'
            : 'Exception'
      shown = `An unhandled exception occurred while running the lookup plugin '${name}'. Error was a <class '${pythonClass}'>, original message: ${original}`
      message = `${shown}. ${original}`
    }
    if (errors === 'warn') templateWarning(shown)
    else if (errors !== 'ignore') {
      if (error instanceof LookupFailure && error.handled) throw error
      throw new LookupFailure(message, true)
    }
    return wantlist ? [] : null
  }
  // Ansible wraps the result as unsafe (unless allow_unsafe), which copies every list and dict in it: a
  // lookup's result never is the variable it came from (to_yaml then writes no anchor for it).
  if (wrap) {
    ran = copyContainers(ran) as unknown[]
    // …and marks the template's result unsafe when it gave anything (a conditional rendered from it is
    // then refused).
    if (ran.length > 0) noteUntrustedRead()
  }
  if (ran.length === 0 || wantlist) return ran
  // lookup(): the items joined by commas when all are strings; one other item as it is; else the list.
  if (ran.every((item) => typeof item === 'string')) return ran.join(',')
  return ran.length === 1 ? ran[0] : ran
}

/** A copy of every list and dict in a value, as Ansible's wrap_var makes (a shared one is copied twice). */
function copyContainers(value: unknown): unknown {
  if (Array.isArray(value)) {
    const out = value instanceof PyTuple ? new PyTuple<unknown>() : ([] as unknown[])
    for (const item of value) out.push(copyContainers(item))
    return out
  }
  if (isRecord(value)) {
    const out: Record<string, unknown> = Object.create(
      Object.getPrototypeOf(value) as object | null
    )
    for (const key of Object.keys(value)) out[key] = copyContainers(value[key])
    return out
  }
  return value
}
