import { JinjaError, TemplateError, UnsafeConditionalError } from '../errors.js'
import { evaluateExpression, renderToString } from './engine.js'
import { escapeExpressionBackslashes } from './escape-backslashes.js'
import { withNativeTexts } from './native-text.js'
import type { JinjaSyntax } from './jinja-lexer.js'
import { renderTemplateFile, type TemplateFileOptions } from './template-file.js'
import { parsePythonLiteral } from '../values/python-literal.js'
import { PyTuple, holdsPyObject, pythonStr, pyTruthy } from './python.js'
import { isNumeric } from '../values/py-float.js'
import { isRecord } from '../values/records.js'
import { isMarkedUnsafe, unsafeText } from '../values/unsafe.js'
import { templateWarning } from './warnings.js'
import { isUndefinedTemplateError } from './undefined.js'

/** One variable offered to a scope: `trusted` values come from playbooks and inventories and may hold
 * templates; untrusted ones (registered results, facts) came from remote output and are never templated. */
export interface ScopeEntry {
  value: unknown
  /** Rendered as a template when read (variables written in the playbook and inventory). */
  trusted: boolean
  /**
   * An untrusted value (never templated again) that holds no data of the targets either: a set_fact value
   * or a loop item rendered from trusted variables only. Ansible leaves those unmarked by its unsafe flag.
   */
  safe?: boolean
}

// `{{ expr }}` alone, nothing around it (not even a trim marker's whitespace): Ansible returns the
// expression's value, turned into text unless it is a list, dict or boolean (convertData).
const SINGLE_EXPRESSION = /^\{\{-?([\s\S]*?)-?\}\}$/

// Ansible's Templar.SINGLE_VAR (`{{ name }}`, Python's `$` letting one newline end it): a number, boolean
// or None held by that variable is handed over as it is, untemplated.
const SINGLE_VARIABLE = /^\{\{\s*([\p{L}\p{N}_]*)\s*\}\}\n?$/u

/** How many `\n` end `text` (Ansible's _count_newlines_from_end). */
function trailingNewlines(text: string): number {
  let count = 0
  while (count < text.length && text[text.length - 1 - count] === '\n') count++
  return count
}

function singleExpression(text: string): string | undefined {
  const match = SINGLE_EXPRESSION.exec(text)
  if (!match) return undefined
  const inner = match[1]!
  // `{{ a }} and {{ b }}` is not one expression; `{{ {'a': {'b': 1}} }}` is. Track braces outside strings.
  let depth = 0
  for (let i = 0; i < inner.length; i++) {
    const ch = inner[i]!
    if (ch === '"' || ch === "'") {
      for (i++; i < inner.length && inner[i] !== ch; i++) if (inner[i] === '\\') i++
    } else if (ch === '{') {
      if (inner[i + 1] === '%' || inner[i + 1] === '#') return undefined
      depth++
    } else if (ch === '}' && --depth < 0) {
      return undefined
    } else if (ch === '%' && inner[i + 1] === '}') {
      return undefined
    }
  }
  return depth === 0 ? inner : undefined
}

function isScalar(value: unknown): boolean {
  return typeof value === 'boolean' || isNumeric(value)
}

/**
 * What Ansible 2.14's templating (jinja2_native off) makes of a rendered value: text, turned back into a
 * list, dict or boolean when it reads as one (`[…]`, `{…}`, `True`, `False`; JSON's true/false/null
 * inside, as Ansible's Json2Python reads them). So `"{{ 1 + 1 }}"` is the
 * string "2" and `"{{ none }}"` the empty string, while `"{{ items }}"` stays a list.
 */
function convertData(value: unknown): unknown {
  // A tuple prints as `(a, b)`, and a datetime inside a list as `datetime.datetime(…)`: no literal that
  // Ansible turns back into a list, so both stay text.
  const literal = (Array.isArray(value) && !(value instanceof PyTuple)) || isRecord(value)
  // A float inside a list or dict (`[4 / 2]`) leaves the engine a float (PyFloat), as in Python.
  if ((literal && !holdsPyObject(value)) || typeof value === 'boolean') return value
  // Ansible's finalize prints None as nothing.
  const text =
    typeof value === 'string'
      ? value
      : value === null || value === undefined
        ? ''
        : pythonStr(value)
  if (
    text.startsWith('[') ||
    (text.startsWith('{') && !text.startsWith('{{')) ||
    text === 'True' ||
    text === 'False'
  )
    return parsePythonLiteral(text, true)
  return text
}

