import { fileURLToPath } from 'node:url'
import { loadApp, type App } from '../startup/load-app.js'

/** The bundle's content hash, set by scripts/bundle.mjs when it builds the entry files. */
declare const APB_BUNDLE_HASH: string

/** Loads dist/app.cjs, beside the entry file that bundles this. */
export function loadBundledApp(): App {
  return loadApp(fileURLToPath(new URL('./app.cjs', import.meta.url)), APB_BUNDLE_HASH)
}
