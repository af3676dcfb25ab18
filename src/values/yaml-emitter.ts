/**
 * A YAML writer that gives, byte for byte, what Ansible's to_yaml / to_nice_yaml give: PyYAML's dump through
 * CSafeDumper, whose emitter is libyaml's. Written here from libyaml's observed output (the differential test
 * __tests__/unit/yaml-emitter.test.ts compares it with PyYAML on generated data): where a collection goes on
 * its own line, how far it is indented, which scalars need quotes, and where long lines are folded.
 */
import { analyzeScalar, doubleQuotedChar, isBreak, type ScalarAnalysis } from './yaml-scalar.js'

/** A node of the document, as PyYAML's representer builds it. */
export type YamlNode =
  | {
      kind: 'scalar'
      text: string
      /** Whether the text, written plain, reads back as the value (false for a string such as `yes`). */
      plainImplicit: boolean
      /**
       * Whether the text, quoted, reads back as the value: true for strings (the default). A value that is
       * not a string, written in quotes, gets libyaml's non-specific tag: `! '2020-01-02 03:04:05'`.
       */
      quotedImplicit?: boolean
    }
  | { kind: 'sequence'; items: YamlNode[]; flow: boolean }
  | { kind: 'mapping'; pairs: Array<[YamlNode, YamlNode]>; flow: boolean }

/** PyYAML dump options that change the text. */
export interface EmitOptions {
  /** Spaces per level: 2 to 9 (anything else is 2, as libyaml has it). */
  indent?: number
  /** Preferred line width (80; at most twice the indent also means 80; negative: never fold). */
  width?: number
  /** `---` before the document. */
  explicitStart?: boolean
  /** `...` after the document. */
  explicitEnd?: boolean
}

type Context = { root?: boolean; sequence?: boolean; mapping?: boolean; simpleKey?: boolean }

type Style = 'plain' | 'single' | 'double'

class Emitter {
  private out = ''
  private column = 0
  /** The last thing written was a space or a line break. */
  private whitespace = true
  /** The last thing written was indentation (or a `-`/`?`/`:` indicator following it). */
  private indention = true
  private indent = -1
  private readonly indents: number[] = []
  private flowLevel = 0
  private readonly bestIndent: number
  private readonly bestWidth: number

  /** The anchor of each node written more than once (`&id001`, then `*id001`). */
  private readonly anchors: Map<YamlNode, string>
  private readonly written = new Set<YamlNode>()

  constructor(options: EmitOptions, anchors: Map<YamlNode, string>) {
    this.anchors = anchors
    const indent = options.indent ?? 2
    this.bestIndent = indent >= 2 && indent <= 9 ? indent : 2
    const width = options.width ?? 0
    this.bestWidth = width < 0 ? Infinity : width <= this.bestIndent * 2 ? 80 : width
  }

  document(root: YamlNode, options: EmitOptions): string {
    if (options.explicitStart) {
      this.writeIndent()
      this.writeIndicator('---', true)
    }
    this.node(root, { root: true })
    this.writeIndent()
    if (options.explicitEnd) {
      this.writeIndicator('...', true)
      this.writeIndent()
    }
    return this.out
  }

  private write(text: string): void {
    this.out += text
    this.column += Array.from(text).length
  }

  private lineBreak(): void {
    this.out += '\n'
    this.column = 0
    this.whitespace = true
    this.indention = true
  }

  private writeIndicator(
    indicator: string,
    needWhitespace: boolean,
    whitespace = false,
    indention = false
  ): void {
    this.write(this.whitespace || !needWhitespace ? indicator : ` ${indicator}`)
    this.whitespace = whitespace
    this.indention = this.indention && indention
  }

