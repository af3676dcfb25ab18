/** Runs the real engine in-process for integration tests, capturing the console. */
import { executeRun, type RunOutcome, type RunSettings } from '../../src/engine.js'
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
      connectTimeoutMs: 5000
    },
    verbosity: 0,
    color: false,
    commandTimeoutMs: 60_000,
    cwd: process.cwd(),
    ...overrides
  }
}

/** Runs and returns the outcome plus everything printed. */
export async function runCaptured(settings: RunSettings): Promise<RunOutcome & { output: string }> {
  let output = ''
  const outcome = await executeRun(settings, (text) => {
    output += text
  })
  return { ...outcome, output }
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
