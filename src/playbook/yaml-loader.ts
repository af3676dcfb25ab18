import jsYaml from 'js-yaml'
import { PlaybookError } from '../errors.js'
import { markUnsafe, markUnsafeDeep } from '../template/unsafe.js'

/**
 * YAML 1.1 booleans as Ansible (PyYAML) reads them. js-yaml's default schema only knows true/false;
 * `yes`, `no`, `on` and `off` would stay strings and silently change a playbook's meaning.
 */
const yaml11Bool = new jsYaml.Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (data: string | null) => data !== null && YAML11_BOOLEANS.has(data),
  construct: (data: string) => YAML11_TRUE.has(data),
  predicate: (object: unknown) => typeof object === 'boolean',
  represent: { lowercase: (object: unknown) => (object ? 'true' : 'false') },
  defaultStyle: 'lowercase'
})
const YAML11_TRUE = new Set([
  'y',
  'Y',
  'yes',
  'Yes',
  'YES',
  'true',
  'True',
  'TRUE',
  'on',
  'On',
  'ON'
])
const YAML11_FALSE = new Set([
  'n',
  'N',
  'no',
  'No',
  'NO',
  'false',
  'False',
  'FALSE',
  'off',
  'Off',
  'OFF'
])
// PyYAML (YAML 1.1) treats y/n as booleans only in the spec; Ansible's loader keeps them as strings.
for (const s of ['y', 'Y', 'n', 'N']) {
  YAML11_TRUE.delete(s)
  YAML11_FALSE.delete(s)
}
const YAML11_BOOLEANS = new Set([...YAML11_TRUE, ...YAML11_FALSE])

/**
 * YAML 1.1 integers as PyYAML reads them. js-yaml (YAML 1.2) reads `0644` as 644, so `mode: 0644` would
 * become mode 01204; PyYAML reads it as octal 420. Also `1_000` (1000) and `0b101`; `0o17` stays a string.
 */
const YAML11_INT = /^[-+]?(?:0b[01_]+|0x[0-9a-fA-F_]+|0[0-7_]+|0|[1-9][0-9_]*(?::[0-5]?[0-9])*)$/
const yaml11Int = new jsYaml.Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (data: string | null) => data !== null && YAML11_INT.test(data) && !data.endsWith('_'),
  construct: (data: string) => {
    let text = data.replace(/_/g, '')
    const sign = text.startsWith('-') ? -1 : 1
    if (text.startsWith('-') || text.startsWith('+')) text = text.slice(1)
    if (text.startsWith('0b')) return sign * parseInt(text.slice(2), 2)
    if (text.startsWith('0x')) return sign * parseInt(text.slice(2), 16)
    if (text.length > 1 && text.startsWith('0')) return sign * parseInt(text.slice(1), 8)
    // Sexagesimal (base 60), as in YAML 1.1: 1:30 is 90. `|| 0` turns -0 into Python's 0.
    return sign * text.split(':').reduce((total, part) => total * 60 + Number(part), 0) || 0
  },
  predicate: (object: unknown) =>
    typeof object === 'number' && Number.isInteger(object) && !Object.is(object, -0),
  represent: { decimal: (object: unknown) => String(object) },
  defaultStyle: 'decimal'
})

/**
 * Ansible's `!unsafe` tag: the value's strings are never templated. A scalar is taken as text whatever it looks
 * like (`!unsafe 42` is the string "42"), as PyYAML's construct_scalar does; on a list or mapping, every string
 * in it is marked.
 */
export const UNSAFE_TYPES = [
  new jsYaml.Type('!unsafe', {
    kind: 'sequence',
    resolve: () => true,
    construct: (data: unknown[] | null) => markUnsafeDeep(data ?? [])
  }),
  new jsYaml.Type('!unsafe', {
    kind: 'mapping',
    resolve: () => true,
    construct: (data: Record<string, unknown> | null) => markUnsafeDeep(data ?? {})
  }),
  // Last, so that an empty `!unsafe` (no value at all) is the empty string, as in PyYAML.
  new jsYaml.Type('!unsafe', {
    kind: 'scalar',
    resolve: () => true,
    construct: (data: string | null) => markUnsafe(data ?? '')
  })
]

/** The schema used for every YAML document Ansible users write: YAML 1.2 core plus YAML 1.1 booleans, integers and merge keys. */
export const ANSIBLE_YAML_SCHEMA = jsYaml.DEFAULT_SCHEMA.extend({
  implicit: [yaml11Bool, yaml11Int],
  explicit: UNSAFE_TYPES
})

/** A parsed YAML document and the 1-based line on which each mapping or sequence started. */
export interface YamlDocument {
  data: unknown
  /** Line (1-based) where a mapping or sequence node of `data` starts, if known. */
  lineOf(node: object): number | undefined
}

/** Where a YAML node starts and ends, as js-yaml's parse listener sees it. */
type YamlListenerState = { line: number; position: number; result: unknown; input: string }

/**
 * A js-yaml parse listener that refuses a list or mapping used as a mapping key, as PyYAML does ("found
 * unacceptable key"), by calling `refuse` with the message and the 0-based line and column of the key; js-yaml
 * would turn the key into text such as "[object Object]". `onClose` sees every closed node with the line
 * (0-based) where it started.
 */
