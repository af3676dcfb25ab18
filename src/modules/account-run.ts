/**
 * Runs the user and group modules' scripts on the target: account-run.sh's shared functions followed
 * by the module's script, arguments quoted, secrets (a password hash, a key passphrase) on stdin only,
 * and a deadline. The answer is key=value lines (see account-run.sh).
 */
import type { Connection } from '../connection/connection.js'
import type { ProbeAnswer } from '../facts/probe.js'
import { splitLines } from './command-runner.js'
import { ModuleScript } from './module-script.js'
import { ModuleArgumentError, type ModuleResult } from './module.js'
import shared from './account-run.sh'
import expandArgs from './expand-args.sh'

/** What a tool run by the script gave: its exit code and output, as Ansible's run_command returns them. */
export interface ToolRun {
  rc: number
  stdout: string
  stderr: string
}

const scripts = new Map<string, ModuleScript>()

/**
 * Runs `script` (named `name`, shared functions first) with `args` on `connection`.
 * @throws ModuleArgumentError naming the missing tool, or when the script fails or is cut short
 * @throws CommandTimeoutError past the deadline
 */
export async function runAccountScript(
  connection: Connection,
  name: string,
  script: string,
  args: readonly string[],
  options: { timeoutMs: number; stdin?: string }
): Promise<ProbeAnswer> {
  let runner = scripts.get(name)
  if (runner === undefined) {
    runner = new ModuleScript(name, `${expandArgs}\n${shared}\n${script}`)
    scripts.set(name, runner)
  }
  const answer = await runner.run(connection, args, options)
  const tool = answer.get('missing_tool')
  if (tool !== undefined) {
    throw new ModuleArgumentError(
      `${name}: the target ${connection.host} has no ${tool} command (install the package that provides it: passwd on Debian and Ubuntu, shadow or shadow-utils elsewhere, as on Alpine)`
    )
  }
  return answer
}

/** The tool run the answer reports (rc, out_hex, err_hex), if any. */
export function toolRun(answer: ProbeAnswer): ToolRun | undefined {
  const rc = answer.int('rc')
  if (rc === undefined) return undefined
  return {
    rc,
    stdout: answer.bytes('out_hex')?.toString('utf8') ?? '',
    stderr: answer.bytes('err_hex')?.toString('utf8') ?? ''
  }
}

/** The colon-separated fields of an `*_hex` entry, or undefined when there is none. */
export function entryFields(answer: ProbeAnswer, key: string): string[] | undefined {
  const line = (answer.bytes(key)?.toString('utf8') ?? '').split('\n')[0] ?? ''
  return line === '' ? undefined : line.split(':')
}

/**
 * A tool's non-empty stdout and stderr as result fields, each with the `*_lines` that Ansible adds to
 * any module result holding them.
 */
export function toolOutput(run: ToolRun | undefined): ModuleResult {
  const fields: ModuleResult = {}
  if (run?.stdout)
    Object.assign(fields, { stdout: run.stdout, stdout_lines: splitLines(run.stdout) })
  if (run?.stderr)
    Object.assign(fields, { stderr: run.stderr, stderr_lines: splitLines(run.stderr) })
  return fields
}
