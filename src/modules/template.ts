import { readFileSync } from 'node:fs'
import { ansibleBoolean } from '../ansible-boolean.js'
import { TemplateError, UndefinedVariableError } from '../errors.js'
import type { JinjaSyntax } from '../template/index.js'
import {
  PythonEncodeError,
  UnknownEncodingError,
  decodeUtf8SurrogateEscape,
  encodePython
} from '../values/python-codecs.js'
import { findControllerFile } from './controller-files.js'
import path from 'node:path'
import { optionalString } from './command-runner.js'
import {
  inspectRemote,
  normaliseMode,
  refuseUnsupported,
  transferWithArgs
} from './file-transfer.js'
import { untypedOptions } from './arg-spec.js'
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
 * as copy does: changed only when the rendered bytes or the mode differ; `backup` and `validate` as Ansible.
 */
export const templateModule: ModuleDefinition = {
  name: 'template',
  // Not yet: skipped in check mode until it reports what it would do without doing it.
  supportsCheckMode: false,
  args: {
    options: untypedOptions(
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
      'comment_end_string'
    )
  },
  async run(ctx) {
    const args = ctx.args
    refuseUnsupported('template', args, ['owner', 'group'])
    const syntax = templateSyntax(args)
    const src = optionalString(args['src'])
    if (!src) throw new ModuleArgumentError('missing required arguments: src')
    let dest = optionalString(args['dest'])
    if (!dest) throw new ModuleArgumentError('missing required arguments: dest')
    const local = findControllerFile(src, 'templates', ctx)
    // As Ansible reads it: bytes that are not UTF-8 pass through to the output unchanged.
    const text = renderFile(ctx, decodeUtf8SurrogateEscape(readFileSync(local)), syntax)
    const encoded = encodeOutput(text, args['output_encoding'])
    if (!Buffer.isBuffer(encoded)) return encoded
    const mode = normaliseMode(args['mode'])
    const facts = factsFor(ctx)
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
      timeoutMs: ctx.timeoutMs
    })
    result['src'] = local
    return result
  }
}

/** The delimiter options, by Ansible's names, and the Jinja2 settings they set. */
const DELIMITERS = {
  block_start_string: 'blockStart',
  block_end_string: 'blockEnd',
  variable_start_string: 'variableStart',
  variable_end_string: 'variableEnd',
  comment_start_string: 'commentStart',
  comment_end_string: 'commentEnd'
} as const satisfies Record<string, keyof JinjaSyntax>

// newline_sequence as the escapes people write (`'\\n'` in YAML) or as the characters themselves.
const NEWLINE_SEQUENCES: Record<string, JinjaSyntax['newlineSequence']> = {
  '\n': '\n',
  '\r': '\r',
  '\r\n': '\r\n',
  '\\n': '\n',
  '\\r': '\r',
  '\\r\\n': '\r\n'
}

/**
 * The Jinja2 settings the task's arguments ask for, read as Ansible's template action reads them:
 * `trim_blocks`/`lstrip_blocks` leniently (anything but a true word is false), strings as strings.
 */
function templateSyntax(args: Record<string, unknown>): Partial<JinjaSyntax> {
  const flag = (name: string, fallback: boolean): boolean => {
    const value = args[name]
    if (value === undefined || value === null) return fallback
    try {
      return ansibleBoolean(value, 'lenient')
    } catch (error) {
      throw new ModuleArgumentError((error as Error).message)
    }
  }
  const syntax: Partial<JinjaSyntax> = {
    trimBlocks: flag('trim_blocks', true),
    lstripBlocks: flag('lstrip_blocks', false)
  }
  for (const [option, setting] of Object.entries(DELIMITERS)) {
    const value = args[option]
    if (value === undefined || value === null) continue
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new ModuleArgumentError(`${option} is expected to be a string, but got ${typeof value}`)
    }
    syntax[setting] = String(value)
  }
  const newline = args['newline_sequence']
  if (newline !== undefined && newline !== null) {
    const sequence = Object.hasOwn(NEWLINE_SEQUENCES, String(newline))
      ? NEWLINE_SEQUENCES[String(newline)]
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
  const name =
    encoding === undefined || encoding === null || encoding === '' || encoding === false
      ? 'utf-8'
      : encoding
  const unexpected = (message: string): ModuleResult =>
    Object.defineProperty(
      {
        failed: true,
        msg: `Unexpected failure during module execution: ${message}`,
        stdout: ''
      },
      UNEXPECTED_FAILURE,
      { value: true }
    )
  if (typeof name !== 'string')
    return unexpected(
      `encode() argument 'encoding' must be str, not ${typeof name === 'number' ? (Number.isInteger(name) ? 'int' : 'float') : typeof name}`
    )
  try {
    return encodePython(text, name)
  } catch (error) {
    if (error instanceof UnknownEncodingError || error instanceof PythonEncodeError)
      return unexpected(error.message)
    throw new ModuleArgumentError((error as Error).message)
  }
}

/**
 * The template rendered, or the task failed as Ansible's template action fails it: the error's Python
 * type name before its message (AnsibleUndefinedVariable, AnsibleError).
 */
function renderFile(ctx: ModuleContext, text: string, syntax: Partial<JinjaSyntax>): string {
  try {
    return ctx.render(text, syntax)
  } catch (error) {
    if (error instanceof UndefinedVariableError)
      // AnsibleUndefinedVariable wraps Jinja2's error and repeats its message.
      throw new ModuleArgumentError(`AnsibleUndefinedVariable: ${error.message}. ${error.message}`)
    if (error instanceof TemplateError)
      throw new ModuleArgumentError(`AnsibleError: ${error.message}`)
    throw error
  }
}
