// Lookups through the whole engine on this machine (ansible_connection=local): what a user sees of their
// warnings, and that output from a target never runs one. The lookups' values are compared with
// ansible-playbook's in the differential fixtures semantics-lookups.yml and semantics-loops.yml.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { RunSettings } from '../../src/engine.js'
import { resultOf, runCaptured } from '../helpers/engine.js'

const BASE = mkdtempSync(path.join(tmpdir(), 'apb-lookups-'))
const MARKER = path.join(BASE, 'marker')

function settings(playbookText: string): RunSettings {
  const playbook = path.join(BASE, 'site.yml')
  writeFileSync(playbook, playbookText)
  return {
    playbook,
    inventories: ['[local]\nlocalhost ansible_connection=local\n'],
    extraVars: [JSON.stringify({ marker: MARKER })],
    forks: 5,
    connection: { hostKeyChecking: 'strict', connectTimeoutMs: 30_000 },
    verbosity: 0,
    color: false,
    commandTimeoutMs: 30_000,
    cwd: BASE
  }
}

afterAll(() => rmSync(BASE, { recursive: true, force: true }))

describe('lookups in a run', () => {
  it("show a lookup's warning once, however often it comes", async () => {
    const out = await runCaptured(
      settings(`- hosts: all
  gather_facts: false
  tasks:
    - debug:
        msg: "{{ q('file', 'missing.txt', errors='warn') }} {{ q('file', 'missing.txt', errors='warn') }}"
      loop: [1, 2]
      register: r
`)
    )
    expect(out.exitCode, out.output).toBe(0)
    expect(resultOf(out, 'debug', 'localhost')['results']).toMatchObject([
      { msg: '[] []' },
      { msg: '[] []' }
    ])
    const count = (text: string): number => out.output.split(text).length - 1
    expect(count("Unable to find 'missing.txt' in expected paths")).toBe(1)
    expect(count("An unhandled exception occurred while running the lookup plugin 'file'")).toBe(1)
  })

  it('never run a lookup that a target printed', async () => {
    const out = await runCaptured(
      settings(`- hosts: all
  gather_facts: false
  tasks:
    - command: printf '%s' "{{ '{{' }} lookup('pipe', 'touch {{ marker }}') {{ '}}' }}"
      register: printed
    - debug:
        msg: "{{ printed.stdout }}"
      register: shown
    - name: as a lookup's term
      debug:
        msg: "{{ lookup('file', printed.stdout, errors='ignore') }}"
      register: as_term
    - set_fact:
        kept: "{{ printed.stdout }}"
    - debug:
        msg: "{{ kept }}"
      register: again
`)
    )
    expect(out.exitCode, out.output).toBe(0)
    expect(resultOf(out, 'debug', 'localhost')['msg']).toBe(
      `{{ lookup('pipe', 'touch ${MARKER}') }}`
    )
    expect(resultOf(out, "as a lookup's term", 'localhost')['msg']).toBe('')
    expect(existsSync(MARKER)).toBe(false)
  })
})
