import type { Connection } from '../connection/connection.js'
import { shellQuote } from '../connection/shell-quote.js'
import type { ProbeAnswer } from '../facts/probe.js'
import { factsFor } from '../facts/index.js'
import { splitLines } from './command-runner.js'
import {
  ModuleArgumentError,
  type ModuleContext,
  type ModuleDefinition,
  type ModuleResult
} from './module.js'
import {
  compareDebianVersions,
  fnmatch,
  isPattern,
  parsePolicies,
  runAptScript,
  splitSpec,
  type Policy
} from './apt-support.js'
import { discardDebProbe, installDebs, startDebProbe } from './apt-deb.js'
import probeScript from './apt-probe.sh'
import actScript from './apt-act.sh'

const DPKG_OPTIONS = 'force-confdef,force-confold'
/** What apt-get prints when it changed nothing (its summary line). */
const APT_GET_ZERO = '\n0 upgraded, 0 newly installed'
const APTITUDE_ZERO = '\n0 packages upgraded, 0 newly installed'

/**
 * `apt`: installs, upgrades and removes Debian packages with the target's own apt-get (and aptitude for
 * `upgrade: yes/full` where it is installed, as Ansible), dpkg and apt-mark, from POSIX sh: one round trip
 * reads the package lists' age, dpkg's state and apt's policy for the named packages (updating the lists
 * first when asked and stale); a second runs the command that changes something. `changed`, the result's
 * fields and messages are Ansible's: apt-get's own output in `stdout`/`stderr`, `cache_updated` and
 * `cache_update_time`, `'… install …' failed: E: …`. Check mode runs apt-get with `--simulate`; diff mode
 * returns apt-get's plan as `diff.prepared`.
 */
export const aptModule: ModuleDefinition = {
  name: 'apt',
  supportsCheckMode: true,
  args: {
    options: {
      state: {
        type: 'str',
        default: 'present',
        choices: ['absent', 'build-dep', 'fixed', 'latest', 'present']
      },
      update_cache: { type: 'bool', aliases: ['update-cache'] },
      update_cache_retries: { type: 'int', default: 5 },
      update_cache_retry_max_delay: { type: 'int', default: 12 },
      cache_valid_time: { type: 'int', default: 0 },
      purge: { type: 'bool', default: false },
      package: { type: 'list', elements: 'str', aliases: ['pkg', 'name'] },
      deb: { type: 'path' },
      default_release: { type: 'str', aliases: ['default-release'] },
      install_recommends: { type: 'bool', aliases: ['install-recommends'] },
      force: { type: 'bool', default: false },
      upgrade: { type: 'str', choices: ['dist', 'full', 'no', 'safe', 'yes'], default: 'no' },
      dpkg_options: { type: 'str', default: DPKG_OPTIONS },
      autoremove: { type: 'bool', default: false },
      autoclean: { type: 'bool', default: false },
      fail_on_autoremove: { type: 'bool', default: false },
      policy_rc_d: {
        type: 'int',
        notImplemented:
          'write /usr/sbin/policy-rc.d with a copy task before the apt task and remove it after'
      },
      only_upgrade: { type: 'bool', default: false },
      force_apt_get: { type: 'bool', default: false },
      clean: { type: 'bool', default: false },
      allow_unauthenticated: {
        type: 'bool',
        default: false,
        aliases: ['allow-unauthenticated']
      },
      allow_downgrade: {
        type: 'bool',
        default: false,
        aliases: ['allow-downgrade', 'allow_downgrades', 'allow-downgrades']
      },
      allow_change_held_packages: { type: 'bool', default: false },
      lock_timeout: { type: 'int', default: 60 }
    },
    mutuallyExclusive: [['deb', 'package', 'upgrade']],
    requiredOneOf: [['autoremove', 'deb', 'package', 'update_cache', 'upgrade']]
  },
  async run(ctx) {
    return new AptRun(ctx).run()
  }
}

/** One package's state, as the decision needs it. */
interface PackageStatus {
  installed: boolean
  versionInstalled: boolean
  /** The version to install, true for "by name" (virtual), null for none. */
  installable: string | true | null
  hasFiles: boolean
}

