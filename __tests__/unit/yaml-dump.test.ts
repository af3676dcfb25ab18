import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { PyDateTime } from '../../src/template/filters-time.js'
import { PyFloat } from '../../src/template/python.js'
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

// What PyYAML 6.0 over libyaml 0.2.5 (Ansible 2.14's dumper) wrote for these, pinned so that they are
// checked where Python is missing too.
describe('to_yaml / to_nice_yaml (as PyYAML wrote them)', () => {
  const yaml = (value: unknown, kwargs: Record<string, unknown> = {}): string =>
    toYaml(value, false, kwargs)
  const nice = (value: unknown, kwargs: Record<string, unknown> = {}): string =>
    toYaml(value, true, kwargs)

  it('writes a lone scalar without a document end, and empty collections in flow style', () => {
    expect(['a', 1, '', null, true, [], {}].map((v) => yaml(v))).toEqual([
      'a\n',
      '1\n',
      "''\n",
      'null\n',
      'true\n',
      '[]\n',
      '{}\n'
    ])
  })

  it('writes floats as floats', () => {
    expect(yaml([new PyFloat(2), new PyFloat(1e16), 1e-7, -0, NaN, -Infinity])).toBe(
      '[2.0, 1.0e+16, 1.0e-07, -0.0, .nan, -.inf]\n'
    )
  })

  it('puts only collections of scalars in flow style (default_flow_style=None)', () => {
    expect(yaml({ top: [{ name: 'n' }], a: [1, [2]] })).toBe('a:\n- 1\n- [2]\ntop:\n- {name: n}\n')
    expect(nice([{ a: 1, b: 2 }, [1, 2], 'x', [[1]]])).toBe(
      '-   a: 1\n    b: 2\n-   - 1\n    - 2\n- x\n-   -   - 1\n'
    )
    expect(nice([[1, 2], [3]], { indent: 2 })).toBe('- - 1\n  - 2\n- - 3\n')
  })

  it('quotes what would read back as another type or as YAML syntax, and nothing else', () => {
    const strings = ['yes', '1.0', '0x_', '=', '<<', '- a', 'a: b', 'a #b', '#a', '@a', '---', ':a']
    expect(yaml(strings)).toBe(
      "['yes', '1.0', '0x_', '=', '<<', '- a', 'a: b', 'a #b', '#a', '@a', '---', ':a']\n"
    )
    expect(yaml(['a#b', '?a', '-a', 'a  b', "it's", '1e3', 'y', 'a,b'])).toBe(
      "[a#b, '?a', -a, a  b, it's, 1e3, y, 'a,b']\n"
    )
    expect(yaml('a,b')).toBe('a,b\n')
  })

  it('writes multi-line text single-quoted, and escapes in double quotes where it must', () => {
    expect(nice({ k: 'a\nb\n' })).toBe("k: 'a\n\n    b\n\n    '\n")
    expect(yaml('a \nb')).toBe('"a \\nb"\n')
    expect(yaml('x\x7fy\x01\u0085\u00a0\u2028\ufeff\u{1F600}é')).toBe(
      '"x\\x7Fy\\x01\\N\u00a0\\L\\uFEFF\\U0001F600é"\n'
    )
  })

  it('folds long lines at the width, and writes long or multi-line keys as `? key`', () => {
    expect(nice({ k: 'word '.repeat(30) })).toBe(
      `k: '${'word '.repeat(16).trim()}\n    ${'word '.repeat(14)}'\n`
    )
    expect(nice({ k: 'word '.repeat(30) }, { width: -1 })).toBe(`k: '${'word '.repeat(30)}'\n`)
    expect(yaml({ ['k'.repeat(129)]: 1 })).toBe(`{? ${'k'.repeat(129)}\n  : 1}\n`)
    expect(yaml({ ['k'.repeat(128)]: 1 })).toBe(`{${'k'.repeat(128)}: 1}\n`)
    expect(yaml({ 'a\nb': 1 })).toBe("{? 'a\n\n    b' : 1}\n")
  })

  it('writes a list or dict met twice as an anchor and an alias', () => {
    const shared = [1, 2]
    expect(yaml([shared, shared])).toBe('- &id001 [1, 2]\n- *id001\n')
    expect(nice({ a: shared, b: shared })).toBe('a: &id001\n- 1\n- 2\nb: *id001\n')
  })

  it('writes a datetime as its isoformat, tagged `!` where it has to be quoted', () => {
    const t = new PyDateTime({
      year: 2020,
      month: 1,
      day: 2,
      hour: 3,
      minute: 4,
      second: 5,
      microsecond: 0
    })
    expect(yaml(t)).toBe('2020-01-02 03:04:05\n')
    expect(yaml({ k: t })).toBe("{k: ! '2020-01-02 03:04:05'}\n")
    expect(nice({ k: t })).toBe('k: 2020-01-02 03:04:05\n')
    expect(yaml([t, t])).toBe("[&id001 ! '2020-01-02 03:04:05', *id001]\n")
  })

  it('takes the keyword arguments of yaml.dump, and refuses the others by name', () => {
    expect(yaml({ z: 1, a: 2 }, { sort_keys: false })).toBe('{z: 1, a: 2}\n')
    expect(yaml({ a: 1 }, { explicit_start: true, explicit_end: true })).toBe('--- {a: 1}\n...\n')
    expect(yaml({ a: [1] }, { default_flow_style: false })).toBe('a:\n- 1\n')
    expect(nice({ a: { b: 1 } }, { indent: 2 })).toBe('a:\n  b: 1\n')
    expect(() => yaml({}, { foo: 1 })).toThrow(
      "to_yaml - dump_all() got an unexpected keyword argument 'foo'"
    )
    expect(() => nice({}, { default_flow_style: true })).toThrow(
      "to_nice_yaml - dump_all() got multiple values for keyword argument 'default_flow_style'"
    )
    expect(() => yaml({}, { canonical: true })).toThrow(/the canonical option is not supported/)
  })
})
