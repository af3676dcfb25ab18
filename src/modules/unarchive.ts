import os from 'node:os'
import path from 'node:path'
import type { Connection } from '../connection/connection.js'
import { shellQuote } from '../connection/shell-quote.js'
import { CommandTimeoutError } from '../errors.js'
import { fromHex, probeCommand, ProbeAnswer, type ProbeScript } from '../facts/probe.js'
import { fetchUrlMessage, httpRequest } from '../http/transport.js'
import { fnmatchSource } from '../values/fnmatch.js'
import { findControllerFile, readSourceFile } from './controller-files.js'
import expandArgsScript from './expand-args.sh'
import { actFailure, osErrorText } from './file-support.js'
import {
  ModuleArgumentError,
  type ModuleContext,
  type ModuleDefinition,
  type ModuleResult
} from './module.js'
import pathInfoScript from './path-info.sh'
import { pathInfoFields } from './path-info.js'
import script from './unarchive.sh'
import {
  attributeChanges,
  compareTar,
  compareZip,
  parseAccount,
  parseCrcs,
  parseStats,
  fileCrcs,
  tarName,
  type Comparison,
  type RunContext
} from './unarchive-compare.js'

const SCRIPT: ProbeScript = {
  name: 'apb-unarchive',
  source: `${expandArgsScript}\n${pathInfoScript}\n${script}`
}

/** Archives from the controller larger than this are refused (they are read into memory to be sent). */
const UPLOAD_CAP_BYTES = 512 * 1024 * 1024

/** A probe answer may hold the listing and the comparison of a large archive. */
const ANSWER_CAP_BYTES = 64 * 1024 * 1024

const SELINUX_AND_MORE = 'SELinux contexts and file attributes are not supported'

const ZIP_HANDLERS = new Set(['ZipArchive', 'ZipZArchive'])

/**
 * `unarchive`: unpacks a tar (plain, gzip, bzip2, xz, zstd) or zip archive into an existing directory
 * `dest` on the target with the target's `tar`/`unzip`, from the controller (`src` is uploaded to a
 * private temporary directory, removed afterwards) or from the target (`remote_src`). Like Ansible, it
 * picks the handler by trying each in order (zip, then tar with each compression), and unpacks only
 * when the archive differs from what is in `dest` (tar --diff, or its own comparison for zip); `owner`,
 * `group` and `mode` are then applied to every extracted path. Check mode works for zip archives and is
 * refused for tar ones, as in Ansible.
 */
