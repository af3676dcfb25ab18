// End to end: what the bundled CLI (dist/cli.js) does with command lines users get wrong, compared with
// ansible-playbook 2.14 where it is installed: exit codes, one-line refusals, --limit typos, and the
// mode of the results document.
import { spawn } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  ANSIBLE_INSTALL_HINT,
  ansibleEnvironment,
  findAnsiblePlaybook
} from '../helpers/ansible.js'
import { encryptVault } from '../../src/vault/index.js'

const CLI = path.resolve('dist/cli.js')
const ansiblePlaybook = findAnsiblePlaybook()
const requireAnsible = process.env['APB_REQUIRE_ANSIBLE'] === '1'
let work: string

interface Ran {
  code: number | null
  stdout: string
  stderr: string
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

const runCli = (args: string[]): Promise<Ran> => run(process.execPath, [CLI, ...args])

function runAnsible(args: string[]): Promise<Ran> {
  const env = { ...ansibleEnvironment(mkdtempSync(path.join(work, 'ansible-'))) }
  delete env['ANSIBLE_STDOUT_CALLBACK']
  return run(ansiblePlaybook!, args, env)
}

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'apb-e2e-cli-options-'))
  writeFileSync(
    path.join(work, 'inventory.ini'),
    '[web]\nweb1 ansible_connection=local\nweb2 ansible_connection=local\n'
  )
  writeFileSync(
    path.join(work, 'play.yml'),
    '- hosts: all\n  gather_facts: false\n  tasks:\n    - name: touch\n      shell: touch ran-{{ inventory_hostname }}\n'
  )
})

describe('--limit', () => {
  it("a limit that matches no host exits 1 with Ansible's message naming the pattern, and runs nothing", async () => {
    const ran = await runCli(['play.yml', '-i', 'inventory.ini', '-l', 'wbe1'])
    expect(ran.code).toBe(1)
    expect(ran.stderr).toContain(
      'Specified inventory, host pattern and/or --limit leaves us with no hosts to target'
    )
    expect(ran.stderr).toContain("'wbe1'")
    expect(ran.stdout).toContain('Could not match supplied host pattern, ignoring: wbe1')
    expect(ran.stdout).not.toContain('TASK [touch]')
    expect(() => statSync(path.join(work, 'ran-web1'))).toThrow()
  })

  it('a limit that excludes every host fails too; one that matches some hosts warns about the rest and runs', async () => {
    const excluded = await runCli(['play.yml', '-i', 'inventory.ini', '-l', '!web'])
    expect(excluded.code).toBe(1)
    const partly = await runCli(['play.yml', '-i', 'inventory.ini', '-l', 'web2,nothere'])
    expect(partly.code).toBe(0)
    expect(partly.stdout).toContain('Could not match supplied host pattern, ignoring: nothere')
    expect(partly.stdout).toMatch(/changed: \[web2\]/)
    expect(partly.stdout).not.toMatch(/\[web1\]/)
  })

  it('an ad-hoc run whose limit leaves none of its pattern fails as `ansible` does', async () => {
    const ran = await runCli(['web1', '-i', 'inventory.ini', '-m', 'ping', '-l', 'web2'])
    expect(ran.code).toBe(1)
    expect(ran.stderr).toContain('leaves us with no hosts to target')
  })

  it.runIf(ansiblePlaybook)('matches ansible-playbook: same exit code and message', async () => {
    const args = ['play.yml', '-i', 'inventory.ini', '-l', 'wbe1']
    const [ours, theirs] = [await runCli(args), await runAnsible(args)]
    expect(ours.code).toBe(theirs.code)
    const sentence =
      'Specified inventory, host pattern and/or --limit leaves us with no hosts to target'
    expect(theirs.stderr).toContain(sentence)
    expect(ours.stderr).toContain(sentence)
  })
})

describe('exit codes', () => {
  it('an unknown option exits 2, in two lines at most, with no usage text', async () => {
    const ran = await runCli(['play.yml', '--invnetory', 'inventory.ini'])
    expect(ran.code).toBe(2)
    expect(ran.stderr).toContain("unknown option '--invnetory' (did you mean --inventory?)")
    expect(ran.stderr).not.toContain('Usage:')
    expect(ran.stderr).not.toContain('positional argument')
    expect(ran.stderr.trim().split('\n').length).toBeLessThanOrEqual(2)
  })

  it('a missing playbook file exits 1', async () => {
    const ran = await runCli(['nope.yml', '-i', 'inventory.ini'])
    expect(ran.code).toBe(1)
    expect(ran.stderr).toContain('the playbook: nope.yml could not be found')
  })

  it.runIf(ansiblePlaybook)(
    'match ansible-playbook for an unknown option and a missing playbook',
    async () => {
      for (const args of [
        ['play.yml', '--bogus-option'],
        ['nope.yml', '-i', 'inventory.ini']
      ]) {
        const [ours, theirs] = [await runCli(args), await runAnsible(args)]
        expect({ args, code: ours.code }).toEqual({ args, code: theirs.code })
      }
    }
  )

  if (!ansiblePlaybook && requireAnsible) {
    it('needs ansible-playbook on PATH', () => {
      throw new Error(
        `APB_REQUIRE_ANSIBLE=1 but ansible-playbook is not on PATH: ${ANSIBLE_INSTALL_HINT}`
      )
    })
  }
})

