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

/**
 * Parses INI text.
 * @param file named in error messages
 * @throws IniSyntaxError naming the file and line, as configparser's errors do
 */
export function parseIni(text: string, file: string): IniDocument {
  const raw = new Map<string, IniSection>()
  let section: IniSection | undefined
  let sectionName: string | undefined
  // The key whose value continuation lines extend, with the indentation of its line.
  let current: { key: string; lines: string[]; indent: number } | undefined
  const fail = (line: number, what: string): never => {
    throw new IniSyntaxError(`Error reading config file (${file}): ${what} (line ${line})`)
  }
  const finish = (): void => {
    if (!current || !section) return
    // configparser keeps blank lines inside a value but not at its end.
    while (current.lines.length > 1 && current.lines[current.lines.length - 1] === '')
      current.lines.pop()
    const entry = section.get(current.key)!
    entry.value = current.lines.join('\n')
    current = undefined
  }
  // Ansible reads the file as UTF-8 with a byte order mark kept, which configparser then refuses.
  if (text.startsWith('\uFEFF'))
    fail(1, 'the file starts with a byte order mark (BOM): save it as UTF-8 without one')
  const lines = text.split(/\r\n|\n|\r/)
  lines.forEach((rawLine, index) => {
    const lineNo = index + 1
    const stripped = rawLine.trim()
    // Whole-line comments (also indented ones) end nothing: a value may go on after them.
    if (stripped.startsWith('#') || stripped.startsWith(';')) return
    const content = stripInlineComment(rawLine)
    const value = content.trim()
    const indent = rawLine.length - rawLine.trimStart().length
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
    const header = /^\[(.+)\]$/.exec(value)
    if (header) {
      sectionName = header[1]!
      if (raw.has(sectionName))
        fail(lineNo, `section '${sectionName}' already exists (each section once)`)
      section = new Map()
      raw.set(sectionName, section)
      return
    }
    if (!section) fail(lineNo, `a setting before any [section] header: '${stripped}'`)
    const m = /^(.*?)\s*[=:]\s*(.*)$/.exec(value)
    if (!m || m[1]!.trim() === '')
      fail(lineNo, `'${stripped}' is not 'key = value' in section [${sectionName!}]`)
    const key = m![1]!.trim().toLowerCase()
    if (section!.has(key))
      fail(lineNo, `option '${key}' in section [${sectionName!}] is set more than once`)
    section!.set(key, { value: m![2]!, line: lineNo })
    current = { key, lines: [m![2]!], indent }
  })
  finish()
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
