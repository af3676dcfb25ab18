/**
 * The one place where nunjucks is bent into Jinja2/Ansible semantics (engine.ts only compiles, caches and
 * renders with the environment built here). Each gap is closed here:
 *
 * - lexer: Python string escapes (`'\d'` keeps its backslash, `\x41`, `\u00e9`, octal).
 * - parser: integer attributes (`r.results.0.stdout`).
 * - compiler: Python truthiness for `and`/`or`/`not`/`if`, Python comparisons (deep `==`, chained, typed `<`),
 *   arithmetic (`[1] + [2]`, `'-' * 3`), `~` with Python str(), dict literals with evaluated keys,
 *   method calls (`'a b'.split()`, `d.get(k)`), tests with several arguments and keyword arguments.
 * - runtime: a chainable, strict Undefined for missing variables and keys; Python str() on output;
 *   Python `in`; iteration over dicts yields keys.
 * - filters and tests: Ansible's set, each refusing Undefined arguments except `default`/`mandatory`/`defined`.
 */
import nunjucks from 'nunjucks'
import { TemplateError } from '../errors.js'
import { type Kwargs, findMethod, getAttribute, hasKey, sliceValue } from './attributes.js'
import { type FilterFunction, UNDEFINED_SAFE_FILTERS, createFilters } from './filters.js'
import { pyBinOp, pyCompare, pyIn, pyTruthy, pyTypeName, pythonStr } from './python.js'
import { TESTS, UNDEFINED_SAFE_TESTS } from './tests.js'
import { Undefined, assertDefined, isPlainObject, undefinedVariable } from './undefined.js'

// nunjucks' compiler, parser and runtime internals are untyped (@types/nunjucks covers only the public API);
// these interfaces describe the parts we patch.
interface AstNode {
  lineno: number
  colno: number
  value?: unknown
  typename?: string
  children: AstNode[]
  [field: string]: unknown
}
type NodeClass = new (lineno: number, colno: number, ...fields: unknown[]) => AstNode
interface CompilerInstance {
  _emit(code: string): void
  compile(node: unknown, frame: unknown): void
  _compileExpression(node: unknown, frame: unknown): void
  _compileAggregate(node: unknown, frame: unknown, start: string, end: string): void
  _getNodeName(node: unknown): string
}
type CompilerMethod = (this: CompilerInstance, node: AstNode, frame: unknown) => void
interface Token {
  type: string
  value: string
  lineno: number
  colno: number
}
interface ParserInstance {
  peekToken(): Token | null
  nextToken(): Token | null
  parseSignature(): AstNode
  parseAggregate(): AstNode
  fail(message: string, lineno?: number, colno?: number): never
}
interface TokenizerInstance {
  str: string
  index: number
  in_code: boolean
  lineno: number
  colno: number
  curlyDepth?: number
  current(): string
  forward(): void
  isFinished(): boolean
}
interface NunjucksContext {
  ctx: Record<string, unknown>
  env: { globals: Record<string, unknown> }
}
interface NunjucksFrame {
  lookup(name: string): unknown
}
interface NunjucksInternals {
  runtime: Record<string, unknown>
  compiler: { Compiler: { prototype: Record<string, CompilerMethod> } }
  parser: { Parser: { prototype: Record<string, unknown> } }
  lexer: Record<string, string> & { lex(src: string): object }
  nodes: Record<string, NodeClass>
  installJinjaCompat(): void
}

