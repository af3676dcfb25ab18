import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import path from 'node:path'
import type { ModuleContext, ModuleDefinition, ModuleResult } from './module.js'
import { actionSkip } from './invoke.js'
import { readWholeFile } from './remote-read.js'
import { readTargetPath } from './target-path.js'

/**
 * `fetch`: copies a file of the target to the controller, under `dest/<inventory_hostname>/<src>`, or
 * at `dest` itself with `flat` (`dest/<basename of src>` when dest ends with a slash), as Ansible's fetch
 * action does. The target's sha1 comes with the path fact (one round trip); the file is read through
 * Connection.getFile (capped) only when the controller's copy differs, and lands through a temporary
 * file renamed into place. Like Ansible 2.14's, it is skipped in check mode.
 */
export const fetchModule: ModuleDefinition = {
  name: 'fetch',
  supportsCheckMode: true,
  args: {
    side: 'action',
    unknown: 'names',
    options: {
      src: { type: 'raw' },
      dest: { type: 'raw' },
      flat: { type: 'bool', default: false },
      fail_on_missing: { type: 'bool', default: true },
      validate_checksum: { type: 'bool', default: true }
    }
  },
  async run(ctx) {
    if (ctx.check) return actionSkip('check mode not (yet) supported for this module')
    const args = ctx.args
    const src = args['src']
    const dest = args['dest']
    const failOnMissing = args['fail_on_missing'] !== false
    let msg = ''
    if (typeof src !== 'string')
      msg = 'Invalid type supplied for source option, it must be a string'
    if (typeof dest !== 'string') msg = 'Invalid type supplied for dest option, it must be a string'
    if (src === undefined || src === null || dest === undefined || dest === null)
      msg = 'src and dest are required'
    if (msg) return { changed: false, failed: true, msg }
    const sourceArg = src as string
    const destArg = dest as string

    const { path: source, state } = await readTargetPath(ctx, sourceArg, {
      follow: true,
      checksum: 'sha1'
    })
    if (!state.exists && state.error !== undefined) {
      const failure = `Failed to get information on remote file (${source}): ${state.error}`
      return failOnMissing
        ? { changed: false, file: source, failed: true, msg: failure }
        : { changed: false, file: source, msg: `${failure}, ignored` }
    }
    if (state.exists && state.type === 'directory') {
      const directory = 'remote file is a directory, fetch cannot work on directories'
      return failOnMissing
        ? { changed: false, failed: true, msg: directory }
        : { msg: `${directory}, not transferring, ignored` }
    }
    let remoteChecksum = state.exists ? state.checksum : undefined
    let remoteData: Buffer | undefined
    if (remoteChecksum === undefined) {
      // Missing, unreadable or not a regular file: Ansible reads it with slurp, and says why not.
      const read = await readWholeFile(ctx, source)
      if ('failure' in read) {
        const result: ModuleResult = failOnMissing
          ? { changed: false, failed: true, msg: read.failure.msg }
          : { file: source, changed: false }
        if (read.failure.problem === 'not-found')
          result['msg'] = 'the remote file does not exist, not transferring, ignored'
        else if (read.failure.problem === 'not-a-file')
          result['msg'] = 'remote file is a directory, fetch cannot work on directories'
        return result
      }
      remoteData = read.bytes
      remoteChecksum = sha1(remoteData)
    }

    const target = localDestination(ctx, source, destArg, args['flat'] === true)
    if ('failure' in target) return target.failure
    const localPath = target.dest
    const localChecksum = checksumOf(localPath)
    if (localChecksum !== undefined && localChecksum === remoteChecksum) {
      return {
        changed: false,
        md5sum: md5(readFileSync(localPath)),
        file: source,
        dest: localPath,
        checksum: localChecksum
      }
    }
    if (remoteData === undefined) {
      const read = await readWholeFile(ctx, source)
      if ('failure' in read) return { changed: false, failed: true, msg: read.failure.msg }
      remoteData = read.bytes
    }
    try {
      writeAtomically(localPath, remoteData)
    } catch (error) {
      return {
        changed: false,
        failed: true,
        msg: `Failed to fetch the file: ${error instanceof Error ? error.message : String(error)}`
      }
    }
    const newChecksum = sha1(remoteData)
    const newMd5 = md5(remoteData)
    if (args['validate_checksum'] !== false && newChecksum !== remoteChecksum) {
      return {
        changed: false,
        failed: true,
        md5sum: newMd5,
        msg: 'checksum mismatch',
        file: source,
        dest: localPath,
        remote_md5sum: null,
        checksum: newChecksum,
        remote_checksum: remoteChecksum
      }
    }
    return {
      changed: true,
      md5sum: newMd5,
      dest: localPath,
      remote_md5sum: null,
      checksum: newChecksum,
      remote_checksum: remoteChecksum
    }
  }
}

/** Where the file lands on the controller, as Ansible's fetch computes it. */
function localDestination(
  ctx: Pick<ModuleContext, 'host' | 'baseDir'>,
  source: string,
  dest: string,
  flat: boolean
): { dest: string } | { failure: ModuleResult } {
  if (flat) {
    if (isDirectory(dest) && !dest.endsWith('/')) {
      return {
        failure: {
          changed: false,
          failed: true,
          msg: 'dest is an existing directory, use a trailing slash if you want to fetch src into that directory'
        }
      }
    }
    let out = dest.endsWith('/') ? path.join(dest, path.posix.basename(source)) : dest
    if (!out.startsWith('/')) out = controllerPath(ctx, out)
    out = path.normalize(out)
    return dest.endsWith('/') ? contained(controllerPath(ctx, dest), out) : { dest: out }
  }
  const root = controllerPath(ctx, dest)
  return contained(root, path.normalize(`${root}/${ctx.host}/${source}`))
}

/**
 * Refuses a destination outside the directory it was meant to be in: `src` is expanded on the target
 * (`~`, `$VAR`), so a target could otherwise steer the write with a home such as `/../..`.
 */
function contained(root: string, dest: string): { dest: string } | { failure: ModuleResult } {
  const inside = path.relative(root, dest)
  if (inside !== '' && !inside.startsWith('..') && !path.isAbsolute(inside)) return { dest }
  return {
    failure: {
      changed: false,
      failed: true,
      msg: `Detected directory traversal, expected to be contained in '${root}' but got '${dest}'`
    }
  }
}

/** A controller path as Ansible's path_dwim gives it: ~ expanded, a relative one under the playbook. */
function controllerPath(ctx: Pick<ModuleContext, 'baseDir'>, given: string): string {
  if (given === '~' || given.startsWith('~/')) return path.join(homedir(), given.slice(1))
  return path.resolve(ctx.baseDir, given)
}

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory()
  } catch {
    return false
  }
}

/** The sha1 of a regular file on the controller, or undefined when there is none. */
function checksumOf(file: string): string | undefined {
  try {
    if (!statSync(file).isFile()) return undefined
    return sha1(readFileSync(file))
  } catch {
    return undefined
  }
}

/** Writes through a private temporary file next to `file`, renamed over it. */
function writeAtomically(file: string, bytes: Buffer): void {
  const dir = path.dirname(file)
  mkdirSync(dir, { recursive: true })
  const temporary = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    writeFileSync(temporary, bytes, { flag: 'wx', mode: 0o666 })
    renameSync(temporary, file)
  } catch (error) {
    rmSync(temporary, { force: true })
    throw error
  }
}

function sha1(bytes: Buffer): string {
  return createHash('sha1').update(bytes).digest('hex')
}

function md5(bytes: Buffer): string {
  return createHash('md5').update(bytes).digest('hex')
}
