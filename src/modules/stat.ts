import {
  CHECKSUM_ALGORITHMS,
  permissionFlags,
  typeFlags,
  type ChecksumAlgorithm,
  type ExistingPath
} from '../facts/index.js'
import type { ModuleDefinition, ModuleResult } from './module.js'
import { readTargetPath } from './target-path.js'

/**
 * `stat`: Ansible's `stat` dictionary of one path on the target, field for field, from the path fact
 * in one round trip. Changes nothing, so it runs as usual in check mode.
 */
export const statModule: ModuleDefinition = {
  name: 'stat',
  supportsCheckMode: true,
  args: {
    options: {
      path: { type: 'path', required: true, aliases: ['dest', 'name'] },
      follow: { type: 'bool', default: false },
      get_checksum: { type: 'bool', default: true },
      checksum_algorithm: {
        type: 'str',
        default: 'sha1',
        choices: CHECKSUM_ALGORITHMS,
        aliases: ['checksum', 'checksum_algo']
      },
      get_mime: { type: 'bool', default: true, aliases: ['mime', 'mime_type', 'mime-type'] },
      get_attributes: { type: 'bool', default: true, aliases: ['attr', 'attributes'] },
      get_md5: {
        type: 'bool',
        default: false,
        notImplemented: 'use `checksum_algorithm: md5` (the `checksum` field) instead'
      }
    }
  },
  async run(ctx) {
    const args = ctx.args
    const { path, state } = await readTargetPath(ctx, args['path'] as string, {
      follow: args['follow'] === true,
      checksum:
        args['get_checksum'] === true ? (args['checksum_algorithm'] as ChecksumAlgorithm) : false,
      mime: args['get_mime'] === true,
      attributes: args['get_attributes'] === true
    })
    if (!state.exists) {
      // As Ansible: a missing path (or a link followed to nowhere) is a result; any other reason fails.
      if (state.error !== undefined) return { changed: false, failed: true, msg: state.error }
      return { changed: false, stat: { exists: false } }
    }
    return { changed: false, stat: ansibleStat(path, state) }
  }
}

/** Ansible's stat dictionary of an existing path (the fields of its format_output and main). */
export function ansibleStat(path: string, state: ExistingPath): ModuleResult {
  const out: ModuleResult = {
    exists: true,
    path,
    mode: state.mode,
    ...typeFlags(state.type),
    uid: state.uid,
    gid: state.gid,
    size: state.size,
    inode: state.inode,
    dev: state.dev,
    nlink: state.nlink,
    atime: state.atime,
    mtime: state.mtime,
    ctime: state.ctime,
    ...permissionFlags(state.permissions),
    blocks: state.blocks,
    block_size: state.blockSize,
    device_type: state.deviceType,
    readable: state.readable,
    writeable: state.writeable,
    executable: state.executable
  }
  if (state.type === 'link') {
    out['lnk_source'] = state.linkSource ?? path
    out['lnk_target'] = state.linkTarget
  }
  if (state.owner !== undefined) out['pw_name'] = state.owner
  if (state.group !== undefined) out['gr_name'] = state.group
  if (state.checksum !== undefined) out['checksum'] = state.checksum
  if (state.mimeType !== undefined) {
    out['mimetype'] = state.mimeType
    out['charset'] = state.charset
  }
  if (state.attributes !== undefined) {
    out['version'] = state.attributes.version
    out['attributes'] = state.attributes.names
    out['attr_flags'] = state.attributes.flags
  }
  return out
}
