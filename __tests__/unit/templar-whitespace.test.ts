// Playbook strings templated as Ansible 2.14's Templar templates them, where the text around an expression
// and the newlines that end it decide the result's type and text: every combination of a few leads, bodies
// and tails is rendered by ours and by Ansible's own Templar under /usr/bin/python3, and compared.
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
const CASES = LEADS.flatMap((lead) =>
  BODIES.flatMap((body) => TAILS.map((tail) => `${lead}${body}${tail}`))
)

const PYTHON = `
import json, sys
from ansible.template import Templar
from ansible.parsing.dataloader import DataLoader
templar = Templar(loader=DataLoader(), variables=json.loads(sys.argv[1]))
out = []
for case in json.load(sys.stdin):
    out.append(templar.template(case))
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
      expect(templar.render(CASES[i]!, { ...VARS })).toEqual(expected[i])
    })
  }
)
