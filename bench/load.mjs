// The load scenario of `npm run bench`: 200 inventory hosts (aliases of one loopback sshd) x 5 tasks with
// forks 50, plus one poll: 0 job per host gathered at the end. Every result must be correct and none lost;
// reports wall time and the runner's peak memory (target: under 200 MB).
import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { CLI, positiveIntFromEnv, printTable, seconds, writeInventory } from './lib.mjs'

const HOSTS = positiveIntFromEnv('BENCH_LOAD_HOSTS', 200)
const FORKS = 50
const TASKS = 5
const PEAK_TARGET_MB = 200

/** Peak resident memory (VmHWM) of a live process, in kB; 0 once it is gone. */
function peakKb(pid) {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) : 0
  } catch {
    return 0
  }
}

export async function benchLoad(ctx) {
  const names = Array.from({ length: HOSTS }, (_, i) => `load${String(i + 1).padStart(3, '0')}`)
  const inventory = join(ctx.workDir, 'load-inventory.ini')
  writeInventory(inventory, ctx.sshd, names, { ansible_async_dir: ctx.asyncDir })
  const playbook = join(ctx.workDir, 'load.yml')
  const tasks = Array.from(
    { length: TASKS },
    (_, i) => `    - name: task ${i + 1}\n      shell: echo {{ inventory_hostname }} ${i + 1}\n`
  ).join('')
  writeFileSync(
    playbook,
    `- hosts: bench\n  gather_facts: false\n  tasks:\n    - name: background job\n      shell: sleep 2; echo job {{ inventory_hostname }}\n      async: 300\n      poll: 0\n      register: job\n${tasks}    - name: gather\n      async_status:\n        jid: "{{ job.ansible_job_id }}"\n      register: gathered\n      until: gathered is finished\n      retries: 60\n      delay: 1\n`
  )
  const json = join(ctx.workDir, 'load.json')
  const args = [
    CLI,
    playbook,
    '-i',
    inventory,
    '--known-hosts',
    ctx.sshd.knownHostsPath,
    '-f',
    String(FORKS),
    '--json',
    json
  ]
  const started = performance.now()
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (d) => (stderr = (stderr + d.toString()).slice(-4000)))
  let peak = 0
  const sampler = setInterval(() => (peak = Math.max(peak, peakKb(child.pid))), 100)
  const code = await new Promise((resolve) => child.on('close', (c) => resolve(c)))
  clearInterval(sampler)
  const ms = performance.now() - started
  if (code !== 0) throw new Error(`load run exited ${code}: ${stderr}`)
  const doc = JSON.parse(readFileSync(json, 'utf8'))
  const problems = []
  for (const name of names) {
    const s = doc.stats[name]
    if (!s || s.ok !== TASKS + 2 || s.failed || s.unreachable)
      problems.push(`${name}: ${JSON.stringify(s)}`)
  }
  const gather = doc.plays[0].tasks.find((t) => t.name === 'gather')
  for (const name of names) {
    const out = gather?.results[name]?.result?.stdout
    if (out !== `job ${name}`) problems.push(`${name}: gathered ${JSON.stringify(out)}`)
  }
  const peakMb = peak / 1024
  printTable(
    [
      [
        `our CLI, ${HOSTS} hosts x ${TASKS} tasks + 1 job each, -f ${FORKS}`,
        seconds(ms),
        `${problems.length === 0 ? 'all results correct' : `${problems.length} wrong`}`
      ],
      ['  peak memory of the runner (MB)', peakMb.toFixed(0), `target under ${PEAK_TARGET_MB} MB`]
    ],
    { first: 'load' }
  )
  if (problems.length) console.log(problems.slice(0, 10).join('\n'))
  return {
    lines: [],
    targets: [
      {
        name: `load: ${HOSTS} hosts, every result correct`,
        met: problems.length === 0,
        detail: `${seconds(ms)} s, ${problems.length} wrong`
      },
      {
        name: `load: runner peak memory under ${PEAK_TARGET_MB} MB`,
        met: peakMb > 0 && peakMb < PEAK_TARGET_MB,
        detail: `${peakMb.toFixed(0)} MB`
      }
    ]
  }
}
