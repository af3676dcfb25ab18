/**
 * `dnf` and `yum`: packages on RPM targets through the target's own dnf (yum where dnf is missing) and
 * rpm, decided as Ansible's dnf module decides: `present` installs what rpm does not have, `latest`
 * upgrades what it has and installs the rest, `absent` removes what it has (a wildcard that matches
 * nothing is reported, not failed). `results` lists `Installed: NEVRA` and `Removed: NEVRA` from the
 * rpm database before and after (from dnf's transaction table in check mode). One round trip.
 */
import { ProbeAnswer } from '../facts/probe.js'
import type { ArgOption } from './arg-spec.js'
import script from './dnf.sh'
import {
  ModuleArgumentError,
  type ModuleContext,
  type ModuleDefinition,
  type ModuleResult
} from './module.js'
import { ModuleScript } from './module-script.js'

const SCRIPT = new ModuleScript('apb-dnf', script, 'dnf')

/** An option Ansible has that is refused by name here: the task says so and what to do instead. */
const NOT_YET: ArgOption = {
  type: 'raw',
  notImplemented: 'run dnf through the command module for it'
}

/** The options Ansible's dnf and yum share (yumdnf_argument_spec), as far as they are driven here. */
const COMMON_OPTIONS: Record<string, ArgOption> = {
  name: { type: 'list', elements: 'str', aliases: ['pkg'], default: [] },
  state: { type: 'str', choices: ['absent', 'present', 'installed', 'removed', 'latest'] },
  enablerepo: { type: 'list', elements: 'str', default: [] },
  disablerepo: { type: 'list', elements: 'str', default: [] },
  update_cache: { type: 'bool', default: false, aliases: ['expire-cache'] },
  disable_gpg_check: { type: 'bool', default: false },
  conf_file: { type: 'str' },
  installroot: { type: 'str', default: '/' },
  releasever: { type: 'str' },
  list: NOT_YET,
  autoremove: NOT_YET,
  exclude: NOT_YET,
  skip_broken: NOT_YET,
  update_only: NOT_YET,
  validate_certs: NOT_YET,
  sslverify: NOT_YET,
  security: NOT_YET,
  bugfix: NOT_YET,
  enable_plugin: NOT_YET,
  disable_plugin: NOT_YET,
  disable_excludes: NOT_YET,
  allow_downgrade: NOT_YET,
  download_only: NOT_YET,
  download_dir: NOT_YET,
  install_weak_deps: NOT_YET,
  install_repoquery: NOT_YET,
  cacheonly: NOT_YET,
  lock_timeout: NOT_YET
}

/** `dnf` (also `ansible.builtin.dnf`). */
export const dnfModule: ModuleDefinition = {
  name: 'dnf',
  supportsCheckMode: true,
  args: {
    options: {
      ...COMMON_OPTIONS,
      allowerasing: NOT_YET,
      nobest: NOT_YET
    },
    mutuallyExclusive: [['name', 'list']],
    requiredOneOf: [['name', 'list', 'update_cache']]
  },
  run: (ctx) => runDnf(ctx, 'dnf')
}

/**
 * `yum`: Ansible runs the dnf module for it where the target has dnf (every current RPM distribution);
 * here it drives dnf, or yum's own command line where only yum is installed (or first, with
 * `use_backend: yum`).
 */
export const yumModule: ModuleDefinition = {
  name: 'yum',
  supportsCheckMode: true,
  args: {
    options: {
      ...COMMON_OPTIONS,
      use_backend: { type: 'str', default: 'auto', choices: ['auto', 'yum', 'yum4', 'dnf'] }
    },
    mutuallyExclusive: [['name', 'list']],
    requiredOneOf: [['name', 'list', 'update_cache']]
  },
  run: (ctx) => runDnf(ctx, 'yum')
}

