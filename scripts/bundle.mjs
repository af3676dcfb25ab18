// Builds the self-contained bundles in dist/. Deterministic: same sources, same bytes.
import { build } from 'esbuild'
import { rmSync } from 'node:fs'

// ssh2 and friends are CommonJS and use require/__dirname; give the ESM bundle those names.
const banner = [
  "import { createRequire as __apCreateRequire } from 'node:module';",
  "import { fileURLToPath as __apFileURLToPath } from 'node:url';",
  "import { dirname as __apDirname } from 'node:path';",
  'const require = __apCreateRequire(import.meta.url);',
  'const __filename = __apFileURLToPath(import.meta.url);',
  'const __dirname = __apDirname(__filename);'
].join('\n')

rmSync('dist', { recursive: true, force: true })
await build({
  entryPoints: { index: 'src/index.ts', post: 'src/post.ts', cli: 'src/cli.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: false,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  legalComments: 'none',
  // The optional native addons of ssh2 are loaded inside try/catch and fall back to pure JS.
  external: ['*.node', 'cpu-features', 'chokidar', 'fsevents'],
  loader: { '.sh': 'text' },
  banner: { js: banner },
  logLevel: 'warning'
})
