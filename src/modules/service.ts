/**
 * `service`: starts, stops, restarts or reloads a service and sets whether it starts at boot, through
 * the init system the target runs, as Ansible's service action does: the service manager comes from
 * the facts (`ansible_facts.service_mgr`, read from the target when not gathered) or `use:`; systemd
 * hosts get the systemd module's logic (systemd.ts), others Ansible's service module on Linux: sysvinit
 * scripts in /etc/init.d run through `service` (or the script itself), `enabled` through update-rc.d's
 * S links. OpenRC, upstart, insserv and chkconfig are refused by name: they are not tested here.
 * One round trip reads the state (the status action, or `ps` for `pattern`); a second changes it.
 */
import { shlexSplit } from '../connection/shell-quote.js'
import type { ProbeAnswer } from '../facts/probe.js'
import serviceManager from '../facts/service-mgr.sh'
import source from './service-run.sh'
import { ModuleScript, scriptCall as call, type ScriptCall as Call } from './module-script.js'
import {
  ModuleArgumentError,
  type ModuleContext,
  type ModuleDefinition,
  type ModuleResult
} from './module.js'
import { runSystemd, startSystemdProbe, type SystemdParams } from './systemd.js'
import { runSysvinit, sysvinitModule, sysvinitParams } from './sysvinit.js'
import { validateArgs } from './arg-spec.js'

const SCRIPT = new ModuleScript('apb-service', `${serviceManager}\n${source}`, 'service')

/** Options Ansible's service action drops, with a warning, when it hands the task to systemd. */
const NOT_FOR_SYSTEMD = ['pattern', 'runlevel', 'sleep', 'arguments', 'args'] as const

async function runScript(
  ctx: ModuleContext,
  args: readonly string[],
  stdin?: string
): Promise<ProbeAnswer> {
  // The task's environment is the module's (PATH finds the tools); the service command itself runs
  // with only the locale, as Ansible runs it.
  return SCRIPT.run(await ctx.connection(), args, {
    timeoutMs: ctx.timeoutMs,
    stdin: stdin ?? '',
    environment: ctx.environment
  })
}

function fail(msg: string): ModuleResult {
  return { changed: false, failed: true, msg }
}

/** The service manager named in the host's gathered facts, if any. */
function factsServiceManager(vars: Record<string, unknown>): string | undefined {
  const facts = vars['ansible_facts']
  if (facts && typeof facts === 'object') {
    const mgr = (facts as Record<string, unknown>)['service_mgr']
    if (typeof mgr === 'string' && mgr !== '') return mgr
  }
  return undefined
}

/** The running state the status action's answer means, as Ansible's service module reads it on Linux. */
export function runningFromStatus(name: string, status: Call): boolean | undefined {
  if ([1, 2, 3, 4, 69].includes(status.rc)) return false
  const out = status.out
  if ((out.match(/\n/g) ?? []).length <= 1) {
    const clean = out.toLowerCase().split(name.toLowerCase()).join('')
    if (clean.includes('stop')) return false
    if (clean.includes('run')) return !clean.includes('not ')
    if (clean.includes('start') && !clean.includes('not ')) return true
    for (const dead of [
      'could not access pid file',
      'is dead and pid file exists',
      'dead but subsys locked',
      'dead but pid file exists'
    ]) {
      if (clean.includes(dead)) return false
    }
  }
  if (status.rc === 0) return true
  if (name === 'iptables' && out.includes('ACCEPT')) return true
  return undefined
}

export const serviceModule: ModuleDefinition = {
  name: 'service',
  supportsCheckMode: true,
  args: {
    options: {
      name: { type: 'str', required: true },
      state: { type: 'str', choices: ['started', 'stopped', 'reloaded', 'restarted'] },
      sleep: { type: 'int' },
      pattern: { type: 'str' },
      enabled: { type: 'bool' },
      runlevel: { type: 'str', default: 'default' },
      arguments: { type: 'str', default: '', aliases: ['args'] }
    },
    // `use` is the action's, not the module's: Ansible never lists it.
    hidden: ['use'],
    requiredOneOf: [['state', 'enabled']],
    reportedAs: 'ansible.legacy.service'
  },
  async run(ctx) {
    const use = String(ctx.args['use'] ?? 'auto').toLowerCase()
    const name = ctx.args['name'] as string
    const state = (ctx.args['state'] ?? null) as
      'started' | 'stopped' | 'reloaded' | 'restarted' | null
    const enabled = (ctx.args['enabled'] ?? null) as boolean | null
    const pattern = (ctx.args['pattern'] ?? null) as string | null
    const sleep = (ctx.args['sleep'] ?? null) as number | null
    const words = shlexSplit(String(ctx.args['arguments'] ?? ''))

    const factsManager = use === 'auto' ? factsServiceManager(ctx.vars) : use
    const routed = factsManager === undefined ? undefined : route(ctx, factsManager)
    if (routed) return routed
    // Without facts, systemd's read starts alongside ours (it changes nothing): on a systemd host the
    // state is then read in one round trip, as with facts; elsewhere its answer is dropped.
    const systemdProbe =
      factsManager === undefined ? startSystemdProbe(ctx, systemdParams(ctx)) : undefined
    // Whatever happens to it where it is not used, it never becomes an unhandled rejection.
    systemdProbe?.catch(() => undefined)
    // Read the host's state (and its service manager when the facts do not say) in one round trip.
    const probe = await runScript(
      ctx,
      [
        'probe',
        name,
        state !== null ? '1' : '0',
        pattern ? '1' : '0',
        enabled !== null ? '1' : '0',
        ...words
      ],
      pattern ?? ''
    )
    if (factsManager === undefined) {
      const detected = route(
        ctx,
        probe.bytes('service_mgr_hex')?.toString('utf8') ?? 'service',
        systemdProbe
      )
      if (detected) return detected
      // Not systemd: its read ends before anything changes (no command of ours left running).
      await systemdProbe?.catch(() => undefined)
    }
    return runLinuxService(ctx, probe, { name, state, enabled, pattern, sleep, words })
  }
}

