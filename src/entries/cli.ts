#!/usr/bin/env node
// dist/cli.js, the `async-playbook` command.
import { loadBundledApp } from './app-file.js'

loadBundledApp('cli')
  ?.cliMain(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code
    },
    (error: unknown) => {
      process.stderr.write(`ERROR! ${String(error)}\n`)
      process.exitCode = 250
    }
  )
