/**
 * Ansible Vault: our decryption against files `ansible-vault` encrypted, our encryption decrypted by
 * `ansible-vault`, where passwords come from (files, scripts, client scripts, the environment), the errors,
 * and the readers that decrypt (YAML files and `!vault` values, inventories, extra vars files, controller
 * files) revealing what they decrypt to the masker.
 */
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { parseCli } from '../../src/cli-options.js'
import { loadInventory } from '../../src/inventory/inventory.js'
import { parseExtraVars } from '../../src/playbook/extra-vars.js'
import { parseYaml } from '../../src/playbook/yaml-loader.js'
import {
  encryptVault,
  isVaultText,
  loadVaultSecrets,
  readControllerFile,
  setVaultKeyring,
  VaultError,
  VaultKeyring,
  vaultIdSlugs,
  type VaultSecret
} from '../../src/vault/index.js'
import { Templar } from '../../src/template/index.js'
import { isMarkedUnsafe, unsafeText } from '../../src/values/unsafe.js'

const ANSIBLE_VAULT = '/usr/bin/ansible-vault'
const oracle = spawnSync(ANSIBLE_VAULT, ['--version'], { stdio: 'ignore' }).status === 0

let dir: string
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'apb-vault-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))
afterEach(() => setVaultKeyring(new VaultKeyring()))

function file(name: string, content: string | Buffer, mode = 0o600): string {
  const full = path.join(dir, name)
  writeFileSync(full, content)
  chmodSync(full, mode)
  return full
}

function secret(password: string, id = 'default'): VaultSecret {
  return { id, password: Buffer.from(password), source: 'test' }
}

function ansibleVault(args: string[], input?: string): string {
  const res = spawnSync(ANSIBLE_VAULT, args, { input, encoding: 'utf8' })
  if (res.status !== 0) throw new Error(`ansible-vault ${args.join(' ')}: ${res.stderr}`)
  return res.stdout
}

describe.skipIf(!oracle && process.env['APB_REQUIRE_ANSIBLE'] !== '1')(
  'against ansible-vault',
  () => {
    const plaintexts = [
      '',
      'a',
      'exactly sixteen!',
      'db_password: hunter2\n',
      'unicode: ünïcødé ✓ 日本\n',
      'x'.repeat(1000),
      '\n\n\ttabs and blank lines\n\n'
    ]

    it('decrypts what ansible-vault encrypts (1.1): empty, short, one block, unicode, long, blank lines', () => {
      const passwordFile = file('pw', 'p4ss word\n')
      // One ansible-vault run encrypts every file in place (each run costs seconds).
      const files = plaintexts.map((text, i) => file(`plain-${i}`, text))
      ansibleVault(['encrypt', '--vault-password-file', passwordFile, ...files])
      const keyring = new VaultKeyring([secret('p4ss word')])
      plaintexts.forEach((text, i) => {
        const vaulted = readFileSync(files[i]!, 'utf8')
        expect(vaulted.startsWith('$ANSIBLE_VAULT;1.1;AES256\n')).toBe(true)
        expect(keyring.decrypt(vaulted, files[i]!).toString('utf8')).toBe(text)
      })
    })

    it('decrypts a 1.2 file with its vault id, trying the matching password first', () => {
      const passwordFile = file('prod-pw', 'prod-password')
      const plain = file('prod-plain', 'prod: yes\n')
      const encrypted = path.join(dir, 'prod-enc')
      ansibleVault([
        'encrypt',
        '--vault-id',
        `prod@${passwordFile}`,
        '--encrypt-vault-id',
        'prod',
        '--output',
        encrypted,
        plain
      ])
      const vaulted = readFileSync(encrypted, 'utf8')
      expect(vaulted.split('\n')[0]).toBe('$ANSIBLE_VAULT;1.2;AES256;prod')
      const keyring = new VaultKeyring([secret('wrong'), secret('prod-password', 'prod')])
      expect(keyring.decrypt(vaulted, encrypted).toString()).toBe('prod: yes\n')
      // The label is only a hint: another id's password that fits opens it too, as in Ansible.
      expect(
        new VaultKeyring([secret('prod-password', 'dev')]).decrypt(vaulted, 'f').toString()
      ).toBe('prod: yes\n')
    })

    it('ansible-vault decrypts what we encrypt (1.1 and 1.2)', () => {
      const passwordFile = file('ours-pw', 'our password')
      for (const [vaultId, header] of [
        [undefined, '$ANSIBLE_VAULT;1.1;AES256'],
        ['staging', '$ANSIBLE_VAULT;1.2;AES256;staging']
      ] as const) {
        const text = `secret for ${vaultId ?? 'default'}\nsecond line ✓\n`
        const vaulted = encryptVault(Buffer.from(text), Buffer.from('our password'), {
          ...(vaultId ? { vaultId } : {})
        })
        expect(vaulted.split('\n')[0]).toBe(header)
        const encrypted = file(`ours-${vaultId ?? 'default'}`, vaulted)
        const slug = vaultId ? `${vaultId}@${passwordFile}` : passwordFile
        expect(ansibleVault(['view', '--vault-id', slug, encrypted])).toBe(text)
      }
    })

    it('reads `!vault` values from ansible-vault encrypt_string, never templated', () => {
      const passwordFile = file('string-pw', 'string password')
      const snippet = ansibleVault([
        'encrypt_string',
        '--vault-password-file',
        passwordFile,
        '{{ lookup("pipe", "id") }} and a secret',
        '--name',
        'token'
      ])
      setVaultKeyring(new VaultKeyring([secret('string password')]))
      const data = parseYaml(`plain: 1\n${snippet}`, 'vars.yml').data as Record<string, unknown>
      expect(data['plain']).toBe(1)
      expect(isMarkedUnsafe(data['token'])).toBe(true)
      expect(unsafeText(data['token'])).toBe('{{ lookup("pipe", "id") }} and a secret')
    })
  }
)

