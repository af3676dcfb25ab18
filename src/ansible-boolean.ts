/**
 * Ansible's booleans, read in one place. Ansible itself has two readers, and every setting, keyword and
 * module argument here uses one of them through `ansibleBoolean`:
 * - `boolean(value)` (module_utils/parsing/convert_bool.py): y/yes/on/1/true/t and n/no/off/0/false/f in
 *   any case and with surrounding blanks, and the numbers 1 and 0. `strict` refuses anything else (a
 *   module's `type: bool` argument, set_fact's `cacheable`, keywords); `lenient` reads it as false
 *   (boolean(value, strict=False): assert's `quiet`, copy's `force` in its action plugin).
 * - the `bool` filter (to_bool): only yes/on/1/true (any case, no trimming) and the number 1 are true,
 *   everything else is false.
 * Neither reader knows lists or mappings: Python cannot look them up in its sets and fails ("unhashable
 * type: 'list'"), in both modes of boolean(); the filter reads them as false.
 */

import { PyFloat, plainNumber } from './values/py-float.js'

/** How strictly a value is read: see the file's comment. */
export type BooleanMode = 'strict' | 'lenient' | 'filter'

const TRUE_WORDS: readonly string[] = ['y', 'yes', 'on', '1', 'true', 't']
const FALSE_WORDS: readonly string[] = ['n', 'no', 'off', '0', 'false', 'f']
const FILTER_TRUE_WORDS: readonly string[] = ['yes', 'on', '1', 'true']

/**
 * The valid booleans as Ansible's message lists them. Python prints its set in an order that changes from
 * run to run; this is the order of their definition (the numbers 1 and 0 stand for 1, 1.0 and True, and
 * for 0, 0.0 and False).
 */
export const VALID_BOOLEANS = [
  ...TRUE_WORDS.map((w) => `'${w}'`),
  '1',
  ...FALSE_WORDS.map((w) => `'${w}'`),
  '0'
].join(', ')

/** A value that is not one of Ansible's booleans; the message is Ansible's. */
export class NotABooleanError extends Error {}

/**
 * A value read as Ansible reads a boolean (see the file's comment for the modes).
 * @throws NotABooleanError in `strict` mode for a value that is not a boolean, and in `strict` and
 *   `lenient` mode for a list or a mapping, with Ansible's message
 */
export function ansibleBoolean(value: unknown, mode: BooleanMode): boolean {
  if (typeof value === 'boolean') return value
  // An integral float is looked up as its number: Python's 1.0 == 1, so 1.0 is true and 0.0 false.
  const number = plainNumber(value)
  if (mode === 'filter') {
    if (typeof value === 'string') return FILTER_TRUE_WORDS.includes(value.toLowerCase())
    return number === 1
  }
  if (value !== null && typeof value === 'object' && !(value instanceof PyFloat)) {
    throw new NotABooleanError(`unhashable type: '${Array.isArray(value) ? 'list' : 'dict'}'`)
  }
  if (typeof value === 'string') {
    const word = value.trim().toLowerCase()
    if (TRUE_WORDS.includes(word)) return true
    if (FALSE_WORDS.includes(word)) return false
  } else if (number === 1 || number === 0) return number === 1
  if (mode === 'lenient') return false
  throw new NotABooleanError(
    `The value '${pythonText(value)}' is not a valid boolean.  Valid booleans include: ${VALID_BOOLEANS}`
  )
}

/** Python's str() of a scalar, as the message shows the value (None, True, 1.5). */
function pythonText(value: unknown): string {
  if (value === null || value === undefined) return 'None'
  if (typeof value === 'number' && !Number.isFinite(value))
    return Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf'
  return String(value)
}
