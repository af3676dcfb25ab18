/**
 * ansible.cfg: the INI reader against Python's configparser (as Ansible configures it), the search order
 * and path resolution against `ansible-config dump`, and the precedence of options, environment and file.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readActionSettings } from '../../src/action/settings.js'
import { parseCli } from '../../src/cli-options.js'
import { connectionSettingsFromVars } from '../../src/connection/host-settings.js'
import { findAnsibleConfig, readAnsibleConfig } from '../../src/config/ansible-cfg.js'
import { parseIni } from '../../src/config/ini.js'
import { OptionError } from '../../src/errors.js'
import { loadVaultSecrets } from '../../src/vault/index.js'

const python = spawnSync('python3', ['--version']).status === 0
const ansibleConfig = spawnSync('ansible-config', ['--version']).status === 0
const requireAnsible = process.env['APB_REQUIRE_ANSIBLE'] === '1'

/** What configparser (ConfigParser(inline_comment_prefixes=(';',)), raw values) makes of `text`. */
function configparser(text: string): Record<string, Record<string, string>> | string {
  const script = `
import configparser, json, sys
p = configparser.ConfigParser(inline_comment_prefixes=(';',))
try:
    p.read_string(sys.stdin.read())
except configparser.Error as e:
    print(json.dumps("error")); sys.exit(0)
print(json.dumps({s: {k: p.get(s, k, raw=True) for k in p.options(s)} for s in p.sections()}))
`
  return JSON.parse(execFileSync('python3', ['-c', script], { input: text, encoding: 'utf8' }))
}

function ours(text: string): Record<string, Record<string, string>> | string {
  try {
    const doc = parseIni(text, 'test.cfg')
    return Object.fromEntries(
      [...doc.sections].map(([name, keys]) => [
        name,
        Object.fromEntries([...keys].map(([k, v]) => [k, v.value]))
      ])
    )
  } catch (error) {
    if (error instanceof OptionError) return 'error'
    throw error
  }
}

const INI_CASES: Record<string, string> = {
  'both delimiters, comments, case of keys':
    '# top comment\n; another\n[defaults]\nForks = 7\nremote_user: deploy\nINVENTORY=hosts ; inline\nx = a;b\ny = a ;b\nz = "q" # not a comment\n',
  'continuation lines and blank lines inside a value':
    '[ssh_connection]\nssh_args = -C\n  -o ControlMaster=auto\n\n  -o ControlPersist=60s\n\nnext = 1\n',
  'first delimiter splits, empty values, spaces in keys':
    '[defaults]\nurl = http://x:80/a=b\nempty =\nspaced key = v\ncolon:a=b\n',
  'DEFAULT section inherited, case of section names':
    '[DEFAULT]\nshared = 1\n[defaults]\nown = 2\n[Defaults]\nshared = 3\n',
  'indented comment inside a value': '[a]\nk = one\n  # comment\n  two\n',
  'duplicate key': '[a]\nk = 1\nK = 2\n',
  'duplicate section': '[a]\nk = 1\n[a]\nj = 2\n',
  'key before any section': 'k = 1\n[a]\n',
  'line without delimiter': '[a]\njustaword\n',
  'CRLF line ends': '[defaults]\r\nforks = 3\r\n',
  'a byte order mark': '\uFEFF[defaults]\nforks = 3\n'
}

describe('the ansible.cfg reader', () => {
  it.skipIf(!python && !requireAnsible).each(Object.entries(INI_CASES))(
    'reads %s as configparser does',
    (_name, text) => {
      expect(ours(text)).toEqual(configparser(text))
    }
  )

  it('names the file and line of a syntax error', () => {
    expect(() => parseIni('[a]\nk = 1\nk = 2\n', '/x/ansible.cfg')).toThrow(
      /Error reading config file \(\/x\/ansible.cfg\): option 'k' in section \[a\] is set more than once \(line 3\)/
    )
  })
})

