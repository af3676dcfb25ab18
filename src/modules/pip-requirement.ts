/**
 * What the pip module needs of Python's packaging rules, written from PEP 508 (requirement strings) and
 * PEP 440 (versions and specifiers): the requirement text pip is given (normalised as Ansible's module
 * prints it in `cmd`), the project's canonical name, and whether an installed version satisfies the
 * requirement (check mode's answer).
 */

/** The specifier operators, longest first (a name never starts with one of them). */
const OPERATORS = ['===', '~=', '==', '!=', '<=', '>=', '<', '>'] as const
type Operator = (typeof OPERATORS)[number]

/** One requirement as pip would be given it. */
export interface Requirement {
  /** The text passed to pip: normalised when it parses as a PEP 508 requirement, else as written. */
  text: string
  /** The canonical project name (lower case, runs of `-_.` as `-`), when it parses. */
  canonical?: string
  /** Its version specifiers (operator, version), when it parses. */
  specs: Array<[Operator, string]>
}

/**
 * Regroups the `name` list as Ansible does: every entry is split at its commas, and a piece that starts
 * with an operator (`<2`) belongs to the requirement before it (so `['django>1.11', '<1.12']` is one
 * requirement); commas inside extras brackets never separate requirements.
 */
export function regroupNames(names: readonly string[]): string[] {
  const pieces = names.flatMap((name) => name.split(','))
  const groups: string[] = []
  let current: string[] = []
  let inBrackets = false
  for (const piece of pieces) {
    if (!startsWithOperator(piece) && !inBrackets) {
      if (current.length > 0) groups.push(current.join(','))
      current = []
    }
    if (piece.includes('[')) inBrackets = true
    if (inBrackets && piece.includes(']')) inBrackets = false
    current.push(piece)
  }
  groups.push(current.join(','))
  return groups
}

function startsWithOperator(piece: string): boolean {
  const text = piece.trimStart()
  return OPERATORS.some((op) => text.startsWith(op))
}

const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?/
const VERSION_TEXT = /^[A-Za-z0-9_.*+!-]+/

/**
 * Parses a PEP 508 requirement (`name[extras] specifiers ; marker`, or `name @ url`) and prints it the
 * way Python's packaging prints one: no spaces around operators, specifiers sorted, extras sorted, the
 * marker after `; `. Anything else (a URL, a path, a VCS address) is kept as written, as Ansible does.
 * With `version` (Ansible's `version` option): `==version` when it starts with a digit, else the text
 * itself as specifiers.
 */
export function parseRequirement(raw: string, version?: string): Requirement {
  let source = raw
  if (version !== undefined && version !== '') {
    const v = version.trimStart()
    source = /^[0-9]/.test(v) ? `${raw}==${v}` : `${raw} ${v}`
  }
  const parsed = parsePep508(source)
  if (parsed === undefined) return { text: source, specs: [] }
  return parsed
}

