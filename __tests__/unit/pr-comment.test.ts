// Unit: the sticky pull-request comment, against a local fake of GitHub's REST API.
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { commentMarker, upsertPullRequestComment } from '../../src/action/pr-comment.js'

interface Call {
  method: string
  url: string
  auth: string | undefined
  body: string
}

let server: Server | undefined
afterEach(() => server?.close())

type Comment = { id: number; body: string; user?: { login: string; type: string } }

/** Who wrote a comment, as GitHub lists it: the fake's comments are the token's (GITHUB_TOKEN's bot). */
const TOKEN_BOT = { login: 'github-actions[bot]', type: 'Bot' }

/**
 * A local fake of the comments API. `existing` is one page, or a list of pages (`?page=N`, 1-based).
 * linkHeaders: answer with Link rel="next" headers as GitHub does; link: a fixed Link header.
 */
async function fakeGitHub(
  existing: Comment[] | Comment[][],
  options: {
    linkHeaders?: boolean
    link?: string
    patchStatus?: number
    /** The login GraphQL's viewer gives for the token (default GITHUB_TOKEN's bot); null: GraphQL fails. */
    viewer?: string | null
    /** The login GET /user gives (a person's token); absent: 403, as for an installation token. */
    userLogin?: string
  } = {}
): Promise<{ url: string; calls: Call[] }> {
  const calls: Call[] = []
  const pages: Comment[][] =
    existing.length > 0 && Array.isArray(existing[0])
      ? (existing as Comment[][])
      : [existing as Comment[]]
  server = createServer((req: IncomingMessage, res) => {
    let body = ''
    req.on('data', (d: Buffer) => (body += d.toString()))
    req.on('end', () => {
      calls.push({
        method: req.method ?? '',
        url: req.url ?? '',
        auth: req.headers.authorization,
        body
      })
      res.setHeader('content-type', 'application/json')
      if (req.method === 'GET') {
        const page = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('page') ?? '1')
        if (options.link) res.setHeader('link', options.link)
        else if (options.linkHeaders && page < pages.length) {
          const base = `http://${req.headers.host}/repos/o/r/issues/7/comments?per_page=100`
          res.setHeader(
            'link',
            `<${base}&page=${page + 1}>; rel="next", <${base}&page=${pages.length}>; rel="last"`
          )
        }
        if (new URL(req.url ?? '/', 'http://x').pathname === '/user') {
          // An app's token (GITHUB_TOKEN) has no user: GitHub refuses it.
          if (options.userLogin === undefined) res.statusCode = 403
          res.end(JSON.stringify(options.userLogin ? { login: options.userLogin } : {}))
          return
        }
        res.end(JSON.stringify((pages[page - 1] ?? []).map((c) => ({ user: TOKEN_BOT, ...c }))))
        return
      }
      if (req.method === 'POST' && req.url?.endsWith('/graphql')) {
        const viewer = options.viewer === undefined ? TOKEN_BOT.login : options.viewer
        if (viewer === null) res.statusCode = 502
        res.end(JSON.stringify({ data: { viewer: { login: viewer } } }))
        return
      }
      if (req.method === 'PATCH' && options.patchStatus) res.statusCode = options.patchStatus
      res.end('{}')
    })
  })
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return { url: `http://127.0.0.1:${address.port}`, calls }
}

function prEvent(number: number, pullRequest: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'apb-event-'))
  const file = path.join(dir, 'event.json')
  writeFileSync(file, JSON.stringify({ pull_request: { number, ...pullRequest } }))
  return file
}

