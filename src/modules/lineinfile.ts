/**
 * `lineinfile`: makes sure one line is in a file (or is not), found by an exact match, a Python regex
 * (`regexp`, evaluated on the controller by src/values/python-regex.ts) or a substring (`search_string`); with
 * `insertafter`/`insertbefore` (BOF, EOF or a regex), `backrefs`, `firstmatch`, `create`, `backup`,
 * `validate`, `mode`/`owner`/`group`, Ansible's messages, check mode and diff. The file is read with
 * its state in one round trip and written back only when it changes (see file-edit.ts).
 */
import { factsFor } from '../facts/index.js'
import { attributesWanted, FILE_COMMON_OPTIONS, finishEdit, readEditTarget } from './file-edit.js'
import type { ModuleDefinition, ModuleResult } from './module.js'
import {
  PythonRegexError,
  expandReplacement,
  parseReplacement,
  pythonSearch,
  translatePythonRegex,
  type PythonRegex
} from '../values/python-regex.js'

/** Lines as Python's readlines() splits bytes: each keeps its `\n`; the last may have none. */
export function splitLines(text: string): string[] {
  const lines: string[] = []
  let start = 0
  for (;;) {
    const end = text.indexOf('\n', start)
    if (end < 0) break
    lines.push(text.slice(start, end + 1))
    start = end + 1
  }
  if (start < text.length) lines.push(text.slice(start))
  return lines
}

/** `str.rstrip('\r\n')`. */
function stripEol(line: string): string {
  return line.replace(/[\r\n]+$/, '')
}

/** Text as bytes, one char per byte (how lineinfile's regexes see the file, as Python's bytes). */
function asBytes(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1')
}

function compile(pattern: string): PythonRegex {
  return translatePythonRegex(asBytes(pattern), 'bytes')
}

function regexFailure(error: PythonRegexError): ModuleResult {
  return { changed: false, failed: true, msg: error.message }
}

interface Edit {
  lines: string[]
  changed: boolean
  msg: string
  found?: number
}

function present(
  lines: string[],
  opts: {
    regexp?: string
    searchString?: string
    line: string
    insertafter?: string
    insertbefore?: string
    backrefs: boolean
    firstmatch: boolean
  }
): Edit {
  const line = asBytes(opts.line)
  const search = opts.searchString === undefined ? undefined : asBytes(opts.searchString)
  const { insertafter, insertbefore } = opts
  const re = opts.regexp === undefined ? undefined : compile(opts.regexp)
  let ins: PythonRegex | undefined
  if (insertafter !== undefined && insertafter !== 'BOF' && insertafter !== 'EOF')
    ins = compile(insertafter)
  else if (insertbefore !== undefined && insertbefore !== 'BOF') ins = compile(insertbefore)

  let found = -1
  let insertAt = -1
  let match: RegExpExecArray | null = null
  let matched = false
  if (re) {
    for (let n = 0; n < lines.length; n++) {
      const m = pythonSearch(re, lines[n]!)
      if (m) {
        found = n
        match = m
        matched = true
        if (opts.firstmatch) break
      }
    }
  }
  if (search !== undefined) {
    for (let n = 0; n < lines.length; n++) {
      if (lines[n]!.includes(search)) {
        found = n
        matched = true
        if (opts.firstmatch) break
      }
    }
  }
  if (!matched) {
    for (let n = 0; n < lines.length; n++) {
      const cur = lines[n]!
      if (stripEol(cur) === line) {
        found = n
      } else if (ins && pythonSearch(ins, cur)) {
        if (insertafter) {
          insertAt = n + 1
          if (opts.firstmatch) break
        }
        if (insertbefore) {
          insertAt = n
          if (opts.firstmatch) break
        }
      }
    }
  }

  const eol = '\n'
  const endsWithEol = (): boolean => lines.length > 0 && /[\n\r]$/.test(lines[lines.length - 1]!)
  const added = (): Edit => ({ lines, changed: true, msg: 'line added' })
  const unchanged: Edit = { lines, changed: false, msg: '' }
  if (found !== -1) {
    let newLine =
      opts.backrefs && match && re ? expandReplacement(parseReplacement(line, re), match) : line
    if (!newLine.endsWith(eol)) newLine += eol
    if (lines[found] !== newLine) {
      lines[found] = newLine
      return { lines, changed: true, msg: 'line replaced' }
    }
    return unchanged
  }
  if (opts.backrefs) return unchanged
  if (insertbefore === 'BOF' || insertafter === 'BOF') {
    lines.unshift(line + eol)
    return added()
  }
  if (insertafter === 'EOF' || insertAt === -1) {
    if (lines.length > 0 && !endsWithEol()) lines.push(eol)
    lines.push(line + eol)
    return added()
  }
  if (insertafter && insertAt !== -1) {
    if (lines.length === insertAt) {
      if (stripEol(lines[insertAt - 1]!) !== line) {
        lines.push(line + eol)
        return added()
      }
      return unchanged
    }
    if (line !== stripEol(lines[insertAt]!)) {
      lines.splice(insertAt, 0, line + eol)
      return added()
    }
    return unchanged
  }
  lines.splice(insertAt, 0, line + eol)
  return added()
}

