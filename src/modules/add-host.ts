// add_host: a host (and its groups and variables) for the rest of the run. The module only describes the
// host, as Ansible's action does; the executor adds it to the run's inventory and says whether that changed
// anything (task-dispatch.ts). Runs once per play on the first host, as Ansible's bypass of the host loop.
import { pythonClass } from './arg-types.js'
import { ModuleArgumentError, type ModuleDefinition } from './module.js'
import { isRecord } from '../values/records.js'

// Its refusals are Ansible's AnsibleActionFail: `failed`, `msg` and `changed: false`.

/** The arguments that name the host and its groups; every other one is a host variable. */
const SPECIAL = new Set(['name', 'hostname', 'groupname', 'groups'])

/**
 * `name:port` (or `[v6]:port`, `1.2.3.4:port`) as Ansible's parse_address reads a host: the name and
 * its port, if any.
 */
export function splitHostPort(text: string): { name: string; port?: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text)
  if (bracketed) return { name: bracketed[1]!, ...portOf(bracketed[2]) }
  const colons = text.split(':').length - 1
  if (colons === 1) {
    const match = /^([^:]+):(\d+)$/.exec(text)
    if (match) return { name: match[1]!, ...portOf(match[2]) }
  }
  return { name: text }
}

function portOf(digits: string | undefined): { port?: number } {
  return digits === undefined ? {} : { port: Number(digits) }
}

/**
 * `add_host`: `name` (or `hostname`/`host`, `name:port`), `groups` (or `group`/`groupname`; a list or
 * comma-separated text), any other argument a host variable. The result carries `add_host` as Ansible's.
 */
export const addHostModule: ModuleDefinition = {
  name: 'add_host',
  supportsCheckMode: true,
  local: true,
  bypassHostLoop: true,
  args: { side: 'action', unknown: 'any', options: {} },
  async run(ctx) {
    let args: Record<string, unknown> = { ...ctx.args }
    const raw = args['_raw_params'] ?? {}
    delete args['_raw_params']
    if (!isRecord(raw))
      throw new ModuleArgumentError(
        `Invalid raw parameters passed, requires a dictonary/mapping got a  <class '${pythonClass(raw)}'>`
      )
    args = { ...raw, ...args }
    const given = args['name'] ?? args['hostname'] ?? args['host']
    if (given === undefined || given === null)
      throw new ModuleArgumentError('name, host or hostname needs to be provided')
    const { name, port } = splitHostPort(String(given))
    if (port !== undefined) args['ansible_ssh_port'] = port
    const groupsRaw = args['groupname'] ?? args['groups'] ?? args['group'] ?? ''
    let list: unknown[]
    if (Array.isArray(groupsRaw)) list = groupsRaw
    else if (typeof groupsRaw === 'string') list = groupsRaw === '' ? [] : groupsRaw.split(',')
    else if (!groupsRaw) list = []
    else throw new ModuleArgumentError('Groups must be specified as a list.')
    const groups: string[] = []
    // As Ansible: duplicates are compared before the names are stripped.
    for (const group of list) {
      const text = String(group)
      if (!groups.includes(text)) groups.push(text.trim())
    }
    const hostVars: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(args)) if (!SPECIAL.has(key)) hostVars[key] = value
    return { changed: false, add_host: { host_name: name, groups, host_vars: hostVars } }
  }
}
