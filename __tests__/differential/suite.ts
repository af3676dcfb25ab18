// Differential: each fixture playbook runs through ansible-playbook and through our engine against the
// same sshd with the same inventory text; exit codes, recap counters and registered results must agree.
// The suite's body; the differential*.test.ts files each run a part of the fixtures with it.
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  ANSIBLE_DEADLINE_MS,
  ANSIBLE_INSTALL_HINT,
  closeAnsibleControlMasters,
  compareRuns,
  findAnsiblePlaybook,
  runAnsiblePlaybook
} from '../helpers/ansible.js'
import { parseCli } from '../../src/cli-options.js'
import { fatalExitCode } from '../../src/cli.js'
import { runCaptured, sshdInventory, sshdSettings } from '../helpers/engine.js'
import { startSshd, unreachablePort, type SshdFixture } from '../helpers/sshd.js'
import { startHttpServer, type TestHttpServer } from '../helpers/http-server.js'
import { installSystemctlStandin, type SystemctlStandin } from '../helpers/systemctl-standin.js'
import { removeInitService } from '../helpers/initd-service.js'
import {
  APT_LOCK_WAIT_MS,
  aptRepoUnusableReason,
  aptRepoUsable,
  createAptRepo,
  type AptRepo
} from '../helpers/apt-repo.js'
import { startHttpServerProcess, type HttpServerProcess } from '../helpers/http-server-process.js'
import { loadVaultSecrets, setVaultKeyring, VaultKeyring } from '../../src/vault/index.js'
import { buildPipIndex, type PipIndex } from '../helpers/pip-index.js'
import { buildRpmRepo, type RpmRepo } from '../helpers/rpm-repo.js'
import { acquireMachineLock, releaseMachineLock } from '../helpers/machine-lock.js'

const FIXTURES = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../__fixtures__/differential'
)
const ansiblePlaybook = findAnsiblePlaybook()
/** systemd runs this machine (its runtime directory, as Ansible and sd_booted() check). */
const HOST_RUNS_SYSTEMD = existsSync('/run/systemd/system')
const required = process.env['APB_REQUIRE_ANSIBLE'] === '1'

/**
 * The differential suite over `fixtures` (paths under __fixtures__/differential), and over
 * `withoutSystemd`, fixtures that run only where systemd does not run the host. Each test file that calls
 * it is one part of the fixtures: the parts run at once (each with its own sshd, work folder and
 * services), since most of a fixture's time is spent waiting (sleeps, ansible-playbook's forks).
 */
