/**
 * Runs one of a module's POSIX sh scripts on the target and reads its answer (key=value lines ending
 * with `end=1`): the script text compacted once, arguments quoted by shellJoin, data on stdin, a
 * deadline, and the task's `environment:` on stdin ahead of that data. An answer without its end marker
 * is an error, never read as a result: a script that exits 0 without `end=1` (killed output, a shell
 * that stopped early) reports its answer cut short. Used by authorized_key, cron, pip, dnf, git,
 * hostname, sysctl, apt (and its sources and keys), service, systemd, user and group.
 */
import type { Connection } from '../connection/connection.js'
import { compactScript, shellJoin } from '../connection/shell-quote.js'
import { commandWithEnvironment } from '../connection/task-environment.js'
import { CommandTimeoutError } from '../errors.js'
import { ProbeAnswer } from '../facts/probe.js'
import { ModuleArgumentError } from './module.js'

/** More than any crontab, authorized_keys file or `git diff` an answer carries (in hex). */
const OUTPUT_CAP_BYTES = 64 * 1024 * 1024

/** What one command the script ran gave (`KEY_rc`, `KEY_out_hex`, `KEY_err_hex` in its answer). */
export interface ScriptCall {
  rc: number
  out: string
  err: string
}

/** The command `key` of an answer (`KEY_rc`, `KEY_out_hex`, `KEY_err_hex`), or undefined when it did not run. */
export function scriptCall(answer: ProbeAnswer, key: string): ScriptCall | undefined {
  const rc = answer.int(`${key}_rc`)
  if (rc === undefined) return undefined
  return {
    rc,
    out: answer.bytes(`${key}_out_hex`)?.toString('utf8') ?? '',
    err: answer.bytes(`${key}_err_hex`)?.toString('utf8') ?? ''
  }
}

/** A script and the name its messages use (`apb-cron`). */
export class ModuleScript {
  private compacted: string | undefined

  constructor(
    /** The script's $0 (`apb-cron`). */
    readonly name: string,
    private readonly source: string,
    /** What its messages call it (default: `name`). */
    private readonly label = name
  ) {}

  /**
   * Runs the script with `args`; `stdin` is written to it, after the records of `environment` (the
   * task's `environment:`, exported before the script runs).
   * @throws ModuleArgumentError when the script fails or stops before its end
   * @throws CommandTimeoutError past the deadline
   */
  async run(
    connection: Connection,
    args: readonly string[],
    options: {
      timeoutMs: number
      stdin?: string | Buffer
      environment?: Readonly<Record<string, string>>
    }
  ): Promise<ProbeAnswer> {
    this.compacted ??= compactScript(this.source)
    const { command, stdin } = commandWithEnvironment(
      shellJoin(['/bin/sh', '-c', this.compacted, this.name, ...args]),
      options.environment ?? {},
      options.stdin ?? ''
    )
    const result = await connection.run(command, {
      timeoutMs: options.timeoutMs,
      stdin: stdin ?? '',
      outputCapBytes: OUTPUT_CAP_BYTES
    })
    if (result.timedOut) {
      throw new CommandTimeoutError(
        `${this.label} on ${connection.host} did not answer within ${options.timeoutMs} ms`,
        connection.host,
        options.timeoutMs
      )
    }
    const answer = new ProbeAnswer(result.stdout.toString('utf8'))
    const stderr = result.stderr.toString('utf8').trim().slice(-400)
    if (result.code !== 0) {
      throw new ModuleArgumentError(
        `${this.label}: its script failed on ${connection.host} (exit code ${String(result.code)}): ` +
          stderr
      )
    }
    if (!answer.complete || result.stdoutTruncated) {
      throw new ModuleArgumentError(
        `${this.label}: the answer from ${connection.host} was cut short (its script exited 0 without ` +
          `its end marker end=1, so nothing it reported is trusted; run the task again, and check ` +
          `the target's shell and disk space)` +
          (stderr ? `: ${stderr}` : '')
      )
    }
    return answer
  }
}
