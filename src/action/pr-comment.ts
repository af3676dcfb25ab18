import { readFileSync } from 'node:fs'

/** Marks our comment so it is updated rather than duplicated. */
const MARKER = '<!-- async-playbook:summary -->'
/** GitHub's limit for a comment body. */
const MAX_COMMENT_CHARS = 65_000

/**
 * Creates or updates one sticky comment on the pull request that triggered the workflow. Returns a short
 * description of what happened, or why nothing was done (not a pull request).
 */
export async function upsertPullRequestComment(
  body: string,
  token: string,
  env: NodeJS.ProcessEnv = process.env
): Promise<string> {
  const number = pullRequestNumber(env)
  const repository = env['GITHUB_REPOSITORY']
  if (!number || !repository) return 'not a pull request run: no comment written'
  const api = (env['GITHUB_API_URL'] || 'https://api.github.com').replace(/\/+$/, '')
  const headers = {
    authorization: `Bearer ${token}`,
    accept: 'application/vnd.github+json',
    'content-type': 'application/json',
    'user-agent': 'async-playbook'
  }
  const text = `${MARKER}\n${body.length > MAX_COMMENT_CHARS ? `${body.slice(0, MAX_COMMENT_CHARS)}\n\n_Comment truncated; see the job summary._` : body}`
  const signal = AbortSignal.timeout(30_000)
  const list = await fetch(`${api}/repos/${repository}/issues/${number}/comments?per_page=100`, {
    headers,
    signal
  })
  if (!list.ok) throw new Error(`listing comments of #${number} failed: HTTP ${list.status}`)
  const comments = (await list.json()) as Array<{ id: number; body?: string }>
  const existing = comments.find((c) => c.body?.startsWith(MARKER))
  const response = existing
    ? await fetch(`${api}/repos/${repository}/issues/comments/${existing.id}`, {
        method: 'PATCH',
        headers,
        body: JSON.stringify({ body: text }),
        signal
      })
    : await fetch(`${api}/repos/${repository}/issues/${number}/comments`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ body: text }),
        signal
      })
  if (!response.ok)
    throw new Error(`writing the comment on #${number} failed: HTTP ${response.status}`)
  return existing
    ? `updated the summary comment on #${number}`
    : `added a summary comment to #${number}`
}

function pullRequestNumber(env: NodeJS.ProcessEnv): number | undefined {
  const file = env['GITHUB_EVENT_PATH']
  if (!file) return undefined
  try {
    const event = JSON.parse(readFileSync(file, 'utf8')) as {
      pull_request?: { number?: number }
      number?: number
    }
    return event.pull_request?.number ?? undefined
  } catch {
    return undefined
  }
}
