// Reading ansible-galaxy requirements files (roles/requirements.yml, requirements.yml): which roles to install
// from where, and which collections the repository expects. Installing is role-install.ts's work.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { AsyncPlaybookError, type SourceLocation } from '../errors.js'
import { parseYaml } from '../playbook/yaml-loader.js'
import { maskUrlCredentials } from './controller-commands.js'
import { isRecord } from '../values/records.js'

/** A requirements file that cannot be read, or a role that cannot be installed. Exit code 1. */
export class RequirementsError extends AsyncPlaybookError {}

/** Where a role comes from, as ansible-galaxy tells them apart. */
export type RoleSourceKind = 'git' | 'url' | 'file' | 'galaxy'

/** One role to install. */
export interface RoleRequirement {
  kind: RoleSourceKind
  /** The git URL (without `git+`), the tarball URL or path, or the Galaxy name `namespace.role`. */
  src: string
  /** A tag, branch or commit (git), a Galaxy version; none means the default branch or the latest version. */
  version?: string
  /** The directory name it is installed as, which is the name plays use. */
  name: string
  location: SourceLocation
}

/** One collection the requirements file lists. */
export interface CollectionRequirement {
  /** `namespace.collection`, or for type git/url/file/dir the source as written. */
  name: string
  version?: string
  type: string
  location: SourceLocation
}

export interface Requirements {
  roles: RoleRequirement[]
  collections: CollectionRequirement[]
  warnings: string[]
}

const ROLE_KEYS = new Set(['src', 'scm', 'version', 'name', 'role', 'include'])
const COLLECTION_KEYS = new Set(['name', 'version', 'source', 'type', 'signatures'])
const GALAXY_NAME = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+$/

/**
 * Reads one requirements file: the `roles:`/`collections:` form, or the old form (a list of roles), with
 * `include:` entries read relative to the file.
 * @throws RequirementsError naming the file (and line) of what is not valid
 */
export function readRequirementsFile(file: string, seen: Set<string> = new Set()): Requirements {
  const absolute = path.resolve(file)
  const out: Requirements = { roles: [], collections: [], warnings: [] }
  if (seen.has(absolute))
    throw new RequirementsError(`requirements file '${file}' includes itself (an include loop)`)
  seen.add(absolute)
  let text: string
  try {
    text = readFileSync(absolute, 'utf8')
  } catch (error) {
    throw new RequirementsError(
      `cannot read the requirements file '${file}': ${(error as Error).message}`
    )
  }
  const doc = parseYaml(text, file)
  const at = (node: unknown): SourceLocation => ({
    file,
    line: (node !== null && typeof node === 'object' ? doc.lineOf(node) : undefined) ?? 1
  })
  const data = doc.data
  if (data === null || data === undefined) return out
  let roles: unknown
  let collections: unknown
  if (Array.isArray(data)) {
    roles = data
  } else if (typeof data === 'object') {
    const keys = Object.keys(data)
    const extra = keys.filter((k) => k !== 'roles' && k !== 'collections')
    if (extra.length > 0)
      throw new RequirementsError(
        `Expecting only 'roles' and/or 'collections' as base keys in the requirements file. Found: ${extra.join(', ')}`,
        at(data)
      )
    roles = (data as Record<string, unknown>)['roles']
    collections = (data as Record<string, unknown>)['collections']
  } else {
    throw new RequirementsError(
      `a requirements file holds 'roles:' and/or 'collections:' (or a list of roles), found ${typeof data}`,
      { file, line: 1 }
    )
  }
  for (const [entry, location] of listOf(roles, 'roles', at(data), at)) {
    if (isRecord(entry) && 'include' in entry) {
      const included = entry['include']
      if (typeof included !== 'string')
        throw new RequirementsError("'include' must name a requirements file", location)
      const inner = readRequirementsFile(path.resolve(path.dirname(absolute), included), seen)
      out.roles.push(...inner.roles)
      out.collections.push(...inner.collections)
      out.warnings.push(...inner.warnings)
      continue
    }
    out.roles.push(parseRoleEntry(entry, location, out.warnings))
  }
  for (const [entry, location] of listOf(collections, 'collections', at(data), at))
    out.collections.push(parseCollectionEntry(entry, location, out.warnings))
  return out
}

