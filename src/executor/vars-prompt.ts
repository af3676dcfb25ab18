// vars_prompt at run time, as ansible-playbook 2.14 runs it: as each play starts, each prompt whose variable
// no extra var sets is asked on the terminal (the answer, or the default when it is empty, becomes a play
// variable). Without a terminal ansible-playbook sets the default, or None when there is none; we stop
// instead, before anything runs, naming the prompt: a deploy must not go on with a value nobody gave.
import { formatLocation, PlaybookError } from '../errors.js'
import type { Play } from '../playbook/types.js'
import type { VarsPrompt } from '../playbook/vars-prompt.js'
import { pythonStr, type Templar } from '../template/index.js'
import { markUnsafeDeep } from '../values/unsafe.js'

/** What the terminal is asked: the text shown, whether to echo the answer, whether to ask twice. */
export interface PromptRequest {
  name: string
  message: string
  private: boolean
  confirm: boolean
}

/** Asks one question on a terminal and resolves with the answer typed (possibly empty). */
export type VarsPrompter = (request: PromptRequest) => Promise<string>

/**
 * Before the run: stops with a PlaybookError at the first prompt no extra var, default or terminal can
 * answer (the action has no terminal; the CLI has one only when stdin is a terminal).
 */
export function checkPromptsAnswerable(
  plays: readonly Play[],
  extraVars: Record<string, unknown>,
  prompter: VarsPrompter | undefined
): void {
  if (prompter) return
  const missing: VarsPrompt[] = []
  for (const play of plays)
    for (const prompt of play.varsPrompt ?? []) {
      if (Object.hasOwn(extraVars, prompt.name) || hasDefault(prompt)) continue
      if (!missing.some((m) => m.name === prompt.name)) missing.push(prompt)
    }
  const [first, ...others] = missing
  if (!first) return
  // Every prompt at once (each with its file and line), so that one rerun with -e is enough.
  const named = (prompt: VarsPrompt): string =>
    `'${prompt.name}'${typeof prompt.prompt === 'string' ? ` ("${prompt.prompt}")` : ''}`
  const also = others.map((prompt) => `${named(prompt)} at ${formatLocation(prompt.location)}`)
  const flags = missing.map((prompt) => `-e ${prompt.name}=VALUE`).join(' ')
  throw new PlaybookError(
    `vars_prompt ${named(first)}${also.length > 0 ? ` (and ${also.join(', ')})` : ''} ${missing.length > 1 ? 'have' : 'has'} no value and there is no terminal to ask on: give ${missing.length > 1 ? 'them' : 'it'} with ${flags} (in a workflow, the extra-vars input), or add a \`default:\` to the prompt`,
    first.location
  )
}

function hasDefault(prompt: VarsPrompt): boolean {
  return prompt.default !== undefined && prompt.default !== null
}

/**
 * The variables a play's prompts set (those no extra var sets), asked in order. The prompt's fields are
 * templated with the play's variables first, as Ansible does.
 */
export async function promptedVars(
  play: Play,
  extraVars: Record<string, unknown>,
  templar: Templar,
  scope: () => Record<string, unknown>,
  prompter: VarsPrompter | undefined
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {}
  for (const written of play.varsPrompt ?? []) {
    if (Object.hasOwn(extraVars, written.name)) continue
    const render = (value: unknown): unknown => {
      try {
        return templar.render(value, scope())
      } catch (error) {
        throw new PlaybookError(
          `vars_prompt '${written.name}': ${error instanceof Error ? error.message : String(error)}`,
          written.location
        )
      }
    }
    const prompt = written.prompt === undefined ? written.name : render(written.prompt)
    const fallback = written.default === undefined ? undefined : render(written.default)
    let answer = ''
    if (prompter) {
      const text = prompt === null || prompt === undefined ? '' : pythonStr(prompt)
      const message =
        text !== '' && fallback !== undefined && fallback !== null
          ? `${text} [${pythonStr(fallback)}]: `
          : text !== ''
            ? `${text}: `
            : `input for ${written.name}: `
      answer = await prompter({
        name: written.name,
        message,
        private: written.private === undefined ? true : templar.isTrue(written.private, scope()),
        confirm: written.confirm === undefined ? false : templar.isTrue(written.confirm, scope())
      })
    }
    let value: string
    if (answer !== '') value = answer
    else if (fallback !== undefined && fallback !== null) value = pythonStr(fallback)
    else if (prompter) value = ''
    else {
      // checkPromptsAnswerable stopped the run before it started; a templated name can still get here.
      throw new PlaybookError(
        `vars_prompt '${written.name}' has no value and there is no terminal to ask on: give it with -e ${written.name}=VALUE, or add a \`default:\``,
        written.location
      )
    }
    const unsafe = written.unsafe !== undefined && templar.isTrue(written.unsafe, scope())
    out[written.name] = unsafe ? markUnsafeDeep(value) : value
  }
  return out
}
