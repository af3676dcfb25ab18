// Lets Node import src/**/*.sh as text (a default-exported string), as the esbuild bundle and the Vitest
// config do, so tools that run the TypeScript sources directly (npm run local-action) can load them.
//   NODE_OPTIONS="--import ./scripts/sh-text-loader.mjs" <command>
import { readFile } from 'node:fs/promises'
import { register } from 'node:module'
import { fileURLToPath } from 'node:url'
import { isMainThread } from 'node:worker_threads'

/**
 * Module load hook: a `.sh` file becomes `export default "<its text>"`; everything else passes through.
 * @param {string} url
 * @param {object} context
 * @param {(url: string, context: object) => Promise<object>} nextLoad
 */
export async function load(url, context, nextLoad) {
  if (url.startsWith('file:') && url.endsWith('.sh')) {
    const text = await readFile(fileURLToPath(url), 'utf8')
    return {
      format: 'module',
      source: `export default ${JSON.stringify(text)}`,
      shortCircuit: true
    }
  }
  return nextLoad(url, context)
}

// Hooks run on their own thread, which loads this file again: register only from the main thread.
if (isMainThread) register(import.meta.url)
