/**
 * ansible-playbook's `--list-hosts`, `--list-tasks`, `--list-tags` and `--syntax-check`: what they print,
 * in its format, from the loaded playbook and inventory. Nothing here opens a connection.
 */
import type { Inventory } from '../inventory/inventory.js'
import { applyLimit } from '../inventory/inventory.js'
import { shouldRunTags, ALL_TAGS, type TagSelection } from '../playbook/tags.js'
import { mergeRoleVars } from '../playbook/roles.js'
import { roleQualifiedName, type Playbook, type Task } from '../playbook/types.js'
import { pyRepr } from '../template/python.js'
import type { Templar } from '../template/index.js'
import { inShard } from './batches.js'
import { templatedPlay } from './play-keywords.js'
import { VariableManager } from './variables.js'

/** Which listings were asked for; `syntax` prints only the playbook line, whatever else is asked. */
export interface ListingRequest {
  hosts?: boolean
  tasks?: boolean
  tags?: boolean
  syntax?: boolean
}

export interface ListingContext {
  playbook: Playbook
  /** The playbook as given on the command line (ansible-playbook prints it as given). */
  shownPath: string
  inventory: Inventory
  templar: Templar
  extraVars: Record<string, unknown>
  limit?: string
  shard?: { index: number; count: number }
  tags?: TagSelection
}

/** The text ansible-playbook 2.14 prints for these listing options (no host is contacted). */
export function listPlaybook(request: ListingRequest, context: ListingContext): string {
  let out = `\nplaybook: ${context.shownPath}\n`
  if (request.syntax) return out
  const { inventory, templar, playbook } = context
  const variables = new VariableManager(inventory, templar, context.extraVars)
  const selection = context.tags ?? ALL_TAGS
  for (const [index, written] of playbook.plays.entries()) {
    const roles = written.roles ?? []
    const play = templatedPlay(written, templar, () =>
      variables.playScope({
        ...(roles.length > 0
          ? {
              roleDefaults: mergeRoleVars(roles, 'defaults'),
              roleExports: mergeRoleVars(roles, 'vars')
            }
          : {}),
        ...(written.connectionVars ? { keywordVars: written.connectionVars } : {}),
        playVars: written.vars,
        ...(written.varsFiles ? { varsFilesVars: written.varsFiles } : {}),
        playbookDir: written.playbookFileDir ?? playbook.baseDir,
        varsDir: written.playbookFileDir ?? playbook.baseDir,
        playHosts: [],
        playBatch: []
      })
    )
    const patterns = play.hosts as string[]
    const playTags = [...new Set(play.tags)]
    let msg = `\n  play #${index + 1} (${patterns.join(',')}): ${play.name}\tTAGS: [${playTags.join(',')}]`
    if (request.hosts) {
      let hosts = patterns.length === 0 ? [] : inventory.select(patterns)
      hosts = applyLimit(hosts, inventory, context.limit)
      if (context.shard) hosts = inShard(hosts, inventory.hostNames(), context.shard)
      msg += `\n    pattern: ${pyRepr(patterns)}\n    hosts (${hosts.length}):`
      for (const host of hosts) msg += `\n      ${host}`
    }
    out += `${msg}\n`
    if (!request.tasks && !request.tags) continue
    let taskText = request.tasks ? '    tasks:\n' : ''
    const allTags = new Set<string>()
    for (const task of play.tasks) {
      if (task.implicit) continue
      // As ansible-playbook: a block's rescue and always sections are not listed.
      if (task.blocks?.some((frame) => frame.section !== 'block')) continue
      if (!shouldRunTags(task.tags, selection)) continue
      for (const tag of task.tags) allTags.add(tag)
      if (request.tasks) {
        const tags = sortedTags([...playTags, ...task.tags])
        taskText += `      ${listedName(task)}\tTAGS: [${tags.join(', ')}]\n`
      }
    }
    if (request.tags)
      taskText += `      TASK TAGS: [${sortedTags([...playTags, ...allTags]).join(', ')}]\n`
    out += taskText
  }
  return out
}

/** As Ansible lists a task: its name as written (role-prefixed), or its action when it has none. */
function listedName(task: Task): string {
  if (!task.named) return task.shownAs ?? task.action ?? task.module
  return roleQualifiedName(task, task.name)
}

function sortedTags(tags: string[]): string[] {
  return [...new Set(tags)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}
