/**
 * A module's arguments, declared once as data, and the one validator that applies the declaration with
 * Ansible 2.14's messages (learned from its argument spec validation, run through ansible-playbook):
 *
 *   args: {
 *     options: {
 *       path: { type: 'path', required: true, aliases: ['dest', 'name'] },
 *       state: { choices: ['file', 'absent'], default: 'file' },
 *       force: { type: 'bool', default: false }
 *     },
 *     mutuallyExclusive: [['src', 'content']]
 *   }
 *
 * The module's `run` then reads `ctx.args` converted to the declared types, with defaults filled in and
 * aliases resolved. Nested option specs (`options` of a dict) and `fallback` are not supported.
 */
import { dict } from '../values/dict.js'
import { cloneData } from '../values/records.js'
import { pyEquals, pythonStr } from '../template/python.js'
import {
  ArgConversionError,
  convert,
  pythonClass,
  type ArgConverter,
  type ArgType
} from './arg-types.js'
import { noLogStrings } from './arg-no-log.js'

export { maskNoLogValues, NO_LOG_PLACEHOLDER } from './arg-no-log.js'
export {
  ArgConversionError,
  pythonClass,
  pythonIntCall,
  type ArgConverter,
  type ArgType
} from './arg-types.js'

/** One argument. */
export interface ArgOption {
  /** Default `str`, as in Ansible. */
  readonly type?: ArgType | ArgConverter
  /** For `list`: the type of each element. */
  readonly elements?: ArgType | ArgConverter
  readonly required?: boolean
  /** Filled in when the argument is not given (a given null stays null, as in Ansible). */
  readonly default?: unknown
  readonly choices?: readonly unknown[]
  readonly aliases?: readonly string[]
  /** Aliases that still work but warn: Ansible's `deprecated_aliases`. */
  readonly deprecatedAliases?: readonly DeprecatedAlias[]
  /** Its value is a secret: it is masked wherever it appears in the module's result. */
  readonly noLog?: boolean
  /**
   * Handed to the module as written, not templated (an expression the module evaluates itself: debug's
   * `var`, assert's `that`). It must still template, as Ansible checks every argument.
   */
  readonly expression?: boolean
  /**
   * Ansible's module takes it but ours does not do it yet: a value other than null, false or the default
   * is refused with this advice (`use a shell task for it`).
   */
  readonly notImplemented?: string
}

/** An alias Ansible warns about. */
export interface DeprecatedAlias {
  readonly name: string
  readonly version?: string
  readonly date?: string
  readonly collectionName?: string
}

/**
 * `[parameter, value, requirements]` or `[…, true]`: when `parameter` equals `value`, all of (or with true:
 * any of) `requirements` must be given.
 */
export type RequiredIf = readonly [string, unknown, readonly string[], boolean?]

/** A module's arguments. */
export interface ArgSpec {
  readonly options: Readonly<Record<string, ArgOption>>
  readonly mutuallyExclusive?: readonly (readonly string[])[]
  readonly requiredTogether?: readonly (readonly string[])[]
  readonly requiredOneOf?: readonly (readonly string[])[]
  readonly requiredIf?: readonly RequiredIf[]
  readonly requiredBy?: Readonly<Record<string, readonly string[]>>
  /**
   * Arguments that are not options: `list` (the default) refuses them as Ansible's modules do
   * (`Unsupported parameters for (ping) module: x. Supported parameters include: data.`); `names` as its
   * action plugins that only check names do (`Invalid options for debug: x`); `any` takes them (set_fact).
   */
  readonly unknown?: 'list' | 'names' | 'any'
  /** Accepted but never listed: Ansible moves command's `cmd` into `_raw_params` before its module sees it. */
  readonly hidden?: readonly string[]
  /**
   * The module Ansible names in `Unsupported parameters for (…)` when it is not the action as written
   * (shell and command run `ansible.legacy.command`).
   */
  readonly reportedAs?: string
  /**
   * Where Ansible validates: `module` (the default: its module on the target, which reports warnings for
   * aliases) or `action` (its action plugin on the controller, where a string written in the playbook is
   * an `AnsibleUnicode` in messages, and alias warnings are not reported).
   */
  readonly side?: 'module' | 'action'
}

