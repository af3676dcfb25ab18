/**
 * Jinja2 statements nunjucks lacks or reads otherwise: `{% set %}` with tuple targets and tuple values
 * (jinja-unpack.ts), `{% with a = 1, b = 2 %}…{% endwith %}` (a scope of its own, its values computed
 * outside it), and macros' `varargs`/`kwargs` with Jinja2's argument checks (nunjucks drops extra
 * arguments silently; a `call` block's caller goes only to a macro that reads `caller`).
 */
import { TemplateError } from '../errors.js'
import {
  type AstNode,
  type CompilerMethod,
  type ParserInstance,
  TOKEN,
  nj,
  nodes,
  runtime
} from './nunjucks-internals.js'
import {
  UNPACK_COMPILER,
  UNPACK_RUNTIME,
  type TargetShape,
  parseTupleValue,
  shapeNames,
  parseTargets,
  targetShape,
  unpackingSet
} from './jinja-unpack.js'
import { isRecord } from '../values/records.js'
import { PyTuple } from './python.js'

interface StatementCompiler {
  _emit(code: string): void
  _emitLine(code: string): void
  _emitLines(...lines: string[]): void
  _tmpid(): string
  _compileExpression(node: unknown, frame: unknown): void
  compile(node: unknown, frame: unknown): void
}
interface CompileFrame {
  push(): CompileFrame
  set(name: string, value: string): void
}

function parseSet(this: ParserInstance): AstNode {
  const tag = this.peekToken()!
  if (!this.skipSymbol('set')) this.fail('expected set', tag.lineno, tag.colno)
  const target = parseTargets(this)
  // `a, b` and `(a, b)` unpack (a Group, or a Tuple, which is one); a lone name or `x.attr` does not.
  const tuple = target instanceof nodes.Group!
  const shape = tuple ? targetShape(target) : undefined
  if (tuple && shape === undefined)
    this.fail(
      'set: a tuple target may hold only names (and tuples of names)',
      tag.lineno,
      tag.colno
    )
  let value: AstNode | null = null
  let body: AstNode | null = null
  if (this.skipValue(TOKEN.OPERATOR, '=')) {
    value = parseTupleValue(this)
    this.advanceAfterBlockEnd(tag.value)
  } else if (this.skip(TOKEN.BLOCK_END)) {
    body = new nodes.Capture!(tag.lineno, tag.colno, this.parseUntilBlocks('endset'))
    this.advanceAfterBlockEnd()
  } else {
    this.fail("expected token '=' or end of statement block in set tag", tag.lineno, tag.colno)
  }
  if (shape !== undefined) return unpackingSet(target, shape, (value ?? body)!)
  const node = new nodes.Set!(tag.lineno, tag.colno, [target])
  node.value = value
  if (body) node.body = body
  return node
}

function parseWith(this: ParserInstance): AstNode {
  const tag = this.nextToken()!
  const shapes: TargetShape[] = []
  const values: AstNode[] = []
  while (this.peekToken()?.type !== TOKEN.BLOCK_END) {
    if (shapes.length > 0 && !this.skip(TOKEN.COMMA))
      this.fail("expected token ',' in with statement", tag.lineno, tag.colno)
    const shape = targetShape(parseTargets(this))
    if (shape === undefined)
      this.fail('with: only names (and tuples of names) can be assigned', tag.lineno, tag.colno)
    if (!this.skipValue(TOKEN.OPERATOR, '='))
      this.fail("expected token '=' in with statement", tag.lineno, tag.colno)
    shapes.push(shape)
    values.push(this.parseExpression())
  }
  this.advanceAfterBlockEnd('with')
  const node = new nodes.FunCall!(tag.lineno, tag.colno)
  Object.defineProperty(node, 'typename', { value: 'ApWith' })
  node.shapes = shapes
  node.values = values
  node.body = this.parseUntilBlocks('endwith')
  this.advanceAfterBlockEnd()
  return node
}

function compileWith(this: StatementCompiler, node: AstNode, frame: unknown): void {
  // Every value is computed (and unpacked) outside the new scope: `{% with a = 1, b = a %}` reads the
  // outer `a`.
  const bindings: Array<[string, string]> = []
  ;(node.values as AstNode[]).forEach((value, i) => {
    const shape = (node.shapes as TargetShape[])[i]!
    const id = this._tmpid()
    this._emit(`var ${id} = `)
    if (typeof shape !== 'string') this._emit('runtime.__apUnpack(')
    this._compileExpression(value, frame)
    this._emitLine(typeof shape === 'string' ? ';' : `, ${JSON.stringify(shape)});`)
    if (typeof shape === 'string') bindings.push([shape, id])
    else shapeNames(shape).forEach((name, at) => bindings.push([name, `${id}[${at}]`]))
  })
  this._emitLine('frame = frame.push();')
  const inner = (frame as CompileFrame).push()
  for (const [name, value] of bindings) {
    this._emitLine(`frame.set(${JSON.stringify(name)}, ${value});`)
    inner.set(name, value)
  }
  this.compile(node.body, inner)
  this._emitLine('frame = frame.pop();')
}

