/**
 * Jinja2's `{% for %}` where nunjucks differs (found by the Jinja2 table): the loop filter
 * `{% for x in items if cond %}` (parsed in jinja-for.ts; nunjucks read it as an inline `if` around the
 * list, evaluated once, before `x` exists), the loop attributes `loop.previtem`, `loop.nextitem`,
 * `loop.depth`, `loop.depth0`, `loop.cycle(...)` and `loop.changed(...)`, and `set` scoped to the loop
 * body. The filter keeps only the items whose condition holds, so `loop.index`, `loop.length` and `else`
 * count those, as in Jinja2. */
import { JinjaError, TemplateError } from '../errors.js'
import { type AstNode, type CompilerMethod, nj, nodes, runtime } from './nunjucks-internals.js'
import { PyFloat, pyEquals, pyTruthy, pyTypeName } from './python.js'
import { Undefined, assertDefined } from './undefined.js'
import { isRecord } from '../values/records.js'
import { recursionArguments, registerLoop } from './jinja-for.js'
import { type TargetShape, shapeNames } from './jinja-unpack.js'

interface LoopCompiler {
  __apLoopFrames?: CompileFrame[]
  _emit(code: string): void
  _emitLine(code: string): void
  _tmpid(): string
  _compileExpression(node: unknown, frame: unknown): void
}
interface InlineIfParser {
  parseOr(): AstNode
  parseInlineIf(): AstNode
  skipSymbol(name: string): boolean
}
interface CompileFrame {
  push(): CompileFrame
  set(name: string, value: string): void
  lookup(name: string): string | undefined
}
interface RuntimeFrame {
  variables: Record<string, unknown>
  parent?: RuntimeFrame
  set(name: string, value: unknown): void
}

/** The names a loop body set (`{% set x = … %}`), per running loop frame: cleared at each iteration. */
const loopLocals = new WeakMap<object, Set<string>>()

/**
 * `{% set x = value %}` inside a loop body: in Jinja2 the assignment stays in the body (each iteration
 * starts from the value outside the loop, which is unchanged after it; a name first set in the body is
 * not seen after the loop), where nunjucks wrote through to the outside variable. The value goes into the
 * running loop's frame, cleared at each iteration (loopExtras). Returns false outside loops, and for a
 * name nunjucks binds at compile time inside the loop (its loop variable), which it keeps compiling.
 */
function compileLoopLocalSet(
  compiler: LoopCompiler,
  name: string,
  value: AstNode,
  frame: unknown
): boolean {
  const loops = compiler.__apLoopFrames
  if (!loops?.length) return false
  const bound = (frame as CompileFrame).lookup(name)
  const lookup = `runtime.contextOrFrameLookup(context, frame, ${JSON.stringify(name)})`
  // A name bound outside the loop (a macro argument) is shadowed in the body from here on: read from
  // the running frames, where the loop's value is until the next iteration.
  const boundOutside = bound === lookup || bound === loops[loops.length - 1]!.lookup(name)
  if (bound !== undefined && bound !== null && !boundOutside) return false
  compiler._emit(`runtime.__apLoopSet(frame, ${JSON.stringify(name)}, `)
  compiler._compileExpression(value, frame)
  compiler._emitLine(');')
  if (bound !== undefined && bound !== null) (frame as CompileFrame).set(name, lookup)
  return true
}

/** The items a loop runs over, as Jinja2 iterates them (a dict's keys, a string's characters). */
function loopItems(value: unknown): unknown[] {
  assertDefined(value)
  if (Array.isArray(value)) return value
  if (typeof value === 'string') return [...value]
  if (isRecord(value)) return Object.keys(value)
  return []
}

/** What `changed()` last saw, per running loop (its frame). */
const lastSeen = new WeakMap<object, unknown[]>()

function loopExtras(
  frame: RuntimeFrame,
  arr: unknown,
  i: number,
  render?: (list: unknown, depth: number) => unknown,
  depth = 1
): void {
  // Each iteration starts from the values outside the loop (Jinja2's scoping of `set`).
  for (const name of loopLocals.get(frame) ?? []) delete frame.variables[name]
  const items = Array.isArray(arr) ? arr : isRecord(arr) ? Object.keys(arr) : []
  frame.set(
    'loop.previtem',
    i > 0 ? items[i - 1] : new Undefined('there is no previous item', 'previtem')
  )
  frame.set(
    'loop.nextitem',
    i + 1 < items.length ? items[i + 1] : new Undefined('there is no next item', 'nextitem')
  )
  frame.set('loop.depth', depth)
  frame.set('loop.depth0', depth - 1)
  registerLoop(frame.variables.loop, render, depth)
  frame.set('loop.cycle', (...values: unknown[]) => {
    if (values.length === 0) throw new TypeError('no items for cycling given')
    return values[i % values.length]
  })
  frame.set('loop.changed', (...values: unknown[]) => {
    const previous = lastSeen.get(frame)
    if (previous && pyEquals(previous, values)) return false
    lastSeen.set(frame, values)
    return true
  })
}

/** Objects made by `namespace()`: the only ones `{% set ns.attr = value %}` may assign to, as in Jinja2. */
const namespaces = new WeakSet<object>()