describe('finding ansible.cfg', () => {
  let root: string
  let home: string
  let cwd: string
  let system: string
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'apb-cfg-'))
    chmodSync(root, 0o755)
    home = path.join(root, 'home')
    cwd = path.join(root, 'project')
    mkdirSync(home)
    mkdirSync(cwd)
    system = path.join(root, 'etc-ansible.cfg')
  })
  afterEach(() => rmSync(root, { recursive: true, force: true }))

  const find = (env: NodeJS.ProcessEnv = {}) => findAnsibleConfig(env, cwd, home, system)

  it('takes ANSIBLE_CONFIG, then ./ansible.cfg, then ~/.ansible.cfg, then the system file', () => {
    expect(find().file).toBeUndefined()
    writeFileSync(system, '')
    expect(find().file).toBe(system)
    writeFileSync(path.join(home, '.ansible.cfg'), '')
    expect(find().file).toBe(path.join(home, '.ansible.cfg'))
    writeFileSync(path.join(cwd, 'ansible.cfg'), '')
    expect(find().file).toBe(path.join(cwd, 'ansible.cfg'))
    const chosen = path.join(root, 'chosen.cfg')
    writeFileSync(chosen, '')
    expect(find({ ANSIBLE_CONFIG: chosen }).file).toBe(chosen)
    // A directory means its ansible.cfg; a file that does not exist falls through to the next place.
    expect(find({ ANSIBLE_CONFIG: root }).file).toBe(path.join(cwd, 'ansible.cfg'))
    mkdirSync(path.join(root, 'dir'))
    writeFileSync(path.join(root, 'dir', 'ansible.cfg'), '')
    expect(find({ ANSIBLE_CONFIG: path.join(root, 'dir') }).file).toBe(
      path.join(root, 'dir', 'ansible.cfg')
    )
    expect(find({ ANSIBLE_CONFIG: path.join(root, 'missing.cfg') }).file).toBe(
      path.join(cwd, 'ansible.cfg')
    )
  })

  it("ignores a world-writable directory's ansible.cfg with Ansible's warning", () => {
    writeFileSync(path.join(cwd, 'ansible.cfg'), '')
    writeFileSync(path.join(home, '.ansible.cfg'), '')
    chmodSync(cwd, 0o777)
    const found = find()
    expect(found.file).toBe(path.join(home, '.ansible.cfg'))
    expect(found.warnings).toEqual([
      `Ansible is being run in a world writable directory (${cwd}), ignoring it as an ansible.cfg source. For more information see https://docs.ansible.com/ansible/devel/reference_appendices/config.html#cfg-in-world-writable-dir`
    ])
    // ANSIBLE_CONFIG naming that very file still reads it, without the warning.
    const named = find({ ANSIBLE_CONFIG: path.join(cwd, 'ansible.cfg') })
    expect(named).toEqual({ file: path.join(cwd, 'ansible.cfg'), warnings: [] })
  })

  it('refuses a file whose extension is neither .cfg nor .ini, as Ansible does', () => {
    const file = path.join(root, 'config.txt')
    writeFileSync(file, '[defaults]\n')
    expect(() => readAnsibleConfig({ ANSIBLE_CONFIG: file }, cwd, home, system)).toThrow(
      `Unsupported configuration file extension for ${file}: .txt`
    )
  })

  it('reads a header followed by other text as configparser does (the section, the rest ignored)', () => {
    writeFileSync(
      path.join(cwd, 'ansible.cfg'),
      '[defaults] # the usual\nforks = 7\r\ntimeout = 9\r\n'
    )
    const config = readAnsibleConfig({}, cwd, home, system)
    expect(config.env['ANSIBLE_FORKS']).toBe('7')
    expect(config.env['ANSIBLE_TIMEOUT']).toBe('9')
  })

  it('expands $VAR in paths from the environment it is given, not this process', () => {
    writeFileSync(
      path.join(cwd, 'ansible.cfg'),
      '[defaults]\nroles_path = $APB_CFG_ONLY_HERE/roles:${APB_CFG_ONLY_HERE}/more:$APB_CFG_UNSET/x\n'
    )
    expect(process.env['APB_CFG_ONLY_HERE']).toBeUndefined()
    const config = readAnsibleConfig({ APB_CFG_ONLY_HERE: '/srv/given' }, cwd, home, system)
    expect(config.env['ANSIBLE_ROLES_PATH']!.split(':')).toEqual([
      '/srv/given/roles',
      '/srv/given/more',
      path.join(cwd, '$APB_CFG_UNSET/x')
    ])
  })

  it('lists the keys it does not implement once, and ignores sections Ansible itself does not read', () => {
    writeFileSync(
      path.join(cwd, 'ansible.cfg'),
      '[defaults]\nforks = 3\nstdout_callback = yaml\npipelining = true\n[ssh_connection]\ncontrol_path = x\n[my_plugin]\nanything = 1\n'
    )
    const config = readAnsibleConfig({}, cwd, home, system)
    expect(config.warnings).toEqual([
      `${path.join(cwd, 'ansible.cfg')}: these settings are not supported by async-playbook and have no effect: [defaults] stdout_callback, [ssh_connection] control_path`
    ])
    expect(config.env['ANSIBLE_FORKS']).toBe('3')
  })

  it.skipIf(!ansibleConfig && !requireAnsible)(
    'resolves paths against the file’s directory as ansible-config dump shows',
    () => {
      const dir = path.join(root, 'repo', 'sub')
      mkdirSync(dir, { recursive: true })
      const file = path.join(dir, 'ansible.cfg')
      writeFileSync(
        file,
        "[defaults]\ninventory = hosts, ../other , /abs/inv\nroles_path = roles:~/r:/abs/roles\nprivate_key_file = keys/id\nvault_password_file = ../vault.txt\nremote_user = 'deploy' ; comment\nforks: 7\n"
      )
      const dump = execFileSync('ansible-config', ['dump', '--only-changed'], {
        env: { PATH: process.env['PATH'], HOME: home, ANSIBLE_CONFIG: file, LC_ALL: 'C.UTF-8' },
        encoding: 'utf8'
      })
      const value = (name: string): string => {
        const m = new RegExp(`^${name}\\(${file.replace(/[.]/g, '\\.')}\\) = (.*)$`, 'm').exec(dump)
        if (!m) throw new Error(`${name} not in ansible-config dump:\n${dump}`)
        return m[1]!
      }
      const list = (text: string): string[] =>
        JSON.parse(text.replace(/'/g, '"')) as unknown as string[]
      const config = readAnsibleConfig({}, root, home, system)
      expect(config.file).toBeUndefined()
      const named = readAnsibleConfig({ ANSIBLE_CONFIG: file }, root, home, system)
      expect(named.env['ANSIBLE_INVENTORY']!.split(',')).toEqual(list(value('DEFAULT_HOST_LIST')))
      expect(named.env['ANSIBLE_ROLES_PATH']!.split(':')).toEqual(list(value('DEFAULT_ROLES_PATH')))
      expect(named.env['ANSIBLE_PRIVATE_KEY_FILE']).toBe(value('DEFAULT_PRIVATE_KEY_FILE'))
      expect(named.env['ANSIBLE_VAULT_PASSWORD_FILE']).toBe(value('DEFAULT_VAULT_PASSWORD_FILE'))
      expect(named.env['ANSIBLE_REMOTE_USER']).toBe(value('DEFAULT_REMOTE_USER'))
      expect(named.env['ANSIBLE_FORKS']).toBe(value('DEFAULT_FORKS'))
    }
  )
})

