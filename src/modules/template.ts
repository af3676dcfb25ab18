import { readFileSync, statSync } from 'node:fs'
import { hostname, userInfo } from 'node:os'
import { ansibleBoolean } from '../ansible-boolean.js'
import { TemplateError, UndefinedVariableError } from '../errors.js'
import { DELIMITER_SETTINGS, pyTruthy, pyTypeName, pythonStr } from '../template/index.js'
import type { JinjaSyntax, TemplateFileOptions } from '../template/index.js'
import {
  PythonEncodeError,
  UnknownEncodingError,
  decodeUtf8SurrogateEscape,
  encodePython
} from '../values/python-codecs.js'
import { findControllerFile } from './controller-files.js'
import { readControllerFile } from '../vault/index.js'
import path from 'node:path'
import { optionalString } from './command-runner.js'
import { expandUser, inspectRemote, normaliseMode, transferWithArgs } from './file-transfer.js'
import { untypedOptions } from './arg-spec.js'
import { FILE_OPTIONS_REFUSED } from './copy.js'
import { factsFor } from '../facts/index.js'
import {
  ModuleArgumentError,
  UNEXPECTED_FAILURE,
  type ModuleContext,
  type ModuleDefinition,
  type ModuleResult
} from './module.js'

/**
 * `template`: renders a Jinja2 file from the controller with the task's variables and writes it to `dest`
 * as copy does: changed only when the rendered bytes, mode, owner or group differ; `backup`, `validate`
 * and `follow` as Ansible.
 */
export const templateModule: ModuleDefinition = {
  name: 'template',
  supportsCheckMode: true,
  args: {
    options: {
      ...untypedOptions(
        'src',
        'dest',
        'mode',
        'force',
        'backup',
        'validate',
        'owner',
        'group',
        'newline_sequence',
        'trim_blocks',
        'lstrip_blocks',
        'output_encoding',
        'block_start_string',
        'block_end_string',
        'variable_start_string',
        'variable_end_string',
        'comment_start_string',
        'comment_end_string',
        'follow',
        'checksum'
      ),
      ...FILE_OPTIONS_REFUSED
    }
  },
  async run(ctx) {
    const args = ctx.args
    let syntax: Partial<JinjaSyntax>
    try {
      syntax = templateSyntax(args)
    } catch (error) {
      if (error instanceof UnexpectedFailure) return unexpectedFailure(error.message)
      throw error
    }
    const src = optionalString(args['src'])
    if (!src) throw new ModuleArgumentError('missing required arguments: src')
    let dest = optionalString(args['dest'])
    if (!dest) throw new ModuleArgumentError('missing required arguments: dest')
    const local = findControllerFile(src, 'templates', ctx)
    // As Ansible reads it: bytes that are not UTF-8 pass through to the output unchanged.
    const text = renderFile(ctx, decodeUtf8SurrogateEscape(readControllerFile(local)), {
      ...syntax,
      variables: templateVariables(src, local, dest),
      searchPath: includeSearchPath(ctx, local)
    })
    const encoded = encodeOutput(text, args['output_encoding'])
    if (!Buffer.isBuffer(encoded)) return encoded
    const mode = normaliseMode(args['mode'], () => statSync(local).mode)
    const facts = factsFor(ctx)
    dest = await expandUser(facts, dest, ctx.timeoutMs)
    let state = await inspectRemote(facts, dest)
    if (state.kind === 'dir') {
      // As copy does with a directory dest: the file keeps its name inside it.
      dest = `${dest.replace(/\/+$/, '')}/${path.basename(src)}`
      state = await inspectRemote(facts, dest)
      if (state.kind === 'dir') throw new ModuleArgumentError(`destination ${dest} is a directory`)
    }
    const result = await transferWithArgs(facts, args, {
      dest,
      content: encoded,
      mode,
      state,
      check: ctx.check,
      diff: ctx.diff,
      afterHeader: local,
      timeoutMs: ctx.timeoutMs
    })
    if (result['failed'] !== true) result['src'] = local
    return result
  }
}

// newline_sequence as the escapes people write (`'\\n'` in YAML) or as the characters themselves.
const NEWLINE_SEQUENCES: Record<string, JinjaSyntax['newlineSequence']> = {
  '\n': '\n',
  '\r': '\r',
  '\r\n': '\r\n',
  '\\n': '\n',
  '\\r': '\r',
  '\\r\\n': '\r\n'
}

/** Ansible's "Unexpected failure during module execution" result (see UNEXPECTED_FAILURE). */
function unexpectedFailure(message: string): ModuleResult {
  return Object.defineProperty(
    { failed: true, msg: `Unexpected failure during module execution: ${message}`, stdout: '' },
    UNEXPECTED_FAILURE,
    { value: true }
  )
}

/** Thrown while reading the arguments where Ansible's action plugin raises (an unexpected failure). */
class UnexpectedFailure extends Error {}

/**
 * A string option as Ansible's template action reads it (ensure_type 'string'): text, a number or a
 * boolean as Python prints it, one pair of surrounding quotes removed; anything else is an unexpected
 * failure with Ansible's message.
 */
function stringOption(value: unknown): string {
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
    throw new UnexpectedFailure(`Invalid type provided for "string": ${pythonStr(value)}`)
  const text = pythonStr(value)
  const quoted =
    text.length > 1 &&
    (text[0] === '"' || text[0] === "'") &&
    text[text.length - 1] === text[0] &&
    text[text.length - 2] !== '\\'
  return quoted ? text.slice(1, -1) : text
}

/**
 * The Jinja2 settings the task's arguments ask for, read as Ansible's template action reads them, in its
 * order: the string options, then `trim_blocks`/`lstrip_blocks` leniently (anything but a true word is
 * false), then `newline_sequence`'s value.
 * @throws UnexpectedFailure for a string option of another type; ModuleArgumentError for a list or
 *   mapping as a boolean and for another newline_sequence
 */
