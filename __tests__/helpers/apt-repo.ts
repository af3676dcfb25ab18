/**
 * A local apt repository for the package modules' tests (apt, package, apt_repository): `.deb` packages
 * built here with dpkg-deb (no network), a `Packages` index (dpkg-scanpackages) and a `Sources` index,
 * served as `deb [trusted=yes] file:DIR ./` (and `deb-src`) from a sources file the repository adds and
 * always removes. The test sshd is this machine, so targets see the same repository.
 *
 *   const repo = createAptRepo()        // builds the packages (names carry a unique prefix)
 *   repo.enable()                       // adds the sources file, updates only its lists
 *   repo.names.hello                    // 'apbt-<id>-hello', versions repo.versions.hello
 *   repo.debPath('hello', '1.0-1')      // the built .deb, readable by every user
 *   repo.cleanup()                      // purges its packages, removes the sources file and its lists
 *
 * The packages (every name is `<prefix>-<role>`, Architecture: all):
 * - `hello` 1.0-1, 1.1-1, 2.0-1: installs /usr/share/<prefix>/hello/version (pins, latest, downgrades);
 * - `app` Depends: `lib` (a dependency, installed automatically: autoremove);
 * - `rec` Recommends: `extra` (install_recommends);
 * - `conf`: a conffile /etc/<prefix>-conf.conf (remove keeps it, purge deletes it);
 * - `broken`: its postinst exits 1 (a failed install leaves it half-configured);
 * - `solo` Depends: `lib`: a .deb that is NOT in the index (the `deb` option only);
 * - source package `src` (Sources index only) with Build-Depends: `lib` (state=build-dep).
 *
 * Changing the machine's apt state needs root: `enable` and `cleanup` throw otherwise (tests skip with
 * `aptRepoUsable()`). A process exit handler removes the sources file even after a failed run.
 */
import { spawnSync } from 'node:child_process'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { acquireMachineLock, MACHINE_LOCK_WAIT_MS, releaseMachineLock } from './machine-lock.js'

/** The roles of the repository's packages; each name is `<prefix>-<role>`. */
export type AptRepoRole = 'hello' | 'app' | 'lib' | 'rec' | 'extra' | 'conf' | 'broken' | 'solo'

const ROLES: readonly AptRepoRole[] = [
  'hello',
  'app',
  'lib',
  'rec',
  'extra',
  'conf',
  'broken',
  'solo'
]

/** The versions built of each package, oldest first. */
const VERSIONS: Record<AptRepoRole, readonly string[]> = {
  hello: ['1.0-1', '1.1-1', '2.0-1'],
  app: ['1.0-1'],
  lib: ['1.0-1'],
  rec: ['1.0-1'],
  extra: ['1.0-1'],
  conf: ['1.0-1'],
  broken: ['1.0-1'],
  solo: ['1.0-1']
}

/** Packages built as .deb files but left out of the Packages index. */
const NOT_INDEXED: ReadonlySet<AptRepoRole> = new Set(['solo'])

export interface AptRepo {
  /** Every package name starts with `<prefix>-`. */
  readonly prefix: string
  /** The repository's directory (Packages, Sources, the .debs), world-readable. */
  readonly dir: string
  /** The package name of each role. */
  readonly names: Readonly<Record<AptRepoRole, string>>
  /** The name of the source package in the Sources index (its Build-Depends: the `lib` package). */
  readonly sourceName: string
  /** The versions of each role's package, oldest first. */
  readonly versions: Readonly<Record<AptRepoRole, readonly string[]>>
  /** The conffile of the `conf` package. */
  readonly conffile: string
  /** The sources file `enable` writes (under /etc/apt/sources.list.d). */
  readonly sourcesFile: string
  /** Its text: a `deb` and a `deb-src` line for `dir`, trusted. */
  readonly sourcesText: string
  /**
   * An apt configuration file (for `APT_CONFIG`) under which apt reads only this repository's sources
   * and keeps every other list on update: apt runs fast, and `apt-get update` stays offline.
   */
  readonly aptConfig: string
  /**
   * aptConfig with `Dpkg::Use-Pty "0"`: dpkg writes to apt-get's own stdout and stderr. apt-get relays
   * dpkg's output through a pty and stops reading it once dpkg has exited (apt's dpkgpm.cc leaves its
   * loop on waitpid and closes the pty without draining it), so what dpkg prints as it fails (its last
   * line, the package list after "Errors were encountered while processing:") is lost now and then, in
   * either tool. A task whose dpkg fails, with its output compared, runs under this configuration.
   */
  readonly aptConfigNoPty: string
  /** The built .deb of a role's package at a version (default: its newest). */
  debPath(role: AptRepoRole, version?: string): string
  /**
   * Adds the sources file and updates only its lists (the others are left as they are). Takes the
   * machine-wide apt test lock first (see acquireAptTestLock), until cleanup.
   */
  enable(): void
  /** Runs apt-get with only this repository's sources (update, install … for test set-ups). */
  aptGet(args: readonly string[]): { status: number; stdout: string; stderr: string }
  /** The installed packages of this repository (dpkg status `installed`, or any non-`not-installed`). */
  installed(): string[]
  /** Purges every package of the repository left on the machine (also half-installed ones). */
  purgeAll(): void
  /**
   * Purges the packages, removes the sources file and the lists apt made from it, and (with
   * `removeDir`, the default) the repository's directory. Safe to call twice.
   */
  cleanup(options?: { removeDir?: boolean }): void
  /**
   * Extra variables (`name=value`) that give a playbook the repository: `apt_repo_dir`, `apt_config`
   * (aptConfig), `apt_config_nopty` (aptConfigNoPty), `apt_prefix`,
   * `apt_source_name`, `apt_conffile`, `apt_<role>` (package names), `apt_<role>_versions` (comma
   * separated, oldest first) and `apt_<role>_deb` (the newest .deb's path), `apt_hello_deb_<n>` (each
   * hello version's .deb, n from 0).
   */
  vars(): string[]
}

