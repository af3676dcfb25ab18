import { spawnSync } from 'node:child_process'
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
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
/** A bundle file's stat as CompileCache keys it. */
const BUNDLE = { size: 1000, mtimeMs: 1_700_000_000_000, ino: 42 }

/** The cache files of a folder, by tier. */
function tiers(dir: string): Record<string, string> {
  const found: Record<string, string> = {}
  for (const name of existsSync(dir) ? readdirSync(dir) : []) {
    const match = /\.(full|run|light)\.v8cache$/.exec(name)
    if (match) found[match[1]!] = path.join(dir, name)
  }
  return found
}

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
  it('writes a tier into a private folder, and reads the best tier kept', () => {
    const dir = path.join(work, 'nested', 'cache')
    const cache = new CompileCache(dir, 'abc123', BUNDLE)
    expect(cache.read()).toBeUndefined()
    expect(cache.write('light', Buffer.from('light data'))).toBe(true)
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    expect(statSync(cache.file('light')).mode & 0o777).toBe(0o600)
    expect(cache.read()).toEqual({ tier: 'light', data: Buffer.from('light data') })
    cache.write('full', Buffer.from('full data'))
    expect(cache.read()).toEqual({ tier: 'full', data: Buffer.from('full data') })
    cache.write('run', Buffer.from('run data'))
    expect(cache.read()).toEqual({ tier: 'full', data: Buffer.from('full data') })
    rmSync(cache.file('full'))
    expect(cache.read()).toEqual({ tier: 'run', data: Buffer.from('run data') })
    // The key: the build, a hash of the bundle file's stat and of node's options, node's version, the
    // architecture.
    expect(path.basename(cache.file('full'))).toMatch(
      new RegExp(
        `^abc123-[0-9a-f]{12}-[0-9a-f]{12}-${process.version.replace(/\./g, '\\.')}-${process.arch}\\.full\\.v8cache$`
      )
    )
    // Another build's data is not read.
    expect(new CompileCache(dir, 'other', BUNDLE).read()).toBeUndefined()
  })

  it('keys the bundle file as loaded: a file edited after the build has its own data', () => {
    const dir = path.join(work, 'cache')
    new CompileCache(dir, 'b', BUNDLE).write('full', Buffer.from('old'))
    for (const changed of [
      { ...BUNDLE, mtimeMs: BUNDLE.mtimeMs + 1 },
      { ...BUNDLE, ino: BUNDLE.ino + 1 },
      { ...BUNDLE, size: BUNDLE.size + 1 }
    ])
      expect(new CompileCache(dir, 'b', changed).read()).toBeUndefined()
    // Writing for the new copy of the same build removes the old copy's data at once.
    const other = new CompileCache(dir, 'otherbuild', BUNDLE)
    other.write('full', Buffer.from('kept'))
    const replaced = new CompileCache(dir, 'b', { ...BUNDLE, ino: 7 })
    replaced.write('light', Buffer.from('new'))
    expect(readdirSync(dir).sort()).toEqual(
      [path.basename(other.file('full')), path.basename(replaced.file('light'))].sort()
    )
    expect(new CompileCache(dir, 'b', BUNDLE).read()).toBeUndefined()
    expect(other.read()).toEqual({ tier: 'full', data: Buffer.from('kept') })
    expect(replaced.read()).toEqual({ tier: 'light', data: Buffer.from('new') })
  })

  it("gives node's options their own data (V8 refuses data made under other flags)", () => {
    const saved = process.env['NODE_OPTIONS']
    try {
      process.env['NODE_OPTIONS'] = '--max-old-space-size=100'
      const a = new CompileCache(work, 'k', BUNDLE).file('full')
      process.env['NODE_OPTIONS'] = '--max-old-space-size=200'
      const b = new CompileCache(work, 'k', BUNDLE).file('full')
      expect(a).not.toBe(b)
      expect(new CompileCache(work, 'k', BUNDLE).file('full')).toBe(b)
    } finally {
      if (saved === undefined) delete process.env['NODE_OPTIONS']
      else process.env['NODE_OPTIONS'] = saved
    }
  })

  it('reads no damaged data: each file carries the SHA-256 of its data', () => {
    const dir = path.join(work, 'cache')
    const cache = new CompileCache(dir, 'k', BUNDLE)
    const data = Buffer.alloc(4096, 1)
    cache.write('full', data)
    const good = readFileSync(cache.file('full'))
    expect(good.length).toBe(8 + 32 + data.length)
    for (const offset of [0, 7, 8, 39, 40, 2000, good.length - 1]) {
      const damaged = Buffer.from(good)
      damaged[offset] = damaged[offset]! ^ 0x40
      writeFileSync(cache.file('full'), damaged, { mode: 0o600 })
      expect(cache.read(), `byte ${offset} flipped`).toBeUndefined()
    }
    writeFileSync(cache.file('full'), good.subarray(0, good.length - 1), { mode: 0o600 })
    expect(cache.read()).toBeUndefined()
    writeFileSync(cache.file('full'), good, { mode: 0o600 })
    expect(cache.read()).toEqual({ tier: 'full', data })
  })

  it('reads nothing from a folder or file others may write, or through a symbolic link', () => {
    const dir = path.join(work, 'cache')
    const cache = new CompileCache(dir, 'k', BUNDLE)
    cache.write('full', Buffer.from('data'))
    expect(cache.read()?.data).toEqual(Buffer.from('data'))
    chmodSync(dir, 0o770)
    expect(cache.read()).toBeUndefined()
    // Nor written there.
    expect(cache.write('light', Buffer.from('x'))).toBe(false)
    expect(existsSync(cache.file('light'))).toBe(false)
    chmodSync(dir, 0o700)
    chmodSync(cache.file('full'), 0o622)
    expect(cache.read()).toBeUndefined()
    chmodSync(cache.file('full'), 0o600)
    // A symbolic link to a good file of ours: not followed.
    const elsewhere = path.join(work, 'elsewhere')
    writeFileSync(elsewhere, readFileSync(cache.file('full')), { mode: 0o600 })
    rmSync(cache.file('full'))
    symlinkSync(elsewhere, cache.file('full'))
    expect(cache.read()).toBeUndefined()
    expect(ownedAndPrivate(cache.file('full'), 'file')).toBe(false)
  })

  it.runIf(isRoot)('reads nothing from a file or folder another user owns', () => {
    const dir = path.join(work, 'cache')
    const cache = new CompileCache(dir, 'k', BUNDLE)
    cache.write('full', Buffer.from('data'))
    chownSync(cache.file('full'), 65534, 65534)
    expect(cache.read()).toBeUndefined()
    chownSync(cache.file('full'), 0, 0)
    expect(cache.read()).toBeDefined()
    chownSync(dir, 65534, 65534)
    expect(cache.read()).toBeUndefined()
  })

  it.runIf(isRoot)(
    "makes no folder under another user's (root with that user's HOME, as sudo without -H)",
    () => {
      const home = path.join(work, 'home')
      mkdirSync(home, { mode: 0o755 })
      chownSync(home, 65534, 65534)
      const cache = new CompileCache(path.join(home, '.cache', 'async-playbook'), 'k', BUNDLE)
      expect(cache.write('full', Buffer.from('data'))).toBe(false)
      expect(readdirSync(home)).toEqual([])
      // Under a folder of its own it makes every missing level.
      const mine = new CompileCache(path.join(work, 'a', 'b', 'c'), 'k', BUNDLE)
      expect(mine.write('full', Buffer.from('data'))).toBe(true)
    }
  )

  it('removes other builds not written for a week and dead writers, and keeps the rest', () => {
    const dir = path.join(work, 'cache')
    mkdirSync(dir, { mode: 0o700 })
    const days = (n: number) => Date.now() / 1000 - n * 24 * 3600
    const files = {
      oldOther: path.join(dir, 'old-aaa-bbb-v18.0.0-x64.full.v8cache'),
      recentOther: path.join(dir, 'recent-aaa-bbb-v22.0.0-x64.light.v8cache'),
      deadTemporary: path.join(dir, 'recent-aaa-bbb-v22.0.0-x64.light.v8cache.99.tmp'),
      liveTemporary: path.join(dir, 'recent-aaa-bbb-v22.0.0-x64.full.v8cache.98.tmp'),
      unrelated: path.join(dir, 'notes.txt')
    }
    for (const file of Object.values(files)) writeFileSync(file, 'x')
    utimesSync(files.oldOther, days(8), days(8))
    utimesSync(files.recentOther, days(1), days(1))
    utimesSync(files.deadTemporary, days(0.1), days(0.1))
    utimesSync(files.unrelated, days(30), days(30))
    const cache = new CompileCache(dir, 'mine', BUNDLE)
    cache.write('light', Buffer.from('a'))
    // Its own other tier is never removed, however old.
    utimesSync(cache.file('light'), days(30), days(30))
    cache.write('full', Buffer.from('b'))
    expect(existsSync(files.oldOther)).toBe(false)
    expect(existsSync(files.deadTemporary)).toBe(false)
    expect(existsSync(files.recentOther)).toBe(true)
    expect(existsSync(files.liveTemporary)).toBe(true)
    expect(existsSync(files.unrelated)).toBe(true)
    expect(existsSync(cache.file('light'))).toBe(true)
  })

  it('leaves no temporary file behind when the rename fails', () => {
    const dir = path.join(work, 'cache')
    const cache = new CompileCache(dir, 'k', BUNDLE)
    // A folder where the tier's file goes: the rename fails.
    mkdirSync(cache.file('full'), { recursive: true })
    writeFileSync(path.join(cache.file('full'), 'x'), 'x')
    expect(cache.write('full', Buffer.from('data'))).toBe(false)
    expect(existsSync(`${cache.file('full')}.${process.pid}.tmp`)).toBe(false)
  })
})

