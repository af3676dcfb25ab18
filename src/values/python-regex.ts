/**
 * Python's `re` on the controller: a translator from Python regular expression syntax to a JavaScript
 * RegExp with the same matches, and Python's replacement templates (`\1`, `\g<name>`). The one
 * translator of the project: lineinfile, replace, blockinfile, wait_for, assemble and find evaluate
 * their regexes here, in one place, never on the target, and so do the template's regex filters and
 * tests (regex_search, regex_replace, regex_findall, match, search, regex: see
 * src/template/regex-filters.ts).
 *
 * Two modes, as Ansible's modules use them: `bytes` (lineinfile: patterns over the file's bytes, where
 * `\w`, `\d`, `\s` and `\b` are ASCII; subjects are handed over as latin1 text, one char per byte) and
 * `text` (replace: patterns over decoded text, where `\w` and friends are Unicode). Python's anchors are
 * emulated (its `$` also matches before a final newline; its `.` and `(?m)` know only `\n` as a line
 * end, not `\r`), so the JavaScript `m` and `s` flags are never used. What cannot be translated
 * faithfully is refused with UnsupportedRegexError naming the regex and the construct.
 *
 * Over 400 lines on purpose: it is one parser walking one pattern, whose parts (escapes, classes, groups,
 * anchors, replacement templates) share its position and flags; split, they would pass that state around.
 * It imports nothing, so that both the templating and the modules can use it (src/values/ is a leaf).
 */

/** A construct of a Python regex we do not translate, or a regex Python itself would refuse. */
export class PythonRegexError extends Error {
  constructor(
    readonly pattern: string,
    readonly problem: string
  ) {
    super(`cannot use the regular expression '${pattern}': ${problem}`)
  }
}

/** A valid Python construct we refuse rather than translate unfaithfully. */
export class UnsupportedRegexError extends PythonRegexError {
  constructor(pattern: string, construct: string) {
    super(
      pattern,
      `${construct} is not supported by async-playbook's translation of Python regular expressions; rewrite the expression without it`
    )
  }
}

export type RegexMode = 'bytes' | 'text'

/** A translated regex: a RegExp (flags `g`, plus `i` and `u` as needed) and its groups. */
export interface PythonRegex {
  pattern: string
  regexp: RegExp
  /** Number of capturing groups. */
  groups: number
  /** Group names to their numbers. */
  names: Map<string, number>
  /** Whether `^`/`$` work per line (`(?m)` or the caller's flag), as Python's `pattern.flags & re.M`. */
  multiline: boolean
}

const BYTES_SPACE = ' \\t\\n\\r\\f\\v'
const TEXT_WORD = '\\p{L}\\p{N}\\p{Mn}\\p{Pc}'
const TEXT_DIGIT = '\\p{Nd}'
/** Python's str.isspace() characters, exactly (JavaScript's \\s adds U+FEFF and lacks \\x1c-\\x1f, \\x85). */
const TEXT_SPACE =
  '\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000'
/** Every character but TEXT_SPACE's, as ranges (`\\S` inside a class, where `[^…]` cannot nest). */
const TEXT_NOT_SPACE =
  '\\0-\\x08\\x0e-\\x1b\\x21-\\x84\\x86-\\x9f\\xa1-\\u167f\\u1681-\\u1fff\\u200b-\\u2027\\u202a-\\u202e\\u2030-\\u205e\\u2060-\\u2fff\\u3001-\\u{10ffff}'
/** Every byte but BYTES_SPACE's (subjects of bytes patterns are latin1 text: one char per byte). */
const BYTES_NOT_SPACE = '\\0-\\x08\\x0e-\\x1f\\x21-\\xff'

/** Characters that must be escaped in a JavaScript pattern with the `u` flag to stand for themselves. */
const SYNTAX = new Set('^$\\.*+?()[]{}|/'.split(''))

function literal(ch: string, inClass: boolean): string {
  if (inClass)
    return ch === ']' || ch === '\\' || ch === '^' || ch === '-' ? `\\${ch}` : literalCode(ch)
  return SYNTAX.has(ch) ? `\\${ch}` : literalCode(ch)
}

