import type { ModuleResult } from './module.js'

/**
 * The fields Ansible's exit_json adds to a result naming a path that exists (uid, gid, owner, group,
 * mode, state, size), from the `info`/`owner`/`group`/`kind` lines path-info.sh's describe_path prints.
 * Nothing when the path is missing or `stat` is not there.
 */
export function pathInfoFields(values: ReadonlyMap<string, string>): ModuleResult {
  const info = values.get('info')
  if (info === undefined) return {}
  const [uid, gid, mode, links, size] = info.split(' ')
  const kind = values.get('kind') ?? (Number(links) > 1 ? 'hard' : 'file')
  return {
    gid: Number(gid),
    group: values.get('group') ?? gid,
    mode: `0${(mode ?? '').padStart(3, '0')}`,
    owner: values.get('owner') ?? uid,
    size: Number(size),
    state: kind,
    uid: Number(uid)
  }
}