/** A failure that ends the module with Ansible's result. */
class AptExit {
  constructor(readonly result: ModuleResult) {}
}

/** The state one probe read. */
interface Probed {
  aptGet: string
  aptitude: string
  locale: string
  cacheUpdated: boolean
  cacheTime: number
  globs: Map<string, string[]>
  dpkg: Map<string, { abbrev: string; version: string; status: string; hasFiles: boolean }>
  policies: Record<string, Policy>
  providers: Map<string, string[]>
  providerState: Map<string, { status: string; version: string }>
  auto: Set<string>
  /** Whether the target has apt-mark. */
  aptMark: boolean
  /** apt's policy was not read: dpkg's state settles every name (see statusFromDpkg). */
  policySkipped: boolean
}

class AptRun {
  private readonly args: Record<string, unknown>
  private connection?: Connection
  private probed!: Probed

  constructor(private readonly ctx: ModuleContext) {
    this.args = ctx.args
  }

  async run(): Promise<ModuleResult> {
    try {
      return await this.decide()
    } catch (error) {
      if (error instanceof AptExit) return error.result
      throw error
    }
  }

  private async conn(): Promise<Connection> {
    this.connection ??= await factsFor(this.ctx).connection()
    return this.connection
  }

  private async decide(): Promise<ModuleResult> {
    const a = this.args
    const packagesArg = (a['package'] as string[] | null | undefined) ?? []
    const packages = packagesArg.filter((p) => p !== '*').map((p) => p.trim())
    const allInstalled = packagesArg.includes('*')
    const state = a['state'] as string
    const upgradeMode = a['upgrade'] === 'no' ? null : (a['upgrade'] as string)
    const deb = a['deb'] as string | null | undefined

    // Names to read: plain names, and the patterns to expand (when the state needs them).
    const globs: string[] = []
    const names: string[] = []
    if (state !== 'build-dep') {
      for (const spec of packages) {
        const { name } = splitSpec(spec)
        if (isPattern(name)) globs.push(name)
        else names.push(name)
      }
    } else {
      for (const spec of packages) {
        const { name } = splitSpec(spec)
        if (isPattern(name)) globs.push(name)
      }
    }
    const updateWanted = a['update_cache'] === true || (a['cache_valid_time'] as number) !== 0
    // The .deb files are read alongside apt's state when the lists are not updated first (their
    // dependencies' candidates would change): one round trip for both.
    const debRead =
      deb && state === 'present' && !updateWanted
        ? startDebProbe(this.ctx, await this.conn(), deb)
        : undefined
    debRead?.catch(() => undefined)
    let debReadUsed = false
    try {
      return await this.decideAfterProbe(
        { packagesArg, packages, allInstalled, state, upgradeMode, deb, updateWanted },
        { globs, names },
        debRead,
        () => {
          debReadUsed = true
        }
      )
    } finally {
      if (debRead && !debReadUsed) await discardDebProbe(this.ctx, await this.conn(), debRead)
    }
  }

