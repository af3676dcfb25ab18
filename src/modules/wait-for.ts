import { isIP } from 'node:net'
import { compactScript, shellJoin } from '../connection/shell-quote.js'
import { CommandTimeoutError } from '../errors.js'
import {
  PythonRegexError,
  pythonSearch,
  translatePythonRegex,
  type PythonRegex
} from '../values/python-regex.js'
import pathInfoScript from './path-info.sh'
import { pathInfoFields } from './path-info.js'
import script from './wait-for.sh'
import {
  ModuleArgumentError,
  type ModuleContext,
  type ModuleDefinition,
  type ModuleResult
} from './module.js'

/** Ansible's names of the TCP states `drained` counts, and their codes in /proc/net/tcp. */
const CONNECTION_STATES: Readonly<Record<string, string>> = {
  ESTABLISHED: '01',
  SYN_SENT: '02',
  SYN_RECV: '03',
  FIN_WAIT1: '04',
  FIN_WAIT2: '05',
  TIME_WAIT: '06'
}

/** Contents larger than this are not searched (they travel to the controller to be matched). */
const SEARCH_CAP_BYTES = 16 * 1024 * 1024

/** Seconds the remote call may outlive the wait itself (connection, start-up, a last check). */
const DEADLINE_MARGIN_SECONDS = 30

const compacted = compactScript(`${pathInfoScript}\n${script}`)

/**
 * `wait_for`: waits for a TCP port to accept connections (started), to refuse them (stopped), for its
 * active connections to end (drained), for a path to appear (present/started, optionally holding text
 * that matches `search_regex`) or to go (absent), or simply for `timeout` seconds. The waiting loop runs
 * on the target (wait-for.sh) in one call with its own deadline; a `search_regex` sends the file's
 * contents back only when they changed, and the controller matches them with Python's `re` semantics.
 */
