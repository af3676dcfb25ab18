/**
 * A template file rendered as Ansible's template action renders it: the module's syntax options, then the
 * `#jinja2:` header line's overrides, Jinja2's lexing (jinja-lexer.ts), and the trailing newlines of the
 * source given back in `newline_sequence`.
 */
import { JinjaError, TemplateError } from '../errors.js'
import { parsePythonLiteral } from '../values/python-literal.js'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { decodeUtf8SurrogateEscape } from '../values/python-codecs.js'
import { renderCanonical, type IncludeResolver } from './engine.js'
import { ANSIBLE_TEMPLATE_SYNTAX, canonicalSource, type JinjaSyntax } from './jinja-lexer.js'
import { pyRepr, pyTruthy } from './python.js'
import { isFile } from '../file-kinds.js'

export { ANSIBLE_TEMPLATE_SYNTAX, type JinjaSyntax } from './jinja-lexer.js'

/** How a template file is rendered: Jinja2 settings over Ansible's defaults, and variables of its own. */
export interface TemplateFileOptions extends Partial<JinjaSyntax> {
  /** Variables over the task's (the template action's template_* and ansible_managed). */
  variables?: Record<string, unknown>
  /** Directories `{% include %}`, `{% import %}`, `{% from %}` and `{% extends %}` read from, in order. */
  searchPath?: string[]
}

/**
 * Reads included templates as Jinja2's FileSystemLoader does: the name split on `/` (`..` finds nothing),
 * looked up in each directory in turn, lexed with the same settings as the template that includes it.
 */
function includeResolver(searchPath: string[], syntax: JinjaSyntax): IncludeResolver {
  return (name) => {
    const pieces: string[] = []
    for (const piece of name.split('/')) {
      if (piece === '..') return undefined
      if (piece !== '' && piece !== '.') pieces.push(piece)
    }
    for (const dir of searchPath) {
      const file = path.join(dir, ...pieces)
      if (!isFile(file)) continue
      const text = decodeUtf8SurrogateEscape(readFileSync(file))
      return { source: canonicalSource(text, syntax), path: file }
    }
    return undefined
  }
}

const HEADER = '#jinja2:'

/** The delimiter settings by their Jinja2 names (also the template module's options of those names). */
export const DELIMITER_SETTINGS = {
  block_start_string: 'blockStart',
  block_end_string: 'blockEnd',
  variable_start_string: 'variableStart',
  variable_end_string: 'variableEnd',
  comment_start_string: 'commentStart',
  comment_end_string: 'commentEnd'
} as const satisfies Record<string, keyof JinjaSyntax>

/** The Jinja2 environment attributes a header line may set, by their Jinja2 names. */
const HEADER_SETTINGS: Record<string, keyof JinjaSyntax> = {
  trim_blocks: 'trimBlocks',
  lstrip_blocks: 'lstripBlocks',
  newline_sequence: 'newlineSequence',
  keep_trailing_newline: 'keepTrailingNewline',
  ...DELIMITER_SETTINGS
}

const NEWLINES = ['\n', '\r', '\r\n']

function trailingNewlines(text: string): number {
  let n = 0
  while (n < text.length && text[text.length - 1 - n] === '\n') n++
  return n
}

/** Applies one `key: value` of a `#jinja2:` header line to `syntax`, or refuses it by name. */
function applyHeaderSetting(syntax: JinjaSyntax, key: string, literal: string): void {
  const value = parsePythonLiteral(literal)
  if (typeof value === 'string' && value === literal) {
    throw new TemplateError(
      `the '#jinja2:' header sets ${key} to ${literal}, which is no Python literal ` +
        `(write True/False, or a quoted string)`
    )
  }
  const setting = HEADER_SETTINGS[key]
  if (!Object.hasOwn(HEADER_SETTINGS, key) || setting === undefined) {
    throw new TemplateError(
      `the '#jinja2:' header sets '${key}', which is not supported; supported: ` +
        Object.keys(HEADER_SETTINGS).join(', ')
    )
  }
  if (setting === 'trimBlocks' || setting === 'lstripBlocks' || setting === 'keepTrailingNewline') {
    syntax[setting] = pyTruthy(value)
  } else if (setting === 'newlineSequence') {
    if (typeof value !== 'string' || !NEWLINES.includes(value))
      throw new TemplateError('newline_sequence set to unknown line ending string.')
    syntax.newlineSequence = value as JinjaSyntax['newlineSequence']
  } else {
    if (typeof value !== 'string')
      throw new TemplateError(`the '#jinja2:' header sets ${key} to ${pyRepr(value)}: not a string`)
    syntax[setting] = value
  }
}

