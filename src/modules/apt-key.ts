import { fetchUrlMessage, statusMessage } from '../http/transport.js'
import script from './apt-key.sh'
import { ModuleScript } from './module-script.js'
import { fetchKey, textLines } from './apt-sources.js'
import {
  ModuleArgumentError,
  type ModuleContext,
  type ModuleDefinition,
  type ModuleResult
} from './module.js'

/** Where the key to add comes from, as the script takes it. */
type KeySource = { kind: 'file'; path: string } | { kind: 'data'; data: Buffer } | { kind: 'none' }

/** What one run of the script gave. */
interface KeyRun {
  aptKey: string
  /** gpg --with-colons on the key (read), or apt-key add/del (add, del). */
  tool?: { rc: number; stdout: string; stderr: string }
  list: { rc: number; stdout: string; stderr: string }
}

const FAILED_TO =
  'apt-key did not return an error, but %s (check that the id is correct and *not* a subkey)'

/**
 * `apt_key`: adds or removes a key of apt's trusted keys (or of `keyring`) with the target's apt-key,
 * as Ansible's module does: the key's id is `id`, or that of the first key in `file`, `data` or what
 * `url` serves (fetched by the target, as Ansible's module does); 8 hexadecimal digits compare short
 * ids, more compare long ids. `before` lists the ids apt-key lists; `after` after a change. With
 * `keyserver` (and `id`), the target fetches the key from the key server over HKP (`GET
 * /pks/lookup?op=get&search=0xID`, through the HTTP transport, as gpg --recv asks) and apt-key adds it.
 */