describe('tierToWrite', () => {
  it('writes the tier of how far the run went, when better than what it read', () => {
    expect(tierToWrite(undefined, 0)).toBe('light')
    expect(tierToWrite('light', 0)).toBeUndefined()
    expect(tierToWrite('full', 0)).toBeUndefined()
    expect(tierToWrite(undefined, 1)).toBe('run')
    expect(tierToWrite('light', 1)).toBe('run')
    expect(tierToWrite('run', 1)).toBeUndefined()
    expect(tierToWrite('full', 1)).toBeUndefined()
    expect(tierToWrite(undefined, 2)).toBe('full')
    expect(tierToWrite('light', 2)).toBe('full')
    expect(tierToWrite('run', 2)).toBe('full')
    expect(tierToWrite('full', 2)).toBeUndefined()
  })
})

describe('loadApp', () => {
  /** Runs a node process that loads `bundle` through loadApp (from the sources, bundled on the fly). */
  function runLoader(bundle: string, cacheDir: string, reach: number) {
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
    const main = path.join(work, 'main.mjs')
    writeFileSync(
      main,
      [
        `import { loadApp } from ${JSON.stringify(loader)}`,
        `const app = loadApp(${JSON.stringify(bundle)}, 'testhash')`,
        `process.stdout.write(String(app.answer(${reach})))`
      ].join('\n')
    )
    return spawnSync(process.execPath, [main], {
      encoding: 'utf8',
      env: { ...process.env, ASYNC_PLAYBOOK_COMPILE_CACHE: cacheDir }
    })
  }

  it('runs a CommonJS bundle, keeps its compiled code by tier and refuses data V8 rejects', () => {
    const bundle = path.join(work, 'app.cjs')
    writeFileSync(
      bundle,
      [
        'let reach = 0',
        'const helper = require("node:path").basename(__filename)',
        'exports.answer = (r) => { reach = r; return `${helper} ${typeof module.exports.answer}` }',
        'exports.runReach = () => reach',
        ''
      ].join('\n')
    )
    const dir = path.join(work, 'cache')
    const first = runLoader(bundle, dir, 0)
    expect(first.stderr).toBe('')
    expect(first.stdout).toBe('app.cjs function')
    expect(Object.keys(tiers(dir))).toEqual(['light'])
    // A run that went further writes its tier; one that went no further than what it read writes nothing.
    expect(runLoader(bundle, dir, 1).stdout).toBe('app.cjs function')
    expect(Object.keys(tiers(dir)).sort()).toEqual(['light', 'run'])
    expect(runLoader(bundle, dir, 2).stdout).toBe('app.cjs function')
    const full = tiers(dir)['full']!
    const written = statSync(full)
    for (const reach of [0, 1, 2]) {
      expect(runLoader(bundle, dir, reach).stdout).toBe('app.cjs function')
      // A rename makes a new inode: the same one shows the file untouched.
      expect(statSync(full).ino).toBe(written.ino)
    }
    // Data V8 rejects (a good sum over bytes that are not V8's) is not used, and good data replaces it.
    const garbage = new CompileCache(dir, 'x', BUNDLE)
    garbage.write('full', Buffer.from('not V8 data'))
    writeFileSync(full, readFileSync(garbage.file('full')), { mode: 0o600 })
    expect(runLoader(bundle, dir, 2).stdout).toBe('app.cjs function')
    expect(statSync(full).ino).not.toBe(written.ino)
    expect(readFileSync(full).length).toBe(written.size)
  })

  it('ends as the app does when writing the cache fails', () => {
    const bundle = path.join(work, 'app.cjs')
    // No runReach: the exit handler's call throws; the process still ends quietly with its own code.
    writeFileSync(bundle, 'exports.answer = () => { process.exitCode = 3; return "done" }\n')
    const ran = runLoader(bundle, path.join(work, 'cache'), 2)
    expect(ran.stdout).toBe('done')
    expect(ran.stderr).toBe('')
    expect(ran.status).toBe(3)
  })
})
