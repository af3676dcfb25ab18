// Installing the roles of requirements files into a cache keyed by source and version, checked before reuse,
// and naming each installed role as ansible-galaxy would (its directory name is the name plays use).
import { createHash, randomBytes } from 'node:crypto'
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { download, getJson, maskUrlCredentials, runController } from './controller-commands.js'
import { RequirementsError, type RoleRequirement } from './requirements-file.js'
import {
  removeAside,
  treeDigest,
  verifiedEntry,
  withoutWriteForOthers,
  writableByOthers,
  type CacheRecord
} from './role-cache.js'

/** Where installed roles are kept between runs unless ASYNC_PLAYBOOK_REQUIREMENTS_CACHE says otherwise. */
export function defaultRequirementsCache(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env['ASYNC_PLAYBOOK_REQUIREMENTS_CACHE']
  if (configured !== undefined && configured.trim() !== '') return path.resolve(configured)
  const base = env['XDG_CACHE_HOME'] || path.join(os.homedir(), '.cache')
  return path.join(base, 'async-playbook', 'roles')
}

/** The Galaxy server roles are looked up on (ANSIBLE_GALAXY_SERVER, else Ansible's default). */
export function galaxyServer(env: NodeJS.ProcessEnv = process.env): string {
  return env['ANSIBLE_GALAXY_SERVER'] || 'https://galaxy.ansible.com'
}

/** One installed role: its name on the roles path, its directory, and whether the cache already had it. */
export interface InstalledRole {
  name: string
  dir: string
  version?: string
  fromCache: boolean
}

/**
 * Installs one role into the cache (or reuses the cached copy when its content still matches the digest
 * recorded at install time) and returns where it is.
 * @throws RequirementsError naming the role, its source (credentials masked) and what failed
 */