describe('precedence: command line over environment over ansible.cfg', () => {
  let cwd: string
  beforeEach(() => {
    cwd = mkdtempSync(path.join(os.tmpdir(), 'apb-cfg-cli-'))
    chmodSync(cwd, 0o755)
    writeFileSync(path.join(cwd, 'site.yml'), '- hosts: all\n  tasks: []\n')
  })
  afterEach(() => rmSync(cwd, { recursive: true, force: true }))

  // HOME is the project too, so that no ~/.ansible.cfg of the machine counts.
  const cli = (argv: string[], env: NodeJS.ProcessEnv = {}) =>
    parseCli(
      [...argv, 'site.yml'],
      { HOME: cwd, ANSIBLE_CONFIG: path.join(cwd, 'ansible.cfg'), ...env },
      false,
      cwd
    )

  it('feeds forks, remote_user, inventory, timeout, become and gathering from the file', () => {
    writeFileSync(
      path.join(cwd, 'ansible.cfg'),
      '[defaults]\nforks = 7\nremote_user = deploy\ninventory = inventories/prod/hosts\ntimeout = 33\ngathering = explicit\nroles_path = galaxy_roles\n[privilege_escalation]\nbecome = True\nbecome_user = admin\n[ssh_connection]\nssh_args = -C -o ControlMaster=auto -o ServerAliveInterval=15\n'
    )
    const settings = cli([]).settings!
    expect(settings.forks).toBe(7)
    expect(settings.connection.user).toBe('deploy')
    expect(settings.inventories).toEqual([path.join(cwd, 'inventories/prod/hosts')])
    expect(settings.connection.connectTimeoutMs).toBe(33_000)
    expect(settings.become).toEqual({ enabled: true, user: 'admin' })
    expect(settings.gathering).toBe('explicit')
    expect(settings.rolesPath).toEqual([path.join(cwd, 'galaxy_roles')])
    expect(settings.connection.sshArgs).toBe('-C -o ControlMaster=auto -o ServerAliveInterval=15')
    expect(settings.configFile).toBe(path.join(cwd, 'ansible.cfg'))
    // The environment wins over the file, and the command line over both.
    expect(cli([], { ANSIBLE_FORKS: '3', ANSIBLE_REMOTE_USER: 'env' }).settings!.forks).toBe(3)
    expect(cli([], { ANSIBLE_REMOTE_USER: 'env' }).settings!.connection.user).toBe('env')
    expect(cli(['-f', '2', '-u', 'cli'], { ANSIBLE_FORKS: '3' }).settings!.forks).toBe(2)
    expect(cli(['-u', 'cli'], { ANSIBLE_REMOTE_USER: 'env' }).settings!.connection.user).toBe('cli')
    expect(cli(['-i', 'other'], { ANSIBLE_INVENTORY: 'x' }).settings!.inventories).toEqual([
      'other'
    ])
    expect(cli([], { ANSIBLE_GATHERING: 'smart' }).settings!.gathering).toBe('smart')
    // An empty variable says nothing: the file's value stays.
    expect(cli([], { ANSIBLE_FORKS: '' }).settings!.forks).toBe(7)
  })

  it('names the key and the file of a bad value', () => {
    writeFileSync(path.join(cwd, 'ansible.cfg'), '[defaults]\nforks = many\n')
    expect(() => cli([])).toThrow(
      `[defaults] forks in ${path.join(cwd, 'ansible.cfg')}: 'many' is not a whole number of at least 1`
    )
    writeFileSync(path.join(cwd, 'ansible.cfg'), '[privilege_escalation]\nbecome = maybe\n')
    expect(() => cli([])).toThrow(/\[privilege_escalation\] become in .*: 'maybe' is not a boolean/)
    writeFileSync(path.join(cwd, 'ansible.cfg'), '[defaults]\ngathering = always\n')
    expect(() => cli([])).toThrow(
      /\[defaults\] gathering in .* must be 'implicit', 'explicit' or 'smart', got 'always'/
    )
    writeFileSync(path.join(cwd, 'ansible.cfg'), '[defaults]\nprivate_key_file = keys/nope\n')
    expect(() => cli([])).toThrow(
      `[defaults] private_key_file in ${path.join(cwd, 'ansible.cfg')}: cannot read '${path.join(cwd, 'keys/nope')}'`
    )
  })

  it('asks for passwords when become_ask_pass or ask_vault_pass says so, and reads the vault password file', () => {
    writeFileSync(
      path.join(cwd, 'ansible.cfg'),
      '[defaults]\nask_vault_pass = yes\nvault_password_file = secrets/vault.txt\nvault_identity_list = dev@dev.txt\n[privilege_escalation]\nbecome_ask_pass = true\n'
    )
    const request = cli([])
    expect(request.askBecomePass).toBe(true)
    expect(request.vault?.ask).toBe(true)
    expect(request.vault?.env['ANSIBLE_VAULT_PASSWORD_FILE']).toBe(
      path.join(cwd, 'secrets/vault.txt')
    )
    expect(request.vault?.env['ANSIBLE_VAULT_IDENTITY_LIST']).toBe('dev@dev.txt')
    // The password in the environment needs no prompt.
    expect(cli([], { ASYNC_PLAYBOOK_BECOME_PASSWORD: 'pw' }).askBecomePass).toBeUndefined()
  })

  it('runs with Ansible defaults when no file is found', () => {
    const settings = parseCli(['site.yml'], { HOME: cwd }, false, cwd).settings!
    expect(settings.configFile).toBeUndefined()
    expect(settings.gathering).toBeUndefined()
  })
})

