// The async scenarios of `npm run bench` (see bench/run.mjs): seed example 3, a fan-out of 50 poll: 0
// jobs on one host gathered with async_status, and completion latency (job end -> result printed).
//
// Each scenario takes the shared context { sshd, workDir, ansiblePath, ansibleNote, asyncDir, ssh }
// and returns { lines: string[] (printed by the caller), targets: [{ name, met, detail }] }.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
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

/** Our CLI is cheap to repeat but the async scenarios take seconds each: one run unless asked. */
const REPEAT = positiveIntFromEnv('BENCH_ASYNC_REPEAT', 1)
const SEED3_PLAYBOOK = join(ROOT, 'examples', 'seed-3-async-status.yml')
/** What seed example 3's sleeps need: sleep 10 in the background, sleep 5 meanwhile. */
const SEED3_NEEDED_MS = 10_000
const SEED3_TARGET_OVERHEAD_MS = 1_000
const FANOUT_JOBS = 50
const FANOUT_SLEEP_S = 2
const LATENCY_SLEEP_S = 3
const LATENCY_TARGET_MS = 500

function ourArgs(ctx, playbook, inventory, extra = []) {
  return [
    CLI,
    playbook,
    '-i',
    inventory,
    '--known-hosts',
    ctx.sshd.knownHostsPath,
    '-f',
    '10',
    ...extra
  ]
}

/** Runs our CLI; throws (a crash of the bench) when it does not exit 0. */
async function runOurs(ctx, playbook, inventory, { json, trace, onLine } = {}) {
  const extra = json ? ['--json', json] : []
  const env = trace ? { ...process.env, ASYNC_PLAYBOOK_TRACE: trace } : process.env
  if (trace) writeFileSync(trace, '')
  const run = await timeChild(process.execPath, ourArgs(ctx, playbook, inventory, extra), {
    env,
    onLine
  })
  if (run.code !== 0) {
    throw new Error(
      `dist/cli.js ${playbook} exited ${run.code}; its output ended with:\n${run.output}`
    )
  }
  return run
}

/** Runs ansible-playbook once; resolves { ms } or { note } when it is absent or failed. */
async function runAnsible(ctx, playbook, inventory, { verbose = false, onLine } = {}) {
  if (!ctx.ansiblePath) return { note: ctx.ansibleNote }
  const args = [playbook, '-i', inventory, '-f', '10', ...(verbose ? ['-v'] : [])]
  try {
    const run = await timeChild(ctx.ansiblePath, args, {
      env: ansibleEnvironment(ctx.workDir),
      onLine
    })
    if (run.code === 0) return { ms: run.ms, endedAt: run.endedAt }
    return { note: `failed (exit ${run.code}): ${run.output.split('\n').slice(-5).join(' | ')}` }
  } finally {
    await closeControlMasters(ctx.workDir)
  }
}

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'))
}

/** The results of the task named `name` in a --json document: { host: {status, duration_ms, result} }. */
function taskResults(doc, name) {
  for (const play of doc.plays ?? []) {
    for (const task of play.tasks ?? []) if (task.name === name) return task.results ?? {}
  }
  throw new Error(`task '${name}' is not in the results document`)
}

/** Trace lines (`<epoch ms> <host> <what>`) of our CLI's ASYNC_PLAYBOOK_TRACE file. */
function readTrace(path) {
  if (!existsSync(path)) return []
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [at, host, ...what] = line.split(' ')
      return { at: Number(at), host, what: what.join(' ') }
    })
}

// ---------------------------------------------------------------------------------------------
// seed3: seed example 3, unchanged, on 2 hosts.

