// End to end: the bundled CLI (dist/cli.js) and action (dist/index.js) in a directory holding an
// ansible.cfg (__fixtures__/ansible-cfg): the inventory, roles path, forks and gathering come from the
// file, ansible_config_file names it, and the keys we do not implement are named once in a warning.
import { spawn } from 'node:child_process'
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runAction } from '../helpers/action.js'

const CLI = path.resolve('dist/cli.js')
let root: string
let project: string
let home: string

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'apb-e2e-cfg-'))
  chmodSync(root, 0o755)
  project = path.join(root, 'project')
  home = path.join(root, 'home')
  mkdirSync(home)
  cpSync(path.resolve('__fixtures__/ansible-cfg'), project, { recursive: true })
  chmodSync(project, 0o755)
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {}
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: project,
      env: { PATH: process.env['PATH'], HOME: home, ...env },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

describe('ansible.cfg end to end', () => {
  it('the CLI reads the file of its working directory', async () => {
    const ran = await runCli(['site.yml'])
    expect(ran.stderr).toBe('')
    expect(ran.code).toBe(0)
    expect(ran.stdout).toContain("ansible.cfg forks=3 inventory=['hosts'] facts=False")
    expect(ran.stdout).toContain('greet role ran')
    expect(ran.stdout.match(/not supported by async-playbook/g)).toHaveLength(1)
    // gathering = explicit: only the play that asks gathers.
    expect(ran.stdout.match(/TASK \[Gathering Facts\]/g)).toHaveLength(1)
    // -f wins over ANSIBLE_FORKS, which wins over the file.
    expect((await runCli(['site.yml'], { ANSIBLE_FORKS: '2' })).stdout).toContain('forks=2')
    expect((await runCli(['site.yml', '-f', '4'], { ANSIBLE_FORKS: '2' })).stdout).toContain(
      'forks=4'
    )
  })

  it('the action reads the file of its workspace', async () => {
    const step = await runAction(project, { playbook: 'site.yml' }, { env: { HOME: home } })
    expect(step.code).toBe(0)
    // The action's forks input (default 10) decides, and says the file's was not read.
    expect(step.stdout).toContain("ansible.cfg forks=10 inventory=['hosts'] facts=False")
    expect(step.stdout).toMatch(
      /\[WARNING\]: \[defaults\] forks in [^\n]*ansible\.cfg is not read by the action/
    )
    expect(step.stdout).toMatch(
      /\[WARNING\]: [^\n]*ansible\.cfg: these settings are not supported by async-playbook[^\n]*stdout_callback/
    )
    expect(step.stdout).toContain('greet role ran')
  })
})
