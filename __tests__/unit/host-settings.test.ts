import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  connectionSettingsFromVars,
  type ConnectionDefaults
} from '../../src/connection/host-settings.js'
import { OptionError } from '../../src/errors.js'

const DEFAULTS: ConnectionDefaults = { hostKeyChecking: 'strict', connectTimeoutMs: 10_000 }

function settingsFor(
  vars: Record<string, unknown>,
  defaults: Partial<ConnectionDefaults> = {},
  host = 'web1'
) {
  return connectionSettingsFromVars(host, (name) => vars[name], { ...DEFAULTS, ...defaults })
}

function optionError(fn: () => unknown): OptionError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(OptionError)
    return error as OptionError
  }
  throw new Error('expected an OptionError')
}

describe('connectionSettingsFromVars', () => {
  it('connects to the inventory name on port 22 over ssh when nothing is set', () => {
    const s = settingsFor({})
    expect(s).toMatchObject({
      host: 'web1',
      transport: 'ssh',
      address: 'web1',
      port: 22,
      hostKeyChecking: 'strict',
      connectTimeoutMs: 10_000
    })
    expect(s.user).toBeUndefined()
  })

  it('reads ansible_host, ansible_port, ansible_user, key and password', () => {
    const s = settingsFor({
      ansible_host: '10.0.0.5',
      ansible_port: '2222',
      ansible_user: 'deploy',
      ansible_ssh_private_key_file: '/keys/id_ed25519',
      ansible_password: 's3cret'
    })
    expect(s).toMatchObject({
      host: 'web1',
      address: '10.0.0.5',
      port: 2222,
      user: 'deploy',
      privateKeyPath: '/keys/id_ed25519',
      password: 's3cret'
    })
  })

  it('accepts the older ansible_ssh_* spellings', () => {
    const s = settingsFor({
      ansible_ssh_host: '10.0.0.6',
      ansible_ssh_port: 2200,
      ansible_ssh_user: 'old',
      ansible_ssh_pass: 'pw'
    })
    expect(s).toMatchObject({ address: '10.0.0.6', port: 2200, user: 'old', password: 'pw' })
  })

  it('lets inventory variables override command-line defaults', () => {
    const s = settingsFor({ ansible_user: 'inv', ansible_port: 2022 }, { user: 'cli', port: 2000 })
    expect(s.user).toBe('inv')
    expect(s.port).toBe(2022)
    expect(settingsFor({}, { user: 'cli', port: 2000 })).toMatchObject({ user: 'cli', port: 2000 })
  })

  it('expands ~ in the private key path', () => {
    const s = settingsFor({ ansible_private_key_file: '~/.ssh/id_rsa' })
    expect(s.privateKeyPath).toBe(path.join(os.homedir(), '.ssh/id_rsa'))
  })

  it('uses the local transport for ansible_connection=local', () => {
    expect(settingsFor({ ansible_connection: 'local' }).transport).toBe('local')
    expect(settingsFor({ ansible_connection: 'smart' }).transport).toBe('ssh')
  })

  it('refuses an unsupported ansible_connection, naming the host and the choices', () => {
    const error = optionError(() => settingsFor({ ansible_connection: 'winrm' }))
    expect(error.message).toContain('web1')
    expect(error.message).toContain("'winrm' is not supported")
    expect(error.message).toContain("'ssh' or 'local'")
  })

  it.each(['0', '70000', 'ssh', '22.5', '-1'])('refuses ansible_port %j', (port) => {
    const error = optionError(() => settingsFor({ ansible_port: port }))
    expect(error.message).toContain('web1')
    expect(error.message).toContain('1-65535')
    expect(error.message).toContain(`'${port}'`)
  })

  it('reads ansible_ssh_timeout in seconds', () => {
    expect(settingsFor({ ansible_ssh_timeout: '3' }).connectTimeoutMs).toBe(3000)
    expect(settingsFor({ ansible_timeout: 'soon' }).connectTimeoutMs).toBe(10_000)
  })

  it('turns host key checking off from ansible_host_key_checking', () => {
    expect(settingsFor({ ansible_host_key_checking: false }).hostKeyChecking).toBe('off')
    expect(settingsFor({ ansible_host_key_checking: 'False' }).hostKeyChecking).toBe('off')
    expect(
      settingsFor({ ansible_host_key_checking: true }, { hostKeyChecking: 'off' }).hostKeyChecking
    ).toBe('strict')
  })
})

