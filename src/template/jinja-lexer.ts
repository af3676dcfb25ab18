/**
 * Jinja2's lexer at the level of template text and tags, for the template module: where tags start and
 * end (with any delimiters), whitespace control (`trim_blocks`, `lstrip_blocks`, `{%-`, `{%+`, `-%}`,
 * `+%}`, `{#- -#}`, `{{- -}}`), comments, `{% raw %}`, and newlines (`newline_sequence`,
 * `keep_trailing_newline`), all as Jinja2 3.1 defines them. Its output is a canonical source for nunjucks:
 * the same tags between `{{ }}`/`{% %}`, no whitespace control left to apply, comments gone, text that
 * nunjucks' own lexer would misread (`{`, `#}`) handed over as string literals. nunjucks then parses the
 * tags' contents and renders as it does for every other template (engine.ts).
 */
import { JinjaError } from '../errors.js'

/** The Jinja2 environment settings that decide how template text is split into text and tags. */
export interface JinjaSyntax {
  trimBlocks: boolean
  lstripBlocks: boolean
  newlineSequence: '\n' | '\r' | '\r\n'
  keepTrailingNewline: boolean
  blockStart: string
  blockEnd: string
  variableStart: string
  variableEnd: string
  commentStart: string
  commentEnd: string
}

/** Jinja2's own defaults with Ansible's `trim_blocks: true`: what the template module starts from. */
export const ANSIBLE_TEMPLATE_SYNTAX: Readonly<JinjaSyntax> = {
  trimBlocks: true,
  lstripBlocks: false,
  newlineSequence: '\n',
  keepTrailingNewline: false,
  blockStart: '{%',
  blockEnd: '%}',
  variableStart: '{{',
  variableEnd: '}}',
  commentStart: '{#',
  commentEnd: '#}'
}

// Python's `\s` on text (str.isspace): JavaScript's lacks \x1c-\x1f and \x85 and adds \ufeff.
const WS =
  '[\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]'
const ONLY_WS = new RegExp(`^${WS}+$`)
const TRAILING_WS = new RegExp(`${WS}+$`)

