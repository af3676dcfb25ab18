/** The untyped nunjucks internals (lexer, parser, compiler, runtime) that the patches use. */
import nunjucks from 'nunjucks'

// nunjucks' compiler, parser and runtime internals are untyped (@types/nunjucks covers only the public API);
// these interfaces describe the parts we patch.
export interface AstNode {
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
export type CompilerMethod = (this: CompilerInstance, node: AstNode, frame: unknown) => void
export interface Token {
  type: string
  value: string
  lineno: number
  colno: number
}
export interface ParserInstance {
  peekToken(): Token | null
  nextToken(): Token | null
  skipSymbol(name: string): boolean
  skip(type: string): boolean
  parseExpression(): AstNode
  parseCompare(): AstNode
  parsePrimary(): AstNode
  parseSignature(): AstNode
  parseAggregate(): AstNode
  parseExpression(): AstNode
  parseOr(): AstNode
  parseUntilBlocks(...names: string[]): AstNode
  advanceAfterBlockEnd(name?: string): Token
  skip(type: string): boolean
  skipValue(type: string, value: string): boolean
  pushToken(tok: Token | null): void
  fail(message: string, lineno?: number, colno?: number): never
}
export interface TokenizerInstance {
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
export interface NunjucksContext {
  ctx: Record<string, unknown>
  env: { globals: Record<string, unknown> }
}
export interface NunjucksFrame {
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

export const nj = nunjucks as unknown as NunjucksInternals
export const { runtime, nodes } = nj
export const TOKEN = {
  LEFT_PAREN: nj.lexer.TOKEN_LEFT_PAREN!,
  RIGHT_PAREN: nj.lexer.TOKEN_RIGHT_PAREN!,
  COMMA: nj.lexer.TOKEN_COMMA!,
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
  NONE: nj.lexer.TOKEN_NONE!,
  STRING: nj.lexer.TOKEN_STRING!
}