/**
 * Refuses delimiters Jinja2 cannot lex with: empty ones, and start strings that are the same (Jinja2
 * asserts they differ).
 */
export function checkDelimiters(syntax: JinjaSyntax): void {
  for (const [name, value] of [
    ['block_start_string', syntax.blockStart],
    ['block_end_string', syntax.blockEnd],
    ['variable_start_string', syntax.variableStart],
    ['variable_end_string', syntax.variableEnd],
    ['comment_start_string', syntax.commentStart],
    ['comment_end_string', syntax.commentEnd]
  ] as const) {
    if (value === '') throw new TemplateError(`${name} must not be empty`)
  }
  const starts = [syntax.blockStart, syntax.variableStart, syntax.commentStart]
  if (new Set(starts).size !== starts.length) {
    throw new TemplateError(
      'block, variable and comment start strings must be different (block_start_string ' +
        `${JSON.stringify(syntax.blockStart)}, variable_start_string ${JSON.stringify(syntax.variableStart)}, ` +
        `comment_start_string ${JSON.stringify(syntax.commentStart)})`
    )
  }
}

/**
 * Renders the text of a template file against `vars` as Ansible's template action does: `syntax` (the
 * module's options over Ansible's defaults), then a first line `#jinja2: key: value, …` overriding them
 * (that line is not printed), then the text without its last newline rendered by Jinja2's rules, then the
 * newlines the source ended with and the output lacks added in `newline_sequence`.
 * @throws TemplateError for a header, delimiter or template that Jinja2 would refuse
 */
export function renderTemplateFile(
  source: string,
  vars: Record<string, unknown>,
  options: TemplateFileOptions = {}
): string {
  const { variables, searchPath, ...overrides } = options
  const syntax: JinjaSyntax = { ...ANSIBLE_TEMPLATE_SYNTAX }
  for (const [key, value] of Object.entries(overrides) as Array<[keyof JinjaSyntax, never]>)
    if (value !== undefined) syntax[key] = value
  // The task's variables stay lazy (getters on the scope); these sit in front of them.
  const scope = variables
    ? (Object.assign(Object.create(vars) as object, variables) as Record<string, unknown>)
    : vars
  const sourceNewlines = trailingNewlines(source)
  let data = source
  if (data.startsWith(HEADER)) {
    // As Ansible: the header runs to the first newline; without one, it is the whole text but its last
    // character, and the text is rendered whole.
    const eol = data.indexOf('\n')
    const line = data.slice(HEADER.length, eol === -1 ? -1 : eol)
    data = data.slice(eol + 1)
    for (const pair of line.split(',')) {
      const colon = pair.indexOf(':')
      if (colon < 0) {
        throw new TemplateError(
          `failed to parse jinja2 override '${pair.trim()}'. Did you use something different from colon as key-value separator?`
        )
      }
      applyHeaderSetting(syntax, pair.slice(0, colon).trim(), pair.slice(colon + 1).trim())
    }
  }
  checkDelimiters(syntax)
  let canonical: string
  try {
    canonical = canonicalSource(data, syntax)
  } catch (error) {
    // Jinja2's TemplateSyntaxError as Ansible reports it, naming the file's text.
    if (!(error instanceof JinjaError)) throw error
    throw new JinjaError(error.reason, error.kind, data)
  }
  const resolver = searchPath ? includeResolver(searchPath, syntax) : undefined
  let rendered = renderCanonical(canonical, scope, data, resolver)
  const missing = sourceNewlines - trailingNewlines(rendered)
  if (missing > 0) rendered += syntax.newlineSequence.repeat(missing)
  return rendered
}
