// End to end: the webapp deploy example (examples/webapp/deploy.yml) through the bundled CLI on the
// built-in localhost, twice, as a user runs it; and through ansible-playbook, whose recap it must match.
// It downloads a release with its checksum checked (get_url), unpacks it (unarchive), links and
// configures it (file, lineinfile, stat), starts it in the background and gates on it (wait_for, uri).
import { spawn } from 'node:child_process'
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ANSIBLE_DEADLINE_MS,
  findAnsiblePlaybook,
  runAnsiblePlaybook,
  type AnsibleHostStats
} from '../helpers/ansible.js'
import { unreachablePort } from '../helpers/sshd.js'

const CLI = path.resolve('dist/cli.js')
const PLAYBOOK = path.resolve('examples/webapp/deploy.yml')
let work: string

interface Ran {
  code: number | null
  stdout: string
  stderr: string
}

function runCli(args: string[]): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: work, env: process.env })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/** Directories and ports of one deployment, so that runs do not meet each other's files or servers. */
async function settings(name: string): Promise<{ vars: string[]; appDir: string }> {
  const root = path.join(work, name)
  const appDir = `${root}/app`
  const vars = [
    `app_dir=${appDir}`,
    `build_dir=${root}/build`,
    `store_dir=${root}/store`,
    `store_port=${await unreachablePort()}`,
    `app_port=${await unreachablePort()}`
  ]
  return { vars, appDir }
}

function recap(stdout: string): string | undefined {
  return /PLAY RECAP \*+\n(localhost\s+: .*)/.exec(stdout)?.[1]?.replace(/\s+/g, ' ').trim()
}

function ansibleRecap(stats: AnsibleHostStats): string {
  return (
    `localhost : ok=${stats.ok} changed=${stats.changed} unreachable=${stats.unreachable} ` +
    `failed=${stats.failures} skipped=${stats.skipped} rescued=${stats.rescued} ignored=${stats.ignored}`
  )
}

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'apb-webapp-'))
})
afterAll(() => rmSync(work, { recursive: true, force: true }))

describe('examples/webapp/deploy.yml', () => {
  const ours: Ran[] = []
  let appDir = ''

  it('deploys on localhost: downloads, unpacks, links, configures, starts and health-checks the app', async () => {
    const deployment = await settings('ours')
    appDir = deployment.appDir
    const args = [PLAYBOOK, ...deployment.vars.flatMap((v) => ['-e', v])]
    ours.push(await runCli(args))
    const first = ours[0]!
    expect(first.stderr).toBe('')
    expect(first.code).toBe(0)
    expect(first.stdout).toContain('"msg": "1.2.0 is up on port')
    expect(first.stdout).toContain(': hello from async-playbook"')
    expect(recap(first.stdout)).toBe(
      'localhost : ok=23 changed=12 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0'
    )
    // What the deploy left on the target.
    expect(readlinkSync(`${appDir}/current`)).toBe(`${appDir}/releases/1.2.0`)
    expect(readFileSync(`${appDir}/current/VERSION`, 'utf8')).toBe('1.2.0\n')
    expect(existsSync(`${appDir}/current/server.cjs`)).toBe(true)
    expect(readFileSync(`${appDir}/shared/app.conf`, 'utf8')).toMatch(
      /^port = \d+\ngreeting = hello from async-playbook\n$/
    )

    // Again: nothing is downloaded, unpacked, linked or edited; only the two background starts change.
    const mtime = statSync(`${appDir}/shared/app.conf`).mtimeMs
    ours.push(await runCli(args))
    const second = ours[1]!
    expect(second.code).toBe(0)
    expect(recap(second.stdout)).toBe(
      'localhost : ok=23 changed=2 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0'
    )
    for (const task of [
      'download the release, checking its checksum',
      'unpack it',
      'configure the port',
      'configure the greeting',
      'switch current to the new release'
    ])
      expect(second.stdout).toMatch(new RegExp(`TASK \\[${task}\\] \\**\\nok: \\[localhost\\]`))
    expect(statSync(`${appDir}/shared/app.conf`).mtimeMs).toBe(mtime)
  })

  it.skipIf(!findAnsiblePlaybook() && process.env['APB_REQUIRE_ANSIBLE'] !== '1')(
    'gives the recap ansible-playbook gives, on the first run and the second',
    async () => {
      expect(ours).toHaveLength(2)
      const deployment = await settings('ansible')
      const inventory = path.join(work, 'inventory.ini')
      writeFileSync(inventory, 'localhost ansible_connection=local\n')
      const tmpDir = mkdtempSync(path.join(work, 'ansible-'))
      for (const [i, run] of ours.entries()) {
        const ansible = await runAnsiblePlaybook({
          playbook: PLAYBOOK,
          inventoryPath: inventory,
          extraVars: deployment.vars,
          tmpDir
        })
        expect(ansible.exitCode, ansible.stderr).toBe(0)
        expect(recap(run.stdout), `run ${i + 1}`).toBe(
          ansibleRecap(ansible.report.stats['localhost']!)
        )
      }
    },
    // A hang guard for two ansible-playbook runs, not a speed claim (see ANSIBLE_DEADLINE_MS): on a busy
    // machine they outlast the suite's default of 60 s.
    2 * ANSIBLE_DEADLINE_MS
  )
})
