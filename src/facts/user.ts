/**
 * The user and group facts: one account's entry (getent passwd/group, so directory accounts count;
 * /etc/passwd or /etc/group without getent) and a user's groups, in one round trip (user.sh). For
 * `user`, `group`, `authorized_key` and the owner/group checks of `file`.
 */
import { FactError, ProbeAnswer, runProbe, type FactTarget, type ProbeScript } from './probe.js'
import source from './user.sh'

const PROBE: ProbeScript = { name: 'apb-user', source }

/** A user's entry, or `exists: false`. */
export type UserState =
  | { name: string; exists: false }
  | {
      name: string
      exists: true
      uid: number
      gid: number
      /** The GECOS field (Ansible's `comment`). */
      comment: string
      home: string
      shell: string
      /** The primary group's name, when it has one. */
      group?: string
      /** The other groups the user is in, by name, in the order `id -Gn` gives them. */
      groups: string[]
    }

/** A group's entry, or `exists: false`. */
export type GroupState =
  { name: string; exists: false } | { name: string; exists: true; gid: number; members: string[] }

/** A user or group name: never an option, a path or a pattern (`$` ends machine accounts). */
const ACCOUNT_NAME = /^[A-Za-z0-9_.][A-Za-z0-9_.@-]*\$?$/

/**
 * Reads user `name`'s entry on the target in one round trip.
 * @throws FactError for a name that is not a user name, a malformed entry, or a probe that fails
 */
export async function readUser(target: FactTarget, name: string): Promise<UserState> {
  const answer = await readAccount(target, 'user', name)
  if (answer.get('found') !== '1') return { name, exists: false }
  const fields = entryFields(answer, 7, 'user', name, target.connection.host)
  const [, , uid, gid, comment, home, shell] = fields
  const names = (answer.bytes('groups_hex')?.toString('utf8') ?? '').trim().split(/\s+/)
  const state: UserState = {
    name,
    exists: true,
    uid: Number(uid),
    gid: Number(gid),
    comment: comment!,
    home: home!,
    shell: shell!,
    groups: []
  }
  // id -Gn lists the primary group first.
  const [primary, ...others] = names.filter(Boolean)
  if (primary !== undefined) state.group = primary
  state.groups = others.filter(
    (group, index) => group !== primary && others.indexOf(group) === index
  )
  return state
}

/**
 * Reads group `name`'s entry on the target in one round trip.
 * @throws FactError for a name that is not a group name, a malformed entry, or a probe that fails
 */
export async function readGroup(target: FactTarget, name: string): Promise<GroupState> {
  const answer = await readAccount(target, 'group', name)
  if (answer.get('found') !== '1') return { name, exists: false }
  const [, , gid, members] = entryFields(answer, 4, 'group', name, target.connection.host)
  return {
    name,
    exists: true,
    gid: Number(gid),
    members: members!.split(',').filter(Boolean)
  }
}

async function readAccount(
  target: FactTarget,
  kind: 'user' | 'group',
  name: string
): Promise<ProbeAnswer> {
  const host = target.connection.host
  if (!ACCOUNT_NAME.test(name) || /^\d+$/.test(name)) {
    throw new FactError(
      `cannot read ${kind} ${JSON.stringify(name)} on ${host}: a ${kind} name is letters, digits and _ . @ - (not starting with -, not all digits), without / or blanks`,
      host,
      kind,
      name
    )
  }
  return runProbe({ ...target, fact: kind, subject: name }, PROBE, [kind, name])
}

/** The colon-separated fields of the entry, checked for count and numeric ids. */
function entryFields(
  answer: ProbeAnswer,
  count: number,
  kind: 'user' | 'group',
  name: string,
  host: string
): string[] {
  const line = (answer.bytes('entry_hex')?.toString('utf8') ?? '').split('\n')[0] ?? ''
  const fields = line.split(':')
  if (
    fields.length !== count ||
    !/^\d+$/.test(fields[2]!) ||
    (kind === 'user' && !/^\d+$/.test(fields[3]!))
  ) {
    throw new FactError(
      `cannot read ${kind} ${name} on ${host}: its entry is not a ${kind === 'user' ? 'passwd' : 'group'} line (${JSON.stringify(line.slice(0, 200))})`,
      host,
      kind,
      name
    )
  }
  return fields
}