function templateSyntax(args: Record<string, unknown>): Partial<JinjaSyntax> {
  const present = (name: string): boolean => args[name] !== undefined && args[name] !== null
  const syntax: Partial<JinjaSyntax> = {}
  const newline = present('newline_sequence') ? stringOption(args['newline_sequence']) : undefined
  for (const [option, setting] of Object.entries(DELIMITER_SETTINGS))
    if (present(option)) syntax[setting] = stringOption(args[option])
  const flag = (name: string, fallback: boolean): boolean => {
    if (!present(name)) return fallback
    try {
      return ansibleBoolean(args[name], 'lenient')
    } catch (error) {
      throw new ModuleArgumentError((error as Error).message)
    }
  }
  syntax.trimBlocks = flag('trim_blocks', true)
  syntax.lstripBlocks = flag('lstrip_blocks', false)
  if (newline !== undefined) {
    const sequence = Object.hasOwn(NEWLINE_SEQUENCES, newline)
      ? NEWLINE_SEQUENCES[newline]
      : undefined
    if (sequence === undefined)
      throw new ModuleArgumentError('newline_sequence needs to be one of: \n, \r or \r\n')
    syntax.newlineSequence = sequence
  }
  return syntax
}

/**
 * The rendered text in `output_encoding` (utf-8 when unset or empty), as Python encodes it; where Ansible
 * fails there (a name Python does not know, a character the codec cannot encode), the same result.
 */
function encodeOutput(text: string, encoding: unknown): Buffer | ModuleResult {
  // `output_encoding or 'utf-8'`, as Ansible reads it.
  const name = pyTruthy(encoding) ? encoding : 'utf-8'
  if (typeof name !== 'string')
    return unexpectedFailure(`encode() argument 'encoding' must be str, not ${pyTypeName(name)}`)
  try {
    return encodePython(text, name)
  } catch (error) {
    if (error instanceof UnknownEncodingError || error instanceof PythonEncodeError)
      return unexpectedFailure(error.message)
    throw new ModuleArgumentError((error as Error).message)
  }
}

/**
 * The template rendered, or the task failed as Ansible's template action fails it: the error's Python
 * type name before its message (AnsibleUndefinedVariable, AnsibleError).
 */
function renderFile(ctx: ModuleContext, text: string, options: TemplateFileOptions): string {
  try {
    return ctx.render(text, options)
  } catch (error) {
    if (error instanceof UndefinedVariableError)
      // AnsibleUndefinedVariable wraps Jinja2's error and repeats its message.
      throw new ModuleArgumentError(`AnsibleUndefinedVariable: ${error.message}. ${error.message}`)
    if (error instanceof TemplateError)
      throw new ModuleArgumentError(`AnsibleError: ${error.message}`)
    throw error
  }
}

/**
 * Python's str() of `datetime.fromtimestamp(seconds)`: local time, the float's fraction rounded half to
 * even to microseconds, shown only when there are any.
 */
function pythonDatetime(seconds: number): string {
  let whole = Math.floor(seconds)
  const scaled = (seconds - whole) * 1e6
  let micros = Math.round(scaled)
  if (Math.abs(scaled % 1) === 0.5 && micros % 2 === 1) micros -= 1
  if (micros >= 1_000_000) {
    whole += 1
    micros -= 1_000_000
  }
  const date = new Date(whole * 1000)
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0')
  const text =
    `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  return micros === 0 ? text : `${text}.${pad(micros, 6)}`
}

/** The name of the controller's user `uid` (from /etc/passwd), or the number as text, as Ansible gives it. */
function userName(uid: number): string {
  if (userInfo().uid === uid) return userInfo().username
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const fields = line.split(':')
      if (fields.length > 2 && Number(fields[2]) === uid && fields[2] !== '') return fields[0]!
    }
  } catch {
    // No passwd file: the number, as Python's pwd lookup failing gives it.
  }
  return String(uid)
}

/**
 * The variables Ansible's template action adds for the template (over the task's): `template_host`,
 * `template_path` (src as written), `template_fullpath`, `template_destpath`, `template_uid` (the
 * template file's owner), `template_mtime` and `template_run_date` (as Python prints a datetime), and
 * `ansible_managed` ("Ansible managed": no configuration file is read).
 */
function templateVariables(src: string, fullPath: string, dest: string): Record<string, unknown> {
  const stat = statSync(fullPath, { bigint: true })
  // Python's st_mtime: whole seconds plus nanoseconds, as one float.
  const mtime = Number(stat.mtimeNs / 1_000_000_000n) + Number(stat.mtimeNs % 1_000_000_000n) * 1e-9
  return {
    template_host: hostname(),
    template_path: src,
    template_mtime: pythonDatetime(mtime),
    template_uid: userName(Number(stat.uid)),
    template_run_date: pythonDatetime(Date.now() / 1000),
    template_destpath: dest,
    template_fullpath: fullPath,
    ansible_managed: 'Ansible managed'
  }
}

/**
 * Where the template's includes are looked up, as Ansible's template action sets Jinja2's search path:
 * `ansible_search_path`, the playbook's directory and the template's own, each with its `templates/`
 * first.
 */
function includeSearchPath(ctx: ModuleContext, template: string): string[] {
  const known = ctx.vars['ansible_search_path']
  const dirs = [
    ...(Array.isArray(known) ? known.filter((p): p is string => typeof p === 'string') : []),
    ctx.baseDir,
    path.dirname(template)
  ]
  return dirs.flatMap((dir) => [path.join(dir, 'templates'), dir])
}
