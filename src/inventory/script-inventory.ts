// Executable inventory files (dynamic inventory scripts), run on the controller only when the run allows it
// (--allow-inventory-scripts / the allow-inventory-scripts input), read as Ansible's script plugin reads them.
import { execFileSync } from 'node:child_process'
import { targetEnvironment } from '../connection/local-connection.js'
import { InventoryError } from '../errors.js'
import type { InventoryData } from './inventory-data.js'
import { isRecord } from '../values/records.js'

/** How long one `--list` or `--host` call of an inventory script may take. */
const SCRIPT_DEADLINE_MS = 5 * 60 * 1000

/**
 * Runs `file --list` (argv, no shell) and adds its groups, hosts and variables: each group a list of hosts
 * or a mapping of `hosts`, `vars` and `children` (a mapping with none of them is a host of that name with
 * those variables), host variables from `_meta.hostvars`, or, without `_meta`, from `file --host NAME`.
 * @throws InventoryError naming the script and what went wrong (exit code and stderr, or the bad JSON)
 */
export function readInventoryScript(file: string, shown: string, data: InventoryData): void {
  const listed = runScript(file, shown, ['--list'])
  let parsed: unknown
  try {
    parsed = JSON.parse(listed)
  } catch (error) {
    throw new InventoryError(
      `failed to parse executable inventory script results from ${shown}: ${(error as Error).message}`
    )
  }
  if (!isRecord(parsed))
    throw new InventoryError(
      `failed to parse executable inventory script results from ${shown}: needs to be a json dict`
    )
  const hosts = new Set<string>()
  let hostvars: unknown = undefined
  for (const [group, value] of Object.entries(parsed)) {
    if (group === '_meta') {
      if (isRecord(value) && 'hostvars' in value) hostvars = value['hostvars']
      continue
    }
    readGroup(group, value, file, shown, data, hosts)
  }
  if (hostvars !== undefined && !isRecord(hostvars))
    throw new InventoryError(
      `Improperly formatted host information in ${shown}: _meta.hostvars must be a mapping of host names`
    )
  for (const host of hosts) {
    let vars: unknown
    // Own keys only: a host named `constructor` or `toString` has no variables there, not Object's.
    if (hostvars !== undefined) vars = Object.hasOwn(hostvars, host) ? (hostvars[host] ?? {}) : {}
    else {
      const out = runScript(file, shown, ['--host', host])
      try {
        vars = out.trim() === '' ? {} : JSON.parse(out)
      } catch {
        throw new InventoryError(`could not parse post variable response: ${shown} --host ${host}`)
      }
    }
    if (!isRecord(vars))
      throw new InventoryError(
        `Improperly formatted host information for ${host} in ${shown}: expected a mapping`
      )
    for (const [key, value] of Object.entries(vars))
      data.setHostVar(host, safeKey(key, shown), value)
  }
}

function readGroup(
  name: string,
  raw: unknown,
  file: string,
  shown: string,
  data: InventoryData,
  hosts: Set<string>
): void {
  data.addGroup(name)
  let group: Record<string, unknown>
  if (!isRecord(raw)) group = { hosts: raw }
  else if (!['hosts', 'vars', 'children'].some((key) => key in raw))
    group = { hosts: [name], vars: raw }
  else group = raw
  if ('hosts' in group) {
    const list = group['hosts']
    if (!Array.isArray(list))
      throw new InventoryError(
        `You defined a group '${name}' with bad data for the host list (in ${shown}): expected a list`
      )
    for (const host of list) {
      const hostName = String(host)
      hosts.add(hostName)
      data.addHost(hostName, name, undefined, file)
    }
  }
  if ('vars' in group) {
    const vars = group['vars']
    if (!isRecord(vars))
      throw new InventoryError(
        `You defined a group '${name}' with bad data for variables (in ${shown}): expected a mapping`
      )
    for (const [key, value] of Object.entries(vars))
      data.setGroupVar(name, safeKey(key, shown), value)
  }
  if ('children' in group) {
    const children = group['children']
    if (!Array.isArray(children))
      throw new InventoryError(
        `group '${name}' in ${shown}: 'children' must be a list of group names`
      )
    for (const child of children) {
      data.addGroup(String(child))
      data.addChildGroup(name, String(child))
    }
  }
}

function runScript(file: string, shown: string, args: string[]): string {
  try {
    return execFileSync(file, args, {
      encoding: 'utf8',
      timeout: SCRIPT_DEADLINE_MS,
      killSignal: 'SIGKILL',
      maxBuffer: 64 * 1024 * 1024,
      // The runner's environment without the action's inputs (secrets among them), saved state and tokens,
      // as every local command gets it (SECURITY.md).
      env: targetEnvironment(process.env),
      stdio: ['ignore', 'pipe', 'pipe']
    })
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string; status?: number | null }
    if (failure.code === 'ETIMEDOUT')
      throw new InventoryError(
        `Inventory script (${shown}) did not finish within ${SCRIPT_DEADLINE_MS / 1000} s`
      )
    if (typeof failure.status === 'number')
      throw new InventoryError(
        `Inventory script (${shown}) had an execution error (exit code ${failure.status}): ${String(
          failure.stderr ?? ''
        )
          .trim()
          .slice(-2000)}`
      )
    throw new InventoryError(`problem running ${shown} ${args.join(' ')} (${failure.message})`)
  }
}

/** A variable name from a script's JSON; `__proto__` would reach an object's prototype, not a variable. */
function safeKey(key: string, shown: string): string {
  if (key === '__proto__')
    throw new InventoryError(
      `inventory script ${shown} gives a variable named __proto__, which is not a valid name`
    )
  return key
}
