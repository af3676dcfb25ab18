import * as core from '@actions/core'
import { jobsDocument } from './async/jobs-document.js'
import { Outputs, State } from './action/constants.js'
import { saveLaunchedJobs } from './action/cancel.js'
import { groupingEvents, noLogMasking } from './action/grouping.js'
import { gate, writeOutputs } from './action/outputs.js'
import { upsertPullRequestComment } from './action/pr-comment.js'
import { readActionSettings, type ActionSettings } from './action/settings.js'
import { acceptedHostKeys } from './connection/index.js'
import { executeRun, type LiveRun } from './engine.js'
import { AsyncPlaybookError } from './errors.js'
import { buildAnnotations, formatAnnotationCommand } from './report/annotations.js'
import { renderJobSummary } from './report/job-summary.js'
import type { ResultsDocument } from './report/results-document.js'

/** How often, at most, a progress line about outstanding jobs is printed (ASYNC_PLAYBOOK_PROGRESS_SECONDS). */
function progressEveryMs(): number {
  const seconds = Number(process.env['ASYNC_PLAYBOOK_PROGRESS_SECONDS'])
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 30_000
}

/** The action: inputs → settings → engine → outputs, summary, annotations; gated by `fail-on`. */
export async function run(): Promise<void> {
  let settings: ActionSettings
  try {
    settings = readActionSettings()
  } catch (error) {
    core.setFailed(message(error))
    return
  }
  const live: LiveRun = {}
  const controller = new AbortController()
  let reported = false
  const report = async (document: ResultsDocument, failure: string | undefined): Promise<void> => {
    if (reported) return
    reported = true
    const handover = writeOutputs(document, settings.resultsFile)
    if (settings.onCancel === 'kill')
      saveLaunchedJobs(live.registry?.allOutstanding().filter((j) => !j.handedOver) ?? [])
    if (settings.annotations) {
      for (const annotation of buildAnnotations(document, {
        inlinePlaybook: settings.inlinePlaybook
      })) {
        process.stdout.write(`${formatAnnotationCommand(annotation)}\n`)
      }
    }
    const summary = safeSummary(document)
    if (settings.summary && summary) {
      try {
        await core.summary.addRaw(summary).write()
      } catch (error) {
        core.warning(`Could not write the job summary: ${message(error)}`)
      }
    }
    if (settings.comment && settings.githubToken && summary) {
      try {
        core.info(await upsertPullRequestComment(summary, settings.githubToken))
      } catch (error) {
        core.warning(`Could not update the pull-request comment: ${message(error)}`)
      }
    }
    if (handover) core.setFailed(handover)
    if (failure) core.setFailed(failure)
  }

  const onCancel = (signal: string): void => {
    if (controller.signal.aborted) return
    controller.abort()
    core.saveState(State.Cancelled, 'true')
    core.warning(
      `Cancelled (${signal}): writing the partial results${settings.onCancel === 'kill' ? '; the post step stops the background jobs this step started' : '; background jobs keep running (on-cancel: leave)'}.`
    )
    const partial = partialDocument(live)
    void report(partial, `The run was cancelled (${signal}).`).finally(() => process.exit(1))
  }
  process.once('SIGINT', () => onCancel('SIGINT'))
  process.once('SIGTERM', () => onCancel('SIGTERM'))

  const progress = setInterval(() => {
    const jobs = live.registry?.allOutstanding() ?? []
    if (jobs.length === 0) return
    const now = Date.now()
    const parts = jobs
      .slice(0, 10)
      .map((j) => `${j.host} ${j.register ?? j.task} ${duration(now - j.launchedAt)}`)
    core.info(
      `waiting on ${jobs.length} job${jobs.length === 1 ? '' : 's'}: ${parts.join(', ')}${jobs.length > 10 ? ', …' : ''}`
    )
  }, progressEveryMs())
  progress.unref()

  try {
    const outcome = await executeRun(settings.run, (text) => process.stdout.write(text), {
      signal: controller.signal,
      extraEvents: [],
      live,
      beforeConsole: [noLogMasking(), groupingEvents()]
    })
    if (controller.signal.aborted) return
    await report(outcome.document, gate(outcome.document, outcome.exitCode, settings.failOn))
  } catch (error) {
    if (controller.signal.aborted) return
    core.setOutput(Outputs.Ok, 'false')
    core.setFailed(message(error))
  } finally {
    clearInterval(progress)
  }
}

/** What was finished when the run was cancelled, with the jobs still out there. */
function partialDocument(live: LiveRun): ResultsDocument {
  const document: ResultsDocument = live.collector?.partialDocument() ?? {
    ok: false,
    stats: {},
    plays: [],
    jobs: {}
  }
  document.ok = false
  document.jobs = jobsDocument(live.registry?.allOutstanding() ?? [])
  return document
}

function safeSummary(document: ResultsDocument): string | undefined {
  try {
    const accepted = acceptedHostKeys()
    const keys =
      accepted.length === 0
        ? ''
        : '\n\n### Host keys accepted on first use (host-key-checking: accept-new)\n\n' +
          'Add these lines to `known-hosts` to pin them:\n\n```\n' +
          accepted.map((k) => k.line).join('\n') +
          '\n```\n'
    return (
      renderJobSummary(document, {
        gatherCommand: `jobs: \${{ steps.${stepId()}.outputs.${Outputs.Jobs} }}`
      }) + keys
    )
  } catch (error) {
    core.warning(`Could not render the job summary: ${message(error)}`)
    return undefined
  }
}

/** The step's id as workflows refer to it (GITHUB_ACTION), when the workflow gave it one. */
function stepId(): string {
  const step = process.env['GITHUB_ACTION']
  return step && !step.startsWith('__') ? step : '<this step id>'
}

function duration(ms: number): string {
  const s = Math.floor(ms / 1000)
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`
}

function message(error: unknown): string {
  if (error instanceof AsyncPlaybookError) return error.message
  return error instanceof Error ? error.message : String(error)
}
