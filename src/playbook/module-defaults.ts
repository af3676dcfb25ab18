// The `module_defaults` keyword as loaded: each mapping checked and its keys resolved to the names the
// executor matches a task's module against (our canonical module names, `group/<fully qualified group>`).
import { PlaybookError, type SourceLocation } from '../errors.js'
import { isRecord } from '../values/records.js'
import {
  describe,
  isFullyQualified,
  resolveModuleName,
  type ModuleCatalog
} from './loader-support.js'
import type { ModuleDefaults } from './types.js'

/**
 * The action groups ansible.builtin defines (ansible/config/ansible_builtin_runtime.yml `action_groups`) and
 * the modules of ours each holds. `testgroup` holds ping; the others only extend groups of collections
 * (amazon.aws, community.docker, …) whose modules async-playbook does not run, so they hold none of ours.
 */
export const BUILTIN_ACTION_GROUPS: Readonly<Record<string, readonly string[]>> = {
  testgroup: ['ping'],
  testlegacy: [],
  aws: [],
  acme: [],
  azure: [],
  cpm: [],
  docker: [],
  gcp: [],
  k8s: [],
  os: [],
  ovirt: [],
  vmware: []
}

const MESSAGE =
  "The field 'module_defaults' is supposed to be a dictionary or list of dictionaries, the keys of which must be static action, module, or group names. Only the values may contain templates. For example: {'ping': \"{{ ping_defaults }}\"}"

/**
 * A `module_defaults` value (a mapping or a list of them) as Ansible 2.14 loads it: a group key names an
 * action group (`group/testgroup` is `group/ansible.builtin.testgroup`), a module key is resolved as a task's
 * action is (`file`, `ansible.builtin.file` and `ansible.legacy.file` are the same module, a later entry
 * replacing an earlier one). Values stay as written: they are templated when the task runs.
 */
export function loadModuleDefaults(
  value: unknown,
  catalog: ModuleCatalog,
  location: SourceLocation
): ModuleDefaults[] | undefined {
  if (value === undefined || value === null) return undefined
  const out: ModuleDefaults[] = []
  for (const entry of Array.isArray(value) ? value : [value]) {
    if (!isRecord(entry)) throw new PlaybookError(`${MESSAGE}; found ${describe(entry)}`, location)
    // Null-prototype: the keys are the user's.
    const resolved: ModuleDefaults = Object.create(null) as ModuleDefaults
    for (const [key, defaults] of Object.entries(entry)) {
      const name = key.startsWith('group/')
        ? `group/${groupName(key.slice('group/'.length), location)}`
        : moduleName(key, catalog, location)
      if (name !== undefined) resolved[name] = defaults
    }
    out.push(resolved)
  }
  return out
}

/** The fully qualified name of an action group we know, or a PlaybookError naming it. */
function groupName(written: string, location: SourceLocation): string {
  const full = isFullyQualified(written) ? written : `ansible.builtin.${written}`
  const [namespace, collection, ...rest] = full.split('.')
  const inBuiltin = namespace === 'ansible' && (collection === 'builtin' || collection === 'legacy')
  const group = rest.join('.')
  if (inBuiltin && Object.hasOwn(BUILTIN_ACTION_GROUPS, group)) return `ansible.builtin.${group}`
  if (inBuiltin)
    throw new PlaybookError(
      `Error loading module_defaults: could not resolve the module_defaults group ${full} (ansible.builtin's groups are ${Object.keys(BUILTIN_ACTION_GROUPS).join(', ')})`,
      location
    )
  throw new PlaybookError(
    `module_defaults group '${full}' is not supported: async-playbook knows only ansible.builtin's action groups (${Object.keys(BUILTIN_ACTION_GROUPS).join(', ')}), not those of the collection ${namespace}.${collection}. Set the defaults under each module's name instead`,
    location
  )
}

/**
 * The modules of ansible.builtin (2.14) that async-playbook does not run. Defaults set for them are
 * accepted and never apply, as for another collection's modules: a task using one is refused on its
 * own, and a role that only sets defaults for them still loads.
 */
const BUILTIN_MODULES_NOT_RUN: ReadonlySet<string> = new Set([
  'debconf',
  'dpkg_selections',
  'expect',
  'iptables',
  'known_hosts',
  'package_facts',
  'rpm_key',
  'service_facts',
  'subversion',
  'validate_argument_spec'
])

/**
 * The module a key names, as a task's action would resolve (module_defaults ignore the play's
 * `collections`, as in Ansible). A module of another collection that we do not run is left out: no task
 * of ours can run it (such a task is refused). A short or ansible.builtin name we do not know is refused
 * with Ansible's message, so a misspelt key is not silently useless.
 */
function moduleName(
  key: string,
  catalog: ModuleCatalog,
  location: SourceLocation
): string | undefined {
  const found = resolveModuleName(key, catalog)
  if (found !== undefined) return found
  if (isFullyQualified(key) && !/^ansible\.(builtin|legacy)\./.test(key)) return undefined
  if (BUILTIN_MODULES_NOT_RUN.has(key.replace(/^ansible\.(builtin|legacy)\./, ''))) return undefined
  throw new PlaybookError(
    `Could not resolve action ${key} in module_defaults: async-playbook has no module of that name (its modules are listed in its README). Fix the name, or remove the entry`,
    location
  )
}

/** The modules each group key holds (for the executor's merge). */
export function groupModules(groupKey: string): readonly string[] {
  const group = groupKey.slice('group/ansible.builtin.'.length)
  return Object.hasOwn(BUILTIN_ACTION_GROUPS, group) ? BUILTIN_ACTION_GROUPS[group]! : []
}
