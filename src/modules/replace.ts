/**
 * `replace`: replaces every match of a Python regex (`regexp`, multiline, over the decoded text) with
 * `replace` (Python's template: `\1`, `\g<name>`), optionally only in the section between `after` and
 * `before`; with `backup`, `validate`, `encoding`, `mode`/`owner`/`group`, Ansible's messages, check
 * mode and diff. Read and written as lineinfile is (file-edit.ts).
 */
import { factsFor } from '../facts/index.js'
import { attributesWanted, FILE_COMMON_OPTIONS, finishEdit, readEditTarget } from './file-edit.js'
import type { ModuleDefinition, ModuleResult } from './module.js'
import {
  PythonRegexError,
  pythonSearch,
  pythonSubn,
  translatePythonRegex
} from '../values/python-regex.js'

/** Encodings `encoding` may name (Python's names and aliases), as Node's Buffer names them. */
const ENCODINGS: Record<string, BufferEncoding> = {
  'utf-8': 'utf8',
  utf8: 'utf8',
  u8: 'utf8',
  'latin-1': 'latin1',
  latin1: 'latin1',
  'iso-8859-1': 'latin1',
  iso8859_1: 'latin1',
  l1: 'latin1',
  ascii: 'ascii',
  'us-ascii': 'ascii',
  'utf-16-le': 'utf16le',
  'utf-16le': 'utf16le',
  utf_16_le: 'utf16le'
}

function failure(msg: string, extra: ModuleResult = {}): ModuleResult {
  return { changed: false, failed: true, msg, ...extra }
}

/** Decodes as Python's strict codecs do: a byte the encoding cannot hold is an error, not U+FFFD. */
function decode(bytes: Buffer, encoding: BufferEncoding): string | undefined {
  if (encoding === 'utf8') {
    try {
      return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes)
    } catch {
      return undefined
    }
  }
  if (encoding === 'ascii' && bytes.some((b) => b > 0x7f)) return undefined
  if (encoding === 'utf16le' && bytes.length % 2 !== 0) return undefined
  return bytes.toString(encoding)
}

function encodable(text: string, encoding: BufferEncoding): boolean {
  const limit = encoding === 'latin1' ? 0xff : encoding === 'ascii' ? 0x7f : Infinity
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > limit) return false
  return true
}

export const replaceModule: ModuleDefinition = {
  name: 'replace',
  supportsCheckMode: true,
  args: {
    options: {
      path: { type: 'path', required: true, aliases: ['dest', 'destfile', 'name'] },
      regexp: { type: 'str', required: true },
      replace: { type: 'str', default: '' },
      after: { type: 'str' },
      before: { type: 'str' },
      backup: { type: 'bool', default: false },
      validate: { type: 'str' },
      encoding: { type: 'str', default: 'utf-8' },
      ...FILE_COMMON_OPTIONS
    }
  },
  async run(ctx) {
    const args = ctx.args
    const path = String(args['path'])
    const encodingName = String(args['encoding'])
    const encoding =
      ENCODINGS[encodingName.toLowerCase().replace(/_/g, '-')] ??
      ENCODINGS[encodingName.toLowerCase()]
    if (encoding === undefined) {
      return failure(
        `replace: encoding '${encodingName}' is not supported; use one of utf-8, latin-1, ascii, utf-16-le`
      )
    }
    attributesWanted(args)
    const after = args['after'] === undefined || args['after'] === null ? '' : String(args['after'])
    const before =
      args['before'] === undefined || args['before'] === null ? '' : String(args['before'])
    let section: string | undefined
    if (after && before) section = `${after}(?P<subsection>.*?)${before}`
    else if (after) section = `${after}(?P<subsection>.*)`
    else if (before) section = `(?P<subsection>.*)${before}`
    let regexp
    let sectionRegexp
    try {
      regexp = translatePythonRegex(String(args['regexp']), 'text', { multiline: true })
      if (section !== undefined)
        sectionRegexp = translatePythonRegex(section, 'text', { dotAll: true, indices: true })
    } catch (error) {
      if (error instanceof PythonRegexError) return failure(error.message)
      throw error
    }

    const facts = factsFor(ctx)
    const target = await readEditTarget(ctx, facts, path)
    if (target.state.exists && target.state.type === 'directory') {
      return failure(`Path ${path} is a directory !`, { rc: 256 })
    }
    if (!target.state.exists) return failure(`Path ${path} does not exist !`, { rc: 257 })
    const contents = decode(target.content ?? Buffer.alloc(0), encoding)
    if (contents === undefined) {
      return failure(`replace: ${path} is not valid ${encodingName}: set encoding to the file's`)
    }

    let text = contents
    let start = 0
    let end = contents.length
    if (sectionRegexp !== undefined) {
      const match = pythonSearch(sectionRegexp, contents)
      const span = match?.indices?.groups?.['subsection']
      if (!match || !span) {
        return {
          changed: false,
          rc: 0,
          msg: `Pattern for before/after params did not match the given file: ${section!}`
        }
      }
      ;[start, end] = span
      text = contents.slice(start, end)
    }
    let replaced
    try {
      replaced = pythonSubn(regexp, String(args['replace']), text)
    } catch (error) {
      if (error instanceof PythonRegexError) return failure(error.message)
      throw error
    }
    const changed = replaced.count > 0 && replaced.text !== text
    const after_ = contents.slice(0, start) + replaced.text + contents.slice(end)
    if (changed && !encodable(after_, encoding)) {
      return failure(`replace: the replaced text cannot be written as ${encodingName}`)
    }
    const diff =
      changed && ctx.diff
        ? { before_header: path, before: contents, after_header: path, after: after_ }
        : undefined
    return finishEdit(ctx, facts, target, {
      changed,
      msg: changed ? `${replaced.count} replacements made` : '',
      content: Buffer.from(after_, encoding),
      ...(diff ? { diff } : {}),
      diffStyle: 'content',
      backupField: 'backup_file',
      extra: { rc: 0 }
    })
  }
}