function parsePep508(source: string): Requirement | undefined {
  let rest = source.trim()
  const nameMatch = NAME.exec(rest)
  if (!nameMatch) return undefined
  const name = nameMatch[0]
  rest = rest.slice(name.length).trimStart()
  let extras: string[] = []
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']')
    if (close < 0) return undefined
    const inner = rest.slice(1, close).trim()
    extras = inner === '' ? [] : inner.split(',').map((e) => e.trim())
    if (extras.some((e) => !NAME.test(e) || NAME.exec(e)![0] !== e)) return undefined
    rest = rest.slice(close + 1).trimStart()
  }
  let url: string | undefined
  const specs: Array<[Operator, string]> = []
  if (rest.startsWith('@')) {
    const match = /^@\s*(\S+)/.exec(rest)
    if (!match) return undefined
    url = match[1]!
    rest = rest.slice(match[0].length)
    if (rest !== '' && !/^\s/.test(rest)) return undefined
    rest = rest.trimStart()
  } else {
    let body = rest
    let parenthesised = false
    if (body.startsWith('(')) {
      const close = body.indexOf(')')
      if (close < 0) return undefined
      parenthesised = true
      rest = body.slice(close + 1).trimStart()
      body = body.slice(1, close)
    }
    let cursor = body.trimStart()
    while (cursor !== '' && !cursor.startsWith(';')) {
      const op = OPERATORS.find((o) => cursor.startsWith(o))
      if (!op) return undefined
      cursor = cursor.slice(op.length).trimStart()
      const v = VERSION_TEXT.exec(cursor)
      if (!v) return undefined
      specs.push([op, v[0]])
      cursor = cursor.slice(v[0].length).trimStart()
      if (cursor.startsWith(',')) {
        cursor = cursor.slice(1).trimStart()
        if (cursor === '' || cursor.startsWith(';')) return undefined
      } else if (cursor !== '' && !cursor.startsWith(';')) return undefined
    }
    if (!parenthesised) rest = cursor
    else if (cursor !== '') return undefined
  }
  let marker: string | undefined
  if (rest.startsWith(';')) {
    marker = normaliseMarker(rest.slice(1))
    if (marker === undefined) return undefined
  } else if (rest !== '') return undefined

  let text = name
  if (extras.length > 0) text += `[${[...extras].sort().join(',')}]`
  if (url !== undefined) text += `@ ${url}`
  else
    text += specs
      .map(([op, v]) => `${op}${v}`)
      .sort()
      .join(',')
  if (marker !== undefined) text += `${url !== undefined ? ' ' : ''}; ${marker}`
  return { text, canonical: canonicalName(name), specs }
}

/**
 * A marker of simple comparisons joined by `and`/`or` (`python_version > "3.6"`), printed with single
 * spaces and double quotes as packaging prints it; undefined for one it cannot read.
 */
function normaliseMarker(text: string): string | undefined {
  const token =
    /\s*(?:("[^"]*"|'[^']*')|(===|==|!=|<=|>=|~=|<|>|not in|in)|([A-Za-z_][A-Za-z0-9_.]*)|([()]))/y
  const out: string[] = []
  let at = 0
  const source = text.trimEnd()
  while (at < source.length) {
    token.lastIndex = at
    const m = token.exec(source)
    if (!m) return undefined
    at = token.lastIndex
    if (m[1] !== undefined) out.push(`"${m[1].slice(1, -1)}"`)
    else out.push((m[2] ?? m[3] ?? m[4])!)
  }
  if (out.length === 0) return undefined
  return out.join(' ').replace(/\( /g, '(').replace(/ \)/g, ')')
}

/** The canonical form of a project name (PEP 503): lower case, runs of `-`, `_` and `.` as one `-`. */
export function canonicalName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase()
}

/** A PEP 440 version, parsed into what its ordering compares. */
interface Version {
  epoch: number
  release: number[]
  pre?: [number, number]
  post?: number
  dev?: number
  local?: Array<number | string>
}

