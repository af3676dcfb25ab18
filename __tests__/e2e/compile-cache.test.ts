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
import { sshdInventory } from '../helpers/engine.js'
import { startSshd, type SshdFixture } from '../helpers/sshd.js'

const CLI = path.resolve('dist/cli.js')
let work: string
let sshd: SshdFixture

beforeAll(async () => {
  sshd = await startSshd({ name: 'e2e-cache' })
  work = mkdtempSync(path.join(tmpdir(), 'apb-e2e-cache-'))
  writeFileSync(path.join(work, 'inventory.ini'), sshdInventory(sshd, { hosts: ['web1'] }))
  const tasks =
    '  gather_facts: false\n  tasks:\n    - command: echo hi\n      register: r\n    - debug: {var: r.stdout}\n'
  writeFileSync(path.join(work, 'local.yml'), `- hosts: localhost\n${tasks}`)
  writeFileSync(path.join(work, 'remote.yml'), `- hosts: web\n${tasks}`)
})
afterAll(async () => {
  rmSync(work, { recursive: true, force: true })
  await sshd?.stop()
})

function cli(args: string[], cache: string) {
  const ran = spawnSync(process.execPath, [CLI, ...args], {
    cwd: work,
    encoding: 'utf8',
    env: { ...process.env, ASYNC_PLAYBOOK_COMPILE_CACHE: cache }
  })
  return { code: ran.status, stdout: ran.stdout, stderr: ran.stderr }
}

const REMOTE = ['remote.yml', '-i', 'inventory.ini', '--known-hosts']

/** The cache files of a folder, by tier. */
function tiers(dir: string): Record<string, string> {
  const found: Record<string, string> = {}
  for (const name of existsSync(dir) ? readdirSync(dir) : []) {
    const match = /\.(full|run|light)\.v8cache$/.exec(name)
    if (match) found[match[1]!] = path.join(dir, name)
  }
  return found
}

describe('the compile cache of dist/cli.js', () => {
  it('is written by how far a run went (--version, a local run, an SSH run), then only read', () => {
    const dir = path.join(work, 'cache')
    expect(cli(['--version'], dir).stdout).toMatch(/^async-playbook \d/)
    expect(Object.keys(tiers(dir))).toEqual(['light'])
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    const local = cli(['local.yml'], dir)
    expect(local.stderr).toBe('')
    expect(local.code).toBe(0)
    expect(local.stdout).toContain('"r.stdout": "hi"')
    expect(Object.keys(tiers(dir)).sort()).toEqual(['light', 'run'])
    const remote = cli([...REMOTE, sshd.knownHostsPath], dir)
    expect(remote.stderr).toBe('')
    expect(remote.code).toBe(0)
    expect(remote.stdout).toMatch(/web1\s+: ok=2\s+changed=1/)
    const files = tiers(dir)
    expect(Object.keys(files).sort()).toEqual(['full', 'light', 'run'])
    // The name: the bundle's hash, hashes of the bundle file's stat and of node's options, node's
    // version, the architecture.
    expect(path.basename(files['full']!)).toMatch(
      new RegExp(
        `^[0-9a-f]{24}-[0-9a-f]{12}-[0-9a-f]{12}-${process.version.replace(/\./g, '\\.')}-${process.arch}\\.full\\.v8cache$`
      )
    )
    // Each tier holds more compiled code than the one below: ssh2's, the engine's.
    const size = (tier: string) => statSync(files[tier]!).size
    expect(size('full')).toBeGreaterThan(size('run'))
    expect(size('run')).toBeGreaterThan(size('light'))
    // Then nothing is written again (a rename would make a new inode).
    const inodes = Object.values(files).map((file) => statSync(file).ino)
    expect(cli([...REMOTE, sshd.knownHostsPath], dir).stdout).toBe(remote.stdout)
    expect(cli(['local.yml'], dir).stdout).toBe(local.stdout)
    expect(cli(['--version'], dir).code).toBe(0)
    expect(Object.values(tiers(dir)).map((file) => statSync(file).ino)).toEqual(inodes)
  })

  it('replaces damaged data; reads nothing from a folder others may write', () => {
    const dir = path.join(work, 'cache2')
    cli(['local.yml'], dir)
    const file = tiers(dir)['run']!
    const good = readFileSync(file)
    const damaged = Buffer.from(good)
    damaged[good.length >> 1] = damaged[good.length >> 1]! ^ 1
    writeFileSync(file, damaged, { mode: 0o600 })
    const ran = cli(['local.yml'], dir)
    expect(ran.code).toBe(0)
    expect(ran.stdout).toContain('"r.stdout": "hi"')
    expect(readFileSync(file).equals(damaged)).toBe(false)
    // A folder others may write: its data is neither read nor replaced.
    writeFileSync(file, damaged, { mode: 0o600 })
    chmodSync(dir, 0o777)
    const refused = cli(['local.yml'], dir)
    expect(refused.code).toBe(0)
    expect(refused.stdout).toContain('"r.stdout": "hi"')
    expect(readFileSync(file).equals(damaged)).toBe(true)
  })

  it('is off with ASYNC_PLAYBOOK_COMPILE_CACHE=off', () => {
    const ran = cli(['local.yml'], 'off')
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
