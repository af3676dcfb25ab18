/**
 * Integral floats (`1.0`) outside the template engine: every reader of Python values (YAML, JSON given
 * as `-e`, INI inventory values, Python literals) gives a PyFloat, which module arguments, booleans,
 * no_log masking and copies of variables treat as the float it is, never as a mapping.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ansibleBoolean } from '../../src/ansible-boolean.js'
import { loadInventory } from '../../src/inventory/inventory.js'
import { convert, pythonIntCall } from '../../src/modules/arg-types.js'
import { maskNoLogValues, noLogStrings } from '../../src/modules/arg-no-log.js'
import { parseExtraVars } from '../../src/playbook/extra-vars.js'
import { pythonStr } from '../../src/template/python.js'
import { PyFloat } from '../../src/values/py-float.js'
import { parseJsonKeepingFloats } from '../../src/values/json-floats.js'
import { Templar } from '../../src/template/index.js'
import { parsePythonLiteral } from '../../src/values/python-literal.js'
import { cloneData, isRecord } from '../../src/values/records.js'
import { markUnsafeDeep } from '../../src/values/unsafe.js'

const float = (n: number) => new PyFloat(n)

describe('readers of Python values give integral floats as floats', () => {
  it('reads Python literals as ast.literal_eval does', () => {
    expect(parsePythonLiteral('1.0')).toStrictEqual(float(1))
    expect(parsePythonLiteral('1e3')).toStrictEqual(float(1000))
    expect(parsePythonLiteral('10.')).toStrictEqual(float(10))
    expect(parsePythonLiteral('-2.0')).toStrictEqual(float(-2))
    expect(pythonStr(parsePythonLiteral('-0.0'))).toBe('-0.0')
    expect(parsePythonLiteral('+3.0')).toStrictEqual(float(3))
    expect(parsePythonLiteral('1')).toBe(1)
    expect(parsePythonLiteral('0x1e')).toBe(30)
    expect(parsePythonLiteral('2.5')).toBe(2.5)
    expect(parsePythonLiteral('[1.0, 2]')).toStrictEqual([float(1), 2])
    expect(pythonStr(parsePythonLiteral("{'a': 1.0}"))).toBe("{'a': 1.0}")
  })

  it('reads from_json text as json.loads does', () => {
    const t = new Templar()
    expect(pythonStr(t.evaluate('\'{"a": [1.0, 2, 2.5, 1e3], "b": "1.0"}\' | from_json', {}))).toBe(
      "{'a': [1.0, 2, 2.5, 1000.0], 'b': '1.0'}"
    )
    expect(parseJsonKeepingFloats('{"__proto__": 1.0}')).toStrictEqual(
      JSON.parse('{"__proto__": 1}') === null
        ? null
        : Object.defineProperty({}, '__proto__', {
            value: new PyFloat(1),
            enumerable: true,
            writable: true,
            configurable: true
          })
    )
    expect(() => parseJsonKeepingFloats('[1.0,')).toThrow(SyntaxError)
  })

  it('reads INI inventory values as Ansible does (ansible-inventory --host)', () => {
    const inventory = loadInventory([
      '[web]\nweb1 a=1.0 b=1 c=1e3 d=2.5 e=-0.0 f="1.0" g=[1.0,2]\n[web:vars]\ngv=3.0\n'
    ])
    const vars = inventory.hostVars('web1')
    const shown = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'gv'].map((k) => pythonStr(vars[k]))
    expect(shown).toEqual(['1.0', '1', '1000.0', '2.5', '-0.0', '1.0', '[1.0, 2]', '3.0'])
    expect(vars['a']).toBeInstanceOf(PyFloat)
    expect(vars['b']).toBe(1)
  })

  it('reads -e JSON, YAML and files with floats kept', () => {
    expect(parseExtraVars('{"ef": 2.0, "el": [1.0, 2], "n": 2}')).toStrictEqual({
      ef: float(2),
      el: [float(1), 2],
      n: 2
    })
    expect(parseExtraVars('x: 1.5e+3')).toStrictEqual({ x: float(1500) })
    // key=value pairs are text, as in Ansible.
    expect(parseExtraVars('k=1.0')).toStrictEqual({ k: '1.0' })
    const dir = mkdtempSync(path.join(tmpdir(), 'apb-floats-'))
    try {
      writeFileSync(path.join(dir, 'vars.yml'), 'ratio: 1.0\nlist: [2.0, 3]\n')
      const vars = parseExtraVars('@vars.yml', dir)
      expect(pythonStr(vars)).toBe("{'ratio': 1.0, 'list': [2.0, 3]}")
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('a PyFloat outside the template engine', () => {
  it('is no mapping, and copies of variables keep it', () => {
    expect(isRecord(float(1))).toBe(false)
    const value = { a: [float(1), { b: float(2) }], c: 'x', __proto__: null }
    const copy = cloneData(value)
    expect(copy).not.toBe(value)
    expect(copy.a).not.toBe(value.a)
    expect(pythonStr(copy)).toBe("{'a': [1.0, {'b': 2.0}], 'c': 'x'}")
    expect(markUnsafeDeep([float(1), '{{ x }}'])).toStrictEqual([
      float(1),
      expect.stringContaining('{{')
    ])
  })

  it('converts to module argument types as Ansible 2.14 does', () => {
    expect(convert('str', float(1))).toBe('1.0')
    expect(convert('path', float(2))).toBe('2.0')
    // The module gets a number for a float argument.
    expect(convert('float', float(3))).toBe(3)
    expect(convert('bool', float(1))).toBe(true)
    expect(convert('bool', float(0))).toBe(false)
    expect(convert('list', float(1))).toEqual(['1.0'])
    const raw = float(4)
    expect(convert('raw', raw)).toBe(raw)
    // check_type_int of 2.14 takes ints and digit strings only: 3.0 is refused.
    expect(() => convert('int', float(3))).toThrow("<class 'float'> cannot be converted to an int")
    expect(() => convert('dict', float(3))).toThrow("<class 'float'> cannot be converted to a dict")
    // pause's int(): Python's int() truncates a float.
    expect(pythonIntCall.convert(float(3))).toBe(3)
  })

  it('reads as a boolean where 1.0 == 1', () => {
    expect(ansibleBoolean(float(1), 'strict')).toBe(true)
    expect(ansibleBoolean(float(0), 'lenient')).toBe(false)
    expect(ansibleBoolean(float(1), 'filter')).toBe(true)
    expect(() => ansibleBoolean(float(2), 'strict')).toThrow(
      "The value '2.0' is not a valid boolean"
    )
  })

  it('is masked by no_log as its text', () => {
    expect(noLogStrings([float(1), 2])).toEqual(['1.0', '2'])
    expect(maskNoLogValues({ a: float(1), b: 'x 1.0 y', c: float(3) }, ['1.0'])).toStrictEqual({
      a: 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER',
      b: 'x ******** y',
      c: float(3)
    })
  })
})
