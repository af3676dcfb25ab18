/**
 * The subset of Python's `ast.literal_eval` that Ansible relies on: INI inventory values (`_parse_value`) and
 * rendered templates that read as a list, dict or boolean (`convert_data`). `22`, `True`, `None`, `'a b'`,
 * `[1, 2]` or `{'k': 1}` become typed values; anything that is not a Python literal (`true`, `07`, `a b`,
 * `{{ x }}`) stays the string it was. Also Python's string escapes, which Ansible's parse_kv decodes.
 */

import { PyFloat, pyFloat } from './py-float.js'

const NOT_A_LITERAL = Symbol('not a literal')

class LiteralSyntaxError extends Error {}

/**
 * Returns the value Python's `ast.literal_eval(text)` would give, or `text` itself where Python would raise.
 * With `jsonNames`, the names `true`, `false` and `null` are read as JSON's (Ansible's Json2Python, which
 * convert_data applies before literal_eval: a lookup's JSON text becomes a dict).
 */
export function parsePythonLiteral(text: string, jsonNames = false): unknown {
  const value = literalEval(text, jsonNames)
  return value === NOT_A_LITERAL ? text : value
}

function literalEval(text: string, jsonNames: boolean): unknown {
  // Python 3.10+ strips leading spaces and tabs before parsing.
  const parser = new LiteralParser(text.replace(/^[ \t]+/, ''), jsonNames)
  try {
    const value = parser.parseValue()
    parser.skipBlank()
    return parser.atEnd() ? value : NOT_A_LITERAL
  } catch (e) {
    if (e instanceof LiteralSyntaxError) return NOT_A_LITERAL
    throw e
  }
}

const NUMBER =
  /^(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:\d(?:_?\d)*)?\.\d(?:_?\d)*(?:[eE][+-]?\d(?:_?\d)*)?|\d(?:_?\d)*\.?(?:[eE][+-]?\d(?:_?\d)*)?)/
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*/
const SIMPLE_ESCAPES: Record<string, string> = {
  '\n': '',
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v'
}

/**
 * Decodes the escapes Ansible's `_decode_escapes` decodes in `key=value` arguments: `\n`, `\t`, `\"`,
 * `\\`, `\xHH`, `\uHHHH` and `\UHHHHHHHH`. Anything else stays as written: octal `\NNN` too (Ansible's
 * pattern has no octal escapes, so `replace='"\1"'` keeps its backreference).
 */