/**
 * The roles an installed role needs installed too, as ansible-galaxy finds them: the `dependencies` of its
 * meta/main.yml and the roles of its meta/requirements.yml. A dependency with no '.' in its name or source
 * and no scm (`common`, `- role: common`) is a role of the playbook's own, not something to install.
 */
export function roleDependencies(roleDir: string): RoleRequirement[] {
  const out: RoleRequirement[] = []
  const ignored: string[] = []
  for (const [name, key] of [
    ['main.yml', 'dependencies'],
    ['main.yaml', 'dependencies'],
    ['requirements.yml', 'roles'],
    ['requirements.yaml', 'roles']
  ] as const) {
    const file = path.join(roleDir, 'meta', name)
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch {
      continue
    }
    const doc = parseYaml(text, file)
    const data = doc.data
    const list = Array.isArray(data) ? data : isRecord(data) ? data[key] : undefined
    if (!Array.isArray(list)) continue
    for (const entry of list) {
      const location: SourceLocation = {
        file,
        line: (isRecord(entry) ? doc.lineOf(entry) : undefined) ?? 1
      }
      const spelled =
        typeof entry === 'string'
          ? entry
          : isRecord(entry)
            ? String(entry['src'] ?? entry['role'] ?? entry['name'] ?? '')
            : ''
      const scm = isRecord(entry) && entry['scm'] !== undefined && entry['scm'] !== null
      if (!scm && !spelled.includes('.') && !spelled.includes('+')) continue
      out.push(parseRoleEntry(entry, location, ignored))
    }
  }
  return out
}

function listOf(
  raw: unknown,
  key: string,
  where: SourceLocation,
  at: (node: unknown) => SourceLocation
): [unknown, SourceLocation][] {
  if (raw === undefined || raw === null) return []
  if (!Array.isArray(raw))
    throw new RequirementsError(`'${key}' must be a list, found ${typeof raw}`, where)
  // A string entry has no line of its own: the list's is the closest.
  return raw.map((entry) => [entry, isRecord(entry) ? at(entry) : at(raw)])
}

/** One entry of `roles:` as ansible-galaxy reads it: `src,version,name`, or a mapping. */
function parseRoleEntry(
  entry: unknown,
  location: SourceLocation,
  warnings: string[]
): RoleRequirement {
  let src: string
  let version: string | undefined
  let name: string | undefined
  let scm: string | undefined
  if (typeof entry === 'string') {
    ;({ src, version, name } = commaForm(entry, location))
  } else if (isRecord(entry)) {
    const unknown = Object.keys(entry).filter((k) => !ROLE_KEYS.has(k))
    if (unknown.length > 0)
      warnings.push(
        `${location.file}:${location.line}: role keys not used by ansible-galaxy and ignored: ${unknown.join(', ')}`
      )
    if (entry['role'] !== undefined && entry['src'] === undefined) {
      // The oldest form: `- role: src[,version[,name]]` (or a role name).
      ;({ src, version, name } = commaForm(text(entry['role'], 'role', location), location))
    } else {
      src = text(entry['src'], 'src', location)
    }
    if (entry['version'] !== undefined && entry['version'] !== null)
      version = text(entry['version'], 'version', location)
    if (entry['name'] !== undefined && entry['name'] !== null)
      name = text(entry['name'], 'name', location)
    if (entry['scm'] !== undefined && entry['scm'] !== null)
      scm = text(entry['scm'], 'scm', location)
  } else {
    throw new RequirementsError(
      `a role requirement is a string (src[,version[,name]]) or a mapping with 'src', found ${describe(entry)}`,
      location
    )
  }
  if (src.trim() === '') throw new RequirementsError("a role requirement needs a 'src'", location)
  if (/^[a-z]+\+/.test(src) && !src.startsWith('git+'))
    throw new RequirementsError(
      `role source '${maskUrlCredentials(src)}': only git ('git+URL' or 'scm: git') is supported as a version control system`,
      location
    )
  if (src.startsWith('git+')) {
    src = src.slice(4)
    scm = 'git'
  }
  if (scm !== undefined && scm !== 'git')
    throw new RequirementsError(
      `role '${maskUrlCredentials(name ?? src)}': scm '${scm}' is not supported; async-playbook installs roles from git, tarball URLs and Galaxy`,
      location
    )
  if (version !== undefined && version.startsWith('-'))
    throw new RequirementsError(
      `role '${maskUrlCredentials(name ?? src)}': version '${version}' is not a tag, branch or commit`,
      location
    )
  let kind: RoleSourceKind
  if (scm === 'git') kind = 'git'
  else if (src.includes('://')) kind = 'url'
  else if (/\.(tar\.gz|tgz|tar)$/.test(src) || src.startsWith('/') || src.startsWith('.'))
    kind = 'file'
  else if (GALAXY_NAME.test(src)) kind = 'galaxy'
  else
    throw new RequirementsError(
      `Invalid role name (${maskUrlCredentials(src)}). Specify role as format: username.rolename (a Galaxy role), ` +
        "or give a git URL ('git+https://…' or 'scm: git') or a tarball URL",
      location
    )
  // A URL's credentials never become part of a name (a URL without a path would give `token@host`).
  const finalName = name ?? (kind === 'galaxy' ? src : roleNameFromUrl(maskUrlCredentials(src)))
  if (finalName === '' || finalName.includes('/') || finalName === '.' || finalName === '..')
    throw new RequirementsError(
      `role '${finalName}' from '${maskUrlCredentials(src)}': a role's name cannot hold '/'; set 'name:'`,
      location
    )
  return {
    kind,
    src,
    ...(version !== undefined && version !== '' ? { version } : {}),
    name: finalName,
    location
  }
}

