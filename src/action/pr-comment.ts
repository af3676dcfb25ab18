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
  shard: CommentShard = {},
  options: { plan?: boolean } = {}
): Promise<string> {
  const event = readEvent(env)
  const number = pullRequestNumber(event)
  const repository = env['GITHUB_REPOSITORY']
  if (!number || !repository) return 'not a pull request run: no comment written'
  const { api, headers } = restApi(env, token)
  const marker = commentMarker(env, shard)
  const origin = provenance(env, event, shardOf(env, shard))
  const footer = origin ? `\n\n---\n${origin}` : ''
  const room = MAX_COMMENT_CHARS - marker.length - footer.length - 300
  // A plan says which run made it and on which commit, for the apply run that follows the merge.
  const planMarker = options.plan ? `${planMarkerOf(env, event)}\n` : ''
  const text = `${marker}\n${planMarker}${body.length > room ? `${cutMarkdown(body, room - 200)}\n\n_Comment truncated; see the job summary._` : body}${footer}`
  const signal = AbortSignal.timeout(30_000)
  const existing = (
    await findComments(
      `${api}/repos/${repository}/issues/${number}/comments`,
      (body) => body === marker || body.startsWith(`${marker}\n`),
      { headers, signal },
      api,
      true,
      ownAuthor(api, graphqlEndpoint(env, api), { headers, signal })
    )
  )[0]?.id
  const send = (method: 'PATCH' | 'POST', url: string): Promise<Response> =>
    fetch(url, { method, headers, body: JSON.stringify({ body: text }), signal })
  if (existing !== undefined) {
    const updated = await send('PATCH', `${api}/repos/${repository}/issues/comments/${existing}`)
    if (updated.ok) return `updated the summary comment on #${number}`
    // A comment this token may not edit (another app's): write our own instead.
    if (updated.status !== 403 && updated.status !== 404)
      throw new Error(`updating the comment on #${number} failed: HTTP ${updated.status}`)
  }
  const created = await send('POST', `${api}/repos/${repository}/issues/${number}/comments`)
  if (!created.ok)
    throw new Error(`writing the comment on #${number} failed: HTTP ${created.status}`)
  return `added a summary comment to #${number}`
}

/**
 * The first `room` characters of a summary, cut at a line and with the fenced code block and the
 * `<details>` it was cut in closed, so that what follows (the note, the run's link) is not swallowed by them.
 */