// Inside a tag, Jinja2's token rules in its order (whitespace, float, integer, name, string, operator):
// the end of a tag is only looked for where a token starts.
const TAG_TOKENS: ReadonlyArray<{ kind: 'ws' | 'other' | 'string' | 'operator'; re: RegExp }> = [
  { kind: 'ws', re: new RegExp(`${WS}+`, 'y') },
  {
    kind: 'other',
    re: /(?<!\.)(?:\p{Nd}+_)*\p{Nd}+(?:(?:\.(?:\p{Nd}+_)*\p{Nd}+)?[eE][+-]?(?:\p{Nd}+_)*\p{Nd}+|\.(?:\p{Nd}+_)*\p{Nd}+)/uy
  },
  {
    kind: 'other',
    re: /0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|0[xX](?:_?[\p{Nd}a-fA-F])+|[1-9](?:_?\p{Nd})*|0(?:_?0)*/uy
  },
  { kind: 'other', re: /[\p{L}\p{N}\p{M}\p{Pc}]+/uy },
  { kind: 'string', re: /'[^'\\]*(?:\\[\s\S][^'\\]*)*'|"[^"\\]*(?:\\[\s\S][^"\\]*)*"/y },
  { kind: 'operator', re: /\/\/|\*\*|==|!=|>=|<=|[-+/*%~[\](){}><=.:|,;]/y }
]
const CLOSING: Record<string, string> = { '{': '}', '(': ')', '[': ']' }

/** One piece of a lexed template: text to print as it is, or a tag's contents. */
type Piece = { kind: 'data'; text: string } | { kind: 'block' | 'variable'; body: string }

type TagKind = 'comment' | 'block' | 'variable'

function escapeRe(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')
}

/** The compiled rules for one set of delimiters and trimming settings. */
interface Rules {
  root: RegExp
  /** The tag kind of each alternative after `raw`, in the order Jinja2 tries them. */
  tags: TagKind[]
  rawEnd: RegExp
  commentEnd: RegExp
  blockEnd: RegExp
  variableEnd: RegExp
}

const rulesCache = new Map<string, Rules>()

function rulesFor(syntax: JinjaSyntax): Rules {
  const key = JSON.stringify([
    syntax.trimBlocks,
    syntax.blockStart,
    syntax.blockEnd,
    syntax.variableStart,
    syntax.variableEnd,
    syntax.commentStart,
    syntax.commentEnd
  ])
  const cached = rulesCache.get(key)
  if (cached) return cached
  const bs = escapeRe(syntax.blockStart)
  const be = escapeRe(syntax.blockEnd)
  const suffix = syntax.trimBlocks ? '\\n?' : ''
  // Longest start first; on equal lengths Jinja2's order is variable, comment, block.
  const starts: Array<[number, string, TagKind, string]> = [
    [syntax.commentStart.length, 'comment_begin', 'comment', syntax.commentStart],
    [syntax.blockStart.length, 'block_begin', 'block', syntax.blockStart],
    [syntax.variableStart.length, 'variable_begin', 'variable', syntax.variableStart]
  ]
  starts.sort((a, b) => b[0] - a[0] || (a[1] < b[1] ? 1 : a[1] > b[1] ? -1 : 0))
  const raw = `(${bs}(-|\\+|)${WS}*raw${WS}*(?:-${be}${WS}*|${be}))`
  const alternatives = [raw, ...starts.map(([, , , start]) => `(${escapeRe(start)}(-|\\+|))`)]
  const rules: Rules = {
    root: new RegExp(`([\\s\\S]*?)(?:${alternatives.join('|')})`, 'y'),
    tags: starts.map(([, , kind]) => kind),
    rawEnd: new RegExp(
      `([\\s\\S]*?)(?:${bs}(-|\\+|))${WS}*endraw${WS}*(?:\\+${be}|-${be}${WS}*|${be}${suffix})`,
      'y'
    ),
    commentEnd: new RegExp(
      `([\\s\\S]*?)(?:\\+${escapeRe(syntax.commentEnd)}|-${escapeRe(syntax.commentEnd)}${WS}*|${escapeRe(syntax.commentEnd)}${suffix})`,
      'y'
    ),
    blockEnd: new RegExp(`\\+${be}|-${be}${WS}*|${be}${suffix}`, 'y'),
    variableEnd: new RegExp(
      `-${escapeRe(syntax.variableEnd)}${WS}*|${escapeRe(syntax.variableEnd)}`,
      'y'
    )
  }
  if (rulesCache.size > 50) rulesCache.clear()
  rulesCache.set(key, rules)
  return rules
}

function matchAt(re: RegExp, text: string, pos: number): RegExpExecArray | null {
  re.lastIndex = pos
  return re.exec(text)
}

/**
 * The text before a tag, with the whitespace that the tag's sign (`-`/`+`) or `lstrip_blocks` removes:
 * `-` strips all whitespace before the tag; lstrip (not for `{{`, not with `+`) strips the blanks between
 * the start of the line and the tag when nothing else is there.
 */
function stripBefore(text: string, sign: string, lstrip: boolean, lineStarting: boolean): string {
  if (sign === '-') return text.replace(TRAILING_WS, '')
  if (sign === '+' || !lstrip) return text
  const lineStart = text.lastIndexOf('\n') + 1
  if ((lineStart > 0 || lineStarting) && ONLY_WS.test(text.slice(lineStart)))
    return text.slice(0, lineStart)
  return text
}

/**
 * Splits template source into text and tags as Jinja2's lexer does with `syntax`; text comes with its
 * newlines in `newlineSequence`, as do newlines inside string literals in tags.
 * @throws JinjaError (a syntax error) for a comment or raw block without its end, and for the characters and brackets
 *   Jinja2's lexer refuses inside a tag
 */
export function lexJinja(source: string, syntax: JinjaSyntax): Piece[] {
  const lines = source.split(/\r\n|\r|\n/)
  if (!syntax.keepTrailingNewline && lines[lines.length - 1] === '') lines.pop()
  const text = lines.join('\n')
  const rules = rulesFor(syntax)
  const nl = syntax.newlineSequence
  const pieces: Piece[] = []
  // Adjacent text (around a comment, a raw block) is one piece: canonicalSource judges it whole.
  const data = (value: string): void => {
    if (value === '') return
    const text = value.replace(/\n/g, nl)
    const last = pieces[pieces.length - 1]
    if (last?.kind === 'data') last.text += text
    else pieces.push({ kind: 'data', text })
  }
  let pos = 0
  let lineStarting = true
  while (pos < text.length) {
    const m = matchAt(rules.root, text, pos)
    if (!m) {
      data(text.slice(pos))
      break
    }
    let kind: TagKind | 'raw' = 'raw'
    let sign = m[3]
    if (m[2] === undefined) {
      const index = [4, 6, 8].findIndex((group) => m[group] !== undefined)
      kind = rules.tags[index]!
      sign = m[4 + 2 * index + 1]
    }
    data(stripBefore(m[1]!, sign!, syntax.lstripBlocks && kind !== 'variable', lineStarting))
    lineStarting = m[0].endsWith('\n')
    pos = m.index + m[0].length
    if (kind === 'raw') {
      const end = matchAt(rules.rawEnd, text, pos)
      if (!end) throw new JinjaError('Missing end of raw directive', 'syntax')
      data(stripBefore(end[1]!, end[2]!, syntax.lstripBlocks, lineStarting))
      lineStarting = end[0].endsWith('\n')
      pos = end.index + end[0].length
    } else if (kind === 'comment') {
      const end = matchAt(rules.commentEnd, text, pos)
      if (!end) throw new JinjaError('Missing end of comment tag', 'syntax')
      lineStarting = end[0].endsWith('\n')
      pos = end.index + end[0].length
    } else {
      const tag = lexTag(text, pos, kind === 'block' ? rules.blockEnd : rules.variableEnd, nl)
      if (tag.end < 0) {
        throw new JinjaError(
          `unexpected end of template, expected 'end of ${kind === 'block' ? 'statement block' : 'print statement'}'.`,
          'syntax'
        )
      }
      pieces.push({ kind, body: tag.body })
      lineStarting = tag.lineStarting
      pos = tag.end
    }
  }
  return pieces
}

/** Reads a tag's contents from `pos` up to its end delimiter, skipping strings and nested brackets. */
function lexTag(
  text: string,
  start: number,
  endRule: RegExp,
  nl: string
): { body: string; end: number; lineStarting: boolean } {
  const balance: string[] = []
  let body = ''
  let pos = start
  let lineStarting = false
  for (;;) {
    if (balance.length === 0) {
      const end = matchAt(endRule, text, pos)
      if (end) return { body, end: pos + end[0].length, lineStarting: end[0].endsWith('\n') }
    }
    if (pos >= text.length) return { body, end: -1, lineStarting }
    let token: { kind: string; value: string } | undefined
    for (const rule of TAG_TOKENS) {
      const m = matchAt(rule.re, text, pos)
      if (m && m[0] !== '') {
        token = { kind: rule.kind, value: m[0] }
        break
      }
    }
    if (!token) {
      throw new JinjaError(
        `unexpected char ${pythonCharRepr(text[pos]!)} at ${countCodePoints(text.slice(0, pos))}`,
        'syntax'
      )
    }
    if (token.kind === 'operator') {
      const op = token.value
      if (CLOSING[op]) balance.push(CLOSING[op])
      else if (op === '}' || op === ')' || op === ']') {
        const expected = balance.pop()
        if (expected === undefined) throw new JinjaError(`unexpected '${op}'`, 'syntax')
        if (expected !== op)
          throw new JinjaError(`unexpected '${op}', expected '${expected}'`, 'syntax')
      }
    }
    body += token.kind === 'string' ? token.value.replace(/\n/g, nl) : token.value
    pos += token.value.length
    lineStarting = token.value.endsWith('\n')
  }
}

function countCodePoints(text: string): number {
  let n = 0
  for (const _ of text) n++
  return n
}

/** Python's repr() of one character, as Jinja2's "unexpected char" message shows it. */
function pythonCharRepr(ch: string): string {
  if (ch === "'") return '"\'"'
  if (ch === '\\') return "'\\\\'"
  const code = ch.codePointAt(0)!
  if (code < 0x20 || code === 0x7f) {
    const named: Record<number, string> = { 9: '\\t', 10: '\\n', 13: '\\r' }
    return `'${named[code] ?? `\\x${code.toString(16).padStart(2, '0')}`}'`
  }
  return `'${ch}'`
}

// What nunjucks' lexer reads as the start of a tag or the end of a comment in plain text.
const NUNJUCKS_TAG_TEXT = /\{|#\}/

function stringLiteral(text: string): string {
  return `"${text.replace(/[\\"\n\r]/g, (ch) => ({ '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r' })[ch]!)}"`
}

/** The statements Ansible's Jinja2 environment knows (no extension is enabled by default). */
const SIMPLE_STATEMENTS = new Set(['extends', 'print', 'include', 'from', 'import'])
/** The statements with a body, and the tags that may end (or continue) it. */
const BODY_ENDS: Record<string, readonly string[]> = {
  for: ['endfor', 'else'],
  if: ['elif', 'else', 'endif'],
  block: ['endblock'],
  macro: ['endmacro'],
  with: ['endwith'],
  autoescape: ['endautoescape'],
  call: ['endcall'],
  filter: ['endfilter'],
  set: ['endset']
}
/**
 * Whether a `set` tag is an assignment: a lone `=` outside brackets and strings follows its target(s)
 * (`{% set a, (b, c) = … %}`); without one it opens a block ended by endset (`{% set x | f(k=1) %}`).
 */
function isSetAssignment(body: string): boolean {
  let depth = 0
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!
    if (ch === "'" || ch === '"') {
      for (i++; i < body.length && body[i] !== ch; i++) if (body[i] === '\\') i++
    } else if (ch === '(' || ch === '[' || ch === '{') depth++
    else if (ch === ')' || ch === ']' || ch === '}') depth--
    else if (
      ch === '=' &&
      depth === 0 &&
      !'=!<>'.includes(body[i - 1] ?? '') &&
      body[i + 1] !== '='
    )
      return true
  }
  return false
}

/**
 * Checks the statements' nesting as Jinja2's parser does, failing in its words: a tag it does not know
 * (nunjucks knows more, `elseif`, `switch`, `verbatim`, …, and `{% raw +%}` is a tag named raw, not a raw
 * block), an end or `else` where another block is open, a block
 * left open at the end of the template.
 */
function checkStatements(pieces: readonly Piece[]): void {
  // The open blocks, innermost last: the tag, and the tags that may come next in it.
  const open: Array<{ tag: string; ends: readonly string[] }> = []
  const fail = (name: string | undefined): never => {
    const expected = new Set(open.flatMap((b) => b.ends))
    const innermost = open.at(-1)
    const message = [
      name === undefined ? 'Unexpected end of template.' : `Encountered unknown tag '${name}'.`
    ]
    if (innermost) {
      const looking = innermost.ends.map((t) => `'${t}'`).join(' or ')
      message.push(
        name !== undefined && expected.has(name)
          ? `You probably made a nesting mistake. Jinja is expecting this tag, but currently looking for ${looking}.`
          : `Jinja was looking for the following tags: ${looking}.`
      )
      message.push(`The innermost block that needs to be closed is '${innermost.tag}'.`)
    }
    throw new JinjaError(message.join(' '), 'syntax')
  }
  for (const piece of pieces) {
    if (piece.kind !== 'block') continue
    const body = piece.body.trim()
    const name = /^[\p{L}_][\p{L}\p{N}_]*/u.exec(body)?.[0]
    if (name === undefined) throw new JinjaError('tag name expected', 'syntax')
    const innermost = open.at(-1)
    if (innermost?.ends.includes(name)) {
      if (name.startsWith('end')) open.pop()
      else if (name === 'else') innermost.ends = [`end${innermost.tag}`]
      // `elif` keeps the if's tags.
      continue
    }
    if (SIMPLE_STATEMENTS.has(name) || (name === 'set' && isSetAssignment(body))) continue
    const ends = BODY_ENDS[name]
    if (!ends) fail(name)
    open.push({ tag: name, ends: ends! })
  }
  if (open.length > 0) fail(undefined)
}

/**
 * The canonical nunjucks source of a Jinja2 template: rendered by nunjucks without trimming
 * (trimBlocks and lstripBlocks off), it prints what Jinja2 prints for `source` with `syntax`.
 */
export function canonicalSource(source: string, syntax: JinjaSyntax): string {
  let out = ''
  const pieces = lexJinja(source, syntax)
  checkStatements(pieces)
  // Jinja2's filtered set block (`{% set x | f %}…{% endset %}`), which nunjucks lacks: the block is
  // captured, then the filters applied to it. The open set blocks, innermost last.
  const setBlocks: Array<{ name: string; filters: string } | undefined> = []
  for (const piece of pieces) {
    if (piece.kind === 'data')
      out += NUNJUCKS_TAG_TEXT.test(piece.text) ? `{{ ${stringLiteral(piece.text)} }}` : piece.text
    else if (piece.kind === 'block') {
      const body = piece.body.trim()
      if (/^set\b/.test(body) && !isSetAssignment(body)) {
        const filtered = /^set\s+([\p{L}_][\p{L}\p{N}_]*)\s*(\|[\s\S]*)$/u.exec(body)
        setBlocks.push(filtered ? { name: filtered[1]!, filters: filtered[2]! } : undefined)
        out += filtered ? `{% set ${filtered[1]} %}` : `{% ${piece.body} %}`
      } else if (/^endset\b/.test(body)) {
        const block = setBlocks.pop()
        out += `{% ${piece.body} %}`
        if (block) out += `{% set ${block.name} = ${block.name} ${block.filters} %}`
      } else out += `{% ${piece.body} %}`
    } else out += `{{ ${piece.body} }}`
  }
  return out
}