export const unarchiveModule: ModuleDefinition = {
  name: 'unarchive',
  supportsCheckMode: true,
  args: {
    reportedAs: 'ansible.legacy.unarchive',
    options: {
      src: { type: 'path' },
      dest: { type: 'path' },
      remote_src: { type: 'bool', default: false },
      creates: { type: 'path' },
      list_files: { type: 'bool', default: false },
      keep_newer: { type: 'bool', default: false },
      exclude: { type: 'list', elements: 'str', default: [] },
      include: { type: 'list', elements: 'str', default: [] },
      extra_opts: { type: 'list', elements: 'str', default: [] },
      validate_certs: { type: 'bool', default: true },
      io_buffer_size: { type: 'int', default: 64 * 1024 },
      // The action plugin reads these two: copy is the deprecated inverse of remote_src, decrypt asks
      // for vault decryption of a controller archive.
      copy: { type: 'bool', default: true },
      decrypt: { type: 'bool', default: true },
      mode: { type: 'raw' },
      owner: { type: 'str' },
      group: { type: 'str' },
      // Ansible's unarchive never writes files itself: unsafe_writes changes nothing.
      unsafe_writes: { type: 'bool', default: false },
      attributes: { type: 'str', aliases: ['attr'], notImplemented: SELINUX_AND_MORE },
      seuser: { type: 'str', notImplemented: SELINUX_AND_MORE },
      serole: { type: 'str', notImplemented: SELINUX_AND_MORE },
      selevel: { type: 'str', notImplemented: SELINUX_AND_MORE },
      setype: { type: 'str', notImplemented: SELINUX_AND_MORE }
    },
    mutuallyExclusive: [['include', 'exclude']]
  },
  async run(ctx) {
    const a = ctx.args
    const given = ctx.task.args ?? {}
    const failed = (msg: string, extra: ModuleResult = {}): ModuleResult => ({
      changed: false,
      failed: true,
      msg,
      ...extra
    })
    let remote = a['remote_src'] as boolean
    // The action plugin's checks, in its order.
    if ('copy' in given) {
      if ('remote_src' in given)
        return failed("parameters are mutually exclusive: ('copy', 'remote_src')")
      remote = !(a['copy'] as boolean)
    }
    const srcArg = a['src'] as string | null | undefined
    const destArg = a['dest'] as string | null | undefined
    if (srcArg == null || destArg == null) return failed('src (or content) and dest are required')
    const connection = await ctx.connection()
    const creates = (a['creates'] as string | null | undefined) || undefined
    // Only ~ is expanded, as the action's _remote_expand_user does; test -e as its file check. Sets
    // $skip (1 when it exists) and $expanded.
    const createsCheck =
      creates === undefined
        ? 'skip=0'
        : `skip=0 && home_path ${shellQuote(creates)} && if test -e "$expanded"; then skip=1; fi`
    const skipped = (expanded: string): ModuleResult => ({
      changed: false,
      skipped: true,
      msg: `skipped, since ${expanded} exists`
    })
    /** The action's first step on its own: `creates` when it exists, before anything else. */
    const createsExists = async (): Promise<ModuleResult | undefined> => {
      if (creates === undefined) return undefined
      const res = await connection.run(
        `${pathInfoScript}\n${createsCheck} && [ "$skip" = 1 ] && printf '%s' "$expanded"`,
        { timeoutMs: ctx.timeoutMs }
      )
      return res.code === 0 ? skipped(res.stdout.toString('utf8')) : undefined
    }
    let uploadDir: string | undefined
    let src = srcArg
    if (remote) {
      const skip = await createsExists()
      if (skip) return skip
    } else {
      // What the controller holds is read first (no round trip); where it cannot be sent, `creates`
      // still comes first, as in the action.
      let local: string
      try {
        local = findControllerFile(expandUser(srcArg), 'files', ctx)
      } catch (error) {
        if (!(error instanceof ModuleArgumentError)) throw error
        const skip = await createsExists()
        if (skip) return skip
        // An absolute path is looked up only where it is: Ansible's message then lists no search path.
        const message = path.isAbsolute(expandUser(srcArg))
          ? `Could not find or access '${srcArg}' on the Ansible Controller.`
          : error.message
        return failed(
          `${message}\nIf you are using a module and expect the file to exist on the remote, see the remote_src option`
        )
      }
      // A vault-encrypted archive is decrypted first, as Ansible's action does unless decrypt is false.
      let content: Buffer
      try {
        content = readSourceFile(local, a)
      } catch (error) {
        const skip = await createsExists()
        if (skip) return skip
        throw error
      }
      if (content.length > UPLOAD_CAP_BYTES) {
        const skip = await createsExists()
        if (skip) return skip
        return failed(
          `unarchive: ${local} is over ${UPLOAD_CAP_BYTES} bytes; copy it with a transfer tool and use remote_src`
        )
      }
      // One round trip: `creates`, then the action's check of dest before it sends anything, and the
      // temporary directory the archive goes to. The first line says whether `creates` exists.
      const mk = await connection.run(
        `${pathInfoScript}\n${expandArgsScript}\n${createsCheck} || exit 1\n` +
          `if [ "$skip" = 1 ]; then printf '1\\n%s' "$expanded"; exit 0; fi\n` +
          `printf '0\\n' && d=$(apb_expand ${shellQuote(destArg)}) && d=\${d%x} && printf '%s\\n' "$d" && ` +
          `if [ -d "$d" ]; then umask 077 && mktemp -d "\${TMPDIR:-/tmp}/apb-unarchive.XXXXXXXX"; fi`,
        { timeoutMs: ctx.timeoutMs }
      )
      const out = mk.stdout.toString('utf8')
      if (out.startsWith('1\n')) return skipped(out.slice(2))
      const [, expandedDest, dir] = out.split('\n')
      if (!dir?.startsWith('/')) {
        if (mk.code === 0 || !mk.stderr.length)
          return failed(`dest '${expandedDest ?? destArg}' must be an existing dir`)
        throw new ModuleArgumentError(
          `unarchive: could not create a temporary directory on ${connection.host}: ${mk.stderr.toString('utf8').trim()}`
        )
      }
      uploadDir = dir
      src = `${dir}/source`
      await connection.putFile(src, content, { mode: 0o600, timeoutMs: ctx.timeoutMs })
    }
    try {
      return await unpack(ctx, connection, src, destArg, remote)
    } finally {
      if (uploadDir !== undefined)
        await connection
          .run(`rm -rf ${shellQuote(uploadDir)}`, { timeoutMs: ctx.timeoutMs })
          .catch(() => undefined)
    }
  }
}

