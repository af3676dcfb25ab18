// Builds the bundles in dist/. Deterministic: same sources, same bytes (CI rebuilds and compares).
//
// The action's main and post steps and the CLI run the same code, ssh2 above all: it is one CommonJS bundle,
// dist/app.cjs (src/app.ts). Each use has a small entry file (dist/index.js, dist/post.js, dist/cli.js, from
// src/entries/) that loads it by relative path (which works from a checkout, `uses: owner/repo@ref`, and
// from an npm install, `bin`) through src/startup/load-app.ts: compiled with V8's code cache kept from an
// earlier run, which a CommonJS source allows (node's vm.Script) and an ES module does not on node 20.
// The entries carry the bundle's content hash, the cache's key.
import { build } from 'esbuild'
import { createHash } from 'node:crypto'
import { readFileSync, rmSync } from 'node:fs'

/**
 * @actions/core imports @actions/http-client (and through it undici, ~800 KB) only for getIDToken, which we
 * never call. Both packages do nothing when loaded, but esbuild cannot know that of undici (CommonJS) and
 * keeps it. Declaring them free of side effects lets esbuild drop them when nothing we use needs them; if a
 * future change calls getIDToken, they are bundled again, as they should be.
 */
const unusedHttpClient = {
  name: 'side-effect-free-http-client',
  setup(pluginBuild) {
    pluginBuild.onResolve(
      { filter: /^(?:@actions\/http-client(?:\/.*)?|undici)$/ },
      async (args) => {
        if (args.pluginData?.sideEffectFree) return undefined
        const resolved = await pluginBuild.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: { sideEffectFree: true }
        })
        if (resolved.errors.length > 0) return { errors: resolved.errors }
        return { ...resolved, sideEffects: false }
      }
    )
  }
}

/**
 * Two modules our dependencies load at start-up for features we never use, which each CLI run and action
 * step paid for before any work (about a tenth of the CPU time of loading the bundle): ssh2's HTTP(S)
 * agents over SSH (they load node:http, node:https and TLS; we tunnel nothing over HTTP), and node-ssh's
 * `make-dir` (with semver; only its getDirectory uses it, we do not). Each is replaced by a stub whose
 * use fails loudly, naming this plugin, so that a future change that needs one cannot miss it.
 */
const unusedAtStartup = {
  name: 'stub-unused-at-startup',
  setup(pluginBuild) {
    const stubs = {
      'ssh2-http-agents': [
        'const unused = (name) => class { constructor() { throw new Error(`ssh2 ${name} is not bundled (scripts/bundle.mjs stubs it)`) } }',
        "export const SSHTTPAgent = unused('HTTPAgent')",
        "export const SSHTTPSAgent = unused('HTTPSAgent')"
      ],
      'make-dir': [
        'export default function makeDir() {',
        "  throw new Error('make-dir is not bundled (scripts/bundle.mjs stubs it): node-ssh getDirectory is not used')",
        '}'
      ]
    }
    pluginBuild.onResolve({ filter: /^\.\/http-agents\.js$/ }, (args) =>
      /[\\/]ssh2[\\/]lib$/.test(args.resolveDir)
        ? { path: 'ssh2-http-agents', namespace: 'unused-stub' }
        : undefined
    )
    pluginBuild.onResolve({ filter: /^make-dir$/ }, (args) =>
      /[\\/]node-ssh[\\/]/.test(args.importer)
        ? { path: 'make-dir', namespace: 'unused-stub' }
        : undefined
    )
    pluginBuild.onLoad({ filter: /.*/, namespace: 'unused-stub' }, (args) => ({
      contents: stubs[args.path].join('\n'),
      loader: 'js'
    }))
  }
}

rmSync('dist', { recursive: true, force: true })
await build({
  entryPoints: { app: 'src/app.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  legalComments: 'none',
  // The optional native addons of ssh2 are loaded inside try/catch and fall back to pure JS.
  external: ['*.node', 'cpu-features', 'chokidar', 'fsevents'],
  loader: { '.sh': 'text' },
  plugins: [unusedHttpClient, unusedAtStartup],
  logLevel: 'warning'
})
const appSource = readFileSync('dist/app.cjs')
// src/startup/load-app.ts compiles the bundle with node:vm, where a dynamic import() has no loader on node
// 20 (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING at run time): none may be bundled.
if (/\bimport\s*\(/.test(appSource.toString('utf8'))) {
  console.error(
    'dist/app.cjs holds a dynamic import(), which src/startup/load-app.ts cannot load: use a static import'
  )
  process.exit(1)
}
const bundleHash = createHash('sha256').update(appSource).digest('hex').slice(0, 24)
await build({
  entryPoints: {
    index: 'src/entries/index.ts',
    post: 'src/entries/post.ts',
    cli: 'src/entries/cli.ts'
  },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  legalComments: 'none',
  define: { APB_BUNDLE_HASH: JSON.stringify(bundleHash) },
  logLevel: 'warning'
})
