/**
 * Ansible's regex filters (regex_search, regex_replace, regex_findall) and tests (match, search,
 * regex) over Python's `re`, through the project's one translator (src/values/python-regex.ts): the
 * patterns are Python's, matched against text (str), with Python's `$`, `.`, `\d`, `\w`, `{,n}`,
 * `(?x)`, `\Z` and replacement templates; what cannot be translated faithfully is refused by name.
 */
import { TemplateError } from '../errors.js'
import { PyTuple, pyTypeName, pythonStr } from './python.js'
import {
  PythonRegexError,
  pythonFinditer,
  pythonMatch,
  pythonSearch,
  pythonSubn,
  translatePythonRegex,
  type PythonRegex
} from '../values/python-regex.js'

/** Options Ansible's regex filters and tests accept. */
export interface RegexOptions {
  ignorecase?: boolean
  multiline?: boolean
}

const CACHE_SIZE = 1000
const cache = new Map<string, PythonRegex>()

/**
 * `pattern` compiled as Python's `re.compile(pattern, flags)` on text, cached (templates run the same
 * filter for every host and loop item).
 * @throws TemplateError naming the pattern and Python's reason (or the construct we do not translate)
 */
export function filterRegex(pattern: string, options: RegexOptions = {}): PythonRegex {
  const key = `${options.ignorecase ? 'i' : ''}${options.multiline ? 'm' : ''}:${pattern}`
  const known = cache.get(key)
  if (known) return known
  let regex: PythonRegex
  try {
    regex = translatePythonRegex(pattern, 'text', {
      ignoreCase: options.ignorecase === true,
      multiline: options.multiline === true
    })
  } catch (error) {
    if (!(error instanceof PythonRegexError)) throw error
    throw new TemplateError(`invalid regular expression '${pattern}': ${error.problem}`, pattern)
  }
  if (cache.size >= CACHE_SIZE) cache.clear()
  cache.set(key, regex)
  return regex
}

/** Python re.sub(pattern, replacement, value, count) with Python replacement syntax. */
export function regexReplace(
  value: string,
  pattern: string,
  replacement: string,
  options: RegexOptions,
  count = 0
): string {
  const regex = filterRegex(pattern, options)
  try {
    return pythonSubn(regex, replacement, value, count).text
  } catch (error) {
    if (!(error instanceof PythonRegexError)) throw error
    throw new TemplateError(`regex_replace: ${error.problem}`, pattern)
  }
}

/**
 * A regex_search group argument as Ansible 2.14 reads it, before it searches: `\N` (a backslash and a
 * group number) or `\g<name>`, only their start checked (`\2x` is group 2). Anything else fails, whether
 * the text matches or not, as Ansible fails (a Python AttributeError for a backslash form it cannot read,
 * such as `\\1`: what `'\\1'` in a playbook string becomes once Ansible's escaping doubled it).
 */
function groupArgument(arg: unknown): number | string {
  if (typeof arg !== 'string')
    throw new TemplateError(
      `regex_search: a group argument is text ('\\1' or '\\g<name>'), not ${pyTypeName(arg)}`
    )
  const named = /^\\g<(\S+)>/.exec(arg)
  if (named) return named[1]!
  const numbered = arg.startsWith('\\g') ? null : /^\\(\d+)/.exec(arg)
  if (numbered) return Number(numbered[1])
  if (!arg.startsWith('\\')) throw new TemplateError(`regex_search: Unknown argument '${arg}'`)
  throw new TemplateError(
    `regex_search: cannot read the group argument '${arg}' (not a backslash and a group number or ` +
      `g<name>): the template needs one backslash there, '\\1' (in YAML, '\\\\1' inside double quotes)`
  )
}

/**
 * Ansible's regex_search: the first match, or None when nothing matches. With group arguments (`'\\1'`,
 * `'\\g<name>'`) it returns the list of those groups instead (None for a group that took no part).
 */
export function regexSearch(
  value: string,
  pattern: string,
  groupArgs: unknown[],
  options: RegexOptions
): unknown {
  const groups = groupArgs.map(groupArgument)
  const regex = filterRegex(pattern, options)
  const match = pythonSearch(regex, value)
  if (!match) return null
  if (groups.length === 0) return match[0]
  return groups.map((group) => {
    const number = typeof group === 'number' ? group : regex.names.get(group)
    if (number === undefined || number > regex.groups)
      throw new TemplateError(`regex_search: no such group ${pythonStr(group)}`)
    return match[number] ?? null
  })
}

/** Python re.findall: whole matches, or the single group, or lists of all groups. */
export function regexFindall(value: string, pattern: string, options: RegexOptions): unknown[] {
  const regex = filterRegex(pattern, options)
  const out: unknown[] = []
  for (const match of pythonFinditer(regex, value)) {
    if (regex.groups === 0) out.push(match[0])
    else if (regex.groups === 1) out.push(match[1] ?? '')
    else out.push(PyTuple.of(...match.slice(1, regex.groups + 1).map((g) => g ?? '')))
  }
  return out
}

/** The `match` (anchored at the start, as re.match) and `search` tests. */
export function regexTest(
  value: string,
  pattern: string,
  options: RegexOptions,
  anchored: boolean
): boolean {
  const regex = filterRegex(pattern, options)
  return (anchored ? pythonMatch(regex, value) : pythonSearch(regex, value)) !== null
}