const nj = nunjucks as unknown as NunjucksInternals
const { runtime, nodes } = nj
const TOKEN = {
  LEFT_PAREN: nj.lexer.TOKEN_LEFT_PAREN!,
  LEFT_BRACKET: nj.lexer.TOKEN_LEFT_BRACKET!,
  OPERATOR: nj.lexer.TOKEN_OPERATOR!,
  INT: nj.lexer.TOKEN_INT!,
  FLOAT: nj.lexer.TOKEN_FLOAT!,
  SYMBOL: nj.lexer.TOKEN_SYMBOL!,
  LEFT_CURLY: nj.lexer.TOKEN_LEFT_CURLY!,
  RIGHT_CURLY: nj.lexer.TOKEN_RIGHT_CURLY!,
  VARIABLE_END: nj.lexer.TOKEN_VARIABLE_END!,
  BLOCK_END: nj.lexer.TOKEN_BLOCK_END!,
  BOOLEAN: nj.lexer.TOKEN_BOOLEAN!,
  NONE: nj.lexer.TOKEN_NONE!
}

/** Context key holding the caller's variables (nunjucks copies its context, which would run every getter). */
export const VARS_KEY = '__ap_vars__'
/** Global function that hands a single expression's native value back to the caller. */
export const CAPTURE_NAME = '__ap_capture__'

function splitKeywordArgs(raw: unknown[]): { args: unknown[]; kwargs: Kwargs } {
  const last = raw[raw.length - 1]
  if (isPlainObject(last) && Object.hasOwn(last, '__keywords')) {
    const { __keywords: _ignored, ...kwargs } = last
    return { args: raw.slice(0, -1), kwargs }
  }
  return { args: raw, kwargs: {} }
}

function assertArgumentsDefined(value: unknown, args: unknown[], kwargs: Kwargs): void {
  assertDefined(value)
  for (const arg of args) assertDefined(arg)
  for (const key of Object.keys(kwargs)) assertDefined(kwargs[key])
}

function callTest(name: string, value: unknown, args: unknown[], kwargs: Kwargs): boolean {
  const test = Object.hasOwn(TESTS, name) ? TESTS[name] : undefined
  if (!test) throw new TemplateError(`No test named '${name}'.`)
  if (!UNDEFINED_SAFE_TESTS.has(name)) assertArgumentsDefined(value, args, kwargs)
  return pyTruthy(test(value, args, kwargs))
}

// ---- lexer: Python string literal escapes -------------------------------------------------------------

const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '\n': ''
}

function parsePythonString(this: TokenizerInstance, delimiter: string): string {
  this.forward()
  let out = ''
  while (!this.isFinished() && this.current() !== delimiter) {
    const ch = this.current()
    this.forward()
    if (ch !== '\\') {
      out += ch
      continue
    }
    const esc = this.current()
    const rest = this.str.slice(this.index)
    const hex =
      esc === 'x'
        ? /^x([0-9a-fA-F]{2})/.exec(rest)
        : esc === 'u'
          ? /^u([0-9a-fA-F]{4})/.exec(rest)
          : esc === 'U'
            ? /^U([0-9a-fA-F]{8})/.exec(rest)
            : null
    const octal = /^[0-7]{1,3}/.exec(rest)
    let consumed = 1
    if (Object.hasOwn(SIMPLE_ESCAPES, esc)) out += SIMPLE_ESCAPES[esc]
    else if (hex) {
      out += String.fromCodePoint(parseInt(hex[1]!, 16))
      consumed = hex[0].length
    } else if (octal) {
      out += String.fromCharCode(parseInt(octal[0], 8))
      consumed = octal[0].length
    } else out += '\\' + esc // Python keeps unknown escapes: '\d' stays \d for regexes.
    for (let i = 0; i < consumed; i++) this.forward()
  }
  this.forward()
  return out
}

