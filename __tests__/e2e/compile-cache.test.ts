// End to end: the bundled CLI keeps V8's compiled code of dist/app.cjs between runs (src/startup/), in the
// folder ASYNC_PLAYBOOK_COMPILE_CACHE names (the user's cache folder by default), and works the same with
// it, without it, and with data it must refuse.
import { spawnSync } from 'node:child_process'
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const CLI = path.resolve('dist/cli.js')
let work: string

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'apb-e2e-cache-'))
  writeFileSync(
    path.join(work, 'site.yml'),
    '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - command: echo hi\n      register: r\n    - debug: {var: r.stdout}\n'
  )
})
afterAll(() => rmSync(work, { recursive: true, force: true }))

function cli(args: string[], cache: string) {
  const ran = spawnSync(process.execPath, [CLI, ...args], {
    cwd: work,
    encoding: 'utf8',
    env: { ...process.env, ASYNC_PLAYBOOK_COMPILE_CACHE: cache }
  })
  return { code: ran.status, stdout: ran.stdout, stderr: ran.stderr }
}

/** The cache files of a folder, by tier. */
function tiers(dir: string): Record<string, string> {
  const found: Record<string, string> = {}
  for (const name of existsSync(dir) ? readdirSync(dir) : []) {
    const match = /\.(full|light)\.v8cache$/.exec(name)
    if (match) found[match[1]!] = path.join(dir, name)
  }
  return found
}

describe('the compile cache of dist/cli.js', () => {
  it('is written light by --version, full by a playbook run, then only read', () => {
    const dir = path.join(work, 'cache')
    expect(cli(['--version'], dir).stdout).toMatch(/^async-playbook \d/)
    expect(Object.keys(tiers(dir))).toEqual(['light'])
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    const ran = cli(['site.yml'], dir)
    expect(ran.stderr).toBe('')
    expect(ran.code).toBe(0)
    expect(ran.stdout).toContain('"r.stdout": "hi"')
    const files = tiers(dir)
    expect(Object.keys(files).sort()).toEqual(['full', 'light'])
    // The name carries the bundle's hash, node's version and the architecture.
    expect(path.basename(files['full']!)).toMatch(
      new RegExp(
        `^[0-9a-f]{24}-${process.version.replace(/\./g, '\\.')}-${process.arch}(?:-[0-9a-f]{8})?\\.full\\.`
      )
    )
    // The full run's data holds more compiled code than --version's.
    expect(statSync(files['full']!).size).toBeGreaterThan(statSync(files['light']!).size)
    const stamp = statSync(files['full']!).mtimeMs
    const again = cli(['site.yml'], dir)
    expect(again.code).toBe(0)
    expect(again.stdout).toBe(ran.stdout)
    expect(statSync(files['full']!).mtimeMs).toBe(stamp)
  })

  it('refuses data V8 rejects and replaces it; reads nothing from a folder others may write', () => {
    const dir = path.join(work, 'cache2')
    cli(['site.yml'], dir)
    const full = tiers(dir)['full']!
    const garbage = Buffer.alloc(statSync(full).size, 7)
    writeFileSync(full, garbage, { mode: 0o600 })
    const ran = cli(['site.yml'], dir)
    expect(ran.code).toBe(0)
    expect(ran.stdout).toContain('"r.stdout": "hi"')
    expect(readFileSync(full).equals(garbage)).toBe(false)
    // A folder others may write: its data is not read (the garbage would be rejected anyway: what shows
    // it unread is that it is not replaced, as nothing is written there either).
    writeFileSync(full, garbage, { mode: 0o600 })
    chmodSync(dir, 0o777)
    const refused = cli(['site.yml'], dir)
    expect(refused.code).toBe(0)
    expect(refused.stdout).toContain('"r.stdout": "hi"')
    expect(readFileSync(full).equals(garbage)).toBe(true)
  })

  it('is off with ASYNC_PLAYBOOK_COMPILE_CACHE=off', () => {
    const ran = cli(['site.yml'], 'off')
    expect(ran.code).toBe(0)
    expect(existsSync(path.join(work, 'off'))).toBe(false)
  })
})

describe('the entry files', () => {
  it('say in one line that dist/app.cjs is missing, with the CLI exit code 250 and an annotation', () => {
    const partial = path.join(work, 'partial')
    mkdirSync(partial)
    for (const entry of ['cli.js', 'index.js', 'post.js'])
      copyFileSync(path.resolve('dist', entry), path.join(partial, entry))
    const ran = spawnSync(process.execPath, [path.join(partial, 'cli.js'), '--version'], {
      encoding: 'utf8'
    })
    expect(ran.status).toBe(250)
    expect(ran.stdout).toBe('')
    expect(ran.stderr).toBe(
      `ERROR! async-playbook cannot load its code from ${path.join(partial, 'app.cjs')} (ENOENT: no ` +
        `such file or directory, open '${path.join(partial, 'app.cjs')}'): reinstall it, or check out all of dist/\n`
    )
    for (const entry of ['index.js', 'post.js']) {
      const step = spawnSync(process.execPath, [path.join(partial, entry)], { encoding: 'utf8' })
      expect(step.status).toBe(1)
      expect(step.stdout).toMatch(
        /^::error::async-playbook cannot load its code from \S+app\.cjs \(ENOENT/
      )
      expect(step.stdout.trimEnd().split('\n')).toHaveLength(1)
    }
  })
})