const VERSION_PATTERN =
  /^v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?(\d+)?)?(?:-(\d+)|[-_.]?(post|rev|r)[-_.]?(\d+)?)?(?:[-_.]?(dev)[-_.]?(\d+)?)?(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?$/i

function parseVersion(text: string): Version | undefined {
  const m = VERSION_PATTERN.exec(text.trim())
  if (!m) return undefined
  const version: Version = {
    epoch: m[1] ? Number(m[1]) : 0,
    release: m[2]!.split('.').map(Number)
  }
  if (m[3]) {
    const letter = m[3].toLowerCase()
    const rank = letter.startsWith('a') ? 0 : letter.startsWith('b') ? 1 : 2
    version.pre = [rank, m[4] ? Number(m[4]) : 0]
  }
  if (m[5] !== undefined) version.post = Number(m[5])
  else if (m[6]) version.post = m[7] ? Number(m[7]) : 0
  if (m[8]) version.dev = m[9] ? Number(m[9]) : 0
  if (m[10])
    version.local = m[10]
      .toLowerCase()
      .split(/[-_.]/)
      .map((part) => (/^\d+$/.test(part) ? Number(part) : part))
  return version
}

function compareReleases(a: number[], b: number[]): number {
  const length = Math.max(a.length, b.length)
  for (let i = 0; i < length; i++) {
    const x = a[i] ?? 0
    const y = b[i] ?? 0
    if (x !== y) return x < y ? -1 : 1
  }
  return 0
}

/** PEP 440 ordering; `withLocal` false ignores local labels. */
function compareVersions(a: Version, b: Version, withLocal = true): number {
  if (a.epoch !== b.epoch) return Math.sign(a.epoch - b.epoch)
  const release = compareReleases(a.release, b.release)
  if (release !== 0) return release
  // A dev release without pre or post sorts before the pre-releases; no pre sorts after them.
  const preKey = (v: Version): number[] =>
    v.pre
      ? [v.pre[0], v.pre[1]]
      : v.dev !== undefined && v.post === undefined
        ? [-1, 0]
        : [Infinity, 0]
  const pre = compareReleases(preKey(a), preKey(b))
  if (pre !== 0) return pre
  const postA = a.post ?? -1
  const postB = b.post ?? -1
  if (postA !== postB) return Math.sign(postA - postB)
  const devA = a.dev ?? Infinity
  const devB = b.dev ?? Infinity
  if (devA !== devB) return devA < devB ? -1 : 1
  if (!withLocal) return 0
  const localA = a.local ?? []
  const localB = b.local ?? []
  for (let i = 0; i < Math.max(localA.length, localB.length); i++) {
    const x = localA[i]
    const y = localB[i]
    if (x === undefined) return -1
    if (y === undefined) return 1
    if (x === y) continue
    if (typeof x === 'number' && typeof y === 'number') return Math.sign(x - y)
    if (typeof x === 'number') return 1
    if (typeof y === 'number') return -1
    return x < y ? -1 : 1
  }
  return 0
}

function isPrerelease(v: Version): boolean {
  return v.pre !== undefined || v.dev !== undefined
}

/**
 * Whether the installed version satisfies every specifier (pre-releases allowed, as Ansible asks).
 * A version PEP 440 cannot read satisfies nothing.
 */
export function satisfies(installed: string, specs: ReadonlyArray<[Operator, string]>): boolean {
  const version = parseVersion(installed)
  return specs.every(([op, wanted]) => {
    if (op === '===') return installed.trim().toLowerCase() === wanted.toLowerCase()
    if (version === undefined) return false
    if ((op === '==' || op === '!=') && wanted.endsWith('.*')) {
      const prefix = parseVersion(wanted.slice(0, -2))
      if (!prefix) return false
      const head = version.release.slice(0, prefix.release.length)
      while (head.length < prefix.release.length) head.push(0)
      const same = version.epoch === prefix.epoch && compareReleases(head, prefix.release) === 0
      return op === '==' ? same : !same
    }
    const spec = parseVersion(wanted)
    if (!spec) return false
    const exactLocal = spec.local !== undefined
    const cmp = compareVersions(version, spec, exactLocal)
    switch (op) {
      case '==':
        return cmp === 0
      case '!=':
        return cmp !== 0
      case '<=':
        return compareVersions(version, spec, false) <= 0
      case '>=':
        return compareVersions(version, spec, false) >= 0
      case '<': {
        if (compareVersions(version, spec, false) >= 0) return false
        return !(
          !isPrerelease(spec) &&
          isPrerelease(version) &&
          compareReleases(version.release, spec.release) === 0 &&
          version.epoch === spec.epoch
        )
      }
      case '>': {
        if (compareVersions(version, spec, false) <= 0) return false
        const sameBase =
          compareReleases(version.release, spec.release) === 0 && version.epoch === spec.epoch
        if (spec.post === undefined && version.post !== undefined && sameBase) return false
        return !(version.local !== undefined && sameBase)
      }
      case '~=': {
        if (spec.release.length < 2) return false
        if (compareVersions(version, spec, false) < 0) return false
        const prefix = spec.release.slice(0, -1)
        const head = version.release.slice(0, prefix.length)
        while (head.length < prefix.length) head.push(0)
        return version.epoch === spec.epoch && compareReleases(head, prefix) === 0
      }
    }
  })
}
