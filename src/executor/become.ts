import {
  DEFAULT_BECOME_FLAGS,
  type BecomeIdentity,
  type BecomeSettings
} from '../connection/become.js'
import { ModuleArgumentError } from '../modules/module.js'
import { becomeMethodProblem, canonicalBecomeMethod } from '../playbook/playbook-loader.js'
import type { BecomeKeywords } from '../playbook/types.js'
import { pythonStr, toBoolean, type Templar } from '../template/index.js'

/** Become settings from the command line (-b, --become-user, --become-method, -K) or the action's inputs. */
export interface BecomeDefaults {
  enabled?: boolean
  user?: string
  method?: string
  /** The become password: -K, ASYNC_PLAYBOOK_BECOME_PASSWORD, or the `become-password` input. */
  password?: string
}

/** The connection variables for each become setting, in the order Ansible reads them. */
const VARIABLES = {
  become: ['ansible_become'],
  becomeUser: ['ansible_become_user'],
  becomeMethod: ['ansible_become_method'],
  becomeFlags: ['ansible_become_flags'],
  becomeExe: ['ansible_become_exe']
} as const satisfies Record<keyof BecomeKeywords, readonly string[]>

const PASSWORD_VARIABLES = ['ansible_become_password', 'ansible_become_pass']

/**
 * Whether and how a task runs under become on a host, with Ansible's precedence: the defaults (-b,
 * --become-user, …) < play keywords < task keywords < the connection variables (`ansible_become*`,
 * from inventory, vars or -e), which win over keywords as in Ansible. Undefined: no become.
 * @param keywords the task's keywords first, then the play's
 * @throws ModuleArgumentError for a value that cannot be used (unsupported method, empty user)
 */
export function resolveBecome(
  keywords: ReadonlyArray<BecomeKeywords | undefined>,
  scope: Record<string, unknown>,
  templar: Templar,
  defaults: BecomeDefaults = {}
): BecomeSettings | undefined {
  const pick = (field: keyof BecomeKeywords): unknown => {
    for (const name of VARIABLES[field]) {
      const value = scope[name]
      if (value !== undefined && value !== null) return value
    }
    for (const set of keywords) {
      const value = set?.[field]
      if (value !== undefined && value !== null) return templar.render(value, scope)
    }
    return undefined
  }
  const enabled = pick('become')
  if (!(enabled === undefined ? defaults.enabled === true : toBoolean(enabled))) return undefined
  const methodRaw = text(pick('becomeMethod')) ?? defaults.method ?? 'sudo'
  const method = canonicalBecomeMethod(methodRaw)
  if (!method) throw new ModuleArgumentError(becomeMethodProblem(methodRaw)!)
  const user = text(pick('becomeUser')) ?? defaults.user ?? 'root'
  if (/[\0\n]/.test(user)) {
    throw new ModuleArgumentError(`become_user must be a user name, got ${JSON.stringify(user)}`)
  }
  const exe = text(pick('becomeExe'))
  const flags = text(pick('becomeFlags'))
  const password = becomePassword(scope, defaults)
  return {
    user,
    method,
    ...(exe !== undefined && exe !== method ? { exe } : {}),
    ...(flags !== undefined && flags !== DEFAULT_BECOME_FLAGS[method] ? { flags } : {}),
    ...(password !== undefined ? { password } : {})
  }
}

/** The become password for a host: ansible_become_password / ansible_become_pass, else the defaults'. */
export function becomePassword(
  scope: Record<string, unknown>,
  defaults: BecomeDefaults = {}
): string | undefined {
  for (const name of PASSWORD_VARIABLES) {
    const value = text(scope[name])
    if (value !== undefined) return value
  }
  return defaults.password === '' ? undefined : defaults.password
}

/** Settings for running as a remembered identity (an async job's), with the host's current password. */
export function settingsFor(
  identity: BecomeIdentity | undefined,
  scope: Record<string, unknown>,
  defaults: BecomeDefaults = {}
): BecomeSettings | undefined {
  if (!identity) return undefined
  const password = becomePassword(scope, defaults)
  return { ...identity, ...(password !== undefined ? { password } : {}) }
}

function text(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined
  return typeof value === 'string' ? value : pythonStr(value)
}