  /** decide, from the probe on: `debRead` is the .deb files' read started alongside it, if any. */
  private async decideAfterProbe(
    d: {
      packagesArg: string[]
      packages: string[]
      allInstalled: boolean
      state: string
      upgradeMode: string | null
      deb: string | null | undefined
      updateWanted: boolean
    },
    read: { globs: string[]; names: string[] },
    debRead: Promise<ProbeAnswer> | undefined,
    useDebRead: () => void
  ): Promise<ModuleResult> {
    const a = this.args
    const { packagesArg, packages, allInstalled, state, upgradeMode, deb, updateWanted } = d
    // Names to be present (plain) or absent need apt's policy only where dpkg's state does not settle
    // them: a name to be present that dpkg has not installed.
    const plainNames =
      !upgradeMode &&
      !deb &&
      !allInstalled &&
      read.globs.length === 0 &&
      !a['default_release'] &&
      packages.every((spec) => !splitSpec(spec).name.includes(':'))
    const dpkgEnough =
      plainNames && state === 'present' && packages.every((spec) => splitSpec(spec).cmp === null)
        ? 'present'
        : plainNames && state === 'absent'
          ? 'absent'
          : ''
    await this.probe(updateWanted, read.globs, [...new Set(read.names)], dpkgEnough)
    const useAptGet = (a['force_apt_get'] as boolean) || this.probed.aptitude === ''

    if (a['clean'] === true) {
      const run = await this.act(['apt-get', 'clean'], [])
      if (run.rc !== 0)
        throw new AptExit(fail({ msg: 'apt-get clean failed', stdout: run.stdout, rc: run.rc }))
      if (run.stderr !== '')
        throw new AptExit(
          fail({ msg: `apt-get clean failed: ${run.stderr}`, stdout: run.stdout, rc: run.rc })
        )
      if (packages.length === 0 && !upgradeMode && !deb)
        return withOutput({ changed: true, msg: run.stdout }, run)
    }

    if (updateWanted && packagesArg.length === 0 && !upgradeMode && !deb) {
      return {
        changed: this.probed.cacheUpdated,
        cache_updated: this.probed.cacheUpdated,
        cache_update_time: this.probed.cacheTime
      }
    }

    if (upgradeMode) return this.upgrade(upgradeMode, useAptGet)

    if (deb) {
      if (state !== 'present') throw new AptExit(fail({ msg: 'deb only supports state=present' }))
      if (debRead) useDebRead()
      return installDebs(
        this.ctx,
        await this.conn(),
        deb,
        {
          locale: this.probed.locale,
          aptGet: this.probed.aptGet,
          installDeps: (deps) => this.installForDeb(deps)
        },
        debRead
      )
    }

    if (state === 'latest' && allInstalled) {
      if (packages.length > 0)
        throw new AptExit(
          fail({
            msg: 'unable to install additional packages when upgrading all installed packages'
          })
        )
      return this.upgrade('yes', useAptGet)
    }

    for (const spec of packages) {
      if ((spec.match(/=/g) ?? []).length > 1)
        throw new AptExit(fail({ msg: `invalid package spec: ${spec}` }))
    }

    if (packages.length === 0) {
      if (a['autoclean'] === true) return this.cleanup('autoclean')
      if (a['autoremove'] === true) return this.cleanup('autoremove')
    }

    if (state === 'absent') return this.remove(packages)
    const result = await this.install(packages, {
      upgrade: state === 'latest',
      buildDep: state === 'build-dep',
      fixed: state === 'fixed'
    })
    return {
      ...result,
      cache_updated: this.probed.cacheUpdated,
      cache_update_time: this.probed.cacheTime
    }
  }

  /** The one-round-trip read of the target (with the lists updated first when asked and stale). */
  private async probe(
    update: boolean,
    globs: string[],
    names: string[],
    dpkgEnough: 'present' | 'absent' | '' = ''
  ): Promise<void> {
    const a = this.args
    const answer = await runAptScript(
      await this.conn(),
      'apb-apt-probe',
      probeScript,
      [
        update ? '1' : '0',
        String(a['cache_valid_time'] as number),
        this.ctx.check ? '1' : '0',
        String(Math.max(1, a['update_cache_retries'] as number)),
        String(a['update_cache_retry_max_delay'] as number),
        (a['default_release'] as string | null | undefined) ?? '',
        String(a['lock_timeout'] as number),
        dpkgEnough,
        String(globs.length),
        ...globs,
        ...names
      ],
      this.ctx.timeoutMs,
      this.ctx.environment
    )
    const updateRc = answer.int('update_rc')
    if (updateRc !== undefined && updateRc !== 0) {
      const err = answer.bytes('update_err_hex')?.toString('utf8').trim() ?? ''
      throw new AptExit(fail({ msg: `Failed to update apt cache: ${err || 'unknown reason'}` }))
    }
    const policyError = answer.bytes('policy_err_hex')?.toString('utf8').trim()
    if (policyError) {
      // apt refuses its configuration (a default_release no source has): Ansible's python-apt raises
      // there and the module fails without a message; apt's own error says what to fix.
      throw new AptExit(fail({ msg: `apt-cache policy failed: ${policyError}` }))
    }
    const before = answer.int('cache_time_before') ?? 0
    const after = answer.int('cache_time') ?? 0
    const stale = answer.get('stale') === '1'
    this.probed = {
      aptGet: answer.get('apt_get') ?? '/usr/bin/apt-get',
      aptitude: answer.get('aptitude') ?? '',
      aptMark: answer.get('apt_mark') !== '',
      locale: answer.get('locale') ?? 'C',
      cacheUpdated: stale && (this.ctx.check || before !== after),
      cacheTime: after,
      globs: new Map(
        answer.all('glob').map((entry) => {
          const [pattern = '', matches = ''] = entry.split(':')
          return [hexText(pattern), hexText(matches).split('\n').filter(Boolean)]
        })
      ),
      dpkg: new Map(
        answer.all('pkg').map((entry) => {
          const [name = '', line = '', files = '0'] = entry.split(':')
          const [abbrev = '', version = '', status = ''] = hexText(line).split('|')
          return [hexText(name), { abbrev, version, status, hasFiles: files === '1' }]
        })
      ),
      policies: parsePolicies(answer.bytes('policy_hex')?.toString('utf8') ?? ''),
      providers: new Map(
        answer.all('provides').map((entry) => {
          const [name = '', text = ''] = entry.split(':')
          const providers = hexText(text)
            .split('\n')
            .map((line) => line.trim().split(/\s+/)[0] ?? '')
            .filter(Boolean)
          return [hexText(name), [...new Set(providers)]]
        })
      ),
      providerState: new Map(
        answer.all('provider').map((entry) => {
          const [name = '', line = ''] = entry.split(':')
          const [, version = '', status = ''] = hexText(line).split('|')
          return [hexText(name), { status, version }]
        })
      ),
      auto: new Set(answer.all('auto')),
      policySkipped: answer.get('policy_skipped') === '1'
    }
  }

