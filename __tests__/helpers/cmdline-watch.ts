/**
 * Watches what every user of a host can see of its processes: their command lines (`ps`,
 * /proc/PID/cmdline). The test sshd is this machine, so /proc here is the target's.
 *
 * Tasks under test stop at a gate while they run: they create `<dir>/<label>.ready` and wait for
 * `<dir>/<label>.go`. The gatekeeper reads every command line at that moment, then opens the gate.
 *
 *   const gates = new Gatekeeper(dir, ['sync', 'async'], [token])
 *   const [outcome] = await Promise.all([runCaptured(...), gates.run()])
 *   expect(gates.leaks).toEqual([])
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** The command line of every process, as `pid: arg arg …` (processes that ended meanwhile are skipped). */
export function allCommandLines(): string[] {
  const lines: string[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const raw = readFileSync(`/proc/${entry}/cmdline`)
      if (raw.length > 0) lines.push(`${entry}: ${raw.toString('utf8').split('\0').join(' ')}`)
    } catch {
      // The process ended between readdir and read.
    }
  }
  return lines
}

/** Shell text for a task: open the gate `label` in `dir` and wait until the gatekeeper lets it through. */
export function gateScript(dir: string, label: string): string {
  return `touch ${dir}/${label}.ready && while [ ! -e ${dir}/${label}.go ]; do sleep 0.05; done`
}

/** Waits at each gate, reads every command line there, and lets the task go on. */
export class Gatekeeper {
  /** `label: pid: command line` for each command line that held a needle. */
  readonly leaks: string[] = []
  /** The labels whose task reached its gate. */
  readonly seen: string[] = []
  private stopped = false

  constructor(
    private readonly dir: string,
    private readonly labels: readonly string[],
    private readonly needles: readonly string[],
    private readonly deadlineMs = 180_000
  ) {}

  /** Resolves once every gate was passed; rejects after the deadline (a hang, not a timing). */
  async run(): Promise<void> {
    const pending = new Set(this.labels)
    const giveUp = Date.now() + this.deadlineMs
    while (pending.size > 0 && !this.stopped) {
      for (const label of [...pending]) {
        if (!existsSync(join(this.dir, `${label}.ready`))) continue
        for (const line of allCommandLines()) {
          if (this.needles.some((needle) => line.includes(needle)))
            this.leaks.push(`${label}: ${line}`)
        }
        this.seen.push(label)
        pending.delete(label)
        writeFileSync(join(this.dir, `${label}.go`), '')
      }
      if (Date.now() > giveUp) {
        throw new Error(`no task reached the gates ${[...pending].join(', ')}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  /** Stops waiting (when the run ended without reaching every gate). */
  stop(): void {
    this.stopped = true
  }
}

/** Secret values that break naive quoting, each holding `token` (the needle searched for). */
export function secretValues(token: string): Record<string, string> {
  return {
    S_PLAIN: `${token}-plain`,
    S_MULTI: `${token}\nsecond line\n\n`,
    S_QUOTE: `'${token}" $(touch /tmp/${token}-ran) \`id\` \\ \\n ; echo x | cat`,
    S_DASH: `-${token} --help`
  }
}

/** Hex of the UTF-8 bytes of `text`, as the scenario's tasks print each value. */
export const hexOf = (text: string): string => Buffer.from(text).toString('hex')

/** The script every scenario task runs: `sh <dir>/task.sh <label>` stops at the gate, then reports. */
const TASK_SCRIPT = [
  'd=$(dirname "$0")',
  'touch "$d/$1.ready"',
  'while [ ! -e "$d/$1.go" ]; do sleep 0.05; done',
  'for v in "$S_PLAIN" "$S_MULTI" "$S_QUOTE" "$S_DASH"; do',
  "  printf '%s' \"$v\" | od -An -v -tx1 | tr -d ' \\n'",
  '  echo',
  'done',
  "cat | od -An -v -tx1 | tr -d ' \\n'",
  ''
].join('\n')

/**
 * Tasks that each stop at a gate, then print the hex of every secret and of their stdin (one line
 * each), with the secrets in `environment:`: sync shell with stdin, command, an async job polled to its
 * end, and a fire-and-forget job with stdin gathered by async_status. `keywords` go on every task
 * (become, become_user…). Writes `<dir>/task.sh`; returns the tasks text (YAML, 4-space indent), the
 * gate labels, and what each registered stdout must be.
 */
export function secretTasks(
  dir: string,
  token: string,
  prefix: string,
  keywords = ''
): { tasks: string; labels: string[]; expected: Record<string, string> } {
  writeFileSync(join(dir, 'task.sh'), TASK_SCRIPT, { mode: 0o755 })
  const values = secretValues(token)
  const env = Object.entries(values)
    .map(([name, value]) => `        ${name}: ${JSON.stringify(value)}`)
    .join('\n')
  const stdin = `task input ${token}\n$(not run)`
  const expect = (input: string): string =>
    [...Object.values(values).map(hexOf), hexOf(input)].join('\n').replace(/\n+$/, '')
  const extra = keywords === '' ? '' : `\n${keywords.replace(/^/gm, '      ')}`
  const fired = `${prefix.replace(/\W/g, '_')}_fired`
  const task = (label: string, body: string): string =>
    `    - name: ${prefix} ${label}\n${body}${extra}\n      environment:\n${env}\n`
  const run = (label: string): string => `sh ${dir}/task.sh ${prefix}-${label}`
  const tasks = [
    task(
      'sync',
      `      shell: ${run('sync')}\n      args:\n        stdin: ${JSON.stringify(stdin)}`
    ),
    task('command', `      command: ${run('command')}`),
    task('async polled', `      shell: ${run('async-polled')}\n      async: 60\n      poll: 1`),
    task(
      'async fired',
      `      shell: ${run('async-fired')}\n      args:\n        stdin: ${JSON.stringify(stdin)}\n` +
        `      async: 60\n      poll: 0\n      register: ${fired}`
    ),
    `    - name: ${prefix} gather\n      async_status:\n        jid: "{{ ${fired}.ansible_job_id }}"${extra}\n` +
      `      register: gathered\n      until: gathered.finished\n      retries: 120\n      delay: 1\n`
  ].join('')
  return {
    tasks,
    labels: ['sync', 'command', 'async-polled', 'async-fired'].map((l) => `${prefix}-${l}`),
    expected: {
      [`${prefix} sync`]: expect(`${stdin}\n`),
      [`${prefix} command`]: expect(''),
      [`${prefix} async polled`]: expect(''),
      [`${prefix} gather`]: expect(`${stdin}\n`)
    }
  }
}
