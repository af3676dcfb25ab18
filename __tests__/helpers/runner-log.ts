/**
 * A model of how a GitHub runner reads a step's output (actions/runner: ProcessInvoker's line reader,
 * ActionCommandManager.TryProcessCommand, ActionCommand.TryParseV2 / TryParse), for tests that check what
 * text can make the runner do:
 * - a line ends at `\n`, at `\r\n` and at a bare `\r`;
 * - v2 form: after leading white space is trimmed, a line starting `::` with a second `::` later is the
 *   command `::name props::data` when `name` (up to the first space) is a registered command (any case);
 *   props are `k=v` split at `,`, data and props are %-unescaped;
 * - v1 form, tried when v2 does not match: `##[name props]data` anywhere in the line (props split at `;`);
 * - `stop-commands` (either form) stops all command processing until a command named by its data (the
 *   token) appears, in either form; no other command is seen meanwhile;
 * - `add-mask` registers a value: every later line (and command data) shows it as `***`.
 * Comparisons are ordinal here; the real runner's may be culture-aware, which only widens what matches.
 */

/** The commands a runner knows (actions/runner's command extensions). */
export const RUNNER_COMMANDS = [
  'add-mask',
  'add-matcher',
  'remove-matcher',
  'debug',
  'warning',
  'error',
  'notice',
  'group',
  'endgroup',
  'echo',
  'save-state',
  'set-output',
  'set-env',
  'add-path',
  'stop-commands'
] as const

export interface RunnerCommand {
  /** As written (the runner matches names in any case). */
  name: string
  properties: Record<string, string>
  data: string
  form: 'v1' | 'v2'
  /** Index of the line (as the runner splits them) that held it. */
  line: number
}

export interface RunnerLog {
  /** Commands the runner acted on, in order (stop-commands and its resume included). */
  commands: RunnerCommand[]
  /** What the log shows of the lines that were not commands, masks applied. */
  lines: string[]
  /** Values registered with add-mask. */
  masks: string[]
}

/** .NET's Char.IsWhiteSpace, which String.TrimStart removes. */
const DOTNET_WHITE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/

/** Reads step output (stdout, or stderr: the runner reads both alike) as a runner does. */
export function readRunnerLog(output: string): RunnerLog {
  const registered = new Set<string>(RUNNER_COMMANDS)
  const log: RunnerLog = { commands: [], lines: [], masks: [] }
  let stopToken: string | undefined
  const mask = (text: string): string => {
    let out = text
    for (const value of log.masks) out = out.split(value).join('***')
    return out
  }
  const lines = output.split(/\r\n|\n|\r/)
  if (lines[lines.length - 1] === '') lines.pop()
  lines.forEach((line, index) => {
    const command = parseV2(line, registered, index) ?? parseV1(line, registered, index)
    if (!command) {
      log.lines.push(mask(line))
      return
    }
    const name = command.name.toLowerCase()
    if (stopToken !== undefined) {
      if (name === stopToken.toLowerCase()) {
        registered.delete(name)
        stopToken = undefined
        log.commands.push(command)
      } else log.lines.push(mask(line))
      return
    }
    if (name === 'stop-commands') {
      stopToken = command.data
      registered.add(stopToken.toLowerCase())
      log.commands.push(command)
      return
    }
    if (name === 'add-mask') {
      if (command.data.trim() !== '') log.masks.push(command.data)
      log.commands.push(command)
      return
    }
    log.commands.push({ ...command, data: mask(command.data) })
  })
  return log
}

function parseV2(line: string, registered: Set<string>, index: number): RunnerCommand | undefined {
  const message = line.replace(DOTNET_WHITE, '')
  if (!message.startsWith('::')) return undefined
  const end = message.indexOf('::', 2)
  if (end < 0) return undefined
  const info = message.slice(2, end)
  const space = info.indexOf(' ')
  const name = space < 0 ? info : info.slice(0, space)
  if (!registered.has(name.toLowerCase())) return undefined
  const properties: Record<string, string> = {}
  if (space > 0) {
    for (const pair of info
      .slice(space + 1)
      .trim()
      .split(',')
      .filter((p) => p !== '')) {
      const eq = pair.indexOf('=')
      if (eq > 0 && eq < pair.length - 1)
        properties[pair.slice(0, eq)] = unescapeProperty(pair.slice(eq + 1))
    }
  }
  return { name, properties, data: unescapeData(message.slice(end + 2)), form: 'v2', line: index }
}

function parseV1(line: string, registered: Set<string>, index: number): RunnerCommand | undefined {
  const prefix = line.indexOf('##[')
  if (prefix < 0) return undefined
  const bracket = line.indexOf(']', prefix)
  if (bracket < 0) return undefined
  const info = line.slice(prefix + 3, bracket)
  const space = info.indexOf(' ')
  const name = space < 0 ? info : info.slice(0, space)
  if (!registered.has(name.toLowerCase())) return undefined
  const properties: Record<string, string> = {}
  if (space > 0) {
    for (const pair of info
      .slice(space + 1)
      .split(';')
      .filter((p) => p !== '')) {
      const eq = pair.indexOf('=')
      if (eq > 0 && eq < pair.length - 1)
        properties[pair.slice(0, eq)] = unescapeV1(pair.slice(eq + 1))
    }
  }
  return { name, properties, data: unescapeV1(line.slice(bracket + 1)), form: 'v1', line: index }
}

function unescapeData(text: string): string {
  return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
}

function unescapeProperty(text: string): string {
  // In the runner's order: %25 last.
  return text
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%3A/g, ':')
    .replace(/%2C/g, ',')
    .replace(/%25/g, '%')
}

function unescapeV1(text: string): string {
  return text
    .replace(/%3B/g, ';')
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%5D/g, ']')
    .replace(/%25/g, '%')
}

/**
 * Whether groups nest properly in a command list: each `group` closed by an `endgroup` before the next
 * `group`, and none left open. Returns a description of the first problem, or undefined.
 */
export function groupProblem(commands: RunnerCommand[]): string | undefined {
  let open: RunnerCommand | undefined
  for (const c of commands) {
    const name = c.name.toLowerCase()
    if (name === 'group') {
      if (open) return `group '${c.data}' opened inside group '${open.data}'`
      open = c
    } else if (name === 'endgroup') {
      if (!open) return `endgroup on line ${c.line} with no group open`
      open = undefined
    }
  }
  return open ? `group '${open.data}' never closed` : undefined
}