export const waitForModule: ModuleDefinition = {
  name: 'wait_for',
  // Ansible 2.14's wait_for module does not declare check mode support (its documentation says `full`):
  // it is skipped with 'remote module (wait_for) does not support check mode'.
  supportsCheckMode: false,
  args: {
    options: {
      host: { type: 'str', default: '127.0.0.1' },
      timeout: { type: 'int', default: 300 },
      connect_timeout: { type: 'int', default: 5 },
      delay: { type: 'int', default: 0 },
      port: { type: 'int' },
      active_connection_states: {
        type: 'list',
        elements: 'str',
        default: ['ESTABLISHED', 'FIN_WAIT1', 'FIN_WAIT2', 'SYN_RECV', 'SYN_SENT', 'TIME_WAIT']
      },
      path: { type: 'path' },
      search_regex: { type: 'str' },
      state: {
        type: 'str',
        default: 'started',
        choices: ['absent', 'drained', 'present', 'started', 'stopped']
      },
      exclude_hosts: { type: 'list', elements: 'str' },
      sleep: { type: 'int', default: 1 },
      msg: { type: 'str' }
    }
  },
  async run(ctx) {
    const a = ctx.args
    const host = a['host'] as string
    const timeout = a['timeout'] as number
    const connectTimeout = a['connect_timeout'] as number
    const delay = Math.max(0, a['delay'] as number)
    const sleep = Math.max(0, a['sleep'] as number)
    const port = (a['port'] as number | null | undefined) ?? null
    let path = (a['path'] as string | null | undefined) ?? null
    const searchRegex = (a['search_regex'] as string | null | undefined) ?? null
    const state = a['state'] as string
    const msg = (a['msg'] as string | null | undefined) ?? null
    const excludeHosts = (a['exclude_hosts'] as string[] | null | undefined) ?? null
    const activeStates = a['active_connection_states'] as string[]

    const fail = (message: string): ModuleResult => ({
      changed: false,
      failed: true,
      msg: message,
      elapsed: 0
    })
    let regex: PythonRegex | undefined
    if (searchRegex !== null) {
      try {
        // Ansible compiles the pattern as bytes with re.MULTILINE and searches the file's bytes: both
        // sides are matched here as Latin-1 text, one character per byte.
        regex = translatePythonRegex(Buffer.from(searchRegex, 'utf8').toString('latin1'), 'bytes', {
          multiline: true
        })
      } catch (error) {
        return {
          changed: false,
          failed: true,
          msg: `Invalid regular expression: ${regexReason(error)}`
        }
      }
    }
    // Port 0 counts as no port, as in Ansible (a falsy port).
    if (port && path) return fail('port and path parameter can not both be passed to wait_for')
    if (path && state === 'stopped')
      return fail('state=stopped should only be used for checking a port in the wait_for module')
    if (path && state === 'drained')
      return fail('state=drained should only be used for checking a port in the wait_for module')
    if (excludeHosts !== null && state !== 'drained')
      return fail('exclude_hosts should only be with state=drained')
    for (const name of activeStates) {
      if (!(name in CONNECTION_STATES))
        return fail(`unknown active_connection_state (${name}) defined`)
    }
    if (port && regex && (state === 'started' || state === 'present')) {
      throw new ModuleArgumentError(
        'wait_for: search_regex is supported with path, not yet with port (reading what a server sends); ' +
          'wait for the port, then check its answer in a shell task'
      )
    }

    const common = (timeoutMs: number, delaySeconds: number): string[] => [
      String(delaySeconds),
      String(Math.max(0, timeoutMs)),
      String(sleep)
    ]
    const success = (elapsedMs: number, extra: ModuleResult = {}): ModuleResult => ({
      changed: false,
      elapsed: Math.floor(elapsedMs / 1000),
      match_groupdict: {},
      match_groups: [],
      path,
      port,
      search_regex: searchRegex,
      state,
      ...extra
    })
    const timedOut = (elapsedMs: number, message: string): ModuleResult => ({
      changed: false,
      failed: true,
      elapsed: Math.floor(elapsedMs / 1000),
      msg: msg ?? message
    })
    const budget = delay + Math.max(0, timeout)

    if (!port && !path && state !== 'drained') {
      const answer = await runWait(ctx, ['sleep', ...common(timeout * 1000, delay)], budget)
      return success(answer.elapsedMs)
    }

    if (state === 'drained') {
      // Without a port nothing can be connected to it: Ansible finds it drained at once.
      if (!port) return success(0)
      const args = [
        (port ?? 0).toString(16).toUpperCase().padStart(4, '0'),
        activeStates.map((name) => CONNECTION_STATES[name]!).join(' '),
        procAddresses(host, 'host').join(' '),
        (excludeHosts ?? []).flatMap((h) => procAddresses(h, 'exclude_hosts')).join(' ')
      ]
      const answer = await runWait(
        ctx,
        ['drained', ...common(timeout * 1000, delay), ...args],
        budget
      )
      if (answer.result === 'ok') return success(answer.elapsedMs)
      return timedOut(answer.elapsedMs, `Timeout when waiting for ${host}:${port} to drain`)
    }

    if (port) {
      const portState = state === 'absent' || state === 'stopped' ? 'stopped' : 'started'
      const answer = await runWait(
        ctx,
        [
          'port',
          ...common(timeout * 1000, delay),
          host,
          String(port),
          portState,
          String(connectTimeout)
        ],
        budget + Math.max(0, connectTimeout)
      )
      if (answer.result === 'ok') return success(answer.elapsedMs)
      return timedOut(
        answer.elapsedMs,
        portState === 'stopped'
          ? `Timeout when waiting for ${host}:${port} to stop.`
          : `Timeout when waiting for ${host}:${port}`
      )
    }

    const wanted = state === 'absent' || state === 'stopped' ? 'absent' : 'present'
    // The file's contents are sent back each time they change until they match or time runs out.
    let seen = ''
    let elapsedMs = 0
    let remainingMs = timeout * 1000
    let delaySeconds = delay
    const given = path!
    for (;;) {
      const answer = await runWait(
        ctx,
        ['path', ...common(remainingMs, delaySeconds), given, wanted, regex ? '1' : '0', seen],
        delaySeconds + Math.ceil(remainingMs / 1000)
      )
      elapsedMs += answer.elapsedMs
      // The path as the target expanded it (~), which Ansible reports and names in its messages.
      path = answer.values.get('path') ?? given
      if (answer.result === 'ok') return success(elapsedMs, pathInfoFields(answer.values))
      if (answer.result === 'staterror') {
        return {
          changed: false,
          failed: true,
          elapsed: Math.floor(elapsedMs / 1000),
          msg: msg ?? `Failed to stat ${path!}, ${answer.values.get('error') ?? ''}`
        }
      }
      if (answer.result === 'content' && regex) {
        const match = pythonSearch(regex, answer.content.toString('latin1'))
        if (match) {
          const text = (value: string | undefined): string | null =>
            value === undefined ? null : Buffer.from(value, 'latin1').toString('utf8')
          const groups = match.slice(1).map(text)
          const named = Object.fromEntries(
            Object.entries(match.groups ?? {}).map(([k, v]) => [k, text(v)])
          )
          return success(elapsedMs, {
            ...pathInfoFields(answer.values),
            match_groups: groups,
            match_groupdict: named
          })
        }
        seen = answer.values.get('sig') ?? ''
        remainingMs = timeout * 1000 - elapsedMs
        delaySeconds = 0
        // Not yet: the target waits `sleep` before it looks again, as Ansible's loop does.
        if (remainingMs > 0) continue
      }
      if (wanted === 'absent')
        return timedOut(elapsedMs, `Timeout when waiting for ${path!} to be absent.`)
      if (searchRegex !== null)
        return timedOut(
          elapsedMs,
          `Timeout when waiting for search string ${searchRegex} in ${path!}`
        )
      return timedOut(elapsedMs, `Timeout when waiting for file ${path!}`)
    }
  }
}

