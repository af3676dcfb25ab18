/**
 * The Jinja2 table's case files (`cases-*.txt` in this directory), one case per line:
 *
 *   # a comment (a line whose first character is `#`; blank lines are skipped too)
 *   @vars {"items": [1, 2], "name": "web"}      variables for the cases below it in this file (replaces
 *                                                the previous `@vars` line's; `{}` clears them)
 *   {{ items | map('string') | join(',') }}     a case: the line is the template, exactly as written
 *   {{ n + 1 }} @vars {"n": 41}                 a case with its own variables (over the file's)
 *   @json "{% for x in items %}{{ x }}\n{% endfor %}"   a template given as a JSON string (newlines, tabs,
 *                                                a leading `#` or `@`, trailing spaces)
 *   {{ 1 / 3 }} @differs REASON                  a known disagreement: the test requires it to still differ
 *                                                (and README's templating section lists it with REASON)
 *
 * `@vars` and `@differs` go at the end of a case line (in that order when both are there), each after
 * one space. Every case gets `omit` (Ansible's placeholder text) unless its variables set it.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

/** Ansible's omit placeholder shape: fixed here so that both sides print the same text. */
export const OMIT_PLACEHOLDER = '__omit_place_holder__' + 'a1'.repeat(20)

export interface JinjaCase {
  /** `file:line`, unique. */
  id: string
  template: string
  vars: Record<string, unknown>
  /** Why this case is known to render differently from Ansible, if it does. */
  differs?: string
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw new Error(`${where}: invalid JSON (${(error as Error).message}): ${text}`, {
      cause: error
    })
  }
}

function parseVars(text: string, where: string): Record<string, unknown> {
  const vars = parseJson(text, where)
  if (typeof vars !== 'object' || vars === null || Array.isArray(vars))
    throw new Error(`${where}: @vars needs a JSON object, found ${text}`)
  return vars as Record<string, unknown>
}

/** Parses one case file's text. */
export function parseCases(text: string, file: string): JinjaCase[] {
  const cases: JinjaCase[] = []
  let fileVars: Record<string, unknown> = {}
  text.split('\n').forEach((raw, index) => {
    const where = `${file}:${index + 1}`
    let line = raw.replace(/\r$/, '')
    if (line.trim() === '' || line.startsWith('#')) return
    if (line.startsWith('@vars ')) {
      fileVars = parseVars(line.slice('@vars '.length), where)
      return
    }
    let differs: string | undefined
    const differsAt = line.lastIndexOf(' @differs ')
    if (differsAt !== -1) {
      differs = line.slice(differsAt + ' @differs '.length).trim()
      line = line.slice(0, differsAt)
    }
    let vars = { omit: OMIT_PLACEHOLDER, ...fileVars }
    const varsAt = line.lastIndexOf(' @vars {')
    if (varsAt !== -1) {
      vars = { ...vars, ...parseVars(line.slice(varsAt + ' @vars '.length), where) }
      line = line.slice(0, varsAt)
    }
    let template = line
    if (line.startsWith('@json ')) {
      const decoded = parseJson(line.slice('@json '.length), where)
      if (typeof decoded !== 'string') throw new Error(`${where}: @json needs a JSON string`)
      template = decoded
    } else if (line.startsWith('@')) {
      throw new Error(`${where}: unknown directive ${line.split(' ')[0]} (@vars, @json, @differs)`)
    }
    cases.push({ id: where, template, vars, ...(differs !== undefined ? { differs } : {}) })
  })
  return cases
}

/** Every case of every `cases-*.txt` file in `dir`, files in name order. */
export function loadCases(dir: string): JinjaCase[] {
  return readdirSync(dir)
    .filter((name) => /^cases-.*\.txt$/.test(name))
    .sort()
    .flatMap((name) => parseCases(readFileSync(join(dir, name), 'utf8'), name))
}
