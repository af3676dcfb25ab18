import { fromHex } from '../facts/probe.js'
import { statusMessage, urlopenError } from '../http/transport.js'
import {
  fetchKey as fetchKeyResponse,
  modeFor,
  runAptScript,
  writeSources,
  type FileChange
} from './apt-sources.js'
import script from './deb822-probe.sh'
import type { ModuleContext, ModuleDefinition, ModuleResult } from './module.js'

/** Where Ansible's deb822_repository writes: fixed paths, whatever apt's configuration says. */
const SOURCES_DIR = '/etc/apt/sources.list.d'
const KEYRINGS_DIR = '/etc/apt/keyrings'

/** The options that become fields of the source, in the order they are written (by option name). */
const FIELDS = [
  'allow_downgrade_to_insecure',
  'allow_insecure',
  'allow_weak',
  'architectures',
  'by_hash',
  'check_date',
  'check_valid_until',
  'components',
  'date_max_future',
  'enabled',
  'inrelease_path',
  'languages',
  'name',
  'pdiffs',
  'signed_by',
  'suites',
  'targets',
  'trusted',
  'types',
  'uris'
] as const

/** What is at one path on the target. */
interface PathState {
  kind: 'file' | 'dir' | 'other' | 'none'
  mode?: number
  text?: Buffer
}

/**
 * `deb822_repository` (ansible-core 2.15+, absent from the 2.14 this project is checked against, so
 * built from 2.15's documentation and tested on the target's files): writes
 * /etc/apt/sources.list.d/NAME.sources in deb822 form, one field per option given (`yes`/`no` for
 * booleans, lists space-separated, multi-line values indented with `.` for blank lines), `X-Repolib-Name`
 * for `name`; the file's name is `name` lower-cased, `_` and spaces turned to `-`, other characters
 * dropped. `signed_by`: a file on the target is named as it is, a URL is fetched by the target into
 * /etc/apt/keyrings/NAME.asc (armored) or .gpg, anything else (fingerprints, a key block) goes in the
 * field. Changed when the file's text or mode differs; absent removes the file and its key files.
 * Like Ansible's, it does not update apt's cache (use apt with update_cache).
 */
export const deb822RepositoryModule: ModuleDefinition = {
  name: 'deb822_repository',
  supportsCheckMode: true,
  args: {
    options: {
      allow_downgrade_to_insecure: { type: 'bool' },
      allow_insecure: { type: 'bool' },
      allow_weak: { type: 'bool' },
      architectures: { type: 'list', elements: 'str' },
      by_hash: { type: 'bool' },
      check_date: { type: 'bool' },
      check_valid_until: { type: 'bool' },
      components: { type: 'list', elements: 'str' },
      date_max_future: { type: 'int' },
      enabled: { type: 'bool' },
      inrelease_path: { type: 'str' },
      // Ansible installs python3-debian for its own module; ours needs no Python on the target.
      install_python_debian: { type: 'bool', default: true },
      languages: { type: 'list', elements: 'str' },
      name: { type: 'str', required: true },
      pdiffs: { type: 'bool' },
      signed_by: { type: 'str' },
      suites: { type: 'list', elements: 'str' },
      targets: { type: 'list', elements: 'str' },
      trusted: { type: 'bool' },
      types: { type: 'list', elements: 'str', choices: ['deb', 'deb-src'], default: ['deb'] },
      uris: { type: 'list', elements: 'str' },
      mode: { type: 'raw', default: '0644' },
      state: { type: 'str', choices: ['present', 'absent'], default: 'present' }
    }
  },
  async run(ctx) {
    const name = ctx.args['name'] as string
    const slug = name
      .toLowerCase()
      .replace(/[_\s]+/g, '-')
      .replace(/[^a-z0-9-]+/g, '')
    const dest = `${SOURCES_DIR}/${slug}.sources`
    const keyPaths = { asc: `${KEYRINGS_DIR}/${slug}.asc`, gpg: `${KEYRINGS_DIR}/${slug}.gpg` }
    const signedBy = ctx.args['signed_by'] as string | null | undefined
    const paths = [dest, keyPaths.asc, keyPaths.gpg, ...(signedBy ? [signedBy] : [])]
    const { umask, states } = await readPaths(ctx, paths)
    const state = (path: string): PathState => states.get(path) ?? { kind: 'none' }

    if (ctx.args['state'] === 'absent') {
      const gone = [dest, keyPaths.asc, keyPaths.gpg].filter((path) => state(path).kind !== 'none')
      if (gone.length > 0 && !ctx.check) {
        const outcome = await writeSources(
          ctx,
          gone.map((path) => ({ path, remove: true })),
          [],
          undefined
        )
        if (!outcome.ok) return failed(outcome.msg)
      }
      return { changed: gone.length > 0, repo: null, dest, key_filename: keyPaths.gpg }
    }

    const changes: FileChange[] = []
    let keyFilename: string | null = null
    let signedByValue: string | undefined
    if (signedBy) {
      if (state(signedBy).kind === 'file') {
        keyFilename = signedBy
        signedByValue = signedBy
      } else if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(signedBy) && !signedBy.includes('\n')) {
        const key = await fetchKey(ctx, signedBy)
        if (!Buffer.isBuffer(key)) return key
        if (key.length === 0) {
          signedByValue = signedBy
          keyFilename = signedBy
        } else {
          keyFilename = key.includes('-----BEGIN PGP PUBLIC KEY BLOCK-----')
            ? keyPaths.asc
            : keyPaths.gpg
          signedByValue = keyFilename
          const current = state(keyFilename)
          const same = current.text !== undefined && current.text.equals(key)
          if (!same || current.mode !== 0o644) {
            changes.push({ path: keyFilename, text: key, mode: 0o644 })
          }
        }
      } else {
        signedByValue = signedBy
      }
    }

    const repo = deb822Text(ctx, signedByValue)
    const current = state(dest)
    const textDiffers = current.text === undefined || current.text.toString('utf8') !== repo
    const wanted = modeFor(ctx.args['mode'], current.mode ?? 0o666 & ~umask, umask, dest)
    if ('failure' in wanted) {
      // Ansible writes the file, then fails setting its mode (in check mode it only fails).
      if (textDiffers && !ctx.check) {
        const outcome = await writeSources(
          ctx,
          [...changes, { path: dest, text: repo }],
          [],
          undefined
        )
        if (!outcome.ok) return failed(outcome.msg)
      }
      return wanted.failure
    }
    const mode = wanted.mode
    if (textDiffers || current.mode !== mode) changes.push({ path: dest, text: repo, mode })
    const result: ModuleResult = {
      changed: changes.length > 0,
      repo,
      dest,
      key_filename: keyFilename
    }
    if (changes.length === 0 || ctx.check) return result
    const outcome = await writeSources(ctx, changes, [], undefined)
    if (!outcome.ok) return failed(outcome.msg)
    return result
  }
}