  /** Expands glob patterns to the names apt knows, as Ansible does (failing on a pattern with none). */
  private expand(specs: string[]): string[] {
    const expanded: string[] = []
    for (const spec of specs) {
      const { name } = splitSpec(spec)
      if (!isPattern(name)) {
        expanded.push(spec)
        continue
      }
      const matches = this.probed.globs.get(name) ?? []
      if (matches.length === 0)
        throw new AptExit(fail({ msg: `No package(s) matching '${name}' available` }))
      expanded.push(...matches)
    }
    return expanded
  }

  /** Whether a package is known to apt, installed, matches the version asked, and what to install. */
  private status(
    name: string,
    cmp: '=' | '>=' | null,
    version: string | null,
    forInstall: boolean
  ): PackageStatus {
    const policy = this.probed.policies[name]
    const dpkg = this.probed.dpkg.get(name)
    if (this.probed.policySkipped) return this.statusFromDpkg(cmp, version, dpkg)
    const known = policy !== undefined && (policy.versions.length > 0 || policy.installed !== null)
    if (!known) {
      if (!forInstall)
        return { installed: false, versionInstalled: false, installable: null, hasFiles: false }
      const providers = this.probed.providers.get(name) ?? []
      if (providers.length > 0) {
        if (providers.length === 1) {
          const provider = this.probed.providerState.get(providers[0]!)
          if (provider?.status === 'installed')
            return { installed: true, versionInstalled: true, installable: null, hasFiles: true }
        }
        return { installed: false, versionInstalled: false, installable: true, hasFiles: false }
      }
      throw new AptExit(fail({ msg: `No package matching '${name}' is available` }))
    }
    const installed = dpkg?.status === 'installed'
    const best = this.bestVersion(policy, cmp, version)
    let versionInstalled = false
    let installable: string | null = null
    if (installed) {
      const current = dpkg.version
      if (cmp === '=') {
        versionInstalled = fnmatch(current, version!)
        if (best && current !== best && fnmatch(best, version!)) installable = best
      } else if (cmp === '>=') {
        versionInstalled = compareDebianVersions(current, version!) >= 0
        if (best && current !== best && compareDebianVersions(best, version!) >= 0)
          installable = best
      } else {
        versionInstalled = true
        if (best && current !== best) installable = best
      }
    } else {
      installable = best
    }
    return { installed, versionInstalled, installable, hasFiles: dpkg?.hasFiles ?? false }
  }

