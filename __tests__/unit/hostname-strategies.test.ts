// The strategy the hostname module picks on targets this test bed is not (Red Hat's family, Alpine,
// Gentoo, SLES, systemd as init, an unknown distribution), as Ansible 2.14's module picks it: a scripted
// target answers the module's probe and records what the module then asks it to do.
import { describe, expect, it } from 'vitest'
import type { CommandResult, Connection } from '../../src/connection/connection.js'
import { runModuleOn } from '../helpers/module-harness.js'

const hex = (text: string): string => Buffer.from(text, 'utf8').toString('hex')
const FILES = [
  '/etc/hostname',
  '/etc/HOSTNAME',
  '/etc/myname',
  '/etc/sysconfig/network',
  '/etc/conf.d/hostname'
]

interface Target {
  osId: string
  version?: string
  systemd?: boolean
  files?: Record<string, string>
  transient?: string
  static?: string
}

/** What the module did: each action after its probe, with its arguments and stdin. */
interface Act {
  act: string
  args: string[]
  stdin?: string
}

function scripted(target: Target, acts: Act[]): Connection {
  const probe = (): string => {
    const lines = [
      'system=Linux',
      `os_id=${target.osId}`,
      `os_version=${target.version ?? ''}`,
      `node_hex=${hex('old')}`,
      `fqdn_hex=${hex('old.example.com')}`
    ]
    if (target.systemd) lines.push('systemd=1')
    FILES.forEach((file, n) => {
      const text = target.files?.[file]
      if (text === undefined) lines.push(`file${n}=none`)
      else lines.push(`file${n}=read`, `file${n}_hex=${hex(text)}`)
    })
    if (target.transient !== undefined) {
      lines.push('hostnamectl=/usr/bin/hostnamectl')
      lines.push('t_rc=0', `t_out_hex=${hex(`${target.transient}\n`)}`, 't_err_hex=')
      lines.push('s_rc=0', `s_out_hex=${hex(`${target.static ?? ''}\n`)}`, 's_err_hex=')
    }
    return [...lines, 'end=1', ''].join('\n')
  }
  const result = (stdout: string): CommandResult => ({
    code: 0,
    signal: null,
    stdout: Buffer.from(stdout),
    stderr: Buffer.alloc(0),
    timedOut: false
  })
  const connection = {
    host: 'scripted',
    async run(command: string, options: { stdin?: string | Buffer }): Promise<CommandResult> {
      // `/bin/sh -c '<script>' apb-hostname ACT ARGS…`: the words after the script's name.
      const words = command.slice(command.lastIndexOf(' apb-hostname ') + 14).split(' ')
      const [act, ...args] = words.map((word) => word.replace(/^'|'$/g, ''))
      if (act === 'probe') return result(probe())
      acts.push({
        act: act!,
        args,
        ...(options.stdin === undefined ? {} : { stdin: options.stdin.toString() })
      })
      return result(act === 'write-file' ? 'end=1\n' : 'rc=0\nout_hex=\nerr_hex=\nend=1\n')
    },
    async close(): Promise<void> {}
  }
  return connection as unknown as Connection
}

async function rename(target: Target, args: Record<string, unknown> = {}) {
  const acts: Act[] = []
  const { result } = await runModuleOn(
    'hostname',
    { name: 'new', ...args },
    { connect: async () => scripted(target, acts) }
  )
  return { result, acts }
}

