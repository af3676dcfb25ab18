/**
 * Runs one of a module's POSIX sh scripts on the target and reads its answer (key=value lines ending
 * with `end=1`): the script text compacted once, arguments quoted by shellJoin, data on stdin, a
 * deadline. Used by authorized_key and cron.
 */
import type { Connection } from '../connection/connection.js'
import { compactScript, shellJoin } from '../connection/shell-quote.js'
import { CommandTimeoutError } from '../errors.js'
import { ProbeAnswer } from '../facts/probe.js'
import { ModuleArgumentError } from './module.js'

/** More than any crontab or authorized_keys file (their content comes back in hex). */
const OUTPUT_CAP_BYTES = 64 * 1024 * 1024

/** A script and the name its messages use (`apb-cron`). */
export class ModuleScript {
  private compacted: string | undefined

  constructor(
    readonly name: string,
    private readonly source: string
  ) {}

  /**
   * Runs the script with `args`; `stdin` is written to it.
   * @throws ModuleArgumentError when the script fails or stops before its end
   * @throws CommandTimeoutError past the deadline
   */
  async run(
    connection: Connection,
    args: readonly string[],
    options: { timeoutMs: number; stdin?: string | Buffer }
  ): Promise<ProbeAnswer> {
    this.compacted ??= compactScript(this.source)
    const result = await connection.run(
      shellJoin(['/bin/sh', '-c', this.compacted, this.name, ...args]),
      {
        timeoutMs: options.timeoutMs,
        stdin: options.stdin ?? '',
        outputCapBytes: OUTPUT_CAP_BYTES
      }
    )
    if (result.timedOut) {
      throw new CommandTimeoutError(
        `${this.name} on ${connection.host} did not answer within ${options.timeoutMs} ms`,
        connection.host,
        options.timeoutMs
      )
    }
    const answer = new ProbeAnswer(result.stdout.toString('utf8'))
    if (result.code !== 0 || !answer.complete) {
      throw new ModuleArgumentError(
        `${this.name}: its script failed on ${connection.host} (exit code ${String(result.code)}): ` +
          result.stderr.toString('utf8').trim().slice(-400)
      )
    }
    return answer
  }
}
