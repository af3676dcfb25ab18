// End to end: examples/best-practices, a repository laid out as Ansible's best-practices docs lay one out
// (inventories/staging and production with group_vars/host_vars, ansible.cfg, a vaulted
// group_vars/all/vault.yml, roles/requirements.yml naming a role in a git repository, a site playbook
// importing role-based plays), run unchanged against the test sshd through the bundled CLI and the bundled
// action, and through ansible-galaxy + ansible-playbook, with the same results and recap.
//
// The role's git repository is made here from __fixtures__/roles/ansible-role-motd; git's
// url.<base>.insteadOf (in the environment, for both tools) points the requirements file's
// https://git.example.com/... URL at it, so nothing reaches the network. The vault password is the
// example's ('best-practices-example'), in a file here (the action gets it through its vault-password input).
import { execFileSync, spawn } from 'node:child_process'
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunOutcome } from '../../src/engine.js'
import type { ResultsDocument } from '../../src/report/results-document.js'
import { runAction } from '../helpers/action.js'
import {
  ANSIBLE_DEADLINE_MS,
  closeAnsibleControlMasters,
  compareRuns,
  findAnsiblePlaybook,
  type AnsibleJsonReport,
  type AnsibleRun
} from '../helpers/ansible.js'
import { startSshd, type SshdFixture } from '../helpers/sshd.js'

const CLI = path.resolve('dist/cli.js')
const VAULT_PASSWORD = 'best-practices-example'
const haveAnsible = findAnsiblePlaybook() !== undefined

let sshd: SshdFixture
let root: string
let project: string
let appRoot: string
let cache: string
let baseEnv: NodeJS.ProcessEnv

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', args, {
    cwd,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.invalid',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.invalid'
    },
    stdio: 'ignore'
  })
}

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'apb-e2e-bp-'))
  chmodSync(root, 0o755)
  project = path.join(root, 'project')
  // Ansible ignores an ansible.cfg in a world-writable directory: the copy is 0755, as a checkout is.
  cpSync(path.resolve('examples/best-practices'), project, { recursive: true })
  chmodSync(project, 0o755)
  // The role's repository: a v1.0.0 tag, then a later commit the tag must not pick up.
  const repos = path.join(root, 'repos')
  const repo = path.join(repos, 'ansible-role-motd.git')
  cpSync(path.resolve('__fixtures__/roles/ansible-role-motd'), repo, { recursive: true })
  git(repo, 'init', '--quiet', '--initial-branch=main')
  git(repo, 'add', '.')
  git(repo, 'commit', '--quiet', '-m', 'motd role')
  git(repo, 'tag', 'v1.0.0')
  writeFileSync(path.join(repo, 'defaults/main.yml'), 'motd_message: not the tagged version\n')
  git(repo, 'commit', '--quiet', '-am', 'after the tag')
  writeFileSync(path.join(root, 'vault-pass'), `${VAULT_PASSWORD}\n`, { mode: 0o600 })
  appRoot = path.join(root, 'site')
  cache = path.join(root, 'roles-cache')
  sshd = await startSshd({ name: 'e2e-best-practices' })
  writeFileSync(
    path.join(root, 'connection.yml'),
    [
      'ansible_host: 127.0.0.1',
      `ansible_port: ${sshd.port}`,
      `ansible_user: ${sshd.user}`,
      `ansible_ssh_private_key_file: ${sshd.clientKeyPath}`,
      `ansible_ssh_common_args: "-o UserKnownHostsFile=${sshd.knownHostsPath}"`,
      `app_root: ${appRoot}`
    ].join('\n') + '\n'
  )
  baseEnv = {
    PATH: process.env['PATH'],
    HOME: path.join(root, 'home'),
    LANG: 'C.UTF-8',
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: `url.file://${repos}/.insteadOf`,
    GIT_CONFIG_VALUE_0: 'https://git.example.com/ansible-roles/'
  }
  mkdirSync(path.join(root, 'home'))
}, 300_000)

afterAll(async () => {
  await sshd?.stop()
  if (root) rmSync(root, { recursive: true, force: true })
})

/** A clean site directory the test user can write to. */
function cleanSite(): void {
  rmSync(appRoot, { recursive: true, force: true })
  mkdirSync(appRoot)
  chmodSync(appRoot, 0o777)
}

function run(
  program: string,
  args: string[],
  env: NodeJS.ProcessEnv
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/** What a user sees on the target: each file the run left, with its content. */
function siteFiles(): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (dir: string, rel: string): void => {
    for (const entry of execFileSync('ls', ['-A', dir], { encoding: 'utf8' }).split('\n')) {
      if (entry === '') continue
      const full = path.join(dir, entry)
      const name = rel ? `${rel}/${entry}` : entry
      try {
        out[name] = readFileSync(full, 'utf8')
      } catch {
        walk(full, name)
      }
    }
  }
  walk(appRoot, '')
  return out
}

async function ours(inventoryArgs: string[]): Promise<{ outcome: RunOutcome; stdout: string }> {
  const json = path.join(root, `ours-${Date.now()}.json`)
  const ran = await run(
    process.execPath,
    [
      CLI,
      'site.yml',
      ...inventoryArgs,
      '--install-requirements',
      '--vault-password-file',
      path.join(root, 'vault-pass'),
      '-e',
      `@${path.join(root, 'connection.yml')}`,
      '--json',
      json
    ],
    { ...baseEnv, ASYNC_PLAYBOOK_REQUIREMENTS_CACHE: cache }
  )
  expect(ran.stderr).toBe('')
  const document = JSON.parse(readFileSync(json, 'utf8')) as ResultsDocument
  return { outcome: { exitCode: ran.code ?? -1, document }, stdout: ran.stdout }
}

