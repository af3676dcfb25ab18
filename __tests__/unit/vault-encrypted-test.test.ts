import { afterEach, describe, expect, it } from 'vitest'
import { parseYaml } from '../../src/playbook/yaml-loader.js'
import { Templar } from '../../src/template/index.js'
import { encryptVault, setVaultKeyring, VaultKeyring } from '../../src/vault/index.js'

// Expected values come from Ansible 2.14 (`--vault-password-file`, the same playbook vars).
const password = Buffer.from('correct horse')
const indent = (text: string): string =>
  text
    .trimEnd()
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n')

function varsWithVault(): Record<string, unknown> {
  setVaultKeyring(new VaultKeyring([{ id: 'default', password, source: 'test' }]))
  const secret = encryptVault(Buffer.from('s3cret value'), password)
  const templated = encryptVault(Buffer.from('{{ not templated }}'), password)
  const yaml =
    `secret: !vault |\n${indent(secret)}\n` +
    `template_inside: !vault |\n${indent(templated)}\n` +
    `looks_vaulted: "$ANSIBLE_VAULT;1.1;AES256\\n3663"\n`
  return parseYaml(yaml, 'vars.yml').data as Record<string, unknown>
}

const t = new Templar()
/** The variables as a play's scope holds them: each rendered when read (a marked `!unsafe` text unmarked). */
const scopeOf = (vars: Record<string, unknown>): Record<string, unknown> =>
  t.scope(new Map(Object.entries(vars).map(([name, value]) => [name, { value, trusted: true }])))

describe('the vault_encrypted test', () => {
  afterEach(() => setVaultKeyring(new VaultKeyring()))

  it('is true for a !vault value, also inside a list or dict, and for one holding template text', () => {
    const vars = scopeOf(varsWithVault())
    expect(t.evaluate('secret is vault_encrypted', vars)).toBe(true)
    expect(t.evaluate('secret is ansible.builtin.vault_encrypted', vars)).toBe(true)
    expect(t.evaluate('[secret] | first is vault_encrypted', vars)).toBe(true)
    expect(t.evaluate("{'a': secret}.a is vault_encrypted", vars)).toBe(true)
    expect(t.evaluate('template_inside is vault_encrypted', vars)).toBe(true)
    expect(t.evaluate('secret is not vault_encrypted', vars)).toBe(false)
  })

  it('is false for vault text written as a plain string, other text and other types', () => {
    const vars = scopeOf(varsWithVault())
    expect(t.evaluate('looks_vaulted is vault_encrypted', vars)).toBe(false)
    expect(t.evaluate("'abc' is vault_encrypted", vars)).toBe(false)
    expect(t.evaluate('1 is vault_encrypted', vars)).toBe(false)
    expect(t.evaluate('none is vault_encrypted', vars)).toBe(false)
    expect(t.evaluate('[secret] is vault_encrypted', vars)).toBe(false)
  })
})
