/**
 * The plan of a check-mode run: what the run would change, per task and host, with the unified diffs
 * modules returned (`--check --diff`). Read from the results document; rendered as the job summary's
 * (and the pull-request comment's) first section, and as the `plan` step output.
 */
import type { ModuleDiff } from '../modules/module.js'
import { isRecord } from '../values/records.js'
import { cleanText, code, fenced, html, mdText, plural, utf8Length } from './markdown.js'
import type { ResultsDocument } from './results-document.js'
import { asRecord, withItems } from './text.js'
import { DIFF_CONTEXT, entryDiffText } from './diff-text.js'

/** What kind of thing a task changes, from its module. */
export type ChangeKind =
  'file' | 'package' | 'service' | 'account' | 'repository' | 'command' | 'other'

const KIND_OF_MODULE: Record<string, ChangeKind> = Object.assign(Object.create(null), {
  copy: 'file',
  template: 'file',
  file: 'file',
  lineinfile: 'file',
  blockinfile: 'file',
  replace: 'file',
  assemble: 'file',
  get_url: 'file',
  unarchive: 'file',
  ini_file: 'file',
  tempfile: 'file',
  git: 'file',
  apt: 'package',
  package: 'package',
  dnf: 'package',
  yum: 'package',
  pip: 'package',
  service: 'service',
  systemd: 'service',
  systemd_service: 'service',
  sysvinit: 'service',
  user: 'account',
  group: 'account',
  authorized_key: 'account',
  apt_repository: 'repository',
  apt_key: 'repository',
  deb822_repository: 'repository',
  yum_repository: 'repository',
  rpm_key: 'repository',
  command: 'command',
  shell: 'command',
  raw: 'command',
  script: 'command'
}) as Record<string, ChangeKind>

/** The kind of change a module makes (`ansible.builtin.copy` and `copy` alike). */
export function changeKind(module: string): ChangeKind {
  const short = module
    .replace(/^ansible\.(builtin|legacy)\./, '')
    .replace(/^community\.general\./, '')
  return KIND_OF_MODULE[short] ?? 'other'
}

/** One diff of one host's change: a file (or the module's own label) and its unified diff text. */
export interface PlanDiff {
  label: string
  text: string
}

/** What one task would change on one host. */
export interface PlanChange {
  host: string
  kind: ChangeKind
  /** Files (and directories) it would change, for file-like modules. */
  paths: string[]
  /** Packages it would install, upgrade or remove, when the module's result names them. */
  packages: string[]
  diffs: PlanDiff[]
  /** no_log: nothing of the result is shown, diffs included. */
  hidden: boolean
}

export interface PlanTask {
  play: string
  name: string
  module: string
  file?: string
  line?: number
  changes: PlanChange[]
}

export interface PlanModel {
  /** Hosts in the run. */
  hosts: string[]
  /** Hosts with at least one change. */
  changedHosts: string[]
  /** Tasks (with their hosts) that would change something, in run order. */
  tasks: PlanTask[]
  /** Hosts that failed or were unreachable: the plan stops where they did. */
  failedHosts: string[]
  files: number
  packages: number
  services: number
  accounts: number
  repositories: number
  commands: number
}

/** The plan of a results document. */
export function buildPlan(doc: ResultsDocument, diffContext = DIFF_CONTEXT): PlanModel {
  const hosts = Object.keys(doc.stats)
  const changed = new Set<string>()
  const tasks: PlanTask[] = []
  const files = new Set<string>()
  const packages = new Set<string>()
  const count = { service: 0, account: 0, repository: 0, command: 0 }
  for (const play of doc.plays) {
    for (const task of play.tasks) {
      const changes: PlanChange[] = []
      for (const [host, entry] of Object.entries(task.results)) {
        const result = asRecord(entry.result)
        if (entry.status !== 'changed' && result['changed'] !== true) continue
        if (!hosts.includes(host)) hosts.push(host)
        const change = hostChange(host, task.module, result, diffContext)
        changes.push(change)
        changed.add(host)
        for (const p of change.paths) files.add(`${host}\0${p}`)
        if (change.kind === 'package') {
          if (change.packages.length === 0) packages.add(`${host}\0${task.name}\0?`)
          for (const p of change.packages) packages.add(`${host}\0${p}`)
        }
        if (change.kind in count) count[change.kind as keyof typeof count]++
      }
      if (changes.length > 0)
        tasks.push({
          play: play.name,
          name: task.name || task.module,
          module: task.module.replace(/^ansible\.(builtin|legacy)\./, ''),
          file: task.file,
          line: task.line,
          changes
        })
    }
  }
  const failedHosts = Object.entries(doc.stats)
    .filter(([, s]) => s.failed > 0 || s.unreachable > 0)
    .map(([h]) => h)
  return {
    hosts,
    changedHosts: hosts.filter((h) => changed.has(h)),
    tasks,
    failedHosts,
    files: files.size,
    packages: packages.size,
    services: count.service,
    accounts: count.account,
    repositories: count.repository,
    commands: count.command
  }
}

