import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { Script } from 'node:vm'
import { CACHE_TIERS, CompileCache, compileCacheDir, type CacheTier } from './compile-cache.js'

/** What dist/app.cjs exports (src/app.ts). */
export interface App {
  cliMain(argv: string[]): Promise<number>
  actionMain(): Promise<void>
  postMain(): Promise<void>
  /** How far this process went: 0 nothing run, 1 a playbook ran, 2 and logged in over SSH. */
  runReach(): 0 | 1 | 2
}

/**
 * Loads the bundle `file` (CommonJS) the way node's own loader would, but compiled with V8's code cache when
 * one is kept for it (see compile-cache.ts), and arranges for the cache to be written at exit when this run
 * improves it. `bundleHash` is the bundle's content hash, set at build time.
 */
export function loadApp(file: string, bundleHash: string): App {
  const fd = openSync(file, 'r')
  let source: string
  let stat
  try {
    stat = fstatSync(fd)
    source = readFileSync(fd, 'utf8')
  } finally {
    closeSync(fd)
  }
  const dir = compileCacheDir()
  const cache = dir === undefined ? undefined : new CompileCache(dir, bundleHash, stat)
  const cached = cache?.read()
  // The wrapper node puts around a CommonJS file, on the source's first line: line numbers stay the file's.
  const script = new Script(
    `(function (exports, require, module, __filename, __dirname) {${source}\n})`,
    {
      filename: file,
      ...(cached ? { cachedData: cached.data } : {})
    }
  )
  const module = { exports: {} as App }
  const load = script.runInThisContext() as (
    exports: object,
    require: NodeJS.Require,
    module: object,
    filename: string,
    dirname: string
  ) => void
  load(module.exports, createRequire(file), module, file, path.dirname(file))
  const app = module.exports
  if (cache) {
    const have = cached && !script.cachedDataRejected ? cached.tier : undefined
    process.once('exit', () => {
      // A cache is only ever a faster start: nothing here may change how the process ends.
      try {
        const tier = tierToWrite(have, app.runReach())
        if (tier) cache.write(tier, script.createCachedData())
      } catch {
        // Not kept.
      }
    })
  }
  return app
}

/** The tier a run writes at its exit, given the tier it read (if any) and how far it went. */
export function tierToWrite(have: CacheTier | undefined, reach: 0 | 1 | 2): CacheTier | undefined {
  const tier = CACHE_TIERS[reach]
  return have === undefined || CACHE_TIERS.indexOf(have) < reach ? tier : undefined
}
