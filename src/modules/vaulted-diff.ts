/**
 * Diffs of vault-encrypted sources. Ansible's copy and template show the decrypted text in `--diff`
 * output (and in the registered `diff`); here the text of a file written from a vault-encrypted source
 * never reaches a diff: the entry keeps its headers and says why its text is left out.
 */
import { readFileSync } from 'node:fs'
import { isVaultText, vaultKeyring } from '../vault/index.js'
import { isRecord } from '../values/records.js'
import { maskNoLogValues } from './arg-no-log.js'
import type { ModuleResult } from './module.js'

/** What a diff of a vault-encrypted source shows instead of its text (as Ansible's other skip notes). */
export const VAULTED_DIFF_NOTE = 'diff skipped: the source is vault-encrypted\n'

/** Whether a controller file is vault-encrypted (read only as far as its header). */
export function isVaultedFile(file: string): boolean {
  try {
    return isVaultText(readFileSync(file))
  } catch {
    return false
  }
}

/** The result with the text of each diff entry (before and after) replaced by VAULTED_DIFF_NOTE. */
export function hideVaultedDiff(result: ModuleResult): ModuleResult {
  const diff = result['diff']
  if (diff === undefined || diff === null) return result
  const hide = (entry: unknown): unknown => {
    if (!isRecord(entry) || (!('before' in entry) && !('after' in entry))) return entry
    const kept: Record<string, unknown> = {}
    if ('before_header' in entry) kept['before_header'] = entry['before_header']
    if ('after_header' in entry) kept['after_header'] = entry['after_header']
    return { ...kept, prepared: VAULTED_DIFF_NOTE }
  }
  result['diff'] = Array.isArray(diff) ? diff.map(hide) : hide(diff)
  return result
}

/**
 * The result with every decrypted vault text (a `!vault` value, a value of a vault-encrypted vars file, a
 * line of either) masked in its `diff`, as a no_log argument is masked (`********`). Ansible shows a vault
 * value templated into `copy: content=` or a template in `--diff`; here the diff keeps every other line.
 */
export function maskVaultTextInDiff(result: ModuleResult): ModuleResult {
  const diff = result['diff']
  if (diff === undefined || diff === null) return result
  const secrets = vaultKeyring().revealedTexts()
  if (secrets.length > 0) result['diff'] = maskNoLogValues(diff, secrets)
  return result
}
