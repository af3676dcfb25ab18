// A play's own fields, checked at load as Ansible checks them: `hosts`, and the `strategy` and `order` choices
// (a templated value is checked when the play runs, by executor/play-keywords.ts). Moved as they were from
// playbook-loader.ts.
import { PlaybookError, type SourceLocation } from '../errors.js'
import { describe } from './loader-support.js'
import { hasTemplateSyntax } from '../values/unsafe.js'

/** Play `strategy` values: only linear is implemented; the others Ansible ships are refused by name. */
export const PLAY_STRATEGIES = ['linear', 'free', 'host_pinned', 'debug'] as const
/** Play `order` values, as Ansible's inventory sorts a play's hosts. */
export const PLAY_ORDERS = [
  'inventory',
  'reverse_inventory',
  'sorted',
  'reverse_sorted',
  'shuffle'
] as const

/**
 * Why a play's `strategy` or `order` value cannot be used (undefined when it can). A templated value is checked
 * when the play runs.
 */
export function playChoiceProblem(
  keyword: 'strategy' | 'order',
  value: unknown
): string | undefined {
  const text = typeof value === 'string' ? value.trim() : undefined
  if (keyword === 'order') {
    if (text !== undefined && (PLAY_ORDERS as readonly string[]).includes(text)) return undefined
    return `Invalid 'order' specified for inventory hosts: ${pythonText(value)}. Use one of ${PLAY_ORDERS.join(', ')}`
  }
  if (text === 'linear') return undefined
  if (text !== undefined && (PLAY_STRATEGIES as readonly string[]).includes(text)) {
    return `strategy '${text}' is not supported; only 'linear' (Ansible's default) is. Remove \`strategy\` or set it to linear`
  }
  return `Invalid play strategy specified: ${pythonText(value)}. Only 'linear' is supported`
}

/** A play's literal `strategy` or `order`, checked now; a templated one is kept for the run to check. */
export function literalChoice(
  value: unknown,
  keyword: 'strategy' | 'order',
  location: SourceLocation
): unknown {
  if (value === undefined || value === null) return undefined
  if (typeof value === 'string' && hasTemplateSyntax(value)) return value
  const problem = playChoiceProblem(keyword, value)
  if (problem) throw new PlaybookError(problem, location)
  return typeof value === 'string' ? value.trim() : value
}

/** A play's `hosts` as written, checked as Ansible does (a templated pattern is checked when the play runs). */
export function playHosts(
  raw: Record<string, unknown>,
  location: SourceLocation
): string | string[] {
  if (!('hosts' in raw)) {
    throw new PlaybookError(
      "the field 'hosts' is required but was not set: add `hosts: all`, a group or a host pattern",
      location
    )
  }
  const hosts = raw.hosts
  // As Ansible: a present but empty value (nothing, '', [], false, 0) is refused.
  if (!hosts || (Array.isArray(hosts) && hosts.length === 0)) {
    throw new PlaybookError(
      'Hosts list cannot be empty. Please check your playbook: give `hosts:` a group, a host or a pattern such as `all`',
      location
    )
  }
  if (Array.isArray(hosts)) {
    for (const entry of hosts) {
      if (entry === null || entry === undefined) {
        throw new PlaybookError(
          "Hosts list cannot contain values of 'None'. Please check your playbook",
          location
        )
      }
      if (typeof entry !== 'string') {
        throw new PlaybookError(
          `Hosts list contains an invalid host value: '${pythonText(entry)}'. Quote a host name that YAML would read as a number`,
          location
        )
      }
    }
    return hosts as string[]
  }
  if (typeof hosts !== 'string') {
    throw new PlaybookError(
      `Hosts list must be a sequence or string. Please check your playbook: found ${describe(hosts)}${typeof hosts === 'number' ? ' (quote a host name that YAML reads as a number)' : ''}`,
      location
    )
  }
  return hosts
}

/** A value as Python would print it in an error message. */
function pythonText(value: unknown): string {
  if (typeof value === 'string') return value
  if (value === null || value === undefined) return 'None'
  if (typeof value === 'boolean') return value ? 'True' : 'False'
  return typeof value === 'object' ? JSON.stringify(value) : String(value)
}