export function decodePythonEscapes(text: string): string {
  if (!text.includes('\\')) return text
  return text.replace(
    /\\(U[0-9A-Fa-f]{8}|u[0-9A-Fa-f]{4}|x[0-9A-Fa-f]{2}|[\\'"abfnrtv])/g,
    (whole, escape: string) => {
      const kind = escape[0]!
      if (kind === 'U' || kind === 'u' || kind === 'x') {
        const code = parseInt(escape.slice(1), 16)
        return code <= 0x10ffff ? String.fromCodePoint(code) : whole
      }
      return SIMPLE_ESCAPES[kind] ?? whole
    }
  )
}

/**
 * Python's tokenizer refuses more than 200 nested brackets ("too many nested parentheses"), so
 * literal_eval fails and Ansible keeps the text. Stopping there also keeps our recursion bounded.
 */
const MAX_NESTING = 200

class LiteralParser {
  private pos = 0
  private depth = 0
  constructor(
    private readonly src: string,
    private readonly jsonNames = false
  ) {}

  atEnd(): boolean {
    return this.pos >= this.src.length
  }

  skipBlank(): void {
    while (this.pos < this.src.length) {
      const c = this.src[this.pos]!
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') this.pos++
      else if (c === '#') this.pos = this.src.length
      else break
    }
  }

  parseValue(): unknown {
    this.skipBlank()
    const c = this.src[this.pos]
    if (c === undefined) throw new LiteralSyntaxError()
    if (c === '[' || c === '(' || c === '{') {
      if (++this.depth > MAX_NESTING) throw new LiteralSyntaxError()
      try {
        if (c === '[') return this.parseSequence(']')
        if (c === '(') return this.parseParenthesised()
        return this.parseDict()
      } finally {
        this.depth--
      }
    }
    if (c === '+' || c === '-') {
      this.pos++
      this.skipBlank()
      const n = this.parseNumber()
      if (c === '+') return n
      return n instanceof PyFloat ? new PyFloat(-n.valueOf()) : -n
    }
    if (/[0-9.]/.test(c)) return this.parseNumber()
    const word = IDENTIFIER.exec(this.src.slice(this.pos))?.[0]
    if (word !== undefined) {
      const quote = this.src[this.pos + word.length]
      if ((quote === "'" || quote === '"') && /^(?:[rRuUbB]|[rR][bB]|[bB][rR])$/.test(word))
        return this.parseStrings()
      this.pos += word.length
      if (word === 'True') return true
      if (word === 'False') return false
      if (word === 'None') return null
      if (this.jsonNames && word === 'true') return true
      if (this.jsonNames && word === 'false') return false
      if (this.jsonNames && word === 'null') return null
      throw new LiteralSyntaxError()
    }
    if (c === "'" || c === '"') return this.parseStrings()
    throw new LiteralSyntaxError()
  }

  private parseNumber(): number | PyFloat {
    const rest = this.src.slice(this.pos)
    const m = NUMBER.exec(rest)
    if (!m || m[0] === '.') throw new LiteralSyntaxError()
    const text = m[0]
    this.pos += text.length
    // `07` is a syntax error in Python 3; `1abc` and complex numbers (`1j`) are not plain literals we support.
    if (/^0\d*[1-9]/.test(text) && !/[.eExXoObB]/.test(text)) throw new LiteralSyntaxError()
    if (/^[A-Za-z0-9_]/.test(this.src.slice(this.pos))) throw new LiteralSyntaxError()
    const digits = text.replace(/_/g, '')
    if (/^0[xXoObB]/.test(digits)) {
      const radix = { x: 16, o: 8, b: 2 }[digits[1]!.toLowerCase() as 'x' | 'o' | 'b']
      return parseInt(digits.slice(2), radix)
    }
    // A dot or an exponent makes a float (`1.0`, `1e3`): an integral one stays a float.
    return /[.eE]/.test(digits) ? pyFloat(Number(digits)) : Number(digits)
  }

  private parseStrings(): string {
    // Adjacent literals concatenate: 'a' "b" == 'ab'.
    let result = ''
    do {
      result += this.parseOneString()
      this.skipBlank()
    } while (/^(?:[rRuUbB]|[rR][bB]|[bB][rR])?['"]/.test(this.src.slice(this.pos)))
    return result
  }

  private parseOneString(): string {
    let raw = false
    while (/[rRuUbB]/.test(this.src[this.pos] ?? '')) {
      if (/[rR]/.test(this.src[this.pos]!)) raw = true
      this.pos++
    }
    const quote = this.src[this.pos]!
    const triple = this.src.startsWith(quote.repeat(3), this.pos)
    const delimiter = triple ? quote.repeat(3) : quote
    this.pos += delimiter.length
    let out = ''
    for (;;) {
      if (this.pos >= this.src.length) throw new LiteralSyntaxError()
      if (this.src.startsWith(delimiter, this.pos)) {
        this.pos += delimiter.length
        return out
      }
      const c = this.src[this.pos]!
      if (c === '\n' && !triple) throw new LiteralSyntaxError()
      if (c !== '\\') {
        out += c
        this.pos++
        continue
      }
      const next = this.src[this.pos + 1]
      if (next === undefined) throw new LiteralSyntaxError()
      if (raw) {
        out += c + next
        this.pos += 2
        continue
      }
      this.pos += 2
      out += this.readEscape(next)
    }
  }

  private readEscape(next: string): string {
    const simple = SIMPLE_ESCAPES[next]
    if (simple !== undefined) return simple
    if (/[0-7]/.test(next)) {
      const m = /^[0-7]{0,2}/.exec(this.src.slice(this.pos))![0]
      this.pos += m.length
      return String.fromCodePoint(parseInt(next + m, 8))
    }
    const width = { x: 2, u: 4, U: 8 }[next]
    if (width !== undefined) {
      const hex = this.src.slice(this.pos, this.pos + width)
      if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) throw new LiteralSyntaxError()
      this.pos += width
      return String.fromCodePoint(parseInt(hex, 16))
    }
    if (next === 'N') throw new LiteralSyntaxError() // \N{NAME} needs Unicode's name table; not worth it here
    return '\\' + next
  }

  private parseSequence(close: string): unknown[] {
    this.pos++ // the opening bracket
    const items: unknown[] = []
    for (;;) {
      this.skipBlank()
      if (this.src[this.pos] === close) {
        this.pos++
        return items
      }
      items.push(this.parseValue())
      this.skipBlank()
      if (this.src[this.pos] === ',') this.pos++
      else if (this.src[this.pos] !== close) throw new LiteralSyntaxError()
    }
  }

  /** `()` is an empty tuple, `(x)` is x, `(x,)` and `(x, y)` are tuples (lists here, as JSON would have them). */
  private parseParenthesised(): unknown {
    const start = this.pos
    this.pos++
    this.skipBlank()
    if (this.src[this.pos] === ')') {
      this.pos++
      return []
    }
    const first = this.parseValue()
    this.skipBlank()
    if (this.src[this.pos] === ')') {
      this.pos++
      return first
    }
    this.pos = start
    return this.parseSequence(')')
  }

  private parseDict(): Record<string, unknown> {
    this.pos++
    const dict: Record<string, unknown> = {}
    for (;;) {
      this.skipBlank()
      if (this.src[this.pos] === '}') {
        this.pos++
        return dict
      }
      const key = this.parseValue()
      this.skipBlank()
      // `{1, 2}` is a set: Ansible would pass a Python set through, which has no JSON form; keep the text.
      if (this.src[this.pos] !== ':') throw new LiteralSyntaxError()
      this.pos++
      if (key !== null && typeof key === 'object') throw new LiteralSyntaxError() // unhashable (lists, dicts)
      dict[key === null ? 'null' : String(key)] = this.parseValue()
      this.skipBlank()
      if (this.src[this.pos] === ',') this.pos++
      else if (this.src[this.pos] !== '}') throw new LiteralSyntaxError()
    }
  }
}
