import * as core from '@actions/core'
import { writeResultsDocument } from '../engine.js'
import type { HostStats } from '../executor/events.js'
import type { ResultsDocument } from '../report/results-document.js'
import { MAX_OUTPUT_BYTES, Outputs } from './constants.js'
import type { FailOn } from './settings.js'

/** Hosts with a failure, and hosts that were unreachable, from the recap. */
export function hostOutcomes(stats: Record<string, HostStats>): {
  failed: string[]
  unreachable: string[]
  changed: boolean
} {
  const entries = Object.entries(stats)
  return {
    failed: entries.filter(([, s]) => s.failed > 0).map(([h]) => h),
    unreachable: entries.filter(([, s]) => s.unreachable > 0).map(([h]) => h),
    changed: entries.some(([, s]) => s.changed > 0)
  }
}

/** Writes the results file and every step output. Hosts appear by inventory name only. */
export function writeOutputs(document: ResultsDocument, resultsFile: string): void {
  writeResultsDocument(resultsFile, document)
  const json = JSON.stringify(document)
  if (Buffer.byteLength(json) <= MAX_OUTPUT_BYTES) {
    core.setOutput(Outputs.Results, json)
  } else {
    core.setOutput(Outputs.Results, '')
    core.notice(
      `The results document is ${Buffer.byteLength(json)} bytes, over GitHub's 1 MB output limit: read it from the '${Outputs.ResultsFile}' output (${resultsFile}).`
    )
  }
  const outcomes = hostOutcomes(document.stats)
  core.setOutput(Outputs.ResultsFile, resultsFile)
  core.setOutput(Outputs.Stats, JSON.stringify(document.stats))
  core.setOutput(Outputs.Jobs, JSON.stringify(document.jobs))
  core.setOutput(Outputs.FailedHosts, JSON.stringify(outcomes.failed))
  core.setOutput(Outputs.UnreachableHosts, JSON.stringify(outcomes.unreachable))
  core.setOutput(Outputs.Changed, String(outcomes.changed))
  core.setOutput(Outputs.Ok, String(document.ok))
}

/** Whether the step must fail, by `fail-on`; returns the reason, or undefined to pass. */
export function gate(
  document: ResultsDocument,
  exitCode: number,
  failOn: FailOn
): string | undefined {
  if (failOn === 'never') return undefined
  const { failed, unreachable } = hostOutcomes(document.stats)
  const reasons: string[] = []
  if ((failOn === 'failed' || failOn === 'any') && failed.length > 0)
    reasons.push(`failed on ${failed.join(', ')}`)
  if ((failOn === 'unreachable' || failOn === 'any') && unreachable.length > 0)
    reasons.push(`unreachable: ${unreachable.join(', ')}`)
  if (failOn === 'any' && reasons.length === 0 && exitCode !== 0)
    reasons.push(`ended with exit code ${exitCode}`)
  return reasons.length > 0
    ? `The playbook ${reasons.join('; ')}. See the recap above and the job summary.`
    : undefined
}
