/**
 * The jobs document: the background jobs a run launched and did not gather, handed to a later run (the
 * results document's `jobs`, the action's `jobs` output and input, `--jobs FILE`, the post step's saved
 * jobs). It comes back from outside, so it is data, never code: every field is checked against a strict
 * pattern and one bad field refuses the whole document. It never chooses an executable, flags or shell
 * text: a job's recorded become_exe and become_flags are only compared with the gathering run's own
 * (executor/become.ts adoptHandedOverJobs).
 */
import { BECOME_METHODS, type BecomeIdentity } from '../connection/become.js'
import { dict } from '../values/dict.js'
import { OptionError } from '../errors.js'
import { JobRegistry, type KnownJob } from './job-registry.js'
import { isValidJid } from './job-protocol.js'
import {
  checkJobsTextSize,
  checkNesting,
  decodeCompactJobs,
  isCompactJobs,
  MAX_JOBS,
  type JobsDocument
} from './jobs-encoding.js'
import { isRecord } from '../values/records.js'

export type { JobsDocument } from './jobs-encoding.js'

/** One entry of the results document's `jobs`: the launch record plus where and when it came from. */
export type JobEntry = Record<string, unknown>

const MAX_HOST_NAME = 255
const MAX_REGISTER_NAME = 255
const MAX_TASK_NAME = 1024
const MAX_FILE_NAME = 4096
const MAX_DIR = 1024
const MAX_BECOME_TEXT = 1024
const MAX_LINE = 10_000_000
const MAX_ASYNC_SECONDS = 10 * 366 * 24 * 3600

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
const LOOPED_KEY = /^([A-Za-z_][A-Za-z0-9_]*)\[(\d{1,6})\]$/
/** A user name as sudo and su take it (`#uid` for sudo); never an option (no leading `-`). */
const USER_NAME = /^(?:#\d{1,10}|[A-Za-z0-9_][A-Za-z0-9_.@\\-]{0,63}\$?)$/
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/
const CONTROL = /\p{Cc}/u
/** Fields of a job's `become`; anything else (a password above all) is refused. */
const BECOME_FIELDS = new Set(['user', 'method', 'exe', 'flags'])

/** `jobs` of the results document: per host, each job not gathered yet, keyed by register name or jid. */
export function jobsDocument(jobs: KnownJob[]): JobsDocument {
  // Null-prototype objects: a host or register named __proto__ or constructor is a key like any other.
  const out: JobsDocument = dict()
  for (const job of jobs) {
    const byHost = (out[job.host] ??= dict())
    // The jobs of a loop's items share a register name: `name[0]`, `name[1]`… in launch order. A
    // delegated job is keyed by its jid (the delegate may hold jobs of several hosts under one register
    // name) and says whom it ran for and what it registered.
    let key = job.delegatedFor === undefined ? (job.register ?? job.jid) : job.jid
    if (job.register && job.loop && job.delegatedFor === undefined) {
      let index = 0
      while (`${job.register}[${index}]` in byHost) index++
      key = `${job.register}[${index}]`
    }
    byHost[key] = {
      ...job.launch,
      ...(job.loop ? { item: job.loop.item, loop_var: job.loop.loopVar } : {}),
      ...(job.delegatedFor === undefined
        ? {}
        : {
            delegated_for: job.delegatedFor,
            ...(job.register === undefined ? {} : { register: job.register })
          }),
      task: inert(job.task, MAX_TASK_NAME),
      file: job.location ? inert(job.location.file, MAX_FILE_NAME) : undefined,
      line: job.location?.line,
      launched_at: new Date(job.launchedAt).toISOString(),
      async: job.asyncSeconds,
      dir: job.dir,
      // Who the job runs as: a later run (--jobs) reads its records as that user. Never the password.
      ...(job.become ? { become: { ...job.become } } : {})
    }
  }
  return out
}

/**
 * Reads a jobs document handed over by an earlier run: plain JSON (the `jobs` of a results document, or a
 * whole results document) or the compact `apb1:` form. Every field is validated; the first bad one
 * refuses the whole document.
 * @param source where the text came from (`--jobs FILE`, `input 'jobs'`), named by every error
 * @throws OptionError naming the source, and the host, job and field at fault
 */
export function parseJobsDocument(text: string, source: string): JobRegistry {
  return registryOf(readJobsData(text, source), source)
}

/** The document as a plain object, from either form, after the size and nesting checks. */
function readJobsData(text: string, source: string): unknown {
  checkJobsTextSize(Buffer.byteLength(text), source)
  const trimmed = text.trim()
  if (isCompactJobs(trimmed)) return decodeCompactJobs(trimmed, source)
  checkNesting(trimmed, source)
  let data: unknown
  try {
    data = JSON.parse(trimmed)
  } catch (error) {
    throw new OptionError(
      `${source}: the jobs document is neither JSON nor the compact apb1: form (${(error as Error).message})`
    )
  }
  // A whole results document: its plays are a list, where a jobs document would have a host's jobs.
  if (isRecord(data) && Array.isArray(data['plays']) && isRecord(data['jobs'])) data = data['jobs']
  return data
}

function registryOf(data: unknown, source: string): JobRegistry {
  if (!isRecord(data))
    throw new OptionError(
      `${source}: expected an object of hosts to jobs, as in the results document's "jobs"`
    )
  const registry = new JobRegistry()
  let count = 0
  for (const [host, jobs] of Object.entries(data)) {
    if (host === '' || host.length > MAX_HOST_NAME || CONTROL.test(host))
      throw new OptionError(
        `${source}: host ${JSON.stringify(host.slice(0, 80))} is not a host name (1 to ${MAX_HOST_NAME} characters, no control characters)`
      )
    if (!isRecord(jobs))
      throw new OptionError(
        `${source}: jobs of host '${host}' must be an object keyed by register name or job id`
      )
    for (const [key, entry] of Object.entries(jobs)) {
      if (++count > MAX_JOBS)
        throw new OptionError(`${source}: more than ${MAX_JOBS} jobs; refused`)
      const job = restoreJob(host, key, entry, `${source}: job '${clip(key)}' on host '${host}'`)
      if (registry.get(host, job.jid))
        throw new OptionError(
          `${source}: job '${clip(key)}' on host '${host}': 'ansible_job_id' ${job.jid} is listed twice for this host`
        )
      registry.add(job)
    }
  }
  return registry
}

/** One job of the document, validated field by field. */
function restoreJob(host: string, key: string, raw: unknown, where: string): KnownJob {
  const bad = (field: string, expected: string): never => {
    throw new OptionError(`${where}: '${field}' ${expected}`)
  }
  if (!isRecord(raw)) throw new OptionError(`${where} must be an object`)
  const entry = raw
  const jid = entry['ansible_job_id']
  if (typeof jid !== 'string' || !isValidJid(jid))
    bad('ansible_job_id', 'must look like j123456789012.4567')
  const dir = entry['dir']
  if (typeof dir !== 'string' || !isJobDir(dir))
    bad(
      'dir',
      `must be the absolute job directory recorded at launch (at most ${MAX_DIR} characters, no control characters, no '.' or '..' parts)`
    )
  const jobId = jid as string
  const jobDir = dir as string
  // A delegated job: keyed by its job id, with the host it ran for and its register name as fields.
  const delegatedFor = entry['delegated_for']
  if (
    delegatedFor !== undefined &&
    (typeof delegatedFor !== 'string' ||
      delegatedFor === '' ||
      delegatedFor.length > MAX_HOST_NAME ||
      CONTROL.test(delegatedFor))
  )
    bad('delegated_for', `must be a host name (1 to ${MAX_HOST_NAME} characters)`)
  const namedRegister = entry['register']
  if (namedRegister !== undefined) {
    if (delegatedFor === undefined) bad('register', 'belongs to a delegated job only')
    if (typeof namedRegister !== 'string' || !VARIABLE_NAME.test(namedRegister))
      bad('register', 'must be a variable name')
  }
  if (delegatedFor !== undefined && key !== jobId)
    throw new OptionError(`${where}: a delegated job is keyed by its ansible_job_id`)
  // The key: the register name, `name[i]` for an item of a looped launch, or the job id.
  const loopedKey = delegatedFor === undefined ? LOOPED_KEY.exec(key) : null
  const looped = delegatedFor === undefined ? loopedKey !== null : entry['loop_var'] !== undefined
  const register: string | undefined =
    delegatedFor !== undefined
      ? (namedRegister as string | undefined)
      : (loopedKey?.[1] ?? (key !== jobId && VARIABLE_NAME.test(key) ? key : undefined))
  if (!register && key !== jobId)
    throw new OptionError(
      `${where}: the key must be the job's register name, name[index] for a looped job, or its ansible_job_id`
    )
  if (register && register.length > MAX_REGISTER_NAME)
    throw new OptionError(`${where}: the register name is longer than ${MAX_REGISTER_NAME}`)
  // The launch record's own fields, as the launch wrote them.
  if (entry['results_file'] !== undefined && entry['results_file'] !== `${jobDir}/${jobId}`)
    bad('results_file', `must be '${jobDir}/${jobId}' (dir/ansible_job_id)`)
  if (entry['changed'] !== undefined && typeof entry['changed'] !== 'boolean')
    bad('changed', 'must be true or false')
  for (const flag of ['failed', 'finished', 'started'])
    if (entry[flag] !== undefined && ![0, 1, true, false].includes(entry[flag] as number))
      bad(flag, 'must be 0 or 1')
  const loopVar = entry['loop_var']
  if (looped) {
    if (typeof loopVar !== 'string' || !VARIABLE_NAME.test(loopVar) || loopVar.length > 255)
      bad('loop_var', 'must name the loop variable of the loop item')
  } else if (loopVar !== undefined || entry['item'] !== undefined) {
    throw new OptionError(
      `${where}: 'item' and 'loop_var' belong to a looped job only, keyed name[index]`
    )
  }
  const task = optionalText(entry['task'], MAX_TASK_NAME, () =>
    bad('task', `must be a task name (at most ${MAX_TASK_NAME} characters, one line)`)
  )
  const file = optionalText(entry['file'], MAX_FILE_NAME, () =>
    bad('file', `must be a file name (at most ${MAX_FILE_NAME} characters, one line)`)
  )
  const line = entry['line']
  if (
    line !== undefined &&
    !(Number.isInteger(line) && (line as number) >= 1 && (line as number) <= MAX_LINE)
  )
    bad('line', 'must be a line number')
  let launchedAt = Date.now()
  if (entry['launched_at'] !== undefined) {
    const at = entry['launched_at']
    const ms = typeof at === 'string' && ISO_TIME.test(at) ? Date.parse(at) : NaN
    if (!Number.isFinite(ms)) bad('launched_at', 'must be a time like 2024-05-01T10:00:00.000Z')
    launchedAt = ms
  }
  const asyncSeconds = entry['async']
  if (
    asyncSeconds !== undefined &&
    !(
      typeof asyncSeconds === 'number' &&
      Number.isFinite(asyncSeconds) &&
      asyncSeconds >= 0 &&
      asyncSeconds <= MAX_ASYNC_SECONDS
    )
  )
    bad('async', 'must be a number of seconds')
  const become = parseBecome(entry['become'], where)
  return {
    jid: jobId,
    host,
    dir: jobDir,
    launch: {
      ansible_job_id: jobId,
      changed: true,
      failed: 0,
      finished: 0,
      results_file: `${jobDir}/${jobId}`,
      started: 1
    },
    register,
    ...(delegatedFor === undefined ? {} : { delegatedFor: delegatedFor as string }),
    ...(looped ? { loop: { loopVar: loopVar as string, item: entry['item'] } } : {}),
    task: task ?? key,
    location: file !== undefined && typeof line === 'number' ? { file, line } : undefined,
    launchedAt,
    asyncSeconds: typeof asyncSeconds === 'number' ? asyncSeconds : 0,
    // The user and method only: the executable and flags are this run's own (see documentBecome).
    ...(become ? { become: { user: become.user, method: become.method } } : {}),
    ...(become ? { documentBecome: become } : {}),
    handedOver: true,
    gathered: false
  }
}

/**
 * A job's `become` ({user, method[, exe, flags]}), validated. exe and flags are kept only to be compared
 * with the gathering run's own; nothing else (a password above all) may be there.
 */
function parseBecome(raw: unknown, where: string): BecomeIdentity | undefined {
  if (raw === undefined || raw === null) return undefined
  const bad = (what: string): never => {
    throw new OptionError(
      `${where}: 'become' ${what}; expected {"user": "root", "method": "sudo"} as the results document writes it`
    )
  }
  if (!isRecord(raw)) return bad('must be an object')
  for (const field of Object.keys(raw))
    if (!BECOME_FIELDS.has(field)) bad(`has a field '${clip(field)}' that is not allowed`)
  const { user, method, exe, flags } = raw
  if (typeof user !== 'string' || !USER_NAME.test(user))
    bad("needs a 'user' that is a user name (letters, digits, . _ @ \\ -, not starting with -)")
  if (typeof method !== 'string' || !(BECOME_METHODS as readonly string[]).includes(method))
    bad(`needs a 'method' (${BECOME_METHODS.join(' or ')})`)
  for (const [name, value] of [
    ['exe', exe],
    ['flags', flags]
  ] as const) {
    if (
      value !== undefined &&
      (typeof value !== 'string' || value.length > MAX_BECOME_TEXT || CONTROL.test(value))
    )
      bad(`'${name}' must be one line of text`)
  }
  return {
    user: user as string,
    method: method as BecomeIdentity['method'],
    ...(typeof exe === 'string' ? { exe } : {}),
    ...(typeof flags === 'string' ? { flags } : {})
  }
}

/** An absolute path of bounded length, without control characters or `.`/`..` parts. */
function isJobDir(dir: string): boolean {
  return (
    dir.startsWith('/') &&
    dir.length <= MAX_DIR &&
    !CONTROL.test(dir) &&
    dir.split('/').every((part) => part !== '.' && part !== '..')
  )
}

function optionalText(value: unknown, max: number, bad: () => never): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string' || value.length > max || CONTROL.test(value)) bad()
  return value as string
}

/** Text written into a document that a later run must accept: one line, bounded. */
function inert(text: string, max: number): string {
  const line = text.replace(/\p{Cc}+/gu, ' ')
  return line.length > max ? `${line.slice(0, max - 1)}…` : line
}

function clip(text: string): string {
  const line = text.replace(/\p{Cc}/gu, '?')
  return line.length > 80 ? `${line.slice(0, 79)}…` : line
}