  /**
   * status() from dpkg's state alone, where the probe found it enough (policySkipped): a name to be
   * present is installed; one to be absent is installed (in the version asked, if any) or not.
   */
  private statusFromDpkg(
    cmp: '=' | '>=' | null,
    version: string | null,
    dpkg: { version: string; status: string; hasFiles: boolean } | undefined
  ): PackageStatus {
    // A name without a version in dpkg's records is none apt knows (Ansible: no files to purge).
    const hasFiles = dpkg !== undefined && dpkg.version !== '' && dpkg.hasFiles
    if (dpkg?.status !== 'installed')
      return { installed: false, versionInstalled: false, installable: null, hasFiles }
    const versionInstalled =
      cmp === '='
        ? fnmatch(dpkg.version, version!)
        : cmp === '>='
          ? compareDebianVersions(dpkg.version, version!) >= 0
          : true
    return { installed: true, versionInstalled, installable: null, hasFiles }
  }

  /**
   * The version apt would pick: its candidate, or with `=` the newest version the glob matches
   * (a version asked for outranks every pin).
   */
  private bestVersion(policy: Policy, cmp: string | null, version: string | null): string | null {
    if (cmp === '=') {
      const match = policy.versions.find((v) => fnmatch(v.version, version!))
      return match?.version ?? null
    }
    return policy.candidate
  }

  private async install(
    specs: string[],
    mode: { upgrade: boolean; buildDep: boolean; fixed: boolean },
    depsOf?: 'deb'
  ): Promise<ModuleResult> {
    const a = this.args
    const onlyUpgrade = depsOf ? false : (a['only_upgrade'] as boolean)
    const items: string[] = []
    const names: string[] = []
    for (const spec of this.expand(specs)) {
      if (mode.buildDep) {
        items.push(spec)
        continue
      }
      const { name, cmp, version } = splitSpec(spec)
      names.push(name)
      const s = this.status(name, cmp, version, true)
      if (!s.installed && onlyUpgrade) continue
      if (!s.versionInstalled && !s.installable)
        return fail({ msg: `no available installation candidate for ${spec}` })
      if (
        s.installable &&
        ((!s.installed && !onlyUpgrade) || mode.upgrade || !s.versionInstalled)
      ) {
        if (s.installable !== true) items.push(`${name}=${s.installable}`)
        else if (version) items.push(`${name}=${version}`)
        else items.push(name)
      } else if (s.versionInstalled && s.installable && cmp === '=') {
        items.push(`${name}=${version!}`)
      }
    }
    // Ansible runs `apt-mark manual` on every name after an install task; apt-mark runs here only where
    // that changes something: a named package apt holds as installed automatically (apt-mark builds
    // apt's whole cache: most of a second where no cache file is kept). After an apt-get install that is
    // decided on the target once it has run (apt-get marks the packages it is given itself, and may pull
    // a named one in as a dependency). A name with an architecture is looked up by its package name.
    const mark = !mode.buildDep && !this.ctx.check ? names : []
    if (mark.length > 0 && !this.probed.aptMark) {
      this.ctx.warn('Could not find apt-mark binary, not marking package(s) as manually installed.')
    }
    if (items.length === 0) {
      const automatic = this.probed.aptMark
        ? mark.filter((name) => this.probed.auto.has(name.replace(/:[^:]*$/, '')))
        : []
      if (automatic.length > 0) {
        const run = await this.act([], automatic)
        if (run.markFailure) return run.markFailure
      }
      return { changed: false }
    }
    const cmd = new AptCommand(this.probed.aptGet)
    cmd.words('-y')
    cmd.dpkgOptions(a['dpkg_options'] as string)
    cmd.flag(onlyUpgrade, '--only-upgrade')
    cmd.flag(mode.fixed, '--fix-broken')
    if (mode.buildDep) {
      cmd.flag(a['force'] as boolean, '--force-yes')
    } else {
      cmd.flag(!depsOf && (a['force'] as boolean), '--force-yes')
      cmd.flag(!depsOf && (a['autoremove'] as boolean), '--auto-remove')
    }
    cmd.flag(a['fail_on_autoremove'] as boolean, '--no-remove')
    cmd.flag(this.ctx.check, '--simulate')
    cmd.words(mode.buildDep ? 'build-dep' : 'install')
    cmd.packages(items)
    const release = a['default_release'] as string | null | undefined
    if (release && !depsOf) cmd.quoted('-t', release)
    const recommends = a['install_recommends'] as boolean | null | undefined
    if (recommends === false) cmd.words('-o', 'APT::Install-Recommends=no')
    else if (recommends === true) cmd.words('-o', 'APT::Install-Recommends=yes')
    if (a['allow_unauthenticated'] === true) cmd.words('--allow-unauthenticated')
    if (a['allow_downgrade'] === true) cmd.words('--allow-downgrades')
    if (a['allow_change_held_packages'] === true) cmd.words('--allow-change-held-packages')

    const run = await this.act(cmd.argv, mark, '', true)
    if (run.markFailure) return run.markFailure
    if (run.rc !== 0) {
      return fail({
        msg: `'${cmd.text}' failed: ${run.stderr}`,
        ...outputFields(run),
        rc: run.rc
      })
    }
    const changed = mode.buildDep ? !run.stdout.includes(APT_GET_ZERO) : true
    return { changed, ...outputFields(run), diff: this.diffOf(run.stdout) }
  }

