import { fileURLToPath } from 'node:url'
import { loadApp, type App } from '../startup/load-app.js'

/** The bundle's content hash, set by scripts/bundle.mjs when it builds the entry files. */
declare const APB_BUNDLE_HASH: string

/**
 * Loads dist/app.cjs, beside the entry file that bundles this. When it cannot be loaded (a partial copy
 * of dist/, an unreadable file), says so in one line, as an error annotation in a workflow step, sets the
 * exit code and returns undefined.
 */
export function loadBundledApp(use: 'cli' | 'action'): App | undefined {
  const file = fileURLToPath(new URL('./app.cjs', import.meta.url))
  try {
    return loadApp(file, APB_BUNDLE_HASH)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    const message = `async-playbook cannot load its code from ${file} (${reason}): reinstall it, or check out all of dist/`
    if (use === 'action') process.stdout.write(`::error::${workflowCommandData(message)}\n`)
    else process.stderr.write(`ERROR! ${message}\n`)
    process.exitCode = use === 'cli' ? 250 : 1
    return undefined
  }
}

/** A workflow command's data, escaped as @actions/core does (that package lives in the bundle). */
function workflowCommandData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}
