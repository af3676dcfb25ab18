// The ANSIBLE_* environment variables the engine honours, as ansible-playbook reads them.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { readActionSettings } from '../../src/action/settings.js'
import { readAnsibleEnvironment } from '../../src/ansible-env.js'
import { parseCli } from '../../src/cli-options.js'
import { executeRun } from '../../src/engine.js'
import { OptionError } from '../../src/errors.js'

const dir = mkdtempSync(path.join(tmpdir(), 'apb-ansible-env-'))
writeFileSync(path.join(dir, 'play.yml'), '- hosts: all\n  tasks: []\n')
writeFileSync(path.join(dir, 'key'), 'not really a key\n')
const settings = (env: NodeJS.ProcessEnv, argv: string[] = [], tty = false) =>
  parseCli(['play.yml', ...argv], env, tty, dir).settings!

describe('readAnsibleEnvironment', () => {
  it('reads booleans as Ansible spells them, and says nothing of unset or empty variables', () => {
    expect(readAnsibleEnvironment({})).toEqual({})
    expect(readAnsibleEnvironment({ ANSIBLE_NO_LOG: '' })).toEqual({})
    for (const yes of ['yes', 'True', 'on', '1', 'y', 't'])
      expect(readAnsibleEnvironment({ ANSIBLE_NO_LOG: yes }).noLog).toBe(true)
    for (const no of ['no', 'False', 'off', '0', 'n', 'f'])
      expect(readAnsibleEnvironment({ ANSIBLE_DISPLAY_OK_HOSTS: no }).displayOkHosts).toBe(false)
  })

  it('refuses a value that is not a boolean rather than reading it as false', () => {
    expect(() => readAnsibleEnvironment({ ANSIBLE_NO_LOG: 'enabled' })).toThrow(OptionError)
    expect(() => readAnsibleEnvironment({ ANSIBLE_NO_LOG: 'enabled' })).toThrow(
      'ANSIBLE_NO_LOG=enabled is not a boolean'
    )
    expect(() => readAnsibleEnvironment({ ANSIBLE_FORKS: 'many' })).toThrow(
      'ANSIBLE_FORKS=many is not a whole number'
    )
    expect(() => readAnsibleEnvironment({ ANSIBLE_BECOME_METHOD: 'doas' })).toThrow(
      "ANSIBLE_BECOME_METHOD must be 'sudo' or 'su'"
    )
  })

  it('lets ANSIBLE_FORCE_COLOR win over ANSIBLE_NOCOLOR and NO_COLOR, as Ansible', () => {
    expect(readAnsibleEnvironment({ ANSIBLE_NOCOLOR: '1' }).color).toBe('off')
    expect(readAnsibleEnvironment({ NO_COLOR: 'anything' }).color).toBe('off')
    expect(
      readAnsibleEnvironment({ ANSIBLE_NOCOLOR: 'false', NO_COLOR: '1' }).color
    ).toBeUndefined()
    expect(readAnsibleEnvironment({ ANSIBLE_NOCOLOR: '1', ANSIBLE_FORCE_COLOR: 'yes' }).color).toBe(
      'force'
    )
  })
})

