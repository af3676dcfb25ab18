import { ProbeAnswer } from '../facts/probe.js'
import script from './hostname.sh'
import { ModuleScript } from './module-script.js'
import {
  ModuleArgumentError,
  type ModuleContext,
  type ModuleDefinition,
  type ModuleResult
} from './module.js'

/** The files the probe reads, in its order (file0 …). */
const FILES = [
  '/etc/hostname',
  '/etc/HOSTNAME',
  '/etc/myname',
  '/etc/sysconfig/network',
  '/etc/conf.d/hostname'
] as const
type StrategyFile = (typeof FILES)[number]

type Strategy =
  | { kind: 'systemd' }
  | { kind: 'file'; file: StrategyFile }
  | { kind: 'alpine' }
  | { kind: 'redhat' }
  | { kind: 'openrc' }
  | { kind: 'unimplemented' }

/** Ansible's `use` values, and the strategy each names. */
const USE: Record<string, Strategy | 'refused'> = {
  alpine: { kind: 'alpine' },
  debian: { kind: 'systemd' },
  freebsd: 'refused',
  generic: 'refused',
  macos: 'refused',
  macosx: 'refused',
  darwin: 'refused',
  openbsd: { kind: 'file', file: '/etc/myname' },
  openrc: { kind: 'openrc' },
  redhat: { kind: 'redhat' },
  sles: { kind: 'file', file: '/etc/HOSTNAME' },
  solaris: 'refused',
  systemd: { kind: 'systemd' }
}

/** Linux distributions (Ansible's capitalised os-release ID) and the strategy Ansible picks for each. */
const REDHAT_LIKE = [
  'Redhat',
  'Centos',
  'Anolis',
  'Cloudlinuxserver',
  'Cloudlinux',
  'Alinux',
  'Scientific',
  'Oracle',
  'Virtuozzo',
  'Amazon',
  'Altlinux',
  'Eurolinux'
]
const DEBIAN_LIKE = [
  'Debian',
  'Kylin',
  'Cumulus-linux',
  'Kali',
  'Parrot',
  'Ubuntu',
  'Linuxmint',
  'Linaro',
  'Devuan',
  'Raspbian',
  'Uos',
  'Deepin',
  'Neon',
  'Void',
  'Pop'
]

/** Python's OSError text for what sh said when it could not open a file for writing. */
const ERRNO: ReadonlyArray<[RegExp, string]> = [
  [/Permission denied/, '[Errno 13] Permission denied'],
  [/No such file or directory|Directory nonexistent/, '[Errno 2] No such file or directory'],
  [/Read-only file system/, '[Errno 30] Read-only file system'],
  [/Is a directory/, '[Errno 21] Is a directory'],
  [/No space left/, '[Errno 28] No space left on device']
]

/**
 * `hostname`: sets the target's host name with the strategy Ansible's module picks: `use`, else
 * systemd's `hostnamectl` where systemd runs the machine, else by distribution (/etc/hostname on Debian
 * and Ubuntu and their kin, /etc/sysconfig/network on Red Hat's family, /etc/conf.d/hostname on Gentoo,
 * /etc/hostname and `hostname -F` on Alpine, /etc/HOSTNAME on SLES 10–12, /etc/myname with `use:
 * openbsd`). As in Ansible, the file strategies change only the file (the kernel's name follows at the
 * next boot), `changed` is true when either name differs, and the result has `name`, the hostname facts
 * and a diff. `use: freebsd`, `solaris`, `macos`/`darwin` and `generic` are refused (not implemented).
 * One round trip to read, one more per change; check mode.
 */
