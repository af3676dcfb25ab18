import { existsSync, statSync } from 'node:fs'
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
  'run_once',
  'throttle',
  'delegate_to',
  'delegate_facts',
  'module_defaults',
  'collections',
  'diff'
])

/** Arguments of import_role / include_role. */
export const ROLE_IMPORT_ARGS = new Set([
  'name',
  'tasks_from',
  'vars_from',
  'defaults_from',
  'handlers_from',
  'allow_duplicates',
  'rolespec_validate'
])

/**
 * The directories a role name is looked up in, in order, as Ansible does for the sources we support:
 * `roles/` next to the playbook, the playbook's own directory, then ANSIBLE_ROLES_PATH (or Ansible's
 * default roles path).
 */
export function roleSearchPath(playDir: string): string[] {
  const configured = process.env['ANSIBLE_ROLES_PATH']
  const extra =
    configured !== undefined && configured.trim() !== ''
      ? configured.split(':').filter(Boolean)
      : [
          path.join(os.homedir(), '.ansible/roles'),
          '/usr/share/ansible/roles',
          '/etc/ansible/roles'
        ]
  // The playbook's own directory comes last (findRole relies on it).
  // As Ansible: a relative ANSIBLE_ROLES_PATH entry is relative to the current directory.
  return [path.join(playDir, 'roles'), ...extra.map((d) => path.resolve(d)), playDir]
}

/** The absolute directory of a role: a name looked up on the search path, or a path to it. */
export function findRole(
  name: string,
  playDir: string,
  location: SourceLocation,
  /** Also searched, before the playbook's directory: next to the role that depends on this one. */
  near: readonly string[] = []
): string {
  if (name.includes('{{') || name.includes('{%')) {
    throw new PlaybookError(
      `role '${name}': templated role names are not supported here; write the name literally, or use include_role`,
      location
    )
  }
  const candidates =
    name.includes('/') || path.isAbsolute(name)
      ? [path.resolve(playDir, name)]
      : [...roleSearchPath(playDir).slice(0, -1), ...near, playDir].map((dir) =>
          path.join(dir, name)
        )
  const found = candidates.find(isDirectory)
  if (found) return found
  throw new PlaybookError(
    `the role '${name}' was not found in ${candidates.map((c) => path.dirname(c)).join(':')}. ` +
      `Put it under roles/${path.basename(name)}/ next to the playbook (with tasks/main.yml), or set ANSIBLE_ROLES_PATH`,
    location,
    true
  )
}

/**
 * The file a role keeps under `sub` (tasks, handlers, defaults, vars, meta) named `base` (default `main`):
 * base.yml, base.yaml, base.json or base, in that order. Undefined when the role has none.
 */
export function roleFile(roleDir: string, sub: string, base = 'main'): string | undefined {
  const stem = path.join(roleDir, sub, base)
  const names = path.extname(base) === '' ? ['.yml', '.yaml', '.json', ''] : ['']
  for (const ext of names) {
    const file = stem + ext
    if (existsSync(file) && !isDirectory(file)) return file
  }
  return undefined
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
