// Roles and collections from requirements files, installed before the run (see README "Roles and collections
// from requirements files").
import { existsSync, statSync } from 'node:fs'
import path from 'node:path'
import { maskUrlCredentials } from './controller-commands.js'
import {
  readRequirementsFile,
  RequirementsError,
  roleDependencies,
  type CollectionRequirement,
  type RoleRequirement
} from './requirements-file.js'
import { defaultRequirementsCache, galaxyServer, installRole } from './role-install.js'

export { RequirementsError, readRequirementsFile, defaultRequirementsCache }
export type { CollectionRequirement, RoleRequirement } from './requirements-file.js'

/** What the run asks for: requirement files named explicitly, or found next to the playbook and in cwd. */
export interface RequirementsSettings {
  /** Files given explicitly (-r / the `requirements` input), relative to cwd. */
  files: string[]
  /** Also look for roles/requirements.yml, requirements.yml and collections/requirements.yml. */
  auto: boolean
  /** The cache directory (default: defaultRequirementsCache()). */
  cacheDir?: string
  /** ANSIBLE_GALAXY_SERVER or ansible.cfg's [galaxy] server (default: Ansible's). */
  galaxyServer?: string
}

/** The requirement files found in these directories, as ansible-galaxy users keep them. */
export function findRequirementsFiles(dirs: readonly string[]): string[] {
  const found: string[] = []
  for (const dir of new Set(dirs.map((d) => path.resolve(d)))) {
    for (const name of [
      'roles/requirements.yml',
      'roles/requirements.yaml',
      'requirements.yml',
      'requirements.yaml',
      'collections/requirements.yml',
      'collections/requirements.yaml'
    ]) {
      const file = path.join(dir, name)
      if (existsSync(file) && statSync(file).isFile() && !found.includes(file)) found.push(file)
    }
  }
  return found
}

/** What installing the requirements gave the run. */
export interface InstalledRequirements {
  /** Role name → its directory, in the order they were listed. */
  roles: Map<string, string>
  collections: CollectionRequirement[]
  /** One line per role, for the log (ansible-galaxy's "- NAME (VERSION) was installed successfully"). */
  log: string[]
  warnings: string[]
}

/**
 * Reads the requirement files and installs their roles into the cache (reusing what is there), then checks
 * the collections they list against the ones async-playbook implements modules of.
 * @throws RequirementsError naming the file, the role and what failed
 */
export async function installRequirements(
  files: readonly string[],
  options: {
    cacheDir: string
    /** Collections async-playbook has modules of (ansible.builtin included). */
    implementedCollections: ReadonlySet<string>
    env?: NodeJS.ProcessEnv
    /** Where relative local sources (a repository or tarball path) are found, as ansible-galaxy's cwd. */
    cwd?: string
    /** The Galaxy server (default: ANSIBLE_GALAXY_SERVER of `env`, else Ansible's default). */
    galaxyServer?: string
  }
): Promise<InstalledRequirements> {
  const out: InstalledRequirements = {
    roles: new Map(),
    collections: [],
    log: [],
    warnings: []
  }
  const warn = (message: string): void => {
    out.warnings.push(message)
  }
  const server = options.galaxyServer ?? galaxyServer(options.env)
  for (const file of files) {
    const requirements = readRequirementsFile(file)
    out.warnings.push(...requirements.warnings)
    // Each role, then the roles it depends on (meta/main.yml, meta/requirements.yml), as ansible-galaxy
    // installs them; a name already installed is not installed again.
    const queue: { role: RoleRequirement; depth: number }[] = requirements.roles.map((role) => ({
      role,
      depth: 0
    }))
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const { role, depth } = next
      if (out.roles.has(role.name)) {
        if (depth === 0)
          warn(
            `- ${role.name} is already listed (from another source); the first one listed is used (${role.location.file}:${role.location.line})`
          )
        continue
      }
      if (depth > 20)
        throw new RequirementsError(
          `role dependencies nest deeper than 20 levels at ${role.name}: is there a loop?`,
          role.location
        )
      const installed = await installRole(role, options.cacheDir, {
        galaxyServer: server,
        warn,
        cwd: options.cwd ?? process.cwd()
      })
      out.roles.set(role.name, installed.dir)
      out.log.push(
        `- ${role.name} (${installed.version ?? 'default branch'}) ${installed.fromCache ? 'is already installed (cached)' : 'was installed successfully'} from ${maskUrlCredentials(role.src)}${depth > 0 ? ' (a dependency)' : ''}`
      )
      for (const dependency of roleDependencies(installed.dir))
        queue.push({ role: dependency, depth: depth + 1 })
    }
    for (const collection of requirements.collections) {
      out.collections.push(collection)
      if (collection.type !== 'galaxy') {
        warn(
          `collection '${maskUrlCredentials(collection.name)}' (${collection.location.file}:${collection.location.line}) is of type ${collection.type}; async-playbook does not install collections, and runs only the modules listed in its README`
        )
        continue
      }
      if (!options.implementedCollections.has(collection.name))
        warn(
          `collection ${maskUrlCredentials(collection.name)} (${collection.location.file}:${collection.location.line}) is not implemented by async-playbook: a task using one of its modules is refused before the run`
        )
    }
  }
  return out
}
