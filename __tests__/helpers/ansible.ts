/**
 * The reference side of the differential tests: runs the real `ansible-playbook` (isolated from the
 * machine's own configuration) and compares its json-callback report with our results document.
 *
 *   const ansible = await runAnsiblePlaybook({ playbook, inventoryPath, extraVars: ['run_id=a1'], tmpDir })
 *   const ours = await runCaptured(sshdSettings(sshd, playbook, inventoryPath, { extraVars: ['run_id=o1'] }))
 *   expect(compareRuns(ansible, ours, { placeholders: { a1: '<run_id>', o1: '<run_id>' } })).toEqual([])
 */
import { spawn } from 'node:child_process'
import { accessSync, constants, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import type { RunOutcome } from '../../src/engine.js'

/** Install hint shown when the differential tests are required but Ansible is missing. */
export const ANSIBLE_INSTALL_HINT =
  'install ansible-core (Debian/Ubuntu: apt-get install -y ansible-core; or pipx install ansible-core)'

/**
 * Only a hang guard, far above what any fixture needs: on a loaded 2-core machine ansible-playbook's
 * Python start-up and module runs are many times slower than when idle, and a fixture that sleeps 15 s
 * can take minutes. Tests assert what the run reported, never how long it took. A CI run with every
 * differential file at work at once took 800 s and then over 900 s for modules-apt-repo.yml, which
 * takes 80 s alone: the guard sits well above that and still well inside CI's 90 minutes.
 */
export const ANSIBLE_DEADLINE_MS = 1_800_000

/** The absolute path of `ansible-playbook` on PATH, or undefined. */
export function findAnsiblePlaybook(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue
    const candidate = join(dir, 'ansible-playbook')
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // Not in this directory.
    }
  }
  return undefined
}

/** Ansible's per-host recap counters as the json callback prints them (`failures`, not `failed`). */
export interface AnsibleHostStats {
  ok: number
  changed: number
  failures: number
  unreachable: number
  skipped: number
  rescued: number
  ignored: number
}

/** The document the `json` stdout callback prints (only the parts we read). */
export interface AnsibleJsonReport {
  plays: Array<{
    play: { name: string }
    tasks: Array<{ task: { name: string }; hosts: Record<string, Record<string, unknown>> }>
  }>
  stats: Record<string, AnsibleHostStats>
  /** set_stats' per-host values (with ANSIBLE_SHOW_CUSTOM_STATS on; else empty). */
  custom_stats?: Record<string, Record<string, unknown>>
  /** set_stats' run-wide values (with ANSIBLE_SHOW_CUSTOM_STATS on; else empty). */
  global_custom_stats?: Record<string, unknown>
}

/** One finished ansible-playbook run. */
export interface AnsibleRun {
  exitCode: number
  report: AnsibleJsonReport
  stdout: string
  stderr: string
  /**
   * The run stopped on an error before the json callback printed anything (a parse error in a file an
   * include brought in): exit code non-zero, `ERROR!` on stderr, an empty report.
   */
  aborted?: boolean
}

/**
 * Runs ansible-playbook with the json callback, isolated from /etc/ansible and ~/.ansible: an empty
 * ansible.cfg, local temp, home and ssh control sockets all under `tmpDir`.
 */