function hostChange(
  host: string,
  module: string,
  result: Record<string, unknown>,
  diffContext: number
): PlanChange {
  const kind = changeKind(module)
  const hidden = result['censored'] !== undefined || result['_ansible_no_log'] === true
  const paths = new Set<string>()
  const packages = new Set<string>()
  const diffs: PlanDiff[] = []
  const items = withItems(result)
  // A loop's own result holds its items' changes; the items say which changed.
  const changedParts =
    items.length > 1 ? items.slice(1).filter((r) => r['changed'] === true) : items
  for (const part of changedParts) {
    const partHidden = hidden || part['censored'] !== undefined || part['_ansible_no_log'] === true
    const entries = diffEntries(part['diff'])
    if (kind === 'file') {
      const path = firstString(part, ['dest', 'path']) ?? headerPath(entries)
      if (path !== undefined && !partHidden) paths.add(path)
    }
    for (const entry of entries) {
      if (kind === 'package' && typeof entry.prepared === 'string')
        for (const name of packageNames(entry.prepared)) packages.add(name)
      if (partHidden) continue
      const text = entryDiffText(entry, diffContext)
      if (text === '') continue
      const label =
        entry.after_header ??
        entry.before_header ??
        firstString(part, ['dest', 'path', 'name']) ??
        (typeof part['item'] === 'string' ? part['item'] : module)
      diffs.push({ label, text })
    }
  }
  return { host, kind, paths: [...paths], packages: [...packages], diffs, hidden }
}

function firstString(record: Record<string, unknown>, keys: string[]): string | undefined {
  for (const key of keys) {
    const value = record[key]
    if (typeof value === 'string' && value !== '') return value
  }
  return undefined
}

/** A path named by a diff header (`before: /etc/x`), not a generated one. */
function headerPath(entries: ModuleDiff[]): string | undefined {
  for (const entry of entries) {
    const header = entry.after_header ?? entry.before_header
    if (typeof header === 'string' && header.startsWith('/')) return header
  }
  return undefined
}

/** A result's `diff`: one entry or a list; anything else (the `{}` of no diff) is none. */
function diffEntries(value: unknown): ModuleDiff[] {
  const list = Array.isArray(value) ? value : [value]
  return list.filter(
    (entry): entry is ModuleDiff =>
      isRecord(entry) &&
      (typeof entry['prepared'] === 'string' ||
        entry['before'] !== undefined ||
        entry['after'] !== undefined)
  )
}

/**
 * Packages a package manager's plan names: apt-get's `Inst`/`Remv`/`Purg` lines (simulated), or the
 * names listed under `The following … packages will be …:`.
 */
export function packageNames(prepared: string): string[] {
  const names = new Set<string>()
  let listing = false
  for (const line of prepared.split('\n')) {
    const action = /^(?:Inst|Remv|Purg)\s+(\S+)/.exec(line)
    if (action) {
      names.add(action[1]!)
      continue
    }
    if (/^The following .*packages? will be (?:installed|upgraded|REMOVED|removed)/.test(line)) {
      listing = true
      continue
    }
    if (listing && /^\s+\S/.test(line)) {
      for (const name of line.trim().split(/\s+/)) names.add(name.replace(/\*$/, ''))
      continue
    }
    listing = false
  }
  return [...names]
}

// ---------------------------------------------------------------------------------------------------
// Markdown

/** Longest diff shown for one file, in lines and in characters; the results file has it whole. */
export const MAX_DIFF_LINES = 400
export const MAX_DIFF_CHARS = 40_000