/** What validating a task's arguments gives. */
export interface ArgValidation {
  /** The arguments converted to their types, defaults filled in, aliases copied to their option. */
  args: Record<string, unknown>
  /** Ansible's message for the first problem, if any: the task fails with it. */
  error?: string
  /** Warnings for the result's `warnings` (an option given along with its alias). */
  warnings: string[]
  /** Entries for the result's `deprecations` (a deprecated alias used). */
  deprecations: Array<Record<string, unknown>>
  /** Values of `noLog` arguments, to mask in the module's result. */
  noLogValues: string[]
}

/** How the validator names things in messages. */
export interface ValidateOptions {
  /** The action as the task wrote it (`ping`, `ansible.builtin.ping`): the name in messages. */
  action: string
  /**
   * Whether an argument's string value is Ansible's YAML string (written as is in the playbook) rather
   * than a Python str (the result of templating); only `side: 'action'` messages show the difference.
   */
  writtenAsIs?(name: string): boolean
}

/**
 * Options whose values the module reads itself, as Ansible's action plugins that only check names do
 * (debug, fail, assert, wait_for_connection, reboot): each is `raw`, handed over as given.
 */
export function untypedOptions(...names: string[]): Record<string, ArgOption> {
  return Object.fromEntries(names.map((name) => [name, { type: 'raw' } satisfies ArgOption]))
}

/** Ansible's message when a spec itself is wrong: a bug in the module, caught by its unit tests. */
export class ArgSpecError extends Error {}

/**
 * Checks a spec for what Ansible calls internal errors (a required argument with a default, `elements`
 * without `list`, an alias that is also an option).
 * @throws ArgSpecError naming the argument
 */
export function checkArgSpec(spec: ArgSpec): void {
  const names = new Set(Object.keys(spec.options))
  for (const [name, option] of Object.entries(spec.options)) {
    if (option.required && option.default !== undefined)
      throw new ArgSpecError(
        `internal error: required and default are mutually exclusive for ${name}`
      )
    if (option.elements !== undefined && option.type !== 'list')
      throw new ArgSpecError(
        `internal error: elements of ${name} are checked only with the 'list' type`
      )
    for (const alias of option.aliases ?? [])
      if (names.has(alias))
        throw new ArgSpecError(`internal error: alias ${alias} of ${name} is also an option`)
  }
  const groups = [
    ...(spec.mutuallyExclusive ?? []),
    ...(spec.requiredTogether ?? []),
    ...(spec.requiredOneOf ?? []),
    ...(spec.requiredIf ?? []).map((r) => [r[0], ...r[2]]),
    ...Object.entries(spec.requiredBy ?? {}).map(([key, required]) => [key, ...required])
  ]
  for (const group of groups)
    for (const name of group)
      if (!names.has(name))
        throw new ArgSpecError(`internal error: ${name} is not an option of the spec`)
}

/**
 * Validates a task's arguments against a module's spec, as Ansible's argument spec validation does, in
 * its order: aliases, unknown names (action plugins), mutually exclusive, required, types, choices,
 * required together, one of, if, by, and unknown names (modules). The first problem is the error, as
 * Ansible reports only that one.
 */
