// End to end: retry files as ansible-playbook 2.14 writes them (retry_files_enabled in ansible.cfg or
// ANSIBLE_RETRY_FILES_ENABLED; retry_files_save_path), read back with --limit @file, through the bundled
// CLI (dist/cli.js), compared with ansible-playbook where it is installed.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ansibleEnvironment, findAnsiblePlaybook } from '../helpers/ansible.js'

const CLI = path.resolve('dist/cli.js')
const ansiblePlaybook = findAnsiblePlaybook()
const requireAnsible = process.env['APB_REQUIRE_ANSIBLE'] === '1'

interface Ran {
  code: number | null
  stdout: string
  stderr: string
}

function run(cwd: string, command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

const PLAYBOOK = [
  '- hosts: all',
  '  gather_facts: false',
  '  tasks:',
  '    - name: fail on some',
  '      fail: { msg: planned }',
  '      when: inventory_hostname in ["h3", "h1"]',
  '    - name: ran',
  '      debug: { msg: "{{ inventory_hostname }}" }'
].join('\n')

function workspace(): string {
  const work = mkdtempSync(path.join(tmpdir(), 'apb-retry-'))
  writeFileSync(path.join(work, 'deploy.yml'), PLAYBOOK + '\n')
  writeFileSync(
    path.join(work, 'hosts.ini'),
    'h1 ansible_connection=local\nh2 ansible_connection=local\nh3 ansible_connection=local\n'
  )
  return work
}

const ours = (work: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Ran> =>
  run(work, process.execPath, [CLI, ...args], { PATH: process.env['PATH'], HOME: work, ...env })

describe('retry files', () => {
  it('are written when enabled in ansible.cfg, next to the playbook, and read back with --limit @file', async () => {
    const work = workspace()
    writeFileSync(path.join(work, 'ansible.cfg'), '[defaults]\nretry_files_enabled = True\n')
    const first = await ours(work, ['deploy.yml', '-i', 'hosts.ini'])
    expect(first.code).toBe(2)
    const file = path.join(work, 'deploy.retry')
    expect(readFileSync(file, 'utf8')).toBe('h1\nh3\n')
    expect(first.stdout).toContain(`\tto retry, use: --limit @${file}\n`)
    expect(first.stdout.indexOf('to retry')).toBeLessThan(first.stdout.indexOf('PLAY RECAP'))
    const again = await ours(work, ['deploy.yml', '-i', 'hosts.ini', '--limit', `@${file}`])
    expect(again.stdout).toMatch(/h1\s+: ok=0 .*failed=1/)
    expect(again.stdout).not.toMatch(/^h2 /m)
  })

  it('go to ANSIBLE_RETRY_FILES_SAVE_PATH (made if missing), and are not written when disabled or all is well', async () => {
    const work = workspace()
    const dir = path.join(work, 'retries', 'sub')
    await ours(work, ['deploy.yml', '-i', 'hosts.ini'], {
      ANSIBLE_RETRY_FILES_ENABLED: 'yes',
      ANSIBLE_RETRY_FILES_SAVE_PATH: dir
    })
    expect(readFileSync(path.join(dir, 'deploy.retry'), 'utf8')).toBe('h1\nh3\n')
    const off = workspace()
    const ran = await ours(off, ['deploy.yml', '-i', 'hosts.ini'])
    expect(ran.code).toBe(2)
    expect(existsSync(path.join(off, 'deploy.retry'))).toBe(false)
    const fine = workspace()
    await ours(fine, ['deploy.yml', '-i', 'hosts.ini', '--limit', 'h2'], {
      ANSIBLE_RETRY_FILES_ENABLED: '1'
    })
    expect(existsSync(path.join(fine, 'deploy.retry'))).toBe(false)
  })

  it.skipIf(!ansiblePlaybook && !requireAnsible)(
    'match what ansible-playbook writes',
    async () => {
      const work = workspace()
      const env: NodeJS.ProcessEnv = {
        ...ansibleEnvironment(mkdtempSync(path.join(work, 'ansible-'))),
        ANSIBLE_RETRY_FILES_ENABLED: '1',
        ANSIBLE_RETRY_FILES_SAVE_PATH: path.join(work, 'theirs')
      }
      delete env['ANSIBLE_STDOUT_CALLBACK']
      const theirs = await run(work, ansiblePlaybook!, ['deploy.yml', '-i', 'hosts.ini'], env)
      const mine = await ours(work, ['deploy.yml', '-i', 'hosts.ini'], {
        ANSIBLE_RETRY_FILES_ENABLED: '1',
        ANSIBLE_RETRY_FILES_SAVE_PATH: path.join(work, 'ours')
      })
      expect(theirs.code).toBe(mine.code)
      expect(readFileSync(path.join(work, 'ours', 'deploy.retry'), 'utf8')).toBe(
        readFileSync(path.join(work, 'theirs', 'deploy.retry'), 'utf8')
      )
      const line = (text: string, dir: string): string | undefined =>
        /\tto retry, use: --limit @(.*)\n/.exec(text)?.[1]?.replace(path.join(work, dir), '<dir>')
      expect(line(mine.stdout, 'ours')).toBe(line(theirs.stdout, 'theirs'))
    },
    120_000
  )
})
