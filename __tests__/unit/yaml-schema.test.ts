import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { loadInventory } from '../../src/inventory/inventory.js'
import { parseYaml } from '../../src/playbook/yaml-loader.js'
import { fromYaml, toYaml } from '../../src/template/serialize.js'
import { Templar } from '../../src/template/index.js'
import { isMarkedUnsafe, unsafeText } from '../../src/values/unsafe.js'
import { PyFloat, pyFloat } from '../../src/values/py-float.js'
import { pythonStr } from '../../src/template/python.js'
import { findAnsiblePlaybook } from '../helpers/ansible.js'

/**
 * Plain scalars and what PyYAML's SafeLoader (the resolver Ansible's loader uses) makes of them, written as
 * PyYAML 6.0 printed them: [type, Python repr]. `timestamp` values are PyYAML dates; we keep their text.
 */
const PYYAML: Array<[string, 'bool' | 'int' | 'float' | 'null' | 'str' | 'timestamp', string]> = [
  ['yes', 'bool', 'True'],
  ['Yes', 'bool', 'True'],
  ['YES', 'bool', 'True'],
  ['no', 'bool', 'False'],
  ['on', 'bool', 'True'],
  ['Off', 'bool', 'False'],
  ['true', 'bool', 'True'],
  ['False', 'bool', 'False'],
  ['tRUE', 'str', "'tRUE'"],
  ['yEs', 'str', "'yEs'"],
  ['oFF', 'str', "'oFF'"],
  ['y', 'str', "'y'"],
  ['Y', 'str', "'Y'"],
  ['n', 'str', "'n'"],
  ['N', 'str', "'N'"],
  ['~', 'null', 'None'],
  ['null', 'null', 'None'],
  ['Null', 'null', 'None'],
  ['NULL', 'null', 'None'],
  ['nULL', 'str', "'nULL'"],
  ['', 'null', 'None'],
  ['0', 'int', '0'],
  ['-0', 'int', '0'],
  ['+0', 'int', '0'],
  ['+12', 'int', '12'],
  ['0644', 'int', '420'],
  ['-0644', 'int', '-420'],
  ['00', 'int', '0'],
  ['08', 'str', "'08'"],
  ['09', 'str', "'09'"],
  ['0_8', 'str', "'0_8'"],
  ['0o17', 'str', "'0o17'"],
  ['0x1F', 'int', '31'],
  ['+0x1f', 'int', '31'],
  ['-0x1F', 'int', '-31'],
  ['0x_1', 'int', '1'],
  ['0x1g', 'str', "'0x1g'"],
  ['0b101', 'int', '5'],
  ['-0b1', 'int', '-1'],
  ['0b0_1', 'int', '1'],
  ['0b102', 'str', "'0b102'"],
  ['0b', 'str', "'0b'"],
  ['1_000', 'int', '1000'],
  ['1__0', 'int', '10'],
  ['1_', 'int', '1'],
  ['1__', 'int', '1'],
  ['0_', 'int', '0'],
  ['1:30', 'int', '90'],
  ['1:2', 'int', '62'],
  ['1:59', 'int', '119'],
  ['190:20:30', 'int', '685230'],
  ['1:60', 'str', "'1:60'"],
  ['01:30', 'str', "'01:30'"],
  ['0:30', 'str', "'0:30'"],
  ['-0:30', 'str', "'-0:30'"],
  ['1:30.5', 'float', '90.5'],
  ['-1:30.5', 'float', '-90.5'],
  ['1:2:3.4', 'float', '3723.4'],
  ['1.5', 'float', '1.5'],
  ['1.', 'float', '1.0'],
  ['1.0', 'float', '1.0'],
  ['10.', 'float', '10.0'],
  ['1_000.0', 'float', '1000.0'],
  ['1.0e+3', 'float', '1000.0'],
  ['+2.0', 'float', '2.0'],
  ['0.', 'float', '0.0'],
  ['-0.0', 'float', '-0.0'],
  ['.5', 'float', '0.5'],
  ['-.5', 'str', "'-.5'"],
  ['+.5', 'str', "'+.5'"],
  ['._5', 'str', "'._5'"],
  ['.5e+3', 'float', '500.0'],
  ['0.1_0', 'float', '0.1'],
  ['1_0.5', 'float', '10.5'],
  ['1e3', 'str', "'1e3'"],
  ['1.0e3', 'str', "'1.0e3'"],
  ['1.5e3', 'str', "'1.5e3'"],
  ['1e+3', 'str', "'1e+3'"],
  ['1.5E+3', 'float', '1500.0'],
  ['1.5e-3', 'float', '0.0015'],
  ['1.0e+400', 'float', 'inf'],
  ['.inf', 'float', 'inf'],
  ['+.inf', 'float', 'inf'],
  ['-.Inf', 'float', '-inf'],
  ['.INF', 'float', 'inf'],
  ['.NaN', 'float', 'nan'],
  ['.nan', 'float', 'nan'],
  ['.Nan', 'str', "'.Nan'"],
  ['NaN', 'str', "'NaN'"],
  ['inf', 'str', "'inf'"],
  ['1e1000', 'str', "'1e1000'"],
  ['0.1.2', 'str', "'0.1.2'"],
  ['1,000', 'str', "'1,000'"],
  ['+', 'str', "'+'"],
  ['.', 'str', "'.'"],
  ['2001-12-14', 'timestamp', 'datetime.date(2001, 12, 14)'],
  ['2001-12-14t21:59:43.10-05:00', 'timestamp', 'datetime.datetime(…)'],
  ['2001-12-14 21:59:43.10 -5', 'timestamp', 'datetime.datetime(…)'],
  ['2001-1-1', 'str', "'2001-1-1'"]
]