export async function installRole(
  role: RoleRequirement,
  cacheDir: string,
  options: { galaxyServer: string; warn: (message: string) => void; cwd: string }
): Promise<InstalledRole> {
  const key = createHash('sha256')
    .update(JSON.stringify([role.kind, role.src, role.version ?? null, role.name]))
    .digest('hex')
    .slice(0, 32)
  const entry = path.join(cacheDir, key)
  // The role's directory carries its name, as ansible-galaxy installs it (messages name roles by directory).
  const roleDir = path.join(entry, role.name)
  const recordFile = path.join(entry, '.apb-install.json')
  const shown = `${role.name} (${maskUrlCredentials(role.src)}${role.version ? `, version ${role.version}` : ''})`
  mkdirSync(cacheDir, { recursive: true, mode: 0o700 })
  const unsafeCache = writableByOthers(cacheDir)
  if (unsafeCache)
    throw new RequirementsError(
      `the requirements cache ${cacheDir} cannot be trusted: ${unsafeCache}; make it private ` +
        `(chmod 700, owned by the user running async-playbook) or point ASYNC_PLAYBOOK_REQUIREMENTS_CACHE elsewhere`,
      role.location
    )
  if (existsSync(entry)) {
    const cached = verifiedEntry(entry, roleDir, recordFile)
    if (cached.ok)
      return {
        name: role.name,
        dir: roleDir,
        ...(cached.record.version !== null ? { version: cached.record.version } : {}),
        fromCache: true
      }
    options.warn(
      `the cached copy of role ${shown} in ${entry} ${cached.reason} (integrity check failed); installing it again`
    )
    // Moved aside in one step, then removed: another run never finds half of a removed tree at `entry`.
    removeAside(cacheDir, entry)
  }
  const work = path.join(cacheDir, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`)
  mkdirSync(work, { mode: 0o700 })
  try {
    let version: string | undefined
    const staged = path.join(work, role.name)
    try {
      if (role.kind === 'git') version = await fromGit(role, staged, work, options.cwd)
      else if (role.kind === 'url') await fromArchive(role.src, staged, work, true)
      else if (role.kind === 'file')
        await fromArchive(path.resolve(options.cwd, role.src), staged, work, false)
      else version = await fromGalaxy(role, staged, work, options.galaxyServer)
    } catch (error) {
      if (error instanceof RequirementsError) throw error
      throw new RequirementsError(
        `cannot install role ${shown}: ${(error as Error).message}`,
        role.location
      )
    }
    if (!['main.yml', 'main.yaml'].some((f) => existsSync(path.join(staged, 'meta', f))))
      throw new RequirementsError(
        `role ${shown} does not appear to have a meta/main.yml file, which ansible-galaxy requires of a role it installs`,
        role.location
      )
    // Whatever the umask or the archive said: no one else may change the installed tree.
    withoutWriteForOthers(staged)
    const record: CacheRecord = {
      src: maskUrlCredentials(role.src),
      version: version ?? role.version ?? null,
      name: role.name,
      digest: treeDigest(staged)
    }
    for (const scratch of ['.apb-archive', '.apb-unpacked'])
      rmSync(path.join(work, scratch), { recursive: true, force: true })
    writeFileSync(path.join(work, '.apb-install.json'), JSON.stringify(record, null, 2) + '\n', {
      mode: 0o600
    })
    try {
      // One rename publishes the whole tree: another run sees nothing or all of it.
      renameSync(work, entry)
    } catch (error) {
      // Another run installed the same source meanwhile: theirs is used when it verifies as ours would.
      const code = (error as NodeJS.ErrnoException).code
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error
      const theirs = verifiedEntry(entry, roleDir, recordFile)
      if (!theirs.ok || theirs.record.digest !== record.digest)
        throw new RequirementsError(
          `cannot install role ${shown}: another run installed it into ${entry} at the same time, and that copy ` +
            `${theirs.ok ? 'differs from this one' : theirs.reason}; run again`,
          role.location
        )
    }
    return {
      name: role.name,
      dir: roleDir,
      ...(record.version !== null ? { version: record.version } : {}),
      fromCache: false
    }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

/** Clones the repository, checks out the version, and keeps the work tree without .git. */
async function fromGit(
  role: RoleRequirement,
  staged: string,
  work: string,
  cwd: string
): Promise<string> {
  // A local repository path is relative to the run's directory (git would take it from `work`); a URL or
  // scp-like `host:path` is given as written.
  const local = !role.src.includes('://') && !/^[^/]+:/.test(role.src)
  const source = local ? path.resolve(cwd, role.src) : role.src
  await runController('git', ['clone', '--quiet', '--no-checkout', '--', source, staged], {
    cwd: work
  })
  const ref = role.version ?? 'HEAD'
  try {
    await runController(
      'git',
      ['-c', 'advice.detachedHead=false', 'checkout', '--quiet', ref, '--'],
      { cwd: staged }
    )
  } catch (error) {
    throw new RequirementsError(
      `role ${role.name}: version '${ref}' is not a tag, branch or commit of ${maskUrlCredentials(role.src)} (${(error as Error).message})`,
      role.location
    )
  }
  const commit = (await runController('git', ['rev-parse', 'HEAD'], { cwd: staged })).trim()
  rmSync(path.join(staged, '.git'), { recursive: true, force: true })
  refuseEscapingLinks(staged)
  return role.version ?? commit
}

/**
 * Unpacks a role tarball (a URL or a local file): the role is the archive's top directory when everything
 * is inside one, as Galaxy and GitHub make them, else the archive's root.
 */
async function fromArchive(
  source: string,
  staged: string,
  work: string,
  remote: boolean
): Promise<void> {
  let archive = source
  if (remote) {
    archive = path.join(work, '.apb-archive')
    await download(source, archive)
  } else if (!existsSync(archive)) {
    throw new RequirementsError(`the role archive '${source}' does not exist`)
  } else if (statSync(archive).isDirectory()) {
    throw new RequirementsError(
      `'${source}' is a directory; a local role source is a tarball, or a git repository with 'scm: git' ` +
        '(a role kept in the repository needs no requirements entry: put it under roles/ or on the roles path)'
    )
  }
  await refuseOversizedArchive(archive, source)
  const unpacked = path.join(work, '.apb-unpacked')
  mkdirSync(unpacked)
  // GNU tar refuses members with `..` and strips leading `/`; owners and modes are not taken from the archive.
  await runController('tar', [
    '-x',
    '-f',
    archive,
    '-C',
    unpacked,
    '--no-same-owner',
    '--no-same-permissions'
  ])
  refuseEscapingLinks(unpacked)
  const top = readdirSync(unpacked).filter((name) => name !== 'pax_global_header')
  const only = top[0]
  const root =
    top.length === 1 && only !== undefined && statSync(path.join(unpacked, only)).isDirectory()
      ? path.join(unpacked, only)
      : unpacked
  renameSync(root, staged)
}

/** At most this many bytes unpacked from one role archive (a role is text and a few files). */
export const MAX_ROLE_ARCHIVE_BYTES = 1024 * 1024 * 1024
/** At most this many members in one role archive. */
export const MAX_ROLE_ARCHIVE_MEMBERS = 100_000

/**
 * Lists the archive before unpacking it, so that an archive that would fill the runner's disk (a
 * decompression bomb, a huge file) is refused by its sizes instead of found out when the disk is full.
 */
async function refuseOversizedArchive(archive: string, source: string): Promise<void> {
  const listing = await runController('tar', ['-t', '-v', '--numeric-owner', '-f', archive])
  let total = 0
  let members = 0
  for (const line of listing.split('\n')) {
    const fields = line.trim().split(/\s+/)
    if (fields.length < 5) continue
    members++
    // GNU tar: `mode uid/gid size date time name`; bsdtar: `mode links uid gid size month day time name`.
    const size = fields[1]!.includes('/') ? fields[2] : fields[4]
    if (size !== undefined && /^\d+$/.test(size)) total += Number(size)
  }
  const shown = maskUrlCredentials(source)
  if (total > MAX_ROLE_ARCHIVE_BYTES)
    throw new RequirementsError(
      `the role archive ${shown} unpacks to ${total} bytes, more than the ${MAX_ROLE_ARCHIVE_BYTES} bytes a role may hold`
    )
  if (members > MAX_ROLE_ARCHIVE_MEMBERS)
    throw new RequirementsError(
      `the role archive ${shown} holds ${members} members, more than the ${MAX_ROLE_ARCHIVE_MEMBERS} a role may hold`
    )
}

/**
 * A symbolic link in an unpacked role that points outside it is refused (a role is self-contained), and so
 * is anything but files, directories and links: a fifo would hang the task reading it, a device node (which
 * tar creates when run as root) would read or write the runner's devices.
 */
function refuseEscapingLinks(root: string): void {
  const base = realpathSync(root)
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name)
      const stat = lstatSync(full)
      if (stat.isSymbolicLink()) {
        const target = path.resolve(dir, readlinkSync(full))
        if (target !== base && !target.startsWith(base + path.sep))
          throw new RequirementsError(
            `the role holds a link '${path.relative(base, full)}' pointing outside the role (${readlinkSync(full)}), which an installed role cannot follow`
          )
      } else if (stat.isDirectory()) walk(full)
      else if (!stat.isFile())
        throw new RequirementsError(
          `the role holds '${path.relative(base, full)}', which is not a file, a directory or a link; a role cannot hold fifos, sockets or devices`
        )
    }
  }
  walk(base)
}

interface GalaxyRole {
  id: number | string
  github_user?: string
  github_repo?: string
  github_branch?: string
}

interface GalaxyVersion {
  name?: string
  download_url?: string
}

/**
 * Galaxy's role API (v1), as ansible-galaxy uses it: the API root names the versions it serves, the role is
 * looked up by owner and name, its versions listed (page by page), the version asked for (or the latest)
 * downloaded from its download_url or GitHub's archive of that tag.
 */
async function fromGalaxy(
  role: RoleRequirement,
  staged: string,
  work: string,
  server: string
): Promise<string> {
  const root = await galaxyApiRoot(server)
  const v1 = root.versions['v1']
  if (v1 === undefined)
    throw new RequirementsError(
      `Galaxy action lookup_role_by_name requires API versions 'v1' but only '${Object.keys(root.versions).join(', ')}' are available on ${maskUrlCredentials(server)} (roles are served by API v1)`,
      role.location
    )
  const apiV1 = new URL(v1, root.url).toString()
  const dot = role.src.lastIndexOf('.')
  const owner = role.src.slice(0, dot)
  const name = role.src.slice(dot + 1)
  const found = (await getJson(
    new URL(
      `roles/?owner__username=${encodeURIComponent(owner)}&name=${encodeURIComponent(name)}`,
      apiV1
    ).toString()
  )) as { results?: GalaxyRole[] }
  const data = found.results?.[0]
  if (!data)
    throw new RequirementsError(
      `- sorry, ${role.src} was not found on ${maskUrlCredentials(root.url)}.`,
      role.location
    )
  const versions: GalaxyVersion[] = []
  let next: string | undefined = new URL(
    `roles/${encodeURIComponent(String(data.id))}/versions/?page_size=50`,
    apiV1
  ).toString()
  for (let page = 0; next !== undefined && page < 100; page++) {
    const body = (await getJson(next)) as {
      results?: GalaxyVersion[]
      next_link?: string | null
      next?: string | null
    }
    versions.push(...(body.results ?? []))
    // `next_link` (a path) as ansible-galaxy 2.14 follows it; `next` (a URL) where a newer Galaxy gives only that.
    const link = body.next_link ?? body.next ?? null
    next = link ? new URL(link, new URL(root.url).origin).toString() : undefined
  }
  const names = versions.map((v) => v.name).filter((n): n is string => typeof n === 'string')
  let version = role.version
  if (version === undefined)
    version =
      names.length > 0
        ? [...names].sort(compareLooseVersions).pop()!
        : data.github_branch || 'master'
  else if (names.length > 0 && !names.includes(version))
    throw new RequirementsError(
      `- the specified version (${version}) of ${role.src} was not found in the list of available versions (${names.join(', ')}).`,
      role.location
    )
  const chosen = versions.find((v) => v.name === version)
  const url =
    chosen?.download_url ??
    (data.github_user && data.github_repo
      ? `https://github.com/${data.github_user}/${data.github_repo}/archive/${version}.tar.gz`
      : undefined)
  if (url === undefined)
    throw new RequirementsError(
      `Galaxy gives no download for ${role.src} version ${version}`,
      role.location
    )
  await fromArchive(url, staged, work, true)
  return version
}

