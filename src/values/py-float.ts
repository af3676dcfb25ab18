/**
 * Python's float where JavaScript's one number type cannot tell it from an int: a value that is integral
 * (`2.0`, `1e+16`, `-0.0`). A non-integral number is unambiguously a float already (so are inf and nan), so
 * only the integral case needs a mark and every other number stays a plain number on every path.
 *
 * Here, not in the template engine, because floats come from everywhere Ansible reads Python values: YAML
 * (`ratio: 1.0`), JSON, INI inventories, and templates (`{{ 4 / 2 }}`). They keep being floats through
 * variables, task arguments and registered values, so that printing one later gives Python's `1.0`.
 */

/** Python's repr of a number that is a float or an int: shortest digits, `1e-05`, `1e+21`, inf, nan. */
export function pyNumberRepr(n: number): string {
  if (Number.isNaN(n)) return 'nan'
  if (n === Infinity) return 'inf'
  if (n === -Infinity) return '-inf'
  // Python's float repr: the shortest digits, in exponent form below 1e-4 (1e-05, 1.5e-07); exponents
  // padded to two digits (1e+21).
  const text = n !== 0 && Math.abs(n) < 1e-4 ? n.toExponential() : String(n)
  return text.replace(/e([+-])(\d)$/, 'e$10$2')
}

/** Python's repr of a float: `2.0`, `-0.0`, `1e+16` (exponent form from 1e16 up), `0.5`, `inf`. */
export function pyFloatRepr(n: number): string {
  if (!Number.isInteger(n)) return pyNumberRepr(n)
  if (Math.abs(n) >= 1e16) return n.toExponential().replace(/e([+-])(\d)$/, 'e$10$2')
  return (Object.is(n, -0) ? '-0' : String(n)) + '.0'
}

/**
 * An integral Python float. A Number object: arithmetic, comparisons, `Number(x)` and `JSON.stringify`
 * see its value (JSON documents of ours hold it as a plain number); Python's str/repr print `2.0`. It is
 * an object (`typeof` is 'object') and not a mapping (values/records' isRecord says no); code that needs
 * a number takes `plainNumber(x)` or `Number(x)`.
 */
export class PyFloat extends Number {
  override toString(): string {
    return pyFloatRepr(this.valueOf())
  }
  toJSON(): number {
    return this.valueOf()
  }
}

/** A float result: a PyFloat when its value is integral (or -0.0), else the plain number. */
export function pyFloat(n: number): number | PyFloat {
  return Number.isInteger(n) ? new PyFloat(n) : n
}

/** A number (plain or PyFloat) as a plain number; anything else unchanged. */
export function plainNumber(value: unknown): unknown {
  return value instanceof PyFloat ? value.valueOf() : value
}

/** Whether a value is a number: a plain one or an integral float (PyFloat). Booleans are not. */
export function isNumeric(value: unknown): value is number | PyFloat {
  return typeof value === 'number' || value instanceof PyFloat
}
