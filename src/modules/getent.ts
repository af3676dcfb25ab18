// `getent`: a name service database (passwd, group, hosts, services, …) read with the target's own
// `getent`, returned as the `getent_<database>` fact: each line split into its first field, the key,
// and the rest. Behaviour learned from ansible-doc getent and Ansible 2.14's results.
import { shellJoin } from '../connection/shell-quote.js'
import { CommandTimeoutError } from '../errors.js'
import { pySplit, pySplitlines } from '../template/attributes.js'
import type { ModuleDefinition, ModuleResult } from './module.js'

/** The databases whose lines are split at colons when `split` is not given; others at white space. */
const COLON_SEPARATED = new Set(['passwd', 'shadow', 'group', 'gshadow'])

/** Ansible's messages for getent's exit codes. */
const EXIT_MESSAGES: Record<number, string> = {
  1: 'Missing arguments, or database unknown.',
  2: 'One or more supplied key could not be found in the database.',
  3: 'Enumeration not supported on this database.'
}

/** A key's value: its fields, or, for a key on several lines, each line's fields in order. */
type Entry = string[] | string[][]

/**
 * The lines of getent's output as Ansible keys them: the first field of each line, the others its
 * value; a key met again turns its value into the list of each line's fields.
 */
export function getentRecords(output: string, split: string | null): Record<string, Entry> {
  const records: Record<string, Entry> = {}
  const repeated = new Set<string>()
  for (const line of pySplitlines(output)) {
    const fields = pySplit(line, split)
    // An empty line has no key (Python's split(None) gives no field at all).
    if (fields.length === 0) continue
    const [key, ...rest] = fields as [string, ...string[]]
    if (!Object.prototype.hasOwnProperty.call(records, key)) {
      records[key] = rest
    } else if (repeated.has(key)) {
      ;(records[key] as string[][]).push(rest)
    } else {
      records[key] = [records[key] as string[], rest]
      repeated.add(key)
    }
  }
  return records
}

export const getentModule: ModuleDefinition = {
  name: 'getent',
  // Reads only: runs as usual in check mode.
  supportsCheckMode: true,
  args: {
    options: {
      database: { type: 'str', required: true },
      key: { type: 'str' },
      split: { type: 'str' },
      fail_key: { type: 'bool', default: true },
      service: { type: 'str' }
    }
  },
  async run(ctx) {
    const database = ctx.args['database'] as string
    const key = ctx.args['key'] as string | null | undefined
    const service = ctx.args['service'] as string | null | undefined
    const failKey = ctx.args['fail_key'] as boolean
    const given = ctx.args['split'] as string | null | undefined
    const split = given ?? (COLON_SEPARATED.has(database) ? ':' : null)
    if (split === '') {
      // Python's str.split('') raises ValueError, which fails Ansible's module.
      return { changed: false, failed: true, msg: 'split: empty separator' }
    }
    const argv = ['getent']
    if (service !== undefined && service !== null) argv.push('-s', service)
    argv.push(database)
    // An omitted key lists the whole database; any given key, even '', is looked up as one word.
    if (key !== undefined && key !== null) argv.push(key)
    const connection = await ctx.connection()
    const res = await connection.run(shellJoin(argv), {
      timeoutMs: ctx.timeoutMs,
      sharedShell: true
    })
    if (res.timedOut) {
      throw new CommandTimeoutError(
        `getent took longer than ${ctx.timeoutMs} ms on ${connection.host}`,
        connection.host,
        ctx.timeoutMs
      )
    }
    const factName = `getent_${database}`
    if (res.code === 0) {
      const records = getentRecords(res.stdout.toString('utf8'), split)
      return { changed: false, ansible_facts: { [factName]: records } }
    }
    if (res.code === 127) {
      return {
        changed: false,
        failed: true,
        msg: `getent is not installed on ${connection.host} (exit 127): install it (glibc's libc-bin, or musl's getent)`
      }
    }
    const message = EXIT_MESSAGES[res.code ?? -1] ?? res.stderr.toString('utf8').trim()
    if (res.code === 2 && !failKey) {
      const result: ModuleResult = { changed: false, msg: message }
      if (key !== undefined && key !== null)
        result['ansible_facts'] = { [factName]: { [key]: null } }
      return result
    }
    return {
      changed: false,
      failed: true,
      msg: message || `getent exited with ${String(res.code ?? res.signal)}`
    }
  }
}
