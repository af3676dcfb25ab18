/**
 * A module's `path` argument as Ansible's `type='path'` sees it on the target ($VAR and ~ expanded
 * there, never on the controller), and the path fact of it, in one round trip: the path fact's probe
 * (src/facts/path.sh) run after a prefix that expands its first argument.
 */
import { parsePathAnswer, runPathProbe, type PathOptions, type PathState } from '../facts/path.js'
import { fromHex, type ProbeScript } from '../facts/probe.js'
import pathSource from '../facts/path.sh'
import expandArgsSource from './expand-args.sh'
import expandPathSource from './expand-path.sh'
import type { ModuleContext } from './module.js'

const PATH_PROBE: ProbeScript = { name: 'apb-path', source: pathSource }

const EXPANDING_PATH_PROBE: ProbeScript = {
  name: 'apb-path',
  source: `${expandArgsSource}\n${expandPathSource}\n${pathSource}`
}

/** The path fact of a module's path argument, and the path as expanded on the target. */
export interface TargetPath {
  /** The path after $VAR and ~ expansion (the argument itself when nothing could expand). */
  path: string
  state: PathState
}

/**
 * Reads the state of `path` on the target after expanding it there as Ansible's `path` type does.
 * @throws FactError as readPath does
 */
export async function readTargetPath(
  ctx: Pick<ModuleContext, 'connection' | 'timeoutMs'>,
  path: string,
  options: PathOptions = {}
): Promise<TargetPath> {
  const connection = await ctx.connection()
  // Only `$` and a leading `~` expand (os.path.expandvars, expanduser): any other path is read as it
  // is, without the expanding prefix (it runs awk, one process more on every stat).
  const expands = path.includes('$') || path.startsWith('~')
  const answer = await runPathProbe(
    { connection, timeoutMs: ctx.timeoutMs },
    path,
    options,
    expands ? EXPANDING_PATH_PROBE : PATH_PROBE
  )
  const hex = answer.get('expanded_hex')
  const expanded = hex === undefined ? path : fromHex(hex).toString('utf8')
  return { path: expanded, state: parsePathAnswer(answer, expanded, options, connection.host) }
}
