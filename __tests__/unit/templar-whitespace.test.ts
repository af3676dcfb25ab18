// Playbook strings templated as Ansible 2.14's Templar templates them, where the text around an expression,
// the newlines that end it and the backslashes in its string literals decide the result: every combination
// of a few leads, bodies and tails, and strings with backslashes, rendered by ours and by Ansible's own
// Templar under /usr/bin/python3, and compared (a template error on both sides counts as agreement).
import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { Templar } from '../../src/template/index.js'

const VARS = { v: '1.2.0', n: 5, f: 2.5, b: true, z: null, l: [1, 'a'], d: { a: 1 }, e: '' }
const LEADS = ['', ' ', '\n', 'x', '  ']
const BODIES = [
  '{{ v }}',
  '{{ n }}',
  '{{ f }}',
  '{{ b }}',
  '{{ z }}',
  '{{ l }}',
  '{{ d }}',
  '{{ e }}',
  '{{- n -}}',
  '{{ n + 1 }}',
  '{{ l | length }}',
  '{% if b %}[1]{% endif %}',
  '{% if b %}x{% endif %}',
  '{{ v }}{{ n }}'
]
const TAILS = ['', '\n', '\n\n', ' ', ' \n', '\r\n', '-']
// Backslashes: Ansible doubles those of the string literals inside `{{ }}` before Jinja2 reads them.
const BACKSLASHES = [
  "{{ 'a\\tb' }}",
  "{{ 'abc' | regex_replace('(b)', '<\\1>') }}",
  '{{ "abc" | regex_replace("(?P<x>b)", "[\\g<x>]") }}',
  "{{ 'q\\x41' }}|{{ 'n\\ny' }}",
  'x\\ty{{ v }}',
  "{{ {'k': 'a\\nb'} }}",
  "{{ ['\\\\', 'a\\'b'] }}",
  '{{ "q\\"x" }}',
  "{% set s = 'a\\tb' %}{{ s }}",
  "{# '\\t' #}{{ v }}",
  "{% raw %}{{ '\\t' }}{% endraw %}{{ v }}",
  "{{ ('(' ~ '\\d') | length }}",
  "{{ v | regex_search('\\d+') }}",
  "{{ {'a': {'b': '\\t'}} }}"
]
const CASES = [
  ...LEADS.flatMap((lead) =>
    BODIES.flatMap((body) => TAILS.map((tail) => `${lead}${body}${tail}`))
  ),
  ...BACKSLASHES
]

const PYTHON = `
import json, sys
from ansible.template import Templar
from ansible.parsing.dataloader import DataLoader
templar = Templar(loader=DataLoader(), variables=json.loads(sys.argv[1]))
out = []
for case in json.load(sys.stdin):
    try:
        out.append(templar.template(case))
    except Exception:
        out.append({'error': 'a template error'})
print(json.dumps(out))
`

const oracleAvailable =
  spawnSync('/usr/bin/python3', ['-c', 'import ansible.template'], { stdio: 'ignore' }).status === 0

describe.skipIf(!oracleAvailable && process.env['APB_REQUIRE_ANSIBLE'] !== '1')(
  'playbook strings: the text around one expression and the newlines after it, as Ansible',
  () => {
    const run = spawnSync('/usr/bin/python3', ['-c', PYTHON, JSON.stringify(VARS)], {
      input: JSON.stringify(CASES),
      encoding: 'utf8'
    })
    if (run.status !== 0) throw new Error(`python3 failed: ${run.stderr}`)
    const expected = JSON.parse(run.stdout) as unknown[]
    const templar = new Templar()
    it.each(CASES.map((c, i) => [JSON.stringify(c), i] as const))('%s', (_, i) => {
      let ours: unknown
      try {
        ours = templar.render(CASES[i]!, { ...VARS })
      } catch {
        ours = { error: 'a template error' }
      }
      expect(ours).toEqual(expected[i])
    })
  }
)