export function differentialSuite(
  fixtures: readonly string[],
  withoutSystemd: readonly string[] = []
): void {
  if (!ansiblePlaybook && required) {
    describe('differential against ansible-playbook', () => {
      it('needs ansible-playbook on PATH', () => {
        throw new Error(
          `APB_REQUIRE_ANSIBLE=1 but ansible-playbook is not on PATH: ${ANSIBLE_INSTALL_HINT}`
        )
      })
    })
  }

  describe.skipIf(!ansiblePlaybook)('differential against ansible-playbook', () => {
    let sshd: SshdFixture
    let workDir: string
    let inventoryPath: string

    beforeAll(async () => {
      sshd = await startSshd({ name: 'differential' })
      workDir = await mkdtemp(path.join(tmpdir(), 'apb-differential-'))
      inventoryPath = path.join(workDir, 'inventory.ini')
      // One inventory text for both tools: Ansible's OpenSSH client and our engine both read
      // UserKnownHostsFile from ansible_ssh_common_args, and both check host keys strictly.
      const inventory = sshdInventory(sshd, {
        hosts: ['web1', 'web2', 'web3'],
        unreachable: [{ name: 'down1', port: await unreachablePort() }],
        extra: `ansible_ssh_common_args='-o UserKnownHostsFile=${sshd.knownHostsPath}'`
      })
      await writeFile(inventoryPath, inventory)
      grantSudo(sshd.user)
    })

    /**
     * Services a fixture can ask for in a `# apb-services: http` header line: each is started once (on
     * first use) and gives both tools the same extra variables. `http`: the test HTTP(S) server
     * (__tests__/helpers/http-server.ts) as `http_base` (http://127.0.0.1:PORT) and `https_base`.
     * `apt`: the local apt repository (__tests__/helpers/apt-repo.ts), enabled on this machine, as
     * `apt_repo_dir`, `apt_hello`, `apt_hello_versions`… (AptRepo.vars); the dpkg database is one per
     * machine, so the two tools then run one after the other, each starting with the repository's
     * packages purged.
     * `http-process`: the same server in a child process (the url lookup blocks this one while it waits).
     * `pip`: a local index of small wheels (__tests__/helpers/pip-index.ts) as `pip_index`, its directory.
     * `rpm`: a local RPM repository (__tests__/helpers/rpm-repo.ts) as `rpm_repo`, its directory.
     */
    let httpServer: TestHttpServer | undefined
    let httpProcess: HttpServerProcess | undefined
    let pipIndex: PipIndex | undefined
    let rpmRepo: RpmRepo | undefined
    // `systemd`: the stand-in systemctl (__tests__/helpers/systemctl-standin.ts) as `systemctl_path`
    // (a PATH with it first) and `systemctl_state` (the directory each run keeps its state under).
    let systemctl: SystemctlStandin | undefined
    let aptRepo: AptRepo | undefined
    const services: Record<string, () => Promise<string[]>> = {
      // Taken in beforeEach, released in afterEach (see there): no variables.
      'hostname-lock': () => Promise.resolve([]),
      http: async () => {
        httpServer ??= await startHttpServer()
        return [`http_base=${httpServer.base}`, `https_base=${httpServer.httpsBase}`]
      },
      'http-process': async () => {
        httpProcess ??= await startHttpServerProcess()
        return [`http_base=${httpProcess.base}`, `https_base=${httpProcess.httpsBase}`]
      },
      pip: () => {
        pipIndex ??= buildPipIndex()
        return Promise.resolve([`pip_index=${pipIndex.dir}`])
      },
      rpm: () => {
        rpmRepo ??= buildRpmRepo()
        return Promise.resolve([`rpm_repo=${rpmRepo.dir}`])
      },
      systemd: () => {
        systemctl ??= installSystemctlStandin()
        return Promise.resolve([
          `systemctl_path=${systemctl.path}`,
          `systemctl_state=${systemctl.stateBase}`
        ])
      },
      apt: async () => {
        if (!aptRepoUsable()) throw new Error(aptRepoUnusableReason())
        if (!aptRepo) {
          aptRepo = createAptRepo()
          aptRepo.enable()
        }
        return aptRepo.vars()
      }
    }
    /** Services whose state is the machine's own: the two tools take turns. */
    const SEQUENTIAL_SERVICES = new Set(['apt'])
    /** Brings a sequential service back to its starting state before (and after) each tool's run. */
    const resetServices = (names: readonly string[]): void => {
      if (names.includes('apt')) aptRepo?.purgeAll()
    }
    /**
     * Ends a sequential service after its fixture: the apt repository holds the machine-wide apt test
     * lock (other test files that install packages wait for it), so it lives for one fixture only.
     */
    const stopServices = (names: readonly string[]): void => {
      if (names.includes('apt')) {
        aptRepo?.cleanup()
        aptRepo = undefined
      }
    }
    const serviceVars = async (text: string): Promise<string[]> => {
      const vars: string[] = []
      for (const name of fixtureServices(text)) {
        const start = services[name]
        if (!start) throw new Error(`unknown service ${JSON.stringify(name)} in # apb-services:`)
        vars.push(...(await start()))
      }
      return vars
    }

    /**
     * A fixture on the apt repository first waits for the machine-wide apt test lock (up to 20 minutes
     * while another test file holds it) and builds the repository here, in a hook with a timeout of its
     * own: the fixture's hang guard then times its runs, never the wait for the lock.
     */
    let hostnameLocked = false
    beforeEach(async (context) => {
      const fixture = /^(\S+\.yml): /.exec(context.task.name)?.[1]
      if (!fixture || !existsSync(path.join(FIXTURES, fixture))) return
      const names = fixtureServices(readFileSync(path.join(FIXTURES, fixture), 'utf8'))
      if (names.includes('apt')) await services['apt']!()
      // `# apb-services: hostname-lock`: the fixture reads the machine's name, which another test file
      // renames for real (integration/hostname.test.ts): they take turns.
      if (names.includes('hostname-lock')) {
        acquireMachineLock('hostname')
        hostnameLocked = true
      }
    }, APT_LOCK_WAIT_MS)
    // And the locks never outlive their fixture, even one that failed before its runs.
    afterEach(() => {
      if (aptRepo) stopServices(['apt'])
      if (hostnameLocked) releaseMachineLock('hostname')
      hostnameLocked = false
    })

    afterAll(async () => {
      await httpServer?.close()
      await httpProcess?.close()
      systemctl?.remove()
      aptRepo?.cleanup()
      pipIndex?.remove()
      rpmRepo?.remove()
      rmSync(SUDOERS_FILE, { force: true })
      if (workDir) {
        await closeAnsibleControlMasters(workDir)
        await rm(workDir, { recursive: true, force: true })
      }
      await sshd?.stop()
    })

    /**
     * A fixture's inventory: the shared inventory file, or, for a fixture with an `# apb-inventory: dir/` header
     * line, a copy of that inventory directory (relative to __fixtures__/differential) with the shared file's
     * text added as `00-sshd` (no extension: Ansible skips `.ini` files in an inventory directory).
     */
    const fixtureInventory = (text: string, stamp: string): string => {
      const match = /^# apb-inventory:(.*)$/m.exec(text)
      if (!match) return inventoryPath
      const dir = path.join(workDir, `inventory-${stamp}`)
      cpSync(path.join(FIXTURES, match[1]!.trim()), dir, { recursive: true })
      writeFileSync(path.join(dir, '00-sshd'), readFileSync(inventoryPath, 'utf8'))
      return dir
    }

    let runCounter = 0
    /** Runs one fixture through both tools and returns every difference. */
    const differences = async (fixture: string): Promise<string[]> => {
      const playbook = path.join(FIXTURES, fixture)
      runCounter++
      // Distinct run ids keep the until-counter files of the two runs apart; they appear in `cmd`, so
      // both are mapped to one placeholder before comparing.
      const stamp = `${process.pid}-${Date.now()}-${runCounter}`
      const ansibleRunId = `ansible-${stamp}`
      const ourRunId = `ours-${stamp}`
      // A short form for names with a length limit (user and group names: 32 characters), mapped to one
      // placeholder as well.
      const shortStamp = `${process.pid % 1000}${Date.now() % 100_000_000}${runCounter}`
      const ansibleShortId = `a${shortStamp}`
      const ourShortId = `o${shortStamp}`
      // A fixture may declare options for both tools in a `# apb-args: --tags deploy` header line, and
      // environment variables in an `# apb-env: ANSIBLE_FORCE_HANDLERS=yes` one.
      const text = readFileSync(playbook, 'utf8')
      const args = fixtureArgs(text)
      const env = fixtureEnv(text)
      const extraVars = await serviceVars(text)
      const inventory = fixtureInventory(text, stamp)
      const request = parseCli([playbook, ...args], env, false)
      const cliSettings = request.settings
      // Vault passwords (`--vault-id`, `--vault-password-file`): ours are the keyring of this process's run.
      setVaultKeyring(
        new VaultKeyring(
          request.vault
            ? await loadVaultSecrets(request.vault, () =>
                Promise.reject(new Error('no prompt in tests'))
              )
            : []
        )
      )
      const serviceNames = fixtureServices(text)
      const sequential = serviceNames.some((name) => SEQUENTIAL_SERVICES.has(name))
      const runAnsible = () =>
        runAnsiblePlaybook({
          playbook,
          inventoryPath: inventory,
          extraVars: [`run_id=${ansibleRunId}`, `short_id=${ansibleShortId}`, ...extraVars],
          tmpDir: workDir,
          executable: ansiblePlaybook,
          args,
          env
        })
      const runOurs = () =>
        runCaptured(
          sshdSettings(sshd, playbook, inventory, {
            extraVars: [
              `run_id=${ourRunId}`,
              `short_id=${ourShortId}`,
              ...extraVars,
              ...(cliSettings?.extraVars ?? [])
            ],
            ...(cliSettings?.tags ? { tags: cliSettings.tags } : {}),
            ...(cliSettings?.limit ? { limit: cliSettings.limit } : {}),
            ...(cliSettings?.startAtTask ? { startAtTask: cliSettings.startAtTask } : {}),
            ...(cliSettings?.forceHandlers === undefined
              ? {}
              : { forceHandlers: cliSettings.forceHandlers }),
            ...(cliSettings?.errorOnMissingHandler === undefined
              ? {}
              : { errorOnMissingHandler: cliSettings.errorOnMissingHandler }),
            ...(cliSettings?.check ? { check: true } : {}),
            ...(cliSettings?.diff ? { diff: true } : {})
          })
        ).catch((error: unknown) => ({ error }))
      // Both tools at once: they share only the sshd and its login user, their files are kept apart by
      // run id and job id, and the fixtures leave each tool margins wide enough for a busy machine.
      // A fixture on machine-wide state (apt's dpkg database) runs them one after the other instead.
      const both = async (): Promise<
        [Awaited<ReturnType<typeof runAnsible>>, Awaited<ReturnType<typeof runOurs>>]
      > => {
        if (!sequential) return Promise.all([runAnsible(), runOurs()])
        try {
          resetServices(serviceNames)
          const first = await runAnsible()
          resetServices(serviceNames)
          const second = await runOurs()
          return [first, second]
        } finally {
          stopServices(serviceNames)
        }
      }
      const [ansible, ours] = await both().finally(() => {
        setVaultKeyring(new VaultKeyring())
        // Accounts a fixture made (modules-users.yml) never outlive its run, even when it failed midway.
        removeAccounts([ansibleShortId, ourShortId])
        // And the init scripts modules-service.yml installs, with their daemons.
        for (const id of [ansibleShortId, ourShortId]) {
          removeInitService(`apb-test-${id}`)
          removeInitService(`apb-test-${id}-sv`)
        }
      })
      // A run that stops on an error (ansible-playbook: `ERROR!`, no report) must stop in both, with the
      // same exit code, before anything is reported; and only a fixture that says so (`# apb-expect: stop`)
      // may stop at all, so that a fixture both tools refuse to load (a YAML slip) cannot pass unseen.
      const expectsStop = /^# apb-expect: stop$/m.test(text)
      if (expectsStop && !ansible.aborted && !('error' in ours))
        return [
          'the fixture expects both tools to stop (# apb-expect: stop), but both ran to their end'
        ]
      if (ansible.aborted || 'error' in ours) {
        const ourCode = 'error' in ours ? fatalExitCode(ours.error) : ours.exitCode
        const diffs: string[] = []
        if (!expectsStop)
          diffs.push(
            `a tool stopped before running the fixture (ansible-playbook: ${ansible.aborted ? ansible.stderr.slice(0, 400) : 'ran'}; ours: ${'error' in ours ? String(ours.error) : 'ran'}); if that is what it tests, say '# apb-expect: stop' in its header`
          )
        if (!ansible.aborted)
          diffs.push(
            `ansible-playbook ran to its end (exit ${ansible.exitCode}); ours stopped: ${String((ours as { error: unknown }).error)}`
          )
        if (!('error' in ours))
          diffs.push(
            `ansible-playbook stopped (exit ${ansible.exitCode}): ${ansible.stderr.slice(0, 400)}; ours ran to its end`
          )
        if (ansible.exitCode !== ourCode)
          diffs.push(`exit code: ansible=${ansible.exitCode}, ours=${ourCode}`)
        return diffs
      }
      return compareRuns(ansible, ours, {
        placeholders: {
          [ansibleRunId]: '<run_id>',
          [ourRunId]: '<run_id>',
          [ansibleShortId]: '<short_id>',
          [ourShortId]: '<short_id>'
        }
      })
    }

    it.each(fixtures)(
      '%s: same exit code, recap and registered results as ansible-playbook',
      async (fixture) => {
        const diffs = await differences(fixture)
        expect(diffs, `${fixture}: ${diffs.length} difference(s) from ansible-playbook`).toEqual([])
      },
      // A hang guard, not a speed claim (see ANSIBLE_DEADLINE_MS).
      ANSIBLE_DEADLINE_MS + 60_000
    )

    // The service module's sysvinit path exists only where systemd does not run the host: on a systemd
    // host (GitHub's runner) both tools hand `service` to systemd, which the e2e workflow covers.
    it.skipIf(HOST_RUNS_SYSTEMD || withoutSystemd.length === 0).each(withoutSystemd)(
      '%s: same exit code, recap and registered results as ansible-playbook (a host without systemd)',
      async (fixture) => {
        const diffs = await differences(fixture)
        expect(diffs, `${fixture}: ${diffs.length} difference(s) from ansible-playbook`).toEqual([])
      },
      ANSIBLE_DEADLINE_MS + 60_000
    )
  })
}

