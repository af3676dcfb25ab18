import * as core from '@actions/core'
import path from 'node:path'
import { jobsDocument } from './async/jobs-document.js'
import { Inputs, Outputs, State } from './action/constants.js'
import { saveLaunchedJobs } from './action/cancel.js'
import { groupingEvents, noLogMasking, secretMasker } from './action/grouping.js'
import { gate, writeOutputs } from './action/outputs.js'
import { linkAppliedPlan, upsertPullRequestComment } from './action/pr-comment.js'
import { readActionSettings, type ActionSettings } from './action/settings.js'
import { acceptedHostKeys, unverifiedHosts } from './connection/index.js'
import { DEFAULTS } from './defaults.js'
import { executeRun, type LiveRun } from './engine.js'
import {
  AsyncPlaybookError,
  formatLocation,
  InventoryError,
  OptionError,
  TemplateError
} from './errors.js'
import { buildAnnotations, formatAnnotationCommand } from './report/annotations.js'
import { renderHostKeySections } from './report/host-key-summary.js'
import { InertWriter, visibleControls } from './values/inert-text.js'
import { renderJobSummary } from './report/job-summary.js'
import { cleanText, fenced } from './report/markdown.js'
import type { ResultsDocument } from './report/results-document.js'
import {
  DEFAULT_VAULT_ID,
  loadVaultSecrets,
  setVaultKeyring,
  VaultKeyring,
  vaultKeyring
} from './vault/index.js'

/** How often, at most, a progress line about outstanding jobs is printed (ASYNC_PLAYBOOK_PROGRESS_SECONDS). */
function progressEveryMs(): number {
  const seconds = Number(process.env['ASYNC_PLAYBOOK_PROGRESS_SECONDS'])
  return (Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULTS.progressSeconds) * 1000
}

/** The action: inputs → settings → engine → outputs, summary, annotations; gated by `fail-on`. */
export async function run(): Promise<void> {
  let settings: ActionSettings
  try {
    settings = readActionSettings()
    await installVault(settings.vault)
  } catch (error) {
    core.setFailed(message(error))
    return
  }
  const live: LiveRun = {}
  const controller = new AbortController()
  // The one way text from the engine reaches the log. The engine prints only through the function given
  // to executeRun (the executor never prints; reporters write through that function), and that is
  // out.write: every line of it is made inert (inert-text.ts), so no target, registered value or
  // playbook text can be read by the runner as a workflow command. The action's own commands go through
  // @actions/core or formatAnnotationCommand (their data escaped) and never through `out`; the only plain
  // text of ours that carries names (the progress line) goes through out.line. `out` never leaves stdout
  // mid-line, so each of our commands starts a line. Nothing else in this process writes to stdout or
  // stderr.
  const out = new InertWriter((text) => process.stdout.write(text), { workflowCommands: true })
  const grouping = groupingEvents()
  /** Ends the engine's log: the last partial line, then the open group (also on cancel and on error). */
  const endLog = (): void => {
    out.close()
    grouping.close()
  }
  let reported = false
  /** What a listing mode printed, for the job summary. */
  let listed = ''
  const report = async (
    document: ResultsDocument,
    failure: string | undefined,
    options: { jobsStopped?: boolean } = {}
  ): Promise<void> => {
    if (reported) return
    reported = true
    endLog()
    const handover = writeOutputs(document, settings.resultsFile, settings.run.diffContext)
    if (settings.onCancel === 'kill')
      saveLaunchedJobs(live.registry?.allOutstanding().filter((j) => !j.handedOver) ?? [])
    if (settings.annotations) {
      for (const annotation of buildAnnotations(document, {
        inlinePlaybook: settings.inlinePlaybook
      })) {
        process.stdout.write(`${formatAnnotationCommand(annotation)}\n`)
      }
    }
    const plan = settings.run.check === true
    const summary =
      settings.mode !== 'run'
        ? listingSummary(settings.mode, listed)
        : safeSummary(
            document,
            options.jobsStopped === true,
            plan,
            undefined,
            settings.run.diffContext
          )
    if (settings.summary && summary) {
      try {
        await core.summary.addRaw(summary).write()
      } catch (error) {
        core.warning(`Could not write the job summary: ${message(error)}`)
      }
    }
    if (settings.comment && settings.githubToken && summary && settings.mode === 'run') {
      const shard = settings.run.shard
      const identity = {
        shard: shard ? `${shard.index}/${shard.count}` : undefined,
        matrix: settings.matrix
      }
      try {
        // A plan comment gets its own rendering, cut to fit a comment rather than a summary.
        const body = plan
          ? (safeSummary(document, false, true, MAX_PLAN_COMMENT_BYTES, settings.run.diffContext) ??
            summary)
          : summary
        core.info(
          await upsertPullRequestComment(body, settings.githubToken, process.env, identity, {
            plan
          })
        )
        // An apply run (not a check) of a commit that came from a pull request links the plan it applied.
        if (!plan) {
          const applied = await linkAppliedPlan(settings.githubToken, process.env)
          if (applied.summaryLine && settings.summary)
            await core.summary.addRaw(`\n${applied.summaryLine}\n`).write()
          core.info(applied.message)
        }
      } catch (error) {
        core.warning(`Could not update the pull-request comment: ${message(error)}`)
      }
    }
    if (handover) core.setFailed(visibleControls(handover))
    if (failure) core.setFailed(visibleControls(failure))
  }

  const onCancel = (signal: string): void => {
    if (controller.signal.aborted) return
    controller.abort()
    endLog()
    core.saveState(State.Cancelled, 'true')
    core.warning(
      `Cancelled (${signal}): writing the partial results${settings.onCancel === 'kill' ? '; the post step stops the background jobs this step started' : '; background jobs keep running (on-cancel: leave)'}.`
    )
    const partial = partialDocument(live)
    void report(partial, `The run was cancelled (${signal}).`, {
      jobsStopped: settings.onCancel === 'kill'
    }).finally(() => process.exit(1))
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
    // Host, register and task names: playbook and inventory text, printed inert like the engine's.
    out.line(
      `waiting on ${jobs.length} job${jobs.length === 1 ? '' : 's'}: ${parts.join(', ')}${jobs.length > 10 ? ', …' : ''}`
    )
  }, progressEveryMs())
  progress.unref()

  try {
    const outcome = await executeRun(
      settings.run,
      (text) => {
        if (settings.mode !== 'run') listed += text
        out.write(text)
      },
      {
        signal: controller.signal,
        extraEvents: [],
        live,
        beforeConsole: [noLogMasking(), grouping]
      }
    )
    if (controller.signal.aborted) return
    await report(outcome.document, gate(outcome.document, outcome.exitCode, settings.failOn))
  } catch (error) {
    if (controller.signal.aborted) return
    endLog()
    core.setOutput(Outputs.Ok, 'false')
    failWith(error, settings)
  } finally {
    clearInterval(progress)
    if (!controller.signal.aborted) endLog()
  }
}