/** The JavaScript value we must read for a PyYAML result. */
function expectedValue(text: string, type: string, repr: string): unknown {
  switch (type) {
    case 'bool':
      return repr === 'True'
    case 'null':
      return null
    case 'str':
    case 'timestamp':
      return text
    default: {
      const n = repr === 'inf' ? Infinity : repr === '-inf' ? -Infinity : Number(repr)
      // An integral float stays a float (a PyFloat, printed `1.0`), as PyYAML's is.
      return type === 'float' ? pyFloat(n) : n
    }
  }
}

/** The value of `text` as a playbook variable, a YAML inventory variable and the result of from_yaml. */
function readEverywhere(text: string): {
  playbook: unknown
  inventory: unknown
  fromYaml: unknown
} {
  const playbook = (parseYaml(`v: ${text}\n`, 'v.yml').data as { v: unknown }).v
  const inventory = loadInventory([`all:\n  vars:\n    v: ${text}\n`]).groups.get('all')!.vars['v']
  return { playbook, inventory, fromYaml: (fromYaml(`v: ${text}\n`) as { v: unknown }).v }
}

/** Python that PyYAML and Ansible run under: ansible-playbook's interpreter, else python3 on PATH. */
function ansiblePython(): string | undefined {
  const playbook = findAnsiblePlaybook()
  const shebang = playbook ? readFileSync(playbook, 'utf8').split('\n')[0]! : ''
  const direct = /^#!\s*(\/\S*python3[.\d]*)\s*$/.exec(shebang)?.[1]
  for (const python of [direct, 'python3']) {
    if (python === undefined) continue
    const probe = spawnSync(python, ['-c', 'import yaml'], { encoding: 'utf8' })
    if (probe.status === 0) return python
  }
  return undefined
}

const PYTHON = ansiblePython()
const requirePyYaml = process.env['APB_REQUIRE_ANSIBLE'] === '1'