  /** Installs a .deb's missing dependencies (apt-get install), for apt-deb.ts. */
  private async installForDeb(deps: string[]): Promise<ModuleResult> {
    const names = deps.map((d) => splitSpec(d).name)
    const missing = names.filter((name) => !this.probed.policies[name])
    if (missing.length > 0) await this.probe(false, [], names)
    return this.install(deps, { upgrade: false, buildDep: false, fixed: false }, 'deb')
  }

  private async remove(specs: string[]): Promise<ModuleResult> {
    const a = this.args
    const purge = a['purge'] as boolean
    const items: string[] = []
    for (const spec of this.expand(specs)) {
      const { name, cmp, version } = splitSpec(spec)
      const s = this.status(name, cmp, version, false)
      if (s.versionInstalled || (s.hasFiles && purge)) items.push(spec)
    }
    if (items.length === 0) return { changed: false }
    const cmd = new AptCommand(this.probed.aptGet)
    cmd.words('-q', '-y')
    cmd.dpkgOptions(a['dpkg_options'] as string)
    cmd.flag(purge, '--purge')
    cmd.flag(a['force'] as boolean, '--force-yes')
    cmd.flag(a['autoremove'] as boolean, '--auto-remove')
    cmd.flag(this.ctx.check, '--simulate')
    cmd.words('remove')
    const packages = cmd.packages(items)
    const run = await this.act(cmd.argv, [])
    if (run.rc !== 0)
      return fail({
        msg: `'apt-get remove ${packages}' failed: ${run.stderr}`,
        ...outputFields(run),
        rc: run.rc
      })
    return { changed: true, ...outputFields(run), diff: this.diffOf(run.stdout) }
  }

  private async cleanup(operation: 'autoremove' | 'autoclean'): Promise<ModuleResult> {
    const a = this.args
    const cmd = new AptCommand(this.probed.aptGet)
    cmd.words('-y')
    cmd.dpkgOptions(a['dpkg_options'] as string)
    cmd.flag(a['purge'] as boolean, '--purge')
    cmd.flag(a['force'] as boolean, '--force-yes')
    cmd.words(operation)
    cmd.flag(this.ctx.check, '--simulate')
    const run = await this.act(cmd.argv, [])
    if (run.rc !== 0)
      return fail({
        msg: `'apt-get ${operation}' failed: ${run.stderr}`,
        ...outputFields(run),
        rc: run.rc
      })
    const marker = operation === 'autoremove' ? 'The following packages will be REMOVED' : 'Del '
    return {
      changed: run.stdout.includes(marker),
      ...outputFields(run),
      diff: this.diffOf(run.stdout)
    }
  }