export async function benchSeed3(ctx) {
  const inventory = join(ctx.workDir, 'seed3.ini')
  writeInventory(inventory, ctx.sshd, ['seed1', 'seed2'], { ansible_async_dir: ctx.asyncDir })
  const json = join(ctx.workDir, 'seed3.json')
  const ours = []
  let unfinished = []
  for (let i = 0; i < REPEAT; i++) {
    const run = await runOurs(ctx, SEED3_PLAYBOOK, inventory, { json })
    ours.push(run.ms)
    const gathered = taskResults(readJson(json), 'until_async_status')
    unfinished = ['seed1', 'seed2'].filter((h) => gathered[h]?.result?.finished !== 1)
  }
  const ansible = await runAnsible(ctx, SEED3_PLAYBOOK, inventory)
  const oursMs = median(ours)
  const overhead = (ms) =>
    `overhead ${seconds(ms - SEED3_NEEDED_MS)} s over the 10 s the sleeps need`
  const rows = [
    [
      'our CLI (node dist/cli.js)',
      seconds(oursMs),
      `${overhead(oursMs)}; runs ${ours.map(seconds).join(' ')}` +
        (unfinished.length ? `; NOT finished on ${unfinished.join(', ')}` : '')
    ],
    [
      'ansible-playbook',
      ansible.ms === undefined ? '-' : seconds(ansible.ms),
      ansible.ms === undefined ? ansible.note : overhead(ansible.ms)
    ]
  ]
  console.log('')
  console.log(
    'seed3: seed example 3 (examples/seed-3-async-status.yml: sleep 10 poll: 0, sleep 5, async_status ' +
      'until finished) on 2 hosts (aliases of the bench sshd), facts gathered'
  )
  printTable(rows)
  if (ansible.ms !== undefined) {
    console.log('')
    console.log(
      `ansible / ours  = ${(ansible.ms / oursMs).toFixed(2)}x (reference: ansible 16.9 s)`
    )
  }
  const met = oursMs - SEED3_NEEDED_MS <= SEED3_TARGET_OVERHEAD_MS && unfinished.length === 0
  return {
    targets: [
      {
        name: 'seed3: ours within 1 s of the 10 s the sleeps need',
        met,
        detail: `${seconds(oursMs)} s${unfinished.length ? ', jobs not gathered' : ''}`
      }
    ]
  }
}

// ---------------------------------------------------------------------------------------------
// fanout: 50 concurrent poll: 0 jobs on one host, gathered by looping async_status over them.

function fanoutPlaybook() {
  return [
    `- name: fanout ${FANOUT_JOBS} jobs on one host`,
    '  hosts: all',
    '  gather_facts: false',
    '  tasks:',
    '    - name: launch',
    `      shell: "sleep ${FANOUT_SLEEP_S}; echo {{ item }}"`,
    '      async: 60',
    '      poll: 0',
    `      loop: "{{ range(1, ${FANOUT_JOBS + 1}) | list }}"`,
    '      register: launched',
    '',
    '    - name: gather',
    '      async_status:',
    '        jid: "{{ item.ansible_job_id }}"',
    '      loop: "{{ launched.results }}"',
    '      register: r',
    '      until: r is finished',
    '      retries: 30',
    '      delay: 1',
    ''
  ].join('\n')
}

