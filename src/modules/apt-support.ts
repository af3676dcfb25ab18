/**
 * What the apt module reads and decides without the target: Debian version comparison (as dpkg
 * compares), shell-style globs as Python's fnmatch matches them, the parsing of `apt-cache policy`,
 * and running the module's sh scripts with a deadline.
 */
import type { Connection } from '../connection/connection.js'
import type { ProbeAnswer } from '../facts/probe.js'
import { fnmatchSource } from '../values/fnmatch.js'
import { ModuleScript } from './module-script.js'
import { ModuleArgumentError } from './module.js'

/** The order of one character in a Debian version's non-digit part: `~` first, then end, letters, others. */
function charOrder(c: string | undefined): number {
  if (c === undefined) return 0
  if (c === '~') return -1
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0)
  return c.charCodeAt(0) + 256
}

/** Compares two upstream or revision parts as dpkg does (alternating non-digit and digit runs). */
function comparePart(a: string, b: string): number {
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    let first = 0
    while ((i < a.length && !/\d/.test(a[i]!)) || (j < b.length && !/\d/.test(b[j]!))) {
      const ac = i < a.length && !/\d/.test(a[i]!) ? a[i] : undefined
      const bc = j < b.length && !/\d/.test(b[j]!) ? b[j] : undefined
      const diff = charOrder(ac) - charOrder(bc)
      if (diff !== 0) return diff
      if (ac !== undefined) i++
      if (bc !== undefined) j++
    }
    while (a[i] === '0') i++
    while (b[j] === '0') j++
    while (i < a.length && /\d/.test(a[i]!) && j < b.length && /\d/.test(b[j]!)) {
      if (first === 0) first = a.charCodeAt(i) - b.charCodeAt(j)
      i++
      j++
    }
    if (i < a.length && /\d/.test(a[i]!)) return 1
    if (j < b.length && /\d/.test(b[j]!)) return -1
    if (first !== 0) return first
  }
  return 0
}

/** Splits `epoch:upstream-revision`. */
function versionParts(version: string): [number, string, string] {
  const colon = version.indexOf(':')
  const epoch = colon > 0 ? Number(version.slice(0, colon)) || 0 : 0
  const rest = colon > 0 ? version.slice(colon + 1) : version
  const dash = rest.lastIndexOf('-')
  return dash >= 0 ? [epoch, rest.slice(0, dash), rest.slice(dash + 1)] : [epoch, rest, '']
}

/** Compares Debian versions: negative, zero or positive, as `dpkg --compare-versions`. */
export function compareDebianVersions(a: string, b: string): number {
  const [ea, ua, ra] = versionParts(a)
  const [eb, ub, rb] = versionParts(b)
  if (ea !== eb) return ea - eb
  return Math.sign(comparePart(ua, ub) || comparePart(ra, rb))
}

/** Whether a Depends-style relation (`>=`, `<<`, `=` …) holds between `version` and `wanted`. */
export function versionSatisfies(version: string, relation: string, wanted: string): boolean {
  const c = compareDebianVersions(version, wanted)
  switch (relation) {
    case '>=':
      return c >= 0
    case '<=':
    case '<':
      return c <= 0
    case '>>':
    case '>':
      return c > 0
    case '<<':
      return c < 0
    default:
      return c === 0
  }
}

/** Python's fnmatch (case-sensitive, as on POSIX): `*`, `?`, `[seq]`, `[!seq]`. */
export function fnmatch(name: string, pattern: string): boolean {
  return new RegExp(`^(?:${fnmatchSource(pattern)})$`).test(name)
}

/** Characters that make a package name a pattern, as Ansible's apt checks. */
export function isPattern(name: string): boolean {
  return /[*?[\]!]/.test(name)
}

/** One package's section of `apt-cache policy`. */
export interface Policy {
  installed: string | null
  candidate: string | null
  /** The version table, in the order printed (newest first), with each version's priority. */
  versions: Array<{ version: string; priority: number }>
}

/** The sections of `apt-cache policy a b …`, by package name (a map without a prototype). */
export function parsePolicies(text: string): Record<string, Policy> {
  const policies = Object.create(null) as Record<string, Policy>
  let current: Policy | undefined
  for (const line of text.split('\n')) {
    const head = /^(\S+):$/.exec(line)
    if (head) {
      current = { installed: null, candidate: null, versions: [] }
      policies[head[1]!] = current
      continue
    }
    if (!current) continue
    const field = /^ {2}(Installed|Candidate): (.*)$/.exec(line)
    if (field) {
      const value = field[2]!.trim() === '(none)' ? null : field[2]!.trim()
      if (field[1] === 'Installed') current.installed = value
      else current.candidate = value
      continue
    }
    const version = /^ (?:\*\*\*| {3}) (\S+) (-?\d+)\s*$/.exec(line)
    if (version) current.versions.push({ version: version[1]!, priority: Number(version[2]) })
  }
  return policies
}

/**
 * A package spec as Ansible's apt splits it: `name`, `name=version` (a glob) or `name>=version`.
 */
export function splitSpec(spec: string): {
  name: string
  cmp: '=' | '>=' | null
  version: string | null
} {
  const match = /^(.*?)(>?=)([\s\S]*)$/.exec(spec)
  if (!match) return { name: spec, cmp: null, version: null }
  return { name: match[1]!, cmp: match[2] as '=' | '>=', version: match[3]! }
}

const scripts = new Map<string, ModuleScript>()

/**
 * Runs one of the module's sh scripts with `args` and returns its answer.
 * @throws CommandTimeoutError past the deadline; ModuleArgumentError when the script fails, its answer
 * is cut short, or the target has no apt
 */
export async function runAptScript(
  connection: Connection,
  name: string,
  script: string,
  args: readonly string[],
  timeoutMs: number,
  environment: Readonly<Record<string, string>> = {}
): Promise<ProbeAnswer> {
  let runner = scripts.get(name)
  if (runner === undefined) {
    runner = new ModuleScript(name, script)
    scripts.set(name, runner)
  }
  // The task's environment reaches apt as Ansible's does (APT_CONFIG, http_proxy …).
  const answer = await runner.run(connection, args, { timeoutMs, environment })
  const tool = answer.get('missing_tool')
  if (tool !== undefined) {
    throw new ModuleArgumentError(
      `${name}: the target ${connection.host} has no ${tool} command: the apt module drives apt-get and dpkg (Debian and Ubuntu targets); use the module of the target's package manager`
    )
  }
  return answer
}