export function complexKeyListener(
  refuse: (message: string, line: number, column: number) => never,
  onClose?: (result: unknown, startLine: number) => void
): (event: 'open' | 'close', state: YamlListenerState) => void {
  const stack: Array<{ line: number; position: number }> = []
  return (event, state) => {
    if (event === 'open') {
      stack.push({ line: state.line, position: state.position })
      return
    }
    const start = stack.pop()
    if (start === undefined) return
    const result = state.result
    if (
      result !== null &&
      typeof result === 'object' &&
      isComplexKey(result, state.input, start.position, state.position)
    ) {
      // Where the key's text starts (an explicit key's node opens at the blank after `?`).
      let at = start.position
      while (isBlank(state.input[at])) at++
      const line = state.input.slice(0, at).split('\n').length - 1
      const column = at - (state.input.lastIndexOf('\n', at - 1) + 1)
      refuse(
        `found unacceptable key (unhashable type: ${Array.isArray(result) ? 'a list' : 'a mapping'}). ` +
          'A mapping key must be a string, a number or a boolean: write the key as text, or move the list or mapping to the value',
        line,
        column
      )
    }
    onClose?.(result, start.line)
  }
}

/** Parses YAML text. A syntax error becomes a PlaybookError naming file, line and column. */
export function parseYaml(text: string, file: string): YamlDocument {
  const lines = new WeakMap<object, number>()
  let data: unknown
  try {
    data = jsYaml.load(text, {
      filename: file,
      schema: ANSIBLE_YAML_SCHEMA,
      json: true,
      listener: complexKeyListener(
        (message, line, column) => {
          throw new PlaybookError(
            `YAML syntax error: ${message}${offendingLine(text, line, column)}`,
            { file, line: line + 1, column: column + 1 }
          )
        },
        (result, line) => {
          if (result !== null && typeof result === 'object' && !lines.has(result))
            lines.set(result, line + 1)
        }
      )
    })
  } catch (error) {
    if (error instanceof jsYaml.YAMLException) {
      const mark = error.mark as { line?: number; column?: number } | undefined
      const reason = error.reason || error.message
      const line = mark?.line ?? 0
      const column = mark?.column ?? 0
      throw new PlaybookError(`YAML syntax error: ${reason}${offendingLine(text, line, column)}`, {
        file,
        line: line + 1,
        column: column + 1
      })
    }
    throw error
  }
  const cyclic = findCycle(data)
  if (cyclic) {
    const line = lines.get(cyclic)
    throw new PlaybookError(
      'a YAML alias refers to the node that contains it (like `a: &x [*x]`), which makes an endless value. ' +
        'Copy the values instead of aliasing the enclosing anchor.',
      { file, line: line ?? 1 }
    )
  }
  return { data, lineOf: (node) => lines.get(node) }
}

/**
 * Whether a list or mapping node that ran from `start` to `end` in `input` is a mapping key: an explicit key
 * (right after `? `) or a flow collection used as an implicit key (followed by `:` on its line). js-yaml would
 * turn such a key into text like "[object Object]"; PyYAML refuses it as unhashable, and so do we.
 */
function isComplexKey(result: object, input: string, start: number, end: number): boolean {
  if (!Array.isArray(result) && Object.prototype.toString.call(result) !== '[object Object]')
    return false
  if (input[start - 1] === '?') return true
  // Only a flow collection (`[a]`, `{a: 1}`) or an alias can be an implicit key; a block collection ends
  // after the blank lines and indentation that follow it, where the next entry's `:` may stand.
  let first = start
  while (first < end && isBlank(input[first])) first++
  let last = end - 1
  while (last > first && isBlank(input[last])) last--
  if (input[last] !== ']' && input[last] !== '}' && input[first] !== '*') return false
  let i = end
  while (input[i] === ' ' || input[i] === '\t') i++
  return input[i] === ':'
}

function isBlank(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r'
}

/** Ansible's hint under a syntax error: the line the parser stopped at, with a caret under the column. */
function offendingLine(text: string, line: number, column: number): string {
  const shown = text.split(/\r?\n/)[line]
  if (shown === undefined || shown.trim() === '' || shown.length > 500) return ''
  return `\n\nThe offending line appears to be:\n\n${shown}\n${shown.slice(0, column).replace(/[^\t]/g, ' ')}^ here`
}

/**
 * A mapping or sequence that contains itself through YAML aliases (`&x [*x]`), if any. js-yaml builds such
 * values as cyclic objects; templating or printing one never ends. Iterative, and each node is visited once,
 * so an alias bomb (shared, not cyclic) costs only its distinct nodes.
 */
export function findCycle(root: unknown): object | undefined {
  if (root === null || typeof root !== 'object') return undefined
  const done = new WeakSet<object>()
  const onPath = new WeakSet<object>()
  const stack: Array<{ node: object; children: unknown[]; next: number }> = []
  const enter = (node: object): void => {
    onPath.add(node)
    stack.push({ node, children: Object.values(node), next: 0 })
  }
  enter(root)
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!
    if (top.next >= top.children.length) {
      stack.pop()
      onPath.delete(top.node)
      done.add(top.node)
      continue
    }
    const child = top.children[top.next++]
    if (child === null || typeof child !== 'object' || ArrayBuffer.isView(child)) continue
    if (done.has(child)) continue
    if (onPath.has(child)) return child
    enter(child)
  }
  return undefined
}

/** Serialises a value as YAML (for the to_yaml filter and messages). */
export function dumpYaml(value: unknown): string {
  return jsYaml.dump(value, { schema: ANSIBLE_YAML_SCHEMA, noRefs: true, lineWidth: -1 })
}