export async function benchFanout(ctx) {
  const host = 'fan1'
  const inventory = join(ctx.workDir, 'fanout.ini')
  writeInventory(inventory, ctx.sshd, [host], { ansible_async_dir: ctx.asyncDir })
  const playbook = join(ctx.workDir, 'fanout.yml')
  writeFileSync(playbook, fanoutPlaybook())
  const json = join(ctx.workDir, 'fanout.json')
  const trace = join(ctx.workDir, 'fanout.trace')

  const runs = []
  for (let i = 0; i < REPEAT; i++) {
    const run = await runOurs(ctx, playbook, inventory, { json, trace })
    const doc = readJson(json)
    const launchItems = taskResults(doc, 'launch')[host]?.result?.results ?? []
    const gatherItems = taskResults(doc, 'gather')[host]?.result?.results ?? []
    const launches = launchItems.filter((item) => item?.ansible_job_id).length
    const attempts = gatherItems.reduce((sum, item) => sum + (item?.attempts ?? 1), 0)
    const finished = gatherItems.filter((item) => item?.finished === 1).length
    const lines = readTrace(trace).filter((l) => l.host === host && l.what.startsWith('apb-job '))
    const byMode = new Map()
    for (const l of lines) byMode.set(l.what, (byMode.get(l.what) ?? 0) + 1)
    let statusTrips = byMode.get('apb-job status') ?? 0
    let traceNote = ''
    if (!byMode.has('apb-job status') && !byMode.has('apb-job launch') && lines.length > 0) {
      // The trace names the first ` apb-job <word>` of the command, which may be inside the wrapper
      // script rather than its mode argument: then count every job command but the launches.
      statusTrips = lines.length - launches
      traceNote = ` (trace labels job commands '${[...byMode.keys()].join("', '")}': status = job commands - launches)`
    }
    runs.push({ ms: run.ms, launches, attempts, finished, statusTrips, byMode, traceNote })
  }
  const ansible = await runAnsible(ctx, playbook, inventory)

  const mid = runs.slice().sort((a, b) => a.ms - b.ms)[Math.floor(runs.length / 2)]
  const perCheck = mid.attempts ? mid.statusTrips / mid.attempts : NaN
  const modes = [...mid.byMode]
    .map(([what, n]) => `${n} ${what.replace('apb-job ', '')}`)
    .join(', ')
  const rows = [
    [
      'our CLI (node dist/cli.js)',
      seconds(mid.ms),
      `${mid.finished}/${FANOUT_JOBS} gathered; runs ${runs.map((r) => seconds(r.ms)).join(' ')}`
    ],
    [
      '  status round trips',
      String(mid.statusTrips),
      `for ${mid.attempts} async_status attempts (trace: ${modes || 'empty'})${mid.traceNote}`
    ],
    ['  round trips per check', perCheck.toFixed(2), 'status round trips / async_status attempts'],
    [
      'ansible-playbook',
      ansible.ms === undefined ? '-' : seconds(ansible.ms),
      ansible.ms === undefined ? ansible.note : 'wall time only'
    ]
  ]
  console.log('')
  console.log(
    `fanout: ${FANOUT_JOBS} concurrent poll: 0 jobs (shell: sleep ${FANOUT_SLEEP_S}; echo N, async: 60) on ONE host, ` +
      'gathered by async_status looped over them (until finished, retries 30, delay 1)'
  )
  printTable(rows)
  if (ansible.ms !== undefined) {
    console.log('')
    console.log(`ansible / ours  = ${(ansible.ms / mid.ms).toFixed(1)}x`)
  }
  return {
    targets: [
      {
        name: `fanout: all ${FANOUT_JOBS} jobs gathered`,
        met: mid.finished === FANOUT_JOBS,
        detail: `${seconds(mid.ms)} s, ${perCheck.toFixed(2)} status round trips per check`
      }
    ]
  }
}

// ---------------------------------------------------------------------------------------------
// latency: from a job's end (its `end`, measured on the target) to the moment its result is printed.

function latencyPlaybooks() {
  const head = (name) => [`- name: ${name}`, '  hosts: all', '  gather_facts: false', '  tasks:']
  return {
    status: [
      ...head('latency, async_status until-loop with the default delay'),
      '    - name: job',
      `      shell: sleep ${LATENCY_SLEEP_S}`,
      '      async: 30',
      '      poll: 0',
      '      register: job',
      '',
      '    - name: wait',
      '      async_status:',
      '        jid: "{{ job.ansible_job_id }}"',
      '      register: r',
      '      until: r is finished',
      ''
    ].join('\n'),
    poll: [
      ...head('latency, poll 5'),
      '    - name: wait',
      `      shell: sleep ${LATENCY_SLEEP_S}`,
      '      async: 30',
      '      poll: 5',
      ''
    ].join('\n')
  }
}

/**
 * Watches a runner's stdout for the first result line (`ok:`/`changed:`) of task `task` on `host`;
 * `found()` gives { at, json } (json: what follows `=> ` on that line, as with -v), or undefined.
 */
function resultWatcher(task, host) {
  let inTask = false
  let hit
  const result = new RegExp(`^(ok|changed): \\[${host}\\]( => (.*))?$`)
  return {
    onLine(line, at) {
      const header = /^TASK \[(.*)\] \*+$/.exec(line)
      if (header) {
        inTask = header[1] === task
        return
      }
      if (!inTask || hit) return
      const m = result.exec(line)
      if (m) hit = { at, json: m[3] }
    },
    found: () => hit
  }
}

const LOCAL_TIME = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?$/

/**
 * Converts job `end` stamps (the target's local time, `YYYY-MM-DD HH:MM:SS.ffffff`) to epoch ms. The
 * target converts them itself (`date -d`), so its time zone is the one applied; without GNU date the
 * bench's own time zone is used (the target is this machine).
 */