// Jinja2 ends `{{ ... }}` only at a `}}` outside dict literals: `{{ x | combine({'a': {'b': 1}}) }}`.
// And `null` is no literal in Jinja2 (only none/None): it is a name like any other, so `{{ null }}` is an
// undefined variable and `d.null` a key, where nunjucks would read both as its own null literal.
function balancedCurlies(originalNextToken: (this: TokenizerInstance) => Token | null) {
  return function nextToken(this: TokenizerInstance): Token | null {
    if (this.in_code && (this.curlyDepth ?? 0) > 0 && this.str.startsWith('}}', this.index)) {
      const tok = { type: TOKEN.RIGHT_CURLY, value: '}', lineno: this.lineno, colno: this.colno }
      this.forward()
      this.curlyDepth! -= 1
      return tok
    }
    const tok = originalNextToken.call(this)
    if (tok?.type === TOKEN.NONE && tok.value === 'null') tok.type = TOKEN.SYMBOL
    if (tok?.type === TOKEN.LEFT_CURLY) this.curlyDepth = (this.curlyDepth ?? 0) + 1
    else if (tok?.type === TOKEN.RIGHT_CURLY)
      this.curlyDepth = Math.max(0, (this.curlyDepth ?? 0) - 1)
    else if (tok?.type === TOKEN.VARIABLE_END || tok?.type === TOKEN.BLOCK_END) this.curlyDepth = 0
    return tok
  }
}

// ---- parser: `x.0` and `x.0.y` (the lexer reads `0.` as a float), `d.true` ---------------------------

function parsePostfix(this: ParserInstance, start: AstNode): AstNode {
  let node = start
  let tok = this.peekToken()
  while (tok) {
    if (tok.type === TOKEN.LEFT_PAREN) {
      node = new nodes.FunCall!(tok.lineno, tok.colno, node, this.parseSignature())
    } else if (tok.type === TOKEN.LEFT_BRACKET) {
      const lookup = this.parseAggregate()
      if (lookup.children.length > 1) this.fail('invalid index')
      node = new nodes.LookupVal!(tok.lineno, tok.colno, node, lookup.children[0])
    } else if (tok.type === TOKEN.OPERATOR && tok.value === '.') {
      this.nextToken()
      const val = this.nextToken()
      if (val && (val.type === TOKEN.INT || val.type === TOKEN.FLOAT)) {
        for (const part of val.value.split('.').filter(Boolean)) {
          node = new nodes.LookupVal!(
            tok.lineno,
            tok.colno,
            node,
            new nodes.Literal!(val.lineno, val.colno, Number(part))
          )
        }
        const next = this.peekToken()
        if (val.value.endsWith('.') && next?.type === TOKEN.SYMBOL) {
          this.nextToken()
          node = new nodes.LookupVal!(
            tok.lineno,
            tok.colno,
            node,
            new nodes.Literal!(next.lineno, next.colno, next.value)
          )
        }
      } else if (
        val?.type === TOKEN.SYMBOL ||
        // Jinja2 takes any name after a dot: `d.true`, `d.none`, `d.in`, `d.if` are keys like any other.
        val?.type === TOKEN.BOOLEAN ||
        val?.type === TOKEN.NONE
      ) {
        node = new nodes.LookupVal!(
          tok.lineno,
          tok.colno,
          node,
          new nodes.Literal!(val.lineno, val.colno, val.value)
        )
      } else {
        this.fail(
          `expected name as lookup value, got ${val?.value ?? 'end of input'}`,
          val?.lineno,
          val?.colno
        )
      }
    } else {
      break
    }
    tok = this.peekToken()
  }
  return node
}

// ---- compiler: emit calls to our runtime helpers instead of JavaScript operators ----------------------

function binaryOp(op: string): CompilerMethod {
  return function (node, frame) {
    this._emit(`runtime.__apBinOp(${JSON.stringify(op)}, `)
    this.compile(node.left, frame)
    this._emit(', ')
    this.compile(node.right, frame)
    this._emit(')')
  }
}

function shortCircuit(helper: '__apOr' | '__apAnd'): CompilerMethod {
  return function (node, frame) {
    this._emit(`runtime.${helper}(`)
    this.compile(node.left, frame)
    this._emit(', function() { return ')
    this.compile(node.right, frame)
    this._emit('; })')
  }
}