describe('ansible_ssh_common_args', () => {
  it('reads accept-new from StrictHostKeyChecking and ansible_host_key_checking', () => {
    expect(
      settingsFor({ ansible_ssh_common_args: '-o StrictHostKeyChecking=accept-new' })
        .hostKeyChecking
    ).toBe('accept-new')
    expect(settingsFor({ ansible_host_key_checking: 'accept-new' }).hostKeyChecking).toBe(
      'accept-new'
    )
    expect(settingsFor({}, { hostKeyChecking: 'accept-new' }).hostKeyChecking).toBe('accept-new')
  })

  it('reads pinned fingerprints from a list or a string, normalized', () => {
    const a = 'SHA256:' + 'A'.repeat(43)
    const b = 'SHA256:' + 'b+/'.repeat(14) + 'c'
    expect(
      settingsFor({ ansible_ssh_host_key_fingerprints: [a, `sha256:${b.slice(7)}=`] })
        .hostKeyFingerprints
    ).toEqual([a, b])
    expect(
      settingsFor({ ansible_ssh_host_key_fingerprints: `${a}, ${b}` }).hostKeyFingerprints
    ).toEqual([a, b])
    expect(
      settingsFor({ ansible_ssh_jump_host_key_fingerprints: a }).jumpHostKeyFingerprints
    ).toEqual([a])
    expect(settingsFor({}).hostKeyFingerprints).toBeUndefined()
  })

  it('refuses a pin that is not a SHA256 fingerprint, saying how to get one', () => {
    const error = optionError(() =>
      settingsFor({ ansible_ssh_host_key_fingerprints: 'MD5:aa:bb:cc' })
    )
    expect(error.message).toContain('host web1: ansible_ssh_host_key_fingerprints')
    expect(error.message).toContain("'MD5:aa:bb:cc' is not a SHA256 host key fingerprint")
    expect(error.message).toContain('ssh-keygen -lf')
  })

  it('honours -o StrictHostKeyChecking=no', () => {
    const s = settingsFor({ ansible_ssh_common_args: '-o StrictHostKeyChecking=no' })
    expect(s.hostKeyChecking).toBe('off')
  })

  it('honours -oStrictHostKeyChecking=yes written without a space', () => {
    const s = settingsFor(
      { ansible_ssh_common_args: '-oStrictHostKeyChecking=yes' },
      { hostKeyChecking: 'off' }
    )
    expect(s.hostKeyChecking).toBe('strict')
  })

  it('reads UserKnownHostsFile, and /dev/null as "no known hosts"', () => {
    const file = settingsFor({
      ansible_ssh_common_args: '-o UserKnownHostsFile=/etc/ssh/kh -o StrictHostKeyChecking=no'
    })
    expect(file.knownHostsPath).toBe('/etc/ssh/kh')
    expect(file.hostKeyChecking).toBe('off')
    const devNull = settingsFor(
      { ansible_ssh_common_args: '-o UserKnownHostsFile=/dev/null' },
      { knownHostsPath: '/home/u/.ssh/known_hosts' }
    )
    expect(devNull.knownHostsPath).toBeUndefined()
    expect(devNull.knownHosts).toBe('')
  })

  it('reads Port, User, IdentityFile and ConnectTimeout options', () => {
    const s = settingsFor({
      ansible_ssh_extra_args:
        '-o Port=2201 -o User=ops -o "IdentityFile=/k/id" -o ConnectTimeout=4 -o ServerAliveInterval=5'
    })
    expect(s).toMatchObject({
      port: 2201,
      user: 'ops',
      privateKeyPath: '/k/id',
      connectTimeoutMs: 4000
    })
  })

  it('reads jump hosts from -J, -o ProxyJump and ansible_ssh_jump_host (which wins)', () => {
    expect(settingsFor({ ansible_ssh_common_args: '-J ops@bastion:2200' }).jumpHosts).toEqual([
      { address: 'bastion', port: 2200, user: 'ops' }
    ])
    expect(
      settingsFor({ ansible_ssh_common_args: '-o ProxyJump=bastion,deploy@[fd00::1]:2022' })
        .jumpHosts
    ).toEqual([
      { address: 'bastion', port: 22 },
      { address: 'fd00::1', port: 2022, user: 'deploy' }
    ])
    expect(settingsFor({ ansible_ssh_common_args: '-Jbastion' }).jumpHosts).toEqual([
      { address: 'bastion', port: 22 }
    ])
    const both = settingsFor({
      ansible_ssh_common_args: '-o ProxyJump=group-bastion',
      ansible_ssh_jump_host: 'me@host-bastion:2',
      ansible_ssh_jump_private_key_file: '/keys/jump'
    })
    expect(both.jumpHosts).toEqual([{ address: 'host-bastion', port: 2, user: 'me' }])
    expect(both.jumpPrivateKeyPath).toBe('/keys/jump')
    expect(settingsFor({ ansible_ssh_common_args: '-o ProxyJump=none' }).jumpHosts).toBeUndefined()
    expect(settingsFor({}).jumpHosts).toBeUndefined()
  })

  it('refuses a malformed jump host, naming the host and the variable', () => {
    const error = optionError(() => settingsFor({ ansible_ssh_jump_host: 'a@b@c' }))
    expect(error.message).toContain('web1')
    expect(error.message).toContain('ansible_ssh_jump_host')
    expect(error.message).toContain('[user@]host[:port]')
    expect(
      optionError(() => settingsFor({ ansible_ssh_common_args: '-J bastion:99999' })).message
    ).toContain('1-65535')
    expect(optionError(() => settingsFor({ ansible_ssh_common_args: '-J' })).message).toContain(
      "'-J' without a jump host"
    )
  })

  it('refuses other flags, naming -J and -o as what is read', () => {
    const error = optionError(() => settingsFor({ ansible_ssh_common_args: '-A' }))
    expect(error.message).toContain("option '-A' is not supported")
    expect(error.message).toContain("'-J [user@]host[:port]' and '-o Name=value'")
  })

  it('refuses -o ProxyCommand and lists what is supported', () => {
    const error = optionError(() =>
      settingsFor({ ansible_ssh_common_args: '-o ProxyCommand="ssh -W %h:%p bastion"' })
    )
    expect(error.message).toContain("'-o ProxyCommand' is not supported")
    expect(error.message).toContain('StrictHostKeyChecking')
  })

  it('refuses unbalanced quotes and a bad Port option', () => {
    expect(
      optionError(() => settingsFor({ ansible_ssh_common_args: '-o "User=x' })).message
    ).toContain('unbalanced quotes')
    expect(
      optionError(() => settingsFor({ ansible_ssh_common_args: '-o Port=abc' })).message
    ).toContain('1-65535')
  })
})