describe('format', () => {
  it('round-trips and rejects a wrong password with the HMAC', () => {
    const vaulted = encryptVault(Buffer.from('top secret'), Buffer.from('right'))
    expect(isVaultText(vaulted)).toBe(true)
    expect(new VaultKeyring([secret('right')]).decrypt(vaulted, 'x').toString()).toBe('top secret')
    expect(() =>
      new VaultKeyring([secret('wrong'), secret('also wrong', 'prod')]).decrypt(vaulted, 'f.yml')
    ).toThrow(
      'Decryption failed (no vault secrets were found that could decrypt) on f.yml: the vault ids tried (default, prod)'
    )
  })

  it('says what to do when no password is given', () => {
    const vaulted = encryptVault(Buffer.from('s'), Buffer.from('p'))
    expect(() => new VaultKeyring().decrypt(vaulted, 'group_vars/all.yml')).toThrow(
      /Attempting to decrypt but no vault secrets found \(group_vars\/all.yml is vault-encrypted\): give the vault password with --vault-password-file/
    )
  })

  it('names format errors', () => {
    const keyring = new VaultKeyring([secret('p')])
    expect(() => keyring.decrypt('$ANSIBLE_VAULT;1.1\nabc\n', 'a')).toThrow(VaultError)
    expect(() => keyring.decrypt('$ANSIBLE_VAULT;1.1;AES256\nzz\n', 'b')).toThrow(
      'There was a vault format error in b: the payload is not hexadecimal text'
    )
    expect(() => keyring.decrypt('$ANSIBLE_VAULT;1.1;AES\n00\n', 'c')).toThrow(
      'the cipher AES is not supported'
    )
    const truncated = encryptVault(Buffer.from('s'), Buffer.from('p'))
      .split('\n')
      .slice(0, 2)
      .join('\n')
    expect(() => keyring.decrypt(truncated, 'd')).toThrow(VaultError)
  })

  it('knows vault text only by its ASCII header', () => {
    expect(isVaultText('$ANSIBLE_VAULT;1.1;AES256\n00')).toBe(true)
    expect(isVaultText('# $ANSIBLE_VAULT;1.1')).toBe(false)
    expect(isVaultText(Buffer.from('$ANSIBLE_VAULT;1.1;AES256\n\xff', 'latin1'))).toBe(false)
  })
})

