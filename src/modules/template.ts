import { statSync } from 'node:fs'
import { ansibleBoolean } from '../ansible-boolean.js'
import { TemplateError, UndefinedVariableError } from '../errors.js'
import {
  DELIMITER_SETTINGS,
  pyTruthy,
  pyTypeName,
  pythonStr,
  templateVariables
} from '../template/index.js'
import type { JinjaSyntax, TemplateFileOptions } from '../template/index.js'
import {
  PythonEncodeError,
  UnknownEncodingError,
  decodeUtf8SurrogateEscape,
  encodePython
} from '../values/python-codecs.js'
import { findControllerFile } from './controller-files.js'
import { readControllerFile } from '../vault/index.js'
import { hideVaultedDiff, isVaultedFile } from './vaulted-diff.js'
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
import { isNumeric } from '../values/py-float.js'

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
    // As Ansible: in check mode nothing is sent, so there is no `src` to report.
    if (result['failed'] !== true && !ctx.check) result['src'] = local
    // A vault-encrypted template is rendered decrypted: its text never goes into a diff.
    return isVaultedFile(local) ? hideVaultedDiff(result) : result
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
  if (typeof value !== 'string' && !isNumeric(value) && typeof value !== 'boolean')
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
