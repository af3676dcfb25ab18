/**
 * The apt module's `deb` option: installs .deb files on the target (a path there, or a URL fetched
 * there with curl or wget) with dpkg -i, as Ansible's apt does: a file whose version is installed
 * already is skipped, an older one is refused unless `allow_downgrade` (or `force`), its missing
 * dependencies are installed with apt-get first.
 */
import type { Connection } from '../connection/connection.js'
import type { ProbeAnswer } from '../facts/probe.js'
import type { ModuleContext, ModuleResult } from './module.js'
import {
  compareDebianVersions,
  parsePolicies,
  runAptScript,
  versionSatisfies
} from './apt-support.js'
import { fail, outputFields, preparedDiff, runAct } from './apt.js'
import probeScript from './apt-deb-probe.sh'

/** What installDebs needs from the module run. */
export interface DebOptions {
  locale: string
  aptGet: string
  /** Installs the missing dependencies (`name` or `name=version`) through apt-get install. */
  installDeps(deps: string[]): Promise<ModuleResult>
}

/**
 * Reads the .deb files of `deb` (comma-separated paths, or one URL, fetched into a directory of its
 * own) and what their dependencies are on the target. Read-only apart from that fetch: the apt module
 * starts it alongside its own read when nothing is updated first (one round trip for both).
 */
export function startDebProbe(
  ctx: ModuleContext,
  connection: Connection,
  deb: string
): Promise<ProbeAnswer> {
  const sources = deb.includes('://') ? [deb] : deb.split(',')
  return runAptScript(
    connection,
    'apb-apt-deb-probe',
    probeScript,
    sources,
    ctx.timeoutMs,
    ctx.environment
  )
}

/** A deb probe started but not used (the module stopped before): its fetch directory is removed. */
export async function discardDebProbe(
  ctx: ModuleContext,
  connection: Connection,
  started: Promise<ProbeAnswer>
): Promise<void> {
  const answer = await started.catch(() => undefined)
  const fetchDir = answer?.get('fetch_dir') ?? ''
  if (fetchDir) await runAct(ctx, connection, 'C', [], [], fetchDir).catch(() => undefined)
}

/**
 * Installs the .deb files of `deb` (comma-separated paths, or one URL) and returns the result, from the
 * probe `started` already when there is one.
 */
