import { HttpRequestError, httpRequest } from '../http/transport.js'
import type { ProbeAnswer } from '../facts/probe.js'
import { applyKeys, KeyLineError } from './authorized-key-lines.js'
import script from './authorized-key.sh'
import expandArgs from './expand-args.sh'
import { ModuleScript } from './module-script.js'
import type { ModuleContext, ModuleDefinition, ModuleResult } from './module.js'
import pathInfo from './path-info.sh'
import { pathInfoFields } from './path-info.js'
import { pyStringRepr } from '../template/python.js'

const SCRIPT = new ModuleScript('apb-authorized-key', `${expandArgs}\n${pathInfo}\n${script}`)

/** fetch_url's defaults, which authorized_key does not change. */
const URL_TIMEOUT_SECONDS = 10

/**
 * `authorized_key` (ansible.posix.authorized_key): adds or removes SSH public keys in a user's
 * authorized_keys file (or `path`), as Ansible's module does: one or several keys (lines; blank and `#`
 * lines skipped), a key matched by its blob and rewritten when its options or comment differ,
 * `key_options` and `comment` replacing the key's own, `exclusive` removing every other line,
 * `manage_dir` making ~/.ssh 0700 and the file 0600 for the user, `follow` writing through a link. A
 * `key` starting with `http` is downloaded on the target (curl or wget, `validate_certs`). Keys are user
 * data: they travel on stdin, never on a command line. One round trip when nothing changes, two when
 * something does (three with a URL); check mode and diff.
 */
export const authorizedKeyModule: ModuleDefinition = {
  name: 'authorized_key',
  fqcns: ['ansible.posix.authorized_key'],
  supportsCheckMode: true,
  args: {
    options: {
      user: { type: 'str', required: true },
      key: { type: 'str', required: true },
      path: { type: 'path' },
      manage_dir: { type: 'bool', default: true },
      state: { type: 'str', default: 'present', choices: ['absent', 'present'] },
      key_options: { type: 'str' },
      exclusive: { type: 'bool', default: false },
      comment: { type: 'str' },
      validate_certs: { type: 'bool', default: true },
      follow: { type: 'bool', default: false }
    }
  },
  async run(ctx) {
    return authorizedKey(ctx)
  }
}

async function authorizedKey(ctx: ModuleContext): Promise<ModuleResult> {
  const args = ctx.args
  const user = args['user'] as string
  const key = args['key'] as string
  const pathArg = (args['path'] as string | null | undefined) ?? null
  const state = args['state'] as 'present' | 'absent'
  const follow = args['follow'] as boolean
  const manageDir = args['manage_dir'] as boolean
  const connection = await ctx.connection()
  const fail = (msg: string): ModuleResult => ({ changed: false, failed: true, msg })

  let keys = key
  if (key.startsWith('http')) {
    const fetched = await fetchKeys(ctx, key)
    if (fetched === undefined) return fail(`Error getting key from: ${key}`)
    keys = fetched
  }

  // In check mode with a path, Ansible looks no user up: the file is all it needs.
  const needUser = !(ctx.check && pathArg !== null)
  const probe = await SCRIPT.run(
    connection,
    ['probe', user, pathArg ?? '', follow ? '1' : '0', needUser ? '1' : '0'],
    { timeoutMs: ctx.timeoutMs, environment: ctx.environment }
  )
  const passwd = text(probe, 'pw_hex')?.split(':')
  if (needUser && (passwd === undefined || passwd.length < 7)) {
    return fail(
      ctx.check && pathArg === null
        ? 'Either user must exist or you must provide full path to key file in check mode'
        : `Failed to lookup user ${user}: ${pyStringRepr(`getpwnam(): name not found: '${user}'`)}`
    )
  }
  const keyfile = text(probe, 'keyfile_hex') ?? ''
  const path = pathArg === null ? null : (text(probe, 'path_hex') ?? pathArg)
  const target = follow ? (text(probe, 'real_hex') ?? keyfile) : keyfile
  if (probe.get('unreadable') === '1') return fail(`Failed to read ${keyfile}: Permission denied`)
  const existing = text(probe, 'content_hex') ?? ''

  let change
  try {
    change = applyTask(keys, state, existing, args)
  } catch (error) {
    if (error instanceof KeyLineError) return fail(`${keyfile}: ${error.message}`)
    throw error
  }
  if (!change.ok) return fail(change.msg)

  const result: ModuleResult = {
    user,
    key,
    path,
    manage_dir: manageDir,
    state,
    key_options: args['key_options'] ?? null,
    exclusive: args['exclusive'],
    comment: args['comment'] ?? null,
    validate_certs: args['validate_certs'],
    follow,
    keyfile,
    changed: change.changed
  }
  let info: ProbeAnswer = probe
  if (change.changed) {
    if (ctx.diff) {
      result['diff'] = {
        before_header: keyfile,
        after_header: target,
        before: existing,
        after: change.content
      }
    }
    if (!ctx.check) {
      const sshdir = pathArg === null ? dirname(keyfile) : dirname(path ?? '')
      info = await SCRIPT.run(
        connection,
        [
          'write',
          target,
          sshdir,
          passwd?.[2] ?? '',
          passwd?.[3] ?? '',
          manageDir ? '1' : '0',
          path ?? ''
        ],
        { timeoutMs: ctx.timeoutMs, environment: ctx.environment, stdin: change.content }
      )
      const mkdirError = text(info, 'mkdir_error_hex')
      if (mkdirError !== undefined) {
        return fail(`Failed to create directory ${sshdir} : ${osError(mkdirError, sshdir)}`)
      }
      const error = text(info, 'error_hex')
      if (error !== undefined) return fail(error)
    }
  }
  // Ansible adds the path's details to any result with a `path` (its `state` then says `file`).
  if (path !== null) Object.assign(result, pathInfoFields(new Map(infoValues(info))))
  return result
}

