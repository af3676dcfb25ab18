/**
 * YAML as Ansible reads it: the only importer of the YAML library (js-yaml), used for reading only (writing
 * is ours: yaml-emitter.ts). The playbook loader (playbooks, task files, role files, `-e` values), the YAML
 * inventory and the `from_yaml` filter all read with the one schema defined here, so the same text means the
 * same value everywhere.
 *
 * Ansible reads YAML 1.1 through PyYAML's resolver (SafeLoader's, plus the `!unsafe` and `!vault` tags of its
 * own loader); js-yaml reads YAML 1.2. The scalars differ: in YAML 1.1 `yes`/`no`/`on`/`off` are booleans (`y`
 * and `n` are not: PyYAML leaves them out), `0644` is octal (420), `1_000` is 1000, `1:30` is sexagesimal (90),
 * `1e3` is a string (a float needs a dot and a signed exponent: `1.0e+3`), `.5` is a float and `-.5` a string.
 * The types below replace js-yaml's bool, int, float and timestamp with PyYAML's rules;
 * __tests__/unit/yaml-schema.test.ts compares them with PyYAML on a table of scalars.
 */
import jsYaml from 'js-yaml'
import { PyFloat, pyFloat, pyFloatRepr } from './py-float.js'
import { markUnsafe, markUnsafeDeep } from './unsafe.js'
import { emitYaml, type YamlNode } from './yaml-emitter.js'
import { readsAsOtherType } from './yaml-scalar.js'

const YAML11_BOOL =
  /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/
const YAML11_TRUE = /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/
const YAML11_INT =
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/
const YAML11_FLOAT =
  /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/
const YAML11_TIMESTAMP =
  /^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$/

/** The sign of a YAML number and its text without sign and underscores. */
function unsigned(data: string): { sign: number; digits: string } {
  const text = data.replace(/_/g, '')
  const sign = text.startsWith('-') ? -1 : 1
  return { sign, digits: text.replace(/^[-+]/, '') }
}

/** Base 60, as YAML 1.1 reads `1:30` (90) and `1:30.5` (90.5). */
function sexagesimal(digits: string): number {
  return digits.split(':').reduce((total, part) => total * 60 + Number(part), 0)
}

const yaml11Bool = new jsYaml.Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (data: string | null) => data !== null && YAML11_BOOL.test(data),
  construct: (data: string) => YAML11_TRUE.test(data)
})

const yaml11Int = new jsYaml.Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  // `0b_` and `0x_` match PyYAML's pattern but have no digits: PyYAML fails on them (int('', 2)); they stay text.
  resolve: (data: string | null) =>
    data !== null && YAML11_INT.test(data) && !/^[-+]?0[bx]_*$/.test(data),
  construct: (data: string) => {
    const { sign, digits } = unsigned(data)
    let magnitude: number
    if (digits.startsWith('0b')) magnitude = parseInt(digits.slice(2), 2)
    else if (digits.startsWith('0x')) magnitude = parseInt(digits.slice(2), 16)
    else if (digits.includes(':')) magnitude = sexagesimal(digits)
    else if (digits.length > 1 && digits.startsWith('0')) magnitude = parseInt(digits, 8)
    else magnitude = Number(digits)
    // `|| 0`: Python has no negative integer zero (`-0` is 0).
    return sign * magnitude || 0
  }
})

const yaml11Float = new jsYaml.Type('tag:yaml.org,2002:float', {
  kind: 'scalar',
  resolve: (data: string | null) => data !== null && YAML11_FLOAT.test(data),
  construct: (data: string) => {
    const { sign, digits } = unsigned(data.toLowerCase())
    if (digits === '.inf') return sign * Infinity
    if (digits === '.nan') return NaN
    // An integral value (`1.0`, `1.0e+3`, `10.`, `-0.0`) stays a float, as in PyYAML: printed later, it
    // is `1.0`, not `1`.
    return pyFloat(sign * (digits.includes(':') ? sexagesimal(digits) : Number(digits)))
  }
})

