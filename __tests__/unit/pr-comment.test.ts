// Unit: the sticky pull-request comment, against a local fake of GitHub's REST API.
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { upsertPullRequestComment } from '../../src/action/pr-comment.js'

interface Call {
  method: string
  url: string
  auth: string | undefined
  body: string
}

let server: Server | undefined
afterEach(() => server?.close())

async function fakeGitHub(
  existing: Array<{ id: number; body: string }>
): Promise<{ url: string; calls: Call[] }> {
  const calls: Call[] = []
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
      res.end(req.method === 'GET' ? JSON.stringify(existing) : '{}')
    })
  })
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return { url: `http://127.0.0.1:${address.port}`, calls }
}

function prEvent(number: number): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'apb-event-'))
  const file = path.join(dir, 'event.json')
  writeFileSync(file, JSON.stringify({ pull_request: { number } }))
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
    expect(second.calls[1]).toMatchObject({ method: 'PATCH', url: '/repos/o/r/issues/comments/42' })
  })

  it('does nothing outside a pull request', async () => {
    expect(await upsertPullRequestComment('x', 'tok', { GITHUB_REPOSITORY: 'o/r' })).toBe(
      'not a pull request run: no comment written'
    )
  })
})