export const aptKeyModule: ModuleDefinition = {
  name: 'apt_key',
  supportsCheckMode: true,
  args: {
    options: {
      id: { type: 'str' },
      url: { type: 'str' },
      data: { type: 'str' },
      file: { type: 'path' },
      keyring: { type: 'path' },
      validate_certs: { type: 'bool', default: true },
      keyserver: { type: 'str' },
      state: { type: 'str', default: 'present', choices: ['absent', 'present'] }
    },
    mutuallyExclusive: [['data', 'file', 'keyserver', 'url']]
  },
  async run(ctx) {
    const givenId = (ctx.args['id'] as string | null | undefined) ?? null
    const url = ctx.args['url'] as string | null | undefined
    const keyserver = ctx.args['keyserver'] as string | null | undefined
    const file = ctx.args['file'] as string | null | undefined
    const keyring = (ctx.args['keyring'] as string | null | undefined) ?? ''
    const state = ctx.args['state'] as 'present' | 'absent'
    let data: Buffer | undefined =
      typeof ctx.args['data'] === 'string' && ctx.args['data'] !== ''
        ? Buffer.from(ctx.args['data'])
        : undefined

    const download = async (): Promise<Buffer | ModuleResult> => {
      const response = await fetchKey(ctx, url!, ctx.args['validate_certs'] as boolean)
      const message = response.failure
        ? fetchUrlMessage(response.failure)
        : response.status !== 200
          ? statusMessage(response)
          : undefined
      if (message !== undefined) return failed(`Failed to download key at ${url}: ${message}`)
      return response.body ?? Buffer.alloc(0)
    }

    if (keyserver && !givenId) return failed('Missing key_id, required with keyserver.')
    /** The key the key server serves for the id, or the failure Ansible reports. */
    const receive = async (keyId: string): Promise<Buffer | ModuleResult> => {
      const lookup = hkpLookupUrl(keyserver!, keyId)
      if (lookup === undefined)
        return failed(
          `keyserver ${JSON.stringify(keyserver)} is no key server address: give HOST, HOST:PORT, or hkp://, hkps://, http:// or https:// with a host`
        )
      const response = await fetchKey(ctx, lookup, ctx.args['validate_certs'] as boolean)
      if (response.status === 404)
        return failed(`Key ${keyId} not found on keyserver ${keyserver!}`)
      if (response.failure || response.status !== 200) {
        return {
          ...failed(`Error fetching key ${keyId} from keyserver: ${keyserver!}`),
          url: lookup,
          ...(response.failure
            ? { reason: fetchUrlMessage(response.failure) }
            : { reason: statusMessage(response) })
        }
      }
      return response.body ?? Buffer.alloc(0)
    }

    let keyId = givenId
    let source: KeySource = { kind: 'none' }
    if (!keyId) {
      if (url) {
        const body = await download()
        if (!Buffer.isBuffer(body)) return body
        data = body
      }
      if (file) source = { kind: 'file', path: file }
      else if (data) source = { kind: 'data', data }
    }
    const read = await runKeyScript(ctx, 'read', keyring, source)
    if (read.tool) {
      if (read.tool.rc !== 0) {
        return {
          ...failed(
            `Unable to extract key from '${source.kind === 'file' ? source.path : 'inline data'}'`
          ),
          ...withOutput(read.tool)
        }
      }
      keyId = keysOf(read.tool.stdout)[0] ?? null
    }

    const result: ModuleResult = { changed: false, id: keyId }
    const parsed = parseKeyId(keyId)
    if (!parsed) return { ...result, ...failed('Invalid key_id') }
    Object.assign(result, { short_id: parsed.short, fp: parsed.fingerprint, key_id: parsed.keyId })
    const short = parsed.keyId.length === 8
    const listed = (run: KeyRun): string[] | ModuleResult => {
      if (run.list.rc !== 0) {
        return {
          ...failed('Unable to list public keys'),
          cmd: `${run.aptKey}${keyring ? ` --keyring ${keyring}` : ''} adv --list-public-keys --keyid-format=long`,
          rc: run.list.rc,
          ...withOutput(run.list)
        }
      }
      const keys = keysOf(run.list.stdout)
      return short ? keys.map((key) => key.slice(-8)) : keys
    }
    const before = listed(read)
    if (!Array.isArray(before)) return before
    result['before'] = before
    const has = (keys: string[]): boolean =>
      keys.includes(short ? parsed.short : parsed.fingerprint)

    if (state === 'present') {
      if (has(before)) return result
      result['changed'] = true
      if (ctx.check) return result
      let add: KeySource
      if (file) add = { kind: 'file', path: file }
      else if (data) add = { kind: 'data', data }
      else if (url) {
        const body = await download()
        if (!Buffer.isBuffer(body)) return body
        add = { kind: 'data', data: body }
      } else if (keyserver) {
        const body = await receive(parsed.keyId)
        if (!Buffer.isBuffer(body)) return body
        add = { kind: 'data', data: body }
      } else return { ...result, failed: true, msg: 'No key to add ... how did i get here?!?!' }
      const run = await runKeyScript(ctx, 'add', keyring, add)
      if (run.tool && run.tool.rc !== 0) {
        const what = add.kind === 'file' ? add.path : '-'
        return {
          ...failed(
            add.kind === 'file'
              ? `Unable to add a key from file ${add.path}`
              : 'Unable to add a key from binary data'
          ),
          cmd: `${run.aptKey}${keyring ? ` --keyring ${keyring}` : ''} add ${what}`,
          rc: run.tool.rc,
          ...(add.kind === 'file' ? { keyfile: add.path } : {}),
          ...withOutput(run.tool)
        }
      }
      const after = listed(run)
      if (!Array.isArray(after)) return after
      result['after'] = after
      if (!has(after))
        return { ...result, failed: true, msg: FAILED_TO.replace('%s', 'failed to add the key') }
      return result
    }

    if (!before.includes(parsed.fingerprint)) return result
    result['changed'] = true
    if (ctx.check) return result
    const run = await runKeyScript(ctx, 'del', keyring, { kind: 'none' }, parsed.short)
    if (run.tool && run.tool.rc !== 0) {
      return {
        ...failed(`Unable to remove a key with id ${parsed.short}`),
        cmd: `${run.aptKey}${keyring ? ` --keyring ${keyring}` : ''} del ${parsed.short}`,
        rc: run.tool.rc,
        key_id: parsed.short,
        ...withOutput(run.tool)
      }
    }
    const after = listed(run)
    if (!Array.isArray(after)) return after
    result['after'] = after
    if (after.includes(parsed.fingerprint))
      return { ...result, failed: true, msg: FAILED_TO.replace('%s', 'the key was not removed') }
    return result
  }
}

/**
 * The HKP lookup URL for a key id on `keyserver`, as gpg reads a key server's address: `HOST` or
 * `HOST:PORT` and `hkp://` are HTTP on port 11371 unless one is given, `hkps://` is HTTPS; `http://`
 * and `https://` are taken as they are. Undefined for anything else.
 */
