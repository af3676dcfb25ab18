// Ansible's display messages beyond `[WARNING]:`, as ansible-playbook 2.14 prints them: the bare
// `include`'s deprecation warnings (at load, and again when a dynamic one runs; each once per run; off with
// ANSIBLE_DEPRECATION_WARNINGS or ansible.cfg's deprecation_warnings), and --start-at-task's `[ERROR]:`
// when no task matches (the exit code unchanged).
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { parseCli } from '../../src/cli-options.js'
import { main } from '../../src/cli.js'
import { executeRun } from '../../src/engine.js'

let dir: string

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'apb-notices-'))
  files({ hosts: 'localhost ansible_connection=local\n' })
})

afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

function files(tree: Record<string, string>): void {
  for (const [name, text] of Object.entries(tree)) {
    const file = path.join(dir, name)
    mkdirSync(path.dirname(file), { recursive: true })
    writeFileSync(file, text)
  }
}

/** Runs site.yml through the CLI's settings; the console's text and the exit code. */
async function run(
  argv: string[] = [],
  env: NodeJS.ProcessEnv = {}
): Promise<{ out: string; exitCode: number }> {
  const settings = parseCli(
    ['-i', path.join(dir, 'hosts'), 'site.yml', ...argv],
    { HOME: dir, ...env },
    false,
    dir
  ).settings!
  let out = ''
  const { exitCode } = await executeRun(settings, (text) => {
    out += text
  })
  return { out, exitCode }
}

const LOAD_DEPRECATION =
  '[DEPRECATION WARNING]: "include" is deprecated, use include_tasks/import_tasks instead. See https://docs.ansible.com/ansible-core/2.14/user_guide/playbooks_reuse_includes.html for details. This feature will be removed in version 2.16. Deprecation warnings can be disabled by setting deprecation_warnings=False in ansible.cfg.'
const RUN_DEPRECATION =
  '[DEPRECATION WARNING]: "include" is deprecated, use include_tasks/import_tasks/import_playbook instead. This feature will be removed in version 2.16. Deprecation warnings can be disabled by setting deprecation_warnings=False in ansible.cfg.'

const BARE_INCLUDES = `- hosts: all
  gather_facts: false
  vars:
    f: steps.yml
  tasks:
    - include: steps.yml
    - include: "{{ f }}"
    - include: "{{ f }}"
`

describe('deprecation warnings', () => {
  beforeEach(() => {
    files({ 'site.yml': BARE_INCLUDES, 'steps.yml': '- debug: msg=step\n' })
  })

  it('are printed as Ansible prints them: the load-time one first, the run-time one once, at the dynamic include', async () => {
    const { out, exitCode } = await run()
    expect(exitCode).toBe(0)
    const lines = out.split('\n')
    expect(lines.filter((line) => line === LOAD_DEPRECATION)).toHaveLength(1)
    expect(lines.filter((line) => line === RUN_DEPRECATION)).toHaveLength(1)
    expect(out).not.toContain('[WARNING]: "include"')
    expect(out.indexOf(LOAD_DEPRECATION)).toBeLessThan(out.indexOf('PLAY [all]'))
    // The run-time one comes with the first dynamic include's banner, before its `included:` line.
    const banner = out.indexOf('TASK [include]')
    expect(banner).toBeGreaterThan(-1)
    expect(out.indexOf(RUN_DEPRECATION)).toBeGreaterThan(banner)
    expect(out.indexOf(RUN_DEPRECATION)).toBeLessThan(out.indexOf('included:', banner))
  })

  it('are not printed with ANSIBLE_DEPRECATION_WARNINGS=false', async () => {
    const { out, exitCode } = await run([], { ANSIBLE_DEPRECATION_WARNINGS: 'false' })
    expect(exitCode).toBe(0)
    expect(out).not.toContain('DEPRECATION')
    expect(out).toContain('included:')
  })

  it("are not printed with ansible.cfg's deprecation_warnings = False, which the environment overrides", async () => {
    files({ 'ansible.cfg': '[defaults]\ndeprecation_warnings = False\n' })
    expect((await run()).out).not.toContain('DEPRECATION')
    const overridden = await run([], { ANSIBLE_DEPRECATION_WARNINGS: 'yes' })
    expect(overridden.out).toContain(LOAD_DEPRECATION)
  })

  it('refuses a value that is not a boolean, naming the setting', () => {
    expect(() =>
      parseCli(['site.yml'], { HOME: dir, ANSIBLE_DEPRECATION_WARNINGS: 'maybe' }, false, dir)
    ).toThrow('ANSIBLE_DEPRECATION_WARNINGS=maybe is not a boolean')
  })

  it('comes at load time for a bare include in a dynamically included file', async () => {
    files({
      'site.yml': '- hosts: all\n  gather_facts: false\n  tasks:\n    - include_tasks: outer.yml\n',
      'outer.yml': '- include: steps.yml\n'
    })
    const { out } = await run()
    expect(out.split('\n').filter((line) => line === LOAD_DEPRECATION)).toHaveLength(1)
    expect(out).toContain('ok: [localhost] => {\n    "msg": "step"\n}')
  })
})