describe('the CLI honours ANSIBLE_* where it has the same setting', () => {
  it('colours: forced without a terminal, off on one', () => {
    expect(settings({}, [], true).color).toBe(true)
    expect(settings({ ANSIBLE_NOCOLOR: 'true' }, [], true).color).toBe(false)
    expect(settings({ NO_COLOR: '1' }, [], true).color).toBe(false)
    expect(settings({ ANSIBLE_FORCE_COLOR: 'true' }, [], false).color).toBe(true)
  })

  it('what the console shows and no_log', () => {
    const s = settings({
      ANSIBLE_DISPLAY_SKIPPED_HOSTS: 'no',
      ANSIBLE_NO_LOG: 'yes',
      ANSIBLE_VERBOSITY: '2'
    })
    expect(s.display).toEqual({ okHosts: true, skippedHosts: false })
    expect(s.noLog).toBe(true)
    expect(s.verbosity).toBe(2)
    expect(settings({ ANSIBLE_VERBOSITY: '2' }, ['-v']).verbosity).toBe(1)
    expect(settings({}).display).toBeUndefined()
    expect(settings({}).noLog).toBeUndefined()
  })

  it('connection and run defaults, which the options override', () => {
    const env = {
      ANSIBLE_FORKS: '3',
      ANSIBLE_REMOTE_USER: 'deploy',
      ANSIBLE_PRIVATE_KEY_FILE: 'key',
      ANSIBLE_TIMEOUT: '7',
      ANSIBLE_INVENTORY: 'hosts.ini, other.yml',
      ANSIBLE_BECOME: 'true',
      ANSIBLE_BECOME_USER: 'app',
      ANSIBLE_BECOME_METHOD: 'su'
    }
    const s = settings(env)
    expect(s.forks).toBe(3)
    expect(s.connection.user).toBe('deploy')
    expect(s.connection.privateKeyPath).toBe('key')
    expect(s.connection.connectTimeoutMs).toBe(7000)
    expect(s.inventories).toEqual(['hosts.ini', 'other.yml'])
    expect(s.become).toEqual({ enabled: true, user: 'app', method: 'su' })
    const o = settings(env, ['-f', '5', '-u', 'me', '--connect-timeout', '2', '-i', 'x.ini'])
    expect([o.forks, o.connection.user, o.connection.connectTimeoutMs, o.inventories]).toEqual([
      5,
      'me',
      2000,
      ['x.ini']
    ])
  })

  it('ANSIBLE_HOST_KEY_CHECKING=False turns checking off, naming itself as the source', () => {
    const off = settings({ ANSIBLE_HOST_KEY_CHECKING: 'False' })
    expect(off.connection.hostKeyChecking).toBe('off')
    expect(off.connection.hostKeyCheckingSource).toContain('ANSIBLE_HOST_KEY_CHECKING')
    expect(settings({ ANSIBLE_HOST_KEY_CHECKING: 'True' }).connection.hostKeyChecking).toBe(
      'strict'
    )
    const cli = settings({ ANSIBLE_HOST_KEY_CHECKING: 'False' }, ['--host-key-checking', 'strict'])
    expect(cli.connection.hostKeyChecking).toBe('strict')
  })

  it('names ANSIBLE_PRIVATE_KEY_FILE when its file cannot be read', () => {
    expect(() => settings({ ANSIBLE_PRIVATE_KEY_FILE: 'nope' })).toThrow(
      "ANSIBLE_PRIVATE_KEY_FILE: cannot read 'nope'"
    )
  })
})

describe('the action honours the ANSIBLE_* variables about output', () => {
  it('reads no_log, the display settings and colours from the step environment', () => {
    const env = {
      INPUT_PLAYBOOK: '- hosts: all\n  tasks: []\n',
      ANSIBLE_NO_LOG: 'true',
      ANSIBLE_DISPLAY_OK_HOSTS: 'false',
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_FORKS: '3'
    }
    const saved = { ...process.env }
    try {
      Object.assign(process.env, env)
      const run = readActionSettings(process.env).run
      expect(run.noLog).toBe(true)
      expect(run.display).toEqual({ okHosts: false, skippedHosts: true })
      expect(run.color).toBe(false)
      // Inputs, not the environment, set connections and forks in the action.
      expect(run.forks).toBe(10)
    } finally {
      process.env = saved
    }
  })
})

describe('ANSIBLE_NO_LOG in a run', () => {
  it('censors every task that does not set no_log, in the console and the results document', async () => {
    writeFileSync(
      path.join(dir, 'secret.yml'),
      [
        '- hosts: localhost',
        '  gather_facts: false',
        '  tasks:',
        '    - name: hidden',
        '      command: echo s3cr3t',
        '    - name: shown',
        '      debug: { msg: v1s1ble }',
        '      no_log: false',
        ''
      ].join('\n')
    )
    const s = parseCli(['secret.yml', '-v'], { ANSIBLE_NO_LOG: 'true' }, false, dir).settings!
    let output = ''
    const outcome = await executeRun(s, (text) => (output += text))
    expect(outcome.exitCode).toBe(0)
    expect(output).not.toContain('s3cr3t')
    expect(output).toContain('v1s1ble')
    const tasks = outcome.document.plays[0]!.tasks
    expect(JSON.stringify(tasks[0])).not.toContain('s3cr3t')
    expect(tasks[0]!.results['localhost']!.result['censored']).toBeDefined()
    expect(tasks[1]!.results['localhost']!.result['msg']).toBe('v1s1ble')
  })
})
