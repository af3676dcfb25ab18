// The packages-and-services scenario of `npm run bench`: the server set-up example
// (examples/server-setup/setup.yml: facts, a group and a system user, two packages from a local apt
// repository (one with a dependency), an init script and its configuration with a restart handler, the
// service started and enabled, a cron job) on one host under become, twice: the first run changes the
// server, the second finds everything in place. Ours against ansible-playbook in the same run; the server is
// put back to its starting state before each first run, so both tools do the same work.
//
// Needs root (the local apt repository of __tests__/helpers/apt-repo.ts, compiled on the fly as the sshd
// helper is, and a sudoers grant for the test bed's login user), dpkg-deb, dpkg-scanpackages, crontab and
// update-rc.d; without them the scenario says so and is skipped. Every recap is checked (the first run
// changes, the second changes nothing), so a fast wrong answer cannot pass for a fast one.
import { spawnSync } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { build } from 'esbuild'
import {
  CLI,
  ROOT,
  ansibleEnvironment,
  closeControlMasters,
  median,
  positiveIntFromEnv,
  printTable,
  seconds,
  timeChild,
  writeInventory
} from './lib.mjs'

const REPEAT = positiveIntFromEnv('BENCH_REPEAT', 3)
const TARGET_RATIO = 10
const PLAYBOOK = path.join(ROOT, 'examples', 'server-setup', 'setup.yml')
const NAME = `apbbench${process.pid % 100000}`
const SUDOERS_FILE = `/etc/sudoers.d/apbtest-bench-packages-${process.pid}`

/** The apt repository helper of the tests, compiled as bench/sshd.mjs compiles the sshd helper. */
async function aptRepoHelper() {
  const outfile = path.join(ROOT, '.tmp', 'bench', 'apt-repo-helper.mjs')
  await build({
    entryPoints: [path.join(ROOT, '__tests__', 'helpers', 'apt-repo.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile,
    logLevel: 'silent'
  })
  return import(pathToFileURL(outfile).href)
}

function missing() {
  if (process.getuid?.() !== 0)
    return 'needs root (a local apt repository and sudo for the login user)'
  for (const tool of [
    'dpkg-deb',
    'dpkg-scanpackages',
    'crontab',
    'update-rc.d',
    'sudo',
    'start-stop-daemon'
  ]) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0)
      return `needs ${tool}`
  }
  return undefined
}

/** The server as it was: the service stopped and its files, the account, the cron job, the packages. */
function reset(repo) {
  spawnSync(`/etc/init.d/${NAME}`, ['stop'], { stdio: 'ignore' })
  spawnSync('update-rc.d', ['-f', NAME, 'remove'], { stdio: 'ignore' })
  for (const file of [`/etc/init.d/${NAME}`, `/etc/default/${NAME}`, `/run/${NAME}.pid`])
    rmSync(file, { force: true })
  spawnSync('crontab', ['-r', '-u', NAME], { stdio: 'ignore' })
  spawnSync('userdel', ['-r', '-f', NAME], { stdio: 'ignore' })
  spawnSync('groupdel', [NAME], { stdio: 'ignore' })
  repo.purgeAll()
}

/** `{ ok, changed, failed }` of the one host from a recap line. */
function recapOf(output, host) {
  const m = new RegExp(
    `^${host}\\s+:\\s+ok=(\\d+)\\s+changed=(\\d+)\\s+unreachable=(\\d+)\\s+failed=(\\d+)`,
    'm'
  ).exec(output)
  return m
    ? { ok: Number(m[1]), changed: Number(m[2]), failed: Number(m[3]) + Number(m[4]) }
    : undefined
}

