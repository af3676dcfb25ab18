import type { ModuleDefinition } from './module.js'
import { expandOnTarget, readWholeFile } from './remote-read.js'

/**
 * `slurp`: a file of the target, base64 in `content`, read through Connection.getFile (capped at
 * READ_MAX_BYTES: a larger file fails naming the cap). Changes nothing, so it runs in check mode.
 */
export const slurpModule: ModuleDefinition = {
  name: 'slurp',
  supportsCheckMode: true,
  args: { options: { src: { type: 'path', required: true, aliases: ['path'] } } },
  async run(ctx) {
    const source = await expandOnTarget(ctx, ctx.args['src'] as string)
    const read = await readWholeFile(ctx, source)
    if ('failure' in read) return { changed: false, failed: true, msg: read.failure.msg }
    return { changed: false, content: read.bytes.toString('base64'), source, encoding: 'base64' }
  }
}
