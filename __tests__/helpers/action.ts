/** Runs the bundled action (dist/index.js or dist/post.js) the way the runner does, for e2e tests. */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'

export interface StepRun {
  code: number | null
  stdout: string
  stderr: string
  outputs: Record<string, string>
  summary: string
  state: string
}

/** Parses GITHUB_OUTPUT / GITHUB_STATE files (`name<<delimiter` blocks). */
export function parseCommandFile(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  const re = /^([^\n<]+)<<(\S+)\n([\s\S]*?)\n\2$/gm
  for (const m of text.matchAll(re)) out[m[1]!] = m[3]!
  return out
}

export function runAction(
  work: string,
  inputs: Record<string, string>,
  options: {
    entry?: 'index' | 'post'
    stateFrom?: string
    signalAfterMs?: number
    /**
     * SIGTERMs the step (once) when its stdout so far satisfies this: a test that cancels a run at a
     * point of it waits for what the step prints there, not for a time a slow machine may not keep.
     */
    signalWhen?: (stdout: string) => boolean
    env?: Record<string, string>
  } = {}
): Promise<StepRun> {
  const dir = mkdtempSync(path.join(work, 'step-'))
  const files = {
    output: path.join(dir, 'output'),
    summary: path.join(dir, 'summary'),
    state: path.join(dir, 'state')
  }
  for (const f of Object.values(files)) writeFileSync(f, '')
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...(process.env['ASYNC_PLAYBOOK_COMPILE_CACHE']
      ? { ASYNC_PLAYBOOK_COMPILE_CACHE: process.env['ASYNC_PLAYBOOK_COMPILE_CACHE'] }
      : {}),
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_STATE: files.state,
    GITHUB_WORKSPACE: work,
    RUNNER_TEMP: dir,
    GITHUB_ACTION: 'deploy',
    ...options.env
  }
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value
  if (options.stateFrom) {
    for (const [k, v] of Object.entries(parseCommandFile(readFileSync(options.stateFrom, 'utf8'))))
      env[`STATE_${k}`] = v
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.resolve(`dist/${options.entry ?? 'index'}.js`)], {
      cwd: work,
      env
    })
    let stdout = ''
    let stderr = ''
    let signalled = false
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
      // Only while the child runs: never a pid that may have been reused.
      const running = child.exitCode === null && child.signalCode === null
      if (options.signalWhen && !signalled && running && options.signalWhen(stdout)) {
        signalled = true
        child.kill('SIGTERM')
      }
    })
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    if (options.signalAfterMs) setTimeout(() => child.kill('SIGTERM'), options.signalAfterMs)
    child.on('error', reject)
    child.on('close', (code) =>
      resolve({
        code,
        stdout,
        stderr,
        outputs: parseCommandFile(readFileSync(files.output, 'utf8')),
        summary: readFileSync(files.summary, 'utf8'),
        state: files.state
      })
    )
  })
}
