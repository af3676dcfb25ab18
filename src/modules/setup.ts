import serviceManager from '../facts/service-mgr.sh'
import factsScript from './facts.sh'
import { shellQuote } from '../connection/shell-quote.js'
import { fnmatchSource } from '../values/fnmatch.js'
import { virtualFacts } from './virtual-facts.js'
import { ModuleArgumentError, type ModuleDefinition, type ModuleResult } from './module.js'

const RECORD = '\x1e'
const FIELD = '\x1f'

/** Ansible's names for common distributions (its os-release ID mapping) and their OS family. */
const DISTRIBUTIONS: Record<string, [name: string, family: string]> = {
  debian: ['Debian', 'Debian'],
  ubuntu: ['Ubuntu', 'Debian'],
  raspbian: ['Debian', 'Debian'],
  linuxmint: ['Linux Mint', 'Debian'],
  pop: ['Pop!_OS', 'Debian'],
  kali: ['Kali', 'Debian'],
  rhel: ['RedHat', 'RedHat'],
  centos: ['CentOS', 'RedHat'],
  fedora: ['Fedora', 'RedHat'],
  rocky: ['Rocky', 'RedHat'],
  almalinux: ['AlmaLinux', 'RedHat'],
  ol: ['OracleLinux', 'RedHat'],
  amzn: ['Amazon', 'RedHat'],
  alpine: ['Alpine', 'Alpine'],
  arch: ['Archlinux', 'Archlinux'],
  sles: ['SLES', 'Suse'],
  'opensuse-leap': ['openSUSE Leap', 'Suse'],
  'opensuse-tumbleweed': ['openSUSE Tumbleweed', 'Suse'],
  gentoo: ['Gentoo', 'Gentoo'],
  freebsd: ['FreeBSD', 'FreeBSD']
}

/** `setup`: gathers facts in one POSIX-sh round trip; no Python on the target. */
export const setupModule: ModuleDefinition = {
  name: 'setup',
  // Changes nothing on the target: runs as usual in check mode.
  supportsCheckMode: true,
  // Ansible's setup arguments. gather_subset, gather_timeout and fact_path do not change what is
  // gathered here (the facts script gathers the same set whatever they say); `filter` keeps the facts
  // whose names match one of its patterns, as Ansible's does.
  args: {
    options: {
      gather_subset: { type: 'list', elements: 'str', default: ['all'] },
      gather_timeout: { type: 'int', default: 10 },
      filter: { type: 'list', elements: 'str', default: [] },
      fact_path: { type: 'path', default: '/etc/ansible/facts.d' }
    }
  },
  async run(ctx) {
    const connection = await ctx.connection()
    const res = await connection.run(`${pythonFirst(ctx.vars)}${serviceManager}\n${factsScript}`, {
      timeoutMs: ctx.timeoutMs
    })
    if (res.code !== 0) {
      throw new ModuleArgumentError(
        `fact gathering failed (rc=${res.code}): ${res.stderr.toString('utf8').trim()}`
      )
    }
    const facts = filterFacts(parseFacts(res.stdout.toString('utf8')), ctx.args['filter'])
    return { ansible_facts: facts, changed: false }
  }
}

/**
 * The interpreter ansible_python_interpreter names (its last word: `/usr/bin/env python3` runs
 * python3), looked for first by facts.sh; nothing for Ansible's `auto` discovery modes.
 */
function pythonFirst(vars: Record<string, unknown>): string {
  const value = vars['ansible_python_interpreter']
  if (typeof value !== 'string' || value.trim() === '' || value.startsWith('auto')) return ''
  const last = value.trim().split(/\s+/).at(-1)!
  return `apb_py_first=${shellQuote(last)}\n`
}

/**
 * Ansible's python facts from the interpreter's path and `-V` (`Python 3.11.2`, `Python 3.12.0rc1`):
 * `ansible_python` and `ansible_python_version`; none when the target has no Python.
 */
export function pythonFacts(
  executable: string | undefined,
  said: string | undefined
): ModuleResult {
  const m = /Python (\d+)\.(\d+)\.(\d+)(?:(a|b|rc)(\d+))?/.exec(said ?? '')
  if (!executable || !m) return {}
  const levels: Record<string, string> = { a: 'alpha', b: 'beta', rc: 'candidate' }
  const version = {
    major: Number(m[1]),
    minor: Number(m[2]),
    micro: Number(m[3]),
    releaselevel: m[4] ? levels[m[4]]! : 'final',
    serial: m[5] ? Number(m[5]) : 0
  }
  return {
    ansible_python: {
      version,
      version_info: [
        version.major,
        version.minor,
        version.micro,
        version.releaselevel,
        version.serial
      ],
      executable,
      has_sslcontext: true,
      type: /PyPy/.test(said ?? '') ? 'pypy' : 'cpython'
    },
    ansible_python_version: `${m[1]}.${m[2]}.${m[3]}${m[4] ? `${m[4]}${m[5]}` : ''}`
  }
}

