import { ProbeAnswer } from '../facts/probe.js'
import script from './sysctl.sh'
import { ModuleScript } from './module-script.js'
import type { ModuleContext, ModuleDefinition } from './module.js'

/** Python's str.split() whitespace, and str.strip()'s. */
const WHITESPACE =
  // eslint-disable-next-line no-control-regex -- Python's whitespace includes these separators
  /[ \t\n\r\v\f\x1c-\x1f\x85\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/u
const pyStrip = (text: string): string =>
  text
    .replace(new RegExp(`^${WHITESPACE.source}`, 'u'), '')
    .replace(new RegExp(`${WHITESPACE.source}$`, 'u'), '')
const pySplit = (text: string): string[] => text.split(WHITESPACE).filter((word) => word !== '')

/** What Ansible's sysctl module reads as true or false in `value` (then written as 1 or 0). */
const TRUE_WORDS = new Set(['y', 'yes', 'on', '1', 'true', 't'])
const FALSE_WORDS = new Set(['n', 'no', 'off', '0', 'false', 'f'])

/**
 * `sysctl` (`ansible.posix.sysctl`): keeps one `name=value` line in a sysctl file (default
 * /etc/sysctl.conf) and, as Ansible's module does, sets the kernel's value with `sysctl -w` when
 * `sysctl_set` and it differs, and runs `sysctl -p FILE` when something changed and `reload`. The file
 * is rewritten as Ansible rewrites it (stripped lines, `key=value` without blanks, a key's later
 * duplicates dropped), keeping its mode and owner. One round trip to read, one more to act; check mode.
 */
export const sysctlModule: ModuleDefinition = {
  name: 'sysctl',
  fqcns: ['ansible.posix.sysctl'],
  supportsCheckMode: true,
  args: {
    options: {
      name: { type: 'str', required: true, aliases: ['key'] },
      value: { type: 'str', aliases: ['val'] },
      state: { type: 'str', default: 'present', choices: ['present', 'absent'] },
      reload: { type: 'bool', default: true },
      sysctl_set: { type: 'bool', default: false },
      ignoreerrors: { type: 'bool', default: false },
      sysctl_file: { type: 'path', default: '/etc/sysctl.conf' }
    },
    requiredIf: [['state', 'present', ['value']]]
  },
  async run(ctx) {
    const rawName = ctx.args['name'] as string | null
    const rawValue = ctx.args['value'] as string | null | undefined
    const state = ctx.args['state'] as 'present' | 'absent'
    const reload = ctx.args['reload'] as boolean
    const sysctlSet = ctx.args['sysctl_set'] as boolean
    const ignoreErrors = ctx.args['ignoreerrors'] as boolean
    const file = ctx.args['sysctl_file'] as string
    const fail = (msg: string) => ({ changed: false, failed: true, msg })
    if (rawName === null) return fail('name cannot be None')
    if (state === 'present' && (rawValue === null || rawValue === undefined))
      return fail('value cannot be None')
    if (rawName === '') return fail('name cannot be blank')
    if (state === 'present' && rawValue === '') return fail('value cannot be blank')
    const name = pyStrip(rawName)
    const value = parseValue(rawValue)

    const probe = await runScript(ctx, ['probe', name, file])
    const tool = probe.get('sysctl')
    if (tool === undefined) {
      return fail(
        `Failed to find required executable "sysctl" in paths: ${probe.bytes('path_hex')?.toString('utf8') ?? ''}`
      )
    }
    const procValue =
      probe.int('proc_rc') === 0 ? (probe.bytes('proc_hex')?.toString('utf8') ?? '') : undefined
    const fileState = probe.get('file')
    if (fileState === 'unreadable') {
      return fail(`Failed to open ${file}: [Errno 13] Permission denied: '${file}'`)
    }
    const text = fileState === 'read' ? (probe.bytes('file_hex')?.toString('utf8') ?? '') : ''
    const { values, fixed } = rewrite(text, name, state === 'present' ? value : undefined)
    const inFile = values.get(name)

    let changed = false
    let write = false
    let setProc = false
    if (inFile === undefined) {
      if (state === 'present') changed = write = true
    } else if (state === 'absent') {
      // An empty value in the file counts as none, as in Ansible.
      if (inFile !== '') changed = write = true
    } else if (inFile !== value) {
      changed = write = true
    } else if (reload && !sameValues(procValue, value)) {
      changed = true
    }
    if (sysctlSet && state === 'present' && !sameValues(procValue, value)) {
      changed = true
      // Ansible sets the value only when the kernel had one to compare.
      if (procValue !== undefined) setProc = true
    }

    if (!ctx.check && (setProc || write || (changed && reload))) {
      const act = await runScript(
        ctx,
        [
          'act',
          tool,
          name,
          value,
          setProc ? '1' : '0',
          write ? '1' : '0',
          changed && reload ? '1' : '0',
          ignoreErrors ? '1' : '0',
          file
        ],
        write ? fixed : undefined
      )
      const failure = act.bytes('fail_hex')?.toString('utf8')
      if (failure !== undefined) return fail(failure)
    }
    return { changed }
  }
}

/** Ansible's reading of `value`: booleans as 1/0, other text stripped; none is ''. */
function parseValue(value: string | null | undefined): string {
  if (value === null || value === undefined) return ''
  const lower = value.toLowerCase()
  if (TRUE_WORDS.has(lower)) return '1'
  if (FALSE_WORDS.has(lower)) return '0'
  return pyStrip(value)
}

/** Whether two values are the same words in the same order (the kernel separates them by tabs). */
function sameValues(a: string | undefined, b: string): boolean {
  if (a === undefined) return false
  const left = pySplit(a)
  const right = pySplit(b)
  return left.length === right.length && left.every((word, i) => word === right[i])
}

/**
 * The file's `key=value` values (the last of a key wins), and its text rewritten as Ansible writes it:
 * every line stripped, comments (`#`, `;`), blank lines and lines without `=` kept, each key once at its
 * first place as `key=value`, `name` there with `value` (dropped when undefined), or added at the end.
 */
function rewrite(
  text: string,
  name: string,
  value: string | undefined
): { values: Map<string, string>; fixed: string } {
  // Read as Python reads text: \r\n and \r end lines too.
  const normal = text.replace(/\r\n?/g, '\n')
  const lines = normal === '' ? [] : normal.split(/(?<=\n)/)
  const values = new Map<string, string>()
  const seen = new Set<string>()
  const out: string[] = []
  for (const raw of lines) {
    const line = pyStrip(raw)
    if (line === '' || line.startsWith('#') || line.startsWith(';') || !line.includes('=')) {
      out.push(line)
      continue
    }
    const at = line.indexOf('=')
    const key = pyStrip(line.slice(0, at))
    const val = pyStrip(line.slice(at + 1))
    values.set(key, val)
    if (seen.has(key)) continue
    seen.add(key)
    if (key !== name) out.push(`${key}=${val}`)
    else if (value !== undefined) out.push(`${key}=${value}`)
  }
  if (!seen.has(name) && value !== undefined) out.push(`${name}=${value}`)
  return { values, fixed: out.map((line) => `${pyStrip(line)}\n`).join('') }
}

const SCRIPT = new ModuleScript('apb-sysctl', script, 'sysctl')

async function runScript(ctx: ModuleContext, argv: string[], stdin?: string): Promise<ProbeAnswer> {
  return SCRIPT.run(await ctx.connection(), argv, {
    timeoutMs: ctx.timeoutMs,
    environment: ctx.environment,
    ...(stdin === undefined ? {} : { stdin })
  })
}
