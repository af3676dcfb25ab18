/**
 * What every lookup plugin shares: the call it receives, the errors it raises (as Ansible sorts them for
 * `errors=`), its options, and the controller search path of its files.
 */
import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import path from 'node:path'
import { TemplateError } from '../../errors.js'
import { pythonStr, toBoolean } from '../python.js'
import { isRecord } from '../../values/records.js'

/** One run of a lookup plugin: its terms, keyword options and the variables of the task and host. */
export interface LookupCall {
  terms: unknown[]
  options: Record<string, unknown>
  vars: Record<string, unknown>
  /**
   * The folder first_found looks in, set by a `with_first_found` loop from the task's action as Ansible
   * does (`templates` for template, `vars` for include_vars, else `files`).
   */
  subdir?: string
  /** Shows a warning to the user (Ansible's display.warning). */
  warn(message: string): void
}

/** A lookup plugin: its run (returning Ansible's list) and the options it knows. */
export interface LookupPlugin {
  run(call: LookupCall): unknown[]
  /**
   * Options Ansible has that this plugin refuses by name rather than ignore (Ansible ignores options it
   * does not know at all, as we do).
   */
  refused?: readonly string[]
  /** Whether a `with_` loop over the plugin passes a mapping through whole (dict) rather than its keys. */
  takesMapping?: boolean
  /** The plugin's error for a `with_` loop over a mapping, when it refuses one (indexed_items). */
  refusesMapping?: string
}

/**
 * An error the plugin raised itself (Ansible's AnsibleError inside a plugin): `lookup()` reports it as an
 * "unhandled exception" of the plugin, a `with_` loop with its own text; `errors=` can ignore it.
 */
export class LookupFailure extends TemplateError {
  constructor(
    message: string,
    /** Ansible's AnsibleLookupError: `lookup()` reports it with its own text, not as unhandled. */
    readonly handled = false,
    /** The Python class Ansible names for an unhandled error. */
    readonly pythonClass = 'ansible.errors.AnsibleError'
  ) {
    super(message)
  }
}

/** Options the call was given that Ansible has but this engine does not implement: refused by name. */
export class LookupOptionError extends TemplateError {}

/** The option `name`, or `fallback` when absent or None. */
export function option<T>(call: LookupCall, name: string, fallback: T): unknown {
  const value = call.options[name]
  return value === undefined || value === null ? fallback : value
}

/** A boolean option as Ansible's config reads one (`yes`, `true`, 1, ...). */
export function boolOption(call: LookupCall, name: string, fallback: boolean): boolean {
  const value = call.options[name]
  if (value === undefined || value === null) return fallback
  return toBoolean(value)
}

/** A string option (Python's str() of what was given). */
export function stringOption(call: LookupCall, name: string, fallback: string): string {
  const value = call.options[name]
  return value === undefined || value === null ? fallback : pythonStr(value)
}

/** Python's int(text, 0): decimal, 0x, 0o, 0b; leading zeros refused as Python does. */
export function parseIntBase0(text: string): number | undefined {
  const t = text.trim().replace(/_/g, '')
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0+|[1-9][0-9]*)$/.exec(t)
  if (!m) return undefined
  const digits = m[2]!
  const value = /^0[xXoObB]/.test(digits) ? Number(digits.toLowerCase()) : Number(digits)
  return m[1] === '-' ? -value : value
}

/** The text of a term as Ansible's plugins take it (a string; anything else through str()). */
export function termText(term: unknown): string {
  return typeof term === 'string' ? term : pythonStr(term)
}

/**
 * The paths a lookup searches, as Ansible's find_file_in_search_path: `ansible_search_path` (variables.ts
 * builds it for the task: the role's path and its parents', the task file's directory, the playbook's, the
 * same places the copy/template modules search) or else the playbook's directory.
 */
function searchPaths(vars: Record<string, unknown>): string[] {
  const known = vars['ansible_search_path']
  if (Array.isArray(known)) return known.filter((p): p is string => typeof p === 'string')
  const base = vars['playbook_dir']
  return [typeof base === 'string' ? base : process.cwd()]
}

/** The playbook's directory (Ansible's loader basedir: where pipe runs, where password files go). */
export function baseDir(vars: Record<string, unknown>): string {
  const base = vars['playbook_dir']
  return typeof base === 'string' ? base : process.cwd()
}

function expandHome(file: string): string {
  return file === '~' || file.startsWith('~/') ? path.join(homedir(), file.slice(1)) : file
}

/**
 * Where `needle` is on the controller, looked up as Ansible's lookups do (path_dwim_relative_stack): an
 * absolute or `~` path as it is; else, in each search path, `<subdir>/needle` (unless the needle starts with
 * that folder already) then `needle`, and last the playbook's directory the same way. Directories count.
 * Returns the path found and every candidate tried.
 */
export function findInSearchPath(
  vars: Record<string, unknown>,
  subdir: string,
  needle: string
): { found?: string; searched: string[] } {
  if (needle.startsWith('~') || needle.startsWith('/')) {
    const full = path.resolve(expandHome(needle))
    return existsSync(full) ? { found: full, searched: [full] } : { searched: [full] }
  }
  const withSubdir = needle.split('/')[0] !== subdir
  const searched: string[] = []
  for (const dir of [...searchPaths(vars), baseDir(vars)]) {
    if (withSubdir) searched.push(path.join(dir, subdir, needle))
    searched.push(path.join(dir, needle))
  }
  const found = searched.find((candidate) => existsSync(candidate))
  return found === undefined ? { searched } : { found, searched }
}

/** As findInSearchPath, with Ansible's warning when nothing is found (unless `quiet`). */
export function findFile(
  call: LookupCall,
  subdir: string,
  needle: string,
  quiet = false
): string | undefined {
  const { found } = findInSearchPath(call.vars, subdir, needle)
  if (found === undefined && !quiet)
    call.warn(`Unable to find '${needle}' in expected paths (use -vvvvv to see paths)`)
  return found
}

/** Ansible's LookupBase._flatten: one level of lists opened. */
export function flattenOnce(terms: unknown[]): unknown[] {
  return terms.flatMap((t) => (Array.isArray(t) ? t : [t]))
}

/**
 * Ansible's listify_lookup_plugin_terms on an already templated value: a string (or anything not
 * iterable) becomes a list of one; a list stays; a mapping stays a mapping (its keys when iterated).
 */
export function listify(value: unknown): unknown[] | Record<string, unknown> {
  if (Array.isArray(value)) return value
  if (isRecord(value)) return value
  return [value]
}