export function validateArgs(
  spec: ArgSpec,
  given: Record<string, unknown>,
  options: ValidateOptions
): ArgValidation {
  const args: Record<string, unknown> = dict()
  for (const [key, value] of Object.entries(given)) args[key] = value
  const out: ArgValidation = { args, warnings: [], deprecations: [], noLogValues: [] }
  const errors: string[] = []
  const side = spec.side ?? 'module'
  const unknownMode = spec.unknown ?? 'list'

  // Aliases: the alias's value becomes the option's (both stay, as in Ansible).
  const aliasOf = new Map<string, string>()
  for (const [name, option] of Object.entries(spec.options)) {
    for (const alias of option.deprecatedAliases ?? []) {
      if (Object.hasOwn(given, alias.name)) {
        out.deprecations.push({
          msg: `Alias '${alias.name}' is deprecated. See the module docs for more information`,
          ...(alias.version !== undefined ? { version: alias.version } : {}),
          ...(alias.date !== undefined ? { date: alias.date } : {}),
          collection_name: alias.collectionName ?? null
        })
      }
    }
    for (const alias of option.aliases ?? []) {
      aliasOf.set(alias, name)
      if (!Object.hasOwn(given, alias)) continue
      if (Object.hasOwn(given, name))
        out.warnings.push(`Both option ${name} and its alias ${alias} are set.`)
      args[name] = given[alias]
    }
  }
  if (side === 'action') out.warnings = []

  const known = (key: string): boolean =>
    Object.hasOwn(spec.options, key) || aliasOf.has(key) || (spec.hidden ?? []).includes(key)
  const unknown = unknownMode === 'any' ? [] : Object.keys(given).filter((key) => !known(key))
  // An action plugin checks names before anything else, and says so in its own words.
  if (unknownMode === 'names' && unknown.length > 0) {
    out.error = `Invalid options for ${options.action}: ${[...unknown].sort().join(',')}`
    return out
  }

  const present = (name: string): boolean => Object.hasOwn(args, name)

  const exclusive = (spec.mutuallyExclusive ?? []).filter(
    (group) => group.filter(present).length > 1
  )
  if (exclusive.length > 0)
    errors.push(
      `parameters are mutually exclusive: ${exclusive.map((g) => g.join('|')).join(', ')}`
    )

  // Defaults that are not null count as given for the checks below (not for mutually_exclusive).
  for (const [name, option] of Object.entries(spec.options)) {
    if (!present(name) && option.default !== undefined && option.default !== null)
      args[name] = cloneDefault(option.default)
  }

  const missing = Object.entries(spec.options)
    .filter(([name, option]) => option.required && !present(name))
    .map(([name]) => name)
    .sort()
  if (missing.length > 0) errors.push(`missing required arguments: ${missing.join(', ')}`)

  for (const [name, option] of Object.entries(spec.options)) {
    if (!present(name) || args[name] === null) continue
    const converted = convertArgument(name, args[name], option, side, options)
    if (converted.error !== undefined) {
      errors.push(converted.error)
      delete args[name]
    } else args[name] = converted.value
  }

  for (const [name, option] of Object.entries(spec.options)) {
    if (option.noLog) out.noLogValues.push(...noLogStrings(args[name]))
  }

  for (const [name, option] of Object.entries(spec.options)) {
    if (option.choices === undefined || !present(name)) continue
    const problem = choiceProblem(name, args, option.choices)
    if (problem) errors.push(problem)
  }

  const together = (spec.requiredTogether ?? []).find((group) => {
    const given = group.filter(present).length
    return given > 0 && given < group.length
  })
  if (together) errors.push(`parameters are required together: ${together.join(', ')}`)

  const oneOf = (spec.requiredOneOf ?? []).find((group) => !group.some(present))
  if (oneOf) errors.push(`one of the following is required: ${oneOf.join(', ')}`)

  for (const [key, value, requirements, any] of spec.requiredIf ?? []) {
    if (!present(key) || !pyEquals(args[key], value)) continue
    const absent = requirements.filter((name) => !present(name))
    if (absent.length > 0 && absent.length >= (any ? requirements.length : 0)) {
      errors.push(
        `${key} is ${pythonStr(value)} but ${any ? 'any' : 'all'} of the following are missing: ${absent.join(', ')}`
      )
      break
    }
  }

  for (const [key, required] of Object.entries(spec.requiredBy ?? {})) {
    if (!present(key) || args[key] === null) continue
    const absent = required.filter((name) => !present(name) || args[name] === null)
    if (absent.length > 0) {
      errors.push(`missing parameter(s) required by '${key}': ${absent.join(', ')}`)
      break
    }
  }

  if (unknown.length > 0) {
    const supported = Object.keys(spec.options).sort()
    const aliases = [...aliasOf.keys()].sort()
    errors.push(
      `Unsupported parameters for (${spec.reportedAs ?? options.action}) module: ${[...unknown].sort().join(', ')}. ` +
        `Supported parameters include: ${supported.join(', ')}${aliases.length > 0 ? ` (${aliases.join(', ')})` : ''}.`
    )
  }

  if (errors.length > 0) {
    out.error = errors[0]
    return out
  }
  const refused = Object.entries(spec.options).find(
    ([name, option]) =>
      option.notImplemented !== undefined &&
      present(name) &&
      args[name] !== null &&
      args[name] !== false &&
      !pyEquals(args[name], option.default ?? null)
  )
  if (refused) {
    out.error = `${options.action}: '${refused[0]}' is not supported yet; ${refused[1].notImplemented}`
  }
  return out
}

