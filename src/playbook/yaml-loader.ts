import { PlaybookError } from '../errors.js'
import { findCycle, loadYaml, refusingListener, YamlSyntaxError } from '../values/yaml.js'
import { decryptTextIfVaulted, vaultKeyring, vaultValueDecryptor } from '../vault/index.js'

/** A parsed YAML document and the 1-based line on which each mapping or sequence started. */
export interface YamlDocument {
  data: unknown
  /** Line (1-based) where a mapping or sequence node of `data` starts, if known. */
  lineOf(node: object): number | undefined
}

/**
 * Parses a playbook, task file, role file or `-e` value with Ansible's YAML schema (src/values/yaml.ts). A syntax
 * error becomes a PlaybookError naming file, line and column. A vault-encrypted file is decrypted first with
 * the run's vault passwords (src/vault/), and its values revealed to the masker.
 * @throws VaultError when it is vault-encrypted and no password given decrypts it
 */
export function parseYaml(given: string, file: string): YamlDocument {
  const { text, vaulted } = decryptTextIfVaulted(given, file, false)
  const doc = parseYamlText(text, file)
  if (vaulted) vaultKeyring().reveal(doc.data)
  return doc
}

function parseYamlText(text: string, file: string): YamlDocument {
  const lines = new WeakMap<object, number>()
  let data: unknown
  try {
    data = loadYaml(text, {
      filename: file,
      decryptVault: vaultValueDecryptor(file),
      listener: refusingListener(
        (message, line, column) => {
          throw new PlaybookError(
            `YAML syntax error: ${message}${offendingLine(text, line, column)}`,
            { file, line: line + 1, column: column + 1 }
          )
        },
        (result, line) => {
          if (result !== null && typeof result === 'object' && !lines.has(result))
            lines.set(result, line + 1)
        }
      )
    })
  } catch (error) {
    if (!(error instanceof YamlSyntaxError)) throw error
    throw new PlaybookError(
      `YAML syntax error: ${error.reason}${offendingLine(text, error.line, error.column)}`,
      { file, line: error.line + 1, column: error.column + 1 }
    )
  }
  const cyclic = findCycle(data)
  if (cyclic) {
    const line = lines.get(cyclic)
    throw new PlaybookError(
      'a YAML alias refers to the node that contains it (like `a: &x [*x]`), which makes an endless value. ' +
        'Copy the values instead of aliasing the enclosing anchor.',
      { file, line: line ?? 1 }
    )
  }
  return { data, lineOf: (node) => lines.get(node) }
}

/** Ansible's hint under a syntax error: the line the parser stopped at, with a caret under the column. */
function offendingLine(text: string, line: number, column: number): string {
  const shown = text.split(/\r?\n/)[line]
  if (shown === undefined || shown.trim() === '' || shown.length > 500) return ''
  return `\n\nThe offending line appears to be:\n\n${shown}\n${shown.slice(0, column).replace(/[^\t]/g, ' ')}^ here`
}