function literalCode(ch: string): string {
  const code = ch.codePointAt(0)!
  if (code < 0x20 || code === 0x7f) return `\\x${code.toString(16).padStart(2, '0')}`
  return ch
}

function codeLiteral(code: number, inClass: boolean): string {
  return literal(String.fromCodePoint(code), inClass)
}

/** Flags given by the caller, as `re.compile(pattern, re.DOTALL | re.MULTILINE)` gives them. */
export interface RegexFlags {
  dotAll?: boolean
  multiline?: boolean
  /** re.IGNORECASE (the regex filters' `ignorecase`), as an inline `(?i)` would. */
  ignoreCase?: boolean
  /** Record where each group matched (JavaScript's `d` flag: `match.indices`). */
  indices?: boolean
}

/** The shortest and longest text a piece of pattern matches (Infinity: unbounded). */
type Width = [number, number]

/** One atom of a pattern: its JavaScript text, whether a quantifier may follow, and its width. */
interface Atom {
  text: string
  quantifiable: boolean
  /** Default: one character when quantifiable, none otherwise (anchors, assertions). */
  width?: Width
}

/** Translates Python regex `pattern` (`mode`: see the file's comment). */
export function translatePythonRegex(
  pattern: string,
  mode: RegexMode,
  flags: RegexFlags = {}
): PythonRegex {
  return new Translator(pattern, mode, flags).run()
}

class Translator {
  private i = 0
  private ignoreCase = false
  private multiline = false
  private dotAll = false
  private verbose = false
  private groups = 0
  private readonly names = new Map<string, number>()
  private openGroups = 0
  /** The width of each closed group, for a backreference's (a look-behind must have a fixed width). */
  private readonly groupWidths = new Map<number, Width>()
  /** Groups not closed yet, which Python refuses to refer to. */
  private readonly open = new Set<number>()
  /** Inside a look-behind: the number of groups before it (its own cannot be referred to in it). */
  private lookbehindFrom: number | undefined

  private readonly indices: boolean

  constructor(
    private readonly pattern: string,
    private readonly mode: RegexMode,
    flags: RegexFlags
  ) {
    this.dotAll = flags.dotAll ?? false
    this.multiline = flags.multiline ?? false
    this.ignoreCase = flags.ignoreCase ?? false
    this.indices = flags.indices ?? false
  }

  private fail(problem: string): never {
    throw new PythonRegexError(this.pattern, problem)
  }

  private refuse(construct: string): never {
    throw new UnsupportedRegexError(this.pattern, construct)
  }

  run(): PythonRegex {
    this.leadingFlags()
    const body = this.alternation().text
    if (this.i < this.pattern.length) {
      // Only a `)` stops an alternation at the top level.
      this.fail(`unbalanced parenthesis at position ${this.i}`)
    }
    const flags = `g${this.ignoreCase ? 'i' : ''}${this.mode === 'text' ? 'u' : ''}${this.indices ? 'd' : ''}`
    let regexp: RegExp
    try {
      regexp = new RegExp(body, flags)
    } catch (error) {
      this.fail(error instanceof Error ? error.message : String(error))
    }
    return {
      pattern: this.pattern,
      regexp,
      groups: this.groups,
      names: this.names,
      multiline: this.multiline
    }
  }

  /** Global inline flags: `(?imsx)` groups at the very start (Python 3.11 allows them nowhere else). */
  private leadingFlags(): void {
    for (;;) {
      const m = /^\(\?([aiLmsux]+)\)/.exec(this.pattern.slice(this.i))
      if (!m) return
      for (const flag of m[1]!) this.setFlag(flag)
      this.i += m[0].length
    }
  }

  private setFlag(flag: string): void {
    switch (flag) {
      case 'i':
        this.ignoreCase = true
        break
      case 'm':
        this.multiline = true
        break
      case 's':
        this.dotAll = true
        break
      case 'x':
        this.verbose = true
        break
      case 'a':
        if (this.mode === 'text') this.refuse('the ASCII flag (?a) on text')
        break
      case 'u':
        if (this.mode === 'bytes')
          this.fail("bad inline flags: cannot use 'u' flag with a bytes pattern")
        break
      default:
        this.refuse(`the inline flag (?${flag})`)
    }
  }

