// The benchmark's sshd is the integration test bed itself (__tests__/helpers/sshd.ts): a real OpenSSH sshd on
// 127.0.0.1 with throwaway keys, logging in as the unprivileged `apbtest` when run as root. The helper is
// compiled on the fly with esbuild (already a dev dependency), so `npm run bench` needs no TypeScript loader
// and the bench and the tests cannot drift apart.
import { build } from 'esbuild'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/**
 * Starts a fresh sshd with throwaway keys (see __tests__/helpers/sshd.ts for the fixture's fields).
 * @param {{ name?: string, extraConfig?: string[] }} [options]
 */
export async function startSshd(options = { name: 'bench' }) {
  // The bench measures OpenSSH: never the helper's in-process fallback server.
  process.env.APB_REQUIRE_SSHD ??= '1'
  const outfile = path.join(ROOT, '.tmp', 'bench', 'sshd-helper.mjs')
  await build({
    entryPoints: [path.join(ROOT, '__tests__', 'helpers', 'sshd.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile,
    logLevel: 'silent'
  })
  const helper = await import(pathToFileURL(outfile).href)
  return helper.startSshd(options)
}
