/**
 * The `version` test's version types (Ansible 2.14: loose, strict, semver/semantic, pep440), each
 * parsed and ordered as the Python class Ansible uses for it (distutils' LooseVersion and StrictVersion,
 * Ansible's SemanticVersion, packaging's Version) documents.
 */
import { TemplateError } from '../errors.js'

type Key = (number | string)[]

/** Ordering of two comparison keys; numbers against strings fail as Python 3 does. */
function compareKeys(a: Key, b: Key): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const [x, y] = [a[i]!, b[i]!]
    if (x === y) continue
    if (typeof x !== typeof y)
      throw new TemplateError(
        `Version comparison failed: '<' not supported between instances of '${typeof x === 'number' ? 'int' : 'str'}' and '${typeof y === 'number' ? 'int' : 'str'}'`
      )
    return x < y ? -1 : 1
  }
  return Math.sign(a.length - b.length)
}

// LooseVersion: runs of digits, runs of lowercase letters and whatever lies between them.
function looseKey(version: string): Key {
  return version
    .split(/(\d+|[a-z]+|\.)/)
    .filter((part) => part !== '' && part !== '.')
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part))
}

const STRICT = /^(\d+)\.(\d+)(?:\.(\d+))?(?:([ab])(\d+))?$/

function strictCompare(a: string, b: string): number {
  const parse = (v: string) => {
    const m = STRICT.exec(v)
    if (!m) throw new TemplateError(`Version comparison failed: invalid version number '${v}'`)
    return {
      release: [m[1], m[2], m[3] ?? '0'].map(Number),
      pre: m[4] ? [m[4], Number(m[5])] : null
    }
  }
  const [x, y] = [parse(a), parse(b)]
  const byRelease = compareKeys(x.release, y.release)
  if (byRelease !== 0) return byRelease
  if (x.pre === null || y.pre === null) return x.pre === y.pre ? 0 : x.pre === null ? 1 : -1
  return compareKeys(x.pre, y.pre)
}

const IDENT = '(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)'
const SEMVER = new RegExp(
  `^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(?:-(${IDENT}(?:\\.${IDENT})*))?(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$`
)

function semverCompare(a: string, b: string): number {
  const parse = (v: string) => {
    const m = SEMVER.exec(v)
    if (!m) throw new TemplateError(`Version comparison failed: invalid semantic version '${v}'`)
    return { core: [m[1], m[2], m[3]].map(Number), pre: m[4]?.split('.') ?? null }
  }
  const [x, y] = [parse(a), parse(b)]
  const byCore = compareKeys(x.core, y.core)
  if (byCore !== 0) return byCore
  if (x.pre === null || y.pre === null) return x.pre === y.pre ? 0 : x.pre === null ? 1 : -1
  for (let i = 0; i < Math.min(x.pre.length, y.pre.length); i++) {
    const [p, q] = [x.pre[i]!, y.pre[i]!]
    if (p === q) continue
    const [pn, qn] = [/^\d+$/.test(p), /^\d+$/.test(q)]
    if (pn && qn) return Number(p) < Number(q) ? -1 : 1
    if (pn !== qn) return pn ? -1 : 1
    return p < q ? -1 : 1
  }
  return Math.sign(x.pre.length - y.pre.length)
}

const PEP440 =
  /^\s*v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?(\d+)?)?(?:-(\d+)|[-_.]?(post|rev|r)[-_.]?(\d+)?)?(?:[-_.]?(dev)[-_.]?(\d+)?)?(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$/i

/** packaging's Version ordering key: epoch, release (trailing zeros dropped), pre, post, dev, local. */
function pep440Key(version: string): Key {
  const m = PEP440.exec(version)
  if (!m) throw new TemplateError(`Version comparison failed: Invalid version: '${version}'`)
  const release = m[2]!.split('.').map(Number)
  while (release.length > 1 && release[release.length - 1] === 0) release.pop()
  const preLetter = m[3]?.toLowerCase()
  const pre = preLetter
    ? [
        { alpha: 'a', beta: 'b', c: 'rc', pre: 'rc', preview: 'rc' }[preLetter] ?? preLetter,
        Number(m[4] ?? 0)
      ]
    : null
  const post = m[5] !== undefined ? Number(m[5]) : m[6] !== undefined ? Number(m[7] ?? 0) : null
  const dev = m[8] !== undefined ? Number(m[9] ?? 0) : null
  // Sentinels in the key: a dev release sorts before its pre-releases; no pre-release after them all.
  const preKey: Key =
    pre === null
      ? post === null && dev !== null
        ? [0, '']
        : [2, '']
      : [1, pre[0] as string, pre[1] as number]
  const key: Key = [Number(m[1] ?? 0), release.length, ...release, ...preKey]
  key.push(post === null ? -1 : post, dev === null ? Number.MAX_SAFE_INTEGER : dev)
  const local = m[10]?.toLowerCase().split(/[-_.]/) ?? []
  key.push(local.length)
  for (const part of local)
    key.push(
      /^\d+$/.test(part) ? 1 : 0,
      /^\d+$/.test(part) ? String(Number(part)).padStart(20, '0') : part
    )
  return key
}

/** Releases compare component-wise with the shorter padded by zeros, as packaging's key does. */
function pep440Compare(a: string, b: string): number {
  const [x, y] = [pep440Key(a), pep440Key(b)]
  const lengths = [x[1] as number, y[1] as number]
  const width = Math.max(...lengths)
  const pad = (k: Key, n: number): Key => [
    k[0]!,
    ...k.slice(2, 2 + n),
    ...Array<number>(width - n).fill(0),
    ...k.slice(2 + n)
  ]
  return compareKeys(pad(x, lengths[0]!), pad(y, lengths[1]!))
}

/** The version types the `version` test accepts. */
export const VERSION_TYPES = ['loose', 'strict', 'semver', 'semantic', 'pep440']

/** -1, 0 or 1: how version `a` orders against `b` under `type`. */
export function compareVersions(a: string, b: string, type: string): number {
  switch (type) {
    case 'loose':
      return compareKeys(looseKey(a), looseKey(b))
    case 'strict':
      return strictCompare(a, b)
    case 'semver':
    case 'semantic':
      return semverCompare(a, b)
    case 'pep440':
      return pep440Compare(a, b)
    default:
      throw new TemplateError(
        `Invalid version type (${type}). Must be one of ${VERSION_TYPES.map((t) => `'${t}'`).join(', ')}`
      )
  }
}