export async function runAnsiblePlaybook(options: {
  playbook: string
  inventoryPath: string
  extraVars?: string[]
  forks?: number
  tmpDir: string
  executable?: string
  /** More ansible-playbook options, such as `--tags deploy`. */
  args?: string[]
  /** More environment variables, such as ANSIBLE_FORCE_HANDLERS. */
  env?: Record<string, string>
}): Promise<AnsibleRun> {
  const executable = options.executable ?? findAnsiblePlaybook()
  if (!executable) throw new Error(`ansible-playbook is not on PATH: ${ANSIBLE_INSTALL_HINT}`)
  const env = { ...ansibleEnvironment(options.tmpDir), ...options.env }
  if (options.env?.['ANSIBLE_CONFIG'] === undefined) {
    // ansible-playbook's main process polls its workers every millisecond by default
    // (internal_poll_interval). Every 20 ms instead took a quarter off that process's CPU on
    // modules-cron.yml (7.8 s to 6.0 s; its main processes had 17 % of a whole CI run's CPU, on a
    // 2-core machine where every process waits for a core), costs a task at most 20 ms and changes no
    // result. Only ansible-playbook reads this file (ours would warn about the key).
    env['ANSIBLE_CONFIG'] = join(options.tmpDir, 'ansible-oracle.cfg')
    writeFileSync(env['ANSIBLE_CONFIG'], '[defaults]\ninternal_poll_interval = 0.02\n')
  }
  const args = [options.playbook, '-i', options.inventoryPath, '-f', String(options.forks ?? 10)]
  for (const value of options.extraVars ?? []) args.push('-e', value)
  args.push(...(options.args ?? []))

  const { code, stdout, stderr } = await new Promise<{
    code: number
    stdout: string
    stderr: string
  }>((resolve, reject) => {
    const child = spawn(executable, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')))
    const timer = setTimeout(() => child.kill('SIGKILL'), ANSIBLE_DEADLINE_MS)
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.once('close', (exitCode, signal) => {
      clearTimeout(timer)
      if (exitCode === null) {
        reject(
          new Error(
            `ansible-playbook ended by ${signal} (deadline ${ANSIBLE_DEADLINE_MS} ms)\n${err}`
          )
        )
      } else resolve({ code: exitCode, stdout: out, stderr: err })
    })
  })

  if (code !== 0 && stdout.trim() === '' && stderr.includes('ERROR!'))
    return { exitCode: code, report: { plays: [], stats: {} }, stdout, stderr, aborted: true }
  let report: AnsibleJsonReport
  try {
    report = JSON.parse(stdout) as AnsibleJsonReport
  } catch {
    throw new Error(
      `ansible-playbook (exit ${code}) did not print one JSON document on stdout.\n` +
        `stdout:\n${stdout.slice(0, 4000)}\nstderr:\n${stderr.slice(0, 4000)}`
    )
  }
  return { exitCode: code, report, stdout, stderr }
}

/** The environment of an isolated ansible-playbook run whose stdout is the json callback's report. */
export function ansibleEnvironment(tmpDir: string): NodeJS.ProcessEnv {
  const home = join(tmpDir, 'ansible-home')
  const localTemp = join(tmpDir, 'ansible-local')
  const controlDir = ansibleControlPathDir(tmpDir)
  for (const dir of [home, localTemp, controlDir]) mkdirSync(dir, { recursive: true })
  // An empty config file: ANSIBLE_CONFIG wins over ./ansible.cfg, ~/.ansible.cfg and /etc/ansible.
  const config = join(tmpDir, 'ansible.cfg')
  writeFileSync(config, '')
  const env: NodeJS.ProcessEnv = {}
  // Keep only what a process needs; no ANSIBLE_* from the caller's environment leaks in.
  for (const name of ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'TMPDIR']) {
    const value = process.env[name]
    if (value !== undefined) env[name] = value
  }
  return {
    ...env,
    LC_ALL: env['LC_ALL'] ?? 'C.UTF-8',
    ANSIBLE_CONFIG: config,
    ANSIBLE_HOME: home,
    ANSIBLE_LOCAL_TEMP: localTemp,
    ANSIBLE_SSH_CONTROL_PATH_DIR: controlDir,
    ANSIBLE_STDOUT_CALLBACK: 'json',
    ANSIBLE_HOST_KEY_CHECKING: 'True',
    ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_RETRY_FILES_ENABLED: '0',
    ANSIBLE_DEPRECATION_WARNINGS: '0',
    // The oracle's SSH timeout, which also bounds its wait for sudo's prompt (10 s by default): on a
    // loaded 2-core machine a CI run saw "Timeout (12s) waiting for privilege escalation prompt".
    // No fixture's result depends on it (unreachable hosts refuse at once).
    ANSIBLE_TIMEOUT: '60',
    // One ssh round trip per module instead of three (no temporary module file on the target): the
    // registered results are the same, and ansible-playbook, the slow side of every fixture, takes about
    // 40 % less time. Ansible turns it off by itself where it cannot be used (async tasks).
    ANSIBLE_PIPELINING: 'True'
  }
}

