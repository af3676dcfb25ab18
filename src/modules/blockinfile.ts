/**
 * `blockinfile`: keeps a block of lines between two marker lines (`marker` with `{mark}` replaced by
 * `marker_begin`/`marker_end`) in a file, replacing the block found between existing markers or
 * inserting it at `insertafter`/`insertbefore` (EOF, BOF or a Python regex, per line or over the whole
 * file when it has `(?m)`), or removing it (`state: absent`, or an empty `block`); with `create`,
 * `backup`, `validate`, `mode`/`owner`/`group`, Ansible's messages, check mode and diff. Read and
 * written as lineinfile is (file-edit.ts), over the file's bytes.
 */
import { factsFor } from '../facts/index.js'
import { attributesWanted, FILE_COMMON_OPTIONS, finishEdit, readEditTarget } from './file-edit.js'
import type { ModuleDefinition, ModuleResult } from './module.js'
import {
  PythonRegexError,
  pythonSearch,
  pythonSubn,
  translatePythonRegex,
  type PythonRegex
} from '../values/python-regex.js'

/** Text as bytes, one char per byte (how blockinfile sees the file: Python bytes). */
function asBytes(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1')
}

/** Python's `bytes.splitlines(True)`: lines end at `\r\n`, `\r` or `\n`, and keep their end. */
function splitLinesKeepingEnds(text: string): string[] {
  return text.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? []
}

function failure(msg: string, extra: ModuleResult = {}): ModuleResult {
  return { changed: false, failed: true, msg, ...extra }
}

const MARK = translatePythonRegex('{mark}', 'bytes')

export const blockinfileModule: ModuleDefinition = {
  name: 'blockinfile',
  supportsCheckMode: true,
  args: {
    options: {
      path: { type: 'path', required: true, aliases: ['dest', 'destfile', 'name'] },
      state: { type: 'str', default: 'present', choices: ['absent', 'present'] },
      marker: { type: 'str', default: '# {mark} ANSIBLE MANAGED BLOCK' },
      block: { type: 'str', default: '', aliases: ['content'] },
      insertafter: { type: 'str' },
      insertbefore: { type: 'str' },
      create: { type: 'bool', default: false },
      backup: { type: 'bool', default: false },
      validate: { type: 'str' },
      marker_begin: { type: 'str', default: 'BEGIN' },
      marker_end: { type: 'str', default: 'END' },
      ...FILE_COMMON_OPTIONS
    },
    mutuallyExclusive: [['insertbefore', 'insertafter']]
  },
  async run(ctx) {
    const args = ctx.args
    const path = String(args['path'])
    attributesWanted(args)
    const present = args['state'] !== 'absent'
    let insertafter = args['insertafter'] == null ? undefined : String(args['insertafter'])
    const insertbefore = args['insertbefore'] == null ? undefined : String(args['insertbefore'])
    if (insertbefore === undefined && insertafter === undefined) insertafter = 'EOF'
    let insertRe: PythonRegex | undefined
    let marker0: string
    let marker1: string
    try {
      if (insertafter !== undefined && insertafter !== 'EOF')
        insertRe = translatePythonRegex(asBytes(insertafter), 'bytes')
      else if (insertbefore !== undefined && insertbefore !== 'BOF')
        insertRe = translatePythonRegex(asBytes(insertbefore), 'bytes')
      const marker = asBytes(String(args['marker']))
      // `marker_begin`/`marker_end` are substitution templates, as in Ansible's re.sub.
      marker0 = pythonSubn(MARK, asBytes(String(args['marker_begin'])), marker).text + '\n'
      marker1 = pythonSubn(MARK, asBytes(String(args['marker_end'])), marker).text + '\n'
    } catch (error) {
      if (error instanceof PythonRegexError) return failure(error.message)
      throw error
    }

    const facts = factsFor(ctx)
    const target = await readEditTarget(ctx, facts, path)
    if (target.state.exists && target.state.type === 'directory') {
      return failure(`Path ${path} is a directory !`, { rc: 256 })
    }
    const exists = target.state.exists
    if (!exists && args['create'] !== true) {
      return failure(`Path ${path} does not exist !`, { rc: 257 })
    }
    const original = exists ? (target.content ?? Buffer.alloc(0)).toString('latin1') : undefined
    const lines = original === undefined ? [] : splitLinesKeepingEnds(original)
    const header = `${path} (content)`
    const diff: Record<string, unknown> = {
      before: '',
      after: '',
      before_header: header,
      after_header: header
    }
    if (ctx.diff && original) diff['before'] = Buffer.from(original, 'latin1').toString('utf8')
    if (!present && !exists) return { changed: false, msg: `File ${path} not present` }

    let block = asBytes(String(args['block'] ?? ''))
    let blockLines: string[] = []
    if (present && block) {
      if (!block.endsWith('\n')) block += '\n'
      blockLines = [marker0, ...splitLinesKeepingEnds(block), marker1]
    }

    let n0: number | undefined
    let n1: number | undefined
    lines.forEach((line, i) => {
      if (line === marker0) n0 = i
      if (line === marker1) n1 = i
    })
    let at: number
    if (n0 === undefined || n1 === undefined) {
      let found: number | undefined
      if (insertRe !== undefined) {
        if (insertRe.multiline) {
          const match = pythonSearch(insertRe, original ?? '')
          if (match) {
            const upTo = insertafter ? match.index + match[0].length : match.index
            found = ((original ?? '').slice(0, upTo).match(/\n/g) ?? []).length
          }
        } else {
          lines.forEach((line, i) => {
            if (pythonSearch(insertRe!, line)) found = i
          })
        }
        if (found === undefined) at = lines.length
        else at = insertafter !== undefined ? found + 1 : found
      } else if (insertbefore !== undefined) {
        at = 0
      } else {
        at = lines.length
      }
    } else if (n0 < n1) {
      lines.splice(n0, n1 - n0 + 1)
      at = n0
    } else {
      lines.splice(n1, n0 - n1 + 1)
      at = n1
    }
    if (at > 0 && at - 1 < lines.length && !lines[at - 1]!.endsWith('\n')) lines[at - 1] += '\n'
    lines.splice(at, 0, ...blockLines)
    const result = lines.join('')
    if (ctx.diff) diff['after'] = Buffer.from(result, 'latin1').toString('utf8')

    let msg = ''
    let changed = true
    if (original === result) changed = false
    else if (original === undefined) msg = 'File created'
    else if (blockLines.length === 0) msg = 'Block removed'
    else msg = 'Block inserted'
    // Ansible compares None with b'' for a new file: creating an empty one is a change.
    if (original === undefined) changed = true

    return finishEdit(ctx, facts, target, {
      changed,
      msg,
      content: Buffer.from(result, 'latin1'),
      diff,
      backupField: 'backup_file',
      makeParents: true
    })
  }
}