async function runDnf(ctx: ModuleContext, module: 'dnf' | 'yum'): Promise<ModuleResult> {
  const a = ctx.args
  const names = ((a['name'] as string[] | null) ?? []).map((n) => n.trim()).filter(Boolean)
  const stateArg = (a['state'] as string | null | undefined) ?? 'installed'
  const state =
    stateArg === 'absent' || stateArg === 'removed'
      ? 'absent'
      : stateArg === 'latest'
        ? 'latest'
        : 'present'
  for (const name of names) {
    if (name.startsWith('@'))
      throw new ModuleArgumentError(
        `${module}: groups and modules (${name}) are not driven yet; run dnf through the command module for them`
      )
    if (name.endsWith('.rpm') || /^[a-z]+:\/\//.test(name) || name.startsWith('/'))
      throw new ModuleArgumentError(
        `${module}: installing from an rpm file, a URL or a path (${name}) is not driven yet; name packages from a repository`
      )
  }
  const root = (a['installroot'] as string | undefined) ?? '/'
  const conf = (a['conf_file'] as string | null | undefined) ?? ''
  const options: string[] = []
  const disable = (a['disablerepo'] as string[]).filter(Boolean)
  const enable = (a['enablerepo'] as string[]).filter(Boolean)
  if (disable.length > 0) options.push(`--disablerepo=${disable.join(',')}`)
  if (enable.length > 0) options.push(`--enablerepo=${enable.join(',')}`)
  if (a['disable_gpg_check'] === true) options.push('--nogpgcheck')
  // One word: a conf_file named `--` must not end the options the script reads.
  if (conf) options.push(`--config=${conf}`)
  if (root !== '/') {
    options.push(`--installroot=${root}`)
    // Ansible's module reads the host's repositories whatever the installroot; dnf's command line
    // would read the installroot's unless a reposdir is named.
    if (!conf)
      options.push('--setopt=reposdir=/etc/yum.repos.d,/etc/yum/repos.d,/etc/distro.repos.d')
  }
  const releasever = a['releasever']
  if (releasever !== undefined && releasever !== null && releasever !== '')
    options.push(`--releasever=${String(releasever)}`)

  const answer = await runScript(ctx, [
    ctx.check ? 'check' : 'run',
    state,
    root,
    conf,
    a['update_cache'] === true ? '1' : '0',
    module === 'yum' && a['use_backend'] === 'yum' ? 'yum' : 'dnf',
    ...options,
    '--',
    ...names
  ])
  const text = (key: string): string => answer.bytes(key)?.toString('utf8') ?? ''
  const fail = (msg: string, extra: ModuleResult = {}): ModuleResult => ({
    failed: true,
    changed: false,
    msg,
    results: [],
    ...extra
  })
  const tool = answer.get('missing_tool')
  if (tool !== undefined)
    return fail(
      `${module}: the target ${ctx.host} has no ${tool} command: it is no dnf or yum system (use apt or package there)`
    )
  if (answer.get('not_root') === '1') return fail('This command has to be run under the root user.')
  if (answer.get('bad_conf') === '1')
    return fail('cannot read configuration file', { conf_file: conf })

  if (names.length === 0 && answer.get('nothing') !== '1') {
    if (answer.int('cache_rc') !== 0)
      return fail(`Failed to synchronize repodata: ${text('cache_err_hex').trim()}`, { rc: 1 })
    return { changed: false, msg: 'Cache updated', results: [], rc: 0 }
  }

  const notInstalled = answer
    .all('not_installed_hex')
    .map((hex) => `${Buffer.from(hex, 'hex').toString('utf8')} is not installed`)
  if (answer.get('nothing') === '1')
    return { changed: false, msg: 'Nothing to do', results: notInstalled, rc: 0 }

  // A step dnf refused: the specs it could not find are Ansible's failures, else its error.
  const failures: string[] = []
  let refused: string | undefined
  for (const step of ['install', 'upgrade', 'remove']) {
    const rc = answer.int(`${step}_rc`)
    if (rc === undefined) continue
    const out = `${text(`${step}_out_hex`)}\n${text(`${step}_err_hex`)}`
    for (const m of out.matchAll(/^No match for argument: (.*)$/gm))
      failures.push(`No package ${m[1]!.trim()} available.`)
    // No repository to look in: none of the packages to install is available, as Ansible says.
    if (step !== 'remove' && /There are no enabled repositories/.test(out))
      for (const hex of answer.all(`${step}_spec_hex`))
        failures.push(`No package ${Buffer.from(hex, 'hex').toString('utf8')} available.`)
    if (rc !== 0 && !ctx.check) refused ??= text(`${step}_err_hex`).trim() || out.trim()
    if (ctx.check && rc !== 0 && !/Operation aborted/.test(out))
      refused ??= text(`${step}_err_hex`).trim() || out.trim()
  }
  if (failures.length > 0)
    return fail('Failed to install some of the specified packages', { failures, rc: 1 })
  if (refused !== undefined)
    return fail(`Unknown Error occurred: ${refused}`, { failures: [], rc: 1 })

  const before = rpmList(text('before_hex'))
  const results = [...notInstalled]
  if (ctx.check) {
    const planned = transactionPlan(
      ['install', 'upgrade', 'remove'].map((s) => text(`${s}_out_hex`)).join('\n'),
      before
    )
    if (planned.installed.length + planned.removed.length === 0)
      return { changed: false, msg: 'Nothing to do', results, rc: 0 }
    results.push(...planned.installed.map((p) => `Installed: ${p}`))
    results.push(...planned.removed.map((p) => `Removed: ${p}`))
    return {
      changed: true,
      msg: 'Check mode: No changes made, but would have if not in check mode',
      results,
      rc: 0
    }
  }
  const after = rpmList(text('after_hex'))
  const installed = [...after].filter((p) => !before.has(p)).sort()
  const removed = [...before].filter((p) => !after.has(p)).sort()
  if (installed.length + removed.length === 0)
    return { changed: false, msg: 'Nothing to do', results, rc: 0 }
  results.push(...installed.map((p) => `Installed: ${nevra(p)}`))
  results.push(...removed.map((p) => `Removed: ${nevra(p)}`))
  return { changed: true, msg: '', results, rc: 0 }
}

/** The rpm database listing (NAME-EPOCH:VERSION-RELEASE.ARCH lines), without gpg-pubkey entries. */
function rpmList(text: string): Set<string> {
  return new Set(
    text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('gpg-pubkey-'))
  )
}