describe('the YAML schema (YAML 1.1 as Ansible reads it)', () => {
  it.each(PYYAML)(
    "reads '%s' as PyYAML does (%s %s) in playbooks, inventories and from_yaml alike",
    (text, type, repr) => {
      const expected = expectedValue(text, type, repr)
      const read = readEverywhere(text)
      expect(read).toEqual({ playbook: expected, inventory: expected, fromYaml: expected })
      // toEqual takes 0 and -0 for the same value; Python's -0 is 0 and its -0.0 is -0.0. A float prints
      // as Python's repr (`1.0`, `-0.0`), an int without a dot.
      for (const value of Object.values(read)) {
        if (expected instanceof PyFloat) {
          expect(value).toBeInstanceOf(PyFloat)
          expect(Object.is((value as PyFloat).valueOf(), expected.valueOf())).toBe(true)
        } else expect(Object.is(value, expected)).toBe(true)
        if (type === 'int' || type === 'float') expect(pythonStr(value)).toBe(repr)
      }
    }
  )

  it.runIf(PYTHON !== undefined || requirePyYaml)(
    'agrees with the PyYAML installed with Ansible on every scalar of the table',
    () => {
      expect(PYTHON, 'PyYAML (python3 -c "import yaml") is needed to compare').toBeDefined()
      const script = [
        'import json, sys, yaml, datetime',
        'out = []',
        'for text in json.load(sys.stdin):',
        '    v = yaml.safe_load("v: " + text + "\\n")["v"]',
        '    if isinstance(v, (datetime.date, datetime.datetime)): out.append(["timestamp", None])',
        '    elif isinstance(v, bool): out.append(["bool", repr(v)])',
        '    elif v is None: out.append(["null", "None"])',
        '    elif isinstance(v, int): out.append(["int", repr(v)])',
        '    elif isinstance(v, float): out.append(["float", repr(v)])',
        '    else: out.append(["str", repr(v)])',
        'print(json.dumps(out))'
      ].join('\n')
      const run = spawnSync(PYTHON!, ['-c', script], {
        input: JSON.stringify(PYYAML.map(([text]) => text)),
        encoding: 'utf8'
      })
      expect(run.stderr).toBe('')
      const python = JSON.parse(run.stdout) as Array<[string, string | null]>
      expect(python).toEqual(
        PYYAML.map(([, type, repr]) => [type, type === 'timestamp' ? null : repr])
      )
    }
  )

  it('keeps tagged scalars as PyYAML does: !!str, !!int, !!float', () => {
    const data = parseYaml('a: !!str 0644\nb: !!int "0644"\nc: !!float "1.5"\n', 'x.yml').data
    expect(data).toEqual({ a: '0644', b: 420, c: 1.5 })
  })

  it('applies merge keys and lets a repeated key keep its last value, everywhere', () => {
    const text = 'base: &b {x: 1, y: 2}\nv:\n  <<: *b\n  y: 3\nk: 1\nk: 2\n'
    const expected = { base: { x: 1, y: 2 }, v: { x: 1, y: 3 }, k: 2 }
    expect(parseYaml(text, 'x.yml').data).toEqual(expected)
    expect(fromYaml(text)).toEqual(expected)
    expect(
      loadInventory([`all:\n  vars:\n${text.replace(/^/gm, '    ')}`]).groups.get('all')!.vars
    ).toEqual(expected)
  })

  it('marks !unsafe values in playbooks and inventories; from_yaml (SafeLoader) refuses the tag', () => {
    const playbook = (parseYaml("v: !unsafe '{{ x }}'\n", 'x.yml').data as { v: string }).v
    const inventory = loadInventory(["all:\n  vars:\n    v: !unsafe '{{ x }}'\n"]).groups.get(
      'all'
    )!.vars['v']
    for (const value of [playbook, inventory]) {
      expect(isMarkedUnsafe(value)).toBe(true)
      expect(unsafeText(value)).toBe('{{ x }}')
    }
    expect(() => fromYaml("v: !unsafe '{{ x }}'\n")).toThrow(/from_yaml: unknown tag !<!unsafe>/)
  })

  it('a !vault value no password opens loads, and fails only where it is used (as in Ansible)', () => {
    const text =
      '- hosts: all\n  vars:\n    secret: !vault |\n      $ANSIBLE_VAULT;1.1;AES256\n      6162\n    plain: 1\n'
    const doc = parseYaml(text, 'site.yml').data as Array<{ vars: Record<string, unknown> }>
    expect(doc[0]!.vars['plain']).toBe(1)
    const templar = new Templar()
    expect(() => templar.render(doc[0]!.vars['secret'], {})).toThrow(
      'Attempting to decrypt but no vault secrets found'
    )
    const inventory = loadInventory([
      'all:\n  vars:\n    secret: !vault "x"\n  hosts:\n    web1:\n'
    ])
    expect(() => templar.render(inventory.hostVars('web1')['secret'], {})).toThrow(
      'Vault envelope format error'
    )
  })

  describe('to_yaml', () => {
    /**
     * Strings that read back as another type unless quoted, and strings that need no quotes. (js-yaml quotes
     * any string that starts with `-`, such as `-.5`, where PyYAML need not: that is presentation, not schema.)
     */
    const STRINGS = [
      'yes',
      'Off',
      '0644',
      '1_000',
      '1:30',
      '.5',
      '1.',
      '~',
      'null',
      '2001-12-14',
      '1e3',
      'y',
      'n',
      '08',
      'plain'
    ]

    it('quotes a string exactly when PyYAML would read it back as another type', () => {
      const quoted = STRINGS.filter((s) => toYaml({ k: s }, false) !== `{k: ${s}}\n`)
      expect(quoted).toEqual([
        'yes',
        'Off',
        '0644',
        '1_000',
        '1:30',
        '.5',
        '1.',
        '~',
        'null',
        '2001-12-14'
      ])
      for (const s of STRINGS) expect(fromYaml(toYaml({ k: s }, true))).toEqual({ k: s })
    })

    it('writes floats as PyYAML does', () => {
      expect(toYaml([1.5, 1e-7, -0, Infinity, -Infinity, NaN, 1e21, 2 ** 53 + 2], true)).toBe(
        '- 1.5\n- 1.0e-07\n- -0.0\n- .inf\n- -.inf\n- .nan\n- 1000000000000000000000\n- 9007199254740994\n'
      )
    })

    it.runIf(PYTHON !== undefined || requirePyYaml)(
      'writes those strings as the PyYAML installed with Ansible does',
      () => {
        const run = spawnSync(
          PYTHON!,
          [
            '-c',
            'import json, sys, yaml\nfor s in json.load(sys.stdin): sys.stdout.write(yaml.safe_dump({"k": s}, default_flow_style=None))'
          ],
          { input: JSON.stringify(STRINGS), encoding: 'utf8' }
        )
        expect(run.stderr).toBe('')
        expect(STRINGS.map((s) => toYaml({ k: s }, false)).join('')).toBe(run.stdout)
      }
    )
  })
})
