/**
 * `systemd` / `systemd_service`: a unit's state (started/stopped/restarted/reloaded), whether it starts
 * at boot (`enabled`), `masked`, and the manager's `daemon_reload` / `daemon_reexec`, through the
 * target's own systemctl, deciding as Ansible's systemd module does (learned from its documentation and
 * from running it against the same systemctl: see __tests__/helpers/systemctl-standin.sh). `status` is
 * the unit's `systemctl show` properties as a mapping. One round trip reads everything the decisions
 * need; a second makes the changes (a third only when masking and enabling change in one task).
 */
import type { ProbeAnswer } from '../facts/probe.js'
import source from './systemd-run.sh'
import { ModuleScript, scriptCall as call, type ScriptCall as Call } from './module-script.js'
import { type ModuleContext, type ModuleDefinition, type ModuleResult } from './module.js'

const SCRIPT = new ModuleScript('apb-systemd', source, 'systemd')

/** The arguments of the systemd module, as its spec gives them to `run`. */
export interface SystemdParams {
  name: string | null
  state: 'reloaded' | 'restarted' | 'started' | 'stopped' | null
  enabled: boolean | null
  force: boolean | null
  masked: boolean | null
  daemon_reload: boolean
  daemon_reexec: boolean
  scope: 'system' | 'user' | 'global'
  no_block: boolean
}

/** What one systemctl call gave. */
/**
 * `systemctl show`'s `KEY=value` lines as a mapping, as Ansible reads them: values are trimmed, and only
 * an `Exec…` value that opens with `{` and does not close on its line spans lines (up to one ending in
 * `}`). A single-line value that starts with `{` elsewhere (a Description) stays one line.
 */
export function parseSystemctlShow(text: string): Record<string, string> {
  const parsed = Object.create(null) as Record<string, string>
  let key: string | undefined
  let pending: string[] = []
  for (const line of text.split('\n')) {
    if (key === undefined) {
      const at = line.indexOf('=')
      if (at < 0) continue
      const name = line.slice(0, at)
      const value = line.slice(at + 1)
      if (
        name.startsWith('Exec') &&
        value.trimStart().startsWith('{') &&
        !value.trimEnd().endsWith('}')
      ) {
        key = name
        pending = [value]
        continue
      }
      parsed[name] = value.trim()
    } else {
      pending.push(line)
      if (line.trimEnd().endsWith('}')) {
        parsed[key] = pending.join('\n').trim()
        key = undefined
        pending = []
      }
    }
  }
  return parsed
}

/** Unit file states systemctl(1) lists for `is-enabled`: any of them means systemd knows the unit. */
const UNIT_FILE_STATES = new Set([
  'enabled',
  'enabled-runtime',
  'linked',
  'linked-runtime',
  'masked',
  'masked-runtime',
  'static',
  'indirect',
  'disabled',
  'generated',
  'transient'
])

/** systemctl refused to act (a unit in a chroot, or a system not booted with systemd). */
function requestIgnored(text: string): boolean {
  return (
    !text.includes('=') && (text.includes('ignoring request') || text.includes('ignoring command'))
  )
}

/** Runs systemd-run.sh with the task's environment (PATH finds systemctl) and a deadline. */
async function runScript(ctx: ModuleContext, args: readonly string[]): Promise<ProbeAnswer> {
  return SCRIPT.run(await ctx.connection(), args, {
    timeoutMs: ctx.timeoutMs,
    environment: ctx.environment
  })
}

function fail(msg: string, extra: ModuleResult = {}): ModuleResult {
  return { changed: false, failed: true, msg, ...extra }
}

function missing(unit: string): ModuleResult {
  return fail(`Could not find the requested service ${unit}: host`)
}

/** The words before systemd-run.sh's operation: scope, no_block, force. */
function flagsOf(p: SystemdParams): string[] {
  return [p.scope, p.no_block ? '1' : '0', p.force ? '1' : '0']
}

/** A glob in the unit's name, which the module refuses before reading anything. */
function globIn(unit: string | null): string | undefined {
  return unit === null ? undefined : ['*', '?', '['].find((glob) => unit.includes(glob))
}

/**
 * The read of the target runSystemd starts with, on its own: the service module starts it alongside
 * its own read when it does not know yet whether the host runs systemd (one round trip for both).
 * Undefined where runSystemd reads nothing (a glob in the name). It changes nothing on the target
 * unless `daemon_reload`/`daemon_reexec` are asked for.
 */
export function startSystemdProbe(
  ctx: ModuleContext,
  p: SystemdParams
): Promise<ProbeAnswer> | undefined {
  if (globIn(p.name) !== undefined) return undefined
  return runScript(ctx, [
    ...flagsOf(p),
    'probe',
    p.daemon_reload && !ctx.check ? '1' : '0',
    p.daemon_reexec && !ctx.check ? '1' : '0',
    p.name ?? '',
    p.masked !== null ? '1' : '0',
    p.enabled !== null ? '1' : '0'
  ])
}

/**
 * Carries out the systemd module's arguments on the target (the `service` module calls this too when
 * the target runs systemd, with the probe it may have started already: startSystemdProbe).
 */
