import {
  noticeLine,
  type HostStats,
  type HostTaskOutcome,
  type NoticeLevel,
  type RunEvents,
  type TaskInfo
} from '../executor/events.js'
import { censor } from './censor.js'
import { visibleControls } from '../values/inert-text.js'
import { pythonJson } from '../values/python-json.js'

/** Modules whose ad-hoc output is the command's text, as Ansible's MODULE_NO_JSON. */
const COMMAND_MODULES = new Set(['command', 'shell', 'raw', 'script'])

/**
 * Ad-hoc output in the shape of the `ansible` command (its minimal callback). It prints command output as
 * it is, so everything goes through visibleControls: no escape sequence of a target reaches the terminal.
 */
export class AdhocReporter implements RunEvents {
  private readonly write: (text: string) => void

  constructor(write: (text: string) => void) {
    this.write = (text) => write(visibleControls(text))
  }

  playStart(): void {}
  taskStart(): void {}
  itemResult(): void {}
  retrying(task: TaskInfo, host: string, retriesLeft: number): void {
    this.write(`FAILED - RETRYING: [${host}]: ${task.name} (${retriesLeft} retries left).\n`)
  }
  noMoreHosts(): void {}
  recap(_stats: Record<string, HostStats>): void {}

  log(host: string, task: TaskInfo | undefined, line: string): void {
    this.write(host ? `[${host}] ${line}\n` : `${line}\n`)
  }

  warning(message: string, level?: NoticeLevel): void {
    const text = noticeLine(message, level)
    if (text !== undefined) this.write(`${text}\n`)
  }

  hostResult(task: TaskInfo, outcome: HostTaskOutcome): void {
    const result = task.noLog ? censor(outcome.result) : outcome.result
    const shown: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(result)) if (!k.startsWith('_ansible')) shown[k] = v
    const host = outcome.host
    if (outcome.status === 'unreachable') {
      this.write(`${host} | UNREACHABLE! => ${pythonJson(shown, 4)}\n`)
      return
    }
    if (outcome.status === 'skipped') {
      this.write(`${host} | SKIPPED\n`)
      return
    }
    const failed = outcome.status === 'failed'
    const caption = failed ? 'FAILED' : outcome.status === 'changed' ? 'CHANGED' : 'SUCCESS'
    if (COMMAND_MODULES.has(task.module) && !('ansible_job_id' in result)) {
      const text = `${String(result['stdout'] ?? '')}${String(result['stderr'] ?? '')}${String(result['msg'] ?? '')}`
      this.write(`${host} | ${caption} | rc=${String(result['rc'] ?? -1)} >>\n${text}\n`)
      return
    }
    delete shown['failed']
    this.write(`${host} | ${failed ? 'FAILED!' : caption} => ${pythonJson(shown, 4)}\n`)
  }
}