function cutMarkdown(text: string, room: number): string {
  let cut = text.slice(0, Math.max(0, room))
  const newline = cut.lastIndexOf('\n')
  cut = newline >= 0 ? cut.slice(0, newline) : ''
  let fence: string | undefined
  let details = 0
  for (const line of cut.split('\n')) {
    if (fence !== undefined) {
      if (
        line.startsWith(fence[0]!) &&
        line.trim() === line &&
        /^(`+|~+)$/.test(line) &&
        line.length >= fence.length
      )
        fence = undefined
      continue
    }
    const opening = /^(`{3,}|~{3,})/.exec(line)
    if (opening) fence = opening[1]!
    else if (line.startsWith('<details>')) details++
    else if (line.startsWith('</details>') && details > 0) details--
  }
  return cut + (fence !== undefined ? `\n${fence}` : '') + '\n\n</details>'.repeat(details)
}

/** The REST API's base URL (GITHUB_API_URL, for GitHub Enterprise Server) and the headers of every call. */
function restApi(
  env: NodeJS.ProcessEnv,
  token: string
): { api: string; headers: Record<string, string> } {
  return {
    api: (env['GITHUB_API_URL'] || 'https://api.github.com').replace(/\/+$/, ''),
    headers: {
      authorization: `Bearer ${token}`,
      accept: 'application/vnd.github+json',
      'content-type': 'application/json',
      'user-agent': 'async-playbook'
    }
  }
}

/**
 * The comments whose body matches (only the first with `first`), reading every page: the `Link: rel="next"`
 * page while the server gives one (only on the API's own origin: the token goes with it), else the next
 * page number until a short page.
 */
async function findComments(
  listUrl: string,
  matches: (body: string) => boolean,
  init: { headers: Record<string, string>; signal: AbortSignal },
  api: string,
  first: boolean,
  isOwn: (author: unknown) => Promise<boolean>
): Promise<Array<{ id: number; body: string }>> {
  const found: Array<{ id: number; body: string }> = []
  const origin = new URL(api).origin
  let url: string | undefined = `${listUrl}?per_page=${PER_PAGE}`
  for (let page = 1; url !== undefined && page <= MAX_PAGES; page++) {
    const response = await fetch(url, init)
    if (!response.ok)
      throw new Error(`listing the pull request's comments failed: HTTP ${response.status}`)
    const comments = (await response.json()) as unknown
    if (!Array.isArray(comments)) throw new Error("listing the pull request's comments: not a list")
    for (const comment of comments as Array<{ id?: unknown; body?: unknown; user?: unknown }>) {
      if (
        typeof comment?.id === 'number' &&
        typeof comment.body === 'string' &&
        matches(comment.body) &&
        (await isOwn(comment.user))
      ) {
        found.push({ id: comment.id, body: comment.body })
        if (first) return found
      }
    }
    const next = nextLink(response.headers.get('link'))
    if (next !== undefined) {
      const resolved: URL = new URL(next, url)
      url = resolved.origin === origin ? resolved.href : undefined
    } else
      url =
        comments.length >= PER_PAGE ? `${listUrl}?per_page=${PER_PAGE}&page=${page + 1}` : undefined
  }
  return found
}

/**
 * Whether a comment's author (the `user` of GitHub's comment) is who this token writes as: a marker is text
 * anyone who can comment may copy, and a token with write access may edit anyone's comment, so a comment is
 * ours only by its author's login. Any installed app writes as a Bot, so being a Bot proves nothing: the
 * token's own login is asked once, when a comment carries the marker (tokenLogin). A login we cannot learn
 * makes no comment ours: a new one is written rather than someone else's edited.
 */
function ownAuthor(
  api: string,
  graphqlUrl: string,
  init: { headers: Record<string, string>; signal: AbortSignal }
): (author: unknown) => Promise<boolean> {
  let login: Promise<string | undefined> | undefined
  return async (author) => {
    if (author === null || typeof author !== 'object') return false
    const { login: name } = author as { login?: unknown }
    if (typeof name !== 'string' || name === '') return false
    login ??= tokenLogin(api, graphqlUrl, init)
    return (await login) === name
  }
}

/**
 * The login this token writes comments as. GraphQL's `viewer` answers for every kind of token: a person's
 * (their login), an app installation's (`<app-slug>[bot]`; GITHUB_TOKEN's is `github-actions[bot]`). REST's
 * `GET /user` answers for a person's token only (an installation token gets 403, and `GET /app` needs the
 * app's own key), so it is asked only when GraphQL gives no answer.
 */
async function tokenLogin(
  api: string,
  graphqlUrl: string,
  init: { headers: Record<string, string>; signal: AbortSignal }
): Promise<string | undefined> {
  const loginOf = (value: unknown): string | undefined => {
    const name =
      value !== null && typeof value === 'object' ? (value as { login?: unknown }).login : undefined
    return typeof name === 'string' && name !== '' ? name : undefined
  }
  try {
    const response = await fetch(graphqlUrl, {
      ...init,
      method: 'POST',
      body: JSON.stringify({ query: 'query { viewer { login } }' })
    })
    if (response.ok) {
      const answer = (await response.json()) as { data?: { viewer?: unknown } } | null
      const name = loginOf(answer?.data?.viewer)
      if (name !== undefined) return name
    }
  } catch {
    // No GraphQL answer: REST's is asked next.
  }
  try {
    const response = await fetch(`${api}/user`, init)
    return response.ok ? loginOf(await response.json()) : undefined
  } catch {
    return undefined
  }
}

/**
 * GitHub's GraphQL endpoint: GITHUB_GRAPHQL_URL (set on every runner), else the one beside the REST API
 * (`https://api.github.com/graphql`; `https://HOST/api/graphql` on GitHub Enterprise Server).
 */
function graphqlEndpoint(env: NodeJS.ProcessEnv, api: string): string {
  const configured = env['GITHUB_GRAPHQL_URL']
  if (configured) return configured
  return /\/api\/v3$/.test(api) ? api.replace(/\/api\/v3$/, '/api/graphql') : `${api}/graphql`
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

// ---------------------------------------------------------------------------------------------------
// The plan of a pull request, and the apply run after the merge

/** Starts the hidden line of a plan comment: `<!-- async-playbook:plan run=URL sha=SHA -->`. */
const PLAN_MARKER_PREFIX = '<!-- async-playbook:plan'
/** Starts the line an apply run adds to the plan comment it applied (replaced by a later apply). */
const APPLIED_PREFIX = '<!-- async-playbook:applied -->'

function serverUrl(env: NodeJS.ProcessEnv): string {
  return (env['GITHUB_SERVER_URL'] || 'https://github.com').replace(/\/+$/, '')
}

/** This run's URL (with its attempt), or undefined outside Actions. */
function runUrl(env: NodeJS.ProcessEnv): string | undefined {
  const runId = env['GITHUB_RUN_ID']
  const repository = env['GITHUB_REPOSITORY']
  if (!runId || !/^\d+$/.test(runId) || !repository) return undefined
  const attempt = env['GITHUB_RUN_ATTEMPT']
  return `${serverUrl(env)}/${repository}/actions/runs/${runId}${attempt && /^\d+$/.test(attempt) ? `/attempts/${attempt}` : ''}`
}

function planMarkerOf(env: NodeJS.ProcessEnv, event: PullRequestEvent): string {
  const head = event.pull_request?.head?.sha
  const sha = typeof head === 'string' && /^[0-9a-f]{7,64}$/i.test(head) ? head : env['GITHUB_SHA']
  const fields = [
    ['run', runUrl(env)],
    ['sha', sha && /^[0-9a-f]{7,64}$/i.test(sha) ? sha : undefined]
  ].filter((f): f is [string, string] => f[1] !== undefined)
  return `${PLAN_MARKER_PREFIX}${fields.map(([k, v]) => ` ${k}=${encodeURIComponent(v)}`).join('')} -->`
}

/** The run URL and commit a plan comment records. */
export function readPlanMarker(body: string): { run?: string; sha?: string } | undefined {
  const line = body.split('\n').find((l) => l.startsWith(PLAN_MARKER_PREFIX))
  if (line === undefined) return undefined
  const out: { run?: string; sha?: string } = {}
  for (const [, key, value] of line.matchAll(/ (run|sha)=([^\s]+)/g)) {
    let decoded: string
    try {
      decoded = decodeURIComponent(value!)
    } catch {
      continue
    }
    if (
      key === 'run' &&
      /^https?:\/\/[^\s<>()[\]]+\/actions\/runs\/\d+(?:\/attempts\/\d+)?$/.test(decoded)
    )
      out.run = decoded
    if (key === 'sha' && /^[0-9a-f]{7,64}$/i.test(decoded)) out.sha = decoded
  }
  return out
}

/**
 * After the merge (a run that is not a check, on a commit that came from a pull request): finds the plan
 * comments of the commit's pull request (GitHub's "pull requests of a commit"), adds to each a line saying
 * which run applied it, and returns a line for this run's summary linking the plan run. Nothing when the
 * commit came from no pull request, or its pull request has no plan.
 */
export async function linkAppliedPlan(
  token: string,
  env: NodeJS.ProcessEnv = process.env
): Promise<{ message: string; summaryLine?: string }> {
  const repository = env['GITHUB_REPOSITORY']
  const sha = env['GITHUB_SHA']
  if (pullRequestNumber(readEvent(env)) !== undefined)
    return { message: 'a pull-request run: no plan to link' }
  if (!repository || !sha || !/^[0-9a-f]{7,64}$/i.test(sha))
    return { message: 'no commit to look up: no plan linked' }
  const { api, headers } = restApi(env, token)
  const signal = AbortSignal.timeout(30_000)
  const pulls = await fetch(`${api}/repos/${repository}/commits/${sha}/pulls`, { headers, signal })
  if (!pulls.ok)
    throw new Error(
      `looking up the pull request of commit ${sha.slice(0, 7)} failed: HTTP ${pulls.status}`
    )
  const list = (await pulls.json()) as unknown
  const numbers = (Array.isArray(list) ? list : [])
    .map((p: unknown) =>
      p !== null && typeof p === 'object' ? (p as { number?: unknown }).number : undefined
    )
    .filter((n): n is number => typeof n === 'number' && Number.isInteger(n) && n > 0)
  const number = numbers[0]
  if (number === undefined)
    return { message: `commit ${sha.slice(0, 7)} came from no pull request: no plan to link` }
  const plans = await findComments(
    `${api}/repos/${repository}/issues/${number}/comments`,
    (body) => body.split('\n', 3).some((line) => line.startsWith(PLAN_MARKER_PREFIX)),
    { headers, signal },
    api,
    false,
    ownAuthor(api, graphqlEndpoint(env, api), { headers, signal })
  )
  if (plans.length === 0) return { message: `#${number} has no plan comment: no plan linked` }
  const server = serverUrl(env)
  const thisRun = runUrl(env)
  const link = (url: string | undefined, text: string): string => (url ? `[${text}](${url})` : text)
  const applied = `${APPLIED_PREFIX}\n✅ Applied by ${link(thisRun, 'this run')} on commit [\`${sha.slice(0, 7)}\`](${server}/${repository}/commit/${sha}).`
  // Only a plan of this repository's runs, in a comment this token wrote (see ownAuthor), is linked: the
  // marker is text anyone commenting could write.
  const ownRuns = `${server}/${repository}/actions/runs/`
  const linked: string[] = []
  for (const plan of plans) {
    const recorded = readPlanMarker(plan.body)
    if (!recorded?.run?.startsWith(ownRuns)) continue
    const kept = plan.body.split(`\n\n${APPLIED_PREFIX}`)[0]!
    const updated = await fetch(`${api}/repos/${repository}/issues/comments/${plan.id}`, {
      method: 'PATCH',
      headers,
      body: JSON.stringify({ body: `${kept}\n\n${applied}` }),
      signal
    })
    if (updated.status === 403 || updated.status === 404) continue
    if (!updated.ok)
      throw new Error(`marking the plan on #${number} as applied failed: HTTP ${updated.status}`)
    linked.push(
      link(recorded.run, 'plan run') +
        (recorded.sha ? ` (commit \`${recorded.sha.slice(0, 7)}\`)` : '')
    )
  }
  if (linked.length === 0)
    return { message: `#${number} has no plan comment of this repository's runs: no plan linked` }
  const planRuns = linked
  return {
    message: `linked the plan of #${number} to this run`,
    summaryLine: `📋 Applies the plan reviewed in [#${number}](${server}/${repository}/pull/${number}): ${planRuns.join(', ')}.`
  }
}
