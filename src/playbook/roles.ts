import { existsSync, readdirSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { PlaybookError, type SourceLocation } from '../errors.js'
import { IMPORT_TASKS_KEYWORDS } from './keywords.js'
import type { RoleRef } from './types.js'

/** Keywords of a role invocation (`roles:` entry) that are not role parameters: those an import takes. */
// `notify` is no keyword of a role (Ansible passes it to the role as a parameter, like any other key).
export const ROLE_ENTRY_KEYWORDS = new Set(
  ['role', 'name', ...IMPORT_TASKS_KEYWORDS].filter((k) => k !== 'notify')
)

/**
 * Keywords Ansible takes on a role entry that we do not implement there. Taking them as role parameters
 * (as any other key) would run a different deploy, so they are refused.
 */
export const ROLE_ENTRY_REFUSED = new Set([
  'connection',
  'remote_user',
  'port',
  'delegate_to',
  'delegate_facts',
  'collections'
])

/** Arguments of import_role / include_role. */
export const ROLE_IMPORT_ARGS = new Set([
  'name',
  'role',
  'tasks_from',
  'vars_from',
  'defaults_from',
  'handlers_from',
  'allow_duplicates',
  'rolespec_validate'
])

/**
 * Where the run looks for roles beyond the playbook's roles/ directory: read once into the run's settings
 * (ANSIBLE_ROLES_PATH, ansible.cfg's roles_path, the requirements files) and handed to the loader.
 */
export interface RoleSearch {
  /** The roles path; absent or empty: Ansible's default. ansible.cfg's entries are already absolute. */
  rolesPath?: readonly string[]
  /**
   * Roles installed from requirements files (name → directory): found by name after the playbook's roles/
   * directory and before the roles path, where ansible-galaxy would have installed them.
   */
  installed?: ReadonlyMap<string, string>
}

/**
 * The directories a role name is looked up in, in order, as Ansible does for the sources we support:
 * `roles/` next to the playbook, the playbook's own directory, then ANSIBLE_ROLES_PATH (or Ansible's
 * default roles path).
 */
export function roleSearchPath(playDir: string, search: RoleSearch = {}): string[] {
  const extra =
    search.rolesPath && search.rolesPath.length > 0
      ? [...search.rolesPath]
      : [
          path.join(os.homedir(), '.ansible/roles'),
          '/usr/share/ansible/roles',
          '/etc/ansible/roles'
        ]
  // The playbook's own directory comes last (findRole relies on it).
  // As Ansible: a relative ANSIBLE_ROLES_PATH entry is relative to the current directory.
  return [path.join(playDir, 'roles'), ...extra.map((d) => path.resolve(d)), playDir]
}

/**
 * Where a role lives and the name it goes by, as Ansible's RoleDefinition finds it: the name (which may hold a
 * path, such as `nested/dep` or `../shared/a`) is looked up in each directory of the search path, the role's
 * own name staying as written; failing that, it is taken as a path from the current directory and the role is
 * named after its last component.
 */
export function findRole(
  name: string,
  playDir: string,
  location: SourceLocation,
  /** Also searched, before the playbook's directory: next to the role that depends on this one. */
  near: readonly string[] = [],
  search: RoleSearch = {}
): { dir: string; name: string } {
  if (name.includes('{{') || name.includes('{%')) {
    throw new PlaybookError(
      `role '${name}': templated role names are not supported here; write the name literally, or use include_role`,
      location
    )
  }
  const searched = [...roleSearchPath(playDir, search).slice(0, -1), ...near, playDir]
  const installed = search.installed?.get(name)
  for (const [index, dir] of searched.entries()) {
    const candidate = path.resolve(dir, name)
    if (isDirectory(candidate)) return { dir: candidate, name }
    // After the playbook's roles/ (index 0): where ansible-galaxy installs, the head of the roles path.
    if (index === 0 && installed !== undefined && isDirectory(installed))
      return { dir: installed, name }
  }
  const fromCwd = path.resolve(name)
  if (isDirectory(fromCwd)) return { dir: fromCwd, name: path.basename(fromCwd) }
  throw new PlaybookError(
    `the role '${name}' was not found in ${searched.join(':')}. ` +
      `Put it under roles/${name}/ next to the playbook (with tasks/main.yml), or set ANSIBLE_ROLES_PATH`,
    location,
    true
  )
}

/**
 * The file a role keeps under `sub` (tasks, handlers, defaults, vars, meta) named `base`: without `base`,
 * main.yml, main.yaml, main.json or main, in that order; with one (tasks_from…), the name as given first, then
 * with those extensions, as Ansible looks. Undefined when the role has none (a directory does not count).
 */
export function roleFile(roleDir: string, sub: string, base?: string): string | undefined {
  return roleFiles(roleDir, sub, base, false)[0]
}

/**
 * The files of a role's defaults or vars named `base` (default `main`), found as roleFile finds one; when the
 * name is a directory (`defaults/main/`), every file in it and its subdirectories, in lexical order, whose
 * extension is .yml, .yaml or .json or that has none (hidden files and backups~ left out), as Ansible 2.14 merges
 * them.
 */
export function roleVarsFiles(roleDir: string, sub: string, base?: string): string[] {
  return roleFiles(roleDir, sub, base, true)
}

const ROLE_EXTENSIONS = ['.yml', '.yaml', '.json']

function roleFiles(
  roleDir: string,
  sub: string,
  base: string | undefined,
  allowDir: boolean
): string[] {
  const stem = path.join(roleDir, sub, base ?? 'main')
  const extensions = base === undefined ? [...ROLE_EXTENSIONS, ''] : ['', ...ROLE_EXTENSIONS]
  for (const ext of extensions) {
    const file = stem + ext
    if (!existsSync(file)) continue
    if (!isDirectory(file)) return [file]
    if (allowDir) return filesIn(file)
  }
  return []
}

function filesIn(dir: string): string[] {
  const found: string[] = []
  const names = readdirSync(dir).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  for (const name of names) {
    if (name.startsWith('.') || name.endsWith('~')) continue
    const full = path.join(dir, name)
    const ext = path.extname(name)
    if (isDirectory(full)) {
      if (ext === '') found.push(...filesIn(full))
    } else if (ext === '' || ROLE_EXTENSIONS.includes(ext)) found.push(full)
  }
  return found
}

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory()
  } catch {
    return false
  }
}

/**
 * Merges the defaults or vars of roles in order (later roles win). Spread, not Object.assign: a variable
 * named `__proto__` stays a variable.
 */
export function mergeRoleVars(
  roles: readonly RoleRef[],
  part: 'defaults' | 'vars'
): Record<string, unknown> {
  return roles.reduce<Record<string, unknown>>((out, role) => ({ ...out, ...role[part] }), {})
}
