import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { mdText } from '../report/markdown.js'

/** Every marker starts so; the rest of it says which workflow, job, step and shard wrote the comment. */
const MARKER_PREFIX = '<!-- async-playbook:summary'
/** GitHub's limit for a comment body is 65,536 characters: room for the marker and the footer. */
const MAX_COMMENT_CHARS = 65_000
/** Comments per page when listing (GitHub's maximum). */
const PER_PAGE = 100
/** Pages read at most (10,000 comments): a bound, should a server never stop saying "next". */
const MAX_PAGES = 100

/** Which matrix shard this step is, for the comment's identity. */
export interface CommentShard {
  /** The `shard` input (`i/n`), if given. */
  shard?: string
  /** The `matrix` input: the job's matrix context as JSON (`${{ toJSON(matrix) }}`), if any. */
  matrix?: string
}

/**
 * The hidden marker of this step's comment: one sticky comment per workflow, job, step and matrix shard,
 * so that the jobs of a matrix, or two steps of one job, never overwrite each other's comment, while a
 * re-run (a new attempt) or a new push updates its own.
 */
export function commentMarker(env: NodeJS.ProcessEnv, given: CommentShard = {}): string {
  const shard = shardOf(env, given)
  const fields: Array<[string, string | undefined]> = [
    ['workflow', workflowId(env)],
    ['job', env['GITHUB_JOB']],
    ['step', env['GITHUB_ACTION']],
    ['shard', shard.shard],
    ['matrix', matrixId(shard.matrix)]
  ]
  const parts = fields
    .filter((f): f is [string, string] => f[1] !== undefined && f[1] !== '')
    // Encoded: no value can end the HTML comment or look like another field.
    .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
  return `${MARKER_PREFIX}${parts.length > 0 ? ` ${parts.join(' ')}` : ''} -->`
}

/** The shard and matrix given, else the step's `shard` and `matrix` inputs as the runner passes them. */
function shardOf(env: NodeJS.ProcessEnv, given: CommentShard): CommentShard {
  const shard = (given.shard ?? env['INPUT_SHARD'])?.trim()
  const matrix = given.matrix ?? env['INPUT_MATRIX']
  return { shard: shard || undefined, matrix }
}

/** The workflow file (without the ref: every branch's run is the same workflow), else its name. */
function workflowId(env: NodeJS.ProcessEnv): string | undefined {
  const ref = env['GITHUB_WORKFLOW_REF']
  const file = ref ? /^[^/]+\/[^/]+\/(.+?)(?:@.*)?$/.exec(ref)?.[1] : undefined
  const name = env['GITHUB_WORKFLOW']
  if (file && name) return `${file}#${name}`
  return file ?? name
}

/**
 * A short, stable id of the matrix values: the same for any key order, nothing for no matrix. An
 * expression the runner did not evaluate (a local run of action.yml's default) counts as none.
 */
function matrixId(json: string | undefined): string | undefined {
  const text = json?.trim()
  if (!text || text.startsWith('${{')) return undefined
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    value = text
  }
  if (value === null || (typeof value === 'object' && Object.keys(value).length === 0))
    return undefined
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 12)
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

/**
 * Creates or updates this step's sticky comment (see commentMarker) on the pull request that triggered
 * the workflow; the comment links the run and the commit. Existing comments are searched on every page.
 * Returns a short description of what happened, or why nothing was done (not a pull request).
 */
export async function upsertPullRequestComment(
  body: string,
  token: string,
  env: NodeJS.ProcessEnv = process.env,
  shard: CommentShard = {}
): Promise<string> {
  const event = readEvent(env)
  const number = pullRequestNumber(event)
  const repository = env['GITHUB_REPOSITORY']
  if (!number || !repository) return 'not a pull request run: no comment written'
  const api = (env['GITHUB_API_URL'] || 'https://api.github.com').replace(/\/+$/, '')
  const headers = {
    authorization: `Bearer ${token}`,
    accept: 'application/vnd.github+json',
    'content-type': 'application/json',
    'user-agent': 'async-playbook'
  }
  const marker = commentMarker(env, shard)
  const origin = provenance(env, event, shardOf(env, shard))
  const footer = origin ? `\n\n---\n${origin}` : ''
  const room = MAX_COMMENT_CHARS - marker.length - footer.length
  const text = `${marker}\n${body.length > room ? `${body.slice(0, room)}\n\n_Comment truncated; see the job summary._` : body}${footer}`
  const signal = AbortSignal.timeout(30_000)
  const existing = await findComment(
    `${api}/repos/${repository}/issues/${number}/comments`,
    marker,
    { headers, signal },
    api
  )
  const send = (method: 'PATCH' | 'POST', url: string): Promise<Response> =>
    fetch(url, { method, headers, body: JSON.stringify({ body: text }), signal })
  if (existing !== undefined) {
    const updated = await send('PATCH', `${api}/repos/${repository}/issues/comments/${existing}`)
    if (updated.ok) return `updated the summary comment on #${number}`
    // A comment someone else wrote with our marker cannot be edited: write our own instead.
    if (updated.status !== 403 && updated.status !== 404)
      throw new Error(`updating the comment on #${number} failed: HTTP ${updated.status}`)
  }
  const created = await send('POST', `${api}/repos/${repository}/issues/${number}/comments`)
  if (!created.ok)
    throw new Error(`writing the comment on #${number} failed: HTTP ${created.status}`)
  return `added a summary comment to #${number}`
}