function failed(msg: string): ModuleResult {
  return { changed: false, failed: true, msg }
}

/** The source in deb822 form: a field per option given, in the order of FIELDS. */
export function deb822Text(ctx: Pick<ModuleContext, 'args'>, signedBy: string | undefined): string {
  let text = ''
  for (const option of FIELDS) {
    const raw = option === 'signed_by' ? signedBy : ctx.args[option]
    if (raw === null || raw === undefined) continue
    let value: string
    if (typeof raw === 'boolean') value = raw ? 'yes' : 'no'
    else if (Array.isArray(raw)) value = raw.map(String).join(' ')
    else value = String(raw)
    if (value.includes('\n')) value = multiline(value)
    text += `${fieldName(option)}:${value.startsWith('\n') ? '' : ' '}${value}\n`
  }
  return text
}

/** A multi-line value as a deb822 continuation: each line indented, blank lines as `.`. */
function multiline(value: string): string {
  const lines = value
    .trim()
    .split(/\r\n|\r|\n/)
    .map((line) => `    ${line.trim() || '.'}`)
  return `\n${lines.join('\n')}`
}

/** The field an option writes: Signed-By, URIs, X-Repolib-Name … */
function fieldName(option: string): string {
  if (option === 'name') return 'X-Repolib-Name'
  if (option === 'uris') return 'URIs'
  return option
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('-')
}

/** Reads what is at each path on the target, with the target's umask (one round trip). */
async function readPaths(
  ctx: ModuleContext,
  paths: readonly string[]
): Promise<{ umask: number; states: Map<string, PathState> }> {
  const answer = await runAptScript(ctx, 'apb-deb822', script, paths, Buffer.alloc(0))
  const states = new Map<string, PathState>()
  for (const line of answer.all('path')) {
    const [pathHex = '', kind = 'none', mode = '-', text = '-'] = line.split(' ')
    states.set(fromHex(pathHex).toString('utf8'), {
      kind: kind as PathState['kind'],
      ...(mode === '-' ? {} : { mode: parseInt(mode, 8) }),
      ...(text === '-' ? {} : { text: fromHex(text) })
    })
  }
  return { umask: parseInt(answer.get('umask') ?? '022', 8), states }
}

/** The key a signed_by URL serves, fetched by the target, or the failed result. */
async function fetchKey(ctx: ModuleContext, url: string): Promise<Buffer | ModuleResult> {
  const response = await fetchKeyResponse(ctx, url, true)
  // open_url raises: an HTTPError for a status it does not follow, a URLError when no response came.
  const message = response.failure
    ? urlopenError(response.failure)
    : response.status !== 200
      ? statusMessage(response)
      : undefined
  if (message !== undefined) return failed(`Could not fetch signed_by key: ${message}`)
  return response.body ?? Buffer.alloc(0)
}