function testName(right: AstNode): { name: string; args: AstNode | undefined } {
  const named = right.name as AstNode | undefined
  if (named) return { name: String(named.value), args: right.args as AstNode }
  if (right.value === null) return { name: 'none', args: undefined }
  // `is None`/`is True` (Python spelling) name the none/true/false tests.
  const name = String(right.value)
  return { name: /^(None|True|False)$/.test(name) ? name.toLowerCase() : name, args: undefined }
}

function installCompilerPatches(): void {
  const proto = nj.compiler.Compiler.prototype
  const originalCompileDict = proto.compileDict!
  const originalCompileFunCall = proto.compileFunCall!
  const originalCompileIf = proto.compileIf!

  for (const [method, op] of [
    ['compileAdd', '+'],
    ['compileSub', '-'],
    ['compileMul', '*'],
    ['compileDiv', '/'],
    ['compileFloorDiv', '//'],
    ['compileMod', '%'],
    ['compilePow', '**']
  ]) {
    proto[method!] = binaryOp(op!)
  }
  proto.compileOr = shortCircuit('__apOr')
  proto.compileAnd = shortCircuit('__apAnd')
  proto.compileGroup = function (node, frame) {
    // `(a, b)` is a Python tuple (a list here); nunjucks would emit JavaScript's comma operator.
    if (node.children.length > 1) this._compileAggregate(node, frame, '[', ']')
    else this._compileAggregate(node, frame, '(', ')')
  }
  proto.compileNot = function (node, frame) {
    this._emit('!runtime.__apTruthy(')
    this.compile(node.target, frame)
    this._emit(')')
  }
  proto.compileNeg = function (node, frame) {
    this._emit('runtime.__apBinOp("-", 0, ')
    this.compile(node.target, frame)
    this._emit(')')
  }
  proto.compilePos = function (node, frame) {
    this._emit('runtime.__apBinOp("+", 0, ')
    this.compile(node.target, frame)
    this._emit(')')
  }
  proto.compileConcat = function (node, frame) {
    this._emit('runtime.__apConcat(')
    this.compile(node.left, frame)
    this._emit(', ')
    this.compile(node.right, frame)
    this._emit(')')
  }
  proto.compileCompare = function (node, frame) {
    this._emit('runtime.__apCompare(')
    this.compile(node.expr, frame)
    for (const op of node.ops as AstNode[]) {
      this._emit(`, ${JSON.stringify(op.type)}, `)
      this.compile(op.expr, frame)
    }
    this._emit(')')
  }
  proto.compileInlineIf = function (node, frame) {
    this._emit('(runtime.__apTruthy(')
    this.compile(node.cond, frame)
    this._emit(') ? (')
    this.compile(node.body, frame)
    this._emit(') : (')
    if (node.else_) this.compile(node.else_, frame)
    else this._emit('""')
    this._emit('))')
  }
  proto.compileIf = function (node, frame) {
    // `not not cond` compiles to a Python truthiness check (see compileNot).
    const cond = node.cond as AstNode
    node.cond = new nodes.Not!(
      cond.lineno,
      cond.colno,
      new nodes.Not!(cond.lineno, cond.colno, cond)
    )
    originalCompileIf.call(this, node, frame)
  }
  proto.compileIs = function (node, frame) {
    const { name, args } = testName(node.right as AstNode)
    this._emit(`runtime.__apTest(${JSON.stringify(name)}, `)
    this.compile(node.left, frame)
    this._emit(', ')
    if (args) this._compileAggregate(args, frame, '[', ']')
    else this._emit('[]')
    this._emit(')')
  }
  proto.compileDict = function (node, frame) {
    const raw: unknown = node
    if (raw instanceof nodes.KeywordArgs!) return originalCompileDict.call(this, node, frame)
    // Jinja2 evaluates dict keys: {item.key: item.value}.
    this._emit('runtime.__apDict([')
    node.children.forEach((pair, i) => {
      this._emit(i > 0 ? ', [' : '[')
      this.compile(pair.key, frame)
      this._emit(', ')
      this._compileExpression(pair.value, frame)
      this._emit(']')
    })
    this._emit('])')
  }
  proto.compileFunCall = function (node, frame) {
    const callee = node.name as AstNode
    if (!(callee instanceof nodes.LookupVal!)) return originalCompileFunCall.call(this, node, frame)
    const display = JSON.stringify(this._getNodeName(callee))
    this._emit(`(lineno = ${node.lineno}, colno = ${node.colno}, runtime.__apCallMember((`)
    this._compileExpression(callee.target, frame)
    this._emit('), ')
    this._compileExpression(callee.val, frame)
    this._emit(`, ${display}, context, `)
    this._compileAggregate(node.args, frame, '[', '])')
    this._emit(')')
  }
}