/**
 * Fixtures with `become` (modules-file.yml changes owners as root) need the login user to have sudo
 * without a password, as the test bed's sudoers gives it in CI; as root, this run grants it for itself.
 */
// One file per test process (sudo skips names with a dot): another run of the suite on this machine
// removing its own grant must not take this run's away mid-fixture.
const SUDOERS_FILE = `/etc/sudoers.d/apbtest-differential-${process.pid}`
function grantSudo(user: string): void {
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/sudo') || user === 'root') return
  writeFileSync(SUDOERS_FILE, `${user} ALL=(root) NOPASSWD: ALL\n`, { mode: 0o440 })
}

/**
 * Deletes the users (with their homes) and groups whose names hold one of `ids`, as root; a fixture
 * removes what it made itself, this catches what a failed run left.
 */
function removeAccounts(ids: readonly string[]): void {
  if (process.getuid?.() !== 0) return
  const names = (file: string): string[] =>
    readFileSync(file, 'utf8')
      .split('\n')
      .map((line) => line.split(':')[0] ?? '')
      .filter((name) => ids.some((id) => name.includes(id)))
  for (const user of names('/etc/passwd')) {
    spawnSync('userdel', ['-r', '-f', '--', user], { stdio: 'ignore' })
  }
  for (const group of names('/etc/group')) {
    spawnSync('groupdel', ['--', group], { stdio: 'ignore' })
  }
}

/** The variables of a fixture's `# apb-env: NAME=value …` header line (space-separated), or none. */
function fixtureEnv(text: string): Record<string, string> {
  const match = /^# apb-env:(.*)$/m.exec(text)
  const pairs = match ? match[1]!.trim().split(/\s+/).filter(Boolean) : []
  return Object.fromEntries(
    pairs.map((pair) => [pair.split('=')[0]!, pair.slice(pair.indexOf('=') + 1)])
  )
}

/** The services of a fixture's `# apb-services: http …` header line (space-separated), or none. */
function fixtureServices(text: string): string[] {
  const match = /^# apb-services:(.*)$/m.exec(text)
  return match ? match[1]!.trim().split(/\s+/).filter(Boolean) : []
}

/** The options of a fixture's `# apb-args: …` header line (space-separated, no quoting), or none. */
function fixtureArgs(text: string): string[] {
  const match = /^# apb-args:(.*)$/m.exec(text)
  return match ? match[1]!.trim().split(/\s+/).filter(Boolean) : []
}