async function targetEpochMs(ssh, stamps) {
  const valid = stamps.filter((s) => LOCAL_TIME.test(s))
  const out = new Map()
  if (valid.length) {
    const command = valid.map((s) => `date -d '${s}' +%s%N`).join('; ')
    const r = await ssh.execCommand(command).catch(() => undefined)
    const lines = r?.code === 0 ? r.stdout.trim().split('\n') : []
    valid.forEach((s, i) => {
      if (/^\d+$/.test(lines[i] ?? '')) out.set(s, Number(BigInt(lines[i]) / 1000n) / 1000)
    })
  }
  for (const s of stamps) {
    if (out.has(s)) continue
    const m = LOCAL_TIME.exec(s)
    if (!m) continue
    const [, y, mo, d, h, mi, sec, frac = '0'] = m
    const ms = Number(frac.padEnd(3, '0').slice(0, 3))
    out.set(s, new Date(+y, +mo - 1, +d, +h, +mi, +sec, ms).getTime())
  }
  return out
}

export async function benchLatency(ctx) {
  const host = 'lat1'
  const inventory = join(ctx.workDir, 'latency.ini')
  writeInventory(inventory, ctx.sshd, [host], { ansible_async_dir: ctx.asyncDir })
  const books = latencyPlaybooks()
  const cases = [
    { key: 'status', label: 'poll: 0 + async_status until (delay 5)' },
    { key: 'poll', label: 'poll: 5 (async: 30)' }
  ]
  const measured = []
  for (const c of cases) {
    const playbook = join(ctx.workDir, `latency-${c.key}.yml`)
    writeFileSync(playbook, books[c.key])
    const json = join(ctx.workDir, `latency-${c.key}.json`)
    const ours = []
    for (let i = 0; i < REPEAT; i++) {
      const watch = resultWatcher('wait', host)
      const run = await runOurs(ctx, playbook, inventory, { json, onLine: watch.onLine })
      const result = taskResults(readJson(json), 'wait')[host]?.result ?? {}
      ours.push({
        end: result.end,
        printedAt: watch.found()?.at,
        exitedAt: run.endedAt,
        ms: run.ms
      })
    }
    let ansible
    if (ctx.ansiblePath) {
      const watch = resultWatcher('wait', host)
      const run = await runAnsible(ctx, playbook, inventory, {
        verbose: true,
        onLine: watch.onLine
      })
      let end
      try {
        end = JSON.parse(watch.found()?.json ?? 'null')?.end
      } catch {
        end = undefined
      }
      ansible = { ...run, end, printedAt: watch.found()?.at, exitedAt: run.endedAt }
    } else {
      ansible = { note: ctx.ansibleNote }
    }
    measured.push({ ...c, ours, ansible })
  }

  const stamps = measured
    .flatMap((m) => [...m.ours.map((o) => o.end), m.ansible.end])
    .filter(Boolean)
  const epoch = await targetEpochMs(ctx.ssh, stamps)
  const latency = (r) => {
    const end = epoch.get(r.end)
    if (end === undefined || r.printedAt === undefined) return undefined
    return { printed: r.printedAt - end, exited: r.exitedAt - end }
  }

  const rows = []
  const targets = []
  for (const m of measured) {
    const ours = m.ours.map(latency)
    const printed = ours.every(Boolean) ? median(ours.map((l) => l.printed)) : undefined
    const exited = ours.every(Boolean) ? median(ours.map((l) => l.exited)) : undefined
    rows.push([
      `our CLI, ${m.label}`,
      printed === undefined ? '-' : seconds(printed),
      printed === undefined
        ? `no end stamp or result line (end: ${m.ours.map((o) => o.end).join(', ')})`
        : `to process exit ${seconds(exited)} s; job end ${m.ours.at(-1).end}; runs ${ours.map((l) => seconds(l.printed)).join(' ')}`
    ])
    const a = m.ansible.ms === undefined ? undefined : latency(m.ansible)
    rows.push([
      `ansible-playbook, ${m.label}`,
      a === undefined ? '-' : seconds(a.printed),
      a === undefined
        ? (m.ansible.note ?? `no end stamp or result line in -v output`)
        : `to process exit ${seconds(a.exited)} s; wall ${seconds(m.ansible.ms)} s`
    ])
    targets.push({
      name: `latency, ${m.label}: ours under ${LATENCY_TARGET_MS / 1000} s`,
      met: printed !== undefined && printed < LATENCY_TARGET_MS,
      detail: printed === undefined ? 'not measured' : `${seconds(printed)} s`
    })
  }
  console.log('')
  console.log(
    `latency: one job (shell: sleep ${LATENCY_SLEEP_S}) on one host; latency = the moment the runner printed ` +
      "the job's result line - the job's end (target's local time, converted on the target)"
  )
  printTable(rows, { value: 'latency s' })
  return { targets }
}