/**
 * The module Ansible's service action hands the task to for service manager `manager`: systemd's logic,
 * a refusal for the managers whose own modules we lack, or undefined for the service module itself.
 */
function route(
  ctx: ModuleContext,
  manager: string,
  systemdProbe?: Promise<ProbeAnswer>
): Promise<ModuleResult> | undefined {
  if (manager === 'systemd') {
    const defaults = Object.keys(ctx.moduleDefaults?.('systemd') ?? {})
    if (defaults.length > 0)
      throw new ModuleArgumentError(
        `service: module_defaults for systemd (${defaults.join(', ')}) would reach this task on ${ctx.host}, whose service manager is systemd, as Ansible's service action applies them; async-playbook does not apply them here yet. Use the systemd module for this task, or set the options on it`
      )
    for (const option of NOT_FOR_SYSTEMD) {
      if (Object.hasOwn(ctx.task.args ?? {}, option)) {
        ctx.displayWarning(`Ignoring "${option}" as it is not used in "systemd"`)
      }
    }
    return runSystemd(ctx, systemdParams(ctx), systemdProbe)
  }
  if (manager === 'sysvinit') return sysvinitFromService(ctx)
  if (manager === 'openwrt_init') {
    throw new ModuleArgumentError(
      `service: the service manager of ${ctx.host} is ${manager}, for which Ansible runs its ${manager} module; async-playbook does not implement it yet. Set \`use: service\` to drive the service through the service command and /etc/init.d as Ansible's service module does`
    )
  }
  return undefined
}

/**
 * The sysvinit module on a service task's arguments (those the task gave, `use` aside), as Ansible's
 * service action hands them over: validated against sysvinit's own spec (its options, its defaults).
 */
async function sysvinitFromService(ctx: ModuleContext): Promise<ModuleResult> {
  const given: Record<string, unknown> = {}
  for (const key of Object.keys(ctx.task.args ?? {}))
    if (key !== 'use' && Object.hasOwn(ctx.args, key)) given[key] = ctx.args[key]
  const checked = validateArgs(sysvinitModule.args, given, { action: 'ansible.legacy.sysvinit' })
  if (checked.error !== undefined) return { changed: false, failed: true, msg: checked.error }
  return runSysvinit(ctx, sysvinitParams(checked.args))
}

/** The systemd module's arguments for a service task, as Ansible's service action hands them over. */
function systemdParams(ctx: ModuleContext): SystemdParams {
  return {
    name: ctx.args['name'] as string,
    state: (ctx.args['state'] ?? null) as SystemdParams['state'],
    enabled: (ctx.args['enabled'] ?? null) as boolean | null,
    force: null,
    masked: null,
    daemon_reload: false,
    daemon_reexec: false,
    scope: 'system',
    no_block: false
  }
}

interface LinuxServiceParams {
  name: string
  state: 'started' | 'stopped' | 'reloaded' | 'restarted' | null
  enabled: boolean | null
  pattern: string | null
  sleep: number | null
  words: string[]
}