/**
 * A float as PyYAML writes it (`.inf`, `.nan`; an exponent without a dot gets `.0`, so that it reads back
 * as a float: 1e-07 is written 1.0e-07). The digits are JavaScript's, which may place the exponent
 * elsewhere than Python's repr (0.00001 for 1e-05): the same number either way.
 */
function pyYamlFloat(value: number): string {
  if (Number.isNaN(value)) return '.nan'
  if (value === Infinity) return '.inf'
  if (value === -Infinity) return '-.inf'
  if (Object.is(value, -0)) return '-0.0'
  const text = String(value).replace(/e([+-])(\d)$/, 'e$10$2')
  return text.includes('.') ? text : text.replace('e', '.0e')
}

/**
 * YAML 1.1 timestamps (`2001-12-14`, `2001-12-14 21:59:43.10 -5`). PyYAML makes dates of them; we have no date
 * type, so the value is the text as written, which is what Ansible prints for a date.
 */
const yaml11Timestamp = new jsYaml.Type('tag:yaml.org,2002:timestamp', {
  kind: 'scalar',
  resolve: (data: string | null) => data !== null && YAML11_TIMESTAMP.test(data),
  construct: (data: string) => data
})

/**
 * Ansible's `!unsafe` tag: the value's strings are never templated. A scalar is taken as text whatever it looks
 * like (`!unsafe 42` is the string "42"), as PyYAML's construct_scalar does; on a list or mapping, every string
 * in it is marked.
 */
