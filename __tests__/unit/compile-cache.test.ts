import { spawnSync } from 'node:child_process'
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CompileCache, compileCacheDir, ownedAndPrivate } from '../../src/startup/compile-cache.js'
import { tierToWrite } from '../../src/startup/load-app.js'

let work: string
beforeEach(() => {
  work = mkdtempSync(path.join(tmpdir(), 'apb-compile-cache-'))
})
afterEach(() => rmSync(work, { recursive: true, force: true }))

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0

describe('compileCacheDir', () => {
  it('is the user cache folder, XDG_CACHE_HOME first, or the one ASYNC_PLAYBOOK_COMPILE_CACHE names', () => {
    expect(compileCacheDir({ HOME: '/home/u' })).toBe('/home/u/.cache/async-playbook')
    expect(compileCacheDir({ HOME: '/home/u', XDG_CACHE_HOME: '/x/cache' })).toBe(
      '/x/cache/async-playbook'
    )
    // A relative XDG_CACHE_HOME is ignored, as the XDG specification says.
    expect(compileCacheDir({ HOME: '/home/u', XDG_CACHE_HOME: 'rel' })).toBe(
      '/home/u/.cache/async-playbook'
    )
    expect(compileCacheDir({ HOME: '/home/u', ASYNC_PLAYBOOK_COMPILE_CACHE: '/c' })).toBe('/c')
  })

  it('is none when turned off', () => {
    for (const off of ['off', 'OFF', '0', 'false', 'no'])
      expect(compileCacheDir({ HOME: '/home/u', ASYNC_PLAYBOOK_COMPILE_CACHE: off })).toBe(
        undefined
      )
  })
})

describe('CompileCache', () => {
  it('writes a tier into a private folder, and reads the full tier before the light one', () => {
    const dir = path.join(work, 'nested', 'cache')
    const cache = new CompileCache(dir, 'abc123')
    expect(cache.read()).toBeUndefined()
    expect(cache.write('light', Buffer.from('light data'))).toBe(true)
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    expect(statSync(cache.file('light')).mode & 0o777).toBe(0o600)
    expect(cache.read()).toEqual({ tier: 'light', data: Buffer.from('light data') })
    cache.write('full', Buffer.from('full data'))
    expect(cache.read()).toEqual({ tier: 'full', data: Buffer.from('full data') })
    // The key holds the bundle hash, node's version, the architecture and a hash of node's options if any.
    expect(path.basename(cache.file('full'))).toMatch(
      new RegExp(
        `^abc123-${process.version.replace(/\./g, '\\.')}-${process.arch}(?:-[0-9a-f]{8})?\\.full\\.v8cache$`
      )
    )
    // Another bundle's data is not read.
    expect(new CompileCache(dir, 'other').read()).toBeUndefined()
  })

  it("gives node's options their own data (V8 refuses data made under other flags)", () => {
    const saved = process.env['NODE_OPTIONS']
    try {
      process.env['NODE_OPTIONS'] = '--max-old-space-size=100'
      const a = new CompileCache(work, 'k').file('full')
      process.env['NODE_OPTIONS'] = '--max-old-space-size=200'
      const b = new CompileCache(work, 'k').file('full')
      expect(a).not.toBe(b)
      expect(new CompileCache(work, 'k').file('full')).toBe(b)
    } finally {
      if (saved === undefined) delete process.env['NODE_OPTIONS']
      else process.env['NODE_OPTIONS'] = saved
    }
  })

  it('reads nothing from a folder or file others may write, or through a symbolic link', () => {
    const dir = path.join(work, 'cache')
    const cache = new CompileCache(dir, 'k')
    cache.write('full', Buffer.from('data'))
    chmodSync(dir, 0o770)
    expect(cache.read()).toBeUndefined()
    // Nor written there.
    expect(cache.write('light', Buffer.from('x'))).toBe(false)
    expect(existsSync(cache.file('light'))).toBe(false)
    chmodSync(dir, 0o700)
    chmodSync(cache.file('full'), 0o622)
    expect(cache.read()).toBeUndefined()
    rmSync(cache.file('full'))
    writeFileSync(path.join(work, 'elsewhere'), 'data', { mode: 0o600 })
    symlinkSync(path.join(work, 'elsewhere'), cache.file('full'))
    expect(cache.read()).toBeUndefined()
    expect(ownedAndPrivate(cache.file('full'), 'file')).toBe(false)
  })

  it.runIf(isRoot)('reads nothing from a file another user owns', () => {
    const dir = path.join(work, 'cache')
    const cache = new CompileCache(dir, 'k')
    cache.write('full', Buffer.from('data'))
    chownSync(cache.file('full'), 65534, 65534)
    expect(cache.read()).toBeUndefined()
    chownSync(cache.file('full'), 0, 0)
    chownSync(dir, 65534, 65534)
    expect(cache.read()).toBeUndefined()
  })

  it('removes the files of other keys not written for a week when it writes, and keeps the rest', () => {
    const dir = path.join(work, 'cache')
    mkdirSync(dir, { mode: 0o700 })
    const old = Date.now() / 1000 - 8 * 24 * 3600
    const recent = Date.now() / 1000 - 24 * 3600
    const files = {
      oldOther: path.join(dir, 'old-v18.0.0-x64.full.v8cache'),
      oldTemp: path.join(dir, 'old-v18.0.0-x64.full.v8cache.123.tmp'),
      recentOther: path.join(dir, 'recent-v22.0.0-x64.light.v8cache'),
      unrelated: path.join(dir, 'notes.txt')
    }
    for (const file of Object.values(files)) writeFileSync(file, 'x')
    utimesSync(files.oldOther, old, old)
    utimesSync(files.oldTemp, old, old)
    utimesSync(files.unrelated, old, old)
    utimesSync(files.recentOther, recent, recent)
    const cache = new CompileCache(dir, 'mine')
    cache.write('light', Buffer.from('a'))
    // Its own other tier is never removed, however old.
    utimesSync(cache.file('light'), old, old)
    cache.write('full', Buffer.from('b'))
    expect(existsSync(files.oldOther)).toBe(false)
    expect(existsSync(files.oldTemp)).toBe(false)
    expect(existsSync(files.recentOther)).toBe(true)
    expect(existsSync(files.unrelated)).toBe(true)
    expect(existsSync(cache.file('light'))).toBe(true)
  })

  it('leaves no temporary file behind when the rename fails', () => {
    const dir = path.join(work, 'cache')
    const cache = new CompileCache(dir, 'k')
    // A folder where the tier's file goes: the rename fails.
    mkdirSync(cache.file('full'), { recursive: true })
    writeFileSync(path.join(cache.file('full'), 'x'), 'x')
    expect(cache.write('full', Buffer.from('data'))).toBe(false)
    expect(existsSync(`${cache.file('full')}.${process.pid}.tmp`)).toBe(false)
  })
})