export function makeNamespace(...raw: unknown[]): Record<string, unknown> {
  const ns: Record<string, unknown> = {}
  for (const arg of raw) {
    if (isRecord(arg)) Object.assign(ns, arg)
  }
  delete ns.__keywords
  namespaces.add(ns)
  return ns
}

function setAttribute(target: unknown, key: unknown, value: unknown): void {
  if (!isRecord(target) || !namespaces.has(target))
    throw new TemplateError('cannot assign attribute on non-namespace object')
  target[String(key)] = value
}

/** Installs the loop patches on nunjucks' parser, compiler and runtime (once, from installJinjaCompat). */
export function installLoopPatches(): void {
  const parserProto = nj.parser.Parser.prototype
  // `a if x else b if y else c`: Jinja2's else branch is itself a conditional expression.
  parserProto.parseInlineIf = function (this: InlineIfParser): AstNode {
    const body = this.parseOr()
    if (!this.skipSymbol('if')) return body
    const node = new nodes.InlineIf!(body.lineno, body.colno)
    node.body = body
    node.cond = this.parseOr()
    node.else_ = this.skipSymbol('else') ? this.parseInlineIf() : null
    return node
  }
  const compilerProto = nj.compiler.Compiler.prototype
  compilerProto.compileApIterable = function (this: LoopCompiler, node: AstNode, frame: unknown) {
    this._emit('runtime.__apIterable(')
    this._compileExpression(node.list, frame)
    this._emit(')')
  } as unknown as CompilerMethod
  compilerProto.compileApLoopFilter = function (this: LoopCompiler, node: AstNode, frame: unknown) {
    const item = this._tmpid()
    const outer = this._tmpid()
    const inner = (frame as CompileFrame).push()
    const shape = node.shape as TargetShape
    this._emit('runtime.__apLoopFilter(')
    this._compileExpression(node.list, frame)
    this._emit(`, (function(${outer}) { return function(${item}) { var frame = ${outer}.push(); `)
    const values = typeof shape === 'string' ? item : this._tmpid()
    if (typeof shape !== 'string')
      this._emit(`var ${values} = runtime.__apUnpack(${item}, ${JSON.stringify(shape)}); `)
    shapeNames(shape).forEach((name, index) => {
      const value = typeof shape === 'string' ? item : `${values}[${index}]`
      this._emit(`frame.set(${JSON.stringify(name)}, ${value}); `)
      inner.set(name, value)
    })
    this._emit('return runtime.__apTruthy(')
    this._compileExpression(node.cond, inner)
    this._emit('); }; })(frame))')
  } as unknown as CompilerMethod
  const originalBindings = compilerProto._emitLoopBindings as unknown as (
    this: LoopCompiler,
    node: AstNode,
    arr: string,
    i: string,
    len: string
  ) => void
  compilerProto._emitLoopBindings = function (
    this: LoopCompiler,
    node: AstNode,
    arr: string,
    i: string,
    len: string
  ) {
    originalBindings.call(this, node, arr, i, len)
    this._emitLine(`runtime.__apLoopExtras(frame, ${arr}, ${i}${recursionArguments(node)});`)
  } as unknown as CompilerMethod

  // The compile-time frame around each loop being compiled, innermost last (see compileLoopLocalSet).
  const originalCompileFor = compilerProto.compileFor!
  compilerProto.compileFor = function (this: LoopCompiler, node: AstNode, frame: unknown) {
    const stack = (this.__apLoopFrames ??= [])
    stack.push(frame as CompileFrame)
    try {
      originalCompileFor.call(this as never, node, frame)
    } finally {
      stack.pop()
    }
  } as unknown as CompilerMethod

  // `{% set ns.attr = value %}` assigns to a namespace() (nunjucks only sets plain names).
  const originalCompileSet = compilerProto.compileSet!
  compilerProto.compileSet = function (this: LoopCompiler, node: AstNode, frame: unknown) {
    const targets = node.targets as AstNode[]
    const target = targets[0]
    if (targets.length === 1 && target instanceof nodes.Symbol! && node.value) {
      if (compileLoopLocalSet(this, String(target.value), node.value as AstNode, frame)) return
    }
    if (targets.length !== 1 || !(target instanceof nodes.LookupVal!) || !node.value)
      return originalCompileSet.call(this as never, node, frame)
    this._emit('runtime.__apSetAttr(')
    this._compileExpression(target.target, frame)
    this._emit(', ')
    this._compileExpression(target.val, frame)
    this._emit(', ')
    this._compileExpression(node.value, frame)
    this._emitLine(');')
  } as unknown as CompilerMethod

  Object.assign(runtime, {
    __apSetAttr: setAttribute,
    __apLoopSet: (frame: RuntimeFrame, name: string, value: unknown) => {
      frame.set(name, value)
      let names = loopLocals.get(frame)
      if (!names) loopLocals.set(frame, (names = new Set()))
      names.add(name)
    },
    __apIterable: (value: unknown) => {
      assertDefined(value)
      if (
        value === null ||
        value === undefined ||
        typeof value === 'number' ||
        typeof value === 'boolean' ||
        value instanceof PyFloat
      )
        throw new JinjaError(`'${pyTypeName(value)}' object is not iterable`, 'type')
      return value
    },
    __apLoopFilter: (value: unknown, keep: (item: unknown) => unknown) =>
      loopItems(value).filter((item) => pyTruthy(keep(item))),
    __apLoopExtras: loopExtras
  })
}