/** A default for this task only: a list or mapping default is never shared between tasks. */
function cloneDefault(value: unknown): unknown {
  return cloneData(value)
}

function convertArgument(
  name: string,
  value: unknown,
  option: ArgOption,
  side: 'module' | 'action',
  options: ValidateOptions
): { value?: unknown; error?: string } {
  const type = option.type ?? 'str'
  let converted: unknown
  try {
    converted = convert(type, value)
  } catch (error) {
    if (!(error instanceof ArgConversionError)) throw error
    const className =
      side === 'action' && typeof value === 'string' && options.writtenAsIs?.(name)
        ? 'ansible.parsing.yaml.objects.AnsibleUnicode'
        : pythonClass(value)
    return {
      error: `argument '${name}' is of type <class '${className}'> and we were unable to convert to ${typeName(type)}: ${error.message}`
    }
  }
  if (option.elements === undefined || !Array.isArray(converted)) return { value: converted }
  const elements: unknown[] = []
  for (const element of converted) {
    try {
      elements.push(convert(option.elements, element))
    } catch (error) {
      if (!(error instanceof ArgConversionError)) throw error
      return {
        error: `Elements value for option '${name}' is of type <class '${pythonClass(element)}'> and we were unable to convert to ${typeName(option.elements)}: ${error.message}`
      }
    }
  }
  return { value: elements }
}

function typeName(type: ArgType | ArgConverter): string {
  return typeof type === 'string' ? type : type.name
}

/**
 * Ansible's choices check: a list must hold only choices, anything else must be one. A `True`/`False`
 * that YAML made of a `yes`/`no` meant as a choice is taken back when only one boolean word is a choice.
 */
function choiceProblem(
  name: string,
  args: Record<string, unknown>,
  choices: readonly unknown[]
): string | undefined {
  const value = args[name]
  const shown = choices.map((c) => pythonStr(c)).join(', ')
  if (Array.isArray(value)) {
    const outside = value.filter((item) => !choices.some((c) => pyEquals(c, item)))
    if (outside.length === 0) return undefined
    return `value of ${name} must be one or more of: ${shown}. Got no match for: ${outside.map((v) => pythonStr(v)).join(', ')}`
  }
  if (choices.some((c) => pyEquals(c, value))) return undefined
  for (const [word, booleans] of [
    ['False', BOOLEAN_FALSE_CHOICES],
    ['True', BOOLEAN_TRUE_CHOICES]
  ] as const) {
    if (value !== word) continue
    const overlap = choices.filter((c) => booleans.some((b) => pyEquals(b, c)))
    if (overlap.length === 1) {
      args[name] = overlap[0]
      return undefined
    }
  }
  return `value of ${name} must be one of: ${shown}, got: ${pythonStr(value)}`
}

const BOOLEAN_TRUE_CHOICES: readonly unknown[] = ['y', 'yes', 'on', '1', 'true', 't', 1]
const BOOLEAN_FALSE_CHOICES: readonly unknown[] = ['n', 'no', 'off', '0', 'false', 'f', 0]
