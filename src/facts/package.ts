/**
 * The package fact: which package manager the target has, and whether each named package is
 * installed and at which version, from dpkg (dpkg-query) on Debian-like targets and rpm elsewhere,
 * in one round trip for any number of packages (package.sh). For `apt`, `dnf`, `package`.
 */
import { FactError, ProbeAnswer, runProbe, type FactTarget, type ProbeScript } from './probe.js'
import source from './package.sh'

const PROBE: ProbeScript = { name: 'apb-package', source }

/** The front ends the probe looks for, first found wins. */
export type PackageManager = 'apt-get' | 'dnf' | 'yum' | 'zypper' | 'apk' | 'pacman'
const MANAGERS: readonly string[] = ['apt-get', 'dnf', 'yum', 'zypper', 'apk', 'pacman']

/** One package's state. */
export interface PackageState {
  name: string
  installed: boolean
  /** The installed version (rpm: version-release); absent when not installed. */
  version?: string
  /** The installed architectures (several with dpkg's multiarch). */
  architectures: string[]
}

/** What the target's package database says about the packages asked for. */
export interface PackagesState {
  /** The package manager front end found, or null for none of those the probe knows. */
  manager: PackageManager | null
  /** The package database read. */
  database: 'dpkg' | 'rpm'
  /** By package name, in a map without a prototype (names are never taken for its properties). */
  packages: Record<string, PackageState>
}

/** A package name as dpkg and rpm write them (dpkg's `name:arch` included), never an option. */
const PACKAGE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_+.:@~-]*$/

/**
 * Reads the state of `names` on the target in one round trip.
 * @throws FactError for a name that is not a package name, a target with neither dpkg-query nor
 *   rpm (naming both), or a probe that fails
 */
export async function readPackages(
  target: FactTarget,
  names: readonly string[]
): Promise<PackagesState> {
  const host = target.connection.host
  for (const name of names) {
    if (!PACKAGE_NAME.test(name)) {
      throw new FactError(
        `cannot read the state of package ${JSON.stringify(name)} on ${host}: a package name is letters, digits and _ + . : @ ~ - (not starting with a sign or a dot), without / or blanks`,
        host,
        'package',
        name
      )
    }
  }
  const answer = await runProbe(
    { ...target, fact: 'package', subject: names.join(' ') },
    PROBE,
    names
  )
  return parsePackageAnswer(answer, names, host)
}

/**
 * The typed state in a probe's answer (exported for tests on captured answers).
 * @throws FactError for a target without a package database, or an answer that is not the probe's
 */
export function parsePackageAnswer(
  answer: ProbeAnswer,
  names: readonly string[],
  host: string
): PackagesState {
  const managerText = answer.get('manager')
  const manager =
    managerText !== undefined && MANAGERS.includes(managerText)
      ? (managerText as PackageManager)
      : null
  const database = answer.get('database')
  if (database !== 'dpkg' && database !== 'rpm') {
    throw new FactError(
      `cannot read the state of packages on ${host}: the target has neither dpkg-query (dpkg) nor rpm`,
      host,
      'package',
      names.join(' '),
      'dpkg-query'
    )
  }
  const packages = Object.create(null) as Record<string, PackageState>
  const asked = answer.all('package_hex')
  const queries = answer.all('query_hex')
  const statuses = answer.all('query_status')
  if (asked.length !== names.length || queries.length !== names.length) {
    throw new FactError(
      `cannot read the state of packages on ${host}: the probe answered for ${asked.length} of ${names.length} packages`,
      host,
      'package',
      names.join(' ')
    )
  }
  names.forEach((name, index) => {
    const lines = Buffer.from(queries[index]!, 'hex').toString('utf8').split('\n').filter(Boolean)
    const found = statuses[index] === '0'
    const installedLines = lines
      .map((line) => line.split('|'))
      .filter((fields) =>
        database === 'dpkg'
          ? // db:Status-Abbrev: want, status, error; the status letter i (or W, t: installed,
            // triggers pending) means installed.
            /^.[iWt]/.test(fields[0] ?? '')
          : fields.length >= 2
      )
      .map((fields) => (database === 'dpkg' ? fields.slice(1) : fields))
    const state: PackageState = {
      name,
      installed: found && installedLines.length > 0,
      architectures: []
    }
    if (state.installed) {
      state.version = installedLines[0]![0] ?? ''
      state.architectures = installedLines.map((fields) => fields[1] ?? '').filter(Boolean)
    }
    packages[name] = state
  })
  return { manager, database, packages }
}
