// End to end: the bundled CLI (dist/cli.js) run as a child process, exactly as a user runs it.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sshdInventory } from '../helpers/engine.js'
import { startSshd, unreachablePort, type SshdFixture } from '../helpers/sshd.js'

const CLI = path.resolve('dist/cli.js')
let sshd: SshdFixture
let work: string

interface Ran {
  code: number | null
  stdout: string
  stderr: string
}

function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: work,
      env: { ...process.env, ...env }
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/** Writes a playbook into the work directory and returns its name. */
function writePlaybook(name: string, text: string): string {
  writeFileSync(path.join(work, name), text)
  return name
}

beforeAll(async () => {
  sshd = await startSshd({ name: 'e2e' })
  work = mkdtempSync(path.join(tmpdir(), 'apb-e2e-'))
  const dead = await unreachablePort()
  writeFileSync(
    path.join(work, 'inventory.ini'),
    sshdInventory(sshd, { hosts: ['web1', 'web2'], unreachable: [{ name: 'gone', port: dead }] })
  )
})
afterAll(async () => sshd?.stop())

describe('dist/cli.js', () => {
  it('runs the README example against the built-in localhost with no inventory', async () => {
    const ran = await runCli([path.resolve('examples/hello.yml')])
    expect(ran.stderr).toBe('')
    expect(ran.code).toBe(0)
    expect(ran.stdout).toMatch(
      /PLAY RECAP \*+\nlocalhost\s+: ok=6\s+changed=3\s+unreachable=0\s+failed=0/
    )
    expect(ran.stdout).not.toContain('\u001b[') // no colour when not a terminal
  })

  it('runs the real-world deploy example: a role with a template and handler, async migration, block with rescue', async () => {
    // A fresh app_dir, so the template changes and its handler runs.
    const appDir = `${work}/demo-${Date.now()}`
    const ran = await runCli([
      path.resolve('examples/deploy/deploy.yml'),
      '-e',
      `app_dir=${appDir}`
    ])
    expect(ran.code).toBe(0)
    // The role's task, with its template found in the role's templates/ and its defaults rendered.
    expect(ran.stdout).toContain('TASK [app : render the config]')
    expect(readFileSync(`${appDir}/app.conf`, 'utf8')).toContain('port = 8080')
    expect(ran.stdout).toContain('RUNNING HANDLER [app : restart app]')
    expect(readFileSync(`${appDir}/restarted`, 'utf8')).toBe('restarted 1.2.3\n')
    expect(ran.stdout).toMatch(/"msg": "migrated to 1\.2\.3 in 0:00:0\d\.\d{6}"/)
    expect(ran.stdout).toMatch(/localhost\s+: ok=9\s+changed=7\s+unreachable=0\s+failed=0/)
  })

  it('runs the deploy example with the role default overridden by extra vars, and only the role by tag', async () => {
    // Only the role runs, so the directory the pre_tasks would create must exist.
    const appDir = mkdtempSync(path.join(work, 'demo-tags-'))
    const ran = await runCli([
      path.resolve('examples/deploy/deploy.yml'),
      '-e',
      `app_dir=${appDir}`,
      '-e',
      'app_port=9090',
      '--tags',
      'config'
    ])
    expect(ran.code).toBe(0)
    expect(ran.stdout).toContain('TASK [app : render the config]')
    expect(ran.stdout).not.toContain('health check')
    expect(readFileSync(`${appDir}/app.conf`, 'utf8')).toContain('port = 9090')
  })

  it('runs over SSH, writes the results document and exits 2 when a host fails', async () => {
    writeFileSync(
      path.join(work, 'deploy.yml'),
      `- name: deploy
  hosts: web
  gather_facts: false
  tasks:
    - name: migrate
      shell: echo migrated {{ inventory_hostname }}
      register: m
    - name: check
      command: test {{ inventory_hostname }} = web1
`
    )
    const ran = await runCli([
      'deploy.yml',
      '-i',
      'inventory.ini',
      '--known-hosts',
      sshd.knownHostsPath,
      '--json',
      'out/results.json'
    ])
    expect(ran.code).toBe(2)
    const doc = JSON.parse(readFileSync(path.join(work, 'out/results.json'), 'utf8'))
    expect(doc.ok).toBe(false)
    expect(doc.stats.web1).toEqual({
      ok: 2,
      changed: 2,
      failed: 0,
      unreachable: 0,
      skipped: 0,
      rescued: 0,
      ignored: 0
    })
    expect(doc.stats.web2).toMatchObject({ ok: 1, failed: 1 })
    const migrate = doc.plays[0].tasks[0]
    expect(migrate).toMatchObject({ name: 'migrate', file: 'deploy.yml', line: 5 })
    expect(migrate.results.web2.status).toBe('changed')
    expect(migrate.results.web2.result).toMatchObject({
      rc: 0,
      stdout: 'migrated web2',
      changed: true
    })
    expect(doc.plays[0].tasks[1].results.web2).toMatchObject({
      status: 'failed',
      result: { rc: 1, failed: true }
    })
    expect(doc.jobs).toEqual({})
  })

  it('exits 4 and names the unreachable host', async () => {
    const ran = await runCli([
      path.resolve('examples/hello.yml'),
      '-i',
      'inventory.ini',
      '-l',
      'gone',
      '--known-hosts',
      sshd.knownHostsPath
    ])
    expect(ran.code).toBe(4)
    expect(ran.stdout).toMatch(/fatal: \[gone\]: UNREACHABLE!/)
  })

  it('exits 4 on a YAML syntax error, naming file, line and column, with no stack trace', async () => {
    writeFileSync(path.join(work, 'broken.yml'), '- hosts: all\n  tasks:\n    - shell: [unclosed\n')
    const ran = await runCli(['broken.yml'])
    expect(ran.code).toBe(4)
    expect(ran.stderr).toMatch(/^ERROR! broken\.yml:\d+:\d+: YAML syntax error/)
    expect(ran.stderr).not.toMatch(/\n\s+at /)
  })

  it('exits 4 on an unknown module and suggests the closest one and shell', async () => {
    writeFileSync(
      path.join(work, 'typo.yml'),
      '- hosts: all\n  tasks:\n    - name: typo\n      shel: echo hi\n'
    )
    const ran = await runCli(['typo.yml'])
    expect(ran.code).toBe(4)
    expect(ran.stderr).toContain(
      "typo.yml:3: couldn't resolve module/action 'shel': did you mean 'shell'?"
    )
  })

  it('exits 5 on bad options', async () => {
    const ran = await runCli(['--forks', 'many', 'x.yml'])
    expect(ran.code).toBe(5)
    expect(ran.stderr).toContain("--forks must be a positive whole number, got 'many'")
    const none = await runCli([])
    expect(none.code).toBe(5)
    const method = await runCli(['all', '-m', 'ping', '-b', '--become-method', 'doas'])
    expect(method.code).toBe(5)
    expect(method.stderr).toContain("--become-method must be 'sudo' or 'su', got 'doas'")
    // -K never waits on a pipe: without a terminal it says where else the password can come from.
    const ask = await runCli(['all', '-m', 'ping', '-K'])
    expect(ask.code).toBe(5)
    expect(ask.stderr).toContain('-K/--ask-become-pass needs a terminal')
    expect(ask.stderr).toContain('ASYNC_PLAYBOOK_BECOME_PASSWORD')
  })

  it('takes extra vars as key=value, JSON and @file; later ones win', async () => {
    writeFileSync(path.join(work, 'vars.yml'), 'from_file: file\nwho: file\n')
    writeFileSync(
      path.join(work, 'vars-play.yml'),
      `- hosts: localhost\n  gather_facts: false\n  tasks:\n    - debug: msg="{{ who }} {{ n + 1 }} {{ from_file }}"\n`
    )
    const ran = await runCli([
      'vars-play.yml',
      '-e',
      '@vars.yml',
      '-e',
      '{"n": 41}',
      '-e',
      'who=kv'
    ])
    expect(ran.code).toBe(0)
    expect(ran.stdout).toContain('"msg": "kv 42 file"')
  })

  it('keeps ASYNC_PLAYBOOK_BECOME_PASSWORD out of local commands, facts and results', async () => {
    const secret = 'become-secret-in-the-environment'
    const ran = await runCli(
      [
        '-v',
        path.resolve(
          work,
          writePlaybook(
            'local-env.yml',
            `- hosts: localhost
  tasks:
    - name: env
      shell: env
      register: e
    - name: seen
      debug:
        msg: "facts {{ ansible_env | length > 3 }} {{ 'ASYNC_PLAYBOOK_BECOME_PASSWORD' in ansible_env }} shell {{ e.stdout_lines | length > 3 }} {{ 'ASYNC_PLAYBOOK_BECOME_PASSWORD' in e.stdout }}"
`
          )
        )
      ],
      { ASYNC_PLAYBOOK_BECOME_PASSWORD: secret }
    )
    expect(ran.code, ran.stderr).toBe(0)
    // Facts and the shell's environment were there, without the variable.
    expect(ran.stdout).toContain('"msg": "facts True False shell True False"')
    expect(ran.stdout).not.toContain(secret)
  })
})
