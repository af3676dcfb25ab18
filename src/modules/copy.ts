import { statSync } from 'node:fs'
import path from 'node:path'
import { findControllerFile, readSourceFile } from './controller-files.js'
import { hideVaultedDiff, isVaultedFile } from './vaulted-diff.js'
import { optionalString } from './command-runner.js'
import { copyTree } from './copy-tree.js'
import { copyRemoteTree } from './copy-remote-tree.js'
import {
  boolArg,
  inspectRemote,
  expandUser,
  normaliseMode,
  transferWithArgs,
  type RemoteSource
} from './file-transfer.js'
import type { ArgOption } from './arg-spec.js'
import { untypedOptions } from './arg-spec.js'
import { factsFor, type TargetFacts } from '../facts/index.js'
import { pythonStr } from '../template/python.js'
import { pythonJsonDumps } from '../values/python-json.js'
import { isRecord } from '../values/records.js'
import { ModuleArgumentError, type ModuleDefinition, type ModuleResult } from './module.js'

/** Why the SELinux and attribute options are refused: what to use instead. */
const NOT_HERE = 'use the file module or a shell task for it'

/** Options of Ansible's copy and template that are refused by name rather than ignored. */
export const FILE_OPTIONS_REFUSED: Record<string, ArgOption> = {
  attributes: { type: 'raw', aliases: ['attr'], notImplemented: NOT_HERE },
  selevel: { type: 'raw', notImplemented: NOT_HERE },
  serole: { type: 'raw', notImplemented: NOT_HERE },
  setype: { type: 'raw', notImplemented: NOT_HERE },
  seuser: { type: 'raw', notImplemented: NOT_HERE },
  unsafe_writes: {
    type: 'raw',
    notImplemented: 'every write here is atomic (a temporary file beside dest, then mv)'
  }
}

/**
 * `copy`: writes `content`, a controller file or a whole controller directory (`src`, with or without
 * its trailing slash, as Ansible distinguishes them), or a file already on the target (`remote_src`)
 * to `dest`; changed only when bytes, mode, owner or group differ.
 */
export const copyModule: ModuleDefinition = {
  name: 'copy',
  supportsCheckMode: true,
  // Ansible's copy action hands unknown arguments to its copy module, which names itself so.
  args: {
    reportedAs: 'ansible.legacy.copy',
    options: {
      ...untypedOptions(
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
        'validate',
        'follow',
        'local_follow',
        'checksum'
      ),
      ...FILE_OPTIONS_REFUSED,
      // A vault-encrypted controller file is decrypted before it is sent, unless this is false (template
      // has no such option: it always decrypts its source, as Ansible's does).
      decrypt: { type: 'bool', default: true }
    }
  },
  async run(ctx) {
    const args = ctx.args
    const src = optionalString(args['src'])
    const hasContent = args['content'] !== undefined && args['content'] !== null
    let dest = optionalString(args['dest'])
    if (!src && !hasContent) return fail('src (or content) is required')
    if (!dest) return fail('dest is required')
    if (src && hasContent) return fail('src and content are mutually exclusive')
    if (hasContent && dest.endsWith('/')) return fail('can not use content with a dir as dest')
    const facts = factsFor(ctx)
    dest = await expandUser(facts, dest, ctx.timeoutMs)
    const preserve = args['mode'] === 'preserve'
    // content: Ansible's temporary file of it is 0600, which `mode: preserve` then gives dest.
    const file = {
      mode: normaliseMode(args['mode'], () => 0o600),
      check: ctx.check,
      diff: ctx.diff,
      timeoutMs: ctx.timeoutMs
    }
    if (hasContent) {
      const value = args['content']
      // As Ansible's copy: a list or dict is written as Python's json.dumps writes it (`[1.0, 2]`), any
      // other value as its Python text (`1.0`, `True`).
      const text =
        typeof value === 'string'
          ? value
          : Array.isArray(value) || isRecord(value)
            ? pythonJsonDumps(value, { ensureAscii: true })
            : pythonStr(value)
      return await toFile(facts, args, dest, undefined, Buffer.from(text, 'utf8'), file)
    }
    if (boolArg(args['remote_src'], 'remote_src', false)) {
      return await remoteCopy(facts, args, src!, dest, file)
    }
    // The trailing slash says whether a directory is copied itself or only what is in it.
    const local = findControllerFile(src!, 'files', ctx, { directories: true })
    if (statSync(local).isDirectory()) {
      return await copyTree(facts, args, {
        source: src!.endsWith('/') ? `${local}/` : local,
        dest,
        check: ctx.check,
        timeoutMs: ctx.timeoutMs
      })
    }
    if (dest.endsWith('/')) dest = `${dest}${path.basename(local)}`
    if (preserve) file.mode = normaliseMode('preserve', () => statSync(local).mode)
    const result = await toFile(facts, args, dest, local, readSourceFile(local, args), file)
    // A vault-encrypted source is written decrypted: its text never goes into a diff.
    const decrypts = args['decrypt'] === undefined || boolArg(args['decrypt'], 'decrypt', true)
    return decrypts && isVaultedFile(local) ? hideVaultedDiff(result) : result
  }
}

function fail(msg: string): ModuleResult {
  return { changed: false, failed: true, msg }
}

/** One file to dest (or into dest, when dest is a directory: under the source's name). */
async function toFile(
  facts: TargetFacts,
  args: Record<string, unknown>,
  dest: string,
  src: string | undefined,
  content: Buffer | RemoteSource,
  file: { mode: string | undefined; check: boolean; diff: boolean; timeoutMs: number }
): Promise<ModuleResult> {
  let state = await inspectRemote(facts, dest)
  if (state.kind === 'dir') {
    if (src === undefined) return fail('can not use content with a dir as dest')
    dest = `${dest.replace(/\/+$/, '')}/${path.basename(src)}`
    state = await inspectRemote(facts, dest)
    if (state.kind === 'dir') throw new ModuleArgumentError(`destination ${dest} is a directory`)
  }
  const result = await transferWithArgs(facts, args, {
    ...file,
    dest,
    content,
    state,
    ...(src === undefined ? {} : { afterHeader: src })
  })
  // As Ansible: in check mode nothing is sent, so there is no `src` to report.
  if (src !== undefined && result['failed'] !== true && !file.check) result['src'] = src
  return result
}

/** remote_src: a file (or a directory) that is already on the target. */
async function remoteCopy(
  facts: TargetFacts,
  args: Record<string, unknown>,
  src: string,
  dest: string,
  file: { mode: string | undefined; check: boolean; diff: boolean; timeoutMs: number }
): Promise<ModuleResult> {
  if (args['mode'] === 'preserve') file = { ...file, mode: undefined }
  src = await expandUser(facts, src, file.timeoutMs)
  // dest is read beside the source, in the same round trip (toFile finds it in the facts' cache).
  const [source] = await Promise.all([
    facts.path(src, { checksum: 'sha1', follow: true }),
    inspectRemote(facts, dest).catch(() => undefined)
  ])
  if (!source.exists) return fail(`Source ${src} not found`)
  if (!source.readable) return fail(`Source ${src} not readable`)
  if (source.type === 'directory') {
    return await copyRemoteTree(facts, args, { src, dest, ...file })
  }
  if (source.type !== 'file') return fail(`Cannot copy invalid source '${src}': not a file`)
  if (args['mode'] === 'preserve')
    file = { ...file, mode: normaliseMode('preserve', () => source.permissions) }
  return await toFile(
    facts,
    args,
    dest,
    src,
    { remotePath: src, checksum: source.checksum ?? '' },
    file
  )
}