const UNSAFE_TYPES = [
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

/** A `!vault` value as read; loadYaml decrypts it once the document is read (it knows its line by then). */
class VaultValue {
  /** 0-based line where the value starts. */
  line = 0
  constructor(readonly ciphertext: string) {}
}

const VAULT_TYPE = new jsYaml.Type('!vault', {
  kind: 'scalar',
  resolve: () => true,
  construct: (data: string | null) => new VaultValue(data ?? '')
})

/**
 * YAML 1.1 as PyYAML's SafeLoader reads it (what `from_yaml` uses in Ansible): js-yaml's null, merge keys
 * (`<<`), `!!binary`, `!!set`, `!!omap` and `!!pairs`, with PyYAML's booleans, integers, floats and timestamps.
 */
export const YAML11_SCHEMA = jsYaml.DEFAULT_SCHEMA.extend({
  // Same tags as js-yaml's own types: extend() puts each in its predecessor's place.
  implicit: [yaml11Bool, yaml11Int, yaml11Float, yaml11Timestamp]
})

/** The schema of playbooks, task and role files, `-e` values and YAML inventories: YAML 1.1 plus `!unsafe` and `!vault`. */
export const ANSIBLE_YAML_SCHEMA = YAML11_SCHEMA.extend({ explicit: [...UNSAFE_TYPES, VAULT_TYPE] })

/** What a parse listener sees of the parser when a node opens or closes. */
export interface YamlParseState {
  /** 0-based line the parser is on (at `open`: where the node starts). */
  line: number
  /** Offset in `input` the parser is at. */
  position: number
  /** At `close`: the value built for the node. */
  result: unknown
  input: string
}

/** Called as each node opens and closes while a document is read (js-yaml keeps no positions itself). */
export type YamlListener = (event: 'open' | 'close', state: YamlParseState) => void

/** Text that is not YAML: the parser's reason and where it stopped (0-based line and column). */
export class YamlSyntaxError extends Error {
  constructor(
    message: string,
    /** The reason alone, without the position and excerpt that `message` adds. */
    readonly reason: string,
    readonly line: number,
    readonly column: number
  ) {
    super(message)
    this.name = 'YamlSyntaxError'
  }
}

/** What a `!vault` value (its vault text, and the 1-based line it starts on) is read as. */
export type VaultDecryptor = (ciphertext: string, line: number) => unknown

/** Options of loadYaml. */
export interface YamlLoadOptions {
  /** Decrypts `!vault` values (src/vault/); without it, a document holding one is refused. */
  decryptVault?: VaultDecryptor
  /** File name for the parser's own messages. */
  filename?: string
  /** `safe`: PyYAML's SafeLoader (from_yaml); `ansible` (default): Ansible's loader, with `!unsafe` and `!vault`. */
  schema?: 'safe' | 'ansible'
  listener?: YamlListener
}

/**
 * Reads one YAML document. A repeated key keeps its last value, as in PyYAML.
 * @throws YamlSyntaxError when the text is not YAML, or uses a tag the schema does not know
 */
export function loadYaml(text: string, options: YamlLoadOptions = {}): unknown {
  const vaulted: VaultValue[] = []
  const listener =
    options.schema === 'safe'
      ? options.listener
      : chainListeners(vaultLines(vaulted), ...(options.listener ? [options.listener] : []))
  let data: unknown
  try {
    data = jsYaml.load(text, {
      ...(options.filename !== undefined ? { filename: options.filename } : {}),
      schema: options.schema === 'safe' ? YAML11_SCHEMA : ANSIBLE_YAML_SCHEMA,
      json: true,
      ...(listener ? { listener } : {})
    })
  } catch (error) {
    if (!(error instanceof jsYaml.YAMLException)) throw error
    const mark = error.mark as { line?: number; column?: number } | undefined
    throw new YamlSyntaxError(
      error.message,
      error.reason || error.message,
      mark?.line ?? 0,
      mark?.column ?? 0
    )
  }
  if (vaulted.length === 0) return data
  if (!options.decryptVault) {
    const at = vaulted[0]!.line
    throw new YamlSyntaxError(
      `a !vault value cannot be read here (line ${at + 1})`,
      'a !vault value cannot be read here',
      at,
      0
    )
  }
  return decryptVaultValues(data, options.decryptVault)
}

/** Records where each `!vault` value starts (js-yaml keeps no positions), in `found`. */
function vaultLines(found: VaultValue[]): YamlListener {
  const starts: number[] = []
  return (event, state) => {
    if (event === 'open') {
      starts.push(state.line)
      return
    }
    const line = starts.pop()
    if (state.result instanceof VaultValue) {
      state.result.line = line ?? state.line
      found.push(state.result)
    }
  }
}

/**
 * The document with each `!vault` value replaced by what `decrypt` makes of it (src/vault/ decrypts; this
 * folder imports no other).
 */
function decryptVaultValues(data: unknown, decrypt: VaultDecryptor): unknown {
  const seen = new Set<object>()
  const walk = (node: unknown): unknown => {
    if (node instanceof VaultValue) return decrypt(node.ciphertext, node.line + 1)
    if (node === null || typeof node !== 'object' || seen.has(node)) return node
    seen.add(node)
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) node[i] = walk(node[i])
    } else {
      const record = node as Record<string, unknown>
      for (const key of Object.keys(record)) record[key] = walk(record[key])
    }
    return node
  }
  return walk(data)
}

/** Options of dumpYaml. */
export interface YamlDumpOptions {
  /** Spaces per level (default 2). */
  indent?: number
  sortKeys?: boolean
}

/**
 * Writes data (lists, mappings, strings, numbers, booleans, null) as block-style YAML 1.1 with our YAML
 * writer (yaml-emitter.ts): a string that would read back as another type (`yes`, `0644`, `1:30`,
 * `2001-12-14`) is quoted, as PyYAML quotes it. The template filters write through their own representer
 * (src/template/yaml-represent.ts), which knows the template engine's types.
 */
