import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { toYaml } from '../../src/template/serialize.js'
import { findAnsiblePlaybook } from '../helpers/ansible.js'
import { dumpCases, wireValue, type DumpCase } from './yaml-dump-cases.js'

/** Python that Ansible runs under (its PyYAML is the one that counts), else python3 on PATH. */
function ansiblePython(): string | undefined {
  const playbook = findAnsiblePlaybook()
  const shebang = playbook ? readFileSync(playbook, 'utf8').split('\n')[0]! : ''
  const direct = /^#!\s*(\/\S*python3[.\d]*)\s*$/.exec(shebang)?.[1]
  for (const python of [direct, 'python3']) {
    if (python === undefined) continue
    const probe = spawnSync(python, ['-c', 'from yaml import CSafeDumper'], { encoding: 'utf8' })
    if (probe.status === 0) return python
  }
  return undefined
}

const PYTHON = ansiblePython()
const requirePyYaml = process.env['APB_REQUIRE_ANSIBLE'] === '1'
const SCRIPT = fileURLToPath(new URL('./pyyaml_dump.py', import.meta.url))

function ours(c: DumpCase): { text: string } | { error: string } {
  try {
    return { text: toYaml(c.value, c.filter === 'to_nice_yaml', c.kwargs) }
  } catch (error) {
    return { error: (error as Error).message }
  }
}

describe('to_yaml / to_nice_yaml against PyYAML (libyaml, as Ansible dumps)', () => {
  if (PYTHON === undefined && !requirePyYaml)
    console.warn('yaml-dump: no python3 with PyYAML and libyaml: the differential is skipped')

  it.runIf(PYTHON !== undefined || requirePyYaml)(
    'writes every generated case byte for byte as PyYAML does',
    () => {
      expect(PYTHON, 'python3 with PyYAML built on libyaml is needed to compare').toBeDefined()
      const cases = dumpCases()
      const run = spawnSync(PYTHON!, [SCRIPT], {
        input: JSON.stringify(cases.map((c) => ({ ...c, value: wireValue(c.value) }))),
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024
      })
      expect(run.stderr).toBe('')
      const python = JSON.parse(run.stdout) as {
        results: Array<{ text?: string; error?: string }>
      }
      const mismatches = cases.flatMap((c, i) => {
        const theirs = python.results[i]!
        const mine = ours(c)
        if ('error' in mine && theirs.error !== undefined) return []
        if ('text' in mine && mine.text === theirs.text) return []
        return [{ case: c, pyyaml: theirs, ours: mine }]
      })
      expect(cases.length).toBeGreaterThan(500)
      expect(mismatches.slice(0, 5)).toEqual([])
      expect(mismatches.length).toBe(0)
    }
  )
})
