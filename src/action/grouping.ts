import * as core from '@actions/core'
import type { RunEvents } from '../executor/events.js'
import { inertLine, visibleControls } from '../values/inert-text.js'

/** Log grouping that can be ended for good (before the action's own report, on every path). */
export interface Grouping extends RunEvents {
  /** Ends the open group, if any; no group opens afterwards (a cancelled run's engine may go on). */
  close(): void
}

/** Folds each task's log into one `core.group`, so a long run reads as a list of tasks. */
export function groupingEvents(): Grouping {
  let open = false
  let closed = false
  const end = (): void => {
    if (open) core.endGroup()
    open = false
  }
  return {
    playStart: end,
    taskStart(task) {
      end()
      if (closed) return
      // Command data (escaped by core), shown on one line: a rendered name may hold newlines and output.
      const title = `${task.handler ? 'RUNNING HANDLER' : 'TASK'} [${task.name}]`
      core.startGroup(inertLine(visibleControls(title).replace(/\n/g, '\\n')))
      open = true
    },
    itemResult() {},
    hostResult() {},
    retrying() {},
    noMoreHosts: end,
    log() {},
    warning() {},
    recap: end,
    close() {
      end()
      closed = true
    }
  }
}

/**
 * Masks every value of a `no_log` task's result with `core.setSecret` before any reporter sees it, so that
 * even a value that leaks into a later task's output is hidden in the log.
 */
export function noLogMasking(): RunEvents {
  const mask = secretMasker()
  return {
    playStart() {},
    taskStart() {},
    itemResult(task, outcome) {
      if (task.noLog) mask(outcome.result)
    },
    hostResult(task, outcome) {
      if (task.noLog) mask(outcome.result)
    },
    retrying(task, _host, _left, result) {
      if (task.noLog) mask(result)
    },
    noMoreHosts() {},
    log() {},
    warning() {},
    recap() {}
  }
}

/**
 * A function that masks every string in a value (each line of it too) with `core.setSecret`, for the rest of
 * the job: no_log results, and what Ansible Vault decrypts.
 */
export function secretMasker(options: { numbers?: boolean } = {}): (value: unknown) => void {
  const masked = new Set<string>()
  const mask = (value: unknown, depth = 0): void => {
    if (depth > 20) return
    // With `numbers` (what vault decrypts: a PIN is a secret too), a number is masked as its digits; a
    // no_log result's numbers (rc, uid, sizes) are not, or common numbers would vanish from the log.
    if (options.numbers && typeof value === 'number') value = String(value)
    if (typeof value === 'string') {
      for (const part of [value, ...value.split(/\r\n|\n|\r/)]) {
        const raw = part.trim()
        if (raw.length < 3) continue
        // Masks match the log as shown: the value as it is, with its control characters made visible
        // (inert-text.ts), and as it appears inside a JSON string in a printed result.
        for (const secret of [raw, visibleControls(raw), JSON.stringify(raw).slice(1, -1)]) {
          // Once is enough: the runner masks a value for the rest of the job.
          if (masked.has(secret)) continue
          masked.add(secret)
          core.setSecret(secret)
        }
      }
    } else if (Array.isArray(value)) {
      for (const v of value) mask(v, depth + 1)
    } else if (value !== null && typeof value === 'object') {
      for (const v of Object.values(value)) mask(v, depth + 1)
    }
  }
  return (value) => mask(value)
}