  private writeIndent(): void {
    const indent = Math.max(this.indent, 0)
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace))
      this.lineBreak()
    if (this.column < indent) this.write(' '.repeat(indent - this.column))
    this.whitespace = true
    this.indention = true
  }

  private increaseIndent(flow: boolean, indentless: boolean): void {
    this.indents.push(this.indent)
    if (this.indent < 0) this.indent = flow ? this.bestIndent : 0
    else if (!indentless) this.indent += this.bestIndent
  }

  private decreaseIndent(): void {
    this.indent = this.indents.pop() ?? -1
  }

  private node(node: YamlNode, context: Context): void {
    const anchor = this.anchors.get(node)
    if (anchor !== undefined) {
      if (this.written.has(node)) return this.writeIndicator(`*${anchor}`, true)
      this.written.add(node)
      this.writeIndicator(`&${anchor}`, true)
    }
    if (node.kind === 'scalar') return this.scalar(node, context)
    const empty = node.kind === 'sequence' ? node.items.length === 0 : node.pairs.length === 0
    const flow = this.flowLevel > 0 || node.flow || empty
    if (node.kind === 'sequence') {
      if (flow) this.flowSequence(node.items)
      else this.blockSequence(node.items, context)
    } else if (flow) this.flowMapping(node.pairs)
    else this.blockMapping(node.pairs)
  }

  private flowSequence(items: YamlNode[]): void {
    this.writeIndicator('[', true, true)
    this.increaseIndent(true, false)
    this.flowLevel++
    items.forEach((item, i) => {
      if (i > 0) this.writeIndicator(',', false)
      if (this.column > this.bestWidth) this.writeIndent()
      this.node(item, { sequence: true })
    })
    this.flowLevel--
    this.decreaseIndent()
    this.writeIndicator(']', false)
  }

  private flowMapping(pairs: Array<[YamlNode, YamlNode]>): void {
    this.writeIndicator('{', true, true)
    this.increaseIndent(true, false)
    this.flowLevel++
    pairs.forEach(([key, value], i) => {
      if (i > 0) this.writeIndicator(',', false)
      if (this.column > this.bestWidth) this.writeIndent()
      if (isSimpleKey(key)) {
        this.node(key, { mapping: true, simpleKey: true })
        this.writeIndicator(':', false)
      } else {
        this.writeIndicator('?', true)
        this.node(key, { mapping: true })
        if (this.column > this.bestWidth) this.writeIndent()
        this.writeIndicator(':', true)
      }
      this.node(value, { mapping: true })
    })
    this.flowLevel--
    this.decreaseIndent()
    this.writeIndicator('}', false)
  }

  private blockSequence(items: YamlNode[], context: Context): void {
    // A list that is a mapping's value starts at its key's column (`key:\n- a`).
    this.increaseIndent(false, context.mapping === true && !this.indention)
    for (const item of items) {
      this.writeIndent()
      this.writeIndicator('-', true, false, true)
      this.node(item, { sequence: true })
    }
    this.decreaseIndent()
  }

  private blockMapping(pairs: Array<[YamlNode, YamlNode]>): void {
    this.increaseIndent(false, false)
    for (const [key, value] of pairs) {
      this.writeIndent()
      if (isSimpleKey(key)) {
        this.node(key, { mapping: true, simpleKey: true })
        this.writeIndicator(':', false)
      } else {
        this.writeIndicator('?', true, false, true)
        this.node(key, { mapping: true })
        this.writeIndent()
        this.writeIndicator(':', true, false, true)
      }
      this.node(value, { mapping: true })
    }
    this.decreaseIndent()
  }

  private scalar(
    node: { text: string; plainImplicit: boolean; quotedImplicit?: boolean },
    context: Context
  ): void {
    const analysis = analyzeScalar(node.text)
    const style = this.chooseStyle(node, analysis, context.simpleKey === true)
    if (style !== 'plain' && node.quotedImplicit === false) this.writeIndicator('!', true)
    this.increaseIndent(true, false)
    const split = context.simpleKey !== true
    if (style === 'plain') this.writePlain(node.text, split)
    else if (style === 'single') this.writeSingleQuoted(node.text, split)
    else this.writeDoubleQuoted(node.text, split)
    this.decreaseIndent()
  }

  private chooseStyle(
    node: { text: string; plainImplicit: boolean },
    analysis: ScalarAnalysis,
    simpleKey: boolean
  ): Style {
    if (simpleKey && analysis.multiline) return 'double'
    let style: Style = 'plain'
    const plainAllowed = this.flowLevel > 0 ? analysis.flowPlain : analysis.blockPlain
    if (!plainAllowed) style = 'single'
    if (analysis.empty && (this.flowLevel > 0 || simpleKey)) style = 'single'
    if (!node.plainImplicit) style = 'single'
    if (style === 'single' && !analysis.singleQuoted) style = 'double'
    return style
  }

  private writePlain(text: string, split: boolean): void {
    if (text === '') return
    if (!this.whitespace) this.write(' ')
    const chars = Array.from(text)
    let spaces = false
    chars.forEach((ch, i) => {
      if (ch === ' ') {
        if (split && !spaces && this.column > this.bestWidth && chars[i + 1] !== ' ')
          this.writeIndent()
        else this.write(ch)
        spaces = true
      } else {
        this.write(ch)
        this.indention = false
        spaces = false
      }
    })
    this.whitespace = false
    this.indention = false
  }

  private writeSingleQuoted(text: string, split: boolean): void {
    this.writeIndicator("'", true)
    const chars = Array.from(text)
    let spaces = false
    let breaks = false
    chars.forEach((ch, i) => {
      if (ch === ' ') {
        if (
          split &&
          !spaces &&
          this.column > this.bestWidth &&
          i !== 0 &&
          i !== chars.length - 1 &&
          chars[i + 1] !== ' '
        )
          this.writeIndent()
        else this.write(ch)
        spaces = true
      } else if (isBreak(ch)) {
        // A line break inside quotes is folded on reading: an empty line stands for it.
        if (!breaks && ch === '\n') this.lineBreak()
        if (ch === '\n') this.lineBreak()
        else {
          this.out += ch
          this.column = 0
        }
        this.indention = true
        breaks = true
      } else {
        if (breaks) this.writeIndent()
        this.write(ch === "'" ? "''" : ch)
        this.indention = false
        spaces = breaks = false
      }
    })
    if (breaks) this.writeIndent()
    this.writeIndicator("'", false)
    this.whitespace = false
    this.indention = false
  }

  private writeDoubleQuoted(text: string, split: boolean): void {
    this.writeIndicator('"', true)
    const chars = Array.from(text)
    let spaces = false
    chars.forEach((ch, i) => {
      const written = doubleQuotedChar(ch)
      if (written !== ch) {
        this.write(written)
        spaces = false
      } else if (ch === ' ') {
        if (split && !spaces && this.column > this.bestWidth && i !== 0 && i !== chars.length - 1) {
          this.writeIndent()
          // Leading spaces of a continuation line would be read as indentation: escape the first.
          if (chars[i + 1] === ' ') this.write('\\')
        } else this.write(ch)
        spaces = true
      } else {
        this.write(ch)
        spaces = false
      }
    })
    this.writeIndicator('"', false)
    this.whitespace = false
    this.indention = false
  }
}

