// group_by: puts the host in a group made from its variables. The module only names the group (as
// Ansible's action does); the executor changes the run's inventory and says whether it changed
// (task-dispatch.ts), so later plays' host patterns, `groups` and `group_names` see it.
import type { ModuleDefinition } from './module.js'

/** Names as Ansible's group_by makes them: spaces become dashes. */
function groupName(value: unknown): string {
  return String(value).replace(/ /g, '-')
}

/**
 * `group_by`: `key` (the group) and `parents` (default `all`), per host. The result carries `add_group`
 * and `parent_groups`, as Ansible's.
 */
export const groupByModule: ModuleDefinition = {
  name: 'group_by',
  supportsCheckMode: true,
  local: true,
  args: {
    side: 'action',
    unknown: 'names',
    options: { key: { type: 'raw' }, parents: { type: 'raw' } }
  },
  async run(ctx) {
    const key = ctx.args['key']
    if (key === undefined) {
      return { failed: true, msg: "the 'key' param is required when using group_by" }
    }
    const parentsRaw = ctx.args['parents'] ?? ['all']
    const parents = (Array.isArray(parentsRaw) ? parentsRaw : [parentsRaw]).map(groupName)
    return { changed: false, add_group: groupName(key), parent_groups: parents }
  }
}
