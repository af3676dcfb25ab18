/**
 * group_vars/ and host_vars/ next to inventory sources and playbooks, and inventory directories (issue 15):
 * which files are found for a name, the order they merge in, Ansible's precedence between the places, what an
 * inventory directory skips, and the errors (naming file and line).
 */
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { readActionSettings } from '../../src/action/settings.js'
import { parseCli } from '../../src/cli-options.js'
import { executeRun } from '../../src/engine.js'
import { loadInventory } from '../../src/inventory/inventory.js'
import { findVarsFiles, VarsDirectories } from '../../src/inventory/vars-dirs.js'
import { encryptVault, setVaultKeyring, VaultKeyring } from '../../src/vault/index.js'

/** Writes `files` (path relative to a fresh directory → text) and returns the directory. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'apb-gvars-'))
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, name)), { recursive: true })
    writeFileSync(join(root, name), text)
  }
  return root
}

afterEach(() => setVaultKeyring(new VaultKeyring()))

describe('finding the vars files of a group or host', () => {
  it('takes the first of NAME, NAME.yml, NAME.yaml, NAME.json that exists', () => {
    const root = tree({
      'gv/a': 'x: 1',
      'gv/a.yml': 'x: 2',
      'gv/b.yml': 'x: 1',
      'gv/b.yaml': 'x: 2',
      'gv/b.json': '{}',
      'gv/c.yaml': 'x: 1',
      'gv/c.json': '{}',
      'gv/d.json': '{}',
      'gv/e.txt': 'x: 1',
      'gv/e.yml.bak': 'x: 1'
    })
    const dir = join(root, 'gv')
    expect(findVarsFiles(dir, 'a')).toEqual([join(dir, 'a')])
    expect(findVarsFiles(dir, 'b')).toEqual([join(dir, 'b.yml')])
    expect(findVarsFiles(dir, 'c')).toEqual([join(dir, 'c.yaml')])
    expect(findVarsFiles(dir, 'd')).toEqual([join(dir, 'd.json')])
    expect(findVarsFiles(dir, 'e')).toEqual([])
    expect(findVarsFiles(dir, 'missing')).toEqual([])
  })

  it('reads a directory NAME/ (which hides NAME.yml) recursively in lexical order, skipping what Ansible skips', () => {
    const root = tree({
      'gv/web.yml': 'x: file',
      'gv/web/b.yml': 'x: 1',
      'gv/web/a.yaml': 'x: 1',
      'gv/web/C.json': '{}',
      'gv/web/noext': 'x: 1',
      'gv/web/sub/z.yml': 'x: 1',
      'gv/web/sub.d/skipped.yml': 'x: 1',
      'gv/web/.hidden.yml': 'x: 1',
      'gv/web/backup.yml~': 'x: 1',
      'gv/web/notes.txt': 'x: 1'
    })
    const dir = join(root, 'gv', 'web')
    expect(findVarsFiles(join(root, 'gv'), 'web')).toEqual(
      ['C.json', 'a.yaml', 'b.yml', 'noext', 'sub/z.yml'].map((f) => join(dir, f))
    )
  })

  it('merges files in order (top-level keys replaced), ignores empty files, never leaves the folder', () => {
    const root = tree({
      'group_vars/all/1.yml': 'a: 1\nb: {x: 1}\n',
      'group_vars/all/2.yml': 'b: {y: 2}\nc: 3\n',
      'group_vars/all/3.yml': '',
      'group_vars/all/4.yml': '# only a comment\n',
      'secret.yml': 'leak: yes'
    })
    const dirs = new VarsDirectories()
    expect(dirs.varsFor(root, 'group_vars', 'all')).toEqual({ a: 1, b: { y: 2 }, c: 3 })
    expect(dirs.varsFor(root, 'group_vars', '../secret')).toEqual({})
    expect(dirs.varsFor(root, 'host_vars', 'none')).toEqual({})
  })

  it('names the file (and line) of a broken or non-mapping vars file', () => {
    const root = tree({
      'group_vars/web.yml': 'a: 1\nb: [unclosed\n',
      'group_vars/db.yml': '- a\n- b\n',
      'host_vars/h1': 'just a string\n'
    })
    const dirs = new VarsDirectories()
    expect(() => dirs.varsFor(root, 'group_vars', 'web')).toThrow(
      new RegExp(`^${join(root, 'group_vars/web.yml')}:\\d+:\\d+: YAML syntax error`)
    )
    expect(() => dirs.varsFor(root, 'group_vars', 'db')).toThrow(
      `${join(root, 'group_vars/db.yml')}:1: variables file '${join(root, 'group_vars/db.yml')}' must hold a mapping of variable names to values, got a list`
    )
    expect(() => dirs.varsFor(root, 'host_vars', 'h1')).toThrow(/must hold a mapping.*got a string/)
  })
})

describe('precedence of inventory and playbook group_vars/host_vars', () => {
  const root = tree({
    'inv/hosts': [
      '[web]',
      'h1 v_hostfile=file v_file_vs_invhost=file',
      '[web:vars]',
      'v_groupfile=web',
      'v_groupfile_vs_invall=web',
      '[all:vars]',
      'v_allfile=all',
      'v_groupfile_vs_invall=all'
    ].join('\n'),
    'inv/group_vars/all.yml':
      'v_groupfile_vs_invall: inv-all\nv_invall_vs_pball: inv-all\nv_pball_vs_invgroup: inv-all\n',
    'inv/group_vars/web.yml':
      'v_pball_vs_invgroup: inv-web\nv_invgroup_vs_pbgroup: inv-web\nv_hostfile: inv-web\n',
    'inv/host_vars/h1.yml': 'v_file_vs_invhost: inv-host\nv_invhost_vs_pbhost: inv-host\n',
    'pb/group_vars/all.yml': 'v_invall_vs_pball: pb-all\nv_pball_vs_invgroup: pb-all\n',
    'pb/group_vars/web.yml': 'v_invgroup_vs_pbgroup: pb-web\nv_pbgroup_vs_hostfile: pb-web\n',
    'pb/host_vars/h1.yml': 'v_invhost_vs_pbhost: pb-host\n',
    'pb/host_vars/localhost.yml': 'v_local: pb-host\n'
  })

  it('inventory file vars < group_vars/all (inventory, then playbook) < group_vars/GROUP < host vars < host_vars', () => {
    const inventory = loadInventory([join(root, 'inv/hosts')])
    const vars = inventory.hostVars('h1', join(root, 'pb'))
    expect(vars).toMatchObject({
      v_allfile: 'all',
      v_groupfile: 'web',
      v_groupfile_vs_invall: 'inv-all',
      v_invall_vs_pball: 'pb-all',
      v_pball_vs_invgroup: 'inv-web',
      v_invgroup_vs_pbgroup: 'pb-web',
      v_hostfile: 'file',
      v_file_vs_invhost: 'inv-host',
      v_invhost_vs_pbhost: 'pb-host'
    })
    // Without a playbook directory (nothing next to a playbook), only the inventory's folders count.
    expect(inventory.hostVars('h1')).toMatchObject({
      v_invall_vs_pball: 'inv-all',
      v_invgroup_vs_pbgroup: 'inv-web',
      v_invhost_vs_pbhost: 'inv-host'
    })
  })

  it('gives the implicit localhost group_vars/all and its own host_vars', () => {
    const inventory = loadInventory([join(root, 'inv/hosts')])
    expect(inventory.hostVars('localhost', join(root, 'pb'))).toMatchObject({
      v_allfile: 'all',
      v_invall_vs_pball: 'pb-all',
      v_local: 'pb-host',
      ansible_connection: 'local'
    })
  })

  it('orders groups by depth, then ansible_group_priority, then name', () => {
    const dir = tree({
      hosts: [
        '[parent:children]',
        'child',
        '[child]',
        'h1',
        '[zeta]',
        'h1',
        '[alpha]',
        'h1',
        '[alpha:vars]',
        'ansible_group_priority=5'
      ].join('\n'),
      'group_vars/child.yml': 'depth: child\n',
      'group_vars/parent.yml': 'depth: parent\nname: parent\n',
      'group_vars/zeta.yml': 'name: zeta\npriority: zeta\n',
      'group_vars/alpha.yml': 'priority: alpha\n'
    })
    const vars = loadInventory([join(dir, 'hosts')]).hostVars('h1')
    expect(vars).toMatchObject({ depth: 'child', name: 'zeta', priority: 'alpha' })
  })

  it('reads the folders of each inventory source, later sources winning', () => {
    const a = tree({ hosts: 'h1\n', 'group_vars/all.yml': 'x: a\ny: a\n' })
    const b = tree({ hosts: 'h1\n', 'group_vars/all.yml': 'x: b\n' })
    const vars = loadInventory([join(a, 'hosts'), join(b, 'hosts')]).hostVars('h1')
    expect(vars).toMatchObject({ x: 'b', y: 'a' })
  })

  it('loads the group_vars of a group made while the run goes on (group_by)', () => {
    const dir = tree({ hosts: 'h1\n', 'group_vars/debian.yml': 'family: debian\n' })
    const inventory = loadInventory([join(dir, 'hosts')])
    expect(inventory.hostVars('h1')['family']).toBeUndefined()
    inventory.addDynamicGroup({ host: 'h1', group: 'debian', parents: ['all'] })
    expect(inventory.hostVars('h1')['family']).toBe('debian')
  })

  it('preloadVars stops on a broken file before anything runs, naming it', () => {
    const dir = tree({ hosts: '[web]\nh1\n', 'group_vars/web.yml': 'a: [\n' })
    const inventory = loadInventory([join(dir, 'hosts')])
    expect(() => inventory.preloadVars()).toThrow(join(dir, 'group_vars/web.yml'))
  })

  it('decrypts a vault-encrypted group_vars file with the run’s vault password', () => {
    // Encrypted with our own encryptVault, which vault.test.ts checks against ansible-vault both ways.
    const dir = tree({
      hosts: 'h1\n',
      'group_vars/all/vault.yml': encryptVault(Buffer.from('secret: s3cr3t\n'), Buffer.from('pw'))
    })
    const inventory = loadInventory([join(dir, 'hosts')])
    expect(() => inventory.hostVars('h1')).toThrow(/vault/i)
    setVaultKeyring(
      new VaultKeyring([{ id: 'default', password: Buffer.from('pw'), source: 'test' }])
    )
    expect(loadInventory([join(dir, 'hosts')]).hostVars('h1')['secret']).toBe('s3cr3t')
  })
})

describe('inventory directories', () => {
  it('reads every file in lexical order (subdirectories too) with its group_vars, skipping what Ansible skips', () => {
    const dir = tree({
      '10-hosts': '[web]\nw1\nw2\n',
      '20-more.yml': 'all:\n  children:\n    db:\n      hosts:\n        d1:\n',
      'sub/hosts': '[cache]\nc1\n',
      'skipped.ini': '[ini]\ni1\n',
      'hosts~': '[tilde]\nt1\n',
      'hosts.orig': '[orig]\no1\n',
      'site.retry': 'r1\n',
      'README.md': '# not an inventory\n',
      'notes.txt': 'x\n',
      'ansible.cfg': '[defaults]\n',
      'old.bak': 'b1\n',
      '.hidden': 'h1\n',
      'group_vars/web.yml': 'role: web\n',
      'host_vars/d1.yml': 'role: db\n'
    })
    const inventory = loadInventory([dir])
    expect(inventory.hostNames()).toEqual(['w1', 'w2', 'd1', 'c1'])
    expect(inventory.groupNames().sort()).toEqual(['all', 'cache', 'db', 'ungrouped', 'web'])
    expect(inventory.hostVars('w1')).toMatchObject({
      role: 'web',
      inventory_file: join(dir, '10-hosts'),
      inventory_dir: dir
    })
    expect(inventory.hostVars('d1')['role']).toBe('db')
  })

  it('refuses an inventory script (a #! line), naming it; an executable text file without one is read', () => {
    const dir = tree({
      'a-hosts': '[web]\nw1\n',
      'b-dynamic.py': '#!/usr/bin/env python3\nprint("{}")\n'
    })
    expect(() => loadInventory([dir])).toThrow(
      /inventory '.*b-dynamic\.py' is an executable script \(dynamic inventory\), which async-playbook does not run/
    )
    const plain = tree({ hosts: '[web]\nw1\n' })
    chmodSync(join(plain, 'hosts'), 0o755)
    expect(loadInventory([plain]).hostNames()).toEqual(['w1'])
    expect(() => loadInventory([join(dir, 'b-dynamic.py')])).toThrow(/executable script/)
  })

  it('refuses a TOML inventory by name', () => {
    const dir = tree({ 'hosts.toml': '[web.hosts.w1]\n' })
    expect(() => loadInventory([dir])).toThrow(
      /inventory '.*hosts\.toml' is a TOML inventory, which async-playbook does not read/
    )
  })

  it('names the file and line of an error in one of its files', () => {
    const dir = tree({ a: '[web]\nw1\n', b: '[web:oops]\n' })
    expect(() => loadInventory([dir])).toThrow(`${join(dir, 'b')}:1: section [web:oops]`)
  })

  it('warns, as Ansible does, about a group_vars that is a file, and reads no variables from it', () => {
    const dir = tree({ hosts: 'h1\n', group_vars: 'x: 1\n' })
    const inventory = loadInventory([dir])
    expect(inventory.warnings).toEqual([
      `Found group_vars that is not a directory, skipping: ${join(dir, 'group_vars')}`
    ])
    expect(inventory.hostVars('h1')['x']).toBeUndefined()
  })

  it('an empty directory is an inventory with no hosts', () => {
    expect(loadInventory([tree({})]).hostNames()).toEqual([])
  })
})

describe('a run with an inventory directory and the playbook-adjacent folders', () => {
  it('sees their variables, and a broken vars file stops the run before any task, naming it', async () => {
    const dir = tree({
      'inventories/prod/hosts': '[app]\nlocalhost ansible_connection=local\n',
      'inventories/prod/group_vars/app.yml': 'from_inventory: inv-app\n',
      'deploy/group_vars/all.yml': 'from_playbook: pb-all\n',
      'deploy/site.yml': [
        '- hosts: app',
        '  gather_facts: false',
        '  tasks:',
        '    - debug: { msg: "{{ from_inventory }} {{ from_playbook }}" }',
        ''
      ].join('\n')
    })
    const settings = parseCli(
      ['deploy/site.yml', '-i', join(dir, 'inventories/prod') + '/'],
      {},
      false,
      dir
    ).settings!
    const outcome = await executeRun(settings, () => {})
    expect(outcome.exitCode).toBe(0)
    expect(outcome.document.plays[0]!.tasks[0]!.results['localhost']!.result['msg']).toBe(
      'inv-app pb-all'
    )
    writeFileSync(join(dir, 'deploy/group_vars/all.yml'), 'from_playbook: [\n')
    await expect(executeRun(settings, () => {})).rejects.toThrow(
      join(dir, 'deploy/group_vars/all.yml')
    )
  })
})

describe('the action', () => {
  it("takes an inventory directory in the workspace as the 'inventory' input", async () => {
    const workspace = tree({
      'inventories/prod/hosts': '[app]\nlocalhost ansible_connection=local\n',
      'inventories/prod/group_vars/app.yml': 'where: inventory-dir\n'
    })
    const saved = { ...process.env }
    try {
      Object.assign(process.env, {
        GITHUB_WORKSPACE: workspace,
        INPUT_PLAYBOOK:
          '- hosts: app\n  gather_facts: false\n  tasks:\n    - debug: { msg: "{{ where }}" }\n',
        INPUT_INVENTORY: 'inventories/prod/'
      })
      const run = readActionSettings(process.env).run
      expect(run.inventories).toEqual([join(workspace, 'inventories/prod')])
      const outcome = await executeRun(run, () => {})
      expect(outcome.document.plays[0]!.tasks[0]!.results['localhost']!.result['msg']).toBe(
        'inventory-dir'
      )
    } finally {
      process.env = saved
    }
  })
})