export async function benchPackages(ctx) {
  const { sshd, workDir, ansiblePath } = ctx
  console.log('')
  const why = missing()
  if (why) {
    console.log(`packages: skipped (${why})`)
    return { targets: [] }
  }
  const { aptRepoUsable, createAptRepo } = await aptRepoHelper()
  if (!aptRepoUsable()) {
    console.log('packages: skipped (the local apt repository cannot be built here)')
    return { targets: [] }
  }
  const host = 'pkg01'
  const inventory = path.join(workDir, 'packages-inventory.ini')
  writeInventory(inventory, sshd, [host])
  writeFileSync(SUDOERS_FILE, `${sshd.user} ALL=(root) NOPASSWD: ALL\n`, { mode: 0o440 })
  const repo = createAptRepo({ prefix: `apbbench${process.pid % 1000}` })
  repo.enable()
  const vars = [
    `app_name=${NAME}`,
    `app_user=${NAME}`,
    `{"app_packages": ["${repo.names.hello}", "${repo.names.app}"]}`
  ].flatMap((v) => ['-e', v])
  console.log(
    `packages: examples/server-setup/setup.yml on 1 host under become (facts, group, user, 2 apt packages ` +
      `and a dependency, init script, config + restart handler, service started and enabled, cron) x 2 runs; ` +
      `ours median of ${REPEAT}, ansible once`
  )
  const problems = []
  const check = (who, which, output) => {
    const recap = recapOf(output, host)
    const wrong =
      !recap ||
      recap.failed !== 0 ||
      (which === 'first' ? recap.changed === 0 : recap.changed !== 0)
    if (wrong) problems.push(`${who} ${which}: ${JSON.stringify(recap ?? 'no recap')}`)
  }
  const ours = { first: [], second: [] }
  const ansible = {}
  let ansibleNote = ctx.ansibleNote
  try {
    for (let i = 0; i < REPEAT; i++) {
      reset(repo)
      for (const which of ['first', 'second']) {
        const run = await timeChild(process.execPath, [
          CLI,
          PLAYBOOK,
          '-i',
          inventory,
          '--known-hosts',
          sshd.knownHostsPath,
          ...vars
        ])
        ours[which].push(run.ms)
        check('ours', which, run.output)
      }
    }
    if (ansiblePath) {
      reset(repo)
      for (const which of ['first', 'second']) {
        const run = await timeChild(ansiblePath, [PLAYBOOK, '-i', inventory, ...vars], {
          env: ansibleEnvironment(workDir)
        })
        if (run.code !== 0) {
          ansibleNote = `failed (exit ${run.code}): ${run.output.split('\n').slice(-5).join(' | ')}`
          break
        }
        ansible[which] = run.ms
        check('ansible', which, run.output)
      }
      await closeControlMasters(workDir)
    }
  } finally {
    reset(repo)
    repo.cleanup()
    rmSync(SUDOERS_FILE, { force: true })
  }
  const oursTotal = median(ours.first.map((ms, i) => ms + ours.second[i]))
  const ansibleTotal =
    ansible.first !== undefined && ansible.second !== undefined
      ? ansible.first + ansible.second
      : undefined
  const ratio = ansibleTotal === undefined ? undefined : ansibleTotal / oursTotal
  printTable(
    [
      [
        'our CLI (node dist/cli.js), both runs',
        seconds(oursTotal),
        ours.first.map((ms, i) => seconds(ms + ours.second[i])).join(' ')
      ],
      [
        '  first run (sets the server up)',
        seconds(median(ours.first)),
        ours.first.map(seconds).join(' ')
      ],
      [
        '  second run (idempotent)',
        seconds(median(ours.second)),
        ours.second.map(seconds).join(' ')
      ],
      [
        'ansible-playbook, both runs',
        ansibleTotal === undefined ? '-' : seconds(ansibleTotal),
        ansibleNote ?? ''
      ],
      ['  first run', ansible.first === undefined ? '-' : seconds(ansible.first), ''],
      ['  second run', ansible.second === undefined ? '-' : seconds(ansible.second), '']
    ],
    { first: 'packages' }
  )
  console.log('')
  console.log(
    `ansible / ours = ${ratio === undefined ? 'n/a' : `${ratio.toFixed(1)}x`}   target: ours at least ` +
      `${TARGET_RATIO}x faster -> ${ratio === undefined ? 'not measured' : ratio >= TARGET_RATIO ? 'MET' : 'NOT MET'}`
  )
  if (problems.length) console.log(`wrong results:\n  ${problems.join('\n  ')}`)
  return {
    targets: [
      {
        name: 'packages: every run right (the first changes, the second changes nothing, none fails)',
        met: problems.length === 0,
        detail: `${problems.length} wrong`
      },
      ...(ratio === undefined
        ? []
        : [
            {
              name: `packages: ours at least ${TARGET_RATIO}x faster than ansible-playbook`,
              met: ratio >= TARGET_RATIO,
              detail: `${ratio.toFixed(1)}x (${seconds(oursTotal)} s vs ${seconds(ansibleTotal)} s)`
            }
          ])
    ]
  }
}
