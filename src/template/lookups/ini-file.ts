/**
 * The ini lookup's reading of an INI (or Java properties) text, as Python's configparser reads one for
 * Ansible: `[section]` headers, `key = value` or `key: value`, full-line `#`/`;` comments, indented
 * continuation lines, keys lower-cased unless case-sensitive, DEFAULT's keys in every section, and
 * `%(name)s` interpolation on read.
 */
import { pyRepr, pyStringRepr } from '../python.js'
import { scanIni } from '../../config/ini.js'
import { LookupFailure } from './lookup-support.js'

/** A parsed INI text: section name to its options (in file order), DEFAULT apart. */
export interface IniData {
  defaults: Map<string, string | null>
  sections: Map<string, Map<string, string | null>>
}

/** Reads `text` as configparser does (strict: a repeated section or option is an error). */
export function parseIni(
  text: string,
  options: { caseSensitive: boolean; allowNoValue: boolean }
): IniData {
  const data: IniData = { defaults: new Map(), sections: new Map() }
  let current: Map<string, string | null> | undefined
  let currentName = ''
  let lastKey: string | undefined
  scanIni(
    text,
    { inlineComments: false },
    {
      section(name, at) {
        currentName = name
        lastKey = undefined
        if (currentName === 'DEFAULT') current = data.defaults
        else if (data.sections.has(currentName)) {
          throw new LookupFailure(
            `While reading from '<???>' [line ${String(at.number).padStart(2)}]: section ${pyStringRepr(currentName)} already exists`,
            false,
            'configparser.DuplicateSectionError'
          )
        } else {
          current = new Map()
          data.sections.set(currentName, current)
        }
      },
      option(name, value, at) {
        if (!current) {
          throw new LookupFailure(
            `File contains no section headers.\nfile: '<???>', line: ${at.number}\n${pyStringRepr(at.raw + (at.last ? '' : '\n'))}`,
            false,
            'configparser.MissingSectionHeaderError'
          )
        }
        if (value === null && !options.allowNoValue) {
          throw new LookupFailure(
            `Source contains parsing errors: '<???>'\n\t[line ${String(at.number).padStart(2)}]: ${pyRepr(at.raw + '\n')}`,
            false,
            'configparser.ParsingError'
          )
        }
        const key = options.caseSensitive ? name : name.toLowerCase()
        if (current.has(key)) {
          throw new LookupFailure(
            `While reading from '<???>' [line ${String(at.number).padStart(2)}]: option ${pyStringRepr(key)} in section ${pyStringRepr(currentName)} already exists`,
            true,
            'configparser.DuplicateOptionError'
          )
        }
        current.set(key, value)
        lastKey = key
      },
      value(whole) {
        if (current && lastKey !== undefined) current.set(lastKey, whole)
      }
    }
  )
  return data
}

/** The options of a section, DEFAULT's first (as configparser's items()), not yet interpolated. */
export function sectionItems(data: IniData, section: string): Map<string, string | null> {
  const own = section === 'DEFAULT' ? new Map() : data.sections.get(section)
  if (own === undefined) throw new LookupFailure('no section', true, 'configparser.NoSectionError')
  return new Map([...data.defaults, ...own])
}

/** configparser's BasicInterpolation of one value: `%%` is `%`, `%(name)s` the option `name`. */
export function interpolate(
  items: Map<string, string | null>,
  key: string,
  value: string | null,
  caseSensitive: boolean,
  depth = 1
): string | null {
  if (value === null) return null
  if (depth > 10)
    throw new LookupFailure(
      `Recursion limit exceeded in value substitution: option ${pyStringRepr(key)} in section contains an interpolation key which cannot be substituted in 10 steps. Raw value: ${pyStringRepr(value)}`,
      false,
      'configparser.InterpolationDepthError'
    )
  let out = ''
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!
    if (ch !== '%') {
      out += ch
      continue
    }
    const next = value[i + 1]
    if (next === '%') {
      out += '%'
      i++
    } else if (next === '(') {
      const m = /^%\(([^)]+)\)s/.exec(value.slice(i))
      if (!m)
        throw new LookupFailure(
          `bad interpolation variable reference ${pyStringRepr(value.slice(i))}`,
          false,
          'configparser.InterpolationSyntaxError'
        )
      const name = caseSensitive ? m[1]! : m[1]!.toLowerCase()
      if (!items.has(name))
        throw new LookupFailure(
          `Bad value substitution: option ${pyStringRepr(key)} in section contains an interpolation key ${pyStringRepr(name)} which is not a valid option name. Raw value: ${pyStringRepr(value)}`,
          false,
          'configparser.InterpolationMissingOptionError'
        )
      out += interpolate(items, name, items.get(name) ?? '', caseSensitive, depth + 1) ?? ''
      i += m[0].length - 1
    } else {
      throw new LookupFailure(
        `'%' must be followed by '%' or '(', found: ${pyStringRepr(value.slice(i))}`,
        false,
        'configparser.InterpolationSyntaxError'
      )
    }
  }
  return out
}