// ---- runtime -----------------------------------------------------------------------------------------

function lookupVariable(context: NunjucksContext, frame: NunjucksFrame, name: string): unknown {
  const local = frame.lookup(name)
  if (local !== undefined) return local
  const ctx = context.ctx
  if (Object.hasOwn(ctx, name)) return ctx[name]
  const vars = ctx[VARS_KEY] as Record<string, unknown> | undefined
  if (vars && hasKey(vars, name)) {
    const value = vars[name]
    return value === undefined ? undefinedVariable(name) : value
  }
  if (Object.hasOwn(context.env.globals, name)) return context.env.globals[name]
  return undefinedVariable(name)
}

function callFunction(fn: unknown, name: string, context: unknown, args: unknown[]): unknown {
  if (fn instanceof Undefined) fn.fail()
  if (typeof fn !== 'function')
    throw new TemplateError(`'${pyTypeName(fn)}' object is not callable: ${name}`)
  return (fn as (...a: unknown[]) => unknown).apply(context, args)
}

function installRuntimePatches(): void {
  Object.assign(runtime, {
    contextOrFrameLookup: lookupVariable,
    memberLookup: (obj: unknown, key: unknown, ...slice: unknown[]) =>
      slice.length === 2 ? sliceValue(obj, key, slice[0], slice[1]) : getAttribute(obj, key),
    callWrap: callFunction,
    // As Ansible's finalize: None prints as nothing.
    suppressValue: (value: unknown) => (value === null ? '' : pythonStr(value)),
    inOperator: (item: unknown, container: unknown) => pyIn(item, container),
    fromIterator: (value: unknown) => {
      assertDefined(value)
      if (typeof value === 'string') return [...value]
      if (isPlainObject(value)) return Object.keys(value)
      if (value === null || value === undefined)
        throw new TemplateError("'NoneType' object is not iterable")
      return value
    },
    __apTruthy: pyTruthy,
    __apOr: (left: unknown, right: () => unknown) => (pyTruthy(left) ? left : right()),
    __apAnd: (left: unknown, right: () => unknown) => (pyTruthy(left) ? right() : left),
    __apBinOp: pyBinOp,
    __apConcat: (left: unknown, right: unknown) => pythonStr(left) + pythonStr(right),
    __apCompare: (first: unknown, ...rest: unknown[]) => {
      let left = first
      for (let i = 0; i < rest.length; i += 2) {
        const right = rest[i + 1]
        if (!pyCompare(String(rest[i]), left, right)) return false
        left = right
      }
      return true
    },
    __apTest: (name: string, value: unknown, raw: unknown[]) => {
      const { args, kwargs } = splitKeywordArgs(raw)
      return callTest(name, value, args, kwargs)
    },
    __apDict: (pairs: [unknown, unknown][]) => {
      const out: Record<string, unknown> = {}
      for (const [key, value] of pairs) out[pythonStr(assertDefined(key))] = value
      return out
    },
    __apCallMember: (
      obj: unknown,
      key: unknown,
      name: string,
      context: unknown,
      raw: unknown[]
    ) => {
      assertDefined(obj)
      const method = typeof key === 'string' ? findMethod(obj, key) : undefined
      if (method) {
        const { args, kwargs } = splitKeywordArgs(raw)
        return method(args, kwargs)
      }
      return callFunction(getAttribute(obj, key), name, context, raw)
    }
  })
}

