import { OptionError } from './errors.js'
import { BECOME_PASSWORD_ENV } from './cli-options.js'
import type { PromptRequest } from './executor/vars-prompt.js'

/** The parts of a terminal the prompt uses (process.stdin / process.stderr, or fakes in tests). */
export interface PromptTerminal {
  input: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?(mode: boolean): unknown }
  output: { write(text: string): unknown }
}

/**
 * -K: asks for the become password on the terminal without echoing it, as ansible-playbook does
 * ("BECOME password: "). Without a terminal nothing is read: the run must not wait on a pipe.
 * @throws OptionError when stdin is not a terminal, or on Ctrl-C / Ctrl-D
 */
export function askBecomePassword(
  terminal: PromptTerminal = { input: process.stdin, output: process.stderr }
): Promise<string> {
  return askHidden(
    'BECOME password: ',
    'become password',
    `-K/--ask-become-pass needs a terminal to ask for the password, and stdin is not one. ` +
      `Give the password with the ${BECOME_PASSWORD_ENV} environment variable, the ` +
      `ansible_become_password variable (inventory or -e @file), or in a workflow the become-password input`,
    terminal
  )
}

/**
 * --ask-vault-password and `--vault-id LABEL@prompt`: asks for a vault password as ansible-playbook does
 * ("Vault password: ", or "Vault password (LABEL): " for a labelled prompt).
 * @throws OptionError when stdin is not a terminal, or on Ctrl-C / Ctrl-D
 */
export function askVaultPassword(
  label: string,
  ansibleStyle: boolean,
  terminal: PromptTerminal = { input: process.stdin, output: process.stderr }
): Promise<string> {
  return askHidden(
    ansibleStyle ? 'Vault password: ' : `Vault password (${label}): `,
    'vault password',
    `${ansibleStyle ? '--ask-vault-password' : `--vault-id ${label}@prompt`} needs a terminal to ask for the ` +
      'password, and stdin is not one. Give the password in a file only you can read: ' +
      '--vault-password-file FILE (or ANSIBLE_VAULT_PASSWORD_FILE), or in a workflow the vault-password input',
    terminal
  )
}

/**
 * A play's vars_prompt on the terminal, as ansible-playbook asks it: the answer not echoed when the prompt
 * is `private` (its default), asked twice with `confirm` until both answers match.
 * @throws OptionError when stdin is not a terminal, or on Ctrl-C / Ctrl-D
 */
export async function askVarsPrompt(
  request: PromptRequest,
  terminal: PromptTerminal = { input: process.stdin, output: process.stderr }
): Promise<string> {
  const noTerminal = `vars_prompt '${request.name}' needs a terminal, and stdin is not one: give it with -e ${request.name}=VALUE`
  const ask = (message: string): Promise<string> =>
    askLine(message, `'${request.name}' prompt`, noTerminal, terminal, !request.private)
  for (;;) {
    const first = await ask(request.message)
    if (!request.confirm) return first
    const second = await ask(`confirm ${request.message}`)
    if (first === second) return first
    terminal.output.write('***** VALUES ENTERED DO NOT MATCH ****\n')
  }
}

/** Reads a line from the terminal without echoing it. */
function askHidden(
  prompt: string,
  what: string,
  noTerminal: string,
  terminal: PromptTerminal
): Promise<string> {
  return askLine(prompt, what, noTerminal, terminal, false)
}

/** Reads a line from the terminal in raw mode, echoing what is typed only when `echo` is set. */
function askLine(
  prompt: string,
  what: string,
  noTerminal: string,
  terminal: PromptTerminal,
  echo: boolean
): Promise<string> {
  const { input, output } = terminal
  if (!input.isTTY || typeof input.setRawMode !== 'function') {
    return Promise.reject(new OptionError(noTerminal))
  }
  const setRaw = input.setRawMode.bind(input)
  return new Promise<string>((resolve, reject) => {
    let typed = ''
    const finish = (error?: Error): void => {
      input.removeListener('data', onData)
      setRaw(false)
      input.pause()
      output.write('\n')
      if (error) reject(error)
      else resolve(typed)
    }
    const onData = (chunk: Buffer | string): void => {
      for (const char of chunk.toString()) {
        if (char === '\r' || char === '\n') return finish()
        if (char === '\u0003') return finish(new OptionError(`cancelled at the ${what} prompt`))
        if (char === '\u0004') {
          if (typed === '') return finish(new OptionError(`no ${what} was typed`))
          return finish()
        }
        if (char === '\u007f' || char === '\b') {
          if (echo && typed !== '') output.write('\b \b')
          typed = typed.slice(0, -1)
        } else {
          typed += char
          if (echo) output.write(char)
        }
      }
    }
    output.write(prompt)
    setRaw(true)
    input.resume()
    input.on('data', onData)
  })
}
