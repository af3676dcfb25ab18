import { randomInt } from 'node:crypto'
import path from 'node:path'
import { compactScript, shellJoin } from '../connection/shell-quote.js'
import { CommandTimeoutError } from '../errors.js'
import { ProbeAnswer } from '../facts/probe.js'
import pathInfoScript from './path-info.sh'
import { pathInfoFields } from './path-info.js'
import script from './tempfile.sh'
import { ModuleArgumentError, type ModuleDefinition } from './module.js'

/** Python's tempfile draws names from these. */
const NAME_CHARACTERS = 'abcdefghijklmnopqrstuvwxyz0123456789_'
/** Names offered to the target in one call; each is taken only if nothing has it. */
const NAMES_PER_CALL = 8

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  '2': 'No such file or directory',
  '13': 'Permission denied',
  '17': 'File exists',
  '20': 'Not a directory'
}

const compacted = compactScript(`${pathInfoScript}\n${script}`)

/**
 * `tempfile`: creates a temporary file (0600) or directory (0700) on the target named as Python's
 * tempfile names it (`prefix`, eight random characters, `suffix`) in `path` or the target's temporary
 * directory, and returns its `path`. Always changed; not run in check mode, as in Ansible.
 */
export const tempfileModule: ModuleDefinition = {
  name: 'tempfile',
  supportsCheckMode: false,
  args: {
    options: {
      state: { type: 'str', default: 'file', choices: ['file', 'directory'] },
      path: { type: 'path' },
      prefix: { type: 'str', default: 'ansible.' },
      suffix: { type: 'str', default: '' }
    }
  },
  async run(ctx) {
    const state = ctx.args['state'] as string
    const dir = (ctx.args['path'] as string | null | undefined) ?? ''
    const prefix = String(ctx.args['prefix'] ?? '')
    const suffix = String(ctx.args['suffix'] ?? '')
    if (`${prefix}${suffix}`.includes('/')) {
      throw new ModuleArgumentError(
        `tempfile: prefix and suffix must not hold '/' (got ${JSON.stringify(prefix)}, ${JSON.stringify(suffix)})`
      )
    }
    const names = Array.from({ length: NAMES_PER_CALL }, () => `${prefix}${randomName()}${suffix}`)
    const connection = await ctx.connection()
    const res = await connection.run(
      shellJoin(['/bin/sh', '-c', compacted, 'apb-tempfile', state, dir, ...names]),
      { timeoutMs: ctx.timeoutMs }
    )
    if (res.timedOut) {
      throw new CommandTimeoutError(
        `tempfile on ${connection.host} did not answer within ${ctx.timeoutMs} ms`,
        connection.host,
        ctx.timeoutMs
      )
    }
    const answer = new ProbeAnswer(res.stdout.toString('utf8'))
    if (res.code !== 0 || !answer.complete) {
      throw new ModuleArgumentError(
        `tempfile: the script failed on ${connection.host}: ${res.stderr.toString('utf8').trim().slice(-400)}`
      )
    }
    const created = answer.get('created')
    if (created !== undefined) {
      const values = new Map<string, string>()
      for (const key of ['info', 'owner', 'group', 'kind']) {
        const value = answer.get(key)
        if (value !== undefined) values.set(key, value)
      }
      return { changed: true, path: path.posix.normalize(created), ...pathInfoFields(values) }
    }
    const errno = answer.get('error') ?? '13'
    // Python names the path as it joined it: the directory as given (or the one it picked).
    const failedAt = dir
      ? pythonJoin(answer.get('dir') ?? dir, path.posix.basename(answer.get('failed') ?? ''))
      : (answer.get('failed') ?? '')
    return {
      changed: false,
      failed: true,
      msg: `[Errno ${errno}] ${ERRNO_TEXT[errno] ?? 'Error'}: '${failedAt}'`
    }
  }
}

function randomName(): string {
  let name = ''
  for (let i = 0; i < 8; i++) name += NAME_CHARACTERS[randomInt(NAME_CHARACTERS.length)]
  return name
}

/** os.path.join of two parts: no slash added after one that ends with it. */
function pythonJoin(dir: string, name: string): string {
  return dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`
}
