// End to end: --list-hosts, --list-tasks, --list-tags and --syntax-check of the bundled CLI (dist/cli.js)
// print what ansible-playbook 2.14 prints, byte for byte (hosts compared as sets: ansible-playbook lists
// a play's hosts from a Python set, in no stable order), on playbooks with roles, blocks, imports,
// includes, tags and templated play keywords. The inventory's hosts are unreachable addresses: a listing
// that tried to connect would fail.
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  ANSIBLE_INSTALL_HINT,
  ansibleEnvironment,
  findAnsiblePlaybook
} from '../helpers/ansible.js'

const CLI = path.resolve('dist/cli.js')
const FIXTURES = path.resolve('__fixtures__/listing')
const ansiblePlaybook = findAnsiblePlaybook()
const requireAnsible = process.env['APB_REQUIRE_ANSIBLE'] === '1'

interface Ran {
  code: number | null
  stdout: string
  stderr: string
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: FIXTURES, env, stdio: ['ignore', 'pipe', 'pipe'] })
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
  const env = { ...ansibleEnvironment(mkdtempSync(path.join(tmpdir(), 'apb-listing-'))) }
  delete env['ANSIBLE_STDOUT_CALLBACK']
  return run(ansiblePlaybook!, args, env)
}

/** The host lines of each `hosts (N):` block sorted, the rest as printed. */
function hostsAsSets(text: string): string {
  return text.replace(
    /( {4}hosts \(\d+\):\n)((?: {6}.*\n?)*)/g,
    (_, head: string, body: string) => {
      const lines = body.split('\n').filter((l) => l !== '')
      return (
        head +
        lines
          .sort()
          .map((l) => `${l}\n`)
          .join('')
      )
    }
  )
}

const CASES: string[][] = [
  ['site.yml', '--list-hosts'],
  ['site.yml', '--list-tasks'],
  ['site.yml', '--list-tags'],
  ['site.yml', '--list-hosts', '--list-tasks', '--list-tags'],
  ['site.yml', '--list-tasks', '--tags', 'c,late'],
  ['site.yml', '--list-tasks', '--skip-tags', 'blk,r'],
  ['site.yml', '--list-hosts', '--limit', 'w1'],
  ['site.yml', '--syntax-check'],
  ['site.yml', '--syntax-check', '--list-tasks'],
  ['imports.yml', '--list-hosts', '--list-tasks', '--list-tags'],
  ['imports.yml', '--list-tasks', '--tags', 'dbg', '--skip-tags', 'always'],
  ['imports.yml', '--list-tags', '--tags', 'tagged'],
  ['templated.yml', '--list-hosts', '--list-tasks', '-e', 'pname=P', '-e', 'grp=db'],
  ['templated.yml', '--list-tags', '-e', '{"pname": "Q", "grp": "web"}']
]

describe.skipIf(!ansiblePlaybook && !requireAnsible)(
  'listing options, against ansible-playbook',
  () => {
    it('has ansible-playbook', () => {
      expect(ansiblePlaybook, ANSIBLE_INSTALL_HINT).toBeDefined()
    })

    for (const args of CASES) {
      it(`prints what ansible-playbook prints: ${args.join(' ')}`, async () => {
        const full = [...args, '-i', 'inventory.ini']
        const [ours, theirs] = await Promise.all([runCli(full), runAnsible(full)])
        expect(theirs.code).toBe(0)
        expect(ours.stderr).toBe('')
        expect(ours.code).toBe(0)
        expect(hostsAsSets(ours.stdout)).toBe(hostsAsSets(theirs.stdout))
      }, 360_000)
    }

    it('fails a syntax check as ansible-playbook does (exit 4), naming the file and line', async () => {
      const args = ['bad-keyword.yml', '--syntax-check', '-i', 'inventory.ini']
      const [ours, theirs] = await Promise.all([runCli(args), runAnsible(args)])
      expect(theirs.code).toBe(4)
      expect(ours.code).toBe(4)
      expect(ours.stdout).not.toContain('playbook: bad-keyword.yml')
      expect(ours.stderr).toContain("bad-keyword.yml:3: 'whenn' is not a valid task keyword")
    }, 360_000)
  }
)

describe('listing options', () => {
  it('are refused where there is no playbook to list', async () => {
    const adhoc = await runCli(['all', '-m', 'ping', '--list-hosts', '-i', 'inventory.ini'])
    expect(adhoc.code).toBe(5)
    expect(adhoc.stderr).toContain('--list-hosts lists what a playbook would do')
  })
})
