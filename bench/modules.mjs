// The modules scenario of `npm run bench`: N hosts (aliases of the bench sshd) x the five modules real
// playbooks use most (file, stat, lineinfile, copy, template), run twice: the first run changes every host,
// the second finds everything in place and changes nothing. Ours against ansible-playbook in the same run,
// and a node-ssh floor (one command per task, sent straight over one connection per host).
//
// Ours runs as a user's runs after the first do, with V8's compiled code of the bundle kept (src/startup/;
// in a cache folder of the bench's own, filled by one untimed run); a row shows both runs on a fresh
// machine (an empty cache folder, which the first run fills).
//
// Each tool's runs write under a directory of their own on the target (the hosts' files side by side), so
// both see the same first run; the recap of each run is checked (changed on every host, then ok), so a
// fast wrong answer cannot pass for a fast one.
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import {
  CLI,
  ansibleEnvironment,
  closeControlMasters,
  connectSsh,
  median,
  positiveIntFromEnv,
  printTable,
  seconds,
  timeChild,
  writeInventory
} from './lib.mjs'

const HOSTS = positiveIntFromEnv('BENCH_HOSTS', 10)
const FORKS = 10
/** Our runs are cheap: the median of a few. ansible-playbook runs once. */
const REPEAT = positiveIntFromEnv('BENCH_REPEAT', 3)
const TARGET_RATIO = 20
/** Tasks that change a host on the first run (stat never does). */
const CHANGING_TASKS = 4
const TASKS = 5

const PLAYBOOK = `- name: bench modules
  hosts: bench
  gather_facts: false
  vars:
    dir: "{{ root }}/{{ inventory_hostname }}"
  tasks:
    - name: directory
      file:
        path: "{{ dir }}"
        state: directory
        mode: "0755"
    - name: stat the directory
      stat:
        path: "{{ dir }}"
      register: conf
    - name: a line in the config
      lineinfile:
        path: "{{ dir }}/app.conf"
        regexp: "^port="
        line: "port=8080"
        create: true
        mode: "0644"
    - name: a file from the controller
      copy:
        src: motd.txt
        dest: "{{ dir }}/motd"
        mode: "0644"
    - name: a template
      template:
        src: app.ini.j2
        dest: "{{ dir }}/app.ini"
        mode: "0640"
`

const TEMPLATE = `[app]
host = {{ inventory_hostname }}
dir = {{ dir }}
isdir = {{ conf.stat.isdir }}
`