/**
 * The facts whose names match one of `patterns` (fnmatch, case-sensitive), as setup's `filter` does: a
 * pattern without the `ansible_` (or `facter`/`ohai`) prefix also matches with `ansible_` before it, and
 * an empty pattern, an empty list or `*` keeps everything.
 */
export function filterFacts(facts: ModuleResult, patterns: unknown): ModuleResult {
  const list = Array.isArray(patterns) ? patterns.map(String) : []
  if (list.length === 0 || (list.length === 1 && list[0] === '*')) return facts
  const matchers = list.map((pattern) => {
    const own = new RegExp(`^${fnmatchSource(pattern)}$`)
    const prefixed = /^(ansible_|facter|ohai)/.test(pattern)
      ? undefined
      : new RegExp(`^${fnmatchSource(`ansible_${pattern}`)}$`)
    return (name: string): boolean =>
      pattern === '' || own.test(name) || (prefixed?.test(name) ?? false)
  })
  const kept: ModuleResult = {}
  for (const [name, value] of Object.entries(facts))
    if (matchers.some((matches) => matches(name))) kept[name] = value
  return kept
}

/** Turns the facts script's records into Ansible's `ansible_*` facts. */
export function parseFacts(output: string): ModuleResult {
  const raw: Record<string, string> = {}
  const env: Record<string, string> = {}
  for (const record of output.split(RECORD)) {
    const [kind, name, ...rest] = record.split(FIELD)
    if (!name) continue
    const value = rest.join(FIELD)
    if (kind === 'env') env[name] = value
    else if (kind === 'fact') raw[name] = value.replace(/\n$/, '')
  }
  const osRelease = parseOsRelease(raw['os_release'] ?? '')
  const id = (osRelease['ID'] ?? (raw['system'] ?? '').toLowerCase()).toLowerCase()
  const [distribution, family] = DISTRIBUTIONS[id] ?? [
    osRelease['NAME'] ?? raw['system'] ?? 'NA',
    raw['system'] ?? 'NA'
  ]
  let version = osRelease['VERSION_ID'] ?? raw['macos_version'] ?? 'NA'
  if (id === 'debian' && raw['debian_version'] && /^\d/.test(raw['debian_version']))
    version = raw['debian_version']
  const passwd = (raw['user_entry'] ?? '').split(':')
  const memKb = Number(raw['memtotal_kb'] ?? 0)
  const hostname = raw['hostname'] ?? ''
  return {
    ansible_hostname: hostname.split('.')[0],
    ansible_nodename: hostname,
    ansible_fqdn: raw['fqdn'] || hostname,
    ansible_domain: (raw['fqdn'] ?? '').includes('.')
      ? (raw['fqdn'] ?? '').split('.').slice(1).join('.')
      : '',
    ansible_distribution: distribution,
    ansible_distribution_version: version,
    ansible_distribution_major_version: version.split('.')[0],
    ansible_distribution_release: osRelease['VERSION_CODENAME'] ?? 'NA',
    ansible_os_family: family,
    ansible_system: raw['system'],
    ansible_kernel: raw['kernel'],
    ansible_kernel_version: raw['kernel_version'],
    ansible_architecture: raw['architecture'],
    ansible_machine: raw['architecture'],
    ansible_processor_vcpus: Number(raw['vcpus'] ?? 0) || 1,
    ansible_memtotal_mb: Math.floor(memKb / 1024),
    ansible_memfree_mb: Math.floor(Number(raw['memfree_kb'] ?? 0) / 1024),
    ansible_user_id: raw['user_id'],
    ansible_user_uid: Number(raw['user_uid']),
    ansible_user_gid: Number(raw['user_gid']),
    ansible_user_dir: passwd[5] ?? env['HOME'],
    ansible_user_shell: passwd[6] ?? env['SHELL'],
    ansible_env: env,
    ansible_date_time: dateTimeFacts(raw['date'] ?? ''),
    ansible_boot_id: raw['boot_id'] ?? '',
    ansible_service_mgr: raw['service_mgr'] || 'service',
    ansible_pkg_mgr: packageManager(new Set((raw['pkg_paths'] ?? '').split(' ').filter(Boolean)), {
      family,
      distribution,
      major: version.split('.')[0] ?? '',
      aptRpm: raw['apt_rpm'] === '1'
    }),
    ...pythonFacts(raw['python_executable'], raw['python_version']),
    ...(raw['system'] === 'Linux'
      ? virtualFacts({
          files: raw['virt_files'],
          environ: raw['virt_environ'],
          lines: raw['virt_lines'],
          paths: raw['virt_paths'],
          dmidecode: raw['virt_dmidecode']
        })
      : {}),
    gather_subset: ['all'],
    module_setup: true
  }
}

/**
 * Package managers by the program that shows one is there, in the order Ansible's pkg_mgr fact looks at
 * them (the last one present is taken before the distribution's own rules; facts.sh lists the same paths).
 */
