/**
 * `yum_repository`: one repository section of a `.repo` file under `reposdir` (/etc/yum.repos.d),
 * as Ansible's module keeps it: the file is read as an INI file (Python's configparser rules: keys in
 * lower case, `=` or `:`, indented continuation lines, `#`/`;` comments), the repository's section is
 * replaced by exactly the options given (booleans as 1/0, lists joined), and the file is written back
 * only when the sorted dump of its sections differs, without comments, as configparser writes it. A
 * file left with no section is removed. `mode`, `owner` and `group` apply to the file. The result always
 * holds Ansible's `diff` (the dumps before and after). Check mode writes nothing.
 */
import { shellQuote } from '../connection/shell-quote.js'
import { factsFor } from '../facts/index.js'
import {
  attributeChanges,
  attributesDiffer,
  attributesWanted,
  FILE_COMMON_OPTIONS,
  putEdited,
  readEditTarget
} from './file-edit.js'
import type { ArgOption } from './arg-spec.js'
import { ModuleArgumentError, type ModuleDefinition, type ModuleResult } from './module.js'

/** The options written into the section (Ansible's list), by their key in the file. */
const REPO_KEYS = [
  'async',
  'bandwidth',
  'baseurl',
  'cost',
  'deltarpm_metadata_percentage',
  'deltarpm_percentage',
  'enabled',
  'enablegroups',
  'exclude',
  'failovermethod',
  'gpgcakey',
  'gpgcheck',
  'gpgkey',
  'module_hotfixes',
  'http_caching',
  'include',
  'includepkgs',
  'ip_resolve',
  'keepalive',
  'keepcache',
  'metadata_expire',
  'metadata_expire_filter',
  'metalink',
  'mirrorlist',
  'mirrorlist_expire',
  'name',
  'password',
  'priority',
  'protect',
  'proxy',
  'proxy_password',
  'proxy_username',
  'repo_gpgcheck',
  'retries',
  's3_enabled',
  'skip_if_unavailable',
  'sslcacert',
  'ssl_check_cert_permissions',
  'sslclientcert',
  'sslclientkey',
  'sslverify',
  'throttle',
  'timeout',
  'ui_repoid_vars',
  'username'
] as const

const BOOL_KEYS = [
  'async',
  'enabled',
  'enablegroups',
  'gpgcheck',
  'module_hotfixes',
  'keepalive',
  'protect',
  'repo_gpgcheck',
  's3_enabled',
  'skip_if_unavailable',
  'ssl_check_cert_permissions',
  'sslverify'
]
const STR_KEYS = [
  'bandwidth',
  'cost',
  'deltarpm_metadata_percentage',
  'deltarpm_percentage',
  'include',
  'metadata_expire',
  'metalink',
  'mirrorlist',
  'mirrorlist_expire',
  'priority',
  'proxy',
  'proxy_username',
  'retries',
  'throttle',
  'timeout',
  'ui_repoid_vars',
  'username'
]

const options: Record<string, ArgOption> = {
  name: { type: 'str', required: true },
  description: { type: 'str' },
  state: { type: 'str', default: 'present', choices: ['present', 'absent'] },
  file: { type: 'str' },
  reposdir: { type: 'path', default: '/etc/yum.repos.d' },
  baseurl: { type: 'list', elements: 'str' },
  gpgkey: { type: 'list', elements: 'str', noLog: false },
  exclude: { type: 'list', elements: 'str' },
  includepkgs: { type: 'list', elements: 'str' },
  failovermethod: { type: 'str', choices: ['roundrobin', 'priority'] },
  gpgcakey: { type: 'str', noLog: false },
  http_caching: { type: 'str', choices: ['all', 'packages', 'none'] },
  ip_resolve: { type: 'str', choices: ['4', '6', 'IPv4', 'IPv6', 'whatever'] },
  keepcache: { type: 'str', choices: ['0', '1'] },
  metadata_expire_filter: {
    type: 'str',
    choices: ['never', 'read-only:past', 'read-only:present', 'read-only:future']
  },
  password: { type: 'str', noLog: true },
  proxy_password: { type: 'str', noLog: true },
  sslcacert: { type: 'str', aliases: ['ca_cert'] },
  sslclientcert: { type: 'str', aliases: ['client_cert'] },
  sslclientkey: { type: 'str', aliases: ['client_key'], noLog: false },
  sslverify: { type: 'bool', aliases: ['validate_certs'] },
  params: { type: 'dict' },
  ...FILE_COMMON_OPTIONS
}
for (const key of BOOL_KEYS) options[key] ??= { type: 'bool' }
for (const key of STR_KEYS) options[key] ??= { type: 'str' }