// ---- environment: filters, tests, globals ------------------------------------------------------------

function wrapFilter(name: string, filter: FilterFunction) {
  return function (value: unknown, ...raw: unknown[]): unknown {
    const { args, kwargs } = splitKeywordArgs(raw)
    if (!UNDEFINED_SAFE_FILTERS.has(name)) assertArgumentsDefined(value, args, kwargs)
    return filter(value, args, kwargs)
  }
}

function createEnvironment(): nunjucks.Environment {
  const env = new nunjucks.Environment(null, {
    autoescape: false,
    throwOnUndefined: false,
    trimBlocks: true
  })
  const builtins = env as unknown as { filters: Record<string, (...args: unknown[]) => unknown> }
  // nunjucks' own filters that we do not replace still refuse Undefined and take keyword arguments last.
  for (const [name, fn] of Object.entries(builtins.filters)) {
    env.addFilter(
      name,
      wrapFilter(name, (value, args, kwargs) =>
        fn(value, ...args, ...(Object.keys(kwargs).length ? [kwargs] : []))
      )
    )
  }
  const filters = createFilters({
    callFilter: (name, value, args, kwargs) => {
      const filter = env.getFilter(name) as (...a: unknown[]) => unknown
      return filter(
        value,
        ...args,
        ...(Object.keys(kwargs).length ? [{ ...kwargs, __keywords: true }] : [])
      )
    },
    callTest
  })
  for (const [name, fn] of Object.entries(filters)) env.addFilter(name, wrapFilter(name, fn))
  const getFilter = env.getFilter.bind(env)
  env.getFilter = (name: string) => {
    if (!Object.hasOwn(builtins.filters, name))
      throw new TemplateError(`No filter named '${name}'.`)
    return getFilter(name)
  }
  // Lookups run on the controller and come with a later release: each call is refused by name, where an
  // undefined `lookup` would only say "'lookup' is undefined".
  for (const name of ['lookup', 'query', 'q']) env.addGlobal(name, refuseLookup(name))
  env.addGlobal('True', true)
  env.addGlobal('False', false)
  env.addGlobal('None', null)
  env.addGlobal('dict', (...raw: unknown[]) => {
    const { args, kwargs } = splitKeywordArgs(raw)
    const base =
      args[0] === undefined
        ? {}
        : isPlainObject(args[0])
          ? args[0]
          : Object.fromEntries(args[0] as [string, unknown][])
    return { ...base, ...kwargs }
  })
  return env
}

/** The global that stands for `lookup()`, `query()` or `q()`: it refuses the call, naming the plugin. */
function refuseLookup(fn: string) {
  return (...raw: unknown[]): never => {
    const plugin = raw[0]
    const named = typeof plugin === 'string' ? `lookup plugin (${plugin})` : `${fn}()`
    throw new TemplateError(
      `${named} is not supported yet: lookup(), query() and q() come with a later release of ` +
        'async-playbook. Until then, set the value in vars, vars_files or -e, or read it on the target ' +
        'with a shell task and register it'
    )
  }
}

let installed = false

/** Patches nunjucks once (process-wide; only src/template uses nunjucks) and returns the Ansible environment. */
export function installJinjaCompat(): nunjucks.Environment {
  if (!installed) {
    nj.installJinjaCompat() // slices (x[1:3]); its lookups are replaced below
    const tokenizerProto = Object.getPrototypeOf(nj.lexer.lex('')) as Record<string, unknown>
    tokenizerProto._parseString = parsePythonString
    tokenizerProto.nextToken = balancedCurlies(
      tokenizerProto.nextToken as (this: TokenizerInstance) => Token | null
    )
    nj.parser.Parser.prototype.parsePostfix = parsePostfix
    installCompilerPatches()
    installRuntimePatches()
    installed = true
  }
  return createEnvironment()
}