const PACKAGE_MANAGER_PATHS: ReadonlyArray<[path: string, name: string]> = [
  ['/usr/bin/rpm-ostree', 'atomic_container'],
  ['/usr/bin/yum', 'yum'],
  ['/usr/bin/dnf', 'dnf'],
  ['/usr/bin/apt-get', 'apt'],
  ['/usr/bin/zypper', 'zypper'],
  ['/usr/sbin/urpmi', 'urpmi'],
  ['/usr/bin/pacman', 'pacman'],
  ['/bin/opkg', 'opkg'],
  ['/usr/pkg/bin/pkgin', 'pkgin'],
  ['/opt/local/bin/pkgin', 'pkgin'],
  ['/opt/tools/bin/pkgin', 'pkgin'],
  ['/opt/local/bin/port', 'macports'],
  ['/usr/local/bin/brew', 'homebrew'],
  ['/opt/homebrew/bin/brew', 'homebrew'],
  ['/sbin/apk', 'apk'],
  ['/usr/sbin/pkg', 'pkgng'],
  ['/usr/sbin/swlist', 'swdepot'],
  ['/usr/bin/emerge', 'portage'],
  ['/usr/sbin/pkgadd', 'svr4pkg'],
  ['/usr/bin/pkg', 'pkg5'],
  ['/usr/bin/xbps-install', 'xbps'],
  ['/usr/local/sbin/pkg', 'pkgng'],
  ['/usr/bin/swupd', 'swupd'],
  ['/usr/sbin/sorcery', 'sorcery'],
  ['/usr/bin/installp', 'installp'],
  ['/QOpenSys/pkgs/bin/yum', 'yum']
]

/**
 * `ansible_pkg_mgr` as Ansible decides it: the last package manager found, then the distribution's
 * official one where several can be there (Debian: apt; Red Hat family: dnf from RHEL 8, Fedora 23 and
 * Amazon 2022 where present, else yum; an ostree system: atomic_container), apt_rpm for an rpm-owned
 * apt-get; 'unknown' when none is found.
 */
export function packageManager(
  present: ReadonlySet<string>,
  os: { family: string; distribution: string; major: string; aptRpm: boolean }
): string {
  const has = (name: string): boolean =>
    PACKAGE_MANAGER_PATHS.some(([path, n]) => n === name && present.has(path))
  let name = 'unknown'
  for (const [path, manager] of PACKAGE_MANAGER_PATHS) {
    // On ALT Linux /usr/bin/pkg is a Perl package, not Solaris' pkg.
    if (os.family === 'Altlinux' && path === '/usr/bin/pkg') continue
    if (present.has(path)) name = manager
  }
  const major = Number.parseInt(os.major, 10)
  if (os.family === 'RedHat') {
    if (present.has('/run/ostree-booted')) return 'atomic_container'
    if (os.distribution === 'Fedora' || os.distribution === 'Amazon') {
      const newer = os.distribution === 'Fedora' ? 23 : 2022
      if (!/^\d+$/.test(os.major)) name = 'dnf'
      else if (major < newer) name = has('yum') ? 'yum' : name
      else name = has('dnf') ? 'dnf' : name
    } else name = major < 8 ? 'yum' : 'dnf'
  } else if (os.family === 'Debian') name = 'apt'
  else if (os.family === 'Altlinux' && name === 'apt') name = 'apt_rpm'
  if (name === 'apt' && os.aptRpm) name = 'apt_rpm'
  return name
}

function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim())
    if (m) out[m[1]!] = m[2]!.replace(/^["']|["']$/g, '')
  }
  return out
}

function dateTimeFacts(line: string): Record<string, string> {
  const [
    year,
    month,
    day,
    hour,
    minute,
    second,
    epoch,
    tzOffset,
    tz,
    weekdayNumber,
    weeknumber,
    weekday
  ] = line.split(' ')
  const epochSeconds = Number(epoch)
  const utc = Number.isFinite(epochSeconds)
    ? new Date(epochSeconds * 1000).toISOString().replace('.000Z', 'Z')
    : ''
  return {
    year: year ?? '',
    month: month ?? '',
    day: day ?? '',
    hour: hour ?? '',
    minute: minute ?? '',
    second: second ?? '',
    epoch: epoch ?? '',
    epoch_int: epoch ?? '',
    date: `${year}-${month}-${day}`,
    time: `${hour}:${minute}:${second}`,
    iso8601: utc,
    iso8601_micro: utc.replace('Z', '.000000Z'),
    iso8601_basic: `${year}${month}${day}T${hour}${minute}${second}000000`,
    iso8601_basic_short: `${year}${month}${day}T${hour}${minute}${second}`,
    tz: tz ?? '',
    tz_dst: tz ?? '',
    tz_offset: tzOffset ?? '',
    weekday: weekday ?? '',
    weekday_number: weekdayNumber ?? '',
    weeknumber: weeknumber ?? ''
  }
}