export const yumRepositoryModule: ModuleDefinition = {
  name: 'yum_repository',
  supportsCheckMode: true,
  args: { options },
  async run(ctx) {
    const a = ctx.args
    const repoid = a['name'] as string
    const state = a['state'] as 'present' | 'absent'
    const given = (key: string): boolean => a[key] !== undefined && a[key] !== null
    const fail = (msg: string): ModuleResult => ({ failed: true, changed: false, msg })
    if (given('params') && Object.keys(a['params'] as object).length > 0)
      return fail(
        "The params option to yum_repository was removed in Ansible 2.5 since it circumvents Ansible's option handling"
      )
    if (state === 'present') {
      if (!given('baseurl') && !given('metalink') && !given('mirrorlist'))
        return fail("Parameter 'baseurl', 'metalink' or 'mirrorlist' is required.")
      if (!given('description')) return fail("Parameter 'description' is required.")
    }
    const reposdir = a['reposdir'] as string
    const file = given('file') ? String(a['file']) : repoid
    const dest = `${reposdir.replace(/\/+$/, '') || '/'}/${file}.repo`.replace(/^\/\//, '/')

    const facts = factsFor(ctx)
    const [dir, target] = await Promise.all([
      facts.path(reposdir),
      readEditTarget(ctx, facts, dest)
    ])
    if (!dir.exists || dir.type !== 'directory')
      return fail(`Repo directory '${reposdir}' does not exist.`)

    const exists = target.state.exists && target.state.type === 'file'
    let sections: IniSection[]
    try {
      sections = exists ? parseIni((target.content ?? Buffer.alloc(0)).toString('utf8')) : []
    } catch (error) {
      if (error instanceof IniError)
        throw new ModuleArgumentError(`yum_repository: cannot read ${dest}: ${error.message}`)
      throw error
    }
    const before = dump(sections)
    sections = sections.filter((s) => s.name !== repoid)
    if (state === 'present') sections.push({ name: repoid, entries: sectionEntries(a) })
    const after = dump(sections)
    let changed = before !== after
    const diff = { before_header: dest, before, after_header: dest, after }
    const result = (): ModuleResult => ({ changed, repo: repoid, state, diff })

    const wanted = attributesWanted(a)
    if (ctx.check) {
      if (exists && target.state.exists && attributesDiffer(attributeChanges(wanted, target.state)))
        changed = true
      return result()
    }
    if (changed && sections.length === 0) {
      const removed = await (
        await facts.connection()
      ).run(`rm -f -- ${shellQuote(target.real)}`, { timeoutMs: ctx.timeoutMs })
      if (removed.code !== 0)
        return fail(
          `Cannot remove empty repo file ${dest}.: ${removed.stderr.toString('utf8').trim()}`
        )
      return result()
    }
    const attrs = exists && target.state.exists ? attributeChanges(wanted, target.state) : undefined
    if (!changed && !(attrs && attributesDiffer(attrs))) return result()
    const written = await putEdited(ctx, facts, {
      target,
      content: changed ? Buffer.from(render(sections)) : undefined,
      attributes: attrs
        ? { mode: attrs.mode, owner: attrs.owner, group: attrs.group }
        : {
            mode: attributeChanges(
              { mode: wanted.mode },
              { umask: target.state.umask, uid: 0, gid: 0 }
            ).mode,
            owner: wanted.owner,
            group: wanted.group
          },
      backup: false
    })
    if (!written.ok) return written.result
    if (attrs && attributesDiffer(attrs)) changed = true
    if (!exists && written.creator) {
      const created = attributeChanges(wanted, { umask: target.state.umask, ...written.creator })
      if (attributesDiffer(created)) changed = true
    }
    return result()
  }
}

/** The section's keys and values from the task, as Ansible builds them: sorted by option name. */
function sectionEntries(a: Record<string, unknown>): Array<[string, string]> {
  const values: Record<string, unknown> = { ...a, name: a['description'] }
  const entries: Array<[string, string]> = []
  for (const key of [...REPO_KEYS].sort()) {
    let value = values[key]
    if (value === undefined || value === null) continue
    if (Array.isArray(value))
      value = value.map(String).join(key === 'baseurl' || key === 'gpgkey' ? '\n' : ' ')
    else if (typeof value === 'boolean') value = value ? '1' : '0'
    entries.push([key, String(value)])
  }
  return entries
}

/** One section of an INI file: its name and its keys with their values, in file order. */
interface IniSection {
  name: string
  entries: Array<[string, string]>
}

class IniError extends Error {}

/**
 * Reads INI text as Python's RawConfigParser does for these files: `[section]` headers, `key = value`
 * or `key: value` (the key in lower case, both sides stripped), continuation lines indented deeper
 * than their key, full-line `#`/`;` comments. A key before any section, a duplicate section or key,
 * or a line that is none of these is refused, as configparser refuses it.
 */
export function parseIni(text: string): IniSection[] {
  const sections: IniSection[] = []
  let current: IniSection | undefined
  let option: { lines: string[]; indent: number; index: number } | undefined
  const close = (): void => {
    if (!option || !current) return
    while (option.lines.length > 1 && option.lines[option.lines.length - 1] === '')
      option.lines.pop()
    current.entries[option.index]![1] = option.lines.join('\n').trimEnd()
    option = undefined
  }
  const lines = text.split(/\r?\n/)
  lines.forEach((raw, index) => {
    const stripped = raw.trim()
    const indent = raw.length - raw.trimStart().length
    if (stripped.startsWith('#') || stripped.startsWith(';')) return
    if (stripped === '') {
      if (option) option.lines.push('')
      return
    }
    if (option && indent > option.indent) {
      option.lines.push(stripped)
      return
    }
    close()
    const header = /^\[(.+)\]/.exec(stripped)
    if (header) {
      const name = header[1]!
      if (sections.some((s) => s.name === name))
        throw new IniError(`section '${name}' is there twice (line ${index + 1})`)
      current = { name, entries: [] }
      sections.push(current)
      return
    }
    if (!current) throw new IniError(`line ${index + 1} comes before any [section] header`)
    const pair = /^(.*?)\s*([=:])\s*(.*)$/.exec(stripped)
    if (!pair || pair[1] === '') throw new IniError(`line ${index + 1} is not key = value`)
    const key = pair[1]!.toLowerCase()
    if (current.entries.some(([k]) => k === key))
      throw new IniError(`key '${key}' is there twice in section '${current.name}'`)
    current.entries.push([key, pair[3]!])
    option = { lines: [pair[3]!], indent, index: current.entries.length - 1 }
  })
  close()
  return sections
}

/** Ansible's dump of the sections (what `diff` shows and `changed` compares): all sorted. */
function dump(sections: readonly IniSection[]): string {
  let text = ''
  for (const section of [...sections].sort((x, y) => compare(x.name, y.name))) {
    text += `[${section.name}]\n`
    for (const [key, value] of [...section.entries].sort((x, y) =>
      compare(x[0], y[0]) === 0 ? compare(x[1], y[1]) : compare(x[0], y[0])
    ))
      text += `${key} = ${value}\n`
    text += '\n'
  }
  return text
}

/** The file as configparser writes it: sections in order, continuation lines after a tab. */
function render(sections: readonly IniSection[]): string {
  let text = ''
  for (const section of sections) {
    text += `[${section.name}]\n`
    for (const [key, value] of section.entries) text += `${key} = ${value.replace(/\n/g, '\n\t')}\n`
    text += '\n'
  }
  return text
}

/** Python's string order (code points). */
function compare(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0
}