/**
 * Ansible's is_template: a variable or block start, or a comment (`a {# note #} b` is `a  b`). A `{#`
 * with no `#}` after it (shell's `${#array[@]}`) stays text here, where Ansible fails on it.
 */
function isTemplate(text: string): boolean {
  return text.includes('{{') || text.includes('{%') || /\{#[\s\S]*#\}/.test(text)
}

const convertValue = convertData

/**
 * How many times a scope handed out an untrusted value (data from the targets). A conditional rendered
 * from its embedded templates compares the count before and after, as Ansible checks its result for
 * the unsafe mark.
 */
let untrustedReads = 0

/** The count of untrusted reads so far: compare two to learn whether a rendering read target data. */
export function untrustedReadCount(): number {
  return untrustedReads
}

/** Counts a value of the targets (or a lookup's result, as Ansible marks it unsafe) handed to a template. */
export function noteUntrustedRead(): void {
  untrustedReads++
}

/** Ansible-compatible templating of playbook values, expressions and conditionals. */
export class Templar {
  /**
   * Renders a value: strings are templated; lists and dicts recursively (dict keys too); other values
   * unchanged. A string that is exactly one `{{ expr }}` returns expr's native value; mixed text gives a
   * string with non-strings printed as Python would (True, None, ['a']). Strings without `{{`/`{%` are
   * returned as they are.
   */
  render(value: unknown, vars: Record<string, unknown>): unknown {
    // `!unsafe` text: handed back as written, never templated (nor read as a list or dict).
    if (isMarkedUnsafe(value)) {
      // Text that must never be templated: a conditional rendered from it is refused.
      untrustedReads++
      return unsafeText(value)
    }
    if (typeof value === 'string') return this.renderString(value, vars)
    if (Array.isArray(value)) return value.map((item) => this.render(item, vars))
    if (isRecord(value)) {
      const out: Record<string, unknown> = {}
      for (const key of Object.keys(value)) {
        const renderedKey = isTemplate(key) ? String(this.render(key, vars)) : key
        out[renderedKey] = this.render(value[key], vars)
      }
      return out
    }
    return value
  }

  /**
   * Renders template text to text, never a native value. Without `templateFile`: as a playbook string,
   * trailing newlines kept, `{% %}` blocks trimming the newline after them (Ansible's `trim_blocks: true`).
   * With it: a template file as the template module renders it (template-file.ts), with these Jinja2
   * settings over Ansible's defaults.
   */
  renderText(
    source: string,
    vars: Record<string, unknown>,
    templateFile?: TemplateFileOptions
  ): string {
    if (templateFile) return renderTemplateFile(source, vars, templateFile)
    return /\{[{%#]/.test(source) ? renderToString(source, vars) : source
  }

  /**
   * Renders a template file's text as the template lookup does (Ansible's Templar.template with trailing
   * newlines kept and no backslash escaping): with `convertData`, a result that reads as a list, dict or
   * boolean becomes one, as a playbook string's does; without, it stays text. `delimiters` are the
   * lookup's variable_start_string, comment_start_string and their ends.
   */
  renderLookupTemplate(
    text: string,
    vars: Record<string, unknown>,
    convertData: boolean,
    searchPath: string[] = [],
    delimiters: Partial<JinjaSyntax> = {}
  ): unknown {
    const ownDelimiters = Object.keys(delimiters).length > 0
    if (!ownDelimiters && !isTemplate(text)) return text
    // A template that includes or imports others, or is written with delimiters of its own, is rendered
    // with a loader over `searchPath`, as the template module renders one (the same whitespace rules).
    if (ownDelimiters || /\{%-?\s*(include|import|from|extends)\b/.test(text)) {
      const rendered = renderTemplateFile(text, vars, { searchPath, ...delimiters })
      return convertData ? convertValue(rendered) : rendered
    }
    const source = text.replace(/\r\n?/g, '\n').replace(/\n$/, '')
    let result: unknown
    try {
      result = convertData ? this.renderSource(source, vars) : renderToString(source, vars)
    } catch (error) {
      // A Jinja error names the file's text as read, its last line break included, as Ansible's does.
      if (error instanceof JinjaError && error.shownSource === source && source !== text)
        throw new JinjaError(error.reason, error.kind, text)
      throw error
    }
    if (typeof result !== 'string') return result
    const missing = trailingNewlines(text) - trailingNewlines(result)
    return missing > 0 ? result + '\n'.repeat(missing) : result
  }

  /** Evaluates a bare Jinja2 expression (as in `when:`) to its native value. */
  evaluate(expression: string, vars: Record<string, unknown>): unknown {
    return evaluateExpression(expression, vars)
  }

  /**
   * Evaluates a conditional (when/until/failed_when/changed_when): a boolean, a bare expression, a
   * `{{ expr }}` (tolerated, as Ansible does) or a list of these (all must hold). The result is judged by
   * Python truthiness; an undefined variable throws `'x' is undefined`. An empty or null conditional is true.
   */
  isTrue(condition: unknown, vars: Record<string, unknown>): boolean {
    if (typeof condition === 'boolean') return condition
    if (condition === null || condition === undefined) return true
    if (Array.isArray(condition)) return condition.every((c) => this.isTrue(c, vars))
    if (typeof condition !== 'string') return pyTruthy(condition)
    if (isMarkedUnsafe(condition)) {
      // As Ansible: an `!unsafe` conditional is evaluated as a bare expression, never as a template.
      throw new UnsafeConditionalError(unsafeText(condition))
    }
    const text = condition.trim()
    if (text === '') return true
    let expression = text
    if (text.includes('{{') || text.includes('{%')) {
      // As Ansible 2.14: the conditional is first rendered as a template, with a warning; what it renders
      // to is then evaluated as an expression. Rendered from data of the targets (registered results,
      // facts, loop items, set_fact values), it is refused, as Ansible refuses an unsafe result: target
      // output must never become code run on the controller (`' or lookup('pipe', …) or '`).
      templateWarning(
        `conditional statements should not include jinja2 templating delimiters such as {{ }} or {% %}. Found: ${condition}`
      )
      const readsBefore = untrustedReads
      const rendered = this.render(condition, vars)
      if (typeof rendered !== 'string' || rendered === '') return pyTruthy(rendered)
      if (untrustedReads !== readsBefore) throw new UnsafeConditionalError(text)
      expression = rendered.trim()
      if (expression === '') return false
    }
    return pyTruthy(evaluateExpression(expression, vars, text))
  }

  /**
   * Renders `value` as Ansible's templar does with fail_on_undefined=False (what `hostvars[host][name]`
   * gives): each string of it that meets an undefined value is kept as written.
   */
  private renderKeepingUndefined(value: unknown, vars: Record<string, unknown>): unknown {
    if (typeof value === 'string') {
      try {
        return this.render(value, vars)
      } catch (error) {
        if (isUndefinedTemplateError(error)) return value
        throw error
      }
    }
    if (Array.isArray(value)) return value.map((v) => this.renderKeepingUndefined(v, vars))
    if (isRecord(value) && !holdsPyObject(value)) {
      const out: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(value)) out[k] = this.renderKeepingUndefined(v, vars)
      return out
    }
    return this.render(value, vars)
  }

  /**
   * Builds a lazily templated variable scope: an object whose properties are the entries. Trusted entries
   * are rendered on first access against the scope itself (through nested lists and dicts), memoised, with
   * recursion detection. Untrusted entries are returned exactly as stored and never templated.
   *
   * It behaves as an object with one configurable, enumerable getter per entry (no prototype), but is a
   * Proxy over the entries: a task builds several scopes per host with dozens of variables, and defining
   * that many getters one by one cost more than everything else the task does on the controller.
   * Properties defined or deleted on the scope later (the `vars` view) take the place of the entry.
   */
  scope(
    entries: Map<string, ScopeEntry>,
    options: { keepUndefined?: boolean } = {}
  ): Record<string, unknown> {
    const target = Object.create(null) as Record<string, unknown>
    /** Entries redefined or deleted on the scope: the target object holds what is left of them. */
    const replaced = new Set<string>()
    const states = new Map<string, { state: 'rendering' | 'done'; rendered?: unknown }>()
    const isEntry = (name: string | symbol): name is string =>
      typeof name === 'string' && entries.has(name) && !replaced.has(name)
    const read = (name: string): unknown => {
      const entry = entries.get(name)!
      if (!entry.trusted) {
        if (entry.safe !== true) untrustedReads++
        return entry.value
      }
      const known = states.get(name)
      if (known?.state === 'done') return known.rendered
      if (known?.state === 'rendering')
        throw new TemplateError(`recursive loop detected in template string: ${name}`)
      const progress: { state: 'rendering' | 'done'; rendered?: unknown } = { state: 'rendering' }
      states.set(name, progress)
      try {
        progress.rendered = options.keepUndefined
          ? this.renderKeepingUndefined(entry.value, scope)
          : this.render(entry.value, scope)
        progress.state = 'done'
      } finally {
        if (progress.state !== 'done') states.delete(name)
      }
      return progress.rendered
    }
    /** The getter an entry stands for, as a property descriptor. */
    const descriptor = (name: string): PropertyDescriptor => ({
      get: () => read(name),
      set: undefined,
      enumerable: true,
      configurable: true
    })
    const scope: Record<string, unknown> = new Proxy(target, {
      get: (t, name, receiver) => (isEntry(name) ? read(name) : Reflect.get(t, name, receiver)),
      has: (t, name) => isEntry(name) || Reflect.has(t, name),
      ownKeys: (t) => {
        const keys: Array<string | symbol> = []
        for (const name of entries.keys())
          if (!replaced.has(name) || Object.prototype.hasOwnProperty.call(t, name)) keys.push(name)
        for (const key of Reflect.ownKeys(t))
          if (typeof key !== 'string' || !entries.has(key)) keys.push(key)
        return keys
      },
      getOwnPropertyDescriptor: (t, name) =>
        isEntry(name) ? descriptor(name) : Reflect.getOwnPropertyDescriptor(t, name),
      defineProperty: (t, name, attributes) => {
        // As on an object holding the getter: a partial redefinition keeps what it does not change.
        if (isEntry(name)) {
          Reflect.defineProperty(t, name, descriptor(name))
          replaced.add(name)
        }
        return Reflect.defineProperty(t, name, attributes)
      },
      deleteProperty: (t, name) => {
        if (isEntry(name)) {
          replaced.add(name)
          return true
        }
        return Reflect.deleteProperty(t, name)
      },
      // A getter without a setter: assigning to an entry fails (a TypeError in strict code), as it did.
      set: (t, name, value, receiver) =>
        isEntry(name) ? false : Reflect.set(t, name, value, receiver)
    })
    return scope
  }

  private renderString(text: string, vars: Record<string, unknown>): unknown {
    if (!isTemplate(text)) return text
    const name = SINGLE_VARIABLE.exec(text)?.[1]
    if (name && name in vars) {
      const value = vars[name]
      if (value === null || isScalar(value)) return value
    }
    // As Jinja2 reads a template: every line break becomes `\n` and one at the very end is dropped; as
    // Ansible's Templar, a text result then gets back the `\n`s that ended the template (`"{{ v }}\n"`
    // is the value and a newline; a list or number stays as it is).
    const source = escapeExpressionBackslashes(text).replace(/\r\n?/g, '\n').replace(/\n$/, '')
    const result = this.renderSource(source, vars)
    if (typeof result !== 'string') return result
    const missing = trailingNewlines(text) - trailingNewlines(result)
    return missing > 0 ? result + '\n'.repeat(missing) : result
  }

  private renderSource(text: string, vars: Record<string, unknown>): unknown {
    const inner = singleExpression(text)
    const { value, native } = withNativeTexts(() =>
      inner === undefined ? renderToString(text, vars) : evaluateExpression(inner, vars, text)
    )
    // A string-type filter's text (to_json, string…) that is all the template gives stays text.
    return native ? value : convertData(value)
  }
}
