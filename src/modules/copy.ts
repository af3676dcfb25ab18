import { readFileSync } from 'node:fs'
import path from 'node:path'
import { findControllerFile } from './controller-files.js'
import { optionalString } from './command-runner.js'
import {
  inspectRemote,
  normaliseMode,
  refuseUnsupported,
  transferWithArgs
} from './file-transfer.js'
import { untypedOptions } from './arg-spec.js'
import { factsFor } from '../facts/index.js'
import { ModuleArgumentError, type ModuleDefinition } from './module.js'

/** `copy`: writes `content` or a local `src` file to `dest` over SFTP; changed only when bytes or mode differ. */
export const copyModule: ModuleDefinition = {
  name: 'copy',
  // Not yet: skipped in check mode until it reports what it would do without doing it.
  supportsCheckMode: false,
  // Ansible's copy action hands unknown arguments to its copy module, which names itself so.
  args: {
    reportedAs: 'ansible.legacy.copy',
    options: untypedOptions(
      'content',
      'src',
      'dest',
      'mode',
      'force',
      'backup',
      'owner',
      'group',
      'remote_src',
      'directory_mode',
      'validate'
    )
  },
  async run(ctx) {
    const args = ctx.args
    refuseUnsupported('copy', args, ['owner', 'group', 'remote_src'])
    let dest = optionalString(args['dest'])
    if (!dest) throw new ModuleArgumentError('missing required arguments: dest')
    const { content, src } = readSource(args, ctx)
    const mode = normaliseMode(args['mode'])
    const facts = factsFor(ctx)
    let state = await inspectRemote(facts, dest)
    if (state.kind === 'dir') {
      if (src === undefined) throw new ModuleArgumentError('can not use content with a dir as dest')
      dest = `${dest.replace(/\/+$/, '')}/${path.basename(src)}`
      state = await inspectRemote(facts, dest)
      if (state.kind === 'dir') throw new ModuleArgumentError(`destination ${dest} is a directory`)
    }
    const result = await transferWithArgs(facts, args, {
      dest,
      content,
      mode,
      state,
      timeoutMs: ctx.timeoutMs
    })
    if (src !== undefined) result['src'] = src
    return result
  }
}

function readSource(
  args: Record<string, unknown>,
  ctx: Parameters<typeof findControllerFile>[2]
): { content: Buffer; src?: string } {
  if (args['content'] !== undefined && args['src'] !== undefined) {
    throw new ModuleArgumentError('src and content are mutually exclusive')
  }
  if (args['content'] !== undefined) {
    const value = args['content']
    const text = typeof value === 'string' ? value : JSON.stringify(value)
    return { content: Buffer.from(text, 'utf8') }
  }
  const src = optionalString(args['src'])
  if (!src) throw new ModuleArgumentError('one of src or content is required')
  const local = findControllerFile(src, 'files', ctx)
  return { content: readFileSync(local), src: local }
}