/** Whether a mapping key can be written as `key: value` (else `? key` then `: value`). */
function isSimpleKey(node: YamlNode): boolean {
  if (node.kind === 'sequence') return node.items.length === 0
  if (node.kind === 'mapping') return node.pairs.length === 0
  if (isMultiline(node.text)) return false
  return Buffer.byteLength(node.text, 'utf8') <= 128
}

function isMultiline(text: string): boolean {
  return Array.from(text).some(isBreak)
}

/**
 * Anchors for the nodes that occur more than once (the representer makes a new node for each string and
 * number, so only lists, dicts and datetimes can), numbered as PyYAML numbers them: in document order
 * of their second occurrence (what is under a repeated node is not visited again).
 */
function findAnchors(root: YamlNode): Map<YamlNode, string> {
  const seen = new Set<YamlNode>()
  const anchors = new Map<YamlNode, string>()
  const visit = (node: YamlNode): void => {
    if (seen.has(node)) {
      if (!anchors.has(node)) anchors.set(node, `id${String(anchors.size + 1).padStart(3, '0')}`)
      return
    }
    seen.add(node)
    if (node.kind === 'sequence') node.items.forEach(visit)
    else if (node.kind === 'mapping')
      node.pairs.forEach(([key, value]) => (visit(key), visit(value)))
  }
  visit(root)
  return anchors
}

/** The YAML text of a document, as libyaml writes it. */
export function emitYaml(root: YamlNode, options: EmitOptions = {}): string {
  return new Emitter(options, findAnchors(root)).document(root, options)
}