/** Whether a macro body reads `name` (Jinja2 then collects extra arguments into it). */
function references(node: unknown, name: string, seen = new Set<unknown>()): boolean {
  if (!node || typeof node !== 'object' || seen.has(node)) return false
  seen.add(node)
  if (node instanceof nodes.Symbol! && (node as AstNode).value === name) return true
  return Object.values(node).some((child) => references(child, name, seen))
}

interface MacroShape {
  name: string
  varargs: boolean
  kwargs: boolean
  caller: boolean
}

/**
 * nunjucks' makeMacro with Jinja2's argument rules: positional arguments beyond the parameters go to
 * `varargs` and unknown keyword arguments to `kwargs` when the body reads them, else they fail.
 */
function makeMacro(
  shape: MacroShape,
  argNames: string[],
  kwargNames: string[],
  body: (...args: unknown[]) => unknown
) {
  const params = [...argNames, ...kwargNames]
  return function (this: unknown, ...raw: unknown[]): unknown {
    const last = raw[raw.length - 1]
    const given = isRecord(last) && Object.hasOwn(last, '__keywords') ? last : undefined
    const positional = given ? raw.slice(0, -1) : raw
    const extra = positional.slice(params.length)
    if (extra.length > 0 && !shape.varargs)
      throw new TemplateError(
        `macro '${shape.name}' takes not more than ${params.length} argument(s)`
      )
    const keywords: Record<string, unknown> = {}
    const extraKeywords: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(given ?? {})) {
      if (key === '__keywords') continue
      if (key === 'caller' && !shape.caller)
        throw new TemplateError(
          `macro '${shape.name}' was invoked with two values for the special caller argument. This is most likely a bug.`
        )
      const index = params.indexOf(key)
      if (key === 'caller' || (index >= 0 && index >= positional.length)) keywords[key] = value
      else if (index < 0 && shape.kwargs) extraKeywords[key] = value
      else throw new TemplateError(`macro '${shape.name}' takes no keyword argument '${key}'`)
    }
    const args = argNames.map((name, i) => (i < positional.length ? positional[i] : keywords[name]))
    kwargNames.forEach((name, i) => {
      const at = argNames.length + i
      if (at < positional.length) keywords[name] = positional[at]
    })
    for (const name of argNames) delete keywords[name]
    // Jinja2's varargs is a tuple.
    keywords.__apVarargs = PyTuple.of(...extra)
    keywords.__apKwargs = extraKeywords
    // Plain text (nunjucks gives a SafeString object): filters such as `m() | length` see a string.
    return String(body.apply(this, [...args, keywords]))
  }
}

/** Installs the statement patches on nunjucks' parser, compiler and runtime (once). */
export function installStatementPatches(): void {
  const parserProto = nj.parser.Parser.prototype
  parserProto.parseSet = parseSet
  const originalParseStatement = parserProto.parseStatement as (this: ParserInstance) => AstNode
  parserProto.parseStatement = function (this: ParserInstance): AstNode {
    const tok = this.peekToken()
    if (tok?.type === TOKEN.SYMBOL && tok.value === 'with') return parseWith.call(this)
    return originalParseStatement.call(this)
  }

  const compilerProto = nj.compiler.Compiler.prototype
  compilerProto.compileApWith = compileWith as unknown as CompilerMethod
  Object.assign(compilerProto, UNPACK_COMPILER)
  const originalCompileMacro = compilerProto._compileMacro as unknown as (
    this: StatementCompiler,
    node: AstNode,
    frame: unknown
  ) => string
  compilerProto._compileMacro = function (this: StatementCompiler, node: AstNode, frame: unknown) {
    const name = node.name as AstNode | undefined
    const shape: MacroShape = {
      name: name ? String(name.value) : 'caller',
      varargs: references(node.body, 'varargs'),
      kwargs: references(node.body, 'kwargs'),
      caller: references(node.body, 'caller')
    }
    // The macro's header is emitted first, in one call: it calls our makeMacro and binds varargs/kwargs.
    const ownEmitLines = Object.hasOwn(this, '_emitLines')
    this._emitLines = (...lines: string[]) => {
      if (!ownEmitLines) delete (this as Partial<StatementCompiler>)._emitLines
      const header = lines[0]!.replace(
        /runtime\.makeMacro\($/,
        `runtime.__apMakeMacro(${JSON.stringify(shape)}, `
      )
      const bindings = [
        ...(shape.varargs ? ['frame.set("varargs", kwargs.__apVarargs || []);'] : []),
        ...(shape.kwargs ? ['frame.set("kwargs", kwargs.__apKwargs || {});'] : [])
      ]
      this._emitLines(header, ...lines.slice(1), ...bindings)
    }
    return originalCompileMacro.call(this, node, frame)
  } as unknown as CompilerMethod

  Object.assign(runtime, UNPACK_RUNTIME, { __apMakeMacro: makeMacro })
}
