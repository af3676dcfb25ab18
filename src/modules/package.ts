import { factsFor } from '../facts/index.js'
import { handOff } from './invoke.js'
import type { ModuleDefinition, ModuleResult } from './module.js'
import { MODULES } from './registry.js'

/** The package fact's front end → the module Ansible's pkg_mgr fact names for it. */
const MANAGER_MODULES: Record<string, string> = {
  'apt-get': 'apt',
  dnf: 'dnf',
  yum: 'yum',
  zypper: 'zypper',
  apk: 'apk',
  pacman: 'pacman'
}

/** The package managers Ansible's pkg_mgr fact can name (each has a module in Ansible's collections). */
const PACKAGE_MANAGER_MODULES: ReadonlySet<string> = new Set([
  'apt',
  'dnf',
  'dnf5',
  'yum',
  'zypper',
  'apk',
  'pacman',
  'pkgng',
  'portage',
  'pkg5',
  'openbsd_pkg',
  'swdepot',
  'urpmi',
  'pkgin',
  'homebrew',
  'macports',
  'installp',
  'sorcery',
  'xbps',
  'svr4pkg',
  'opkg',
  'swupd',
  'rpm_ostree_pkg'
])

/**
 * `package`: runs the module of the target's package manager with the task's arguments (less `use`),
 * as Ansible's package action does: `use` names it, else the `ansible_facts.pkg_mgr` fact where facts
 * were gathered, else the package fact (which front end the target has: apt-get means `apt`). A manager
 * whose module async-playbook does not have is refused naming the module.
 */
export const packageModule: ModuleDefinition = {
  name: 'package',
  supportsCheckMode: true,
  args: {
    options: {
      use: { type: 'str', default: 'auto' },
      name: { type: 'raw' },
      state: { type: 'str' }
    },
    side: 'action',
    unknown: 'any'
  },
  async run(ctx) {
    let use = String(ctx.args['use'] ?? 'auto')
    if (use === 'auto') {
      const facts = ctx.vars['ansible_facts']
      const fromFacts =
        facts !== null && typeof facts === 'object'
          ? (facts as Record<string, unknown>)['pkg_mgr']
          : undefined
      if (typeof fromFacts === 'string' && fromFacts !== '') use = fromFacts
    }
    if (use === 'auto') {
      const state = await factsFor(ctx).packages([])
      use = state.manager ? (MANAGER_MODULES[state.manager] ?? state.manager) : 'auto'
    }
    if (use === 'auto') {
      return failure(
        'Could not detect which package manager to use. Try gathering facts or setting the "use" option.'
      )
    }
    const short = use.replace(/^ansible\.(builtin|legacy)\./, '')
    const module = MODULES.get(short)
    if (!module || module === packageModule) {
      // A manager Ansible has a module for, that async-playbook does not: say so (Ansible would run it).
      if (PACKAGE_MANAGER_MODULES.has(short))
        return failure(
          `Could not find a module for ${use}: the target's package manager is ${short}, and async-playbook has no ${short} module; install with the command module, or set "use" to a package module async-playbook has`
        )
      return failure(`Could not find a module for ${use}.`)
    }
    const args: Record<string, unknown> = Object.create(null) as Record<string, unknown>
    for (const [key, value] of Object.entries(ctx.task.args)) if (key !== 'use') args[key] = value
    // As Ansible's package action: the module_defaults of the module it hands the task to go under the
    // task's arguments.
    const given: Record<string, unknown> = Object.create(null) as Record<string, unknown>
    for (const [key, value] of Object.entries(ctx.moduleDefaults?.(module.name) ?? {}))
      given[key] = value
    for (const [key, value] of Object.entries(ctx.args)) {
      if (key === 'use') continue
      // The options declared here have no defaults: only those given are passed on.
      if ((key === 'name' || key === 'state') && value === undefined) continue
      given[key] = value
    }
    return handOff(module, ctx, given, args, short)
  }
}

function failure(msg: string): ModuleResult {
  return { failed: true, msg }
}