  private peek(offset = 0): string | undefined {
    return this.pattern[this.i + offset]
  }

  /** In verbose mode, whitespace and `#` comments outside classes are not part of the pattern. */
  private skipVerbose(): void {
    if (!this.verbose) return
    for (;;) {
      const ch = this.peek()
      if (ch === undefined) return
      if (/\s/.test(ch)) {
        this.i++
      } else if (ch === '#') {
        while (this.i < this.pattern.length && this.peek() !== '\n') this.i++
      } else {
        return
      }
    }
  }

  private alternation(): { text: string; width: Width } {
    const branches = [this.sequence()]
    while (this.peek() === '|') {
      this.i++
      branches.push(this.sequence())
    }
    return {
      text: branches.map((b) => b.text).join('|'),
      width: [
        Math.min(...branches.map((b) => b.width[0])),
        Math.max(...branches.map((b) => b.width[1]))
      ]
    }
  }

  private sequence(): { text: string; width: Width } {
    let out = ''
    const width: Width = [0, 0]
    for (;;) {
      this.skipVerbose()
      const ch = this.peek()
      if (ch === undefined || ch === '|' || ch === ')') return { text: out, width }
      const atom = this.atom()
      if (atom === null) continue
      const piece = this.quantified(atom)
      out += piece.text
      width[0] += piece.width[0]
      width[1] += piece.width[1]
    }
  }

  /** An atom, or null for something that matches nothing at all (a comment group). */
  private atom(): Atom | null {
    const ch = this.pattern[this.i++]!
    switch (ch) {
      case '.':
        return { text: this.dotAll ? '[\\s\\S]' : '[^\\n]', quantifiable: true }
      case '^':
        return {
          text: this.multiline ? '(?:(?<![\\s\\S])|(?<=\\n))' : '(?<![\\s\\S])',
          quantifiable: false
        }
      case '$':
        return {
          text: this.multiline ? '(?=\\n|(?![\\s\\S]))' : '(?=\\n?(?![\\s\\S]))',
          quantifiable: false
        }
      case '[':
        return { text: this.characterClass(), quantifiable: true }
      case '(':
        return this.group()
      case '\\':
        return this.escape()
      case '*':
      case '+':
      case '?':
        this.fail(`nothing to repeat at position ${this.i - 1}`)
      // falls through: fail never returns
      case '{':
        if (this.quantifierAt(this.i - 1) !== null)
          this.fail(`nothing to repeat at position ${this.i - 1}`)
        return { text: '\\{', quantifiable: true }
      default:
        return { text: literal(ch, false), quantifiable: true }
    }
  }

  /** A `{m,n}` quantifier starting at `at`, as Python reads one, or null when `{` is a literal there. */
  private quantifierAt(
    at: number
  ): { min: string; max: string | undefined; length: number } | null {
    const m = /^\{(\d*)(?:(,)(\d*))?\}/.exec(this.pattern.slice(at))
    if (!m) return null
    const min = m[1]!
    if (m[2] === undefined) {
      if (min === '') return null
      return { min, max: min, length: m[0].length }
    }
    return { min: min === '' ? '0' : min, max: m[3] === '' ? undefined : m[3], length: m[0].length }
  }