describe('upsertPullRequestComment', () => {
  it('adds a marked comment the first time, and updates that same comment afterwards', async () => {
    const first = await fakeGitHub([{ id: 1, body: 'someone else' }])
    const env = {
      GITHUB_API_URL: first.url,
      GITHUB_REPOSITORY: 'o/r',
      GITHUB_EVENT_PATH: prEvent(7)
    }
    expect(await upsertPullRequestComment('## recap', 'tok', env)).toBe(
      'added a summary comment to #7'
    )
    expect(first.calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'GET /repos/o/r/issues/7/comments?per_page=100',
      'POST /repos/o/r/issues/7/comments'
    ])
    expect(first.calls[1]!.auth).toBe('Bearer tok')
    const posted = JSON.parse(first.calls[1]!.body).body as string
    expect(posted).toMatch(/^<!-- async-playbook:summary -->\n## recap$/)
    server!.close()

    const second = await fakeGitHub([{ id: 42, body: posted }])
    expect(
      await upsertPullRequestComment('## recap v2', 'tok', { ...env, GITHUB_API_URL: second.url })
    ).toBe('updated the summary comment on #7')
    // The marked comment's author is checked against the token's own login, asked of GraphQL once.
    expect(second.calls[1]).toMatchObject({ method: 'POST', url: '/graphql' })
    expect(JSON.parse(second.calls[1]!.body)).toEqual({ query: 'query { viewer { login } }' })
    expect(second.calls[2]).toMatchObject({ method: 'PATCH', url: '/repos/o/r/issues/comments/42' })
  })

  it('does nothing outside a pull request', async () => {
    expect(await upsertPullRequestComment('x', 'tok', { GITHUB_REPOSITORY: 'o/r' })).toBe(
      'not a pull request run: no comment written'
    )
  })

  it('keeps one comment per workflow, job, step and matrix shard, and updates only its own', async () => {
    const base = {
      GITHUB_REPOSITORY: 'o/r',
      GITHUB_WORKFLOW: 'CI',
      GITHUB_WORKFLOW_REF: 'o/r/.github/workflows/ci.yml@refs/pull/7/merge',
      GITHUB_JOB: 'deploy',
      GITHUB_ACTION: 'apply'
    }
    const markers = [
      commentMarker(base),
      commentMarker(base, { shard: '1/2' }),
      commentMarker(base, { shard: '2/2' }),
      commentMarker(base, { matrix: '{"region":"eu","os":"linux"}' }),
      commentMarker(base, { matrix: '{"region":"us","os":"linux"}' }),
      commentMarker({ ...base, GITHUB_JOB: 'smoke' }),
      commentMarker({ ...base, GITHUB_ACTION: 'gather' }),
      commentMarker({ ...base, GITHUB_WORKFLOW: 'Nightly' }),
      commentMarker({
        ...base,
        GITHUB_WORKFLOW_REF: 'o/r/.github/workflows/nightly.yml@refs/heads/main'
      })
    ]
    expect(new Set(markers).size).toBe(markers.length)
    // As the runner passes the step's inputs, when not given.
    expect(commentMarker({ ...base, INPUT_SHARD: '1/2' })).toBe(markers[1])
    expect(commentMarker({ ...base, INPUT_MATRIX: '{"region":"eu","os":"linux"}' })).toBe(
      markers[3]
    )
    // The same job on a new push, a re-run, or with its matrix keys in another order: the same comment.
    expect(
      commentMarker(
        {
          ...base,
          GITHUB_WORKFLOW_REF: 'o/r/.github/workflows/ci.yml@refs/heads/feature',
          GITHUB_RUN_ID: '99',
          GITHUB_RUN_ATTEMPT: '3',
          GITHUB_SHA: 'f'.repeat(40)
        },
        { matrix: '{"os":"linux","region":"eu"}' }
      )
    ).toBe(markers[3])
    // An empty matrix, a job without one (null) and an expression nobody evaluated mean no matrix.
    for (const matrix of ['', 'null', '{}', '${{ toJSON(matrix) }}'])
      expect(commentMarker(base, { matrix })).toBe(markers[0])
    for (const marker of markers) {
      expect(marker).toMatch(/^<!-- async-playbook:summary [^\n]* -->$/)
      expect(marker.slice(4, -3)).not.toContain('--')
    }
    // A name that tries to end the HTML comment cannot.
    expect(commentMarker({ ...base, GITHUB_WORKFLOW: 'x --> <b>' })).not.toMatch(/--> </)

    // Against GitHub: the matrix job's comment is found among others' and updated; another shard's is not.
    const shard1 = commentMarker(base, { shard: '1/2' })
    const shard2 = commentMarker(base, { shard: '2/2' })
    const gh = await fakeGitHub([
      { id: 1, body: `${markers[0]}\nplain job` },
      { id: 2, body: `${shard2}\nshard 2` },
      { id: 3, body: `${shard1}\nshard 1` },
      { id: 4, body: '<!-- async-playbook:summary -->\nan older version' }
    ])
    const env = { ...base, GITHUB_API_URL: gh.url, GITHUB_EVENT_PATH: prEvent(7) }
    expect(await upsertPullRequestComment('## shard 1 again', 'tok', env, { shard: '1/2' })).toBe(
      'updated the summary comment on #7'
    )
    expect(gh.calls[2]).toMatchObject({ method: 'PATCH', url: '/repos/o/r/issues/comments/3' })
    expect(JSON.parse(gh.calls[2]!.body).body).toMatch(
      new RegExp(`^${escapeRegExp(shard1)}\n## shard 1 again\n`)
    )
    server!.close()
    const other = await fakeGitHub([{ id: 3, body: `${shard1}\nshard 1` }])
    expect(
      await upsertPullRequestComment(
        '## shard 2',
        'tok',
        { ...env, GITHUB_API_URL: other.url },
        {
          shard: '2/2'
        }
      )
    ).toBe('added a summary comment to #7')
    expect(JSON.parse(other.calls[1]!.body).body.startsWith(`${shard2}\n## shard 2`)).toBe(true)
  })

  it('links the run, its attempt and the commit the pull request was pushed at', async () => {
    const gh = await fakeGitHub([])
    const sha = 'abcdef0123456789abcdef0123456789abcdef01'
    await upsertPullRequestComment(
      '## recap',
      'tok',
      {
        GITHUB_API_URL: gh.url,
        GITHUB_SERVER_URL: 'https://github.example.com',
        GITHUB_REPOSITORY: 'o/r',
        GITHUB_EVENT_PATH: prEvent(7, { head: { sha } }),
        GITHUB_SHA: '1111111111111111111111111111111111111111',
        GITHUB_WORKFLOW: 'CI',
        GITHUB_JOB: 'deploy',
        GITHUB_RUN_ID: '4242',
        GITHUB_RUN_ATTEMPT: '2'
      },
      { shard: '1/3' }
    )
    const body = JSON.parse(gh.calls[1]!.body).body as string
    expect(body).toContain(
      'CI › deploy (shard 1/3) · [run 4242, attempt 2](https://github.example.com/o/r/actions/runs/4242/attempts/2)'
    )
    expect(body).toContain(`commit [\`abcdef0\`](https://github.example.com/o/r/commit/${sha})`)
    // The merge commit the workflow ran on, too.
    expect(body).toContain(
      '(run on [`1111111`](https://github.example.com/o/r/commit/1111111111111111111111111111111111111111))'
    )
  })

  it('finds its comment on a later page, following Link: rel="next"', async () => {
    const marker = commentMarker({ GITHUB_JOB: 'deploy' })
    const pages = [
      Array.from({ length: 100 }, (_, i) => ({ id: i + 1, body: `comment ${i + 1}` })),
      Array.from({ length: 100 }, (_, i) => ({ id: i + 101, body: `comment ${i + 101}` })),
      [
        { id: 201, body: 'comment 201' },
        { id: 202, body: `${marker}\nold summary` }
      ]
    ]
    const gh = await fakeGitHub(pages, { linkHeaders: true })
    expect(
      await upsertPullRequestComment('## new', 'tok', {
        GITHUB_API_URL: gh.url,
        GITHUB_REPOSITORY: 'o/r',
        GITHUB_EVENT_PATH: prEvent(7),
        GITHUB_JOB: 'deploy'
      })
    ).toBe('updated the summary comment on #7')
    expect(gh.calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'GET /repos/o/r/issues/7/comments?per_page=100',
      'GET /repos/o/r/issues/7/comments?per_page=100&page=2',
      'GET /repos/o/r/issues/7/comments?per_page=100&page=3',
      'POST /graphql',
      'PATCH /repos/o/r/issues/comments/202'
    ])
    expect(gh.calls.every((c) => c.auth === 'Bearer tok')).toBe(true)
  })

  it('pages on until a short page when the server sends no Link header', async () => {
    const marker = commentMarker({ GITHUB_JOB: 'deploy' })
    const pages = [
      Array.from({ length: 100 }, (_, i) => ({ id: i + 1, body: `comment ${i + 1}` })),
      Array.from({ length: 100 }, (_, i) => ({ id: i + 101, body: `comment ${i + 101}` })),
      [{ id: 201, body: 'comment 201' }]
    ]
    const gh = await fakeGitHub(pages)
    const env = {
      GITHUB_API_URL: gh.url,
      GITHUB_REPOSITORY: 'o/r',
      GITHUB_EVENT_PATH: prEvent(7),
      GITHUB_JOB: 'deploy'
    }
    expect(await upsertPullRequestComment('## new', 'tok', env)).toBe(
      'added a summary comment to #7'
    )
    expect(gh.calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'GET /repos/o/r/issues/7/comments?per_page=100',
      'GET /repos/o/r/issues/7/comments?per_page=100&page=2',
      'GET /repos/o/r/issues/7/comments?per_page=100&page=3',
      'POST /repos/o/r/issues/7/comments'
    ])
    expect(JSON.parse(gh.calls[3]!.body).body.startsWith(`${marker}\n## new`)).toBe(true)
  })

  it('never sends the token to a next page on another origin', async () => {
    const gh = await fakeGitHub(
      [Array.from({ length: 100 }, (_, i) => ({ id: i + 1, body: `c${i}` }))],
      { link: '<https://elsewhere.example/steal?page=2>; rel="next"' }
    )
    expect(
      await upsertPullRequestComment('## new', 'tok', {
        GITHUB_API_URL: gh.url,
        GITHUB_REPOSITORY: 'o/r',
        GITHUB_EVENT_PATH: prEvent(7)
      })
    ).toBe('added a summary comment to #7')
    expect(gh.calls.map((c) => c.method)).toEqual(['GET', 'POST'])
  })

  it("writes its own comment when the one with its marker is someone else's (403)", async () => {
    const marker = commentMarker({ GITHUB_JOB: 'deploy' })
    const gh = await fakeGitHub([{ id: 5, body: `${marker}\nforged by a commenter` }], {
      patchStatus: 403
    })
    expect(
      await upsertPullRequestComment('## new', 'tok', {
        GITHUB_API_URL: gh.url,
        GITHUB_REPOSITORY: 'o/r',
        GITHUB_EVENT_PATH: prEvent(7),
        GITHUB_JOB: 'deploy'
      })
    ).toBe('added a summary comment to #7')
    expect(gh.calls.map((c) => c.method)).toEqual(['GET', 'POST', 'PATCH', 'POST'])
  })

  it('never edits a comment a person wrote with its marker, though a write token could', async () => {
    const marker = commentMarker({ GITHUB_JOB: 'deploy' })
    const gh = await fakeGitHub([
      { id: 5, body: `${marker}\nforged by a commenter`, user: { login: 'mallory', type: 'User' } }
    ])
    const env = {
      GITHUB_API_URL: gh.url,
      GITHUB_REPOSITORY: 'o/r',
      GITHUB_EVENT_PATH: prEvent(7),
      GITHUB_JOB: 'deploy'
    }
    expect(await upsertPullRequestComment('## new', 'tok', env)).toBe(
      'added a summary comment to #7'
    )
    expect(gh.calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'GET /repos/o/r/issues/7/comments?per_page=100',
      'POST /graphql',
      'POST /repos/o/r/issues/7/comments'
    ])
  })

  it("never edits another app's bot comment with its marker: only the token's own login counts", async () => {
    const marker = commentMarker({ GITHUB_JOB: 'deploy' })
    const comments = [
      { id: 5, body: `${marker}\nby another app`, user: { login: 'other-app[bot]', type: 'Bot' } },
      { id: 6, body: `${marker}\nours`, user: { login: 'our-app[bot]', type: 'Bot' } }
    ]
    const env = { GITHUB_REPOSITORY: 'o/r', GITHUB_EVENT_PATH: prEvent(7), GITHUB_JOB: 'deploy' }
    // An app's installation token: GraphQL's viewer is the app's bot, and only its comment is updated.
    const asApp = await fakeGitHub(comments, { viewer: 'our-app[bot]' })
    expect(
      await upsertPullRequestComment('## new', 'tok', { ...env, GITHUB_API_URL: asApp.url })
    ).toBe('updated the summary comment on #7')
    expect(asApp.calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'GET /repos/o/r/issues/7/comments?per_page=100',
      'POST /graphql',
      'PATCH /repos/o/r/issues/comments/6'
    ])
    server!.close()
    // GITHUB_TOKEN (its viewer is github-actions[bot]): neither bot's comment is its own; it writes one.
    const asActions = await fakeGitHub(comments)
    expect(
      await upsertPullRequestComment('## new', 'tok', { ...env, GITHUB_API_URL: asActions.url })
    ).toBe('added a summary comment to #7')
    expect(asActions.calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'GET /repos/o/r/issues/7/comments?per_page=100',
      'POST /graphql',
      'POST /repos/o/r/issues/7/comments'
    ])
  })

  it("learns a personal token's login from GET /user when GraphQL gives none, and trusts no one when neither answers", async () => {
    const marker = commentMarker({ GITHUB_JOB: 'deploy' })
    const comments = [
      { id: 5, body: `${marker}\nby a bot`, user: { login: 'github-actions[bot]', type: 'Bot' } },
      { id: 6, body: `${marker}\nmine`, user: { login: 'octocat', type: 'User' } }
    ]
    const env = { GITHUB_REPOSITORY: 'o/r', GITHUB_EVENT_PATH: prEvent(7), GITHUB_JOB: 'deploy' }
    const gh = await fakeGitHub(comments, { viewer: null, userLogin: 'octocat' })
    expect(
      await upsertPullRequestComment('## new', 'tok', { ...env, GITHUB_API_URL: gh.url })
    ).toBe('updated the summary comment on #7')
    expect(gh.calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'GET /repos/o/r/issues/7/comments?per_page=100',
      'POST /graphql',
      'GET /user',
      'PATCH /repos/o/r/issues/comments/6'
    ])
    server!.close()
    const unknown = await fakeGitHub(comments, { viewer: null })
    expect(
      await upsertPullRequestComment('## new', 'tok', { ...env, GITHUB_API_URL: unknown.url })
    ).toBe('added a summary comment to #7')
    expect(unknown.calls.map((c) => c.method)).toEqual(['GET', 'POST', 'GET', 'POST'])
  })

  it('asks GraphQL at GITHUB_GRAPHQL_URL, else beside a GitHub Enterprise Server REST API', async () => {
    const marker = commentMarker({ GITHUB_JOB: 'deploy' })
    const gh = await fakeGitHub([{ id: 6, body: `${marker}\nours` }])
    const env = { GITHUB_REPOSITORY: 'o/r', GITHUB_EVENT_PATH: prEvent(7), GITHUB_JOB: 'deploy' }
    expect(
      await upsertPullRequestComment('## new', 'tok', {
        ...env,
        GITHUB_API_URL: gh.url,
        GITHUB_GRAPHQL_URL: `${gh.url}/graphql`
      })
    ).toBe('updated the summary comment on #7')
    server!.close()
    const ghes = await fakeGitHub([{ id: 6, body: `${marker}\nours` }])
    expect(
      await upsertPullRequestComment('## new', 'tok', {
        ...env,
        GITHUB_API_URL: `${ghes.url}/api/v3`
      })
    ).toBe('updated the summary comment on #7')
    expect(ghes.calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'GET /api/v3/repos/o/r/issues/7/comments?per_page=100',
      'POST /api/graphql',
      'PATCH /api/v3/repos/o/r/issues/comments/6'
    ])
  })

  it('cuts an over-long summary at a line, closing the code block and details it was in', async () => {
    const gh = await fakeGitHub([])
    const output = Array.from({ length: 20_000 }, (_, i) => `output line ${i}`).join('\n')
    const body = `## recap\n\n<details><summary>web1</summary>\n\n\`\`\`\`text\n${output}\n\`\`\`\`\n\n</details>\n`
    await upsertPullRequestComment(body, 'tok', {
      GITHUB_API_URL: gh.url,
      GITHUB_REPOSITORY: 'o/r',
      GITHUB_EVENT_PATH: prEvent(7),
      GITHUB_RUN_ID: '5'
    })
    const posted = JSON.parse(gh.calls.find((c) => c.method === 'POST')!.body).body as string
    expect(posted.length).toBeLessThanOrEqual(65_536)
    const [kept, after] = posted.split(
      '\n````\n\n</details>\n\n_Comment truncated; see the job summary._'
    )
    // The cut is at a whole line, and the note and the run's link are outside the block.
    expect(kept).toMatch(/\noutput line \d+$/)
    expect(after).toContain('[run 5]')
  })

  it('comments on a pull request from a comment event too', async () => {
    const gh = await fakeGitHub([])
    const dir = mkdtempSync(path.join(tmpdir(), 'apb-event-'))
    const file = path.join(dir, 'event.json')
    writeFileSync(file, JSON.stringify({ issue: { number: 9, pull_request: { url: 'x' } } }))
    expect(
      await upsertPullRequestComment('## r', 'tok', {
        GITHUB_API_URL: gh.url,
        GITHUB_REPOSITORY: 'o/r',
        GITHUB_EVENT_PATH: file
      })
    ).toBe('added a summary comment to #9')
  })
})

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
