import nunjucks from 'nunjucks'
import { JinjaError, TemplateError, UndefinedVariableError } from '../errors.js'
import { CAPTURE_NAME, installJinjaCompat } from './jinja-compat.js'
import { ANSIBLE_TEMPLATE_SYNTAX, canonicalSource, lexJinja } from './jinja-lexer.js'
import { VARS_KEY } from './jinja-runtime.js'
import { LookupFailure } from './lookups/lookup-support.js'
import { assertDeeplyDefined } from './undefined.js'

// Ansible's Templar renders playbook strings with Jinja2's defaults and trim_blocks, as template files.
const PLAYBOOK_STRING_SYNTAX = ANSIBLE_TEMPLATE_SYNTAX

// Compiled templates by source text: playbooks repeat the same few hundred strings across hosts and loops.
const templates = new Map<string, nunjucks.Template>()
const MAX_CACHED_TEMPLATES = 10_000
let environment: nunjucks.Environment | undefined
// Template files (the template module) arrive as canonical sources, whitespace control applied.
const fileTemplates = new Map<string, nunjucks.Template>()
let fileEnvironment: nunjucks.Environment | undefined

/**
 * Finds a template file named by `{% include %}`, `{% import %}`, `{% from %}` or `{% extends %}` and
 * returns its canonical source, or undefined when there is none.
 */
export type IncludeResolver = (name: string) => { source: string; path: string } | undefined

// The resolver of the template file being rendered: rendering is synchronous, so one at a time.
let activeResolver: IncludeResolver | undefined
const includeLoader: nunjucks.ILoader = {
  getSource(name: string) {
    const found = activeResolver?.(name)
    // Never cached: another task may render with other settings or another search path.
    return found ? { src: found.source, path: found.path, noCache: true } : null
  }
} as nunjucks.ILoader

function stripNunjucksNoise(message: string): string {
  return message
    .replace(/^\(unknown path\)( \[Line \d+, Column \d+\])?\s*/, '')
    .replace(/^(Template render error: )?(\(unknown path\)\s*)?/, '')
    .replace(/^(Error|TypeError|Template render error): /, '')
    .trim()
}

function translateError(err: unknown, source: string): TemplateError {
  for (let e: unknown = err; e instanceof Error; e = (e as Error & { cause?: unknown }).cause) {
    if (e instanceof UndefinedVariableError)
      return e.expression !== undefined ? e : new UndefinedVariableError(e.message, source)
    if (e instanceof LookupFailure) return e
    if (e instanceof JinjaError)
      return e.shownSource !== undefined ? e : new JinjaError(e.reason, e.kind, source)
    if (e instanceof TemplateError)
      return e.expression !== undefined ? e : new TemplateError(e.message, source)
  }
  const raw = err instanceof Error ? err.message : String(err)
  // A lookup's message is Ansible's to the last character (some end in a space): not trimmed.
  const lookup = /LookupFailure: ([\s\S]*)$/.exec(raw)
  if (lookup) return new LookupFailure(lookup[1]!, true)
  const message = stripNunjucksNoise(raw)
  // Inside {% for %} nunjucks re-creates our error from its text, dropping the original object.
  const ours =
    /^(TemplateError|UndefinedVariableError|LookupFailure|LookupOptionError|JinjaError|JinjaTypeError): ([\s\S]*)$/.exec(
      message
    )
  if (ours) {
    if (ours[1] === 'UndefinedVariableError') return new UndefinedVariableError(ours[2]!, source)
    // A lookup's failure keeps its class: the task reports it as Ansible does (failed and msg only).
    if (ours[1] === 'LookupFailure') return new LookupFailure(ours[2]!, true)
    // Only its text is left: a bare Jinja error's is its reason (one already wrapped never gets here).
    if (ours[1] === 'JinjaError') return new JinjaError(ours[2]!, 'syntax', source)
    if (ours[1] === 'JinjaTypeError') return new JinjaError(ours[2]!, 'type', source)
    return new TemplateError(ours[2]!, source)
  }
  // Anything else nunjucks raises is a syntax error of the template.
  return new JinjaError(message, 'syntax', source)
}

/**
 * How a source is compiled: `file` is a canonical source (template-file.ts), `text` a playbook string
 * (lexed here as Jinja2 lexes it for Ansible's Templar: trim_blocks on), `expression` our own wrapper
 * around one expression.
 */
