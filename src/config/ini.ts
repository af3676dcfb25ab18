/**
 * An INI reader that reads ansible.cfg as Ansible does: Python's configparser with `;` as an inline comment
 * prefix and values read raw (no `%(name)s` interpolation). `key = value` and `key: value` (the first `=` or
 * `:` splits), whole-line comments starting with `#` or `;`, inline comments after a blank and `;`,
 * continuation lines indented deeper than their key, keys lower-cased and section names kept as written, a
 * `[DEFAULT]` section whose keys every section inherits, and duplicate sections or keys refused.
 */
import { OptionError } from '../errors.js'

/** One section's keys (lower-case) and values, with the line each was set on. */
export type IniSection = Map<string, { value: string; line: number }>

/** A parsed file: its sections by name (without `DEFAULT`, which is merged into each). */
export interface IniDocument {
  sections: Map<string, IniSection>
}

/** The file cannot be read as configparser would read it; Ansible stops with "Error reading config file". */
export class IniSyntaxError extends OptionError {}

const DEFAULT_SECTION = 'DEFAULT'

/** One line of an INI text, as the scanner hands it over. */
export interface IniLine {
  /** From 1. */
  number: number
  /** As written (without its line break). */
  raw: string
  /** Without an inline comment (where they are read) and blanks around it. */
  text: string
  /** Whether it is the text's last line. */
  last: boolean
}

/** What scanIni reports, in the text's order. */
export interface IniVisitor {
  /** A `[name]` header (configparser's SECTCRE: what follows the last `]` is ignored). */
  section(name: string, at: IniLine): void
  /**
   * An option: `key = value` or `key: value` (the first `=` or `:` splits; the key has its blanks
   * removed, not its case changed), or the whole line as `key` and null where there is neither (a key
   * alone, or a line the caller refuses).
   */
  option(key: string, value: string | null, at: IniLine): void
  /** The whole value of the last option with a value: its continuation lines joined by `\n`. */
  value(text: string): void
}

/**
 * Reads INI text line by line as Python's configparser does, for both of our readers (ansible.cfg,
 * the ini lookup): whole-line `#`/`;` comments (which end nothing), optional inline `;` comments after
 * a blank, headers, options, continuation lines indented deeper than their option (blank lines inside
 * kept, trailing ones dropped), universal line breaks. What each line means (sections, duplicates,
 * DEFAULT, errors) is the caller's.
 */
export function scanIni(
  text: string,
  options: { inlineComments: boolean },
  visit: IniVisitor
): void {
  // The option whose value continuation lines extend, with the indentation of its line.
  let current: { lines: string[]; indent: number } | undefined
  const finish = (): void => {
    if (!current) return
    while (current.lines.length > 1 && current.lines[current.lines.length - 1] === '')
      current.lines.pop()
    visit.value(current.lines.join('\n'))
    current = undefined
  }
  const lines = text.split(/\r\n|\n|\r/)
  lines.forEach((raw, index) => {
    const stripped = raw.trim()
    // Whole-line comments (also indented ones) end nothing: a value may go on after them.
    if (stripped.startsWith('#') || stripped.startsWith(';')) return
    const value = (options.inlineComments ? stripInlineComment(raw) : raw).trim()
    const indent = raw.length - raw.trimStart().length
    if (value === '') {
      // A blank line inside a value is kept (and dropped again if nothing follows).
      if (current) current.lines.push('')
      return
    }
    if (current && indent > current.indent) {
      current.lines.push(value)
      return
    }
    finish()
    const at: IniLine = { number: index + 1, raw, text: value, last: index === lines.length - 1 }
    const header = /^\[(.+)\]/.exec(value)
    if (header) {
      visit.section(header[1]!, at)
      return
    }
    const option = /^(.*?)\s*[=:]\s*(.*)$/.exec(value)
    if (option && option[1]!.trim() !== '') {
      visit.option(option[1]!.trim(), option[2]!, at)
      current = { lines: [option[2]!], indent }
    } else {
      visit.option(value, null, at)
    }
  })
  finish()
}

/**
 * Parses INI text.
 * @param file named in error messages
 * @throws IniSyntaxError naming the file and line, as configparser's errors do
 */
export function parseIni(text: string, file: string): IniDocument {
  const raw = new Map<string, IniSection>()
  let section: IniSection | undefined
  let sectionName: string | undefined
  let lastKey: string | undefined
  const fail = (line: number, what: string): never => {
    throw new IniSyntaxError(`Error reading config file (${file}): ${what} (line ${line})`)
  }
  // Ansible reads the file as UTF-8 with a byte order mark kept, which configparser then refuses.
  if (text.startsWith('\uFEFF'))
    fail(1, 'the file starts with a byte order mark (BOM): save it as UTF-8 without one')
  scanIni(
    text,
    { inlineComments: true },
    {
      section(name, at) {
        sectionName = name
        lastKey = undefined
        if (raw.has(sectionName))
          fail(at.number, `section '${sectionName}' already exists (each section once)`)
        section = new Map()
        raw.set(sectionName, section)
      },
      option(name, value, at) {
        if (!section) fail(at.number, `a setting before any [section] header: '${at.raw.trim()}'`)
        if (value === null)
          fail(at.number, `'${at.raw.trim()}' is not 'key = value' in section [${sectionName!}]`)
        const key = name.toLowerCase()
        if (section!.has(key))
          fail(at.number, `option '${key}' in section [${sectionName!}] is set more than once`)
        section!.set(key, { value: value!, line: at.number })
        lastKey = key
      },
      value(text) {
        if (section && lastKey !== undefined) section.get(lastKey)!.value = text
      }
    }
  )
  const defaults = raw.get(DEFAULT_SECTION)
  const sections = new Map<string, IniSection>()
  for (const [name, keys] of raw) {
    if (name === DEFAULT_SECTION) continue
    const merged: IniSection = new Map(defaults ?? [])
    for (const [key, entry] of keys) merged.set(key, entry)
    sections.set(name, merged)
  }
  return { sections }
}

/** The line without an inline comment: `;` after a blank (or at the start) starts one. */
function stripInlineComment(line: string): string {
  for (let i = 0; i < line.length; i++) {
    if (line[i] === ';' && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i)
  }
  return line
}