describe('where passwords come from', () => {
  const env = {}
  const noPrompt = (): Promise<string> => Promise.reject(new Error('no prompt'))

  it('orders identities as Ansible: the configured list, --vault-id, then password files', () => {
    expect(
      vaultIdSlugs({
        ids: ['prod@p.txt', 'q.txt'],
        passwordFiles: ['f.txt'],
        ask: true,
        cwd: '/',
        env: {
          ANSIBLE_VAULT_IDENTITY_LIST: 'dev@d.txt, ops@o.txt',
          ANSIBLE_VAULT_PASSWORD_FILE: 'ignored'
        }
      })
    ).toEqual([
      'dev@d.txt',
      'ops@o.txt',
      'prod@p.txt',
      'q.txt',
      'default@f.txt',
      'default@prompt_ask_vault_pass'
    ])
    expect(
      vaultIdSlugs({
        ids: [],
        passwordFiles: [],
        ask: false,
        cwd: '/',
        env: { ANSIBLE_VAULT_PASSWORD_FILE: 'e.txt' }
      })
    ).toEqual(['default@e.txt'])
  })

  it('reads files (blanks around dropped), scripts and client scripts', async () => {
    const plain = file('plain.txt', '  \tspaced password \n\n')
    const script = file('pass.sh', '#!/bin/sh\nprintf "from script\\n"\n', 0o700)
    const client = file(
      'vault-client.sh',
      '#!/bin/sh\n[ "$1" = --vault-id ] && printf "client:%s\\n" "$2"\n',
      0o700
    )
    const secrets = await loadVaultSecrets(
      {
        ids: [`prod@${client}`, `dev@${script}`],
        passwordFiles: [plain],
        ask: false,
        cwd: dir,
        env
      },
      noPrompt
    )
    expect(secrets.map((s) => [s.id, s.password.toString()])).toEqual([
      ['prod', 'client:prod'],
      ['dev', 'from script'],
      ['default', 'spaced password']
    ])
  })

  it("runs a password script without the runner's inputs, saved state and tokens", async () => {
    const script = file(
      'env-pass.sh',
      '#!/bin/sh\nprintf "%s|%s|%s\\n" "${INPUT_TOKEN-unset}" "${GITHUB_TOKEN-unset}" "$KEPT"\n',
      0o700
    )
    const secrets = await loadVaultSecrets(
      {
        ids: [`ops@${script}`],
        passwordFiles: [],
        ask: false,
        cwd: dir,
        env: {
          PATH: process.env['PATH'],
          INPUT_TOKEN: 's3cr3t',
          GITHUB_TOKEN: 'ghs_x',
          KEPT: 'kept'
        }
      },
      noPrompt
    )
    expect(secrets.map((s) => s.password.toString())).toEqual(['unset|unset|kept'])
  })

  it('asks the prompt for `prompt` sources, with the label', async () => {
    const asked: string[] = []
    const secrets = await loadVaultSecrets(
      { ids: ['ops@prompt'], passwordFiles: [], ask: true, cwd: dir, env },
      (label, ansibleStyle) => {
        asked.push(`${label}:${String(ansibleStyle)}`)
        return Promise.resolve(`typed-${label}`)
      }
    )
    expect(asked).toEqual(['ops:false', 'default:true'])
    expect(secrets.map((s) => s.password.toString())).toEqual(['typed-ops', 'typed-default'])
  })

  it('fails naming the file or script', async () => {
    const load = (ids: string[]): Promise<unknown> =>
      loadVaultSecrets({ ids, passwordFiles: [], ask: false, cwd: dir, env }, noPrompt)
    await expect(load(['missing.txt'])).rejects.toThrow(
      `The vault password file ${dir}/missing.txt was not found`
    )
    file('empty.txt', ' \n')
    await expect(load(['empty.txt'])).rejects.toThrow(
      `Invalid vault password was provided from file (${dir}/empty.txt)`
    )
    file('fails.sh', '#!/bin/sh\necho nope >&2\nexit 3\n', 0o700)
    await expect(load(['fails.sh'])).rejects.toThrow(
      `Vault password script ${dir}/fails.sh returned non-zero (3): nope`
    )
    file('none-client', '#!/bin/sh\nexit 2\n', 0o700)
    await expect(load(['x@none-client'])).rejects.toThrow(
      `Vault password client script ${dir}/none-client did not find a secret for vault-id=x`
    )
    file('vaulted-pw.txt', encryptVault(Buffer.from('p'), Buffer.from('q')))
    await expect(load(['vaulted-pw.txt'])).rejects.toThrow('is itself vault-encrypted')
  })

  it('the CLI takes the vault options instead of refusing them', () => {
    const request = parseCli(
      [
        'site.yml',
        '--vault-id',
        'prod@p.txt',
        '--vault-password-file',
        'a',
        '--vault-pass-file',
        'b',
        '-J'
      ],
      {},
      false,
      dir
    )
    expect(request.vault).toMatchObject({
      ids: ['prod@p.txt'],
      passwordFiles: ['a', 'b'],
      ask: true
    })
    expect(parseCli(['site.yml', '--ask-vault-pass'], {}, false, dir).vault?.ask).toBe(true)
  })
})