async function ansible(inventoryArgs: string[]): Promise<AnsibleRun> {
  const ansibleRoot = mkdtempSync(path.join(root, 'ansible-'))
  const env: NodeJS.ProcessEnv = {
    ...baseEnv,
    ANSIBLE_HOME: path.join(ansibleRoot, 'home'),
    ANSIBLE_LOCAL_TEMP: path.join(ansibleRoot, 'tmp'),
    ANSIBLE_SSH_CONTROL_PATH_DIR: path.join(ansibleRoot, 'cp'),
    ANSIBLE_ROLES_PATH: path.join(ansibleRoot, 'galaxy-roles'),
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3'
  }
  const galaxy = await run(
    'ansible-galaxy',
    ['install', '-r', 'roles/requirements.yml', '-p', env['ANSIBLE_ROLES_PATH']!],
    env
  )
  expect(galaxy.code, galaxy.stdout + galaxy.stderr).toBe(0)
  const ran = await run(
    findAnsiblePlaybook()!,
    [
      'site.yml',
      ...inventoryArgs,
      '--vault-password-file',
      path.join(root, 'vault-pass'),
      '-e',
      `@${path.join(root, 'connection.yml')}`
    ],
    { ...env, ANSIBLE_STDOUT_CALLBACK: 'json' }
  )
  await closeAnsibleControlMasters(ansibleRoot)
  return {
    exitCode: ran.code ?? -1,
    report: JSON.parse(ran.stdout) as AnsibleJsonReport,
    stdout: ran.stdout,
    stderr: ran.stderr
  }
}

function recapLines(stdout: string): string[] {
  // The action colours its log as the runner shows it.
  // eslint-disable-next-line no-control-regex
  const recap = stdout.replace(/\x1b\[[0-9;]*m/g, '').split('PLAY RECAP')[1] ?? ''
  return recap
    .split('\n')
    .filter((line) => /: ok=/.test(line))
    .map((line) => line.replace(/\s+/g, ' ').trim())
}

function ansibleRecapLines(report: AnsibleJsonReport): string[] {
  return Object.entries(report.stats)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([host, s]) =>
        `${host} : ok=${s.ok} changed=${s.changed} unreachable=${s.unreachable} failed=${s.failures} skipped=${s.skipped} rescued=${s.rescued} ignored=${s.ignored}`
    )
}

describe.skipIf(!haveAnsible && process.env['APB_REQUIRE_ANSIBLE'] !== '1')(
  'examples/best-practices',
  () => {
    for (const [label, inventoryArgs] of [
      ['staging (ansible.cfg inventory)', []],
      ['production (-i inventories/production)', ['-i', 'inventories/production']]
    ] as const) {
      it(
        `${label}: the CLI gives ansible-playbook's results, recap and files`,
        async () => {
          cleanSite()
          const theirs = await ansible([...inventoryArgs])
          expect(theirs.exitCode, theirs.stderr).toBe(0)
          const theirFiles = siteFiles()
          cleanSite()
          const mine = await ours([...inventoryArgs])
          expect(mine.outcome.exitCode, mine.stdout.slice(-3000)).toBe(0)
          expect(compareRuns(theirs, mine.outcome)).toEqual([])
          expect(recapLines(mine.stdout)).toEqual(ansibleRecapLines(theirs.report))
          expect(siteFiles()).toEqual(theirFiles)
          const env = label.startsWith('staging') ? 'staging' : 'production'
          // The tagged role version, the vaulted password, host_vars over group_vars: what a user checks.
          expect(theirFiles[`${env}-web1/motd`]).toBe(`Welcome to the ${env} web tier\n`)
          expect(theirFiles[`${env}-db1/db.conf`]).toMatch(/^user=app\npassword=\S+-s3cret/)
          expect(theirFiles[`${env}-web2/site.conf`]).toContain('listen 8081')
          expect(mine.stdout).toContain(`"msg": "motd v1.0.0: Welcome to the ${env} web tier"`)
          expect(mine.stdout).toMatch(
            /- motd \(v1\.0\.0\) (was installed successfully|is already installed)/
          )
        },
        3 * ANSIBLE_DEADLINE_MS
      )
    }

    it(
      'the action (install-requirements on by default, vault-password input) gives the same results',
      async () => {
        cleanSite()
        const theirs = await ansible([])
        expect(theirs.exitCode, theirs.stderr).toBe(0)
        const theirFiles = siteFiles()
        cleanSite()
        const resultsFile = path.join(root, 'action-results.json')
        const step = await runAction(
          project,
          {
            playbook: 'site.yml',
            'extra-vars': `@${path.join(root, 'connection.yml')}`,
            'vault-password': VAULT_PASSWORD,
            'results-file': resultsFile,
            summary: 'false'
          },
          {
            env: {
              ...baseEnv,
              ASYNC_PLAYBOOK_REQUIREMENTS_CACHE: path.join(root, 'action-cache')
            }
          }
        )
        expect(step.code, step.stdout.slice(-3000) + step.stderr).toBe(0)
        const document = JSON.parse(readFileSync(resultsFile, 'utf8')) as ResultsDocument
        expect(compareRuns(theirs, { exitCode: step.code ?? -1, document })).toEqual([])
        expect(recapLines(step.stdout)).toEqual(ansibleRecapLines(theirs.report))
        expect(siteFiles()).toEqual(theirFiles)
        expect(step.stdout).toContain('motd (v1.0.0) was installed successfully')
        // The vaulted password is masked (the runner hides what ::add-mask:: names) and never printed.
        const lines = step.stdout.split('\n').filter((line) => line.includes('staging-s3cret-pw'))
        expect(lines).toEqual(['::add-mask::staging-s3cret-pw'])
      },
      3 * ANSIBLE_DEADLINE_MS
    )
  }
)