export async function runSystemd(
  ctx: ModuleContext,
  p: SystemdParams,
  started?: Promise<ProbeAnswer>
): Promise<ModuleResult> {
  const unit = p.name
  const glob = globIn(unit)
  if (glob !== undefined) {
    return fail(
      `This module does not currently support using glob patterns, found '${glob}' in service name: ${unit!}`
    )
  }
  const flags = flagsOf(p)
  const probe = await (started ?? startSystemdProbe(ctx, p)!)
  if (probe.get('missing_tool') !== undefined) {
    const paths = probe.bytes('paths_hex')?.toString('utf8') ?? ''
    return fail(`Failed to find required executable "systemctl" in paths: ${paths}`)
  }
  for (const [key, verb] of [
    ['reload', 'daemon-reload'],
    ['reexec', 'daemon-reexec']
  ] as const) {
    const run = call(probe, key)
    if (run && run.rc !== 0) return fail(`failure ${run.rc} during ${verb}: ${run.err}`)
  }

  const result: ModuleResult = { name: unit, changed: false, status: {} }
  if (unit === null) return result

  let status = Object.create(null) as Record<string, string>
  let isSystemd = false
  const isInitd = probe.get('initd') === '1'
  const show = call(probe, 'show')!
  const busList = call(probe, 'bus_list')
  if (show.rc === 0 && !requestIgnored(show.out) && !requestIgnored(show.err)) {
    if (show.out !== '') {
      status = parseSystemctlShow(show.out)
      isSystemd = status['LoadState'] !== undefined && status['LoadState'] !== 'not-found'
      const isMasked = status['LoadState'] === 'masked'
      if (isSystemd && !isMasked && status['LoadError'] !== undefined) {
        return fail(`Error loading unit file '${unit}': ${status['LoadError']}`)
      }
    }
  } else if (busList) {
    status = parseSystemctlShow(show.out)
    const at = unit.indexOf('@')
    const search = at < 0 ? unit : unit.slice(0, at + 1)
    isSystemd = busList.out.includes(search)
    status['ActiveState'] = (call(probe, 'bus_active')?.out ?? '').replace(/\n+$/, '')
  } else {
    const fallback = call(probe, 'fb_enabled')!
    if (UNIT_FILE_STATES.has(fallback.out.trim())) {
      isSystemd = true
    } else if (call(probe, 'fb_list')!.rc === 0) {
      isSystemd = true
    } else {
      // Ansible runs bare systemctl and fails with its error when even that does not work.
      const bare = call(probe, 'bare')
      if (bare && bare.rc !== 0) {
        return fail(bare.err.trimEnd(), {
          cmd: `${probe.bytes('systemctl_hex')?.toString('utf8') ?? 'systemctl'}${optionWords(p)}`,
          rc: bare.rc,
          stdout: bare.out,
          stderr: bare.err,
          stdout_lines: lines(bare.out),
          stderr_lines: lines(bare.err)
        })
      }
    }
  }
  result['status'] = status
  const found = isSystemd || isInitd
  if (isInitd && !isSystemd) {
    ctx.warn(
      `The service (${unit}) is actually an init script but the system is managed by systemd`
    )
  }

  // Decide each change from what was read, as Ansible does, then make them in one more round trip.
  const ops: string[] = []
  let maskChanges = false
  if (p.masked !== null) {
    const masked = (call(probe, 'masked')?.out ?? '').trim() === 'masked'
    if (masked !== p.masked) {
      result['changed'] = true
      maskChanges = true
      // A failed (un)mask of a unit that exists is not an error: some systemd versions refuse it.
      ops.push(`${p.masked ? 'mask' : 'unmask'}:${found ? '0' : '1'}`)
    }
  }
  const enabledRead = call(probe, 'enabled')
  if (p.enabled !== null && !found) {
    return ctx.check || ops.length === 0 ? missing(unit) : flush(missing(unit))
  }
  /** Whether is-enabled's answer says enabled, as Ansible reads it. */
  const enabledFrom = (read: Call): boolean => {
    if (read.rc === 0) {
      const said = read.out.split(/\r?\n/).filter((line, i, all) => i < all.length - 1 || line)
      return !(said.length === 1 && (said[0] === 'indirect' || said[0] === 'alias'))
    }
    return (
      read.rc === 1 &&
      p.scope === 'system' &&
      isInitd &&
      !read.out.trim().endsWith('disabled') &&
      probe.get('sysv_enabled') === '1'
    )
  }
  /** The result's `enabled` (and `changed`) from an is-enabled read before the change `p.enabled`. */
  const reportEnabled = (read: Call): void => {
    const enabled = enabledFrom(read)
    result['enabled'] = enabled
    if (enabled !== p.enabled) {
      result['changed'] = true
      result['enabled'] = !enabled
    }
  }
  // Enabling is decided after masking (masking changes what is-enabled says): on the target, in the
  // same run as the masking, by the same rule (systemd-run.sh's enabled-if).
  const enableAfterMask = p.enabled !== null && maskChanges && !ctx.check
  if (enableAfterMask) {
    const rc1 = p.scope === 'system' && isInitd && probe.get('sysv_enabled') === '1'
    ops.push(`enabled-if:${p.enabled ? '1' : '0'}:${rc1 ? '1' : '0'}`)
    // Its place among the result's fields; its value comes from the run's read.
    result['enabled'] = p.enabled
  } else if (p.enabled !== null && enabledRead) {
    reportEnabled(enabledRead)
    if (enabledFrom(enabledRead) !== p.enabled) ops.push(`${p.enabled ? 'enable' : 'disable'}:1`)
  }
  let stateVerb: string | undefined
  if (p.state !== null) {
    if (!found) return ctx.check || ops.length === 0 ? missing(unit) : flush(missing(unit))
    result['state'] = p.state
    if (status['ActiveState'] !== undefined) {
      const active = status['ActiveState']
      const running = active === 'active' || active === 'activating'
      if (p.state === 'started') {
        if (!running) stateVerb = 'start'
      } else if (p.state === 'stopped') {
        if (running || active === 'deactivating') stateVerb = 'stop'
      } else {
        stateVerb = running ? p.state.slice(0, -2) : 'start'
        result['state'] = 'started'
      }
      if (stateVerb) {
        result['changed'] = true
        ops.push(`${stateVerb}:1`)
      }
    } else if (probe.get('chroot') === '1' || probe.get('offline') === '1') {
      ctx.warn(
        'Target is a chroot or systemd is offline. This can lead to false positives or prevent the init system tools from working.'
      )
    } else {
      return ctx.check || ops.length === 0
        ? fail('Service is in unknown state', { status })
        : flush(fail('Service is in unknown state', { status }))
    }
  }
  if (ctx.check || ops.length === 0) return result
  return flush(result)

  /** Makes the decided changes, and answers `done` unless one of them fails. */
  async function flush(done: ModuleResult): Promise<ModuleResult> {
    const acted = await runScript(ctx, [...flags, 'act', unit!, '0', ...ops])
    const failedAt = acted.int('act_failed')
    if (failedAt === undefined) {
      const read = call(acted, 'enabled')
      if (done === result && enableAfterMask && read) reportEnabled(read)
      return done
    }
    const op = ops[failedAt - 1]!
    const verb = acted.get(`act_${failedAt}_verb`) ?? op.slice(0, op.indexOf(':'))
    const run = call(acted, `act_${failedAt}`)!
    if (verb === 'mask' || verb === 'unmask') return missing(unit!)
    if (verb === 'enable' || verb === 'disable') {
      return fail(`Unable to ${verb} service ${unit!}: ${run.out}${run.err}`)
    }
    return fail(`Unable to ${verb} service ${unit!}: ${run.err}`)
  }
}

