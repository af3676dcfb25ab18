/**
 * Executable inventory files (issue 15): refused naming --allow-inventory-scripts unless allowed; when allowed,
 * run with --list (and --host NAME without _meta) and read as Ansible's script plugin reads them, checked
 * against ansible-inventory where it is installed.
 */
import { execFileSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseCli } from '../../src/cli-options.js'
import { loadInventory } from '../../src/inventory/inventory.js'

function script(body: string, name = 'inventory.sh', dir?: string): string {
  const root = dir ?? mkdtempSync(join(tmpdir(), 'apb-invscript-'))
  const file = join(root, name)
  writeFileSync(file, `#!/bin/sh\n${body}\n`)
  chmodSync(file, 0o755)
  return file
}

const LIST_WITH_META = JSON.stringify({
  web: { hosts: ['w1', 'w2'], vars: { http_port: 8080 }, children: ['edge'] },
  edge: ['e1'],
  db: { hosts: ['d1'] },
  solo: { note: 'a group mapping without hosts/vars/children is a host with vars' },
  all: { vars: { site: 'prod' } },
  _meta: {
    hostvars: { w1: { ansible_host: '10.0.0.1', nested: { a: [1, 2] } }, d1: { role: 'db' } }
  }
})

describe('inventory scripts', () => {
  it('are refused without the flag, naming it', () => {
    const file = script(`echo '${LIST_WITH_META}'`)
    expect(() => loadInventory([file])).toThrow(/--allow-inventory-scripts/)
    expect(() => loadInventory([file])).toThrow(/allow-inventory-scripts: true/)
  })

  it('run with --list when allowed: groups, children, group vars and _meta hostvars', () => {
    const file = script(`[ "$1" = --list ] || exit 3\necho '${LIST_WITH_META}'`)
    const inventory = loadInventory([file], { allowScripts: true })
    expect(inventory.hostNames().sort()).toEqual(['d1', 'e1', 'solo', 'w1', 'w2'])
    expect(inventory.groupHosts('web').sort()).toEqual(['e1', 'w1', 'w2'])
    const w1 = inventory.hostVars('w1')
    expect(w1['ansible_host']).toBe('10.0.0.1')
    expect(w1['http_port']).toBe(8080)
    expect(w1['site']).toBe('prod')
    expect(w1['nested']).toEqual({ a: [1, 2] })
    expect(w1['inventory_file']).toBe(file)
    expect(inventory.hostVars('e1')['http_port']).toBe(8080)
    expect(inventory.hostVars('solo')['note']).toMatch(/without hosts/)
    expect(inventory.hostVars('d1')['role']).toBe('db')
  })

  it('without _meta, asks --host NAME for each host', () => {
    const file = script(
      [
        'case "$1" in',
        `--list) echo '{"app": ["a1", "a2"]}' ;;`,
        `--host) printf '{"who": "%s"}' "$2" ;;`,
        'esac'
      ].join('\n')
    )
    const inventory = loadInventory([file], { allowScripts: true })
    expect(inventory.hostVars('a1')['who']).toBe('a1')
    expect(inventory.hostVars('a2')['who']).toBe('a2')
  })

  it('in an inventory directory, next to static files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'apb-invscript-dir-'))
    writeFileSync(join(dir, 'a-static'), '[web]\nw0\n')
    script(`echo '{"web": ["w9"]}'`, 'b-dynamic', dir)
    expect(() => loadInventory([dir])).toThrow(/b-dynamic.*--allow-inventory-scripts/)
    expect(loadInventory([dir], { allowScripts: true }).groupHosts('web')).toEqual(['w0', 'w9'])
  })

  it('fail with the exit code and stderr, or a JSON error, naming the script', () => {
    const failing = script('echo boom >&2\nexit 7')
    expect(() => loadInventory([failing], { allowScripts: true })).toThrow(
      /Inventory script \(.*inventory\.sh\) had an execution error \(exit code 7\): boom/
    )
    const notJson = script('echo not json')
    expect(() => loadInventory([notJson], { allowScripts: true })).toThrow(
      /failed to parse executable inventory script results from .*inventory\.sh/
    )
    const list = script(`echo '["a"]'`)
    expect(() => loadInventory([list], { allowScripts: true })).toThrow(/needs to be a json dict/)
    const badHosts = script(`echo '{"g": {"hosts": "a"}}'`)
    expect(() => loadInventory([badHosts], { allowScripts: true })).toThrow(
      /group 'g' with bad data for the host list/
    )
  })

  it('a #! file that is not executable is refused with what to do', () => {
    const file = script('echo {}')
    chmodSync(file, 0o644)
    expect(() => loadInventory([file], { allowScripts: true })).toThrow(/chmod \+x/)
  })

  it('the CLI flag sets the run setting; it is off by default', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'apb-invscript-cli-'))
    mkdirSync(join(cwd, 'x'))
    const on = parseCli(['site.yml', '--allow-inventory-scripts'], {}, false, cwd)
    expect(on.settings?.allowInventoryScripts).toBe(true)
    const off = parseCli(['site.yml'], {}, false, cwd)
    expect(off.settings?.allowInventoryScripts).toBeUndefined()
  })

  it('reads what ansible-inventory reads from the same script', () => {
    let ansible: string
    try {
      execFileSync('ansible-inventory', ['--version'])
      ansible = 'ansible-inventory'
    } catch {
      if (process.env['APB_REQUIRE_ANSIBLE'] === '1')
        throw new Error('ansible-inventory is required')
      return
    }
    const file = script(`echo '${LIST_WITH_META}'`)
    const oracle = JSON.parse(
      execFileSync(ansible, ['-i', file, '--list'], {
        encoding: 'utf8',
        env: { ...process.env, ANSIBLE_INVENTORY_ENABLED: 'script' }
      })
    ) as { _meta: { hostvars: Record<string, Record<string, unknown>> } } & Record<
      string,
      { hosts?: string[]; children?: string[] }
    >
    const inventory = loadInventory([file], { allowScripts: true })
    expect(inventory.hostNames().sort()).toEqual(Object.keys(oracle._meta.hostvars).sort())
    for (const [host, vars] of Object.entries(oracle._meta.hostvars)) {
      const ours = inventory.hostVars(host)
      for (const [key, value] of Object.entries(vars))
        expect([host, key, ours[key]]).toEqual([host, key, value])
    }
    for (const group of ['web', 'edge', 'db', 'solo'])
      expect(inventory.groupHosts(group).sort()).toEqual(
        expect.arrayContaining(oracle[group]?.hosts ?? [])
      )
  })
  it("does not hand the action's inputs, saved state or token to the script", () => {
    const saved = { ...process.env }
    process.env['INPUT_SSH-PRIVATE-KEY'] = 'PRIVATE-KEY-TEXT'
    process.env['INPUT_BECOME-PASSWORD'] = 'become-secret'
    process.env['STATE_JOBS'] = 'saved-state'
    process.env['ACTIONS_RUNTIME_TOKEN'] = 'runtime-token'
    process.env['GITHUB_TOKEN'] = 'gh-token'
    process.env['APB_HARMLESS'] = 'kept'
    try {
      // The script reports its whole environment (as the kernel gave it) as a host variable.
      const file = script(
        `tr '\\0' '\\n' < /proc/$$/environ | sed 's/"/_/g; s/\\\\/_/g' | awk 'BEGIN { printf "{\\"all\\": {\\"hosts\\": [\\"h\\"]}, \\"_meta\\": {\\"hostvars\\": {\\"h\\": {\\"seen\\": [" } { printf "%s\\"%s\\"", (NR > 1 ? "," : ""), $0 } END { print "]}}}}" }'`
      )
      const seen = loadInventory([file], { allowScripts: true }).hostVars('h')['seen'] as string[]
      expect(seen).toContain('APB_HARMLESS=kept')
      const names = seen.map((line) => line.split('=')[0])
      for (const name of [
        'INPUT_SSH-PRIVATE-KEY',
        'INPUT_BECOME-PASSWORD',
        'STATE_JOBS',
        'ACTIONS_RUNTIME_TOKEN',
        'GITHUB_TOKEN'
      ])
        expect(names).not.toContain(name)
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
      Object.assign(process.env, saved)
    }
  })
  it('reads hosts named like Object properties (constructor, toString) from _meta.hostvars', () => {
    const list = JSON.stringify({
      odd: ['constructor', 'toString', 'plain'],
      _meta: { hostvars: { plain: { role: 'p' }, toString: { role: 't' } } }
    })
    const inventory = loadInventory([script(`echo '${list}'`)], { allowScripts: true })
    expect(inventory.groupHosts('odd').sort()).toEqual(['constructor', 'plain', 'toString'])
    expect(inventory.hostVars('toString')['role']).toBe('t')
    expect(inventory.hostVars('constructor')['role']).toBeUndefined()
  })
})
