// Unit: the plan in the pull request. A check run's sticky comment shows the plan (a template's diff and
// a package change), records its run and commit, and is updated in place by a re-run; the apply run after
// the merge finds that comment through the commit's pull request, marks it applied and links the plan run.
// Against a local fake of GitHub's REST API on 127.0.0.1 that keeps its comments.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  commentMarker,
  linkAppliedPlan,
  readPlanMarker,
  upsertPullRequestComment
} from '../../src/action/pr-comment.js'
import { renderJobSummary } from '../../src/report/job-summary.js'
import type { ResultsDocument } from '../../src/report/results-document.js'
import { fakeGitHub, stopFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js'

afterEach(() => stopFakeGitHub())

function eventFile(event: unknown): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'apb-plan-event-')), 'event.json')
  writeFileSync(file, JSON.stringify(event))
  return file
}

const HEAD = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'
const MERGE = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'

const stats = (changed: number) => ({
  ok: 2,
  changed,
  failed: 0,
  unreachable: 0,
  skipped: 0,
  rescued: 0,
  ignored: 0
})

/** A check run's results: a template that would change a line, and apt that would install a package. */
const CHECK_RESULTS: ResultsDocument = {
  ok: true,
  stats: { web1: stats(2) },
  jobs: {},
  plays: [
    {
      name: 'web',
      tasks: [
        {
          name: 'site config',
          module: 'template',
          file: 'site.yml',
          line: 5,
          results: {
            web1: {
              status: 'changed',
              started_at: '2026-01-01T00:00:00Z',
              duration_ms: 5,
              result: {
                changed: true,
                dest: '/etc/app.conf',
                diff: [
                  {
                    before: 'port = 80\n',
                    after: 'port = 8080\n',
                    before_header: '/etc/app.conf',
                    after_header: 'templates/app.conf.j2'
                  }
                ]
              }
            }
          }
        },
        {
          name: 'htop',
          module: 'apt',
          results: {
            web1: {
              status: 'changed',
              started_at: '2026-01-01T00:00:00Z',
              duration_ms: 5,
              result: {
                changed: true,
                diff: {
                  prepared:
                    'The following NEW packages will be installed:\n  htop\n0 upgraded, 1 newly installed, 0 to remove and 0 not upgraded.\n'
                }
              }
            }
          }
        }
      ]
    }
  ]
}

function prEnv(fake: FakeGitHub, runId: string): NodeJS.ProcessEnv {
  return {
    GITHUB_API_URL: fake.url,
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_REPOSITORY: 'o/r',
    GITHUB_WORKFLOW: 'plan',
    GITHUB_JOB: 'plan',
    GITHUB_ACTION: 'deploy',
    GITHUB_RUN_ID: runId,
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_SHA: 'cccccccccccccccccccccccccccccccccccccccc',
    GITHUB_EVENT_PATH: eventFile({ pull_request: { number: 7, head: { sha: HEAD } } })
  }
}

