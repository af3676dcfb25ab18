// Builds the bundles in dist/. Deterministic: same sources, same bytes (CI rebuilds and compares).
//
// Three entry points (the action's main and post steps, and the CLI) share most of their code, ssh2 above all.
// They are built together with code splitting: each entry file holds only what it alone uses, and the code
// two or three of them share lives once in dist/chunks/. Chunk names carry a hash of their content, so a
// rebuild of the same sources writes the same names; the entries import their chunks by relative path,
// which works from a checkout (`uses: owner/repo@ref`) and from an npm install (`bin`).
import { build } from 'esbuild'
import { rmSync } from 'node:fs'

// ssh2 and friends are CommonJS and use require/__dirname; give every ESM output file those names.
const banner = [
  "import { createRequire as __apCreateRequire } from 'node:module';",
  "import { fileURLToPath as __apFileURLToPath } from 'node:url';",
  "import { dirname as __apDirname } from 'node:path';",
  'const require = __apCreateRequire(import.meta.url);',
  'const __filename = __apFileURLToPath(import.meta.url);',
  'const __dirname = __apDirname(__filename);'
].join('\n')

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
  entryPoints: { index: 'src/index.ts', post: 'src/post.ts', cli: 'src/cli.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  platform: 'node',
  target: 'node20',
  format: 'esm',
  legalComments: 'none',
  // The optional native addons of ssh2 are loaded inside try/catch and fall back to pure JS.
  external: ['*.node', 'cpu-features', 'chokidar', 'fsevents'],
  loader: { '.sh': 'text' },
  banner: { js: banner },
  plugins: [unusedHttpClient, unusedAtStartup],
  logLevel: 'warning'
})