/** Where ansible's ssh ControlPersist sockets live for runs under `tmpDir`. */
export function ansibleControlPathDir(tmpDir: string): string {
  return join(tmpDir, 'cp')
}

/**
 * Ends the ControlPersist master connections ansible left behind (they would otherwise linger for 60 s
 * with sessions open on the test sshd).
 */
export async function closeAnsibleControlMasters(tmpDir: string): Promise<void> {
  let sockets: string[]
  try {
    sockets = readdirSync(ansibleControlPathDir(tmpDir))
  } catch {
    return
  }
  await Promise.all(
    sockets.map(
      (name) =>
        new Promise<void>((resolve) => {
          const child = spawn(
            'ssh',
            ['-o', `ControlPath=${join(ansibleControlPathDir(tmpDir), name)}`, '-O', 'exit', 'x'],
            { stdio: 'ignore' }
          )
          const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
          child.once('close', () => {
            clearTimeout(timer)
            resolve()
          })
          child.once('error', () => {
            clearTimeout(timer)
            resolve()
          })
        })
    )
  )
}

/** Registered fields compared between the two tools (when present on either side). */
export const COMPARED_FIELDS = [
  'rc',
  'stdout',
  'stderr',
  'stdout_lines',
  'stderr_lines',
  'cmd',
  'changed',
  'failed',
  'msg',
  'skipped',
  'attempts',
  'failed_when_result',
  'unreachable',
  'finished',
  'started',
  // A module's own warnings (Ansible's module.warn) are part of what `register` keeps.
  'warnings'
] as const

/**
 * Fields compared for unreachable hosts: the messages come from different SSH clients (OpenSSH's
 * stderr vs ssh2's errors) and differ by design.
 */
const UNREACHABLE_FIELDS = ['unreachable', 'changed'] as const

/** Options of compareRuns. */
export interface CompareOptions {
  /**
   * Literal strings replaced by a placeholder in every compared string on both sides, e.g. each tool's
   * own `run_id` value, which ends up in `cmd` of the tasks that use it.
   */
  placeholders?: Record<string, string>
}

/**
 * Every difference between an ansible-playbook run and ours: exit codes, per-host recap counters, and for
 * each task (matched by play index, task name and occurrence) and host, the registered fields listed in
 * COMPARED_FIELDS, plus the same fields and `item` of each loop result. One line per difference:
 * `play N / task / host / field: ansible=…, ours=…`.
 */