export const hostnameModule: ModuleDefinition = {
  name: 'hostname',
  supportsCheckMode: true,
  args: {
    options: {
      name: { type: 'str', required: true },
      // In Ansible's order, which its message lists.
      use: { type: 'str', choices: Object.keys(USE) }
    }
  },
  async run(ctx) {
    const name = ctx.args['name'] as string
    const use = ctx.args['use'] as string | null | undefined
    const fromUse = use === null || use === undefined ? undefined : USE[use]
    if (fromUse === 'refused') {
      throw new ModuleArgumentError(
        `hostname: use=${use} is not supported by async-playbook (it drives Linux targets: leave use out, or use systemd, debian, redhat, alpine, openrc, sles or openbsd)`
      )
    }
    const wantsSystemd = fromUse === undefined || fromUse.kind === 'systemd'
    const probe = await runScript(ctx, ['probe', wantsSystemd ? '1' : '0'])
    const strategy = fromUse ?? detect(probe)
    const fail = (msg: string): ModuleResult => ({ changed: false, failed: true, msg })
    if (strategy.kind === 'unimplemented') {
      const system = probe.get('system') ?? 'Linux'
      const id = capitalize(probe.get('os_id') ?? '')
      const distribution = system === 'Linux' ? distributionName(id) : id
      return fail(
        `hostname module cannot be used on platform ${distribution ? `${system} (${distribution})` : system}`
      )
    }

    const file = (path: StrategyFile): { state: string; text: string } => {
      const n = FILES.indexOf(path)
      return {
        state: probe.get(`file${n}`) ?? 'none',
        text: probe.bytes(`file${n}_hex`)?.toString('utf8') ?? ''
      }
    }

    let current: string
    let permanent: string | null
    if (strategy.kind === 'systemd') {
      if (probe.get('hostnamectl') === undefined) {
        return fail(
          `Failed to find required executable "hostnamectl" in paths: ${probe.bytes('path_hex')?.toString('utf8') ?? ''}`
        )
      }
      const transient = commandOutput(probe, 't_')
      if (transient.rc !== 0) return fail(commandFailed(transient))
      const stat = commandOutput(probe, 's_')
      if (stat.rc !== 0) return fail(commandFailed(stat))
      current = transient.out.trim()
      permanent = stat.out.trim()
    } else if (strategy.kind === 'redhat') {
      const network = file('/etc/sysconfig/network')
      const line = network.text
        .split(/\r\n|\r|\n/)
        .map((l) => l.trim())
        .find((l) => l.startsWith('HOSTNAME'))
      if (line === undefined)
        return fail('Unable to locate HOSTNAME entry in /etc/sysconfig/network')
      const parts = line.split('=')
      if (parts.length !== 2) {
        return fail(
          `failed to read hostname: ${parts.length < 2 ? `not enough values to unpack (expected 2, got ${parts.length})` : 'too many values to unpack (expected 2)'}`
        )
      }
      permanent = current = parts[1]!.trim()
    } else if (strategy.kind === 'openrc') {
      const conf = file('/etc/conf.d/hostname')
      permanent = ''
      if (conf.state !== 'none') {
        const line = conf.text
          .split(/\r\n|\r|\n/)
          .map((l) => l.trim())
          .find((l) => l.startsWith('hostname='))
        permanent = line === undefined ? null : line.slice(10).replace(/^"+|"+$/g, '')
      }
      current = permanent ?? ''
    } else {
      const path = strategy.kind === 'alpine' ? '/etc/hostname' : strategy.file
      const state = file(path)
      permanent = current = state.state === 'read' ? state.text.trim() : ''
    }

    if (
      strategy.kind === 'systemd' &&
      name.length > 64 &&
      (current !== name || permanent !== name)
    ) {
      return fail('name cannot be longer than 64 characters on systemd servers, try a shorter name')
    }

    const changed = current !== name || permanent !== name
    if (changed && !ctx.check) {
      const failure = await apply(ctx, strategy, name, current, permanent, file)
      if (failure !== undefined) return fail(failure)
    }
    const before = name !== current ? current : (permanent ?? 'None')
    const fqdn = probe.bytes('fqdn_hex')?.toString('utf8') ?? ''
    const result: ModuleResult = {
      changed,
      name,
      ansible_facts: {
        ansible_hostname: name.split('.')[0],
        ansible_nodename: name,
        ansible_fqdn: fqdn,
        ansible_domain: fqdn.split('.').slice(1).join('.')
      }
    }
    if (changed) {
      result['diff'] = { after: `hostname = ${name}\n`, before: `hostname = ${before}\n` }
    }
    return result
  }
}

