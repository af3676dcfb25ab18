import * as core from '@actions/core'
import { encodeCompactJobs, type JobsDocument } from '../async/jobs-encoding.js'
import { writeResultsDocument } from '../engine.js'
import type { HostStats } from '../executor/events.js'
import { buildPlan, planOutput } from '../report/plan.js'
import type { ResultsDocument } from '../report/results-document.js'
import {
  Inputs,
  MAX_INPUT_VALUE_BYTES,
  MAX_OUTPUT_BYTES,
  MAX_PLAIN_JOBS_OUTPUT_BYTES,
  MAX_PLAN_OUTPUT_BYTES,
  Outputs
} from './constants.js'
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

/**
 * Writes the results file and every step output. Hosts appear by inventory name only. Returns why the step
 * must fail when the jobs still running cannot be handed over through the `jobs` output.
 */
export function writeOutputs(
  document: ResultsDocument,
  resultsFile: string,
  diffContext?: number
): string | undefined {
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
  core.setOutput(Outputs.CustomStats, JSON.stringify(document.custom_stats ?? {}))
  const jobs = jobsOutput(document.jobs, resultsFile)
  core.setOutput(Outputs.Jobs, jobs.value)
  core.setOutput(Outputs.FailedHosts, JSON.stringify(outcomes.failed))
  core.setOutput(Outputs.UnreachableHosts, JSON.stringify(outcomes.unreachable))
  core.setOutput(Outputs.Changed, String(outcomes.changed))
  core.setOutput(Outputs.Plan, planOutput(buildPlan(document, diffContext), MAX_PLAN_OUTPUT_BYTES))
  core.setOutput(Outputs.Ok, String(document.ok))
  return jobs.problem
}

/**
 * The `jobs` output: plain JSON while it is small, else the compact apb1: form, so that it always fits in
 * a later step's `jobs` input (an environment variable of at most 128 KiB). When even the compact form is
 * too large, the output is empty and `problem` says how to hand the jobs over instead.
 */
export function jobsOutput(
  jobs: JobsDocument,
  resultsFile: string
): { value: string; problem?: string } {
  const json = JSON.stringify(jobs)
  if (Buffer.byteLength(json) <= MAX_PLAIN_JOBS_OUTPUT_BYTES) return { value: json }
  const compact = encodeCompactJobs(jobs)
  if (compact.length <= MAX_INPUT_VALUE_BYTES) return { value: compact }
  const count = Object.values(jobs).reduce((n, byHost) => n + Object.keys(byHost).length, 0)
  return {
    value: '',
    problem:
      `The ${count} background jobs still running do not fit in the '${Outputs.Jobs}' output: encoded they take ${compact.length} bytes, ` +
      `and a step input holds at most ${MAX_INPUT_VALUE_BYTES} (the runner passes inputs as environment variables of at most 128 KiB). ` +
      `Hand them over as a file instead: upload the results file (the '${Outputs.ResultsFile}' output, ${resultsFile}; set '${Inputs.ResultsFile}' to choose where) ` +
      `with actions/upload-artifact and 'if: always()', download that artifact where you gather, and give the file's path to the '${Inputs.Jobs}' input (or to --jobs).`
  }
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