describe('the action reads the workspace’s ansible.cfg', () => {
  let workspace: string
  let saved: NodeJS.ProcessEnv
  beforeEach(() => {
    workspace = mkdtempSync(path.join(os.tmpdir(), 'apb-cfg-action-'))
    chmodSync(workspace, 0o755)
    saved = { ...process.env }
    for (const name of Object.keys(process.env))
      if (name.startsWith('INPUT_') || name.startsWith('ANSIBLE_')) delete process.env[name]
    Object.assign(process.env, {
      GITHUB_WORKSPACE: workspace,
      HOME: workspace,
      INPUT_PLAYBOOK: '- hosts: all\n  tasks: []\n'
    })
  })
  afterEach(() => {
    process.env = saved
    rmSync(workspace, { recursive: true, force: true })
  })

  it('takes inventory, remote_user, become and timeout from it; inputs win', () => {
    writeFileSync(
      path.join(workspace, 'ansible.cfg'),
      '[defaults]\ninventory = inventories/production\nforks = 4\nremote_user = deploy\ntimeout = 20\nhost_key_checking = False\n[privilege_escalation]\nbecome = true\nbecome_user = app\n'
    )
    const run = readActionSettings(process.env).run
    expect(run.inventories).toEqual([path.join(workspace, 'inventories/production')])
    // forks has a default in action.yml, so the input always decides; the log says so.
    expect(run.forks).toBe(10)
    expect(run.connection.user).toBe('deploy')
    expect(run.connection.connectTimeoutMs).toBe(20_000)
    expect(run.become).toEqual({ enabled: true, user: 'app' })
    expect(run.configFile).toBe(path.join(workspace, 'ansible.cfg'))
    // The action's host-key-checking input decides, and the log says the file's key was not read.
    expect(run.connection.hostKeyChecking).toBe('strict')
    expect(run.configWarnings).toEqual([
      `[defaults] host_key_checking in ${path.join(workspace, 'ansible.cfg')} is not read by the action: its input 'host-key-checking' (default strict) decides`,
      `[defaults] forks in ${path.join(workspace, 'ansible.cfg')} is not read by the action: its input 'forks' (default 10) decides`
    ])
    Object.assign(process.env, { INPUT_FORKS: '2', INPUT_USER: 'input', INPUT_INVENTORY: 'h,' })
    const given = readActionSettings(process.env).run
    expect(given.forks).toBe(2)
    expect(given.connection.user).toBe('input')
    expect(given.inventories).toEqual(['h,'])
  })

  it('reads the vault password file the workspace’s ansible.cfg names, relative to the file', async () => {
    mkdirSync(path.join(workspace, 'secrets'))
    writeFileSync(path.join(workspace, 'secrets', 'vault.txt'), 'hunter2\n')
    writeFileSync(
      path.join(workspace, 'ansible.cfg'),
      '[defaults]\nvault_password_file = secrets/vault.txt\n'
    )
    const { request } = readActionSettings(process.env).vault
    const secrets = await loadVaultSecrets(request, () => Promise.reject(new Error('no prompt')))
    expect(secrets.map((s) => [s.id, s.password.toString(), s.source])).toEqual([
      ['default', 'hunter2', path.join(workspace, 'secrets', 'vault.txt')]
    ])
  })

  it('keeps the default of 10 forks without a file', () => {
    expect(readActionSettings(process.env).run.forks).toBe(10)
    expect(readActionSettings(process.env).run.configFile).toBeUndefined()
  })
})

describe('ssh_args', () => {
  const defaults = {
    hostKeyChecking: 'strict' as const,
    connectTimeoutMs: 10_000,
    sshArgs:
      '-C -o ControlMaster=auto -o ControlPersist=60s -o ConnectTimeout=5 -o StrictHostKeyChecking=no',
    sshArgsSource: '[ssh_connection] ssh_args in /x/ansible.cfg'
  }
  it('are read before the host’s ssh arguments, and the first StrictHostKeyChecking wins as in OpenSSH', () => {
    const vars: Record<string, unknown> = {
      ansible_ssh_common_args: '-o StrictHostKeyChecking=yes -o ConnectTimeout=7'
    }
    const settings = connectionSettingsFromVars('web1', (name) => vars[name], defaults)
    expect(settings.hostKeyChecking).toBe('off')
    expect(settings.connectTimeoutMs).toBe(7000)
  })
  it('name their origin when an option is not supported', () => {
    expect(() =>
      connectionSettingsFromVars('web1', () => undefined, { ...defaults, sshArgs: '-A' })
    ).toThrow("host web1: [ssh_connection] ssh_args in /x/ansible.cfg option '-A' is not supported")
  })
})
