/**
 * The Jinja2 differential table: every case of `cases-*.txt` (format: cases.ts) rendered by Ansible's own
 * Templar (ansible_render.py, all cases in one Python process) and by ours, compared as a task argument
 * sees the value: Ansible 2.14's defaults (jinja2_native off), so a template gives text unless it is a
 * lone `{{ name }}` holding a number/None or its text reads as a list, dict or boolean. Compared: the
 * Python type (str, int, float, bool, NoneType, list, dict) and the text (the string itself, or repr()
 * for any other value); a case where both fail agrees (error classes differ between the engines and are
 * not compared). Nothing is cached: Ansible renders the cases afresh on every run.
 *
 * Without Ansible (or its Python) the table is skipped with a warning, unless APB_REQUIRE_ANSIBLE=1.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { Templar } from '../../src/template/index.js'
import { pyRepr, pyTypeName } from '../../src/template/python.js'
import { ANSIBLE_INSTALL_HINT, findAnsiblePlaybook } from '../helpers/ansible.js'
import { loadCases, type JinjaCase } from './cases.js'

const here = dirname(fileURLToPath(import.meta.url))
const required = process.env['APB_REQUIRE_ANSIBLE'] === '1'

type Rendered = { type: string; text: string } | { error: string; message: string }

/** The Python that runs ansible-playbook (its shebang), where Ansible's modules are importable. */
function ansiblePython(): string[] | undefined {
  const playbook = findAnsiblePlaybook()
  if (!playbook) return undefined
  const first = readFileSync(playbook, 'utf8').split('\n', 1)[0] ?? ''
  if (!first.startsWith('#!')) return ['python3']
  const words = first.slice(2).trim().split(/\s+/)
  return words[0]?.endsWith('/env') ? words.slice(1) : words
}

function renderWithAnsible(cases: JinjaCase[]): Record<string, Rendered> | string {
  const python = ansiblePython()
  if (!python?.[0]) return `ansible-playbook is not on PATH (${ANSIBLE_INSTALL_HINT})`
  const input = JSON.stringify(cases.map(({ id, template, vars }) => ({ id, template, vars })))
  const run = spawnSync(python[0], [...python.slice(1), join(here, 'ansible_render.py')], {
    input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    // A hang guard only.
    timeout: 300_000
  })
  if (run.error) return `${python.join(' ')} could not run: ${run.error.message}`
  const parsed = (() => {
    try {
      return JSON.parse(run.stdout) as { missing?: string; results?: Record<string, Rendered> }
    } catch {
      return undefined
    }
  })()
  if (parsed?.missing) return `${python.join(' ')} cannot import Ansible: ${parsed.missing}`
  if (run.status !== 0 || !parsed?.results)
    throw new Error(`ansible_render.py failed (exit ${run.status}): ${run.stderr.slice(-2000)}`)
  return parsed.results
}

function renderWithOurs(templar: Templar, testCase: JinjaCase): Rendered {
  try {
    const value = templar.render(testCase.template, structuredClone(testCase.vars))
    return { type: pyTypeName(value), text: typeof value === 'string' ? value : pyRepr(value) }
  } catch (error) {
    return { error: (error as Error).name, message: (error as Error).message }
  }
}

function agree(theirs: Rendered, ours: Rendered): boolean {
  if ('error' in theirs || 'error' in ours) return 'error' in theirs && 'error' in ours
  return theirs.type === ours.type && theirs.text === ours.text
}

const cases = loadCases(here)
const ansible = renderWithAnsible(cases)
if (typeof ansible === 'string') {
  if (required) throw new Error(`APB_REQUIRE_ANSIBLE=1 but the Jinja2 table cannot run: ${ansible}`)
  console.warn(`\n*** SKIPPING the Jinja2 differential table: ${ansible} ***\n`)
}

describe.skipIf(typeof ansible === 'string')('Jinja2 table against Ansible 2.14 Templar', () => {
  const results = ansible as Record<string, Rendered>
  const templar = new Templar()
  const ours = new Map<string, Rendered>()
  beforeAll(() => {
    for (const testCase of cases) ours.set(testCase.id, renderWithOurs(templar, testCase))
  })

  it('has at least 500 cases, each with a unique id', () => {
    expect(cases.length).toBeGreaterThanOrEqual(500)
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length)
  })

  it("lists every known difference's reason in README's templating section", () => {
    // Line breaks in the README's list are spaces.
    const readme = readFileSync(join(here, '..', '..', 'README.md'), 'utf8').replace(/\s+/g, ' ')
    const reasons = new Set(cases.flatMap((c) => (c.differs ? [c.differs] : [])))
    expect([...reasons].filter((reason) => !readme.includes(reason))).toEqual([])
  })

  it.each(cases.map((c) => [`${c.id} ${JSON.stringify(c.template)}`, c] as const))(
    '%s',
    (_name, testCase) => {
      const theirs = results[testCase.id]
      const mine = ours.get(testCase.id)!
      expect(theirs, 'Ansible rendered every case').toBeDefined()
      if (testCase.differs !== undefined) {
        expect(
          agree(theirs!, mine),
          `agrees with Ansible now: remove "@differs ${testCase.differs}"`
        ).toBe(false)
        return
      }
      // On a disagreement, both sides are shown in full.
      expect({ template: testCase.template, result: mine }).toEqual({
        template: testCase.template,
        result: 'error' in theirs! && 'error' in mine ? mine : theirs
      })
    }
  )
})
