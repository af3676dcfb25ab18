/**
 * output_encoding's codecs, checked against Python (/usr/bin/python3, which runs Ansible): the bytes of
 * `text.encode(name, 'surrogateescape')` or its UnicodeEncodeError message, codec names as Python looks
 * them up, and `bytes.decode('utf-8', 'surrogateescape')` for template files that are not UTF-8.
 */
import { spawnSync } from 'node:child_process'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  PythonEncodeError,
  UnknownEncodingError,
  UnsupportedEncodingError,
  checkEncoding,
  decodeUtf8SurrogateEscape,
  encodePython
} from '../../src/values/python-codecs.js'

const PYTHON = `
import codecs, json, sys
req = json.load(sys.stdin)
enc = []
for text, name in req['encode']:
    try:
        enc.append({'hex': text.encode(name, 'surrogateescape').hex()})
    except UnicodeEncodeError as e:
        enc.append({'error': str(e)})
names = []
for name in req['names']:
    try:
        ''.encode(name)
        names.append(codecs.lookup(name).name)
    except LookupError as e:
        names.append('unknown' if str(e).startswith('unknown encoding') else 'not text')
dec = [[ord(c) for c in bytes.fromhex(h).decode('utf-8', 'surrogateescape')] for h in req['decode']]
json.dump({'encode': enc, 'names': names, 'decode': dec}, sys.stdout)
`

interface PythonAnswers {
  encode: Array<{ hex: string } | { error: string }>
  names: string[]
  decode: number[][]
}

function python(request: {
  encode: Array<[string, string]>
  names: string[]
  decode: string[]
}): PythonAnswers {
  const res = spawnSync('/usr/bin/python3', ['-c', PYTHON], {
    input: JSON.stringify(request),
    encoding: 'utf8'
  })
  if (res.status !== 0) throw new Error(`python3 failed: ${res.stderr}`)
  return JSON.parse(res.stdout) as PythonAnswers
}

function ourEncode(text: string, name: string): { hex: string } | { error: string } {
  try {
    return { hex: encodePython(text, name).toString('hex') }
  } catch (error) {
    if (error instanceof PythonEncodeError) return { error: error.message }
    throw error
  }
}

// The codecs implemented, as Python names them (codecs.lookup(...).name).
const SUPPORTED = new Set([
  'utf-8',
  'utf-8-sig',
  'ascii',
  'iso8859-1',
  'iso8859-15',
  'cp1252',
  'utf-16',
  'utf-16-le',
  'utf-16-be',
  'utf-32',
  'utf-32-le',
  'utf-32-be'
])

const ENCODINGS = [
  'utf-8',
  'UTF8',
  'utf-8-sig',
  'ascii',
  'US-ASCII',
  'latin-1',
  'ISO-8859-1',
  'iso8859_15',
  'cp1252',
  'Windows-1252',
  'utf-16',
  'utf_16_be',
  'UTF-16LE',
  'utf-32',
  'utf-32-le',
  'utf-32-be'
]

const NAMES = [
  ...ENCODINGS,
  'utf 8',
  ' utf--8 ',
  'u8',
  'latin1',
  'L1',
  'iso_8859-1:1987',
  'ansi_x3.4-1968',
  '646',
  'latin9',
  'cp65001',
  'shift_jis',
  'koi8-r',
  'cp437',
  'big5',
  'utf-7',
  'base64',
  'rot13',
  'nope',
  'utf-9',
  'latin-2x',
  ''
]

describe('Python codecs for output_encoding', () => {
  const chars = fc.constantFrom(
    'a',
    'Z',
    ' ',
    '\n',
    '\u00e9',
    '\u00ff',
    '\u0100',
    '\u20ac',
    '\u0160',
    '\u2019',
    '\u{1f600}',
    '\udce9',
    '\udc80',
    '\udc10',
    '\ud800',
    '\ufeff'
  )
  const texts = fc
    .sample(fc.array(chars, { maxLength: 6 }), { numRuns: 150, seed: 7 })
    .map((parts) => parts.join(''))
  const encodeCases: Array<[string, string]> = texts.flatMap((text) =>
    ENCODINGS.map((name): [string, string] => [text, name])
  )
  const byteStrings = fc
    .sample(
      fc.array(
        fc.oneof(
          fc.integer({ min: 0, max: 255 }),
          fc.constantFrom(0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xed, 0xa0, 0x80, 0xf0, 0x9f, 0xf4, 0x90)
        ),
        { maxLength: 8 }
      ),
      { numRuns: 300, seed: 9 }
    )
    .map((bytes) => Buffer.from(bytes).toString('hex'))
  const expected = python({ encode: encodeCases, names: NAMES, decode: byteStrings })

  it('encodes as Python does, or fails with its message', () => {
    const mismatches = encodeCases
      .map(([text, name], i) => ({
        text: JSON.stringify(text),
        name,
        ours: ourEncode(text, name),
        python: expected.encode[i]
      }))
      .filter((c) => JSON.stringify(c.ours) !== JSON.stringify(c.python))
    expect(mismatches).toEqual([])
    expect(expected.encode.filter((e) => 'error' in e).length).toBeGreaterThan(100)
  })

  it.each(NAMES.map((name, i) => [name, i] as const))(
    'looks up %j as Python does, refusing codecs it does not implement by name',
    (name, i) => {
      const theirs = expected.names[i]!
      let ours: string
      try {
        checkEncoding(name)
        ours = 'supported'
      } catch (error) {
        if (error instanceof UnknownEncodingError) ours = 'unknown'
        else if (error instanceof UnsupportedEncodingError) {
          ours = 'unsupported'
          expect(error.message).toContain(`'${name}'`)
        } else throw error
      }
      const want =
        theirs === 'unknown' ? 'unknown' : SUPPORTED.has(theirs) ? 'supported' : 'unsupported'
      expect(ours).toBe(want)
    }
  )

  it("decodes bytes as Python's utf-8 with surrogateescape", () => {
    const mismatches = byteStrings
      .map((hex, i) => ({
        hex,
        ours: Array.from(decodeUtf8SurrogateEscape(Buffer.from(hex, 'hex')), (c) =>
          c.codePointAt(0)
        ),
        python: expected.decode[i]
      }))
      .filter((c) => JSON.stringify(c.ours) !== JSON.stringify(c.python))
    expect(mismatches).toEqual([])
  })

  it('writes the bytes of a file that is not UTF-8 back unchanged', () => {
    const latin1 = Buffer.from('caf\xe9 \xa4\n', 'latin1')
    expect(encodePython(decodeUtf8SurrogateEscape(latin1), 'utf-8')).toEqual(latin1)
    expect(encodePython(decodeUtf8SurrogateEscape(latin1), 'latin-1')).toEqual(latin1)
  })
})
