// End to end: the plan in a pull request, through the bundled action (dist/index.js) run as the runner runs
// it, against a fake of GitHub's REST API on 127.0.0.1. A pull-request run with `check` + `diff` + `comment`
// on a playbook that would change a template and install a package (a local apt repository) posts the plan
// as the sticky comment (the template's diff, the package), changes nothing, and a re-run updates the same
// comment; the apply run after the merge then marks that comment applied.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { runAction } from '../helpers/action.js'
import { aptRepoUsable, createAptRepo, type AptRepo } from '../helpers/apt-repo.js'
import { fakeGitHub, stopFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js'

const HEAD = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'
const MERGE = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'
const usable = aptRepoUsable()

let repo: AptRepo | undefined
let work = ''

beforeAll(() => {
  if (!usable) return
  work = mkdtempSync(path.join(tmpdir(), 'apb-e2e-plan-comment-'))
  repo = createAptRepo({ prefix: 'apbplan' })
  repo.enable()
}, 300_000)

afterAll(() => {
  repo?.cleanup()
  if (work) rmSync(work, { recursive: true, force: true })
})

afterEach(() => stopFakeGitHub())

function githubEnv(
  fake: FakeGitHub,
  runId: string,
  event: unknown,
  sha: string
): Record<string, string> {
  const eventPath = path.join(mkdtempSync(path.join(work, 'event-')), 'event.json')
  writeFileSync(eventPath, JSON.stringify(event))
  return {
    GITHUB_API_URL: fake.url,
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_REPOSITORY: 'o/r',
    GITHUB_WORKFLOW: 'plan',
    GITHUB_JOB: 'plan',
    GITHUB_RUN_ID: runId,
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_SHA: sha,
    GITHUB_EVENT_PATH: eventPath
  }
}

describe.skipIf(!usable && process.env['APB_REQUIRE_SSHD'] !== '1')(
  'the plan comment of a pull request, through the bundled action',
  () => {
    it('shows the template diff and the package, changes nothing, and is updated then marked applied', async () => {
      const conf = path.join(work, 'app.conf')
      writeFileSync(conf, 'port = 80\nworkers = 4\n')
      writeFileSync(path.join(work, 'app.conf.j2'), 'port = {{ app_port }}\nworkers = 4\n')
      const pkg = repo!.names.hello
      writeFileSync(
        path.join(work, 'site.yml'),
        [
          '- hosts: localhost',
          '  gather_facts: false',
          '  vars:',
          '    app_port: 8080',
          '  environment:',
          `    APT_CONFIG: ${JSON.stringify(repo!.aptConfig)}`,
          '  tasks:',
          '    - name: site config',
          `      template: { src: app.conf.j2, dest: ${JSON.stringify(conf)} }`,
          '    - name: the package',
          `      apt: { name: ${pkg} }`
        ].join('\n') + '\n'
      )
      const fake = await fakeGitHub()
      const pr = { pull_request: { number: 7, head: { sha: HEAD } } }
      const inputs = {
        playbook: 'site.yml',
        check: 'true',
        diff: 'true',
        comment: 'true',
        'github-token': 'tok'
      }

      const plan = await runAction(work, inputs, { env: githubEnv(fake, '11', pr, HEAD) })
      expect(plan.code, plan.stdout + plan.stderr).toBe(0)
      // Check mode: nothing changed on the host.
      expect(readFileSync(conf, 'utf8')).toBe('port = 80\nworkers = 4\n')
      expect(repo!.installed()).toEqual([])
      expect(plan.outputs['changed']).toBe('true')
      expect(fake.comments.size).toBe(1)
      const [id, comment] = [...fake.comments][0]!
      expect(comment.body).toContain('2 tasks would change')
      expect(comment.body).toContain('```diff')
      expect(comment.body).toContain('-port = 80\n+port = 8080')
      expect(comment.body).toContain(pkg)
      expect(comment.body).toContain('https://github.example/o/r/actions/runs/11')

      // A new push re-runs the plan: the same comment, now pointing at the new run.
      const again = await runAction(work, inputs, { env: githubEnv(fake, '12', pr, HEAD) })
      expect(again.code).toBe(0)
      expect(fake.comments.size).toBe(1)
      expect(fake.comments.get(id)!.body).toContain('https://github.example/o/r/actions/runs/12')

      // The apply run after the merge: the plan comment of the commit's pull request is marked applied.
      fake.pullsOf.set(MERGE, [7])
      const apply = await runAction(
        work,
        { playbook: 'site.yml', comment: 'true', 'github-token': 'tok' },
        { env: githubEnv(fake, '13', { ref: 'refs/heads/main' }, MERGE) }
      )
      expect(apply.code, apply.stdout + apply.stderr).toBe(0)
      expect(readFileSync(conf, 'utf8')).toBe('port = 8080\nworkers = 4\n')
      expect(repo!.installed()).toEqual([pkg])
      expect(fake.comments.get(id)!.body).toContain(
        '✅ Applied by [this run](https://github.example/o/r/actions/runs/13/attempts/1)'
      )
      expect(apply.summary).toContain('https://github.example/o/r/actions/runs/12')
    }, 300_000)
  }
)