describe('ansible-playbook options that are not supported', () => {
  it.each([
    [['--step'], '--step is not supported yet'],
    [['-T', '30'], '-T is not supported'],
    [['-c', 'local'], '-c/--connection is not supported']
  ])('%j: one line, exit 5, nothing run', async (flags, expected) => {
    const ran = await runCli(['play.yml', '-i', 'inventory.ini', ...flags])
    expect(ran.code).toBe(5)
    expect(ran.stderr).toContain(expected)
    expect(ran.stderr.trim().split('\n')).toHaveLength(1)
    expect(ran.stderr).not.toContain('positional argument')
    expect(ran.stdout).toBe('')
  })
})

describe('vault options', () => {
  it('a vaulted vars file is read with --vault-password-file; its values reach the tasks', async () => {
    const password = path.join(work, 'vault-pass.txt')
    writeFileSync(password, 'e2e vault password\n')
    writeFileSync(
      path.join(work, 'secret-vars.yml'),
      encryptVault(Buffer.from('greeting: from the vault\n'), Buffer.from('e2e vault password'))
    )
    writeFileSync(
      path.join(work, 'vaulted.yml'),
      '- hosts: web1\n  gather_facts: false\n  vars_files: [secret-vars.yml]\n  tasks:\n    - debug: msg={{ greeting }}\n'
    )
    const ran = await runCli([
      'vaulted.yml',
      '-i',
      'inventory.ini',
      '--vault-password-file',
      password
    ])
    expect(ran.stderr).toBe('')
    expect(ran.code).toBe(0)
    expect(ran.stdout).toContain('"msg": "from the vault"')
    const without = await runCli(['vaulted.yml', '-i', 'inventory.ini'])
    expect(without.code).toBe(1)
    expect(without.stderr).toContain('Attempting to decrypt but no vault secrets found')
    expect(without.stdout).not.toContain('from the vault')
  })

  it.each([
    [['--vault-password-file', 'missing.txt'], 'The vault password file'],
    [['--vault-id', 'dev@prompt'], '--vault-id dev@prompt needs a terminal'],
    [['--ask-vault-pass'], '--ask-vault-password needs a terminal']
  ])('%j without what it needs: one message, nothing run', async (flags, expected) => {
    const ran = await runCli(['play.yml', '-i', 'inventory.ini', ...flags])
    expect(ran.code).not.toBe(0)
    expect(ran.stderr).toContain(expected)
    expect(ran.stdout).toBe('')
  })
})

describe('options that would do nothing are refused with exit 5', () => {
  it.each([
    [['play.yml', '--timeout', '30'], '--timeout is how long --jobs FILE without a playbook waits'],
    [['play.yml', '-B', '30'], '-B/--background and -P/--poll are for ad-hoc runs'],
    [['play.yml', '-P', '5'], '-B/--background and -P/--poll are for ad-hoc runs'],
    [['play.yml', '-m', 'shell', '-a', 'true'], "but 'play.yml' is a playbook"],
    [['play.yml', '-a', 'true'], "but 'play.yml' is a playbook"],
    [['web', '-m', 'ping', '--timeout', '30'], '--timeout is how long'],
    [['web', '-m', 'ping', '-P', '5'], '-P/--poll needs -B/--background'],
    [['web', '-m', 'ping', '--tags', 'x'], '--tags does nothing in an ad-hoc run'],
    [['--jobs', 'jobs.json', '-l', 'web1'], '-l/--limit does nothing when gathering jobs'],
    [['--jobs', 'jobs.json', '--tags', 'x'], '-t/--tags does nothing when gathering jobs'],
    [['--jobs', 'jobs.json', '-B', '5'], '-B/--background and -P/--poll are for ad-hoc runs']
  ])('%j', async (args, expected) => {
    writeFileSync(path.join(work, 'jobs.json'), '{}')
    const ran = await runCli([...args, '-i', 'inventory.ini'])
    expect(ran.code).toBe(5)
    expect(ran.stderr).toContain(expected)
    expect(ran.stdout).toBe('')
  })
})

describe('--json', () => {
  it('writes the results document 0600 under any umask, also over a wider file', async () => {
    const file = path.join(work, 'results.json')
    writeFileSync(file, 'old')
    chmodSync(file, 0o666)
    const ran = await run('/bin/sh', [
      '-c',
      `umask 000 && exec "${process.execPath}" "${CLI}" play.yml -i inventory.ini --json results.json`
    ])
    expect(ran.code).toBe(0)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(JSON.parse(readFileSync(file, 'utf8')).ok).toBe(true)
    const fresh = path.join(work, 'sub', 'fresh.json')
    await run('/bin/sh', [
      '-c',
      `umask 000 && exec "${process.execPath}" "${CLI}" play.yml -i inventory.ini --json sub/fresh.json`
    ])
    expect(statSync(fresh).mode & 0o777).toBe(0o600)
  })

  it('writes through to a pipe or device rather than replacing it', async () => {
    const link = path.join(work, 'to-null')
    symlinkSync('/dev/null', link)
    const ran = await runCli(['play.yml', '-i', 'inventory.ini', '--json', 'to-null'])
    expect(ran.code).toBe(0)
    expect(statSync(link).isCharacterDevice()).toBe(true)
  })
})