describe('tierToWrite', () => {
  it('writes the full tier after a playbook ran without it, the light one only where none was read', () => {
    expect(tierToWrite(undefined, true)).toBe('full')
    expect(tierToWrite('light', true)).toBe('full')
    expect(tierToWrite('full', true)).toBeUndefined()
    expect(tierToWrite(undefined, false)).toBe('light')
    expect(tierToWrite('light', false)).toBeUndefined()
    expect(tierToWrite('full', false)).toBeUndefined()
  })
})

describe('loadApp', () => {
  /** Runs a node process that loads `bundle` through loadApp (from the sources, bundled on the fly). */
  function runLoader(bundle: string, cacheDir: string, ranPlaybook: boolean) {
    const loader = path.join(work, 'loader.mjs')
    if (!existsSync(loader)) {
      const built = spawnSync(
        process.execPath,
        [
          '-e',
          `require('esbuild').buildSync({ entryPoints: [${JSON.stringify(
            path.resolve('src/startup/load-app.ts')
          )}], bundle: true, platform: 'node', format: 'esm', outfile: ${JSON.stringify(loader)}, logLevel: 'silent' })`
        ],
        { encoding: 'utf8' }
      )
      expect(built.status, built.stderr).toBe(0)
    }
    const script = [
      `import { loadApp } from ${JSON.stringify(loader)}`,
      `const app = loadApp(${JSON.stringify(bundle)}, 'testhash')`,
      `process.stdout.write(String(app.answer(${ranPlaybook})))`
    ].join('\n')
    const main = path.join(work, 'main.mjs')
    writeFileSync(main, script)
    // No node options: the cache's name is then the plain key (the test's `cache`).
    const env: NodeJS.ProcessEnv = { ...process.env, ASYNC_PLAYBOOK_COMPILE_CACHE: cacheDir }
    delete env['NODE_OPTIONS']
    return spawnSync(process.execPath, [main], { encoding: 'utf8', env })
  }

  it('runs a CommonJS bundle, keeps its compiled code and refuses data V8 rejects', () => {
    const bundle = path.join(work, 'app.cjs')
    writeFileSync(
      bundle,
      [
        'let ran = false',
        'const helper = require("node:path").basename(__filename)',
        'exports.answer = (r) => { ran = r; return `${helper} ${typeof module.exports.answer}` }',
        'exports.ranPlaybook = () => ran',
        ''
      ].join('\n')
    )
    const dir = path.join(work, 'cache')
    // The child's key: no node options there.
    const cache = {
      file: (tier: string) =>
        path.join(dir, `testhash-${process.version}-${process.arch}.${tier}.v8cache`)
    }
    const first = runLoader(bundle, dir, false)
    expect(first.stderr).toBe('')
    expect(first.stdout).toBe('app.cjs function')
    expect(existsSync(cache.file('light'))).toBe(true)
    expect(existsSync(cache.file('full'))).toBe(false)
    // A run that ran a playbook writes the full tier; then nothing more is written.
    expect(runLoader(bundle, dir, true).stdout).toBe('app.cjs function')
    const full = readFileSync(cache.file('full'))
    expect(full.length).toBeGreaterThan(0)
    const stamp = statSync(cache.file('full')).mtimeMs
    expect(runLoader(bundle, dir, true).stdout).toBe('app.cjs function')
    expect(statSync(cache.file('full')).mtimeMs).toBe(stamp)
    // Data V8 rejects (garbage here) is not used, and a good one replaces it.
    writeFileSync(cache.file('full'), 'not V8 data', { mode: 0o600 })
    expect(runLoader(bundle, dir, true).stdout).toBe('app.cjs function')
    const rewritten = readFileSync(cache.file('full'))
    expect(rewritten.toString('latin1')).not.toBe('not V8 data')
    expect(rewritten.length).toBe(full.length)
  })
})
