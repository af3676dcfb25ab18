import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { OptionError } from '../errors.js'
import { parseKeyValueArgs } from './kv-args.js'
import { parseYaml } from './yaml-loader.js'

/**
 * Parses one `-e`/`extra-vars` value as Ansible does: `@file` (YAML or JSON), inline YAML/JSON
 * (`{"a": 1}`, `a: 1`), or `key=value` pairs.
 */
export function parseExtraVars(value: string, cwd = process.cwd()): Record<string, unknown> {
  const text = value.trim()
  if (text === '') return {}
  if (text.startsWith('@')) {
    const file = path.resolve(cwd, text.slice(1))
    if (!existsSync(file))
      throw new OptionError(`extra vars file '${text.slice(1)}' not found (looked for ${file})`)
    let content: string
    try {
      content = readFileSync(file, 'utf8')
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      const why = code === 'EISDIR' ? 'it is a directory' : (error as Error).message
      throw new OptionError(
        `extra vars file '${text.slice(1)}' cannot be read (${why}). Pass '@' followed by a YAML or JSON file.`
      )
    }
    return asMapping(parseYaml(content, text.slice(1)).data, text.slice(1))
  }
  if (text.startsWith('{') || text.startsWith('---') || /^[A-Za-z_][\w-]*:(\s|$)/.test(text)) {
    let data: unknown
    try {
      data = parseYaml(text, '<extra vars>').data
    } catch (error) {
      // A command-line value, not a file: report it as a bad option (exit 5) quoting what was given.
      const reason =
        error instanceof Error ? error.message.replace(/^<extra vars>:\S*: /, '') : String(error)
      throw new OptionError(`extra vars '${value}' are not valid YAML/JSON: ${reason}`)
    }
    return asMapping(data, '<extra vars>')
  }
  const kv = parseKeyValueArgs(text, false)
  if ('_raw_params' in kv) {
    throw new OptionError(
      `extra vars '${value}' must be key=value pairs, a YAML/JSON mapping, or @file; '${String(kv['_raw_params'])}' is none of these`
    )
  }
  return kv
}

function asMapping(data: unknown, source: string): Record<string, unknown> {
  if (data === null || data === undefined) return {}
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new OptionError(`extra vars from ${source} must be a mapping of names to values`)
  }
  return data as Record<string, unknown>
}