  private quantified(atom: Atom): { text: string; width: Width } {
    const width: Width = atom.width ?? (atom.quantifiable ? [1, 1] : [0, 0])
    this.skipVerbose()
    let q = ''
    const ch = this.peek()
    let times: Width = [1, 1]
    if (ch === '*' || ch === '+' || ch === '?') {
      q = ch
      times = ch === '*' ? [0, Infinity] : ch === '+' ? [1, Infinity] : [0, 1]
      this.i++
    } else if (ch === '{') {
      const brace = this.quantifierAt(this.i)
      if (brace) {
        if (brace.max !== undefined && Number(brace.max) < Number(brace.min))
          this.fail(`min repeat greater than max repeat at position ${this.i}`)
        q = `{${brace.min},${brace.max ?? ''}}`
        if (brace.max === brace.min) q = `{${brace.min}}`
        times = [Number(brace.min), brace.max === undefined ? Infinity : Number(brace.max)]
        this.i += brace.length
      }
    }
    if (q === '') return { text: atom.text, width }
    if (!atom.quantifiable) {
      // Python repeats an anchor (`^*`) only by refusing it.
      this.fail(`nothing to repeat at position ${this.i - 1}`)
    }
    const next = this.peek()
    if (next === '?') {
      q += '?'
      this.i++
    } else if (next === '+') {
      this.refuse('a possessive quantifier (*+, ++, ?+, {m,n}+)')
    }
    const again = this.peek()
    if (
      again === '*' ||
      again === '+' ||
      again === '?' ||
      (again === '{' && this.quantifierAt(this.i))
    )
      this.fail(`multiple repeat at position ${this.i}`)
    // A group keeps its quantifier to itself; a lookaround or other assertion cannot be repeated in JS.
    const product = (a: number, b: number): number => (a === 0 || b === 0 ? 0 : a * b)
    return {
      text: `(?:${atom.text})${q}`,
      width: [product(width[0], times[0]), product(width[1], times[1])]
    }
  }