/** NAME-EPOCH:VERSION-RELEASE.ARCH as dnf prints a package: the epoch only when it is not 0. */
export function nevra(entry: string): string {
  return entry.replace(/-(\d+):(?=[^-]*-[^-]*$)/, (_m, epoch: string) =>
    epoch === '0' ? '-' : `-${epoch}:`
  )
}

/**
 * What dnf's transaction table (`dnf --assumeno …`) would install and remove, as dnf names packages;
 * an upgrade or downgrade also removes the version installed now (from the rpm listing).
 */
export function transactionPlan(
  output: string,
  installedNow: ReadonlySet<string>
): { installed: string[]; removed: string[] } {
  const installed: string[] = []
  const removed: string[] = []
  let section: 'install' | 'replace' | 'remove' | undefined
  let pending = ''
  for (const line of output.split('\n')) {
    if (/^\S.*:$/.test(line)) {
      const header = line.toLowerCase()
      section = header.startsWith('removing')
        ? 'remove'
        : header.startsWith('upgrading') || header.startsWith('downgrading')
          ? 'replace'
          : header.startsWith('installing') || header.startsWith('reinstalling')
            ? 'install'
            : undefined
      pending = ''
      continue
    }
    if (section === undefined) continue
    if (!line.startsWith(' ')) {
      section = undefined
      continue
    }
    const fields = `${pending} ${line}`.trim().split(/\s+/)
    if (fields.length < 4) {
      pending = fields.join(' ')
      continue
    }
    pending = ''
    const [name, arch, version] = fields as [string, string, string]
    const label = `${name}-${version}.${arch}`
    if (section === 'remove') removed.push(label)
    else installed.push(label)
    if (section === 'replace')
      for (const entry of installedNow)
        if (
          entry.startsWith(`${name}-`) &&
          /^-\d+:[^-]+-[^-]+\.[^.]+$/.test(entry.slice(name.length))
        )
          removed.push(nevra(entry))
  }
  return { installed: installed.sort(), removed: removed.sort() }
}

async function runScript(ctx: ModuleContext, args: string[]): Promise<ProbeAnswer> {
  return SCRIPT.run(await ctx.connection(), args, {
    timeoutMs: ctx.timeoutMs,
    environment: ctx.environment
  })
}
