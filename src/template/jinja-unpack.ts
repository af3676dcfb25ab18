/**
 * Jinja2's assignment targets where nunjucks has only names: `{% set a, b = 1, 2 %}`, `{% set a, (b, c) =
 * x %}`, `{% for a, b in pairs %}` with Python's unpacking (a count that differs fails as Python's does),
 * and a bare tuple after `=`. A tuple target parses to a hidden name plus the names it unpacks to, assigned
 * one by one through the usual `set` (so loop scoping and exports stay nunjucks' and ours).
 */
import { TemplateError } from '../errors.js'
import { type AstNode, type ParserInstance, TOKEN, nodes } from './nunjucks-internals.js'
import { pyTypeName } from './python.js'
import { assertDefined } from './undefined.js'
import { isRecord } from '../values/records.js'

/** A target's shape: a name, or a tuple of targets. */
export type TargetShape = string | TargetShape[]

/** The names of a shape, in the order runtime unpacking returns their values. */
export function shapeNames(shape: TargetShape): string[] {
  return typeof shape === 'string' ? [shape] : shape.flatMap(shapeNames)
}

/** The shape of a parsed target (a Symbol, or a Group/Array of targets); undefined for anything else. */
export function targetShape(node: AstNode): TargetShape | undefined {
  if (node.typename === 'Symbol') return String(node.value)
  if (node.typename === 'Group' || node.typename === 'Tuple' || node.typename === 'Array') {
    // `(a)` is the name a; `(a, b)` a tuple.
    if (node.typename === 'Group' && node.children.length === 1)
      return targetShape(node.children[0]!)
    const parts = node.children.map(targetShape)
    return parts.every((part) => part !== undefined) ? (parts as TargetShape[]) : undefined
  }
  return undefined
}

/**
 * Reads an assignment target: `a`, `a, b` or `(a, b), c` (comma-separated primaries), as one node, a Group
 * of them when there are several; {@link targetShape} tells whether it holds only names.
 */
export function parseTargets(parser: ParserInstance): AstNode {
  const targets: AstNode[] = []
  do targets.push(parser.parsePrimary())
  while (parser.skip(TOKEN.COMMA))
  const first = targets[0]!
  return targets.length > 1 ? new nodes.Group!(first.lineno, first.colno, targets) : first
}

/**
 * Parses comma-separated expressions as one value: more than one (or a trailing comma) is a tuple.
 * `parseItem` reads one expression; the tuple ends at the block's end or at one of `stopNames`.
 */
export function parseTupleValue(
  parser: ParserInstance,
  parseItem: () => AstNode = () => parser.parseExpression(),
  stopNames: string[] = []
): AstNode {
  const first = parseItem()
  if (parser.peekToken()?.type !== TOKEN.COMMA) return first
  const items = [first]
  while (parser.skip(TOKEN.COMMA)) {
    const next = parser.peekToken()
    if (!next || next.type === TOKEN.BLOCK_END) break
    if (next.type === TOKEN.SYMBOL && stopNames.includes(next.value)) break
    items.push(parseItem())
  }
  // A tuple, as `(1, 2)` and `(1,)` are (src/template/jinja-syntax.ts installs the Tuple node).
  return new nodes.Tuple!(first.lineno, first.colno, items)
}

/** The values of `value` unpacked to `shape`, flat, in shapeNames order. */
function unpack(value: unknown, shape: TargetShape): unknown[] {
  if (typeof shape === 'string') return [value]
  assertDefined(value)
  let items: unknown[]
  if (Array.isArray(value)) items = value
  else if (typeof value === 'string') items = [...value]
  else if (isRecord(value)) items = Object.keys(value)
  else throw new TemplateError(`cannot unpack non-iterable ${pyTypeName(value)} object`)
  if (items.length > shape.length)
    throw new TemplateError(`too many values to unpack (expected ${shape.length})`)
  if (items.length < shape.length)
    throw new TemplateError(
      `not enough values to unpack (expected ${shape.length}, got ${items.length})`
    )
  return shape.flatMap((part, i) => unpack(items[i], part))
}

/** A node that compiles to a piece of JavaScript the compiler made (a temporary's name). */
export function rawCode(node: AstNode, code: string): AstNode {
  const raw = new nodes.FunCall!(node.lineno, node.colno)
  Object.defineProperty(raw, 'typename', { value: 'ApRaw' })
  raw.code = code
  return raw
}

/**
 * The `set` statements that assign the parts of `source` (a node holding the value) to the names of
 * `shape`: one `ApUnpack` node, compiled by compileApUnpack.
 */
export function unpackingSet(at: AstNode, shape: TargetShape, source: AstNode): AstNode {
  const node = new nodes.FunCall!(at.lineno, at.colno)
  Object.defineProperty(node, 'typename', { value: 'ApUnpack' })
  node.shape = shape
  node.source = source
  return node
}

interface UnpackCompiler {
  _emit(code: string): void
  _emitLine(code: string): void
  _tmpid(): string
  _compileExpression(node: unknown, frame: unknown): void
  compile(node: unknown, frame: unknown): void
  compileSet(node: unknown, frame: unknown): void
}

/** Compiler methods for the nodes made here. */
export const UNPACK_COMPILER = {
  compileApRaw(this: UnpackCompiler, node: AstNode): void {
    this._emit(String(node.code))
  },
  compileApUnpack(this: UnpackCompiler, node: AstNode, frame: unknown): void {
    const values = this._tmpid()
    const shape = node.shape as TargetShape
    this._emit(`var ${values} = runtime.__apUnpack(`)
    const source = node.source as AstNode
    if (source instanceof nodes.Capture!) this.compile(source, frame)
    else this._compileExpression(source, frame)
    this._emitLine(`, ${JSON.stringify(shape)});`)
    shapeNames(shape).forEach((name, i) => {
      const set = new nodes.Set!(node.lineno, node.colno, [
        new nodes.Symbol!(node.lineno, node.colno, name)
      ])
      set.value = rawCode(node, `${values}[${i}]`)
      this.compileSet(set, frame)
    })
  }
}

/** The runtime helper the compiled unpacking calls. */
export const UNPACK_RUNTIME = { __apUnpack: unpack }