/** The controller's `~` in a controller path, as the action's os.path.expanduser. */
function expandUser(value: string): string {
  if (value === '~') return os.homedir()
  if (value.startsWith('~/')) return path.join(os.homedir(), value.slice(2))
  return value
}

/** The module's part: probe, decide, unpack, set attributes. */
async function unpack(
  ctx: ModuleContext,
  connection: Connection,
  srcArg: string,
  destArg: string,
  remote: boolean
): Promise<ModuleResult> {
  const a = ctx.args
  const owner = (a['owner'] as string | null | undefined) || undefined
  const group = (a['group'] as string | null | undefined) || undefined
  const modeArg = a['mode']
  const mode = modeArg === null || modeArg === undefined || modeArg === '' ? undefined : modeArg
  const keepNewer = a['keep_newer'] as boolean
  const includes = a['include'] as string[]
  const extraOpts = a['extra_opts'] as string[]
  const zipExcludes = a['exclude'] as string[]
  const tarExcludes = zipExcludes.map((e) => e.replace(/\/+$/, ''))
  const attributes = owner !== undefined || group !== undefined || mode !== undefined
  if (typeof mode !== 'number' && mode !== undefined && typeof mode !== 'string')
    throw new ModuleArgumentError(
      `unarchive: mode must be octal or symbolic text, got ${JSON.stringify(mode)}`
    )

  const q = (values: readonly string[]): string => values.map(shellQuote).join(' ')
  const shown = extraOpts.length > 0 ? ['--show-transformed-names', ...extraOpts] : []
  const excl = tarExcludes.map((e) => `--exclude=${e}`)
  const zipArgs = [...(zipExcludes.length > 0 ? ['-x', ...zipExcludes] : []), ...includes]
  const tarOwnership = [
    ...(owner !== undefined ? [`--owner=${shellQuote(owner)}`] : []),
    ...(group !== undefined ? [`--group=${shellQuote(group)}`] : []),
    ...(keepNewer ? ['--keep-newer-files'] : [])
  ]
  const tarListArgs = `${q([...shown, ...excl])} -f "$src" ${q(includes)}`
  const tarDiffArgs = `${q([...shown, ...tarOwnership, ...excl])} -f "$src" ${q(includes)}`

  const probeOf = (source: string): Promise<ProbeAnswer> =>
    runScript(
      connection,
      ctx,
      probeCommand(SCRIPT, [
        'probe',
        source,
        destArg,
        ctx.check ? '1' : '0',
        attributes ? '1' : '0',
        q(zipArgs),
        tarListArgs,
        tarDiffArgs,
        owner ?? '',
        group ?? '',
        ...tarExcludes
      ])
    )
  let probe = await probeOf(srcArg)
  const text = (key: string): string => fromHex(probe.get(key) ?? '').toString('utf8')
  const dest = text('dest_hex')
  if (probe.get('dest') !== 'dir') {
    // The action's check, which comes before the module's own.
    return fail(`dest '${dest}' must be an existing dir`)
  }
  const src = text('src_hex')
  let download: string | undefined
  try {
    if (probe.get('src') === 'missing' && remote && src.includes('://')) {
      // Downloaded on the target, as Ansible's module does (fetch_file), into a private directory.
      const fetched = await fetchSource(ctx, connection, src)
      if ('failure' in fetched) return fetched.failure
      download = fetched.dir
      probe = await probeOf(fetched.file)
    }
    return await unpackProbed(ctx, connection, probe, {
      remote,
      attributes,
      shown,
      excl,
      owner,
      group,
      mode,
      keepNewer,
      includes,
      extraOpts,
      zipExcludes,
      tarExcludes
    })
  } finally {
    if (download !== undefined)
      await connection
        .run(`rm -rf ${shellQuote(download)}`, { timeoutMs: ctx.timeoutMs })
        .catch(() => undefined)
  }
}