type SourceKind = 'file' | 'text' | 'expression'

function compiled(source: string, shownSource = source, kind: SourceKind): nunjucks.Template {
  const cache = kind === 'file' ? fileTemplates : templates
  let template = cache.get(source)
  if (!template) {
    const env =
      kind === 'file'
        ? (fileEnvironment ??= installJinjaCompat(false, includeLoader))
        : (environment ??= installJinjaCompat(false))
    try {
      // Jinja2's lexer decides the text and the whitespace control (`{%+`, `{%- raw -%}`, trim_blocks),
      // which nunjucks' lexer would read otherwise.
      const text = kind === 'text' ? canonicalSource(source, PLAYBOOK_STRING_SYNTAX) : source
      template = new nunjucks.Template(text, env, undefined, true)
    } catch (err) {
      if (kind === 'expression') refuseAsJinjaLexes(shownSource)
      throw translateError(err, shownSource)
    }
    if (cache.size >= MAX_CACHED_TEMPLATES) cache.clear()
    cache.set(source, template)
  }
  return template
}

/**
 * An expression nunjucks could not compile: when Jinja2's lexer refuses its text (an unclosed string, a
 * stray bracket), that is the error, in Jinja2's words. A bare expression (a conditional) is lexed as
 * Ansible templates it, inside `{% if %}`.
 */
function refuseAsJinjaLexes(shownSource: string): void {
  const text = /\{[{%]/.test(shownSource)
    ? shownSource
    : `{% if ${shownSource} %} True {% else %} False {% endif %}`
  try {
    lexJinja(text, PLAYBOOK_STRING_SYNTAX)
  } catch (error) {
    if (error instanceof JinjaError) throw new JinjaError(error.reason, error.kind, shownSource)
    throw error
  }
}

// The template text being rendered, innermost last (a lookup may render another template): rendering
// is synchronous, so this is the text whose expression is running.
const sources: string[] = []

function withSource<T>(source: string, render: () => T): T {
  sources.push(source)
  try {
    return render()
  } finally {
    sources.pop()
  }
}

/** The text of the template being rendered now, as its author wrote it (undefined outside a render). */
export function currentTemplateSource(): string | undefined {
  return sources[sources.length - 1]
}

/**
 * Renders a canonical template source (jinja-lexer.ts's canonicalSource) against `vars`, with no
 * trimming of its own; errors show `shownSource`, the template as written.
 */
export function renderCanonical(
  canonical: string,
  vars: Record<string, unknown>,
  shownSource: string,
  resolver?: IncludeResolver
): string {
  const template = compiled(canonical, shownSource, 'file')
  activeResolver = resolver
  try {
    return withSource(shownSource, () => template.render({ [VARS_KEY]: vars }))
  } catch (err) {
    throw translateError(err, shownSource)
  } finally {
    activeResolver = undefined
  }
}

/** Renders a template source to a string against `vars` (read lazily: getters run only when referenced). */
export function renderToString(source: string, vars: Record<string, unknown>): string {
  const template = compiled(source, source, 'text')
  let rendered: string
  try {
    rendered = withSource(source, () => template.render({ [VARS_KEY]: vars }))
  } catch (err) {
    throw translateError(err, source)
  }
  // Jinja2 drops the source's last newline; Ansible's Templar gives back the trailing newlines missing.
  const missing = trailingNewlines(source) - trailingNewlines(rendered)
  return missing > 0 ? rendered + '\n'.repeat(missing) : rendered
}

function trailingNewlines(text: string): number {
  return text.length - text.replace(/\n+$/, '').length
}

/** Evaluates one Jinja2 expression to its native value (list, dict, number, bool, None). */
export function evaluateExpression(
  expression: string,
  vars: Record<string, unknown>,
  source = expression
): unknown {
  const template = compiled(`{{ ${CAPTURE_NAME}(${expression}) }}`, source, 'expression')
  let captured: unknown
  const capture = (value: unknown): string => {
    captured = value
    return ''
  }
  try {
    withSource(source, () => template.render({ [VARS_KEY]: vars, [CAPTURE_NAME]: capture }))
    assertDeeplyDefined(captured)
  } catch (err) {
    throw translateError(err, source)
  }
  return captured
}