  private group(): Atom | null {
    const start = this.i - 1
    let open: string
    let quantifiable = true
    let number: number | undefined
    let lookbehind = false
    if (this.peek() !== '?') {
      this.groups++
      number = this.groups
      open = '('
    } else {
      const rest = this.pattern.slice(this.i + 1)
      if (rest.startsWith('P<')) {
        const m = /^P<([^>]*)>/.exec(rest)
        if (!m) this.fail(`missing >, unterminated name at position ${start + 4}`)
        const name = m[1]!
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
          this.fail(`bad character in group name '${name}' at position ${start + 4}`)
        if (this.names.has(name))
          this.fail(
            `redefinition of group name '${name}' as group ${this.groups + 1}; was group ${this.names.get(name)} at position ${start + 4}`
          )
        this.groups++
        number = this.groups
        this.names.set(name, this.groups)
        open = `(?<${name}>`
        this.i += 1 + m[0].length
      } else if (rest.startsWith('P=')) {
        const m = /^P=([^)]*)\)/.exec(rest)
        if (!m) this.fail(`missing ), unterminated name at position ${start + 4}`)
        const number = this.names.get(m[1]!)
        if (number === undefined)
          this.fail(`unknown group name '${m[1]!}' at position ${start + 4}`)
        this.i += 1 + m[0].length
        return {
          text: `\\${number}(?:)`,
          quantifiable: true,
          width: this.referenceWidth(number)
        }
      } else if (rest.startsWith('#')) {
        const end = this.pattern.indexOf(')', this.i)
        if (end < 0) this.fail(`missing ), unterminated comment at position ${start}`)
        this.i = end + 1
        return null
      } else if (rest.startsWith(':')) {
        open = '(?:'
        this.i += 2
      } else if (rest.startsWith('=') || rest.startsWith('!')) {
        open = `(?${rest[0]!}`
        this.i += 2
        quantifiable = false
      } else if (rest.startsWith('<=') || rest.startsWith('<!')) {
        open = `(?${rest.slice(0, 2)}`
        this.i += 3
        quantifiable = false
        lookbehind = true
      } else if (rest.startsWith('>')) {
        this.refuse('an atomic group (?>...)')
      } else if (rest.startsWith('(')) {
        this.refuse('a conditional group (?(id)yes|no)')
      } else if (/^[-aiLmsux]+[:)]/.test(rest)) {
        const m = /^[-aiLmsux]+[:)]/.exec(rest)!
        if (m[0].endsWith(')'))
          this.fail(`global flags not at the start of the expression at position ${start}`)
        this.refuse(`the scoped inline flags (?${m[0]}...)`)
      } else {
        this.fail(`unknown extension ?${rest.slice(0, 1)} at position ${start + 1}`)
      }
    }
    this.openGroups++
    if (number !== undefined) this.open.add(number)
    const outerLookbehind = this.lookbehindFrom
    if (lookbehind && outerLookbehind === undefined) this.lookbehindFrom = this.groups
    const body = this.alternation()
    this.lookbehindFrom = outerLookbehind
    if (number !== undefined) this.open.delete(number)
    if (this.peek() !== ')') this.fail(`missing ), unterminated subpattern at position ${start}`)
    this.i++
    this.openGroups--
    if (number !== undefined) this.groupWidths.set(number, body.width)
    if (lookbehind && body.width[0] !== body.width[1])
      this.fail(`look-behind requires fixed-width pattern`)
    return {
      text: `${open}${body.text})`,
      quantifiable,
      width: quantifiable ? body.width : [0, 0]
    }
  }

  /** The width of a backreference to group `number`, refusing what Python refuses. */
  private referenceWidth(number: number): Width {
    if (this.open.has(number)) this.fail(`cannot refer to an open group at position ${this.i}`)
    if (this.lookbehindFrom !== undefined && number > this.lookbehindFrom)
      this.fail(
        `cannot refer to group defined in the same lookbehind subpattern at position ${this.i}`
      )
    return this.groupWidths.get(number) ?? [0, Infinity]
  }

  private classEscapes(letter: string): string | null {
    const text = this.mode === 'text'
    switch (letter) {
      case 'd':
        return text ? TEXT_DIGIT : '0-9'
      case 'w':
        return text ? TEXT_WORD : 'A-Za-z0-9_'
      case 's':
        return text ? TEXT_SPACE : BYTES_SPACE
      default:
        return null
    }
  }

  /** An escape outside a class. */
  private escape(): Atom {
    const ch = this.pattern[this.i++]
    if (ch === undefined) this.fail('bad escape (end of pattern) at position ' + (this.i - 1))
    const set = this.classEscapes(ch.toLowerCase())
    if (set !== null) {
      return { text: ch === ch.toLowerCase() ? `[${set}]` : `[^${set}]`, quantifiable: true }
    }
    switch (ch) {
      case 'A':
        return { text: '(?<![\\s\\S])', quantifiable: false }
      case 'Z':
        return { text: '(?![\\s\\S])', quantifiable: false }
      case 'b':
      case 'B': {
        const w = this.mode === 'text' ? `[${TEXT_WORD}]` : '[A-Za-z0-9_]'
        const boundary = `(?:(?<=${w})(?!${w})|(?<!${w})(?=${w}))`
        const inside = `(?:(?<=${w})(?=${w})|(?<!${w})(?!${w}))`
        return { text: ch === 'b' ? boundary : inside, quantifiable: false }
      }
    }
    if (/[0-9]/.test(ch)) {
      // Python: \0 or three octal digits is an octal escape; otherwise one or two digits name a group.
      const digits = /^[0-9]*/.exec(this.pattern.slice(this.i - 1))![0]
      if (ch === '0' || /^[0-7]{3}/.test(digits)) {
        const octal = /^[0-7]{1,3}/.exec(digits)![0]
        this.i += octal.length - 1
        const value = parseInt(octal, 8)
        if (value > 0o377) this.fail(`octal escape value \\${octal} outside of range 0-0o377`)
        return { text: codeLiteral(value, false), quantifiable: true }
      }
      const ref = digits.slice(0, 2)
      this.i += ref.length - 1
      const number = Number(ref)
      if (number > this.groups)
        this.fail(`invalid group reference ${number} at position ${this.i - ref.length}`)
      return {
        text: `\\${number}(?:)`,
        quantifiable: true,
        width: this.referenceWidth(number)
      }
    }
    const code = this.commonEscape(ch)
    return { text: codeLiteral(code, false), quantifiable: true }
  }

  /** Escapes that mean one character, inside or outside a class (after the backslash and `ch`). */
  private commonEscape(ch: string): number {
    const simple: Record<string, number> = { a: 7, f: 12, n: 10, r: 13, t: 9, v: 11 }
    if (simple[ch] !== undefined) return simple[ch]
    const hex = (length: number, what: string): number => {
      const digits = this.pattern.slice(this.i, this.i + length)
      if (!new RegExp(`^[0-9a-fA-F]{${length}}$`).test(digits))
        this.fail(`incomplete escape \\${what}${digits} at position ${this.i - 2}`)
      this.i += length
      return parseInt(digits, 16)
    }
    if (ch === 'x') return hex(2, 'x')
    if (ch === 'u' || ch === 'U') {
      if (this.mode === 'bytes') this.fail(`bad escape \\${ch} at position ${this.i - 2}`)
      const code = hex(ch === 'u' ? 4 : 8, ch)
      if (code > 0x10ffff) this.fail(`bad escape \\U at position ${this.i - 10}`)
      return code
    }
    if (ch === 'N') this.refuse('a named character escape \\N{...}')
    if (/[A-Za-z]/.test(ch)) this.fail(`bad escape \\${ch} at position ${this.i - 2}`)
    return ch.codePointAt(0)!
  }

  private characterClass(): string {
    const start = this.i - 1
    let negated = false
    if (this.peek() === '^') {
      negated = true
      this.i++
    }
    const items: string[] = []
    let first = true
    for (;;) {
      const ch = this.peek()
      if (ch === undefined) this.fail(`unterminated character set at position ${start}`)
      if (ch === ']' && !first) {
        this.i++
        break
      }
      first = false
      const low = this.classAtom()
      if (this.peek() === '-' && this.peek(1) !== undefined && this.peek(1) !== ']') {
        this.i++
        const high = this.classAtom()
        if (typeof low !== 'number' || typeof high !== 'number')
          this.fail(`bad character range at position ${start}`)
        if (high < low) this.fail(`bad character range at position ${start}`)
        items.push(`${codeLiteral(low, true)}-${codeLiteral(high, true)}`)
      } else {
        items.push(typeof low === 'number' ? codeLiteral(low, true) : low)
      }
    }
    // An empty negated class would be `[^]` in JS (anything); Python has no empty class.
    return `[${negated ? '^' : ''}${items.join('')}]`
  }

  /** One member of a class: a character (as its code) or a set's JS text (`\d` and friends). */
  private classAtom(): number | string {
    const ch = this.pattern[this.i++]!
    if (ch !== '\\') return ch.codePointAt(0)!
    const next = this.pattern[this.i++]
    if (next === undefined) this.fail('bad escape (end of pattern)')
    const set = this.classEscapes(next)
    if (set !== null) return set
    const negatedSet = this.classEscapes(next.toLowerCase())
    if (negatedSet !== null) {
      // JS has \D, \W, \S inside classes with ASCII meanings: right for bytes but for \S, whose JS
      // meaning leaves out more than Python's few ASCII spaces. \S is Python's spaces' complement, as
      // ranges; \D and \W of text patterns (Unicode classes) have no such form here.
      if (next === 'S') return this.mode === 'text' ? TEXT_NOT_SPACE : BYTES_NOT_SPACE
      if (this.mode === 'bytes') return `\\${next}`
      this.refuse(`\\${next} inside a character class`)
    }
    if (next === 'b') return 8
    if (/[0-7]/.test(next)) {
      const octal = /^[0-7]{1,3}/.exec(this.pattern.slice(this.i - 1))![0]
      this.i += octal.length - 1
      return parseInt(octal, 8)
    }
    if (/[0-9]/.test(next)) this.fail(`bad escape \\${next}`)
    return this.commonEscape(next)
  }
}

