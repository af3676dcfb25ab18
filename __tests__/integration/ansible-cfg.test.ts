/**
 * Both tools run in a directory holding an ansible.cfg (__fixtures__/ansible-cfg): the inventory, the
 * roles path, forks and `gathering` come from the file, ANSIBLE_GATHERING overrides it, and the tasks each
 * play ran (Gathering Facts included) and what they printed match ansible-playbook's.
 */
import { spawn } from 'node:child_process'
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseCli } from '../../src/cli-options.js'
import { executeRun } from '../../src/engine.js'
import {
  ANSIBLE_DEADLINE_MS,
  ANSIBLE_INSTALL_HINT,
  ansibleEnvironment,
  findAnsiblePlaybook,
  type AnsibleJsonReport
} from '../helpers/ansible.js'

const executable = findAnsiblePlaybook()
if (!executable && process.env['APB_REQUIRE_ANSIBLE'] === '1')
  throw new Error(`APB_REQUIRE_ANSIBLE=1 but ansible-playbook is missing: ${ANSIBLE_INSTALL_HINT}`)

type Summary = Array<{ play: string; tasks: Array<[string, unknown]> }>

let root: string
let project: string
let home: string

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'apb-ansible-cfg-'))
  chmodSync(root, 0o755)
  project = path.join(root, 'project')
  home = path.join(root, 'home')
  cpSync(path.join(__dirname, '../../__fixtures__/ansible-cfg'), project, { recursive: true })
  mkdirSync(home)
  // A checkout may be group- or world-writable: the directory must not be, or both tools ignore the file.
  chmodSync(project, 0o755)
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

async function runAnsible(extraEnv: Record<string, string>, args: string[] = []): Promise<Summary> {
  const env = { ...ansibleEnvironment(path.join(root, 'ansible-tmp')), ...extraEnv }
  // Only the project's ansible.cfg decides: none named, no callback forced over the file's.
  delete env['ANSIBLE_CONFIG']
  delete env['ANSIBLE_STDOUT_CALLBACK']
  delete env['ANSIBLE_PYTHON_INTERPRETER']
  env['HOME'] = home
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = spawn(executable!, ['site.yml', ...args], {
      cwd: project,
      env,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')))
    const timer = setTimeout(() => child.kill('SIGKILL'), ANSIBLE_DEADLINE_MS)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      if (code === 0) resolve(out)
      else reject(new Error(`ansible-playbook exited ${code}: ${err}\n${out}`))
    })
  })
  const report = JSON.parse(stdout) as AnsibleJsonReport
  return report.plays.map((play) => ({
    play: play.play.name,
    tasks: play.tasks.map((task) => [task.task.name, task.hosts['localhost']?.['msg']])
  }))
}

async function runOurs(extraEnv: Record<string, string>, args: string[] = []): Promise<Summary> {
  const request = parseCli(['site.yml', ...args], { HOME: home, ...extraEnv }, false, project)
  let output = ''
  const outcome = await executeRun(request.settings!, (text) => (output += text))
  expect(outcome.exitCode).toBe(0)
  // The keys we do not implement are named once, before the run.
  expect(output.match(/not supported by async-playbook/g)).toHaveLength(1)
  expect(output).toContain('[defaults] stdout_callback')
  return outcome.document.plays.map((play) => ({
    play: play.name,
    tasks: play.tasks.map((task) => {
      const result = task.results['localhost']?.result
      return [task.name, result?.['msg']] as [string, unknown]
    })
  }))
}

describe.skipIf(!executable)(
  'ansible.cfg in the working directory, against ansible-playbook',
  () => {
    it('reads inventory, roles_path, forks and gathering = explicit from the file', async () => {
      const [theirs, ours] = await Promise.all([runAnsible({}), runOurs({})])
      expect(ours).toEqual(theirs)
      // What the file set is visible: not a run with defaults that happens to agree.
      expect(JSON.stringify(ours)).toContain("ansible.cfg forks=3 inventory=['hosts'] facts=False")
    })

    it('lets ANSIBLE_FORKS win over the file, and -f over both', async () => {
      const env = { ANSIBLE_FORKS: '2' }
      const [theirs, ours] = await Promise.all([runAnsible(env), runOurs(env)])
      expect(ours).toEqual(theirs)
      expect(JSON.stringify(ours)).toContain('forks=2')
      const [theirsF, oursF] = await Promise.all([
        runAnsible(env, ['-f', '4']),
        runOurs(env, ['-f', '4'])
      ])
      expect(oursF).toEqual(theirsF)
      expect(JSON.stringify(oursF)).toContain('forks=4')
    })

    it('lets ANSIBLE_GATHERING=smart win over the file (facts gathered once per host)', async () => {
      const env = { ANSIBLE_GATHERING: 'smart' }
      const [theirs, ours] = await Promise.all([runAnsible(env), runOurs(env)])
      expect(ours).toEqual(theirs)
      expect(ours[0]!.tasks[0]![0]).toBe('Gathering Facts')
      expect(ours[1]!.tasks.map(([name]) => name)).not.toContain('Gathering Facts')
    })
  }
)
