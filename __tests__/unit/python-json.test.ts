import { describe, expect, it } from 'vitest'
import { pythonJson, pythonJsonDumps } from '../../src/values/python-json.js'

// Expected strings produced once by Python 3: json.dumps(value, sort_keys=True, ensure_ascii=False[, indent=4]).
const SAMPLE = {
  b: [1, 2, { z: null, a: true }],
  a: 'héllo "q" \n\t\u0001 日本 😀',
  c: {},
  d: [],
  e: -0.5,
  f: false
}

describe('pythonJson', () => {
  it('prints one line with sorted keys and ", " / ": " separators, unicode unescaped', () => {
    expect(pythonJson(SAMPLE)).toBe(
      '{"a": "héllo \\"q\\" \\n\\t\\u0001 日本 😀", "b": [1, 2, {"a": true, "z": null}], "c": {}, "d": [], "e": -0.5, "f": false}'
    )
  })

  it('indents by 4 with "," line ends and empty containers kept inline', () => {
    expect(pythonJson(SAMPLE, 4)).toBe(
      [
        '{',
        '    "a": "héllo \\"q\\" \\n\\t\\u0001 日本 😀",',
        '    "b": [',
        '        1,',
        '        2,',
        '        {',
        '            "a": true,',
        '            "z": null',
        '        }',
        '    ],',
        '    "c": {},',
        '    "d": [],',
        '    "e": -0.5,',
        '    "f": false',
        '}'
      ].join('\n')
    )
    expect(pythonJson({ msg: 'x' }, 4)).toBe('{\n    "msg": "x"\n}')
  })

  it('sorts keys by code point as Python does, digits and capitals first', () => {
    expect(pythonJson({ B: 1, a: 2, _x: 3, '10': 4, '9': 5 })).toBe(
      '{"10": 4, "9": 5, "B": 1, "_x": 3, "a": 2}'
    )
    // UTF-16 order would put the emoji (a surrogate pair) before U+FF01; code-point order does not.
    expect(pythonJson({ '😀': 1, '！': 2 })).toBe('{"！": 2, "😀": 1}')
  })

  it('prints NaN and infinities as Python does', () => {
    expect(pythonJson([NaN, Infinity, -Infinity])).toBe('[NaN, Infinity, -Infinity]')
  })

  it('prints None for null and undefined list items, and drops undefined keys', () => {
    expect(pythonJson([null, undefined])).toBe('[null, null]')
    expect(pythonJson({ a: undefined, b: 1 })).toBe('{"b": 1}')
  })

  it('writes an exponent with two digits, as Python does (1e-07)', () => {
    expect(pythonJson([1e-7, 1.5e-10, 1e21])).toBe('[1e-07, 1.5e-10, 1e+21]')
  })
})

describe('pythonJsonDumps: the one json.dumps, for results and the to_json filters alike', () => {
  it('escapes everything outside printable ASCII with ensure_ascii, as to_json does', () => {
    expect(pythonJsonDumps({ k: 'é 😀\n' }, { ensureAscii: true })).toBe(
      '{"k": "\\u00e9 \\ud83d\\ude00\\n"}'
    )
  })

  it('keeps the key order unless asked to sort, then sorts by code point', () => {
    expect(pythonJsonDumps({ b: 1, a: 2 })).toBe('{"b": 1, "a": 2}')
    expect(pythonJsonDumps({ '😀': 1, '！': 2 }, { sortKeys: true })).toBe('{"！": 2, "😀": 1}')
  })

  it('asks `other` for a value JSON has no form for, and lets it refuse', () => {
    expect(pythonJsonDumps([new Date(0)], { other: () => 'a date' })).toBe('["a date"]')
    expect(() =>
      pythonJsonDumps(
        { k: new Map() },
        {
          other: () => {
            throw new Error('not JSON serializable')
          }
        }
      )
    ).toThrow('not JSON serializable')
  })
})
