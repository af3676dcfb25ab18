/** Runs the real engine in-process for integration tests, capturing the console. */
import { executeRun, type RunOutcome, type RunSettings } from '../../src/engine.js'
import type { HostResultEntry } from '../../src/report/results-document.js'
import type { SshdFixture } from './sshd.js'

/** An INI inventory whose hosts are all the test sshd, plus optional unreachable hosts. */
export function sshdInventory(
  sshd: SshdFixture,
  options: {
    hosts?: string[]
    group?: string
    unreachable?: Array<{ name: string; port: number }>
    extra?: string
  } = {}
): string {
  const hosts = options.hosts ?? ['web1', 'web2']
  const lines = [`[${options.group ?? 'web'}]`]
  for (const h of hosts) lines.push(`${h} ansible_host=${sshd.host} ansible_port=${sshd.port}`)
  if (options.unreachable?.length) {
    lines.push('[down]')
    for (const u of options.unreachable)
      lines.push(`${u.name} ansible_host=127.0.0.1 ansible_port=${u.port}`)
  }
  lines.push(
    '[all:vars]',
    `ansible_user=${sshd.user}`,
    `ansible_ssh_private_key_file=${sshd.clientKeyPath}`
  )
  if (options.extra) lines.push(options.extra)
  return lines.join('\n') + '\n'
}

/** Settings for a run against the test sshd. */
export function sshdSettings(
  sshd: SshdFixture,
  playbook: string,
  inventory: string,
  overrides: Partial<RunSettings> = {}
): RunSettings {
  return {
    playbook,
    inventories: [inventory],
    extraVars: [],
    forks: 10,
    connection: {
      knownHostsPath: sshd.knownHostsPath,
      hostKeyChecking: 'strict',
      connectTimeoutMs: 30_000
    },
    verbosity: 0,
    color: false,
    commandTimeoutMs: 300_000,
    cwd: process.cwd(),
    ...overrides
  }
}

/**
 * Runs and returns the outcome plus everything printed. `onOutput` sees the output so far after each
 * write: a test that must act at a point of the run (stop the sshd once a task has started) waits for
 * what the run prints there, not for a time.
 */
export async function runCaptured(
  settings: RunSettings,
  options: { onOutput?: (soFar: string) => void } = {}
): Promise<RunOutcome & { output: string }> {
  let output = ''
  const outcome = await executeRun(settings, (text) => {
    output += text
    options.onOutput?.(output)
  })
  return { ...outcome, output }
}

/**
 * A promise that resolves the first time `seen(output)` holds for a run's output so far, with the
 * `onOutput` hook to pass to runCaptured.
 */
export function whenPrinted(seen: (output: string) => boolean): {
  printed: Promise<void>
  onOutput: (soFar: string) => void
} {
  let resolve: () => void = () => undefined
  const printed = new Promise<void>((r) => (resolve = r))
  return { printed, onOutput: (soFar) => (seen(soFar) ? resolve() : undefined) }
}

/** The registered result of the task named `name` on `host` (first play that has it). */
export function resultOf(outcome: RunOutcome, task: string, host: string): Record<string, unknown> {
  for (const play of outcome.document.plays) {
    for (const t of play.tasks) {
      if (t.name === task && t.results[host]) return t.results[host]!.result
    }
  }
  throw new Error(`no result for task '${task}' on ${host}`)
}

/** The results-document entry (status, started_at, duration_ms, result) of `task` on `host`. */
export function entryOf(outcome: RunOutcome, task: string, host: string): HostResultEntry {
  for (const play of outcome.document.plays) {
    for (const t of play.tasks) {
      const entry = t.name === task ? t.results[host] : undefined
      if (entry) return entry
    }
  }
  throw new Error(`no result for task '${task}' on ${host}`)
}

/** When the controller recorded `task` on `host` as done (epoch ms), from the results document. */
export function recordedEndMs(outcome: RunOutcome, task: string, host: string): number {
  const entry = entryOf(outcome, task, host)
  return Date.parse(entry.started_at) + entry.duration_ms
}

/** A result's `start`/`end` as Ansible prints it ('2024-05-01 10:00:00.123456', local time), in epoch ms. */
export function timestampMs(value: unknown): number {
  const match = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3})\d*$/.exec(String(value))
  if (!match) throw new Error(`not an Ansible timestamp: ${JSON.stringify(value)}`)
  return new Date(`${match[1]}T${match[2]}`).getTime()
}
