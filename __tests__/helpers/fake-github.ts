/**
 * A local fake of GitHub's issue-comments and commit-pulls REST APIs on 127.0.0.1 that keeps its comments,
 * for the pull-request comment tests (unit, and the bundled action end to end). Comments by another user
 * cannot be edited unless `editsAny` says the token may (as a token with write access can).
 */
import { createServer, type Server } from 'node:http'

export interface FakeGitHub {
  url: string
  comments: Map<number, { body: string; user: string }>
  calls: string[]
  /** Pull requests of each commit, as GET /repos/o/r/commits/SHA/pulls answers. */
  pullsOf: Map<string, number[]>
  /** As GitHub with a token of write access: any comment can be edited, not only the token's own. */
  editsAny: boolean
  /** The login GraphQL's `viewer` gives for the token (GITHUB_TOKEN's bot); undefined: GraphQL fails. */
  viewer: string | undefined
}

/** The `user` GitHub lists with a comment: this fake's token writes as GITHUB_TOKEN's bot. */
const author = (user: string): { login: string; type: string } =>
  user === 'bot' ? { login: 'github-actions[bot]', type: 'Bot' } : { login: user, type: 'User' }

let server: Server | undefined
/** Stops the fake started last. */
export function stopFakeGitHub(): void {
  server?.close()
  server = undefined
}

/** A fake of the issue-comments and commit-pulls APIs; comments by another user cannot be edited. */
export async function fakeGitHub(): Promise<FakeGitHub> {
  const fake: FakeGitHub = {
    url: '',
    comments: new Map(),
    calls: [],
    pullsOf: new Map(),
    editsAny: false,
    viewer: 'github-actions[bot]'
  }
  let nextId = 100
  server = createServer((req, res) => {
    let body = ''
    req.on('data', (d: Buffer) => (body += d.toString()))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x')
      fake.calls.push(`${req.method} ${url.pathname}`)
      res.setHeader('content-type', 'application/json')
      const pulls = /^\/repos\/o\/r\/commits\/([0-9a-f]+)\/pulls$/.exec(url.pathname)
      if (req.method === 'GET' && pulls) {
        res.end(JSON.stringify((fake.pullsOf.get(pulls[1]!) ?? []).map((number) => ({ number }))))
        return
      }
      if (req.method === 'POST' && url.pathname === '/graphql') {
        if (fake.viewer === undefined) res.statusCode = 502
        res.end(JSON.stringify({ data: { viewer: { login: fake.viewer } } }))
        return
      }
      if (req.method === 'GET' && url.pathname === '/user') {
        // An installation token (GITHUB_TOKEN's) has no user: GitHub refuses it.
        res.statusCode = 403
        res.end('{}')
        return
      }
      if (req.method === 'GET' && url.pathname === '/repos/o/r/issues/7/comments') {
        res.end(
          JSON.stringify(
            [...fake.comments].map(([id, c]) => ({ id, body: c.body, user: author(c.user) }))
          )
        )
        return
      }
      if (req.method === 'POST' && url.pathname === '/repos/o/r/issues/7/comments') {
        fake.comments.set(nextId++, { body: JSON.parse(body).body, user: 'bot' })
        res.end('{}')
        return
      }
      const edit = /^\/repos\/o\/r\/issues\/comments\/(\d+)$/.exec(url.pathname)
      if (req.method === 'PATCH' && edit) {
        const comment = fake.comments.get(Number(edit[1]))
        if (!comment || (comment.user !== 'bot' && !fake.editsAny)) {
          res.statusCode = 403
          res.end('{}')
          return
        }
        comment.body = JSON.parse(body).body
        res.end('{}')
        return
      }
      res.statusCode = 404
      res.end('{}')
    })
  })
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
  const address = server!.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  fake.url = `http://127.0.0.1:${address.port}`
  return fake
}
