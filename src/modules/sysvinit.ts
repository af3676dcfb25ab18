/**
 * `sysvinit`: a SysV init service's state and its start links, as Ansible's sysvinit module decides them;
 * also what `service` runs on a host whose service manager is sysvinit (facts or `use: sysvinit`), as
 * Ansible's service action hands it the task. One round trip reads the script, the tools, the S links
 * (in every runlevel, or in each of `runlevels`) and the state (the status action read as Ansible reads
 * it, or `ps` for `pattern`); a second, only when something differs, runs update-rc.d (or chkconfig) and
 * the script's action. The result is Ansible's: `name`, `changed` and `status`, keyed by `enabled` and by
 * the state asked for (`null` when none was), each with the `changed`, `rc`, `stdout` and `stderr` of
 * what ran for it.
 */
import { shlexSplit } from '../connection/shell-quote.js'
import type { ProbeAnswer } from '../facts/probe.js'
import { ModuleScript, scriptCall } from './module-script.js'
import type { ModuleContext, ModuleDefinition, ModuleResult } from './module.js'
import source from './sysvinit.sh'

const SCRIPT = new ModuleScript('apb-sysvinit', source, 'sysvinit')

type SysvState = 'started' | 'stopped' | 'restarted' | 'reloaded'

/** The sysvinit module's parameters (as its argument spec gives them). */
export interface SysvinitParams {
  name: string
  state: SysvState | null
  enabled: boolean | null
  sleep: number | null
  pattern: string | null
  arguments: string | null
  runlevels: string[] | null
}

export const sysvinitModule: ModuleDefinition = {
  name: 'sysvinit',
  supportsCheckMode: true,
  args: {
    options: {
      name: { type: 'str', required: true, aliases: ['service'] },
      state: { type: 'str', choices: ['started', 'stopped', 'restarted', 'reloaded'] },
      enabled: { type: 'bool' },
      sleep: { type: 'int', default: 1 },
      pattern: { type: 'str' },
      arguments: { type: 'str', aliases: ['args'] },
      runlevels: { type: 'list', elements: 'str' },
      daemonize: { type: 'bool', default: false }
    },
    requiredOneOf: [['state', 'enabled']]
  },
  run(ctx) {
    return runSysvinit(ctx, sysvinitParams(ctx.args))
  }
}

/** The parameters from arguments validated against the module's spec. */
export function sysvinitParams(args: Record<string, unknown>): SysvinitParams {
  return {
    name: args['name'] as string,
    state: (args['state'] ?? null) as SysvState | null,
    enabled: (args['enabled'] ?? null) as boolean | null,
    sleep: (args['sleep'] ?? null) as number | null,
    pattern: (args['pattern'] ?? null) as string | null,
    arguments: (args['arguments'] ?? null) as string | null,
    runlevels: (args['runlevels'] ?? null) as string[] | null
  }
}

interface Outcome {
  changed: boolean
  rc: number | null
  stdout: string | null
  stderr: string | null
}

function unchanged(): Outcome {
  return { changed: false, rc: null, stdout: null, stderr: null }
}

/** The state the status action's answer means, as Ansible's sysvinit module reads it (undefined: cannot tell). */
export function sysvRunning(name: string, rc: number, out: string): boolean | undefined {
  if (name === 'iptables' && out.includes('ACCEPT')) return true
  if ((out.match(/\n/g) ?? []).length <= 1) {
    const clean = out.toLowerCase().split(name.toLowerCase()).join('')
    for (const stopped of [
      'stop',
      'is dead ',
      'dead but ',
      'could not access pid file',
      'inactive'
    ])
      if (clean.includes(stopped)) return false
    for (const started of ['run', 'start', 'active'])
      if (clean.includes(started) && !clean.includes('not ')) return true
  }
  if ([1, 2, 3, 4, 69].includes(rc)) return false
  return undefined
}

