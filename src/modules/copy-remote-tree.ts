/**
 * `copy` with `remote_src` and a directory as `src`: the target copies its own directory
 * (copy-remote-tree.sh) as Ansible's copy module does, then dest itself gets `mode`, `owner` and
 * `group` (file-act.sh), and is read again, all in one round trip.
 */
import path from 'node:path'
import { CommandTimeoutError } from '../errors.js'
import { parsePathAnswer, type PathState } from '../facts/path.js'
import { ProbeAnswer, fromHex, probeCommand, type ProbeScript } from '../facts/probe.js'
import type { TargetFacts } from '../facts/index.js'
import pathSource from '../facts/path.sh'
import rtreeSource from './copy-remote-tree.sh'
import fileActSource from './file-act.sh'
import { actFailure, osErrorText, pathInfo, wantedMode, type ActOp } from './file-support.js'
import { boolArg } from './file-transfer.js'
import { ModuleArgumentError, type ModuleResult } from './module.js'

const RTREE: ProbeScript = { name: 'apb-rtree', source: rtreeSource }
const FILE_ACT: ProbeScript = { name: 'apb-file', source: fileActSource }
const PATH_PROBE: ProbeScript = { name: 'apb-path', source: pathSource }

export interface RemoteTreeRequest {
  /** As given: a trailing `/` copies what is in it, none the directory itself. */
  src: string
  dest: string
  mode: string | undefined
  check: boolean
  timeoutMs: number
}

/**
 * Copies directory `src` on the target into `dest` on the target, as Ansible's copy module does with
 * remote_src: `src: dir` into `dest/dir`, `src: dir/` into `dest`; returns Ansible's fields (dest
 * described as it is afterwards, checksum null).
 */
export async function copyRemoteTree(
  facts: TargetFacts,
  args: Record<string, unknown>,
  request: RemoteTreeRequest
): Promise<ModuleResult> {
  const text = (name: string): string => {
    const value = args[name]
    return value === undefined || value === null ? '' : String(value)
  }
  const follow =
    args['local_follow'] === undefined || args['local_follow'] === null
      ? ''
      : boolArg(args['local_follow'], 'local_follow', true)
        ? '1'
        : '0'
  // Ansible's copy module gives a dest without a slash a directory part.
  const dest = request.dest.includes('/') ? request.dest : `./${request.dest}`
  const srcDir = request.src.replace(/\/+$/, '') || '/'
  const into = request.src.endsWith('/') ? '0' : '1'
  const before = await facts.path(dest)
  // A dest that is a directory already names, in the result and for mode, owner and group, what
  // lands in it: dest/<src's name> (dest/ for `src: dir/`), as Ansible's copy module names it.
  const isDir =
    before.exists &&
    (before.type === 'directory' || (before.type === 'link' && before.linkTo === 'directory'))
  const described = isDir
    ? `${dest.replace(/\/+$/, '')}/${request.src.endsWith('/') ? '' : path.posix.basename(srcDir)}`
    : dest
  const owner = text('owner')
  const group = text('group')
  const connection = await facts.connection()
  const dry = request.check ? '1' : '0'
  const commands = [
    probeCommand(RTREE, [srcDir, dest, into, follow, owner, group, dry]) + ' </dev/null'
  ]
  // Then dest itself, as Ansible sets the file arguments on it once the copy is done.
  const ops: ActOp[] = []
  if (owner) ops.push(['owner', described, owner])
  if (group) ops.push(['group', described, group])
  let modeChange = false
  if (request.mode !== undefined) {
    const current = before.exists ? before.permissions : 0o777 & ~before.umask
    let wanted: number
    try {
      wanted = wantedMode(request.mode, current, before.umask, true) & 0o7777
    } catch (error) {
      return {
        changed: false,
        failed: true,
        msg: 'mode must be in octal or symbolic form',
        details: error instanceof Error ? error.message : String(error)
      }
    }
    modeChange = wanted !== current
    ops.push(['mode', described, wanted.toString(8)])
  }
  if (!request.check && ops.length) commands.push(probeCommand(FILE_ACT, ops.flat()))
  if (!request.check) {
    commands.push('echo apb-split')
    commands.push(probeCommand(PATH_PROBE, [described, '0', '', '0', '0']))
  }
  const result = await connection.run(commands.join('; '), { timeoutMs: request.timeoutMs })
  if (result.timedOut) {
    throw new CommandTimeoutError(
      `copy: copying ${srcDir} to ${dest} on ${connection.host} took longer than ${request.timeoutMs} ms`,
      connection.host,
      request.timeoutMs
    )
  }
  const out = result.stdout.toString('utf8')
  const split = out.indexOf('apb-split\n')
  const acted = new ProbeAnswer(split < 0 ? out : out.slice(0, split))
  let after: PathState | undefined = before
  if (split >= 0) {
    const probe = new ProbeAnswer(out.slice(split + 'apb-split\n'.length))
    if (probe.complete) after = parsePathAnswer(probe, described, {}, connection.host)
  }
  const what = acted.get('fail')
  if (what !== undefined) {
    const message = fromHex(acted.get('fail_hex') ?? '').toString('utf8')
    return {
      changed: false,
      failed: true,
      ...actFailure(what, message, described, osErrorText(message, described)),
      ...pathInfo(after)
    }
  }
  if (!acted.all('act').length) {
    throw new ModuleArgumentError(
      `copy: copying ${srcDir} to ${dest} on ${connection.host} stopped before its end: ` +
        (result.stderr.toString('utf8').trim().slice(-400) || `exit code ${String(result.code)}`)
    )
  }
  const changed =
    acted.get('changed') !== undefined ||
    ['owner', 'group', 'mode'].some((key) => acted.get(key) !== undefined) ||
    (request.check && modeChange)
  return {
    changed,
    checksum: null,
    dest: described,
    md5sum: null,
    src: request.src,
    ...pathInfo(after)
  }
}