/** The commands the floor sends per host and run: one per task, doing what the task does. */
function floorCommands(dir) {
  const q = (s) => `'${s.replace(/'/g, `'\\''`)}'`
  return [
    `mkdir -p ${q(dir)} && chmod 0755 ${q(dir)}`,
    `stat -c '%a %s' ${q(`${dir}/app.conf`)} 2>/dev/null || :`,
    `grep -qx 'port=8080' ${q(`${dir}/app.conf`)} 2>/dev/null || echo port=8080 >> ${q(`${dir}/app.conf`)}`,
    `printf 'welcome\\n' > ${q(`${dir}/motd`)} && chmod 0644 ${q(`${dir}/motd`)}`,
    `printf '[app]\\n' > ${q(`${dir}/app.ini`)} && chmod 0640 ${q(`${dir}/app.ini`)}`
  ]
}

/** One floor run: every host's commands in order over its own connection, hosts in parallel. */
async function runFloor(sshd, hostNames, root) {
  const started = performance.now()
  const connections = await Promise.all(hostNames.map(() => connectSsh(sshd)))
  try {
    // Our CLI sets TCP_NODELAY; the floor does too, so the comparison is of the work, not of Nagle.
    for (const ssh of connections) ssh.connection?.setNoDelay(true)
    await Promise.all(
      connections.map(async (ssh, i) => {
        for (const command of floorCommands(`${root}/${hostNames[i]}`)) {
          const res = await ssh.execCommand(command)
          if (res.code !== 0)
            throw new Error(`floor: '${command}' exited ${res.code}: ${res.stderr}`)
        }
      })
    )
  } finally {
    for (const ssh of connections) ssh.dispose()
  }
  return performance.now() - started
}

/** Per host `{ changed, ok, failed }` from ansible-playbook's PLAY RECAP. */
function ansibleRecap(output) {
  const recap = {}
  for (const m of output.matchAll(
    /^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/gm
  )) {
    recap[m[1]] = { ok: Number(m[2]), changed: Number(m[3]), failed: Number(m[4]) + Number(m[5]) }
  }
  return recap
}

/** Per host `{ changed, ok, failed }` from our results document. */
function ourRecap(jsonPath) {
  const doc = JSON.parse(readFileSync(jsonPath, 'utf8'))
  const recap = {}
  for (const [host, s] of Object.entries(doc.stats)) {
    recap[host] = { ok: s.ok, changed: s.changed, failed: (s.failed ?? 0) + (s.unreachable ?? 0) }
  }
  return recap
}

/** `host: task: msg` of each failed task in our results document. */
function ourFailures(jsonPath) {
  const doc = JSON.parse(readFileSync(jsonPath, 'utf8'))
  const out = []
  for (const play of doc.plays ?? [])
    for (const task of play.tasks ?? [])
      for (const [host, r] of Object.entries(task.results ?? {}))
        if (r?.result?.failed || r?.result?.unreachable)
          out.push(`${host}: ${task.name}: ${String(r.result.msg ?? '').slice(0, 300)}`)
  return out
}

/** What is wrong with a run's recap: every host must report `changed` tasks changed, none failed. */
function recapProblems(recap, hostNames, changed) {
  const problems = []
  for (const host of hostNames) {
    const s = recap[host]
    if (!s || s.ok !== TASKS || s.changed !== changed || s.failed !== 0)
      problems.push(
        `${host}: ${JSON.stringify(s ?? 'missing')} (expected ok=${TASKS} changed=${changed})`
      )
  }
  return problems
}

export async function benchModules(ctx) {
  const { sshd, workDir, ansiblePath, ssh } = ctx
  const hostNames = Array.from({ length: HOSTS }, (_, i) => `mod${String(i + 1).padStart(2, '0')}`)
  const base = `/tmp/apb-bench-modules-${randomBytes(6).toString('hex')}`
  const inventory = join(workDir, 'modules-inventory.ini')
  const playbook = join(workDir, 'modules.yml')
  writeInventory(inventory, sshd, hostNames)
  writeFileSync(playbook, PLAYBOOK)
  writeFileSync(join(workDir, 'motd.txt'), 'welcome\n')
  writeFileSync(join(workDir, 'app.ini.j2'), TEMPLATE)

  console.log('')
  console.log(
    `modules: ${HOSTS} hosts x ${TASKS} tasks (file, stat, lineinfile, copy, template) x 2 runs ` +
      `(the first changes, the second is idempotent), forks ${FORKS}; ours median of ${REPEAT}, ansible once`
  )

  const problems = []
  const ours = { first: [], second: [] }
  const fresh = { first: [], second: [] }
  const times = { ours, fresh }
  const floor = []
  // Ours with a cache folder of the bench's own, filled by one run first (not timed): a user's runs after
  // their first one.
  const warm = { ...process.env, ASYNC_PLAYBOOK_COMPILE_CACHE: join(workDir, 'warm-cache') }
  const cli = (root, json, env) =>
    timeChild(
      process.execPath,
      [
        CLI,
        playbook,
        '-i',
        inventory,
        '--known-hosts',
        sshd.knownHostsPath,
        '-f',
        String(FORKS),
        '-e',
        `root=${root}`,
        '--json',
        json
      ],
      { env }
    )
  try {
    const warmUp = await cli(`${base}/warm-up`, join(workDir, 'modules-warm-up.json'), warm)
    if (warmUp.code !== 0)
      throw new Error(`dist/cli.js exited ${warmUp.code}; its output ended with:\n${warmUp.output}`)
    for (let i = 0; i < REPEAT; i++) {
      floor.push(
        (await runFloor(sshd, hostNames, `${base}/floor-${i}`)) +
          (await runFloor(sshd, hostNames, `${base}/floor-${i}`))
      )
      // Ours as a user's runs after the first (V8's compiled code of the bundle kept: src/startup/), and on
      // a fresh machine: an empty cache folder, which the first run fills.
      for (const [variant, env] of [
        ['ours', warm],
        [
          'fresh',
          { ...process.env, ASYNC_PLAYBOOK_COMPILE_CACHE: join(workDir, `fresh-cache-${i}`) }
        ]
      ]) {
        const root = `${base}/${variant}-${i}`
        for (const [which, changed] of [
          ['first', CHANGING_TASKS],
          ['second', 0]
        ]) {
          const json = join(workDir, `modules-${variant}-${i}-${which}.json`)
          const run = await cli(root, json, env)
          if (run.code !== 0 && !existsSync(json))
            throw new Error(`dist/cli.js exited ${run.code}; its output ended with:\n${run.output}`)
          times[variant][which].push(run.ms)
          problems.push(
            ...recapProblems(ourRecap(json), hostNames, changed).map(
              (p) => `${variant} ${which}: ${p}`
            ),
            ...ourFailures(json).map((p) => `${variant} ${which}: ${p}`)
          )
        }
      }
    }

    const ansible = {}
    let ansibleNote = ctx.ansibleNote
    if (ansiblePath) {
      for (const [which, changed] of [
        ['first', CHANGING_TASKS],
        ['second', 0]
      ]) {
        const run = await timeChild(
          ansiblePath,
          [playbook, '-i', inventory, '-f', String(FORKS), '-e', `root=${base}/ansible`],
          { env: ansibleEnvironment(workDir) }
        )
        if (run.code !== 0) {
          ansibleNote = `failed (exit ${run.code}): ${run.output.split('\n').slice(-5).join(' | ')}`
          break
        }
        ansible[which] = run.ms
        problems.push(
          ...recapProblems(ansibleRecap(run.output), hostNames, changed).map(
            (p) => `ansible ${which}: ${p}`
          )
        )
      }
      await closeControlMasters(workDir)
    }

    const oursFirst = median(ours.first)
    const oursSecond = median(ours.second)
    const oursTotal = median(ours.first.map((ms, i) => ms + ours.second[i]))
    const freshTotal = median(fresh.first.map((ms, i) => ms + fresh.second[i]))
    const ansibleTotal =
      ansible.first !== undefined && ansible.second !== undefined
        ? ansible.first + ansible.second
        : undefined
    const ratio = ansibleTotal === undefined ? undefined : ansibleTotal / oursTotal
    printTable(
      [
        [
          `our CLI (node dist/cli.js, -f ${FORKS}), both runs`,
          seconds(oursTotal),
          ours.first.map((ms, i) => seconds(ms + ours.second[i])).join(' ')
        ],
        ['  first run (changes every host)', seconds(oursFirst), ours.first.map(seconds).join(' ')],
        ['  second run (idempotent)', seconds(oursSecond), ours.second.map(seconds).join(' ')],
        [
          'our CLI on a fresh machine (empty compile cache), both runs',
          seconds(freshTotal),
          fresh.first.map((ms, i) => seconds(ms + fresh.second[i])).join(' ')
        ],
        [
          'floor (node-ssh, one command per task, TCP_NODELAY)',
          seconds(median(floor)),
          floor.map(seconds).join(' ')
        ],
        [
          `ansible-playbook -f ${FORKS}, both runs`,
          ansibleTotal === undefined ? '-' : seconds(ansibleTotal),
          ansibleNote ?? ''
        ],
        ['  first run', ansible.first === undefined ? '-' : seconds(ansible.first), ''],
        ['  second run', ansible.second === undefined ? '-' : seconds(ansible.second), '']
      ],
      { first: 'modules' }
    )
    console.log('')
    console.log(
      `ansible / ours = ${ratio === undefined ? 'n/a' : `${ratio.toFixed(1)}x`}   target: ours at least ` +
        `${TARGET_RATIO}x faster -> ${ratio === undefined ? 'not measured' : ratio >= TARGET_RATIO ? 'MET' : 'NOT MET'}` +
        `   (ours / floor = ${(oursTotal / median(floor)).toFixed(2)}x; on a fresh machine ` +
        `${ansibleTotal === undefined ? 'n/a' : `${(ansibleTotal / freshTotal).toFixed(1)}x`})`
    )
    if (problems.length) console.log(`wrong results:\n  ${problems.slice(0, 10).join('\n  ')}`)
    return {
      targets: [
        {
          name: `modules: every run's recap right (changed, then ok)`,
          met: problems.length === 0,
          detail: `${problems.length} wrong`
        },
        ...(ratio === undefined
          ? []
          : [
              {
                name: `modules: ours at least ${TARGET_RATIO}x faster than ansible-playbook`,
                met: ratio >= TARGET_RATIO,
                detail: `${ratio.toFixed(1)}x (${seconds(oursTotal)} s vs ${seconds(ansibleTotal)} s)`
              }
            ])
      ]
    }
  } finally {
    await ssh.execCommand(`rm -rf -- '${base}'`).catch(() => undefined)
  }
}
