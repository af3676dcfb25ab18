// The play keywords and tags that Ansible templates with the play's variables (no host's) before it runs:
// Play.post_validate (hosts, name, serial, strategy, order, max_fail_percentage) and Taggable.evaluate_tags.
import { PlaybookError } from '../errors.js'
import { playChoiceProblem } from '../playbook/playbook-loader.js'
import type { Play, Task } from '../playbook/types.js'
import { pythonStr, type Templar } from '../template/index.js'
import { hasTemplateSyntax } from '../values/unsafe.js'
import { byCodePoint } from '../values/code-points.js'

/**
 * The play with its keywords templated as Ansible's Play.post_validate does: hosts, the name (left as written
 * when it cannot be rendered; an unnamed play is named after its hosts), serial, strategy, order and
 * max_fail_percentage. `scope` gives the play's variables. Throws PlaybookError.
 */
export function templatedPlay(
  play: Play,
  templar: Templar,
  scope: () => Record<string, unknown>
): Play {
  let vars: Record<string, unknown> | undefined
  const variables = (): Record<string, unknown> => (vars ??= scope())
  const render = (keyword: string, value: unknown): unknown => {
    if (!containsTemplate(value)) return value
    try {
      return templar.render(value, variables())
    } catch (error) {
      throw new PlaybookError(
        `The field '${keyword}' has an invalid value, which includes an undefined variable or a template error. The error was: ${(error as Error).message}. Play keywords are templated with the play's variables (play vars, vars_files, extra vars), not host variables`,
        play.location
      )
    }
  }
  const hosts = playPatterns(render('hosts', play.hosts), play)
  let name = play.name
  if (play.named === false) name = hosts.join(',')
  else if (containsTemplate(name)) {
    try {
      name = pythonStr(templar.render(name, variables()))
    } catch {
      // As Ansible: a play name that cannot be rendered is shown as written.
    }
  }
  const strategy = render('strategy', play.strategy)
  const strategyProblem =
    strategy === undefined || strategy === null
      ? undefined
      : playChoiceProblem('strategy', strategy)
  if (strategyProblem) throw new PlaybookError(strategyProblem, play.location)
  const order = render('order', play.order)
  const orderProblem =
    order === undefined || order === null ? undefined : playChoiceProblem('order', order)
  if (orderProblem) throw new PlaybookError(orderProblem, play.location)
  return {
    ...play,
    name,
    hosts,
    serial: render('serial', play.serial),
    maxFailPercentage: render('max_fail_percentage', play.maxFailPercentage),
    ...(order === undefined || order === null ? {} : { order: String(order).trim() })
  }
}

/**
 * A task's tags with the templated ones rendered, as Ansible's evaluate_tags does before it filters: with
 * `scope` (the play's variables, and an include's for the tasks it brought in); a tag that renders to a list
 * gives each of its items. Throws PlaybookError naming the task (`shown`) when one cannot be rendered.
 */
export function renderedTags(
  task: Task,
  shown: string,
  templar: Templar,
  scope: () => Record<string, unknown>
): string[] {
  let vars: Record<string, unknown> | undefined
  const tags: string[] = []
  for (const tag of task.tags) {
    if (!hasTemplateSyntax(tag)) {
      tags.push(tag)
      continue
    }
    let rendered: unknown
    try {
      rendered = templar.render(tag, (vars ??= scope()))
    } catch (error) {
      throw new PlaybookError(
        `the tags of task '${shown}' cannot be rendered: ${(error as Error).message}. Tags are templated with the play's variables (play vars, vars_files, role vars, extra vars, an include's vars), not with host, block or task variables`,
        task.location
      )
    }
    for (const item of Array.isArray(rendered) ? rendered : [rendered])
      tags.push(typeof item === 'string' ? item : pythonStr(item))
  }
  return tags
}

/** The play's hosts in the order its `order` keyword asks for (inventory order when it has none). */
export function orderedHosts(hosts: string[], order: unknown): string[] {
  switch (order) {
    case 'sorted':
      return [...hosts].sort(byCodePoint)
    case 'reverse_sorted':
      return [...hosts].sort(byCodePoint).reverse()
    case 'reverse_inventory':
      return [...hosts].reverse()
    case 'shuffle': {
      const out = [...hosts]
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1))
        ;[out[i], out[j]] = [out[j]!, out[i]!]
      }
      return out
    }
    default:
      return hosts
  }
}

/** Whether a keyword's value (a string, or a list or mapping holding one) has template syntax to render. */
function containsTemplate(value: unknown): boolean {
  if (typeof value === 'string') return hasTemplateSyntax(value)
  if (Array.isArray(value)) return value.some(containsTemplate)
  if (value !== null && typeof value === 'object')
    return Object.values(value).some(containsTemplate)
  return false
}

/**
 * A play's host patterns after templating, checked as Ansible checks its `hosts` field: a string or a list of
 * strings, none of them empty (None reads as the pattern 'None', as in Ansible).
 */
function playPatterns(value: unknown, play: Play): string[] {
  const list = Array.isArray(value) ? value : [value]
  return list.map((item) => {
    if (item === null || item === undefined) return 'None'
    if (typeof item !== 'string') {
      throw new PlaybookError(
        `the field 'hosts' should be a list of strings, but the item '${pythonStr(item)}' is ${Array.isArray(item) ? 'a list' : `a ${typeof item}`}: give host patterns as text (quote a host name that YAML reads as a number)`,
        play.location
      )
    }
    if (item.trim() === '') {
      throw new PlaybookError(
        "the field 'hosts' is required, and cannot have empty values: the play's host pattern rendered to nothing",
        play.location
      )
    }
    return item
  })
}