/** Ansible's service module on Linux, for hosts not run by systemd: sysvinit through update-rc.d. */
async function runLinuxService(
  ctx: ModuleContext,
  probe: ProbeAnswer,
  p: LinuxServiceParams
): Promise<ModuleResult> {
  const tool = (name: string): string | undefined =>
    probe.bytes(`tool_${name.replace(/[^a-z]/g, '_')}_hex`)?.toString('utf8')
  const initscript = probe.get('initscript') === '1'
  if (probe.get('systemd') === '1') {
    throw new ModuleArgumentError(
      `service: ${ctx.host} has systemd's runtime directory but another service manager; Ansible's service module would drive systemctl here, which async-playbook does not do through \`service\`: set \`use: systemd\``
    )
  }
  if (tool('initctl') && probe.get('upstart_conf') === '1') {
    throw new ModuleArgumentError(
      `service: ${p.name} is an upstart job on ${ctx.host} (initctl); async-playbook does not drive upstart`
    )
  }
  if (tool('rc-service')) {
    throw new ModuleArgumentError(
      `service: ${ctx.host} runs OpenRC (rc-service, rc-update); async-playbook does not drive OpenRC yet: use a command task (rc-service ${p.name} start, rc-update add ${p.name})`
    )
  }
  let enableTool: 'update-rc.d' | 'insserv' | 'chkconfig' | undefined
  if (initscript) {
    if (tool('update-rc.d')) enableTool = 'update-rc.d'
    else if (tool('insserv')) enableTool = 'insserv'
    else if (tool('chkconfig')) enableTool = 'chkconfig'
  }
  if (enableTool === undefined) return fail(`Could not find the requested service ${p.name}: host`)
  const svcKind = tool('service') ? 'service' : 'script'

  const ops: string[] = []
  let changed = false
  if (p.enabled !== null) {
    if (enableTool !== 'update-rc.d') {
      throw new ModuleArgumentError(
        `service: enabling ${p.name} on ${ctx.host} needs update-rc.d; async-playbook does not drive ${enableTool}`
      )
    }
    const isEnabled = probe.get('slinks') === '1'
    if (p.enabled !== isEnabled) {
      changed = true
      if (p.enabled && probe.get('klinks') !== '1') ops.push('updrc:defaults')
      ops.push(`updrc:${p.enabled ? 'enable' : 'disable'}`)
    }
  }
  const result: ModuleResult = { name: p.name }
  if (p.enabled !== null) result['enabled'] = p.enabled
  if (p.state === null) {
    result['changed'] = changed
    if (!ctx.check && ops.length > 0) {
      const failure = await act(ctx, p, svcKind, ops)
      if (failure) return failure
    }
    return result
  }

  let running: boolean | undefined
  if (p.pattern) {
    const seen = probe.get('ps_running')
    running = seen === undefined ? undefined : seen === '1'
  } else {
    const status = call(probe, 'status')
    running = status ? runningFromStatus(p.name, status) : undefined
  }
  if (running === undefined) {
    // Ansible has already changed the boot links when it finds it cannot tell the state.
    const failure = !ctx.check && ops.length > 0 ? await act(ctx, p, svcKind, ops) : undefined
    return failure ?? fail('failed determining service state, possible typo of service name?')
  }
  const stateChanges =
    (!running && (p.state === 'reloaded' || p.state === 'started')) ||
    (running && (p.state === 'reloaded' || p.state === 'stopped')) ||
    p.state === 'restarted'
  if (ctx.check && stateChanges) return { changed: true, msg: 'service state changed' }
  if (stateChanges) {
    if (p.state === 'restarted') {
      ops.push('ctl:stop')
      if (p.sleep) ops.push(`sleep:${p.sleep}`)
      ops.push('ctl:start')
    } else if (p.state === 'started' || (p.state === 'reloaded' && !running)) {
      ops.push('ctl:start')
    } else {
      ops.push(p.state === 'stopped' ? 'ctl:stop' : 'ctl:reload')
    }
  }
  if (!ctx.check && ops.length > 0) {
    const failure = await act(ctx, p, svcKind, ops)
    if (failure) return failure
  }
  result['changed'] = changed || stateChanges
  result['state'] = p.state === 'stopped' ? 'stopped' : 'started'
  return result
}

/** Runs `ops` in one round trip; answers the failed result Ansible gives, if one fails. */
async function act(
  ctx: ModuleContext,
  p: LinuxServiceParams,
  svcKind: string,
  ops: readonly string[]
): Promise<ModuleResult | undefined> {
  const answer = await runScript(ctx, [
    'act',
    p.name,
    svcKind,
    String(ops.length),
    ...ops,
    ...p.words
  ])
  const failedAt = answer.int('act_failed')
  if (failedAt !== undefined) {
    const run = call(answer, `act_${failedAt}`)!
    return fail(run.err !== '' ? run.err : run.out)
  }
  const controls = ops
    .map((op, i) => ({ op, run: call(answer, `act_${i + 1}`) }))
    .filter((entry) => entry.op.startsWith('ctl:'))
  if (controls.length === 0) return undefined
  let rc: number
  let out: string
  let err: string
  if (controls.length === 2) {
    // A restart is a stop then a start: a failed stop does not count when the start worked.
    const [stop, start] = [controls[0]!.run!, controls[1]!.run!]
    if (stop.rc !== 0 && start.rc === 0) {
      ;({ rc, out, err } = start)
    } else {
      rc = stop.rc + start.rc
      out = stop.out + start.out
      err = stop.err + start.err
    }
  } else {
    ;({ rc, out, err } = controls[0]!.run!)
  }
  if (rc !== 0 && !(err !== '' && err.includes('Job is already running'))) {
    return fail(err !== '' ? err : out)
  }
  return undefined
}