interface Detail {
  diffLines: number
  diffChars: number
  /** Diffs at all. */
  diffs: boolean
  /** Hosts listed per task, at most. */
  maxHosts: number
  maxTasks: number
}

const DETAILS: Detail[] = [
  {
    diffLines: MAX_DIFF_LINES,
    diffChars: MAX_DIFF_CHARS,
    diffs: true,
    maxHosts: 100,
    maxTasks: 500
  },
  { diffLines: 100, diffChars: 10_000, diffs: true, maxHosts: 100, maxTasks: 500 },
  { diffLines: 30, diffChars: 3_000, diffs: true, maxHosts: 50, maxTasks: 200 },
  { diffLines: 0, diffChars: 0, diffs: false, maxHosts: 20, maxTasks: 200 },
  { diffLines: 0, diffChars: 0, diffs: false, maxHosts: 5, maxTasks: 50 },
  { diffLines: 0, diffChars: 0, diffs: false, maxHosts: 0, maxTasks: 0 }
]

export const PLAN_CUT_NOTE =
  'The plan was shortened to fit the summary; the results file has every diff.'

/** The headline: what would change, in counts. */
export function planHeadline(plan: PlanModel): string {
  if (plan.tasks.length === 0)
    return `No changes: ${plural(plan.hosts.length, 'host')} checked, nothing would change.`
  const kinds = [
    plan.files > 0 ? plural(plan.files, 'file') : '',
    plan.packages > 0 ? plural(plan.packages, 'package') : '',
    plan.services > 0 ? plural(plan.services, 'service change') : '',
    plan.accounts > 0 ? plural(plan.accounts, 'account change') : '',
    plan.repositories > 0 ? plural(plan.repositories, 'repository change') : '',
    plan.commands > 0 ? plural(plan.commands, 'command') : ''
  ].filter((k) => k !== '')
  return (
    `${plural(plan.changedHosts.length, 'host')} of ${plan.hosts.length} · ` +
    `${plural(plan.tasks.length, 'task')} would change` +
    (kinds.length > 0 ? ` · ${kinds.join(' · ')}` : '')
  )
}

/**
 * The plan as Markdown, within maxBytes (UTF-8): detail is dropped (diffs cut shorter, then left out, then
 * the host lists) until it fits. Every text from a playbook or a target goes through the escaping helpers:
 * it renders literally and cannot open HTML or Markdown of its own.
 */
export function renderPlan(plan: PlanModel, title: string, maxBytes: number): string {
  for (const [index, detail] of DETAILS.entries()) {
    const text = renderWith(plan, title, detail, index > 0)
    if (utf8Length(text) <= maxBytes) return text
  }
  const headline = `## 📋 ${mdText(title)}: plan\n\n${planHeadline(plan)}\n\n> [!NOTE]\n> ${PLAN_CUT_NOTE}\n`
  return utf8Length(headline) <= maxBytes ? headline : ''
}

function renderWith(plan: PlanModel, title: string, detail: Detail, cut: boolean): string {
  const parts = [`## 📋 ${mdText(title)}: plan`, planHeadline(plan)]
  if (plan.failedHosts.length > 0)
    parts.push(
      `> [!WARNING]\n> The check failed on ${plan.failedHosts.map(mdText).join(', ')}: ` +
        'the plan stops where it failed (see the failures below).'
    )
  for (const task of plan.tasks.slice(0, detail.maxTasks)) parts.push(taskSection(task, detail))
  if (plan.tasks.length > detail.maxTasks)
    parts.push(
      `_… and ${plural(plan.tasks.length - detail.maxTasks, 'more task')} that would change: see the results file._`
    )
  if (cut) parts.push(`> [!NOTE]\n> ${PLAN_CUT_NOTE}`)
  return parts.join('\n\n') + '\n'
}