function absent(
  lines: string[],
  opts: { regexp?: string; searchString?: string; line?: string }
): Edit {
  const re = opts.regexp === undefined ? undefined : compile(opts.regexp)
  const search = opts.searchString === undefined ? undefined : asBytes(opts.searchString)
  const line = opts.line === undefined ? undefined : asBytes(opts.line)
  let found = 0
  const kept = lines.filter((cur) => {
    const hit = re
      ? pythonSearch(re, cur) !== null
      : search !== undefined
        ? cur.includes(search)
        : stripEol(cur) === line
    if (hit) found++
    return !hit
  })
  return {
    lines: kept,
    changed: found > 0,
    msg: found > 0 ? `${found} line(s) removed` : '',
    found
  }
}

function optional(value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : String(value)
}

/** The bytes (as one-char-per-byte text) back to a Buffer. */
function toBuffer(lines: string[]): Buffer {
  return Buffer.from(lines.join(''), 'latin1')
}

export const lineinfileModule: ModuleDefinition = {
  name: 'lineinfile',
  supportsCheckMode: true,
  args: {
    options: {
      path: { type: 'path', required: true, aliases: ['dest', 'destfile', 'name'] },
      state: { type: 'str', default: 'present', choices: ['absent', 'present'] },
      regexp: { type: 'str', aliases: ['regex'] },
      search_string: { type: 'str' },
      line: { type: 'str', aliases: ['value'] },
      insertafter: { type: 'str' },
      insertbefore: { type: 'str' },
      backrefs: { type: 'bool', default: false },
      create: { type: 'bool', default: false },
      backup: { type: 'bool', default: false },
      firstmatch: { type: 'bool', default: false },
      validate: { type: 'str' },
      ...FILE_COMMON_OPTIONS
    },
    mutuallyExclusive: [
      ['insertbefore', 'insertafter'],
      ['regexp', 'search_string'],
      ['backrefs', 'search_string']
    ]
  },
  async run(ctx) {
    const args = ctx.args
    const dest = String(args['path'])
    const regexp = optional(args['regexp'])
    const searchString = optional(args['search_string'])
    const line = optional(args['line'])
    const state = args['state'] === 'absent' ? 'absent' : 'present'
    if (regexp === '' || searchString === '') {
      const name = regexp === '' ? 'regular expression' : 'search string'
      ctx.warn(
        `The ${name} is an empty string, which will match every line in the file. This may have unintended consequences, such as replacing the last line in the file rather than appending.` +
          (regexp === ''
            ? " If this is desired, use '^' to match every line in the file and avoid this warning."
            : '')
      )
    }
    // Refused before the target is read, as Ansible refuses them (a bad regex, a bad mode).
    attributesWanted(args)
    try {
      for (const pattern of [regexp, optional(args['insertafter']), optional(args['insertbefore'])])
        if (pattern !== undefined && pattern !== 'BOF' && pattern !== 'EOF') compile(pattern)
    } catch (error) {
      if (error instanceof PythonRegexError) return regexFailure(error)
      throw error
    }

    const facts = factsFor(ctx)
    const target = await readEditTarget(ctx, facts, dest)
    if (target.state.exists && target.state.type === 'directory') {
      return { changed: false, failed: true, rc: 256, msg: `Path ${dest} is a directory !` }
    }
    const contentHeader = `${dest} (content)`
    const before = target.content ? target.content.toString('latin1') : ''
    const diff: Record<string, unknown> = {
      before: '',
      after: '',
      before_header: contentHeader,
      after_header: contentHeader
    }
    if (ctx.diff) diff['before'] = Buffer.from(before, 'latin1').toString('utf8')

    let edit: Edit
    if (state === 'present') {
      if (args['backrefs'] === true && regexp === undefined)
        return { changed: false, failed: true, msg: 'regexp is required with backrefs=true' }
      if (line === undefined)
        return { changed: false, failed: true, msg: 'line is required with state=present' }
      if (!target.state.exists && args['create'] !== true) {
        return {
          changed: false,
          failed: true,
          rc: 257,
          msg: `Destination ${dest} does not exist !`
        }
      }
      let insertafter = optional(args['insertafter'])
      const insertbefore = optional(args['insertbefore'])
      if (insertafter === undefined && insertbefore === undefined) insertafter = 'EOF'
      try {
        edit = present(splitLines(before), {
          regexp,
          searchString,
          line,
          insertafter,
          insertbefore,
          backrefs: args['backrefs'] === true,
          firstmatch: args['firstmatch'] === true
        })
      } catch (error) {
        if (error instanceof PythonRegexError) return regexFailure(error)
        throw error
      }
    } else {
      if (regexp === undefined && searchString === undefined && line === undefined) {
        return {
          changed: false,
          failed: true,
          msg: 'one of line, search_string, or regexp is required with state=absent'
        }
      }
      if (!target.state.exists) return { changed: false, msg: 'file not present' }
      edit = absent(splitLines(before), { regexp, searchString, line })
    }
    const content = toBuffer(edit.lines)
    if (ctx.diff) diff['after'] = content.toString('utf8')
    return finishEdit(ctx, facts, target, {
      changed: edit.changed,
      msg: edit.msg,
      content,
      diff,
      backupField: 'backup',
      makeParents: true,
      ...(edit.found === undefined ? {} : { extra: { found: edit.found } })
    })
  }
}
