import { factsFor, type GroupState } from '../facts/index.js'
import { entryFields, runAccountScript, toolOutput, toolRun } from './account-run.js'
import script from './group-act.sh'
import type { ModuleContext, ModuleDefinition, ModuleResult } from './module.js'

/** Names the group fact can look up; others cannot exist, and groupadd says why it refuses them. */
const READABLE_NAME = /^[A-Za-z0-9_.][A-Za-z0-9_.@-]*\$?$/

/**
 * `group`: makes a group present (groupadd, then groupmod to change its gid) or absent (groupdel) on
 * the target, as Ansible's group module does on Linux: the gid changes only when `gid` is given and
 * differs; `system` counts only when the group is created. BusyBox targets use addgroup/delgroup.
 * Check mode reports the change without making it; no diff, as in Ansible.
 */
export const groupModule: ModuleDefinition = {
  name: 'group',
  supportsCheckMode: true,
  args: {
    options: {
      state: { type: 'str', default: 'present', choices: ['absent', 'present'] },
      name: { type: 'str', required: true },
      gid: { type: 'int' },
      system: { type: 'bool', default: false },
      local: {
        type: 'bool',
        default: false,
        notImplemented:
          'the libuser commands (lgroupadd) are not driven; leave `local` out to use groupadd'
      },
      non_unique: { type: 'bool', default: false }
    },
    requiredIf: [['non_unique', true, ['gid']]]
  },
  async run(ctx) {
    const name = ctx.args['name'] as string
    const state = ctx.args['state'] as 'present' | 'absent'
    const gid = ctx.args['gid'] as number | null | undefined
    const system = ctx.args['system'] as boolean
    const nonUnique = ctx.args['non_unique'] as boolean
    const before = await readGroup(ctx, name)
    const result: ModuleResult = { name, state }

    let op: 'add' | 'mod' | 'del' | undefined
    if (state === 'absent') {
      if (before.exists) op = 'del'
    } else if (!before.exists) {
      op = 'add'
    } else if (gid !== null && gid !== undefined && gid !== before.gid) {
      op = 'mod'
    }

    if (op === undefined) {
      if (before.exists) Object.assign(result, { system, gid: before.gid })
      return { ...result, changed: false }
    }
    if (ctx.check) {
      // Ansible leaves its module at once for a group to add or delete: only `changed`.
      if (op !== 'mod') return { changed: true }
      return { ...result, changed: true, system, gid: before.exists ? before.gid : 0 }
    }
    const connection = await factsFor(ctx).connection()
    const answer = await runAccountScript(
      connection,
      'apb-group',
      script,
      [
        op,
        name,
        gid === null || gid === undefined ? '' : String(gid),
        flag(nonUnique),
        flag(system)
      ],
      { timeoutMs: ctx.timeoutMs }
    )
    const run = toolRun(answer)!
    if (run.rc !== 0) return { changed: false, failed: true, name, msg: run.stderr }
    result['changed'] = true
    Object.assign(result, toolOutput(run))
    const after = entryFields(answer, 'entry_hex')
    if (after !== undefined && /^\d+$/.test(after[2] ?? '')) {
      Object.assign(result, { system, gid: Number(after[2]) })
    }
    return result
  }
}

async function readGroup(ctx: ModuleContext, name: string): Promise<GroupState> {
  if (!READABLE_NAME.test(name) || /^\d+$/.test(name)) return { name, exists: false }
  return factsFor(ctx).group(name)
}

function flag(value: boolean): string {
  return value ? '1' : '0'
}
