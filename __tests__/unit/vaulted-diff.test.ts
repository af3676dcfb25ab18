// A vault-encrypted copy or template source never reaches a diff: Ansible's --diff shows the decrypted
// text (and keeps it in the registered `diff`); here the entry keeps its headers and says why its text
// is left out, in check mode and in a real run alike. The file itself is still written decrypted.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  encryptVault,
  setVaultKeyring,
  VaultKeyring,
  vaultValueDecryptor
} from '../../src/vault/index.js'
import { VAULTED_DIFF_NOTE } from '../../src/modules/vaulted-diff.js'
import { diffText } from '../../src/report/diff-text.js'
import { runModuleOn } from '../helpers/module-harness.js'

const password = Buffer.from('diff password')
let dir: string

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'apb-vaulted-diff-'))
  writeFileSync(path.join(dir, 'secret.txt'), encryptVault(Buffer.from('s3cret-value\n'), password))
  writeFileSync(
    path.join(dir, 'secret.j2'),
    encryptVault(Buffer.from('token={{ 1 + 1 }}-hidden\n'), password)
  )
  writeFileSync(path.join(dir, 'dest'), 'old-secret-value\n')
  setVaultKeyring(new VaultKeyring([{ id: 'default', password, source: 'test' }]))
})

afterEach(() => {
  setVaultKeyring(new VaultKeyring())
  rmSync(dir, { recursive: true, force: true })
})

describe('diffs of vault-encrypted sources', () => {
  it.each([
    ['copy', 'secret.txt', 's3cret-value'],
    ['template', 'secret.j2', 'token=2-hidden']
  ])(
    '%s: no text of the source or of the file it replaces, in check and in a real run',
    async (module, src, plain) => {
      for (const check of [true, false]) {
        const { result } = await runModuleOn(
          module,
          { src: path.join(dir, src), dest: path.join(dir, 'dest') },
          { flags: { check, diff: true }, baseDir: dir }
        )
        expect(result['changed'], `${module} check=${check}`).toBe(true)
        const shown = JSON.stringify(result['diff']) + diffText(result['diff'])
        expect(shown).not.toContain(plain)
        expect(shown).not.toContain('old-secret-value')
        expect(diffText(result['diff'])).toContain(VAULTED_DIFF_NOTE)
        expect(result['diff']).toEqual([
          expect.objectContaining({
            before_header: path.join(dir, 'dest'),
            prepared: VAULTED_DIFF_NOTE
          })
        ])
      }
      expect(readFileSync(path.join(dir, 'dest'), 'utf8')).toBe(`${plain}\n`)
    }
  )

  it('a plain source keeps its diff', async () => {
    writeFileSync(path.join(dir, 'plain.txt'), 'visible\n')
    const { result } = await runModuleOn(
      'copy',
      { src: path.join(dir, 'plain.txt'), dest: path.join(dir, 'dest') },
      { flags: { check: true, diff: true }, baseDir: dir }
    )
    expect(diffText(result['diff'])).toContain('+visible')
  })
})

describe('diffs of text that holds a decrypted vault value', () => {
  // A `!vault` value templated into `copy: content=` or a template: Ansible shows it in --diff; here each
  // decrypted value is masked in the diff (as a no_log argument is), the rest of the diff stays.
  const reveal = (plain: string): string =>
    vaultValueDecryptor('vars.yml')(encryptVault(Buffer.from(plain), password), 1)

  it('copy content: the value is masked in the diff (check and real run), the file is written', async () => {
    const secret = reveal('Pa55-w0rd-in-vault')
    for (const check of [true, false]) {
      const { result } = await runModuleOn(
        'copy',
        { content: `user=app\npassword=${secret}\n`, dest: path.join(dir, 'dest') },
        { flags: { check, diff: true }, baseDir: dir }
      )
      const shown = JSON.stringify(result) + diffText(result['diff'])
      expect(shown).not.toContain('Pa55-w0rd-in-vault')
      expect(diffText(result['diff'])).toContain('+password=********')
      expect(diffText(result['diff'])).toContain('+user=app')
    }
    expect(readFileSync(path.join(dir, 'dest'), 'utf8')).toBe(
      'user=app\npassword=Pa55-w0rd-in-vault\n'
    )
  })

  it('a multi-line vault value is masked line by line, wherever its lines land', async () => {
    const secret = reveal('-----BEGIN KEY-----\nAAAAsecretline1\nBBBBsecretline2\n')
    const indented = secret
      .split('\n')
      .map((line) => `  ${line}`)
      .join('\n')
    const { result } = await runModuleOn(
      'copy',
      { content: `key: |\n${indented}\n`, dest: path.join(dir, 'dest') },
      { flags: { check: true, diff: true }, baseDir: dir }
    )
    const shown = JSON.stringify(result['diff'])
    expect(shown).not.toContain('secretline')
    expect(shown).toContain('key: |')
  })

  it('the file a vault value replaces is masked in "before" too', async () => {
    const secret = reveal('old-secret-value')
    const { result } = await runModuleOn(
      'copy',
      { content: `new ${secret.length}\n`, dest: path.join(dir, 'dest') },
      { flags: { check: true, diff: true }, baseDir: dir }
    )
    expect(JSON.stringify(result['diff'])).not.toContain('old-secret-value')
    expect(diffText(result['diff'])).toContain('-********')
  })
})
