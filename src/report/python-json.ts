/**
 * JSON the way Ansible prints results (Python's json.dumps with sort_keys=True and ensure_ascii=False):
 * `{"a": 1, "b": [1, 2]}` on one line, or indented by `indent` spaces.
 */
export function pythonJson(value: unknown, indent?: number): string {
  return dump(value, indent, 0)
}

function dump(value: unknown, indent: number | undefined, depth: number): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number')
    return Number.isFinite(value)
      ? String(value)
      : value > 0
        ? 'Infinity'
        : value < 0
          ? '-Infinity'
          : 'NaN'
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (Buffer.isBuffer(value)) return JSON.stringify(value.toString('utf8'))
  const pad = indent === undefined ? '' : '\n' + ' '.repeat(indent * (depth + 1))
  const close = indent === undefined ? '' : '\n' + ' '.repeat(indent * depth)
  const sep = indent === undefined ? ', ' : ','
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]'
    return `[${value.map((v) => pad + dump(v, indent, depth + 1)).join(sep)}${close}]`
  }
  if (typeof value === 'object') {
    const keys = Object.keys(value as object)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort(byCodePoint)
    if (keys.length === 0) return '{}'
    return `{${keys
      .map(
        (k) =>
          `${pad}${JSON.stringify(k)}: ${dump((value as Record<string, unknown>)[k], indent, depth + 1)}`
      )
      .join(sep)}${close}}`
  }
  return JSON.stringify(String(value))
}

/** Python sorts str keys by code point; JavaScript's default sort compares UTF-16 units (astral chars differ). */
function byCodePoint(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0)!)
  const y = Array.from(b, (c) => c.codePointAt(0)!)
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!
  return x.length - y.length
}