async function galaxyApiRoot(
  server: string
): Promise<{ url: string; versions: Record<string, string> }> {
  const base = server.endsWith('/') ? server : `${server}/`
  const candidates = /\/api\/?$/.test(base) ? [base] : [base, new URL('api/', base).toString()]
  let last: Error | undefined
  for (const url of candidates) {
    try {
      const body = (await getJson(url)) as { available_versions?: Record<string, string> }
      if (body && typeof body === 'object' && body.available_versions)
        return { url, versions: body.available_versions }
    } catch (error) {
      last = error as Error
    }
  }
  throw new RequirementsError(
    `Tried to find galaxy API root at ${maskUrlCredentials(base)} but no 'available_versions' are available` +
      (last ? ` (${last.message})` : '')
  )
}

/** Python's LooseVersion order, enough for version names: numbers compare as numbers, words as text. */
export function compareLooseVersions(a: string, b: string): number {
  const parts = (v: string): (number | string)[] =>
    (v.match(/\d+|[a-z]+/gi) ?? []).map((p) => (/^\d+$/.test(p) ? Number(p) : p))
  const pa = parts(a)
  const pb = parts(b)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i]
    const y = pb[i]
    if (x === undefined) return -1
    if (y === undefined) return 1
    if (x === y) continue
    if (typeof x === 'number' && typeof y === 'number') return x - y
    return String(x) < String(y) ? -1 : 1
  }
  return 0
}