/** Sets the names that differ, in the strategy's order; returns Ansible's message when that fails. */
async function apply(
  ctx: ModuleContext,
  strategy: Exclude<Strategy, { kind: 'unimplemented' }>,
  name: string,
  current: string,
  permanent: string | null,
  file: (path: StrategyFile) => { state: string; text: string }
): Promise<string | undefined> {
  const tool = async (act: string, path = ''): Promise<string | undefined> => {
    const answer = await runScript(ctx, [act, name, path])
    if (answer.get('missing_tool') !== undefined) {
      return `Failed to find required executable "hostname" in paths: ${answer.bytes('path_hex')?.toString('utf8') ?? ''}`
    }
    const run = commandOutput(answer, '')
    return run.rc === 0 ? undefined : commandFailed(run)
  }
  const write = async (path: string, text: string): Promise<string | undefined> => {
    const answer = await runScript(ctx, ['write-file', name, path], text)
    const error = answer.bytes('write_error_hex')?.toString('utf8')
    if (error === undefined) return undefined
    const known = ERRNO.find(([pattern]) => pattern.test(error))
    return `failed to update hostname: ${known ? `${known[1]}: '${path}'` : error.trim()}`
  }
  switch (strategy.kind) {
    case 'systemd':
      // The permanent name first, as Ansible does (NetworkManager complains otherwise).
      if (permanent !== name) {
        const failure = await tool('hostnamectl-static')
        if (failure !== undefined) return failure
      }
      return current !== name ? tool('hostnamectl-transient') : undefined
    case 'alpine': {
      // Ansible sets the kernel's name from the file before it writes the new name into it.
      const failure = await tool('hostname-file', '/etc/hostname')
      if (failure !== undefined) return failure
      return write('/etc/hostname', `${name}\n`)
    }
    case 'file':
      return write(strategy.file, `${name}\n`)
    case 'redhat': {
      const text = file('/etc/sysconfig/network').text
      let found = false
      const lines = (text.match(/[^\n]*\n|[^\n]+$/g) ?? []).map((line) => {
        if (!line.trim().startsWith('HOSTNAME')) return line
        found = true
        return `HOSTNAME=${name}\n`
      })
      if (!found) lines.push(`HOSTNAME=${name}\n`)
      return write('/etc/sysconfig/network', lines.join(''))
    }
    case 'openrc': {
      const lines = file('/etc/conf.d/hostname')
        .text.split('\n')
        .map((line) => line.trim())
      if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop()
      const at = lines.findIndex((line) => line.startsWith('hostname='))
      if (at >= 0) lines[at] = `hostname="${name}"`
      return write('/etc/conf.d/hostname', `${lines.join('\n')}\n`)
    }
  }
}

/** The strategy Ansible picks without `use`: systemd where it runs the machine, else by distribution. */
function detect(probe: ProbeAnswer): Strategy {
  if (probe.get('system') !== 'Linux') return { kind: 'unimplemented' }
  if (probe.get('systemd') === '1') return { kind: 'systemd' }
  const distribution = distributionName(capitalize(probe.get('os_id') ?? ''))
  if (REDHAT_LIKE.includes(distribution)) return { kind: 'redhat' }
  if (DEBIAN_LIKE.includes(distribution)) return { kind: 'file', file: '/etc/hostname' }
  if (distribution === 'Gentoo') return { kind: 'openrc' }
  if (distribution === 'Alpine') return { kind: 'alpine' }
  if (distribution === 'Sles') {
    const version = Number(probe.get('os_version') ?? '')
    if (version >= 10 && version <= 12) return { kind: 'file', file: '/etc/HOSTNAME' }
  }
  return { kind: 'unimplemented' }
}

/** Ansible's distribution name from the capitalised os-release ID. */
function distributionName(id: string): string {
  if (id === 'Amzn') return 'Amazon'
  if (id === 'Rhel') return 'Redhat'
  return id === '' ? 'OtherLinux' : id
}

/** Python's str.capitalize(): the first character upper case, the rest lower. */
function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1).toLowerCase()
}

function commandOutput(
  answer: ProbeAnswer,
  prefix: string
): { rc: number; out: string; err: string } {
  return {
    rc: answer.int(`${prefix}rc`) ?? 1,
    out: answer.bytes(`${prefix}out_hex`)?.toString('utf8') ?? '',
    err: answer.bytes(`${prefix}err_hex`)?.toString('utf8') ?? ''
  }
}

function commandFailed(run: { rc: number; out: string; err: string }): string {
  return `Command failed rc=${run.rc}, out=${run.out}, err=${run.err}`
}

const SCRIPT = new ModuleScript('apb-hostname', script, 'hostname')

async function runScript(ctx: ModuleContext, argv: string[], stdin?: string): Promise<ProbeAnswer> {
  return SCRIPT.run(await ctx.connection(), argv, {
    timeoutMs: ctx.timeoutMs,
    environment: ctx.environment,
    ...(stdin === undefined ? {} : { stdin })
  })
}
