import { readFileSync, statSync } from 'node:fs'
import { findControllerFile } from './controller-files.js'
import path from 'node:path'
import { optionalString } from './command-runner.js'
import {
  boolArg,
  inspectRemote,
  normaliseMode,
  refuseUnsupported,
  transferWithArgs
} from './file-transfer.js'
import { untypedOptions } from './arg-spec.js'
import { FILE_OPTIONS_REFUSED } from './copy.js'
import { factsFor } from '../facts/index.js'
import { ModuleArgumentError, type ModuleDefinition } from './module.js'

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
        'follow',
        'checksum'
      ),
      ...FILE_OPTIONS_REFUSED
    }
  },
  async run(ctx) {
    const args = ctx.args
    refuseUnsupported('template', args, ['lstrip_blocks'])
    if (args['trim_blocks'] !== undefined && !boolArg(args['trim_blocks'], 'trim_blocks', true)) {
      throw new ModuleArgumentError("template: 'trim_blocks: false' is not supported yet")
    }
    const newline = optionalString(args['newline_sequence'])
    if (newline !== undefined && !['\n', '\r\n', '\r'].includes(newline)) {
      throw new ModuleArgumentError(
        `value of newline_sequence must be one of: \\n, \\r, \\r\\n, got: ${JSON.stringify(newline)}`
      )
    }
    const src = optionalString(args['src'])
    if (!src) throw new ModuleArgumentError('missing required arguments: src')
    let dest = optionalString(args['dest'])
    if (!dest) throw new ModuleArgumentError('missing required arguments: dest')
    const local = findControllerFile(src, 'templates', ctx)
    let text = ctx.render(readFileSync(local, 'utf8'))
    if (newline !== undefined && newline !== '\n') text = text.replace(/\r?\n/g, newline)
    const mode = normaliseMode(args['mode'], () => statSync(local).mode)
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
      content: Buffer.from(text, 'utf8'),
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
