// A play's `vars_prompt`, checked as Ansible 2.14 loads it. The values come from the run (engine:
// executor/vars-prompt.ts): extra vars, a terminal, or the prompt's default.
import { PlaybookError, type SourceLocation } from '../errors.js'
import { isRecord } from '../values/records.js'
import { describe } from './loader-support.js'

/** One `vars_prompt` entry, as written (its fields are templated with the play's variables when it runs). */
export interface VarsPrompt {
  name: string
  prompt?: unknown
  default?: unknown
  /** `private` (default true): the answer is not echoed. */
  private?: unknown
  confirm?: unknown
  unsafe?: unknown
  location: SourceLocation
}

const KEYS = new Set([
  'name',
  'prompt',
  'default',
  'private',
  'confirm',
  'encrypt',
  'salt_size',
  'salt',
  'unsafe'
])

/** The prompts of a play (a mapping or a list of them, as Ansible's preprocess_vars takes them). */
export function loadVarsPrompt(
  raw: unknown,
  playLocation: SourceLocation,
  at: (node: unknown, fallback: SourceLocation) => SourceLocation
): VarsPrompt[] {
  if (raw === undefined || raw === null) return []
  const entries = Array.isArray(raw) ? raw : [raw]
  const out: VarsPrompt[] = []
  for (const entry of entries) {
    const location = at(entry, playLocation)
    if (!isRecord(entry))
      throw new PlaybookError(
        `variable files must contain either a dictionary of variables, or a list of dictionaries: vars_prompt holds ${describe(entry)}`,
        location
      )
    if (!Object.hasOwn(entry, 'name'))
      throw new PlaybookError("Invalid vars_prompt data structure, missing 'name' key", location)
    for (const key of Object.keys(entry)) {
      if (!KEYS.has(key))
        throw new PlaybookError(
          `Invalid vars_prompt data structure, found unsupported key '${key}'`,
          location
        )
    }
    const name = entry['name']
    if (typeof name !== 'string' || name.trim() === '')
      throw new PlaybookError(
        `vars_prompt 'name' must be the name of the variable to set, found ${describe(name)}`,
        location
      )
    for (const key of ['encrypt', 'salt', 'salt_size']) {
      if (entry[key] === undefined || entry[key] === null) continue
      throw new PlaybookError(
        `vars_prompt '${name}': '${key}' is not supported (async-playbook does not hash prompted values). Remove it and hash the value where it is used, with the password_hash filter: "{{ ${name} | password_hash('sha512') }}"`,
        location
      )
    }
    out.push({
      name,
      ...(entry['prompt'] === undefined ? {} : { prompt: entry['prompt'] }),
      ...(entry['default'] === undefined ? {} : { default: entry['default'] }),
      ...(entry['private'] === undefined ? {} : { private: entry['private'] }),
      ...(entry['confirm'] === undefined ? {} : { confirm: entry['confirm'] }),
      ...(entry['unsafe'] === undefined ? {} : { unsafe: entry['unsafe'] }),
      location
    })
  }
  return out
}
