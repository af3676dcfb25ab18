/** Compiler patches: Jinja2 operators, tests, dicts and method calls compile to runtime helpers. */
import { type AstNode, type CompilerMethod, nj, nodes } from './nunjucks-internals.js'
import { PyFloat } from './python.js'

/** Compiles `left OP right` to `<call>left, right)`: a call to a runtime helper. */
function binaryCall(call: string): CompilerMethod {
  return function (node, frame) {
    this._emit(call)
    this.compile(node.left, frame)
    this._emit(', ')
    this.compile(node.right, frame)
    this._emit(')')
  }
}

/** Compiles `OP target` to `<call>target)`: a call to a runtime helper. */
function unaryCall(call: string): CompilerMethod {
  return function (node, frame) {
    this._emit(call)
    this.compile(node.target, frame)
    this._emit(')')
  }
}

function binaryOp(op: string): CompilerMethod {
  return binaryCall(`runtime.__apBinOp(${JSON.stringify(op)}, `)
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

// A dotted test name (`is ansible.builtin.match`) parses as attribute lookups on a symbol.
function dottedName(node: AstNode | undefined): string | undefined {
  if (!node) return undefined
  if (node.typename === 'Symbol') return String(node.value)
  if (node.typename === 'LookupVal') {
    const target = dottedName(node.target as AstNode)
    const key = node.val as AstNode | undefined
    if (target !== undefined && key?.typename === 'Literal' && typeof key.value === 'string')
      return `${target}.${key.value}`
  }
  return undefined
}

function testName(right: AstNode): { name: string; args: AstNode | undefined } {
  const named = right.name as AstNode | undefined
  if (named) return { name: dottedName(named) ?? String(named.value), args: right.args as AstNode }
  const dotted = right.typename === 'LookupVal' ? dottedName(right) : undefined
  if (dotted !== undefined) return { name: dotted, args: undefined }
  if (right.value === null) return { name: 'none', args: undefined }
  // `is None`/`is True` (Python spelling) name the none/true/false tests.
  const name = String(right.value)
  return { name: /^(None|True|False)$/.test(name) ? name.toLowerCase() : name, args: undefined }
}

/** Installs the compiler patches on nunjucks' Compiler (once, from installJinjaCompat). */
export function installCompilerPatches(): void {
  const proto = nj.compiler.Compiler.prototype
  const originalCompileDict = proto.compileDict!
  const originalCompileFunCall = proto.compileFunCall!
  const originalCompileIf = proto.compileIf!
  const originalCompileLiteral = proto.compileLiteral!

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
  // `(a, b)`, `(a,)` and `()` are Python tuples (jinja-syntax.ts makes them Tuple nodes); a Group is one
  // parenthesised expression (nunjucks would emit JavaScript's comma operator for several).
  proto.compileTuple = function (node, frame) {
    this._emit('runtime.__apTuple(')
    this._compileAggregate(node, frame, '[', ']')
    this._emit(')')
  }
  proto.compileGroup = function (node, frame) {
    if (node.children.length !== 1) proto.compileTuple!.call(this, node, frame)
    else this._compileAggregate(node, frame, '(', ')')
  }
  proto.compileNot = unaryCall('!runtime.__apTruthy(')
  proto.compileNeg = unaryCall('runtime.__apNeg(')
  proto.compilePos = unaryCall('runtime.__apBinOp("+", 0, ')
  proto.compileConcat = binaryCall('runtime.__apConcat(')
  // An integral float literal (a PyFloat, from the parser) is made at run time: `runtime.__apFloat(2)`.
  proto.compileLiteral = function (node, frame) {
    if (node.value instanceof PyFloat) this._emit(`runtime.__apFloat(${node.value.valueOf()})`)
    else originalCompileLiteral.call(this, node, frame)
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
    // `env` (the compiled template's environment, in scope everywhere in it): `'upper' is filter`.
    this._emit(', env)')
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