/** `src[,version[,name]]`. */
function commaForm(
  entry: string,
  location: SourceLocation
): { src: string; version?: string; name?: string } {
  const parts = entry.split(',').map((part) => part.trim())
  if (parts.length > 3)
    throw new RequirementsError(
      `Invalid role line (${maskUrlCredentials(entry)}). Proper format is 'role_name[,version[,name]]'`,
      location
    )
  const [src = '', version, name] = parts
  return {
    src,
    ...(version ? { version } : {}),
    ...(name ? { name } : {})
  }
}

/** The name ansible-galaxy gives a role from its URL: the last path part, without .git/.tar.gz/.tar. */
export function roleNameFromUrl(src: string): string {
  const tail = src.replace(/\/+$/, '').split(/[/:]/).pop() ?? src
  return tail.replace(/\.git$/, '').replace(/\.(tar\.gz|tgz|tar)$/, '')
}

function parseCollectionEntry(
  entry: unknown,
  location: SourceLocation,
  warnings: string[]
): CollectionRequirement {
  if (typeof entry === 'string') {
    // `namespace.collection[:version]` is not a form collections take; a name alone is.
    return { name: entry.trim(), type: 'galaxy', location }
  }
  if (!isRecord(entry))
    throw new RequirementsError(
      `a collection requirement is a name or a mapping with 'name', found ${describe(entry)}`,
      location
    )
  const unknown = Object.keys(entry).filter((k) => !COLLECTION_KEYS.has(k))
  if (unknown.length > 0)
    warnings.push(
      `${location.file}:${location.line}: collection keys not used by ansible-galaxy and ignored: ${unknown.join(', ')}`
    )
  const name = text(entry['name'], 'name', location)
  const type = entry['type'] === undefined ? 'galaxy' : text(entry['type'], 'type', location)
  return {
    name,
    type,
    ...(entry['version'] !== undefined && entry['version'] !== null
      ? { version: String(entry['version']) }
      : {}),
    location
  }
}

function text(value: unknown, key: string, location: SourceLocation): string {
  if (typeof value === 'string') return value.trim()
  if (typeof value === 'number') return String(value)
  throw new RequirementsError(`'${key}' must be a string, found ${describe(value)}`, location)
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing'
  if (Array.isArray(value)) return 'a list'
  return typeof value === 'object' ? 'a mapping' : `${typeof value} ${JSON.stringify(value)}`
}
