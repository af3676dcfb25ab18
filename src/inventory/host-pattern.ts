import { InventoryError } from '../errors.js'
import { splitHostPort } from './host-range.js'
import { fnmatchSource } from '../values/fnmatch.js'

/** Names Ansible treats as the control node itself (`C.LOCALHOST`). */
export const LOCALHOST_NAMES: readonly string[] = ['localhost', '127.0.0.1', '::1']

/** What pattern evaluation needs to know about an inventory. */
export interface PatternTarget {
  /** Every host, in inventory order. */
  hostNames(): string[]
  groupNames(): string[]
  /** Hosts of a group and of its descendants, in inventory order. */
  groupHosts(group: string): string[]
  hasHost(name: string): boolean
  /** The host that stands for `localhost`/`127.0.0.1` when no host of that name exists (Ansible's implicit localhost). */
  localhostFor(name: string): string
}

const WITH_SUBSCRIPT = /^(.+)\[(?:(-?[0-9]+)|([0-9]+)([:-])([0-9]*))\]$/

/**
 * Splits host patterns as Ansible's `split_host_pattern` does: on commas when there are any, otherwise on colons
 * outside `[...]`, so `web:&prod:!web3`, `web[0:2]` and `host:22` all come out right.
 */
export function splitHostPattern(pattern: string | readonly string[]): string[] {
  if (typeof pattern !== 'string') return pattern.flatMap((p) => splitHostPattern(p))
  let pieces: string[]
  if (pattern.includes(',')) pieces = pattern.split(',')
  else if (splitHostPort(pattern.trim()) || isIpv6(pattern.trim())) pieces = [pattern]
  else pieces = piecesOutsideBrackets(pattern)
  return pieces.map((p) => p.trim()).filter((p) => p !== '')
}

/**
 * Runs of characters other than whitespace, `:`, `[` and `]`, where a whole `[...]` counts as one character:
 * the matches of `/(?:[^\s:[\]]|\[[^\]]*\])+/g`, scanned by hand because that regex overflows the stack
 * on a very long pattern. An unmatched `[` or `]` separates, as it does for the regex.
 */
function piecesOutsideBrackets(pattern: string): string[] {
  const pieces: string[] = []
  let start = -1
  let noCloseFrom = Infinity // no ']' at or after this index
  const end = (i: number): void => {
    if (start >= 0) pieces.push(pattern.slice(start, i))
    start = -1
  }
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!
    if (c === '[') {
      const close = i + 1 >= noCloseFrom ? -1 : pattern.indexOf(']', i + 1)
      if (close >= 0) {
        if (start < 0) start = i
        i = close
        continue
      }
      noCloseFrom = Math.min(noCloseFrom, i + 1)
      end(i)
    } else if (c === ']' || c === ':' || /\s/.test(c)) {
      end(i)
    } else if (start < 0) {
      start = i
    }
  }
  end(pattern.length)
  return pieces
}

function isIpv6(text: string): boolean {
  return /^[0-9a-fA-F:]+$/.test(text) && (text.match(/:/g) ?? []).length >= 2
}

/**
 * Evaluates already split patterns the way Ansible does: every plain pattern first (union, in the order given),
 * then each `&pattern` (intersection), then each `!pattern` (exclusion); with only `&`/`!` patterns, `all` is
 * the starting set. Returns host names in the order the patterns name them, as Ansible does (`web3:db` is web3,
 * then db's hosts; each group's hosts in inventory order); an intersection or exclusion keeps that order.
 */
export function evaluatePatterns(patterns: readonly string[], target: PatternTarget): string[] {
  const plain = patterns.filter((p) => p !== '' && p[0] !== '&' && p[0] !== '!')
  const intersections = patterns.filter((p) => p[0] === '&')
  const exclusions = patterns.filter((p) => p[0] === '!')
  const ordered = [...(plain.length > 0 ? plain : ['all']), ...intersections, ...exclusions]

  let selected = new Set<string>()
  for (const p of ordered) {
    if (target.hasHost(p)) {
      selected.add(p)
      continue
    }
    const matches = matchOnePattern(p, target)
    if (p[0] === '!') for (const h of matches) selected.delete(h)
    else if (p[0] === '&') {
      const wanted = new Set(matches)
      selected = new Set([...selected].filter((h) => wanted.has(h)))
    } else for (const h of matches) selected.add(h)
  }
  return [...selected]
}