describe('hostname strategies', () => {
  it('Debian and Ubuntu write /etc/hostname only', async () => {
    for (const osId of ['debian', 'ubuntu', 'raspbian']) {
      const { result, acts } = await rename({ osId, files: { '/etc/hostname': 'old\n' } })
      expect(acts).toEqual([{ act: 'write-file', args: ['new', '/etc/hostname'], stdin: 'new\n' }])
      expect(result).toMatchObject({
        changed: true,
        name: 'new',
        diff: { before: 'hostname = old\n', after: 'hostname = new\n' },
        ansible_facts: {
          ansible_hostname: 'new',
          ansible_nodename: 'new',
          ansible_fqdn: 'old.example.com',
          ansible_domain: 'example.com'
        }
      })
    }
  })

  it('is ok, writing nothing, when the file already has the name', async () => {
    const { result, acts } = await rename({ osId: 'debian', files: { '/etc/hostname': ' new \n' } })
    expect(acts).toEqual([])
    expect(result['changed']).toBe(false)
    expect(result['diff']).toBeUndefined()
  })

  it("Red Hat's family replaces the HOSTNAME line of /etc/sysconfig/network", async () => {
    const network = 'NETWORKING=yes\nHOSTNAME=old\nGATEWAY=10.0.0.1\n'
    for (const osId of ['rhel', 'centos', 'amzn']) {
      const { acts } = await rename({ osId, files: { '/etc/sysconfig/network': network } })
      expect(acts).toEqual([
        {
          act: 'write-file',
          args: ['new', '/etc/sysconfig/network'],
          stdin: 'NETWORKING=yes\nHOSTNAME=new\nGATEWAY=10.0.0.1\n'
        }
      ])
    }
    const missing = await rename({ osId: 'rhel', files: { '/etc/sysconfig/network': 'A=1\n' } })
    expect(missing.result).toMatchObject({
      failed: true,
      msg: 'Unable to locate HOSTNAME entry in /etc/sysconfig/network'
    })
  })

  it('Alpine sets the kernel name from /etc/hostname, then writes the file, as Ansible does', async () => {
    const { acts } = await rename({ osId: 'alpine', files: { '/etc/hostname': 'old\n' } })
    expect(acts.map((a) => a.act)).toEqual(['hostname-file', 'write-file'])
    expect(acts[1]).toEqual({ act: 'write-file', args: ['new', '/etc/hostname'], stdin: 'new\n' })
  })

  it('Gentoo rewrites the hostname= line of /etc/conf.d/hostname', async () => {
    const { acts } = await rename({
      osId: 'gentoo',
      files: { '/etc/conf.d/hostname': '# set it\n  hostname="old"\n' }
    })
    expect(acts).toEqual([
      {
        act: 'write-file',
        args: ['new', '/etc/conf.d/hostname'],
        stdin: '# set it\nhostname="new"\n'
      }
    ])
  })

  it('SLES 12 writes /etc/HOSTNAME; SLES 15 is a platform Ansible cannot rename', async () => {
    const twelve = await rename({ osId: 'sles', version: '12', files: { '/etc/HOSTNAME': 'old' } })
    expect(twelve.acts).toEqual([
      { act: 'write-file', args: ['new', '/etc/HOSTNAME'], stdin: 'new\n' }
    ])
    const fifteen = await rename({ osId: 'sles', version: '15.4' })
    expect(fifteen.result).toMatchObject({
      failed: true,
      msg: 'hostname module cannot be used on platform Linux (Sles)'
    })
  })

  it('where systemd runs the machine, hostnamectl sets the static name, then the transient one', async () => {
    const { result, acts } = await rename({
      osId: 'fedora',
      systemd: true,
      transient: 'old',
      static: 'old'
    })
    expect(acts.map((a) => [a.act, ...a.args])).toEqual([
      ['hostnamectl-static', 'new', ''],
      ['hostnamectl-transient', 'new', '']
    ])
    expect(result['changed']).toBe(true)
    const transientOnly = await rename({
      osId: 'debian',
      systemd: true,
      transient: 'old',
      static: 'new'
    })
    expect(transientOnly.acts.map((a) => a.act)).toEqual(['hostnamectl-transient'])
    expect(transientOnly.result['diff']).toEqual({
      before: 'hostname = old\n',
      after: 'hostname = new\n'
    })
  })

  it('use: debian is systemd, as in Ansible; a long name is refused there', async () => {
    const { acts } = await rename(
      { osId: 'debian', transient: 'old', static: 'old' },
      { use: 'debian' }
    )
    expect(acts.map((a) => a.act)).toEqual(['hostnamectl-static', 'hostnamectl-transient'])
    const long = await rename(
      { osId: 'debian', transient: 'old', static: 'old' },
      { use: 'systemd', name: 'x'.repeat(65) }
    )
    expect(long.result).toMatchObject({
      failed: true,
      msg: 'name cannot be longer than 64 characters on systemd servers, try a shorter name'
    })
    expect(long.acts).toEqual([])
  })

  it('an unknown distribution without systemd fails with Ansible message', async () => {
    const { result, acts } = await rename({ osId: 'fedora' })
    expect(result).toMatchObject({
      failed: true,
      msg: 'hostname module cannot be used on platform Linux (Fedora)'
    })
    expect(acts).toEqual([])
  })

  it('check mode reports the rename without acting', async () => {
    const acts: Act[] = []
    const { result } = await runModuleOn(
      'hostname',
      { name: 'new' },
      {
        connect: async () =>
          scripted({ osId: 'debian', files: { '/etc/hostname': 'old\n' } }, acts),
        flags: { check: true, diff: false }
      }
    )
    expect(result).toMatchObject({ changed: true, name: 'new' })
    expect(acts).toEqual([])
  })
})
