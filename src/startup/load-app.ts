import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { Script } from 'node:vm'
import { CompileCache, compileCacheDir, type CacheTier } from './compile-cache.js'

/** What dist/app.cjs exports (src/app.ts). */
export interface App {
  cliMain(argv: string[]): Promise<number>
  actionMain(): Promise<void>
  postMain(): Promise<void>
  /** True once a playbook run started in this process (its code is then worth keeping compiled). */
  ranPlaybook(): boolean
}

/**
 * Loads the bundle `file` (CommonJS) the way node's own loader would, but compiled with V8's code cache when
 * one is kept for it (see compile-cache.ts), and arranges for the cache to be written at exit when this run
 * improves it. `bundleHash` is the bundle's content hash, set at build time.
 */
export function loadApp(file: string, bundleHash: string): App {
  const source = readFileSync(file, 'utf8')
  const dir = compileCacheDir()
  const cache = dir === undefined ? undefined : new CompileCache(dir, bundleHash)
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
    const have: CacheTier | undefined =
      cached && !script.cachedDataRejected ? cached.tier : undefined
    process.once('exit', () => {
      const tier = tierToWrite(have, app.ranPlaybook())
      if (tier) cache.write(tier, script.createCachedData())
    })
  }
  return app
}

/** The tier a run writes at its exit, given the tier it read (if any) and whether it ran a playbook. */
export function tierToWrite(
  have: CacheTier | undefined,
  ranPlaybook: boolean
): CacheTier | undefined {
  if (ranPlaybook) return have === 'full' ? undefined : 'full'
  return have === undefined ? 'light' : undefined
}