export function compareRuns(
  ansible: AnsibleRun,
  ours: RunOutcome,
  options: CompareOptions = {}
): string[] {
  const normalize = placeholderNormalizer(options.placeholders ?? {})
  const diffs: string[] = []
  const show = (value: unknown): string =>
    value === undefined ? '(absent)' : JSON.stringify(normalize(value))

  // A run that reported nothing would compare equal to anything: say so instead.
  const reported = ansible.report.plays.some((play) =>
    play.tasks.some((task) => Object.keys(task.hosts).length > 0)
  )
  if (!reported) {
    diffs.push(
      `ansible-playbook reported no task results; its stderr:\n${ansible.stderr.slice(-2000)}`
    )
  }
  if (ansible.exitCode !== ours.exitCode) {
    diffs.push(`exit code: ansible=${ansible.exitCode}, ours=${ours.exitCode}`)
  }

  // Recap counters, exactly, for the union of hosts.
  const statHosts = new Set([
    ...Object.keys(ansible.report.stats),
    ...Object.keys(ours.document.stats)
  ])
  for (const host of [...statHosts].sort()) {
    const theirs = ansible.report.stats[host]
    const mine = ours.document.stats[host]
    if (!theirs || !mine) {
      diffs.push(
        `recap / ${host}: ansible=${theirs ? 'present' : '(absent)'}, ours=${mine ? 'present' : '(absent)'}`
      )
      continue
    }
    const expected = {
      ok: theirs.ok,
      changed: theirs.changed,
      failed: theirs.failures,
      unreachable: theirs.unreachable,
      skipped: theirs.skipped,
      rescued: theirs.rescued,
      ignored: theirs.ignored
    }
    for (const [counter, value] of Object.entries(expected)) {
      const actual = (mine as unknown as Record<string, unknown>)[counter]
      if (actual !== value)
        diffs.push(`recap / ${host} / ${counter}: ansible=${value}, ours=${show(actual)}`)
    }
  }

  // set_stats' values, when Ansible showed them (a fixture turns ANSIBLE_SHOW_CUSTOM_STATS on for that):
  // per host, and the run's (ours under `_run`).
  const theirCustom = ansible.report.custom_stats ?? {}
  const theirGlobal = ansible.report.global_custom_stats ?? {}
  if (Object.keys(theirCustom).length > 0 || Object.keys(theirGlobal).length > 0) {
    const { _run: myGlobal = {}, ...myCustom } = ours.document.custom_stats ?? {}
    if (!isDeepStrictEqual(normalize(theirCustom), normalize({ ...myCustom })))
      diffs.push(`custom_stats: ansible=${show(theirCustom)}, ours=${show({ ...myCustom })}`)
    if (!isDeepStrictEqual(normalize(theirGlobal), normalize(myGlobal)))
      diffs.push(`global custom_stats: ansible=${show(theirGlobal)}, ours=${show(myGlobal)}`)
  }

  const playCount = Math.max(ansible.report.plays.length, ours.document.plays.length)
  for (let p = 0; p < playCount; p++) {
    const theirPlay = ansible.report.plays[p]
    const myPlay = ours.document.plays[p]
    if (!theirPlay || !myPlay) {
      diffs.push(
        `play ${p + 1}: ansible=${theirPlay ? JSON.stringify(theirPlay.play.name) : '(absent)'}, ` +
          `ours=${myPlay ? JSON.stringify(myPlay.name) : '(absent)'}`
      )
      continue
    }
    if (theirPlay.play.name !== myPlay.name) {
      diffs.push(
        `play ${p + 1} / name: ansible=${JSON.stringify(theirPlay.play.name)}, ours=${JSON.stringify(myPlay.name)}`
      )
    }
    const theirTasks = keyByOccurrence(
      theirPlay.tasks.map((t) => ({ name: t.task.name, hosts: t.hosts }))
    )
    const myTasks = keyByOccurrence(
      myPlay.tasks.map((t) => ({
        name: t.name,
        hosts: Object.fromEntries(Object.entries(t.results).map(([h, r]) => [h, r.result]))
      }))
    )
    for (const key of unionInOrder([...theirTasks.keys()], [...myTasks.keys()])) {
      const label = `play ${p + 1} / ${key}`
      const theirTask = theirTasks.get(key)
      const myTask = myTasks.get(key)
      // Ansible starts a meta task once per host it runs on (and the implicit flush_handlers too), with no
      // result unless skipped: an entry without results on one side and absent on the other registered nothing.
      if (
        (!theirTask && myTask && Object.keys(myTask).length === 0) ||
        (!myTask && theirTask && Object.keys(theirTask).length === 0)
      )
        continue
      if (!theirTask || !myTask) {
        diffs.push(
          `${label}: ansible=${theirTask ? 'ran' : '(absent)'}, ours=${myTask ? 'ran' : '(absent)'}`
        )
        continue
      }
      const hosts = new Set([...Object.keys(theirTask), ...Object.keys(myTask)])
      for (const host of [...hosts].sort()) {
        const a = theirTask[host]
        const o = myTask[host]
        if (!a || !o) {
          diffs.push(
            `${label} / ${host}: ansible=${a ? 'has a result' : '(absent)'}, ours=${o ? 'has a result' : '(absent)'}`
          )
          continue
        }
        diffs.push(...compareResult(`${label} / ${host}`, registeredView(a), o, normalize, show))
      }
    }
  }
  return diffs
}

