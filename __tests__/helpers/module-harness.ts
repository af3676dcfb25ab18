/**
 * One way to run a module in tests, as the task runner calls it (check mode refused, arguments
 * validated, then `run`), against a real target: a LocalConnection, or the test sshd. Each case is data
 * (module, args, starting files, expected result and expected files), in the spirit of pyinfra's
 * per-operation JSON cases: adding a case is adding an object, not building another ModuleContext.
 *
 * Paths: every case gets a fresh temporary directory, `{{ tmp }}` in args and expectations (the
 * target's files) and `{{ controller }}` (the controller's files: `src` of copy, template and script).
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Connection } from '../../src/connection/connection.js'
import { openLocalConnection } from '../../src/connection/local-connection.js'
import { prepareModuleRun, runModule, type RunFlags } from '../../src/modules/invoke.js'
import type { ModuleContext, ModuleDefinition, ModuleResult } from '../../src/modules/module.js'
import { MODULES } from '../../src/modules/registry.js'
import type { Task } from '../../src/playbook/types.js'
import { Templar } from '../../src/template/index.js'

/** A file to create before the case runs: its text, or its text and mode. */
export type StartingFile = string | { content: string; mode?: number }

/** One case: what to run and what it must give. */
export interface ModuleCase {
  /** Shown as the test's name. */
  name: string
  module: string
  /** The task's arguments, templated as the runner templates them (`{{ tmp }}`, `{{ controller }}`). */
  args?: Record<string, unknown>
  /** Files on the target, relative to `{{ tmp }}`. */
  files?: Record<string, StartingFile>
  /** Files on the controller, relative to `{{ controller }}` (the task's base directory). */
  controllerFiles?: Record<string, StartingFile>
  /** The host's variables (templating, debug `var`, assert). */
  vars?: Record<string, unknown>
  check?: boolean
  diff?: boolean
  /** Fields the result must hold (compared with toMatchObject; `{{ tmp }}` is templated). */
  result: Record<string, unknown>
  /** Files on the target afterwards: their text, or null where none must exist. */
  expectFiles?: Record<string, string | null>
}

/** What running a case gave, for the test to compare. */
export interface CaseOutcome {
  result: ModuleResult
  /** Whether `run` was called (false when the arguments or check mode stopped the module first). */
  ran: boolean
  /** The expected result and files, templated with this run's directories. */
  expected: { result: Record<string, unknown>; files: Record<string, string | null> }
  /** The target's files named by `expectFiles`, read after the run (null: absent). */
  files: Record<string, string | null>
  /** Lines the module logged under the task. */
  logged: string[]
}

/** Where a case runs: the local connection, or a connection the caller opened (the test sshd). */
export interface CaseTarget {
  /** Opens the connection for one case; the harness closes it. Default: a LocalConnection. */
  open?(): Promise<Connection>
}

const templar = new Templar()

function writeFiles(root: string, files: Record<string, StartingFile> | undefined): void {
  for (const [name, file] of Object.entries(files ?? {})) {
    const full = path.join(root, name)
    mkdirSync(path.dirname(full), { recursive: true })
    const { content, mode } = typeof file === 'string' ? { content: file, mode: undefined } : file
    writeFileSync(full, content)
    if (mode !== undefined) chmodSync(full, mode)
  }
}

function caseTask(module: string, args: Record<string, unknown>): Task {
  return {
    name: module,
    named: false,
    module,
    args,
    location: { file: 'case.yml', line: 1 },
    when: [],
    loopControl: { loopVar: 'item' },
    until: [],
    failedWhen: [],
    changedWhen: [],
    vars: {},
    tags: []
  }
}

/** How `runModuleOn` calls a module. */
export interface RunOnOptions {
  /** The task as written (default: one with these arguments). */
  task?: Task
  flags?: RunFlags
  vars?: Record<string, unknown>
  /** Where controller files (src) are looked for. Default: the working directory. */
  baseDir?: string
  /** Collects what the module logs, and its warnings as `[WARNING]: …`. */
  logged?: string[]
  /** The target. Default: a LocalConnection, closed afterwards. */
  connect?(): Promise<Connection>
  /** The task's rendered `environment`. */
  environment?: Record<string, string>
  /** The task's `timeout` keyword. */
  taskTimeoutSeconds?: number
  /** Stands in for waiting (default: returns at once). */
  sleep?(ms: number): Promise<void>
}