/** One part of a parsed replacement template. */
type TemplatePart = string | { group: number }

/**
 * Parses a Python replacement template (`re.sub`'s repl, `Match.expand`'s template) against `regex`:
 * `\1`…`\99`, `\g<1>`, `\g<name>`, `\n`-style escapes; other escapes of letters are errors, others are kept.
 * @throws PythonRegexError as Python's `invalid group reference` / `bad escape`
 */
export function parseReplacement(template: string, regex: PythonRegex): TemplatePart[] {
  const parts: TemplatePart[] = []
  let text = ''
  const fail = (problem: string): never => {
    throw new PythonRegexError(regex.pattern, `in the replacement '${template}': ${problem}`)
  }
  const group = (number: number, at: number): void => {
    if (number > regex.groups) fail(`invalid group reference ${number} at position ${at}`)
    if (text) parts.push(text)
    text = ''
    parts.push({ group: number })
  }
  for (let i = 0; i < template.length; i++) {
    const ch = template[i]!
    if (ch !== '\\') {
      text += ch
      continue
    }
    const next = template[i + 1]
    if (next === undefined) return fail(`bad escape (end of pattern) at position ${i}`)
    if (next === 'g') {
      const m = /^<([^>]*)>/.exec(template.slice(i + 2))
      if (!m) return fail(`missing < at position ${i + 2}`)
      const name = m[1]!
      let number: number | undefined
      if (/^[0-9]+$/.test(name)) number = Number(name)
      else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        number = regex.names.get(name)
        if (number === undefined) {
          throw new PythonRegexError(
            regex.pattern,
            `in the replacement '${template}': unknown group name '${name}'`
          )
        }
      } else fail(`bad character in group name '${name}' at position ${i + 3}`)
      group(number!, i + 3)
      i += 2 + m[0].length - 1
      continue
    }
    if (/[0-9]/.test(next)) {
      const digits = /^[0-9]*/.exec(template.slice(i + 1))![0]
      if (next === '0' || /^[0-7]{3}/.test(digits)) {
        const octal = /^[0-7]{1,3}/.exec(digits)![0]
        text += String.fromCharCode(parseInt(octal, 8))
        i += octal.length
        continue
      }
      const ref = digits.slice(0, 2)
      group(Number(ref), i + 1)
      i += ref.length
      continue
    }
    const simple: Record<string, string> = {
      a: '\x07',
      b: '\b',
      f: '\f',
      n: '\n',
      r: '\r',
      t: '\t',
      v: '\v',
      '\\': '\\'
    }
    if (simple[next] !== undefined) {
      text += simple[next]
    } else if (/[A-Za-z]/.test(next)) {
      fail(`bad escape \\${next} at position ${i}`)
    } else {
      text += `\\${next}`
    }
    i++
  }
  if (text) parts.push(text)
  return parts
}