function compareResult(
  label: string,
  a: Record<string, unknown>,
  o: Record<string, unknown>,
  normalize: (value: unknown) => unknown,
  show: (value: unknown) => string
): string[] {
  const diffs: string[] = []
  const unreachable = a['unreachable'] === true || o['unreachable'] === true
  const fields: readonly string[] = unreachable ? UNREACHABLE_FIELDS : COMPARED_FIELDS
  for (const field of fields) {
    if (!(field in a) && !(field in o)) continue
    // Where failed_when gave a verdict, the callback's status follows it and the registered `failed`
    // (true when until-retries ran out) cannot be rebuilt: fixtures check it through a debug message.
    if (field === 'failed' && !(field in a) && failedWhenDecides(a)) continue
    // Ansible's callbacks never see `failed` as registered: registeredView() rebuilds it as a boolean,
    // so the launch record's `failed: 0` can only be compared by truth value.
    if (field === 'failed' && typeof o[field] === 'number' && typeof a[field] === 'boolean') {
      if (Boolean(o[field]) !== a[field])
        diffs.push(`${label} / ${field}: ansible=${show(a[field])}, ours=${show(o[field])}`)
      continue
    }
    if (!isDeepStrictEqual(normalize(a[field]), normalize(o[field]))) {
      diffs.push(`${label} / ${field}: ansible=${show(a[field])}, ours=${show(o[field])}`)
    }
  }
  if (unreachable) return diffs
  const theirItems = a['results']
  const myItems = o['results']
  if (theirItems === undefined && myItems === undefined) return diffs
  // A module's own `results` (dnf's list of lines) is a field like the others.
  if (!isLoopResult(a) && !isLoopResult(o)) {
    if (!isDeepStrictEqual(normalize(theirItems), normalize(myItems)))
      diffs.push(`${label} / results: ansible=${show(theirItems)}, ours=${show(myItems)}`)
    return diffs
  }
  if (!Array.isArray(theirItems) || !Array.isArray(myItems)) {
    diffs.push(
      `${label} / results: ansible=${Array.isArray(theirItems) ? 'a list' : show(theirItems)}, ` +
        `ours=${Array.isArray(myItems) ? 'a list' : show(myItems)}`
    )
    return diffs
  }
  if (theirItems.length !== myItems.length) {
    diffs.push(`${label} / results.length: ansible=${theirItems.length}, ours=${myItems.length}`)
  }
  for (let i = 0; i < Math.min(theirItems.length, myItems.length); i++) {
    const ai = theirItems[i] as Record<string, unknown>
    const oi = myItems[i] as Record<string, unknown>
    for (const field of [...COMPARED_FIELDS, 'item']) {
      if (!(field in ai) && !(field in oi)) continue
      if (!isDeepStrictEqual(normalize(ai[field]), normalize(oi[field]))) {
        diffs.push(
          `${label} / results[${i}].${field}: ansible=${show(ai[field])}, ours=${show(oi[field])}`
        )
      }
    }
  }
  return diffs
}

/**
 * What `register` held on the Ansible side, rebuilt from the json callback's view of the result.
 *
 * Callbacks never see the registered value itself: TaskQueueManager.send_callback hands them
 * TaskResult.clean_copy(), which deletes the top-level `failed` and `skipped` keys
 * (ansible/executor/task_result.py, `_IGNORE`), and the json callback adds them back only as `true`
 * for failed/skipped events. Rebuilt per ansible/executor/task_executor.py (2.14):
 * - a loop result always has `skipped` (true only when every item was skipped) and has `failed` only
 *   when an item failed (TaskExecutor.run);
 * - any other result that ran (not skipped by `when`, not unreachable) always has `failed`, false
 *   unless the event said otherwise (TaskExecutor._execute: "set the failed property if it was
 *   missing"), a module's own skip included; a result skipped by `when` (it has a `skip_reason`) and
 *   a skip an action plugin raised have neither `failed` nor a false `skipped`.
 * Loop items are not cleaned, so `results[i]` is taken as printed.
 */