/** One pattern without its `&`/`!` prefix: a group, a host, a glob, a `~regex`, optionally with `[i]`/`[i:j]`. */
function matchOnePattern(pattern: string, target: PatternTarget): string[] {
  const bare = pattern[0] === '&' || pattern[0] === '!' ? pattern.slice(1) : pattern
  if (bare === '') {
    throw new InventoryError(
      `host pattern '${pattern}' has nothing after '${pattern}'. Write '&group' to intersect or '!group' to exclude.`
    )
  }
  const { expression, subscript } = splitSubscript(bare)
  const hosts = enumerateMatches(expression, target)
  if (!subscript || hosts.length === 0) return hosts
  const [start, end] = subscript
  if (end === undefined) {
    const index = start < 0 ? hosts.length + start : start
    const host = hosts[index]
    if (host === undefined) {
      throw new InventoryError(
        `host pattern '${bare}' asks for host number ${start}, but '${expression}' matches only ${hosts.length} ` +
          `host(s), numbered 0 to ${hosts.length - 1}.`
      )
    }
    return [host]
  }
  return hosts.slice(start, (end === -1 ? hosts.length - 1 : end) + 1)
}

function splitSubscript(pattern: string): {
  expression: string
  subscript?: [number, number | undefined]
} {
  if (pattern[0] === '~') return { expression: pattern }
  const m = WITH_SUBSCRIPT.exec(pattern)
  if (!m) return { expression: pattern }
  const [, expression, index, start, , end] = m
  if (index !== undefined) return { expression: expression!, subscript: [Number(index), undefined] }
  // Python's `if end:` treats [2:0] like [2]; keep that quirk so results match Ansible.
  const last = end ? Number(end) : -1
  return { expression: expression!, subscript: [Number(start), last === 0 ? undefined : last] }
}

function enumerateMatches(pattern: string, target: PatternTarget): string[] {
  const matcher = compilePattern(pattern)
  const groups = target.groupNames().filter((g) => matcher(g))
  const results = new Set<string>()
  for (const g of groups) for (const h of target.groupHosts(g)) results.add(h)
  if (groups.length === 0 || pattern[0] === '~' || /[.?*[]/.test(pattern)) {
    for (const h of target.hostNames()) if (matcher(h)) results.add(h)
  }
  if (results.size === 0 && LOCALHOST_NAMES.includes(pattern))
    results.add(target.localhostFor(pattern))
  // One group alone: in the group's order (add_host's hosts first in 'all', as in Ansible).
  if (groups.length === 1 && results.size === target.groupHosts(groups[0]!).length)
    return [...results]
  const order = new Map(target.hostNames().map((h, i) => [h, i]))
  return [...results].sort((a, b) => (order.get(a) ?? Infinity) - (order.get(b) ?? Infinity))
}

/** `~regex` matches from the start of the name (Python's re.match); anything else is a whole-name shell glob. */
function compilePattern(pattern: string): (name: string) => boolean {
  if (pattern[0] !== '~' && !/[*?[]/.test(pattern)) return (name) => name === pattern
  let regex: RegExp
  const source = pattern[0] === '~' ? `^(?:${pattern.slice(1)})` : `^(?:${fnmatchSource(pattern)})$`
  try {
    regex = new RegExp(source, 's')
    // V8 compiles on first use: a pattern too large to compile must fail here, not while matching.
    regex.test('')
  } catch (e) {
    const shown = pattern.length > 200 ? `${pattern.slice(0, 200)}…` : pattern
    const reason = (e as Error).message.replace(/^Invalid regular expression: \/.*\/\w*: /s, '')
    throw new InventoryError(
      `host pattern '${shown}' is not a valid regular expression: ${reason}. ` +
        "Patterns starting with '~' are regular expressions; escape special characters with '\\'."
    )
  }
  return (name) => regex.test(name)
}
