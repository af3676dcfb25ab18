// include_vars on the controller: where a relative file is looked for (Ansible's search order), the
// directory walk and its filters, the failures in Ansible's words, `!unsafe` and `!vault`, and the
// precedence its variables take.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { VariableManager } from '../../src/executor/variables.js'
import { loadInventory } from '../../src/inventory/inventory.js'
import { INCLUDED_VARS, includeVarsModule } from '../../src/modules/include-vars.js'
import type { RoleRef, Task } from '../../src/playbook/types.js'
import { Templar } from '../../src/template/index.js'
import { isMarkedUnsafe } from '../../src/values/unsafe.js'
import { encryptVault, setVaultKeyring, VaultKeyring } from '../../src/vault/index.js'
import { runModuleOn } from '../helpers/module-harness.js'

const root = mkdtempSync(path.join(tmpdir(), 'apb-include-vars-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

function file(relative: string, content: string): string {
  const full = path.join(root, relative)
  mkdirSync(path.dirname(full), { recursive: true })
  writeFileSync(full, content)
  return full
}

const role: RoleRef = {
  name: 'web',
  path: path.join(root, 'roles/web'),
  defaults: {},
  vars: {},
  params: {}
}

async function include(args: Record<string, unknown>, task: Partial<Task> = {}) {
  const base = {
    name: 'include_vars',
    named: false,
    module: 'include_vars',
    args,
    location: { file: 'site.yml', line: 1 },
    changedWhen: [],
    vars: {},
    tags: []
  }
  const { result } = await runModuleOn(includeVarsModule, args, {
    task: { ...base, ...task } as Task,
    baseDir: root
  })
  return result
}

describe('include_vars: finding a file', () => {
  it("looks in the role's vars/, the role, the task file's directory (and vars/), then the playbook's", async () => {
    const tasksDir = path.join(role.path, 'tasks')
    file('vars/app.yml', 'where: playbook vars\n')
    expect(
      (await include({ _raw_params: 'app.yml' }, { role, dir: tasksDir }))['ansible_facts']
    ).toEqual({
      where: 'playbook vars'
    })
    file('roles/web/tasks/app.yml', 'where: tasks dir\n')
    expect(
      (await include({ _raw_params: 'app.yml' }, { role, dir: tasksDir }))['ansible_facts']
    ).toEqual({
      where: 'tasks dir'
    })
    const inRole = file('roles/web/vars/app.yml', 'where: role vars\n')
    const result = await include({ file: 'app.yml' }, { role, dir: tasksDir })
    expect(result['ansible_facts']).toEqual({ where: 'role vars' })
    expect(result['ansible_included_var_files']).toEqual([inRole])
  })

  it('lists every place it looked when the file is nowhere, the playbook directory last (twice for a play task)', async () => {
    const result = await include({ _raw_params: 'nowhere.yml' }, { dir: root })
    expect(result['failed']).toBe(true)
    expect(result['ansible_facts']).toEqual({})
    expect(result['message']).toBe(
      `Could not find or access 'nowhere.yml'\nSearched in:\n` +
        [
          `${root}/vars/nowhere.yml`,
          `${root}/nowhere.yml`,
          `${root}/vars/nowhere.yml`,
          `${root}/nowhere.yml`
        ]
          .map((p) => `\t${p}`)
          .join('\n') +
        ' on the Ansible Controller.\nIf you are using a module and expect the file to exist on the remote, see the remote_src option'
    )
  })

  it('puts the variables under `name` and keeps `!unsafe` values from being templated', async () => {
    file('marked.yml', 'plain: "{{ x }}"\nraw: !unsafe "{{ y }}"\n')
    const result = (await include({ file: 'marked.yml', name: 'app' }, { dir: root })) as Record<
      PropertyKey,
      unknown
    >
    // Registered and shown as written.
    expect(result['ansible_facts']).toEqual({ app: { plain: '{{ x }}', raw: '{{ y }}' } })
    // What the executor keeps as variables still carries the mark.
    const kept = result[INCLUDED_VARS] as { app: { raw: string; plain: string } }
    expect(isMarkedUnsafe(kept.app.raw)).toBe(true)
    expect(isMarkedUnsafe(kept.app.plain)).toBe(false)
  })

  it('a vault-encrypted file: read with the vault password, refused naming the file without one', async () => {
    const password = Buffer.from('include password')
    const secret = file('secret.yml', encryptVault(Buffer.from('password: s3cret\n'), password))
    const refused = await include({ file: 'secret.yml' }, { dir: root })
    expect(refused['failed']).toBe(true)
    expect(String(refused['message'])).toContain(
      `Attempting to decrypt but no vault secrets found (${secret} is vault-encrypted)`
    )
    expect(refused[INCLUDED_VARS as unknown as string]).toEqual({})
    setVaultKeyring(new VaultKeyring([{ id: 'default', password, source: 'test' }]))
    try {
      const read = await include({ file: 'secret.yml' }, { dir: root })
      expect(read['failed']).toBeUndefined()
      expect(read[INCLUDED_VARS as unknown as string]).toEqual({ password: 's3cret' })
    } finally {
      setVaultKeyring(new VaultKeyring())
    }
  })

  it('fails on a file that is not a mapping, and takes an empty file as no variables', async () => {
    const list = file('list.yml', '- a\n- b\n')
    expect((await include({ file: 'list.yml' }, { dir: root }))['message']).toBe(
      `${list} must be stored as a dictionary/hash`
    )
    const empty = file('empty.yml', '# nothing\n')
    const result = await include({ file: 'empty.yml' }, { dir: root })
    expect(result['failed']).toBeUndefined()
    expect(result['ansible_included_var_files']).toEqual([empty])
  })

  it('refuses file and dir arguments together, and unknown options, with only failed and msg', async () => {
    await expect(include({ file: 'a.yml', depth: 1 })).rejects.toThrow(
      'You are mixing file only and dir only arguments, these are incompatible'
    )
    await expect(include({ file: 'a.yml', colour: 'blue' })).rejects.toThrow(
      'colour is not a valid option in include_vars'
    )
  })
})

describe('include_vars in check mode', () => {
  it('loads the variables as in a normal run (it changes nothing anywhere)', async () => {
    file('checked.yml', 'checked: 1\n')
    const { result, ran } = await runModuleOn(
      includeVarsModule,
      { file: 'checked.yml' },
      { baseDir: root, flags: { check: true, diff: true } }
    )
    expect(ran).toBe(true)
    expect(result['ansible_facts']).toEqual({ checked: 1 })
  })
})

describe('include_vars: a directory', () => {
  const dir = (relative: string): string => path.join(root, 'walk', relative)
  file('walk/b.yml', 'b: 1\nshared: b\n')
  file('walk/a.yaml', 'a: 1\nshared: a\n')
  file('walk/c.json', '{"c": 1}\n')
  file('walk/z/deep.yml', 'z: 1\nshared: z\n')
  file('walk/m/mid.yml', 'm: 1\n')

  it('reads files sorted, then subdirectories sorted by path; later files win', async () => {
    const result = await include({ dir: 'walk' }, { dir: root })
    expect(result['ansible_included_var_files']).toEqual([
      dir('a.yaml'),
      dir('b.yml'),
      dir('c.json'),
      dir('m/mid.yml'),
      dir('z/deep.yml')
    ])
    expect(result['ansible_facts']).toEqual({ a: 1, b: 1, c: 1, m: 1, z: 1, shared: 'z' })
  })

  it('counts depth along the sorted walk, and applies files_matching and ignore_files to names', async () => {
    expect(
      (
        await include(
          { dir: 'walk', depth: 2, files_matching: '^[abm]', ignore_files: 'b.yml' },
          { dir: root }
        )
      )['ansible_included_var_files']
    ).toEqual([dir('a.yaml'), dir('m/mid.yml')])
  })

  it("looks under a role's vars/ for a relative directory", async () => {
    file('roles/web/vars/extra/e.yml', 'e: 1\n')
    expect(
      (await include({ dir: 'extra' }, { role, dir: path.join(role.path, 'tasks') }))[
        'ansible_facts'
      ]
    ).toEqual({
      e: 1
    })
  })

  it('fails on a file whose extension is not listed, unless unknown extensions are ignored', async () => {
    file('mixed/README.txt', 'x\n')
    file('mixed/ok.yml', 'ok: 1\n')
    const failed = await include({ dir: 'mixed' }, { dir: root })
    expect(failed['message']).toBe(
      `${path.join(root, 'mixed/README.txt')} does not have a valid extension: yaml, yml, json`
    )
    const ignored = await include({ dir: 'mixed', ignore_unknown_extensions: true }, { dir: root })
    expect(ignored['ansible_facts']).toEqual({ ok: 1 })
  })
})

describe('include_vars precedence', () => {
  it('sits above task vars and below set_fact, registered values and extra vars', () => {
    const inventory = loadInventory(['h\n'])
    const play = { playVars: { v: 'play' }, playHosts: ['h'], playBatch: ['h'], playbookDir: '/pb' }
    const vars = new VariableManager(inventory, new Templar(), {})
    vars.hostMemory('h').includedVars['v'] = 'include_vars'
    expect(vars.scope('h', play, { vars: { v: 'task' } })['v']).toBe('include_vars')
    vars.hostMemory('h').registered['v'] = 'set_fact'
    expect(vars.scope('h', play, { vars: { v: 'task' } })['v']).toBe('set_fact')
    const extra = new VariableManager(inventory, new Templar(), { v: 'extra' })
    extra.hostMemory('h').includedVars['v'] = 'include_vars'
    expect(extra.scope('h', play)['v']).toBe('extra')
  })
})

describe('include_vars: hash_behaviour merge', () => {
  it('merges into the current mapping, a `__proto__` key of the file kept as a key', async () => {
    const vars = { app: { port: 80, tls: { enabled: false } } }
    file(
      'merge/app.yml',
      'app:\n  tls:\n    enabled: true\n    "__proto__": {polluted: yes}\n  name: web\n'
    )
    const { result } = await runModuleOn(
      includeVarsModule,
      { file: path.join(root, 'merge/app.yml'), hash_behaviour: 'merge' },
      { vars, baseDir: root }
    )
    const facts = result['ansible_facts'] as Record<string, Record<string, unknown>>
    expect(JSON.stringify(facts['app'])).toBe(
      '{"port":80,"tls":{"enabled":true,"__proto__":{"polluted":true}},"name":"web"}'
    )
    const tls = facts['app']!['tls'] as Record<string, unknown>
    expect(Object.keys(tls)).toEqual(['enabled', '__proto__'])
    expect((tls as { polluted?: unknown }).polluted).toBeUndefined()
  })
})