export async function installDebs(
  ctx: ModuleContext,
  connection: Connection,
  deb: string,
  options: DebOptions,
  started?: Promise<ProbeAnswer>
): Promise<ModuleResult> {
  const answer = await (started ?? startDebProbe(ctx, connection, deb))
  const fetchDir = answer.get('fetch_dir') ?? ''
  const fetchFailed = answer.bytes('fetch_failed_hex')?.toString('utf8')
  if (fetchFailed !== undefined) {
    if (fetchDir) await runAct(ctx, connection, options.locale, [], [], fetchDir)
    return fail({ msg: `Failure downloading ${fetchFailed}` })
  }
  const deps = new Map(
    answer.all('dep').map((entry) => {
      const [name = '', line = ''] = entry.split(':')
      const [status = '', version = ''] = text(line).split('|')
      return [text(name), { installed: status === 'installed', version }]
    })
  )
  const policies = parsePolicies(answer.bytes('policy_hex')?.toString('utf8') ?? '')
  const cleanupAnd = async (result: ModuleResult): Promise<ModuleResult> => {
    if (fetchDir) await runAct(ctx, connection, options.locale, [], [], fetchDir)
    return result
  }

  const missing: string[] = []
  const files: string[] = []
  for (const entry of answer.all('deb')) {
    const [pathHex = '', rc = '0', fieldsHex = '', installedHex = ''] = entry.split(':')
    const file = text(pathHex)
    const fieldsText = text(fieldsHex)
    if (rc === 'enoent' || rc === 'eacces') {
      // apt's own words for a file it cannot open.
      const reason = rc === 'enoent' ? '2: No such file or directory' : '13: Permission denied'
      return cleanupAnd(
        fail({ msg: `Unable to install package: E:Could not open file ${file} - open (${reason})` })
      )
    }
    if (rc !== '0') {
      return cleanupAnd(fail({ msg: `Unable to install package: E:${fieldsText.trim()}` }))
    }
    const fields = controlFields(fieldsText)
    const [installedStatus = '', installedVersion = ''] = text(installedHex).split('|')
    const version = fields['Version'] ?? ''
    const installed = installedStatus === 'installed'
    if (installed && compareDebianVersions(version, installedVersion) === 0) continue
    if (installed && compareDebianVersions(version, installedVersion) < 0) {
      const allowed = ctx.args['force'] === true || ctx.args['allow_downgrade'] === true
      if (!allowed) return cleanupAnd(fail({ msg: 'A later version is already installed' }))
    }
    // Each dependency group: satisfied by an installed alternative, else the first alternative apt
    // can install (at the version asked), else the .deb cannot be installed.
    const relations = [fields['Pre-Depends'], fields['Depends']].filter(Boolean).join(', ')
    for (const group of relations
      .split(',')
      .map((g) => g.trim())
      .filter(Boolean)) {
      const alternatives = group.split('|').map(parseRelation)
      const satisfied = alternatives.some((alt) => {
        const state = deps.get(alt.name)
        return (
          state?.installed === true &&
          (!alt.relation || versionSatisfies(state.version, alt.relation, alt.version))
        )
      })
      if (satisfied) continue
      const installable = alternatives.find((alt) => {
        const candidate = policies[alt.name]?.candidate
        return (
          candidate && (!alt.relation || versionSatisfies(candidate, alt.relation, alt.version))
        )
      })
      if (!installable) {
        const orText = alternatives
          .map((alt) => (alt.relation ? `${alt.name} (${alt.relation} ${alt.version})` : alt.name))
          .join('|')
        const force = ctx.args['force'] === true
        if (force) continue
        return cleanupAnd(fail({ msg: `Dependency is not satisfiable: ${orText}\n` }))
      }
      if (!missing.includes(installable.name)) missing.push(installable.name)
    }
    files.push(file)
  }

  let retvals: ModuleResult = {}
  let changed = false
  if (missing.length > 0) {
    retvals = await options.installDeps(missing)
    if (retvals['failed'] === true) return cleanupAnd(retvals)
    changed = retvals['changed'] === true
  }
  if (files.length === 0) {
    return cleanupAnd({
      changed,
      stdout: (retvals['stdout'] as string | undefined) ?? '',
      stderr: (retvals['stderr'] as string | undefined) ?? '',
      ...outputFields({
        stdout: (retvals['stdout'] as string | undefined) ?? '',
        stderr: (retvals['stderr'] as string | undefined) ?? ''
      }),
      diff: retvals['diff'] ?? ''
    })
  }
  // One word per option: a blank in dpkg_options never makes another dpkg argument.
  const flags = (ctx.args['dpkg_options'] as string).split(',').map((option) => `--${option}`)
  if (ctx.check) flags.push('--simulate')
  if (ctx.args['force'] === true) flags.push('--force-all')
  const cmd = `dpkg ${flags.join(' ')} -i ${files.join(' ')}`
  const argv = ['dpkg', ...flags, '-i', ...files]
  const run = await runAct(ctx, connection, options.locale, argv, [], fetchDir)
  const stdout = `${(retvals['stdout'] as string | undefined) ?? ''}${run.stdout}`
  const stderr = `${(retvals['stderr'] as string | undefined) ?? ''}${run.stderr}`
  let diff: unknown
  if (retvals['diff'] !== undefined) {
    diff = retvals['diff']
    const prepared = (diff as Record<string, unknown>)['prepared']
    if (typeof prepared === 'string')
      diff = { ...(diff as Record<string, unknown>), prepared: `${prepared}\n\n${run.stdout}` }
  } else {
    diff = preparedDiff(run.stdout)
  }
  if (run.rc !== 0) return fail({ msg: `${cmd} failed`, ...outputFields({ stdout, stderr }) })
  return { changed: true, ...outputFields({ stdout, stderr }), diff }
}

/** `Field: value` lines of dpkg-deb -f (continuation lines joined). */
function controlFields(textValue: string): Record<string, string> {
  const fields = Object.create(null) as Record<string, string>
  let last = ''
  for (const line of textValue.split('\n')) {
    const match = /^([A-Za-z][A-Za-z0-9-]*):\s*(.*)$/.exec(line)
    if (match) {
      last = match[1]!
      fields[last] = match[2]!
    } else if (last && /^\s/.test(line)) {
      fields[last] += ` ${line.trim()}`
    }
  }
  return fields
}

/** `name (>= 1.0)` or `name:any`. */
function parseRelation(textValue: string): { name: string; relation: string; version: string } {
  const match = /^\s*([^\s(:]+)(?::\S+)?\s*(?:\(\s*([<>=]+)\s*([^)\s]+)\s*\))?/.exec(textValue)
  return {
    name: match?.[1] ?? textValue.trim(),
    relation: match?.[2] ?? '',
    version: match?.[3] ?? ''
  }
}

function text(hex: string): string {
  return Buffer.from(hex, 'hex').toString('utf8')
}
