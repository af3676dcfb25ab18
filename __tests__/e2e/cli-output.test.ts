// End to end: what the bundled CLI (dist/cli.js) prints of a target's hostile output, on a terminal and
// inside a GitHub Actions step.
import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { readRunnerLog } from '../helpers/runner-log.js'

const CLI = path.resolve('dist/cli.js')
let work: string

function runCli(
  args: string[],
  env: NodeJS.ProcessEnv
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: work,
      env: { ...process.env, NO_COLOR: '', ...env }
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'apb-e2e-cli-output-'))
  // The local connection: the target is this machine, printing escape sequences, CRs and commands.
  writeFileSync(
    path.join(work, 'hostile.yml'),
    String.raw`- hosts: localhost
  gather_facts: false
  tasks:
    - name: hostile
      shell: printf 'a\033]0;pwned\007b\033[2J\r::error::FORGED1\n##[add-mask]x\n\302\233'
      register: out
    - debug:
        msg: "{{ out.stdout }}"
    - name: "name {{ out.stdout_lines[0] }}"
      debug:
        msg: "1"
    - name: live
      shell: printf '\033[31mred\r::warning::FORGED2\n'
      async: 10
      poll: 1
`
  )
  writeFileSync(path.join(work, 'broken.yml'), '- hosts: all\n  tasks: [\n\x1b]0;pwned\x07\n')
})

describe('dist/cli.js output from targets', () => {
  it('sends no escape sequence or carriage return of a target to the terminal', async () => {
    const ran = await runCli(['-v', 'hostile.yml'], { GITHUB_ACTIONS: '' })
    expect(ran.code, ran.stderr).toBe(0)
    expect(ran.stdout).not.toContain('\x1b')
    expect(ran.stdout).not.toContain('\r')
    expect(ran.stdout).not.toContain('\u009b')
    // stdout_lines splits at the CR, as Python's splitlines does.
    expect(ran.stdout).toContain('TASK [name a\\x1b]0;pwned\\x07b\\x1b[2J]')
    expect(ran.stdout).toContain('[localhost] live | \\x1b[31mred\\r::warning::FORGED2')
    const broken = await runCli(['broken.yml'], { GITHUB_ACTIONS: '' })
    expect(broken.code).toBe(4)
    expect(broken.stderr).toContain('\\x1b]0;pwned\\x07')
    expect(broken.stderr).not.toContain('\x1b')
  })

  it('inside a GitHub Actions step, lets no target text be read as a workflow command', async () => {
    const ran = await runCli(['-v', 'hostile.yml'], { GITHUB_ACTIONS: 'true' })
    expect(ran.code, ran.stderr).toBe(0)
    const log = readRunnerLog(ran.stdout)
    expect(log.commands).toEqual([])
    expect(log.lines.join('\n')).toContain('FORGED1')
    expect(log.lines.join('\n')).toContain('FORGED2')
    expect(readRunnerLog(ran.stderr).commands).toEqual([])
  })
})
