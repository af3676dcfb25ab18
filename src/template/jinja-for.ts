/**
 * Jinja2's `{% for %}` header, parsed whole: tuple targets (`for a, (b, c) in …`, unpacked with Python's
 * count checks), the loop filter (`if cond`), and recursive loops (`recursive`, with `loop(children)` and
 * `loop.depth`). A recursive loop compiles to a function of its list and depth that renders the loop
 * and returns the text; `loop(x)` calls it one level deeper.
 */
import { TemplateError } from '../errors.js'
import {
  type AstNode,
  type CompilerMethod,
  type ParserInstance,
  nj,
  nodes
} from './nunjucks-internals.js'
import {
  parseTargets,
  parseTupleValue,
  rawCode,
  targetShape,
  unpackingSet
} from './jinja-unpack.js'

interface ForCompiler {
  buffer: string
  _emit(code: string): void
  _emitLine(code: string): void
  _tmpid(): string
  _pushBuffer(): string
  _popBuffer(): void
  _compileExpression(node: unknown, frame: unknown): void
}
interface Recursion {
  /** The loop's expression, evaluated once for the outermost level. */
  list: AstNode
  /** Stands for the list inside the loop function (its parameter). */
  placeholder: AstNode
}

/** The running loops' `loop` objects, and for a recursive loop the call that renders one level deeper. */
const loopObjects = new WeakMap<object, ((list: unknown) => unknown) | null>()

/** Records a loop iteration's `loop` object (and what `loop(x)` does when the loop is recursive). */
export function registerLoop(
  loop: unknown,
  render?: (list: unknown, depth: number) => unknown,
  depth = 1
): void {
  if (loop && typeof loop === 'object')
    loopObjects.set(loop, render ? (list) => render(list, depth + 1) : null)
}

/** Whether `value` is a loop's `loop` object (what `loop(...)` calls). */
export function isLoopObject(value: unknown): value is object {
  return value !== null && typeof value === 'object' && loopObjects.has(value)
}

/** `loop(items)`: renders the recursive loop over items one level deeper. */
export function callLoop(loop: object, args: unknown[]): unknown {
  const render = loopObjects.get(loop)
  if (!render)
    throw new TemplateError("The loop must have the 'recursive' marker to be called recursively.")
  if (args.length !== 1) throw new TemplateError(`loop() takes exactly one argument (the items)`)
  // The rendered text as a plain string: filters (`loop(x) | length`) see text, as with Markup.
  return String(render(args[0]))
}

function parseFor(this: ParserInstance, original: () => AstNode): AstNode {
  const forTok = this.peekToken()!
  if (!this.skipSymbol('for')) return original.call(this)
  const node = new nodes.For!(forTok.lineno, forTok.colno)
  const target = parseTargets(this)
  const shape = targetShape(target)
  if (shape === undefined)
    this.fail(
      'for: the loop variable must be a name or a tuple of names',
      forTok.lineno,
      forTok.colno
    )
  if (!this.skipSymbol('in')) this.fail("expected token 'in'", forTok.lineno, forTok.colno)
  const list = parseTupleValue(this, () => this.parseOr(), ['if', 'recursive'])
  const cond = this.skipSymbol('if') ? this.parseExpression() : undefined
  const recursive = this.skipSymbol('recursive')
  this.advanceAfterBlockEnd('for')
  node.body = this.parseUntilBlocks('endfor', 'else')
  if (this.skipSymbol('else')) {
    this.advanceAfterBlockEnd('else')
    node.else_ = this.parseUntilBlocks('endfor')
  }
  this.advanceAfterBlockEnd()

  if (typeof shape === 'string') node.name = new nodes.Symbol!(target.lineno, target.colno, shape)
  else {
    // A tuple target: the loop binds a hidden name, and the body starts by unpacking it.
    const hidden = `__ap_item_${forTok.lineno}_${forTok.colno}`
    node.name = new nodes.Symbol!(target.lineno, target.colno, hidden)
    const item = new nodes.Symbol!(target.lineno, target.colno, hidden)
    ;(node.body as AstNode).children.unshift(unpackingSet(target, shape, item))
  }
  let items: AstNode = list
  if (recursive) {
    const placeholder = rawCode(list, 'undefined')
    node.recursion = { list, placeholder } satisfies Recursion
    items = placeholder
  }
  if (cond) {
    const filtered = new nodes.FunCall!(list.lineno, list.colno)
    Object.defineProperty(filtered, 'typename', { value: 'ApLoopFilter' })
    filtered.list = items
    filtered.cond = cond
    filtered.shape = shape
    items = filtered
  }
  // None, numbers and booleans are not iterable (nunjucks ran no iteration).
  const iterable = new nodes.FunCall!(list.lineno, list.colno)
  Object.defineProperty(iterable, 'typename', { value: 'ApIterable' })
  iterable.list = items
  node.arr = iterable
  return node
}

/**
 * A recursive loop: `var render = function(list, depth) { …the loop, into its own buffer… }`, then the
 * output gets `render(items, 1)`. The function starts from the frame where the loop is written.
 */
function compileRecursiveFor(
  this: ForCompiler,
  node: AstNode,
  frame: unknown,
  compileLoop: () => void
): void {
  const recursion = node.recursion as Recursion
  const render = this._tmpid()
  const list = this._tmpid()
  const depth = this._tmpid()
  const outer = this._tmpid()
  recursion.placeholder.code = list
  node.recursionIds = { render, depth }
  this._emitLine(`var ${outer} = frame;`)
  this._emitLine(`var ${render} = function(${list}, ${depth}) { var frame = ${outer};`)
  const buffer = this._pushBuffer()
  compileLoop()
  this._emitLine(`return new runtime.SafeString(${buffer}); };`)
  this._popBuffer()
  this._emit(`${this.buffer} += ${render}(`)
  this._compileExpression(recursion.list, frame)
  this._emitLine(', 1);')
}

/** The arguments compiled code passes to the loop extras: the recursion's render and depth, if any. */
export function recursionArguments(node: AstNode): string {
  const ids = node.recursionIds as { render: string; depth: string } | undefined
  return ids ? `, ${ids.render}, ${ids.depth}` : ''
}

/** Installs the `for` header parser and recursive loops (after jinja-loops.ts's patches). */
export function installForPatches(): void {
  const parserProto = nj.parser.Parser.prototype
  const originalParseFor = parserProto.parseFor as () => AstNode
  parserProto.parseFor = function (this: ParserInstance): AstNode {
    return parseFor.call(this, originalParseFor)
  }
  const compilerProto = nj.compiler.Compiler.prototype
  const compileFor = compilerProto.compileFor!
  compilerProto.compileFor = function (this: ForCompiler, node: AstNode, frame: unknown) {
    const compileLoop = (): void => compileFor.call(this as never, node, frame)
    if (node.recursion) compileRecursiveFor.call(this, node, frame, compileLoop)
    else compileLoop()
  } as unknown as CompilerMethod
}