/** Whether this process can build and serve the repository (root, dpkg-deb and dpkg-scanpackages). */
export function aptRepoUsable(): boolean {
  return (
    process.getuid?.() === 0 &&
    has('dpkg-deb') &&
    has('dpkg-scanpackages') &&
    has('apt-get') &&
    existsSync('/etc/apt/sources.list.d')
  )
}

/** Why aptRepoUsable() is false, for a skip message or an APB_REQUIRE_* failure. */
export function aptRepoUnusableReason(): string {
  if (process.getuid?.() !== 0) return 'the local apt repository needs root (run the tests as root)'
  for (const tool of ['dpkg-deb', 'dpkg-scanpackages', 'apt-get'])
    if (!has(tool))
      return `the local apt repository needs ${tool} (apt-get install ${tool === 'dpkg-scanpackages' ? 'dpkg-dev' : tool === 'apt-get' ? 'apt' : 'dpkg'})`
  return 'the local apt repository needs /etc/apt/sources.list.d'
}

const live = new Set<AptRepo>()
let exitHookInstalled = false

let counter = 0

/**
 * Builds the repository in a new directory under the system temp dir.
 * @param options.prefix the names' prefix (lower-case letters, digits, `-`); unique per call by default
 */
export function createAptRepo(options: { prefix?: string } = {}): AptRepo {
  counter++
  const prefix =
    options.prefix ??
    `apbt-${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}${counter.toString(36)}`
  if (!/^[a-z0-9][a-z0-9-]*$/.test(prefix))
    throw new Error(`apt repo prefix ${JSON.stringify(prefix)}: lower-case letters, digits and -`)
  const dir = mkdtempSync(path.join(tmpdir(), 'apb-aptrepo-'))
  chmodSync(dir, 0o755)
  const names = Object.fromEntries(ROLES.map((role) => [role, `${prefix}-${role}`])) as Record<
    AptRepoRole,
    string
  >
  const sourceName = `${prefix}-src`
  const conffile = `/etc/${prefix}-conf.conf`
  const pool = path.join(dir, 'pool')
  const outside = path.join(dir, 'outside')
  mkdirSync(pool, { mode: 0o755 })
  mkdirSync(outside, { mode: 0o755 })

  const debs = new Map<string, string>()
  for (const role of ROLES) {
    for (const version of VERSIONS[role]) {
      const file = buildDeb(
        NOT_INDEXED.has(role) ? outside : pool,
        role,
        names,
        version,
        prefix,
        conffile
      )
      debs.set(`${role}=${version}`, file)
    }
  }
  writeIndexes(dir, names, sourceName)

  const sourcesFile = `/etc/apt/sources.list.d/${prefix}.list`
  const sourcesText = `deb [trusted=yes] file:${dir} ./\ndeb-src [trusted=yes] file:${dir} ./\n`
  // apt names the lists of a file: source after its path, '/' turned into '_'.
  const listsPrefix = `${dir.replace(/\//g, '_')}_.`
  const aptConfig = path.join(dir, 'apt.conf')
  const aptConfigText = `Dir::Etc::sourcelist "${sourcesFile}";\nDir::Etc::sourceparts "-";\nAPT::Get::List-Cleanup "0";\n`
  writeFileSync(aptConfig, aptConfigText, { mode: 0o644 })
  const aptConfigNoPty = path.join(dir, 'apt-nopty.conf')
  writeFileSync(aptConfigNoPty, `${aptConfigText}Dpkg::Use-Pty "0";\n`, { mode: 0o644 })
  let locked = false
  const onlyOurs = [
    '-o',
    `Dir::Etc::sourcelist=${sourcesFile}`,
    '-o',
    'Dir::Etc::sourceparts=-',
    '-o',
    'APT::Get::List-Cleanup=0'
  ]

  const repo: AptRepo = {
    prefix,
    dir,
    names,
    sourceName,
    versions: VERSIONS,
    conffile,
    sourcesFile,
    sourcesText,
    aptConfig,
    aptConfigNoPty,
    debPath(role, version) {
      const wanted = version ?? VERSIONS[role][VERSIONS[role].length - 1]!
      const file = debs.get(`${role}=${wanted}`)
      if (!file) throw new Error(`apt repo: no ${role} package at version ${wanted}`)
      return file
    },
    enable() {
      requireRoot()
      if (!locked) {
        acquireAptTestLock()
        locked = true
      }
      live.add(repo)
      installExitHook()
      writeFileSync(sourcesFile, sourcesText, { mode: 0o644 })
      const update = repo.aptGet(['update'])
      if (update.status !== 0)
        throw new Error(`apt repo: apt-get update of ${sourcesFile} failed: ${update.stderr}`)
    },
    aptGet(args) {
      const result = spawnSync('apt-get', [...onlyOurs, ...args], {
        encoding: 'utf8',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive', LC_ALL: 'C' },
        timeout: 300_000
      })
      return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr }
    },
    installed() {
      return dpkgKnown(prefix)
        .filter((entry) => entry.status !== 'not-installed')
        .map((entry) => entry.name)
    },
    purgeAll() {
      requireRoot()
      const left = dpkgKnown(prefix)
        .filter((entry) => entry.status !== 'not-installed' || entry.config)
        .map((entry) => entry.name)
      if (left.length === 0) return
      spawnSync('dpkg', ['--purge', '--force-depends', '--force-remove-reinstreq', '--', ...left], {
        stdio: 'ignore',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
      })
    },
    cleanup(cleanupOptions = {}) {
      if (process.getuid?.() === 0) {
        repo.purgeAll()
        rmSync(sourcesFile, { force: true })
        const lists = '/var/lib/apt/lists'
        if (existsSync(lists)) {
          for (const file of readdirSync(lists)) {
            if (file.startsWith(listsPrefix)) rmSync(path.join(lists, file), { force: true })
          }
        }
      }
      live.delete(repo)
      if (cleanupOptions.removeDir !== false) rmSync(dir, { recursive: true, force: true })
      if (locked) {
        locked = false
        releaseAptTestLock()
      }
    },
    vars() {
      const vars = [
        `apt_repo_dir=${dir}`,
        `apt_config=${aptConfig}`,
        `apt_config_nopty=${aptConfigNoPty}`,
        `apt_prefix=${prefix}`,
        `apt_source_name=${sourceName}`,
        `apt_conffile=${conffile}`
      ]
      for (const role of ROLES) {
        vars.push(`apt_${role}=${names[role]}`)
        vars.push(`apt_${role}_versions=${VERSIONS[role].join(',')}`)
        vars.push(`apt_${role}_deb=${repo.debPath(role)}`)
      }
      VERSIONS.hello.forEach((version, index) =>
        vars.push(`apt_hello_deb_${index}=${repo.debPath('hello', version)}`)
      )
      return vars
    }
  }
  return repo
}