export function dumpYaml(value: unknown, options: YamlDumpOptions = {}): string {
  const seen = new Map<object, YamlNode>()
  const node = (data: unknown): YamlNode => {
    if (data === null || data === undefined) return scalar('null')
    if (typeof data === 'boolean') return scalar(data ? 'true' : 'false')
    if (typeof data === 'number')
      return scalar(
        Number.isInteger(data) && !Object.is(data, -0) ? BigInt(data).toString() : pyYamlFloat(data)
      )
    // An integral float (a PyFloat, as the loader gives for `1.0`) is written as a float: `1.0`.
    if (data instanceof PyFloat) {
      const repr = pyFloatRepr(data.valueOf())
      return scalar(repr.includes('.') ? repr : repr.replace('e', '.0e'))
    }
    if (typeof data !== 'object') {
      const text = String(data)
      return { kind: 'scalar', text, plainImplicit: !readsAsOtherType(text) }
    }
    const known = seen.get(data)
    if (known) return known
    if (Array.isArray(data)) {
      const list: YamlNode = { kind: 'sequence', items: [], flow: false }
      seen.set(data, list)
      for (const item of data as unknown[]) list.items.push(node(item))
      return list
    }
    const mapping: YamlNode = { kind: 'mapping', pairs: [], flow: false }
    seen.set(data, mapping)
    const keys = Object.keys(data)
    if (options.sortKeys) keys.sort()
    for (const key of keys)
      mapping.pairs.push([node(key), node((data as Record<string, unknown>)[key])])
    return mapping
  }
  return emitYaml(node(value), { indent: options.indent ?? 2 })
}

function scalar(text: string): YamlNode {
  return { kind: 'scalar', text, plainImplicit: true }
}

/** Calls each listener in turn. */
export function chainListeners(...listeners: YamlListener[]): YamlListener {
  return (event, state) => {
    for (const listener of listeners) listener(event, state)
  }
}

/**
 * A parse listener that refuses what Ansible's loader refuses, or what we cannot read, by calling `refuse` with
 * the message and the 0-based line and column: a list or mapping used as a mapping key (PyYAML: "found
 * unacceptable key"; js-yaml would turn the key into text such as "[object Object]"), and a `!vault` value
 * (Ansible Vault is not supported). `onClose` sees every closed node with the line (0-based) where it started.
 */
export function refusingListener(
  refuse: (message: string, line: number, column: number) => never,
  onClose?: (result: unknown, startLine: number) => void
): YamlListener {
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
      isComplexKey(result, state.input, start.position, state.position, stack[stack.length - 1])
    ) {
      refuse(
        `found unacceptable key (unhashable type: ${Array.isArray(result) ? 'a list' : 'a mapping'}). ` +
          'A mapping key must be a string, a number or a boolean: write the key as text, or move the list or mapping to the value',
        // Where the key's text starts (an explicit key's node opens at the blank after `?`).
        ...lineAndColumn(state.input, firstNonBlank(state.input, start.position))
      )
    }
    onClose?.(result, start.line)
  }
}

function firstNonBlank(input: string, from: number): number {
  let at = from
  while (isBlank(input[at])) at++
  return at
}

function lineAndColumn(input: string, at: number): [number, number] {
  const line = input.slice(0, at).split('\n').length - 1
  const column = at - (input.lastIndexOf('\n', at - 1) + 1)
  return [line, column]
}

/**
 * Whether a list or mapping node that ran from `start` to `end` in `input` is a mapping key: an explicit key
 * (right after `? `) or a flow collection used as an implicit key (followed by `:` on its line).
 */
function isComplexKey(
  result: object,
  input: string,
  start: number,
  end: number,
  parent: { position: number } | undefined
): boolean {
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
  if (input[i] === ':') return true
  // A key without a value in a flow mapping (`{ {}, a: 1 }`): it stands where a key does (after `{` or
  // `,`) and ends at `,` or `}`.
  if (parent === undefined || input[firstNonBlank(input, parent.position)] !== '{') return false
  while (isBlank(input[i])) i++
  if (input[i] !== ',' && input[i] !== '}') return false
  let before = first - 1
  while (before >= 0 && isBlank(input[before])) before--
  return input[before] === '{' || input[before] === ','
}

function isBlank(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r'
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
