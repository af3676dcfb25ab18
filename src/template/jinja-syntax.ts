/** Lexer and parser patches: Python string escapes, `}}` in dicts, `null` as a name, `x.0`. */
import {
  type AstNode,
  type ParserInstance,
  type Token,
  type TokenizerInstance,
  TOKEN,
  nj,
  nodes
} from './nunjucks-internals.js'
import { PyFloat } from './python.js'

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
/** Completes a float literal's exponent (`1e`, `+`/`-`, digits) from the text after the token. */
function exponentLiteral(tokenizer: TokenizerInstance, tok: Token): void {
  if (/[eE]$/.test(tok.value)) {
    const rest = /^[+-]?\d+/.exec(tokenizer.str.slice(tokenizer.index))
    if (!rest) return
    for (let i = 0; i < rest[0].length; i++) tokenizer.forward()
    tok.value += rest[0]
  }
  tok.type = TOKEN.FLOAT
}

/** Extends a float literal with a fraction (`1.5`) by an exponent right after it (`e-5`, `E3`). */
function fractionExponent(tokenizer: TokenizerInstance, tok: Token): void {
  const exponent = /^[eE][+-]?\d+/.exec(tokenizer.str.slice(tokenizer.index))
  if (!exponent) return
  for (let i = 0; i < exponent[0].length; i++) tokenizer.forward()
  tok.value += exponent[0]
}

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
    // `1e3`, `2E-5`: a float literal with an exponent (nunjucks reads `1e3` as a name, `2E-5` as 2E - 5).
    if (tok?.type === TOKEN.SYMBOL && /^\d+[eE]\d*$/.test(tok.value)) exponentLiteral(this, tok)
    // `1.5e-5`, `2.5E3`: nunjucks ends the float at the fraction and reads the exponent as a name.
    else if (tok?.type === TOKEN.FLOAT && /^\d+\.\d+$/.test(tok.value)) fractionExponent(this, tok)
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

// ---- parser: a test's one argument without parentheses (`x is divisibleby 3`, `y is sameas true`) ----

// The tokens that start a test's argument, as Jinja2 lists them (its names include true/false/none).
const TEST_ARGUMENT_STARTS = new Set([
  TOKEN.SYMBOL,
  TOKEN.STRING,
  TOKEN.INT,
  TOKEN.FLOAT,
  TOKEN.LEFT_BRACKET,
  TOKEN.LEFT_CURLY,
  TOKEN.BOOLEAN,
  TOKEN.NONE
])

function parseIs(this: ParserInstance): AstNode {
  let node = this.parseCompare()
  if (!this.skipSymbol('is')) return node
  const negated = this.skipSymbol('not')
  let test = this.parseCompare()
  const next = this.peekToken()
  if (
    test instanceof nodes.Symbol! &&
    next &&
    TEST_ARGUMENT_STARTS.has(next.type) &&
    !(next.type === TOKEN.SYMBOL && ['else', 'or', 'and'].includes(next.value))
  ) {
    if (next.type === TOKEN.SYMBOL && next.value === 'is')
      this.fail('You cannot chain multiple tests with is', next.lineno, next.colno)
    const argument = this.parsePrimary()
    test = new nodes.FunCall!(
      test.lineno,
      test.colno,
      test,
      new nodes.NodeList!(argument.lineno, argument.colno, [argument])
    )
  }
  node = new nodes.Is!(node.lineno, node.colno, node, test)
  return negated ? new nodes.Not!(node.lineno, node.colno, node) : node
}

// ---- parser: tuple literals `(1, 2)`, `(1,)`, `()` ------------------------------------------------------

/**
 * Parentheses as Jinja2 reads them: a comma inside (even a trailing one) or nothing at all makes a tuple (a
 * Tuple node); one expression alone stays itself (a Group). Brackets and braces go to nunjucks' parser.
 */
function tupleLiterals(original: (this: ParserInstance) => AstNode | null) {
  return function parseAggregate(this: ParserInstance): AstNode | null {
    const open = this.peekToken()
    if (open?.type !== TOKEN.LEFT_PAREN) return original.call(this)
    this.nextToken()
    const items: AstNode[] = []
    let comma = false
    while (!this.skip(TOKEN.RIGHT_PAREN)) {
      if (items.length > 0) {
        if (!this.skip(TOKEN.COMMA)) {
          const tok = this.peekToken()
          this.fail(
            `expected ',' or ')' in parentheses, got ${tok?.value ?? 'end of input'}`,
            tok?.lineno,
            tok?.colno
          )
        }
        comma = true
        if (this.skip(TOKEN.RIGHT_PAREN)) break
      }
      items.push(this.parseExpression())
    }
    const node = comma || items.length === 0 ? nodes.Tuple! : nodes.Group!
    return new node(open.lineno, open.colno, items)
  }
}

/**
 * A float literal (`1.0`, `1e3`) whose value is integral becomes a PyFloat literal, so it stays a float
 * (`{{ 1.0 }}` prints `1.0`). The literal may be the start of a postfix chain (`1.0 | string`, `2.0.real`).
 */
function floatLiterals(original: (this: ParserInstance, noPostfix?: boolean) => AstNode) {
  return function parsePrimary(this: ParserInstance, noPostfix?: boolean): AstNode {
    const tok = this.peekToken()
    const node = original.call(this, noPostfix)
    if (tok?.type !== TOKEN.FLOAT) return node
    let literal: AstNode | undefined = node
    while (literal && literal.typename !== 'Literal')
      literal = (literal.target ?? literal.name) as AstNode | undefined
    if (
      literal &&
      literal.lineno === tok.lineno &&
      literal.colno === tok.colno &&
      typeof literal.value === 'number' &&
      Number.isInteger(literal.value)
    )
      literal.value = new PyFloat(literal.value)
    return node
  }
}

/** Installs the lexer and parser patches on nunjucks' prototypes (once, from installJinjaCompat). */
export function installSyntaxPatches(): void {
  const tokenizerProto = Object.getPrototypeOf(nj.lexer.lex('')) as Record<string, unknown>
  tokenizerProto._parseString = parsePythonString
  tokenizerProto.nextToken = balancedCurlies(
    tokenizerProto.nextToken as (this: TokenizerInstance) => Token | null
  )
  // A Tuple node is a Group nunjucks' transformer can rebuild (it looks node classes up by name).
  nodes.Tuple ??= (
    nodes.Group as unknown as { extend(name: string): (typeof nodes)[string] }
  ).extend('Tuple')
  nj.parser.Parser.prototype.parseAggregate = tupleLiterals(
    nj.parser.Parser.prototype.parseAggregate as (this: ParserInstance) => AstNode | null
  )
  nj.parser.Parser.prototype.parsePostfix = parsePostfix
  nj.parser.Parser.prototype.parseIs = parseIs
  nj.parser.Parser.prototype.parsePrimary = floatLiterals(
    nj.parser.Parser.prototype.parsePrimary as (this: ParserInstance) => AstNode
  )
}
