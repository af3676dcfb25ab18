// Ansible's extra quoting of backslashes in playbook strings (Templar's escape_backslashes): inside a
// `{{ … }}` expression, every string literal has its backslashes doubled before Jinja2 reads it. So
// `regex_replace('(b)', '\1')` written once in YAML reaches the filter as backslash-one, as users expect,
// not as chr(1); `'\t'` stays a backslash and a t. Outside `{{ }}` (text, `{% %}` blocks, comments, raw
// blocks) nothing changes. Template files (the template module) are not escaped, as in Ansible.

/** A Jinja2 string literal at the start of the text: quotes, and backslash escapes inside. */
const STRING = /^(?:'[^'\\]*(?:\\[\s\S][^'\\]*)*'|"[^"\\]*(?:\\[\s\S][^"\\]*)*")/

const RAW_START = /^\{%[-+]?\s*raw\s*[-+]?%\}/
const RAW_END = /\{%[-+]?\s*endraw\s*[-+]?%\}/

/**
 * The index just past the end of a tag whose inside starts at `from` and which ends with `end` (`}}`, `%}`),
 * as Jinja2's lexer finds it: not inside a string, and not while a bracket opened inside is still open.
 * Each string literal met is handed to `onString`. Returns the text's length if the tag never ends.
 */
function scanTag(
  text: string,
  from: number,
  end: string,
  onString: (literal: string) => void,
  onOther: (chunk: string) => void
): number {
  let depth = 0
  let i = from
  while (i < text.length) {
    const ch = text[i]!
    if (depth === 0 && (text.startsWith(end, i) || text.startsWith(`-${end}`, i))) return i
    if (ch === "'" || ch === '"') {
      const literal = STRING.exec(text.slice(i))?.[0]
      if (literal) {
        onString(literal)
        i += literal.length
        continue
      }
    }
    if (ch === '(' || ch === '[' || ch === '{') depth++
    else if ((ch === ')' || ch === ']' || ch === '}') && depth > 0) depth--
    onOther(ch)
    i++
  }
  return i
}

/** `text` with the backslashes of the string literals inside its `{{ }}` doubled, as Ansible does. */
export function escapeExpressionBackslashes(text: string): string {
  if (!text.includes('\\') || !text.includes('{{')) return text
  let out = ''
  let i = 0
  while (i < text.length) {
    const rest = text.slice(i, i + 64)
    if (text.startsWith('{%', i) && RAW_START.test(text.slice(i))) {
      const close = RAW_END.exec(text.slice(i))
      const stop = close ? i + close.index + close[0].length : text.length
      out += text.slice(i, stop)
      i = stop
    } else if (rest.startsWith('{#')) {
      const close = text.indexOf('#}', i + 2)
      const stop = close === -1 ? text.length : close + 2
      out += text.slice(i, stop)
      i = stop
    } else if (rest.startsWith('{%') || rest.startsWith('{{')) {
      const variable = rest.startsWith('{{')
      const end = variable ? '}}' : '%}'
      out += text.slice(i, i + 2)
      const stop = scanTag(
        text,
        i + 2,
        end,
        (literal) => (out += variable ? literal.replace(/\\/g, '\\\\') : literal),
        (chunk) => (out += chunk)
      )
      i = stop
    } else {
      out += text[i]
      i++
    }
  }
  return out
}