/**
 * Fails the step with the error's message. An error that points into a file (a YAML syntax error, a bad
 * keyword, a template error) becomes an annotation at that file, line and column of the repository.
 */
function failWith(error: unknown, settings: ActionSettings): void {
  const text = visibleControls(message(error))
  const location = error instanceof AsyncPlaybookError ? error.location : undefined
  if (!location) {
    core.setFailed(text)
    return
  }
  const prefix = `${formatLocation(location)}: `
  const detail = text.startsWith(prefix) ? text.slice(prefix.length) : text
  const file = repositoryFile(location.file, settings.run.cwd)
  process.exitCode = 1
  // As the task annotations: file, line and col first (written here, escaped as @actions/core does).
  process.stdout.write(
    `${formatAnnotationCommand({
      level: 'error',
      title: errorTitle(error, detail),
      message: file ? detail : text,
      ...(file ? { file, line: location.line, col: location.column } : {})
    })}\n`
  )
}

function errorTitle(error: unknown, detail: string): string {
  if (/^YAML syntax error\b/.test(detail)) return 'YAML syntax error'
  if (error instanceof TemplateError) return 'Template error'
  if (error instanceof InventoryError) return 'Inventory error'
  return 'Playbook error'
}

/** A location's file relative to the workspace, as annotations need it; none for inline text. */
function repositoryFile(file: string, workspace: string): string | undefined {
  if (file === '' || file.startsWith('<')) return undefined
  const relative = path.relative(workspace, path.resolve(workspace, file))
  const inside = relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative)
  return (inside ? relative : file).split(path.sep).join('/')
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
  document.cancelled = true
  document.jobs = jobsDocument(live.registry?.allOutstanding() ?? [])
  return document
}

/** A plan comment's size: GitHub's comment limit is 65,536 characters, with room for marker and footer. */
const MAX_PLAN_COMMENT_BYTES = 60_000

/** The summary of a listing mode: what it printed, in a code block. */
function listingSummary(mode: string, listed: string): string {
  return `## 📋 async-playbook: ${mode}\n\n${fenced(cleanText(listed).replace(/^\n+|\n+$/g, ''), 'text')}\n`
}

function safeSummary(
  document: ResultsDocument,
  jobsStopped: boolean,
  plan = false,
  maxBytes?: number,
  diffContext?: number
): string | undefined {
  try {
    const keys =
      maxBytes === undefined ? renderHostKeySections(acceptedHostKeys(), unverifiedHosts()) : ''
    return (
      renderJobSummary(document, {
        gatherCommand: `jobs: \${{ steps.${stepId()}.outputs.${Outputs.Jobs} }}`,
        jobsStopped,
        plan,
        ...(maxBytes !== undefined ? { maxBytes } : {}),
        // The summary is the pull-request comment too, which GitHub's log masking never sees.
        secrets: vaultKeyring().revealedTexts(),
        ...(diffContext !== undefined ? { diffContext } : {})
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

/**
 * The run's vault passwords (the `vault-password` input first, then ANSIBLE_VAULT_IDENTITY_LIST and
 * ANSIBLE_VAULT_PASSWORD_FILE), installed before anything is read; all they decrypt is masked in the log.
 */
async function installVault(vault: ActionSettings['vault']): Promise<void> {
  const given = vault.password
    ? [
        {
          id: DEFAULT_VAULT_ID,
          password: Buffer.from(vault.password, 'utf8'),
          source: `input '${Inputs.VaultPassword}'`
        }
      ]
    : []
  const noTerminal = (): Promise<string> =>
    Promise.reject(
      new OptionError(
        `a vault password prompt needs a terminal, and an action has none: give the password with the '${Inputs.VaultPassword}' input`
      )
    )
  const secrets = [...given, ...(await loadVaultSecrets(vault.request, noTerminal))]
  setVaultKeyring(new VaultKeyring(secrets, secretMasker({ numbers: true })))
}