describe('readers that decrypt', () => {
  const password = Buffer.from('reader password')
  const vault = (text: string): string => encryptVault(Buffer.from(text), password)
  const revealed: unknown[] = []
  const install = (): void => {
    revealed.length = 0
    setVaultKeyring(
      new VaultKeyring([{ id: 'default', password, source: 't' }], (v) => revealed.push(v))
    )
  }

  it('a vault-encrypted YAML file, its values revealed', () => {
    install()
    const doc = parseYaml(
      vault('db: {user: app, password: hunter2}\nport: 5432\n'),
      'group_vars/all.yml'
    )
    expect(doc.data).toEqual({ db: { user: 'app', password: 'hunter2' }, port: 5432 })
    expect(revealed).toEqual([{ db: { user: 'app', password: 'hunter2' }, port: 5432 }])
  })

  it('`!vault` values anywhere in a document, each revealed; one no password opens fails where it is used', () => {
    install()
    const inline = (text: string): string =>
      `!vault |\n${vault(text)
        .trimEnd()
        .split('\n')
        .map((l) => `      ${l}`)
        .join('\n')}`
    const doc = parseYaml(
      `a: 1\nlist:\n  - ${inline('in a list')}\nb: ${inline('in a map')}\n`,
      'x.yml'
    )
    expect(doc.data).toEqual({ a: 1, list: ['in a list'], b: 'in a map' })
    expect(revealed).toEqual(['in a list', 'in a map'])
    // Without a password it loads; only what uses it fails, with Ansible's words.
    setVaultKeyring(new VaultKeyring())
    const unopened = parseYaml(`a: 1\nb: ${inline('x')}\n`, 'y.yml').data as Record<string, unknown>
    expect(unopened['a']).toBe(1)
    expect(() => new Templar().render(unopened['b'], {})).toThrow(
      /^Attempting to decrypt but no vault secrets found$/
    )
    setVaultKeyring(new VaultKeyring([secret('another password')]))
    const wrong = parseYaml(`b: ${inline('x')}\n`, 'z.yml').data as Record<string, unknown>
    expect(() => new Templar().render(wrong['b'], {})).toThrow(
      /^Decryption failed \(no vault secrets were found that could decrypt\)$/
    )
  })

  it('inventories (INI and YAML, with their values revealed), extra vars files, controller files', () => {
    install()
    const ini = file(
      'hosts.ini',
      vault('[web]\nweb1 ansible_host=10.0.0.1 ansible_password="s3cr3t pw"\n')
    )
    const inventory = loadInventory([ini])
    expect(inventory.hostVars('web1')).toMatchObject({
      ansible_host: '10.0.0.1',
      ansible_password: 's3cr3t pw'
    })
    expect(revealed).toContain('s3cr3t pw')
    const yamlInventory = file(
      'hosts.yml',
      vault(
        'all:\n  hosts:\n    db1:\n      ansible_password: yaml-pw # a comment\n' +
          '      ssh_key: |\n        key line one\n        key line two\n'
      )
    )
    expect(loadInventory([yamlInventory]).hostVars('db1')).toMatchObject({
      ansible_password: 'yaml-pw'
    })
    // Revealed as parsed: the value without its comment, a block scalar's lines.
    expect(JSON.stringify(revealed)).toContain('"ansible_password":"yaml-pw"')
    expect(JSON.stringify(revealed)).toContain('"ssh_key":"key line one\\nkey line two\\n"')
    const extra = file('extra.yml', vault('release: 42\n'))
    expect(parseExtraVars(`@${extra}`)).toEqual({ release: 42 })
    const controller = file('cert.pem', vault('-----BEGIN-----\nabc\n'))
    expect(readControllerFile(controller).toString()).toBe('-----BEGIN-----\nabc\n')
    expect(revealed).toContain('-----BEGIN-----\nabc\n')
  })
})