/** The options Ansible adds to its systemctl command line, as they appear in its `cmd`. */
function optionWords(p: SystemdParams): string {
  return `${p.scope === 'system' ? '' : ` --${p.scope}`}${p.no_block ? ' --no-block' : ''}${p.force ? ' --force' : ''}`
}

function lines(text: string): string[] {
  const all = text.split('\n')
  if (all[all.length - 1] === '') all.pop()
  return all
}

export const systemdModule: ModuleDefinition = {
  name: 'systemd',
  supportsCheckMode: true,
  args: {
    options: {
      name: { type: 'str', aliases: ['service', 'unit'] },
      state: { type: 'str', choices: ['reloaded', 'restarted', 'started', 'stopped'] },
      enabled: { type: 'bool' },
      force: { type: 'bool' },
      masked: { type: 'bool' },
      daemon_reload: { type: 'bool', default: false, aliases: ['daemon-reload'] },
      daemon_reexec: { type: 'bool', default: false, aliases: ['daemon-reexec'] },
      scope: { type: 'str', default: 'system', choices: ['system', 'user', 'global'] },
      no_block: { type: 'bool', default: false }
    },
    requiredOneOf: [['state', 'enabled', 'masked', 'daemon_reload', 'daemon_reexec']],
    requiredBy: { state: ['name'], enabled: ['name'], masked: ['name'] }
  },
  run(ctx) {
    return runSystemd(ctx, systemdParams(ctx.args))
  }
}

/** The systemd module's parameters from validated arguments (absent ones are null, as in Ansible). */
export function systemdParams(args: Record<string, unknown>): SystemdParams {
  const opt = <T>(key: string): T | null => (args[key] ?? null) as T | null
  return {
    name: opt<string>('name'),
    state: opt<SystemdParams['state']>('state'),
    enabled: opt<boolean>('enabled'),
    force: opt<boolean>('force'),
    masked: opt<boolean>('masked'),
    daemon_reload: args['daemon_reload'] === true,
    daemon_reexec: args['daemon_reexec'] === true,
    scope: (args['scope'] ?? 'system') as SystemdParams['scope'],
    no_block: args['no_block'] === true
  }
}

/** `systemd_service`: the same module under its newer name (ansible-core ships both). */
export const systemdServiceModule: ModuleDefinition = { ...systemdModule, name: 'systemd_service' }
