import { createHash } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import type { Connection } from '../connection/connection.js'
import { shellQuote } from '../connection/shell-quote.js'
import { optionalString } from './command-runner.js'
import { ModuleArgumentError, type ModuleDefinition, type ModuleResult } from './module.js'

/** `copy`: writes `content` or a local `src` file to `dest` over SFTP; changed only when bytes or mode differ. */
export const copyModule: ModuleDefinition = {
  name: 'copy',
  argNames: [
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
  ],
  async run(ctx) {
    const args = ctx.args
    for (const unsupported of ['owner', 'group', 'remote_src', 'validate', 'backup']) {
      if (args[unsupported] !== undefined && args[unsupported] !== false) {
        throw new ModuleArgumentError(
          `copy: '${unsupported}' is not supported yet; use a shell task for it`
        )
      }
    }
    let dest = optionalString(args['dest'])
    if (!dest) throw new ModuleArgumentError('missing required arguments: dest')
    const { content, src } = readSource(args, ctx.baseDir)
    const mode = normaliseMode(args['mode'])
    const connection = await ctx.connection()
    let state = await inspect(connection, dest, ctx.timeoutMs)
    if (state.kind === 'dir') {
      if (src === undefined) throw new ModuleArgumentError('can not use content with a dir as dest')
      dest = `${dest.replace(/\/+$/, '')}/${path.basename(src)}`
      state = await inspect(connection, dest, ctx.timeoutMs)
      if (state.kind === 'dir') throw new ModuleArgumentError(`destination ${dest} is a directory`)
    }
    const checksum = createHash('sha1').update(content).digest('hex')
    const force = args['force'] === undefined ? true : Boolean(args['force'])
    let changed = false
    if (state.kind === 'none' || (state.checksum !== checksum && force)) {
      await connection.putFile(dest, content, {
        timeoutMs: ctx.timeoutMs,
        mode: mode && /^[0-7]+$/.test(mode) ? parseInt(mode, 8) : undefined
      })
      changed = true
    }
    const final = await connection.run(
      `${mode ? `chmod ${shellQuote(mode)} ${shellQuote(dest)} && ` : ''}stat -c '%u %g %U %G %a %s' ${shellQuote(dest)}`,
      { timeoutMs: ctx.timeoutMs }
    )
    if (final.code !== 0) {
      throw new ModuleArgumentError(
        `could not set the mode of ${dest}: ${final.stderr.toString('utf8').trim()}`
      )
    }
    const [uid, gid, owner, group, octal, size] = final.stdout.toString('utf8').trim().split(' ')
    if (
      mode &&
      state.kind === 'file' &&
      !changed &&
      normaliseOctal(state.mode) !== normaliseOctal(octal ?? '')
    )
      changed = true
    const result: ModuleResult = {
      changed,
      checksum,
      dest,
      gid: Number(gid),
      group,
      mode: `0${normaliseOctal(octal ?? '')}`,
      owner,
      size: Number(size),
      state: 'file',
      uid: Number(uid)
    }
    if (src !== undefined) result['src'] = src
    return result
  }
}

function readSource(
  args: Record<string, unknown>,
  baseDir: string
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
  const local = path.resolve(baseDir, src)
  try {
    if (statSync(local).isDirectory()) {
      throw new ModuleArgumentError(
        `copy: src '${src}' is a directory; copying directories is not supported yet`
      )
    }
    return { content: readFileSync(local), src: local }
  } catch (error) {
    if (error instanceof ModuleArgumentError) throw error
    throw new ModuleArgumentError(`Could not find or access '${src}' (looked for ${local})`)
  }
}

/** Mode as chmod understands it. A YAML int such as 0644 (read as octal, as Ansible does) becomes '0644'. */
function normaliseMode(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined
  if (typeof value === 'number') return `0${value.toString(8)}`
  const text = String(value)
  if (
    !/^[0-7]{3,4}$/.test(text) &&
    !/^[ugoa]*[-+=][rwxXst]*(,[ugoa]*[-+=][rwxXst]*)*$/.test(text)
  ) {
    throw new ModuleArgumentError(
      `mode must be octal (e.g. '0644') or symbolic (e.g. 'u=rw,g=r'), got '${text}'`
    )
  }
  return text
}

function normaliseOctal(mode: string): string {
  return mode.replace(/^0+(?=\d{3})/, '').padStart(3, '0')
}

type RemoteState =
  { kind: 'none' } | { kind: 'dir' } | { kind: 'file'; checksum: string; mode: string }

async function inspect(
  connection: Connection,
  dest: string,
  timeoutMs: number
): Promise<RemoteState> {
  const d = shellQuote(dest)
  const res = await connection.run(
    `if [ -d ${d} ]; then echo dir; elif [ -f ${d} ]; then echo "file $(sha1sum < ${d} | cut -d' ' -f1) $(stat -c %a ${d})"; else echo none; fi`,
    { timeoutMs }
  )
  const [kind, checksum, mode] = res.stdout.toString('utf8').trim().split(' ')
  if (kind === 'dir') return { kind: 'dir' }
  if (kind === 'file') return { kind: 'file', checksum: checksum ?? '', mode: mode ?? '' }
  return { kind: 'none' }
}