/** A match's expansion of a parsed template (an unmatched group gives the empty string, as Python 3.5+). */
export function expandReplacement(parts: readonly TemplatePart[], match: RegExpExecArray): string {
  let out = ''
  for (const part of parts) out += typeof part === 'string' ? part : (match[part.group] ?? '')
  return out
}

/** Python's `pattern.search(subject)`: the first match anywhere, or null. */
export function pythonSearch(
  regex: PythonRegex,
  subject: string,
  from = 0
): RegExpExecArray | null {
  const re = regex.regexp
  re.lastIndex = from
  return re.exec(subject)
}

/**
 * Python's `pattern.match(subject)`: a match that starts at the beginning of `subject` (not anchored
 * at its end), or null.
 */
export function pythonMatch(regex: PythonRegex, subject: string): RegExpExecArray | null {
  const m = pythonSearch(regex, subject)
  // The leftmost match comes first: when one starts at 0, it is this one.
  return m && m.index === 0 ? m : null
}

/**
 * Python's `pattern.finditer(subject)`: every non-overlapping match, left to right, with Python 3.7's
 * rule that an empty match right after a previous match is allowed (but not a second empty match at
 * the same place).
 */
export function* pythonFinditer(regex: PythonRegex, subject: string): Generator<RegExpExecArray> {
  const re = regex.regexp
  let pos = 0
  let mustAdvance = false
  while (pos <= subject.length) {
    re.lastIndex = pos
    let m = re.exec(subject)
    if (m && mustAdvance && m.index === pos && m[0].length === 0) {
      if (pos >= subject.length) return
      re.lastIndex = pos + 1
      m = re.exec(subject)
    }
    if (!m) return
    const end = m.index + m[0].length
    mustAdvance = m[0].length === 0
    pos = end
    yield m
  }
}

/**
 * Python's `pattern.subn(repl, subject, count)` over `subject`: the matches (all of them, or the first
 * `count` when it is over 0) replaced by the expanded template. Returns the new text and the number of
 * replacements.
 */
export function pythonSubn(
  regex: PythonRegex,
  template: string,
  subject: string,
  count = 0
): { text: string; count: number } {
  const parts = parseReplacement(template, regex)
  let out = ''
  let last = 0
  let done = 0
  for (const m of pythonFinditer(regex, subject)) {
    if (count > 0 && done >= count) break
    out += subject.slice(last, m.index) + expandReplacement(parts, m)
    done++
    last = m.index + m[0].length
  }
  out += subject.slice(last)
  return { text: out, count: done }
}