/**
 * Runs a module as the task runner does (check mode refused, arguments validated, then `run`), with a
 * ModuleContext built here once for every test. `ran` says whether `run` was called.
 */
export async function runModuleOn(
  module: ModuleDefinition | string,
  args: Record<string, unknown>,
  options: RunOnOptions = {}
): Promise<{ result: ModuleResult; ran: boolean }> {
  const definition = typeof module === 'string' ? MODULES.get(module) : module
  if (!definition) throw new Error(`no module ${String(module)}`)
  const task = options.task ?? caseTask(definition.name, args)
  const flags = options.flags ?? { check: false, diff: false }
  const vars = options.vars ?? {}
  const logged = options.logged ?? []
  let local: Connection | undefined
  const connect =
    options.connect ??
    (async (): Promise<Connection> => (local ??= openLocalConnection('localhost')))
  try {
    const prepared = prepareModuleRun(definition, args, task, flags)
    if ('result' in prepared) return { result: prepared.result, ran: false }
    const ctx: ModuleContext = {
      host: 'localhost',
      args: prepared.validation.args,
      ...flags,
      task,
      connection: connect,
      reconnect: connect,
      vars,
      isTrue: (condition) => templar.isTrue(condition, vars),
      evaluate: (expression) => templar.evaluate(expression, vars),
      template: (value) => templar.render(value, vars),
      render: (text, templateFile) => templar.renderText(text, vars, templateFile),
      timeoutMs: 120_000,
      environment: options.environment ?? {},
      taskTimeoutSeconds: options.taskTimeoutSeconds,
      baseDir: options.baseDir ?? process.cwd(),
      log: (line) => logged.push(line),
      warn: (line) => logged.push(`[WARNING]: ${line}`),
      displayWarning: (line) => logged.push(`[WARNING]: ${line}`),
      sleep: options.sleep ?? (async () => {}),
      jobs: {
        status: async () => {
          throw new Error('module tests have no background jobs')
        },
        cleanup: async () => {
          throw new Error('module tests have no background jobs')
        },
        resultsFile: async () => {
          throw new Error('module tests have no background jobs')
        }
      }
    }
    return { result: await runModule(definition, ctx, prepared.validation), ran: true }
  } finally {
    await local?.close()
  }
}

/** Runs one case in a fresh temporary directory, removed afterwards. */
export async function runModuleCase(
  testCase: ModuleCase,
  target: CaseTarget = {},
  definition?: ModuleDefinition
): Promise<CaseOutcome> {
  const module = definition ?? MODULES.get(testCase.module)
  if (!module) throw new Error(`no module ${testCase.module}`)
  const root = mkdtempSync(path.join(tmpdir(), 'apb-case-'))
  // The sshd's user is not the test's: it must be able to write where the case runs.
  chmodSync(root, 0o777)
  const tmp = path.join(root, 'target')
  const controller = path.join(root, 'controller')
  mkdirSync(tmp, { mode: 0o777 })
  chmodSync(tmp, 0o777)
  mkdirSync(controller)
  writeFiles(tmp, testCase.files)
  writeFiles(controller, testCase.controllerFiles)
  const vars: Record<string, unknown> = { ...testCase.vars, tmp, controller }
  const written = (templar.render(testCase.args ?? {}, vars) ?? {}) as Record<string, unknown>
  const task = caseTask(testCase.module, testCase.args ?? {})
  const flags: RunFlags = { check: testCase.check ?? false, diff: testCase.diff ?? false }
  const logged: string[] = []
  let connection: Connection | undefined
  const connect = async (): Promise<Connection> =>
    (connection ??= await (target.open ? target.open() : openLocalConnection('localhost')))
  try {
    const { result, ran } = await runModuleOn(module, written, {
      task,
      flags,
      vars,
      baseDir: controller,
      logged,
      connect
    })
    const expectedFiles = (templar.render(testCase.expectFiles ?? {}, vars) ?? {}) as Record<
      string,
      string | null
    >
    const files: Record<string, string | null> = {}
    for (const name of Object.keys(expectedFiles)) {
      const full = path.join(tmp, name)
      files[name] = existsSync(full) ? readFileSync(full, 'utf8') : null
    }
    return {
      result,
      ran,
      expected: {
        result: templar.render(testCase.result, vars) as Record<string, unknown>,
        files: expectedFiles
      },
      files,
      logged
    }
  } finally {
    await connection?.close()
    rmSync(root, { recursive: true, force: true })
  }
}
