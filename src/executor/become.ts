import {
  DEFAULT_BECOME_FLAGS,
  type BecomeIdentity,
  type BecomeSettings
} from '../connection/become.js'
import type { JobRegistry, KnownJob } from '../async/job-registry.js'
import { AsyncPlaybookError, OptionError } from '../errors.js'
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
  // Read as the `bool` filter reads a value, as this runner always has (so `y` and `t` do not turn become
  // on, where Ansible's option reader would): a value that is no boolean leaves become off.
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

/**
 * Readies a job handed over from an earlier run (--jobs, the `jobs` input, the post step's saved jobs) for
 * use. Its host must be in this run's inventory. It runs as the user and with the method its document
 * recorded, but always with this run's own become_exe and become_flags for the host
 * (`ansible_become_exe` / `ansible_become_flags` from the inventory or extra vars, else the method's): a
 * document never chooses the program that runs as another user and reads the become password. A job whose
 * recorded exe or flags differ from this run's is refused.
 * @param scope the host's variables in this run (throws for a host not in the inventory)
 * @throws OptionError naming the source, the host, the job and the field
 */
export function adoptHandedOverJob(
  job: KnownJob,
  scope: () => Record<string, unknown>,
  source: string
): void {
  const where = `${source}: job '${job.register ?? job.jid}' (${job.jid}) on host '${job.host}'`
  let vars: Record<string, unknown>
  try {
    vars = scope()
  } catch (error) {
    throw new OptionError(
      `${where}: this run's inventory has no host '${job.host}' (${error instanceof AsyncPlaybookError ? error.message : String(error)}); gather with the inventory the jobs were launched with`
    )
  }
  const recorded = job.documentBecome
  if (!recorded) return
  const method = recorded.method
  let own: { exe?: string; flags?: string }
  try {
    own = {
      exe: text(vars['ansible_become_exe']),
      flags: text(vars['ansible_become_flags'])
    }
  } catch (error) {
    throw new OptionError(
      `${where}: cannot read this run's become settings for the host (${(error as Error).message})`
    )
  }
  const ownExe = own.exe ?? method
  const ownFlags = own.flags ?? DEFAULT_BECOME_FLAGS[method]
  for (const [field, mine, theirs, variable] of [
    ['exe', ownExe, recorded.exe ?? method, 'ansible_become_exe'],
    ['flags', ownFlags, recorded.flags ?? DEFAULT_BECOME_FLAGS[method], 'ansible_become_flags']
  ] as const) {
    if (mine !== theirs) {
      throw new OptionError(
        `${where}: 'become.${field}' is ${JSON.stringify(theirs)}, but this run uses ${JSON.stringify(mine)} for ${method} on '${job.host}'. ` +
          `A jobs document never chooses what runs as another user: if the job really was launched with ${JSON.stringify(theirs)}, set ${variable} for the host in this run's inventory or extra vars`
      )
    }
  }
  job.become = {
    user: recorded.user,
    method,
    ...(ownExe !== method ? { exe: ownExe } : {}),
    ...(ownFlags !== DEFAULT_BECOME_FLAGS[method] ? { flags: ownFlags } : {})
  }
}

/**
 * adoptHandedOverJob for every handed-over job of a registry, before anything runs: one bad job refuses
 * the whole document.
 * @throws OptionError
 */
export function adoptHandedOverJobs(
  registry: JobRegistry,
  scopeOf: (host: string) => Record<string, unknown>,
  source: string
): void {
  for (const job of registry.allOutstanding())
    if (job.handedOver) adoptHandedOverJob(job, () => scopeOf(job.host), source)
}

function text(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined
  return typeof value === 'string' ? value : pythonStr(value)
}