/** Characters of Python's tempfile names. */
const TEMP_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789_'

/**
 * The name Ansible's fetch_file gives a download: the URL's file name split before up to two
 * extensions of 3 or 4 characters (`app.tar.gz` → `app` + `.tar.gz`, stripped as Python's rstrip strips
 * a set of characters), with 8 random characters between, as tempfile names it.
 */
export function downloadName(url: string, random: () => number = Math.random): string {
  let pathname = url
  try {
    pathname = new URL(url).pathname
  } catch {
    // Not a URL the WHATWG parser reads: its last part names the file.
  }
  let name = decodeURIComponentSafe(pathname.slice(pathname.lastIndexOf('/') + 1))
  const suffixes = name.endsWith('.')
    ? []
    : name
        .replace(/^\.+/, '')
        .split('.')
        .slice(1)
        .map((part) => `.${part}`)
  let extension = ''
  for (const [i, suffix] of [...suffixes].reverse().entries()) {
    if (i >= 2 || suffix.length < 3 || suffix.length > 4) break
    extension = `${suffix}${extension}`
    let end = name.length
    while (end > 0 && suffix.includes(name[end - 1]!)) end--
    name = name.slice(0, end)
  }
  let middle = ''
  for (let i = 0; i < 8; i++) middle += TEMP_CHARS[Math.floor(random() * TEMP_CHARS.length)]
  return `${name}${middle}${extension}`
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/**
 * Downloads a URL `src` on the target (curl or wget, see src/http/) into a private temporary directory,
 * as Ansible's fetch_file does: 10 s timeout, redirects followed, `validate_certs`. An HTTP error leaves
 * an empty file (Ansible has read the error's body already), which the module then calls 0 bytes.
 */
async function fetchSource(
  ctx: ModuleContext,
  connection: Connection,
  url: string
): Promise<{ dir: string; file: string } | { failure: ModuleResult }> {
  const mk = await connection.run(
    'umask 077 && mktemp -d "${TMPDIR:-/tmp}/apb-unarchive.XXXXXXXX"',
    { timeoutMs: ctx.timeoutMs }
  )
  const dir = mk.stdout.toString('utf8').trim()
  if (mk.code !== 0 || !dir.startsWith('/'))
    throw new ModuleArgumentError(
      `unarchive: could not create a temporary directory on ${connection.host}: ${mk.stderr.toString('utf8').trim()}`
    )
  const file = `${dir}/${downloadName(url)}`
  try {
    const response = await httpRequest(connection, {
      url,
      method: 'GET',
      timeoutSeconds: 10,
      validateCerts: ctx.args['validate_certs'] !== false,
      followRedirects: 'urllib2',
      decompress: true,
      outputPath: file,
      environment: ctx.environment,
      deadlineMs: ctx.timeoutMs
    })
    if (response.failure !== undefined) {
      await connection
        .run(`rm -rf ${shellQuote(dir)}`, { timeoutMs: ctx.timeoutMs })
        .catch(() => undefined)
      return { failure: fail(`Failure downloading ${url}, ${fetchUrlMessage(response.failure)}`) }
    }
    if (response.status === undefined || response.status >= 300) {
      await connection.run(`: > ${shellQuote(file)}`, { timeoutMs: ctx.timeoutMs })
    }
  } catch (error) {
    await connection
      .run(`rm -rf ${shellQuote(dir)}`, { timeoutMs: ctx.timeoutMs })
      .catch(() => undefined)
    throw error
  }
  return { dir, file }
}

/** What unpack worked out of the arguments, for the steps after the probe. */
interface Plan {
  remote: boolean
  attributes: boolean
  shown: string[]
  excl: string[]
  owner: string | undefined
  group: string | undefined
  mode: unknown
  keepNewer: boolean
  includes: string[]
  extraOpts: string[]
  zipExcludes: string[]
  tarExcludes: string[]
}

async function unpackProbed(
  ctx: ModuleContext,
  connection: Connection,
  probe: ProbeAnswer,
  plan: Plan
): Promise<ModuleResult> {
  const {
    remote,
    attributes,
    shown,
    excl,
    owner,
    group,
    mode,
    keepNewer,
    includes,
    extraOpts,
    zipExcludes,
    tarExcludes
  } = plan
  const text = (key: string): string => fromHex(probe.get(key) ?? '').toString('utf8')
  const src = text('src_hex')
  const dest = text('dest_hex')
  const srcState = probe.get('src')
  if (srcState === 'missing') {
    if (!remote) return fail(`Source '${src}' failed to transfer`)
    return fail(`Source '${src}' does not exist`)
  }
  if (srcState === 'unreadable') return fail(`Source '${src}' not readable`)
  if (srcState === 'empty') return fail(`Invalid archive '${src}', the file is 0 bytes`)
  const destFields = destInfo(probe)
  const handler = probe.get('handler')
  if (handler === 'check') {
    return {
      changed: false,
      skipped: true,
      msg: 'remote module (ansible.legacy.unarchive) does not support check mode when using gtar'
    }
  }
  if (handler === undefined) {
    const reasons = [...new Set(probe.all('reason_hex').map((r) => fromHex(r).toString('utf8')))]
    return fail(
      `Failed to find handler for "${src}". Make sure the required command to extract the file is installed.\n${reasons.join('\n')}`
    )
  }
  const missingTool = probe.get('missing_tool')
  if (missingTool !== undefined)
    throw new ModuleArgumentError(
      `unarchive: ${missingTool} is needed on ${connection.host} to compare a zip archive with dest (CRC-32); install it`
    )
  const run: RunContext = {
    runUid: probe.int('run_uid') ?? -1,
    runGid: probe.int('run_gid') ?? -1,
    runGroups: (probe.get('run_groups') ?? '').split(',').filter(Boolean).map(Number),
    runUser: probe.get('run_user') ?? '',
    runGroup: probe.get('run_group') ?? '',
    umask: parseInt(probe.get('umask') ?? '022', 8),
    keepNewer,
    ...(owner !== undefined ? { owner } : {}),
    ...(group !== undefined ? { group } : {}),
    ...(mode !== undefined ? { mode } : {})
  }
  const ownerAccount = parseAccount(probe.get('owner_account'))
  const groupAccount = parseAccount(probe.get('group_account'))
  if (ownerAccount) run.ownerAccount = ownerAccount
  if (groupAccount) run.groupAccount = groupAccount
  const idOf = (
    spec: string | undefined,
    account: { id: number } | undefined
  ): number | undefined =>
    account?.id ?? (spec !== undefined && /^\d+$/.test(spec) ? Number(spec) : undefined)
  const ownerId = idOf(owner, ownerAccount)
  const groupId = idOf(group, groupAccount)
  if (ownerId !== undefined) run.ownerId = ownerId
  if (groupId !== undefined) run.groupId = groupId

  const isZip = ZIP_HANDLERS.has(handler)
  const listing = fromHex(probe.get('list_hex') ?? '').toString('utf8')
  const stats = parseStats(
    probe.all('st'),
    fileCrcs(text('paths_hex'), probe.get('filecrc_hex') ?? '')
  )
  const files = isZip ? zipFiles(listing, includes, zipExcludes) : tarFiles(listing, tarExcludes)
  const cmdPath = text('cmd_path_hex')
  let comparison: Comparison
  if (isZip) {
    comparison = compareZip(
      text('zipinfo_hex'),
      probe.int('zipinfo_rc') ?? 1,
      parseCrcs(text('crcs_hex')),
      stats,
      zipExcludes,
      run
    )
    if (comparison.error !== undefined) {
      return fail('MODULE FAILURE\nSee stdout/stderr for the exact error', {
        module_stderr: `UnarchiveError: ${comparison.error}`,
        rc: 1
      })
    }
  } else {
    comparison = compareTar(text('diff_out_hex'), text('diff_err_hex'), run)
  }
  const result: ModuleResult = { handler, dest, src }
  const diff = comparison.diff ? { diff: { prepared: comparison.diff } } : {}
  const listed = ctx.args['list_files'] === true ? { files } : {}
  if (ctx.check) {
    return { ...result, changed: !comparison.unarchived, ...diff, ...listed, ...destFields }
  }

  // Every extracted path, then each top folder (Ansible sets the attributes on both).
  const tops = [...new Set(files.filter((f) => f.includes('/')).map((f) => f.split('/')[0]!))]
  const attributePaths = [...files, ...tops]
  let changed = false
  let finalDest = destFields
  if (!comparison.unarchived) {
    const argv = isZip
      ? [
          cmdPath,
          '-o',
          ...extraOpts,
          src,
          ...(comparison.excludes.length > 0 ? ['-x', ...comparison.excludes] : []),
          ...includes,
          '-d',
          dest
        ]
      : [
          cmdPath,
          '--extract',
          '-C',
          dest,
          ...(probe.get('flag') ? [probe.get('flag')!] : []),
          ...shown,
          ...(owner !== undefined ? [`--owner=${shellQuote(owner)}`] : []),
          ...(group !== undefined ? [`--group=${shellQuote(group)}`] : []),
          ...(keepNewer ? ['--keep-newer-files'] : []),
          ...excl,
          '-f',
          src,
          ...includes
        ]
    const extractCommand = probeCommand(SCRIPT, ['extract', dest, ...argv])
    // Octal modes, owner and group are set in the same round trip; a symbolic mode needs each path's
    // mode after extraction, read there and applied in one more.
    const symbolic = typeof mode === 'string' && !/^\s*[+]?(?:0[oO])?[0-7]+\s*$/.test(mode)
    const octal = symbolic ? undefined : octalMode(mode)
    const attrsCommand = attributes
      ? probeCommand(SCRIPT, ['attrs', dest, owner ?? '', group ?? '', symbolic ? '1' : '0', '1'])
      : undefined
    const stdin = attrsCommand
      ? attributePaths
          .map((p) => `${octal === undefined ? '-' : octal.toString(8)} ${joinDest(dest, p)}`)
          .join('\n') + '\n'
      : undefined
    const res = await connection.run(
      attrsCommand ? `${extractCommand} && echo apb-split && ${attrsCommand}` : extractCommand,
      { timeoutMs: ctx.timeoutMs, outputCapBytes: ANSWER_CAP_BYTES, ...(stdin ? { stdin } : {}) }
    )
    checkRun(res, connection, ctx)
    const [first, second] = res.stdout.toString('utf8').split('apb-split\n')
    const extracted = new ProbeAnswer(first ?? '')
    if (!extracted.complete) throw stopped(connection, res.stderr.toString('utf8'))
    const extractResults = {
      cmd: argv,
      err: fromHex(extracted.get('err_hex') ?? '').toString('utf8'),
      out: fromHex(extracted.get('out_hex') ?? '').toString('utf8'),
      rc: extracted.int('rc') ?? -1
    }
    result['extract_results'] = extractResults
    finalDest = destInfo(extracted)
    if (extractResults.rc !== 0)
      return fail(`failed to unpack ${src} to ${dest}`, { ...result, ...finalDest })
    changed = true
    if (second !== undefined) {
      const attrs = new ProbeAnswer(second)
      const failure = attrsFailure(attrs, dest)
      if (failure) return { changed: false, ...failure }
      finalDest = destInfo(attrs)
      if (symbolic) {
        const after = parseStats(attrs.all('st'))
        const byRelative = new Map(
          attributePaths.map((p) => [p, after.get(joinDest(dest, p)) ?? 'missing'] as const)
        )
        const modes = attributeChanges(attributePaths, byRelative, modeOnly(run), dest).filter(
          (c) => c.differs
        )
        if (modes.length > 0) {
          const second = await applyAttributes(
            ctx,
            connection,
            dest,
            '',
            '',
            modes.map((c) => `${c.mode!.toString(8)} ${c.path}`)
          )
          if ('failure' in second) return { changed: false, ...second.failure }
          finalDest = second.dest
        }
      }
    }
  } else if (attributes) {
    const changes = attributeChanges(attributePaths, stats, run, dest).filter((c) => c.differs)
    if (changes.length > 0) {
      const applied = await applyAttributes(
        ctx,
        connection,
        dest,
        owner ?? '',
        group ?? '',
        changes.map((c) => `${c.mode === undefined ? '-' : c.mode.toString(8)} ${c.path}`)
      )
      if ('failure' in applied) return { changed: false, ...applied.failure }
      changed = applied.changed
      finalDest = applied.dest
    }
  }
  return { ...result, changed, ...diff, ...listed, ...finalDest }
}

/** The run context without owner and group: only the mode is compared. */
function modeOnly(run: RunContext): RunContext {
  const { owner: _owner, group: _group, ...rest } = run
  return rest
}

/** An int mode, or octal text, as the number Ansible reads; undefined for none. */
function octalMode(mode: unknown): number | undefined {
  if (typeof mode === 'number') return mode
  if (typeof mode !== 'string') return undefined
  const octal = /^\s*[+]?(?:0[oO])?([0-7]+)\s*$/.exec(mode)
  return octal ? parseInt(octal[1]!, 8) : undefined
}

function joinDest(dest: string, name: string): string {
  return `${dest.replace(/\/+$/, '')}/${name}`
}

/** Sets owner, group and modes (`MODE PATH` lines) where they differ, in one round trip. */
async function applyAttributes(
  ctx: ModuleContext,
  connection: Connection,
  dest: string,
  owner: string,
  group: string,
  lines: string[]
): Promise<{ changed: boolean; dest: ModuleResult } | { failure: ModuleResult }> {
  const res = await connection.run(probeCommand(SCRIPT, ['attrs', dest, owner, group, '0', '0']), {
    timeoutMs: ctx.timeoutMs,
    stdin: `${lines.join('\n')}\n`,
    outputCapBytes: ANSWER_CAP_BYTES
  })
  checkRun(res, connection, ctx)
  const answer = new ProbeAnswer(res.stdout.toString('utf8'))
  if (!answer.complete) throw stopped(connection, res.stderr.toString('utf8'))
  const failure = attrsFailure(answer, dest)
  if (failure) return { failure }
  return { changed: answer.get('changed') === '1', dest: destInfo(answer) }
}

/** Ansible's failure for an attribute the attrs step could not set. */
function attrsFailure(answer: ProbeAnswer, dest: string): ModuleResult | undefined {
  const what = answer.get('fail')
  if (what === undefined) return undefined
  const message = fromHex(answer.get('fail_hex') ?? '').toString('utf8')
  const at = fromHex(answer.get('fail_at_hex') ?? '').toString('utf8') || dest
  const result = actFailure(what, message, at, osErrorText(message, at))
  return { failed: true, ...result }
}

/** Ansible's path fields of dest (uid, gid, owner, group, mode, state, size), from `dest_` lines. */
function destInfo(answer: ProbeAnswer): ModuleResult {
  const values = new Map<string, string>()
  for (const key of ['info', 'owner', 'group', 'kind']) {
    const value = answer.get(`dest_${key}`)
    if (value !== undefined) values.set(key, value)
  }
  const fields = pathInfoFields(values)
  // In the order Ansible's add_path_info adds them (a printed result shows them so).
  const ordered: ModuleResult = {}
  for (const key of ['uid', 'gid', 'owner', 'group', 'mode', 'state', 'size'])
    if (key in fields) ordered[key] = fields[key]
  return ordered
}

/** The zip handler's files_in_archive: the names, filtered by include (each match) or exclude. */
function zipFiles(listing: string, includes: string[], excludes: string[]): string[] {
  const names = listing === '' ? [] : listing.replace(/\n$/, '').split('\n')
  const match = (name: string, pattern: string): boolean =>
    new RegExp(`^(?:${fnmatchSource(pattern)})$`, 's').test(name)
  if (includes.length > 0)
    return names.flatMap((name) => includes.filter((p) => match(name, p)).map(() => name))
  return names.filter((name) => !excludes.some((p) => match(name, p)))
}

/** The tar handlers' files_in_archive: tar's listing, decoded, without a leading `/`, minus excludes. */
function tarFiles(listing: string, excludes: string[]): string[] {
  const names = listing === '' ? [] : listing.replace(/\n$/, '').split('\n')
  return names
    .map((line) => tarName(line).replace(/^\//, ''))
    .filter(
      (name) => !excludes.some((p) => new RegExp(`^(?:${fnmatchSource(p)})$`, 's').test(name))
    )
}

function fail(msg: string, extra: ModuleResult = {}): ModuleResult {
  return { changed: false, failed: true, msg, ...extra }
}

async function runScript(
  connection: Connection,
  ctx: ModuleContext,
  command: string
): Promise<ProbeAnswer> {
  const res = await connection.run(command, {
    timeoutMs: ctx.timeoutMs,
    outputCapBytes: ANSWER_CAP_BYTES
  })
  checkRun(res, connection, ctx)
  const answer = new ProbeAnswer(res.stdout.toString('utf8'))
  if (res.code !== 0 || !answer.complete) throw stopped(connection, res.stderr.toString('utf8'))
  return answer
}

function checkRun(
  res: { timedOut: boolean; stdoutTruncated?: unknown },
  connection: Connection,
  ctx: ModuleContext
): void {
  if (res.timedOut)
    throw new CommandTimeoutError(
      `unarchive on ${connection.host} took longer than ${ctx.timeoutMs} ms`,
      connection.host,
      ctx.timeoutMs
    )
  if (res.stdoutTruncated)
    throw new ModuleArgumentError(
      `unarchive: the archive's listing on ${connection.host} is over ${ANSWER_CAP_BYTES} bytes`
    )
}

function stopped(connection: Connection, stderr: string): ModuleArgumentError {
  return new ModuleArgumentError(
    `unarchive: the commands on ${connection.host} stopped before their end: ${stderr.trim().slice(-400)}`
  )
}
