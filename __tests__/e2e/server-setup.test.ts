// End to end: the server set-up example (examples/server-setup/setup.yml) through the bundled CLI against
// the test sshd, under become (sudo), as a user runs it: a system account, a package from a local apt
// repository (__tests__/helpers/apt-repo.ts), an init script and its configuration (a handler restarts
// the service), the service started and enabled (sysvinit: /etc/init.d and update-rc.d's links), a cron
// job. Twice (the second run changes nothing), then the same through ansible-playbook, whose recaps must
// match. Needs root (sudo for the login user, the apt repository); everything it made is removed.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ANSIBLE_DEADLINE_MS,
  findAnsiblePlaybook,
  runAnsiblePlaybook,
  type AnsibleHostStats
} from '../helpers/ansible.js'
import { aptRepoUsable, createAptRepo, type AptRepo } from '../helpers/apt-repo.js'
import { sshdInventory } from '../helpers/engine.js'
import { startSshd, type SshdFixture } from '../helpers/sshd.js'

const CLI = path.resolve('dist/cli.js')
const PLAYBOOK = path.resolve('examples/server-setup/setup.yml')
const NAME = `apbhb${process.pid % 100000}`
const SUDOERS_FILE = `/etc/sudoers.d/apbtest-server-setup-${process.pid}`
const usable =
  process.getuid?.() === 0 &&
  existsSync('/usr/bin/sudo') &&
  aptRepoUsable() &&
  spawnSync('sh', ['-c', 'command -v crontab && command -v update-rc.d'], { stdio: 'ignore' })
    .status === 0

let sshd: SshdFixture
let repo: AptRepo
let work: string
let inventory: string

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

function recap(stdout: string): string | undefined {
  return /PLAY RECAP \*+\n(server1\s+: .*)/.exec(stdout)?.[1]?.replace(/\s+/g, ' ').trim()
}

function ansibleRecap(stats: AnsibleHostStats): string {
  return (
    `server1 : ok=${stats.ok} changed=${stats.changed} unreachable=${stats.unreachable} ` +
    `failed=${stats.failures} skipped=${stats.skipped} rescued=${stats.rescued} ignored=${stats.ignored}`
  )
}

/** Everything a run made: the service (stopped), its files and links, the account, the cron job, the package. */
function removeAll(): void {
  spawnSync(`/etc/init.d/${NAME}`, ['stop'], { stdio: 'ignore' })
  spawnSync('update-rc.d', ['-f', NAME, 'remove'], { stdio: 'ignore' })
  for (const file of [`/etc/init.d/${NAME}`, `/etc/default/${NAME}`, `/run/${NAME}.pid`])
    rmSync(file, { force: true })
  spawnSync('crontab', ['-r', '-u', NAME], { stdio: 'ignore' })
  spawnSync('userdel', ['-r', '-f', NAME], { stdio: 'ignore' })
  spawnSync('groupdel', [NAME], { stdio: 'ignore' })
  repo?.purgeAll()
}

const extraVars = (): string[] => [
  `app_name=${NAME}`,
  `app_user=${NAME}`,
  `app_interval=1`,
  `{"app_packages": ["${repo.names.hello}"]}`
]

beforeAll(async () => {
  if (!usable) return
  sshd = await startSshd({ name: 'e2e-server-setup' })
  writeFileSync(SUDOERS_FILE, `${sshd.user} ALL=(root) NOPASSWD: ALL\n`, { mode: 0o440 })
  work = mkdtempSync(path.join(tmpdir(), 'apb-server-setup-'))
  repo = createAptRepo()
  repo.enable()
  inventory = path.join(work, 'inventory.ini')
  writeFileSync(
    inventory,
    sshdInventory(sshd, {
      hosts: ['server1'],
      group: 'servers',
      extra: `ansible_ssh_common_args='-o UserKnownHostsFile=${sshd.knownHostsPath}'`
    })
  )
  removeAll()
}, 300_000)

afterAll(async () => {
  if (!usable) return
  removeAll()
  repo?.cleanup()
  rmSync(SUDOERS_FILE, { force: true })
  await sshd?.stop()
  rmSync(work, { recursive: true, force: true })
})

describe.skipIf(!usable && process.env['APB_REQUIRE_SSHD'] !== '1')(
  'examples/server-setup/setup.yml',
  () => {
    const ours: Ran[] = []

    it(
      'sets the server up under become, then finds everything in place',
      async () => {
        const args = [PLAYBOOK, '-i', inventory, ...extraVars().flatMap((v) => ['-e', v])]
        ours.push(await runCli(args))
        const first = ours[0]!
        expect(first.code, first.stdout.slice(-3000) + first.stderr).toBe(0)
        expect(first.stdout).toContain('RUNNING HANDLER [restart the service]')

        // The account, the package, the service and its boot links, the configuration, the cron job.
        const passwd = spawnSync('getent', ['passwd', NAME], { encoding: 'utf8' }).stdout
        expect(passwd).toMatch(
          new RegExp(`^${NAME}:x:\\d+:\\d+:${NAME} service:/var/lib/${NAME}:/usr/sbin/nologin`)
        )
        const status = spawnSync('dpkg-query', ['-W', '-f=${Status}', repo.names.hello], {
          encoding: 'utf8'
        })
        expect(status.stdout).toBe('install ok installed')
        expect(readFileSync(`/etc/default/${NAME}`, 'utf8')).toContain(
          `HEARTBEAT_FILE=/var/lib/${NAME}/beat`
        )
        expect(spawnSync(`/etc/init.d/${NAME}`, ['status']).status).toBe(0)
        expect(
          readdirSync('/etc/rc2.d').some((entry) => entry === `S01${NAME}` || entry.endsWith(NAME))
        ).toBe(true)
        const crontab = spawnSync('crontab', ['-l', '-u', NAME], { encoding: 'utf8' }).stdout
        expect(crontab).toContain(`#Ansible: ${NAME} check`)
        expect(crontab).toContain(`*/10 * * * * test -s /var/lib/${NAME}/beat`)
        // The service runs as its user.
        const pid = readFileSync(`/run/${NAME}.pid`, 'utf8').trim()
        expect(
          spawnSync('ps', ['-o', 'user=', '-p', pid], { encoding: 'utf8' }).stdout.trim()
        ).toBe(NAME)

        ours.push(await runCli(args))
        const second = ours[1]!
        expect(second.code, second.stdout.slice(-3000)).toBe(0)
        expect(recap(second.stdout)).toMatch(/changed=0 /)
        expect(second.stdout).not.toContain('RUNNING HANDLER')
      },
      ANSIBLE_DEADLINE_MS
    )

    it.skipIf(!findAnsiblePlaybook() && process.env['APB_REQUIRE_ANSIBLE'] !== '1')(
      'gives the recaps ansible-playbook gives, from the same clean server',
      async () => {
        expect(ours).toHaveLength(2)
        removeAll()
        const tmpDir = mkdtempSync(path.join(work, 'ansible-'))
        for (const [i, run] of ours.entries()) {
          const ansible = await runAnsiblePlaybook({
            playbook: PLAYBOOK,
            inventoryPath: inventory,
            extraVars: extraVars(),
            tmpDir
          })
          expect(ansible.exitCode, ansible.stderr).toBe(0)
          expect(recap(run.stdout), `run ${i + 1}`).toBe(
            ansibleRecap(ansible.report.stats['server1']!)
          )
        }
      },
      2 * ANSIBLE_DEADLINE_MS
    )
  }
)