describe('the plan comment', () => {
  it('shows the plan with its diffs, records the run and commit, and a re-run updates it in place', async () => {
    const fake = await fakeGitHub()
    const body = renderJobSummary(CHECK_RESULTS, { plan: true, maxBytes: 60_000 })
    expect(await upsertPullRequestComment(body, 'tok', prEnv(fake, '11'), {}, { plan: true })).toBe(
      'added a summary comment to #7'
    )
    expect(fake.comments.size).toBe(1)
    const [id, first] = [...fake.comments][0]!
    expect(first!.body).toContain('1 host of 1 · 2 tasks would change · 1 file · 1 package')
    expect(first!.body).toContain('-port = 80\n+port = 8080')
    expect(first!.body).toContain('web1 — apt</summary>')
    expect(readPlanMarker(first!.body)).toEqual({
      run: 'https://github.example/o/r/actions/runs/11/attempts/1',
      sha: HEAD
    })

    // A new push re-runs the plan: the same comment, with the new run.
    await upsertPullRequestComment(body, 'tok', prEnv(fake, '12'), {}, { plan: true })
    expect(fake.comments.size).toBe(1)
    expect(readPlanMarker(fake.comments.get(id!)!.body)?.run).toBe(
      'https://github.example/o/r/actions/runs/12/attempts/1'
    )
  })

  it('is linked by the apply run after the merge, and marked applied (once, whatever the re-runs)', async () => {
    const fake = await fakeGitHub()
    const body = renderJobSummary(CHECK_RESULTS, { plan: true, maxBytes: 60_000 })
    await upsertPullRequestComment(body, 'tok', prEnv(fake, '11'), {}, { plan: true })
    // Someone else's comment that copies the marker, pointing at a run elsewhere.
    fake.comments.set(5, {
      body: '<!-- async-playbook:summary -->\n<!-- async-playbook:plan run=https%3A%2F%2Fevil.example%2Fx%2Fy%2Factions%2Fruns%2F9 -->\nfake',
      user: 'someone'
    })
    fake.pullsOf.set(MERGE, [7])
    const applyEnv = {
      GITHUB_API_URL: fake.url,
      GITHUB_SERVER_URL: 'https://github.example',
      GITHUB_REPOSITORY: 'o/r',
      GITHUB_RUN_ID: '20',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_SHA: MERGE,
      GITHUB_EVENT_PATH: eventFile({ ref: 'refs/heads/main', after: MERGE })
    }
    const linked = await linkAppliedPlan('tok', applyEnv)
    expect(linked.message).toBe('linked the plan of #7 to this run')
    expect(linked.summaryLine).toContain('[#7](https://github.example/o/r/pull/7)')
    expect(linked.summaryLine).toContain(
      '[plan run](https://github.example/o/r/actions/runs/11/attempts/1) (commit `aaaaaaa`).'
    )
    expect(linked.summaryLine).not.toContain('evil.example')
    expect(linked.summaryLine?.match(/plan run/g)).toHaveLength(1)
    const plan = [...fake.comments.values()].find((c) => c.user === 'bot')!
    expect(plan.body).toContain(
      '✅ Applied by [this run](https://github.example/o/r/actions/runs/20/attempts/1) on commit [`bbbbbbb`]'
    )
    expect(fake.comments.get(5)!.body).not.toContain('Applied')

    await linkAppliedPlan('tok', { ...applyEnv, GITHUB_RUN_ATTEMPT: '2' })
    expect(plan.body.match(/Applied by/g)).toHaveLength(1)
    expect(plan.body).toContain('runs/20/attempts/2')
  })

  it('never edits or links a comment someone else wrote with the markers, though the token could edit it', async () => {
    const fake = await fakeGitHub()
    fake.editsAny = true
    const env = prEnv(fake, '11')
    const sticky = commentMarker(env)
    // A commenter copies the sticky marker and a plan marker naming a real run of this repository.
    const forged =
      `${sticky}\n<!-- async-playbook:plan run=${encodeURIComponent('https://github.example/o/r/actions/runs/3')} -->\n` +
      'No changes: nothing would change.'
    fake.comments.set(5, { body: forged, user: 'someone' })
    // The plan run writes its own comment and leaves the forged one as it is.
    const body = renderJobSummary(CHECK_RESULTS, { plan: true, maxBytes: 60_000 })
    expect(await upsertPullRequestComment(body, 'tok', env, {}, { plan: true })).toBe(
      'added a summary comment to #7'
    )
    expect(fake.comments.get(5)!.body).toBe(forged)
    // The apply run links the plan run only, and marks only its comment applied.
    fake.pullsOf.set(MERGE, [7])
    const linked = await linkAppliedPlan('tok', {
      GITHUB_API_URL: fake.url,
      GITHUB_SERVER_URL: 'https://github.example',
      GITHUB_REPOSITORY: 'o/r',
      GITHUB_RUN_ID: '20',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_SHA: MERGE,
      GITHUB_EVENT_PATH: eventFile({ ref: 'refs/heads/main', after: MERGE })
    })
    expect(linked.summaryLine).toContain(
      '[plan run](https://github.example/o/r/actions/runs/11/attempts/1)'
    )
    expect(linked.summaryLine).not.toContain('runs/3)')
    expect(fake.comments.get(5)!.body).toBe(forged)
    expect(fake.calls).not.toContain('PATCH /repos/o/r/issues/comments/5')
  })

  it('links nothing for a commit that came from no pull request, or in a pull-request run', async () => {
    const fake = await fakeGitHub()
    const env = {
      GITHUB_API_URL: fake.url,
      GITHUB_REPOSITORY: 'o/r',
      GITHUB_SHA: MERGE,
      GITHUB_EVENT_PATH: eventFile({ ref: 'refs/heads/main' })
    }
    expect((await linkAppliedPlan('tok', env)).message).toBe(
      'commit bbbbbbb came from no pull request: no plan to link'
    )
    expect((await linkAppliedPlan('tok', prEnv(fake, '3'))).message).toBe(
      'a pull-request run: no plan to link'
    )
  })
})