describe('--start-at-task with no matching task', () => {
  it("prints Ansible's [ERROR] on stderr from the CLI, the recap on stdout, and exits 0", async () => {
    files({ 'site.yml': '- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: msg=x\n' })
    let out = ''
    let err = ''
    const outSpy = vi.spyOn(process.stdout, 'write').mockImplementation((text) => {
      out += String(text)
      return true
    })
    const errSpy = vi.spyOn(process.stderr, 'write').mockImplementation((text) => {
      err += String(text)
      return true
    })
    const cwd = process.cwd()
    vi.stubEnv('GITHUB_ACTIONS', '')
    try {
      process.chdir(dir)
      expect(await main(['-i', 'hosts', 'site.yml', '--start-at-task', 'no such task'])).toBe(0)
    } finally {
      process.chdir(cwd)
      outSpy.mockRestore()
      errSpy.mockRestore()
      vi.unstubAllEnvs()
    }
    expect(err).toBe(
      '[ERROR]: No matching task "no such task" found. Note: --start-at-task can only follow static includes.\n'
    )
    expect(out).toContain('PLAY RECAP')
    expect(out).not.toContain('No matching task')
  })

  it("prints Ansible's [ERROR] after the recap, and the exit code stays 0", async () => {
    files({ 'site.yml': '- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: msg=x\n' })
    const { out, exitCode } = await run(['--start-at-task', 'nope'])
    expect(exitCode).toBe(0)
    const error =
      '[ERROR]: No matching task "nope" found. Note: --start-at-task can only follow static includes.'
    expect(out).toContain(`\n${error}\n`)
    expect(out).not.toContain('[WARNING]: No matching task')
    expect(out.indexOf(error)).toBeGreaterThan(out.indexOf('PLAY RECAP'))
  })
})

describe('the listing modes', () => {
  it.each(['--list-tasks', '--list-hosts', '--list-tags', '--syntax-check'])(
    '%s prints the warnings and deprecations a run prints, before the listing, as ansible-playbook',
    async (mode) => {
      files({
        'site.yml': BARE_INCLUDES,
        'steps.yml': '- debug: msg=step\n',
        'ansible.cfg': '[defaults]\nlog_path = /tmp/x.log\n'
      })
      const { out, exitCode } = await run([mode])
      expect(exitCode).toBe(0)
      const unsupported = `[WARNING]: ${path.join(dir, 'ansible.cfg')}: these settings are not supported by async-playbook and have no effect: [defaults] log_path`
      expect(out).toContain(`${unsupported}\n`)
      expect(out).toContain(`${LOAD_DEPRECATION}\n`)
      expect(out.indexOf(LOAD_DEPRECATION)).toBeLessThan(out.indexOf('playbook: site.yml'))
      expect(out).not.toContain(RUN_DEPRECATION)
      const quiet = await run([mode], { ANSIBLE_DEPRECATION_WARNINGS: 'no' })
      expect(quiet.out).not.toContain('DEPRECATION')
      expect(quiet.out).toContain('playbook: site.yml')
    }
  )

  it("print Ansible's warning for an ansible.cfg in a world-writable directory", async () => {
    files({ 'site.yml': '- hosts: all\n  tasks: []\n', 'ansible.cfg': '[defaults]\nforks = 3\n' })
    chmodSync(dir, 0o777)
    const { out } = await run(['--list-tasks'])
    expect(out).toContain(
      `[WARNING]: Ansible is being run in a world writable directory (${dir}), ignoring it as an ansible.cfg source.`
    )
  })
})

describe('an ansible.cfg key Ansible does not know', () => {
  it('is ignored without a word, as ansible-playbook 2.14 ignores it, in a run and in the listing modes', async () => {
    files({
      'site.yml': '- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: msg=x\n',
      'ansible.cfg':
        '[defaults]\nbogus_key = 1\nFORKS_TYPO = 3\n[ssh_connection]\nno_such_option = 1\n[diff]\ncolour = 1\n'
    })
    for (const argv of [[], ['--list-tasks'], ['--syntax-check']]) {
      const { out, exitCode } = await run(argv)
      expect(exitCode).toBe(0)
      expect(out).not.toContain('[WARNING]')
    }
  })

  it('next to one Ansible reads and we do not implement: only that one is named', async () => {
    files({
      'site.yml': '- hosts: all\n  tasks: []\n',
      'ansible.cfg': '[defaults]\nbogus_key = 1\nstdout_callback = yaml\n'
    })
    const { out } = await run(['--list-hosts'])
    expect(out).toContain(
      `[WARNING]: ${path.join(dir, 'ansible.cfg')}: these settings are not supported by async-playbook and have no effect: [defaults] stdout_callback\n`
    )
    expect(out).not.toContain('bogus_key')
  })
})

describe('the action', () => {
  it("reads ANSIBLE_DEPRECATION_WARNINGS from the step's environment and deprecation_warnings from ansible.cfg", async () => {
    const { readActionSettings } = await import('../../src/action/settings.js')
    const saved = { ...process.env }
    try {
      for (const name of Object.keys(process.env))
        if (name.startsWith('INPUT_') || name.startsWith('ANSIBLE_')) delete process.env[name]
      Object.assign(process.env, {
        GITHUB_WORKSPACE: dir,
        HOME: dir,
        INPUT_PLAYBOOK: '- hosts: all\n  tasks: []\n'
      })
      expect(readActionSettings(process.env).run.deprecationWarnings).toBeUndefined()
      files({ 'ansible.cfg': '[defaults]\ndeprecation_warnings = no\n' })
      expect(readActionSettings(process.env).run.deprecationWarnings).toBe(false)
      process.env['ANSIBLE_DEPRECATION_WARNINGS'] = 'true'
      expect(readActionSettings(process.env).run.deprecationWarnings).toBe(true)
    } finally {
      process.env = saved
    }
  })
})