// ---------------------------------------------------------------------------------------------
// timeouts: how long a poll: 0 launch takes, and how soon after its async limit a job is stopped and the
// task reports it (the speed claims the tests leave to the bench: they assert the records, not times).

const TIMEOUT_LIMIT_S = 2
/** The job wrapper's grace between TERM and KILL (src/async/job-wrapper.sh, terminate_job). */
const TERM_GRACE_MS = 2_000
const LAUNCH_TARGET_MS = 1_500
const TIMEOUT_TARGET_MS = 1_500

export async function benchTimeouts(ctx) {
  const host = 'to1'
  const inventory = join(ctx.workDir, 'timeouts.ini')
  writeInventory(inventory, ctx.sshd, [host], { ansible_async_dir: ctx.asyncDir })
  const playbook = join(ctx.workDir, 'timeouts.yml')
  const limited = (name, command) => [
    `    - name: ${name}`,
    `      shell: ${command}`,
    `      async: ${TIMEOUT_LIMIT_S}`,
    '      poll: 1',
    '      ignore_errors: true'
  ]
  writeFileSync(
    playbook,
    [
      '- name: timeouts',
      '  hosts: all',
      '  gather_facts: false',
      '  tasks:',
      '    - name: launch',
      '      shell: sleep 1',
      '      async: 30',
      '      poll: 0',
      ...limited('limit', 'sleep 30'),
      ...limited('limit, TERM ignored', "trap '' TERM; sleep 30"),
      ''
    ].join('\n')
  )
  const json = join(ctx.workDir, 'timeouts.json')
  const runs = { launch: [], limit: [], ignored: [] }
  for (let i = 0; i < REPEAT; i++) {
    await runOurs(ctx, playbook, inventory, { json })
    const doc = readJson(json)
    const ms = (task) => taskResults(doc, task)[host]?.duration_ms ?? NaN
    runs.launch.push(ms('launch'))
    runs.limit.push(ms('limit') - TIMEOUT_LIMIT_S * 1000)
    runs.ignored.push(ms('limit, TERM ignored') - TIMEOUT_LIMIT_S * 1000 - TERM_GRACE_MS)
  }
  const launch = median(runs.launch)
  const limit = median(runs.limit)
  const ignored = median(runs.ignored)
  const list = (values) => `runs ${values.map(seconds).join(' ')}`
  console.log('')
  console.log(
    `timeouts: our CLI, one host; the task's duration from the results document. A job over its ` +
      `async: ${TIMEOUT_LIMIT_S} limit gets TERM, and KILL ${TERM_GRACE_MS / 1000} s later if it ` +
      'ignores TERM; "after" = the duration less the limit (and that grace)'
  )
  printTable(
    [
      ['launch (poll: 0), until the task is done', seconds(launch), list(runs.launch)],
      ['sleep 30, async 2, poll 1: after the limit', seconds(limit), list(runs.limit)],
      ['TERM ignored: after the limit and the grace', seconds(ignored), list(runs.ignored)]
    ],
    { first: 'measure', value: 's' }
  )
  return {
    targets: [
      {
        name: `timeouts: a launch under ${LAUNCH_TARGET_MS / 1000} s`,
        met: launch < LAUNCH_TARGET_MS,
        detail: `${seconds(launch)} s`
      },
      {
        name: `timeouts: stopped and reported within ${TIMEOUT_TARGET_MS / 1000} s of the limit`,
        met: limit < TIMEOUT_TARGET_MS && ignored < TIMEOUT_TARGET_MS,
        detail: `${seconds(limit)} s; ${seconds(ignored)} s when TERM is ignored`
      }
    ]
  }
}