/** Ansible's sysvinit module on the task's host. */
export async function runSysvinit(ctx: ModuleContext, p: SysvinitParams): Promise<ModuleResult> {
  const script = p.name.startsWith('/') ? p.name : `/etc/init.d/${p.name}`
  const connection = await ctx.connection()
  const options = { timeoutMs: ctx.timeoutMs, environment: ctx.environment }
  const probe: ProbeAnswer = await SCRIPT.run(
    connection,
    ['probe', p.name, script, p.pattern ? '1' : '0', ...(p.runlevels ?? [])],
    { ...options, stdin: p.pattern ?? '' }
  )
  if (probe.get('exists') !== '1') {
    return { changed: false, failed: true, msg: `Could not find the requested service ${p.name}: ` }
  }
  const tool = (name: string): string | undefined =>
    probe.bytes(`tool_${name.replace(/[^a-z]/g, '_')}_hex`)?.toString('utf8')

  let running: boolean
  if (p.pattern) {
    running = probe.get('ps_pattern') === '1'
  } else {
    const status = scriptCall(probe, 'status')
    if (!status && !tool('service')) {
      return { changed: false, failed: true, msg: 'Unable to determine service status' }
    }
    let read = status ? sysvRunning(p.name, status.rc, status.out) : undefined
    if (read === undefined && status?.rc === 0) read = true
    if (read === undefined && probe.get('ps_name') === '1') {
      read = true
      ctx.displayWarning(
        'Used ps output to match service name and determine it is up, this is very unreliable'
      )
    }
    if (read === undefined) {
      ctx.displayWarning('Unable to determine if service is up, assuming it is down')
    }
    running = read === true
  }

  const result: ModuleResult = { name: p.name, changed: false, status: {} }
  const status = result['status'] as Record<string, unknown>
  const enabledOutcome: Outcome & { runlevels?: string[] } = unchanged()
  const enableCommand: string[] = []
  const updateRcd = tool('update-rc.d')
  const chkconfig = tool('chkconfig')
  if (p.runlevels) {
    enabledOutcome.runlevels = p.runlevels
    for (const level of p.runlevels) {
      const on = probe.get(`enabled_${Buffer.from(level).toString('hex')}`) === '1'
      if (p.enabled !== on) enabledOutcome.changed = true
    }
    if (enabledOutcome.changed) {
      if (updateRcd)
        enableCommand.push(updateRcd, p.name, p.enabled ? 'enable' : 'disable', ...p.runlevels)
      else if (chkconfig)
        enableCommand.push(
          chkconfig,
          '--level',
          p.runlevels.join(''),
          p.name,
          p.enabled ? 'on' : 'off'
        )
    }
  } else if (p.enabled !== null && p.enabled !== (probe.get('enabled') === '1')) {
    enabledOutcome.changed = true
    if (updateRcd) enableCommand.push(updateRcd, p.name, p.enabled ? 'defaults' : 'disable')
    else if (chkconfig) enableCommand.push(chkconfig, p.name, p.enabled ? 'on' : 'off')
  }
  if (enabledOutcome.changed) result['changed'] = true
  status['enabled'] = enabledOutcome

  const stateKey = p.state ?? 'null'
  const stateOutcome = unchanged()
  status[stateKey] = stateOutcome
  const steps: string[][] = []
  if (p.state !== null) {
    const action = p.state.replace(/p?ed$/, '')
    const words = shlexSplit(p.arguments ?? '')
    if (action === 'restart') {
      steps.push([script, 'stop', ...words], [script, 'start', ...words])
    } else if (running !== (action === 'start') || running === (action === 'stop')) {
      steps.push([script, action, ...words])
    }
    if (steps.length > 0) {
      stateOutcome.changed = true
      result['changed'] = true
    }
  }
  if (ctx.check || (enableCommand.length === 0 && steps.length === 0)) return result

  // One round trip: the links, then the script's action(s), each followed by `sleep` for a restart.
  const ops: string[] = []
  if (enableCommand.length > 0) ops.push(`run:${enableCommand.length}`, ...enableCommand)
  for (const step of steps) {
    ops.push(`run:${step.length}`, ...step)
    if (steps.length > 1 && p.sleep) ops.push(`sleep:${p.sleep}`)
  }
  const answer = await SCRIPT.run(connection, ['act', ...ops], options)
  let index = 1
  if (enableCommand.length > 0) {
    const ran = scriptCall(answer, `act_${index++}`)
    if (ran) {
      Object.assign(enabledOutcome, { rc: ran.rc, stdout: ran.out, stderr: ran.err })
      if (ran.err.includes('illegal runlevel specified')) {
        return {
          ...result,
          failed: true,
          msg: `Illegal runlevel specified for enable operation on service ${p.name}`
        }
      }
    }
  }
  let last: ReturnType<typeof scriptCall>
  for (let i = 0; i < steps.length; i++) {
    const ran = scriptCall(answer, `act_${index++}`)
    if (!ran) break
    last = ran
    if (ran.rc !== 0) {
      const action = p.state!.replace(/p?ed$/, '')
      return {
        failed: true,
        msg: `Failed to ${action} service: ${p.name}`,
        rc: ran.rc,
        stdout: ran.out,
        stderr: ran.err
      }
    }
  }
  if (last) Object.assign(stateOutcome, { rc: last.rc, stdout: last.out, stderr: last.err })
  return result
}