export function registeredView(printed: Record<string, unknown>): Record<string, unknown> {
  if (printed['unreachable'] === true) return printed
  const registered = { ...printed }
  if (isLoopResult(printed)) {
    if (!('skipped' in registered)) registered['skipped'] = false
  } else if (
    (printed['skipped'] !== true || !('skip_reason' in printed)) &&
    !actionRaisedSkip(printed) &&
    !('failed' in registered) &&
    !('include_args' in printed) &&
    !failedWhenDecides(printed)
  ) {
    // An include's registered result has no `failed` (checked with `debug: var=` on ansible-core 2.14).
    // A module that skips itself (script's creates/removes) has one: only a `when` (or meta) skip, which
    // has a skip_reason, returns before TaskExecutor sets it.
    registered['failed'] = false
  }
  return registered
}

/**
 * A skip an action plugin raised (AnsibleActionSkip: fetch in check mode, an action without check mode
 * such as assemble): TaskExecutor._execute returns it as it is, before it adds `_ansible_no_log` and the
 * `failed` default, so it is registered without `failed` (checked with `debug: var=` on 2.14).
 */
function actionRaisedSkip(printed: Record<string, unknown>): boolean {
  return printed['skipped'] === true && !('_ansible_no_log' in printed)
}

/**
 * Whether a result is a loop's: its `results` are the items' results (objects), or an empty list with
 * the `skipped` an empty loop gets. A module's own `results` (dnf's lines of text) is not.
 */
function isLoopResult(result: Record<string, unknown>): boolean {
  const items = result['results']
  if (!Array.isArray(items)) return false
  if (items.length === 0) return 'skipped' in result
  return items.every((item) => item !== null && typeof item === 'object')
}

/**
 * Whether a failed_when verdict (on the result or a loop item) decided the task's status: Ansible's
 * TaskResult.is_failed then reads `failed_when_result`, not `failed`.
 */
function failedWhenDecides(printed: Record<string, unknown>): boolean {
  const items = Array.isArray(printed['results']) ? (printed['results'] as unknown[]) : []
  return [printed, ...items].some(
    (r) => r !== null && typeof r === 'object' && 'failed_when_result' in r
  )
}

/** Keys tasks by name, with `#2`, `#3`… for repeated names, keeping their order. */
function keyByOccurrence(
  tasks: Array<{ name: string; hosts: Record<string, Record<string, unknown>> }>
): Map<string, Record<string, Record<string, unknown>>> {
  const seen = new Map<string, number>()
  const keyed = new Map<string, Record<string, Record<string, unknown>>>()
  for (const task of tasks) {
    const n = (seen.get(task.name) ?? 0) + 1
    seen.set(task.name, n)
    keyed.set(n === 1 ? task.name : `${task.name}#${n}`, task.hosts)
  }
  return keyed
}

function unionInOrder(first: string[], second: string[]): string[] {
  const result = [...first]
  for (const key of second) if (!result.includes(key)) result.push(key)
  return result
}

function placeholderNormalizer(placeholders: Record<string, string>): (value: unknown) => unknown {
  const pairs = Object.entries(placeholders).filter(([literal]) => literal !== '')
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') {
      let text = value
      for (const [literal, placeholder] of pairs) text = text.split(literal).join(placeholder)
      return text
    }
    if (Array.isArray(value)) return value.map(walk)
    // An integral float of ours (PyFloat, a Number object) is the number Ansible's JSON gives as 1.0.
    if (value instanceof Number) return value.valueOf()
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]))
    }
    return value
  }
  return walk
}
