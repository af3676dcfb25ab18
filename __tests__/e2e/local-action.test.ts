// `npm run local-action` runs the action from its TypeScript sources with @github/local-action, from any
// directory of the clone, without a question and without downloading anything.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const root = path.resolve('.')
const installed = existsSync(
  path.join(root, 'node_modules', '@github', 'local-action', 'package.json')
)

function npmRun(args: string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    // No terminal and no standard input: a prompt would fail the run instead of waiting.
    const child = spawn('npm', ['run', '--silent', 'local-action', ...args], {
      cwd,
      env: { ...process.env, CI: 'true', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr.on('data', (d: Buffer) => (output += d.toString()))
    child.on('error', reject)
    // The action colours its log as the runner shows it.
    // eslint-disable-next-line no-control-regex
    child.on('close', (code) => resolve({ code, output: output.replace(/\x1b\[[0-9;]*m/g, '') }))
  })
}

describe('npm run local-action', () => {
  it('is a script with no relative --import path and no npx download', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
      scripts: Record<string, string>
      devDependencies: Record<string, string>
    }
    expect(pkg.scripts['local-action']).not.toMatch(/--import \.|npx/)
    // Pinned, so npm ci installs exactly this version and nothing is fetched at run time.
    expect(pkg.devDependencies['@github/local-action']).toMatch(/^\d+\.\d+\.\d+$/)
  })

  // After `npm ci` the devDependency is there (CI); a shared node_modules without it skips this.
  it.runIf(installed || process.env['CI'])(
    'runs a playbook from a subdirectory, with an env file named relative to it',
    async () => {
      const dir = mkdtempSync(path.join(root, 'examples', '.local-action-'))
      try {
        const env = readFileSync('.env.example', 'utf8')
          .replace(/^INPUT_PLAYBOOK=.*$/m, 'INPUT_PLAYBOOK="examples/hello.yml"')
          .replace(/^INPUT_INVENTORY=.*$/m, 'INPUT_INVENTORY=""')
          .replace(/^GITHUB_STEP_SUMMARY=.*$/m, `GITHUB_STEP_SUMMARY="${dir}/summary.md"`)
          .replace(/^RUNNER_TEMP=.*$/m, `RUNNER_TEMP="${dir}"`)
        writeFileSync(path.join(dir, 'test.env'), env)
        const ran = await npmRun(['--', 'test.env'], dir)
        expect(ran.output).toMatch(/localhost\s+: ok=6\s+changed=3\s+unreachable=0\s+failed=0/)
        expect(ran.output).not.toMatch(/Need to install|Ok to proceed|ERR_MODULE_NOT_FOUND/)
        expect(ran.code).toBe(0)
      } finally {
        await import('node:fs/promises').then((fs) => fs.rm(dir, { recursive: true, force: true }))
      }
    },
    180_000
  )
})
