import { checkPlaybookFile, parseCli, UsageError, USAGE } from './cli-options.js'
import { askBecomePassword, askVarsPrompt, askVaultPassword } from './cli-prompt.js'
import { executeRun } from './engine.js'
import {
  AsyncPlaybookError,
  InventoryError,
  OptionError,
  PlaybookError,
  TemplateError
} from './errors.js'
import { MODULE_CATALOG } from './modules/registry.js'
import { buildAdhocPlaybook } from './playbook/adhoc.js'
import { InertWriter, inertText, visibleControls } from './values/inert-text.js'
import { loadVaultSecrets, setVaultKeyring, VaultKeyring } from './vault/index.js'
import { VERSION } from './version.js'

/** Runs the CLI and returns its exit code (ansible-playbook's codes). */
export async function main(argv: string[]): Promise<number> {
  watchStdout()
  // Everything printed passes one InertWriter: no escape sequence from a target reaches the terminal, and
  // inside a GitHub Actions step (GITHUB_ACTIONS=true) no text from a target is read as a workflow command.
  const out = new InertWriter(
    (text) => {
      if (!stdoutGone) process.stdout.write(text)
    },
    { workflowCommands: inGitHubActions() }
  )
  const write = (text: string): void => out.write(text)
  const controller = new AbortController()
  const onSignal = (): void => {
    if (controller.signal.aborted) process.exit(99)
    process.stderr.write('\n[ERROR]: User interrupted execution\n')
    controller.abort()
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    const request = parseCli(argv, process.env, Boolean(process.stdout.isTTY))
    if (request.kind === 'help') {
      write(`${USAGE}\n`)
      return 0
    }
    if (request.kind === 'version') {
      write(`async-playbook ${VERSION}\n`)
      return 0
    }
    const settings = request.settings!
    if (request.kind === 'playbook' && typeof settings.playbook === 'string')
      checkPlaybookFile(settings.playbook, settings.cwd)
    if (request.askBecomePass) {
      settings.become = { ...settings.become, password: await askBecomePassword() }
    }
    // The vault passwords, before anything that may be vault-encrypted is read.
    if (request.vault)
      setVaultKeyring(new VaultKeyring(await loadVaultSecrets(request.vault, askVaultPassword)))
    if (request.kind === 'adhoc') {
      const { pattern, module, args, background, poll } = request.adhoc!
      settings.adhocOutput = true
      settings.playbook = buildAdhocPlaybook(pattern, module, args, MODULE_CATALOG, settings.cwd, {
        async: background,
        poll
      })
    }
    const outcome = await executeRun(settings, write, {
      signal: controller.signal,
      // As ansible-playbook: a run-level `[ERROR]:` (--start-at-task naming no task) goes to stderr. The
      // console made it visible already; only its own colour is left to keep.
      writeError: (text) => {
        process.stderr.write(
          inGitHubActions() ? inertText(text) : visibleControls(text, { keepColour: true })
        )
      },
      // vars_prompt asks on a terminal only; without one, a prompt with no value stops the run.
      ...(process.stdin.isTTY ? { varsPrompter: (request) => askVarsPrompt(request) } : {})
    })
    if (controller.signal.aborted) return 99
    return outcome.exitCode
  } catch (error) {
    out.close()
    return reportFatal(error)
  } finally {
    out.close()
    process.removeListener('SIGINT', onSignal)
    process.removeListener('SIGTERM', onSignal)
  }
}

/** Set once the reader of stdout went away (`| head`): the run goes on, silently, to its real exit code. */
let stdoutGone = false
let watchingStdout = false

/** A closed pipe must not crash the run halfway through a deploy, with a stack trace: stop printing. */
function watchStdout(): void {
  if (watchingStdout) return
  watchingStdout = true
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error
    stdoutGone = true
  })
}

function inGitHubActions(): boolean {
  return process.env['GITHUB_ACTIONS'] === 'true'
}

/** An error message on stderr: it may quote a playbook or a target, so it is made inert too. */
function printError(text: string): void {
  process.stderr.write(inGitHubActions() ? inertText(text) : visibleControls(text))
}

/**
 * The exit code of a run that stopped on an error, as ansible-playbook's: 2 for a command line that cannot
 * be read (argparse), 5 for a bad option, 4 for a playbook, inventory or template error (also one found
 * while running, in a file an include brings in), 1 for our other errors, 250 for an unexpected one.
 */
export function fatalExitCode(error: unknown): number {
  if (error instanceof UsageError) return 2
  if (error instanceof OptionError) return 5
  if (
    error instanceof PlaybookError ||
    error instanceof InventoryError ||
    error instanceof TemplateError
  )
    return 4
  if (error instanceof AsyncPlaybookError) return 1
  return 250
}

function reportFatal(error: unknown): number {
  const code = fatalExitCode(error)
  if (code !== 250) {
    printError(`ERROR! ${(error as Error).message}\n`)
    return code
  }
  const detail =
    error instanceof Error
      ? process.env['ASYNC_PLAYBOOK_DEBUG']
        ? error.stack
        : error.message
      : String(error)
  printError(
    `ERROR! Unexpected internal error: ${detail}\nPlease report this at the project's issue tracker.\n`
  )
  return 250
}
