import { inertText } from '../values/inert-text.js'

/**
 * Where warnings raised while templating go (lookups' errors=warn and missing files, conditionals with
 * embedded templates): the run's display while a run is on (see engine.ts), else stderr.
 */
let sink: (message: string) => void = (message) => {
  process.stderr.write(inertText(`[WARNING]: ${message}\n`))
}

/** Sends templating's warnings to `next`; returns the previous sink. */
export function setTemplateWarningSink(next: (message: string) => void): (message: string) => void {
  const previous = sink
  sink = next
  return previous
}

/** A warning raised while templating. */
export function templateWarning(message: string): void {
  sink(message)
}