/**
 * The id of the first comment that starts with the marker, reading every page: the `Link: rel="next"`
 * page while the server gives one (only on the API's own origin: the token goes with it), else the next
 * page number until a short page.
 */
async function findComment(
  listUrl: string,
  marker: string,
  init: { headers: Record<string, string>; signal: AbortSignal },
  api: string
): Promise<number | undefined> {
  const origin = new URL(api).origin
  let url: string | undefined = `${listUrl}?per_page=${PER_PAGE}`
  for (let page = 1; url !== undefined && page <= MAX_PAGES; page++) {
    const response = await fetch(url, init)
    if (!response.ok)
      throw new Error(`listing the pull request's comments failed: HTTP ${response.status}`)
    const comments = (await response.json()) as unknown
    if (!Array.isArray(comments)) throw new Error("listing the pull request's comments: not a list")
    for (const comment of comments as Array<{ id?: unknown; body?: unknown }>) {
      if (
        typeof comment?.id === 'number' &&
        typeof comment.body === 'string' &&
        (comment.body === marker || comment.body.startsWith(`${marker}\n`))
      )
        return comment.id
    }
    const next = nextLink(response.headers.get('link'))
    if (next !== undefined) {
      const resolved: URL = new URL(next, url)
      url = resolved.origin === origin ? resolved.href : undefined
    } else
      url =
        comments.length >= PER_PAGE ? `${listUrl}?per_page=${PER_PAGE}&page=${page + 1}` : undefined
  }
  return undefined
}

/** The `rel="next"` URL of a Link header (`<url>; rel="next", <url>; rel="last"`). */
function nextLink(header: string | null): string | undefined {
  for (const [, url, params] of (header ?? '').matchAll(/<([^>]*)>([^,]*)/g))
    if (/;\s*rel\s*=\s*"?next"?\s*(?:;|$)/i.test(params!)) return url
  return undefined
}

/** `CI › deploy (shard 1/2) · run 123, attempt 2 · commit abc1234`, with links; empty if unknown. */
function provenance(env: NodeJS.ProcessEnv, event: PullRequestEvent, shard: CommentShard): string {
  const server = (env['GITHUB_SERVER_URL'] || 'https://github.com').replace(/\/+$/, '')
  const repository = env['GITHUB_REPOSITORY'] ?? ''
  const where = [env['GITHUB_WORKFLOW'], env['GITHUB_JOB']].filter((p) => p).map((p) => mdText(p!))
  const shardText = shard.shard?.trim() ? ` (shard ${mdText(shard.shard.trim())})` : ''
  const parts: string[] = []
  if (where.length > 0) parts.push(`${where.join(' › ')}${shardText}`)
  const runId = env['GITHUB_RUN_ID']
  if (runId && /^\d+$/.test(runId)) {
    const attempt = env['GITHUB_RUN_ATTEMPT']
    const numbered = attempt && /^\d+$/.test(attempt)
    const url = `${server}/${repository}/actions/runs/${runId}${numbered ? `/attempts/${attempt}` : ''}`
    parts.push(`[run ${runId}${numbered ? `, attempt ${attempt}` : ''}](${url})`)
  }
  // The commit the pull request's author pushed, and the merge commit GitHub made of it, which the
  // workflow checked out (GITHUB_SHA), when they differ.
  const link = (sha: string): string =>
    `[\`${sha.slice(0, 7)}\`](${server}/${repository}/commit/${sha})`
  const isSha = (sha: unknown): sha is string =>
    typeof sha === 'string' && /^[0-9a-f]{7,64}$/i.test(sha)
  const head = event.pull_request?.head?.sha
  const checkedOut = env['GITHUB_SHA']
  if (isSha(head)) {
    const merge = isSha(checkedOut) && checkedOut !== head ? ` (run on ${link(checkedOut)})` : ''
    parts.push(`commit ${link(head)}${merge}`)
  } else if (isSha(checkedOut)) parts.push(`commit ${link(checkedOut)}`)
  return parts.length > 0 ? `<sub>${parts.join(' · ')}</sub>` : ''
}

interface PullRequestEvent {
  pull_request?: { number?: unknown; head?: { sha?: unknown } }
  issue?: { number?: unknown; pull_request?: unknown }
}

function readEvent(env: NodeJS.ProcessEnv): PullRequestEvent {
  const file = env['GITHUB_EVENT_PATH']
  if (!file) return {}
  try {
    const event = JSON.parse(readFileSync(file, 'utf8')) as unknown
    return event !== null && typeof event === 'object' ? (event as PullRequestEvent) : {}
  } catch {
    return {}
  }
}

/** The pull request of a pull_request(_target) event, or of a comment on a pull request. */
function pullRequestNumber(event: PullRequestEvent): number | undefined {
  const number =
    event.pull_request?.number ?? (event.issue?.pull_request ? event.issue.number : undefined)
  return typeof number === 'number' && Number.isInteger(number) && number > 0 ? number : undefined
}