/**
 * A hook timeout that covers the wait for the lock, then building and enabling the repository (an
 * apt-get update): for the hook that takes the lock, so that a test's own timeout never counts the wait.
 */
export const APT_LOCK_WAIT_MS = MACHINE_LOCK_WAIT_MS + 5 * 60_000

/**
 * Takes the machine-wide lock of the tests that change apt's state (machine-lock.ts), waiting up to 20
 * minutes. The dpkg database is one per machine, and Ansible's apt fails at once on a held dpkg lock:
 * test files (and test processes) that install packages take turns.
 */
export function acquireAptTestLock(): void {
  acquireMachineLock('apt')
}

/** Releases acquireAptTestLock's lock (when every acquire of this process is released). */
export function releaseAptTestLock(): void {
  releaseMachineLock('apt')
}

function has(tool: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', tool], { stdio: 'ignore' }).status === 0
}

function requireRoot(): void {
  if (process.getuid?.() !== 0) throw new Error(aptRepoUnusableReason())
}

/** The repository's packages dpkg knows of, with their status and whether config files are left. */
function dpkgKnown(prefix: string): Array<{ name: string; status: string; config: boolean }> {
  const result = spawnSync(
    'dpkg-query',
    ['-W', '-f=${Package}|${db:Status-Status}|${db:Status-Abbrev}\n', '--', `${prefix}-*`],
    { encoding: 'utf8' }
  )
  return (result.stdout ?? '')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [name = '', status = '', abbrev = ''] = line.split('|')
      // `rc`: removed, config files left: a purge deletes them.
      return { name, status, config: abbrev.startsWith('rc') || status === 'config-files' }
    })
    .filter((entry) => entry.name.startsWith(`${prefix}-`))
}