export function hkpLookupUrl(keyserver: string, keyId: string): string | undefined {
  const match = /^(?:([A-Za-z][A-Za-z0-9+.-]*):\/\/)?([^/?#\s]+)\/?$/.exec(keyserver.trim())
  if (!match) return undefined
  const scheme = (match[1] ?? 'hkp').toLowerCase()
  let authority = match[2]!
  let web: string
  if (scheme === 'hkp' || scheme === 'http') {
    web = 'http'
    // A port given, or a bracketed IPv6 address with one, is kept; hkp's own port otherwise.
    if (scheme === 'hkp' && !/:\d+$/.test(authority)) authority += ':11371'
  } else if (scheme === 'hkps' || scheme === 'https') {
    web = 'https'
  } else return undefined
  const search = encodeURIComponent(`0x${keyId}`)
  return `${web}://${authority}/pks/lookup?op=get&options=mr&search=${search}`
}

function failed(msg: string): ModuleResult {
  return { changed: false, failed: true, msg }
}

/** A tool's stdout and stderr as Ansible's failures carry them (both always, with their lines). */
function withOutput(run: { stdout: string; stderr: string }): ModuleResult {
  return {
    stdout: run.stdout,
    stderr: run.stderr,
    stdout_lines: textLines(run.stdout),
    stderr_lines: textLines(run.stderr)
  }
}

/**
 * A key id as Ansible reads it: hexadecimal (a `0x` prefix allowed), 8, 16 or more than 16 digits;
 * the short id is its last 8 digits, the fingerprint compared its last 16.
 */
export function parseKeyId(
  id: string | null
): { short: string; fingerprint: string; keyId: string } | undefined {
  if (id === null || !/^\s*(?:0[xX])?[0-9a-fA-F]+(?:_[0-9a-fA-F]+)*\s*$/.test(id)) return undefined
  let keyId = id.toUpperCase()
  if (keyId.startsWith('0X')) keyId = keyId.slice(2)
  if (keyId.length !== 8 && keyId.length !== 16 && keyId.length <= 16) return undefined
  return {
    short: keyId.slice(-8),
    fingerprint: keyId.length > 16 ? keyId.slice(-16) : keyId,
    keyId
  }
}

/**
 * The key ids of `pub` and `sub` lines that are not expired, from apt-key's list (`pub
 * rsa2048/1EEF0C7468421B9B 2026-12-05`) or gpg's colon format (`pub:-:2048:1:1EEF0C7468421B9B:…`).
 */
export function keysOf(output: string): string[] {
  const found: string[] = []
  for (const line of output.split('\n')) {
    if (!(line.startsWith('pub') || line.startsWith('sub')) || line.includes('expired')) continue
    const slash = line.split(/\s+/).filter(Boolean)[1]?.split('/')
    if (slash?.length === 2) {
      found.push(slash[1]!)
      continue
    }
    const fields = line.split(':')
    if (fields.length > 4) found.push(fields[4]!)
  }
  return found
}

const KEY_SCRIPT = new ModuleScript('apb-apt-key', script, 'apt_key')

async function runKeyScript(
  ctx: ModuleContext,
  op: 'read' | 'add' | 'del',
  keyring: string,
  source: KeySource,
  id = ''
): Promise<KeyRun> {
  const connection = await ctx.connection()
  const answer = await KEY_SCRIPT.run(
    connection,
    [op, keyring, source.kind, source.kind === 'file' ? source.path : id],
    {
      timeoutMs: ctx.timeoutMs,
      stdin: source.kind === 'data' ? source.data : Buffer.alloc(0),
      environment: ctx.environment
    }
  )
  const tool = answer.get('missing_tool')
  if (tool !== undefined) {
    throw new ModuleArgumentError(
      `apt_key: the target ${connection.host} has no ${tool} command (apt_key drives apt-key and gpg: install ${tool === 'gpg' ? 'gnupg' : 'apt'}, or, as apt-key is deprecated, put the key in /etc/apt/keyrings with get_url or copy and name it in the source's signed-by)`
    )
  }
  const run = (prefix: string): KeyRun['list'] | undefined => {
    const rc = answer.int(`${prefix}rc`)
    if (rc === undefined) return undefined
    return {
      rc,
      stdout: answer.bytes(`${prefix}out_hex`)?.toString('utf8') ?? '',
      stderr: answer.bytes(`${prefix}err_hex`)?.toString('utf8') ?? ''
    }
  }
  const tooled = run(op === 'read' ? 'gpg_' : '')
  return {
    aptKey: answer.bytes('apt_key_hex')?.toString('utf8') ?? 'apt-key',
    ...(tooled ? { tool: tooled } : {}),
    list: run('list_') ?? { rc: -1, stdout: '', stderr: '' }
  }
}