/** What the wait script answered. */
interface WaitAnswer {
  result: string
  values: Map<string, string>
  elapsedMs: number
  /** The file's bytes, with result=content. */
  content: Buffer
}

/**
 * Runs the wait script on the target with a deadline: the wait's own budget plus a margin for the
 * connection and a last check. Nothing loops from the controller.
 */
async function runWait(
  ctx: ModuleContext,
  args: string[],
  budgetSeconds: number
): Promise<WaitAnswer> {
  const connection = await ctx.connection()
  const timeoutMs = Math.max(ctx.timeoutMs, (budgetSeconds + DEADLINE_MARGIN_SECONDS) * 1000)
  const command = shellJoin(['/bin/sh', '-c', compacted, 'apb-wait-for', ...args])
  const res = await connection.run(command, {
    timeoutMs,
    outputCapBytes: SEARCH_CAP_BYTES + 64 * 1024
  })
  if (res.timedOut) {
    throw new CommandTimeoutError(
      `wait_for on ${connection.host} did not answer within ${timeoutMs} ms`,
      connection.host,
      timeoutMs
    )
  }
  const out = res.stdout
  const headerEnd = out.indexOf('\n--\n')
  if (res.code !== 0 || headerEnd < 0) {
    const stderr = res.stderr.toString('utf8').trim()
    throw new ModuleArgumentError(
      `wait_for: the wait script failed on ${connection.host} (exit ${res.code ?? res.signal ?? '?'})` +
        (stderr ? `: ${stderr.slice(-400)}` : '')
    )
  }
  const values = new Map<string, string>()
  for (const line of out.subarray(0, headerEnd).toString('utf8').split('\n')) {
    const at = line.indexOf('=')
    if (at > 0 && !values.has(line.slice(0, at))) values.set(line.slice(0, at), line.slice(at + 1))
  }
  const content = out.subarray(headerEnd + 4)
  const result = values.get('result') ?? ''
  if (result === 'missing') {
    throw new ModuleArgumentError(
      `wait_for: this check needs ${values.get('missing') ?? 'a tool'} on ${connection.host}, and none is installed`
    )
  }
  if (result === 'content' && (res.stdoutTruncated || content.length > SEARCH_CAP_BYTES)) {
    throw new ModuleArgumentError(
      `wait_for: search_regex reads files up to ${SEARCH_CAP_BYTES} bytes; this one is larger`
    )
  }
  const elapsedMs = Number(values.get('elapsed_ms') ?? '0')
  return { result, values, elapsedMs: Number.isFinite(elapsedMs) ? elapsedMs : 0, content }
}

/**
 * A host as /proc/net/tcp{,6} write its addresses (each 32-bit word in the target's byte order, taken
 * as little-endian), prefixed with the family: an IPv4 address also as its IPv4-mapped IPv6 form, as
 * Ansible resolves it. Only addresses and `localhost` are read: the target would have to resolve names.
 */
function procAddresses(host: string, option: string): string[] {
  const addresses =
    host === 'localhost' ? ['127.0.0.1', '::1'] : isIP(host) !== 0 ? [host] : undefined
  if (!addresses) {
    throw new ModuleArgumentError(
      `wait_for: state=drained needs ${option} as IP addresses (or localhost), got ${JSON.stringify(host)}`
    )
  }
  const out: string[] = []
  for (const address of addresses) {
    if (isIP(address) === 4) {
      const bytes = address.split('.').map(Number)
      out.push(`4:${procWords(bytes)}`)
      out.push(`6:${procWords([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...bytes])}`)
    } else {
      out.push(`6:${procWords(ipv6Bytes(address))}`)
    }
  }
  return out
}

function procWords(bytes: number[]): string {
  let hex = ''
  for (let i = 0; i < bytes.length; i += 4) {
    for (const b of bytes.slice(i, i + 4).reverse())
      hex += b.toString(16).toUpperCase().padStart(2, '0')
  }
  return hex
}

function ipv6Bytes(address: string): number[] {
  let text = address
  // An embedded IPv4 tail (::ffff:1.2.3.4) as two groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text)
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number]
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined]
  const headGroups = head ? head.split(':') : []
  const tailGroups = tail ? tail.split(':') : []
  const groups =
    tail === undefined
      ? headGroups
      : [
          ...headGroups,
          ...Array(8 - headGroups.length - tailGroups.length).fill('0'),
          ...tailGroups
        ]
  return groups.flatMap((g) => {
    const n = parseInt(g, 16)
    return [(n >> 8) & 0xff, n & 0xff]
  })
}

/**
 * Why a pattern did not compile, without the wrapping of the messages around it (`Unterminated group`
 * rather than `invalid regular expression '(': Invalid regular expression: /(/: Unterminated group`),
 * for the modules that quote Python's reason in their own message.
 */
export function regexReason(error: unknown): string {
  if (error instanceof PythonRegexError) return error.problem
  const message = error instanceof Error ? error.message : String(error)
  return message.slice(message.lastIndexOf(': ') + 2) || message
}