  private async upgrade(mode: string, useAptGet: boolean): Promise<ModuleResult> {
    const a = this.args
    const autoremove = a['autoremove'] as boolean
    let tool: 'apt-get' | 'aptitude'
    let command: string[]
    if (mode === 'dist' || (mode === 'full' && useAptGet)) {
      tool = 'apt-get'
      command = ['dist-upgrade', autoremove ? '--auto-remove' : '']
    } else if (mode === 'full') {
      tool = 'aptitude'
      command = ['full-upgrade']
    } else if (useAptGet) {
      tool = 'apt-get'
      command = ['upgrade', '--with-new-pkgs', autoremove ? '--auto-remove' : '']
    } else {
      tool = 'aptitude'
      command = ['safe-upgrade']
    }
    const path = tool === 'apt-get' ? this.probed.aptGet : this.probed.aptitude
    const force = a['force'] as boolean
    const cmd = new AptCommand(path)
    cmd.words('-y')
    cmd.dpkgOptions(a['dpkg_options'] as string)
    if (!force) cmd.flag(false, '')
    else if (tool === 'apt-get') cmd.words('--force-yes')
    else cmd.words('--assume-yes', '--allow-untrusted')
    cmd.flag(a['fail_on_autoremove'] as boolean, '--no-remove')
    cmd.flag(a['allow_unauthenticated'] as boolean, '--allow-unauthenticated')
    cmd.flag(a['allow_downgrade'] as boolean, '--allow-downgrades')
    cmd.flag(this.ctx.check, '--simulate')
    const commandText = cmd.words(...command)
    const release = a['default_release'] as string | null | undefined
    if (release) cmd.quoted('-t', release)
    const run = await this.act(cmd.argv, [])
    if (run.rc !== 0)
      return fail({
        msg: `'${path} ${commandText}' failed: ${run.stderr}`,
        ...outputFields(run, false),
        rc: run.rc
      })
    const zero = tool === 'apt-get' ? APT_GET_ZERO : APTITUDE_ZERO
    if (run.stdout.includes(zero)) return { changed: false, msg: run.stdout, ...outputFields(run) }
    return { changed: true, msg: run.stdout, ...outputFields(run), diff: this.diffOf(run.stdout) }
  }

  /** `diff.prepared` (apt-get's plan) in diff mode, else the empty dict Ansible returns. */
  private diffOf(stdout: string): Record<string, unknown> {
    return this.ctx.diff ? preparedDiff(stdout) : {}
  }

  /** Runs one command (and apt-mark manual on `mark`, see runAct) on the target. */
  async act(
    argv: string[],
    mark: string[],
    removeDir = '',
    markAutomaticOnly = false
  ): Promise<{ rc: number; stdout: string; stderr: string; markFailure?: ModuleResult }> {
    return runAct(
      this.ctx,
      await this.conn(),
      this.probed.locale,
      argv,
      mark,
      removeDir,
      markAutomaticOnly
    )
  }
}

/**
 * Runs apt-act.sh: one command, then apt-mark manual on `mark` (with `markAutomaticOnly`, on those of
 * them apt holds as installed automatically once the command has run); a failed apt-mark is the result.
 */
export async function runAct(
  ctx: ModuleContext,
  connection: Connection,
  locale: string,
  argv: string[],
  mark: string[],
  removeDir = '',
  markAutomaticOnly = false
): Promise<{ rc: number; stdout: string; stderr: string; markFailure?: ModuleResult }> {
  const answer: ProbeAnswer = await runAptScript(
    connection,
    'apb-apt-act',
    actScript,
    [
      String(ctx.args['lock_timeout'] ?? 60),
      locale,
      removeDir,
      markAutomaticOnly ? '1' : '0',
      String(mark.length),
      ...mark,
      ...argv
    ],
    ctx.timeoutMs,
    ctx.environment
  )
  // No command (a .deb fetch directory to remove only): no exit code to read.
  const rc = answer.int('rc') ?? (argv.length === 0 ? 0 : undefined)
  if (rc === undefined)
    throw new ModuleArgumentError(
      `apt: the answer from ${connection.host} holds no exit code of apt-get (cut short?): run the task again with -vvv, or run apt-get on the host to see its output`
    )
  const run = {
    rc,
    stdout: answer.bytes('out_hex')?.toString('utf8') ?? '',
    stderr: answer.bytes('err_hex')?.toString('utf8') ?? ''
  }
  const markRc = answer.int('mark_rc')
  if (markRc !== undefined && markRc !== 0) {
    const out = answer.bytes('mark_out_hex')?.toString('utf8') ?? ''
    const err = answer.bytes('mark_err_hex')?.toString('utf8') ?? ''
    const cmd = answer.bytes('mark_cmd_hex')?.toString('utf8') ?? ''
    return {
      ...run,
      markFailure: fail({
        msg: `'${cmd}' failed: ${err}`,
        ...outputFields({ stdout: out, stderr: err }),
        rc: markRc
      })
    }
  }
  return run
}

