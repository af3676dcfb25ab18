import { InventoryError, type SourceLocation } from '../errors.js'

/** A host entry of an inventory (`web[01:03].example.com:2222`) expanded to host names and an optional port. */
export interface HostEntry {
  names: string[]
  port?: number
}

/**
 * Most host names one entry may expand to. Ansible has no limit, but `web[0:99999999]` (or a typo such as
 * `[1:1000000000]`) would exhaust memory long before the run starts; no real inventory line needs more.
 */
export const MAX_HOSTS_PER_ENTRY = 100_000

const ASCII_LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'

/**
 * Ansible's `host:port` shorthand: a trailing `:NN` is a port unless it sits inside a `[x:y]` range.
 * Bare IPv6 addresses never match, because their colons are outside brackets too. The same as the regex
 * `^((?:[^:[\]]|\[[^\]]*\])*):([0-9]+)$`, scanned by hand: that regex backtracks once per character and
 * overflows the stack on a very long entry.
 */
export function splitHostPort(entry: string): { host: string; port: string } | undefined {
  const m = /:([0-9]+)$/.exec(entry)
  if (!m) return undefined
  const host = entry.slice(0, m.index)
  for (let i = 0; i < host.length; i++) {
    const c = host[i]
    if (c === '[') {
      const close = host.indexOf(']', i + 1)
      if (close < 0) return undefined
      i = close
    } else if (c === ':' || c === ']') {
      return undefined
    }
  }
  return { host, port: m[1]! }
}

/**
 * Parses one host entry as the INI and YAML inventory plugins do: splits off a `:port`, then expands
 * `[begin:end(:step)]` ranges. `location` is where the entry was written, for error messages.
 */
export function parseHostEntry(
  entry: string,
  location: SourceLocation,
  allowRanges = true
): HostEntry {
  let pattern = entry
  let port: number | undefined
  const withPort = splitHostPort(entry)
  if (withPort) {
    pattern = withPort.host
    port = Number(withPort.port)
  } else if (entry.trim().endsWith(':')) {
    throw new InventoryError(
      `host '${entry}' ends with ':' but no port follows. Write 'name:PORT' (for example '${entry}22') or remove the ':'.`,
      location
    )
  }
  if (pattern.trim() === '---') {
    throw new InventoryError(
      "host '---' found: this looks like a YAML document read as INI. Give the file a .yml or .yaml extension.",
      location
    )
  }
  if (!pattern)
    throw new InventoryError(`host entry '${entry}' has no host name before the port.`, location)
  const names =
    allowRanges && pattern.includes('[') ? expandHostRange(pattern, location) : [pattern]
  return port === undefined ? { names } : { names, port }
}

/**
 * Expands every `[begin:end]` or `[begin:end:step]` range in a host name, left to right, as Ansible does:
 * `web[01:03]` → web01 web02 web03 (a leading zero pads to the width of begin), `db[a:c]` → dba dbb dbc,
 * `n[1:10:4]` → n1 n5 n9. Several ranges multiply out.
 */
export function expandHostRange(pattern: string, location: SourceLocation): string[] {
  const names: string[] = []
  expandInto(pattern, pattern, location, names)
  return names
}

function expandInto(
  pattern: string,
  entry: string,
  location: SourceLocation,
  names: string[]
): void {
  const tooMany = (): InventoryError =>
    new InventoryError(
      `host range '${entry}' expands to more than ${MAX_HOSTS_PER_ENTRY} hosts. Check the bounds, or split it ` +
        'into several entries.',
      location
    )
  const open = pattern.indexOf('[')
  if (open < 0) {
    if (names.length >= MAX_HOSTS_PER_ENTRY) throw tooMany()
    names.push(pattern)
    return
  }
  const close = pattern.indexOf(']', open)
  if (close < 0) {
    throw new InventoryError(
      `host range in '${pattern}' has '[' without a closing ']'. Write ranges as name[begin:end] or name[begin:end:step].`,
      location
    )
  }
  const head = pattern.slice(0, open)
  const tail = pattern.slice(close + 1)
  const bounds = pattern.slice(open + 1, close).split(':')
  const bad = (why: string): InventoryError =>
    new InventoryError(
      `bad host range '[${bounds.join(':')}]' in '${pattern}': ${why}. ` +
        'Write ranges as [begin:end] or [begin:end:step], e.g. web[01:20], db[a:f], node[1:9:2].',
      location
    )
  if (bounds.length !== 2 && bounds.length !== 3)
    throw bad('expected two or three parts separated by ":"')
  const begin = bounds[0] || '0'
  const end = bounds[1]!
  if (!end) throw bad('the end value is missing')
  const stepText = bounds[2] ?? '1'
  if (!/^[0-9]+$/.test(stepText) || Number(stepText) === 0)
    throw bad('the step must be a positive whole number')
  const step = Number(stepText)

  let sequence: string[]
  if (/^[a-zA-Z]$/.test(begin) && /^[a-zA-Z]$/.test(end)) {
    const from = ASCII_LETTERS.indexOf(begin)
    const to = ASCII_LETTERS.indexOf(end)
    if (from > to) throw bad('begin must come before end')
    sequence = []
    for (let i = from; i <= to; i += step) sequence.push(ASCII_LETTERS[i]!)
  } else if (/^[0-9]+$/.test(begin) && /^[0-9]+$/.test(end)) {
    const padded = begin.length > 1 && begin.startsWith('0')
    if (padded && begin.length !== end.length) {
      throw bad(
        `begin and end must have the same width when begin has a leading zero (${begin} vs ${end})`
      )
    }
    // Ansible silently expands [9:1] to no hosts at all; an empty group is never what was meant.
    if (Number(begin) > Number(end)) throw bad('begin must not be greater than end')
    if (!Number.isSafeInteger(Number(begin)) || !Number.isSafeInteger(Number(end)))
      throw bad('the bounds must be whole numbers below 2^53')
    if ((Number(end) - Number(begin)) / step >= MAX_HOSTS_PER_ENTRY) throw tooMany()
    sequence = []
    for (let i = Number(begin); i <= Number(end); i += step) {
      sequence.push(padded ? String(i).padStart(begin.length, '0') : String(i))
    }
  } else {
    throw bad('begin and end must both be numbers or both be single letters')
  }
  for (const item of sequence) expandInto(head + item + tail, entry, location, names)
}