function taskSection(task: PlanTask, detail: Detail): string {
  const where = task.file
    ? ` <sub>${mdText(`${task.file}${task.line ? `:${task.line}` : ''}`)}</sub>`
    : ''
  const hosts = task.changes.map((c) => c.host)
  const shown = hosts.slice(0, detail.maxHosts)
  const lines = [
    `### 🟡 ${mdText(task.name)} ${code(task.module)}${where}`,
    '',
    `Would change on ${plural(hosts.length, 'host')}` +
      (shown.length > 0
        ? `: ${shown.map(mdText).join(', ')}${hosts.length > shown.length ? ', …' : ''}`
        : '')
  ]
  const parts = [lines.join('\n')]
  for (const change of task.changes.slice(0, detail.maxHosts)) {
    if (change.hidden) {
      parts.push(`<sub>${html(change.host)}: diff hidden (no_log)</sub>`)
      continue
    }
    const named = [...change.paths, ...change.packages]
    if (!detail.diffs || change.diffs.length === 0) {
      if (named.length > 0)
        parts.push(
          `${mdText(change.host)}: ${named.slice(0, 20).map(code).join(', ')}${named.length > 20 ? ', …' : ''}`
        )
      continue
    }
    for (const diff of change.diffs) parts.push(diffBlock(change.host, diff, detail))
  }
  return parts.join('\n\n')
}

function diffBlock(host: string, diff: PlanDiff, detail: Detail): string {
  const clean = cleanText(diff.text).replace(/\n$/, '')
  const lines = clean.split('\n')
  let body = lines.slice(0, detail.diffLines).join('\n')
  if (body.length > detail.diffChars) body = body.slice(0, detail.diffChars)
  const cut = body.length < clean.length
  const added = lines.filter((l) => l.startsWith('+') && !l.startsWith('+++')).length
  const removed = lines.filter((l) => l.startsWith('-') && !l.startsWith('---')).length
  const unified = clean.startsWith('--- ')
  const counts = unified ? ` (+${added} −${removed})` : ''
  return [
    `<details><summary>${html(host)} — ${html(diff.label)}${counts}</summary>`,
    '',
    fenced(body, unified ? 'diff' : 'text'),
    ...(cut
      ? [
          '',
          `_Diff cut: ${utf8Length(body)} of ${utf8Length(clean)} bytes shown (${Math.min(lines.length, detail.diffLines)} of ${lines.length} lines); the results file has it whole._`
        ]
      : []),
    '',
    '</details>'
  ].join('\n')
}

// ---------------------------------------------------------------------------------------------------
// The `plan` output

export interface PlanOutputEntry {
  play: string
  task: string
  module: string
  kind: ChangeKind
  paths?: string[]
  packages?: string[]
}

export interface PlanOutput {
  changed: boolean
  hosts: Record<string, PlanOutputEntry[]>
  /** Entries left out to fit the output's limit. */
  truncated?: number
}

/**
 * The `plan` output: per host, per task, the change kind and file paths, as JSON of at most maxBytes.
 * Over the limit, entries are left out from the end and `truncated` says how many.
 */
export function planOutput(plan: PlanModel, maxBytes: number): string {
  const entries: Array<[string, PlanOutputEntry]> = []
  for (const task of plan.tasks)
    for (const change of task.changes)
      entries.push([
        change.host,
        {
          play: task.play,
          task: task.name,
          module: task.module,
          kind: change.kind,
          ...(change.paths.length > 0 ? { paths: change.paths } : {}),
          ...(change.packages.length > 0 ? { packages: change.packages } : {})
        }
      ])
  const build = (keep: number): string => {
    const hosts: Record<string, PlanOutputEntry[]> = Object.create(null) as Record<
      string,
      PlanOutputEntry[]
    >
    for (const host of plan.changedHosts) hosts[host] = []
    for (const [host, entry] of entries.slice(0, keep)) (hosts[host] ??= []).push(entry)
    const out: PlanOutput = { changed: plan.tasks.length > 0, hosts }
    if (keep < entries.length) out.truncated = entries.length - keep
    return JSON.stringify(out)
  }
  const whole = build(entries.length)
  if (utf8Length(whole) <= maxBytes) return whole
  // Binary search for the most entries that fit.
  let low = 0
  let high = entries.length - 1
  while (low < high) {
    const mid = Math.ceil((low + high) / 2)
    if (utf8Length(build(mid)) <= maxBytes) low = mid
    else high = mid - 1
  }
  const text = build(low)
  if (utf8Length(text) <= maxBytes) return text
  return JSON.stringify({ changed: plan.tasks.length > 0, hosts: {}, truncated: entries.length })
}
