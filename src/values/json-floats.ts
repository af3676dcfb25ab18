/**
 * JSON read as Python's json.loads reads it: a number written with a fraction or an exponent (`1.0`, `1e3`)
 * is a float, and one whose value is whole stays a float (PyFloat), where JSON.parse makes it `1`.
 */
import { PyFloat } from './py-float.js'

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?/y
const STRING = /"(?:[^"\\]|\\.)*"/y
const BLANK = /[ \t\n\r]*/y

/**
 * Parses JSON text, integral floats kept as PyFloat.
 * @throws SyntaxError with JSON.parse's message when the text is not JSON
 */
export function parseJsonKeepingFloats(text: string): unknown {
  const plain = JSON.parse(text) as unknown
  // Only a number token with a dot or an exponent can be an integral float: most text has none.
  if (!/[\d][.eE]/.test(text)) return plain
  let at = 0
  const skip = (): void => {
    BLANK.lastIndex = at
    BLANK.exec(text)
    at = BLANK.lastIndex
  }
  const token = (pattern: RegExp): string => {
    pattern.lastIndex = at
    const match = pattern.exec(text)![0]
    at += match.length
    return match
  }
  const value = (): unknown => {
    skip()
    const ch = text[at]
    if (ch === '{') {
      at++
      const out: Record<string, unknown> = {}
      skip()
      if (text[at] === '}') return (at++, out)
      for (;;) {
        skip()
        const key = JSON.parse(token(STRING)) as string
        skip()
        at++ // ':'
        // defineProperty: a key `__proto__` stays a key, as JSON.parse keeps it.
        Object.defineProperty(out, key, {
          value: value(),
          enumerable: true,
          writable: true,
          configurable: true
        })
        skip()
        if (text[at++] === '}') return out
      }
    }
    if (ch === '[') {
      at++
      const out: unknown[] = []
      skip()
      if (text[at] === ']') return (at++, out)
      for (;;) {
        out.push(value())
        skip()
        if (text[at++] === ']') return out
      }
    }
    if (ch === '"') return JSON.parse(token(STRING)) as string
    if (ch === 't') return ((at += 4), true)
    if (ch === 'f') return ((at += 5), false)
    if (ch === 'n') return ((at += 4), null)
    const number = token(NUMBER)
    const n = Number(number)
    return /[.eE]/.test(number) && Number.isInteger(n) ? new PyFloat(n) : n
  }
  return value()
}