function applyTask(
  keys: string,
  state: 'present' | 'absent',
  existing: string,
  args: Record<string, unknown>
): ReturnType<typeof applyKeys> {
  return applyKeys(existing, {
    keys,
    state,
    exclusive: args['exclusive'] as boolean,
    keyOptions: (args['key_options'] as string | null | undefined) ?? null,
    comment: (args['comment'] as string | null | undefined) ?? null
  })
}

/** The keys at `url`, downloaded on the target; undefined when that fails (not a 200). */
async function fetchKeys(ctx: ModuleContext, url: string): Promise<string | undefined> {
  try {
    const response = await httpRequest(await ctx.connection(), {
      url,
      timeoutSeconds: URL_TIMEOUT_SECONDS,
      validateCerts: ctx.args['validate_certs'] as boolean,
      followRedirects: 'urllib2',
      environment: ctx.environment,
      deadlineMs: ctx.timeoutMs
    })
    if (response.failure !== undefined || response.status !== 200) return undefined
    return (response.body ?? Buffer.alloc(0)).toString('utf8')
  } catch (error) {
    // A URL the transport cannot send (a newline in it) is an error getting the key, as in Ansible.
    if (error instanceof HttpRequestError) return undefined
    throw error
  }
}

function text(answer: ProbeAnswer, key: string): string | undefined {
  return answer.bytes(key)?.toString('utf8')
}

/** The `key=value` pairs describe_path printed, for pathInfoFields. */
function infoValues(answer: ProbeAnswer): Array<[string, string]> {
  return ['info', 'owner', 'group', 'kind'].flatMap((name) => {
    const value = answer.get(name)
    return value === undefined ? [] : [[name, value] as [string, string]]
  })
}

/** Python's errno numbers for the reasons mkdir gives. */
const ERRNO: ReadonlyArray<[number, string]> = [
  [2, 'No such file or directory'],
  [13, 'Permission denied'],
  [17, 'File exists'],
  [20, 'Not a directory'],
  [28, 'No space left on device'],
  [30, 'Read-only file system']
]

/** An OSError's text as Python shows it (`[Errno 2] No such file or directory: '/x'`), from mkdir's. */
function osError(message: string, path: string): string {
  const known = ERRNO.find(([, reason]) => message.includes(reason))
  return known === undefined
    ? message.trim()
    : `[Errno ${known[0]}] ${known[1]}: ${pyStringRepr(path)}`
}

/** Python's os.path.dirname. */
function dirname(path: string): string {
  const at = path.lastIndexOf('/')
  if (at < 0) return ''
  const head = path.slice(0, at + 1)
  return /^\/+$/.test(head) ? head : head.replace(/\/+$/, '')
}