/**
 * One apt-get (or aptitude) command: the argv it runs, built word by word and never split again (a
 * quote in a package spec or `default_release` stays inside its word), and the text messages show,
 * laid out as Ansible's (an empty place where a flag is off; package names and `-t` in quotes).
 */
export class AptCommand {
  readonly argv: string[]
  private readonly shown: string[]

  constructor(program: string) {
    this.argv = [program]
    this.shown = [program]
  }

  /** Words of our own, shown as they are (an empty word only takes its place in the text). */
  words(...words: string[]): string {
    const real = words.filter((word) => word !== '')
    this.argv.push(...real)
    const text = words.join(' ')
    this.shown.push(text)
    return text
  }

  /** `word` when `on`; an empty place in the text when not, as Ansible's format leaves one. */
  flag(on: boolean, word: string): void {
    this.words(on ? word : '')
  }

  /** `-o Dpkg::Options::=--OPT` for each of `dpkg_options` (shown `-o "Dpkg::Options::=--OPT"`). */
  dpkgOptions(options: string): void {
    for (const option of options.split(',')) this.argv.push('-o', `Dpkg::Options::=--${option}`)
    this.shown.push(expandDpkgOptions(options))
  }

  /** Package specs, one word each; shown each in quotes. Returns their text. */
  packages(specs: readonly string[]): string {
    this.argv.push(...specs)
    const text = specs.map(quotedWord).join(' ')
    this.shown.push(text)
    return text
  }

  /** An option and its value (`-t RELEASE`), the value shown in quotes. */
  quoted(option: string, value: string): void {
    this.argv.push(option, value)
    this.shown.push(`${option} ${quotedWord(value)}`)
  }

  /** The command as messages show it (never run). */
  get text(): string {
    return this.shown.join(' ')
  }
}

/** A word always in single quotes, as Ansible shows package names (shellQuote's form when it needs it). */
function quotedWord(word: string): string {
  const quoted = shellQuote(word)
  return quoted === word ? `'${word}'` : quoted
}

/** Ansible's `-o "Dpkg::Options::=--OPT"` words for `dpkg_options` (as messages show them). */
export function expandDpkgOptions(options: string): string {
  return options
    .split(',')
    .map((option) => `-o "Dpkg::Options::=--${option}"`)
    .join(' ')
}

/** apt-get's plan: from after `Reading state information...` to the `N upgraded` line. */
export function preparedDiff(output: string): { prepared: string } {
  const lines = splitLines(output)
  let start = lines.indexOf('Resolving dependencies...')
  if (start < 0) start = lines.indexOf('Reading state information...')
  let end = lines.findIndex((line) => /^[0-9]+ (packages )?upgraded/.test(line))
  if (end < 0) end = lines.length
  return { prepared: lines.slice(start + 1, end + 1).join('\n') }
}

/** stdout and stderr with their lines, as a module result carries them. */
export function outputFields(
  run: { stdout: string; stderr: string },
  withStderr = true
): ModuleResult {
  const fields: ModuleResult = { stdout: run.stdout, stdout_lines: splitLines(run.stdout) }
  if (withStderr)
    Object.assign(fields, { stderr: run.stderr, stderr_lines: splitLines(run.stderr) })
  return fields
}

/** A failed result (changed false, as Ansible's fail_json registers it). */
export function fail(fields: ModuleResult): ModuleResult {
  return { changed: false, failed: true, ...fields }
}

function withOutput(result: ModuleResult, run: { stdout: string; stderr: string }): ModuleResult {
  return { ...result, ...outputFields(run) }
}

function hexText(hex: string): string {
  return Buffer.from(hex, 'hex').toString('utf8')
}