function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  // A test run that dies before its afterAll must not leave a sources file behind: every later
  // `apt-get update` on the machine would read it.
  process.on('exit', () => {
    for (const repo of [...live]) {
      try {
        repo.cleanup()
      } catch {
        // best effort at exit
      }
    }
  })
}

/** Builds one package with dpkg-deb into `outDir` and returns the .deb's path. */
function buildDeb(
  outDir: string,
  role: AptRepoRole,
  names: Record<AptRepoRole, string>,
  version: string,
  prefix: string,
  conffile: string
): string {
  const name = names[role]
  const root = mkdtempSync(path.join(tmpdir(), 'apb-aptpkg-'))
  try {
    const debian = path.join(root, 'DEBIAN')
    mkdirSync(debian, { mode: 0o755 })
    const share = path.join(root, 'usr/share', prefix, role)
    mkdirSync(share, { recursive: true, mode: 0o755 })
    writeFileSync(path.join(share, 'version'), `${name} ${version}\n`, { mode: 0o644 })
    const fields = [
      `Package: ${name}`,
      `Version: ${version}`,
      'Architecture: all',
      'Maintainer: async-playbook tests <tests@example.invalid>',
      'Section: misc',
      'Priority: optional',
      'Installed-Size: 1'
    ]
    if (role === 'app' || role === 'solo') fields.push(`Depends: ${names.lib}`)
    if (role === 'rec') fields.push(`Recommends: ${names.extra}`)
    fields.push(`Description: ${role} package of the async-playbook apt tests`)
    if (role === 'conf') {
      const etc = path.join(root, path.dirname(conffile))
      mkdirSync(etc, { recursive: true, mode: 0o755 })
      writeFileSync(path.join(root, conffile), `# ${name} ${version}\nsetting=1\n`, { mode: 0o644 })
      writeFileSync(path.join(debian, 'conffiles'), `${conffile}\n`, { mode: 0o644 })
    }
    if (role === 'broken') {
      writeFileSync(
        path.join(debian, 'postinst'),
        `#!/bin/sh\necho "${name}: postinst fails on purpose" >&2\nexit 1\n`,
        { mode: 0o755 }
      )
    }
    writeFileSync(path.join(debian, 'control'), `${fields.join('\n')}\n`, { mode: 0o644 })
    const file = path.join(outDir, `${name}_${version}_all.deb`)
    // --root-owner-group: files owned by root whoever builds; -Zgzip: fast and readable everywhere.
    const built = spawnSync('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', root, file], {
      encoding: 'utf8'
    })
    if (built.status !== 0) throw new Error(`dpkg-deb --build ${name} failed: ${built.stderr}`)
    chmodSync(file, 0o644)
    return file
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}

/** Writes Packages (dpkg-scanpackages over pool/) and a Sources index with the source package. */
function writeIndexes(dir: string, names: Record<AptRepoRole, string>, sourceName: string): void {
  const scan = spawnSync('dpkg-scanpackages', ['--multiversion', 'pool', '/dev/null'], {
    cwd: dir,
    encoding: 'utf8'
  })
  if (scan.status !== 0) throw new Error(`dpkg-scanpackages failed: ${scan.stderr}`)
  writeFileSync(path.join(dir, 'Packages'), scan.stdout, { mode: 0o644 })
  // A Sources stanza needs no source files for `apt-get build-dep`, only the source package's fields.
  const sources = [
    `Package: ${sourceName}`,
    `Binary: ${sourceName}`,
    'Version: 1.0-1',
    'Maintainer: async-playbook tests <tests@example.invalid>',
    `Build-Depends: ${names.lib}`,
    'Architecture: all',
    'Format: 3.0 (native)',
    'Directory: pool',
    'Files:',
    ` d41d8cd98f00b204e9800998ecf8427e 0 ${sourceName}_1.0-1.dsc`,
    ''
  ]
  writeFileSync(path.join(dir, 'Sources'), `${sources.join('\n')}\n`, { mode: 0o644 })
}
