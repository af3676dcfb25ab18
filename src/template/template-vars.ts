/** The variables Ansible adds for a template file it renders (the template module, the template lookup). */
import { readFileSync, statSync } from 'node:fs'
import { hostname, userInfo } from 'node:os'

/**
 * Python's str() of `datetime.fromtimestamp(seconds)`: local time, the float's fraction rounded half to
 * even to microseconds, shown only when there are any.
 */
function pythonDatetime(seconds: number): string {
  let whole = Math.floor(seconds)
  const scaled = (seconds - whole) * 1e6
  let micros = Math.round(scaled)
  if (Math.abs(scaled % 1) === 0.5 && micros % 2 === 1) micros -= 1
  if (micros >= 1_000_000) {
    whole += 1
    micros -= 1_000_000
  }
  const date = new Date(whole * 1000)
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0')
  const text =
    `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  return micros === 0 ? text : `${text}.${pad(micros, 6)}`
}

/** Names of the controller's users already looked up: /etc/passwd is read once per uid in a run. */
const userNames = new Map<number, string>()

/** The name of the controller's user `uid` (from /etc/passwd), or the number as text, as Ansible gives it. */
function userName(uid: number): string {
  let name = userNames.get(uid)
  if (name === undefined) {
    name = lookUpUserName(uid)
    userNames.set(uid, name)
  }
  return name
}

function lookUpUserName(uid: number): string {
  if (userInfo().uid === uid) return userInfo().username
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const fields = line.split(':')
      if (fields.length > 2 && Number(fields[2]) === uid && fields[2] !== '') return fields[0]!
    }
  } catch {
    // No passwd file: the number, as Python's pwd lookup failing gives it.
  }
  return String(uid)
}

/**
 * The variables Ansible's template action adds for the template (over the task's): `template_host`,
 * `template_path` (src as written), `template_fullpath`, `template_destpath`, `template_uid` (the
 * template file's owner), `template_mtime` and `template_run_date` (as Python prints a datetime), and
 * `ansible_managed` ("Ansible managed": no configuration file is read).
 */
export function templateVariables(
  src: string,
  fullPath: string,
  dest: string
): Record<string, unknown> {
  const stat = statSync(fullPath, { bigint: true })
  // Python's st_mtime: whole seconds plus nanoseconds, as one float.
  const mtime = Number(stat.mtimeNs / 1_000_000_000n) + Number(stat.mtimeNs % 1_000_000_000n) * 1e-9
  return {
    template_host: hostname(),
    template_path: src,
    template_mtime: pythonDatetime(mtime),
    template_uid: userName(Number(stat.uid)),
    template_run_date: pythonDatetime(Date.now() / 1000),
    template_destpath: dest,
    template_fullpath: fullPath,
    ansible_managed: 'Ansible managed'
  }
}
