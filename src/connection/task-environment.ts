/**
 * A task's `environment:` reaches the target on stdin, never on a command line: `ps` and
 * /proc/PID/cmdline show every process's arguments to every user of the host, and `environment:` is
 * where playbooks put tokens and passwords.
 *
 * The command starts with shell text that reads the values from stdin with the `read` builtin (which
 * takes one byte at a time from a pipe, so the task's own stdin that follows is left whole for it) into
 * exported carrier variables, then moves them to their real names. A launcher can read them and let a
 * detached child apply them: async jobs get their environment through the supervisor's environment,
 * never through its arguments.
 *
 * It lives with the connection (modules re-export it from modules/task-environment.ts) so that the HTTP
 * transport (src/http/) can carry a task's environment without importing the modules it serves.
 */
import { ModuleArgumentError } from '../errors.js'
import { isShellVariableName, shellQuote } from './shell-quote.js'
import readSource from './read-environment.sh'

/** The prefix of every shell name the reader uses (renamed when a task's variable starts with it). */
const PREFIX = '__apb_env_'

/** The reader's function, without comments or indentation: it goes out with every such command. */
const READER = readSource
  .split('\n')
  .map((line) => line.replace(/^[ \t]+/, ''))
  .filter((line) => line !== '' && !line.startsWith('#'))
  .join('\n')

/** How one task's environment travels: see environmentOnStdin. */
export interface EnvironmentOnStdin {
  /**
   * Shell text that reads every value from stdin into a carrier variable and exports the carriers
   * (so that processes the shell starts inherit them). Exits 125 with a message if stdin ends early.
   */
  receive: string
  /** Shell text that gives each variable its value from its carrier, exports it and drops the carrier. */
  apply: string
  /** What must come first on the command's stdin. */
  stdin: Buffer
  /**
   * With `input`: the exported variable `receive` reads it into. A detached job gets it as its stdin
   * through jobWithInput (an async job's stdin cannot be the launcher's).
   */
  inputCarrier?: string
}

/**
 * Longest `input` carried to an async job: it travels in one environment variable, and Linux refuses
 * to start a process with a variable longer than 128 KiB.
 */
export const MAX_CARRIED_INPUT_BYTES = 127 * 1024

/**
 * Prepares `environment` to be sent on stdin, or returns undefined when there is none (the command is
 * then sent exactly as before). Values may hold any character but NUL.
 * @throws ModuleArgumentError for a name that is not a shell variable name, or a value with a NUL
 */
export function environmentOnStdin(
  environment: Readonly<Record<string, string>>,
  input?: string | Buffer
): EnvironmentOnStdin | undefined {
  const entries = Object.entries(environment)
  if (entries.length === 0 && input === undefined) return undefined
  for (const [name, value] of entries) {
    if (!isShellVariableName(name)) {
      throw new ModuleArgumentError(
        `environment variable name ${JSON.stringify(name)} is not valid in a shell`
      )
    }
    if (value.includes('\0')) {
      throw new ModuleArgumentError(
        `environment variable ${name} contains a NUL character, which no environment variable can hold: remove it`
      )
    }
  }
  // None of our names may be one of the task's: lengthen the prefix until no variable starts with it.
  let prefix = PREFIX
  while (entries.some(([name]) => name.startsWith(prefix))) prefix = `_${prefix}`
  const ours = (name: string): string => `${prefix}${name}`
  const reader = prefix === PREFIX ? READER : READER.split(PREFIX).join(prefix)
  const receive = [reader]
  const apply: string[] = []
  const records: Buffer[] = []
  entries.forEach(([name, value], i) => {
    const carrier = ours(String(i))
    receive.push(ours('read'), `${carrier}=$${ours('v')}`, `export ${carrier}`)
    apply.push(`${name}=$${carrier}`, `export ${name}`, `unset ${carrier}`)
    records.push(record(value))
  })
  let inputCarrier: string | undefined
  if (input !== undefined) {
    const bytes = Buffer.from(input)
    if (bytes.includes(0)) {
      throw new ModuleArgumentError(
        'the stdin of an async task cannot contain a NUL character: remove it, or run the task without async'
      )
    }
    if (bytes.length > MAX_CARRIED_INPUT_BYTES) {
      throw new ModuleArgumentError(
        `the stdin of an async task is limited to ${MAX_CARRIED_INPUT_BYTES / 1024} KiB (it reaches the job in an environment variable), got ${bytes.length} bytes: copy the data to a file and read it from there`
      )
    }
    inputCarrier = ours('input')
    receive.push(ours('read'), `${inputCarrier}=$${ours('v')}`, `export ${inputCarrier}`)
    records.push(record(bytes))
  }
  receive.push(
    `unset ${['n', 'l', 'v', 'nl'].map(ours).join(' ')}`,
    `unset -f ${ours('read')} ${ours('missing')}`
  )
  return {
    receive: receive.join('\n'),
    apply: apply.join('\n'),
    stdin: Buffer.concat(records),
    ...(inputCarrier !== undefined ? { inputCarrier } : {})
  }
}

/** One record: the number of lines of `value`, then each line with its newline. */
function record(value: string | Buffer): Buffer {
  const bytes = Buffer.from(value)
  const lines: Buffer[] = []
  let at = 0
  for (let nl = bytes.indexOf(10); nl >= 0; nl = bytes.indexOf(10, at)) {
    lines.push(bytes.subarray(at, nl + 1))
    at = nl + 1
  }
  lines.push(bytes.subarray(at), Buffer.from('\n'))
  return Buffer.concat([Buffer.from(`${lines.length - 1}\n`), ...lines])
}

/**
 * Shell text that runs `script` with the input `receive` carried in `carrier` as its stdin (the job
 * of an async task, whose own stdin is /dev/null).
 */
export function jobWithInput(carrier: string, script: string): string {
  return `printf '%s' "$${carrier}" | { unset ${carrier}; exec /bin/sh -c ${shellQuote(script)}; }`
}

/**
 * `script` (POSIX sh text) as one `/bin/sh -c` command that first takes `environment` from stdin, and
 * the stdin to send: the environment's records, then the task's own `stdin`. Without an environment
 * the script is returned as the command unchanged.
 */
export function commandWithEnvironment(
  script: string,
  environment: Readonly<Record<string, string>>,
  stdin?: string | Buffer
): { command: string; stdin?: string | Buffer } {
  const env = environmentOnStdin(environment)
  if (!env) return { command: script, ...(stdin !== undefined ? { stdin } : {}) }
  return {
    command: `/bin/sh -c ${shellQuote(`${env.receive}\n${env.apply}\n${script}`)}`,
    stdin: stdin === undefined ? env.stdin : Buffer.concat([env.stdin, Buffer.from(stdin)])
  }
}

/**
 * `command` run after its shell has read the environment from stdin into exported carriers, for a
 * launcher whose detached children apply them (async jobs: see EnvironmentOnStdin.apply).
 */
export function receivingEnvironment(
  command: string,
  env: Pick<EnvironmentOnStdin, 'receive' | 'stdin'>
): { command: string; stdin: Buffer } {
  return { command: `/bin/sh -c ${shellQuote(`${env.receive}\n${command}`)}`, stdin: env.stdin }
}