describe('host key checking, as Ansible and OpenSSH read it', () => {
  it.each([
    ['-o StrictHostKeyChecking=no'],
    ['-oStrictHostKeyChecking=no'],
    ['-o StrictHostKeyChecking=off'],
    ['-o StrictHostKeyChecking=NO'],
    ['-o "StrictHostKeyChecking no"'],
    ['-o "StrictHostKeyChecking = false"'],
    ['-o \'stricthostkeychecking="no"\'']
  ])('%s in ansible_ssh_common_args or ansible_ssh_extra_args turns it off', (args) => {
    for (const variable of ['ansible_ssh_common_args', 'ansible_ssh_extra_args']) {
      const s = settingsFor({ [variable]: args })
      expect(s.hostKeyChecking, `${variable}: ${args}`).toBe('off')
      expect(s.hostKeyCheckingSource).toMatch(
        new RegExp(`^${variable} \\(-o StrictHostKeyChecking`, 'i')
      )
    }
  })

  it('yes, true and ask verify; accept-new trusts unknown hosts', () => {
    for (const value of ['yes', 'true', 'ask', 'Yes'])
      expect(
        settingsFor(
          { ansible_ssh_common_args: `-o StrictHostKeyChecking=${value}` },
          { hostKeyChecking: 'off' }
        ).hostKeyChecking
      ).toBe('strict')
    expect(
      settingsFor({ ansible_ssh_extra_args: '-o StrictHostKeyChecking=accept-new' }).hostKeyChecking
    ).toBe('accept-new')
  })

  it('the first value OpenSSH reads wins: common args before extra args, the first -o first', () => {
    expect(
      settingsFor({
        ansible_ssh_common_args: '-o StrictHostKeyChecking=no -o StrictHostKeyChecking=yes'
      }).hostKeyChecking
    ).toBe('off')
    expect(
      settingsFor({
        ansible_ssh_common_args: '-o StrictHostKeyChecking=yes',
        ansible_ssh_extra_args: '-o StrictHostKeyChecking=no'
      }).hostKeyChecking
    ).toBe('strict')
    const files = settingsFor({
      ansible_ssh_common_args: '-o UserKnownHostsFile=/etc/ssh/first',
      ansible_ssh_extra_args: '-o UserKnownHostsFile=/etc/ssh/second'
    })
    expect(files.knownHostsPath).toBe('/etc/ssh/first')
  })

  it('ansible_host_key_checking: false comes before the ssh arguments, as Ansible passes it', () => {
    const s = settingsFor({
      ansible_host_key_checking: false,
      ansible_ssh_common_args: '-o StrictHostKeyChecking=yes'
    })
    expect(s.hostKeyChecking).toBe('off')
    expect(s.hostKeyCheckingSource).toBe('ansible_host_key_checking: false')
  })

  it('ansible_ssh_host_key_checking wins over ansible_host_key_checking (listed last by Ansible)', () => {
    expect(
      settingsFor({ ansible_host_key_checking: true, ansible_ssh_host_key_checking: 'no' })
        .hostKeyChecking
    ).toBe('off')
    expect(
      settingsFor({ ansible_host_key_checking: 'no', ansible_ssh_host_key_checking: 'yes' })
        .hostKeyChecking
    ).toBe('strict')
  })

  it("reads Ansible's booleans, and refuses what Ansible would silently read as false", () => {
    for (const value of ['n', 'NO', 'off', '0', 'f', 'False', 0])
      expect(settingsFor({ ansible_host_key_checking: value }).hostKeyChecking, String(value)).toBe(
        'off'
      )
    for (const value of ['y', 'on', '1', 't', 'TRUE', 1])
      expect(
        settingsFor({ ansible_host_key_checking: value }, { hostKeyChecking: 'off' })
          .hostKeyChecking,
        String(value)
      ).toBe('strict')
    const error = optionError(() => settingsFor({ ansible_ssh_host_key_checking: 'disabled' }))
    expect(error.message).toBe(
      "host web1: ansible_ssh_host_key_checking must be true or false (or accept-new), got 'disabled'. " +
        'Ansible would read it as false and turn host key checking off.'
    )
  })

  it('refuses a StrictHostKeyChecking value OpenSSH refuses', () => {
    const error = optionError(() =>
      settingsFor({ ansible_ssh_common_args: '-o StrictHostKeyChecking=never' })
    )
    expect(error.message).toContain(
      "StrictHostKeyChecking must be yes, accept-new, no, off or ask, got 'never'"
    )
  })

  it('names the run-wide setting when nothing in the inventory sets it', () => {
    expect(
      settingsFor(
        {},
        { hostKeyChecking: 'off', hostKeyCheckingSource: "input 'host-key-checking: off'" }
      ).hostKeyCheckingSource
    ).toBe("input 'host-key-checking: off'")
  })

  it('UserKnownHostsFile replaces ~/.ssh/known_hosts only: the known_hosts the run was given stay', () => {
    for (const value of ['/dev/null', 'none', '/etc/ssh/other']) {
      const s = settingsFor(
        { ansible_ssh_common_args: `-o UserKnownHostsFile=${value}` },
        {
          knownHostsPath: '/home/u/.ssh/known_hosts',
          knownHosts: '[10.0.0.1]:22 ssh-ed25519 AAAA',
          explicitKnownHostsPath: '/srv/known_hosts'
        }
      )
      expect(s.knownHostsPath, value).toBe(value === '/etc/ssh/other' ? value : undefined)
      expect(s.knownHostsPathSource).toBe(
        `ansible_ssh_common_args (-o UserKnownHostsFile=${value})`
      )
      expect(s.knownHosts).toBe('[10.0.0.1]:22 ssh-ed25519 AAAA')
      expect(s.explicitKnownHostsPath).toBe('/srv/known_hosts')
    }
  })

  it('does not echo the ssh arguments (they may hold addresses) when their quotes are unbalanced', () => {
    const error = optionError(() =>
      settingsFor({ ansible_ssh_common_args: "-o ProxyJump='10.9.8.7" })
    )
    expect(error.message).toBe('host web1: ansible_ssh_common_args has unbalanced quotes')
  })
})
