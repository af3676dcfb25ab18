import * as core from '@actions/core'
import type { RunEvents } from '../executor/events.js'

/** Folds each task's log into one `core.group`, so a long run reads as a list of tasks. */
export function groupingEvents(): RunEvents {
  let open = false
  const end = (): void => {
    if (open) core.endGroup()
    open = false
  }
  return {
    playStart: end,
    taskStart(task) {
      end()
      core.startGroup(`TASK [${task.name}]`)
      open = true
    },
    itemResult() {},
    hostResult() {},
    retrying() {},
    noMoreHosts: end,
    log() {},
    warning() {},
    recap: end
  }
}

/**
 * Masks every value of a `no_log` task's result with `core.setSecret` before any reporter sees it, so that
 * even a value that leaks into a later task's output is hidden in the log.
 */
export function noLogMasking(): RunEvents {
  const mask = (value: unknown, depth = 0): void => {
    if (depth > 20) return
    if (typeof value === 'string') {
      for (const part of [value, ...value.split(/\r?\n/)])
        if (part.trim().length >= 3) core.setSecret(part.trim())
    } else if (Array.isArray(value)) {
      for (const v of value) mask(v, depth + 1)
    } else if (value !== null && typeof value === 'object') {
      for (const v of Object.values(value)) mask(v, depth + 1)
    }
  }
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
