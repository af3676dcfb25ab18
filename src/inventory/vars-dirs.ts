import { readdirSync, readFileSync } from 'node:fs'
import { extname, join, resolve, sep } from 'node:path'
import { InventoryError } from '../errors.js'
import { loadYaml, refusingListener, YamlSyntaxError } from '../values/yaml.js'
import { decryptTextIfVaulted, vaultKeyring, vaultValueDecryptor } from '../vault/index.js'
import { dict } from '../values/dict.js'
import { kindOf } from '../file-kinds.js'
import { byCodePoint } from '../values/code-points.js'

/** Ansible's YAML_FILENAME_EXTENSIONS: what a group_vars/host_vars file may end with (or no extension). */
const VARS_EXTENSIONS = ['.yml', '.yaml', '.json']

export type VarsKind = 'group_vars' | 'host_vars'

/**
 * The files that hold the variables of the group or host `name` under `dir` (a group_vars or host_vars
 * directory), as Ansible's host_group_vars plugin finds them: the first of `name` (a file, or a directory read
 * recursively in lexical order), `name.yml`, `name.yaml`, `name.json` that exists.
 */
export function findVarsFiles(dir: string, name: string): string[] {
  for (const ext of ['', ...VARS_EXTENSIONS]) {
    const path = join(dir, name + ext)
    const kind = kindOf(path)
    if (kind === 'directory') return varsFilesInDirectory(path)
    if (kind === 'file') return [path]
  }
  return []
}

/** Files of a `group_vars/NAME/` directory: sorted, hidden and `~` backups skipped, subdirectories without an extension read too. */
function varsFilesInDirectory(dir: string): string[] {
  const found: string[] = []
  let entries: string[]
  try {
    entries = readdirSync(dir).sort(byCodePoint)
  } catch (e) {
    throw new InventoryError(`cannot read variables directory '${dir}': ${(e as Error).message}`)
  }
  for (const entry of entries) {
    if (entry.startsWith('.') || entry.endsWith('~')) continue
    const ext = extname(entry)
    const path = join(dir, entry)
    const kind = kindOf(path)
    if (kind === 'directory' && ext === '') found.push(...varsFilesInDirectory(path))
    else if (kind === 'file' && (ext === '' || VARS_EXTENSIONS.includes(ext))) found.push(path)
  }
  return found
}

/**
 * Reads `group_vars/` and `host_vars/` next to inventory sources and playbooks, each file once. A file's YAML
 * (vault-encrypted or not) must be a mapping; an empty file adds nothing. Errors name the file (and line).
 */
export class VarsDirectories {
  private readonly files = new Map<string, Record<string, unknown>>()
  private readonly found = new Map<string, string[]>()
  /** Whether each group_vars/host_vars folder exists: one stat per folder, not per name. */
  private readonly folders = new Map<string, boolean>()

  /**
   * The variables of group or host `name` from `base/group_vars` or `base/host_vars`, files merged in order
   * (a later file's top-level keys replace an earlier one's). Names starting with '/' have none, as in Ansible.
   */
  varsFor(base: string, kind: VarsKind, name: string): Record<string, unknown> {
    const merged: Record<string, unknown> = dict()
    if (name.startsWith('/') || name.startsWith(sep)) return merged
    for (const file of this.filesFor(base, kind, name)) Object.assign(merged, this.read(file))
    return merged
  }

  private filesFor(base: string, kind: VarsKind, name: string): string[] {
    const dir = resolve(base, kind)
    const key = `${dir}\0${name}`
    let files = this.found.get(key)
    if (!files) {
      // A name such as '..' or 'a/../../b' must not reach outside the folder.
      const inside = name !== '.' && name !== '..' && !name.split(/[\\/]/).includes('..')
      let exists = this.folders.get(dir)
      if (exists === undefined) {
        exists = kindOf(dir) === 'directory'
        this.folders.set(dir, exists)
      }
      files = inside && exists ? findVarsFiles(dir, name) : []
      this.found.set(key, files)
    }
    return files
  }

  private read(file: string): Record<string, unknown> {
    let vars = this.files.get(file)
    if (!vars) {
      let text: string
      try {
        text = readFileSync(file, 'utf8')
      } catch (e) {
        throw new InventoryError(`cannot read variables file '${file}': ${(e as Error).message}`)
      }
      const data = readVarsYaml(text, file)
      if (data === null || data === undefined || data === false || data === '' || data === 0)
        vars = dict()
      else if (typeof data === 'object' && !Array.isArray(data))
        vars = dict(Object.entries(data as Record<string, unknown>))
      else if (Array.isArray(data) && data.length === 0) vars = dict()
      else
        throw new InventoryError(
          `variables file '${file}' must hold a mapping of variable names to values, got ${
            Array.isArray(data) ? 'a list' : `a ${typeof data}`
          }. Write it as 'name: value' lines.`,
          { file, line: 1 }
        )
      this.files.set(file, vars)
    }
    return vars
  }
}

/**
 * A vars file's YAML, read with Ansible's schema (src/values/yaml.ts): decrypted first when it is
 * vault-encrypted (its values revealed to the masker), `!vault` values decrypted; a syntax error is an
 * InventoryError naming the file, line and column.
 */
function readVarsYaml(given: string, file: string): unknown {
  const { text, vaulted } = decryptTextIfVaulted(given, file, false)
  let data: unknown
  try {
    data = loadYaml(text, {
      filename: file,
      decryptVault: vaultValueDecryptor(file),
      listener: refusingListener((message, line, column) => {
        throw new InventoryError(`YAML syntax error: ${message}`, {
          file,
          line: line + 1,
          column: column + 1
        })
      })
    })
  } catch (error) {
    if (!(error instanceof YamlSyntaxError)) throw error
    throw new InventoryError(`YAML syntax error: ${error.reason}`, {
      file,
      line: error.line + 1,
      column: error.column + 1
    })
  }
  if (vaulted) vaultKeyring().reveal(data)
  return data
}
